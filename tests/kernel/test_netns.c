/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Subports in other network namespaces (SPEC subport.netns), through the real
 * program on a real kernel: the same name in several namespaces, changes and
 * moves, teardown beside unmanaged devices, conflicts and adoption inside a
 * namespace, a namespace missing, appearing and deleted, a rollback and every
 * crash point of a transaction that spans namespaces, bad input, and the agent
 * following namespaces as they come and go.
 *
 * Namespaces A, B and C are `ip netns` ones (/run/netns/vtk-PID-a...), named
 * per test and deleted at its end; P is a plain unshared process's, named by
 * its /proc/PID/ns/net. The test itself runs in a fresh namespace of its own,
 * vlantrunk's, with parents p0 and p1. Devices are read over rtnetlink or with
 * `ip -j` from inside each namespace, never from /sys/class/net (sysfs shows
 * the namespace that mounted it). Any socket the test opens in a namespace is
 * closed again at once: a socket holds its namespace alive after `ip netns
 * del`, and with it the VLANs the kernel is to delete.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "kernel_util.h"
#include "suites.h"

#define KILLED (128 + SIGKILL)
#define WAIT_MS 20000
#define PARENTS "ip link add p0 type dummy && ip link set p0 up && " \
	"ip link add p1 type dummy && ip link set p1 up"

/* vlantrunk's own namespace, the three `ip netns` ones and the process's. */
enum ns { OWN, A, B, C, P, N_NS };

static struct {
	struct kt_cli c;
	int own;			/* the test's (vlantrunk's) namespace */
	char name[N_NS][128];		/* as the desired state names it; "" for OWN */
	char path[N_NS][128];		/* its file */
	pid_t holder;			/* the process whose namespace P is */
	pid_t agent;
	int notify_fd;
} t;

/* ---- namespaces ---- */

static bool ns_exists(enum ns ns)
{
	int fd = ns == OWN ? -1 : open(t.path[ns], O_RDONLY | O_CLOEXEC);
	bool ok = ns == OWN || (fd >= 0 && setns(fd, CLONE_NEWNET) == 0);

	if (fd >= 0)
		close(fd);
	ck_assert_int_eq(setns(t.own, CLONE_NEWNET), 0);
	return ok;
}

static void ns_add(enum ns ns)
{
	kt_sh("ip netns add '%s'", t.name[ns]);
}

/* `ip netns del`: the namespace goes once nothing else holds it. */
static void ns_del(enum ns ns)
{
	kt_sh_status("ip netns del '%s' 2>/dev/null", t.name[ns]);
}

/* P: a child that unshared a namespace and waits; it dies with the test. */
static void hold_namespace(void)
{
	int ready[2];
	char byte;

	ck_assert_int_eq(pipe(ready), 0);
	t.holder = fork();
	ck_assert_int_ge(t.holder, 0);
	if (t.holder == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET) || write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &byte, 1), 1);
	close(ready[0]);
	snprintf(t.path[P], sizeof(t.path[P]), "/proc/%d/ns/net", (int)t.holder);
	snprintf(t.name[P], sizeof(t.name[P]), "%s", t.path[P]);
}

static void release_namespace(void)
{
	if (t.holder > 0) {
		kill(t.holder, SIGKILL);
		waitpid(t.holder, NULL, 0);
	}
	t.holder = 0;
}

/* Enter @ns (OWN: stay) for what follows; back with setns(t.own). */
static void enter(enum ns ns)
{
	int fd;

	if (ns == OWN)
		return;
	fd = open(t.path[ns], O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "namespace %s: %m", t.name[ns]);
	ck_assert_msg(setns(fd, CLONE_NEWNET) == 0, "setns into %s: %m", t.name[ns]);
	close(fd);
}

/* A request socket in @ns (a socket stays in the namespace it was made in). */
static struct vt_nl *nl_in(enum ns ns)
{
	struct vt_nl *nl = NULL;

	enter(ns);
	ck_assert_int_eq(vt_nl_open(&nl), 0);
	ck_assert_int_eq(setns(t.own, CLONE_NEWNET), 0);
	return nl;
}

static struct vt_monitor *monitor_in(enum ns ns)
{
	struct vt_monitor *mon = NULL;

	enter(ns);
	ck_assert_int_eq(vt_monitor_open(&mon, 0), 0);
	ck_assert_int_eq(setns(t.own, CLONE_NEWNET), 0);
	return mon;
}

static void setup(void)
{
	static const char letter[N_NS] = { 0, 'a', 'b', 'c' };

	memset(&t, 0, sizeof(t));
	kt_cli_setup(&t.c, PARENTS);
	t.own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(t.own, 0);
	/* What a failed test left (Check does not run the teardown of a failure). */
	kt_sh("for n in $(ip netns list | sed -n 's/^\\(vtk-[0-9]*-[abc]\\)\\b.*/\\1/p'); do "
	      "ip netns del $n; done");
	for (enum ns ns = A; ns <= C; ns++) {
		snprintf(t.name[ns], sizeof(t.name[ns]), "vtk-%d-%c", (int)getpid(), letter[ns]);
		snprintf(t.path[ns], sizeof(t.path[ns]), "/run/netns/%s", t.name[ns]);
	}
	ns_add(A);
	ns_add(B);
	hold_namespace();
}

static void teardown(void)
{
	if (t.agent > 0) {
		kill(t.agent, SIGKILL);
		waitpid(t.agent, NULL, 0);
	}
	if (t.notify_fd > 0)
		close(t.notify_fd);
	release_namespace();
	for (enum ns ns = A; ns <= C; ns++)
		ns_del(ns);
	close(t.own);
	kt_cli_teardown(&t.c);
}

/* ---- the desired state and the program ---- */

/*
 * @json with ' for " (test configs stay readable) and @A, @B, @C, @P for
 * namespaces A, B, C by name and P by path.
 */
static void desire(const char *json)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);

	for (const char *s = json; *s; s++) {
		if (s[0] == '@' && s[1] && strchr("ABCP", s[1])) {
			fputs(t.name[s[1] == 'P' ? P : A + (s[1] - 'A')], f);
			s++;
		} else {
			fputc(*s == '\'' ? '"' : *s, f);
		}
	}
	fclose(f);
	kt_write(t.c.config, doc);
	free(doc);
}

static void expect(int want, const char *args)
{
	kt_cli_expect(&t.c, want, NULL, args, NULL);
}

/* `vlantrunk --json @args` (stdout only), which must exit @want. */
static json_t *json_of(const char *args, int want)
{
	return kt_cli_json(&t.c, args, want);
}

/* The faulty build with a fault that never fires: it must exit @want having sent no request. */
static void expect_no_request(int want, const char *args)
{
	char *out = NULL;
	int rc = kt_cli_run(&t.c, &out, "fail:100000:5", args);

	ck_assert_msg(rc == want, "%s: exit %d, not %d:\n%s", args, rc, want, out);
	ck_assert_msg(kt_requests(out) == 0, "%s sent requests:\n%s", args, out);
	free(out);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s, "no string \"%s\" in %s", key, json_dumps(o, JSON_COMPACT));
	return s;
}

static json_t *trunk_of(json_t *doc, const char *name)
{
	size_t i;
	json_t *tr;

	json_array_foreach(json_object_get(doc, "trunks"), i, tr)
		if (!strcmp(str(tr, "name"), name))
			return tr;
	ck_abort_msg("no trunk %s in %s", name, json_dumps(doc, JSON_COMPACT));
	return NULL;
}

/* Whether @o's "netns" says @ns: null for OWN, the string as written otherwise. */
static bool says_netns(json_t *o, enum ns ns)
{
	json_t *v = json_object_get(o, "netns");

	if (ns == OWN)
		return json_is_null(v);
	return json_is_string(v) && !strcmp(json_string_value(v), t.name[ns]);
}

/* The status of subport @name in @ns (its "netns" key must say so). */
static json_t *subport_of(json_t *tr, const char *name, enum ns ns)
{
	size_t i;
	json_t *sp;

	json_array_foreach(json_object_get(tr, "subports"), i, sp)
		if (!strcmp(str(sp, "name"), name) && says_netns(sp, ns))
			return sp;
	ck_abort_msg("no subport %s with netns %s in %s", name, ns == OWN ? "null" : t.name[ns],
		     json_dumps(tr, JSON_COMPACT));
	return NULL;
}

