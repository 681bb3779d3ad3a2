/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which device now is a journal entry's: the identity proofs restore.h
 * states, up the chain of parents. Reads the restorer's dump; sends nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "plan/diff.h"
#include "restore_internal.h"

/*
 * The journal's entry in @state for the device it calls @name (before or
 * after), or NULL. A recreate has two of the same name: the deleted device
 * (PRESENT) and its successor (ABSENT).
 */
static const struct vt_journal_entry *entry_named(struct restorer *r, uint16_t ns,
						  const char *name, enum vt_entry_state state)
{
	size_t n = 0;
	const struct vt_name_entry *hit = vt_name_table_find(&r->entry_names, name, &n);

	/* In journal order (the table's values are positions): the first match, as before. */
	for (size_t k = 0; k < n; k++) {
		const struct vt_journal_entry *e = &r->j->entries[hit[k].value];

		/* a name is a device's only within its namespace */
		if (e->state == state && e->image.ns == ns)
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
	const struct vt_link *parent = vt_link_table_parent(&r->links, l);
	/* A parent is a device of its own namespace (the own one, unless moved by hand). */
	const struct vt_journal_entry *created = entry_named(r, l->parent_ns, name, VT_ENTRY_ABSENT);
	const struct vt_journal_entry *changed = entry_named(r, l->parent_ns, name, VT_ENTRY_PRESENT);

	if (!parent)
		return false;
	if (!created && !changed)
		return !strcmp(parent->name, name);
	return (created && vt_proof_device_of(r, created) == parent) ||
	       (changed && vt_proof_device_of(r, changed) == parent);
}

/* A marker the transaction may have left: the before-image's, or one of its trunks'. */
static bool marker_ours(struct restorer *r, const struct vt_journal_entry *e,
			const char *alias)
{
	const char *owner = vt_marker_owner(alias);

	return owner && (!strcmp(alias, vt_link_alias(&e->image)) || vt_journal_concerns(r->j, owner));
}

/*
 * A deleted device a restore recreated is in the transaction's group, without
 * its alias, until its marker (and its own group) are set: a restore
 * interrupted between the two left it so, maybe under a new ifindex.
 */
static const struct vt_link *recreated_unmarked(struct restorer *r,
						const struct vt_journal_entry *e)
{
	const struct vt_link *l = vt_link_table_find_name(&r->links, e->image.ns, e->image.name);

	if (!l || !r->j->group || l->group != r->j->group || vt_link_alias(l)[0] || !l->is_vlan ||
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
const struct vt_link *vt_proof_proven(struct restorer *r, const struct vt_journal_entry *e)
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
	const struct vt_link *l = vt_link_table_find_ifindex(&r->links, id->ns, id->ifindex);

	if (!l || !l->is_vlan || !id->is_vlan || l->vlan.id != id->vlan.id ||
	    l->vlan.protocol != id->vlan.protocol)
		return e->state == VT_ENTRY_PRESENT ? recreated_unmarked(r, e) : NULL;
	if (e->state == VT_ENTRY_ABSENT) {
		if (strcmp(l->name, id->name) || !parent_named(r, l, e->parent_name))
			return NULL;
		/* Until marked it is in the transaction's own group, unaliased; then marked. */
		if (r->j->group && l->group == r->j->group && !vt_link_alias(l)[0])
			return l;
		/* A vlantrunk marker of one of the journal's trunks: a plain alias proves nothing. */
		return vt_marker_owner(vt_link_alias(l)) && vt_journal_concerns(r->j, vt_marker_owner(vt_link_alias(l))) &&
		       !strcmp(vt_link_alias(l), vt_link_alias(id)) ? l : NULL;
	}
	/*
	 * A changed device keeps its ifindex and parent; a rename gives it the
	 * new name. One renamed by hand since (a crash, then an operator) is
	 * still the journal's: its ifindex, parent, VLAN, protocol and marker are,
	 * and a name no entry of the journal claims is not one of the others'.
	 * Left unproven it would count as deleted, and the restore's create of it
	 * fail (EEXIST: its VLAN id is taken) at every run, the journal kept for
	 * good. Its name is then left as it is: see vt_proof_renamed_since().
	 */
	if (l->parent == id->parent && l->parent_ns == id->parent_ns && marker_ours(r, e, vt_link_alias(l)) &&
	    (!strcmp(l->name, id->name) || (e->new_name[0] && !strcmp(l->name, e->new_name)) ||
	     (!entry_named(r, l->ns, l->name, VT_ENTRY_PRESENT) &&
	      !entry_named(r, l->ns, l->name, VT_ENTRY_ABSENT))))
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
bool vt_proof_renamed_since(const struct vt_journal_entry *e, const struct vt_link *l)
{
	return strcmp(l->name, e->image.name) && (!e->new_name[0] || strcmp(l->name, e->new_name));
}

/* The ifindex of the device called @name now (0 for "", -1 when there is none). */
static int resolve_name(struct restorer *r, uint16_t ns, const char *name)
{
	const struct vt_link *l;
	int ifindex;

	if (!name[0])
		return 0;
	/* A master recreated by this restore is not in the dump yet (the table
	 * holds own-namespace names only: a master elsewhere goes by the dump). */
	ifindex = ns == VT_NS_OWN ? (int)vt_name_table_get(&r->recreated, name, 0) : 0;
	if (ifindex)
		return ifindex;
	l = vt_link_table_find_name(&r->links, ns, name);
	return l ? l->ifindex : -1;
}

/*
 * The parent of a device the transaction changed or deleted. One the journal
 * names too is the device it proves, or the one a restore put back (maybe
 * under a new ifindex, in this run or an earlier one); gone with its own
 * parent, it vanished too; otherwise it is not restored yet. Any other parent
 * is the device with the journaled ifindex, which must still have its name:
 * if that index is gone, the parent went and the kernel took its VLANs with
 * it (nothing to restore); under another name, nothing can tell.
 */
enum parent_fate vt_proof_parent_of(struct restorer *r, const struct vt_journal_entry *e,
				    int *ifindex)
{
	/*
	 * A journaled parent is one of the namespace the image says it was in:
	 * the own one, or one it was moved into by hand (its VLANs stay where
	 * they are), never another namespace's device of that name.
	 */
	const struct vt_journal_entry *pe = entry_named(r, e->image.parent_ns, e->parent_name,
							VT_ENTRY_PRESENT);
	enum parent_fate fate;
	const struct vt_link *p;
	int grand;

	*ifindex = 0;
	if (pe && pe != e) {
		/* Recreated by this restore: own devices go by name, others by their entry. */
		*ifindex = e->image.parent_ns == VT_NS_OWN ?
			   (int)vt_name_table_get(&r->recreated, e->parent_name, 0) :
			   r->chosen[pe - r->j->entries];
		if (*ifindex)
			return PARENT_THERE;
		p = vt_proof_device_of(r, pe);
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
		fate = vt_proof_parent_of(r, pe, &grand);
		r->proof_depth--;
		return fate == PARENT_VANISHED ? PARENT_VANISHED : PARENT_NOT_RESTORED;
	}
	p = vt_link_table_find_ifindex(&r->links, e->image.parent_ns, e->image.parent);
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
	const struct vt_link *p = vt_link_table_find_ifindex(&r->links, VT_NS_OWN, parent);

	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];

		/* @parent is an own ifindex: a pod's device may have the same */
		if (e->state == VT_ENTRY_PRESENT && e->image.ns == VT_NS_OWN &&
		    (r->chosen[i] == parent ||
		     (e->image.ifindex == parent && p && vt_proof_proven(r, e) == p)))
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
void vt_proof_resolve(struct restorer *r, const struct vt_journal_entry *e, int parent,
		      struct vt_link *want)
{
	/* @parent is an ifindex of the image's parent's namespace (see vt_proof_parent_of()). */
	const struct vt_link *p = parent > 0 ?
		vt_link_table_find_ifindex(&r->links, e->image.parent_ns, parent) : NULL;
	/* Only a parent now smaller than the VLAN was needs a look at the journal. */
	uint32_t mtu = !p || p->mtu >= e->image.mtu ? 0 :
		       e->image.parent_ns == VT_NS_OWN ? parent_mtu(r, parent) : p->mtu;

	*want = e->image;
	want->parent = parent;
	/* a master is a bridge of the device's own namespace */
	want->master = resolve_name(r, e->image.ns, e->master_name);
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
const struct vt_link *vt_proof_device_of(struct restorer *r, const struct vt_journal_entry *e)
{
	const struct vt_link *l = vt_proof_proven(r, e);
	struct vt_link want;
	int parent;

	if (l || e->state != VT_ENTRY_PRESENT || r->proof_depth > MAX_DEPTH)
		return l;
	l = vt_link_table_find_name(&r->links, e->image.ns, e->image.name);
	if (!l)
		return NULL;
	r->proof_depth++;
	if (vt_proof_parent_of(r, e, &parent) == PARENT_THERE)
		vt_proof_resolve(r, e, parent, &want);
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

int vt_proof_index_created(struct restorer *r)
{
	r->created = calloc(r->j->n_entries ? r->j->n_entries : 1, sizeof(*r->created));
	if (!r->created)
		return -ENOMEM;
	for (size_t i = 0; i < r->j->n_entries; i++)
		if (r->j->entries[i].state == VT_ENTRY_ABSENT)
			r->created[r->n_created++] = (struct vt_created){
				.ifindex = r->j->entries[i].image.ifindex, .entry = i };
	qsort(r->created, r->n_created, sizeof(*r->created), by_ifindex);
	/*
	 * Every entry by both its names: proofs look names up once per device
	 * and per parent, which a scan of the journal made quadratic (a rollback
	 * of 16k creates spent most of its time in strcmp).
	 */
	for (size_t i = 0; i < r->j->n_entries; i++) {
		const struct vt_journal_entry *e = &r->j->entries[i];

		if (vt_name_table_add(&r->entry_names, e->image.name, i) < 0 ||
		    (e->new_name[0] && strcmp(e->new_name, e->image.name) &&
		     vt_name_table_add(&r->entry_names, e->new_name, i) < 0))
			return -ENOMEM;
	}
	vt_name_table_sort(&r->entry_names);
	return 0;
}

/* Whether @l is a device the transaction created, proven. */
bool vt_proof_journaled_create(struct restorer *r, const struct vt_link *l)
{
	const struct vt_created key = { .ifindex = l->ifindex }, *hit;

	hit = bsearch(&key, r->created, r->n_created, sizeof(*r->created), by_ifindex);
	return hit && vt_proof_proven(r, &r->j->entries[hit->entry]) == l;
}
