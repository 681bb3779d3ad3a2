/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "metrics.h"

static const struct {
	const char *key, *name, *type, *help;
} counters[] = {
	{ "runs", "vlantrunk_reconciles_total", "counter", "Reconcile runs by the agent." },
	{ "repairs", "vlantrunk_drift_repairs_total", "counter",
	  "Transactions the agent applied to repair drift or apply a new desired state." },
	{ "failures", "vlantrunk_reconcile_failures_total", "counter", "Transactions that failed." },
	{ "rollbacks", "vlantrunk_rollbacks_total", "counter",
	  "Failed transactions rolled back and verified." },
	{ "recoveries", "vlantrunk_journal_recoveries_total", "counter",
	  "Interrupted transactions recovered from the journal." },
	{ "resyncs", "vlantrunk_resyncs_total", "counter", "Periodic full reconciles." },
	{ "overruns", "vlantrunk_event_overruns_total", "counter",
	  "Link event overruns (each followed by a full reconcile)." },
	{ "reloads", "vlantrunk_config_reloads_total", "counter", "Desired states loaded." },
	{ "reload_errors", "vlantrunk_config_errors_total", "counter", "Desired states refused." },
	{ "last_run_ms", "vlantrunk_last_reconcile_duration_seconds", "gauge",
	  "How long the last reconcile took." },
	{ "last_run_time", "vlantrunk_last_reconcile_timestamp_seconds", "gauge",
	  "When the last reconcile ended (Unix time)." },
};

/* A label value: '\\' and '"' escaped (a subport name or a path may hold them). */
static void put_label(FILE *out, const char *s)
{
	for (; *s; s++)
		fprintf(out, "%s%c", *s == '\\' || *s == '"' ? "\\" : "", *s);
}

/*
 * Subports in other network namespaces, by namespace (as the desired state
 * writes it) and state: a pod's subports at a glance.
 */
static void netns_subports(FILE *out, const struct vt_plan *plan)
{
	bool any = false;

	for (size_t i = 0; i < plan->n_trunks; i++)
		for (size_t k = 0; k < plan->trunks[i].n_subports; k++) {
			const struct vt_subport_report *rep = &plan->trunks[i].subports[k];

			if (!rep->want || !rep->want->netns)
				continue;
			if (!any)
				fprintf(out, "# HELP vlantrunk_netns_subport Each subport in another "
					     "network namespace, by namespace and state.\n"
					     "# TYPE vlantrunk_netns_subport gauge\n");
			any = true;
			fprintf(out, "vlantrunk_netns_subport{trunk=\"%s\",subport=\"",
				plan->trunks[i].name);
			put_label(out, rep->want->name);
			fputs("\",netns=\"", out);
			put_label(out, rep->want->netns);
			fprintf(out, "\",state=\"%s\"} 1\n", vt_subport_state_name(rep->state));
		}
}

void vt_metrics_print(FILE *out, const struct vt_plan *plan, const json_t *agent)
{
	size_t by_status[VT_TRUNK_ERROR + 1] = { 0 }, by_state[VT_SP_BLOCKED + 1] = { 0 };

	for (size_t i = 0; i < plan->n_trunks; i++) {
		by_status[plan->trunks[i].status]++;
		for (size_t j = 0; j < plan->trunks[i].n_subports; j++)
			by_state[plan->trunks[i].subports[j].state]++;
	}
	fprintf(out, "# HELP vlantrunk_trunks Trunks by status.\n# TYPE vlantrunk_trunks gauge\n");
	for (int s = 0; s <= VT_TRUNK_ERROR; s++)
		fprintf(out, "vlantrunk_trunks{status=\"%s\"} %zu\n",
			vt_trunk_status_name((enum vt_trunk_status)s), by_status[s]);
	fprintf(out, "# HELP vlantrunk_trunk_status Each trunk's status (1 for the one it has).\n"
		     "# TYPE vlantrunk_trunk_status gauge\n");
	/* Trunk names are [A-Za-z0-9_.-]: nothing to escape in a label. */
	for (size_t i = 0; i < plan->n_trunks; i++)
		fprintf(out, "vlantrunk_trunk_status{trunk=\"%s\",status=\"%s\"} 1\n",
			plan->trunks[i].name, vt_trunk_status_name(plan->trunks[i].status));
	fprintf(out, "# HELP vlantrunk_subports Subports by state (drifted: all but in_sync).\n"
		     "# TYPE vlantrunk_subports gauge\n");
	for (int s = 0; s <= VT_SP_BLOCKED; s++)
		fprintf(out, "vlantrunk_subports{state=\"%s\"} %zu\n",
			vt_subport_state_name((enum vt_subport_state)s), by_state[s]);
	netns_subports(out, plan);
	for (size_t i = 0; agent && i < sizeof(counters) / sizeof(counters[0]); i++) {
		json_t *v = json_object_get(agent, counters[i].key);
		double value = json_number_value(v);

		if (!json_is_number(v))
			continue;
		if (!strcmp(counters[i].key, "last_run_ms"))
			value /= 1000.0;
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", counters[i].name,
			counters[i].help, counters[i].name, counters[i].type, counters[i].name, value);
	}
}

struct metrics_doc {
	const struct vt_plan *plan;
	const json_t *agent;
};

static int print_doc(FILE *f, void *arg)
{
	const struct metrics_doc *doc = arg;

	vt_metrics_print(f, doc->plan, doc->agent);
	return 0;
}

int vt_metrics_write(const char *path, const struct vt_plan *plan, const json_t *agent)
{
	struct metrics_doc doc = { .plan = plan, .agent = agent };
	const char *name;
	int dirfd = vt_atomic_file_dir(path, &name), ret;

	if (dirfd < 0)
		return dirfd;
	/* node-exporter reads *.prom only: the temporary name ("<path>.tmp") is skipped. */
	ret = vt_atomic_file_print(dirfd, name, 0666, 0, print_doc, &doc);
	close(dirfd);
	return ret;
}