/* A plan operation on @dev in @ns, of @kind when not NULL. */
static json_t *op_of(json_t *plan, const char *dev, enum ns ns, const char *kind)
{
	size_t i;
	json_t *op;

	json_array_foreach(json_object_get(plan, "operations"), i, op)
		if (!strcmp(str(op, "device"), dev) && says_netns(op, ns) &&
		    (!kind || !strcmp(str(op, "op"), kind)))
			return op;
	ck_abort_msg("no %s operation on %s with netns %s in %s", kind ? kind : "", dev,
		     ns == OWN ? "null" : t.name[ns], json_dumps(plan, JSON_COMPACT));
	return NULL;
}

/* ---- what each namespace holds ---- */

/* `ip -d -j link show dev @dev` run inside @ns; NULL when it is not there. */
static json_t *ip_link(enum ns ns, const char *dev)
{
	char *out = NULL;
	json_t *all, *one = NULL;

	if (ns == OWN)
		return kt_ip_link(dev);
	kt_run(&out, "nsenter --net='%s' ip -d -j link show dev '%s' 2>/dev/null", t.path[ns], dev);
	all = json_loads(out, 0, NULL);
	if (json_is_array(all) && json_array_size(all) == 1)
		one = json_incref(json_array_get(all, 0));
	json_decref(all);
	free(out);
	return one;
}

static bool has(enum ns ns, const char *dev)
{
	json_t *l = ip_link(ns, dev);

	json_decref(l);
	return l != NULL;
}

static bool is_up(json_t *l)
{
	size_t i;
	json_t *flag;

	json_array_foreach(json_object_get(l, "flags"), i, flag)
		if (!strcmp(json_string_value(flag), "UP"))
			return true;
	return false;
}

/*
 * @dev in @ns is a VLAN @vlan of the trunk "t" on @parent, a device of
 * vlantrunk's own namespace: inside another namespace the kernel reports its
 * parent by index in the parent's namespace, with that namespace's id
 * (IFLA_LINK, IFLA_LINK_NETNSID: "link_index", "link_netnsid"). The
 * device's ifindex.
 */
static int expect_vlan(enum ns ns, const char *dev, const char *parent, int vlan)
{
	json_t *l = ip_link(ns, dev), *data;
	const char *where = ns == OWN ? "vlantrunk's namespace" : t.name[ns];
	int ifindex;

	ck_assert_msg(l, "%s is not in %s", dev, where);
	data = json_object_get(json_object_get(l, "linkinfo"), "info_data");
	ck_assert_msg(!strcmp(str(json_object_get(l, "linkinfo"), "info_kind"), "vlan") &&
		      json_integer_value(json_object_get(data, "id")) == vlan,
		      "%s in %s is not VLAN %d: %s", dev, where, vlan, json_dumps(l, JSON_COMPACT));
	ck_assert_msg(json_is_string(json_object_get(l, "ifalias")) &&
		      !strcmp(str(l, "ifalias"), "vlantrunk:t"), "%s in %s: no marker: %s", dev,
		      where, json_dumps(l, JSON_COMPACT));
	if (ns == OWN) {
		ck_assert_str_eq(str(l, "link"), parent);
	} else {
		ck_assert_msg(json_integer_value(json_object_get(l, "link_index")) ==
			      kt_ifindex(t.c.nl, parent) &&
			      json_is_integer(json_object_get(l, "link_netnsid")),
			      "%s in %s: not on %s of vlantrunk's namespace: %s", dev, where, parent,
			      json_dumps(l, JSON_COMPACT));
	}
	ifindex = (int)json_integer_value(json_object_get(l, "ifindex"));
	json_decref(l);
	return ifindex;
}

/* How many links @ns holds, and how many of them carry vlantrunk's marker. */
static size_t links_in(enum ns ns, size_t *marked)
{
	struct vt_nl *nl = nl_in(ns);
	struct kt_world w = { 0 };
	size_t n;

	kt_world_read(nl, &w, false);
	vt_nl_close(nl);
	n = w.n;
	if (marked) {
		*marked = 0;
		for (size_t i = 0; i < w.n; i++)
			*marked += kt_marked(&w.devs[i]);
	}
	kt_world_free(&w);
	return n;
}

/*
 * kt_snapshot()'s lines of a namespace other than vlantrunk's, each VLAN whose
 * parent is in vlantrunk's namespace (`ip -j` shows "link_netnsid" for it)
 * with "parent=own:NAME": the snapshot resolved that parent's ifindex among
 * the namespace's own devices, to whichever happens to have it.
 */
static void write_foreign(FILE *f, enum ns ns, char *snap)
{
	struct vt_link_table own = { 0 };
	char *out = NULL, *line, *save = NULL;
	json_t *all;

	kt_run(&out, "nsenter --net='%s' ip -d -j link show 2>/dev/null", t.path[ns]);
	all = json_loads(out, 0, NULL);
	ck_assert_msg(json_is_array(all), "ip -j link in %s: %s", t.name[ns], out);
	free(out);
	kt_dump(t.c.nl, &own);
	for (line = strtok_r(snap, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *parent = strstr(line, " parent=");
		size_t i, n = strcspn(line, " ");
		json_t *l, *at = NULL;

		json_array_foreach(all, i, l)
			if (strlen(str(l, "ifname")) == n && !strncmp(str(l, "ifname"), line, n) &&
			    json_object_get(l, "link_netnsid"))
				at = json_object_get(l, "link_index");
		if (!parent || !at) {
			fprintf(f, "%s\n", line);
			continue;
		}
		{
			const struct vt_link *p = vt_link_table_find_ifindex(&own, VT_NS_OWN,
									 (int)json_integer_value(at));

			fprintf(f, "%.*s parent=own:%s%s\n", (int)(parent - line), line, p ? p->name : "?",
				parent + strcspn(parent + 1, " ") + 1);
		}
	}
	vt_link_table_clear(&own);
	json_decref(all);
}

/*
 * Every namespace's links as kt_snapshot() describes them (with @initials,
 * only those names), namespace after namespace: what a rollback or recovery
 * must give back exactly.
 */
static char *world(const char *initials)
{
	static const char *label[N_NS] = { "own", "A", "B", "C", "P" };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (enum ns ns = OWN; ns < N_NS; ns++) {
		struct vt_nl *nl;
		char *snap;

		if (!ns_exists(ns)) {
			fprintf(f, "== %s: none\n", label[ns]);
			continue;
		}
		nl = nl_in(ns);
		snap = kt_snapshot(nl, initials);
		vt_nl_close(nl);
		fprintf(f, "== %s\n", label[ns]);
		if (ns == OWN)
			fputs(snap, f);
		else
			write_foreign(f, ns, snap);
		free(snap);
	}
	fclose(f);
	return out;
}

static void expect_world(const char *before, const char *what)
{
	char *now = world(NULL);

	ck_assert_msg(!strcmp(now, before), "%s: the namespaces changed.\nbefore:\n%s\nafter:\n%s",
		      what, before, now);
	free(now);
}

enum cond { ABSENT, PRESENT, UP };

static bool link_is(enum ns ns, const char *dev, enum cond cond)
{
	json_t *l = ip_link(ns, dev);
	bool ok = cond == ABSENT ? !l : l && (cond == PRESENT || is_up(l));

	json_decref(l);
	return ok;
}

static int ignore_event(enum vt_link_event event, const struct vt_link *link, int32_t nsid,
			uint32_t origin, void *arg)
{
	(void)event, (void)link, (void)nsid, (void)origin, (void)arg;
	return 0;
}

/* Wait until @dev in @ns meets @cond, looking again on each link event there. */
static void await_link(enum ns ns, const char *dev, enum cond cond)
{
	static const char *what[] = { "gone", "there", "up" };
	struct vt_monitor *mon = monitor_in(ns);
	double end = kt_now() + WAIT_MS / 1000.0;

	while (!link_is(ns, dev, cond)) {
		struct pollfd pfd = { .fd = vt_monitor_fd(mon), .events = POLLIN };
		int left = (int)((end - kt_now()) * 1000);

		if (left <= 0 || poll(&pfd, 1, left) != 1) {
			kt_sh_status("tail -20 '%s/agent.log' >&2 2>/dev/null", t.c.dir);
			ck_abort_msg("%s in %s not %s within %d ms", dev,
				     ns == OWN ? "vlantrunk's namespace" : t.name[ns], what[cond], WAIT_MS);
		}
		ck_assert_int_ge(vt_monitor_read(mon, ignore_event, NULL), 0);
	}
	vt_monitor_close(mon);
}

/*
 * `ip netns del` of @ns, and proof that the kernel destroyed it: a veth pair
 * with one end in it, whose other end, here, the kernel deletes with it.
 * Destruction runs later, from a work queue, and not at all while anything
 * (a socket, an open file) still holds the namespace.
 */
static void ns_destroy(enum ns ns)
{
	kt_sh("ip link add vtk-w type veth peer name vtk-w netns '%s'", t.path[ns]);
	ns_del(ns);
	await_link(OWN, "vtk-w", ABSENT);
}

/* ---- 1. one name in every namespace ---- */

START_TEST(test_same_name_in_every_namespace)
{
	static const struct {
		enum ns ns;
		int vlan;
	} eth1[] = { { A, 10 }, { B, 11 }, { P, 12 }, { OWN, 13 } };
	json_t *doc, *tr;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p1', 'subports': ["
	       "{'name': 'eth1', 'vlan': 10, 'netns': '@A'}, {'name': 'eth1', 'vlan': 11, 'netns': '@B'},"
	       "{'name': 'eth1', 'vlan': 12, 'netns': '@P'}, {'name': 'eth1', 'vlan': 13}]}]}");
	doc = json_of("plan", 2);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "operations")), 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *op = op_of(doc, "eth1", eth1[i].ns, "create");

		ck_assert_int_eq(json_integer_value(json_object_get(op, "vlan")), eth1[i].vlan);
		ck_assert_str_eq(str(op, "parent"), "p1");
	}
	json_decref(doc);

	expect(2, "reconcile");
	for (size_t i = 0; i < 4; i++)
		expect_vlan(eth1[i].ns, "eth1", "p1", eth1[i].vlan);
	/* Each other namespace holds lo and its eth1, nothing more; the parents stay here. */
	for (enum ns ns = A; ns < N_NS; ns++)
		if (ns != C)
			ck_assert_uint_eq(links_in(ns, NULL), 2);
	ck_assert(has(OWN, "p1") && !has(A, "p1"));

	doc = json_of("status", 0);
	tr = trunk_of(doc, "t");
	ck_assert_str_eq(str(tr, "status"), "ACTIVE");
	ck_assert_uint_eq(json_array_size(json_object_get(tr, "subports")), 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(str(subport_of(tr, "eth1", eth1[i].ns), "state"), "in_sync");
	json_decref(doc);
	expect_no_request(0, "reconcile");
	expect(0, "plan");
}
END_TEST

