/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/name_table.h"
#include "plan/diff.h"
#include "plan/spec.h"
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
	bool *vanished;			/* per entry: gone with its parent, nothing to put back */
	bool *ipv6_first;		/* per entry: recreated down, to be up once IPv6 is set */
	unsigned int proof_depth;	/* proven() within proven(), up the parents */
	struct vt_name_table recreated;	/* the same, by name, for what is not in the dump yet */
	struct vt_created *created;	/* the entries of created devices, by ifindex */
	size_t n_created;
	int next_ifindex;
};

int vt_pick_ifindex(const struct vt_link_table *links, int *next)
{
	if (*next <= 0) {
		uint32_t r = 0;

		/* Random, so that two transactions' picks (or an old journal's) differ. */
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (uint32_t)(uintptr_t)links ^ (uint32_t)links->n;
		*next = VT_IFINDEX_BASE + (int)(r % VT_IFINDEX_SPAN);
	}
	while (vt_link_table_find_ifindex(links, *next))
		(*next)++;
	return (*next)++;
}

uint32_t vt_pick_group(const struct vt_link_table *links, uint32_t seed)
{
	uint32_t group = seed;

	for (;;) {
		size_t i = 0;

		group = VT_JOURNAL_GROUP_TAG | (group & ~VT_JOURNAL_GROUP_MASK);
		while (i < links->n && links->links[i].group != group)
			i++;
		if (i == links->n)
			return group;
		group = group * 2654435761u + 1;	/* another: this walks them all */
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

static const struct vt_link *proven(struct restorer *r, const struct vt_journal_entry *e);
static const struct vt_link *device_of(struct restorer *r, const struct vt_journal_entry *e);

/*
 * The journal's entry in @state for the device it calls @name (before or
 * after), or NULL. A recreate has two of the same name: the deleted device
 * (PRESENT) and its successor (ABSENT).
 */
static const struct vt_journal_entry *entry_named(struct restorer *r, const char *name,
						  enum vt_entry_state state)
{
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];

		if (e->state == state &&
		    (!strcmp(e->image.name, name) || (e->new_name[0] && !strcmp(e->new_name, name))))
			return e;
	}
	return NULL;
}

/*
 * @l's parent is the device the journal's @name means: when the journal
 * names such a device too (created, or changed or deleted), one it proves
 * (an index alone proves nothing); else the device called so.
 */
static bool parent_named(struct restorer *r, const struct vt_link *l, const char *name)
{
	const struct vt_link *parent = vt_link_table_find_ifindex(&r->links, l->parent);
	const struct vt_journal_entry *created = entry_named(r, name, VT_ENTRY_ABSENT);
	const struct vt_journal_entry *changed = entry_named(r, name, VT_ENTRY_PRESENT);

	if (!parent)
		return false;
	if (!created && !changed)
		return !strcmp(parent->name, name);
	return (created && device_of(r, created) == parent) ||
	       (changed && device_of(r, changed) == parent);
}

/* A marker the transaction may have left: the before-image's, or one of its trunks'. */
static bool marker_ours(struct restorer *r, const struct vt_journal_entry *e,
			const char *alias)
{
	const char *owner = vt_marker_owner(alias);

	return owner && (!strcmp(alias, e->image.alias) || vt_journal_concerns(r->j, owner));
}

/*
 * A deleted device a restore recreated is in the transaction's group, without
 * its alias, until its marker (and its own group) are set: a restore
 * interrupted between the two left it so, maybe under a new ifindex.
 */
static const struct vt_link *recreated_unmarked(struct restorer *r,
						const struct vt_journal_entry *e)
{
	const struct vt_link *l = vt_link_table_find_name(&r->links, e->image.name);

	if (!l || !r->j->group || l->group != r->j->group || l->alias[0] || !l->is_vlan ||
	    l->vlan.id != e->image.vlan.id || l->vlan.protocol != e->image.vlan.protocol ||
	    !parent_named(r, l, e->parent_name))
		return NULL;
	return l;
}

static const struct vt_link *prove(struct restorer *r, const struct vt_journal_entry *e);

/*
 * The device @e describes, if it is there and proven to be it (see
 * restore.h). A proof goes up the chain of parents; a journal whose parents
 * go round in a circle (forged: the planner makes none) proves nothing.
 */
