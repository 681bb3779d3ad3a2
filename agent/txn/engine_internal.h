/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine_internal.h - what the files of the engine share (engine.c runs a
 * transaction through engine_journal.c, engine_stages.c and
 * engine_verify.c): the state of the transaction being run, and the helpers
 * all of them use. For those four only.
 */
#ifndef VT_ENGINE_INTERNAL_H
#define VT_ENGINE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/name_table.h"
#include "engine.h"
#include "journal.h"
#include "restore.h"

struct runner {
	struct vt_engine *e;
	struct vt_txn *txn;
	struct vt_journal journal;
	struct vt_batch *batch;
	int *chosen;			/* per txn op: the ifindex a create gets */
	struct vt_name_table created;	/* the same by name, and renamed devices' new names */
	size_t *req_op;			/* per queued request: its txn op */
	size_t n_req;
	bool delete_by_group;		/* own-namespace deletes go as one group (engine_stages.c) */
	/* the kernel has IPv6 (else no device has IPv6 state), and its defaults */
	bool ipv6;
	/* per namespace slot (each its own conf/default), read for those ops set */
	struct vt_ipv6_defaults *ipv6_defaults;
	size_t n_ipv6_defaults;
	bool *ipv6_written;		/* per txn op: disable_ipv6 written (engine_verify.c) */
	/* VLANs the kernel brings up with their parent that must be down again */
	struct restate {
		uint16_t ns;
		int ifindex;
		char name[VT_IFNAMSIZ];
		unsigned int cause;	/* depth of the device whose up brings it up */
	} *restate;
	size_t n_restate;
};

static inline const struct vt_op *txn_op(const struct runner *r, size_t i)
{
	return &r->e->plan->ops[r->txn->ops[i]];
}

/* Whether the plan's trunk report @report is one of the transaction's. */
static inline bool in_txn(const struct runner *r, size_t report)
{
	for (size_t i = 0; i < r->txn->n_trunks; i++)
		if (r->txn->trunks[i] == report)
			return true;
	return false;
}

static inline bool creates(const struct vt_op *op)
{
	return op->kind == VT_OP_CREATE || op->kind == VT_OP_RECREATE;
}

static inline void __attribute__((format(printf, 2, 3)))
txn_fail(struct vt_txn *txn, const char *fmt, ...)
{
	va_list ap;

	if (txn->error[0])
		return;		/* the first failure is the one that matters */
	va_start(ap, fmt);
	vsnprintf(txn->error, sizeof(txn->error), fmt, ap);
	va_end(ap);
}

/**
 * vt_engine_journal (engine_journal.c) - pick the transaction's ifindexes and
 * group, journal every device it touches (and what the kernel changes by
 * itself with them, struct vt_effect) and write the journal, on disk before
 * this returns. 0, or a negative errno with r->txn->error set: then nothing
 * was sent.
 */
int vt_engine_journal(struct runner *r);

/**
 * vt_engine_stages (engine_stages.c) - send the transaction's requests, stage
 * by stage (see engine.c), counting those that took effect. 0, or a negative
 * errno at the first stage any request of which did not take effect, with
 * r->txn->error set.
 */
int vt_engine_stages(struct runner *r);

/**
 * vt_engine_verify (engine_verify.c) - read the kernel back and re-plan the
 * transaction's trunks: 0 when nothing is left to do and none of them ended
 * worse; else a negative errno: -EIO when the kernel did not do as asked,
 * with r->txn->error saying what.
 */
int vt_engine_verify(struct runner *r);

/** vt_engine_verify_scope_free (engine_verify.c) - free a run's vt_engine.scope (NULL: nothing). */
void vt_engine_verify_scope_free(struct vt_engine_scope *s);

#endif