/* ---- 2. changes, renames, recreates and moves ---- */

START_TEST(test_changes_and_moves_between_namespaces)
{
	int sa, sf;
	json_t *doc, *l;
	char *qos;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'sa', 'vlan': 10, 'netns': '@A', 'mtu': 1400},"
	       "{'name': 'sb', 'vlan': 11, 'netns': '@A'}, {'name': 'sc', 'vlan': 12, 'netns': '@A'},"
	       "{'name': 'sd', 'vlan': 13}, {'name': 'se', 'vlan': 14, 'netns': '@A'},"
	       "{'name': 'sf', 'vlan': 15, 'netns': '@B', 'ingress_qos': {'2': 4}}]}]}");
	expect(2, "reconcile");
	sa = expect_vlan(A, "sa", "p0", 10);
	sf = expect_vlan(B, "sf", "p0", 15);

	/* sa changed in place, sb renamed, sc a new VLAN id, sd from here to A, se from A to B. */
	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'sa', 'vlan': 10, 'netns': '@A', 'mtu': 1300, 'up': false,"
	       " 'egress_qos': {'5': 3}},"
	       "{'name': 'sb2', 'vlan': 11, 'netns': '@A'}, {'name': 'sc', 'vlan': 22, 'netns': '@A'},"
	       "{'name': 'sd', 'vlan': 13, 'netns': '@A'}, {'name': 'se', 'vlan': 14, 'netns': '@B'},"
	       "{'name': 'sf', 'vlan': 15, 'netns': '@B', 'ingress_qos': {'2': 4}}]}]}");
	doc = json_of("plan", 2);
	op_of(doc, "sa", A, "change");
	op_of(doc, "sc", A, "recreate");
	op_of(doc, "sd", A, NULL);
	op_of(doc, "se", B, NULL);
	json_decref(doc);
	expect(2, "reconcile");

	ck_assert_int_eq(expect_vlan(A, "sa", "p0", 10), sa);
	l = ip_link(A, "sa");
	ck_assert_int_eq(json_integer_value(json_object_get(l, "mtu")), 1300);
	ck_assert_msg(!is_up(l), "sa is up in %s", t.name[A]);
	qos = json_dumps(json_object_get(json_object_get(json_object_get(l, "linkinfo"), "info_data"),
					 "egress_qos"), JSON_COMPACT);
	ck_assert_str_eq(qos ? qos : "none", "[{\"from\":5,\"to\":3}]");
	free(qos);
	json_decref(l);
	expect_vlan(A, "sb2", "p0", 11);
	expect_vlan(A, "sc", "p0", 22);
	expect_vlan(A, "sd", "p0", 13);
	expect_vlan(B, "se", "p0", 14);
	ck_assert_int_eq(expect_vlan(B, "sf", "p0", 15), sf);
	ck_assert_msg(!has(A, "sb") && !has(OWN, "sd") && !has(A, "se") && !has(OWN, "se"),
		      "an old device is left: sb %d, sd here %d, se in A %d", has(A, "sb"),
		      has(OWN, "sd"), has(A, "se"));
	ck_assert_uint_eq(links_in(A, NULL), 5);	/* lo sa sb2 sc sd */
	ck_assert_uint_eq(links_in(B, NULL), 3);	/* lo se sf */

	doc = json_of("status", 0);
	ck_assert_str_eq(str(trunk_of(doc, "t"), "status"), "ACTIVE");
	json_decref(doc);
	expect(0, "plan");
	expect_no_request(0, "reconcile");
}
END_TEST

/*
 * Deleting two devices here goes as one device group (one request); the
 * kernel then deletes what sits on them, in other namespaces too. eth5 in
 * A sits on a-q2: it is deleted (recreated on p0) inner first, before the
 * group takes a-q2, or its own delete finds no device and the whole
 * transaction rolls back (campaign seed 123066837, round 34).
 */
START_TEST(test_group_delete_after_what_sits_on_it_elsewhere)
{
	json_t *doc;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'a-q2', 'vlan': 101, 'protocol': '802.1ad'}, {'name': 'sx', 'vlan': 11}]},"
	       "{'name': 'tq', 'parent': 'a-q2', 'subports': [{'name': 'eth5', 'vlan': 12, 'netns': '@A'}]}]}");
	expect(2, "reconcile");
	ck_assert(has(A, "eth5"));

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'eth5', 'vlan': 13, 'netns': '@A'}]}]}");
	doc = json_of("plan", 2);
	op_of(doc, "eth5", A, "recreate");
	op_of(doc, "a-q2", OWN, "delete");
	op_of(doc, "sx", OWN, "delete");
	json_decref(doc);
	expect(2, "reconcile");
	expect_vlan(A, "eth5", "p0", 13);
	ck_assert_msg(!has(OWN, "a-q2") && !has(OWN, "sx"), "left: a-q2 %d, sx %d", has(OWN, "a-q2"),
		      has(OWN, "sx"));
	expect(0, "plan");
}
END_TEST

/*
 * tq on t's outer subport a-q2, sy1 and sy2 on it here; then a-q2 moved into
 * A by hand (sx puts A among the namespaces vlantrunk reads).
 */
static void stack_then_outer_moved_to_a(void)
{
	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'a-q2', 'vlan': 101, 'protocol': '802.1ad'}, {'name': 'sx', 'vlan': 11, 'netns': '@A'}]},"
	       "{'name': 'tq', 'parent': 'a-q2', 'subports': [{'name': 'sy1', 'vlan': 12},"
	       " {'name': 'sy2', 'vlan': 13}]}]}");
	expect(2, "reconcile");
	kt_sh("ip link set dev a-q2 netns %s", t.name[A]);
}

/*
 * The other way round: a-q2 moved into A by hand keeps the VLANs on it here
 * (vlan_device_event() leaves a device's VLANs alone when it changes
 * namespace). Deleting a-q2 there deletes them, so they are not moved into
 * the group after it: they go one by one, inner first, before a-q2.
 */
START_TEST(test_group_leaves_out_what_sits_on_a_device_elsewhere)
{
	stack_then_outer_moved_to_a();
	ck_assert(has(A, "a-q2") && has(OWN, "sy1") && has(OWN, "sy2"));

	expect(2, "teardown");
	ck_assert_msg(!has(A, "a-q2") && !has(OWN, "sy1") && !has(OWN, "sy2") && !has(A, "sx"),
		      "left: a-q2 in A %d, sy1 %d, sy2 %d, sx in A %d", has(A, "a-q2"), has(OWN, "sy1"),
		      has(OWN, "sy2"), has(A, "sx"));
}
END_TEST

