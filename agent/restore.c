/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name_index.h"
#include "plan_internal.h"
#include "restore.h"

#define MAX_DEPTH 64

struct vt_created {
	int ifindex;
	size_t entry;
};

struct restorer {
	struct vt_nl *nl;
	const struct vt_journal *j;
	struct vt_restore_report *rep;
	struct vt_link_table links;
	struct vt_batch *batch;
	int *chosen;			/* per entry: the ifindex it is recreated with, or 0 */
	struct vt_name_index recreated;	/* the same, by name, for what is not in the dump yet */
	struct vt_created *created;	/* the entries of created devices, by ifindex */
	size_t n_created;
	int next_ifindex;
};

int vt_pick_ifindex(const struct vt_link_table *links, int *next)
{
	if (*next <= 0)
		*next = links->n ? links->links[links->n - 1].ifindex + 1 : 1;
	while (vt_link_table_find_ifindex(links, *next))
		(*next)++;
	return (*next)++;
}

uint32_t vt_pick_group(const struct vt_link_table *links, uint32_t seed)
{
	uint32_t group = seed;

	for (;;) {
		size_t i = 0;

		while (i < links->n && links->links[i].group != group)
			i++;
		if (group && i == links->n)
			return group;
		group = group * 2654435761u + 1;	/* any other: this walks them all */
	}
}

