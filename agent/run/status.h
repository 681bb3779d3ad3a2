/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.h - a trunk's status (SPEC.md's ACTIVE, DOWN, DEGRADED, BUILD,
 * ERROR) and its reason, derived in one function from everything it depends
 * on: the plan's report of the kernel as it is, this run's transaction, an
 * --atomic refusal, a writer at work, and the last recorded run. The run's
 * phases, the commands, the renderers and the daemon include it.
 */
#ifndef VT_STATUS_H
#define VT_STATUS_H

#include <stddef.h>

#include "exit.h"
#include "txn/engine.h"
#include "vt_plan.h"

struct vt_world;

/* What a trunk's status depends on beyond its report in the plan. */
struct vt_status_facts {
	const struct vt_txn *txn;	/* this run's transaction for the trunk, or NULL */
	size_t ops;			/* its operations in the plan */
	const char *refused;		/* --atomic sent nothing: why; NULL: it did not refuse */
	const char *running;		/* a writer is at work on it: its transaction; or NULL */
	const char *last_outcome;	/* the last recorded run's outcome for it, or NULL */
	const char *last_reason;	/* ... and its reason */
};

/* What became of one trunk. */
struct vt_trunk_outcome {
	const struct vt_txn *txn;	/* NULL: the trunk had nothing to do */
	enum vt_trunk_status status;
	const char *reason;		/* may point into .text */
	char text[1280];
	size_t ops;			/* its operations in the plan */
};

/**
 * vt_status_trunk - the status and reason of the trunk @r is the report of,
 * given @f. The kernel has the last word: a recorded failure only explains a
 * trunk the kernel shows out of sync, and an applied transaction's trunk is
 * ACTIVE or DOWN by its desired state.
 */
void vt_status_trunk(const struct vt_trunk_report *r, const struct vt_status_facts *f,
		     struct vt_trunk_outcome *o);

/**
 * vt_status_world - set each report's status and reason as `status` shows
 * them: the kernel's, with the last recorded run's failure (status.json in
 * the state dir, when @world has one open) and a writer at work.
 */
void vt_status_world(struct vt_world *world);

/**
 * vt_status_exit - `status`'s exit code: 0 when every trunk is ACTIVE or down
 * by choice (admin_state_up false, its parent there); 1 otherwise.
 */
int vt_status_exit(const struct vt_plan *plan);

#endif
