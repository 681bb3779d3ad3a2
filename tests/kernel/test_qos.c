/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Egress QoS maps up to the loader's limit (4096 entries a subport) and
 * beyond (what a before-image may hold), against a real kernel: created,
 * changed in place to as many other keys (8192 mappings in one change),
 * rolled back, recreated, and read back whole through a dump, a single
 * link's answer, a link event and iproute2.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel_util.h"
#include "suites.h"
#include "vt_desired.h"

#define LIMIT VT_DESIRED_MAX_EGRESS

/* @n entries, keys from @base up, each to a PCP from 1 to 7. */
static struct vt_qos_entry *qos_map(size_t n, uint32_t base)
{
	struct vt_qos_entry *map = calloc(n, sizeof(*map));

	ck_assert_ptr_nonnull(map);
	for (size_t i = 0; i < n; i++)
		map[i] = (struct vt_qos_entry){ base + (uint32_t)i, 1 + (uint32_t)(i % 7) };
	return map;
}

/* @l holds exactly @map: every entry, nothing else. */
static void assert_egress(const struct vt_link *l, const struct vt_qos_entry *map, size_t n)
{
	ck_assert_msg(l->vlan.n_egress == n, "%s: %zu egress entries, expected %zu", l->name,
		      l->vlan.n_egress, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(l->vlan.egress[i].from == map[i].from && l->vlan.egress[i].to == map[i].to,
			      "%s: entry %zu is %u:%u, expected %u:%u", l->name, i,
			      l->vlan.egress[i].from, l->vlan.egress[i].to, map[i].from, map[i].to);
}

/* iproute2's independent view: how many egress entries `ip -d -j link show` lists. */
static size_t ip_egress_count(const char *dev)
{
	json_t *ip = kt_ip_link(dev);
	size_t n;

	ck_assert_ptr_nonnull(ip);
	n = json_array_size(json_object_get(json_object_get(json_object_get(ip, "linkinfo"),
							    "info_data"), "egress_qos"));
	json_decref(ip);
	return n;
}

/* ------------------------------------------------------------------------ */
/* The netlink layer: one request per map, whatever its length. */

static struct {
	struct vt_nl *nl;
	struct vt_batch *batch;
	struct vt_link_table table;
	int parent;		/* ifindex of dummy d0 */
} fx;

static void nl_setup(void)
{
	kt_enter_netns();
	kt_sh("ip link add d0 type dummy && ip link set d0 up");
	ck_assert_int_eq(vt_nl_open(&fx.nl), 0);
	fx.batch = vt_batch_new();
	ck_assert_ptr_nonnull(fx.batch);
	fx.parent = kt_ifindex(fx.nl, "d0");
}

static void nl_teardown(void)
{
	vt_link_table_clear(&fx.table);
	vt_batch_free(fx.batch);
	vt_nl_close(fx.nl);
}

static struct vt_link_spec create_spec(const char *name, uint16_t id, struct vt_qos_entry *map,
				       size_t n)
{
	struct vt_link_spec s = { .fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID | VT_F_EGRESS |
					    VT_F_UP };

	snprintf(s.link.name, sizeof(s.link.name), "%s", name);
	s.link.parent = fx.parent;
	s.link.vlan.id = id;
	s.link.vlan.egress = map;
	s.link.vlan.n_egress = n;
	s.link.up = true;
	return s;
}

/* Send the batch; its one request's outcome. */
static const struct vt_req_result *send_one(void)
{
	int ret;

	ck_assert_uint_eq(vt_batch_count(fx.batch), 1);
	ret = vt_nl_send_batch(fx.nl, fx.batch);
	ck_assert_msg(ret == 0, "batch exchange failed: %s", strerror(-ret));
	return vt_batch_result(fx.batch, 0);
}

static void send_one_ok(void)
{
	const struct vt_req_result *r = send_one();

	ck_assert_int_eq(r->state, VT_REQ_ANSWERED);
	ck_assert_msg(r->error == 0, "request failed: %s (%s)", strerror(-r->error), r->message);
	vt_batch_reset(fx.batch);
}

static const struct vt_link *reread(const char *name)
{
	kt_dump(fx.nl, &fx.table);
	return kt_find(&fx.table, name);
}

/* The last link event for @name, as a copy. */
struct last_event {
	const char *name;
	struct vt_link link;
	bool seen;
};

static int keep_last(enum vt_link_event ev, const struct vt_link *l, int32_t nsid __attribute__((unused)),
			 uint32_t origin, void *arg)
{
	struct last_event *last = arg;

	(void)origin;
	if (ev != VT_EV_NEWLINK || strcmp(l->name, last->name))
		return 0;
	vt_link_release(&last->link);
	last->seen = true;
	return vt_link_copy(&last->link, l);
}

/* Every event queued so far (the kernel queues them before it acks); the last for @name. */
static void read_events(struct vt_monitor *mon, struct last_event *last)
{
	int n = vt_monitor_read(mon, keep_last, last);

	ck_assert_msg(n >= 0, "monitor: %s", strerror(-n));
	ck_assert_msg(last->seen, "no link event for %s", last->name);
}

/* Whole through each way in: the dump, the one link's answer, iproute2. */
static void assert_read_back(const char *name, const struct vt_qos_entry *map, size_t n)
{
	const struct vt_link *l = reread(name);
	struct vt_link one;

	assert_egress(l, map, n);
	ck_assert_int_eq(vt_nl_get_link(fx.nl, VT_NS_OWN, l->ifindex, &one), 0);
	assert_egress(&one, map, n);
	vt_link_release(&one);
	ck_assert_uint_eq(ip_egress_count(name), n);
}

/* The loader's limit on create, then in place to as many other keys. */
START_TEST(test_limit_on_create_and_in_place)
{
	struct vt_qos_entry *a = qos_map(LIMIT, 1000), *b = qos_map(LIMIT, 3000000000u);
	struct last_event last = { .name = "q1" };
	struct vt_link_spec s = create_spec("q1", 10, a, LIMIT);
	struct vt_monitor *mon;
	struct vt_link cur;

	ck_assert_int_eq(vt_monitor_open(&mon, 0), 0);
	ck_assert_int_ge(vt_batch_create(fx.batch, &s), 0);
	send_one_ok();
	assert_read_back("q1", a, LIMIT);
	read_events(mon, &last);
	assert_egress(&last.link, a, LIMIT);

	/* 4096 keys to 0 and 4096 new ones: one request, more than one message holds. */
	ck_assert_int_eq(vt_link_copy(&cur, reread("q1")), 0);
	s = (struct vt_link_spec){ .fields = VT_F_EGRESS };
	s.link.ifindex = cur.ifindex;
	s.link.vlan.egress = b;
	s.link.vlan.n_egress = LIMIT;
	ck_assert_int_ge(vt_batch_change(fx.batch, &cur, &s), 0);
	send_one_ok();
	assert_read_back("q1", b, LIMIT);
	last.seen = false;
	read_events(mon, &last);
	assert_egress(&last.link, b, LIMIT);

	vt_link_release(&last.link);
	vt_link_release(&cur);
	vt_monitor_close(mon);
	free(a);
	free(b);
}
END_TEST

/*
 * About as many mappings as one nest can describe (its length is 16 bits):
 * more than the loader takes, as a before-image may hold. The link message
 * is then larger than 64 KiB in a dump, an answer and an event alike.
 */
START_TEST(test_largest_map_the_kernel_describes)
{
	const size_t n = 5400;
	struct vt_qos_entry *map = qos_map(n, 7);
	struct last_event last = { .name = "q1" };
	struct vt_link_spec s = create_spec("q1", 10, map, n);
	struct vt_monitor *mon;

	ck_assert_int_eq(vt_monitor_open(&mon, 0), 0);
	ck_assert_int_ge(vt_batch_create(fx.batch, &s), 0);
	send_one_ok();
	assert_read_back("q1", map, n);
	read_events(mon, &last);
	assert_egress(&last.link, map, n);
	vt_link_release(&last.link);
	vt_monitor_close(mon);
	free(map);
}
END_TEST

/*
 * A create too large for one message is a create and then changes of the
 * device it made. When the create is refused (its name or its ifindex is
 * another device's), the changes must not go: they would change that device.
 */
START_TEST(test_refused_create_sends_nothing_more)
{
	const size_t n = LIMIT + 904;
	struct vt_qos_entry *map = qos_map(n, 7);
	struct vt_link_spec s = create_spec("q1", 31, map, n);
	const struct vt_req_result *r;
	const struct vt_link *l;

	kt_sh("ip link add link d0 name q1 type vlan id 30 egress-qos-map 1:1");
	kt_sh("ip link add link d0 name q2 type vlan id 32");
	ck_assert_int_ge(vt_batch_create(fx.batch, &s), 0);
	r = send_one();
	ck_assert_int_eq(r->state, VT_REQ_ANSWERED);
	ck_assert_int_eq(r->error, -EEXIST);
	vt_batch_reset(fx.batch);
	l = reread("q1");
	ck_assert_uint_eq(l->vlan.id, 30);
	assert_egress(l, &(struct vt_qos_entry){ 1, 1 }, 1);

	s = create_spec("q3", 33, map, n);
	s.link.ifindex = reread("q2")->ifindex;	/* taken */
	ck_assert_int_ge(vt_batch_create(fx.batch, &s), 0);
	r = send_one();
	ck_assert_int_eq(r->state, VT_REQ_ANSWERED);
	ck_assert_int_eq(r->error, -EEXIST);
	vt_batch_reset(fx.batch);
	ck_assert_uint_eq(reread("q2")->vlan.n_egress, 0);
	free(map);
}
END_TEST

TCase *netlink_qos_tcase(void)
{
	TCase *tc = tcase_create("egress maps");

	tcase_add_checked_fixture(tc, nl_setup, nl_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_limit_on_create_and_in_place);
	tcase_add_test(tc, test_largest_map_the_kernel_describes);
	tcase_add_test(tc, test_refused_create_sends_nothing_more);
	return tc;
}

/* ------------------------------------------------------------------------ */
/* The program: reconcile, status and plan, rollback of a change and of a recreate. */

static struct {
	struct vt_nl *nl;
	char *dir;
	char config[256], state[256];
	struct vt_qos_entry *a, *b;	/* two maps at the limit, no key in common */
} env;

static void cli_setup(void)
{
	kt_enter_netns();
	kt_sh("ip link add p0 type dummy && ip link set p0 up");
	ck_assert_int_eq(vt_nl_open(&env.nl), 0);
	env.dir = kt_tempdir();
	snprintf(env.config, sizeof(env.config), "%s/trunks.json", env.dir);
	snprintf(env.state, sizeof(env.state), "%s/state", env.dir);
	env.a = qos_map(LIMIT, 1000);
	env.b = qos_map(LIMIT, 3000000000u);
}

static void cli_teardown(void)
{
	free(env.a);
	free(env.b);
	vt_nl_close(env.nl);
	kt_rmrf(env.dir);
}

/* Trunk t on p0: s1 (VLAN @vlan, egress @map) and, with @s2, s2 on VLAN 20. */
static void write_config(uint16_t vlan, const struct vt_qos_entry *map, bool s2)
{
	json_t *egress = json_object(), *subports, *doc;
	char key[16];

	for (size_t i = 0; i < LIMIT; i++) {
		snprintf(key, sizeof(key), "%u", map[i].from);
		json_object_set_new(egress, key, json_integer(map[i].to));
	}
	subports = json_pack("[{s:s, s:i, s:o}]", "name", "s1", "vlan", vlan, "egress_qos", egress);
	if (s2)
		json_array_append_new(subports, json_pack("{s:s, s:i}", "name", "s2", "vlan", 20));
	doc = json_pack("{s:i, s:[{s:s, s:s, s:o}]}", "version", 1, "trunks", "name", "t",
			"parent", "p0", "subports", subports);
	ck_assert_int_eq(json_dump_file(doc, env.config, JSON_COMPACT), 0);
	json_decref(doc);
}

static int vt(char **out, const char *fault, const char *args)
{
	return kt_vlantrunk(out, fault, env.config, env.state, args);
}

static void reconcile_ok(void)
{
	char *out = NULL;
	int rc = vt(&out, NULL, "reconcile");

	ck_assert_msg(rc == 2, "exit %d\n%s", rc, out);
	free(out);
}

static void assert_in_sync(void)
{
	char *out = NULL;
	int rc = vt(&out, NULL, "plan");

	ck_assert_msg(rc == 0 && strstr(out, "In sync"), "exit %d\n%s", rc, out);
	free(out);
}

static void assert_s1(uint16_t vlan, const struct vt_qos_entry *map)
{
	struct vt_link_table t = { 0 };
	const struct vt_link *l;

	kt_dump(env.nl, &t);
	l = kt_find(&t, "s1");
	ck_assert_uint_eq(l->vlan.id, vlan);
	ck_assert_str_eq(l->alias, "vlantrunk:t");
	assert_egress(l, map, LIMIT);
	vt_link_table_clear(&t);
}

static bool ends_with(const char *s, const char *end)
{
	return s && strlen(s) >= strlen(end) && !strcmp(s + strlen(s) - strlen(end), end);
}

/* A failed transaction was rolled back, having undone at least one request. */
static void assert_rolled_back(const char *out, const char *failed)
{
	const char *at = strstr(out, "rolled back (");
	size_t undone = 0;

	ck_assert_msg(at && sscanf(at, "rolled back (%zu", &undone) == 1 && undone > 0,
		      "nothing was rolled back:\n%s", out);
	ck_assert_msg(strstr(out, failed) && strstr(out, "injected failure"),
		      "not the injected failure of '%s':\n%s", failed, out);
	ck_assert_int_eq(kt_journals(env.state), 0);
}

/* reconcile sets a 4096-entry map, status and plan summarise it, and it changes in place. */
START_TEST(test_reconcile_status_and_change_at_the_limit)
{
	json_error_t err;
	char *out = NULL;
	json_t *doc, *change;
	int rc;

	write_config(10, env.a, false);
	reconcile_ok();
	assert_s1(10, env.a);
	assert_in_sync();

	/* One entry removed behind vlantrunk's back. */
	kt_sh("ip link set s1 type vlan egress-qos-map %u:0", env.a[0].from);
	rc = vt(&out, NULL, "status");
	ck_assert_msg(rc == 1 && strstr(out, "egress_qos 1001:2 1002:3 ") &&
		      strstr(out, " ... (4095 entries) -> 1000:1 1001:2 ") &&
		      strstr(out, " ... (4096 entries)\n"), "exit %d\n%s", rc, out);
	free(out);
	ck_assert_int_eq(vt(&out, NULL, "--json status 2>/dev/null"), 1);
	doc = json_loads(out, 0, &err);
	ck_assert_msg(doc, "not JSON (%s):\n%s", err.text, out);
	free(out);
	change = json_array_get(json_object_get(json_array_get(json_object_get(
			json_array_get(json_object_get(doc, "trunks"), 0), "subports"), 0), "changes"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(change, "field")), "egress_qos");
	ck_assert(ends_with(json_string_value(json_object_get(change, "old")), " ... (4095 entries)"));
	ck_assert(ends_with(json_string_value(json_object_get(change, "new")), " ... (4096 entries)"));
	json_decref(doc);
	reconcile_ok();
	assert_s1(10, env.a);

	/* In place to 4096 other keys: the old ones are gone. */
	write_config(10, env.b, false);
	reconcile_ok();
	assert_s1(10, env.b);
	assert_in_sync();
}
END_TEST

/* s1's change to 4096 other keys took effect, then s2's create failed: s1 has its old map back. */
START_TEST(test_rollback_of_a_change_at_the_limit)
{
	char *out = NULL, *before, *after;
	int rc;

	write_config(10, env.a, false);
	reconcile_ok();
	before = kt_snapshot(env.nl, "s");
	write_config(10, env.b, true);
	/* Requests: 1 change s1, 2 create s2. */
	rc = vt(&out, "fail:2:16", "reconcile");
	ck_assert_msg(rc == 1, "exit %d\n%s", rc, out);
	assert_rolled_back(out, "create s2");
	free(out);
	after = kt_snapshot(env.nl, "s");
	ck_assert_str_eq(after, before);
	assert_s1(10, env.a);
	free(after);
	free(before);
}
END_TEST

/* s1 recreated on VLAN 11 with its 4096 entries, its marker refused: back on VLAN 10 as it was. */
START_TEST(test_rollback_of_a_recreate_at_the_limit)
{
	char *out = NULL, *before, *after;
	int rc;

	write_config(10, env.a, false);
	reconcile_ok();
	before = kt_snapshot(env.nl, "s");
	write_config(11, env.a, false);
	/* Requests: 1 delete s1, 2 create s1 on VLAN 11, 3 mark it. */
	rc = vt(&out, "fail:3:16", "reconcile");
	ck_assert_msg(rc == 1, "exit %d\n%s", rc, out);
	assert_rolled_back(out, "mark s1");
	free(out);
	after = kt_snapshot(env.nl, "s");
	ck_assert_str_eq(after, before);
	assert_s1(10, env.a);
	free(after);
	free(before);
}
END_TEST

TCase *engine_qos_tcase(void)
{
	TCase *tc = tcase_create("egress maps");

	tcase_add_checked_fixture(tc, cli_setup, cli_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_reconcile_status_and_change_at_the_limit);
	tcase_add_test(tc, test_rollback_of_a_change_at_the_limit);
	tcase_add_test(tc, test_rollback_of_a_recreate_at_the_limit);
	return tc;
}
