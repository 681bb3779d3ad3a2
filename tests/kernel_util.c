/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "kernel_util.h"

void kt_enter_netns(void)
{
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %m");
	kt_sh("ip link set lo up");
}

static int run(const char *fmt, va_list ap)
{
	char *cmd = NULL;
	int status;

	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	status = system(cmd);
	free(cmd);
	ck_assert_int_ne(status, -1);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void kt_sh(const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = run(fmt, ap);
	va_end(ap);
	ck_assert_msg(status == 0, "command failed (exit %d): %s", status, fmt);
}

int kt_sh_status(const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = run(fmt, ap);
	va_end(ap);
	return status;
}

json_t *kt_ip_link(const char *dev)
{
	char cmd[128];
	json_error_t err;
	json_t *all, *one = NULL;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -d -j link show dev '%s' 2>/dev/null", dev);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	all = json_loadf(p, 0, &err);
	pclose(p);
	if (all && json_is_array(all) && json_array_size(all) == 1)
		one = json_incref(json_array_get(all, 0));
	json_decref(all);
	return one;
}

int kt_addr_watch(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = 1u << (RTNLGRP_IPV6_IFADDR - 1) };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Address events of @type (0: new and deleted) for @ifindex (0: any) in what is queued on @fd. */
static int addr_events(int fd, int ifindex, int type)
{
	static char buf[65536];
	int count = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)n;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return count;
		ck_assert_msg(n >= 0, "reading address events: %s", strerror(errno));
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

			if ((nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) &&
			    (!type || nlh->nlmsg_type == type) &&
			    (!ifindex || (int)ifa->ifa_index == ifindex))
				count++;
		}
	}
}

int kt_addr_events(int fd, int ifindex)
{
	return addr_events(fd, ifindex, 0);
}

bool kt_addr_wait(int fd, int ifindex, int seconds)
{
	double end = kt_now() + seconds;

	while (kt_now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 && addr_events(fd, ifindex, RTM_NEWADDR))
			return true;
	}
	return false;
}

void kt_dump(struct vt_nl *nl, struct vt_link_table *table)
{
	int ret = vt_nl_dump_links(nl, table);

	ck_assert_msg(ret == 0, "link dump failed: %s", strerror(-ret));
}

const struct vt_link *kt_find(const struct vt_link_table *table, const char *name)
{
	const struct vt_link *link = vt_link_table_find_name(table, VT_NS_OWN, name);

	ck_assert_msg(link != NULL, "link %s not in the dump", name);
	return link;
}