/*
 * tq's parent a-q2 moved into A by hand, tq's devices still on it here: a
 * reconcile deletes that a-q2 (and with it what sits on it) and makes it
 * again here, tq's devices on it (campaign seed 475325741, round 11).
 */
START_TEST(test_outer_subport_moved_away_is_made_again)
{
	stack_then_outer_moved_to_a();

	expect(2, "reconcile");
	ck_assert_msg(!has(A, "a-q2") && has(OWN, "a-q2") && has(OWN, "sy1") && has(OWN, "sy2"),
		      "a-q2 in A %d, here %d; sy1 %d, sy2 %d", has(A, "a-q2"), has(OWN, "a-q2"),
		      has(OWN, "sy1"), has(OWN, "sy2"));
	expect(0, "plan");
}
END_TEST

/*
 * tq on t's outer subport a-q2, eth5 and eth6 on it in A; then a-q2 moved
 * into B by hand (sx puts B among the namespaces vlantrunk reads), and eth5
 * no longer desired.
 */
static void stack_in_a_then_outer_moved_to_b(void)
{
	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'a-q2', 'vlan': 101, 'protocol': '802.1ad'}, {'name': 'sx', 'vlan': 11, 'netns': '@B'}]},"
	       "{'name': 'tq', 'parent': 'a-q2', 'subports': [{'name': 'eth5', 'vlan': 12, 'netns': '@A'},"
	       " {'name': 'eth6', 'vlan': 13, 'netns': '@A'}]}]}");
	expect(2, "reconcile");
	kt_sh("ip link set dev a-q2 netns %s", t.name[B]);
	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'a-q2', 'vlan': 101, 'protocol': '802.1ad'}, {'name': 'sx', 'vlan': 11, 'netns': '@B'}]},"
	       "{'name': 'tq', 'parent': 'a-q2', 'subports': [{'name': 'eth6', 'vlan': 13, 'netns': '@A'}]}]}");
}

/*
 * tq's parent a-q2 moved into B by hand, tq's eth5 and eth6 still on it from
 * A: devices whose parent is in a third namespace. Their IFLA_LINK_NETNSID
 * is B's id in A, not the own namespace's. Read as "no parent", eth5 (no
 * longer desired) was not deleted before a-q2, the kernel took it with a-q2
 * (vlan_device_event() on NETDEV_UNREGISTER), and its own delete failed with
 * ENODEV: rolled back, on every run (campaign seed 31337, round 12).
 */
START_TEST(test_parent_in_a_third_namespace)
{
	json_t *doc, *l, *ch;
	char *where = NULL;

	stack_in_a_then_outer_moved_to_b();
	ck_assert(has(A, "eth5") && has(A, "eth6") && has(B, "a-q2"));
	/* The plan says where eth6's parent is now. */
	doc = json_of("plan", 2);
	ch = json_array_get(json_object_get(op_of(doc, "eth6", A, "recreate"), "changes"), 0);
	ck_assert_int_ge(asprintf(&where, "a-q2 in netns %s", t.path[B]), 0);
	ck_assert_msg(!strcmp(str(ch, "field"), "parent") && !strcmp(str(ch, "old"), where),
		      "eth6's parent is not %s: %s", where, json_dumps(ch, JSON_COMPACT));
	free(where);
	json_decref(doc);

	expect(2, "reconcile");
	ck_assert_msg(!has(B, "a-q2") && has(OWN, "a-q2") && !has(A, "eth5"),
		      "a-q2 in B %d, here %d; eth5 %d", has(B, "a-q2"), has(OWN, "a-q2"), has(A, "eth5"));
	l = ip_link(A, "eth6");
	ck_assert_msg(l && json_integer_value(json_object_get(l, "link_index")) ==
			      kt_ifindex(t.c.nl, "a-q2"), "eth6 in A is not on a-q2 here: %s",
		      l ? json_dumps(l, JSON_COMPACT) : "gone");
	json_decref(l);
	expect(0, "plan");
}
END_TEST

/*
 * Whether @dev in @ns sits on @parent of namespace @where: iproute2 names a
 * parent of the same namespace ("link"), and gives another's ifindex and
 * netns id ("link_index", "link_netnsid").
 */
static bool sits_on(enum ns ns, const char *dev, enum ns where, const char *parent)
{
	json_t *l = ip_link(ns, dev), *p = ip_link(where, parent);
	const char *name = json_string_value(json_object_get(l, "link"));
	bool on = l && p &&
		  (ns == where ? name && !strcmp(name, parent) :
				 json_integer_value(json_object_get(l, "link_index")) ==
						 json_integer_value(json_object_get(p, "ifindex")) &&
					 json_object_get(l, "link_netnsid"));

	json_decref(l);
	json_decref(p);
	return on;
}

/*
 * The same, with the transaction failing after the deletes of eth5, eth6
 * and a-q2 in B: the rollback makes a-q2 again in B, then eth5 and eth6 in A
 * on it. Such a create goes from the parent's namespace (B's socket, where
 * its IFLA_LINK ifindex is) into A; from the own namespace it would name
 * an own device of that ifindex, or none.
 */
START_TEST(test_rollback_puts_back_what_sat_on_a_parent_elsewhere)
{
	char *out = NULL;
	int rc;

	stack_in_a_then_outer_moved_to_b();
	/* Requests 1-3 delete eth5, eth6 and a-q2 in B; the create of a-q2 here fails. */
	rc = kt_cli_run(&t.c, &out, "fail:4:5", "reconcile");
	ck_assert_msg(rc == 1 && strstr(out, "create a-q2") &&
		      strstr(out, "nothing half-applied was left"), "exit %d:\n%s", rc, out);
	free(out);
	ck_assert_msg(has(B, "a-q2") && !has(OWN, "a-q2") && sits_on(A, "eth5", B, "a-q2") &&
		      sits_on(A, "eth6", B, "a-q2"), "not put back: a-q2 in B %d, here %d; "
		      "eth5 on it %d, eth6 %d", has(B, "a-q2"), has(OWN, "a-q2"),
		      sits_on(A, "eth5", B, "a-q2"), sits_on(A, "eth6", B, "a-q2"));
	ck_assert_int_eq(kt_journals(t.c.state), 0);

	expect(2, "reconcile");
	ck_assert_msg(!has(B, "a-q2") && !has(A, "eth5") && sits_on(A, "eth6", OWN, "a-q2"),
		      "not converged: a-q2 in B %d, eth5 %d, eth6 on a-q2 here %d", has(B, "a-q2"),
		      has(A, "eth5"), sits_on(A, "eth6", OWN, "a-q2"));
	expect(0, "plan");
}
END_TEST

/*
 * The other way round, two deep: a-q2 moved into A, tq's sy1 and sy2 here
 * on it, tz's z1 here on sy1. The reconcile deletes z1, sy1 and sy2 (inner
 * first), then a-q2 in A, and fails at the create of a-q2 here: a-q2 comes
 * back in A, sy1 and sy2 here on it (sent from A's socket), z1 on sy1.
 */
START_TEST(test_rollback_puts_back_a_stack_on_a_parent_elsewhere)
{
	char *out = NULL;
	int rc;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'a-q2', 'vlan': 101, 'protocol': '802.1ad'}, {'name': 'sx', 'vlan': 11, 'netns': '@A'}]},"
	       "{'name': 'tq', 'parent': 'a-q2', 'subports': [{'name': 'sy1', 'vlan': 12},"
	       " {'name': 'sy2', 'vlan': 13}]},"
	       "{'name': 'tz', 'parent': 'sy1', 'subports': [{'name': 'z1', 'vlan': 14}]}]}");
	expect(2, "reconcile");
	kt_sh("ip link set dev a-q2 netns %s", t.name[A]);

	rc = kt_cli_run(&t.c, &out, "fail:5:5", "reconcile");
	ck_assert_msg(rc == 1 && strstr(out, "create a-q2") &&
		      strstr(out, "nothing half-applied was left"), "exit %d:\n%s", rc, out);
	free(out);
	ck_assert_msg(has(A, "a-q2") && sits_on(OWN, "sy1", A, "a-q2") &&
		      sits_on(OWN, "sy2", A, "a-q2") && sits_on(OWN, "z1", OWN, "sy1"),
		      "not put back: a-q2 in A %d; sy1 on it %d, sy2 %d; z1 on sy1 %d",
		      has(A, "a-q2"), sits_on(OWN, "sy1", A, "a-q2"), sits_on(OWN, "sy2", A, "a-q2"),
		      sits_on(OWN, "z1", OWN, "sy1"));
	ck_assert_int_eq(kt_journals(t.c.state), 0);

	expect(2, "reconcile");
	ck_assert_msg(!has(A, "a-q2") && sits_on(OWN, "sy1", OWN, "a-q2") &&
		      sits_on(OWN, "sy2", OWN, "a-q2") && sits_on(OWN, "z1", OWN, "sy1"),
		      "not converged: a-q2 in A %d; sy1 on a-q2 here %d, sy2 %d, z1 on sy1 %d",
		      has(A, "a-q2"), sits_on(OWN, "sy1", OWN, "a-q2"),
		      sits_on(OWN, "sy2", OWN, "a-q2"), sits_on(OWN, "z1", OWN, "sy1"));
	expect(0, "plan");
}
END_TEST

