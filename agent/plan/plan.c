/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The planner: desired state and one link dump in, per-trunk reports and the
 * ordered operations out. O(N log N): every lookup goes through a sorted
 * index, never a scan.
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
 * delete blocks its trunk (check_deletes()).
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

static int cmp_key(const void *a, const void *b)
{
	const struct vlan_key *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	return (x->vlan > y->vlan) - (x->vlan < y->vlan);
}

static const struct vt_link *find_vlan(const struct planner *p, int parent, uint16_t protocol,
				       uint16_t vlan)
{
	struct vlan_key key = { .parent = parent, .protocol = protocol, .vlan = vlan }, *found;

	found = p->n_keys ? bsearch(&key, p->keys, p->n_keys, sizeof(key), cmp_key) : NULL;
	return found ? found->link : NULL;
}

static bool selected(const struct planner *p, const char *trunk)
{
	if (!p->n_only)
		return true;
	for (size_t i = 0; i < p->n_only; i++)
		if (!strcmp(p->only[i], trunk))
			return true;
	return false;
}

static int build_indexes(struct planner *p)
{
	const struct vt_desired *d = p->desired;
	const struct vt_link_table *t = p->links;
	size_t n = 0;

	for (size_t i = 0; i < d->n_trunks; i++)
		n += d->trunks[i].n_subports;
	p->wanted = calloc(n ? n : 1, sizeof(*p->wanted));
	p->keys = calloc(t->n ? t->n : 1, sizeof(*p->keys));
	p->children = calloc(t->n ? t->n : 1, sizeof(*p->children));
	p->fate = calloc(t->n ? t->n : 1, 1);
	p->report_of = calloc(d->n_trunks ? d->n_trunks : 1, sizeof(*p->report_of));
	p->targets = calloc(d->n_trunks ? d->n_trunks : 1, sizeof(*p->targets));
	p->mtu = calloc(d->n_trunks ? d->n_trunks : 1, sizeof(*p->mtu));
	p->op_of = calloc(t->n ? t->n : 1, sizeof(*p->op_of));
	p->effected = calloc(t->n ? t->n : 1, 1);
	p->assumes_outer = calloc(d->n_trunks ? d->n_trunks : 1, 1);
	if (!p->wanted || !p->keys || !p->children || !p->fate || !p->report_of ||
	    !p->targets || !p->mtu || !p->op_of || !p->effected || !p->assumes_outer)
		return -ENOMEM;

	for (size_t i = 0; i < d->n_trunks; i++) {
		const struct vt_trunk *tr = &d->trunks[i];

		p->report_of[i] = SIZE_MAX;
		p->targets[i] = calloc(tr->n_subports ? tr->n_subports : 1, sizeof(**p->targets));
		p->mtu[i] = calloc(tr->n_subports ? tr->n_subports : 1, sizeof(**p->mtu));
		if (!p->targets[i] || !p->mtu[i])
			return -ENOMEM;
		for (size_t j = 0; j < tr->n_subports; j++)
			p->wanted[p->n_wanted++] = (struct wanted){ tr->subports[j].name, i, j };
	}
	qsort(p->wanted, p->n_wanted, sizeof(*p->wanted), vt_plan_cmp_wanted);

	for (size_t i = 0; i < t->n; i++) {
		const struct vt_link *l = &t->links[i];

		if (l->is_vlan)
			p->keys[p->n_keys++] = (struct vlan_key){ l->parent, l->vlan.protocol,
								  l->vlan.id, l };
		if (l->parent && l->parent != l->ifindex)
			p->children[p->n_children++] = (struct vlan_key){ .parent = l->parent,
									  .link = l };
	}
	qsort(p->keys, p->n_keys, sizeof(*p->keys), cmp_key);
	qsort(p->children, p->n_children, sizeof(*p->children), vt_plan_cmp_parent);
	return 0;
}

static struct vt_trunk_report *add_report(struct planner *p, const char *name,
					  const struct vt_trunk *want)
{
	struct vt_plan *plan = p->plan;
	struct vt_trunk_report *r = &plan->trunks[plan->n_trunks];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->want = want;
	r->scope = plan->n_trunks;
	r->can_converge = true;
	plan->n_trunks++;
	return r;
}

