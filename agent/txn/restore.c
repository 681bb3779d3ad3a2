/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A restore (restore.h): delete the transaction's creates (as one group when
 * that is provably safe), change back what it changed, recreate what it
 * deleted (recreate.c), then verify every entry against the kernel.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/name_table.h"
#include "plan/diff.h"
#include "plan/spec.h"
#include "restore_internal.h"

/*
 * A device on @parent (a VLAN, a macvlan: anything whose IFLA_LINK it is)
 * other than the transaction's proven creates: deleting @parent would make
 * the kernel delete it too. NULL when there is none.
 */
static const struct vt_link *foreign_child(struct restorer *r, const struct vt_link *parent)
{
	for (size_t i = 0; i < r->links.n; i++) {
		const struct vt_link *l = &r->links.links[i];

		if (l->parent == parent->ifindex && l->parent_ns == parent->ns && l != parent &&
		    !vt_proof_journaled_create(r, l))
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
		const struct vt_link *l = vt_proof_proven(r, &r->j->entries[r->created[i].entry]);

		if (!l || l->group == group)
			continue;
		spec.link.ifindex = l->ifindex;
		if (vt_batch_change(r->batch, l, &spec) < 0)
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
		parent = vt_link_table_parent(&r->links, l);
		if (parent == l)
			parent = NULL;
		if (parent && parent->group == group && !vt_proof_journaled_create(r, l))
			return 0;	/* someone stacked a device on ours: one by one */
		if (l->group != group)
			continue;
		/* One request deletes a group in one namespace: others one by one. */
		if (l->ns != VT_NS_OWN)
			return 0;
		if (!vt_proof_journaled_create(r, l))
			return 0;	/* not provably ours: one by one */
		members++;
	}
	if (!members)
		return 0;
	if (vt_batch_delete_group(r->batch, VT_NS_OWN, group) < 0)
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
			struct label who;

			if (e->depth != (unsigned int)depth)
				continue;
			l = vt_proof_proven(r, e);
			if (!l)
				continue;
			/* Never a device that carries one vlantrunk cannot prove it created. */
			child = foreign_child(r, l);
			if (child) {
				r->rep->unproven++;
				appendf(r->rep->remains, sizeof(r->rep->remains),
					"%s: created, kept: %s sits on it, which vlantrunk cannot prove "
					"it created; ", label(r, l->ns, l->name, &who), child->name);
				continue;
			}
			if (vt_batch_delete(r->batch, l->ns, l->ifindex, NULL) < 0)
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
			const struct vt_link *have =
				e->state == VT_ENTRY_PRESENT ? vt_proof_proven(r, e) : NULL;
			struct vt_link want;

			if (!have || e->depth != depth || !e->image.up)
				continue;
			vt_proof_resolve(r, e, have->parent, &want);
			/* Down now, or brought down for its rename. */
			if (have->up &&
			    (!strcmp(have->name, want.name) || vt_proof_renamed_since(e, have)))
				continue;
			vt_spec_change(&want, VT_D_UP, have->ifindex, &spec);
			ret = vt_batch_change(r->batch, have, &spec) < 0 ? -ENOMEM : 0;
			ups = true;
		}
	for (size_t i = 0; i < r->j->n_entries && !ret; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have =
			e->state == VT_ENTRY_PRESENT ? vt_proof_proven(r, e) : NULL;
		struct vt_link want;

		if (!have || e->image.up)
			continue;
		if (!have->up && (!ups || !e->image.is_vlan ||
				  (e->image.vlan.flags & VT_VLAN_LOOSE_BINDING)))
			continue;
		vt_proof_resolve(r, e, have->parent, &want);
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
		const struct vt_link *have =
			e->state == VT_ENTRY_PRESENT ? vt_proof_proven(r, e) : NULL;
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
		const struct vt_link *have =
			e->state == VT_ENTRY_PRESENT ? vt_proof_proven(r, e) : NULL;

		if (have && e->image.ipv6.present && have->ipv6.present &&
		    have->ipv6.disabled != e->image.ipv6.disabled)
			put_disable_ipv6(r, have->ns, have->name, &e->image.ipv6);
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
			    !(have = vt_proof_proven(r, e)))
				continue;
			vt_proof_resolve(r, e, have->parent, &want);
			d = vt_diff_link(&want, have, VT_D_PARENT | VT_D_KIND | VT_D_VLAN | VT_D_PROTOCOL);
			if (vt_proof_renamed_since(e, have))
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

