/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The planner: a desired state read by the real loader from JSON, against a
 * kernel link table built by hand. Reports, operations, their commit order,
 * and the --json renderers.
 *
 * JSON in this file is written with ' for " so that it stays readable;
 * plan_of() turns it back into JSON.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "suites.h"
#include "vt_desired.h"
#include "vt_link.h"
#include "vt_plan.h"
#include "report/report.h"

/* The base kernel every test starts from. */
enum { LO = 1, ETH0 = 2, ETH1 = 3, BR0 = 4, BR1 = 5, DUMMY0 = 6 };

#define DOC(trunks) "{'version':1,'trunks':[" trunks "]}"
#define TRUNK(name, parent, subports) \
	"{'name':'" name "','parent':'" parent "','subports':[" subports "]}"
/* Trunk "t" on eth0. */
#define T(subports) TRUNK("t", "eth0", subports)
#define SP(name, vlan) "{'name':'" name "','vlan':" #vlan "}"
#define MARK(trunk) VT_MARKER_PREFIX trunk

/*
 * What a create asks for whatever the subport declares; with ipv6 false (the
 * default) and an MTU of 1280 or more, the address generation mode too.
 */
#define CREATE_FIELDS (VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID | VT_F_PROTOCOL | \
		       VT_F_VLAN_FLAGS | VT_F_INGRESS | VT_F_EGRESS | VT_F_UP | VT_F_ALIAS | \
		       VT_F_ADDR_GEN_MODE)

static struct vt_desired desired;
static struct vt_link_table table;
static struct vt_plan plan;

/*
 * Append a device to the kernel table. The pointer returned is for tweaks
 * and stays valid only until the next add_link() or plan_of().
 */
static struct vt_link *add_link(int ifindex, const char *name, const char *kind, int parent,
				uint16_t vlan, uint16_t protocol, const char *alias)
{
	struct vt_link l = {
		.ifindex = ifindex, .parent = parent, .mtu = 1500, .up = true, .has_mac = true,
		.mac = { 0x02, 0, 0, 0, (uint8_t)(ifindex >> 8), (uint8_t)ifindex },
	};

	snprintf(l.name, sizeof(l.name), "%s", name);
	snprintf(l.kind, sizeof(l.kind), "%s", kind);
	ck_assert_int_eq(vt_link_set_alias(&l, alias), 0);
	if (!strcmp(kind, "vlan")) {
		l.is_vlan = true;
		l.vlan.id = vlan;
		l.vlan.protocol = protocol;
		l.vlan.flags = VT_VLAN_REORDER_HDR;	/* the kernel's default */
	}
	ck_assert_int_eq(vt_link_table_add(&table, &l), 0);
	return &table.links[table.n - 1];
}

/* An 802.1Q device; @alias NULL for none. */
static struct vt_link *vlan(int ifindex, const char *name, int parent, uint16_t id,
			    const char *alias)
{
	return add_link(ifindex, name, "vlan", parent, id, VT_PROTO_8021Q, alias);
}

/* @l gets the altnames listed (NULL-ended); the table frees them. */
static void altnames(struct vt_link *l, ...)
{
	char *names[8];
	size_t n = 0;
	va_list ap;

	va_start(ap, l);
	while (n < 8 && (names[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	ck_assert_int_eq(vt_link_set_altnames(l, names, n), 0);
}
#define ALTNAMES(l, ...) altnames(l, __VA_ARGS__, (char *)NULL)

/* 127 bytes, the longest altname (ALTIFNAMSIZ - 1): no IFLA_IFNAME holds it. */
#define LONG_ALT "uplink-by-its-longest-possible-altname-which-the-desired-state-must-take-" \
	"and-the-planner-must-resolve-to-the-device-own-name-xy"

static void setup(void)
{
	memset(&desired, 0, sizeof(desired));
	memset(&table, 0, sizeof(table));
	memset(&plan, 0, sizeof(plan));
	add_link(LO, "lo", "", 0, 0, 0, NULL)->mtu = 65536;
	add_link(ETH0, "eth0", "", 0, 0, 0, NULL);
	add_link(ETH1, "eth1", "", 0, 0, 0, NULL)->mtu = 9000;
	add_link(BR0, "br0", "bridge", 0, 0, 0, NULL);
	add_link(BR1, "br1", "bridge", 0, 0, 0, NULL);
	add_link(DUMMY0, "dummy0", "dummy", 0, 0, 0, NULL);
}

static void teardown(void)
{
	vt_plan_free(&plan);
	vt_desired_free(&desired);
	vt_link_table_clear(&table);
}

static void load(const char *text)
{
	char *json = strdup(text);
	struct vt_diags diags = { 0 };
	char what[512] = "";
	int ret;

	ck_assert_ptr_nonnull(json);
	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
	ret = vt_desired_parse(json, strlen(json), "test.json", &desired, &diags);
	if (diags.n)
		vt_diag_format(&diags.v[0], what, sizeof(what));
	vt_diag_free(&diags);
	free(json);
	ck_assert_msg(ret == 0, "desired state rejected (%d): %s", ret, what);
}

/* Plan @text against the table; the variadic trunk names (NULL-ended) are `only`. */
static const struct vt_plan *plan_of(const char *text, ...)
{
	const char *only[8];
	size_t n_only = 0;
	const char *name;
	va_list ap;

	va_start(ap, text);
	while ((name = va_arg(ap, const char *)) != NULL && n_only < 8)
		only[n_only++] = name;
	va_end(ap);
	load(text);
	ck_assert_int_eq(vt_link_table_index(&table), 0);
	ck_assert_int_eq(vt_plan_build(&desired, &table, only, n_only, &plan), 0);
	return &plan;
}
#define PLAN(...) plan_of(__VA_ARGS__, NULL)

static const struct vt_link *dev(const char *name)
{
	const struct vt_link *l = vt_link_table_find_name(&table, VT_NS_OWN, name);

	ck_assert_msg(l != NULL, "no device %s in the table", name);
	return l;
}

static size_t trunk_index(const char *name)
{
	for (size_t i = 0; i < plan.n_trunks; i++)
		if (!strcmp(plan.trunks[i].name, name))
			return i;
	ck_abort_msg("no report for trunk %s", name);
	return SIZE_MAX;
}

static const struct vt_trunk_report *trunk_of(const char *name)
{
	return &plan.trunks[trunk_index(name)];
}

static bool has_report(const char *name)
{
	for (size_t i = 0; i < plan.n_trunks; i++)
		if (!strcmp(plan.trunks[i].name, name))
			return true;
	return false;
}

static const struct vt_subport_report *subport_of(const char *trunk, const char *name)
{
	const struct vt_trunk_report *r = trunk_of(trunk);

	for (size_t i = 0; i < r->n_subports; i++)
		if (r->subports[i].want && !strcmp(r->subports[i].want->name, name))
			return &r->subports[i];
	ck_abort_msg("trunk %s has no subport %s", trunk, name);
	return NULL;
}

/* The device an operation is about: the kernel's, or the one it creates. */
static const char *op_device(const struct vt_op *op)
{
	return op->before ? op->before->name : op->after.link.name;
}

/* Position of the operation on @device (by its current name or its new one), or -1. */
static long op_pos(const char *device)
{
	for (size_t i = 0; i < plan.n_ops; i++) {
		const struct vt_op *op = &plan.ops[i];

		if (!strcmp(op_device(op), device) ||
		    (op->kind != VT_OP_DELETE && !strcmp(op->after.link.name, device)))
			return (long)i;
	}
	return -1;
}

static const struct vt_op *op_on(const char *device)
{
	long i = op_pos(device);

	ck_assert_msg(i >= 0, "no operation on %s", device);
	return &plan.ops[i];
}

static size_t count_ops(enum vt_op_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < plan.n_ops; i++)
		n += plan.ops[i].kind == kind;
	return n;
}

static size_t ops_of_trunk(const char *trunk)
{
	size_t n = 0;

	for (size_t i = 0; i < plan.n_ops; i++)
		n += !strcmp(plan.trunks[plan.ops[i].trunk].name, trunk);
	return n;
}

/* 0 deletes and recreates, 1 changes and renames, 2 creates. */
static int phase(const struct vt_op *op)
{
	switch (op->kind) {
	case VT_OP_DELETE:
	case VT_OP_RECREATE:
		return 0;
	case VT_OP_CHANGE:
	case VT_OP_RENAME:
		return 1;
	default:
		return 2;
	}
}

static void assert_commit_order(void)
{
	for (size_t i = 1; i < plan.n_ops; i++)
		ck_assert_msg(phase(&plan.ops[i - 1]) <= phase(&plan.ops[i]),
			      "%s %s planned before %s %s",
			      vt_op_kind_name(plan.ops[i].kind), op_device(&plan.ops[i]),
			      vt_op_kind_name(plan.ops[i - 1].kind), op_device(&plan.ops[i - 1]));
}

static void assert_contains(const char *text, const char *part)
{
	ck_assert_msg(strstr(text, part) != NULL, "\"%s\" does not mention \"%s\"", text, part);
}

/* ---- in sync, admin state ---- */

START_TEST(test_in_sync)
{
	vlan(10, "sa", ETH0, 10, MARK("t"));
	vlan(11, "sb", ETH0, 20, MARK("t"));
	PLAN(DOC(T(SP("sa", 10) "," SP("sb", 20))));

	ck_assert_uint_eq(plan.n_trunks, 1);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ACTIVE);
	ck_assert(trunk_of("t")->can_converge);
	ck_assert(!trunk_of("t")->blocked);
	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_IN_SYNC);
	ck_assert_int_eq(subport_of("t", "sb")->state, VT_SP_IN_SYNC);
	ck_assert_ptr_eq(subport_of("t", "sb")->have, dev("sb"));
	ck_assert_uint_eq(subport_of("t", "sa")->differs, 0);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_admin_down_in_sync)
{
	vlan(10, "sa", ETH0, 10, MARK("t"))->up = false;
	vlan(11, "sb", ETH0, 20, MARK("t"))->up = false;
	PLAN(DOC("{'name':'t','parent':'eth0','admin_state_up':false,'subports':["
		 SP("sa", 10) ",{'name':'sb','vlan':20,'up':true}]}"));

	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_DOWN);
	ck_assert(trunk_of("t")->can_converge);
	ck_assert_int_eq(subport_of("t", "sb")->state, VT_SP_IN_SYNC);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_admin_down_device_up)
{
	const struct vt_op *op;

	vlan(10, "sa", ETH0, 10, MARK("t"))->up = false;
	vlan(11, "sb", ETH0, 20, MARK("t"));
	PLAN(DOC("{'name':'t','parent':'eth0','admin_state_up':false,'subports':["
		 SP("sa", 10) "," SP("sb", 20) "]}"));

	ck_assert_uint_eq(plan.n_ops, 1);
	op = op_on("sb");
	ck_assert_int_eq(op->kind, VT_OP_CHANGE);
	ck_assert_uint_eq(op->differs, VT_D_UP);
	ck_assert_uint_eq(op->after.fields, VT_F_UP);
	ck_assert(!op->after.link.up);
	ck_assert_int_eq(op->after.link.ifindex, 11);
	ck_assert_int_eq(subport_of("t", "sb")->state, VT_SP_DIFFERS);
	ck_assert_int_ne(trunk_of("t")->status, VT_TRUNK_ACTIVE);
}
END_TEST

/* ---- create ---- */

START_TEST(test_missing_create)
{
	const struct vt_op *op;
	const struct vt_subport_report *rep;
	static const uint8_t mac[VT_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0xc8 };

	PLAN(DOC(T("{'name':'sa','vlan':200,'protocol':'802.1ad','mtu':1496,"
		   "'mac':'02:00:00:00:00:c8','up':true,'master':'br0','reorder_hdr':false,"
		   "'gvrp':true,'mvrp':false,'loose_binding':true,'bridge_binding':false,"
		   "'egress_qos':{'5':5},'ingress_qos':{'3':4}}," SP("sb", 10))));

	ck_assert_uint_eq(plan.n_ops, 2);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_DEGRADED);
	ck_assert(trunk_of("t")->can_converge);
	rep = subport_of("t", "sa");
	ck_assert_int_eq(rep->state, VT_SP_MISSING);
	ck_assert_ptr_null(rep->have);

	op = op_on("sa");
	ck_assert_int_eq(op->kind, VT_OP_CREATE);
	ck_assert_ptr_null(op->before);
	ck_assert_uint_eq(op->trunk, trunk_index("t"));
	ck_assert_uint_eq(op->subport, 0);
	ck_assert_uint_eq(op->depth, 0);
	ck_assert_str_eq(op->parent_name, "eth0");
	ck_assert_str_eq(op->master_name, "br0");
	ck_assert_uint_eq(op->after.fields, CREATE_FIELDS | VT_F_MTU | VT_F_MAC | VT_F_MASTER);
	ck_assert_uint_eq(op->after.vlan_flags_mask, VT_VLAN_FLAGS_ALL);
	ck_assert_str_eq(op->after.link.name, "sa");
	ck_assert_int_eq(op->after.link.parent, 0);	/* by name */
	ck_assert(op->after.link.is_vlan);
	ck_assert_uint_eq(op->after.link.vlan.id, 200);
	ck_assert_uint_eq(op->after.link.vlan.protocol, VT_PROTO_8021AD);
	ck_assert_uint_eq(op->after.link.vlan.flags, VT_VLAN_GVRP | VT_VLAN_LOOSE_BINDING);
	ck_assert_uint_eq(vt_vlan_ingress(&op->after.link.vlan, 3), 4);
	ck_assert_uint_eq(vt_vlan_ingress(&op->after.link.vlan, 5), 0);
	ck_assert_uint_eq(op->after.link.vlan.n_egress, 1);
	ck_assert_uint_eq(op->after.link.vlan.egress[0].from, 5);
	ck_assert_uint_eq(op->after.link.vlan.egress[0].to, 5);
	ck_assert_uint_eq(op->after.link.mtu, 1496);
	ck_assert_mem_eq(op->after.link.mac, mac, VT_MAC_LEN);
	ck_assert(op->after.link.up);
	ck_assert_int_eq(op->after.link.master, BR0);
	ck_assert_str_eq(vt_link_alias(&op->after.link), MARK("t"));

	op = op_on("sb");
	ck_assert_int_eq(op->kind, VT_OP_CREATE);
	ck_assert_uint_eq(op->subport, 1);
	ck_assert_uint_eq(op->after.fields, CREATE_FIELDS);
	ck_assert_uint_eq(op->after.link.vlan.protocol, VT_PROTO_8021Q);
	ck_assert_uint_eq(op->after.link.vlan.flags, VT_VLAN_REORDER_HDR);
	ck_assert_uint_eq(op->after.link.vlan.n_egress, 0);
	ck_assert_str_eq(op->master_name, "");
	ck_assert_str_eq(vt_link_alias(&op->after.link), MARK("t"));
}
END_TEST

