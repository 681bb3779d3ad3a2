/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.h - one reconcile (or teardown) run, as the CLI and the agent both
 * need it: phase 1 (world.h: validate, lock, recover, dump, plan,
 * feasibility) changes nothing; phase 2 commits (txn/engine.h). Returns
 * outcomes and an exit code; never prints. cli/, report/ and daemon/ include it.
 */
#ifndef VT_RUN_H
#define VT_RUN_H

#include "status.h"
#include "world.h"
#include "txn/engine.h"

struct vt_run {
	const char *command;		/* "reconcile" or "teardown" */
	struct vt_world world;
	struct vt_txn *txns;
	size_t n_txns;
	int exit_code;			/* SPEC.md's, for the whole run */
	char refused[640];		/* --atomic with a trunk that cannot converge: why nothing ran */
};

/* What one run is asked to do. */
struct vt_run_opts {
	struct vt_world_opts world;	/* .command is set by vt_run_reconcile() */
	bool teardown;			/* towards no trunks */
	bool atomic;			/* --atomic: all or nothing */
	const struct vt_desired *intent; /* NULL: load .world.config */
	struct vt_nl *nl;		/* the socket to use (the agent's, so it knows its own
					 * events); it stays the caller's. NULL: one of its own */
	const struct vt_link_source *source; /* where links are read; NULL: dumps */
	vt_recover_gate gate;		/* whether each kept journal's recovery is tried now */
	void *gate_arg;
};

/**
 * vt_run_reconcile - reconcile @o's trunks towards its intent, or with
 * .teardown towards no trunks. Returns 0 with run->exit_code set once the
 * commit ran, or the exit code of a failure before it, which
 * run->world.failure describes (the caller says it).
 */
int vt_run_reconcile(const struct vt_run_opts *o, struct vt_run *run);

/** vt_run_outcome - what became of the plan's trunk @i. */
void vt_run_outcome(const struct vt_run *run, size_t i, struct vt_trunk_outcome *out);


/** vt_run_free - release what the run holds. */
void vt_run_free(struct vt_run *run);

#endif
