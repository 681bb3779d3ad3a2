/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"
#include "restore.h"

#define MAX_DEPTH 64

struct restorer {
	struct vt_nl *nl;
	const struct vt_journal *j;
	struct vt_restore_report *rep;
	struct vt_link_table links;
	struct vt_batch *batch;
	int *chosen;			/* per entry: the ifindex it is recreated with, or 0 */
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

static int resolve_name(const struct restorer *r, const char *name)
{
	const struct vt_link *l;

	if (!name[0])
		return 0;
	/* A parent recreated by this restore is not in the dump yet. */
	for (size_t i = 0; i < r->j->n_entries; i++)
		if (r->chosen[i] && !strcmp(r->j->entries[i].image.name, name))
			return r->chosen[i];
	l = vt_link_table_find_name(&r->links, name);
	return l ? l->ifindex : -1;
}

/* The before-image with parent and master as they are now (they go by name). */
static bool resolve(const struct restorer *r, const struct vt_journal_entry *e, struct vt_link *want)
{
	*want = e->image;
	want->parent = resolve_name(r, e->parent_name);
	want->master = resolve_name(r, e->master_name);
	return want->parent > 0 && want->master >= 0;
}

static int delete_created(struct restorer *r)
{
	for (int depth = MAX_DEPTH; depth >= 0; depth--) {
		for (size_t i = 0; i < r->j->n_entries; i++) {
			const struct vt_journal_entry *e = &r->j->entries[i];
			const struct vt_link *l;

			if (e->state != VT_ENTRY_ABSENT || e->depth != (unsigned int)depth)
				continue;
			l = same_device(r, e);
			if (l && vt_batch_delete(r->batch, l->ifindex, NULL) < 0)
				return -ENOMEM;
		}
		if (vt_batch_count(r->batch))
			flush(r, &r->rep->deleted);
	}
	return vt_nl_dump_links(r->nl, &r->links);
}

/* Devices the transaction deleted (or recreated) come back, outer first. */
static int recreate_deleted(struct restorer *r)
{
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
			vt_spec_create(&want, VT_F_MTU | (want.has_mac ? VT_F_MAC : 0), &spec);
			spec.fields &= ~VT_F_ALIAS;	/* the kernel ignores it at creation */
			if (vt_batch_create(r->batch, &spec) < 0)
				return -ENOMEM;
		}
		first_alias = vt_batch_count(r->batch);
		if (!first_alias)
			continue;
		flush(r, &r->rep->created);
		for (size_t i = 0; i < r->j->n_entries; i++) {
			struct vt_link_spec spec = { .fields = VT_F_ALIAS };

			if (!r->chosen[i] || r->j->entries[i].depth != depth ||
			    !r->j->entries[i].image.alias[0])
				continue;
			spec.link.ifindex = r->chosen[i];
			strcpy(spec.link.alias, r->j->entries[i].image.alias);
			if (vt_batch_change(r->batch, NULL, &spec) < 0)
				return -ENOMEM;
		}
		if (vt_batch_count(r->batch))
			flush(r, &r->rep->changed);
	}
	return vt_nl_dump_links(r->nl, &r->links);
}

/* Devices still there get their before-values back; a rename needs them down. */
static int change_back(struct restorer *r)
{
	enum { DOWN, CHANGE, UP };

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
		if (vt_batch_count(r->batch))
			flush(r, &r->rep->changed);
	}
	return vt_nl_dump_links(r->nl, &r->links);
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
	if (!r.batch || !r.chosen) {
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
	memset(r.chosen, 0, j->n_entries * sizeof(*r.chosen));
	verify(&r);
	ret = rep->remains[0] ? -EIO : 0;
out:
	vt_link_table_clear(&r.links);
	vt_batch_free(r.batch);
	free(r.chosen);
	return ret;
}