START_TEST(test_create_admin_down)
{
	PLAN(DOC("{'name':'t','parent':'eth0','admin_state_up':false,'subports':["
		 SP("sa", 10) "]}"));

	ck_assert_uint_eq(plan.n_ops, 1);
	ck_assert_int_eq(op_on("sa")->kind, VT_OP_CREATE);
	ck_assert(op_on("sa")->after.fields & VT_F_UP);
	ck_assert(!op_on("sa")->after.link.up);
}
END_TEST

/* ---- one field differs: a change of that field only ---- */

static void no_reorder(struct vt_link *l) { l->vlan.flags = 0; }
static void loose(struct vt_link *l) { l->vlan.flags |= VT_VLAN_LOOSE_BINDING; }
static void gvrp_on(struct vt_link *l) { l->vlan.flags |= VT_VLAN_GVRP; }
static void ingress_2_7(struct vt_link *l) { ck_assert_int_eq(vt_vlan_set_ingress(&l->vlan, 2, 7), 0); }
static void mtu_1400(struct vt_link *l) { l->mtu = 1400; }
static void other_mac(struct vt_link *l) { l->mac[0] = 0x06; }
static void in_br0(struct vt_link *l) { l->master = BR0; }
static void in_br1(struct vt_link *l) { l->master = BR1; }
static void other_owner(struct vt_link *l) { ck_assert_int_eq(vt_link_set_alias(l, MARK("other")), 0); }

static void egress_5_5(struct vt_link *l)
{
	l->vlan.egress = calloc(1, sizeof(*l->vlan.egress));	/* the table frees it */
	ck_assert_ptr_nonnull(l->vlan.egress);
	l->vlan.egress[0] = (struct vt_qos_entry){ 5, 5 };
	l->vlan.n_egress = 1;
}

static const struct field_case {
	const char *what;
	const char *fields;		/* more keys of subport sa (vlan 10 on eth0) */
	void (*tweak)(struct vt_link *);	/* the kernel's sa, managed by t */
	uint32_t differs;		/* 0: in sync */
	uint32_t link_fields;
	uint32_t mask;
	const char *old, *want;		/* vt_diff_values() of @differs */
} field_cases[] = {
	{ "reorder_hdr", "", no_reorder, VT_D_REORDER_HDR, VT_F_VLAN_FLAGS,
	  VT_VLAN_REORDER_HDR, "false", "true" },
	{ "gvrp", ",'gvrp':true", NULL, VT_D_GVRP, VT_F_VLAN_FLAGS, VT_VLAN_GVRP, "false", "true" },
	{ "mvrp", ",'mvrp':true", NULL, VT_D_MVRP, VT_F_VLAN_FLAGS, VT_VLAN_MVRP, "false", "true" },
	{ "loose_binding", "", loose, VT_D_LOOSE_BINDING, VT_F_VLAN_FLAGS,
	  VT_VLAN_LOOSE_BINDING, "true", "false" },
	{ "bridge_binding", ",'bridge_binding':true,'gvrp':true", gvrp_on, VT_D_BRIDGE_BINDING,
	  VT_F_VLAN_FLAGS, VT_VLAN_BRIDGE_BINDING, "false", "true" },
	{ "ingress_qos set", ",'ingress_qos':{'3':4}", NULL, VT_D_INGRESS, VT_F_INGRESS, 0,
	  "none", "3:4" },
	{ "ingress_qos cleared", "", ingress_2_7, VT_D_INGRESS, VT_F_INGRESS, 0, "2:7", "none" },
	{ "egress_qos", ",'egress_qos':{'7':1,'5':5}", egress_5_5, VT_D_EGRESS, VT_F_EGRESS, 0,
	  "5:5", "5:5 7:1" },
	{ "egress_qos same", ",'egress_qos':{'5':5}", egress_5_5, 0, 0, 0, NULL, NULL },
	{ "mtu", ",'mtu':1400", NULL, VT_D_MTU, VT_F_MTU, 0, "1500", "1400" },
	{ "mtu unset", "", mtu_1400, 0, 0, 0, NULL, NULL },
	{ "mac", ",'mac':'02:00:00:00:00:c8'", NULL, VT_D_MAC, VT_F_MAC, 0,
	  "02:00:00:00:00:0a", "02:00:00:00:00:c8" },
	{ "mac unset", "", other_mac, 0, 0, 0, NULL, NULL },
	{ "up", ",'up':false", NULL, VT_D_UP, VT_F_UP, 0, "up", "down" },
	{ "master set", ",'master':'br0'", NULL, VT_D_MASTER, VT_F_MASTER, 0, "none", "br0" },
	{ "master changed", ",'master':'br0'", in_br1, VT_D_MASTER, VT_F_MASTER, 0, "br1", "br0" },
	{ "master unset", "", in_br0, VT_D_MASTER, VT_F_MASTER, 0, "br0", "none" },
	{ "master same", ",'master':'br0'", in_br0, 0, 0, 0, NULL, NULL },
	{ "owner", "", other_owner, VT_D_OWNER, VT_F_ALIAS, 0, "other", "t" },
};

START_TEST(test_field_differs)
{
	const struct field_case *c = &field_cases[_i];
	const struct vt_subport_report *rep;
	const struct vt_op *op;
	char doc[512], old[160], want[160];
	struct vt_link *l = vlan(10, "sa", ETH0, 10, MARK("t"));

	if (c->tweak)
		c->tweak(l);
	snprintf(doc, sizeof(doc), DOC(T("{'name':'sa','vlan':10%s}")), c->fields);
	PLAN(doc);
	rep = subport_of("t", "sa");
	ck_assert_ptr_eq(rep->have, dev("sa"));
	ck_assert_msg(rep->differs == c->differs, "%s: differs 0x%x, expected 0x%x", c->what,
		      rep->differs, c->differs);
	if (!c->differs) {
		ck_assert_int_eq(rep->state, VT_SP_IN_SYNC);
		ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ACTIVE);
		ck_assert_uint_eq(plan.n_ops, 0);
		return;
	}
	ck_assert_int_eq(rep->state, VT_SP_DIFFERS);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_DEGRADED);
	ck_assert_uint_eq(plan.n_ops, 1);
	op = &plan.ops[0];
	ck_assert_int_eq(op->kind, VT_OP_CHANGE);
	ck_assert_ptr_eq(op->before, dev("sa"));
	ck_assert_uint_eq(op->differs, c->differs);
	ck_assert_msg(op->after.fields == c->link_fields, "%s: fields 0x%x, expected 0x%x",
		      c->what, op->after.fields, c->link_fields);
	ck_assert_msg(op->after.vlan_flags_mask == c->mask, "%s: mask 0x%x, expected 0x%x",
		      c->what, op->after.vlan_flags_mask, c->mask);
	ck_assert_int_eq(op->after.link.ifindex, 10);
	if (c->mask)
		ck_assert_uint_eq(op->after.link.vlan.flags & c->mask,
				  rep->want->vlan_flags & c->mask);
	if (c->link_fields & VT_F_MASTER) {
		bool set = rep->want->managed & VT_SP_MASTER;

		ck_assert_int_eq(op->after.link.master, set ? BR0 : 0);
		ck_assert_str_eq(op->master_name, set ? "br0" : "");
	}
	if (c->link_fields & VT_F_ALIAS)
		ck_assert_str_eq(vt_link_alias(&op->after.link), MARK("t"));
	if (c->link_fields & VT_F_MTU)
		ck_assert_uint_eq(op->after.link.mtu, 1400);
	if (c->link_fields & VT_F_UP)
		ck_assert(!op->after.link.up);

	vt_diff_values((enum vt_diff)c->differs, rep, &table, old, want, sizeof(old));
	ck_assert_msg(!strcmp(old, c->old) && !strcmp(want, c->want),
		      "%s: \"%s\" -> \"%s\", expected \"%s\" -> \"%s\"", c->what, old, want,
		      c->old, c->want);
}
END_TEST

/* @text's tokens are whole entries of @map, in order, then " ... (@n entries)". */
static void assert_summary(const char *text, const struct vt_qos_entry *map, size_t n)
{
	char tail[40], copy[160], *tok, *save = NULL;
	size_t i = 0;

	snprintf(tail, sizeof(tail), " ... (%zu entries)", n);
	ck_assert_uint_gt(strlen(text), strlen(tail));
	ck_assert_msg(!strcmp(text + strlen(text) - strlen(tail), tail), "\"%s\"", text);
	snprintf(copy, sizeof(copy), "%.*s", (int)(strlen(text) - strlen(tail)), text);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save), i++) {
		char entry[24];

		ck_assert_uint_lt(i, n);
		snprintf(entry, sizeof(entry), "%u:%u", map[i].from, map[i].to);
		ck_assert_str_eq(tok, entry);
	}
	ck_assert_uint_gt(i, 5);	/* as many as fit: not just one or two */
}

/*
 * A 4096-entry map (the loader's limit) that differs by one key: status and
 * plan say so in whole entries and a count, not a string cut mid-entry.
 */
START_TEST(test_long_egress_summarised)
{
	const size_t n = VT_DESIRED_MAX_EGRESS;
	size_t len = 0, cap = 16 * n + 256;
	char *doc = malloc(cap), old[160], want[160];
	struct vt_link *l = vlan(10, "sa", ETH0, 10, MARK("t"));
	const struct vt_subport_report *rep;

	ck_assert_ptr_nonnull(doc);
	l->vlan.egress = calloc(n - 1, sizeof(*l->vlan.egress));	/* the table frees it */
	ck_assert_ptr_nonnull(l->vlan.egress);
	for (size_t i = 1; i < n; i++)
		l->vlan.egress[i - 1] = (struct vt_qos_entry){ 1000000 + (uint32_t)i, 1 + i % 7 };
	l->vlan.n_egress = n - 1;
	len += (size_t)snprintf(doc, cap, "{'version':1,'trunks':[{'name':'t','parent':'eth0',"
				"'subports':[{'name':'sa','vlan':10,'egress_qos':{");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s'%zu':%zu", i ? "," : "",
					1000000 + i, 1 + i % 7);
	snprintf(doc + len, cap - len, "}}]}]}");
	PLAN(doc);
	free(doc);
	rep = subport_of("t", "sa");
	ck_assert_uint_eq(rep->differs, VT_D_EGRESS);
	vt_diff_values(VT_D_EGRESS, rep, &table, old, want, sizeof(old));
	assert_summary(old, rep->have->vlan.egress, n - 1);
	assert_summary(want, rep->want->egress, n);
	ck_assert_str_eq(strtok(want, " "), "1000000:1");
}
END_TEST

START_TEST(test_diff_names)
{
	ck_assert_str_eq(vt_diff_name(VT_D_INGRESS), "ingress_qos");
	ck_assert_str_eq(vt_diff_name(VT_D_BRIDGE_BINDING), "bridge_binding");
	ck_assert_str_eq(vt_diff_name(VT_D_NAME), "name");
	ck_assert_str_eq(vt_subport_state_name(VT_SP_ADOPTABLE), "adoptable");
	ck_assert_str_eq(vt_op_kind_name(VT_OP_RECREATE), "recreate");
	ck_assert_str_eq(vt_marker_owner(MARK("vm-42")), "vm-42");
	ck_assert_ptr_null(vt_marker_owner(VT_MARKER_PREFIX));
	ck_assert_ptr_null(vt_marker_owner("uplink to rack 7"));
	ck_assert_ptr_null(vt_marker_owner(""));
}
END_TEST

/* ---- recreate: what the kernel cannot change in place ---- */

static void vlan_11(struct vt_link *l) { l->vlan.id = 11; }
static void on_eth1(struct vt_link *l) { l->parent = ETH1; }
static void qinq(struct vt_link *l) { l->vlan.protocol = VT_PROTO_8021AD; }

static void not_vlan(struct vt_link *l)
{
	l->is_vlan = false;
	l->parent = 0;
	memset(&l->vlan, 0, sizeof(l->vlan));
	snprintf(l->kind, sizeof(l->kind), "dummy");
}

static const struct recreate_case {
	void (*tweak)(struct vt_link *);
	uint32_t differs;
	const char *old, *want;
} recreate_cases[] = {
	{ vlan_11, VT_D_VLAN, "11", "10" },
	{ qinq, VT_D_PROTOCOL, "802.1ad", "802.1Q" },
	{ on_eth1, VT_D_PARENT, "eth1", "eth0" },
	{ not_vlan, VT_D_KIND, "dummy", "vlan" },
};

