/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vt_plan.h - agent/plan/, the planner: the desired state compared with one
 * link dump. Pure: (desired state, link table, holds of kept journals) in;
 * per-trunk reports (what is in sync, what differs, what conflicts, and
 * why) and the ordered operations that would converge the kernel, with the
 * side effects the kernel adds to them, out (struct vt_plan). It never
 * speaks to the kernel, does no I/O, prints nothing and keeps nothing
 * between plans; the plan borrows from its inputs. Every layer above it and
 * the tests include this header; the engine and recovery also include the
 * link model's plan/diff.h, plan/spec.h and plan/op.h; plan/plan_internal.h
 * is the planner's own.
 */
#ifndef VT_PLAN_H
#define VT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt_desired.h"
#include "vt_link.h"

#define VT_MARKER_PREFIX "vlantrunk:"

/* Fields a subport can differ in (for reports). */
enum vt_diff {
	VT_D_KIND = 1u << 0,		/* the device is no VLAN */
	VT_D_PARENT = 1u << 1,
	VT_D_VLAN = 1u << 2,
	VT_D_PROTOCOL = 1u << 3,
	VT_D_REORDER_HDR = 1u << 4,
	VT_D_GVRP = 1u << 5,
	VT_D_LOOSE_BINDING = 1u << 6,
	VT_D_MVRP = 1u << 7,
	VT_D_BRIDGE_BINDING = 1u << 8,
	VT_D_INGRESS = 1u << 9,
	VT_D_EGRESS = 1u << 10,
	VT_D_MTU = 1u << 11,
	VT_D_MAC = 1u << 12,
	VT_D_UP = 1u << 13,
	VT_D_MASTER = 1u << 14,
	VT_D_OWNER = 1u << 15,		/* the marker names another trunk, or none (adopt) */
	VT_D_NAME = 1u << 16,		/* found under another name: a rename */
	VT_D_IPV6 = 1u << 17,		/* its IPv6 state: see vt_subport.ipv6 */
};
/* The kernel cannot change these in place: the device is deleted and created. */
#define VT_D_RECREATE (VT_D_KIND | VT_D_PARENT | VT_D_VLAN | VT_D_PROTOCOL)

/** vt_diff_name - "mtu", "vlan", "reorder_hdr", ... as in the desired state. */
const char *vt_diff_name(enum vt_diff bit);

enum vt_subport_state {
	VT_SP_IN_SYNC,
	VT_SP_MISSING,
	VT_SP_DIFFERS,
	VT_SP_CONFLICT,			/* held by an unmanaged device; see reason */
	VT_SP_ADOPTABLE,		/* unmanaged, but `adopt` applies: taken over */
	VT_SP_BLOCKED,			/* its trunk's parent is missing, or the trunk is blocked */
};

/*
 * A plan's reports carry the status the kernel shows (plan/trunk.c,
 * vt_trunk_status_derive()); a run's status, with its transaction, a writer
 * at work and the last run, is run/status.c's vt_status_trunk().
 */
enum vt_trunk_status {
	VT_TRUNK_ACTIVE,
	VT_TRUNK_DOWN,
	VT_TRUNK_BUILD,
	VT_TRUNK_DEGRADED,
	VT_TRUNK_ERROR,
};

/** vt_subport_state_name - "in_sync", "missing", "differs", ... */
const char *vt_subport_state_name(enum vt_subport_state state);

/** vt_trunk_status_name - "ACTIVE", "DOWN", "BUILD", "DEGRADED", "ERROR". */
const char *vt_trunk_status_name(enum vt_trunk_status status);

/* A desired subport with every name resolved against the kernel. */
struct vt_subport_target {
	const struct vt_subport *sp;
	const char *trunk;		/* owner, for the marker */
	char *marker;			/* its marker: vt_plan.markers of its trunk */
	/*
	 * The namespace it is to live in (vt_link.ns); -1 when its netns is not
	 * there: it is then missing, and nothing is planned for it.
	 */
	int ns;
	const char *parent_name;	/* the parent device's own name, never an altname */
	int parent;			/* ifindex; 0 when the parent is yet to be (re)created */
	int master;			/* ifindex in .ns; 0 for none */
	bool up;			/* subport.up and the trunk's admin_state_up */
	uint32_t mtu;			/* once converged: its own, else its parent's; 0: unknown */
};

