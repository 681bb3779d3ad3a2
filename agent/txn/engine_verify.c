/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Step 3 of a transaction that went through (see engine.c): read back what
 * the kernel did (from the agent's copy of the links, or without one the
 * transaction's own devices: read_back()) and re-plan its trunks; anything
 * left to do is a failure.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "link_source.h"

/*
 * The kernel sends no link event for a change (alias, VLAN flags, QoS maps)
 * to a device that is down: netdev_state_change() notifies only devices that
 * are up. A copy of the links kept from events (the agent's) would still show
 * such a device as it was, so the devices the transaction changed are read
 * back before verifying. A sysctl write (disable_ipv6) sends no event even
 * while the device is up: a device changed in place so is read back whatever
 * its state. (A create's up comes after its write: that event tells.)
 */
static int confirm_changed(struct runner *r)
{
	const struct vt_link_source *src = r->e->source;
	int *ifindexes;
	size_t n = 0, n_silent = 0;
	int ret;

	if (!src || !src->confirm)
		return 0;
	ifindexes = calloc(r->txn->n_ops ? r->txn->n_ops : 1, sizeof(*ifindexes));
	if (!ifindexes)
		return -ENOMEM;
	for (size_t i = 0; i < r->txn->n_ops; i++) {
		const struct vt_op *op = txn_op(r, i);

		if ((op->kind == VT_OP_CHANGE || op->kind == VT_OP_RENAME) && r->ipv6_written[i] &&
		    op->before->ns == VT_NS_OWN)
			ifindexes[n_silent++] = op->before->ifindex;
	}
	n = n_silent;
	for (size_t i = 0; i < r->txn->n_ops; i++) {
		const struct vt_op *op = txn_op(r, i);

		if ((op->kind == VT_OP_CHANGE || op->kind == VT_OP_RENAME) && !r->ipv6_written[i]) {
			if (op->before->ns == VT_NS_OWN)
				ifindexes[n++] = op->before->ifindex;
		} else if (creates(op) && op->after.link.ns == VT_NS_OWN)
			ifindexes[n++] = r->chosen[i];	/* its marker came in a change */
	}
	ret = src->confirm(src->arg, ifindexes, n, n_silent);
	free(ifindexes);
	return ret;
}

/* The devices a verification reads back, and which of the table's it has. */
struct readback {
	const struct vt_link_table *links;	/* the table the plan was made from */
	const struct vt_engine_scope *scope;	/* its index, see scope_build() */
	bool *in;			/* per link of it: read back */
	size_t *marked;			/* the links in, in the order marked */
	size_t n_marked, cap_marked;
	struct vt_nl_get *gets;
	size_t n, cap;
	struct vt_link *got;		/* per get: the device, or ifindex 0 */
	size_t n_got;
};

static int get_add(struct readback *b, uint16_t ns, int ifindex, const char *name)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		struct vt_nl_get *v = reallocarray(b->gets, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->gets = v;
		b->cap = cap;
	}
	b->gets[b->n++] = (struct vt_nl_get){ .ns = ns, .ifindex = ifindex, .name = name };
	return 0;
}