static struct vt_op *add_op(struct planner *p, enum vt_op_kind kind, size_t report,
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

static void block(struct vt_trunk_report *r, const char *fmt, const char *a, const char *b)
{
	if (!r->blocked)
		snprintf(r->reason, sizeof(r->reason), fmt, a, b);
	r->blocked = true;
	r->can_converge = false;
}

/*
 * Deleting @link deletes every VLAN (and macvlan, ...) on it with it. That is
 * only acceptable when this plan deletes each of those children itself.
 */
static const struct vt_link *undeleted_child(const struct planner *p, const struct vt_link *link)
{
	size_t n;
	const struct vlan_key *c = vt_plan_children(p, link->ifindex, &n);

	for (size_t i = 0; i < n; i++)
		if (c[i].link != link && p->fate[link_pos(p, c[i].link)] != FATE_DELETED)
			return c[i].link;
	return NULL;
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

/*
 * The device trunk @ti's parent names: on a plain parent what the kernel's
 * own lookup finds, its name or one of its altnames; a QinQ parent is a
 * subport, named as such. NULL when there is none.
 */
static const struct vt_link *parent_link(const struct planner *p, size_t ti)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];

	return tr->outer >= 0 ? vt_link_table_find_name(p->links, tr->parent) :
				vt_link_table_resolve(p->links, tr->parent);
}

static void view_link(const struct vt_link *link, struct parent_view *v)
{
	v->ifindex = link->ifindex;
	v->mtu = link->mtu;
	v->up = link->up;
	v->name = link->name;
}

/*
 * The parent as it will be: its ifindex, 0 when this plan creates or
 * recreates it (a QinQ outer subport), or false when it is missing.
 */
