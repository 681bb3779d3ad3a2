/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recreating what the transaction deleted, outer first: with its old ifindex
 * when free, in the transaction's group until marked, down until its IPv6
 * state is the before-image's.
 */
#include <stdlib.h>
#include <string.h>

#include "pick.h"
#include "plan/spec.h"
#include "restore_internal.h"

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
		spec.link.ns = r->j->entries[i].image.ns;
		spec.link.ifindex = r->chosen[i];
		spec.link.alias = r->j->entries[i].image.alias;	/* borrowed */
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
		if (vt_batch_delete(r->batch, r->j->entries[entry[k]].image.ns, r->chosen[entry[k]],
				    NULL) < 0)
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
		spec.link.ns = r->j->entries[queued[k]].image.ns;
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
		put_disable_ipv6(r, e->image.ns, e->image.name, &e->image.ipv6);
		if (!e->image.up)
			continue;
		spec.link.ns = r->j->entries[queued[k]].image.ns;
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
	struct label buf;
	const char *who = label(r, e->image.ns, e->image.name, &buf);
	int parent;

	switch (vt_proof_parent_of(r, e, &parent)) {
	case PARENT_VANISHED:
		/* The kernel deleted it with its parent: nothing to put back. */
		r->vanished[i] = true;
		r->rep->vanished++;
		return false;
	case PARENT_NOT_RESTORED:
		appendf(r->rep->remains, sizeof(r->rep->remains), "%s: its parent %s is not restored; ",
			who, e->parent_name);
		return false;
	case PARENT_RENAMED:
		appendf(r->rep->remains, sizeof(r->rep->remains), "%s: its parent %s (ifindex %d) has "
			"another name now; ", who, e->parent_name, e->image.parent);
		return false;
	case PARENT_THERE:
		break;
	}
	holder = vt_link_table_find_name(&r->links, e->image.ns, e->image.name);
	if (holder) {
		r->rep->unproven++;
		appendf(r->rep->remains, sizeof(r->rep->remains), "%s: its name is held by a device "
			"vlantrunk cannot prove is the journal's (ifindex %d), left untouched; ",
			who, holder->ifindex);
		return false;
	}
	/* The kernel's name check sees altnames: the create would fail (EEXIST). */
	holder = vt_link_table_find_altname(&r->links, e->image.ns, e->image.name);
	if (holder) {
		appendf(r->rep->remains, sizeof(r->rep->remains), "%s: its name is an altname of %s "
			"now, so it cannot be created again; ", who, holder->name);
		return false;
	}
	vt_proof_resolve(r, e, parent, want);
	return true;
}

/* Devices the transaction deleted (or recreated) come back, outer first. */
int vt_recreate_deleted(struct restorer *r)
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

			if (e->state != VT_ENTRY_PRESENT || e->depth != depth ||
			    vt_proof_device_of(r, e) || !recreatable(r, i, &want))
				continue;
			/*
			 * Its old ifindex when free: then it is back exactly as it was. A
			 * create into another namespace is sent from its parent's (the own
			 * one, unless the parent was moved by hand: see vt_batch_create()),
			 * where the kernel looks a nonzero ifindex up first (an existing
			 * device there: EEXIST, Linux 6.1 __rtnl_newlink()): it must be
			 * free there too.
			 */
			r->chosen[i] = vt_link_table_find_ifindex(&r->links, e->image.ns,
								  e->image.ifindex) ||
				       (e->image.ns != e->image.parent_ns &&
					vt_link_table_find_ifindex(&r->links, e->image.parent_ns,
								   e->image.ifindex)) ?
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
			/* Deeper devices find it by name; none of this depth is a parent of another.
			 * Own devices go by name so; one elsewhere by its entry's chosen ifindex
			 * (see vt_proof_parent_of()). */
			if (r->j->entries[i].image.ns == VT_NS_OWN &&
			    vt_name_table_add(&r->recreated, r->j->entries[i].image.name,
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
