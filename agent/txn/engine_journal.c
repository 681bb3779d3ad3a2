/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Step 1 of a transaction (see engine.c): what it will choose (ifindexes, its
 * group) and what it touches, journaled; the journal on disk before anything
 * is sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine_internal.h"
#include "pick.h"

static const char *ifname(const struct vt_link_table *links, uint16_t ns, int ifindex)
{
	const struct vt_link *l = ifindex ? vt_link_table_find_ifindex(links, ns, ifindex) : NULL;

	return l ? l->name : "";
}

static int journal_effects(struct runner *r);

int vt_engine_journal(struct runner *r)
{
	const struct vt_link_table *links = r->e->links;
	struct vt_journal *j = &r->journal;
	static const char *const none = "";
	int ret = 0;

	uint32_t rnd[2] = { 0, 0 };

	/*
	 * One file per transaction: a kept one is never written over (the
	 * writer refuses an existing name too). Time, pid and sequence alone
	 * repeat (pid 1 of every container, a clock stepped back): random bits
	 * follow, and pick the transaction's group.
	 */
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		rnd[0] = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ (uint32_t)clock();
		rnd[1] = rnd[0] * 2654435761u + r->e->txn_seq;
	}
	snprintf(j->id, sizeof(j->id), "%ld-%d-%u-%08x", (long)time(NULL), (int)getpid(),
		 ++r->e->txn_seq, rnd[0]);
	j->group = vt_pick_group(links, rnd[1]);
	/* Numbered as the socket's slots, which the links' .ns are: slot k is netns[k - 1]. */
	for (uint16_t slot = 1; !ret && vt_link_table_netns_slot(links, slot); slot++) {
		const struct vt_netns_name *n = vt_link_table_netns_slot(links, slot);

		ret = vt_journal_add_netns(j, n->path, n->dev, n->ino, n->cookie);
	}
	for (size_t i = 0; i < r->txn->n_trunks && !ret; i++)
		ret = vt_journal_add_trunk(j, r->e->plan->trunks[r->txn->trunks[i]].name);
	for (size_t i = 0; i < r->txn->n_ops && !ret; i++) {
		const struct vt_op *op = txn_op(r, i);
		struct vt_journal_entry *e;

		if (op->before) {
			e = vt_journal_add(j, VT_ENTRY_PRESENT, op->before,
					   ifname(links, op->before->parent_ns, op->before->parent),
					   op->before->master ? ifname(links, op->before->ns, op->before->master) : none,
					   op->before_depth);
			if (!e) {
				ret = -ENOMEM;
				break;
			}
			/*
			 * A renamed device is still known as the journal's under its new
			 * name; and a create whose parent it is finds it by that name (the
			 * dump the plan was made from still has the old one).
			 */
			if (op->kind == VT_OP_RENAME && (op->after.fields & VT_F_NAME)) {
				strcpy(e->new_name, op->after.link.name);
				if (op->before->ns == VT_NS_OWN)
					ret = vt_name_table_add(&r->created, op->after.link.name,
								op->before->ifindex);
				if (ret)
					break;
			}
		}
		if (creates(op)) {
			struct vt_link id = { .is_vlan = true };

			r->chosen[i] = vt_pick_ifindex(links, &r->e->next_ifindex);
			/* Parents go by name, and are in the own namespace: see parent_ifindex(). */
			if (op->after.link.ns == VT_NS_OWN)
				ret = vt_name_table_add(&r->created, op->after.link.name, r->chosen[i]);
			if (ret)
				break;
			id.ns = op->after.link.ns;
			id.ifindex = r->chosen[i];
			strcpy(id.name, op->after.link.name);
			strcpy(id.kind, "vlan");
			id.vlan.id = op->after.link.vlan.id;
			id.vlan.protocol = op->after.link.vlan.protocol;
			/* The marker it gets once complete: with it, it is proven ours. */
			id.alias = op->after.link.alias;	/* borrowed: the journal copies it */
			if (!vt_journal_add(j, VT_ENTRY_ABSENT, &id, op->parent_name, none, op->depth))
				ret = -ENOMEM;
		}
	}
	if (!ret)
		ret = journal_effects(r);
	if (!ret)
		ret = vt_journal_write(r->e->state_dirfd, j);
	if (ret)
		txn_fail(r->txn, "writing the journal: %s; nothing was changed", strerror(-ret));
	return ret;
}

static int add_restate(struct runner *r, const struct vt_link *l, const char *name,
		       unsigned int cause)
{
	struct restate *v;

	/* Brought up by two causes: set down after the later. */
	for (size_t i = 0; i < r->n_restate; i++)
		if (r->restate[i].ns == l->ns && r->restate[i].ifindex == l->ifindex) {
			if (cause > r->restate[i].cause)
				r->restate[i].cause = cause;
			return 0;
		}
	v = reallocarray(r->restate, r->n_restate + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->restate = v;
	v[r->n_restate].ns = l->ns;
	v[r->n_restate].ifindex = l->ifindex;
	v[r->n_restate].cause = cause;
	snprintf(v[r->n_restate].name, sizeof(v->name), "%s", name);
	r->n_restate++;
	return 0;
}

/*
 * What the kernel changes by itself as the transaction's requests take
 * effect (struct vt_effect, planned in plan_effects.c): journaled like the
 * devices the transaction changes, so a rollback restores them, and those
 * brought up that must stay down are set down again right after the stage
 * that brought their parent up.
 */
static int journal_effects(struct runner *r)
{
	const struct vt_plan *plan = r->e->plan;
	const struct vt_link_table *links = r->e->links;
	int ret = 0;

	for (size_t i = 0; i < plan->n_effects && !ret; i++) {
		const struct vt_effect *fx = &plan->effects[i];
		const struct vt_link *l = fx->link;

		if (!in_txn(r, fx->trunk))
			continue;
		if (fx->journal && !vt_journal_add(&r->journal, VT_ENTRY_PRESENT, l,
						   ifname(links, l->parent_ns, l->parent),
						   l->master ? ifname(links, l->ns, l->master) : "", fx->depth))
			ret = -ENOMEM;
		if (!ret && fx->kind == VT_EFFECT_UP && fx->restate)
			ret = add_restate(r, l, fx->name, fx->cause_depth);
	}
	return ret;
}
