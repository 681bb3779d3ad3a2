/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scopes: which trunks this run plans (those it selects, and the trunks
 * nested on them), and which trunks share a transaction, a union-find over
 * report indexes (vt_trunk_report.scope) joined where one trunk's
 * operations depend on another's.
 */
#include "plan_internal.h"

bool vt_plan_scope_selected(struct planner *p, const char *trunk)
{
	return !p->n_only || vt_name_table_find(&p->only_names, trunk, NULL);
}

bool vt_plan_scope_includes(struct planner *p, size_t ti)
{
	const struct vt_desired *d = p->desired;

	/* A selected trunk brings the trunks nested on its subports along. */
	for (int guard = 0; guard <= (int)d->n_trunks; guard++) {
		if (vt_plan_scope_selected(p, d->trunks[ti].name))
			return true;
		if (d->trunks[ti].outer < 0)
			return false;
		ti = (size_t)d->trunks[ti].outer;
	}
	return false;
}

/* The report of the trunk whose device @link is, or SIZE_MAX. */
static size_t owner_report(struct planner *p, const struct vt_link *link)
{
	const char *owner = link ? vt_marker_owner(vt_link_alias(link)) : NULL;

	return owner ? vt_name_table_get(&p->reports, owner, SIZE_MAX) : SIZE_MAX;
}

/*
 * Trunks whose operations depend on each other share a transaction, or one
 * could commit while the other rolls back under it: a device that sits on
 * another trunk's device (QinQ as the kernel has it, also for trunks no
 * longer desired), and a create that needs the VLAN another trunk's delete
 * or recreate frees (a swap across trunks). That is the trunk of the op on
 * the holder, not the one its marker names: a subport of another trunk may
 * take the holder over by name, and until that op deletes it the kernel
 * refuses the create (vlan_check_real_dev(): EEXIST, "VLAN device already
 * exists"). Desired nesting is joined in vt_plan_trunk().
 */
void vt_plan_scope_join_dependent(struct planner *p)
{
	struct vt_plan *plan = p->plan;

	vt_plan_index_ops(p);
	for (size_t i = 0; i < plan->n_ops; i++) {
		const struct vt_op *op = &plan->ops[i];
		size_t owner = SIZE_MAX;

		if (op->before)
			owner = owner_report(p, vt_link_table_parent(p->links, op->before));
		if (owner != SIZE_MAX)
			vt_plan_scope_join(plan, op->trunk, owner);
		if (op->kind == VT_OP_CREATE || op->kind == VT_OP_RECREATE) {
			const struct vt_subport_report *rep = &plan->trunks[op->trunk].subports[op->subport];
			const struct vt_link *holder = rep->target.parent ?
				vt_plan_index_vlan(p, VT_NS_OWN, rep->target.parent, rep->want->protocol,
						   rep->want->vlan) : NULL;
			/* 1 + the op that deletes the holder, of a trunk not blocked; or 0 */
			size_t freer = holder && p->fate[link_pos(p, holder)] == FATE_DELETED ?
				p->op_of[link_pos(p, holder)] : 0;

			if (freer)
				vt_plan_scope_join(plan, op->trunk, plan->ops[freer - 1].trunk);
		}
	}
	for (size_t i = 0; i < plan->n_trunks; i++)
		plan->trunks[i].scope = vt_plan_scope_root(plan, i);
}

size_t vt_plan_scope_root(const struct vt_plan *plan, size_t i)
{
	while (plan->trunks[i].scope != i)
		i = plan->trunks[i].scope;
	return i;
}

void vt_plan_scope_join(struct vt_plan *plan, size_t x, size_t y)
{
	size_t a = vt_plan_scope_root(plan, x), b = vt_plan_scope_root(plan, y);

	if (a != b)
		plan->trunks[a].scope = b;
}