START_TEST(test_recreate)
{
	const struct recreate_case *c = &recreate_cases[_i];
	const struct vt_subport_report *rep;
	const struct vt_op *op;
	char old[160], want[160];

	c->tweak(vlan(10, "sa", ETH0, 10, MARK("t")));
	PLAN(DOC(T("{'name':'sa','vlan':10,'mtu':1400}")));

	rep = subport_of("t", "sa");
	ck_assert_int_eq(rep->state, VT_SP_DIFFERS);
	ck_assert_uint_eq(rep->differs & VT_D_RECREATE, c->differs);
	ck_assert_uint_eq(plan.n_ops, 1);
	op = &plan.ops[0];
	ck_assert_int_eq(op->kind, VT_OP_RECREATE);
	ck_assert_ptr_eq(op->before, dev("sa"));
	ck_assert_str_eq(op->parent_name, "eth0");
	ck_assert_uint_eq(op->after.fields, CREATE_FIELDS | VT_F_MTU);
	ck_assert_uint_eq(op->after.link.vlan.id, 10);
	ck_assert_uint_eq(op->after.link.vlan.protocol, VT_PROTO_8021Q);
	ck_assert_uint_eq(op->after.link.mtu, 1400);
	ck_assert_str_eq(vt_link_alias(&op->after.link), MARK("t"));
	vt_diff_values((enum vt_diff)c->differs, rep, &table, old, want, sizeof(old));
	ck_assert_str_eq(old, c->old);
	ck_assert_str_eq(want, c->want);
}
END_TEST

/* ---- conflicts and adoption ---- */

START_TEST(test_conflict_name)
{
	add_link(10, "sa", "dummy", 0, 0, 0, NULL);
	vlan(11, "stale1", ETH0, 99, MARK("t1"));
	PLAN(DOC(TRUNK("t1", "eth0", SP("sa", 10) "," SP("sb", 20)) ","
		 TRUNK("t2", "eth1", SP("sc", 30))));

	ck_assert_int_eq(trunk_of("t1")->status, VT_TRUNK_ERROR);
	ck_assert(trunk_of("t1")->blocked);
	ck_assert(!trunk_of("t1")->can_converge);
	assert_contains(trunk_of("t1")->reason, "sa");
	ck_assert_int_eq(subport_of("t1", "sa")->state, VT_SP_CONFLICT);
	assert_contains(subport_of("t1", "sa")->reason, "sa");
	/* Nothing at all for t1, its stray device included; t2 goes on. */
	ck_assert_uint_eq(ops_of_trunk("t1"), 0);
	ck_assert_int_eq(op_pos("stale1"), -1);
	ck_assert_uint_eq(plan.n_ops, 1);
	ck_assert_int_eq(op_on("sc")->kind, VT_OP_CREATE);
	ck_assert_int_eq(trunk_of("t2")->status, VT_TRUNK_DEGRADED);
}
END_TEST

START_TEST(test_conflict_vlan_key)
{
	vlan(10, "eth0.10", ETH0, 10, NULL);
	PLAN(DOC(T(SP("sa", 10) "," SP("sb", 20))));

	ck_assert(trunk_of("t")->blocked);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ERROR);
	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_CONFLICT);
	assert_contains(subport_of("t", "sa")->reason, "eth0.10");
	assert_contains(trunk_of("t")->reason, "sa");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_adopt)
{
	const struct vt_subport_report *rep;
	const struct vt_op *op;
	char old[160], want[160];

	vlan(10, "sa", ETH0, 10, NULL);
	PLAN(DOC(T("{'name':'sa','vlan':10,'adopt':true}")));

	rep = subport_of("t", "sa");
	ck_assert_int_eq(rep->state, VT_SP_ADOPTABLE);
	ck_assert_uint_eq(rep->differs, VT_D_OWNER);
	ck_assert(!trunk_of("t")->blocked);
	ck_assert_uint_eq(plan.n_ops, 1);
	op = &plan.ops[0];
	ck_assert_int_eq(op->kind, VT_OP_CHANGE);
	ck_assert_ptr_eq(op->before, dev("sa"));
	ck_assert_uint_eq(op->after.fields, VT_F_ALIAS);
	ck_assert_str_eq(vt_link_alias(&op->after.link), MARK("t"));
	vt_diff_values(VT_D_OWNER, rep, &table, old, want, sizeof(old));
	ck_assert_str_eq(old, "unmanaged");
	ck_assert_str_eq(want, "t");
}
END_TEST

static void alias_set(struct vt_link *l) { ck_assert_int_eq(vt_link_set_alias(l, "uplink"), 0); }

/* Adoption needs the very device: same parent, vlan and protocol, and no alias. */
static void (*const adopt_refused[])(struct vt_link *) = { vlan_11, on_eth1, qinq, alias_set };

START_TEST(test_adopt_refused)
{
	adopt_refused[_i](vlan(10, "sa", ETH0, 10, NULL));
	PLAN(DOC(T("{'name':'sa','vlan':10,'adopt':true}," SP("sb", 20))));

	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_CONFLICT);
	ck_assert(trunk_of("t")->blocked);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ERROR);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_no_adopt_without_flag)
{
	vlan(10, "sa", ETH0, 10, NULL);
	PLAN(DOC(T(SP("sa", 10))));

	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_CONFLICT);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* ---- parent missing, feasibility ---- */

START_TEST(test_parent_missing)
{
	vlan(10, "stray", ETH0, 99, MARK("t"));
	PLAN(DOC(TRUNK("t", "eth9", SP("sa", 10))));

	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_DOWN);
	ck_assert(!trunk_of("t")->can_converge);
	ck_assert(!trunk_of("t")->blocked);
	assert_contains(trunk_of("t")->reason, "eth9");
	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_BLOCKED);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

static const struct {
	const char *subport;
	const char *reason;
} infeasible[] = {
	{ "{'name':'sa','vlan':10,'master':'br9'}", "br9" },
	{ "{'name':'sa','vlan':10,'master':'dummy0'}", "not a bridge" },
	{ "{'name':'sa','vlan':10,'mtu':1501}", "1500" },
};

START_TEST(test_infeasible)
{
	char doc[512];

	vlan(10, "sb", ETH0, 20, MARK("t"))->mtu = 1400;
	snprintf(doc, sizeof(doc), DOC(T("%s," SP("sb", 20) "," SP("sc", 30))),
		 infeasible[_i].subport);
	PLAN(doc);

	ck_assert(trunk_of("t")->blocked);
	ck_assert(!trunk_of("t")->can_converge);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ERROR);
	assert_contains(trunk_of("t")->reason, "subport sa");
	assert_contains(trunk_of("t")->reason, infeasible[_i].reason);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_mtu_up_to_parent)
{
	PLAN(DOC(TRUNK("t", "eth1", "{'name':'sa','vlan':10,'mtu':9000}")));

	ck_assert(!trunk_of("t")->blocked);
	ck_assert_uint_eq(plan.n_ops, 1);
	ck_assert_uint_eq(op_on("sa")->after.link.mtu, 9000);
}
END_TEST

/* ---- deletes ---- */

START_TEST(test_delete_stray)
{
	const struct vt_op *op;

	vlan(10, "sa", ETH0, 10, MARK("t"));
	vlan(11, "old", ETH0, 11, MARK("t"));
	PLAN(DOC(T(SP("sa", 10))));

	ck_assert_uint_eq(plan.n_trunks, 1);
	ck_assert_uint_eq(plan.n_ops, 1);
	op = &plan.ops[0];
	ck_assert_int_eq(op->kind, VT_OP_DELETE);
	ck_assert_ptr_eq(op->before, dev("old"));
	ck_assert_uint_eq(op->subport, SIZE_MAX);
	ck_assert_uint_eq(op->trunk, trunk_index("t"));
}
END_TEST

START_TEST(test_delete_trunk_gone)
{
	const struct vt_trunk_report *r;

	vlan(10, "sa", ETH0, 10, MARK("t"));
	vlan(11, "g1", ETH0, 11, MARK("gone"));
	vlan(12, "g2", ETH1, 11, MARK("gone"));
	PLAN(DOC(T(SP("sa", 10))));

	r = trunk_of("gone");
	ck_assert_ptr_null(r->want);
	ck_assert_uint_eq(r->n_subports, 0);
	ck_assert(r->can_converge);
	ck_assert_int_ne(r->status, VT_TRUNK_ACTIVE);
	ck_assert_uint_eq(plan.n_ops, 2);
	ck_assert_int_eq(op_on("g1")->kind, VT_OP_DELETE);
	ck_assert_int_eq(op_on("g2")->kind, VT_OP_DELETE);
	ck_assert_uint_eq(op_on("g2")->trunk, trunk_index("gone"));
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ACTIVE);
}
END_TEST

START_TEST(test_unmanaged_never_deleted)
{
	vlan(10, "eth0.10", ETH0, 10, NULL);
	vlan(11, "eth0.11", ETH0, 11, "uplink");
	vlan(12, "eth0.12", ETH0, 12, VT_MARKER_PREFIX);	/* no trunk named */
	vlan(13, "m", ETH0, 13, MARK("t"));
	PLAN(DOC(""));

	ck_assert_uint_eq(plan.n_ops, 1);
	ck_assert_int_eq(op_on("m")->kind, VT_OP_DELETE);
	ck_assert_ptr_null(trunk_of("t")->want);
}
END_TEST

START_TEST(test_only_filter)
{
	vlan(10, "s1", ETH0, 10, MARK("t1"));
	vlan(11, "x1", ETH0, 11, MARK("t1"));
	vlan(12, "x2", ETH0, 12, MARK("t2"));
	vlan(13, "g", ETH0, 13, MARK("gone"));
	vlan(14, "h", ETH0, 14, MARK("gone2"));
	PLAN(DOC(TRUNK("t1", "eth0", SP("s1", 10)) "," TRUNK("t2", "eth0", SP("s2", 20))),
	     "t1", "gone2");

	ck_assert(has_report("t1"));
	ck_assert(!has_report("t2"));
	ck_assert(!has_report("gone"));
	ck_assert(has_report("gone2"));
	ck_assert_uint_eq(plan.n_ops, 2);
	ck_assert_int_eq(op_on("x1")->kind, VT_OP_DELETE);
	ck_assert_int_eq(op_on("h")->kind, VT_OP_DELETE);
	ck_assert_int_eq(op_pos("x2"), -1);
	ck_assert_int_eq(op_pos("g"), -1);
	ck_assert_int_eq(op_pos("s2"), -1);
}
END_TEST

/* ---- renames ---- */

START_TEST(test_rename)
{
	const struct vt_op *op;

	vlan(10, "old", ETH0, 10, MARK("t"))->mtu = 1400;
	PLAN(DOC(T("{'name':'sa','vlan':10,'mtu':1450}")));

	ck_assert_uint_eq(plan.n_ops, 1);
	op = &plan.ops[0];
	ck_assert_int_eq(op->kind, VT_OP_RENAME);
	ck_assert_ptr_eq(op->before, dev("old"));
	ck_assert_uint_eq(op->differs, VT_D_NAME | VT_D_MTU);
	ck_assert_uint_eq(op->after.fields, VT_F_NAME | VT_F_MTU);
	ck_assert_str_eq(op->after.link.name, "sa");
	ck_assert_int_eq(op->after.link.ifindex, 10);
	ck_assert_ptr_eq(subport_of("t", "sa")->have, dev("old"));
	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_DIFFERS);
	ck_assert_uint_eq(count_ops(VT_OP_DELETE), 0);
}
END_TEST

START_TEST(test_no_rename_of_claimed_name)
{
	/* sb holds sa's key but is itself a desired subport's name: recreated, never renamed. */
	vlan(10, "sb", ETH0, 10, MARK("t"));
	PLAN(DOC(T(SP("sa", 10) "," SP("sb", 20))));

	ck_assert_uint_eq(count_ops(VT_OP_RENAME), 0);
	ck_assert_int_eq(op_on("sa")->kind, VT_OP_CREATE);
	ck_assert_int_eq(op_on("sb")->kind, VT_OP_RECREATE);
	ck_assert_uint_lt(op_pos("sb"), op_pos("sa"));
}
END_TEST

START_TEST(test_no_rename_of_other_trunk)
{
	vlan(10, "old", ETH0, 10, MARK("t2"));
	PLAN(DOC(T(SP("sa", 10))));

	ck_assert_uint_eq(count_ops(VT_OP_RENAME), 0);
	ck_assert_uint_eq(plan.n_ops, 2);
	ck_assert_int_eq(op_on("old")->kind, VT_OP_DELETE);
	ck_assert_uint_eq(op_on("old")->trunk, trunk_index("t2"));
	ck_assert_int_eq(op_on("sa")->kind, VT_OP_CREATE);
	ck_assert_uint_lt(op_pos("old"), op_pos("sa"));
}
END_TEST

/*
 * The same, but t2 is outside this run: "old" stays, so creating sa would
 * fail on the kernel's EEXIST half-way through the commit. The plan says so.
 */
START_TEST(test_create_key_held_out_of_scope)
{
	vlan(10, "old", ETH0, 10, MARK("t2"));
	PLAN(DOC(T(SP("sa", 10) "," SP("sb", 20))), "t");

	ck_assert_int_eq(op_pos("old"), -1);
	ck_assert(trunk_of("t")->blocked);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ERROR);
	assert_contains(trunk_of("t")->reason, "old");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* A trunk that cannot converge keeps its devices; another's create must not collide with them. */
