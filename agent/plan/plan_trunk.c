/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Planning one desired trunk: its parent as the plan will leave it, then
 * each subport matched to a device and the operation that converges it.
 *
 * Matching, in this order, for each desired subport:
 *  0. a name that is another device's altname -> conflict (the kernel's
 *     name check sees altnames: neither a create nor a rename gets it);
 *  1. a device of that name: managed -> in sync / change / recreate;
 *     unmanaged -> conflict, or adopted when `adopt` applies;
 *  2. else a managed VLAN device with its (parent, protocol, vlan) whose own
 *     name no desired subport claims -> rename it;
 *  3. else create it.
 * A create, or a recreate, whose key an unmanaged VLAN device holds is a
 * conflict; one whose key a managed device holds that this plan does not
 * delete blocks its trunk (vt_plan_check()).
 * Renames thus only ever target free names, and swaps of VLAN ids or names
 * become recreates whose deletes all run before any create: no step collides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"
#include "vt_array.h"

struct vt_trunk_report *vt_plan_trunk_add_report(struct planner *p, const char *name,
						 const struct vt_trunk *want)
{
	struct vt_plan *plan = p->plan;
	struct vt_trunk_report *r = &plan->trunks[plan->n_trunks];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->want = want;
	r->scope = plan->n_trunks;
	r->can_converge = true;
	if (vt_name_table_add(&p->reports, r->name, plan->n_trunks) < 0)
		return NULL;
	plan->n_trunks++;
	return r;
}

struct vt_op *vt_plan_trunk_add_op(struct planner *p, enum vt_op_kind kind, size_t report,
				   unsigned int depth)
{
	struct vt_plan *plan = p->plan;
	struct vt_op *op;

	op = vt_array_grow(plan->ops, &p->ops_cap, plan->n_ops + 1, sizeof(*op), 64);
	if (!op)
		return NULL;
	plan->ops = op;
	op = &plan->ops[plan->n_ops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->trunk = report;
	op->depth = depth;
	op->seq = plan->n_ops;
	return op;
}

/* Reasons are rare: a report carries a pointer, not a buffer, for the common case. */
static int __attribute__((format(printf, 2, 3)))
subport_reason(struct vt_subport_report *rep, const char *fmt, ...)
{
	va_list ap;
	int ret;

	free(rep->reason);
	va_start(ap, fmt);
	ret = vasprintf(&rep->reason, fmt, ap);
	va_end(ap);
	if (ret < 0)
		rep->reason = NULL;
	return ret < 0 ? -ENOMEM : 0;
}

/* A trunk's parent as its plan sees it. */
struct parent_view {
	int ifindex;		/* 0 when this plan creates or recreates it */
	uint32_t mtu;
	bool up;
	/* The device's own name, for requests and the journal: the trunk may name
	 * it by an altname, which fits no IFLA_IFNAME. */
	const char *name;
};

static void view_link(const struct vt_link *link, struct parent_view *v)
{
	v->ifindex = link->ifindex;
	v->mtu = link->mtu;
	v->up = link->up;
	v->name = link->name;
}

/*
 * The subport of outer trunk @oi that trunk @tr sits on, or NULL. desired/
 * picks the outer trunk by the subport's netns as written (none); the lookup
 * here goes by namespace slot, where a file that names the own namespace
 * (/proc/1/ns/net) can make another trunk's subport of that name the one
 * found. That one holds the name (the outer's own conflicts): none then.
 */
static const struct wanted *outer_subport(struct planner *p, const struct vt_trunk *tr, size_t oi)
{
	const struct wanted *w = vt_plan_index_wanted(p, VT_NS_OWN, tr->parent);

	return w && w->trunk == oi ? w : NULL;
}

/*
 * The parent as it will be: its ifindex, 0 when this plan creates or
 * recreates it (a QinQ outer subport), or false when it is missing.
 */
static bool resolve_parent(struct planner *p, size_t ti, struct parent_view *v)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];
	const struct vt_link *link = vt_plan_index_parent(p, ti);

	v->ifindex = 0;
	v->name = tr->parent;
	if (tr->outer >= 0) {
		size_t oi = (size_t)tr->outer;
		const struct vt_trunk_report *outer = p->report_of[oi] == SIZE_MAX ? NULL :
						      &p->plan->trunks[p->report_of[oi]];
		const struct wanted *w = outer_subport(p, tr, oi);
		const struct vt_subport_report *orep;

		/*
		 * Out of this run's scope, or when its trunk changes nothing (blocked,
		 * or without a parent), the outer subport is what the kernel has: a
		 * conflict on another subport of the outer trunk holds back nothing
		 * nested on this one.
		 */
		if (!outer || !outer->can_converge || !w) {
			/* ... if it is the outer trunk's own device, not a conflict's holder. */
			if (!link || (outer && (!w || !vt_marker_owner(vt_link_alias(link)) ||
						strcmp(vt_marker_owner(vt_link_alias(link)), outer->name) ||
						outer->subports[w->subport].state == VT_SP_CONFLICT)))
				return false;
			view_link(link, v);
			return true;
		}
		/* 0 when the outer trunk's plan creates or recreates it. A device it
		 * renames into that name keeps its ifindex, and what sits on it stays. */
		orep = &outer->subports[w->subport];
		v->mtu = orep->target.mtu;
		v->up = orep->target.up;
		if (orep->have && !(orep->differs & VT_D_RECREATE))
			v->ifindex = orep->have->ifindex;
		/* Should the outer trunk be blocked later, this plan no longer holds. */
		p->assumes_outer[ti] = orep->state != VT_SP_IN_SYNC;
		return true;
	}
	if (!link)
		return false;
	view_link(link, v);
	return true;
}