static const struct vt_link *proven(struct restorer *r, const struct vt_journal_entry *e)
{
	const struct vt_link *l = NULL;

	if (r->proof_depth <= MAX_DEPTH) {
		r->proof_depth++;
		l = prove(r, e);
		r->proof_depth--;
	}
	return l;
}

static const struct vt_link *prove(struct restorer *r, const struct vt_journal_entry *e)
{
	const struct vt_link *id = &e->image;
	const struct vt_link *l = vt_link_table_find_ifindex(&r->links, id->ifindex);

	if (!l || !l->is_vlan || !id->is_vlan || l->vlan.id != id->vlan.id ||
	    l->vlan.protocol != id->vlan.protocol)
		return e->state == VT_ENTRY_PRESENT ? recreated_unmarked(r, e) : NULL;
	if (e->state == VT_ENTRY_ABSENT) {
		if (strcmp(l->name, id->name) || !parent_named(r, l, e->parent_name))
			return NULL;
		/* Until marked it is in the transaction's own group, unaliased; then marked. */
		if (r->j->group && l->group == r->j->group && !l->alias[0])
			return l;
		/* A vlantrunk marker of one of the journal's trunks: a plain alias proves nothing. */
		return vt_marker_owner(l->alias) && vt_journal_concerns(r->j, vt_marker_owner(l->alias)) &&
		       !strcmp(l->alias, id->alias) ? l : NULL;
	}
	/*
	 * A changed device keeps its ifindex and parent; a rename gives it the
	 * new name. One renamed by hand since (a crash, then an operator) is
	 * still the journal's: its ifindex, parent, VLAN, protocol and marker are,
	 * and a name no entry of the journal claims is not one of the others'.
	 * Left unproven it would count as deleted, and the restore's create of it
	 * fail (EEXIST: its VLAN id is taken) at every run, the journal kept for
	 * good. Its name is then left as it is: see renamed_since().
	 */
	if (l->parent == id->parent && marker_ours(r, e, l->alias) &&
	    (!strcmp(l->name, id->name) || (e->new_name[0] && !strcmp(l->name, e->new_name)) ||
	     (!entry_named(r, l->name, VT_ENTRY_PRESENT) && !entry_named(r, l->name, VT_ENTRY_ABSENT))))
		return l;
	return recreated_unmarked(r, e);
}

/*
 * Whether @l, proven to be @e's device, has a name that neither the
 * before-image nor the transaction gave it: someone renamed it since. The
 * restore puts back all but its name. A rename back would take it down and
 * up, and with it the VLANs stacked on it (an operator's, or a subport meant
 * to stay down), or fail, at every run, on a name someone took since; the
 * planner, which weighs both, renames it afterwards if the desired state
 * still wants it.
 */
static bool renamed_since(const struct vt_journal_entry *e, const struct vt_link *l)
{
	return strcmp(l->name, e->image.name) && (!e->new_name[0] || strcmp(l->name, e->new_name));
}

/* The ifindex of the device called @name now (0 for "", -1 when there is none). */
static int resolve_name(struct restorer *r, const char *name)
{
	const struct vt_link *l;
	int ifindex;

	if (!name[0])
		return 0;
	/* A parent recreated by this restore is not in the dump yet. */
	ifindex = (int)vt_name_table_get(&r->recreated, name, 0);
	if (ifindex)
		return ifindex;
	l = vt_link_table_find_name(&r->links, name);
	return l ? l->ifindex : -1;
}

enum parent_fate { PARENT_THERE, PARENT_VANISHED, PARENT_NOT_RESTORED, PARENT_RENAMED };

/*
 * The parent of a device the transaction changed or deleted. One the journal
 * names too is the device it proves, or the one a restore put back (maybe
 * under a new ifindex, in this run or an earlier one); gone with its own
 * parent, it vanished too; otherwise it is not restored yet. Any other parent
 * is the device with the journaled ifindex, which must still have its name:
 * if that index is gone, the parent went and the kernel took its VLANs with
 * it (nothing to restore); under another name, nothing can tell.
 */