START_TEST(test_create_key_held_by_blocked_trunk)
{
	vlan(10, "x", ETH0, 10, MARK("t2"));
	vlan(11, "sb", ETH1, 5, NULL);		/* t2 conflicts */
	PLAN(DOC(TRUNK("t1", "eth0", SP("sa", 10)) "," TRUNK("t2", "eth1", SP("sb", 5))));

	ck_assert(trunk_of("t2")->blocked);
	ck_assert(trunk_of("t1")->blocked);
	assert_contains(trunk_of("t1")->reason, "x");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* A recreate onto a key an unmanaged device holds is the same conflict as a create. */
START_TEST(test_recreate_key_held_unmanaged)
{
	vlan(10, "sa", ETH1, 10, MARK("t"));
	vlan(11, "eth0.10", ETH0, 10, NULL);
	/* And t3 wants eth1's vlan 10, which sa keeps holding. */
	PLAN(DOC(T(SP("sa", 10)) "," TRUNK("t3", "eth1", SP("sc", 10))));

	ck_assert(trunk_of("t")->blocked);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ERROR);
	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_CONFLICT);
	assert_contains(subport_of("t", "sa")->reason, "eth0.10");
	ck_assert(trunk_of("t3")->blocked);
	assert_contains(trunk_of("t3")->reason, "sa");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/*
 * A subport moves from t1 to t2: its device still carries t1's marker. A run
 * for t1 alone must leave it to t2, which takes it over.
 */
START_TEST(test_moved_subport)
{
	vlan(10, "sa", ETH0, 10, MARK("t1"));
	vlan(11, "sb", ETH0, 20, MARK("t1"));
	if (_i == 0)
		PLAN(DOC(TRUNK("t1", "eth0", SP("sa", 10)) "," TRUNK("t2", "eth0", SP("sb", 20))),
		     "t1");
	else
		PLAN(DOC(TRUNK("t1", "eth0", SP("sa", 10)) "," TRUNK("t2", "eth0", SP("sb", 20))));

	ck_assert_int_eq(count_ops(VT_OP_DELETE), 0);
	if (_i == 0) {
		ck_assert_uint_eq(plan.n_ops, 0);
	} else {
		ck_assert_uint_eq(plan.n_ops, 1);
		ck_assert_int_eq(op_on("sb")->kind, VT_OP_CHANGE);
		ck_assert_uint_eq(op_on("sb")->differs, VT_D_OWNER);
		ck_assert_uint_eq(op_on("sb")->trunk, trunk_index("t2"));
	}
}
END_TEST

/* ---- swaps ---- */

START_TEST(test_swap_vlans)
{
	vlan(10, "sa", ETH0, 10, MARK("t"));
	vlan(11, "sb", ETH0, 20, MARK("t"));
	PLAN(DOC(T(SP("sc", 30) "," SP("sa", 20) "," SP("sb", 10))));

	ck_assert_uint_eq(plan.n_ops, 3);
	ck_assert_uint_eq(count_ops(VT_OP_RECREATE), 2);
	ck_assert_uint_eq(count_ops(VT_OP_RENAME), 0);
	ck_assert_int_eq(plan.ops[0].kind, VT_OP_RECREATE);
	ck_assert_int_eq(plan.ops[1].kind, VT_OP_RECREATE);
	ck_assert_int_eq(plan.ops[2].kind, VT_OP_CREATE);
	ck_assert_str_eq(plan.ops[2].after.link.name, "sc");
	ck_assert_uint_eq(op_on("sa")->after.link.vlan.id, 20);
	ck_assert_uint_eq(op_on("sb")->after.link.vlan.id, 10);
	ck_assert(!trunk_of("t")->blocked);
}
END_TEST

START_TEST(test_swap_names)
{
	vlan(10, "sa", ETH0, 10, MARK("t"))->mtu = 1400;
	vlan(11, "sb", ETH0, 20, MARK("t"))->mtu = 1300;
	PLAN(DOC(T(SP("sc", 30) ",{'name':'sb','vlan':10,'mtu':1400},"
		   "{'name':'sa','vlan':20,'mtu':1300}")));

	ck_assert_uint_eq(count_ops(VT_OP_RECREATE), 2);
	ck_assert_uint_eq(count_ops(VT_OP_RENAME), 0);
	ck_assert_uint_eq(count_ops(VT_OP_CREATE), 1);
	ck_assert_uint_lt(op_pos("sa"), op_pos("sc"));
	ck_assert_uint_lt(op_pos("sb"), op_pos("sc"));
	ck_assert_uint_eq(op_on("sb")->after.link.vlan.id, 10);
	assert_commit_order();
}
END_TEST

/*
 * t1's x goes to t2 by name (recreated on eth1), and only that frees vlan 10
 * on eth0 for t1's y: the two trunks share a transaction, though x's marker
 * names t1 and its delete is t2's.
 */
START_TEST(test_swap_key_freed_by_a_takeover)
{
	vlan(10, "x", ETH0, 10, MARK("t1"));
	PLAN(DOC(TRUNK("t1", "eth0", SP("y", 10)) "," TRUNK("t2", "eth1", SP("x", 20))));

	ck_assert_int_eq(op_on("x")->kind, VT_OP_RECREATE);
	ck_assert_uint_eq(op_on("x")->trunk, trunk_index("t2"));
	ck_assert_int_eq(op_on("y")->kind, VT_OP_CREATE);
	ck_assert(!trunk_of("t1")->blocked);
	ck_assert_uint_eq(trunk_of("t1")->scope, trunk_of("t2")->scope);
	ck_assert_uint_lt(op_pos("x"), op_pos("y"));
}
END_TEST

/* ---- QinQ ---- */

#define OUTER(subports) TRUNK("outer", "eth0", subports)
#define O100 "{'name':'o100','vlan':100,'protocol':'802.1ad'}"
#define O200 "{'name':'o200','vlan':200,'protocol':'802.1ad'}"
#define INNER(subports) TRUNK("inner", "o100", subports)

START_TEST(test_qinq_create_order)
{
	/* The inner trunk first in the file: nesting decides, not file order. */
	PLAN(DOC(INNER(SP("i10", 10) "," SP("i20", 20)) "," OUTER(O100)));

	ck_assert_uint_eq(plan.n_ops, 3);
	ck_assert_str_eq(plan.ops[0].after.link.name, "o100");
	ck_assert_uint_eq(plan.ops[0].depth, 0);
	ck_assert_uint_eq(op_on("i10")->depth, 1);
	ck_assert_str_eq(op_on("i10")->parent_name, "o100");
	ck_assert_uint_eq(op_on("i10")->after.link.vlan.protocol, VT_PROTO_8021Q);
	ck_assert_uint_eq(op_on("o100")->after.link.vlan.protocol, VT_PROTO_8021AD);
	ck_assert_uint_eq(trunk_of("inner")->scope, trunk_index("outer"));
	ck_assert_int_eq(trunk_of("inner")->status, VT_TRUNK_DEGRADED);
}
END_TEST

START_TEST(test_qinq_outer_recreate)
{
	add_link(10, "o100", "vlan", ETH0, 101, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	PLAN(DOC(INNER(SP("i10", 10) "," SP("i20", 20)) "," OUTER(O100 "," O200)));

	ck_assert_uint_eq(plan.n_ops, 4);
	ck_assert_int_eq(op_on("o100")->kind, VT_OP_RECREATE);
	ck_assert_int_eq(op_on("i10")->kind, VT_OP_RECREATE);
	ck_assert(subport_of("inner", "i10")->differs & VT_D_PARENT);
	ck_assert(op_on("i10")->differs & VT_D_PARENT);
	/* Deletes inner first, creates outer first. */
	ck_assert_str_eq(op_device(&plan.ops[0]), "i10");
	ck_assert_str_eq(op_device(&plan.ops[1]), "o100");
	ck_assert_str_eq(op_device(&plan.ops[2]), "o200");
	ck_assert_str_eq(op_device(&plan.ops[3]), "i20");
	ck_assert(!trunk_of("outer")->blocked);
	ck_assert(!trunk_of("inner")->blocked);
}
END_TEST

/*
 * The outer subport recreated while an inner one moves to a trunk on another
 * plain parent: both are recreates at trunk depth 0, yet the inner device is
 * deleted first (deleting o100 would take it with it), and the journal
 * restores o100 before it: by their depths in the kernel.
 */
START_TEST(test_qinq_outer_recreate_inner_moves_to_a_flat_trunk)
{
	add_link(10, "o100", "vlan", ETH0, 101, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	PLAN(DOC(OUTER(O100) "," INNER("") "," TRUNK("flat", "eth1", SP("i10", 16))));

	ck_assert_int_eq(op_on("o100")->kind, VT_OP_RECREATE);
	ck_assert_int_eq(op_on("i10")->kind, VT_OP_RECREATE);
	ck_assert_uint_eq(op_on("i10")->depth, 0);
	ck_assert_uint_eq(op_on("i10")->before_depth, 1);
	ck_assert_uint_eq(op_on("o100")->before_depth, 0);
	ck_assert_uint_lt(op_pos("i10"), op_pos("o100"));
	ck_assert(!trunk_of("flat")->blocked);
	assert_commit_order();
}
END_TEST

START_TEST(test_qinq_in_sync)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10))));

	ck_assert_uint_eq(plan.n_ops, 0);
	ck_assert_int_eq(trunk_of("inner")->status, VT_TRUNK_ACTIVE);
	ck_assert_int_eq(trunk_of("outer")->status, VT_TRUNK_ACTIVE);
}
END_TEST

/* Renaming the outer subport keeps its ifindex: what sits on it stays. */
START_TEST(test_qinq_outer_rename)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10) "," SP("i20", 20))));

	ck_assert_int_eq(op_on("o-old")->kind, VT_OP_RENAME);
	ck_assert_int_eq(subport_of("inner", "i10")->state, VT_SP_IN_SYNC);
	ck_assert_int_eq(op_pos("i10"), -1);
	ck_assert_int_eq(op_on("i20")->kind, VT_OP_CREATE);
	ck_assert_uint_eq(plan.n_ops, 2);
	assert_commit_order();
}
END_TEST

START_TEST(test_delete_blocked_by_unmanaged_child)
{
	vlan(10, "sa", ETH0, 10, MARK("t"));
	vlan(11, "old", ETH0, 11, MARK("t"));
	vlan(12, "old.5", 11, 5, NULL);
	PLAN(DOC(T(SP("sa", 10) "," SP("sb", 20))));

	ck_assert(trunk_of("t")->blocked);
	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ERROR);
	assert_contains(trunk_of("t")->reason, "old.5");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_recreate_blocked_by_unmanaged_child)
{
	vlan(10, "sa", ETH0, 11, MARK("t"));
	vlan(12, "sa.5", 10, 5, NULL);
	PLAN(DOC(T(SP("sa", 10))));

	ck_assert(trunk_of("t")->blocked);
	assert_contains(trunk_of("t")->reason, "sa.5");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/*
 * The outer subport is recreated, and with it the inner trunk's device on
 * it; but an unmanaged device sits on that inner device. Neither may go.
 */
START_TEST(test_qinq_unmanaged_grandchild)
{
	add_link(10, "o100", "vlan", ETH0, 101, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	vlan(12, "i10.7", 11, 7, NULL);
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10))));

	ck_assert(trunk_of("inner")->blocked);
	assert_contains(trunk_of("inner")->reason, "i10.7");
	ck_assert(trunk_of("outer")->blocked);
	ck_assert_int_eq(op_pos("o100"), -1);
	ck_assert_int_eq(op_pos("i10"), -1);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* The outer trunk is blocked: the inner trunk's recreates assumed it was not. */
START_TEST(test_qinq_outer_blocked_late)
{
	add_link(10, "o100", "vlan", ETH0, 101, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	vlan(12, "o100.9", 10, 9, NULL);
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10))));

	ck_assert(trunk_of("outer")->blocked);
	assert_contains(trunk_of("outer")->reason, "o100.9");
	ck_assert(!trunk_of("inner")->can_converge);
	ck_assert_int_eq(op_pos("i10"), -1);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* ---- The kernel's side effects on stacked devices ---- */

static const struct vt_effect *effect_on(const char *device)
{
	for (size_t i = 0; i < plan.n_effects; i++)
		if (!strcmp(plan.effects[i].link->name, device))
			return &plan.effects[i];
	return NULL;
}

/* The outer subport renamed by hand and down: its rename brings i10 up, which must stay down. */
START_TEST(test_effect_rename_brings_up_an_inner_subport_declared_down)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"))->up = false;
	vlan(11, "i10", 10, 10, MARK("inner"))->up = false;
	PLAN(DOC(OUTER(O100) "," INNER("{'name':'i10','vlan':10,'up':false}")));

	ck_assert_int_eq(op_on("o-old")->kind, VT_OP_RENAME);
	ck_assert_int_eq(op_pos("i10"), -1);
	ck_assert_ptr_nonnull(effect_on("i10"));
	ck_assert_int_eq(effect_on("i10")->kind, VT_EFFECT_UP);
	ck_assert(effect_on("i10")->restate && effect_on("i10")->journal);
	ck_assert_uint_eq(effect_on("i10")->cause_depth, 0);
	ck_assert_uint_eq(effect_on("i10")->depth, 1);
	ck_assert(!trunk_of("outer")->blocked);
}
END_TEST

/* An inner subport that wants up has its own op: no set-down, nothing journaled twice. */
START_TEST(test_effect_inner_wanted_up_is_not_set_down)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"))->up = false;
	vlan(11, "i10", 10, 10, MARK("inner"))->up = false;
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10))));

	ck_assert_int_eq(op_on("i10")->kind, VT_OP_CHANGE);
	ck_assert_ptr_null(effect_on("i10"));
	assert_commit_order();
}
END_TEST

/* An operator's VLAN on the outer subport, down: the rename would bring it up. */
START_TEST(test_effect_rename_refused_for_an_operators_vlan)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"))->up = false;
	vlan(11, "op", 10, 99, NULL)->up = false;
	PLAN(DOC(OUTER(O100)));

	ck_assert(trunk_of("outer")->blocked);
	assert_contains(trunk_of("outer")->reason, "would bring up op");
	ck_assert_uint_eq(plan.n_ops, 0);
	ck_assert_uint_eq(plan.n_effects, 0);
}
END_TEST

