/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One reconcile (or teardown) run, as the CLI and the agent both need it:
 * phase 1 (validate, lock, recover, dump, plan, feasibility) changes
 * nothing; phase 2 commits (engine.c).
 */
#ifndef VT_RECONCILE_H
#define VT_RECONCILE_H

#include "cli/cli.h"
#include "txn/engine.h"

struct vt_run {
	const char *command;		/* "reconcile" or "teardown" */
	struct vt_world world;
	struct vt_txn *txns;
	size_t n_txns;
	int exit_code;			/* SPEC.md's, for the whole run */
	char refused[640];		/* --atomic with a trunk that cannot converge: why nothing ran */
};

/* What became of one trunk of the plan. */
struct vt_trunk_outcome {
	const struct vt_txn *txn;	/* NULL: the trunk had nothing to do */
	enum vt_trunk_status status;
	const char *reason;		/* may point into .settled */
	char settled[128];
	size_t ops;			/* its operations in the plan */
};

/**
 * vt_run_reconcile - reconcile @cli's trunks towards @intent (NULL: load
 * cli->config), or with @teardown towards no trunks. @nl, when given, is the
 * socket to use (the agent's, so it knows its own events); it stays the
 * caller's. @source, when given, is where the links are read from instead of
 * dumps (see struct vt_link_source). @gate, when given, decides whether each
 * kept journal's recovery is tried in this run (see vt_recover_gate). Returns 0 with run->exit_code set once
 * the commit ran, or the exit code of a failure before it (already reported).
 */
int vt_run_reconcile(const struct vt_cli *cli, const struct vt_desired *intent, struct vt_nl *nl,
		     const struct vt_link_source *source, vt_recover_gate gate, void *gate_arg,
		     bool teardown, struct vt_run *run);

/** vt_run_outcome - what became of the plan's trunk @i. */
void vt_run_outcome(const struct vt_run *run, size_t i, struct vt_trunk_outcome *out);

/** vt_run_json - the `reconcile --json` document for @run. */
json_t *vt_run_json(const struct vt_run *run);

/** vt_run_free - release what the run holds. */
void vt_run_free(struct vt_run *run);

#endif
