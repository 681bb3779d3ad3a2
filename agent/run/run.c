/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "last.h"
#include "run.h"

void vt_run_outcome(const struct vt_run *run, size_t i, struct vt_trunk_outcome *o)
{
	const struct vt_plan *plan = &run->world.plan;
	const struct vt_trunk_report *r = &plan->trunks[i];

	memset(o, 0, sizeof(*o));
	o->txn = vt_txn_of(run->txns, run->n_txns, i);
	o->status = r->status;
	o->reason = r->reason;
	for (size_t k = 0; k < plan->n_ops; k++)
		o->ops += plan->ops[k].trunk == i;
	if (!o->txn && run->refused[0] && r->can_converge && o->ops) {
		o->status = VT_TRUNK_ERROR;
		o->reason = run->refused;
		return;
	}
	if (!o->txn || !r->can_converge)
		return;
	if (o->txn->outcome == VT_TXN_APPLIED) {
		o->status = vt_trunk_settled(r, o->settled, sizeof(o->settled));
		o->reason = o->settled;
	} else {
		o->status = VT_TRUNK_ERROR;
		o->reason = o->txn->outcome == VT_TXN_ROLLED_BACK ? o->txn->error : o->txn->remains;
	}
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
	for (size_t i = 0; i < plan->n_trunks; i++)
		if (!plan->trunks[i].can_converge)
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
		if (plan->trunks[i].can_converge)
			continue;
		snprintf(run->refused, sizeof(run->refused),
			 "not applied (--atomic): trunk %s cannot converge: %s", plan->trunks[i].name,
			 plan->trunks[i].reason);
		return true;
	}
	return false;
}

int vt_run_reconcile(const struct vt_cli *cli, const struct vt_desired *intent, struct vt_nl *nl,
		     const struct vt_link_source *source, vt_recover_gate gate, void *gate_arg,
		     bool teardown, struct vt_run *run)
{
	struct vt_engine engine = { .atomic = cli->atomic };
	int ret;

	memset(run, 0, sizeof(*run));
	run->command = teardown ? "teardown" : "reconcile";
	vt_world_init(&run->world);
	run->world.intent = intent;
	run->world.nl = nl;
	run->world.nl_borrowed = nl != NULL;
	run->world.source = source;
	run->world.recover_gate = gate;
	run->world.recover_arg = gate_arg;
	/* Teardown needs no desired state: it goes towards none. */
	ret = teardown || intent ? 0 : vt_world_load(cli, run->command, &run->world);
	if (!ret)
		ret = vt_world_lock(cli, run->command, &run->world, true);
	if (!ret)
		ret = vt_world_scan(cli, run->command, &run->world);
	if (ret)
		return ret;

	engine.nl = run->world.nl;
	engine.state_dirfd = run->world.sd.dirfd;
	engine.desired = vt_world_intent(&run->world);
	engine.links = &run->world.links;
	engine.source = source;
	engine.plan = &run->world.plan;
	if (cli->atomic && refuse_atomic(run)) {
		run->exit_code = exit_code(run);
		return 0;
	}
	if (vt_engine_commit(&engine, &run->txns, &run->n_txns) < 0) {
		vt_report_failure(cli, run->command, "out of memory", NULL);
		return VT_EXIT_CANNOT_RUN;
	}
	if (run->n_txns)
		vt_last_record(run->world.sd.dirfd, &run->world.plan, run->txns, run->n_txns);
	run->exit_code = exit_code(run);
	return 0;
}

void vt_run_free(struct vt_run *run)
{
	vt_txns_free(run->txns, run->n_txns);
	vt_world_free(&run->world);
	run->txns = NULL;
	run->n_txns = 0;
}
