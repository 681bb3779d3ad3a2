/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own side effects on stacked VLANs (QinQ), through the real
 * program on a real kernel: an outer subport coming up brings up the inner
 * subports without loose_binding, one going down takes them down, lowering
 * its MTU lowers theirs. Each must end as desired in one run, be rolled back
 * with the transaction, or be refused before any request.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/utsname.h>

#include "kernel_util.h"
#include "suites.h"

static struct kt_cli env;

static void setup(void)
{
	kt_cli_setup(&env, "ip link add p0 type dummy && ip link set p0 up");
}

static void teardown(void)
{
	kt_cli_teardown(&env);
}

static int vt(char **output, const char *fault, const char *args)
{
	return kt_cli_run(&env, output, fault, args);
}

#define expect(...) kt_cli_expect(&env, __VA_ARGS__)

static bool is_up(const char *dev)
{
	return kt_sh_status("ip -j link show dev %s | grep -q '\"flags\":\\[[^]]*\"UP\"'", dev) == 0;
}

static unsigned int mtu_of(const char *dev)
{
	struct vt_link_table t = { 0 };
	const struct vt_link *l;
	unsigned int mtu;

	kt_dump(env.nl, &t);
	l = kt_find(&t, dev);
	ck_assert_msg(l, "no %s", dev);
	mtu = l->mtu;
	vt_link_table_clear(&t);
	return mtu;
}

/* Trunk a on p0 with outer subport a-o (802.1ad); trunk q on a-o, q-1 declared @q1. */
static void qinq(const char *a_extra, const char *o_extra, const char *q_extra, const char *q1)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\"%s, \"subports\": ["
		 "  {\"name\": \"a-o\", \"vlan\": 100, \"protocol\": \"802.1ad\"%s},"
		 "  {\"name\": \"a-2\", \"vlan\": 12}]},"
		 "{\"name\": \"q\", \"parent\": \"a-o\"%s, \"subports\": ["
		 "  {\"name\": \"q-1\", \"vlan\": 10%s}, {\"name\": \"q-2\", \"vlan\": 20}]}]}",
		 a_extra, o_extra, q_extra, q1);
	kt_write(env.config, buf);
}

/*
 * The outer trunk goes from admin-down to up while the inner trunk stays
 * admin-down: bringing a-o up brings q-1 and q-2 up, which are set down again
 * in the same transaction. One run converges; the next has nothing to do.
 * (It used to roll back every time: "after the commit q-1 still needs a change".)
 */
START_TEST(test_outer_admin_up_keeps_an_admin_down_inner_trunk_down)
{
	qinq(", \"admin_state_up\": false", "", ", \"admin_state_up\": false", "");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(!is_up("a-o") && !is_up("q-1"));

	qinq("", "", ", \"admin_state_up\": false", "");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-o") && !is_up("q-1") && !is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);
	expect(0, NULL, "status", NULL);
}
END_TEST

/* The same for one inner subport declared down, and a rollback puts all back. */
START_TEST(test_outer_up_with_an_inner_subport_declared_down_and_its_rollback)
{
	char *before, *after;

	qinq(", \"admin_state_up\": false", "", "", ", \"up\": false");
	expect(2, NULL, "reconcile", NULL);
	qinq("", "", "", ", \"up\": false");
	before = kt_snapshot(env.nl, NULL);
	/* a-o and a-2 up, q-1 set down again, then q-2's up fails. */
	expect(1, "fail:4:16", "reconcile --atomic", NULL);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-o") && !is_up("q-1") && is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);
}
END_TEST

/*
 * An outer subport set down and renamed by hand: the kernel took its inner
 * subports down with it. The repair renames it back and brings it up before
 * them (they used to fail with "Network is down"), in one run.
 */
START_TEST(test_outer_renamed_by_hand_is_repaired_outer_first)
{
	qinq("", "", "", "");
	expect(2, NULL, "reconcile", NULL);
	kt_sh("ip link set a-o down && ip link set a-o name a-x");
	ck_assert(!is_up("q-1"));
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-o") && is_up("q-1") && is_up("q-2"));
	expect(0, NULL, "status", NULL);
}
END_TEST