int kt_ifindex(struct vt_nl *nl, const char *name)
{
	struct vt_link_table table = { 0 };
	int ifindex;

	kt_dump(nl, &table);
	ifindex = kt_find(&table, name)->ifindex;
	vt_link_table_clear(&table);
	return ifindex;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *name_of(const struct vt_link_table *t, uint16_t ns, int ifindex)
{
	const struct vt_link *l = ifindex ? vt_link_table_find_ifindex(t, ns, ifindex) : NULL;

	return ifindex ? (l ? l->name : "?") : "-";
}

/* A VLAN's parent by name; "NAME@own" when it is in another namespace than the VLAN. */
static const char *parent_of(const struct vt_link_table *t, const struct vt_link *l)
{
	static char buf[VT_IFNAMSIZ + 8];

	snprintf(buf, sizeof(buf), "%s%s", name_of(t, l->parent_ns, l->parent),
		 l->parent && l->parent_ns != l->ns ? "@own" : "");
	return buf;
}

/*
 * Register each of the @n namespace files @paths that exists on @nl: its
 * slot in @slot[i] (UINT16_MAX when absent) and its cookie in @cookie[i] (0).
 */
static void netns_register(struct vt_nl *nl, const char *const *paths, size_t n, uint16_t *slot,
			   uint64_t *cookie)
{
	ck_assert_uint_le(n, KT_MAX_NETNS);
	for (size_t i = 0; i < n; i++) {
		uint64_t dev, ino;
		int ret = vt_nl_netns_open(nl, paths[i], &slot[i]);

		slot[i] = ret ? UINT16_MAX : slot[i];
		cookie[i] = 0;
		if (ret == -ENOENT)
			continue;
		ck_assert_msg(ret == 0, "namespace %s: %s", paths[i], strerror(-ret));
		ck_assert_int_eq(vt_nl_netns_identity(nl, slot[i], &dev, &ino, &cookie[i]), 0);
		ck_assert_msg(cookie[i] != 0, "namespace %s: no cookie", paths[i]);
	}
}

/* Which of the registered @slot a device's namespace @ns is: 0 for the own one, else i + 1. */
static unsigned netns_index(const uint16_t *slot, size_t n, uint16_t ns)
{
	for (size_t i = 0; ns != VT_NS_OWN && i < n; i++)
		if (slot[i] == ns)
			return (unsigned)i + 1;
	return 0;
}

/* A device's IPv6 state as a word: "-" without any, else mode and disable_ipv6. */
static const char *ipv6_text(const struct vt_link *l)
{
	static char buf[32];

	if (!l->ipv6.present)
		return "-";
	snprintf(buf, sizeof(buf), "%u/%d", l->ipv6.addr_gen_mode, l->ipv6.disabled);
	return buf;
}

static char *describe(const struct vt_link_table *t, const struct vt_link *l)
{
	char *line = NULL, *egress = NULL, ingress[256] = "";
	size_t off = 0, len = 0;
	/* Every egress entry, however many: a map of 4096 is some 40 KB of text. */
	FILE *f = open_memstream(&egress, &len);

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < l->vlan.n_egress; i++)
		fprintf(f, "%u:%u,", l->vlan.egress[i].from, l->vlan.egress[i].to);
	ck_assert_int_eq(fclose(f), 0);
	for (int i = 0; i <= VT_PCP_MAX; i++)
		off += (size_t)snprintf(ingress + off, sizeof(ingress) - off, "%u,", vt_vlan_ingress(&l->vlan, i));
	if (l->is_vlan)
		ck_assert_int_ge(asprintf(&line, "%s kind=%s parent=%s vlan=%u proto=%04x flags=%x "
					  "ingress=%s egress=%s mtu=%u mac=%02x:%02x:%02x:%02x:%02x:%02x "
					  "up=%d master=%s ipv6=%s alias=%s", l->name, l->kind,
					  parent_of(t, l), l->vlan.id, l->vlan.protocol,
					  l->vlan.flags, ingress, egress, l->mtu, l->mac[0], l->mac[1],
					  l->mac[2], l->mac[3], l->mac[4], l->mac[5], l->up,
					  name_of(t, l->ns, l->master), ipv6_text(l), vt_link_alias(l)), 0);
	else
		ck_assert_int_ge(asprintf(&line, "%s kind=%s mtu=%u up=%d master=%s ipv6=%s alias=%s "
					  "mac=%s", l->name, l->kind, l->mtu, l->up,
					  name_of(t, l->ns, l->master), ipv6_text(l), vt_link_alias(l),
					  strcmp(l->kind, "bridge") ? "kept" : "derived"), 0);
	free(egress);
	return line;
}

/* The links of namespace @ns in @t as kt_snapshot() lines, sorted, onto @f. */
static void snapshot_ns(FILE *f, const struct vt_link_table *t, uint16_t ns, const char *initials)
{
	char **lines = calloc(t->n + 1, sizeof(*lines));
	size_t n = 0;

	ck_assert_ptr_nonnull(lines);
	for (size_t i = 0; i < t->n; i++)
		if (t->links[i].ns == ns && (!initials || strchr(initials, t->links[i].name[0])))
			lines[n++] = describe(t, &t->links[i]);
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
}