static bool resolve_parent(struct planner *p, size_t ti, struct parent_view *v)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];
	const struct vt_link *link = parent_link(p, ti);

	v->ifindex = 0;
	v->name = tr->parent;
	if (tr->outer >= 0) {
		size_t oi = (size_t)tr->outer;
		const struct vt_trunk_report *outer = p->report_of[oi] == SIZE_MAX ? NULL :
						      &p->plan->trunks[p->report_of[oi]];
		const struct wanted *w = vt_plan_find_wanted(p, tr->parent);
		const struct vt_subport_report *orep;

		/*
		 * Out of this run's scope, or when its trunk changes nothing (blocked,
		 * or without a parent), the outer subport is what the kernel has: a
		 * conflict on another subport of the outer trunk holds back nothing
		 * nested on this one.
		 */
		if (!outer || !outer->can_converge || !w) {
			/* ... if it is the outer trunk's own device, not a conflict's holder. */
			if (!link || (outer && (!w || !vt_marker_owner(link->alias) ||
						strcmp(vt_marker_owner(link->alias), outer->name) ||
						outer->subports[w->subport].state == VT_SP_CONFLICT)))
				return false;
			view_link(link, v);
			return true;
		}
		v->mtu = p->mtu[w->trunk][w->subport];
		v->up = p->targets[w->trunk][w->subport].up;
		/* 0 when the outer trunk's plan creates or recreates it. A device it
		 * renames into that name keeps its ifindex, and what sits on it stays. */
		orep = &outer->subports[w->subport];
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
	const char *owner = vt_marker_owner(holder->alias);

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
	struct vt_subport_target *t = &p->targets[ti][si];
	const struct vt_link *have = vt_link_table_find_name(p->links, sp->name);
	const struct vt_link *holder = NULL;
	enum vt_op_kind kind;
	struct vt_op *op;

	rep->want = sp;
	/* Before any match: a create or a rename into the name would both fail. */
	if (!have && (holder = vt_link_table_find_altname(p->links, sp->name))) {
		if (altname_conflict(rep, sp->name, holder) < 0)
			return -ENOMEM;
		block(r, "subport %s: %s", sp->name, rep->reason);
		return 0;
	}
	if (have) {
		const char *owner = vt_marker_owner(have->alias);

		rep->have = have;
		if (!owner) {
			bool adoptable = sp->adopt && have->is_vlan && !have->alias[0] &&
					 have->parent == parent && have->vlan.id == sp->vlan &&
					 have->vlan.protocol == sp->protocol;

			if (!adoptable) {
				rep->state = VT_SP_CONFLICT;
				if (subport_reason(rep, "the name %s is held by a %s device vlantrunk "
						   "does not manage", sp->name,
						   have->kind[0] ? have->kind : "plain") < 0)
					return -ENOMEM;
				block(r, "subport %s: %s", sp->name, rep->reason);
				return 0;
			}
		}
		p->fate[link_pos(p, have)] = FATE_CLAIMED;
	} else if (parent) {
		const char *owner;

		have = find_vlan(p, parent, sp->protocol, sp->vlan);
		owner = have ? vt_marker_owner(have->alias) : NULL;
		/* Only this trunk's own unclaimed device is renamed. Otherwise the key
		 * is held by a stranger (conflict), or by a device some subport claims
		 * by name, which is recreated or deleted first, freeing the key. */
		if (have && (!owner || strcmp(owner, tr->name) || vt_plan_find_wanted(p, have->name) ||
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
		rep->state = vt_marker_owner(have->alias) ? VT_SP_DIFFERS : VT_SP_ADOPTABLE;
		if (rep->differs & VT_D_RECREATE) {
			const struct vt_link *key = parent ? find_vlan(p, parent, sp->protocol,
								       sp->vlan) : NULL;

			/* The new device needs its key free, as a create does. */
			if (key && key != have && !vt_marker_owner(key->alias))
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
		block(r, "subport %s: %s", sp->name, rep->reason);
		return 0;
	}
	/* Only now: a conflict above leaves the device as it is. */
	if (kind == VT_OP_RECREATE)
		p->fate[link_pos(p, have)] = FATE_DELETED;

	op = add_op(p, kind, ri, tr->depth);
	if (!op)
		return -ENOMEM;
	op->subport = si;
	op->before = have;
	op->differs = rep->differs;
	snprintf(op->parent_name, sizeof(op->parent_name), "%s", t->parent_name);
	if (sp->managed & VT_SP_MASTER) {
		const struct vt_link *m = vt_link_table_find_ifindex(p->links, t->master);

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
		struct vt_subport_target *t = &p->targets[ti][si];

		t->sp = sp;
		t->trunk = tr->name;
		t->parent_name = parent->name;
		t->up = sp->up && tr->admin_state_up;
		/* The kernel refuses to bring a VLAN up on a parent that is down (ENETDOWN),
		 * unless loose_binding; it brings them up itself when the parent comes up. */
		if (t->up && !parent->up && !(sp->vlan_flags & VT_VLAN_LOOSE_BINDING)) {
			t->up = false;
			r->parent_down = true;
		}
		p->mtu[ti][si] = sp->managed & VT_SP_MTU ? sp->mtu : parent_mtu;
		t->mtu = p->mtu[ti][si];
		if (sp->managed & VT_SP_MASTER) {
			/* A master may be named by an altname too, as `ip link set master` takes. */
			const struct vt_link *m = vt_link_table_resolve(p->links, sp->master);

			if (!m)
				block(r, "subport %s: master %s does not exist", sp->name, sp->master);
			else if (strcmp(m->kind, "bridge"))
				block(r, "subport %s: master %s is not a bridge", sp->name, sp->master);
			else
				t->master = m->ifindex;
		}
		if ((sp->managed & VT_SP_MTU) && parent_mtu && sp->mtu > parent_mtu) {
			snprintf(num, sizeof(num), "%u exceeds parent %s's MTU %u", sp->mtu,
				 tr->parent, parent_mtu);
			block(r, "subport %s: mtu %s", sp->name, num);
		}
	}
}

static void set_status(struct vt_trunk_report *r)
{
	size_t counts[VT_SP_BLOCKED + 1] = { 0 };

	for (size_t i = 0; i < r->n_subports; i++)
		counts[r->subports[i].state]++;
	if (r->blocked) {
		r->status = VT_TRUNK_ERROR;
		return;
	}
	if (!r->can_converge) {
		r->status = VT_TRUNK_DOWN;
		return;
	}
	if (counts[VT_SP_IN_SYNC] == r->n_subports && !r->reason[0]) {
		r->status = r->want && (!r->want->admin_state_up || r->parent_down) ?
			    VT_TRUNK_DOWN : VT_TRUNK_ACTIVE;
		if (r->status == VT_TRUNK_DOWN)
			snprintf(r->reason, sizeof(r->reason), r->want->admin_state_up ?
				 "parent %s is down" : "admin_state_up is false", r->want->parent);
		return;
	}
	r->status = VT_TRUNK_DEGRADED;
	if (!r->reason[0])
		snprintf(r->reason, sizeof(r->reason),
			 "%zu of %zu subports in sync (%zu missing, %zu differ)",
			 counts[VT_SP_IN_SYNC], r->n_subports, counts[VT_SP_MISSING],
			 counts[VT_SP_DIFFERS] + counts[VT_SP_ADOPTABLE]);
}

static int plan_trunk(struct planner *p, size_t ti)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];
	size_t ri = p->plan->n_trunks;
	struct vt_trunk_report *r = add_report(p, tr->name, tr);
	size_t first_op = p->plan->n_ops;
	struct parent_view parent = { .up = true };
	int ret;

	p->report_of[ti] = ri;
	if (tr->outer >= 0 && p->report_of[tr->outer] != SIZE_MAX)
		r->scope = p->plan->trunks[p->report_of[tr->outer]].scope;
	r->subports = calloc(tr->n_subports ? tr->n_subports : 1, sizeof(*r->subports));
	r->n_subports = tr->n_subports;
	if (!r->subports)
		return -ENOMEM;

	/* A kept journal concerns it: nothing changes until recovery verifies it. */
	if (vt_plan_held(p, tr->name))
		block(r, "%s%s", vt_plan_held(p, tr->name), "");
	if (!resolve_parent(p, ti, &parent)) {
		const struct vt_trunk_report *outer = tr->outer >= 0 &&
			p->report_of[tr->outer] != SIZE_MAX ? &p->plan->trunks[p->report_of[tr->outer]] :
			NULL;
		char why[sizeof(r->reason)];

		const struct wanted *w = outer ? vt_plan_find_wanted(p, tr->parent) : NULL;
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
		set_status(r);
		return 0;
	}
	r->parent_device = parent.name;
	check_feasible(p, ti, ri, &parent);
	for (size_t si = 0; si < tr->n_subports; si++) {
		p->targets[ti][si].parent = parent.ifindex;
		ret = plan_subport(p, ti, si, ri, parent.ifindex);
		if (ret < 0)
			return ret;
	}
	for (size_t si = 0; si < tr->n_subports; si++) {
		const struct vt_subport_report *rep = &r->subports[si];

		/* Unmanaged, the MTU is what a kept device has (a new one takes its parent's):
		 * what a trunk nested on it can have at most. */
		if (!(tr->subports[si].managed & VT_SP_MTU) && rep->have &&
		    rep->state != VT_SP_CONFLICT && !(rep->differs & VT_D_RECREATE))
			p->mtu[ti][si] = p->targets[ti][si].mtu = rep->have->mtu;
		r->subports[si].target = p->targets[ti][si];
	}
	if (r->blocked) {
		/* A blocked trunk is not changed at all: drop what was planned for it. */
		for (size_t i = first_op; i < p->plan->n_ops; i++)
			if (p->plan->ops[i].kind == VT_OP_RECREATE && p->plan->ops[i].before)
				p->fate[link_pos(p, p->plan->ops[i].before)] = FATE_CLAIMED;
		p->plan->n_ops = first_op;
	}
	set_status(r);
	return 0;
}

/* Something findable by name: a trunk report, a trunk by its parent. */
struct named {
	const char *name;
	size_t index;
};

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

static const struct named *find_named(const struct named *v, size_t n, const char *name)
{
	struct named key = { .name = name };

	return n ? bsearch(&key, v, n, sizeof(key), cmp_named) : NULL;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct vt_link *const *x = a, *const *y = b;

	return strcmp((*x)->alias, (*y)->alias);
}

/* Managed devices no desired subport claims, grouped by owner. */
static int plan_deletes(struct planner *p)
{
	const struct vt_link_table *t = p->links;
	struct vt_plan *plan = p->plan;
	size_t n_reports = plan->n_trunks, n_stale = 0;
	struct named *reports = calloc(n_reports ? n_reports : 1, sizeof(*reports));
	const struct vt_link **stale = calloc(t->n ? t->n : 1, sizeof(*stale));
	struct vt_trunk_report *r = NULL;
	int ret = -ENOMEM;

	if (!reports || !stale)
		goto out;
	for (size_t i = 0; i < n_reports; i++)
		reports[i] = (struct named){ plan->trunks[i].name, i };
	qsort(reports, n_reports, sizeof(*reports), cmp_named);
	for (size_t i = 0; i < t->n; i++) {
		const char *owner = vt_marker_owner(t->links[i].alias);

		/*
		 * A trunk nested on a selected one is in scope (it has a report), strays
		 * included. A device a desired subport names is that subport's to take
		 * over, even when its trunk is not planned in this run.
		 */
		if (owner && p->fate[i] == FATE_KEEP && !vt_plan_find_wanted(p, t->links[i].name) &&
		    (selected(p, owner) || find_named(reports, n_reports, owner)))
			stale[n_stale++] = &t->links[i];
	}
	qsort(stale, n_stale, sizeof(*stale), cmp_owner);

	for (size_t i = 0; i < n_stale; i++) {
		const char *owner = vt_marker_owner(stale[i]->alias);
		struct vt_op *op;

		if (!r || strcmp(r->name, owner)) {
			const struct named *found = find_named(reports, n_reports, owner);

			if (found) {
				r = &plan->trunks[found->index];
			} else {
				/* Reports were sized for one per desired trunk and per device. */
				r = add_report(p, owner, NULL);
				snprintf(r->reason, sizeof(r->reason), "no longer desired");
				if (vt_plan_held(p, owner)) {
					block(r, "%s%s", vt_plan_held(p, owner), "");
					set_status(r);
				}
			}
		}
		/* A trunk that cannot converge is left as it is, strays included. */
		if (!r->can_converge)
			continue;
		p->fate[link_pos(p, stale[i])] = FATE_DELETED;
		op = add_op(p, VT_OP_DELETE, (size_t)(r - plan->trunks), 0);
		if (!op)
			goto out;
		op->subport = SIZE_MAX;
		op->before = stale[i];
		/* Every subport may match and still a stray device of the trunk waits. */
		if (r->status != VT_TRUNK_DEGRADED && r->want)
			snprintf(r->reason, sizeof(r->reason), "stray device %s to delete",
				 stale[i]->name);
		r->status = VT_TRUNK_DEGRADED;
	}
	ret = 0;
out:
	free(reports);
	free(stale);
	return ret;
}

static const struct named *owner_report(const struct named *reports, size_t n,
					const struct vt_link *link)
{
	const char *owner = link ? vt_marker_owner(link->alias) : NULL;

	return owner ? find_named(reports, n, owner) : NULL;
}

/*
 * Trunks whose operations depend on each other share a transaction, or one
 * could commit while the other rolls back under it: a device that sits on
 * another trunk's device (QinQ as the kernel has it, also for trunks no
 * longer desired), and a create that needs the VLAN another trunk's device
 * frees (a swap across trunks). Desired nesting is joined in plan_trunk().
 */
static int join_dependent_scopes(struct planner *p)
{
	struct vt_plan *plan = p->plan;
	struct named *reports = calloc(plan->n_trunks ? plan->n_trunks : 1, sizeof(*reports));

	if (!reports)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n_trunks; i++)
		reports[i] = (struct named){ plan->trunks[i].name, i };
	qsort(reports, plan->n_trunks, sizeof(*reports), cmp_named);
	for (size_t i = 0; i < plan->n_ops; i++) {
		const struct vt_op *op = &plan->ops[i];
		const struct named *owner = NULL;

		if (op->before)
			owner = owner_report(reports, plan->n_trunks,
					     vt_link_table_find_ifindex(p->links, op->before->parent));
		if (owner)
			vt_plan_join(plan, op->trunk, owner->index);
		if (op->kind == VT_OP_CREATE || op->kind == VT_OP_RECREATE) {
			const struct vt_subport_report *rep = &plan->trunks[op->trunk].subports[op->subport];
			const struct vt_link *holder = rep->target.parent ?
				find_vlan(p, rep->target.parent, rep->want->protocol, rep->want->vlan) : NULL;

			owner = holder && p->fate[link_pos(p, holder)] == FATE_DELETED ?
				owner_report(reports, plan->n_trunks, holder) : NULL;
			if (owner)
				vt_plan_join(plan, op->trunk, owner->index);
		}
	}
	for (size_t i = 0; i < plan->n_trunks; i++)
		plan->trunks[i].scope = vt_plan_scope_root(plan, i);
	free(reports);
	return 0;
}