/* ---- 3. removal and teardown beside unmanaged devices ---- */

START_TEST(test_remove_and_teardown_leave_unmanaged_devices)
{
	size_t marked;
	char *unmanaged;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'sa', 'vlan': 10, 'netns': '@A'}, {'name': 'sb', 'vlan': 11, 'netns': '@A'},"
	       "{'name': 'sc', 'vlan': 12, 'netns': '@B'}, {'name': 'sd', 'vlan': 13},"
	       "{'name': 'se', 'vlan': 14, 'netns': '@P'}]}]}");
	expect(2, "reconcile");
	/* Unmanaged: a dummy and VLANs on another parent, on the dummy, and on p0 itself. */
	kt_sh("ip -n %s link add eth9 type dummy && ip -n %s link set eth9 up && "
	      "ip link add link p1 name x1 netns %s type vlan id 10 && "
	      "ip -n %s link add link eth9 name x2 type vlan id 11 && "
	      "ip link add link p0 name x3 netns %s type vlan id 99 && "
	      "ip link add link p0 name x4 type vlan id 98",
	      t.name[A], t.name[A], t.name[A], t.name[A], t.name[B]);
	unmanaged = world("elpx");

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 'sa', 'vlan': 10, 'netns': '@A'},"
	       "{'name': 'sc', 'vlan': 12, 'netns': '@B'}, {'name': 'sd', 'vlan': 13},"
	       "{'name': 'se', 'vlan': 14, 'netns': '@P'}]}]}");
	expect(2, "reconcile");
	ck_assert_msg(!has(A, "sb"), "sb is still in %s", t.name[A]);
	expect_vlan(A, "sa", "p0", 10);
	expect(0, "plan");

	expect(2, "teardown");
	for (enum ns ns = OWN; ns < N_NS; ns++) {
		if (ns == C)
			continue;
		links_in(ns, &marked);
		ck_assert_msg(marked == 0, "%zu managed devices left in %s", marked,
			      ns == OWN ? "vlantrunk's namespace" : t.name[ns]);
	}
	{
		char *now = world("elpx");

		ck_assert_msg(!strcmp(now, unmanaged), "unmanaged devices changed.\nbefore:\n%s\n"
			      "after:\n%s", unmanaged, now);
		free(now);
	}
	expect_no_request(0, "teardown");
	free(unmanaged);
}
END_TEST

/* ---- 4. conflicts inside a namespace, adoption ---- */

/* The ifindex of @dev in @ns, which carries no alias. */
static int expect_unmarked(enum ns ns, const char *dev)
{
	json_t *l = ip_link(ns, dev);
	int ifindex;

	ck_assert_msg(l && !json_object_get(l, "ifalias"), "%s: %s", dev, json_dumps(l, JSON_COMPACT));
	ifindex = (int)json_integer_value(json_object_get(l, "ifindex"));
	json_decref(l);
	return ifindex;
}

static const char conflict_desired[] =
	"{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	"{'name': 'eth1', 'vlan': 10, 'netns': '@A'%s}, {'name': 's2', 'vlan': 11, 'netns': '@B'},"
	"{'name': 's3', 'vlan': 12}]}]}";

static void desire_conflict(bool adopt)
{
	char *doc = NULL;

	ck_assert_int_ge(asprintf(&doc, conflict_desired, adopt ? ", 'adopt': true" : ""), 0);
	desire(doc);
	free(doc);
}

START_TEST(test_conflict_in_a_namespace_then_adoption)
{
	char *before;
	json_t *doc, *tr, *sp;
	int ifindex;

	desire_conflict(false);
	/* Taken in ns A; s2 and s3 are names of other namespaces' devices, which takes nothing. */
	kt_sh("ip -n %s link add eth1 type dummy && ip link add s2 type dummy && "
	      "ip -n %s link add s3 type dummy", t.name[A], t.name[B]);
	before = world(NULL);
	expect_no_request(1, "reconcile");
	expect_world(before, "a conflict in A");
	doc = json_of("status", 1);
	tr = trunk_of(doc, "t");
	ck_assert_str_eq(str(tr, "status"), "ERROR");
	sp = subport_of(tr, "eth1", A);
	ck_assert_str_eq(str(sp, "state"), "conflict");
	ck_assert_msg(strstr(str(sp, "reason"), "eth1"), "reason: %s", str(sp, "reason"));
	json_decref(doc);
	free(before);

	/* An unmarked VLAN of that name, parent and id: a conflict still, unless adopted. */
	kt_sh("ip -n %s link del eth1 && ip link add link p0 name eth1 netns %s type vlan id 10",
	      t.name[A], t.name[A]);
	ifindex = expect_unmarked(A, "eth1");
	before = world(NULL);
	expect_no_request(1, "reconcile");
	expect_world(before, "an unmarked VLAN in A");
	free(before);

	desire_conflict(true);
	expect(2, "reconcile");
	ck_assert_int_eq(expect_vlan(A, "eth1", "p0", 10), ifindex);
	expect_vlan(B, "s2", "p0", 11);
	expect_vlan(OWN, "s3", "p0", 12);
	ck_assert_int_eq(kt_sh_status("ip -d link show dev s2 | grep -q dummy"), 0);
	ck_assert_int_eq(kt_sh_status("ip -n %s -d link show dev s3 | grep -q dummy", t.name[B]), 0);
	doc = json_of("status", 0);
	ck_assert_str_eq(str(trunk_of(doc, "t"), "status"), "ACTIVE");
	json_decref(doc);
}
END_TEST

/*
 * The kernel keeps one VLAN per (parent, protocol, id) whatever namespace
 * each lives in: an unmanaged VLAN 10 on p0 inside A blocks subport s1 as
 * VLAN 10 on p0 here. Seen beforehand, not as a failed create.
 */
START_TEST(test_vlan_id_held_in_another_namespace)
{
	char *before;
	json_t *doc, *sp;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10}, {'name': 's2', 'vlan': 11, 'netns': '@A'}]}]}");
	kt_sh("ip link add link p0 name x1 netns %s type vlan id 10", t.name[A]);
	before = world(NULL);
	expect_no_request(1, "reconcile");
	expect_world(before, "VLAN 10 held in A");
	doc = json_of("status", 1);
	sp = subport_of(trunk_of(doc, "t"), "s1", OWN);
	ck_assert_str_eq(str(sp, "state"), "conflict");
	json_decref(doc);
	free(before);
	kt_sh("ip -n %s link del x1", t.name[A]);
	expect(2, "reconcile");
	expect_vlan(OWN, "s1", "p0", 10);
}
END_TEST

/*
 * The same id held by a VLAN in a namespace vlantrunk does not read: the plan
 * cannot see it, the kernel refuses the create (EEXIST), and the failure
 * says what the kernel's words mean.
 */
START_TEST(test_vlan_id_held_in_an_unread_namespace)
{
	char *out = NULL;
	int rc;

	ns_add(C);
	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10}]}]}");
	kt_sh("ip link add link p0 name x1 netns %s type vlan id 10", t.name[C]);
	rc = kt_cli_run(&t.c, &out, NULL, "reconcile");
	ck_assert_msg(rc == 1 && strstr(out, "create s1: File exists") &&
		      strstr(out, "taken on its parent by a VLAN vlantrunk does not see"),
		      "exit %d:\n%s", rc, out);
	free(out);
	ck_assert(!has(OWN, "s1"));
	kt_sh("ip -n %s link del x1", t.name[C]);
	expect(2, "reconcile");
	expect_vlan(OWN, "s1", "p0", 10);
}
END_TEST

/* ---- 5, 6. a namespace missing, appearing, deleted ---- */

/*
 * Trunk @tr DEGRADED, its subport @name in namespace @ns missing, with a
 * reason that names the namespace.
 */
