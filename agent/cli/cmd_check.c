/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vlantrunk check`: can vlantrunk run here, and is the desired state valid?
 * Every failing check says how to fix it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <linux/capability.h>

#include "cli.h"
#include "run/netns.h"

#define PROBE_PARENT "vtprobe0"
#define PROBE_VLAN "vtprobe0.42"
#define PROBE_NETNS_VLAN "vtprobe0.43"

struct check {
	const char *name;
	bool ok;
	bool fatal;			/* failing means vlantrunk cannot run (exit 5) */
	char detail[512];
	char fix[512];
};

static bool has_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
}

static void check_privileges(struct check *c)
{
	c->name = "privileges";
	c->fatal = true;
	c->ok = has_net_admin();
	if (c->ok) {
		snprintf(c->detail, sizeof(c->detail), "CAP_NET_ADMIN is effective");
		return;
	}
	snprintf(c->detail, sizeof(c->detail), "CAP_NET_ADMIN is not effective (uid %u)", getuid());
	snprintf(c->fix, sizeof(c->fix),
		 "run as root, or grant CAP_NET_ADMIN (systemd: AmbientCapabilities=CAP_NET_ADMIN)");
}

static void check_netlink(struct check *c)
{
	struct vt_link_table links = { 0 };
	struct vt_nl *nl = NULL;
	int ret;

	c->name = "netlink";
	c->fatal = true;
	ret = vt_nl_open(&nl);
	if (ret == 0)
		ret = vt_nl_dump_links(nl, &links);
	c->ok = ret == 0;
	if (c->ok)
		snprintf(c->detail, sizeof(c->detail), "rtnetlink answers: %zu links, strict checking %s",
			 links.n, vt_nl_strict(nl) ? "on" : "unavailable (kernel older than 4.20)");
	else {
		snprintf(c->detail, sizeof(c->detail), "cannot dump links over rtnetlink: %s",
			 strerror(-ret));
		snprintf(c->fix, sizeof(c->fix),
			 "a seccomp or LSM policy may forbid AF_NETLINK sockets; allow them");
	}
	vt_link_table_clear(&links);
	vt_nl_close(nl);
}

/*
 * A VLAN made straight into another throwaway namespace, its parent staying
 * here, as a subport with a netns is: 0, or 14 when that fails.
 */
static int probe_netns(struct vt_nl *nl, struct vt_batch *batch, int parent)
{
	struct vt_link_spec spec = { .fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID };
	struct vt_link_table links = { 0 };
	const struct vt_link *vlan;
	char path[64];
	int here, there, status = 14;
	uint16_t slot;

	here = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0 || unshare(CLONE_NEWNET) < 0)
		goto out;
	there = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(here, CLONE_NEWNET) < 0)
		_exit(14);	/* never go on in the wrong namespace */
	if (there < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", there);
	if (vt_nl_netns_open(nl, path, &slot) < 0)
		goto out;
	strcpy(spec.link.name, PROBE_NETNS_VLAN);
	spec.link.ns = slot;
	spec.link.parent = parent;
	spec.link.vlan.id = 43;
	vt_batch_reset(batch);
	if (vt_batch_create(batch, &spec) < 0 || vt_nl_send_batch(nl, batch) < 0 ||
	    vt_batch_result(batch, 0)->error || vt_nl_dump_links(nl, &links) < 0)
		goto out;
	vlan = vt_link_table_find_name(&links, slot, PROBE_NETNS_VLAN);
	/* there, with its parent here: the kernel's IFLA_LINK_NETNSID mapped back */
	if (vlan && vlan->is_vlan && vlan->parent_ns == VT_NS_OWN && vlan->parent == parent &&
	    !vt_link_table_find_name(&links, VT_NS_OWN, PROBE_NETNS_VLAN))
		status = 0;
out:
	vt_link_table_clear(&links);
	return status;
}

/* In the child, inside a fresh network namespace: returns an exit status. */
static int probe_vlan(void)
{
	struct vt_link_table links = { 0 };
	struct vt_link_spec spec = { .fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID };
	struct vt_batch *batch = vt_batch_new();
	const struct vt_link *parent, *vlan;
	struct vt_nl *nl = NULL;
	const char *kinds[] = { "dummy", "bridge" };
	int status = 10;

	if (!batch || vt_nl_open(&nl) < 0)
		goto out;
	for (size_t i = 0; i < 2; i++) {
		vt_batch_reset(batch);
		if (vt_batch_create_plain(batch, PROBE_PARENT, kinds[i]) == 0 &&
		    vt_nl_send_batch(nl, batch) == 0 && !vt_batch_failures(batch))
			break;
	}
	status = 11;
	if (vt_nl_dump_links(nl, &links) < 0 || !(parent = vt_link_table_find_name(&links, VT_NS_OWN, PROBE_PARENT)))
		goto out;
	strcpy(spec.link.name, PROBE_VLAN);
	spec.link.parent = parent->ifindex;
	spec.link.vlan.id = 42;
	vt_batch_reset(batch);
	status = 12;
	if (vt_batch_create(batch, &spec) < 0 || vt_nl_send_batch(nl, batch) < 0 ||
	    vt_batch_result(batch, 0)->error)
		goto out;
	status = 13;
	if (vt_nl_dump_links(nl, &links) < 0)
		goto out;
	vlan = vt_link_table_find_name(&links, VT_NS_OWN, PROBE_VLAN);
	status = vlan && vlan->is_vlan && vlan->vlan.id == 42 ? 0 : 13;
	if (!status)
		status = probe_netns(nl, batch, parent->ifindex);
out:
	vt_link_table_clear(&links);
	vt_batch_free(batch);
	vt_nl_close(nl);
	return status;
}

static void check_8021q(struct check *c)
{
	int status = 0;
	pid_t pid;

	c->name = "802.1Q";
	c->fatal = true;
	pid = fork();
	if (pid == 0) {
		/* A throwaway namespace: the host's interfaces are never touched. */
		if (unshare(CLONE_NEWNET) < 0)
			_exit(9);
		_exit(probe_vlan());
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = -1;
	c->ok = status == 0;
	if (c->ok) {
		snprintf(c->detail, sizeof(c->detail),
			 "created and read back VLAN %s in a throwaway network namespace, and %s in "
			 "another one with its parent outside it (subport.netns)", PROBE_VLAN,
			 PROBE_NETNS_VLAN);
		return;
	}
	switch (WIFEXITED(status) ? WEXITSTATUS(status) : -1) {
	case 9:
		snprintf(c->detail, sizeof(c->detail), "cannot create a network namespace to probe in");
		snprintf(c->fix, sizeof(c->fix), "run as root (CAP_SYS_ADMIN is needed for the probe)");
		break;
	case 11:
		snprintf(c->detail, sizeof(c->detail),
			 "cannot create a dummy or bridge device to test a VLAN on");
		snprintf(c->fix, sizeof(c->fix), "modprobe dummy (or bridge)");
		break;
	case 12:
	case 13:
		snprintf(c->detail, sizeof(c->detail), "the kernel cannot create VLAN devices");
		snprintf(c->fix, sizeof(c->fix),
			 "modprobe 8021q (a kernel built with CONFIG_VLAN_8021Q is needed)");
		break;
	case 14:
		snprintf(c->detail, sizeof(c->detail), "VLANs work, but one cannot be created in "
			 "another network namespace than its parent's (subport.netns)");
		snprintf(c->fix, sizeof(c->fix), "run as root: entering a namespace (setns) needs "
			 "CAP_SYS_ADMIN; a kernel older than 4.6 lacks what vlantrunk uses");
		break;
	default:
		snprintf(c->detail, sizeof(c->detail), "the probe failed (status %d)", status);
		snprintf(c->fix, sizeof(c->fix), "run as root");
	}
}

static void check_state_dir(const struct vt_cli *cli, struct check *c)
{
	struct stat st;
	char *parent = strdup(cli->state_dir), *slash;

	c->name = "state dir";
	c->fatal = true;
	if (stat(cli->state_dir, &st) < 0) {
		slash = parent ? strrchr(parent, '/') : NULL;
		if (slash)
			*(slash == parent ? slash + 1 : slash) = '\0';
		c->ok = errno == ENOENT && parent && access(slash ? parent : ".", W_OK) == 0;
		snprintf(c->detail, sizeof(c->detail), "%s does not exist%s", cli->state_dir,
			 c->ok ? "; it will be created (0700)" : " and cannot be created");
		if (!c->ok)
			snprintf(c->fix, sizeof(c->fix), "mkdir -m 0700 %s", cli->state_dir);
	} else if (!S_ISDIR(st.st_mode)) {
		snprintf(c->detail, sizeof(c->detail), "%s is not a directory", cli->state_dir);
		snprintf(c->fix, sizeof(c->fix), "remove it or choose another --state-dir");
	} else if (st.st_uid != geteuid() || (st.st_mode & 0022)) {
		snprintf(c->detail, sizeof(c->detail),
			 "%s is owned by uid %u with mode %04o: others could forge the journal",
			 cli->state_dir, st.st_uid, st.st_mode & 07777);
		snprintf(c->fix, sizeof(c->fix), "chown root %s && chmod 0700 %s", cli->state_dir,
			 cli->state_dir);
	} else if (access(cli->state_dir, W_OK) < 0) {
		snprintf(c->detail, sizeof(c->detail), "%s is not writable", cli->state_dir);
		snprintf(c->fix, sizeof(c->fix), "run as root");
	} else {
		c->ok = true;
		snprintf(c->detail, sizeof(c->detail), "%s is usable", cli->state_dir);
	}
	free(parent);
}

static void check_config(const struct vt_cli *cli, struct check *c, struct vt_diags *diags)
{
	struct vt_desired desired = { 0 };
	size_t subports = 0;
	int ret;

	c->name = "config";
	ret = vt_desired_load(cli->config, &desired, diags);
	/* A netns file that is none fails a run as bad input: so here. */
	if (ret == 0)
		ret = vt_netns_probe_files(&desired, diags);
	c->ok = ret == 0;
	for (size_t i = 0; i < desired.n_trunks; i++)
		subports += desired.trunks[i].n_subports;
	if (c->ok)
		snprintf(c->detail, sizeof(c->detail), "%s: %zu trunk%s, %zu subport%s", cli->config,
			 desired.n_trunks, desired.n_trunks == 1 ? "" : "s", subports,
			 subports == 1 ? "" : "s");
	else {
		snprintf(c->detail, sizeof(c->detail), "%s: %zu problem%s", cli->config, diags->n,
			 diags->n == 1 ? "" : "s");
		snprintf(c->fix, sizeof(c->fix), "correct the desired state as listed");
	}
	vt_desired_free(&desired);
}

int vt_cmd_check(const struct vt_cli *cli)
{
	struct check checks[5] = { 0 };
	struct vt_diags diags = { 0 };
	int ret = VT_EXIT_OK;
	char line[1024];

	check_privileges(&checks[0]);
	check_netlink(&checks[1]);
	check_8021q(&checks[2]);
	check_state_dir(cli, &checks[3]);
	check_config(cli, &checks[4], &diags);

	for (size_t i = 0; i < 5; i++)
		if (!checks[i].ok && ret != VT_EXIT_CANNOT_RUN)
			ret = checks[i].fatal ? VT_EXIT_CANNOT_RUN : VT_EXIT_INVALID;

	if (cli->json) {
		json_t *list = json_array(), *problems = json_array(), *doc;

		for (size_t i = 0; i < 5; i++)
			json_array_append_new(list, json_pack("{s:s, s:b, s:s, s:s?}",
				"name", checks[i].name, "ok", checks[i].ok, "detail", checks[i].detail,
				"fix", checks[i].fix[0] ? checks[i].fix : NULL));
		for (size_t i = 0; i < diags.n; i++) {
			vt_diag_format(&diags.v[i], line, sizeof(line));
			json_array_append_new(problems, json_string(line));
		}
		doc = json_pack("{s:s, s:b, s:o, s:o}", "command", "check", "ok", ret == 0,
				"checks", list, "config_problems", problems);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	} else {
		for (size_t i = 0; i < 5; i++) {
			printf("%-4s  %-10s %s\n", checks[i].ok ? "ok" : "FAIL", checks[i].name,
			       checks[i].detail);
			if (checks[i].fix[0])
				printf("      %-10s fix: %s\n", "", checks[i].fix);
		}
		for (size_t i = 0; i < diags.n; i++) {
			vt_diag_format(&diags.v[i], line, sizeof(line));
			printf("      %-10s %s\n", "", line);
		}
	}
	vt_diag_free(&diags);
	return ret;
}