/* Depth of a device to delete: how many managed VLANs it sits on. */
static unsigned int delete_depth(const struct planner *p, const struct vt_link *l)
{
	unsigned int depth = 0;

	for (int guard = 0; guard < 16; guard++) {
		const struct vt_link *up = vt_link_table_find_ifindex(p->links, l->parent);

		if (!l->is_vlan || !up || up == l || !up->is_vlan)
			break;
		depth++;
		l = up;
	}
	return depth;
}

/*
 * A create (or a recreate's create) needs its (parent, protocol, vlan) free.
 * An unmanaged holder is a conflict already; a managed one must be deleted by
 * this plan, or the kernel refuses the create half-way through the commit:
 * its trunk is out of scope, or cannot converge, or is blocked.
 */
static const struct vt_link *key_holder(const struct planner *p, const struct vt_op *op)
{
	const struct vt_subport_report *rep;
	const struct vt_link *holder;

	if (op->kind != VT_OP_CREATE && op->kind != VT_OP_RECREATE)
		return NULL;
	rep = &p->plan->trunks[op->trunk].subports[op->subport];
	/* On a parent this plan creates or recreates, nothing is there yet. */
	if (!rep->target.parent)
		return NULL;
	holder = find_vlan(p, rep->target.parent, rep->want->protocol, rep->want->vlan);
	return holder && p->fate[link_pos(p, holder)] != FATE_DELETED ? holder : NULL;
}

