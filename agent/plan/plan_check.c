/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel would refuse half-way through a commit, found before it
 * starts: a delete that takes an unplanned device or a desired parent with
 * it, a create whose (parent, protocol, vlan) a kept device holds or another
 * create claims first, and side effects the plan may not cause. Each blocks
 * its trunk.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

/*
 * Deleting @link deletes every VLAN (and macvlan, ...) on it with it. That is
 * only acceptable when this plan deletes each of those children itself.
 */
static const struct vt_link *undeleted_child(const struct planner *p, const struct vt_link *link)
{
	size_t n;
	const struct vlan_key *c = vt_plan_index_children(p, link->ns, link->ifindex, &n);

	for (size_t i = 0; i < n; i++)
		if (key_link(p, &c[i]) != link && p->fate[c[i].pos] != FATE_DELETED)
			return key_link(p, &c[i]);
	return NULL;
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
	holder = vt_plan_index_vlan(p, VT_NS_OWN, rep->target.parent, rep->want->protocol,
				    rep->want->vlan);
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
 * The desired trunk whose parent is the device called @name, the first of
 * them when several are, or SIZE_MAX.
 */
static size_t parent_of(struct vt_name_table *parents, const char *name)
{
	size_t n, first = SIZE_MAX;
	const struct vt_name_entry *e = vt_name_table_find(parents, name, &n);

	for (size_t i = 0; i < n; i++)
		if (e[i].value < first)
			first = e[i].value;
	return first;
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
int vt_plan_check(struct planner *p)
{
	const struct vt_desired *d = p->desired;
	struct vt_plan *plan = p->plan;
	struct vt_name_table parents = { 0 };
	struct claim *claims = NULL;
	size_t n_claims = 0;
	bool again = true;
	int ret = -ENOMEM;

	if (collect_claims(p, &claims, &n_claims) < 0)
		goto out;
	/* By the devices' own names: a trunk may name its parent by an altname. */
	for (size_t i = 0; i < d->n_trunks; i++) {
		const struct vt_link *l = vt_plan_index_parent(p, i);

		if (vt_name_table_add(&parents, l ? l->name : d->trunks[i].parent, i) < 0)
			goto out;
	}

	while (again) {
		again = false;
		vt_plan_index_ops(p);
		for (size_t i = 0; i < plan->n_ops; i++) {
			struct vt_op *op = &plan->ops[i];
			struct vt_trunk_report *r = &plan->trunks[op->trunk];
			const struct vt_link *child = NULL, *holder;
			size_t trunk = SIZE_MAX;
			const struct vt_op *twin;
			char what[256];

			if (r->blocked)
				continue;
			if (op->kind == VT_OP_DELETE || op->kind == VT_OP_RECREATE)
				child = undeleted_child(p, op->before);
			/* Parents are in the own namespace: one of the name elsewhere is none. */
			if (op->kind == VT_OP_DELETE && op->before->ns == VT_NS_OWN)
				trunk = parent_of(&parents, op->before->name);
			holder = key_holder(p, op);
			if (child) {
				vt_trunk_block(r, "deleting %s would delete %s with it, which this plan "
					       "does not touch", op->before->name, child->name);
			} else if (trunk != SIZE_MAX) {
				vt_trunk_block(r, "%s is the parent of desired trunk %s",
					       op->before->name, d->trunks[trunk].name);
			} else if (holder) {
				snprintf(what, sizeof(what), "%s %u on %s is held by %s, which this plan keeps",
					 vt_protocol_name(r->want->subports[op->subport].protocol),
					 r->want->subports[op->subport].vlan, op->parent_name, holder->name);
				vt_trunk_block(r, "subport %s: %s", op->after.link.name, what);
			} else if ((twin = claimed_before(p, claims, n_claims, i))) {
				snprintf(what, sizeof(what), "%s %u on %s is also wanted by subport %s "
					 "of trunk %s: both trunks' parents name %s",
					 vt_protocol_name(twin->after.link.vlan.protocol),
					 twin->after.link.vlan.id, op->parent_name,
					 twin->after.link.name, plan->trunks[twin->trunk].name,
					 op->parent_name);
				vt_trunk_block(r, "subport %s: %s", op->after.link.name, what);
			} else if (vt_plan_effects_refused(p, op, what, sizeof(what))) {
				vt_trunk_block(r, "%s%s", what, "");
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
				vt_trunk_block(r, "%s%s", what, "");
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
	vt_name_table_free(&parents);
	free(claims);
	return ret;
}