static void expect_missing(json_t *tr, const char *name, enum ns ns)
{
	json_t *sp = subport_of(tr, name, ns);

	ck_assert_str_eq(str(tr, "status"), "DEGRADED");
	ck_assert_str_eq(str(sp, "state"), "missing");
	ck_assert_msg(strstr(str(sp, "reason"), t.name[ns]), "subport reason: %s", str(sp, "reason"));
}

START_TEST(test_missing_namespace_then_appearing)
{
	json_t *doc;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10}, {'name': 's2', 'vlan': 11, 'netns': '@C'}]}]}");
	/* --atomic: all or nothing, and C is not there. */
	expect_no_request(1, "reconcile --atomic");
	ck_assert(!has(OWN, "s1"));

	/* A run's document has no subports: its trunk's status says it. */
	doc = json_of("reconcile", 1);
	ck_assert_str_eq(str(trunk_of(doc, "t"), "status"), "DEGRADED");
	json_decref(doc);
	expect_vlan(OWN, "s1", "p0", 10);
	doc = json_of("status", 1);
	expect_missing(trunk_of(doc, "t"), "s2", C);
	ck_assert_str_eq(str(subport_of(trunk_of(doc, "t"), "s1", OWN), "state"), "in_sync");
	json_decref(doc);

	/* The instant between `ip netns add`'s creating the file and mounting the namespace on it. */
	kt_sh("touch '%s'", t.path[C]);
	doc = json_of("status", 1);
	expect_missing(trunk_of(doc, "t"), "s2", C);
	json_decref(doc);
	expect(1, "reconcile");
	kt_sh("rm '%s'", t.path[C]);

	ns_add(C);
	expect(2, "reconcile");
	expect_vlan(C, "s2", "p0", 11);
	doc = json_of("status", 0);
	ck_assert_str_eq(str(trunk_of(doc, "t"), "status"), "ACTIVE");
	ck_assert_str_eq(str(subport_of(trunk_of(doc, "t"), "s2", C), "state"), "in_sync");
	json_decref(doc);
	expect(0, "reconcile");
}
END_TEST

/* SPEC: "its trunk DEGRADED with that reason": the trunk's own reason says which namespace. */
START_TEST(test_trunk_reason_names_a_missing_namespace)
{
	json_t *doc, *tr;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10}, {'name': 's2', 'vlan': 11, 'netns': '@C'}]}]}");
	doc = json_of("reconcile", 1);
	tr = trunk_of(doc, "t");
	ck_assert_msg(strstr(str(tr, "reason"), t.name[C]), "reconcile: trunk reason: %s",
		      str(tr, "reason"));
	json_decref(doc);
	doc = json_of("status", 1);
	tr = trunk_of(doc, "t");
	ck_assert_msg(strstr(str(tr, "reason"), t.name[C]), "status: trunk reason: %s",
		      str(tr, "reason"));
	json_decref(doc);
}
END_TEST

/*
 * admin_state_up false keeps the subports, down: with the parent missing there
 * are none (SPEC status: exit 1 for DOWN for a missing parent), also while a
 * subport's namespace is missing (campaign seed 795804742 round 22: exit 0).
 */
START_TEST(test_admin_down_with_parent_and_namespace_missing)
{
	json_t *doc;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p2', 'admin_state_up': false, "
	       "'subports': [{'name': 's1', 'vlan': 10}, {'name': 's2', 'vlan': 11, 'netns': '@C'}]}]}");
	doc = json_of("status", 1);
	ck_assert_str_eq(str(trunk_of(doc, "t"), "status"), "DOWN");
	ck_assert_str_eq(str(trunk_of(doc, "t"), "reason"), "parent p2 is missing");
	json_decref(doc);
	expect(1, "reconcile");

	/* The parent there, the namespace not yet: DEGRADED, still not converged. */
	kt_sh("ip link add p2 type dummy");
	expect(1, "reconcile");
	doc = json_of("status", 1);
	expect_missing(trunk_of(doc, "t"), "s2", C);
	json_decref(doc);

	ns_add(C);
	expect(2, "reconcile");
	doc = json_of("status", 0);
	ck_assert_str_eq(str(trunk_of(doc, "t"), "status"), "DOWN");
	json_decref(doc);

	/* The parent gone again: the kernel deleted s1 with it, nothing down by choice is left. */
	kt_sh("ip link del p2");
	expect(1, "status");
}
END_TEST

/* A namespace by path (a CNI netns file): empty at first, then a namespace bound on it. */
START_TEST(test_namespace_path_bound_later)
{
	char file[64];
	json_t *doc;

	snprintf(file, sizeof(file), "/run/vtk-%d-ns", (int)getpid());
	snprintf(t.name[C], sizeof(t.name[C]), "%s", file);
	snprintf(t.path[C], sizeof(t.path[C]), "%s", file);
	kt_sh("touch '%s'", file);
	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10}, {'name': 's2', 'vlan': 11, 'netns': '@C'}]}]}");
	/* A run's document has no subports: its trunk's status says it. */
	doc = json_of("reconcile", 1);
	ck_assert_str_eq(str(trunk_of(doc, "t"), "status"), "DEGRADED");
	json_decref(doc);
	kt_sh("mount --bind '%s' '%s'", t.path[P], file);
	expect(2, "reconcile");
	expect_vlan(C, "s2", "p0", 11);
	ck_assert(has(P, "s2"));
	expect(0, "status");
	kt_sh("umount '%s' && rm '%s'", file, file);
}
END_TEST

START_TEST(test_namespace_deleted_between_runs)
{
	char *out = NULL;
	json_t *doc;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10}, {'name': 's2', 'vlan': 11, 'netns': '@A'}]}]}");
	expect(2, "reconcile");
	ns_destroy(A);

	doc = json_of("status", 1);
	expect_missing(trunk_of(doc, "t"), "s2", A);
	json_decref(doc);
	/* Not converged, but nothing failed: nothing to roll back, nothing kept. */
	ck_assert_int_eq(kt_cli_run(&t.c, &out, NULL, "reconcile"), 1);
	ck_assert_msg(!strstr(out, "rolled back") && !strstr(out, "ROLLBACK"), "%s", out);
	free(out);
	ck_assert_int_eq(kt_journals(t.c.state), 0);
	expect_vlan(OWN, "s1", "p0", 10);

	ns_add(A);
	expect(2, "reconcile");
	expect_vlan(A, "s2", "p0", 11);
	expect(0, "status");
}
END_TEST

/* ---- 7, 8. one transaction over five namespaces: rollback and crashes ---- */

/*
 * Trunk t, one transaction: a delete (sx) and a change (sa, IPv6 too: a
 * sysctl inside A) in A, a change here (so), creates in B, P and C. Made by
 * hand, so the plan also turns IPv6 off on so and sa.
 */
static const char txn_desired[] =
	"{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	"{'name': 'so', 'vlan': 9, 'mtu': 1300},"
	"{'name': 'sa', 'vlan': 10, 'netns': '@A', 'up': false, 'egress_qos': {'1': 2}},"
	"{'name': 'sb', 'vlan': 12, 'netns': '@B'}, {'name': 'sp', 'vlan': 14, 'netns': '@P', 'mtu': 1400},"
	"{'name': 'sc', 'vlan': 13, 'netns': '@C'}]}]}";

/*
 * A namespace numbers its devices from 1 as vlantrunk's does: in A, lo is 1,
 * sa 2 and sx 3, which is p1's ifindex here (lo, p0, p1, so).
 */
static void txn_before(void)
{
	kt_sh("ip link add link p0 name so type vlan id 9 && ip link set so mtu 1400 alias vlantrunk:t up");
	kt_sh("ip link add link p0 name sa netns %s type vlan id 10 && "
	      "ip -n %s link set sa alias vlantrunk:t up && "
	      "ip link add link p0 name sx netns %s type vlan id 16 && "
	      "ip -n %s link set sx alias vlantrunk:t up", t.name[A], t.name[A], t.name[A], t.name[A]);
	ns_add(C);
	desire(txn_desired);
}

static void txn_converged(void)
{
	expect(0, "plan");
	expect_vlan(OWN, "so", "p0", 9);
	expect_vlan(A, "sa", "p0", 10);
	expect_vlan(B, "sb", "p0", 12);
	expect_vlan(P, "sp", "p0", 14);
	expect_vlan(C, "sc", "p0", 13);
	ck_assert(!has(A, "sx"));
	ck_assert_int_eq(kt_journals(t.c.state), 0);
}