/* Whether this kernel renames a device that is up: Linux 6.2 and later. */
static bool kernel_renames_up_devices(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	ck_assert_int_eq(uname(&u), 0);
	ck_assert_int_eq(sscanf(u.release, "%d.%d", &major, &minor), 2);
	return major > 6 || (major == 6 && minor >= 2);
}

/*
 * Since Linux 6.2 the kernel renames a device that is up (6.1 says EBUSY), so
 * an operator can rename an outer subport without taking it, or the inner
 * subports on it, down. vlantrunk takes it down for its rename on every
 * kernel: one plan is the same kernel work, side effects and rollback on
 * both. A failure at each request of the repair restores the renamed stack,
 * up; then one run repairs it and the next has nothing to do.
 */
START_TEST(test_outer_renamed_while_up_is_repaired)
{
	char *before, *after, *out = NULL;
	int renamed;

	qinq("", "", "", "");
	expect(2, NULL, "reconcile", NULL);
	renamed = kt_sh_status("ip link set a-o name a-x 2>/dev/null");
	ck_assert_msg((renamed == 0) == kernel_renames_up_devices(),
		      "renaming an up device: exit %d", renamed);
	if (renamed != 0)
		kt_sh("ip link set a-o down && ip link set a-o name a-x && ip link set a-x up");
	ck_assert(is_up("a-x") && is_up("q-1") && is_up("q-2"));

	before = kt_snapshot(env.nl, NULL);
	for (int k = 1; k <= 3; k++) {
		char fault[32];

		snprintf(fault, sizeof(fault), "fail:%d:16", k);
		ck_assert_int_eq(vt(&out, fault, "reconcile"), 1);
		free(out);
		after = kt_snapshot(env.nl, NULL);
		ck_assert_msg(!strcmp(after, before), "after %s:\n%s\nbefore:\n%s", fault, after,
			      before);
		free(after);
	}
	free(before);
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-o") && is_up("q-1") && is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);
}
END_TEST

/*
 * Lowering the outer subport's MTU clamps the inner subports' (their MTU is
 * not managed): that is the desired state, and a rollback raises them again,
 * outer first.
 */