/* The link at @i of the table, if not already. */
static int mark_at(struct readback *b, size_t i)
{
	if (b->in[i])
		return 0;
	if (b->n_marked == b->cap_marked) {
		size_t cap = b->cap_marked ? 2 * b->cap_marked : 256;
		size_t *v = reallocarray(b->marked, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->marked = v;
		b->cap_marked = cap;
	}
	b->in[i] = true;
	b->marked[b->n_marked++] = i;
	return 0;
}

/* @l (of the table), when there is one. */
static int mark(struct readback *b, const struct vt_link *l)
{
	return l ? mark_at(b, (size_t)(l - b->links->links)) : 0;
}

static int by_ns(const void *a, const void *b)
{
	const struct vt_nl_get *x = a, *y = b;

	return (x->ns > y->ns) - (x->ns < y->ns);
}

static int by_device(const void *a, const void *b)
{
	const struct vt_link *x = *(const struct vt_link *const *)a;
	const struct vt_link *y = *(const struct vt_link *const *)b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* by_device() on the answers themselves. */
static int by_answer(const void *a, const void *b)
{
	const struct vt_link *x = a, *y = b;

	return by_device(&x, &y);
}

/*
 * Of the table the plan was made from, which stays as it is while the run's
 * transactions go: each link's parent, what sits on each, and the links
 * carrying each planned trunk's marker. Built at the first verify of a run:
 * walking every link once per transaction (a lookup of its parent per link
 * and pass) made verifying T trunks cost T walks of T x N links; a
 * transaction's scope now costs what its own devices do.
 */
struct vt_engine_scope {
	size_t *parent;			/* per link: its parent's index, or SIZE_MAX */
	size_t *child_at;		/* per link, and one more: its first in child */
	size_t *child;			/* the links sitting on each, link by link */
	size_t *owned_at;		/* per plan trunk, and one more: its first in owned */
	size_t *owned;			/* the links carrying a marker, trunk by trunk */
};

void vt_engine_verify_scope_free(struct vt_engine_scope *s)
{
	if (!s)
		return;
	free(s->parent);
	free(s->child_at);
	free(s->child);
	free(s->owned_at);
	free(s->owned);
	free(s);
}

/* Bucket @n links by @key (SIZE_MAX: none) into @at (of @n_keys + 1) and @out. */
static int bucket(const size_t *key, size_t n, size_t n_keys, size_t **at, size_t **out)
{
	size_t *pos = calloc(n_keys + 1, sizeof(*pos));

	*at = calloc(n_keys + 1, sizeof(**at));
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!pos || !*at || !*out) {
		free(pos);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (key[i] != SIZE_MAX)
			(*at)[key[i] + 1]++;
	for (size_t k = 0; k < n_keys; k++)
		(*at)[k + 1] += (*at)[k];
	memcpy(pos, *at, (n_keys + 1) * sizeof(*pos));
	for (size_t i = 0; i < n; i++)
		if (key[i] != SIZE_MAX)
			(*out)[pos[key[i]]++] = i;
	free(pos);
	return 0;
}

static int scope_build(const struct vt_engine *e, struct vt_engine_scope **out)
{
	const struct vt_link_table *links = e->links;
	const struct vt_plan *plan = e->plan;
	struct vt_engine_scope *s = calloc(1, sizeof(*s));
	size_t *owner = calloc(links->n ? links->n : 1, sizeof(*owner));
	struct vt_name_table trunks = { 0 };	/* the plan's trunks by name */
	int ret = -ENOMEM;

	if (!s || !owner || !(s->parent = calloc(links->n ? links->n : 1, sizeof(*s->parent))))
		goto out;
	for (size_t k = 0; k < plan->n_trunks; k++)
		if (vt_name_table_add(&trunks, plan->trunks[k].name, k) < 0)
			goto out;
	for (size_t i = 0; i < links->n; i++) {
		const struct vt_link *up = vt_link_table_parent(links, &links->links[i]);
		const char *name = vt_marker_owner(vt_link_alias(&links->links[i]));

		s->parent[i] = up ? (size_t)(up - links->links) : SIZE_MAX;
		owner[i] = name ? vt_name_table_get(&trunks, name, SIZE_MAX) : SIZE_MAX;
	}
	ret = bucket(s->parent, links->n, links->n, &s->child_at, &s->child);
	if (!ret)
		ret = bucket(owner, links->n, plan->n_trunks, &s->owned_at, &s->owned);
out:
	free(owner);
	vt_name_table_free(&trunks);
	if (ret < 0) {
		vt_engine_verify_scope_free(s);
		s = NULL;
	}
	*out = s;
	return ret;
}

/* The devices of the transaction's trunks in the table, and what is on them. */
static int mark_scope(const struct runner *r, struct readback *b)
{
	const struct vt_engine_scope *s = b->scope;
	const struct vt_plan *plan = r->e->plan;
	size_t below;
	int ret = 0;

	for (size_t k = 0; k < r->txn->n_trunks && !ret; k++) {
		size_t ti = r->txn->trunks[k];
		const struct vt_trunk_report *t = &plan->trunks[ti];

		if (t->parent_device)
			ret = mark(b, vt_link_table_find_name(b->links, VT_NS_OWN, t->parent_device));
		for (size_t i = 0; i < t->n_subports && !ret; i++)
			ret = mark(b, t->subports[i].have);
		/* the devices carrying one of their markers */
		for (size_t j = s->owned_at[ti]; j < s->owned_at[ti + 1] && !ret; j++)
			ret = mark_at(b, s->owned[j]);
	}
	for (size_t i = 0; i < r->txn->n_ops && !ret; i++)
		ret = mark(b, txn_op(r, i)->before);
	for (size_t i = 0; i < plan->n_effects && !ret; i++)
		if (in_txn(r, plan->effects[i].trunk))
			ret = mark(b, plan->effects[i].link);
	/* What sits on them, however deep: each marked link's children, marked in turn. */
	for (size_t q = 0; q < b->n_marked && !ret; q++) {
		size_t l = b->marked[q];

		for (size_t j = s->child_at[l]; j < s->child_at[l + 1] && !ret; j++)
			ret = mark_at(b, s->child[j]);
	}
	/*
	 * And what each sits on, down to the bottom, but not what else sits on
	 * that: a trunk's parent may be a VLAN of a device every trunk shares.
	 */
	below = b->n_marked;
	for (size_t q = 0; q < below && !ret; q++) {
		size_t l = b->marked[q];

		for (unsigned int hops = 0; hops < 64 && !ret; hops++) {
			size_t up = s->parent[l];

			if (up == SIZE_MAX || up == l || b->in[up])
				break;
			ret = mark_at(b, up);
			l = up;
		}
	}
	return ret;
}

/* Send the gets queued since @from; their answers follow b->got's. */
static int get_queued(struct runner *r, struct readback *b, size_t from)
{
	struct vt_link *got = reallocarray(b->got, b->n ? b->n : 1, sizeof(*got));
	int ret;

	if (!got)
		return -ENOMEM;
	b->got = got;
	qsort(b->gets + from, b->n - from, sizeof(*b->gets), by_ns);
	ret = vt_nl_get_links(r->e->nl, b->gets + from, b->n - from, b->got + from);
	if (ret < 0)
		return ret;
	b->n_got = b->n;
	return 0;
}

/* Whether @sorted (of @n, by_device) has the device (@ns, @ifindex). */
static bool has(struct vt_link **sorted, size_t n, uint16_t ns, int ifindex)
{
	struct vt_link key = { .ns = ns, .ifindex = ifindex }, *k = &key;

	return n && bsearch(&k, sorted, n, sizeof(*sorted), by_device);
}

/*
 * Without a link source (the CLI), the transaction's trunks are re-planned
 * from the table the plan was made from with the devices they consist of
 * read back, one RTM_GETLINK each in batches (vt_nl_get_links()), instead of
 * a dump of every link: a dump per transaction made a run of T trunks cost
 * T dumps of all T x N devices. Read back by name (the kernel resolves a
 * name or an altname, as the planner does): the trunks' parents, every
 * subport's name in its namespace and every master named, so a subport's
 * name held after the commit by a device elsewhere, or as another's
 * altname, is seen whoever holds it. Then by ifindex, those not read so
 * already: every device the plan found for the trunks (each subport's, its
 * parent, the devices carrying one of their markers, the transaction's ops
 * and the kernel's effects on other devices), each with what it sits on,
 * and everything stacked on any of them (the planner looks at a device's
 * children before it changes or deletes it); the devices the transaction
 * created, by the ifindexes it chose.
 *
 * A device outside that set cannot change the verdict: the transaction
 * sent no request about it and the kernel changed it by no effect the plan
 * knows of (those are read back), so it is as the plan saw it, and the plan
 * saw it as no part of these trunks: not a subport's, not on their parents,
 * not marked for them, holding none of their names (those are read by
 * name). A VLAN created since on a trunk's parent with a subport's VLAN id
 * the kernel refuses while the subport exists (EEXIST): once every subport
 * is there, none can conflict. What the set leaves unseen is a device another
 * actor creates during the commit under a name not wanted here, such as one
 * carrying a forged marker: the next run's dump sees it.
 *
 * So the re-plan's table holds the devices read back and nothing else (and
 * the namespaces): with every other device copied in as the plan saw it, each
 * of T transactions copied and indexed all T x N links, a cost in pages
 * that grew with the trunks as the dumps had.
 */
static int read_back(struct runner *r, struct vt_link_table *out)
{
	const struct vt_link_table *links = r->e->links;
	const struct vt_plan *plan = r->e->plan;
	struct readback b = { .links = links };
	struct vt_link **sorted = NULL;
	size_t n_sorted = 0, first;
	int ret = -ENOMEM;

	if (!r->e->scope && (ret = scope_build(r->e, &r->e->scope)) < 0)
		goto out;
	b.scope = r->e->scope;
	ret = -ENOMEM;
	b.in = calloc(links->n ? links->n : 1, sizeof(*b.in));
	if (!b.in)
		goto out;
	ret = mark_scope(r, &b);
	for (size_t k = 0; k < r->txn->n_trunks && !ret; k++) {
		const struct vt_trunk_report *t = &plan->trunks[r->txn->trunks[k]];

		if (t->want)
			ret = get_add(&b, VT_NS_OWN, 0, t->want->parent);
		for (size_t i = 0; i < t->n_subports && !ret; i++) {
			const struct vt_subport_report *sp = &t->subports[i];

			if (sp->target.ns < 0)
				continue;	/* its namespace is not there: nothing to read */
			ret = get_add(&b, (uint16_t)sp->target.ns, 0, sp->want->name);
			if (!ret && sp->want->master[0])
				ret = get_add(&b, (uint16_t)sp->target.ns, 0, sp->want->master);
		}
	}
	if (!ret)
		ret = get_queued(r, &b, 0);
	if (ret)
		goto out;
	/* By ifindex what the names did not find, once each. */
	sorted = calloc(b.n_got + links->n + r->txn->n_ops + 1, sizeof(*sorted));
	if (!sorted) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < b.n_got; i++)
		if (b.got[i].ifindex)
			sorted[n_sorted++] = &b.got[i];
	qsort(sorted, n_sorted, sizeof(*sorted), by_device);
	first = b.n;
	for (size_t i = 0; i < links->n && !ret; i++)
		if (b.in[i] && !has(sorted, n_sorted, links->links[i].ns, links->links[i].ifindex))
			ret = get_add(&b, links->links[i].ns, links->links[i].ifindex, NULL);
	for (size_t i = 0; i < r->txn->n_ops && !ret; i++)
		if (creates(txn_op(r, i)) &&
		    !has(sorted, n_sorted, txn_op(r, i)->after.link.ns, r->chosen[i]))
			ret = get_add(&b, txn_op(r, i)->after.link.ns, r->chosen[i], NULL);
	if (!ret)
		ret = get_queued(r, &b, first);
	if (ret)
		goto out;
	/*
	 * Every device read, once (a name and an ifindex may find the same):
	 * the answers themselves become the table, not a copy of them.
	 */
	qsort(b.got, b.n_got, sizeof(*b.got), by_answer);
	n_sorted = 0;
	for (size_t i = 0; i < b.n_got; i++) {
		if (!b.got[i].ifindex || (n_sorted && !by_answer(&b.got[n_sorted - 1], &b.got[i]))) {
			vt_link_release(&b.got[i]);
			continue;
		}
		b.got[n_sorted++] = b.got[i];
	}
	vt_link_table_clear(out);
	vt_link_table_adopt(out, b.got, n_sorted, b.n ? b.n : 1);
	b.got = NULL;
	b.n_got = 0;
	for (size_t i = 0; i < links->n_netns && !ret; i++)
		ret = vt_link_table_add_netns(out, links->netns[i].path, links->netns[i].slot,
					      links->netns[i].dev, links->netns[i].ino,
					      links->netns[i].cookie);
	if (!ret)
		ret = vt_link_table_index(out);
out:
	for (size_t i = 0; i < b.n_got; i++)
		vt_link_release(&b.got[i]);
	free(sorted);
	free(b.got);
	free(b.in);
	free(b.marked);
	free(b.gets);
	return ret;
}

/*
 * Re-read and re-plan the transaction's trunks: nothing may be left to do,
 * and none of them may have ended blocked, in conflict or without its parent
 * when it could converge before.
 */
int vt_engine_verify(struct runner *r)
{
	struct vt_link_table scratch = { 0 };
	const struct vt_link_table *links;
	struct vt_plan plan;
	const char **names = calloc(r->txn->n_trunks ? r->txn->n_trunks : 1, sizeof(*names));
	int ret = -ENOMEM;

	if (!names)
		return ret;
	for (size_t i = 0; i < r->txn->n_trunks; i++)
		names[i] = r->e->plan->trunks[r->txn->trunks[i]].name;
	ret = confirm_changed(r);
	/* The verdict is in before anything reads the links again: a view will do. */
	if (ret == 0 && r->e->source)
		ret = vt_link_source_view(r->e->source, r->e->nl, &scratch, &links);
	else if (ret == 0) {
		ret = read_back(r, &scratch);
		links = &scratch;
	}
	if (ret < 0) {
		txn_fail(r->txn, "verifying: cannot read the kernel's links: %s", strerror(-ret));
		goto out;
	}
	ret = vt_plan_build(r->e->desired, links, names, r->txn->n_trunks, &plan);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < plan.n_ops && !ret; i++) {
		const struct vt_op *op = &plan.ops[i];

		txn_fail(r->txn, "verifying: after the commit %s still needs a %s (the kernel did not "
				 "do as asked)", op->before ? op->before->name : op->after.link.name,
			 vt_op_kind_name(op->kind));
		ret = -EIO;
	}
	for (size_t i = 0; i < plan.n_trunks && !ret; i++) {
		const struct vt_trunk_report *now = &plan.trunks[i];
		const struct vt_trunk_report *was = NULL;

		for (size_t k = 0; k < r->txn->n_trunks && !was; k++)
			if (!strcmp(r->e->plan->trunks[r->txn->trunks[k]].name, now->name))
				was = &r->e->plan->trunks[r->txn->trunks[k]];
		if (!was || !was->can_converge || now->can_converge)
			continue;
		txn_fail(r->txn, "verifying: after the commit trunk %s cannot converge: %s", now->name,
			 now->reason);
		ret = -EIO;
	}
	vt_plan_free(&plan);
out:
	vt_link_table_clear(&scratch);
	free(names);
	return ret;
}