struct vt_subport_report {
	const struct vt_subport *want;
	struct vt_subport_target target;
	enum vt_subport_state state;
	uint32_t differs;		/* enum vt_diff bits, with VT_SP_DIFFERS/ADOPTABLE */
	const struct vt_link *have;	/* the kernel's device (by name, or renamed from) */
	char *reason;			/* why CONFLICT or BLOCKED (owned); NULL otherwise */
};

struct vt_trunk_report {
	char name[VT_TRUNK_NAME_MAX + 1];
	const struct vt_trunk *want;	/* NULL: no longer desired, only its devices remain */
	enum vt_trunk_status status;
	bool blocked;			/* a conflict or infeasibility: no operations planned */
	bool can_converge;		/* false when blocked or the parent is missing */
	bool parent_down;		/* the parent is down: subports wanted up stay down */
	/* The parent device's own name, NULL when it is missing: the trunk may name
	 * it by an altname. Points into the desired state or the links. */
	const char *parent_device;
	char reason[512];
	struct vt_subport_report *subports;
	size_t n_subports;
	size_t scope;			/* transaction scope: the outermost trunk's report index */
};

/**
 * vt_trunk_netns_missing - a subport of @r whose network namespace is not
 * there (so the trunk cannot converge now, though its other subports can),
 * or NULL.
 */
const struct vt_subport_report *vt_trunk_netns_missing(const struct vt_trunk_report *r);

enum vt_op_kind {
	VT_OP_DELETE,
	VT_OP_CHANGE,
	VT_OP_RENAME,			/* and whatever else differs, in the same step */
	VT_OP_RECREATE,
	VT_OP_CREATE,
};

/** vt_op_kind_name - "delete", "change", "rename", "recreate", "create". */
const char *vt_op_kind_name(enum vt_op_kind kind);

struct vt_op {
	enum vt_op_kind kind;
	size_t trunk;			/* index into vt_plan.trunks */
	size_t subport;			/* index into that report's subports; SIZE_MAX for delete */
	unsigned int depth;		/* QinQ nesting: 0 on a plain parent */
	/*
	 * .before's nesting in the kernel now: the stage its delete goes in and
	 * the order the journal restores it in. A recreate's device may move to
	 * a trunk of another depth, and deleting its old parent first takes it
	 * with it (the kernel unregisters a VLAN with its real device).
	 */
	unsigned int before_depth;
	const struct vt_link *before;	/* the kernel's device; NULL for create */
	/*
	 * The device wanted: for create and recreate every field, for change and
	 * rename the fields to change. after.link.parent is left 0: the parent
	 * may itself be created by the same plan, so it goes by name.
	 */
	struct vt_link_spec after;
	/* create and recreate: the parent device's own name, as requests and the
	 * journal need it (the desired state may name it by an altname) */
	char parent_name[VT_IFNAMSIZ];
	char master_name[VT_IFNAMSIZ];	/* with VT_F_MASTER and a master: its own name */
	uint32_t differs;		/* enum vt_diff bits, for the report */
	size_t seq;			/* order of planning, which breaks ties in commit order */
};

/*
 * What the kernel does by itself when an operation's request takes effect
 * (vlan_device_event(), net/8021q/vlan.c), down the stack of devices on it:
 * bringing a device up brings up every VLAN on it without loose_binding,
 * setting it down sets them down, lowering its MTU lowers every higher MTU
 * of a device on it. (Deleting it deletes them: the planner refuses that
 * unless it deletes them itself.)
 */
enum vt_effect_kind {
	VT_EFFECT_UP,			/* brought up; .restate: set down again */
	VT_EFFECT_DOWN,			/* set down, for good */
	VT_EFFECT_MTU,			/* MTU lowered to .mtu */
};

