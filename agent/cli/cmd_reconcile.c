/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `reconcile` and `teardown`: a run (reconcile.c), then its report. */
#include <stdio.h>

#include <jansson.h>

#include "run/run.h"

static const char *result_name(int code)
{
	switch (code) {
	case VT_EXIT_OK: return "in_sync";
	case VT_EXIT_CHANGED: return "changed";
	case VT_EXIT_ROLLBACK_INCOMPLETE: return "rollback_incomplete";
	default: return "not_converged";
	}
}

static void print_text(const struct vt_cli *cli, const struct vt_run *run)
{
	const struct vt_plan *plan = &run->world.plan;

	for (size_t i = 0; i < plan->n_trunks; i++) {
		struct vt_trunk_outcome o;

		vt_run_outcome(run, i, &o);
		if (!o.txn && o.status == VT_TRUNK_ACTIVE && cli->verbosity <= 0)
			continue;
		printf("%s: %s", plan->trunks[i].name, vt_trunk_status_name(o.status));
		if (o.txn && o.txn->outcome == VT_TXN_APPLIED && o.ops)
			printf(": %zu operation%s applied", o.ops, o.ops == 1 ? "" : "s");
		else if (o.txn && o.txn->outcome != VT_TXN_APPLIED)
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
	switch (run->exit_code) {
	case VT_EXIT_OK: printf("In sync: nothing to do.\n"); break;
	case VT_EXIT_CHANGED: printf("Converged.\n"); break;
	case VT_EXIT_ROLLBACK_INCOMPLETE:
		printf("Rollback incomplete: the journal in %s is kept; the next run retries.\n",
		       cli->state_dir);
		break;
	default: printf("Not converged; nothing half-applied was left.\n");
	}
}

json_t *vt_run_json(const struct vt_run *run)
{
	const struct vt_plan *plan = &run->world.plan;
	json_t *trunks = json_array();

	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_trunk_report *r = &plan->trunks[i];
		struct vt_trunk_outcome o;
		json_t *errors = json_array();
		const struct vt_txn *t;

		vt_run_outcome(run, i, &o);
		t = o.txn;
		if (t && t->outcome != VT_TXN_APPLIED)
			json_array_append_new(errors, vt_json_text(t->error));
		if (t && t->remains[0])
			json_array_append_new(errors, vt_json_text(t->remains));
		if (!r->can_converge)
			json_array_append_new(errors, vt_json_text(r->reason));
		else if (!t && o.ops && run->refused[0])
			json_array_append_new(errors, vt_json_text(run->refused));
		json_array_append_new(trunks, json_pack("{s:o, s:s, s:o, s:s, s:I, s:I, s:I, s:I, s:o}",
			"name", vt_json_text(r->name), "status", vt_trunk_status_name(o.status),
			"reason", vt_json_text(o.reason),
			"outcome", t ? vt_txn_outcome_name(t->outcome) :
				   r->can_converge && !(o.ops && run->refused[0]) ? "unchanged" : "skipped",
			"operations", (json_int_t)o.ops,
			"operations_applied", (json_int_t)(t && t->outcome == VT_TXN_APPLIED ? o.ops : 0),
			"requests_applied", (json_int_t)(t ? t->applied : 0),
			"requests_rolled_back", (json_int_t)(t ? t->rolled_back : 0),
			"errors", errors));
	}
	return json_pack("{s:s, s:s, s:s?, s:o}", "command", run->command,
			 "result", result_name(run->exit_code), "recovered_transaction",
			 run->world.recovered ? run->world.recovered_id : NULL, "trunks", trunks);
}

int vt_cmd_reconcile(const struct vt_cli *cli, bool teardown)
{
	struct vt_run run;
	int ret = vt_run_reconcile(cli, NULL, NULL, NULL, NULL, NULL, teardown, &run);

	if (!ret) {
		ret = run.exit_code;
		if (cli->json)
			vt_json_print(vt_run_json(&run));
		else
			print_text(cli, &run);
	}
	vt_run_free(&run);
	return ret;
}
