/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the planner's files only. */
#ifndef VT_PLAN_INTERNAL_H
#define VT_PLAN_INTERNAL_H

#include "base/name_table.h"
#include "vt_plan.h"

/* A desired subport, findable by name across every trunk. */
struct wanted {
	const char *name;
	size_t trunk;			/* index into desired->trunks */
	size_t subport;
};

/* A VLAN device, findable by what the kernel keeps unique. */
struct vlan_key {
	int parent;
	uint16_t protocol;
	uint16_t vlan;
	const struct vt_link *link;
};

struct planner {
	const struct vt_desired *desired;
	const struct vt_link_table *links;
	struct vt_plan *plan;
	const char *const *only;
	size_t n_only;
	const struct vt_plan_hold *holds;
	size_t n_holds;

	struct wanted *wanted;		/* in desired order */
	size_t n_wanted;
	struct vt_name_table wanted_names;	/* subport name -> index into wanted */
	struct vt_name_table only_names;	/* the trunk names @only selects */
	struct vt_name_table reports;	/* trunk name -> index into plan->trunks: every report */
	struct vlan_key *keys;		/* sorted by (parent, protocol, vlan) */
	size_t n_keys;
	struct vlan_key *children;	/* every link with a parent, sorted by parent */
	size_t n_children;
	/* per kernel link (by position in links->links): its fate in this plan */
	unsigned char *fate;
	/* per desired trunk: its report index, or SIZE_MAX when not considered */
	size_t *report_of;
	/* per desired trunk and subport: resolved target and effective MTU */
	struct vt_subport_target **targets;
	uint32_t **mtu;
	size_t ops_cap;
	/* per kernel link: 1 + the index of the op on it whose trunk goes ahead, or 0 */
	size_t *op_of;
	/* per kernel link: an effect journals it already */
	unsigned char *effected;
	/* per desired trunk: its plan relies on its outer trunk's ops on its parent */
	unsigned char *assumes_outer;
	size_t effects_cap;
};

enum fate {
	FATE_KEEP,
	FATE_CLAIMED,			/* matched to a desired subport */
	FATE_DELETED,			/* deleted or recreated by this plan */
};

/* The position of @link, one of p->links, in that table: the index of the per-link arrays. */
static inline size_t link_pos(const struct planner *p, const struct vt_link *link)
{
	return (size_t)(link - p->links->links);
}

/** vt_plan_cmp_parent - qsort order of struct vlan_key in planner.children: by parent. */
int vt_plan_cmp_parent(const void *a, const void *b);

/** vt_plan_scope_root - the report that stands for @i's transaction scope. */
size_t vt_plan_scope_root(const struct vt_plan *plan, size_t i);

/** vt_plan_children - the links whose parent is @ifindex: *@n of them from the result. */
const struct vlan_key *vt_plan_children(const struct planner *p, int ifindex, size_t *n);

/** vt_plan_held - why a kept journal holds @trunk (struct vt_plan_hold), or NULL. */
const char *vt_plan_held(const struct planner *p, const char *trunk);

/** vt_plan_join - trunk reports @x and @y share a transaction (scopes made flat later). */
void vt_plan_join(struct vt_plan *plan, size_t x, size_t y);

/** vt_plan_find_wanted - the desired subport called @name, or NULL. */
const struct wanted *vt_plan_find_wanted(struct planner *p, const char *name);

/**
 * vt_plan_effects_refused - whether the kernel's side effects of @op (see
 * struct vt_effect) forbid it; then @why says why. Ops of blocked trunks
 * count as not planned: p->op_of must be current (vt_plan_index_ops()).
 */
bool vt_plan_effects_refused(struct planner *p, const struct vt_op *op, char *why, size_t len);

/** vt_plan_index_ops - rebuild p->op_of from the ops of trunks not blocked. */
void vt_plan_index_ops(struct planner *p);

/**
 * vt_plan_effects - record the side effects of every op of a trunk not
 * blocked in plan->effects, and join the scopes of the trunks they touch.
 * Returns 0 or -ENOMEM.
 */
int vt_plan_effects(struct planner *p);

/**
 * vt_link_diff - enum vt_diff bits in which @have differs from @want,
 * leaving out the bits of @ignore. A MAC is compared only when @want has one.
 */
uint32_t vt_link_diff(const struct vt_link *want, const struct vt_link *have, uint32_t ignore);

/** vt_diff_vlan_flags - the VT_VLAN_* flags the vt_diff bits of @differs name. */
uint32_t vt_diff_vlan_flags(uint32_t differs);

/**
 * vt_spec_create - a create request for all of @want; MTU, MAC and group only
 * when @optional has VT_F_MTU / VT_F_MAC / VT_F_GROUP; the master when @want
 * has one.
 * The spec borrows @want's egress map.
 */
void vt_spec_create(const struct vt_link *want, uint32_t optional, struct vt_link_spec *spec);

/** vt_spec_change - a change of device @ifindex for the bits of @differs. */
void vt_spec_change(const struct vt_link *want, uint32_t differs, int ifindex,
		    struct vt_link_spec *spec);

/** vt_target_link - the device @t describes; it borrows the subport's egress map. */
void vt_target_link(const struct vt_subport_target *t, struct vt_link *link);

/** vt_subport_diff - enum vt_diff bits in which @have differs from @t. */
uint32_t vt_subport_diff(const struct vt_subport_target *t, const struct vt_link *have);

/** vt_subport_spec_create - the whole device, for a create (parent by name, elsewhere). */
void vt_subport_spec_create(const struct vt_subport_target *t, struct vt_link_spec *spec);

/** vt_subport_spec_change - only what @differs names, for a change of @have. */
void vt_subport_spec_change(const struct vt_subport_target *t, uint32_t differs,
			    const struct vt_link *have, struct vt_link_spec *spec);

/**
 * vt_op_ipv6_cycle - whether @op sets its device down and up again for IPv6:
 * a change that raises the MTU of a device that is up, and stays up, from
 * below 1280 to 1280 or more while turning IPv6 off. The kernel makes IPv6
 * state anew at that MTU, and on a device that is up a link-local address
 * at once: so down, MTU, IPv6 off, then up.
 */
bool vt_op_ipv6_cycle(const struct vt_op *op);

/** vt_marker_format - "vlantrunk:<trunk>" into @alias. */
void vt_marker_format(char alias[VT_ALIAS_MAX + 1], const char *trunk);

/* Moved out of plan.c; each is renamed for its file next. */
const struct vt_link *find_vlan(const struct planner *p, int parent, uint16_t protocol,
				       uint16_t vlan);
int build_indexes(struct planner *p);
const struct vt_link *parent_link(const struct planner *p, size_t ti);
void planner_free(struct planner *p);
bool selected(struct planner *p, const char *trunk);
bool in_scope(struct planner *p, size_t ti);
void join_dependent_scopes(struct planner *p);
struct vt_trunk_report *add_report(struct planner *p, const char *name,
					  const struct vt_trunk *want);
struct vt_op *add_op(struct planner *p, enum vt_op_kind kind, size_t report,
			    unsigned int depth);
int plan_trunk(struct planner *p, size_t ti);
void block(struct vt_trunk_report *r, const char *fmt, const char *a, const char *b);
void set_status(struct vt_trunk_report *r);
int plan_deletes(struct planner *p);
int check_deletes(struct planner *p);
unsigned int delete_depth(const struct planner *p, const struct vt_link *l);
int cmp_op(const void *a, const void *b);
void drop_blocked_ops(struct vt_plan *plan);

#endif
