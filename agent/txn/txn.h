/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/txn/: the transaction engine. In: a plan (plan/), the link dump it
 * was made from, the desired state and a state dir whose writers' lock is
 * held. Out: one struct vt_txn per transaction (a scope, or everything with
 * --atomic), its outcome, what failed in the kernel's own words and, when a
 * rollback could not be verified, what remains. Per transaction: every
 * device it will touch is journaled and the journal written and fsynced
 * before the first request (engine_journal.c; the format: journal.c); the
 * requests go in stages, each only if every request before it took effect
 * (engine_stages.c); success is verified by re-planning from the kernel
 * (engine_verify.c); on any failure every journaled device is restored and
 * the restore verifies itself (restore.c), changing or deleting only a
 * device proven to be the journal's (proof.c); the journal is removed unless
 * that verification failed. The same restore recovers a transaction a crash
 * interrupted from its kept journal (run/world.c drives it). txn/ returns
 * outcomes and -errno: it never prints, never exits, never sees options. It
 * calls plan/, base/ and netlink/, and reads links through the callbacks of
 * struct vt_link_source (link_source.h), which the daemon implements. Its
 * headers are for run/ and the layers above it, and the tests; pick.h and
 * the *_internal.h are txn/'s own.
 *
 * txn.h - a transaction as the engine returns it.
 */
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
