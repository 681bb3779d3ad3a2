/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The planner's entry points: vt_plan_build_held() runs the steps
 * plan_internal.h lists, in that order, on one struct planner. Lookups by
 * name or by VLAN key go through sorted indexes (plan_index.c), never a
 * scan of the links.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

static int cmp_depth(const void *a, const void *b, void *arg)
{
	const struct vt_desired *d = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

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
	/* One per desired trunk; vt_plan_stale() makes room for the undesired owners it finds. */
	size_t max_reports = desired->n_trunks;
	size_t *order = NULL;
	int ret;

	memset(plan, 0, sizeof(*plan));
	plan->trunks = calloc(max_reports ? max_reports : 1, sizeof(*plan->trunks));
	plan->markers = malloc((desired->n_trunks ? desired->n_trunks : 1) * sizeof(*plan->markers));
	ret = plan->trunks && plan->markers ? vt_plan_index_build(&p) : -ENOMEM;
	for (size_t i = 0; ret == 0 && i < desired->n_trunks; i++)
		vt_marker_format(plan->markers[i], desired->trunks[i].name);

	/* Outer trunks first: an inner trunk's parent is what its outer trunk makes of it. */
	if (ret == 0) {
		order = calloc(desired->n_trunks ? desired->n_trunks : 1, sizeof(*order));
		ret = order ? 0 : -ENOMEM;
	}
	for (size_t i = 0; ret == 0 && i < desired->n_trunks; i++)
		order[i] = i;
	if (ret == 0)
		qsort_r(order, desired->n_trunks, sizeof(*order), cmp_depth, (void *)desired);
	for (size_t i = 0; ret == 0 && i < desired->n_trunks; i++)
		if (vt_plan_scope_includes(&p, order[i]))
			ret = vt_plan_trunk(&p, order[i]);
	free(order);
	if (ret == 0)
		ret = vt_plan_stale(&p);
	if (ret == 0)
		vt_plan_scope_join_dependent(&p);
	if (ret == 0) {
		vt_plan_order_depths(&p);
		ret = vt_plan_check(&p);
	}
	if (ret == 0) {
		ret = vt_plan_effects(&p);
		for (size_t i = 0; i < plan->n_trunks; i++)
			plan->trunks[i].scope = vt_plan_scope_root(plan, i);
	}
	if (ret == 0) {
		for (size_t i = 0; i < plan->n_trunks; i++)
			if (plan->trunks[i].blocked)
				vt_trunk_status_derive(&plan->trunks[i]);
		vt_plan_order(plan);
	}
	vt_plan_index_free(&p);
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
	free(plan->markers);
	memset(plan, 0, sizeof(*plan));
}