static enum parent_fate parent_of(struct restorer *r, const struct vt_journal_entry *e,
				  int *ifindex)
{
	const struct vt_journal_entry *pe = entry_named(r, e->parent_name, VT_ENTRY_PRESENT);
	enum parent_fate fate;
	const struct vt_link *p;
	int grand;

	*ifindex = 0;
	if (pe && pe != e) {
		*ifindex = (int)vt_name_table_get(&r->recreated, e->parent_name, 0);
		if (*ifindex)
			return PARENT_THERE;
		p = device_of(r, pe);
		if (p) {
			*ifindex = p->ifindex;
			return PARENT_THERE;
		}
		if (r->vanished[pe - r->j->entries])
			return PARENT_VANISHED;
		/* Up the chain; one that goes round in a circle (forged) restores nothing. */
		if (r->proof_depth > MAX_DEPTH)
			return PARENT_NOT_RESTORED;
		r->proof_depth++;
		fate = parent_of(r, pe, &grand);
		r->proof_depth--;
		return fate == PARENT_VANISHED ? PARENT_VANISHED : PARENT_NOT_RESTORED;
	}
	p = vt_link_table_find_ifindex(&r->links, e->image.parent);
	if (!p)
		return PARENT_VANISHED;
	if (strcmp(p->name, e->parent_name))
		return PARENT_RENAMED;
	*ifindex = p->ifindex;
	return PARENT_THERE;
}

/*
 * The MTU the device @parent has once restored: a journaled one's (changed,
 * or recreated by this restore) before-image's, else what it has now; 0 when
 * not known.
 */
static uint32_t parent_mtu(struct restorer *r, int parent)
{
	const struct vt_link *p = vt_link_table_find_ifindex(&r->links, parent);

	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];

		if (e->state == VT_ENTRY_PRESENT &&
		    (r->chosen[i] == parent || (e->image.ifindex == parent && p && proven(r, e) == p)))
			return e->image.mtu;
	}
	return p ? p->mtu : 0;
}

/*
 * The before-image with parent and master as they are now. A master that
 * went is not there to be enslaved to: the device comes back without it. A
 * parent whose MTU was lowered from outside since (not by the transaction:
 * that is put back first) clamped the VLAN's with it, as the kernel does, and
 * refuses a larger one: the VLAN comes back at its parent's MTU.
 */
static void resolve(struct restorer *r, const struct vt_journal_entry *e, int parent,
		    struct vt_link *want)
{
	const struct vt_link *p = parent > 0 ? vt_link_table_find_ifindex(&r->links, parent) : NULL;
	/* Only a parent now smaller than the VLAN was needs a look at the journal. */
	uint32_t mtu = p && p->mtu < e->image.mtu ? parent_mtu(r, parent) : 0;

	*want = e->image;
	want->parent = parent;
	want->master = resolve_name(r, e->master_name);
	if (want->master < 0)
		want->master = 0;
	if (mtu && want->mtu > mtu)
		want->mtu = mtu;
}

/*
 * The device @e describes now: proven, or for one the transaction changed
 * or deleted, a device of its name exactly as its before-image, ifindex
 * aside (an earlier restore recreated it). NULL when there is none.
 */
