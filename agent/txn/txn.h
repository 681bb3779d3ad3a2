/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef VT_TXN_H
#define VT_TXN_H

#include <stddef.h>

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

/** vt_txn_of - the transaction that holds the plan's trunk report @report, or NULL. */
const struct vt_txn *vt_txn_of(const struct vt_txn *txns, size_t n_txns, size_t report);

/** vt_txn_free_all - free what vt_engine_commit() returned. */
void vt_txn_free_all(struct vt_txn *txns, size_t n_txns);

/** vt_txn_outcome_name - "applied", "rolled_back", "rollback_incomplete". */
const char *vt_txn_outcome_name(enum vt_txn_outcome outcome);

#endif