START_TEST(test_lowering_outer_mtu_clamps_inner_and_rolls_back)
{
	char *before, *after;

	qinq("", "", "", "");
	expect(2, NULL, "reconcile", NULL);
	ck_assert_uint_eq(mtu_of("q-1"), 1500);
	/* And a new subport a-3, whose create fails after the MTU change. */
	kt_write(env.config, "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": ["
		 "  {\"name\": \"a-o\", \"vlan\": 100, \"protocol\": \"802.1ad\", \"mtu\": 1400},"
		 "  {\"name\": \"a-2\", \"vlan\": 12}, {\"name\": \"a-3\", \"vlan\": 13}]},"
		 "{\"name\": \"q\", \"parent\": \"a-o\", \"subports\": ["
		 "  {\"name\": \"q-1\", \"vlan\": 10}, {\"name\": \"q-2\", \"vlan\": 20}]}]}");
	before = kt_snapshot(env.nl, NULL);
	expect(2, NULL, "plan", "lowers the mtu of q-1");
	expect(1, "fail:2:16", "reconcile --atomic", NULL);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	ck_assert_uint_eq(mtu_of("q-1"), 1500);
	free(after);
	free(before);

	expect(2, NULL, "reconcile", NULL);
	ck_assert_uint_eq(mtu_of("a-o"), 1400);
	ck_assert_uint_eq(mtu_of("q-1"), 1400);
	expect(0, NULL, "status", NULL);
}
END_TEST

/*
 * An inner subport whose desired MTU the outer one's new MTU cannot carry:
 * the outer change is refused before any request, with the reason, and the
 * inner trunk is left as it is, still in sync.
 */
START_TEST(test_outer_mtu_that_breaks_an_inner_mtu_is_refused)
{
	char *before, *after, *out = NULL;

	qinq("", "", "", ", \"mtu\": 1450");
	expect(2, NULL, "reconcile", NULL);
	qinq("", ", \"mtu\": 1400", "", ", \"mtu\": 1450");
	before = kt_snapshot(env.nl, NULL);
	expect(1, NULL, "plan", "would lower that of q-1");
	ck_assert_int_eq(vt(&out, "fail:100000:5", "reconcile"), 1);
	ck_assert_msg(strstr(out, "would lower that of q-1"), "%s", out);
	ck_assert_uint_eq(kt_requests(out), 0);
	free(out);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
}
END_TEST

/*
 * Setting the outer subport down leaves q-1, declared down, as it is; but a
 * rollback brings a-o up again, and the kernel brings q-1 up with it. The
 * rollback must set it down again (it used to leave it up and say "nothing
 * half-applied was left"), and an operator's VLAN that is down on a-o, which
 * no rollback could set down again, forbids setting a-o down at all.
 */
START_TEST(test_rollback_of_an_outer_down_keeps_the_vlans_on_it_down)
{
	char *before, *after, *out = NULL;

	qinq("", "", "", ", \"up\": false");
	expect(2, NULL, "reconcile", NULL);
	qinq("", ", \"up\": false", "", ", \"up\": false");
	before = kt_snapshot(env.nl, NULL);
	/* q-2 set down, a-o set down, then a-2's MTU change fails. */
	kt_write(env.config, "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": ["
		 "  {\"name\": \"a-o\", \"vlan\": 100, \"protocol\": \"802.1ad\", \"up\": false},"
		 "  {\"name\": \"a-2\", \"vlan\": 12, \"mtu\": 1400}]},"
		 "{\"name\": \"q\", \"parent\": \"a-o\", \"subports\": ["
		 "  {\"name\": \"q-1\", \"vlan\": 10, \"up\": false}, {\"name\": \"q-2\", \"vlan\": 20}]}]}");
	expect(1, "fail:3:16", "reconcile", "rolled back");
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	ck_assert(is_up("a-o") && !is_up("q-1"));
	free(after);

	kt_sh("ip link add link a-o name op-in type vlan id 99");
	free(before);
	before = kt_snapshot(env.nl, NULL);
	ck_assert_int_eq(vt(&out, "fail:100000:5", "reconcile"), 1);
	ck_assert_msg(strstr(out, "op-in"), "%s", out);
	ck_assert_uint_eq(kt_requests(out), 0);
	free(out);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	kt_sh("ip link del op-in");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(!is_up("a-o") && !is_up("q-1") && !is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);
}
END_TEST

/* Trunk a on p0 with outer subport @outer (802.1ad) and a-2; trunk q on it, q-1 declared @q1. */
static void qinq_named(const char *outer, const char *a2_extra, const char *q1)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": ["
		 "  {\"name\": \"%s\", \"vlan\": 100, \"protocol\": \"802.1ad\"},"
		 "  {\"name\": \"a-2\", \"vlan\": 12%s}]},"
		 "{\"name\": \"q\", \"parent\": \"%s\", \"subports\": ["
		 "  {\"name\": \"q-1\", \"vlan\": 10%s}, {\"name\": \"q-2\", \"vlan\": 20}]}]}",
		 outer, a2_extra, outer, q1);
	kt_write(env.config, buf);
}

/*
 * The VLANs an up brings up are those down once the down and change stages
 * ran: q-1 losing loose_binding in the same run (it used to be planned by its
 * old flags, so nothing set it down again: every run rolled back), and q-1
 * set down (its own change) before its outer subport's rename takes a-o down
 * and up again (the same).
 */