char *kt_snapshot(struct vt_nl *nl, const char *initials)
{
	struct vt_link_table t = { 0 };
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	kt_dump(nl, &t);
	f = open_memstream(&out, &len);
	snapshot_ns(f, &t, VT_NS_OWN, initials);
	fclose(f);
	vt_link_table_clear(&t);
	return out;
}

char *kt_snapshot_netns(struct vt_nl *nl, const char *initials, const char *const *paths,
			size_t n)
{
	struct vt_link_table t = { 0 };
	uint16_t slot[KT_MAX_NETNS];
	uint64_t cookie[KT_MAX_NETNS];
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	netns_register(nl, paths, n, slot, cookie);
	kt_dump(nl, &t);
	vt_nl_netns_forget(nl);
	f = open_memstream(&out, &len);
	fprintf(f, "== own\n");
	snapshot_ns(f, &t, VT_NS_OWN, initials);
	for (size_t i = 0; i < n; i++) {
		if (!cookie[i]) {
			fprintf(f, "== %s none\n", paths[i]);
			continue;
		}
		fprintf(f, "== %s %" PRIu64 "\n", paths[i], cookie[i]);
		snapshot_ns(f, &t, slot[i], initials);
	}
	fclose(f);
	vt_link_table_clear(&t);
	return out;
}

const char *kt_bin(const char *program)
{
	static char path[4096];
	const char *dir = getenv("VT_BIN_DIR"), *wrap = getenv("VT_BIN_WRAP");

	/* VT_BIN_WRAP runs the programs under a checker (tests/kernel/run --valgrind). */
	snprintf(path, sizeof(path), "%s%s%s/%s", wrap ? wrap : "", wrap ? " " : "",
		 dir ? dir : "build", program);
	return path;
}