static void __attribute__((format(printf, 3, 4))) note(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	if (off < len)
		vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* Send what is queued; every failure is noted, and restoring goes on regardless. */
static int flush(struct restorer *r, size_t *counter)
{
	int ret = vt_nl_send_batch(r->nl, r->batch);

	for (size_t i = 0; i < vt_batch_count(r->batch); i++) {
		const struct vt_req_result *res = vt_batch_result(r->batch, i);

		if (res->state == VT_REQ_ANSWERED && !res->error)
			(*counter)++;
		else if (!r->rep->error[0])
			snprintf(r->rep->error, sizeof(r->rep->error), "%s%s%s",
				 strerror(res->error ? -res->error : EIO), res->message[0] ? ": " : "",
				 res->message);
	}
	vt_batch_reset(r->batch);
	return ret;
}

/* The device an entry describes, if it is there: same ifindex, same VLAN identity. */
static const struct vt_link *same_device(const struct restorer *r, const struct vt_journal_entry *e)
{
	const struct vt_link *l = vt_link_table_find_ifindex(&r->links, e->image.ifindex);

	if (!l || !l->is_vlan || !e->image.is_vlan || l->vlan.id != e->image.vlan.id ||
	    l->vlan.protocol != e->image.vlan.protocol)
		return NULL;
	/* A created device is known by name too; a present one may have been renamed. */
	if (e->state == VT_ENTRY_ABSENT && strcmp(l->name, e->image.name))
		return NULL;
	return l;
}

static int resolve_name(struct restorer *r, const char *name)
{
	const struct vt_link *l;
	int ifindex;

	if (!name[0])
		return 0;
	/* A parent recreated by this restore is not in the dump yet. */
	ifindex = vt_name_index_find(&r->recreated, name);
	if (ifindex)
		return ifindex;
	l = vt_link_table_find_name(&r->links, name);
	return l ? l->ifindex : -1;
}

/* The before-image with parent and master as they are now (they go by name). */
static bool resolve(struct restorer *r, const struct vt_journal_entry *e, struct vt_link *want)
{
	*want = e->image;
	want->parent = resolve_name(r, e->parent_name);
	want->master = resolve_name(r, e->master_name);
	return want->parent > 0 && want->master >= 0;
}

static int by_ifindex(const void *a, const void *b)
{
	const struct vt_created *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static int index_created(struct restorer *r)
{
	r->created = calloc(r->j->n_entries ? r->j->n_entries : 1, sizeof(*r->created));
	if (!r->created)
		return -ENOMEM;
	for (size_t i = 0; i < r->j->n_entries; i++)
		if (r->j->entries[i].state == VT_ENTRY_ABSENT)
			r->created[r->n_created++] = (struct vt_created){
				.ifindex = r->j->entries[i].image.ifindex, .entry = i };
	qsort(r->created, r->n_created, sizeof(*r->created), by_ifindex);
	return 0;
}

/* Whether @l is a device the transaction created (by ifindex, name and VLAN). */
static bool journaled_create(const struct restorer *r, const struct vt_link *l)
{
	const struct vt_created key = { .ifindex = l->ifindex }, *hit;

	hit = bsearch(&key, r->created, r->n_created, sizeof(*r->created), by_ifindex);
	return hit && same_device(r, &r->j->entries[hit->entry]) == l;
}

/*
 * The cheap way: one request deletes the transaction's group, and the kernel
 * unregisters its devices as one batch (a grace period for all of them, not
 * one each). Created devices are in that group until marked; marked ones are
 * put back first. It is sent only when a dump shows the group holding the
 * transaction's creates and nothing else. Between that dump and the request a
 * device would have to be moved into a random group by someone else: then it
 * would go too, and this is the one window left open.
 */
static int delete_created_as_group(struct restorer *r)
{
	const uint32_t group = r->j->group;
	struct vt_link_spec spec = { .fields = VT_F_GROUP };
	size_t members = 0, done = 0;
	int ret;

	if (!group)
		return 0;
	spec.link.group = group;
	for (size_t i = 0; i < r->n_created; i++) {
		const struct vt_link *l = same_device(r, &r->j->entries[r->created[i].entry]);

		if (!l || l->group == group)
			continue;
		spec.link.ifindex = l->ifindex;
		if (vt_batch_change(r->batch, NULL, &spec) < 0)
			return -ENOMEM;
	}
	if (vt_batch_count(r->batch)) {
		flush(r, &done);
		ret = vt_nl_dump_links(r->nl, &r->links);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < r->links.n; i++) {
		if (r->links.links[i].group != group)
			continue;
		if (!journaled_create(r, &r->links.links[i]))
			return 0;	/* not provably ours: one by one */
		members++;
	}
	if (!members)
		return 0;
	if (vt_batch_delete_group(r->batch, group) < 0)
		return -ENOMEM;
	done = 0;
	flush(r, &done);
	if (done)
		r->rep->deleted += members;
	return vt_nl_dump_links(r->nl, &r->links);
}

/* What is left of the transaction's creates goes one by one, inner first. */
static int delete_created(struct restorer *r)
{
	bool sent = false;
	int ret = delete_created_as_group(r);

	if (ret < 0)
		return ret;
	for (int depth = MAX_DEPTH; depth >= 0; depth--) {
		for (size_t i = 0; i < r->n_created; i++) {
			const struct vt_journal_entry *e = &r->j->entries[r->created[i].entry];
			const struct vt_link *l;

			if (e->depth != (unsigned int)depth)
				continue;
			l = same_device(r, e);
			if (l && vt_batch_delete(r->batch, l->ifindex, NULL) < 0)
				return -ENOMEM;
		}
		if (vt_batch_count(r->batch)) {
			flush(r, &r->rep->deleted);
			sent = true;
		}
	}
	return sent ? vt_nl_dump_links(r->nl, &r->links) : 0;
}

/*
 * Recreated devices get their alias back in requests of their own (the kernel
 * ignores one at creation). One back under its old ifindex that cannot be
 * marked is the journal's device again, and change_back() retries. One under
 * a new ifindex is no longer recognised by anything: left unmarked, vlantrunk
 * could never touch it again, standing in its own subport's way. It is deleted
 * again; verification then finds it not restored, the journal stays, and the
 * next run restores it afresh.
 */
static int mark_recreated(struct restorer *r, unsigned int depth)
{
	size_t *entry = calloc(r->j->n_entries ? r->j->n_entries : 1, sizeof(*entry));
	size_t n = 0, unmarked = 0;
	int ret = -ENOMEM;

	if (!entry)
		return ret;
	for (size_t i = 0; i < r->j->n_entries; i++) {
		struct vt_link_spec spec = { .fields = VT_F_ALIAS };

		if (!r->chosen[i] || r->j->entries[i].depth != depth ||
		    !r->j->entries[i].image.alias[0])
			continue;
		spec.link.ifindex = r->chosen[i];
		strcpy(spec.link.alias, r->j->entries[i].image.alias);
		if (vt_batch_change(r->batch, NULL, &spec) < 0)
			goto out;
		entry[n++] = i;
	}
	ret = 0;
	if (!n)
		goto out;
	vt_nl_send_batch(r->nl, r->batch);
	for (size_t k = 0; k < n; k++) {
		const struct vt_req_result *res = vt_batch_result(r->batch, k);

		if (res->state == VT_REQ_ANSWERED && !res->error) {
			r->rep->changed++;
			continue;
		}
		if (!r->rep->error[0])
			snprintf(r->rep->error, sizeof(r->rep->error), "%s%s%s",
				 strerror(res->error ? -res->error : EIO), res->message[0] ? ": " : "",
				 res->message);
		if (r->chosen[entry[k]] != r->j->entries[entry[k]].image.ifindex)
			entry[unmarked++] = entry[k];
	}
	vt_batch_reset(r->batch);
	for (size_t k = 0; k < unmarked; k++)
		if (vt_batch_delete(r->batch, r->chosen[entry[k]], NULL) < 0)
			ret = -ENOMEM;
	if (vt_batch_count(r->batch)) {
		size_t deleted = 0;

		flush(r, &deleted);
	}
out:
	vt_batch_reset(r->batch);
	free(entry);
	return ret;
}

/* Devices the transaction deleted (or recreated) come back, outer first. */
static int recreate_deleted(struct restorer *r)
{
	bool sent = false;

	for (unsigned int depth = 0; depth <= MAX_DEPTH; depth++) {
		size_t first_alias = 0;

		for (size_t i = 0; i < r->j->n_entries; i++) {
			const struct vt_journal_entry *e = &r->j->entries[i];
			struct vt_link_spec spec;
			struct vt_link want;

			if (e->state != VT_ENTRY_PRESENT || e->depth != depth || same_device(r, e))
				continue;
			if (vt_link_table_find_name(&r->links, e->image.name)) {
				note(r->rep->remains, sizeof(r->rep->remains),
				     "%s: its name is taken by another device; ", e->image.name);
				continue;
			}
			if (!resolve(r, e, &want)) {
				note(r->rep->remains, sizeof(r->rep->remains),
				     "%s: its parent %s is gone; ", e->image.name, e->parent_name);
				continue;
			}
			/* Its old ifindex when free: then it is back exactly as it was. */
			r->chosen[i] = vt_link_table_find_ifindex(&r->links, e->image.ifindex) ?
				       vt_pick_ifindex(&r->links, &r->next_ifindex) : e->image.ifindex;
			want.ifindex = r->chosen[i];
			vt_spec_create(&want, VT_F_MTU | (want.has_mac ? VT_F_MAC : 0) |
					      (want.group ? VT_F_GROUP : 0), &spec);
			spec.fields &= ~VT_F_ALIAS;	/* the kernel ignores it at creation */
			if (vt_batch_create(r->batch, &spec) < 0)
				return -ENOMEM;
		}
		first_alias = vt_batch_count(r->batch);
		if (!first_alias)
			continue;
		/* Deeper devices find these by name; none of this depth is a parent of another. */
		for (size_t i = 0; i < r->j->n_entries; i++)
			if (r->chosen[i] && r->j->entries[i].depth == depth &&
			    vt_name_index_add(&r->recreated, r->j->entries[i].image.name,
					      r->chosen[i]) < 0)
				return -ENOMEM;
		flush(r, &r->rep->created);
		sent = true;
		if (mark_recreated(r, depth) < 0)
			return -ENOMEM;
	}
	return sent ? vt_nl_dump_links(r->nl, &r->links) : 0;
}

/* Devices still there get their before-values back; a rename needs them down. */
static int change_back(struct restorer *r)
{
	enum { DOWN, CHANGE, UP };
	bool sent = false;

	for (int step = DOWN; step <= UP; step++) {
		for (size_t i = 0; i < r->j->n_entries; i++) {
			const struct vt_journal_entry *e = &r->j->entries[i];
			const struct vt_link *have;
			struct vt_link_spec spec;
			struct vt_link want;
			uint32_t d;

			if (e->state != VT_ENTRY_PRESENT || !(have = same_device(r, e)) ||
			    !resolve(r, e, &want))
				continue;
			d = vt_link_diff(&want, have, VT_D_PARENT | VT_D_KIND | VT_D_VLAN | VT_D_PROTOCOL);
			if (step == DOWN && (d & VT_D_NAME) && have->up) {
				want.up = false;
				vt_spec_change(&want, VT_D_UP, have->ifindex, &spec);
			} else if (step == CHANGE && (d & ~VT_D_UP)) {
				vt_spec_change(&want, d & ~VT_D_UP, have->ifindex, &spec);
			} else if (step == UP && ((d & VT_D_UP) || ((d & VT_D_NAME) && want.up))) {
				vt_spec_change(&want, VT_D_UP, have->ifindex, &spec);
			} else {
				continue;
			}
			if (vt_batch_change(r->batch, have, &spec) < 0)
				return -ENOMEM;
		}
		if (vt_batch_count(r->batch)) {
			flush(r, &r->rep->changed);
			sent = true;
		}
	}
	return sent ? vt_nl_dump_links(r->nl, &r->links) : 0;
}

/* Every device as the journal says it was (its ifindex aside if recreated). */
static void verify(struct restorer *r)
{
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have = vt_link_table_find_name(&r->links, e->image.name);
		char fields[256] = "";
		struct vt_link want;
		uint32_t d;

		if (e->state == VT_ENTRY_ABSENT) {
			if (same_device(r, e))
				note(r->rep->remains, sizeof(r->rep->remains),
				     "%s: created, still there; ", e->image.name);
			continue;
		}
		if (!have) {
			if (!strstr(r->rep->remains, e->image.name))
				note(r->rep->remains, sizeof(r->rep->remains),
				     "%s: deleted, not restored; ", e->image.name);
			continue;
		}
		/* Parent and master compare by name: an ifindex may be new. */
		d = resolve(r, e, &want) ? vt_link_diff(&want, have, 0) : VT_D_PARENT;
		if (!d)
			continue;
		for (uint32_t bit = 1; bit; bit <<= 1)
			if (d & bit)
				note(fields, sizeof(fields), "%s%s", fields[0] ? " " : "",
				     vt_diff_name((enum vt_diff)bit));
		note(r->rep->remains, sizeof(r->rep->remains), "%s: differs in %s; ", e->image.name,
		     fields);
	}
}

int vt_restore(struct vt_nl *nl, const struct vt_journal *j, struct vt_restore_report *rep)
{
	struct restorer r = { .nl = nl, .j = j, .rep = rep };
	int ret;

	memset(rep, 0, sizeof(*rep));
	r.batch = vt_batch_new();
	r.chosen = calloc(j->n_entries ? j->n_entries : 1, sizeof(*r.chosen));
	if (!r.batch || !r.chosen || index_created(&r) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vt_nl_dump_links(nl, &r.links);
	if (!ret)
		ret = delete_created(&r);
	if (!ret)
		ret = recreate_deleted(&r);
	if (!ret)
		ret = change_back(&r);
	if (ret)
		goto out;
	/* Everything recreated is in the dump now, and goes by it. */
	vt_name_index_free(&r.recreated);
	verify(&r);
	ret = rep->remains[0] ? -EIO : 0;
out:
	vt_link_table_clear(&r.links);
	vt_name_index_free(&r.recreated);
	vt_batch_free(r.batch);
	free(r.created);
	free(r.chosen);
	return ret;
}
