/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Committing a plan. Per transaction:
 *  1. journal every device it touches (before-images; identities of the
 *     devices it creates, whose ifindex it chooses) and fsync it
 *     (engine_journal.c);
 *  2. send its requests in stages (engine_stages.c), each stage one batch of
 *     one depth: deletes (one by one, inner first, by where the device is
 *     now: a recreate may move it to a trunk of another depth; two or more
 *     in the own namespace, on nothing in another, are moved into the
 *     transaction's group instead, and that group deleted in one request
 *     after the rest, as the kernel deletes what sits on it in other
 *     namespaces too); downs (inner first: renames' and changes'); changes
 *     (outer first); ups (outer first), each depth followed by the downs
 *     of the VLANs the kernel brought up with it that must stay down; then
 *     per depth, outer first, creates (sent down), their markers
 *     and their ups. Ups go outer first because the kernel refuses to bring a
 *     VLAN up on a parent that is down (ENETDOWN), and new devices come up
 *     only once their parent is up, so that the kernel brings none of them up
 *     by itself. IPv6 state is set before a device is up with it: a create's
 *     address generation mode with its marker, a change's after the changes
 *     (its MTU may give it IPv6 state), then disable_ipv6 (a sysctl write)
 *     before the ups. A stage runs only if every request of the stages before
 *     it took effect;
 *  3. on any failure restore every journaled device (restore.c), which
 *     verifies itself; on success re-plan the transaction's trunks from a
 *     fresh dump (engine_verify.c): anything left to do means the kernel did
 *     not do as asked, which is a failure too;
 *  4. remove the journal, unless the rollback could not be verified.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "journal_files.h"
#include "link_source.h"

static void rollback(struct runner *r)
{
	struct vt_restore_report rep;
	int ret = vt_restore(r->e->nl, &r->journal, &rep);

	if (r->e->source && r->e->source->invalidate)
		r->e->source->invalidate(r->e->source->arg);
	r->txn->rolled_back = rep.deleted + rep.created + rep.changed;
	if (ret == 0) {
		r->txn->outcome = VT_TXN_ROLLED_BACK;
		return;
	}
	r->txn->outcome = VT_TXN_ROLLBACK_INCOMPLETE;
	if (ret == -EIO)
		snprintf(r->txn->remains, sizeof(r->txn->remains), "%s%s%s", rep.remains,
			 rep.error[0] ? " first failure: " : "", rep.error);
	else
		snprintf(r->txn->remains, sizeof(r->txn->remains),
			 "the rollback could not read the kernel (%s); the journal is kept",
			 strerror(-ret));
}

static int run_txn(struct vt_engine *e, struct vt_txn *txn)
{
	struct runner r = { .e = e, .txn = txn };
	int ret = -ENOMEM;

	r.batch = vt_batch_new();
	r.chosen = calloc(txn->n_ops, sizeof(*r.chosen));
	r.req_op = calloc(txn->n_ops * 3, sizeof(*r.req_op));
	r.ipv6_written = calloc(txn->n_ops, sizeof(*r.ipv6_written));
	if (!r.batch || !r.chosen || !r.req_op || !r.ipv6_written)
		goto out;
	ret = 0;
	if (vt_engine_journal(&r) < 0) {
		txn->outcome = VT_TXN_ROLLED_BACK;	/* nothing was sent */
		goto out;
	}
	if (vt_engine_stages(&r) < 0 || vt_engine_verify(&r) < 0)
		rollback(&r);
	else
		txn->outcome = VT_TXN_APPLIED;
	/* An unverified rollback keeps the journal: the next run retries recovery. */
	if (txn->outcome != VT_TXN_ROLLBACK_INCOMPLETE)
		vt_journal_files_remove(e->state_dirfd, r.journal.file);
out:
	vt_journal_free(&r.journal);
	vt_name_table_free(&r.created);
	vt_batch_free(r.batch);
	free(r.chosen);
	free(r.req_op);
	free(r.ipv6_written);
	free(r.ipv6_defaults);
	free(r.restate);
	return ret;
}

/* Transactions: one per scope (a trunk and those nested on it), or one for all. */
static int group(const struct vt_engine *e, struct vt_txn **out, size_t *n_out)
{
	const struct vt_plan *plan = e->plan;
	struct vt_txn *txns = calloc(plan->n_trunks ? plan->n_trunks : 1, sizeof(*txns));
	size_t *txn_of = calloc(plan->n_trunks ? plan->n_trunks : 1, sizeof(*txn_of));
	size_t n = 0;
	int ret = -ENOMEM;

	if (!txns || !txn_of)
		goto out;
	for (size_t i = 0; i < plan->n_trunks; i++)
		txn_of[i] = SIZE_MAX;
	for (size_t i = 0; i < plan->n_ops; i++) {
		size_t scope = e->atomic ? 0 : plan->trunks[plan->ops[i].trunk].scope;
		struct vt_txn *t;

		if (txn_of[scope] == SIZE_MAX) {
			txn_of[scope] = n++;
			t = &txns[txn_of[scope]];
			t->ops = calloc(plan->n_ops, sizeof(*t->ops));
			t->trunks = calloc(plan->n_trunks, sizeof(*t->trunks));
			if (!t->ops || !t->trunks)
				goto out;
		}
		t = &txns[txn_of[scope]];
		t->ops[t->n_ops++] = i;
	}
	/* Every trunk of a transaction is named in it, even one without operations. */
	for (size_t i = 0; i < plan->n_trunks; i++) {
		size_t scope = e->atomic ? 0 : plan->trunks[i].scope;

		if (txn_of[scope] != SIZE_MAX) {
			struct vt_txn *t = &txns[txn_of[scope]];

			t->trunks[t->n_trunks++] = i;
		}
	}
	ret = 0;
out:
	free(txn_of);
	*out = txns;
	*n_out = n;
	if (ret < 0) {
		vt_txn_free_all(txns, plan->n_trunks);
		*out = NULL;
		*n_out = 0;
	}
	return ret;
}

int vt_engine_commit(struct vt_engine *e, struct vt_txn **txns, size_t *n_txns)
{
	int ret = group(e, txns, n_txns);

	for (size_t i = 0; i < *n_txns && !ret; i++)
		ret = run_txn(e, &(*txns)[i]);
	vt_engine_verify_scope_free(e->scope);
	e->scope = NULL;
	return ret;
}
