/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - phase 2 of reconcile: commit a plan, one transaction per scope,
 * each journaled before its first request, rolled back on any failure,
 * verified against the desired state on success (the contract of txn/ is at
 * the top of txn.h). For run/, which runs the phases.
 */
#ifndef VT_ENGINE_H
#define VT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "txn.h"
#include "vt_desired.h"
#include "vt_netlink.h"
#include "vt_plan.h"

struct vt_link_source;

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
	struct vt_engine_scope *scope;	/* engine_verify.c's index of links, built once a run */
};

/**
 * vt_engine_commit - run every transaction the plan holds. Returns 0 with
 * *@txns (caller frees with vt_txn_free_all) describing each, or -ENOMEM.
 */
int vt_engine_commit(struct vt_engine *e, struct vt_txn **txns, size_t *n_txns);

#endif