/* A create of this plan, findable by the (parent, protocol, vlan) it needs. */
struct claim {
	int parent;
	uint16_t protocol;
	uint16_t vlan;
	size_t op;			/* index into plan->ops, in planning order */
};

static int cmp_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return (x->op > y->op) - (x->op < y->op);
}

static int collect_claims(const struct planner *p, struct claim **out, size_t *n)
{
	const struct vt_plan *plan = p->plan;
	struct claim *v = calloc(plan->n_ops ? plan->n_ops : 1, sizeof(*v));

	*out = v;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n_ops; i++) {
		const struct vt_op *op = &plan->ops[i];
		const struct vt_subport_report *rep;

		if (op->kind != VT_OP_CREATE && op->kind != VT_OP_RECREATE)
			continue;
		rep = &plan->trunks[op->trunk].subports[op->subport];
		if (rep->target.parent)
			v[(*n)++] = (struct claim){ rep->target.parent, rep->want->protocol,
						    rep->want->vlan, i };
	}
	qsort(v, *n, sizeof(*v), cmp_claim);
	return 0;
}

/*
 * The desired state keeps (parent, protocol, vlan) unique by the parent as
 * written, yet two trunks may name one device two ways: by its name and by
 * an altname. Of two creates on one key the kernel refuses the second
 * (EEXIST): the one planned first, of a trunk not blocked, goes ahead.
 */