START_TEST(test_inner_subport_changed_in_the_same_run_as_its_outers_up)
{
	qinq(", \"admin_state_up\": false", "", "", ", \"up\": false, \"loose_binding\": true");
	expect(2, NULL, "reconcile", NULL);
	qinq("", "", "", ", \"up\": false");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-o") && !is_up("q-1") && is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);

	qinq_named("a-o", "", "");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("q-1"));
	qinq_named("a-p", "", ", \"up\": false");
	expect(2, NULL, "plan", "rename a-o -> a-p");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-p") && !is_up("q-1") && is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);
}
END_TEST

/* Three levels: a on p0 (@outer, 802.1ad, and @a_more), q on @outer (q-1 802.1ad), r on q-1 (r-1 down). */
static void stack3(const char *outer, const char *a_more)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": ["
		 "  {\"name\": \"%s\", \"vlan\": 100, \"protocol\": \"802.1ad\"}%s]},"
		 "{\"name\": \"q\", \"parent\": \"%s\", \"subports\": ["
		 "  {\"name\": \"q-1\", \"vlan\": 10, \"protocol\": \"802.1ad\"}, {\"name\": \"q-2\", \"vlan\": 20}]},"
		 "{\"name\": \"r\", \"parent\": \"q-1\", \"subports\": ["
		 "  {\"name\": \"r-1\", \"vlan\": 30, \"up\": false}, {\"name\": \"r-2\", \"vlan\": 31}]}]}",
		 outer, a_more, outer);
	kt_write(env.config, buf);
}

/*
 * A rename takes the outer subport down and up again, and the kernel the
 * whole stack on it: q-1, up, goes down and comes back up, and brings up
 * what is down on it. r-1 must be set down again (it was left up, and every
 * run rolled back), an operator's VLAN down on q-1 forbids the rename (it
 * was left up, by a run that exited 1), and a rollback after the restate
 * sets r-1 down again too.
 */
START_TEST(test_outer_rename_brings_up_the_vlans_down_two_levels_below)
{
	char *before, *after, *out = NULL;

	stack3("a-o", "");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("q-1") && !is_up("r-1") && is_up("r-2"));

	kt_sh("ip link add link q-1 name op-r type vlan id 99");
	stack3("a-p", "");
	before = kt_snapshot(env.nl, NULL);
	ck_assert_int_eq(vt(&out, "fail:100000:5", "reconcile"), 1);
	ck_assert_msg(strstr(out, "op-r"), "%s", out);
	ck_assert_uint_eq(kt_requests(out), 0);
	free(out);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	/* a-o down, renamed, up; r-1 set down again; then a-3's create fails. */
	kt_sh("ip link del op-r");
	stack3("a-p", ", {\"name\": \"a-3\", \"vlan\": 13}");
	before = kt_snapshot(env.nl, NULL);
	expect(1, "fail:5:16", "reconcile", "create a-3");
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-p") && is_up("q-1") && !is_up("r-1") && is_up("r-2"));
	expect(0, NULL, "reconcile", NULL);
}
END_TEST

/*
 * An inner subport that gets loose_binding in the same run as its outer
 * subport goes down (or is renamed): the kernel sets it down with its parent
 * in the down stage, before the change stage gives it loose_binding, so it
 * must be brought up again (it was left down, and every run rolled back).
 */
START_TEST(test_inner_subport_given_loose_binding_as_its_outer_goes_down)
{
	qinq("", "", "", "");
	expect(2, NULL, "reconcile", NULL);
	qinq("", ", \"up\": false", "", ", \"loose_binding\": true");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(!is_up("a-o") && is_up("q-1") && !is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);

	qinq_named("a-o", "", "");
	expect(2, NULL, "reconcile", NULL);
	qinq_named("a-p", "", ", \"loose_binding\": true");
	expect(2, NULL, "reconcile", NULL);
	ck_assert(is_up("a-p") && is_up("q-1") && is_up("q-2"));
	expect(0, NULL, "reconcile", NULL);
}
END_TEST

static void mac_of(const char *dev, char mac[18])
{
	struct vt_link_table t = { 0 };
	const struct vt_link *l;

	kt_dump(env.nl, &t);
	l = kt_find(&t, dev);
	snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2], l->mac[3],
		 l->mac[4], l->mac[5]);
	vt_link_table_clear(&t);
}

