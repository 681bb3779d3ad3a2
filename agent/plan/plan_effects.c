/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own consequences of the planned requests (SPEC.md,
 * Transactions). net/8021q/vlan.c, vlan_device_event(), on the device a
 * request changes:
 *  - NETDEV_UP brings up every VLAN on it that is down and lacks
 *    loose_binding, even one that was down on purpose;
 *  - NETDEV_DOWN sets every such VLAN down;
 *  - NETDEV_CHANGEMTU lowers every VLAN's MTU above the new one to it (and
 *    macvlan and ipvlan do the same for theirs); raising it raises none;
 *  - NETDEV_CHANGEADDR gives the new MAC to every VLAN on it that is up and
 *    took its address from it (vlan_sync_address()); one that is down takes
 *    it when it next comes up;
 * and each of those devices passes it on to the devices on it. (Deleting a
 * device deletes them all: vt_plan_check() in plan_check.c refuses that.)
 *
 * A device changed so is journaled like one the plan changes, so a rollback
 * restores it; one brought up that must stay down is set down again right
 * after (the engine's restate). A rollback that brings a device up again
 * brings up the VLANs on it that are down too, which the commit never
 * touched: those are journaled as well, so the restore sets them down. A side effect on a device vlantrunk does not
 * manage, on a trunk a kept journal holds or that this run does not
 * consider, or that breaks a desired MTU, refuses the op. A rename takes a
 * device down and up again: its VLANs that are up come back up, so only
 * those that are down count, on it and on those VLANs, all the way down.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"
#include "vt_array.h"

/* The kernel's stacks are a few devices deep; a guard against a forged loop. */
#define MAX_STACK 16

struct walk {
	struct planner *p;
	const struct vt_op *op;		/* the cause */
	bool record;			/* else only check */
	bool guard;			/* record() records for a rollback only */
	char *why;
	size_t len;
	bool refused;
	int ret;
};

static bool creates(const struct vt_op *op)
{
	return op->kind == VT_OP_CREATE || op->kind == VT_OP_RECREATE;
}

static const struct vt_op *op_on(const struct planner *p, const struct vt_link *l)
{
	size_t i = p->op_of[link_pos(p, l)];

	return i ? &p->plan->ops[i - 1] : NULL;
}

/* The up state @op leaves its device in. */
static bool ends_up(const struct vt_op *op)
{
	if (op->kind == VT_OP_RENAME || (op->after.fields & VT_F_UP))
		return op->after.link.up;
	return op->before->up;
}

/*
 * Its requests bring the device up: a rename (down, rename, up), a change to
 * up, an MTU raised across 1280 with IPv6 off (down, MTU, IPv6, up).
 */
static bool brings_up(const struct vt_op *op)
{
	if (op->kind == VT_OP_RENAME)
		return op->after.link.up;
	return op->kind == VT_OP_CHANGE &&
	       (((op->after.fields & VT_F_UP) && op->after.link.up && !op->before->up) ||
		vt_op_ipv6_cycle(op));
}

/* It leaves an up device down. */
static bool takes_down(const struct vt_op *op)
{
	return (op->kind == VT_OP_CHANGE || op->kind == VT_OP_RENAME) && op->before->up &&
	       !ends_up(op);
}

static void __attribute__((format(printf, 2, 3))) refuse(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->refused) {
		va_start(ap, fmt);
		vsnprintf(w->why, w->len, fmt, ap);
		va_end(ap);
	}
	w->refused = true;
}

/* Why a managed device's trunk cannot take a side effect now, or NULL. */
static const char *unavailable(struct planner *p, const char *owner)
{
	const char *hold = vt_plan_index_held(p, owner);

	if (hold)
		return hold;
	if (vt_name_table_find(&p->reports, owner, NULL))
		return NULL;
	return "it is not in this run's scope";
}