/*
 * A VLAN created without a MAC takes its parent's as it is then each time it
 * comes up (vlan_dev_open(): vlan_dev_inherit_address()), also when the
 * kernel brings it up with its parent (NETDEV_UP) and queue_up_states() sets
 * it down again at once. One that came up since the parent's MAC changed
 * differs from its before-image now, which change_back() could not see
 * coming: its MAC goes back, from the dump after every up. Set so, it is the
 * device's own, as the kernel has no rtnetlink attribute for how a MAC came.
 */
static int put_back_inherited_macs(struct restorer *r)
{
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have =
			e->state == VT_ENTRY_PRESENT ? vt_proof_proven(r, e) : NULL;
		struct vt_link_spec spec;
		struct vt_link want;

		if (!have || !e->image.is_vlan)
			continue;
		vt_proof_resolve(r, e, have->parent, &want);
		if (!(vt_diff_link(&want, have, ~(uint32_t)VT_D_MAC) & VT_D_MAC))
			continue;
		vt_spec_change(&want, VT_D_MAC, have->ifindex, &spec);
		if (vt_batch_change(r->batch, have, &spec) < 0)
			return -ENOMEM;
	}
	if (!vt_batch_count(r->batch))
		return 0;
	flush(r, &r->rep->changed);
	return vt_nl_dump_links(r->nl, &r->links);
}

/* Every device as the journal says it was (its ifindex aside if recreated), or vanished. */
static void verify(struct restorer *r)
{
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];
		const struct vt_link *have = vt_link_table_find_name(&r->links, e->image.ns,
								     e->image.name), *renamed;
		char fields[256] = "";
		struct vt_link want;
		struct label buf;
		const char *who = label(r, e->image.ns, e->image.name, &buf);
		int parent;
		uint32_t d;

		if (e->state == VT_ENTRY_ABSENT) {
			const struct vt_link *l = vt_proof_proven(r, e);

			if (said(r->rep->remains, who))
				continue;
			if (l)
				appendf(r->rep->remains, sizeof(r->rep->remains),
					"%s: created, still there; ", who);
			/* In the transaction's group, yet not provably its create: say so. */
			else if (have && r->j->group && have->group == r->j->group)
				appendf(r->rep->remains, sizeof(r->rep->remains), "%s: in the transaction's "
					"device group but no longer provably its create, left untouched; ",
					who);
			continue;
		}
		if (r->vanished[i] || said(r->rep->remains, who))
			continue;	/* nothing to put back, or already said why */
		/* Renamed by someone since: the journal's device under its new name. */
		renamed = vt_proof_proven(r, e);
		if (renamed && vt_proof_renamed_since(e, renamed))
			have = renamed;
		else
			renamed = NULL;
		if (!have && vt_proof_parent_of(r, e, &parent) == PARENT_VANISHED)
			continue;
		if (!have) {
			appendf(r->rep->remains, sizeof(r->rep->remains), "%s: deleted, not restored; ",
				who);
			continue;
		}
		/* Parent and master compare by name: an ifindex may be new. */
		if (vt_proof_parent_of(r, e, &parent) != PARENT_THERE)
			parent = -1;
		vt_proof_resolve(r, e, parent, &want);
		d = vt_diff_link(&want, have, renamed ? VT_D_NAME : 0);
		if (!d && have->group == want.group)
			continue;
		if (!d) {
			appendf(r->rep->remains, sizeof(r->rep->remains), "%s: in device group %u, not %u; ",
				who, have->group, want.group);
			continue;
		}
		for (uint32_t bit = 1; bit; bit <<= 1)
			if (d & bit)
				appendf(fields, sizeof(fields), "%s%s", fields[0] ? " " : "",
					vt_diff_name((enum vt_diff)bit));
		appendf(r->rep->remains, sizeof(r->rep->remains), "%s: differs in %s; ", who,
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
	if (!r.batch || !r.chosen || !r.vanished || !r.ipv6_first ||
	    vt_proof_index_created(&r) < 0) {
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
		ret = vt_recreate_deleted(&r);
	if (ret)
		goto out;
	/* Everything recreated is in the dump now, and goes by it. */
	vt_name_table_free(&r.recreated);
	ret = put_back_inherited_macs(&r);
	if (ret)
		goto out;
	verify(&r);
	ret = rep->remains[0] ? -EIO : 0;
out:
	vt_link_table_clear(&r.links);
	vt_name_table_free(&r.recreated);
	vt_name_table_free(&r.entry_names);
	vt_batch_free(r.batch);
	free(r.created);
	free(r.chosen);
	free(r.vanished);
	free(r.ipv6_first);
	return ret;
}