/*
 * A new MAC for the outer subport: the kernel gives it to the VLANs on it
 * that are up and took their address from it (NETDEV_CHANGEADDR,
 * vlan_sync_address()), all the way down. An operator's VLAN among them
 * forbids the change (it used to get the new address too); one with an
 * address of its own does not follow, and the inner subports (their MAC not
 * managed) follow and stay in sync.
 */
START_TEST(test_outer_mac_change_passes_to_the_vlans_that_inherit_it)
{
	char *before, *after, *out = NULL, was[18], now[18];

	qinq("", "", "", "");
	expect(2, NULL, "reconcile", NULL);
	kt_sh("ip link add link a-o name op-in type vlan id 99 && ip link set op-in up");
	mac_of("op-in", was);
	qinq("", ", \"mac\": \"02:00:00:00:0a:0a\"", "", "");
	before = kt_snapshot(env.nl, NULL);
	ck_assert_int_eq(vt(&out, "fail:100000:5", "reconcile"), 1);
	ck_assert_msg(strstr(out, "op-in"), "%s", out);
	ck_assert_uint_eq(kt_requests(out), 0);
	free(out);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	mac_of("op-in", now);
	ck_assert_str_eq(now, was);
	free(after);
	free(before);

	kt_sh("ip link set op-in address 02:00:00:00:0b:0b");
	expect(2, NULL, "reconcile", NULL);
	mac_of("op-in", now);
	ck_assert_str_eq(now, "02:00:00:00:0b:0b");
	mac_of("q-1", now);
	ck_assert_str_eq(now, "02:00:00:00:0a:0a");
	expect(0, NULL, "reconcile", NULL);
}
END_TEST

/* An operator's VLAN on the outer subport: its MTU is not vlantrunk's to lower. */
START_TEST(test_outer_mtu_that_lowers_an_operators_vlan_is_refused)
{
	char *before, *after;

	qinq("", "", "", "");
	expect(2, NULL, "reconcile", NULL);
	kt_sh("ip link add link a-o name op-in type vlan id 99");
	qinq("", ", \"mtu\": 1400", "", "");
	before = kt_snapshot(env.nl, NULL);
	expect(1, NULL, "reconcile", "which vlantrunk does not manage");
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	ck_assert_uint_eq(mtu_of("op-in"), 1500);
	free(after);
	free(before);
}
END_TEST

/* Setting the outer subport down would set an operator's VLAN on it down: refused. */
START_TEST(test_outer_down_that_takes_down_an_operators_vlan_is_refused)
{
	qinq("", "", "", "");
	expect(2, NULL, "reconcile", NULL);
	kt_sh("ip link add link a-o name op-in type vlan id 99 && ip link set op-in up");
	qinq("", ", \"up\": false", "", "");
	expect(1, NULL, "reconcile", "would set op-in down too");
	ck_assert(is_up("a-o") && is_up("op-in"));
}
END_TEST

/*
 * A conflict on one outer subport holds back neither the trunk nested on
 * another outer subport (it converges, ACTIVE) nor says its parent is
 * missing; the trunk nested on the subport in conflict says why it waits.
 */
