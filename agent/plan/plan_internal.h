/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan_internal.h - the planner's own state (struct planner) and what its
 * files share. Included by agent/plan/'s files only (and unit tests of them);
 * callers of the planner include vt_plan.h, the engine and recovery the
 * link model's own headers (diff.h, spec.h, op.h).
 *
 * vt_plan_build_held() (plan.c) makes a plan in these steps:
 *   plan_index.c   index the links and the desired subports
 *   plan_trunk.c   each trunk in scope, outer trunks first: its parent as
 *                  the plan leaves it, each subport matched and planned
 *   plan_stale.c   delete the managed devices no subport claims
 *   plan_scope.c   join the trunks whose operations depend on each other
 *   plan_check.c   block the trunks whose operations the kernel would
 *                  refuse half-way, until no more are
 *   plan_effects.c the kernel's side effects of the operations that remain
 *   plan_order.c   the commit order
 * trunk.c blocks a trunk and derives its status from its subports' states.
 */
#ifndef VT_PLAN_INTERNAL_H
#define VT_PLAN_INTERNAL_H

#include "base/name_table.h"
#include "diff.h"
#include "op.h"
#include "spec.h"
#include "vt_plan.h"

/*
 * A desired subport, findable by (namespace, name) across every trunk. One
 * per desired subport, so kept small: its name is the desired subport's.
 */
struct wanted {
	uint32_t trunk;			/* index into desired->trunks */
	uint32_t subport;
	int ns;				/* vt_subport_target.ns: -1 when its namespace is missing */
};

/*
 * A VLAN device, findable by what the kernel keeps unique; two per link
 * (keys and children), so 16 bytes: the link by its position in the table
 * (key_link()), not by a pointer.
 */