/* Fail each request in turn, until the fault lies past the last one and the run converges. */
START_TEST(test_rollback_across_namespaces)
{
	char *before;
	size_t k, n = 0, in_ns = 0;

	txn_before();
	before = world(NULL);
	for (k = 1;; k++) {
		char fault[32], *out = NULL;
		int rc;

		snprintf(fault, sizeof(fault), "fail:%zu:16", k);
		rc = kt_cli_run(&t.c, &out, fault, "reconcile");
		if (rc == 2) {
			n = kt_requests(out);
			free(out);
			break;
		}
		ck_assert_msg(rc == 1, "k=%zu: exit %d:\n%s", k, rc, out);
		ck_assert_msg(strstr(out, "injected failure") || strstr(out, "disable_ipv6"),
			      "k=%zu: the failure is not reported:\n%s", k, out);
		/* A device of another namespace is named with it (names repeat there). */
		in_ns += strstr(out, " in netns /run/netns/") != NULL;
		{
			char *now = world(NULL);

			ck_assert_msg(!strcmp(now, before), "k=%zu: not as before.\nbefore:\n%s\n"
				      "after:\n%s\n%s", k, before, now, out);
			free(now);
		}
		ck_assert_int_eq(kt_journals(t.c.state), 0);
		free(out);
	}
	printf("netns: rollback after each of %zu requests over 5 namespaces\n", n);
	ck_assert_uint_eq(n, k - 1);
	ck_assert_uint_ge(n, 8);
	ck_assert_msg(in_ns >= n / 2, "%zu of %zu failures name a device's namespace", in_ns, n);
	txn_converged();
	free(before);
}
END_TEST

/*
 * The delete of sx (request 1: deletes come first) is undone by a create in A
 * under sx's old ifindex. Measured on 6.1: a create with IFLA_NET_NS_FD and
 * a chosen ifindex is refused (EEXIST) when that index is taken in the
 * requester's namespace, even though the device is made in the target one.
 */
START_TEST(test_rollback_recreates_a_device_whose_ifindex_is_taken_here)
{
	char *before, *out = NULL;
	json_t *sx;
	int rc;

	txn_before();
	sx = ip_link(A, "sx");
	ck_assert_int_eq(json_integer_value(json_object_get(sx, "ifindex")), kt_ifindex(t.c.nl, "p1"));
	json_decref(sx);
	before = world(NULL);
	rc = kt_cli_run(&t.c, &out, "fail:2:16", "reconcile");
	ck_assert_msg(rc == 1, "exit %d:\n%s", rc, out);
	free(out);
	expect_world(before, "the rollback");
	ck_assert_int_eq(kt_journals(t.c.state), 0);
	free(before);
}
END_TEST

/* A new namespace of the test's own, A, B, P anew, C gone, the before-state, no state dir. */
static void fresh_world(void)
{
	vt_nl_close(t.c.nl);
	close(t.own);
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	t.own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(t.own, 0);
	ck_assert_int_eq(vt_nl_open(&t.c.nl), 0);
	kt_sh("ip link set lo up && " PARENTS);
	for (enum ns ns = A; ns <= C; ns++)
		ns_del(ns);
	ns_add(A);
	ns_add(B);
	release_namespace();
	hold_namespace();
	kt_sh("rm -rf '%s'", t.c.state);
	txn_before();
}

/*
 * Killed before or after each request in turn: the next reader (plan or
 * status) recovers, every namespace is as before, no journal is left, and
 * reconcile then converges.
 */
static void crash_sweep(const char *when)
{
	size_t k;

	for (k = 1;; k++) {
		const char *reader = k % 2 ? "status" : "plan";
		char fault[32], *before, *out = NULL;
		int rc;

		fresh_world();
		before = world(NULL);
		snprintf(fault, sizeof(fault), "%s:%zu", when, k);
		rc = kt_cli_run(&t.c, &out, fault, "reconcile");
		if (rc == 2) {
			free(out);
			free(before);
			break;
		}
		ck_assert_msg(rc == KILLED, "k=%zu: exit %d:\n%s", k, rc, out);
		ck_assert_int_gt(kt_journals(t.c.state), 0);
		free(out);
		kt_cli_run(&t.c, &out, NULL, reader);
		{
			char *now = world(NULL);

			ck_assert_msg(!strcmp(now, before), "k=%zu: %s did not restore.\nbefore:\n%s\n"
				      "after:\n%s\n%s", k, reader, before, now, out);
			free(now);
		}
		ck_assert_msg(kt_journals(t.c.state) == 0, "k=%zu: journal kept:\n%s", k, out);
		free(out);
		expect(2, "reconcile");
		txn_converged();
		free(before);
	}
	printf("netns: %s each of %zu requests over 5 namespaces, recovered\n", when, k - 1);
	ck_assert_uint_ge(k - 1, 8);
}

START_TEST(test_crash_before_each_request)
{
	crash_sweep("kill-before");
}
END_TEST

START_TEST(test_crash_after_each_request)
{
	crash_sweep("kill-after");
}
END_TEST

/*
 * A crash mid-commit, then the namespace goes, with what the transaction made
 * in it: nothing to put back there. Recovery completes (no journal kept), the
 * namespace is reported missing; once it is back, reconcile creates again.
 */
START_TEST(test_crash_then_namespace_gone)
{
	char *out = NULL;

	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10, 'netns': '@A'}, {'name': 's2', 'vlan': 11, 'netns': '@A'},"
	       "{'name': 's3', 'vlan': 12, 'netns': '@A'}]}]}");
	ck_assert_int_eq(kt_cli_run(&t.c, NULL, "kill-after:3", "reconcile"), KILLED);
	ck_assert_int_eq(kt_journals(t.c.state), 1);
	ns_destroy(A);

	ck_assert_int_eq(kt_cli_run(&t.c, &out, NULL, "status"), 1);
	ck_assert_msg(kt_journals(t.c.state) == 0 && !strstr(out, "ROLLBACK INCOMPLETE"),
		      "journal kept:\n%s", out);
	free(out);
	ns_add(A);
	expect(2, "reconcile");
	expect_vlan(A, "s3", "p0", 12);
	expect(0, "plan");
}
END_TEST

/* ---- 9. bad input ---- */

/*
 * Killed right after creating an outer subport whose inner one goes in A;
 * then A is deleted and made anew, and an operator stacks a VLAN, op-in, in
 * the new A on the outer subport. Recovery must not delete the outer subport:
 * the kernel would delete op-in with it. The new A is not the journal's (its
 * devices are restored by going), yet the run reads it, so op-in is seen.
 * (Recovery read only the journal's namespaces, and op-in went.)
 */
START_TEST(test_recovery_keeps_what_sits_on_a_create_in_a_new_namespace)
{
	char *out = NULL;

	desire("{'version': 1, 'trunks': ["
	       "{'name': 'a', 'parent': 'p0', 'subports': [{'name': 'a-q', 'vlan': 100, "
	       "'protocol': '802.1ad'}]},"
	       "{'name': 't', 'parent': 'a-q', 'subports': [{'name': 'eth1', 'vlan': 10, "
	       "'netns': '@A'}]}]}");
	ck_assert_int_eq(kt_cli_run(&t.c, NULL, "kill-after:1", "reconcile"), KILLED);
	ns_destroy(A);
	ns_add(A);
	kt_sh("ip link add link a-q name op-in netns '%s' type vlan id 99", t.name[A]);

	ck_assert_int_eq(kt_cli_run(&t.c, &out, NULL, "reconcile"), 3);
	ck_assert_msg(strstr(out, "op-in sits on it"), "%s", out);
	free(out);
	ck_assert_int_eq(kt_sh_status("ip -n '%s' link show dev op-in >/dev/null", t.name[A]), 0);
	ck_assert_int_eq(kt_journals(t.c.state), 1);

	kt_sh("ip -n '%s' link del op-in", t.name[A]);
	expect(2, "reconcile");
	expect_vlan(A, "eth1", "a-q", 10);
	expect(0, "plan");
}
END_TEST