int kt_run(char **output, const char *fmt, ...)
{
	char *cmd = NULL, *full = NULL, tmp[] = "/tmp/vt-kt-out.XXXXXX";
	int fd = mkstemp(tmp), status;
	va_list ap;

	ck_assert_int_ge(fd, 0);
	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	/* Braces, so a command can still redirect its own streams. */
	ck_assert_int_ge(asprintf(&full, "{ %s\n} >%s 2>&1", cmd, tmp), 0);
	status = system(full);
	ck_assert_int_ne(status, -1);
	if (output) {
		FILE *f = fdopen(fd, "r");
		size_t len = 0;
		char *buf = NULL;
		FILE *mem = open_memstream(&buf, &len);
		int c;

		while ((c = fgetc(f)) != EOF)
			fputc(c, mem);
		fclose(mem);
		fclose(f);
		*output = buf;
	} else {
		close(fd);
	}
	unlink(tmp);
	free(cmd);
	free(full);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void kt_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

char *kt_tempdir(void)
{
	char *dir = strdup("/tmp/vt-kt.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

void kt_rmrf(char *path)
{
	kt_sh("rm -rf '%s'", path);
	free(path);
}

int kt_journals(const char *state)
{
	DIR *dir = opendir(state);
	struct dirent *de;
	int n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);

		if (!strcmp(de->d_name, "journal") ||
		    (!strncmp(de->d_name, "journal-", 8) && !(len > 4 && !strcmp(de->d_name + len - 4, ".tmp"))))
			n++;
	}
	closedir(dir);
	return n;
}

int kt_vlantrunk(char **output, const char *fault, const char *config, const char *state,
		 const char *args)
{
	return kt_run(output, "%s%s%s %s -c '%s' --state-dir '%s' %s", fault ? "VT_FAULT='" : "",
		      fault ? fault : "", fault ? "'" : "",
		      kt_bin(fault ? "vlantrunk-faulty" : "vlantrunk"), config, state, args);
}

void kt_cli_setup(struct kt_cli *c, const char *parents)
{
	kt_enter_netns();
	ck_assert_int_eq(vt_nl_open(&c->nl), 0);
	c->dir = kt_tempdir();
	snprintf(c->config, sizeof(c->config), "%s/trunks.json", c->dir);
	snprintf(c->state, sizeof(c->state), "%s/state", c->dir);
	kt_sh("%s", parents);
}

void kt_cli_teardown(struct kt_cli *c)
{
	vt_nl_close(c->nl);
	kt_rmrf(c->dir);
}

int kt_cli_run(struct kt_cli *c, char **output, const char *fault, const char *args)
{
	return kt_vlantrunk(output, fault, c->config, c->state, args);
}

json_t *kt_cli_json(struct kt_cli *c, const char *args, int want)
{
	json_error_t err;
	char *out = NULL, *cmd = NULL;
	json_t *doc;
	int rc;

	ck_assert_int_ge(asprintf(&cmd, "--json %s 2>/dev/null", args), 0);
	rc = kt_cli_run(c, &out, NULL, cmd);
	ck_assert_msg(rc == want, "%s: exit %d, expected %d:\n%s", args, rc, want, out);
	doc = json_loads(out, 0, &err);
	ck_assert_msg(doc, "%s --json is not JSON (%s):\n%s", args, err.text, out);
	free(out);
	free(cmd);
	return doc;
}

void kt_cli_expect(struct kt_cli *c, int want, const char *fault, const char *args,
		   const char *text)
{
	char *out = NULL;
	int rc = kt_cli_run(c, &out, fault, args);

	ck_assert_msg(rc == want, "%s%s%s: exit %d, not %d:\n%s", fault ? fault : "",
		      fault ? " " : "", args, rc, want, out);
	ck_assert_msg(!text || strstr(out, text), "%s: no \"%s\" in:\n%s", args, text, out);
	free(out);
}

size_t kt_requests(const char *output)
{
	const char *line = strstr(output, "faulty: ");
	size_t n = 0;

	ck_assert_msg(line && sscanf(line, "faulty: %zu requests", &n) == 1,
		      "no request count in: %s", output);
	return n;
}

uint64_t kt_rng_next(struct kt_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static char *qos_text(const struct vt_link *l)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	for (int i = 0; i <= VT_PCP_MAX; i++)
		fprintf(f, "%u,", vt_vlan_ingress(&l->vlan, i));
	fputs(" egress=", f);
	for (size_t i = 0; i < l->vlan.n_egress; i++)
		fprintf(f, "%u:%u,", l->vlan.egress[i].from, l->vlan.egress[i].to);
	fclose(f);
	return s;
}

/* A parent or master: by name, or as "#ifindex". */
static void link_ref(char *buf, size_t len, const struct vt_link_table *t, uint16_t ns,
		     int ifindex, bool by_index)
{
	if (by_index && ifindex)
		snprintf(buf, len, "#%d", ifindex);
	else
		snprintf(buf, len, "%s", name_of(t, ns, ifindex));
}

static char *world_line(const struct vt_link_table *t, const struct vt_link *l, bool by_index,
			unsigned ns)
{
	char *line = NULL, *qos = l->is_vlan ? qos_text(l) : strdup("-");
	char parent[VT_IFNAMSIZ + 16], master[VT_IFNAMSIZ + 8], where[16] = "";
	const uint8_t *m = l->mac;

	link_ref(parent, sizeof(parent), t, l->parent_ns, l->parent, by_index);
	if (l->parent && l->parent_ns != l->ns)
		strcat(parent, "@own");
	link_ref(master, sizeof(master), t, l->ns, l->master, by_index);
	/* The own namespace's lines stay as they were before namespaces. */
	if (ns)
		snprintf(where, sizeof(where), "ns=%u ", ns);
	ck_assert_int_ge(asprintf(&line, "%s%s ifindex=%d kind=%s parent=%s vlan=%u proto=%04x "
				  "flags=%x ingress=%s mtu=%u mac=%02x:%02x:%02x:%02x:%02x:%02x up=%d "
				  "master=%s group=%u ipv6=%s alias=%s", where, l->name, l->ifindex, l->kind,
				  parent, l->is_vlan ? l->vlan.id : 0, l->is_vlan ? l->vlan.protocol : 0,
				  l->is_vlan ? l->vlan.flags : 0, qos, l->mtu, m[0], m[1], m[2], m[3],
				  m[4], m[5], l->up, master, l->group, ipv6_text(l), vt_link_alias(l)), 0);
	free(qos);
	return line;
}

void kt_world_read_netns(struct vt_nl *nl, struct kt_world *w, bool by_index,
			 const char *const *paths, size_t n)
{
	struct vt_link_table t = { 0 };
	uint16_t slot[KT_MAX_NETNS];
	size_t len = 0;
	FILE *f;

	memset(w, 0, sizeof(*w));
	netns_register(nl, paths, n, slot, w->cookie);
	w->n_netns = n;
	kt_dump(nl, &t);
	vt_nl_netns_forget(nl);
	w->n = t.n;
	w->devs = calloc(t.n + 1, sizeof(*w->devs));
	f = open_memstream(&w->text, &len);
	for (size_t i = 0; i < t.n; i++) {
		struct kt_dev *d = &w->devs[i];
		const struct vt_link *l = &t.links[i];

		d->ns = netns_index(slot, n, l->ns);
		d->netns = d->ns ? w->cookie[d->ns - 1] : 0;
		d->ifindex = l->ifindex;
		snprintf(d->name, sizeof(d->name), "%s", l->name);
		snprintf(d->alias, sizeof(d->alias), "%s", vt_link_alias(l));
		if (l->is_vlan && l->parent)
			snprintf(d->parent, sizeof(d->parent), "%s", name_of(&t, l->parent_ns, l->parent));
		d->vlan = l->is_vlan ? l->vlan.id : 0;
		d->protocol = l->is_vlan ? l->vlan.protocol : 0;
		d->group = l->group;
		d->is_vlan = l->is_vlan;
		d->line = world_line(&t, l, by_index, d->ns);
		fprintf(f, "%s\n", d->line);
	}
	fclose(f);
	vt_link_table_clear(&t);
}

void kt_world_read(struct vt_nl *nl, struct kt_world *w, bool by_index)
{
	kt_world_read_netns(nl, w, by_index, NULL, 0);
}

void kt_world_free(struct kt_world *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->devs[i].line);
	free(w->devs);
	free(w->text);
	memset(w, 0, sizeof(*w));
}

