/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "last.h"
#include "run.h"

void vt_run_outcome(const struct vt_run *run, size_t i, struct vt_trunk_outcome *o)
{
	const struct vt_plan *plan = &run->world.plan;
	struct vt_status_facts f = {
		.txn = vt_txn_of(run->txns, run->n_txns, i),
		.refused = run->refused[0] ? run->refused : NULL,
	};

	for (size_t k = 0; k < plan->n_ops; k++)
		f.ops += plan->ops[k].trunk == i;
	vt_status_trunk(&plan->trunks[i], &f, o);
}

/* status.json: what each trunk's status came to, as the run reports it. */
static void record(const struct vt_run *run)
{
	const struct vt_plan *plan = &run->world.plan;
	struct vt_trunk_outcome *o = calloc(plan->n_trunks + 1, sizeof(*o));

	/* Without memory the record is only stale: `status` still reads the kernel. */
	if (!o)
		return;
	for (size_t i = 0; i < plan->n_trunks; i++)
		vt_run_outcome(run, i, &o[i]);
	vt_last_record(run->world.sd.dirfd, plan, o);
	free(o);
}

static int exit_code(const struct vt_run *run)
{
	const struct vt_plan *plan = &run->world.plan;
	int ret = VT_EXIT_OK;

	for (size_t i = 0; i < run->n_txns; i++) {
		if (run->txns[i].outcome == VT_TXN_ROLLBACK_INCOMPLETE)
			return VT_EXIT_ROLLBACK_INCOMPLETE;
		if (run->txns[i].outcome == VT_TXN_ROLLED_BACK)
			ret = VT_EXIT_NOT_CONVERGED;
		else if (ret == VT_EXIT_OK)
			ret = VT_EXIT_CHANGED;
	}
	/* A subport waiting for its namespace has not converged either (SPEC: exit 1). */
	for (size_t i = 0; i < plan->n_trunks; i++)
		if (!plan->trunks[i].can_converge || vt_trunk_netns_missing(&plan->trunks[i]))
			ret = VT_EXIT_NOT_CONVERGED;
	/* A kept journal: partial state remains somewhere, and its recovery is retried. */
	return run->world.n_held ? VT_EXIT_ROLLBACK_INCOMPLETE : ret;
}

/*
 * --atomic is all or nothing: when a trunk in scope cannot converge, no
 * request is sent at all. The reason names the first such trunk.
 */
static bool refuse_atomic(struct vt_run *run)
{
	const struct vt_plan *plan = &run->world.plan;

	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_subport_report *waits = vt_trunk_netns_missing(&plan->trunks[i]);

		if (plan->trunks[i].can_converge && !waits)
			continue;
		if (plan->trunks[i].can_converge)
			snprintf(run->refused, sizeof(run->refused), "not applied (--atomic): trunk %s "
				 "cannot converge: subport %s: %s", plan->trunks[i].name,
				 waits->want->name, waits->reason ? waits->reason : "");
		else
			snprintf(run->refused, sizeof(run->refused),
				 "not applied (--atomic): trunk %s cannot converge: %s",
				 plan->trunks[i].name, plan->trunks[i].reason);
		return true;
	}
	return false;
}

int vt_run_reconcile(const struct vt_run_opts *o, struct vt_run *run)
{
	struct vt_engine engine = { .atomic = o->atomic };
	struct vt_world_opts wo = o->world;
	int ret;

	memset(run, 0, sizeof(*run));
	run->command = wo.command = o->teardown ? "teardown" : "reconcile";
	vt_world_init(&run->world);
	run->world.intent = o->intent;
	run->world.nl = o->nl;
	run->world.nl_borrowed = o->nl != NULL;
	run->world.source = o->source;
	run->world.recover_gate = o->gate;
	run->world.recover_arg = o->gate_arg;
	/* Teardown needs no desired state: it goes towards none. */
	ret = o->teardown || o->intent ? 0 : vt_world_load(&wo, &run->world);
	if (!ret)
		ret = vt_world_lock(&wo, &run->world, true);
	if (!ret)
		ret = vt_world_scan(&wo, &run->world);
	if (ret)
		return ret;

	engine.nl = run->world.nl;
	engine.state_dirfd = run->world.sd.dirfd;
	engine.desired = vt_world_intent(&run->world);
	engine.links = &run->world.links;
	engine.source = o->source;
	engine.plan = &run->world.plan;
	if (o->atomic && refuse_atomic(run)) {
		run->exit_code = exit_code(run);
		return 0;
	}
	if (vt_engine_commit(&engine, &run->txns, &run->n_txns) < 0) {
		snprintf(run->world.failure.what, sizeof(run->world.failure.what), "out of memory");
		return VT_EXIT_CANNOT_RUN;
	}
	if (run->n_txns)
		record(run);
	run->exit_code = exit_code(run);
	return 0;
}

void vt_run_free(struct vt_run *run)
{
	vt_txn_free_all(run->txns, run->n_txns);
	vt_world_free(&run->world);
	run->txns = NULL;
	run->n_txns = 0;
}