START_TEST(test_invalid_netns_exit_4_and_touch_nothing)
{
	char dir_ns[300], file_ns[300], slash[200], dotdot[200], same[400];
	const char *bad[] = { "'a/b'", slash, dotdot, "''", "7", "'.'", "'..'", dir_ns, file_ns,
			      "'/proc/self/ns/mnt'" };
	char *before;

	snprintf(dir_ns, sizeof(dir_ns), "'%s'", t.c.dir);
	snprintf(file_ns, sizeof(file_ns), "'%s'", t.c.config);
	snprintf(slash, sizeof(slash), "'%s/'", t.name[A]);
	snprintf(dotdot, sizeof(dotdot), "'../netns/%s'", t.name[A]);
	desire("{'version': 1, 'trunks': [{'name': 'vm-42', 'parent': 'p0', 'subports': ["
	       "{'name': 'sp-here', 'vlan': 10}, {'name': 'sp-in-ns', 'vlan': 11, 'netns': '@A'}]}]}");
	expect(2, "reconcile");
	before = world(NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Not teardown: it needs no desired state, going towards none. `check`
		 * says what a run would. */
		const char *cmds[] = { "reconcile", "plan", "status", "check" };
		char *doc = NULL;
		json_t *err, *diag;

		ck_assert_int_ge(asprintf(&doc, "{'version': 1, 'trunks': [{'name': 'vm-42', "
					  "'parent': 'p0', 'subports': [{'name': 'sp-here', 'vlan': 10}, "
					  "{'name': 'sp-in-ns', 'vlan': 11, 'netns': %s}]}]}", bad[i]), 0);
		desire(doc);
		free(doc);
		for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
			char *out = NULL;
			int rc = kt_cli_run(&t.c, &out, NULL, cmds[k]);

			ck_assert_msg(rc == 4, "netns %s, %s: exit %d:\n%s", bad[i], cmds[k], rc, out);
			ck_assert_msg(strstr(out, "trunks.json") && strstr(out, "vm-42") &&
				      strstr(out, "sp-in-ns") && strstr(out, "netns"),
				      "netns %s, %s: file, trunk, subport or field not named:\n%s",
				      bad[i], cmds[k], out);
			free(out);
		}
		err = json_of("reconcile", 4);
		diag = json_array_get(json_object_get(err, "diagnostics"), 0);
		ck_assert_msg(diag && strstr(str(diag, "field"), "netns") &&
			      !strcmp(str(diag, "subport"), "sp-in-ns") && !strcmp(str(diag, "trunk"), "vm-42"),
			      "netns %s: %s", bad[i], json_dumps(err, JSON_COMPACT));
		json_decref(err);
		expect_world(before, bad[i]);
	}

	/* One name twice in one namespace, also when named once by name and once by its path. */
	desire("{'version': 1, 'trunks': [{'name': 'vm-42', 'parent': 'p0', 'subports': ["
	       "{'name': 'eth1', 'vlan': 10, 'netns': '@A'}, {'name': 'eth1', 'vlan': 11, 'netns': '@A'}]}]}");
	expect(4, "reconcile");
	snprintf(same, sizeof(same), "{'version': 1, 'trunks': [{'name': 'vm-42', 'parent': 'p0', "
		 "'subports': [{'name': 'eth1', 'vlan': 10, 'netns': '@A'}, "
		 "{'name': 'eth1', 'vlan': 11, 'netns': '/run/netns/@A'}]}]}");
	desire(same);
	expect(4, "reconcile");
	expect_world(before, "one name twice in A");
	free(before);
}
END_TEST

/* ---- the agent ---- */

/* The agent in the foreground, its readiness awaited on a notify socket as systemd's. */
static void start_agent(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	double end = kt_now() + WAIT_MS / 1000.0;
	char buf[4096];
	bool ready = false;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/notify", t.c.dir);
	t.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(t.notify_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	t.agent = fork();
	ck_assert_int_ge(t.agent, 0);
	if (t.agent == 0) {
		char *cmd = NULL;

		setenv("NOTIFY_SOCKET", addr.sun_path, 1);
		if (asprintf(&cmd, "exec %s -c '%s' --state-dir '%s' agent 2>>'%s/agent.log'",
			     kt_bin("vlantrunk"), t.c.config, t.c.state, t.c.dir) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	while (!ready) {
		struct pollfd pfd = { .fd = t.notify_fd, .events = POLLIN };
		int left = (int)((end - kt_now()) * 1000);
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) != 1) {
			kt_sh_status("tail -20 '%s/agent.log' >&2", t.c.dir);
			ck_abort_msg("the agent is not ready within %d ms (agent log above)", WAIT_MS);
		}
		n = recv(t.notify_fd, buf, sizeof(buf) - 1, 0);
		ck_assert_int_gt(n, 0);
		buf[n] = '\0';
		ready = strstr(buf, "READY=1") != NULL;
	}
}

/*
 * With the agent running: a missing namespace appears and its subport is
 * wired, drift inside it is repaired, the namespace is deleted (and the
 * kernel destroys it: the agent must not hold it alive), and when it comes
 * back the subport does too, all without a command.
 */
/* The agent's status says s2 missing in C; C comes: the agent wires s2 there, unasked. */
static void await_wired_after_missing(void)
{
	json_t *doc = json_of("status", 1);

	expect_missing(trunk_of(doc, "t"), "s2", C);
	json_decref(doc);
	ns_add(C);
	await_link(C, "s2", UP);
	expect_vlan(C, "s2", "p0", 11);
}

START_TEST(test_agent_follows_a_namespace)
{
	int status;

	/* sd_notify() blocks on a full notify queue (10 by default); this test reads it only once. */
	kt_sh("sysctl -q -w net.unix.max_dgram_qlen=512");
	desire("{'version': 1, 'trunks': [{'name': 't', 'parent': 'p0', 'subports': ["
	       "{'name': 's1', 'vlan': 10}, {'name': 's2', 'vlan': 11, 'netns': '@C'}]}]}");
	start_agent();
	ck_assert(has(OWN, "s1"));
	await_wired_after_missing();

	kt_sh("ip -n %s link set s2 down", t.name[C]);
	await_link(C, "s2", UP);
	kt_sh("ip -n %s link del s2", t.name[C]);
	await_link(C, "s2", UP);

	ns_destroy(C);
	ck_assert_msg(kill(t.agent, 0) == 0, "the agent died");
	ck_assert_msg(kt_sh_status("grep -q -e '%s' '%s/agent.log'", t.name[C], t.c.dir) == 0,
		      "the agent did not log the namespace's going (agent.log)");
	await_wired_after_missing();
	ck_assert(has(OWN, "s1"));

	ck_assert_int_eq(kill(t.agent, SIGTERM), 0);
	ck_assert_int_eq(waitpid(t.agent, &status, 0), t.agent);
	t.agent = 0;
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "agent exit status %d", status);
	ck_assert(has(C, "s2"));	/* stopping keeps the data plane */
}
END_TEST

Suite *netns_suite(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("netns");
	TCase *txn = tcase_create("netns-txn");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* Forty runs of the program in the bad-input test: slow under valgrind (run --valgrind). */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_same_name_in_every_namespace);
	tcase_add_test(tc, test_changes_and_moves_between_namespaces);
	tcase_add_test(tc, test_group_delete_after_what_sits_on_it_elsewhere);
	tcase_add_test(tc, test_group_leaves_out_what_sits_on_a_device_elsewhere);
	tcase_add_test(tc, test_outer_subport_moved_away_is_made_again);
	tcase_add_test(tc, test_parent_in_a_third_namespace);
	tcase_add_test(tc, test_rollback_puts_back_what_sat_on_a_parent_elsewhere);
	tcase_add_test(tc, test_rollback_puts_back_a_stack_on_a_parent_elsewhere);
	tcase_add_test(tc, test_remove_and_teardown_leave_unmanaged_devices);
	tcase_add_test(tc, test_conflict_in_a_namespace_then_adoption);
	tcase_add_test(tc, test_vlan_id_held_in_another_namespace);
	tcase_add_test(tc, test_vlan_id_held_in_an_unread_namespace);
	tcase_add_test(tc, test_missing_namespace_then_appearing);
	tcase_add_test(tc, test_trunk_reason_names_a_missing_namespace);
	tcase_add_test(tc, test_admin_down_with_parent_and_namespace_missing);
	tcase_add_test(tc, test_namespace_path_bound_later);
	tcase_add_test(tc, test_namespace_deleted_between_runs);
	tcase_add_test(tc, test_crash_then_namespace_gone);
	tcase_add_test(tc, test_recovery_keeps_what_sits_on_a_create_in_a_new_namespace);
	tcase_add_test(tc, test_invalid_netns_exit_4_and_touch_nothing);
	tcase_add_test(tc, test_agent_follows_a_namespace);
	suite_add_tcase(s, tc);

	/* Each sweep step remakes five namespaces and runs the program three or four times. */
	tcase_add_checked_fixture(txn, setup, teardown);
	tcase_set_timeout(txn, 900);
	tcase_add_test(txn, test_rollback_recreates_a_device_whose_ifindex_is_taken_here);
	tcase_add_test(txn, test_rollback_across_namespaces);
	tcase_add_test(txn, test_crash_before_each_request);
	tcase_add_test(txn, test_crash_after_each_request);
	suite_add_tcase(s, txn);
	return s;
}