struct vt_effect {
	enum vt_effect_kind kind;
	size_t trunk;			/* the report of the operation that causes it */
	const struct vt_link *link;	/* the device, as dumped */
	const struct vt_link *cause;	/* the device whose request causes it */
	unsigned int depth;		/* .link's nesting, as vt_op.depth */
	unsigned int cause_depth;	/* the causing operation's depth */
	bool journal;			/* no operation of the plan journals .link already */
	bool restate;			/* VT_EFFECT_UP: set down right after the cause's up */
	/*
	 * VT_EFFECT_UP: the commit leaves .link as it is (down); a rollback that
	 * brings .cause up again brings it up, so it is journaled all the same
	 * and the restore sets it down again. Not shown in a plan.
	 */
	bool rollback;
	uint32_t mtu;			/* VT_EFFECT_MTU */
	char name[VT_IFNAMSIZ];		/* .link's name once its own rename is done */
};

struct vt_plan {
	struct vt_trunk_report *trunks;	/* desired trunks in order, then undesired */
	size_t n_trunks;
	struct vt_op *ops;		/* in commit order: see vt_plan_build() */
	size_t n_ops;
	struct vt_effect *effects;	/* of the operations planned, in no order */
	size_t n_effects;
	/*
	 * Per desired trunk, its marker: the alias every planned link of its
	 * subports borrows (vt_link.alias), one string per trunk, not per device.
	 */
	char (*markers)[VT_ALIAS_MAX + 1];
};

/** vt_plan_effects_kind_name - "brings up", "sets down", "lowers the mtu of". */
const char *vt_plan_effects_kind_name(enum vt_effect_kind kind);

/**
 * vt_plan_build - compare @desired with @links and plan the operations.
 *
 * The kernel's side effects of those operations are in plan->effects; the
 * trunks whose devices they change share a transaction (vt_trunk_report
 * .scope). An operation whose side effects would change a device vlantrunk
 * does not manage, one of a trunk held or out of this run's scope, or one
 * whose desired state the plan cannot keep, blocks its trunk, with the reason.
 *
 * @only lists trunk names to consider (NULL or @n_only 0: every trunk, and
 * every managed device of a trunk no longer desired). The operations come in
 * commit order: deletes (inner before outer), then changes and renames, then
 * creates (outer before inner); a recreate counts as its delete and its
 * create. Nothing in @desired or @links may change while @plan is used.
 * Returns 0 or -ENOMEM.
 */
int vt_plan_build(const struct vt_desired *desired, const struct vt_link_table *links,
		  const char *const *only, size_t n_only, struct vt_plan *plan);

/*
 * A trunk the plan may not change now, and why: an interrupted transaction
 * that concerns it could not be rolled back (its journal is kept). A NULL
 * .trunk holds every trunk (a journal that cannot be read concerns any).
 */
struct vt_plan_hold {
	const char *trunk;
	const char *reason;
};

/**
 * vt_plan_build_held - vt_plan_build(), with the trunks @holds names blocked
 * (ERROR, the hold's reason, no operations), and so the trunks nested on them.
 */
int vt_plan_build_held(const struct vt_desired *desired, const struct vt_link_table *links,
		       const char *const *only, size_t n_only, const struct vt_plan_hold *holds,
		       size_t n_holds, struct vt_plan *plan);

/** vt_plan_free - free what @plan holds. */
void vt_plan_free(struct vt_plan *plan);

/**
 * vt_diff_values - @bit's value on the kernel's device and as desired, as
 * text ("1500", "802.1Q", "br-200", "none", "5:5 7:1", ...).
 */
void vt_diff_values(enum vt_diff bit, const struct vt_subport_report *rep,
		    const struct vt_link_table *links, char *old, char *want, size_t len);

/** vt_marker_owner - the trunk named by @alias's marker, or NULL if unmarked. */
const char *vt_marker_owner(const char *alias);

#endif
