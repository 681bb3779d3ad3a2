/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * subport.ipv6 in the planner: when a device's IPv6 state is in sync, what a
 * change or a create asks for, and how a difference reads. The kernel table
 * is built by hand; the desired state goes through the real loader.
 *
 * JSON in this file is written with ' for " so that it stays readable.
 */
#define _GNU_SOURCE		/* asprintf */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "vt_desired.h"
#include "vt_link.h"
#include "vt_plan.h"

enum { LO = 1, ETH0 = 2, ETH1 = 3, SA = 10 };

#define MARKER VT_MARKER_PREFIX "t"

static const struct vt_ipv6 eui64_on = { true, VT_ADDR_GEN_EUI64, false };
static const struct vt_ipv6 none_off = { true, VT_ADDR_GEN_NONE, true };
static const struct vt_ipv6 no_state = { false, 0, false };

static struct vt_desired desired;
static struct vt_link_table table;
static struct vt_plan plan;

static void add(int ifindex, const char *name, int parent, uint32_t mtu, struct vt_ipv6 ipv6)
{
	struct vt_link l = { .ifindex = ifindex, .parent = parent, .mtu = mtu, .up = true,
			     .ipv6 = ipv6 };

	snprintf(l.name, sizeof(l.name), "%s", name);
	if (parent) {
		snprintf(l.kind, sizeof(l.kind), "vlan");
		ck_assert_int_eq(vt_link_set_alias(&l, MARKER), 0);
		l.is_vlan = true;
		l.vlan.id = 10;
		l.vlan.protocol = VT_PROTO_8021Q;
		l.vlan.flags = VT_VLAN_REORDER_HDR;
	}
	ck_assert_int_eq(vt_link_table_add(&table, &l), 0);
}

static void setup(void)
{
	memset(&desired, 0, sizeof(desired));
	memset(&table, 0, sizeof(table));
	memset(&plan, 0, sizeof(plan));
	add(LO, "lo", 0, 65536, eui64_on);
	add(ETH0, "eth0", 0, 1500, eui64_on);
	add(ETH1, "eth1", 0, 1000, no_state);
}

static void teardown(void)
{
	vt_plan_free(&plan);
	vt_desired_free(&desired);
	vt_link_table_clear(&table);
}

/* Plan subport @fields of trunk t on @parent against the table. */
static const struct vt_subport_report *plan_on(const char *parent, const char *fields)
{
	char *json;
	struct vt_diags diags = { 0 };

	ck_assert_int_ge(asprintf(&json, "{'version':1,'trunks':[{'name':'t','parent':'%s',"
				  "'subports':[{'name':'sa','vlan':10%s%s}]}]}", parent,
				  fields[0] ? "," : "", fields), 0);
	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	ck_assert_int_eq(vt_desired_parse(json, strlen(json), "t.json", &desired, &diags), 0);
	free(json);
	vt_diag_free(&diags);
	ck_assert_int_eq(vt_link_table_index(&table), 0);
	ck_assert_int_eq(vt_plan_build(&desired, &table, NULL, 0, &plan), 0);
	ck_assert_uint_eq(plan.n_trunks, 1);
	return &plan.trunks[0].subports[0];
}

static const struct vt_subport_report *plan_of(const char *fields)
{
	return plan_on("eth0", fields);
}

static void values(const struct vt_subport_report *rep, const char *old, const char *want)
{
	char o[64], w[64];

	vt_diff_values(VT_D_IPV6, rep, &table, o, w, sizeof(o));
	ck_assert_str_eq(o, old);
	ck_assert_str_eq(w, want);
}

