/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `reconcile` and `teardown`: phase 1 (validate, lock, recover, dump, plan,
 * feasibility) changes nothing; phase 2 commits (engine.c). Teardown is a
 * reconcile towards "no trunks" for the named trunks (or all).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "engine.h"
#include "laststatus.h"

struct outcome {
	const struct vt_txn *txn;	/* NULL: the trunk had nothing to do */
	enum vt_trunk_status status;
	const char *reason;
	char settled[128];		/* the reason, when the transaction was applied */
	size_t ops;			/* its operations in the plan */
};

/* @o->reason may point into @o itself: fill it in place. */
static void trunk_outcome(const struct vt_plan *plan, const struct vt_txn *txns, size_t n_txns,
			  size_t i, struct outcome *o)
{
	const struct vt_trunk_report *r = &plan->trunks[i];

	memset(o, 0, sizeof(*o));
	o->txn = vt_txn_of(txns, n_txns, i);
	o->status = r->status;
	o->reason = r->reason;
	for (size_t k = 0; k < plan->n_ops; k++)
		o->ops += plan->ops[k].trunk == i;
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

static int exit_code(const struct vt_plan *plan, const struct vt_txn *txns, size_t n_txns)
{
	int ret = VT_EXIT_OK;

	for (size_t i = 0; i < n_txns; i++) {
		if (txns[i].outcome == VT_TXN_ROLLBACK_INCOMPLETE)
			return VT_EXIT_ROLLBACK_INCOMPLETE;
		if (txns[i].outcome == VT_TXN_ROLLED_BACK)
			ret = VT_EXIT_NOT_CONVERGED;
		else if (ret == VT_EXIT_OK)
			ret = VT_EXIT_CHANGED;
	}
	for (size_t i = 0; i < plan->n_trunks; i++)
		if (!plan->trunks[i].can_converge)
			ret = VT_EXIT_NOT_CONVERGED;
	return ret;
}

static const char *result_name(int code)
{
	switch (code) {
	case VT_EXIT_OK: return "in_sync";
	case VT_EXIT_CHANGED: return "changed";
	case VT_EXIT_ROLLBACK_INCOMPLETE: return "rollback_incomplete";
	default: return "not_converged";
	}
}

static void print_text(const struct vt_cli *cli, const struct vt_world *w, const struct vt_txn *txns,
		       size_t n_txns, int code)
{
	for (size_t i = 0; i < w->plan.n_trunks; i++) {
		struct outcome o;

		trunk_outcome(&w->plan, txns, n_txns, i, &o);
		if (!o.txn && o.status == VT_TRUNK_ACTIVE && cli->verbosity <= 0)
			continue;
		printf("%s: %s", w->plan.trunks[i].name, vt_trunk_status_name(o.status));
		if (o.txn && o.txn->outcome == VT_TXN_APPLIED && o.ops)
			printf(": %zu operation%s applied", o.ops, o.ops == 1 ? "" : "s");
		else if (o.txn)
			printf(": failed, %s (%zu request%s undone)",
			       o.txn->outcome == VT_TXN_ROLLED_BACK ? "rolled back" : "ROLLBACK INCOMPLETE",
			       o.txn->rolled_back, o.txn->rolled_back == 1 ? "" : "s");
		if (o.reason[0])
			printf(": %s", o.reason);
		if (o.txn && o.txn->outcome == VT_TXN_ROLLBACK_INCOMPLETE)
			printf("; cause: %s", o.txn->error);
		putchar('\n');
	}
	if (cli->verbosity < 0)
		return;
	switch (code) {
	case VT_EXIT_OK: printf("In sync: nothing to do.\n"); break;
	case VT_EXIT_CHANGED: printf("Converged.\n"); break;
	case VT_EXIT_ROLLBACK_INCOMPLETE:
		printf("Rollback incomplete: the journal in %s is kept; the next run retries.\n",
		       cli->state_dir);
		break;
	default: printf("Not converged; nothing half-applied was left.\n");
	}
}

static void print_json(const char *command, const struct vt_world *w, const struct vt_txn *txns,
		       size_t n_txns, int code)
{
	json_t *trunks = json_array(), *doc;

	for (size_t i = 0; i < w->plan.n_trunks; i++) {
		struct outcome o;
		const struct vt_txn *t;
		json_t *errors = json_array();

		trunk_outcome(&w->plan, txns, n_txns, i, &o);
		t = o.txn;
		if (t && t->outcome != VT_TXN_APPLIED)
			json_array_append_new(errors, json_string(t->error));
		if (t && t->remains[0])
			json_array_append_new(errors, json_string(t->remains));
		if (!w->plan.trunks[i].can_converge)
			json_array_append_new(errors, json_string(w->plan.trunks[i].reason));
		json_array_append_new(trunks, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o}",
			"name", w->plan.trunks[i].name, "status", vt_trunk_status_name(o.status),
			"reason", o.reason,
			"outcome", t ? vt_txn_outcome_name(t->outcome) :
				   w->plan.trunks[i].can_converge ? "unchanged" : "skipped",
			"operations", (json_int_t)o.ops,
			"operations_applied", (json_int_t)(t && t->outcome == VT_TXN_APPLIED ? o.ops : 0),
			"requests_applied", (json_int_t)(t ? t->applied : 0),
			"requests_rolled_back", (json_int_t)(t ? t->rolled_back : 0),
			"errors", errors));
	}
	doc = json_pack("{s:s, s:s, s:s?, s:o}", "command", command, "result", result_name(code),
			"recovered_transaction", w->recovered ? w->recovered_id : NULL,
			"trunks", trunks);
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
}

int vt_cmd_reconcile(const struct vt_cli *cli, bool teardown)
{
	const char *command = teardown ? "teardown" : "reconcile";
	struct vt_engine engine = { .atomic = cli->atomic };
	struct vt_txn *txns = NULL;
	size_t n_txns = 0;
	struct vt_world w;
	int ret;

	vt_world_init(&w);
	/* Teardown needs no desired state: it goes towards none. */
	ret = teardown ? 0 : vt_world_load(cli, command, &w);
	if (!ret)
		ret = vt_world_lock(cli, command, &w, true);
	if (!ret)
		ret = vt_world_scan(cli, command, &w);
	if (ret)
		goto out;

	engine.nl = w.nl;
	engine.state_dirfd = w.sd.dirfd;
	engine.desired = &w.desired;
	engine.links = &w.links;
	engine.plan = &w.plan;
	if (vt_engine_commit(&engine, &txns, &n_txns) < 0) {
		vt_report_failure(cli, command, "out of memory", NULL);
		ret = VT_EXIT_CANNOT_RUN;
		goto out;
	}
	if (n_txns)
		vt_last_record(w.sd.dirfd, &w.plan, txns, n_txns);
	ret = exit_code(&w.plan, txns, n_txns);
	if (cli->json)
		print_json(command, &w, txns, n_txns, ret);
	else
		print_text(cli, &w, txns, n_txns, ret);
out:
	vt_txns_free(txns, n_txns);
	vt_world_free(&w);
	return ret;
}