START_TEST(test_conflict_on_one_outer_subport_frees_the_trunk_on_another)
{
	char *out = NULL;

	kt_write(env.config, "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": ["
		 "  {\"name\": \"a-o\", \"vlan\": 100, \"protocol\": \"802.1ad\"}]},"
		 "{\"name\": \"q\", \"parent\": \"a-o\", \"subports\": [{\"name\": \"q-1\", \"vlan\": 10}]}]}");
	expect(2, NULL, "reconcile", NULL);
	kt_write(env.config, "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": ["
		 "  {\"name\": \"a-o\", \"vlan\": 100, \"protocol\": \"802.1ad\"},"
		 "  {\"name\": \"a-c\", \"vlan\": 101, \"protocol\": \"802.1ad\"}]},"
		 "{\"name\": \"q\", \"parent\": \"a-o\", \"subports\": ["
		 "  {\"name\": \"q-1\", \"vlan\": 10}, {\"name\": \"q-2\", \"vlan\": 11}]},"
		 "{\"name\": \"r\", \"parent\": \"a-c\", \"subports\": [{\"name\": \"r-1\", \"vlan\": 10}]}]}");
	kt_sh("ip link add a-c type dummy");
	ck_assert_int_eq(vt(&out, NULL, "reconcile"), 1);
	free(out);
	ck_assert_int_eq(kt_sh_status("ip link show dev q-2 >/dev/null"), 0);
	ck_assert_int_eq(vt(&out, NULL, "--json status"), 1);
	ck_assert_msg(strstr(out, "\"q\"") && strstr(out, "ACTIVE"), "%s", out);
	ck_assert_msg(strstr(out, "parent a-c is missing (outer trunk a: the name a-c is held"),
		      "%s", out);
	free(out);
}
END_TEST

/*
 * A recreate (VLAN id 10 -> 20) fails after an operator stacked a VLAN of
 * their own on the new device: the rollback must not delete it (the kernel
 * would delete the operator's VLAN with it). It is kept and reported, the
 * journal stays (exit 3), and once the operator's VLAN is gone the next run
 * recovers and converges.
 */
START_TEST(test_rollback_keeps_a_recreated_device_an_operator_stacked_on)
{
	char *out = NULL;

	kt_write(env.config, "{\"version\": 1, \"trunks\": [{\"name\": \"a\", \"parent\": \"p0\", "
		 "\"subports\": [{\"name\": \"a-1\", \"vlan\": 20}]}]}");
	kt_sh("ip link add link p0 name a-1 type vlan id 10 && ip link set a-1 alias vlantrunk:a up");
	/* 1 delete a-1, 2 create it, 3 mark it, 4 set it up: fails. */
	ck_assert_int_eq(vt(&out, "sh:3:ip link add link a-1 name op-in type vlan id 99,fail:4:16",
			    "reconcile"), 3);
	ck_assert_msg(strstr(out, "op-in sits on it"), "%s", out);
	free(out);
	ck_assert_int_eq(kt_sh_status("ip link show dev op-in >/dev/null"), 0);
	ck_assert_int_eq(kt_journals(env.state), 1);

	kt_sh("ip link del op-in");
	expect(2, NULL, "reconcile", NULL);
	expect(0, NULL, "plan", NULL);
	ck_assert_int_eq(kt_journals(env.state), 0);
}
END_TEST

/*
 * Trunk a's outer subport a-q2 (802.1ad) recreated on a new VLAN id while
 * eth1, on it in trunk q, moves to trunk b on p1 (a recreate too). Deleting
 * a-q2 takes eth1 with it, so eth1 must be deleted first though its new
 * trunk is not nested: by its depth in the kernel, not its trunk's. It used
 * to fail at every run ("delete eth1: No such device") and the rollback lost
 * eth1 ("its parent a-q2 is not restored"). Every failure point rolls back
 * to the state before; every kill point recovers and converges.
 */
static void qinq_move(bool moved)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "{\"version\": 1, \"trunks\": ["
		 "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": ["
		 "  {\"name\": \"a-q2\", \"vlan\": %d, \"protocol\": \"802.1ad\"}]},"
		 "{\"name\": \"q\", \"parent\": \"a-q2\", \"subports\": [%s]},"
		 "{\"name\": \"b\", \"parent\": \"p1\", \"subports\": [%s]}]}",
		 moved ? 100 : 101, moved ? "" : "{\"name\": \"eth1\", \"vlan\": 13}",
		 moved ? "{\"name\": \"eth1\", \"vlan\": 16}" : "");
	kt_write(env.config, buf);
}

START_TEST(test_outer_recreated_while_an_inner_subport_moves_to_another_trunk)
{
	char *before, *after, *out = NULL, fault[32];
	int k, ret;

	kt_sh("ip link add p1 type dummy && ip link set p1 up");
	qinq_move(false);
	expect(2, NULL, "reconcile", NULL);
	before = kt_snapshot(env.nl, NULL);
	qinq_move(true);
	/* Fail each request in turn until the run has fewer: then it converges. */
	for (k = 1;; k++) {
		snprintf(fault, sizeof(fault), "fail:%d:16", k);
		ret = vt(&out, fault, "reconcile");
		if (ret == 2)
			break;
		ck_assert_msg(ret == 1, "%s: exit %d: %s", fault, ret, out);
		free(out);
		out = NULL;
		after = kt_snapshot(env.nl, NULL);
		ck_assert_msg(!strcmp(after, before), "%s:\n%s\nwas\n%s", fault, after, before);
		free(after);
		ck_assert_int_eq(kt_journals(env.state), 0);
	}
	free(out);
	ck_assert_msg(k > 4, "only %d requests", k - 1);
	ck_assert_int_eq(kt_sh_status("ip -j -d link show dev eth1 | grep -q '\"link\":\"p1\"'"), 0);
	expect(0, NULL, "reconcile", NULL);

	/* Killed after each request of the way back: recovery, then convergence. */
	for (int kill = 1;; kill++) {
		qinq_move(false);
		snprintf(fault, sizeof(fault), "kill-after:%d", kill);
		ret = vt(&out, fault, "reconcile");
		free(out);
		out = NULL;
		if (ret != 128 + SIGKILL) {
			ck_assert_msg(ret == 2 && kill > 4, "%s: exit %d", fault, ret);
			break;
		}
		expect(2, NULL, "reconcile", NULL);
		expect(0, NULL, "reconcile", NULL);
		after = kt_snapshot(env.nl, NULL);
		ck_assert_msg(!strcmp(after, before), "%s:\n%s\nwas\n%s", fault, after, before);
		free(after);
		ck_assert_int_eq(kt_journals(env.state), 0);
		qinq_move(true);
		expect(2, NULL, "reconcile", NULL);
	}
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
}
END_TEST

Suite *effects_suite(void)
{
	Suite *s = suite_create("effects");
	TCase *tc = tcase_create("stacked");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_outer_admin_up_keeps_an_admin_down_inner_trunk_down);
	tcase_add_test(tc, test_outer_up_with_an_inner_subport_declared_down_and_its_rollback);
	tcase_add_test(tc, test_outer_renamed_by_hand_is_repaired_outer_first);
	tcase_add_test(tc, test_outer_renamed_while_up_is_repaired);
	tcase_add_test(tc, test_lowering_outer_mtu_clamps_inner_and_rolls_back);
	tcase_add_test(tc, test_outer_mtu_that_breaks_an_inner_mtu_is_refused);
	tcase_add_test(tc, test_outer_mtu_that_lowers_an_operators_vlan_is_refused);
	tcase_add_test(tc, test_outer_down_that_takes_down_an_operators_vlan_is_refused);
	tcase_add_test(tc, test_conflict_on_one_outer_subport_frees_the_trunk_on_another);
	tcase_add_test(tc, test_rollback_keeps_a_recreated_device_an_operator_stacked_on);
	tcase_add_test(tc, test_outer_recreated_while_an_inner_subport_moves_to_another_trunk);
	tcase_add_test(tc, test_rollback_of_an_outer_down_keeps_the_vlans_on_it_down);
	tcase_add_test(tc, test_inner_subport_changed_in_the_same_run_as_its_outers_up);
	tcase_add_test(tc, test_outer_rename_brings_up_the_vlans_down_two_levels_below);
	tcase_add_test(tc, test_inner_subport_given_loose_binding_as_its_outer_goes_down);
	tcase_add_test(tc, test_outer_mac_change_passes_to_the_vlans_that_inherit_it);
	suite_add_tcase(s, tc);
	return s;
}