static void record(struct walk *w, enum vt_effect_kind kind, const struct vt_link *l,
		   const struct vt_link *cause, unsigned int depth, bool journal, bool restate,
		   uint32_t mtu)
{
	struct planner *p = w->p;
	struct vt_plan *plan = p->plan;
	const struct vt_op *own = op_on(p, l);
	struct vt_effect *e;

	if (!w->record || w->ret)
		return;
	/*
	 * Reached again (its parent comes up with an outer device, and by its
	 * own op): one effect, set down after the later of the two ups.
	 */
	for (size_t i = 0; i < plan->n_effects; i++) {
		e = &plan->effects[i];
		if (e->kind == kind && e->link == l && e->cause == cause && e->rollback == w->guard) {
			e->restate |= restate;
			if (w->op->depth > e->cause_depth)
				e->cause_depth = w->op->depth;
			return;
		}
	}
	e = vt_array_grow(plan->effects, &p->effects_cap, plan->n_effects + 1, sizeof(*e), 16);
	if (!e) {
		w->ret = -ENOMEM;
		return;
	}
	plan->effects = e;
	e = &plan->effects[plan->n_effects++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->trunk = w->op->trunk;
	e->link = l;
	e->cause = cause;
	e->depth = depth;
	e->cause_depth = w->op->depth;
	/* One journal entry per device, however many effects reach it. */
	e->journal = journal && !p->effected[link_pos(p, l)];
	if (e->journal)
		p->effected[link_pos(p, l)] = 1;
	e->restate = restate;
	e->rollback = w->guard;
	e->mtu = mtu;
	snprintf(e->name, sizeof(e->name), "%s",
		 own && own->kind == VT_OP_RENAME && (own->after.fields & VT_F_NAME) ?
		 own->after.link.name : l->name);
}

/* Its own op sets it down in the engine's down stage, before any up. */
static bool set_down_first(const struct vt_link *l, const struct vt_op *own)
{
	if (!own || !l->up)
		return false;
	return own->kind == VT_OP_RENAME || vt_op_ipv6_cycle(own) ||
	       (own->kind == VT_OP_CHANGE && (own->after.fields & VT_F_UP) && !own->after.link.up);
}

/* loose_binding once the change stage ran, which comes before any up: its own op may set it. */
static bool loose_at_ups(const struct vt_link *l, const struct vt_op *own)
{
	if (own && (own->after.fields & VT_F_VLAN_FLAGS) &&
	    (own->after.vlan_flags_mask & VT_VLAN_LOOSE_BINDING))
		return own->after.link.vlan.flags & VT_VLAN_LOOSE_BINDING;
	return l->vlan.flags & VT_VLAN_LOOSE_BINDING;
}

static void bring_back(struct walk *w, const struct vt_link *l, const struct vt_op *own, int level);

/*
 * The devices on @dev that its coming up brings up: the VLANs on it that are
 * down and lack loose_binding by then, that is once the down and change
 * stages ran (a VLAN its own op sets down first is down; one whose op changes
 * loose_binding has the new flags). @stays: @dev ends up (else it is set down
 * again, and the kernel then sets them down too). @took: @dev was up and
 * went down in the down stage (a rename), and took down with it the VLANs on
 * it that were up and lack loose_binding (NETDEV_DOWN): they come back up
 * with it as they were, and bring up what is down on them, however deep.
 */
static void walk_up(struct walk *w, const struct vt_link *dev, unsigned int depth, bool stays,
		    bool took, int level)
{
	const struct vlan_key *c;
	size_t n;

	if (level > MAX_STACK)
		return;
	c = vt_plan_index_children(w->p, dev->ns, dev->ifindex, &n);
	for (size_t k = 0; k < n && !w->refused && !w->ret; k++) {
		const struct vt_link *l = key_link(w->p, &c[k]);
		const struct vt_op *own = op_on(w->p, l);
		const char *owner = vt_marker_owner(vt_link_alias(l)), *why;
		bool child_stays, down_first;

		if (l == dev || !l->is_vlan || w->p->fate[link_pos(w->p, l)] == FATE_DELETED ||
		    (own && creates(own)))
			continue;
		down_first = set_down_first(l, own) ||
			     (took && l->up && !(l->vlan.flags & VT_VLAN_LOOSE_BINDING));
		if (l->up && !down_first)
			continue;
		if (loose_at_ups(l, own)) {
			/* Taken down with @dev, it stays down unless its own op brings it up. */
			if (down_first && !set_down_first(l, own) && own && own->kind == VT_OP_CHANGE &&
			    ends_up(own))
				bring_back(w, l, own, level);
			continue;
		}
		if (own) {
			/* Journaled by its own op; down again unless that op wants it up. */
			child_stays = stays && ends_up(own);
			if (stays && !child_stays)
				record(w, VT_EFFECT_UP, l, dev, depth + 1, false, true, 0);
		} else if (l->up && stays) {
			child_stays = true;	/* back as it was: only what is on it counts */
		} else if (!owner) {
			refuse(w, "bringing %s up would bring up %s too (the kernel does so for a VLAN "
				  "without loose_binding), which vlantrunk does not manage",
			       w->op->before->name, l->name);
			return;
		} else if ((why = unavailable(w->p, owner))) {
			refuse(w, "bringing %s up would bring up %s too (the kernel does so for a VLAN "
				  "without loose_binding), and trunk %s cannot be changed: %s",
			       w->op->before->name, l->name, owner, why);
			return;
		} else {
			child_stays = false;
			record(w, VT_EFFECT_UP, l, dev, depth + 1, true, stays, 0);
		}
		walk_up(w, l, depth + 1, child_stays, down_first, level + 1);
	}
}

/*
 * @l, up and without loose_binding, goes down with its parent in the down
 * stage (NETDEV_DOWN), but must end up: the change stage gives it
 * loose_binding, so its own change brings it up again in the up stage, on a
 * parent that is down (or not up yet). What is on it comes up with it then,
 * at its own depth.
 */
static void bring_back(struct walk *w, const struct vt_link *l, const struct vt_op *own, int level)
{
	const struct vt_op *cause = w->op;

	if (w->record) {
		struct vt_op *op = &w->p->plan->ops[w->p->op_of[link_pos(w->p, l)] - 1];

		op->after.fields |= VT_F_UP;
		op->after.link.up = true;
	}
	w->op = own;
	walk_up(w, l, own->depth, true, true, level + 1);
	w->op = cause;
}

/*
 * A VLAN on @dev that is down and stays so, as @dev goes down: a rollback
 * that brings @dev up again brings it up too (NETDEV_UP), so it is journaled
 * for the restore to set it down again; one vlantrunk cannot prove its own
 * (unmanaged, or of a trunk it cannot change now) forbids the op.
 */
static void guard_down(struct walk *w, const struct vt_link *l, const struct vt_link *dev,
		       unsigned int depth)
{
	const char *owner = vt_marker_owner(vt_link_alias(l)), *why;

	if (op_on(w->p, l))
		return;		/* journaled by its own op */
	if (!owner) {
		refuse(w, "setting %s down would leave %s, which vlantrunk does not manage, to come up "
			  "with %s on a rollback (the kernel does so for a VLAN without loose_binding)",
		       w->op->before->name, l->name, dev->name);
		return;
	}
	if ((why = unavailable(w->p, owner))) {
		refuse(w, "setting %s down would leave %s to come up with %s on a rollback (the kernel "
			  "does so for a VLAN without loose_binding), and trunk %s cannot be changed: %s",
		       w->op->before->name, l->name, dev->name, owner, why);
		return;
	}
	w->guard = true;
	record(w, VT_EFFECT_UP, l, dev, depth + 1, true, false, 0);
	w->guard = false;
}

/* The devices on @dev that its going down for good takes down. */
static void walk_down(struct walk *w, const struct vt_link *dev, unsigned int depth, int level)
{
	const struct vlan_key *c;
	size_t n;

	if (level > MAX_STACK)
		return;
	c = vt_plan_index_children(w->p, dev->ns, dev->ifindex, &n);
	for (size_t k = 0; k < n && !w->refused && !w->ret; k++) {
		const struct vt_link *l = key_link(w->p, &c[k]);
		const struct vt_op *own = op_on(w->p, l);
		const char *owner = vt_marker_owner(vt_link_alias(l)), *why;

		if (l == dev || !l->is_vlan || (l->vlan.flags & VT_VLAN_LOOSE_BINDING) ||
		    w->p->fate[link_pos(w->p, l)] == FATE_DELETED || (own && creates(own)))
			continue;
		if (!l->up) {
			guard_down(w, l, dev, depth);
			continue;
		}
		if (!own && !owner) {
			refuse(w, "setting %s down would set %s down too (the kernel does so for a VLAN "
				  "without loose_binding), which vlantrunk does not manage",
			       w->op->before->name, l->name);
			return;
		}
		if (!own && (why = unavailable(w->p, owner))) {
			refuse(w, "setting %s down would set %s down too (the kernel does so for a VLAN "
				  "without loose_binding), and trunk %s cannot be changed: %s",
			       w->op->before->name, l->name, owner, why);
			return;
		}
		if (own && own->kind == VT_OP_CHANGE && ends_up(own) && loose_at_ups(l, own)) {
			bring_back(w, l, own, level);
			continue;
		}
		if (!own)
			record(w, VT_EFFECT_DOWN, l, dev, depth + 1, true, false, 0);
		walk_down(w, l, depth + 1, level + 1);
	}
}

/* The devices on @dev whose MTU the kernel lowers to @mtu. */
static void walk_mtu(struct walk *w, const struct vt_link *dev, unsigned int depth, uint32_t mtu,
		     int level)
{
	const struct vlan_key *c;
	size_t n;

	if (level > MAX_STACK)
		return;
	c = vt_plan_index_children(w->p, dev->ns, dev->ifindex, &n);
	for (size_t k = 0; k < n && !w->refused && !w->ret; k++) {
		const struct vt_link *l = key_link(w->p, &c[k]);
		const struct vt_op *own = op_on(w->p, l);
		const char *owner = vt_marker_owner(vt_link_alias(l)), *why;
		const struct wanted *want;

		if (l == dev || l->mtu <= mtu || w->p->fate[link_pos(w->p, l)] == FATE_DELETED ||
		    (own && creates(own)))
			continue;
		if (!own && !owner) {
			refuse(w, "lowering the MTU of %s to %u would lower that of %s too (the kernel "
				  "clamps the devices on a device to its MTU), which vlantrunk does not "
				  "manage", w->op->before->name, mtu, l->name);
			return;
		}
		if (!own && (why = unavailable(w->p, owner))) {
			refuse(w, "lowering the MTU of %s to %u would lower that of %s too (the kernel "
				  "clamps the devices on a device to its MTU), and trunk %s cannot be "
				  "changed: %s", w->op->before->name, mtu, l->name, owner, why);
			return;
		}
		want = vt_plan_index_wanted(w->p, l->ns, l->name);
		if (!own && want) {
			const struct vt_trunk *tr = &w->p->desired->trunks[want->trunk];
			const struct vt_subport *sp = &tr->subports[want->subport];

			/* Its own trunk cannot follow (check_feasible() blocked it). */
			if ((sp->managed & VT_SP_MTU) && sp->mtu > mtu && !strcmp(owner, tr->name)) {
				refuse(w, "lowering the MTU of %s to %u would lower that of %s too (the "
					  "kernel clamps the devices on a device to its MTU), and trunk %s "
					  "wants %u for it", w->op->before->name, mtu, l->name, tr->name,
				       sp->mtu);
				return;
			}
		}
		if (!own)
			record(w, VT_EFFECT_MTU, l, dev, depth + 1, true, false, mtu);
		walk_mtu(w, l, depth + 1, mtu, level + 1);
	}
}

/*
 * The VLANs on @dev whose MAC follows its new one: those that are up and have
 * its address, @old (one given that same address by hand does not follow,
 * but a dump cannot tell them apart), and the VLANs on those. A managed one
 * follows as the desired state has it: its MAC is not managed, or its own op
 * sets it (unless the desired state gives it the very address its parent had,
 * which is left as a known gap). Only the devices vlantrunk cannot change now
 * count: they forbid the op.
 */
static void walk_mac(struct walk *w, const struct vt_link *dev, const uint8_t *old, int level)
{
	const struct vlan_key *c;
	size_t n;

	if (level > MAX_STACK)
		return;
	c = vt_plan_index_children(w->p, dev->ns, dev->ifindex, &n);
	for (size_t k = 0; k < n && !w->refused && !w->ret; k++) {
		const struct vt_link *l = key_link(w->p, &c[k]);
		const struct vt_op *own = op_on(w->p, l);
		const char *owner = vt_marker_owner(vt_link_alias(l)), *why;

		if (l == dev || !l->is_vlan || !l->up || !l->has_mac || memcmp(l->mac, old, VT_MAC_LEN) ||
		    w->p->fate[link_pos(w->p, l)] == FATE_DELETED || (own && creates(own)))
			continue;
		if (!own && !owner) {
			refuse(w, "changing the MAC of %s would change that of %s too (the kernel passes "
				  "a VLAN's address on to the VLANs on it that took it), which vlantrunk "
				  "does not manage", w->op->before->name, l->name);
			return;
		}
		if (!own && (why = unavailable(w->p, owner))) {
			refuse(w, "changing the MAC of %s would change that of %s too (the kernel passes "
				  "a VLAN's address on to the VLANs on it that took it), and trunk %s "
				  "cannot be changed: %s", w->op->before->name, l->name, owner, why);
			return;
		}
		walk_mac(w, l, old, level + 1);
	}
}

static void walk_op(struct walk *w)
{
	const struct vt_op *op = w->op;

	if (!op->before || creates(op) || op->kind == VT_OP_DELETE)
		return;
	if ((op->after.fields & VT_F_MTU) && op->after.link.mtu < op->before->mtu)
		walk_mtu(w, op->before, op->depth, op->after.link.mtu, 0);
	if (!w->refused && (op->after.fields & VT_F_MAC) && op->before->has_mac &&
	    memcmp(op->after.link.mac, op->before->mac, VT_MAC_LEN))
		walk_mac(w, op->before, op->before->mac, 0);
	if (!w->refused && brings_up(op))
		walk_up(w, op->before, op->depth, true, set_down_first(op->before, op), 0);
	if (!w->refused && takes_down(op))
		walk_down(w, op->before, op->depth, 0);
}

bool vt_plan_effects_refused(struct planner *p, const struct vt_op *op, char *why, size_t len)
{
	struct walk w = { .p = p, .op = op, .why = why, .len = len };

	walk_op(&w);
	return w.refused;
}

int vt_plan_effects(struct planner *p)
{
	struct vt_plan *plan = p->plan;
	char why[512];

	vt_plan_index_ops(p);
	for (size_t i = 0; i < plan->n_ops; i++) {
		struct walk w = { .p = p, .op = &plan->ops[i], .record = true, .why = why,
				  .len = sizeof(why) };

		if (plan->trunks[plan->ops[i].trunk].blocked)
			continue;
		walk_op(&w);
		if (w.ret)
			return w.ret;
	}
	/* A trunk whose device changes with another's: one transaction, one rollback. */
	for (size_t i = 0; i < plan->n_effects; i++) {
		const char *owner = vt_marker_owner(vt_link_alias(plan->effects[i].link));
		size_t r = owner ? vt_name_table_get(&p->reports, owner, SIZE_MAX) : SIZE_MAX;

		if (r != SIZE_MAX)
			vt_plan_scope_join(plan, plan->effects[i].trunk, r);
	}
	return 0;
}

const char *vt_plan_effects_kind_name(enum vt_effect_kind kind)
{
	switch (kind) {
	case VT_EFFECT_UP: return "brings up";
	case VT_EFFECT_DOWN: return "sets down";
	case VT_EFFECT_MTU: return "lowers the mtu of";
	}
	return "?";
}