/* ... but not one with loose_binding, which the kernel leaves alone. */
START_TEST(test_effect_loose_binding_is_left_alone)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"))->up = false;
	struct vt_link *op = vlan(11, "op", 10, 99, NULL);

	op->up = false;
	op->vlan.flags |= VT_VLAN_LOOSE_BINDING;
	PLAN(DOC(OUTER(O100)));

	ck_assert(!trunk_of("outer")->blocked);
	ck_assert_uint_eq(plan.n_effects, 0);
}
END_TEST

/* Lowering the outer MTU clamps the inner devices: journaled, the trunks in one transaction. */
START_TEST(test_effect_mtu_clamps_inner_devices)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	vlan(12, "i10.5", 11, 5, MARK("deep"));
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','mtu':1400}") ","
		 INNER(SP("i10", 10)) "," TRUNK("deep", "i10", SP("i10.5", 5))));

	ck_assert_int_eq(op_on("o100")->kind, VT_OP_CHANGE);
	ck_assert_int_eq(effect_on("i10")->kind, VT_EFFECT_MTU);
	ck_assert_uint_eq(effect_on("i10")->mtu, 1400);
	ck_assert_int_eq(effect_on("i10.5")->kind, VT_EFFECT_MTU);
	ck_assert_uint_eq(effect_on("i10.5")->depth, 2);
	ck_assert_uint_eq(trunk_of("deep")->scope, trunk_of("outer")->scope);
	ck_assert_int_eq(trunk_of("inner")->status, VT_TRUNK_ACTIVE);
}
END_TEST

/* An inner MTU the new outer MTU cannot carry: the outer change is refused, nothing planned. */
START_TEST(test_effect_mtu_breaking_a_desired_mtu_is_refused)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"))->mtu = 1450;
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','mtu':1400}") ","
		 INNER("{'name':'i10','vlan':10,'mtu':1450}")));

	ck_assert(trunk_of("outer")->blocked);
	assert_contains(trunk_of("outer")->reason, "trunk inner wants 1450");
	ck_assert(trunk_of("inner")->blocked);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* Setting the outer subport down for good takes an operator's up VLAN down: refused. */
START_TEST(test_effect_down_refused_for_an_operators_vlan)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "op", 10, 99, NULL);
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','up':false}")));

	ck_assert(trunk_of("outer")->blocked);
	assert_contains(trunk_of("outer")->reason, "would set op down too");
}
END_TEST

/* Setting the outer down leaves an inner subport that is down alone, but journals it for a rollback. */
START_TEST(test_effect_down_journals_a_down_inner_for_the_rollback)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"))->up = false;
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','up':false}") ","
		 INNER("{'name':'i10','vlan':10,'up':false}")));

	ck_assert(!trunk_of("outer")->blocked);
	ck_assert_int_eq(op_pos("i10"), -1);
	ck_assert_ptr_nonnull(effect_on("i10"));
	ck_assert(effect_on("i10")->rollback && effect_on("i10")->journal);
	ck_assert(!effect_on("i10")->restate);
	ck_assert_uint_eq(trunk_of("inner")->scope, trunk_of("outer")->scope);
}
END_TEST

/* ... and an operator's VLAN that is down there, which no rollback could set down again: refused. */
START_TEST(test_effect_down_refused_for_an_operators_down_vlan)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "op", 10, 99, NULL)->up = false;
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','up':false}")));

	ck_assert(trunk_of("outer")->blocked);
	assert_contains(trunk_of("outer")->reason, "leave op, which vlantrunk does not manage, to come up");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* The outer comes up as an inner subport declared down loses loose_binding: by then the kernel brings it up. */
START_TEST(test_effect_up_sees_loose_binding_as_the_change_stage_leaves_it)
{
	struct vt_link *i10;

	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"))->up = false;
	i10 = vlan(11, "i10", 10, 10, MARK("inner"));
	i10->up = false;
	i10->vlan.flags |= VT_VLAN_LOOSE_BINDING;
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','up':true}") ","
		 INNER("{'name':'i10','vlan':10,'up':false}")));

	ck_assert_int_eq(op_on("i10")->kind, VT_OP_CHANGE);
	ck_assert_ptr_nonnull(effect_on("i10"));
	ck_assert(effect_on("i10")->restate && !effect_on("i10")->journal);
}
END_TEST

/* An inner subport its own change sets down before the outer's rename brings the outer up again. */
START_TEST(test_effect_rename_brings_up_an_inner_subport_set_down_first)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	PLAN(DOC(OUTER(O100) "," INNER("{'name':'i10','vlan':10,'up':false}")));

	ck_assert_int_eq(op_on("o-old")->kind, VT_OP_RENAME);
	ck_assert_int_eq(op_on("i10")->kind, VT_OP_CHANGE);
	ck_assert_ptr_nonnull(effect_on("i10"));
	ck_assert(effect_on("i10")->restate);
	ck_assert_uint_eq(effect_on("i10")->cause_depth, 0);
}
END_TEST

/* A rename takes the stack down and up again: what is down two levels below comes up. */
START_TEST(test_effect_rename_reaches_two_levels_down)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	vlan(12, "i10.5", 11, 5, MARK("deep"))->up = false;
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10)) ","
		 TRUNK("deep", "i10", "{'name':'i10.5','vlan':5,'up':false}")));

	ck_assert_int_eq(op_on("o-old")->kind, VT_OP_RENAME);
	ck_assert_ptr_null(effect_on("i10"));
	ck_assert_ptr_nonnull(effect_on("i10.5"));
	ck_assert(effect_on("i10.5")->restate && effect_on("i10.5")->journal);
	ck_assert_uint_eq(effect_on("i10.5")->cause_depth, 0);
	ck_assert_uint_eq(plan.n_effects, 1);
	ck_assert_uint_eq(trunk_of("deep")->scope, trunk_of("outer")->scope);
}
END_TEST

/* ... so an operator's VLAN down there forbids the rename. */
START_TEST(test_effect_rename_refused_for_an_operators_vlan_two_levels_down)
{
	add_link(10, "o-old", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	vlan(12, "op", 11, 99, NULL)->up = false;
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10))));

	ck_assert(trunk_of("outer")->blocked);
	assert_contains(trunk_of("outer")->reason, "would bring up op");
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

/* The outer goes down as an inner subport gets loose_binding: the kernel takes it down first, its change brings it up. */
START_TEST(test_effect_down_brings_back_an_inner_subport_given_loose_binding)
{
	const struct vt_op *op;

	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','up':false}") ","
		 INNER("{'name':'i10','vlan':10,'loose_binding':true}")));

	ck_assert(!trunk_of("outer")->blocked);
	op = op_on("i10");
	ck_assert_int_eq(op->kind, VT_OP_CHANGE);
	ck_assert((op->after.fields & VT_F_UP) && op->after.link.up);
	assert_commit_order();
}
END_TEST

/* A new outer MAC passes to the VLANs on it that took its address: an operator's forbids it. */
START_TEST(test_effect_mac_refused_for_an_operators_vlan_that_inherits_it)
{
	struct vt_link *o = add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));

	memcpy(vlan(11, "i10", 10, 10, MARK("inner"))->mac, o->mac, VT_MAC_LEN);
	memcpy(vlan(12, "op", 11, 99, NULL)->mac, o->mac, VT_MAC_LEN);
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','mac':'02:00:00:00:0a:0a'}") ","
		 INNER(SP("i10", 10))));

	ck_assert(trunk_of("outer")->blocked);
	assert_contains(trunk_of("outer")->reason, "would change that of op too");
}
END_TEST

/* ... not one with an address of its own. */
START_TEST(test_effect_mac_leaves_a_vlan_with_its_own_address_alone)
{
	struct vt_link *o = add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));

	memcpy(vlan(11, "i10", 10, 10, MARK("inner"))->mac, o->mac, VT_MAC_LEN);
	vlan(12, "op", 11, 99, NULL);
	PLAN(DOC(OUTER("{'name':'o100','vlan':100,'protocol':'802.1ad','mac':'02:00:00:00:0a:0a'}") ","
		 INNER(SP("i10", 10))));

	ck_assert(!trunk_of("outer")->blocked);
	ck_assert_int_eq(op_on("o100")->kind, VT_OP_CHANGE);
}
END_TEST

/* A conflict on one outer subport: the trunk nested on another goes ahead. */
START_TEST(test_conflict_on_one_outer_subport_frees_the_other)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	add_link(12, "o200", "dummy", 0, 0, 0, NULL);
	PLAN(DOC(OUTER(O100 "," O200) "," INNER(SP("i10", 10) "," SP("i20", 20)) ","
		 TRUNK("other", "o200", SP("x10", 10))));

	ck_assert(trunk_of("outer")->blocked);
	ck_assert(trunk_of("inner")->can_converge);
	ck_assert_int_eq(op_on("i20")->kind, VT_OP_CREATE);
	ck_assert(!trunk_of("other")->can_converge);
	assert_contains(trunk_of("other")->reason, "parent o200 is missing (outer trunk outer: "
			"the name o200 is held");
}
END_TEST

START_TEST(test_delete_desired_parent)
{
	vlan(10, "sa", ETH0, 10, MARK("t1"));
	vlan(11, "old", ETH0, 11, MARK("t1"));
	PLAN(DOC(TRUNK("t1", "eth0", SP("sa", 10)) "," TRUNK("t2", "old", SP("sb", 20))));

	ck_assert(trunk_of("t1")->blocked);
	assert_contains(trunk_of("t1")->reason, "t2");
	ck_assert_int_eq(op_pos("old"), -1);
	ck_assert(!trunk_of("t2")->blocked);
	ck_assert_int_eq(op_on("sb")->kind, VT_OP_CREATE);
	ck_assert_str_eq(op_on("sb")->parent_name, "old");
	ck_assert_uint_eq(plan.n_ops, 1);
}
END_TEST

/*
 * The outer subport does not manage its MTU: a kept device keeps the MTU it
 * has, and an inner subport cannot exceed it; a recreated one takes eth0's.
 */
START_TEST(test_qinq_mtu_of_kept_outer)
{
	add_link(10, "o100", "vlan", ETH0, 100 + _i, VT_PROTO_8021AD, MARK("outer"))->mtu = 1400;
	PLAN(DOC(OUTER(O100) "," INNER("{'name':'i10','vlan':10,'mtu':1450}")));

	if (_i == 0) {
		ck_assert(trunk_of("inner")->blocked);
		assert_contains(trunk_of("inner")->reason, "1400");
		ck_assert_uint_eq(plan.n_ops, 0);
	} else {
		ck_assert(!trunk_of("inner")->blocked);
		ck_assert_int_eq(op_on("o100")->kind, VT_OP_RECREATE);
		ck_assert_uint_eq(op_on("i10")->after.link.mtu, 1450);
	}
}
END_TEST

/* --trunk outer brings inner along, and with it the removal of inner's strays. */
START_TEST(test_only_brings_nested_strays)
{
	add_link(10, "o100", "vlan", ETH0, 100, VT_PROTO_8021AD, MARK("outer"));
	vlan(11, "i10", 10, 10, MARK("inner"));
	vlan(12, "i99", 10, 99, MARK("inner"));
	PLAN(DOC(OUTER(O100) "," INNER(SP("i10", 10))), "outer");

	ck_assert(has_report("inner"));
	ck_assert_uint_eq(plan.n_ops, 1);
	ck_assert_int_eq(op_on("i99")->kind, VT_OP_DELETE);
	ck_assert_uint_eq(op_on("i99")->trunk, trunk_index("inner"));
}
END_TEST

/* ---- commit order ---- */

START_TEST(test_mixed_order)
{
	vlan(10, "chg", ETH0, 10, MARK("t"))->mtu = 1400;
	vlan(11, "rec", ETH0, 99, MARK("t"));
	vlan(12, "was", ETH0, 30, MARK("t"));
	vlan(13, "gone", ETH0, 40, MARK("t"));
	vlan(14, "g2", ETH1, 40, MARK("other"));
	PLAN(DOC(T(SP("new", 50) ",{'name':'chg','vlan':10,'mtu':1300}," SP("rec", 20) ","
		   SP("ren", 30))));

	ck_assert_uint_eq(plan.n_ops, 6);
	ck_assert_int_eq(op_on("new")->kind, VT_OP_CREATE);
	ck_assert_int_eq(op_on("chg")->kind, VT_OP_CHANGE);
	ck_assert_int_eq(op_on("rec")->kind, VT_OP_RECREATE);
	ck_assert_int_eq(op_on("was")->kind, VT_OP_RENAME);
	ck_assert_int_eq(op_on("gone")->kind, VT_OP_DELETE);
	ck_assert_int_eq(op_on("g2")->kind, VT_OP_DELETE);
	assert_commit_order();
	ck_assert_int_eq(plan.ops[5].kind, VT_OP_CREATE);
	ck_assert_int_eq(phase(&plan.ops[2]), 0);
	/* Each op's seq is unique: ties in commit order are broken by it. */
	for (size_t i = 0; i < plan.n_ops; i++)
		for (size_t j = i + 1; j < plan.n_ops; j++)
			ck_assert_uint_ne(plan.ops[i].seq, plan.ops[j].seq);
}
END_TEST

/* ---- scale ---- */

static char *scale_doc(void)
{
	size_t len = 64 + VT_VLAN_ID_MAX * 40, off;
	char *doc = malloc(len);

	ck_assert_ptr_nonnull(doc);
	off = (size_t)snprintf(doc, len, "{'version':1,'trunks':[{'name':'big','parent':'eth0',"
				       "'subports':[");
	for (int v = 1; v <= VT_VLAN_ID_MAX; v++)
		off += (size_t)snprintf(doc + off, len - off, "%s{'name':'v%d','vlan':%d}",
					v > 1 ? "," : "", v, v);
	snprintf(doc + off, len - off, "]}]}");
	ck_assert_uint_lt(off + 4, len);
	return doc;
}

