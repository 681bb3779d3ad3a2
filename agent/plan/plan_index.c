/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The planner's indexes, built once per plan, and its lookups: desired
 * subports by name, VLAN devices by (parent, protocol, vlan), a link's
 * children, a trunk's parent device, holds, and the op on each link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

/* qsort order of struct vlan_key in planner.children: by parent. */
static int cmp_parent(const void *a, const void *b)
{
	const struct vlan_key *x = a, *y = b;

	if (x->parent_ns != y->parent_ns)
		return x->parent_ns < y->parent_ns ? -1 : 1;
	return (x->parent > y->parent) - (x->parent < y->parent);
}

/* @name against the subport desired->by_name's entry @r names. */
static int cmp_ref_name(const struct vt_desired *d, const char *name,
			const struct vt_subport_ref *r)
{
	return strcmp(name, d->trunks[r->trunk].subports[r->subport].name);
}

/*
 * The first entry of desired->by_name (sorted by name) called @name, or
 * NULL; *@count of them are. A lower bound: bsearch() may land on any of them.
 */
static const struct vt_subport_ref *refs_named(const struct vt_desired *d, const char *name,
					       size_t *count)
{
	size_t lo = 0, hi = d->n_by_name, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_ref_name(d, name, &d->by_name[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < d->n_by_name && !cmp_ref_name(d, name, &d->by_name[end]); end++)
		;
	*count = end - lo;
	return end > lo ? &d->by_name[lo] : NULL;
}

const struct wanted *vt_plan_index_wanted(struct planner *p, int ns, const char *name)
{
	const struct vt_desired *d = p->desired;
	const struct vt_name_entry *e;
	size_t n;

	/* names are unique per namespace (desired/ checks it): one at most matches */
	if (p->by_name) {
		const struct vt_subport_ref *r = refs_named(d, name, &n);

		for (size_t i = 0; r && i < n; i++) {
			const struct wanted *w = &p->wanted[p->first_wanted[r[i].trunk] + r[i].subport];

			if (w->ns == ns)
				return w;
		}
		return NULL;
	}
	e = vt_name_table_find(&p->wanted_names, name, &n);
	for (size_t i = 0; e && i < n; i++)
		if (p->wanted[e[i].value].ns == ns)
			return &p->wanted[e[i].value];
	return NULL;
}

/* The slot of namespace @netns (a subport's), VT_NS_OWN for NULL, -1 when not read. */
static int netns_slot(const struct vt_link_table *links, const char *netns)
{
	char path[VT_NETNS_PATH_MAX];
	const struct vt_netns_name *n;

	if (!netns)
		return VT_NS_OWN;
	if (vt_desired_netns_path(netns, path, sizeof(path)) < 0)
		return -1;
	n = vt_link_table_netns(links, path);
	return n ? n->slot : -1;
}

const char *vt_plan_index_held(const struct planner *p, const char *trunk)
{
	for (size_t i = 0; i < p->n_holds; i++)
		if (!p->holds[i].trunk || !strcmp(p->holds[i].trunk, trunk))
			return p->holds[i].reason;
	return NULL;
}

const struct vlan_key *vt_plan_index_children(const struct planner *p, uint16_t ns, int ifindex,
					      size_t *n)
{
	struct vlan_key key = { .parent_ns = ns, .parent = ifindex };
	const struct vlan_key *c, *end;

	*n = 0;
	c = p->n_children ? bsearch(&key, p->children, p->n_children, sizeof(key),
				    cmp_parent) : NULL;
	if (!c)
		return NULL;
	while (c > p->children && !cmp_parent(&c[-1], &key))
		c--;
	for (end = c; end < p->children + p->n_children && !cmp_parent(end, &key); end++)
		;
	*n = (size_t)(end - c);
	return c;
}

static int cmp_key(const void *a, const void *b)
{
	const struct vlan_key *x = a, *y = b;

	if (x->parent_ns != y->parent_ns || x->parent != y->parent)
		return cmp_parent(a, b);
	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	return (x->vlan > y->vlan) - (x->vlan < y->vlan);
}

const struct vt_link *vt_plan_index_vlan(const struct planner *p, uint16_t parent_ns, int parent,
					 uint16_t protocol, uint16_t vlan)
{
	struct vlan_key key = { .parent_ns = parent_ns, .parent = parent, .protocol = protocol,
				.vlan = vlan }, *found;

	found = p->n_keys ? bsearch(&key, p->keys, p->n_keys, sizeof(key), cmp_key) : NULL;
	return found ? key_link(p, found) : NULL;
}

int vt_plan_index_build(struct planner *p)
{
	const struct vt_desired *d = p->desired;
	const struct vt_link_table *t = p->links;
	size_t n = 0;

	for (size_t i = 0; i < d->n_trunks; i++)
		n += d->trunks[i].n_subports;
	/* The desired state's own index by name, when it covers every subport. */
	p->by_name = d->by_name && d->n_by_name == n;
	p->wanted = calloc(n ? n : 1, sizeof(*p->wanted));
	p->keys = calloc(t->n ? t->n : 1, sizeof(*p->keys));
	p->children = calloc(t->n ? t->n : 1, sizeof(*p->children));
	p->fate = calloc(t->n ? t->n : 1, 1);
	p->report_of = calloc(d->n_trunks ? d->n_trunks : 1, sizeof(*p->report_of));
	p->op_of = calloc(t->n ? t->n : 1, sizeof(*p->op_of));
	p->effected = calloc(t->n ? t->n : 1, 1);
	p->assumes_outer = calloc(d->n_trunks ? d->n_trunks : 1, 1);
	p->first_wanted = calloc(d->n_trunks ? d->n_trunks : 1, sizeof(*p->first_wanted));
	if (!p->wanted || !p->keys || !p->children || !p->fate || !p->report_of ||
	    !p->op_of || !p->effected || !p->assumes_outer ||
	    !p->first_wanted)
		return -ENOMEM;

	for (size_t i = 0; i < d->n_trunks; i++) {
		const struct vt_trunk *tr = &d->trunks[i];

		p->first_wanted[i] = p->n_wanted;
		p->report_of[i] = SIZE_MAX;
		for (size_t j = 0; j < tr->n_subports; j++) {
			int ns = netns_slot(t, tr->subports[j].netns);

			if (!p->by_name && vt_name_table_add(&p->wanted_names, tr->subports[j].name,
							 p->n_wanted) < 0)
				return -ENOMEM;
			p->wanted[p->n_wanted++] = (struct wanted){ (uint32_t)i, (uint32_t)j, ns };
		}
	}
	for (size_t i = 0; i < p->n_only; i++)
		if (vt_name_table_add(&p->only_names, p->only[i], i) < 0)
			return -ENOMEM;

	for (size_t i = 0; i < t->n; i++) {
		const struct vt_link *l = &t->links[i];

		/* A VLAN whose parent is in a namespace not read (.parent 0) keys nothing here. */
		if (l->is_vlan && l->parent)
			p->keys[p->n_keys++] = (struct vlan_key){ .parent = l->parent,
								  .parent_ns = l->parent_ns,
								  .protocol = l->vlan.protocol,
								  .vlan = l->vlan.id,
								  .pos = (uint32_t)i };
		if (l->parent && (l->parent != l->ifindex || l->parent_ns != l->ns))
			p->children[p->n_children++] = (struct vlan_key){ .parent_ns = l->parent_ns,
									  .parent = l->parent,
									  .pos = (uint32_t)i };
	}
	qsort(p->keys, p->n_keys, sizeof(*p->keys), cmp_key);
	qsort(p->children, p->n_children, sizeof(*p->children), cmp_parent);
	return 0;
}

/*
 * The device trunk @ti's parent names: on a plain parent what the kernel's
 * own lookup finds, its name or one of its altnames; a QinQ parent is a
 * subport, named as such. NULL when there is none.
 */
const struct vt_link *vt_plan_index_parent(const struct planner *p, size_t ti)
{
	const struct vt_trunk *tr = &p->desired->trunks[ti];

	/* Parents are in vlantrunk's own namespace (desired/ refuses others). */
	return tr->outer >= 0 ? vt_link_table_find_name(p->links, VT_NS_OWN, tr->parent) :
				vt_link_table_resolve(p->links, VT_NS_OWN, tr->parent);
}

void vt_plan_index_free(struct planner *p)
{
	free(p->wanted);
	vt_name_table_free(&p->wanted_names);
	vt_name_table_free(&p->only_names);
	vt_name_table_free(&p->reports);
	free(p->keys);
	free(p->children);
	free(p->fate);
	free(p->report_of);
	free(p->op_of);
	free(p->effected);
	free(p->assumes_outer);
	free(p->first_wanted);
}

void vt_plan_index_ops(struct planner *p)
{
	const struct vt_plan *plan = p->plan;

	memset(p->op_of, 0, (p->links->n ? p->links->n : 1) * sizeof(*p->op_of));
	for (size_t i = 0; i < plan->n_ops; i++)
		if (plan->ops[i].before && !plan->trunks[plan->ops[i].trunk].blocked)
			p->op_of[link_pos(p, plan->ops[i].before)] = (uint32_t)(i + 1);
}