struct vlan_key {
	int parent;
	uint16_t parent_ns;
	uint16_t protocol;
	uint16_t vlan;
	uint32_t pos;			/* the link's index in links->links */
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
	size_t *first_wanted;		/* per desired trunk: its first subport's in wanted */
	/*
	 * Subport name -> index into wanted: desired->by_name when it covers
	 * every subport (.by_name), else wanted_names, built for the plan.
	 */
	bool by_name;
	struct vt_name_table wanted_names;
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
	size_t ops_cap;
	/* per kernel link: 1 + the index of the op on it whose trunk goes ahead, or 0 */
	uint32_t *op_of;
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

/* The link @k stands for. */
static inline const struct vt_link *key_link(const struct planner *p, const struct vlan_key *k)
{
	return &p->links->links[k->pos];
}

/* plan_index.c: the planner's indexes, built once per plan. */

/** vt_plan_index_build - allocate @p's per-link and per-trunk state and index it. 0 or -ENOMEM. */
int vt_plan_index_build(struct planner *p);

/** vt_plan_index_free - free what vt_plan_index_build() allocated, and the name tables. */
void vt_plan_index_free(struct planner *p);

/** vt_plan_index_wanted - the desired subport called @name in namespace @ns, or NULL. */
const struct wanted *vt_plan_index_wanted(struct planner *p, int ns, const char *name);

/** vt_plan_index_vlan - the VLAN device with this (parent, protocol, vlan), or NULL. */
const struct vt_link *vt_plan_index_vlan(const struct planner *p, uint16_t parent_ns, int parent,
					 uint16_t protocol,
					 uint16_t vlan);

/** vt_plan_index_children - the links whose parent is @ifindex: *@n of them from the result. */
const struct vlan_key *vt_plan_index_children(const struct planner *p, uint16_t ns, int ifindex,
					      size_t *n);

/**
 * vt_plan_index_parent - the device desired trunk @ti's parent names: on a
 * plain parent its name or an altname, a QinQ parent by its name. NULL when
 * there is none.
 */
const struct vt_link *vt_plan_index_parent(const struct planner *p, size_t ti);

/** vt_plan_index_held - why a kept journal holds @trunk (struct vt_plan_hold), or NULL. */
const char *vt_plan_index_held(const struct planner *p, const char *trunk);

/** vt_plan_index_ops - rebuild p->op_of from the ops of trunks not blocked. */
void vt_plan_index_ops(struct planner *p);

/* plan_trunk.c: one desired trunk. */

/**
 * vt_plan_trunk - plan desired trunk @ti: its report, its subports' states
 * and their operations. An outer trunk is planned before the trunks nested
 * on it. 0 or -ENOMEM.
 */
int vt_plan_trunk(struct planner *p, size_t ti);

/**
 * vt_plan_trunk_add_report - a new report for trunk @name (@want: NULL when
 * no longer desired), in p->reports too; NULL when out of memory.
 * plan->trunks has room for one per desired trunk and per link.
 */
struct vt_trunk_report *vt_plan_trunk_add_report(struct planner *p, const char *name,
						 const struct vt_trunk *want);

/** vt_plan_trunk_add_op - a new zeroed op of report @report, in planning order; NULL: -ENOMEM. */
struct vt_op *vt_plan_trunk_add_op(struct planner *p, enum vt_op_kind kind, size_t report,
				   unsigned int depth);

/* trunk.c: a trunk's report. */

/**
 * vt_trunk_block - @r is blocked: no operations, ERROR. Its reason is
 * @fmt with @a and @b, unless it was blocked for another reason first.
 */
void vt_trunk_block(struct vt_trunk_report *r, const char *fmt, const char *a, const char *b);

/**
 * vt_trunk_status_derive - @r's status as the kernel shows it, and the
 * reason, from its subports' states: ERROR when blocked, DOWN when it cannot
 * converge or is down by choice or by its parent, ACTIVE in sync, else
 * DEGRADED. run/status.c's vt_status_trunk() takes it from there.
 */
void vt_trunk_status_derive(struct vt_trunk_report *r);

/**
 * vt_trunk_stray - a managed device of @r's trunk that no subport claims is
 * to be deleted: @r is DEGRADED, and says so when nothing else was wrong.
 * With vt_trunk_status_derive(), the only code that sets a plan's status.
 */
void vt_trunk_stray(struct vt_trunk_report *r, const char *device);

/* plan_stale.c */

/**
 * vt_plan_stale - delete the managed devices no desired subport claims,
 * of the trunks in scope: each under its owner's report, added when the
 * trunk is no longer desired. 0 or -ENOMEM.
 */
int vt_plan_stale(struct planner *p);

/* plan_scope.c: this run's scope, and the transactions' scopes. */

/** vt_plan_scope_selected - whether the run selects trunk @trunk (every trunk without @only). */
bool vt_plan_scope_selected(struct planner *p, const char *trunk);

/** vt_plan_scope_includes - whether desired trunk @ti is planned: selected, or nested on one. */
bool vt_plan_scope_includes(struct planner *p, size_t ti);

/** vt_plan_scope_root - the report that stands for @i's transaction scope. */
size_t vt_plan_scope_root(const struct vt_plan *plan, size_t i);

/** vt_plan_scope_join - trunk reports @x and @y share a transaction (scopes made flat later). */
void vt_plan_scope_join(struct vt_plan *plan, size_t x, size_t y);

/**
 * vt_plan_scope_join_dependent - join the scopes of trunks whose operations
 * depend on each other's devices (p->op_of rebuilt for it), and make every
 * scope flat.
 */
void vt_plan_scope_join_dependent(struct planner *p);

/* plan_check.c */

/**
 * vt_plan_check - block every trunk whose operations the kernel would
 * refuse half-way through a commit (deletes that take other devices along,
 * creates whose key is taken, side effects it may not cause), and the
 * trunks that relied on them, until no more are. 0 or -ENOMEM.
 */
int vt_plan_check(struct planner *p);

/* plan_effects.c */

/**
 * vt_plan_effects_refused - whether the kernel's side effects of @op (see
 * struct vt_effect) forbid it; then @why says why. Ops of blocked trunks
 * count as not planned: p->op_of must be current (vt_plan_index_ops()).
 */
bool vt_plan_effects_refused(struct planner *p, const struct vt_op *op, char *why, size_t len);

/**
 * vt_plan_effects - record the side effects of every op of a trunk not
 * blocked in plan->effects, and join the scopes of the trunks they touch.
 * Returns 0 or -ENOMEM.
 */
int vt_plan_effects(struct planner *p);

/* plan_order.c */

/**
 * vt_plan_order_depths - each op's .before_depth: how many VLANs its device
 * sits on in the kernel; a delete's depth is that.
 */
void vt_plan_order_depths(struct planner *p);

/**
 * vt_plan_order - drop the ops of blocked trunks and sort the rest in commit
 * order: deletes and recreates inner first, then changes and renames, then
 * creates outer first; within one depth, in planning order.
 */
void vt_plan_order(struct vt_plan *plan);

/* subport.c and marker.c; diff.h, spec.h and op.h hold the rest of the link model. */

/** vt_subport_diff - enum vt_diff bits in which @have differs from @t. */
uint32_t vt_subport_diff(const struct vt_subport_target *t, const struct vt_link *have);

/** vt_subport_spec_create - the whole device, for a create (parent by name, elsewhere). */
void vt_subport_spec_create(const struct vt_subport_target *t, struct vt_link_spec *spec);

/** vt_subport_spec_change - only what @differs names, for a change of @have. */
void vt_subport_spec_change(const struct vt_subport_target *t, uint32_t differs,
			    const struct vt_link *have, struct vt_link_spec *spec);

/** vt_marker_format - "vlantrunk:<trunk>" into @alias. */
void vt_marker_format(char alias[VT_ALIAS_MAX + 1], const char *trunk);

#endif
