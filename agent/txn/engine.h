/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Phase 2 of reconcile: commit a plan, one transaction per scope, each
 * journaled before its first request, rolled back on any failure, verified
 * against the desired state on success.
 */
#ifndef VT_ENGINE_H
#define VT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "restore.h"

struct vt_link_source;
#include "statedir.h"
#include "vt_desired.h"
#include "vt_plan.h"

enum vt_txn_outcome {
	VT_TXN_APPLIED,			/* committed and verified */
	VT_TXN_ROLLED_BACK,		/* failed; every device verified as before */
	VT_TXN_ROLLBACK_INCOMPLETE,	/* failed, and not everything is as before */
};

struct vt_txn {
	size_t *trunks;			/* report indices in the plan */
	size_t n_trunks;
	size_t *ops;			/* op indices in the plan, in commit order */
	size_t n_ops;
	enum vt_txn_outcome outcome;
	size_t applied;			/* requests that took effect */
	size_t rolled_back;		/* inverse requests that took effect */
	char error[1024];		/* what failed, with the kernel's own words */
	char remains[2048];		/* with ROLLBACK_INCOMPLETE: what is left */
};

struct vt_engine {
	struct vt_nl *nl;
	int state_dirfd;
	const struct vt_desired *desired;
	const struct vt_link_table *links;	/* the dump the plan was made from */
	const struct vt_link_source *source;	/* where verification reads; NULL: a dump */
	const struct vt_plan *plan;
	bool atomic;			/* one transaction for everything */
	int next_ifindex;		/* for vt_pick_ifindex() */
	unsigned int txn_seq;		/* numbers the run's transactions: one journal each */
};

/**
 * vt_engine_commit - run every transaction the plan holds. Returns 0 with
 * *@txns (caller frees with vt_txns_free) describing each, or -ENOMEM.
 */
int vt_engine_commit(struct vt_engine *e, struct vt_txn **txns, size_t *n_txns);

/** vt_txn_of - the transaction that holds the plan's trunk report @report, or NULL. */
const struct vt_txn *vt_txn_of(const struct vt_txn *txns, size_t n_txns, size_t report);

/** vt_txns_free - free what vt_engine_commit() returned. */
void vt_txns_free(struct vt_txn *txns, size_t n_txns);

/** vt_txn_outcome_name - "applied", "rolled_back", "rollback_incomplete". */
const char *vt_txn_outcome_name(enum vt_txn_outcome outcome);

#endif