START_TEST(test_scale_create)
{
	char *doc = scale_doc();

	PLAN(doc);
	free(doc);
	ck_assert_uint_eq(plan.n_ops, VT_VLAN_ID_MAX);
	ck_assert_uint_eq(count_ops(VT_OP_CREATE), VT_VLAN_ID_MAX);
	ck_assert_uint_eq(trunk_of("big")->n_subports, VT_VLAN_ID_MAX);
	ck_assert_uint_eq(plan.ops[VT_VLAN_ID_MAX - 1].after.link.vlan.id, VT_VLAN_ID_MAX);
}
END_TEST

START_TEST(test_scale_in_sync)
{
	char *doc = scale_doc();
	char name[VT_IFNAMSIZ];

	/* Added in reverse, so that indexing has work to do. */
	for (int v = VT_VLAN_ID_MAX; v >= 1; v--) {
		snprintf(name, sizeof(name), "v%d", v);
		vlan(100 + v, name, ETH0, (uint16_t)v, MARK("big"));
	}
	PLAN(doc);
	free(doc);
	ck_assert_uint_eq(plan.n_ops, 0);
	ck_assert_int_eq(trunk_of("big")->status, VT_TRUNK_ACTIVE);
}
END_TEST

START_TEST(test_scale_all_renamed)
{
	char *doc = scale_doc();
	char name[VT_IFNAMSIZ];

	for (int v = 1; v <= VT_VLAN_ID_MAX; v++) {
		snprintf(name, sizeof(name), "old%d", v);
		vlan(100 + v, name, ETH0, (uint16_t)v, MARK("big"));
	}
	PLAN(doc);
	free(doc);
	ck_assert_uint_eq(plan.n_ops, VT_VLAN_ID_MAX);
	ck_assert_uint_eq(count_ops(VT_OP_RENAME), VT_VLAN_ID_MAX);
}
END_TEST

/* ---- renderers ---- */

/* What @print writes on stdout, parsed: it must be exactly one JSON document. */
static json_t *capture_json(void (*print)(const struct vt_world *))
{
	struct vt_world w = { .desired = desired, .links = table, .plan = plan };
	FILE *tmp = tmpfile();
	json_error_t error;
	json_t *doc;
	int saved;

	ck_assert_ptr_nonnull(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(tmp), STDOUT_FILENO), 0);
	print(&w);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	rewind(tmp);
	doc = json_loadf(tmp, 0, &error);
	fclose(tmp);
	ck_assert_msg(doc != NULL, "not JSON: %s (%d:%d)", error.text, error.line, error.column);
	return doc;
}

static const char *str_of(json_t *object, const char *key)
{
	json_t *v = json_object_get(object, key);

	ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

static json_t *array_of(json_t *object, const char *key)
{
	json_t *v = json_object_get(object, key);

	ck_assert_msg(json_is_array(v), "\"%s\" is not an array", key);
	return v;
}

static void check_trunks_json(json_t *trunks)
{
	static const char *const statuses[] = { "ACTIVE", "DOWN", "BUILD", "DEGRADED", "ERROR" };

	ck_assert_uint_eq(json_array_size(trunks), plan.n_trunks);
	for (size_t i = 0; i < plan.n_trunks; i++) {
		json_t *t = json_array_get(trunks, i), *subports;
		const char *status = str_of(t, "status");
		bool known = false;

		ck_assert_str_eq(str_of(t, "name"), plan.trunks[i].name);
		for (size_t s = 0; s < 5; s++)
			known |= !strcmp(status, statuses[s]);
		ck_assert_msg(known, "status %s", status);
		ck_assert_str_eq(status, vt_trunk_status_name(plan.trunks[i].status));
		str_of(t, "reason");
		ck_assert(json_is_boolean(json_object_get(t, "desired")));
		ck_assert(json_is_boolean(json_object_get(t, "can_converge")));
		ck_assert(json_is_string(json_object_get(t, "parent")) ||
			  json_is_null(json_object_get(t, "parent")));
		ck_assert(json_is_string(json_object_get(t, "parent_device")) ||
			  json_is_null(json_object_get(t, "parent_device")));
		subports = array_of(t, "subports");
		ck_assert_uint_eq(json_array_size(subports), plan.trunks[i].n_subports);
		for (size_t j = 0; j < plan.trunks[i].n_subports; j++) {
			json_t *s = json_array_get(subports, j);

			ck_assert_str_eq(str_of(s, "name"), plan.trunks[i].subports[j].want->name);
			ck_assert(json_is_integer(json_object_get(s, "vlan")));
			str_of(s, "protocol");
			ck_assert_str_eq(str_of(s, "state"),
					 vt_subport_state_name(plan.trunks[i].subports[j].state));
			array_of(s, "changes");
			str_of(s, "reason");
		}
	}
}

START_TEST(test_plan_json)
{
	json_t *doc, *ops, *trunks, *op, *change;

	vlan(10, "chg", ETH0, 10, MARK("t"))->mtu = 1400;
	vlan(11, "was", ETH0, 30, MARK("t"));
	vlan(12, "rec", ETH0, 99, MARK("t"));
	vlan(13, "g", ETH0, 40, MARK("gone"));
	PLAN(DOC(T("{'name':'chg','vlan':10,'mtu':1300}," SP("ren", 30) "," SP("new", 50) ","
		   SP("rec", 20)) "," TRUNK("down", "eth9", SP("d1", 5))));

	doc = capture_json(vt_json_print_plan);
	ck_assert_str_eq(str_of(doc, "command"), "plan");
	ck_assert_str_eq(str_of(doc, "result"), "cannot_converge");
	ops = array_of(doc, "operations");
	ck_assert_uint_eq(json_array_size(ops), plan.n_ops);
	ck_assert_uint_eq(plan.n_ops, 5);
	for (size_t i = 0; i < plan.n_ops; i++) {
		op = json_array_get(ops, i);
		ck_assert_str_eq(str_of(op, "op"), vt_op_kind_name(plan.ops[i].kind));
		ck_assert_str_eq(str_of(op, "trunk"), plan.trunks[plan.ops[i].trunk].name);
		ck_assert_str_eq(str_of(op, "device"), op_device(&plan.ops[i]));
		array_of(op, "changes");
	}
	op = json_array_get(ops, (size_t)op_pos("new"));
	ck_assert_str_eq(str_of(op, "parent"), "eth0");
	ck_assert_int_eq(json_integer_value(json_object_get(op, "vlan")), 50);
	ck_assert_str_eq(str_of(op, "protocol"), "802.1Q");
	op = json_array_get(ops, (size_t)op_pos("was"));
	ck_assert_str_eq(str_of(op, "op"), "rename");
	ck_assert_str_eq(str_of(op, "device"), "was");
	ck_assert_str_eq(str_of(op, "new_name"), "ren");
	op = json_array_get(ops, (size_t)op_pos("chg"));
	ck_assert_uint_eq(json_array_size(array_of(op, "changes")), 1);
	change = json_array_get(array_of(op, "changes"), 0);
	ck_assert_str_eq(str_of(change, "field"), "mtu");
	ck_assert_str_eq(str_of(change, "old"), "1400");
	ck_assert_str_eq(str_of(change, "new"), "1300");
	op = json_array_get(ops, (size_t)op_pos("rec"));
	ck_assert_int_eq(json_integer_value(json_object_get(op, "vlan")), 20);
	change = json_array_get(array_of(op, "changes"), 0);
	ck_assert_str_eq(str_of(change, "field"), "vlan");

	trunks = array_of(doc, "trunks");
	check_trunks_json(trunks);
	ck_assert_str_eq(str_of(json_array_get(trunks, trunk_index("down")), "status"), "DOWN");
	ck_assert(json_is_null(json_object_get(json_array_get(trunks, trunk_index("gone")),
					       "parent")));
	ck_assert(json_is_false(json_object_get(json_array_get(trunks, trunk_index("gone")),
						"desired")));
	json_decref(doc);
}
END_TEST

START_TEST(test_plan_json_in_sync)
{
	json_t *doc;

	vlan(10, "sa", ETH0, 10, MARK("t"));
	PLAN(DOC(T(SP("sa", 10))));
	doc = capture_json(vt_json_print_plan);
	ck_assert_str_eq(str_of(doc, "result"), "in_sync");
	ck_assert_uint_eq(json_array_size(array_of(doc, "operations")), 0);
	json_decref(doc);
}
END_TEST

START_TEST(test_status_json)
{
	json_t *doc, *trunks, *sub, *changes;

	vlan(10, "sa", ETH0, 10, MARK("t"))->up = false;
	add_link(11, "sb", "dummy", 0, 0, 0, NULL);
	PLAN(DOC(T(SP("sa", 10)) "," TRUNK("c", "eth0", SP("sb", 20)) ","
		 "{'name':'a','parent':'eth1','admin_state_up':false,'subports':[]}"));

	doc = capture_json(vt_json_print_status);
	ck_assert_str_eq(str_of(doc, "command"), "status");
	trunks = array_of(doc, "trunks");
	check_trunks_json(trunks);
	ck_assert_str_eq(str_of(json_array_get(trunks, trunk_index("t")), "status"), "DEGRADED");
	ck_assert_str_eq(str_of(json_array_get(trunks, trunk_index("c")), "status"), "ERROR");
	ck_assert_str_eq(str_of(json_array_get(trunks, trunk_index("a")), "status"), "DOWN");
	sub = json_array_get(array_of(json_array_get(trunks, trunk_index("t")), "subports"), 0);
	ck_assert_str_eq(str_of(sub, "state"), "differs");
	changes = array_of(sub, "changes");
	ck_assert_uint_eq(json_array_size(changes), 1);
	ck_assert_str_eq(str_of(json_array_get(changes, 0), "field"), "up");
	ck_assert_str_eq(str_of(json_array_get(changes, 0), "old"), "down");
	ck_assert_str_eq(str_of(json_array_get(changes, 0), "new"), "up");
	sub = json_array_get(array_of(json_array_get(trunks, trunk_index("c")), "subports"), 0);
	ck_assert_str_eq(str_of(sub, "state"), "conflict");
	ck_assert_str_ne(str_of(sub, "reason"), "");
	json_decref(doc);
}
END_TEST

/*
 * The kernel's names and aliases are bytes, not necessarily UTF-8: the
 * document stays valid and complete, one entry per operation and trunk.
 */
START_TEST(test_plan_json_non_utf8)
{
	json_t *doc, *ops, *trunks;

	vlan(10, "bad\xff", ETH0, 10, MARK("t"));
	vlan(11, "x", ETH0, 11, MARK("g\xfe"));
	vlan(12, "eth0.20", ETH0, 20, NULL);
	PLAN(DOC(T(SP("sa", 5)) "," TRUNK("c", "eth1", SP("x2", 5)) "," TRUNK("k", "eth0", SP("sk", 20))));

	doc = capture_json(vt_json_print_plan);
	ops = array_of(doc, "operations");
	trunks = array_of(doc, "trunks");
	ck_assert_uint_eq(json_array_size(ops), plan.n_ops);
	ck_assert_uint_eq(plan.n_ops, 4);
	ck_assert_uint_eq(json_array_size(trunks), plan.n_trunks);
	for (size_t i = 0; i < plan.n_ops; i++)
		str_of(json_array_get(ops, i), "device");
	for (size_t i = 0; i < plan.n_trunks; i++) {
		json_t *t = json_array_get(trunks, i);

		str_of(t, "name");
		ck_assert_uint_eq(json_array_size(array_of(t, "subports")),
				  plan.trunks[i].n_subports);
	}
	/* The bad bytes spelt out, the rest kept. */
	ck_assert_str_eq(str_of(json_array_get(ops, (size_t)op_pos("bad\xff")), "device"),
			 "bad\\xff");
	ck_assert_str_eq(str_of(json_array_get(ops, (size_t)op_pos("x")), "trunk"), "g\\xfe");
	json_decref(doc);
}
END_TEST

/* What @print writes, as a string (the caller frees it). */
static char *capture_printed(void (*print)(int verbosity, const struct vt_world *))
{
	struct vt_world w = { .desired = desired, .links = table, .plan = plan };
	FILE *tmp = tmpfile();
	char *text = calloc(1, 8192);
	int saved;

	ck_assert_ptr_nonnull(tmp);
	ck_assert_ptr_nonnull(text);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(dup2(fileno(tmp), STDOUT_FILENO), 0);
	print(0, &w);
	fflush(stdout);
	ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
	close(saved);
	rewind(tmp);
	text[fread(text, 1, 8191, tmp)] = '\0';
	fclose(tmp);
	return text;
}

static char *capture_text(void)
{
	return capture_printed(vt_text_plan);
}

static char *capture_status_text(void)
{
	return capture_printed(vt_text_status);
}

START_TEST(test_plan_text)
{
	char *text;

	vlan(10, "chg", ETH0, 10, MARK("t"))->mtu = 1400;
	vlan(11, "was", ETH0, 30, MARK("t"));
	vlan(12, "g", ETH0, 40, MARK("gone"));
	PLAN(DOC(T("{'name':'chg','vlan':10,'mtu':1300}," SP("ren", 30) "," SP("new", 50))));

	text = capture_text();
	assert_contains(text, "- delete g\n");
	assert_contains(text, "~ change chg: mtu 1400 -> 1300\n");
	assert_contains(text, "> rename was -> ren\n");
	assert_contains(text, "+ create new (eth0, 802.1Q 50)\n");
	assert_contains(text, "4 operations pending.\n");
	free(text);
}
END_TEST

/*
 * Altnames (ip link property add ... altname): the kernel's name lookup and
 * its name check see them. A parent or a master may be named by one; a
 * subport may not take one, nor be renamed to one.
 */
START_TEST(test_parent_by_altname)
{
	const struct vt_trunk_report *r;
	const struct vt_op *op;

	ck_assert_uint_eq(strlen(LONG_ALT), VT_ALTIFNAMSIZ - 1);
	ALTNAMES(&table.links[ETH0 - 1], "enx020000000002", LONG_ALT);
	vlan(10, "sa", ETH0, 10, MARK("t"));
	PLAN(DOC(TRUNK("t", LONG_ALT, SP("sa", 10) "," SP("sb", 20))));

	r = trunk_of("t");
	ck_assert(r->can_converge);
	ck_assert_str_eq(r->want->parent, LONG_ALT);		/* as written, for reports */
	ck_assert_str_eq(r->parent_device, "eth0");
	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_IN_SYNC);
	ck_assert_int_eq(subport_of("t", "sb")->state, VT_SP_MISSING);
	ck_assert_int_eq(subport_of("t", "sb")->target.parent, ETH0);
	/* Requests and the journal go by the device's own name. */
	op = op_on("sb");
	ck_assert_int_eq(op->kind, VT_OP_CREATE);
	ck_assert_str_eq(op->parent_name, "eth0");
	ck_assert_uint_eq(plan.n_ops, 1);
}
END_TEST