/*
 * The kernel refuses to create a device, or to rename one, to a name that
 * is another device's altname (EEXIST): its name lookup sees both.
 */
static int altname_conflict(struct vt_subport_report *rep, const char *name,
			    const struct vt_link *holder)
{
	const char *owner = vt_marker_owner(vt_link_alias(holder));

	rep->state = VT_SP_CONFLICT;
	if (!owner)
		return subport_reason(rep, "the name %s is an altname of %s, which vlantrunk does "
				      "not manage", name, holder->name);
	return subport_reason(rep, "the name %s is an altname of %s (a subport of trunk %s); "
			      "vlantrunk never removes altnames", name, holder->name, owner);
}

static int plan_subport(struct planner *p, size_t ti, size_t si, size_t ri, int parent)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];
	const struct vt_subport *sp = &tr->subports[si];
	struct vt_trunk_report *r = &p->plan->trunks[ri];
	struct vt_subport_report *rep = &r->subports[si];
	struct vt_subport_target *t = &rep->target;
	const struct vt_link *have, *holder = NULL;
	const struct wanted *first;
	enum vt_op_kind kind;
	struct vt_op *op;
	uint16_t ns;

	rep->want = sp;
	if (t->ns < 0) {
		/* Not there (yet): the agent wires it when it appears. */
		rep->state = VT_SP_MISSING;
		return subport_reason(rep, "its network namespace %s does not exist", sp->netns);
	}
	ns = (uint16_t)t->ns;
	/*
	 * Two files may name one namespace (/run/netns/x and /proc/PID/ns/net):
	 * desired/ compares them as written, and only the kernel says they are
	 * one. The first subport of a name there has it; a later one conflicts.
	 */
	first = vt_plan_index_wanted(p, t->ns, sp->name);
	if (first && (first->trunk != ti || first->subport != si)) {
		rep->state = VT_SP_CONFLICT;
		if (subport_reason(rep, "the name %s is also wanted in that network namespace by "
				   "subport %s of trunk %s (netns %s names it too)", sp->name,
				   sp->name, p->desired->trunks[first->trunk].name,
				   p->desired->trunks[first->trunk].subports[first->subport].netns ?
				   p->desired->trunks[first->trunk].subports[first->subport].netns :
				   "unset") < 0)
			return -ENOMEM;
		vt_trunk_block(r, "subport %s: %s", sp->name, rep->reason);
		return 0;
	}
	have = vt_link_table_find_name(p->links, ns, sp->name);
	/* Before any match: a create or a rename into the name would both fail. */
	if (!have && (holder = vt_link_table_find_altname(p->links, ns, sp->name))) {
		if (altname_conflict(rep, sp->name, holder) < 0)
			return -ENOMEM;
		vt_trunk_block(r, "subport %s: %s", sp->name, rep->reason);
		return 0;
	}
	if (have) {
		const char *owner = vt_marker_owner(vt_link_alias(have));

		rep->have = have;
		if (!owner) {
			bool adoptable = sp->adopt && have->is_vlan && !vt_link_alias(have)[0] &&
					 have->parent == parent && have->parent_ns == VT_NS_OWN &&
					 have->vlan.id == sp->vlan &&
					 have->vlan.protocol == sp->protocol;

			if (!adoptable) {
				rep->state = VT_SP_CONFLICT;
				if (subport_reason(rep, "the name %s is held by a %s device vlantrunk "
						   "does not manage", sp->name,
						   have->kind[0] ? have->kind : "plain") < 0)
					return -ENOMEM;
				vt_trunk_block(r, "subport %s: %s", sp->name, rep->reason);
				return 0;
			}
		}
		p->fate[link_pos(p, have)] = FATE_CLAIMED;
	} else if (parent) {
		const char *owner;

		have = vt_plan_index_vlan(p, VT_NS_OWN, parent, sp->protocol, sp->vlan);
		owner = have ? vt_marker_owner(vt_link_alias(have)) : NULL;
		/* Only this trunk's own unclaimed device is renamed, in its namespace
		 * (one in another is deleted as stale: a move is a recreate). Otherwise
		 * the key is held by a stranger (conflict), or by a device some subport
		 * claims by name, which is recreated or deleted first, freeing the key. */
		if (have && (!owner || strcmp(owner, tr->name) || have->ns != ns ||
			     vt_plan_index_wanted(p, have->ns, have->name) ||
			     p->fate[link_pos(p, have)] != FATE_KEEP)) {
			if (!owner)
				holder = have;
			have = NULL;
		}
		if (have) {
			rep->have = have;
			p->fate[link_pos(p, have)] = FATE_CLAIMED;
		}
	}

	if (!have) {
		rep->state = VT_SP_MISSING;
		kind = VT_OP_CREATE;
	} else {
		rep->differs = vt_subport_diff(t, have);
		/* Its parent is yet to be made: this device cannot be on it. */
		if (!parent)
			rep->differs |= VT_D_PARENT;
		if (!rep->differs) {
			rep->state = VT_SP_IN_SYNC;
			return 0;
		}
		rep->state = vt_marker_owner(vt_link_alias(have)) ? VT_SP_DIFFERS : VT_SP_ADOPTABLE;
		if (rep->differs & VT_D_RECREATE) {
			const struct vt_link *key = parent ?
				vt_plan_index_vlan(p, VT_NS_OWN, parent, sp->protocol, sp->vlan) : NULL;

			/* The new device needs its key free, as a create does. */
			if (key && key != have && !vt_marker_owner(vt_link_alias(key)))
				holder = key;
			kind = VT_OP_RECREATE;
		} else {
			kind = rep->differs & VT_D_NAME ? VT_OP_RENAME : VT_OP_CHANGE;
		}
	}
	if (holder) {
		rep->state = VT_SP_CONFLICT;
		if (subport_reason(rep, "%s %u on %s is held by %s, which vlantrunk does not manage",
				   vt_protocol_name(sp->protocol), sp->vlan, t->parent_name,
				   holder->name) < 0)
			return -ENOMEM;
		vt_trunk_block(r, "subport %s: %s", sp->name, rep->reason);
		return 0;
	}
	/* Only now: a conflict above leaves the device as it is. */
	if (kind == VT_OP_RECREATE)
		p->fate[link_pos(p, have)] = FATE_DELETED;

	op = vt_plan_trunk_add_op(p, kind, ri, tr->depth);
	if (!op)
		return -ENOMEM;
	op->subport = si;
	op->before = have;
	op->differs = rep->differs;
	snprintf(op->parent_name, sizeof(op->parent_name), "%s", t->parent_name);
	if (sp->managed & VT_SP_MASTER) {
		const struct vt_link *m = vt_link_table_find_ifindex(p->links, ns, t->master);

		snprintf(op->master_name, sizeof(op->master_name), "%s", m ? m->name : sp->master);
	}
	if (kind == VT_OP_CREATE || kind == VT_OP_RECREATE) {
		vt_subport_spec_create(t, &op->after);
		op->after.link.parent = 0;	/* by name: see struct vt_op */
	} else {
		vt_subport_spec_change(t, rep->differs, have, &op->after);
	}
	return 0;
}