static const struct vt_link *device_of(struct restorer *r, const struct vt_journal_entry *e)
{
	const struct vt_link *l = proven(r, e);
	struct vt_link want;
	int parent;

	if (l || e->state != VT_ENTRY_PRESENT || r->proof_depth > MAX_DEPTH)
		return l;
	l = vt_link_table_find_name(&r->links, e->image.name);
	if (!l)
		return NULL;
	r->proof_depth++;
	if (parent_of(r, e, &parent) == PARENT_THERE)
		resolve(r, e, parent, &want);
	else
		l = NULL;
	r->proof_depth--;
	/* Not IPv6: a restore interrupted before it set that is still this device. */
	return !l || vt_diff_link(&want, l, VT_D_IPV6) || l->group != want.group ? NULL : l;
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

/* Whether @l is a device the transaction created, proven. */
static bool journaled_create(struct restorer *r, const struct vt_link *l)
{
	const struct vt_created key = { .ifindex = l->ifindex }, *hit;

	hit = bsearch(&key, r->created, r->n_created, sizeof(*r->created), by_ifindex);
	return hit && proven(r, &r->j->entries[hit->entry]) == l;
}

/*
 * A device on @parent (a VLAN, a macvlan: anything whose IFLA_LINK it is)
 * other than the transaction's proven creates: deleting @parent would make
 * the kernel delete it too. NULL when there is none.
 */
static const struct vt_link *foreign_child(struct restorer *r, int parent)
{
	for (size_t i = 0; i < r->links.n; i++) {
		const struct vt_link *l = &r->links.links[i];

		if (l->parent == parent && l->ifindex != parent && !journaled_create(r, l))
			return l;
	}
	return NULL;
}

/*
 * The cheap way: one request deletes the transaction's group, and the kernel
 * unregisters its devices as one batch (a grace period for all of them, not
 * one each). Created devices are in that group until marked; marked ones,
 * once proven by their marker, are put back first (nothing else is ever moved
 * into it). It is sent only when a dump shows the group holding the
 * transaction's proven creates and nothing else. Between that dump and the request a
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
		const struct vt_link *l = proven(r, &r->j->entries[r->created[i].entry]);

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
		const struct vt_link *l = &r->links.links[i], *parent;

		/* On a member: the kernel would delete it with the group. */
		parent = l->parent && l->parent != l->ifindex ?
			 vt_link_table_find_ifindex(&r->links, l->parent) : NULL;
		if (parent && parent->group == group && !journaled_create(r, l))
			return 0;	/* someone stacked a device on ours: one by one */
		if (l->group != group)
			continue;
		if (!journaled_create(r, l))
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
			const struct vt_link *l, *child;

			if (e->depth != (unsigned int)depth)
				continue;
			l = proven(r, e);
			if (!l)
				continue;
			/* Never a device that carries one vlantrunk cannot prove it created. */
			child = foreign_child(r, l->ifindex);
			if (child) {
				r->rep->unproven++;
				note(r->rep->remains, sizeof(r->rep->remains),
				     "%s: created, kept: %s sits on it, which vlantrunk cannot prove "
				     "it created; ", l->name, child->name);
				continue;
			}
			if (vt_batch_delete(r->batch, l->ifindex, NULL) < 0)
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
 * ignores one at creation). One that cannot be marked is recognised by
 * nothing: unmarked, no later recovery could prove it is the journal's, and
 * vlantrunk could never touch it again, standing in its own subport's way.
 * It is deleted again at once (it was created a moment ago, under an ifindex
 * this restore chose); verification then finds it not restored, the journal
 * stays, and the next run restores it afresh.
 */