const struct kt_dev *kt_world_dev(const struct kt_world *w, uint64_t netns, int ifindex)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->devs[i].netns == netns && w->devs[i].ifindex == ifindex)
			return &w->devs[i];
	return NULL;
}

const struct kt_dev *kt_world_find(const struct kt_world *w, uint64_t netns, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->devs[i].netns == netns && !strcmp(w->devs[i].name, name))
			return &w->devs[i];
	return NULL;
}

const struct kt_dev *kt_world_ifindex(const struct kt_world *w, int ifindex)
{
	return kt_world_dev(w, 0, ifindex);
}

const struct kt_dev *kt_world_name(const struct kt_world *w, const char *name)
{
	return kt_world_find(w, 0, name);
}

bool kt_world_has_netns(const struct kt_world *w, uint64_t netns)
{
	for (size_t i = 0; netns && i < w->n_netns; i++)
		if (w->cookie[i] == netns)
			return true;
	return !netns;
}

bool kt_marked(const struct kt_dev *d)
{
	return !strncmp(d->alias, "vlantrunk:", strlen("vlantrunk:"));
}

bool kt_is_journal(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "journal", 7) && !(n >= 4 && !strcmp(name + n - 4, ".tmp"));
}

size_t kt_journal_text(const char *state, char **text)
{
	DIR *d = opendir(state);
	struct dirent *e;
	size_t n = 0, len = 0;
	FILE *f = text ? open_memstream(text, &len) : NULL;

	while (d && (e = readdir(d))) {
		char path[600], *body = NULL;

		if (!kt_is_journal(e->d_name))
			continue;
		n++;
		if (!f)
			continue;
		snprintf(path, sizeof(path), "%s/%s", state, e->d_name);
		kt_run(&body, "cat '%s'", path);
		fprintf(f, "== %s\n%s\n", e->d_name, body);
		free(body);
	}
	if (d)
		closedir(d);
	if (f)
		fclose(f);
	return n;
}

