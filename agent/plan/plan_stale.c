/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Managed devices no desired subport claims (strays, and the devices of
 * trunks no longer desired): their deletes, under their owner's report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

/* A device to delete, and its owner's report as it was before any was added here. */
struct stale {
	const struct vt_link *link;
	size_t report;			/* SIZE_MAX: its trunk has none yet */
};

/* By owner, then in the links' order (that of their deletes), as a stable sort leaves them. */
static int cmp_owner(const void *a, const void *b)
{
	const struct stale *x = a, *y = b;
	int c = strcmp(vt_link_alias(x->link), vt_link_alias(y->link));

	return c ? c : (x->link > y->link) - (x->link < y->link);
}

/* Managed devices no desired subport claims, grouped by owner. */
int vt_plan_stale(struct planner *p)
{
	const struct vt_link_table *t = p->links;
	struct vt_plan *plan = p->plan;
	size_t n_stale = 0, n_new = 0;
	struct stale *stale = calloc(t->n ? t->n : 1, sizeof(*stale));
	struct vt_trunk_report *r = NULL;
	int ret = -ENOMEM;

	if (!stale)
		goto out;
	for (size_t i = 0; i < t->n; i++) {
		const char *owner = vt_marker_owner(vt_link_alias(&t->links[i]));
		size_t report;

		if (!owner || p->fate[i] != FATE_KEEP || vt_plan_index_wanted(p, t->links[i].ns, t->links[i].name))
			continue;
		/* Looked up before the loop below adds reports: each add would have the
		 * table sorted again at the next lookup. */
		report = vt_name_table_get(&p->reports, owner, SIZE_MAX);
		/*
		 * A trunk nested on a selected one is in scope (it has a report), strays
		 * included. A device a desired subport names is that subport's to take
		 * over, even when its trunk is not planned in this run.
		 */
		if (report != SIZE_MAX || vt_plan_scope_selected(p, owner))
			stale[n_stale++] = (struct stale){ &t->links[i], report };
	}
	qsort(stale, n_stale, sizeof(*stale), cmp_owner);
	/*
	 * Room for a report per owner not desired, made now, before any report
	 * is taken by address below. Sized once for every link instead, the
	 * array was 11 MB at 4 x 4094, cleared in every plan (twice per repair
	 * in the agent, whose heap it then stayed in).
	 */
	for (size_t i = 0; i < n_stale; i++)
		if (stale[i].report == SIZE_MAX &&
		    (!i || strcmp(vt_link_alias(stale[i - 1].link), vt_link_alias(stale[i].link))))
			n_new++;
	if (n_new) {
		struct vt_trunk_report *more =
			realloc(plan->trunks, (plan->n_trunks + n_new) * sizeof(*more));

		if (!more)
			goto out;
		/* The reports' index keys are their names: where they now are. */
		for (size_t k = 0; more != plan->trunks && k < p->reports.n; k++)
			p->reports.v[k].name = more[p->reports.v[k].value].name;
		plan->trunks = more;
	}

	for (size_t i = 0; i < n_stale; i++) {
		const struct vt_link *l = stale[i].link;
		const char *owner = vt_marker_owner(vt_link_alias(l));
		struct vt_op *op;

		if (!r || strcmp(r->name, owner)) {
			if (stale[i].report != SIZE_MAX) {
				r = &plan->trunks[stale[i].report];
			} else {
				r = vt_plan_trunk_add_report(p, owner, NULL);
				if (!r)
					goto out;
				snprintf(r->reason, sizeof(r->reason), "no longer desired");
				if (vt_plan_index_held(p, owner)) {
					vt_trunk_block(r, "%s%s", vt_plan_index_held(p, owner), "");
					vt_trunk_status_derive(r);
				}
			}
		}
		/* A trunk that cannot converge is left as it is, strays included. */
		if (!r->can_converge)
			continue;
		p->fate[link_pos(p, l)] = FATE_DELETED;
		op = vt_plan_trunk_add_op(p, VT_OP_DELETE, (size_t)(r - plan->trunks), 0);
		if (!op)
			goto out;
		op->subport = SIZE_MAX;
		op->before = l;
		vt_trunk_stray(r, l->name);
	}
	ret = 0;
out:
	free(stale);
	return ret;
}