static int mark_recreated(struct restorer *r, unsigned int depth)
{
	size_t *entry = calloc(r->j->n_entries ? r->j->n_entries : 1, sizeof(*entry));
	size_t n = 0, unmarked = 0;
	int ret = -ENOMEM;

	if (!entry)
		return ret;
	for (size_t i = 0; i < r->j->n_entries; i++) {
		struct vt_link_spec spec = { .fields = VT_F_ALIAS | VT_F_GROUP };

		if (!r->chosen[i] || r->j->entries[i].depth != depth)
			continue;
		/* Marked, and out of the transaction's group: into its own again. */
		spec.link.ifindex = r->chosen[i];
		strcpy(spec.link.alias, r->j->entries[i].image.alias);
		spec.link.group = r->j->entries[i].image.group;
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

/* A failed request or write, the first one noted (see flush()). */
static void note_error(struct restorer *r, int error, const char *fmt, const char *name)
{
	if (r->rep->error[0])
		return;
	snprintf(r->rep->error, sizeof(r->rep->error), fmt, name);
	note(r->rep->error, sizeof(r->rep->error), ": %s", strerror(-error));
}

/* disable_ipv6 of the device called @name as in @image; counted, or noted. */
static void put_disable_ipv6(struct restorer *r, const char *name, const struct vt_ipv6 *image)
{
	int ret = vt_nl_set_ipv6_disabled(r->nl, name, image->disabled);

	if (ret == 0)
		r->rep->changed++;
	else
		note_error(r, ret, "writing " VT_IPV6_CONF_DIR "/%s/disable_ipv6", name);
}

/*
 * Whether the device recreated as @want gets IPv6 state that its before-image
 * says how to set: one of 1280 or more gets the namespace's defaults at once,
 * and would hold an address the moment it is up.
 */
static bool gets_ipv6(const struct vt_journal_entry *e, const struct vt_link *want)
{
	return e->image.ipv6.present && want->mtu >= VT_IPV6_MIN_MTU;
}

/*
 * The devices of @queued just recreated (down, where gets_ipv6()) get the
 * before-image's address generation mode and disable_ipv6, and only then
 * are brought up. Still unmarked, in the transaction's group: a restore
 * interrupted here leaves them provable (recreated_unmarked()).
 */
static int recreated_ipv6(struct restorer *r, const size_t *queued, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const struct vt_journal_entry *e = &r->j->entries[queued[k]];
		struct vt_link_spec spec = { .fields = VT_F_ADDR_GEN_MODE };

		if (!r->chosen[queued[k]] || !r->ipv6_first[queued[k]])
			continue;
		spec.link.ifindex = r->chosen[queued[k]];
		spec.link.ipv6 = e->image.ipv6;
		if (vt_batch_change(r->batch, NULL, &spec) < 0)
			return -ENOMEM;
	}
	if (!vt_batch_count(r->batch))
		return 0;
	flush(r, &r->rep->changed);
	for (k = 0; k < n; k++) {
		const struct vt_journal_entry *e = &r->j->entries[queued[k]];
		struct vt_link_spec spec = { .fields = VT_F_UP };

		if (!r->chosen[queued[k]] || !r->ipv6_first[queued[k]])
			continue;
		put_disable_ipv6(r, e->image.name, &e->image.ipv6);
		if (!e->image.up)
			continue;
		spec.link.ifindex = r->chosen[queued[k]];
		spec.link.up = true;
		if (vt_batch_change(r->batch, NULL, &spec) < 0)
			return -ENOMEM;
	}
	if (vt_batch_count(r->batch))
		flush(r, &r->rep->changed);
	return 0;
}

/* Whether @e's device needs recreating, and from what; says why not in the report. */
static bool recreatable(struct restorer *r, size_t i, struct vt_link *want)
{
	const struct vt_journal_entry *e = &r->j->entries[i];
	const struct vt_link *holder;
	int parent;

	switch (parent_of(r, e, &parent)) {
	case PARENT_VANISHED:
		/* The kernel deleted it with its parent: nothing to put back. */
		r->vanished[i] = true;
		r->rep->vanished++;
		return false;
	case PARENT_NOT_RESTORED:
		note(r->rep->remains, sizeof(r->rep->remains), "%s: its parent %s is not restored; ",
		     e->image.name, e->parent_name);
		return false;
	case PARENT_RENAMED:
		note(r->rep->remains, sizeof(r->rep->remains), "%s: its parent %s (ifindex %d) has "
		     "another name now; ", e->image.name, e->parent_name, e->image.parent);
		return false;
	case PARENT_THERE:
		break;
	}
	holder = vt_link_table_find_name(&r->links, e->image.name);
	if (holder) {
		r->rep->unproven++;
		note(r->rep->remains, sizeof(r->rep->remains), "%s: its name is held by a device "
		     "vlantrunk cannot prove is the journal's (ifindex %d), left untouched; ",
		     e->image.name, holder->ifindex);
		return false;
	}
	/* The kernel's name check sees altnames: the create would fail (EEXIST). */
	holder = vt_link_table_find_altname(&r->links, e->image.name);
	if (holder) {
		note(r->rep->remains, sizeof(r->rep->remains), "%s: its name is an altname of %s "
		     "now, so it cannot be created again; ", e->image.name, holder->name);
		return false;
	}
	resolve(r, e, parent, want);
	return true;
}

/* Devices the transaction deleted (or recreated) come back, outer first. */
static int recreate_deleted(struct restorer *r)
{
	size_t *queued = calloc(r->j->n_entries ? r->j->n_entries : 1, sizeof(*queued));
	bool sent = false;
	int ret = 0;

	if (!queued)
		return -ENOMEM;
	for (unsigned int depth = 0; depth <= MAX_DEPTH && !ret; depth++) {
		size_t n = 0;

		for (size_t i = 0; i < r->j->n_entries; i++) {
			const struct vt_journal_entry *e = &r->j->entries[i];
			struct vt_link_spec spec;
			struct vt_link want;

			if (e->state != VT_ENTRY_PRESENT || e->depth != depth || device_of(r, e) ||
			    !recreatable(r, i, &want))
				continue;
			/* Its old ifindex when free: then it is back exactly as it was. */
			r->chosen[i] = vt_link_table_find_ifindex(&r->links, e->image.ifindex) ?
				       vt_pick_ifindex(&r->links, &r->next_ifindex) : e->image.ifindex;
			want.ifindex = r->chosen[i];
			/* In the transaction's group until marked: see recreated_unmarked(). */
			want.group = r->j->group ? r->j->group : e->image.group;
			vt_spec_create(&want, VT_F_MTU | (want.has_mac ? VT_F_MAC : 0) |
					      (want.group ? VT_F_GROUP : 0), &spec);
			spec.fields &= ~VT_F_ALIAS;	/* the kernel ignores it at creation */
			/* Down until its IPv6 state is the before-image's: see recreated_ipv6(). */
			r->ipv6_first[i] = gets_ipv6(e, &want);
			if (r->ipv6_first[i])
				spec.link.up = false;
			if (vt_batch_create(r->batch, &spec) < 0) {
				ret = -ENOMEM;
				break;
			}
			queued[n++] = i;
		}
		if (!n || ret)
			continue;
		vt_nl_send_batch(r->nl, r->batch);
		sent = true;
		for (size_t k = 0; k < n; k++) {
			const struct vt_req_result *res = vt_batch_result(r->batch, k);
			size_t i = queued[k];

			/* Not created: nothing to mark, and no parent for deeper devices. */
			if (res->state != VT_REQ_ANSWERED || res->error) {
				if (!r->rep->error[0])
					snprintf(r->rep->error, sizeof(r->rep->error), "%s%s%s",
						 strerror(res->error ? -res->error : EIO),
						 res->message[0] ? ": " : "", res->message);
				r->chosen[i] = 0;
				continue;
			}
			r->rep->created++;
			/* Deeper devices find it by name; none of this depth is a parent of another. */
			if (vt_name_table_add(&r->recreated, r->j->entries[i].image.name,
					      r->chosen[i]) < 0)
				ret = -ENOMEM;
		}
		vt_batch_reset(r->batch);
		if (!ret)
			ret = recreated_ipv6(r, queued, n);
		if (!ret)
			ret = mark_recreated(r, depth);
	}
	free(queued);
	if (ret < 0)
		return ret;
	return sent ? vt_nl_dump_links(r->nl, &r->links) : 0;
}

/*
 * The up states, outer devices first, then every down: the kernel brings up
 * a VLAN without loose_binding when its parent comes up (vlan_device_event(),
 * NETDEV_UP), and with it what is down on that VLAN, however deep (a VLAN on
 * a VLAN taken down for a rename and brought up again with it). So once
 * anything comes up, a VLAN that was down is set down again, even if it is
 * down at the moment, unless it has loose_binding (its journaled flags are
 * back by now).
 */
static int queue_up_states(struct restorer *r)
{
	struct vt_link_spec spec;
	bool ups = false;
	int ret = 0;

	for (unsigned int depth = 0; depth <= MAX_DEPTH && !ret; depth++)
		for (size_t i = 0; i < r->j->n_entries && !ret; i++) {
			const struct vt_journal_entry *e = &r->j->entries[i];
			const struct vt_link *have = e->state == VT_ENTRY_PRESENT ? proven(r, e) : NULL;
			struct vt_link want;

			if (!have || e->depth != depth || !e->image.up)
				continue;
			resolve(r, e, have->parent, &want);
			/* Down now, or brought down for its rename. */
			if (have->up && (!strcmp(have->name, want.name) || renamed_since(e, have)))
				continue;
			vt_spec_change(&want, VT_D_UP, have->ifindex, &spec);
			ret = vt_batch_change(r->batch, have, &spec) < 0 ? -ENOMEM : 0;
			ups = true;
		}
	for (size_t i = 0; i < r->j->n_entries && !ret; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have = e->state == VT_ENTRY_PRESENT ? proven(r, e) : NULL;
		struct vt_link want;

		if (!have || e->image.up)
			continue;
		if (!have->up && (!ups || !e->image.is_vlan ||
				  (e->image.vlan.flags & VT_VLAN_LOOSE_BINDING)))
			continue;
		resolve(r, e, have->parent, &want);
		vt_spec_change(&want, VT_D_UP, have->ifindex, &spec);
		ret = vt_batch_change(r->batch, have, &spec) < 0 ? -ENOMEM : 0;
	}
	return ret;
}

/*
 * Whether putting @want's MTU back, from below 1280 to 1280 or more, gives
 * @have IPv6 state anew: the namespace's defaults, and with them, on a device
 * that is up, a link-local address at once.
 */
static bool ipv6_anew(const struct vt_journal_entry *e, const struct vt_link *have,
		      const struct vt_link *want)
{
	return e->image.ipv6.present && !have->ipv6.present && have->mtu < VT_IPV6_MIN_MTU &&
	       want->mtu >= VT_IPV6_MIN_MTU;
}

/* IPv6 off in some way in the before-image: an address it must not hold even for a moment. */
static bool ipv6_off(const struct vt_ipv6 *ipv6)
{
	return ipv6->present && (ipv6->addr_gen_mode == VT_ADDR_GEN_NONE || ipv6->disabled);
}

/*
 * IPv6 state as in the before-images, from a dump taken after the MTUs are
 * back (a device raised to 1280 or more has it anew): the address generation
 * mode over rtnetlink, then disable_ipv6 under the name the device has now.
 */
static int restore_ipv6(struct restorer *r)
{
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have = e->state == VT_ENTRY_PRESENT ? proven(r, e) : NULL;
		struct vt_link_spec spec = { .fields = VT_F_ADDR_GEN_MODE };

		if (!have || !e->image.ipv6.present || !have->ipv6.present ||
		    have->ipv6.addr_gen_mode == e->image.ipv6.addr_gen_mode)
			continue;
		spec.link.ifindex = have->ifindex;
		spec.link.ipv6 = e->image.ipv6;
		if (vt_batch_change(r->batch, have, &spec) < 0)
			return -ENOMEM;
	}
	if (vt_batch_count(r->batch))
		flush(r, &r->rep->changed);
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have = e->state == VT_ENTRY_PRESENT ? proven(r, e) : NULL;

		if (have && e->image.ipv6.present && have->ipv6.present &&
		    have->ipv6.disabled != e->image.ipv6.disabled)
			put_disable_ipv6(r, have->name, &e->image.ipv6);
	}
	return 0;
}