START_TEST(test_false_in_sync_when_off)
{
	add(SA, "sa", ETH0, 1500, none_off);
	ck_assert_int_eq(plan_of("")->state, VT_SP_IN_SYNC);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* Mode none alone, or disable_ipv6 alone, is not "no part in IPv6". */
START_TEST(test_false_differs_until_both)
{
	static const struct vt_ipv6 half[] = { { true, VT_ADDR_GEN_NONE, false },
					       { true, VT_ADDR_GEN_EUI64, true },
					       { true, VT_ADDR_GEN_RANDOM, false } };
	static const char *const old[] = { "none enabled", "eui64 disabled", "random enabled" };
	const struct vt_subport_report *rep;
	const struct vt_op *op;

	add(SA, "sa", ETH0, 1500, half[_i]);
	rep = plan_of("'ipv6':false");
	ck_assert_int_eq(rep->state, VT_SP_DIFFERS);
	ck_assert_uint_eq(rep->differs, VT_D_IPV6);
	values(rep, old[_i], "false");
	ck_assert_uint_eq(plan.n_ops, 1);
	op = &plan.ops[0];
	ck_assert_int_eq(op->kind, VT_OP_CHANGE);
	ck_assert_uint_eq(op->after.fields, VT_F_ADDR_GEN_MODE);
	ck_assert_uint_eq(op->after.link.ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
	ck_assert(op->after.link.ipv6.disabled);
	ck_assert_str_eq(vt_diff_name(VT_D_IPV6), "ipv6");
}
END_TEST

/* true asks only that addresses be generated: any mode but none, disabled or not. */
START_TEST(test_true_differs_only_with_mode_none)
{
	const struct vt_subport_report *rep;
	const struct vt_op *op;

	add(SA, "sa", ETH0, 1500, none_off);
	rep = plan_of("'ipv6':true");
	ck_assert_int_eq(rep->state, VT_SP_DIFFERS);
	ck_assert_uint_eq(rep->differs, VT_D_IPV6);
	values(rep, "none disabled", "true");
	op = &plan.ops[0];
	ck_assert_uint_eq(op->after.fields, VT_F_ADDR_GEN_MODE);
	/* The kernel's own default; the engine asks the namespace for its own. */
	ck_assert_uint_eq(op->after.link.ipv6.addr_gen_mode, VT_ADDR_GEN_EUI64);
	ck_assert(!op->after.link.ipv6.disabled);
}
END_TEST

START_TEST(test_true_in_sync_with_any_other_mode)
{
	static const struct vt_ipv6 states[] = { { true, VT_ADDR_GEN_EUI64, false },
						 { true, VT_ADDR_GEN_EUI64, true },
						 { true, VT_ADDR_GEN_STABLE_PRIVACY, false },
						 { true, VT_ADDR_GEN_RANDOM, true } };

	add(SA, "sa", ETH0, 1500, states[_i]);
	ck_assert_int_eq(plan_of("'ipv6':true")->state, VT_SP_IN_SYNC);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* Below an MTU of 1280 there is no IPv6 state: in sync either way. */
START_TEST(test_no_state_in_sync_either_way)
{
	add(SA, "sa", ETH0, 1000, no_state);
	ck_assert_int_eq(plan_of(_i ? "'ipv6':true" : "")->state, VT_SP_IN_SYNC);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* An MTU that takes the device below 1280 takes its IPv6 state with it. */
START_TEST(test_mtu_below_1280_drops_the_difference)
{
	const struct vt_subport_report *rep;

	add(SA, "sa", ETH0, 1500, eui64_on);
	rep = plan_of("'mtu':1200");
	ck_assert_uint_eq(rep->differs, VT_D_MTU);
	ck_assert_uint_eq(plan.ops[0].after.fields, VT_F_MTU);
}
END_TEST

/*
 * Raised to 1280 or more, the MTU makes IPv6 state anew from the namespace's
 * defaults: with ipv6 false the change turns it off too, though nothing of
 * IPv6 differs yet; with true it is left as the kernel makes it.
 */
START_TEST(test_mtu_raise_across_1280)
{
	const struct vt_subport_report *rep;

	add(SA, "sa", ETH0, 1000, no_state);
	rep = plan_of(_i ? "'mtu':1500,'ipv6':true" : "'mtu':1280");
	ck_assert_uint_eq(rep->differs, VT_D_MTU);
	ck_assert_uint_eq(plan.ops[0].after.fields, VT_F_MTU | (_i ? 0 : VT_F_ADDR_GEN_MODE));
	if (!_i) {
		ck_assert_uint_eq(plan.ops[0].after.link.ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
		ck_assert(plan.ops[0].after.link.ipv6.disabled);
	}
}
END_TEST

/*
 * A create with ipv6 false asks for mode none (the engine sends it after the
 * create, before the device is up), unless its MTU, its own or its parent's,
 * gives it no IPv6 state.
 */
START_TEST(test_create)
{
	static const struct {
		const char *parent, *fields;
		bool off;
	} cases[] = {
		{ "eth0", "", true },
		{ "eth0", "'ipv6':true", false },
		{ "eth0", "'mtu':1279", false },
		{ "eth1", "", false },			/* eth1's MTU is 1000 */
		{ "eth0", "'mtu':1280", true },
	};
	const struct vt_op *op;

	plan_on(cases[_i].parent, cases[_i].fields);
	ck_assert_uint_eq(plan.n_ops, 1);
	op = &plan.ops[0];
	ck_assert_int_eq(op->kind, VT_OP_CREATE);
	ck_assert_uint_eq(!!(op->after.fields & VT_F_ADDR_GEN_MODE), cases[_i].off);
	if (cases[_i].off) {
		ck_assert_uint_eq(op->after.link.ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
		ck_assert(op->after.link.ipv6.disabled);
	}
}
END_TEST

Suite *plan_ipv6_suite(void)
{
	Suite *s = suite_create("plan_ipv6");
	TCase *tc = tcase_create("ipv6");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_false_in_sync_when_off);
	tcase_add_loop_test(tc, test_false_differs_until_both, 0, 3);
	tcase_add_test(tc, test_true_differs_only_with_mode_none);
	tcase_add_loop_test(tc, test_true_in_sync_with_any_other_mode, 0, 4);
	tcase_add_loop_test(tc, test_no_state_in_sync_either_way, 0, 2);
	tcase_add_test(tc, test_mtu_below_1280_drops_the_difference);
	tcase_add_loop_test(tc, test_mtu_raise_across_1280, 0, 2);
	tcase_add_loop_test(tc, test_create, 0, 5);
	suite_add_tcase(s, tc);
	return s;
}