/* Feasibility the kernel would otherwise refuse half-way: master and MTU. */
static void check_feasible(struct planner *p, size_t ti, size_t ri, const struct parent_view *parent)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];
	struct vt_trunk_report *r = &p->plan->trunks[ri];
	uint32_t parent_mtu = parent->mtu;
	char num[VT_ALTIFNAMSIZ + 64];

	for (size_t si = 0; si < tr->n_subports; si++) {
		const struct vt_subport *sp = &tr->subports[si];
		struct vt_subport_target *t = &r->subports[si].target;

		t->sp = sp;
		t->trunk = tr->name;
		t->marker = p->plan->markers[ti];
		t->parent_name = parent->name;
		t->up = sp->up && tr->admin_state_up;
		/* The kernel refuses to bring a VLAN up on a parent that is down (ENETDOWN),
		 * unless loose_binding; it brings them up itself when the parent comes up. */
		if (t->up && !parent->up && !(sp->vlan_flags & VT_VLAN_LOOSE_BINDING)) {
			t->up = false;
			r->parent_down = true;
		}
		t->mtu = sp->managed & VT_SP_MTU ? sp->mtu : parent_mtu;
		if (sp->managed & VT_SP_MASTER) {
			/* A master may be named by an altname too, as `ip link set master` takes. */
			const struct vt_link *m = t->ns < 0 ? NULL :
				vt_link_table_resolve(p->links, (uint16_t)t->ns, sp->master);

			if (t->ns < 0)
				;	/* missing with its namespace: nothing to check yet */
			else if (!m)
				vt_trunk_block(r, "subport %s: master %s does not exist", sp->name,
					       sp->master);
			else if (strcmp(m->kind, "bridge"))
				vt_trunk_block(r, "subport %s: master %s is not a bridge", sp->name,
					       sp->master);
			else
				t->master = m->ifindex;
		}
		if ((sp->managed & VT_SP_MTU) && parent_mtu && sp->mtu > parent_mtu) {
			snprintf(num, sizeof(num), "%u exceeds parent %s's MTU %u", sp->mtu,
				 tr->parent, parent_mtu);
			vt_trunk_block(r, "subport %s: mtu %s", sp->name, num);
		}
	}
}