/*
 * Devices still there, proven, get their before-values back; a rename needs
 * them down, and so does an MTU raised back across 1280 where the before-image
 * has IPv6 off: down, MTU, IPv6 state, then up.
 */
static int change_back(struct restorer *r)
{
	enum { DOWN, CHANGE, UP };
	bool sent = false, ipv6 = false;

	for (int step = DOWN; step <= UP; step++) {
		/* Outer devices first: an inner one's MTU may need its parent's raised. */
		for (size_t k = 0; step != UP && k < r->j->n_entries * (MAX_DEPTH + 1); k++) {
			const struct vt_journal_entry *e = &r->j->entries[k % r->j->n_entries];
			const struct vt_link *have;
			struct vt_link_spec spec;
			struct vt_link want;
			uint32_t d;

			if (e->depth != k / r->j->n_entries || e->state != VT_ENTRY_PRESENT ||
			    !(have = proven(r, e)))
				continue;
			resolve(r, e, have->parent, &want);
			d = vt_diff_link(&want, have, VT_D_PARENT | VT_D_KIND | VT_D_VLAN | VT_D_PROTOCOL);
			if (renamed_since(e, have))
				d &= ~VT_D_NAME;
			if ((d & VT_D_IPV6) || ipv6_anew(e, have, &want))
				ipv6 = true;
			if (step == DOWN && have->up && ((d & VT_D_NAME) ||
				(ipv6_anew(e, have, &want) && ipv6_off(&e->image.ipv6)))) {
				want.up = false;
				vt_spec_change(&want, VT_D_UP, have->ifindex, &spec);
			} else if (step == CHANGE && ((d & ~(VT_D_UP | VT_D_IPV6)) ||
						      have->group != want.group)) {
				/* IPv6 comes after: see restore_ipv6(). */
				vt_spec_change(&want, d & ~(VT_D_UP | VT_D_IPV6), have->ifindex, &spec);
				if (have->group != want.group) {
					spec.fields |= VT_F_GROUP;
					spec.link.group = want.group;
				}
			} else {
				continue;
			}
			if (vt_batch_change(r->batch, have, &spec) < 0)
				return -ENOMEM;
		}
		/* Up states from the kernel as it is now: MTUs back, IPv6 state new. */
		if (step == UP && ipv6) {
			int ret = vt_nl_dump_links(r->nl, &r->links);

			if (ret < 0)
				return ret;
			sent = true;
			if (restore_ipv6(r) < 0)
				return -ENOMEM;
		}
		if (step == UP && queue_up_states(r) < 0)
			return -ENOMEM;
		if (vt_batch_count(r->batch)) {
			flush(r, &r->rep->changed);
			sent = true;
		}
	}
	return sent ? vt_nl_dump_links(r->nl, &r->links) : 0;
}

