/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The planner's lookups, shared by plan.c and plan_effects.c: desired
 * subports by name, a link's children, holds, and transaction scopes.
 */
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

int vt_plan_cmp_wanted(const void *a, const void *b)
{
	return strcmp(((const struct wanted *)a)->name, ((const struct wanted *)b)->name);
}

int vt_plan_cmp_parent(const void *a, const void *b)
{
	const struct vlan_key *x = a, *y = b;

	return (x->parent > y->parent) - (x->parent < y->parent);
}

const struct wanted *vt_plan_find_wanted(const struct planner *p, const char *name)
{
	struct wanted key = { .name = name };

	return p->n_wanted ? bsearch(&key, p->wanted, p->n_wanted, sizeof(key), vt_plan_cmp_wanted) :
			     NULL;
}

const char *vt_plan_held(const struct planner *p, const char *trunk)
{
	for (size_t i = 0; i < p->n_holds; i++)
		if (!p->holds[i].trunk || !strcmp(p->holds[i].trunk, trunk))
			return p->holds[i].reason;
	return NULL;
}

const struct vlan_key *vt_plan_children(const struct planner *p, int ifindex, size_t *n)
{
	struct vlan_key key = { .parent = ifindex };
	const struct vlan_key *c, *end;

	*n = 0;
	c = p->n_children ? bsearch(&key, p->children, p->n_children, sizeof(key),
				    vt_plan_cmp_parent) : NULL;
	if (!c)
		return NULL;
	while (c > p->children && c[-1].parent == ifindex)
		c--;
	for (end = c; end < p->children + p->n_children && end->parent == ifindex; end++)
		;
	*n = (size_t)(end - c);
	return c;
}

size_t vt_plan_scope_root(const struct vt_plan *plan, size_t i)
{
	while (plan->trunks[i].scope != i)
		i = plan->trunks[i].scope;
	return i;
}

void vt_plan_join(struct vt_plan *plan, size_t x, size_t y)
{
	size_t a = vt_plan_scope_root(plan, x), b = vt_plan_scope_root(plan, y);

	if (a != b)
		plan->trunks[a].scope = b;
}