static const struct vt_op *claimed_before(const struct planner *p, const struct claim *claims,
					  size_t n, size_t i)
{
	const struct vt_plan *plan = p->plan;
	const struct vt_op *op = &plan->ops[i];
	const struct vt_subport_report *rep;
	struct claim key;
	size_t lo = 0, hi = n;

	if (op->kind != VT_OP_CREATE && op->kind != VT_OP_RECREATE)
		return NULL;
	rep = &plan->trunks[op->trunk].subports[op->subport];
	key = (struct claim){ rep->target.parent, rep->want->protocol, rep->want->vlan, 0 };
	if (!key.parent)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_claim(&claims[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Those of the same key planned before it. */
	for (key.op = i; lo < n && cmp_claim(&claims[lo], &key) < 0; lo++)
		if (!plan->trunks[plan->ops[claims[lo].op].trunk].blocked)
			return &plan->ops[claims[lo].op];
	return NULL;
}

/*
 * Anything deleted must not take an unplanned device, or a desired parent,
 * with it, and no create may collide with a device the plan keeps or with
 * another create (claimed_before()). Blocking a trunk keeps the devices its
 * operations would have deleted, which can block another (a trunk whose
 * device sits on them), and a blocked trunk blocks the trunks nested on it,
 * whose plan assumed it went ahead: so repeat until nothing changes. Each
 * round blocks at least one more trunk.
 */
static int check_deletes(struct planner *p)
{
	const struct vt_desired *d = p->desired;
	struct vt_plan *plan = p->plan;
	struct named *parents = calloc(d->n_trunks ? d->n_trunks : 1, sizeof(*parents));
	struct claim *claims = NULL;
	size_t n_claims = 0;
	bool again = true;
	int ret = -ENOMEM;

	if (!parents || collect_claims(p, &claims, &n_claims) < 0)
		goto out;
	/* By the devices' own names: a trunk may name its parent by an altname. */
	for (size_t i = 0; i < d->n_trunks; i++) {
		const struct vt_link *l = parent_link(p, i);

		parents[i] = (struct named){ l ? l->name : d->trunks[i].parent, i };
	}
	qsort(parents, d->n_trunks, sizeof(*parents), cmp_named);

	while (again) {
		again = false;
		vt_plan_index_ops(p);
		for (size_t i = 0; i < plan->n_ops; i++) {
			struct vt_op *op = &plan->ops[i];
			struct vt_trunk_report *r = &plan->trunks[op->trunk];
			const struct vt_link *child = NULL, *holder;
			const struct named *trunk = NULL;
			const struct vt_op *twin;
			char what[256];

			if (r->blocked)
				continue;
			if (op->kind == VT_OP_DELETE || op->kind == VT_OP_RECREATE)
				child = undeleted_child(p, op->before);
			if (op->kind == VT_OP_DELETE)
				trunk = find_named(parents, d->n_trunks, op->before->name);
			holder = key_holder(p, op);
			if (child) {
				block(r, "deleting %s would delete %s with it, which this plan does not touch",
				      op->before->name, child->name);
			} else if (trunk) {
				block(r, "%s is the parent of desired trunk %s", op->before->name,
				      d->trunks[trunk->index].name);
			} else if (holder) {
				snprintf(what, sizeof(what), "%s %u on %s is held by %s, which this plan keeps",
					 vt_protocol_name(r->want->subports[op->subport].protocol),
					 r->want->subports[op->subport].vlan, op->parent_name, holder->name);
				block(r, "subport %s: %s", op->after.link.name, what);
			} else if ((twin = claimed_before(p, claims, n_claims, i))) {
				snprintf(what, sizeof(what), "%s %u on %s is also wanted by subport %s "
					 "of trunk %s: both trunks' parents name %s",
					 vt_protocol_name(twin->after.link.vlan.protocol),
					 twin->after.link.vlan.id, op->parent_name,
					 twin->after.link.name, plan->trunks[twin->trunk].name,
					 op->parent_name);
				block(r, "subport %s: %s", op->after.link.name, what);
			} else if (vt_plan_effects_refused(p, op, what, sizeof(what))) {
				block(r, "%s%s", what, "");
			}
			again |= r->blocked;
		}
		for (size_t i = 0; i < plan->n_trunks; i++) {
			struct vt_trunk_report *r = &plan->trunks[i];
			const struct vt_trunk_report *outer;
			char what[512];

			if (!r->can_converge || !r->want || r->want->outer < 0 ||
			    p->report_of[r->want->outer] == SIZE_MAX)
				continue;
			outer = &plan->trunks[p->report_of[r->want->outer]];
			/* Only a plan made on the outer trunk's plan for its parent. */
			if (outer->blocked && p->assumes_outer[r->want - d->trunks]) {
				snprintf(what, sizeof(what), "its parent %.15s waits for outer trunk %.64s: %.300s",
					 r->want->parent, outer->name, outer->reason);
				block(r, "%s%s", what, "");
				again = true;
			}
		}
		/* A blocked trunk deletes nothing. */
		for (size_t i = 0; again && i < plan->n_ops; i++) {
			const struct vt_op *op = &plan->ops[i];

			if (plan->trunks[op->trunk].blocked && op->before &&
			    (op->kind == VT_OP_DELETE || op->kind == VT_OP_RECREATE))
				p->fate[link_pos(p, op->before)] = op->kind == VT_OP_DELETE ?
								  FATE_KEEP : FATE_CLAIMED;
		}
	}
	ret = 0;
out:
	free(parents);
	free(claims);
	return ret;
}

/* Commit order: deletes (and recreates) inner first, then changes, then creates outer first. */
static int op_phase(const struct vt_op *op)
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

static int cmp_op(const void *a, const void *b)
{
	const struct vt_op *x = a, *y = b;
	int px = op_phase(x), py = op_phase(y);

	if (px != py)
		return px - py;
	if (x->depth != y->depth)
		return px == 0 ? (int)y->depth - (int)x->depth : (int)x->depth - (int)y->depth;
	/* Within a depth: the order of planning. */
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void drop_blocked_ops(struct vt_plan *plan)
{
	size_t out = 0;

	for (size_t i = 0; i < plan->n_ops; i++)
		if (!plan->trunks[plan->ops[i].trunk].blocked)
			plan->ops[out++] = plan->ops[i];
	plan->n_ops = out;
}

static void planner_free(struct planner *p)
{
	for (size_t i = 0; i < p->desired->n_trunks && p->targets; i++) {
		free(p->targets[i]);
		free(p->mtu[i]);
	}
	free(p->targets);
	free(p->mtu);
	free(p->wanted);
	free(p->keys);
	free(p->children);
	free(p->fate);
	free(p->report_of);
	free(p->op_of);
	free(p->effected);
	free(p->assumes_outer);
}

static bool in_scope(const struct planner *p, size_t ti)
{
	const struct vt_desired *d = p->desired;

	/* A selected trunk brings the trunks nested on its subports along. */
	for (int guard = 0; guard <= (int)d->n_trunks; guard++) {
		if (selected(p, d->trunks[ti].name))
			return true;
		if (d->trunks[ti].outer < 0)
			return false;
		ti = (size_t)d->trunks[ti].outer;
	}
	return false;
}

static int cmp_depth(const void *a, const void *b, void *arg)
{
	const struct vt_desired *d = arg;
	size_t x = ((const struct named *)a)->index, y = ((const struct named *)b)->index;

	if (d->trunks[x].depth != d->trunks[y].depth)
		return d->trunks[x].depth < d->trunks[y].depth ? -1 : 1;
	return (x > y) - (x < y);
}

int vt_plan_build(const struct vt_desired *desired, const struct vt_link_table *links,
		  const char *const *only, size_t n_only, struct vt_plan *plan)
{
	return vt_plan_build_held(desired, links, only, n_only, NULL, 0, plan);
}

int vt_plan_build_held(const struct vt_desired *desired, const struct vt_link_table *links,
		       const char *const *only, size_t n_only, const struct vt_plan_hold *holds,
		       size_t n_holds, struct vt_plan *plan)
{
	struct planner p = {
		.desired = desired, .links = links, .plan = plan, .only = only, .n_only = n_only,
		.holds = holds, .n_holds = n_holds,
	};
	size_t max_reports = desired->n_trunks + links->n;
	struct named *order = NULL;
	int ret;

	memset(plan, 0, sizeof(*plan));
	plan->trunks = calloc(max_reports ? max_reports : 1, sizeof(*plan->trunks));
	ret = plan->trunks ? build_indexes(&p) : -ENOMEM;

	/* Outer trunks first: an inner trunk's parent is what its outer trunk makes of it. */
	if (ret == 0) {
		order = calloc(desired->n_trunks ? desired->n_trunks : 1, sizeof(*order));
		ret = order ? 0 : -ENOMEM;
	}
	for (size_t i = 0; ret == 0 && i < desired->n_trunks; i++)
		order[i] = (struct named){ .index = i };
	if (ret == 0)
		qsort_r(order, desired->n_trunks, sizeof(*order), cmp_depth, (void *)desired);
	for (size_t i = 0; ret == 0 && i < desired->n_trunks; i++)
		if (in_scope(&p, order[i].index))
			ret = plan_trunk(&p, order[i].index);
	free(order);
	if (ret == 0)
		ret = plan_deletes(&p);
	if (ret == 0)
		ret = join_dependent_scopes(&p);
	if (ret == 0) {
		for (size_t i = 0; i < plan->n_ops; i++)
			if (plan->ops[i].kind == VT_OP_DELETE)
				plan->ops[i].depth = delete_depth(&p, plan->ops[i].before);
		ret = check_deletes(&p);
	}
	if (ret == 0) {
		ret = vt_plan_effects(&p);
		for (size_t i = 0; i < plan->n_trunks; i++)
			plan->trunks[i].scope = vt_plan_scope_root(plan, i);
	}
	if (ret == 0) {
		for (size_t i = 0; i < plan->n_trunks; i++)
			if (plan->trunks[i].blocked)
				set_status(&plan->trunks[i]);
		drop_blocked_ops(plan);
		/* No op planned: ops is NULL, which qsort may not be given even for 0. */
		if (plan->n_ops)
			qsort(plan->ops, plan->n_ops, sizeof(*plan->ops), cmp_op);
	}
	planner_free(&p);
	if (ret < 0)
		vt_plan_free(plan);
	return ret;
}

void vt_plan_free(struct vt_plan *plan)
{
	for (size_t i = 0; i < plan->n_trunks; i++) {
		for (size_t j = 0; plan->trunks[i].subports && j < plan->trunks[i].n_subports; j++)
			free(plan->trunks[i].subports[j].reason);
		free(plan->trunks[i].subports);
	}
	free(plan->trunks);
	free(plan->ops);
	free(plan->effects);
	memset(plan, 0, sizeof(*plan));
}