int vt_plan_trunk(struct planner *p, size_t ti)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];
	size_t ri = p->plan->n_trunks;
	struct vt_trunk_report *r = vt_plan_trunk_add_report(p, tr->name, tr);
	size_t first_op = p->plan->n_ops;
	struct parent_view parent = { .up = true };
	int ret;

	if (!r)
		return -ENOMEM;
	p->report_of[ti] = ri;
	if (tr->outer >= 0 && p->report_of[tr->outer] != SIZE_MAX)
		r->scope = p->plan->trunks[p->report_of[tr->outer]].scope;
	r->subports = calloc(tr->n_subports ? tr->n_subports : 1, sizeof(*r->subports));
	r->n_subports = tr->n_subports;
	if (!r->subports)
		return -ENOMEM;
	for (size_t si = 0; si < tr->n_subports; si++)
		r->subports[si].target.ns = p->wanted[p->first_wanted[ti] + si].ns;

	/* A kept journal concerns it: nothing changes until recovery verifies it. */
	if (vt_plan_index_held(p, tr->name))
		vt_trunk_block(r, "%s%s", vt_plan_index_held(p, tr->name), "");
	if (!resolve_parent(p, ti, &parent)) {
		const struct vt_trunk_report *outer = tr->outer >= 0 &&
			p->report_of[tr->outer] != SIZE_MAX ? &p->plan->trunks[p->report_of[tr->outer]] :
			NULL;
		char why[sizeof(r->reason)];

		const struct wanted *w = outer ? outer_subport(p, tr, (size_t)tr->outer) : NULL;
		const char *because = w && outer->subports[w->subport].reason ?
				      outer->subports[w->subport].reason : outer ? outer->reason : "";

		/* A parent its outer trunk cannot make: say why not. */
		if (outer && !outer->can_converge)
			snprintf(why, sizeof(why), "parent %.15s is missing (outer trunk %s: %.300s)",
				 tr->parent, outer->name, because);
		else
			snprintf(why, sizeof(why), "parent %s is missing", tr->parent);
		r->can_converge = false;
		if (!r->blocked)
			snprintf(r->reason, sizeof(r->reason), "%s", why);
		for (size_t si = 0; si < tr->n_subports; si++) {
			r->subports[si].want = &tr->subports[si];
			r->subports[si].state = VT_SP_BLOCKED;
			if (subport_reason(&r->subports[si], "%s", why) < 0)
				return -ENOMEM;
		}
		vt_trunk_status_derive(r);
		return 0;
	}
	r->parent_device = parent.name;
	check_feasible(p, ti, ri, &parent);
	for (size_t si = 0; si < tr->n_subports; si++) {
		r->subports[si].target.parent = parent.ifindex;
		ret = plan_subport(p, ti, si, ri, parent.ifindex);
		if (ret < 0)
			return ret;
	}
	for (size_t si = 0; si < tr->n_subports; si++) {
		struct vt_subport_report *rep = &r->subports[si];

		/* Unmanaged, the MTU is what a kept device has (a new one takes its parent's):
		 * what a trunk nested on it can have at most. */
		if (!(tr->subports[si].managed & VT_SP_MTU) && rep->have &&
		    rep->state != VT_SP_CONFLICT && !(rep->differs & VT_D_RECREATE))
			rep->target.mtu = rep->have->mtu;
	}
	if (r->blocked) {
		/* A blocked trunk is not changed at all: drop what was planned for it. */
		for (size_t i = first_op; i < p->plan->n_ops; i++)
			if (p->plan->ops[i].kind == VT_OP_RECREATE && p->plan->ops[i].before)
				p->fate[link_pos(p, p->plan->ops[i].before)] = FATE_CLAIMED;
		p->plan->n_ops = first_op;
	}
	vt_trunk_status_derive(r);
	return 0;
}