START_TEST(test_parent_by_altname_in_sync)
{
	ALTNAMES(&table.links[ETH1 - 1], "enx020000000003");
	vlan(10, "sa", ETH1, 10, MARK("t"));
	PLAN(DOC(TRUNK("t", "enx020000000003", SP("sa", 10))));

	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ACTIVE);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_subport_name_is_an_altname)
{
	ALTNAMES(&table.links[ETH1 - 1], "sb");
	ALTNAMES(vlan(10, "sa", ETH0, 10, MARK("t")), "sc");
	PLAN(DOC(T(SP("sb", 20)) "," TRUNK("u", "eth0", SP("sc", 30)) ","
		 TRUNK("v", "eth1", SP("sd", 40))));

	ck_assert_int_eq(trunk_of("t")->status, VT_TRUNK_ERROR);
	ck_assert(!trunk_of("t")->can_converge);
	ck_assert_int_eq(subport_of("t", "sb")->state, VT_SP_CONFLICT);
	ck_assert_str_eq(subport_of("t", "sb")->reason,
			 "the name sb is an altname of eth1, which vlantrunk does not manage");
	assert_contains(trunk_of("t")->reason, "subport sb: the name sb is an altname of eth1");
	/* Held by a managed device: still the kernel's EEXIST; and it names the owner. */
	ck_assert_int_eq(subport_of("u", "sc")->state, VT_SP_CONFLICT);
	assert_contains(subport_of("u", "sc")->reason, "an altname of sa (a subport of trunk t)");
	/* Nothing for either, sa (no longer desired by t) included; v goes on. */
	ck_assert_int_eq(op_pos("sb"), -1);
	ck_assert_int_eq(op_pos("sc"), -1);
	ck_assert_int_eq(op_pos("sa"), -1);
	ck_assert_int_eq(op_on("sd")->kind, VT_OP_CREATE);
	ck_assert_uint_eq(plan.n_ops, 1);
}
END_TEST

START_TEST(test_rename_target_is_an_altname)
{
	vlan(10, "old", ETH0, 10, MARK("t"));
	ALTNAMES(&table.links[DUMMY0 - 1], "new");
	PLAN(DOC(T(SP("new", 10))));

	ck_assert_int_eq(subport_of("t", "new")->state, VT_SP_CONFLICT);
	assert_contains(subport_of("t", "new")->reason, "an altname of dummy0");
	ck_assert(trunk_of("t")->blocked);
	ck_assert_uint_eq(plan.n_ops, 0);
}
END_TEST

START_TEST(test_master_by_altname)
{
	struct vt_link *l;

	ALTNAMES(&table.links[BR0 - 1], "bridge-main");
	l = vlan(10, "sa", ETH0, 10, MARK("t"));
	l->master = BR0;
	PLAN(DOC(T("{'name':'sa','vlan':10,'master':'bridge-main'}," SP("sb", 20) ","
		   "{'name':'sc','vlan':30,'master':'bridge-main'}")));

	ck_assert_int_eq(subport_of("t", "sa")->state, VT_SP_IN_SYNC);
	ck_assert_int_eq(subport_of("t", "sc")->target.master, BR0);
	ck_assert_str_eq(op_on("sc")->master_name, "br0");
}
END_TEST

/* One device, named by its name in one trunk and by an altname in another. */
START_TEST(test_one_parent_named_two_ways)
{
	ALTNAMES(&table.links[ETH0 - 1], "uplink");
	PLAN(DOC(TRUNK("a", "eth0", SP("sa", 10)) "," TRUNK("b", "uplink", SP("sb", 10) ","
							     SP("sc", 11))));

	ck_assert_int_eq(op_on("sa")->kind, VT_OP_CREATE);
	ck_assert(!trunk_of("a")->blocked);
	ck_assert(trunk_of("b")->blocked);
	ck_assert_int_eq(trunk_of("b")->status, VT_TRUNK_ERROR);
	ck_assert_str_eq(trunk_of("b")->reason, "subport sb: 802.1Q 10 on eth0 is also wanted by "
			 "subport sa of trunk a: both trunks' parents name eth0");
	ck_assert_int_eq(op_pos("sc"), -1);
	ck_assert_uint_eq(plan.n_ops, 1);
}
END_TEST

/* A device some trunk's parent names by an altname is never deleted under it. */
START_TEST(test_delete_parent_named_by_altname)
{
	vlan(10, "sa", ETH0, 10, MARK("t1"));
	ALTNAMES(vlan(11, "old", ETH0, 11, MARK("t1")), "carrier");
	PLAN(DOC(TRUNK("t1", "eth0", SP("sa", 10)) "," TRUNK("t2", "carrier", SP("sb", 20))));

	ck_assert(trunk_of("t1")->blocked);
	assert_contains(trunk_of("t1")->reason, "old is the parent of desired trunk t2");
	ck_assert_int_eq(op_pos("old"), -1);
	ck_assert_str_eq(op_on("sb")->parent_name, "old");
}
END_TEST

/* A vt_json_write_fn gathering the document in a growing buffer, in small pieces. */
struct gathered {
	char *text;
	size_t len, calls;
};

static int gather(void *arg, const char *buf, size_t len)
{
	struct gathered *g = arg;

	g->text = realloc(g->text, g->len + len + 1);
	ck_assert_ptr_nonnull(g->text);
	memcpy(g->text + g->len, buf, len);
	g->len += len;
	g->text[g->len] = '\0';
	g->calls++;
	return 0;
}

static int refuse(void *arg, const char *buf, size_t len)
{
	(void)buf;
	(void)len;
	++*(int *)arg;
	return -EPIPE;
}

/*
 * The agent streams its status reply; its consumers parse the document it
 * built whole before, so it must be the same bytes: every layout jansson
 * gives (empty arrays, nested changes, null, text that is not UTF-8) and the
 * "agent" object after "trunks", at depths 0 to 6.
 */
START_TEST(test_status_streamed_as_dumped)
{
	struct vt_world w = { 0 };
	struct gathered g = { 0 };
	json_t *doc, *agent;
	char *want;
	int refused = 0;

	vlan(10, "sa", ETH0, 10, MARK("t"))->up = false;
	vlan(11, "sc", ETH0, 11, "vlantrunk:t\xff\xfe");
	add_link(12, "sb", "dummy", 0, 0, 0, NULL);
	PLAN(DOC(T(SP("sa", 10) "," SP("sc", 11) "," SP("sd", 12)) "," TRUNK("c", "eth0", SP("sb", 20))
		 "," "{'name':'a','parent':'eth1','admin_state_up':false,'subports':[]}"));
	w.desired = desired;
	w.links = table;
	w.plan = plan;
	agent = json_pack("{s:i, s:n, s:f, s:{}}", "pid", 42, "config_error", "last_run_ms", 1.5,
			  "empty");
	doc = vt_json_status(&w);
	json_object_set_new(doc, "agent", json_incref(agent));
	want = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	ck_assert_int_eq(vt_json_write_status(&w, json_pack("{s:O}", "agent", agent), gather, &g), 0);
	ck_assert_str_eq(g.text, want);
	free(g.text);
	free(want);
	json_decref(doc);

	/* Without more members, and with no trunks at all. */
	g = (struct gathered){ 0 };
	doc = vt_json_status(&w);
	want = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	ck_assert_int_eq(vt_json_write_status(&w, NULL, gather, &g), 0);
	ck_assert_str_eq(g.text, want);
	free(g.text);
	free(want);
	json_decref(doc);
	w.plan.n_trunks = 0;
	g = (struct gathered){ 0 };
	ck_assert_int_eq(vt_json_write_status(&w, NULL, gather, &g), 0);
	ck_assert_str_eq(g.text, "{\n  \"command\": \"status\",\n  \"trunks\": []\n}");
	free(g.text);

	/* A client gone: the first failed write ends it, and is returned. */
	w.plan = plan;
	ck_assert_int_eq(vt_json_write_status(&w, json_incref(agent), refuse, &refused), -EPIPE);
	ck_assert_int_eq(refused, 1);
	json_decref(agent);
}
END_TEST

START_TEST(test_parent_altname_in_reports)
{
	json_t *doc, *t;
	char *text;

	ALTNAMES(&table.links[ETH0 - 1], LONG_ALT);
	vlan(10, "sa", ETH0, 10, MARK("t"));
	PLAN(DOC(TRUNK("t", LONG_ALT, SP("sa", 10)) "," TRUNK("m", "nowhere", SP("sm", 10))));

	doc = capture_json(vt_json_print_status);
	check_trunks_json(array_of(doc, "trunks"));
	t = json_array_get(array_of(doc, "trunks"), trunk_index("t"));
	ck_assert_str_eq(str_of(t, "parent"), LONG_ALT);
	ck_assert_str_eq(str_of(t, "parent_device"), "eth0");
	t = json_array_get(array_of(doc, "trunks"), trunk_index("m"));
	ck_assert(json_is_null(json_object_get(t, "parent_device")));
	json_decref(doc);

	text = capture_status_text();
	assert_contains(text, "t ACTIVE (parent " LONG_ALT " (eth0), 1 subport)\n");
	assert_contains(text, "m DOWN (parent nowhere, 1 subport): parent nowhere is missing\n");
	free(text);
}
END_TEST


/* A device in namespace @slot (its parent an ifindex of the own one). */
static struct vt_link *vlan_in(uint16_t slot, int ifindex, const char *name, int parent,
			       uint16_t id, const char *alias)
{
	struct vt_link *l = vlan(ifindex, name, parent, id, alias);

	l->ns = slot;
	l->parent_ns = VT_NS_OWN;
	return l;
}

static void netns_setup(void)
{
	ck_assert_int_eq(vt_link_table_add_netns(&table, "/run/netns/pa", 1, 4, 101, 0), 0);
	ck_assert_int_eq(vt_link_table_add_netns(&table, "/run/netns/pb", 2, 4, 102, 0), 0);
	/* the same namespace as pa, named by a process's file */
	ck_assert_int_eq(vt_link_table_add_netns(&table, "/proc/77/ns/net", 1, 4, 101, 0), 0);
}

/* One name in three namespaces: three devices, each found in its own. */
START_TEST(test_netns_same_name_everywhere)
{
	const struct vt_plan *p;

	netns_setup();
	vlan(100, "eth9", ETH0, 10, MARK("t"));
	vlan_in(1, 100, "eth9", ETH0, 11, MARK("t"));
	p = PLAN("{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':["
		 "{'name':'eth9','vlan':10},{'name':'eth9','vlan':11,'netns':'pa'},"
		 "{'name':'eth9','vlan':12,'netns':'pb'}]}]}");
	ck_assert_uint_eq(p->trunks[0].subports[0].state, VT_SP_IN_SYNC);
	ck_assert_uint_eq(p->trunks[0].subports[1].state, VT_SP_IN_SYNC);
	ck_assert_uint_eq(p->trunks[0].subports[2].state, VT_SP_MISSING);
	ck_assert_uint_eq(p->n_ops, 1);
	ck_assert_uint_eq(p->ops[0].kind, VT_OP_CREATE);
	ck_assert_uint_eq(p->ops[0].after.link.ns, 2);
	ck_assert_uint_eq(p->ops[0].after.link.vlan.id, 12);
}
END_TEST

/*
 * The loader sorts the subports by name once (vt_desired.by_name), and the
 * plan looks names up in that index instead of a table of its own: the same
 * plan as from a desired state without the index, names alike across
 * namespaces and trunks, added out of order (b10 before b2), scoped or not.
 */
static char *status_text(void)
{
	struct vt_world w = { .desired = desired, .links = table, .plan = plan };
	json_t *doc = vt_json_status(&w);
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);

	json_decref(doc);
	ck_assert_ptr_nonnull(text);
	return text;
}

