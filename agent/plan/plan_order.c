/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The order the engine commits a plan's operations in, and the depth of a
 * device to delete that it goes by.
 */
#include <stdlib.h>

#include "plan_internal.h"

/* Depth of a device in the kernel: how many VLANs it sits on. */
static unsigned int delete_depth(const struct planner *p, const struct vt_link *l)
{
	unsigned int depth = 0;

	for (int guard = 0; guard < 16; guard++) {
		const struct vt_link *up = vt_link_table_parent(p->links, l);

		if (!l->is_vlan || !up || up == l || !up->is_vlan)
			break;
		depth++;
		l = up;
	}
	return depth;
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
	/* Deletes go by where their devices are now, inner first. */
	if (px == 0 && x->before_depth != y->before_depth)
		return (int)y->before_depth - (int)x->before_depth;
	if (px != 0 && x->depth != y->depth)
		return (int)x->depth - (int)y->depth;
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

void vt_plan_order_depths(struct planner *p)
{
	struct vt_plan *plan = p->plan;

	for (size_t i = 0; i < plan->n_ops; i++) {
		struct vt_op *op = &plan->ops[i];

		if (op->before)
			op->before_depth = delete_depth(p, op->before);
		if (op->kind == VT_OP_DELETE)
			op->depth = op->before_depth;
	}
}

void vt_plan_order(struct vt_plan *plan)
{
	drop_blocked_ops(plan);
	/* No op planned: ops is NULL, which qsort may not be given even for 0. */
	if (plan->n_ops)
		qsort(plan->ops, plan->n_ops, sizeof(*plan->ops), cmp_op);
}