static void collect(json_t *v, struct kt_facts *fx)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_object(v)) {
		if (json_integer_value(json_object_get(v, "ifindex")) > 0)
			json_array_append(fx->devices, v);
		if (json_integer_value(json_object_get(v, "group")) > 0)
			json_array_append(fx->groups, json_object_get(v, "group"));
		json_object_foreach(v, key, item)
			collect(item, fx);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			collect(item, fx);
	}
}

/*
 * A device entry's "ns" counts into its own journal's "netns" list (from 1):
 * the devices collected from @from on get that namespace's file and cookie
 * as "netns_path" and "netns_cookie" (a decimal string, as the journal has it).
 */
static void name_netns(const json_t *netns, json_t *devices, size_t from)
{
	for (size_t i = from; i < json_array_size(devices); i++) {
		json_t *e = json_array_get(devices, i);
		json_int_t ns = json_integer_value(json_object_get(e, "ns"));
		const json_t *n = ns > 0 ? json_array_get(netns, (size_t)ns - 1) : NULL;

		if (!n)
			continue;
		json_object_set(e, "netns_path", json_object_get(n, "path"));
		json_object_set(e, "netns_cookie", json_object_get(n, "cookie"));
	}
}

void kt_journal_facts(const char *state, struct kt_facts *fx)
{
	DIR *d = opendir(state);
	struct dirent *e;

	fx->devices = json_array();
	fx->groups = json_array();
	while (d && (e = readdir(d))) {
		char path[600];
		json_t *doc;

		if (!kt_is_journal(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", state, e->d_name);
		doc = json_load_file(path, 0, NULL);
		{
			size_t from = json_array_size(fx->devices);

			collect(doc, fx);
			name_netns(json_object_get(doc, "netns"), fx->devices, from);
		}
		json_decref(doc);
	}
	if (d)
		closedir(d);
}

void kt_facts_free(struct kt_facts *fx)
{
	json_decref(fx->devices);
	json_decref(fx->groups);
}

const char kt_campaign_topology[] =
	"link add p0 type dummy\n"
	"link set p0 up\n"
	"link add p1 type dummy\n"
	"link set p1 up\n"
	"link add p2 type dummy\n"
	"link set p2 up\n"
	"link add br0 type bridge\n"
	"link set br0 mtu 1499\n"
	"link set br0 mtu 1500 address 02:00:00:00:b0:00 up\n"
	"link add br1 type bridge\n"
	"link set br1 mtu 1499\n"
	"link set br1 mtu 1500 address 02:00:00:00:b1:00 up\n";

const char *const kt_campaign_parents[3] = { "p0", "p1", "p2" };

bool kt_campaign_base(const char *name)
{
	static const char *const base[] = { "lo", "p0", "p1", "p2", "br0", "br1" };

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		if (!strcmp(base[i], name))
			return true;
	return false;
}

unsigned long kt_knob(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : dflt;
}

unsigned long kt_long(unsigned long dflt, unsigned long least)
{
	unsigned long n = dflt * kt_knob("VT_LONG_TESTS", 100) / 100;

	return n > least ? n : least;
}

bool kt_sanitized(void)
{
#ifdef __SANITIZE_ADDRESS__
	return true;
#else
	return false;
#endif
}

double kt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t kt_default_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid()) % 1000000007u;
}