START_TEST(test_netns_by_name_index)
{
	const char *doc = "{'version':1,'trunks':["
		"{'name':'u','parent':'eth1','subports':[{'name':'b2','vlan':7},"
		"{'name':'eth9','vlan':13,'netns':'pb'}]},"
		"{'name':'t','parent':'eth0','subports':[{'name':'eth9','vlan':10},"
		"{'name':'b10','vlan':3},{'name':'eth9','vlan':11,'netns':'pa'},"
		"{'name':'b2','vlan':4,'netns':'pa'},{'name':'a','vlan':5}]}]}";
	const char *only[] = { "t" };
	struct vt_subport_ref *index;
	char *with, *without;

	netns_setup();
	vlan(100, "eth9", ETH0, 10, MARK("t"));
	vlan_in(1, 100, "eth9", ETH0, 11, MARK("t"));
	vlan(101, "b2", ETH1, 9, MARK("u"));
	vlan(102, "a", ETH0, 5, NULL);
	for (size_t scoped = 0; scoped < 2; scoped++) {
		plan_of(doc, NULL);
		ck_assert_uint_eq(desired.n_by_name, 7);
		for (size_t k = 1; k < desired.n_by_name; k++) {
			const struct vt_subport_ref *x = &desired.by_name[k - 1], *y = &desired.by_name[k];
			int order = strcmp(desired.trunks[x->trunk].subports[x->subport].name,
					   desired.trunks[y->trunk].subports[y->subport].name);

			ck_assert(order < 0 || (order == 0 && (x->trunk < y->trunk ||
				  (x->trunk == y->trunk && x->subport < y->subport))));
		}
		vt_plan_free(&plan);
		ck_assert_int_eq(vt_plan_build(&desired, &table, only, scoped, &plan), 0);
		with = status_text();
		vt_plan_free(&plan);
		index = desired.by_name;
		desired.by_name = NULL;
		ck_assert_int_eq(vt_plan_build(&desired, &table, only, scoped, &plan), 0);
		desired.by_name = index;
		without = status_text();
		ck_assert_str_eq(with, without);
		ck_assert_ptr_nonnull(strstr(with, "\"b10\""));
		free(with);
		free(without);
		vt_plan_free(&plan);
		vt_desired_free(&desired);
		plan = (struct vt_plan){ 0 };
	}
}
END_TEST

/*
 * desired/ takes a QinQ trunk's outer trunk by the subport's netns as written
 * (none); the planner finds names by namespace slot, and /proc/1/ns/net names
 * the own namespace too. Another trunk's q1 written with that file is then
 * the first q1 there: the outer trunk's own q1 conflicts, and the nested trunk
 * waits for its parent. Before, the planner read the outer trunk's report at
 * the other trunk's subport index, past the end of its subports.
 */
START_TEST(test_netns_outer_subport_named_in_own_namespace_by_file)
{
	const struct vt_trunk_report *t0, *t3;
	const struct vt_plan *p;

	ck_assert_int_eq(vt_link_table_add_netns(&table, "/proc/1/ns/net", VT_NS_OWN, 4, 100, 0), 0);
	p = PLAN("{'version':1,'trunks':["
		 "{'name':'t0','parent':'q1','subports':[{'name':'x0','vlan':5}]},"
		 "{'name':'t1','parent':'eth1','subports':[{'name':'a1','vlan':1},"
		 "{'name':'a2','vlan':2},{'name':'a3','vlan':3},{'name':'a4','vlan':4},"
		 "{'name':'q1','vlan':9,'netns':'/proc/1/ns/net'}]},"
		 "{'name':'t3','parent':'eth0','subports':[{'name':'q1','vlan':100}]}]}");
	t3 = trunk_of("t3");
	ck_assert_uint_eq(t3->subports[0].state, VT_SP_CONFLICT);
	assert_contains(t3->subports[0].reason, "subport q1 of trunk t1");
	t0 = trunk_of("t0");
	ck_assert(!t0->can_converge);
	assert_contains(t0->reason, "parent q1 is missing");
	ck_assert_uint_eq(t0->subports[0].state, VT_SP_BLOCKED);
	ck_assert_uint_eq(p->n_ops, 5);	/* t1: a1..a4, and q1, the first of that name here */
}
END_TEST

/* A namespace not there: its subport is missing, the trunk DEGRADED, the rest served. */
START_TEST(test_netns_missing_namespace)
{
	const struct vt_plan *p;

	netns_setup();
	p = PLAN("{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':["
		 "{'name':'a','vlan':10},{'name':'b','vlan':11,'netns':'gone'}]}]}");
	ck_assert_uint_eq(p->trunks[0].subports[1].state, VT_SP_MISSING);
	assert_contains(p->trunks[0].subports[1].reason, "namespace gone does not exist");
	ck_assert_uint_eq(p->trunks[0].status, VT_TRUNK_DEGRADED);
	ck_assert_ptr_nonnull(vt_trunk_netns_missing(&p->trunks[0]));
	ck_assert_uint_eq(p->n_ops, 1);
	ck_assert_str_eq(p->ops[0].after.link.name, "a");
	ck_assert_uint_eq(p->ops[0].after.link.ns, VT_NS_OWN);
}
END_TEST

/* Moved to another namespace: deleted where it is, created where it goes; never renamed across. */
START_TEST(test_netns_move_is_delete_and_create)
{
	const struct vt_plan *p;

	netns_setup();
	vlan_in(1, 100, "eth9", ETH0, 11, MARK("t"));
	p = PLAN("{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':["
		 "{'name':'eth9','vlan':11,'netns':'pb'}]}]}");
	ck_assert_uint_eq(p->n_ops, 2);
	ck_assert_uint_eq(p->ops[0].kind, VT_OP_DELETE);
	ck_assert_uint_eq(p->ops[0].before->ns, 1);
	ck_assert_uint_eq(p->ops[1].kind, VT_OP_CREATE);
	ck_assert_uint_eq(p->ops[1].after.link.ns, 2);
	assert_commit_order();
}
END_TEST

/* An unmanaged device of that name in the subport's namespace: a conflict there only. */
START_TEST(test_netns_conflict_per_namespace)
{
	const struct vt_plan *p;

	netns_setup();
	add_link(100, "eth9", "dummy", 0, 0, 0, NULL)->ns = 1;
	p = PLAN("{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':["
		 "{'name':'eth9','vlan':11,'netns':'pa'}]},"
		 "{'name':'u','parent':'eth1','subports':[{'name':'eth9','vlan':11,'netns':'pb'}]}]}");
	ck_assert_uint_eq(p->trunks[0].subports[0].state, VT_SP_CONFLICT);
	ck_assert_uint_eq(p->trunks[0].status, VT_TRUNK_ERROR);
	ck_assert_uint_eq(p->trunks[1].subports[0].state, VT_SP_MISSING);
	ck_assert_uint_eq(ops_of_trunk("t"), 0);
	ck_assert_uint_eq(ops_of_trunk("u"), 1);
}
END_TEST

/* Two spellings of one namespace: the kernel says it is one, so the name is wanted twice. */
START_TEST(test_netns_one_namespace_two_files)
{
	const struct vt_plan *p;

	netns_setup();
	p = PLAN("{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':["
		 "{'name':'eth9','vlan':11,'netns':'pa'}]},"
		 "{'name':'u','parent':'eth1','subports':["
		 "{'name':'eth9','vlan':12,'netns':'/proc/77/ns/net'}]}]}");
	ck_assert_uint_eq(p->trunks[0].subports[0].state, VT_SP_MISSING);
	ck_assert_uint_eq(p->trunks[1].subports[0].state, VT_SP_CONFLICT);
	assert_contains(p->trunks[1].subports[0].reason, "also wanted in that network namespace");
	ck_assert_uint_eq(ops_of_trunk("u"), 0);
}
END_TEST

/* A managed VLAN whose parent is in a namespace not read keys nothing: not renamed, not adopted. */
START_TEST(test_netns_parent_elsewhere_is_no_key)
{
	const struct vt_plan *p;

	netns_setup();
	vlan_in(1, 100, "old", 0, 11, MARK("t"));
	p = PLAN("{'version':1,'trunks':[{'name':'t','parent':'eth0','subports':["
		 "{'name':'eth9','vlan':11,'netns':'pa'}]}]}");
	/* not a rename of "old" (its parent is not eth0 as far as anyone can tell) */
	ck_assert_uint_eq(count_ops(VT_OP_RENAME), 0);
	ck_assert_uint_eq(count_ops(VT_OP_CREATE), 1);
	ck_assert_uint_eq(p->trunks[0].subports[0].state, VT_SP_MISSING);
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_in_sync);
	tcase_add_test(tc, test_admin_down_in_sync);
	tcase_add_test(tc, test_admin_down_device_up);
	tcase_add_test(tc, test_missing_create);
	tcase_add_test(tc, test_create_admin_down);
	tcase_add_loop_test(tc, test_field_differs, 0,
			    (int)(sizeof(field_cases) / sizeof(field_cases[0])));
	tcase_add_test(tc, test_diff_names);
	tcase_add_test(tc, test_long_egress_summarised);
	tcase_add_loop_test(tc, test_recreate, 0,
			    (int)(sizeof(recreate_cases) / sizeof(recreate_cases[0])));
	tcase_add_test(tc, test_conflict_name);
	tcase_add_test(tc, test_conflict_vlan_key);
	tcase_add_test(tc, test_adopt);
	tcase_add_loop_test(tc, test_adopt_refused, 0,
			    (int)(sizeof(adopt_refused) / sizeof(adopt_refused[0])));
	tcase_add_test(tc, test_no_adopt_without_flag);
	tcase_add_test(tc, test_parent_missing);
	tcase_add_loop_test(tc, test_infeasible, 0, (int)(sizeof(infeasible) / sizeof(infeasible[0])));
	tcase_add_test(tc, test_mtu_up_to_parent);
	tcase_add_test(tc, test_delete_stray);
	tcase_add_test(tc, test_delete_trunk_gone);
	tcase_add_test(tc, test_unmanaged_never_deleted);
	tcase_add_test(tc, test_only_filter);
	tcase_add_test(tc, test_rename);
	tcase_add_test(tc, test_no_rename_of_claimed_name);
	tcase_add_test(tc, test_no_rename_of_other_trunk);
	tcase_add_test(tc, test_create_key_held_out_of_scope);
	tcase_add_test(tc, test_create_key_held_by_blocked_trunk);
	tcase_add_test(tc, test_recreate_key_held_unmanaged);
	tcase_add_loop_test(tc, test_moved_subport, 0, 2);
	tcase_add_test(tc, test_swap_vlans);
	tcase_add_test(tc, test_swap_names);
	tcase_add_test(tc, test_swap_key_freed_by_a_takeover);
	tcase_add_test(tc, test_qinq_create_order);
	tcase_add_test(tc, test_qinq_outer_recreate);
	tcase_add_test(tc, test_qinq_outer_recreate_inner_moves_to_a_flat_trunk);
	tcase_add_test(tc, test_qinq_in_sync);
	tcase_add_test(tc, test_qinq_outer_rename);
	tcase_add_test(tc, test_delete_blocked_by_unmanaged_child);
	tcase_add_test(tc, test_recreate_blocked_by_unmanaged_child);
	tcase_add_test(tc, test_qinq_unmanaged_grandchild);
	tcase_add_test(tc, test_qinq_outer_blocked_late);
	tcase_add_test(tc, test_delete_desired_parent);
	tcase_add_test(tc, test_effect_rename_brings_up_an_inner_subport_declared_down);
	tcase_add_test(tc, test_effect_inner_wanted_up_is_not_set_down);
	tcase_add_test(tc, test_effect_rename_refused_for_an_operators_vlan);
	tcase_add_test(tc, test_effect_loose_binding_is_left_alone);
	tcase_add_test(tc, test_effect_mtu_clamps_inner_devices);
	tcase_add_test(tc, test_effect_mtu_breaking_a_desired_mtu_is_refused);
	tcase_add_test(tc, test_effect_down_refused_for_an_operators_vlan);
	tcase_add_test(tc, test_effect_down_journals_a_down_inner_for_the_rollback);
	tcase_add_test(tc, test_effect_down_refused_for_an_operators_down_vlan);
	tcase_add_test(tc, test_effect_up_sees_loose_binding_as_the_change_stage_leaves_it);
	tcase_add_test(tc, test_effect_rename_brings_up_an_inner_subport_set_down_first);
	tcase_add_test(tc, test_effect_rename_reaches_two_levels_down);
	tcase_add_test(tc, test_effect_rename_refused_for_an_operators_vlan_two_levels_down);
	tcase_add_test(tc, test_effect_down_brings_back_an_inner_subport_given_loose_binding);
	tcase_add_test(tc, test_effect_mac_refused_for_an_operators_vlan_that_inherits_it);
	tcase_add_test(tc, test_effect_mac_leaves_a_vlan_with_its_own_address_alone);
	tcase_add_test(tc, test_conflict_on_one_outer_subport_frees_the_other);
	tcase_add_loop_test(tc, test_qinq_mtu_of_kept_outer, 0, 2);
	tcase_add_test(tc, test_only_brings_nested_strays);
	tcase_add_test(tc, test_mixed_order);
	tcase_add_test(tc, test_scale_create);
	tcase_add_test(tc, test_scale_in_sync);
	tcase_add_test(tc, test_scale_all_renamed);
	tcase_add_test(tc, test_plan_json);
	tcase_add_test(tc, test_plan_json_in_sync);
	tcase_add_test(tc, test_status_json);
	tcase_add_test(tc, test_status_streamed_as_dumped);
	tcase_add_test(tc, test_plan_json_non_utf8);
	tcase_add_test(tc, test_plan_text);
	tcase_add_test(tc, test_parent_by_altname);
	tcase_add_test(tc, test_parent_by_altname_in_sync);
	tcase_add_test(tc, test_subport_name_is_an_altname);
	tcase_add_test(tc, test_rename_target_is_an_altname);
	tcase_add_test(tc, test_master_by_altname);
	tcase_add_test(tc, test_one_parent_named_two_ways);
	tcase_add_test(tc, test_delete_parent_named_by_altname);
	tcase_add_test(tc, test_parent_altname_in_reports);
	tcase_add_test(tc, test_netns_same_name_everywhere);
	tcase_add_test(tc, test_netns_by_name_index);
	tcase_add_test(tc, test_netns_outer_subport_named_in_own_namespace_by_file);
	tcase_add_test(tc, test_netns_missing_namespace);
	tcase_add_test(tc, test_netns_move_is_delete_and_create);
	tcase_add_test(tc, test_netns_conflict_per_namespace);
	tcase_add_test(tc, test_netns_one_namespace_two_files);
	tcase_add_test(tc, test_netns_parent_elsewhere_is_no_key);
	suite_add_tcase(s, tc);
	return s;
}