/* Every device as the journal says it was (its ifindex aside if recreated), or vanished. */
static void verify(struct restorer *r)
{
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have = vt_link_table_find_name(&r->links, e->image.name), *renamed;
		char fields[256] = "";
		struct vt_link want;
		int parent;
		uint32_t d;

		if (e->state == VT_ENTRY_ABSENT) {
			const struct vt_link *l = proven(r, e);

			if (strstr(r->rep->remains, e->image.name))
				continue;
			if (l)
				note(r->rep->remains, sizeof(r->rep->remains),
				     "%s: created, still there; ", e->image.name);
			/* In the transaction's group, yet not provably its create: say so. */
			else if (have && r->j->group && have->group == r->j->group)
				note(r->rep->remains, sizeof(r->rep->remains), "%s: in the transaction's "
				     "device group but no longer provably its create, left untouched; ",
				     e->image.name);
			continue;
		}
		if (r->vanished[i] || strstr(r->rep->remains, e->image.name))
			continue;	/* nothing to put back, or already said why */
		/* Renamed by someone since: the journal's device under its new name. */
		renamed = proven(r, e);
		if (renamed && renamed_since(e, renamed))
			have = renamed;
		else
			renamed = NULL;
		if (!have && parent_of(r, e, &parent) == PARENT_VANISHED)
			continue;
		if (!have) {
			note(r->rep->remains, sizeof(r->rep->remains), "%s: deleted, not restored; ",
			     e->image.name);
			continue;
		}
		/* Parent and master compare by name: an ifindex may be new. */
		if (parent_of(r, e, &parent) != PARENT_THERE)
			parent = -1;
		resolve(r, e, parent, &want);
		d = vt_diff_link(&want, have, renamed ? VT_D_NAME : 0);
		if (!d && have->group == want.group)
			continue;
		if (!d) {
			note(r->rep->remains, sizeof(r->rep->remains), "%s: in device group %u, not %u; ",
			     e->image.name, have->group, want.group);
			continue;
		}
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
	r.vanished = calloc(j->n_entries ? j->n_entries : 1, sizeof(*r.vanished));
	r.ipv6_first = calloc(j->n_entries ? j->n_entries : 1, sizeof(*r.ipv6_first));
	if (!r.batch || !r.chosen || !r.vanished || !r.ipv6_first || index_created(&r) < 0) {
		ret = -ENOMEM;
		goto out;
	}
	ret = vt_nl_dump_links(nl, &r.links);
	if (!ret)
		ret = delete_created(&r);
	/*
	 * Changed devices first: a device deleted by the transaction may need its
	 * parent's old MTU back before it fits on it again (the kernel refuses a
	 * VLAN larger than its parent), or its old name back from a device the
	 * transaction renamed into it. No changed device sits on a deleted one:
	 * the kernel took those with it, so they are deleted ones too.
	 */
	if (!ret)
		ret = change_back(&r);
	if (!ret)
		ret = recreate_deleted(&r);
	if (ret)
		goto out;
	/* Everything recreated is in the dump now, and goes by it. */
	vt_name_table_free(&r.recreated);
	verify(&r);
	ret = rep->remains[0] ? -EIO : 0;
out:
	vt_link_table_clear(&r.links);
	vt_name_table_free(&r.recreated);
	vt_batch_free(r.batch);
	free(r.created);
	free(r.chosen);
	free(r.vanished);
	free(r.ipv6_first);
	return ret;
}
