/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Step 3 of a transaction that went through (see engine.c): read back what
 * the kernel did and re-plan its trunks; anything left to do is a failure.
 */
#include <errno.h>
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
	if (ret == 0)
		ret = vt_link_source_view(r->e->source, r->e->nl, &scratch, &links);
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
