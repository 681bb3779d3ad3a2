/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One reconcile pass of the agent: the trunks due, the lock, the run through
 * the same engine as `reconcile`, and what it did: logged, backed off,
 * counted, told to systemd, recorded in the state dir and written as
 * metrics. Also the status agent.sock answers with.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon_internal.h"
#include "run/last.h"
#include "report/metrics.h"
#include "run/run.h"
#include "report/report.h"

#define LOCK_BUSY_RETRY_NS 1000000000ULL

/*
 * A run's notes for people go to the agent's log at info (as on stderr, which
 * the journal records at info), so -q drops them as it drops every note; the
 * debugging ones only with -v.
 */
static void note(void *arg, enum vt_note_level level, const char *text)
{
	const struct vt_daemon *d = arg;

	if (level == VT_NOTE_DEBUG && d->cfg.verbosity <= 0)
		return;
	vt_log(&d->log, level == VT_NOTE_DEBUG ? LOG_DEBUG : LOG_INFO, "%s", text);
}

/* What a run of @command is asked, with the trunks in scope set per run. */
static void world_opts(const struct vt_daemon *d, const char *command, struct vt_world_opts *o)
{
	*o = (struct vt_world_opts){
		.command = command,
		.config = d->cfg.config,
		.state_dir = d->cfg.state_dir,
		.trunks = d->names,
		.n_trunks = d->n_scope,
		.note = note,
		.note_arg = (void *)d,
	};
}

/* A run that could not start, said once in the log. */
static void log_failure(const struct vt_daemon *d, const struct vt_failure *f)
{
	if (f->what[0])
		vt_log(&d->log, LOG_ERR, "%s%s%s", f->what, f->hint ? "; hint: " : "",
		       f->hint ? f->hint : "");
}

/*
 * Whether another writer (a CLI reconcile, say) holds the state dir's lock.
 * The loop never waits for it in flock(): meanwhile no WATCHDOG=1 would be
 * sent and agent.sock would go unanswered. A busy lock is tried again after
 * LOCK_BUSY_RETRY_NS, every trunk then (the run's marks were taken already).
 */
static bool lock_busy(struct vt_daemon *d, json_t **reply)
{
	struct vt_statedir sd = { .dirfd = -1, .lockfd = -1 };
	bool busy;

	busy = vt_statedir_open(d->cfg.state_dir, false, &sd) == 0 &&
	       vt_statedir_lock(&sd, 0) == -EWOULDBLOCK;
	vt_statedir_close(&sd);	/* a lock taken here is released: the run takes its own */
	if (!busy) {
		if (d->lock_busy)
			vt_log(&d->log, LOG_NOTICE, "the lock in %s is free again", d->cfg.state_dir);
		d->lock_busy = false;
		return false;
	}
	if (!d->lock_busy)
		vt_log(&d->log, LOG_NOTICE, "another vlantrunk holds the lock in %s; trying again "
		       "every second", d->cfg.state_dir);
	d->lock_busy = true;
	d->all_dirty = true;
	vt_schedule_arm(d->retry_fd, vt_schedule_now() + LOCK_BUSY_RETRY_NS, 0);
	if (reply)
		*reply = json_pack("{s:s, s:s, s:i}", "error", "the lock is busy",
				   "hint", "another vlantrunk is writing; the agent runs once it is free",
				   "exit", VT_EXIT_CANNOT_RUN);
	return true;
}

static json_t *agent_json(const struct vt_daemon *d)
{
	return json_pack("{s:i, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I}",
			 "pid", (int)getpid(), "config", d->cfg.config,
			 "config_error", d->config_error[0] ? vt_json_text(d->config_error) : json_null(),
			 "runs", (json_int_t)d->stats.runs, "repairs", (json_int_t)d->stats.repairs,
			 "failures", (json_int_t)d->stats.failures,
			 "rollbacks", (json_int_t)d->stats.rollbacks,
			 "recoveries", (json_int_t)d->stats.recoveries,
			 "resyncs", (json_int_t)d->stats.resyncs,
			 "overruns", (json_int_t)d->stats.overruns,
			 "reloads", (json_int_t)d->stats.reloads,
			 "reload_errors", (json_int_t)d->stats.reload_errors,
			 "last_run_ms", d->last_run_ms, "last_run_time", (json_int_t)d->last_run_time);
}

void vt_pass_notify(const struct vt_daemon *d, const struct vt_run *run)
{
	size_t counts[VT_TRUNK_ERROR + 1] = { 0 };

	for (size_t i = 0; run && i < run->world.plan.n_trunks; i++) {
		struct vt_trunk_outcome o;

		vt_run_outcome(run, i, &o);
		counts[o.status]++;
	}
	vt_systemd_notify(&d->systemd,
			  "STATUS=%zu trunks: %zu active, %zu down, %zu degraded, %zu error; "
			  "%lu repairs, %lu failures%s%s", d->desired.n_trunks,
			  counts[VT_TRUNK_ACTIVE], counts[VT_TRUNK_DOWN], counts[VT_TRUNK_DEGRADED],
			  counts[VT_TRUNK_ERROR], d->stats.repairs, d->stats.failures,
			  d->config_error[0] ? "; config refused: " : "", d->config_error);
}

void vt_pass_record(const struct vt_daemon *d)
{
	struct vt_statedir sd;

	if (vt_statedir_open(d->cfg.state_dir, false, &sd) < 0)
		return;
	vt_last_set(sd.dirfd, "agent", agent_json(d));
	vt_statedir_close(&sd);
}

/* A world that reads the kernel between runs holds the trunks of the kept journals too. */
static void lend_held(const struct vt_daemon *d, struct vt_world *w)
{
	w->held = d->held;
	w->n_held = d->n_held;
}

/* Metrics for node-exporter: every trunk's status as the kernel has it now. */
static void write_textfile(struct vt_daemon *d)
{
	struct vt_world_opts o;
	struct vt_world w;
	json_t *agent;
	int ret;

	if (!d->cfg.textfile)
		return;
	vt_world_init(&w);
	w.intent = &d->desired;
	w.nl = d->nl;
	w.nl_borrowed = true;
	d->n_scope = 0;
	agent = agent_json(d);
	lend_held(d, &w);
	world_opts(d, "agent", &o);
	ret = vt_world_scan(&o, &w);
	if (ret)
		log_failure(d, &w.failure);
	if (ret == 0)
		ret = vt_metrics_write(d->cfg.textfile, &w.plan, agent);
	if (ret < 0)
		vt_log(&d->log, LOG_WARNING, "cannot write %s: %s", d->cfg.textfile, strerror(-ret));
	json_decref(agent);
	w.held = NULL;
	w.n_held = 0;
	vt_world_free(&w);
}

/* What a run did, trunk by trunk: the log, backoff, counters. */
static void settle(struct vt_daemon *d, const struct vt_run *run, uint64_t now)
{
	for (size_t i = 0; i < run->world.plan.n_trunks; i++) {
		const struct vt_trunk_report *r = &run->world.plan.trunks[i];
		struct vt_trunk_outcome o;
		bool failed;

		vt_run_outcome(run, i, &o);
		failed = o.txn && o.txn->outcome != VT_TXN_APPLIED;
		if (o.txn && !failed) {
			d->stats.repairs++;
			vt_log(&d->log, LOG_INFO, "trunk %s: %s, %zu operation%s applied%s%s", r->name,
			       vt_trunk_status_name(o.status), o.ops, o.ops == 1 ? "" : "s",
			       o.reason && o.reason[0] ? ": " : "", o.reason ? o.reason : "");
		} else if (failed) {
			d->stats.failures++;
			d->stats.rollbacks += o.txn->outcome == VT_TXN_ROLLED_BACK;
			vt_log(&d->log, LOG_ERR, "trunk %s: %s: %s", r->name,
			       o.txn->outcome == VT_TXN_ROLLED_BACK ? "failed, rolled back" :
			       "failed, ROLLBACK INCOMPLETE", o.reason);
		} else if (!r->can_converge || vt_trunk_netns_missing(r)) {
			/* A namespace gone (or not there yet): its subports wait, named. */
			vt_log(&d->log, LOG_WARNING, "trunk %s: %s: %s", r->name,
			       vt_trunk_status_name(r->status), r->reason);
		}
		vt_schedule_settle(d, r->name, failed, now);
	}
}

/*
 * What a run's recovery left: the kept journals back off, and their trunks
 * stay held (ERROR, with the reason) in status until a recovery verifies them.
 */
void vt_pass_keep_held(struct vt_daemon *d, struct vt_world *w, uint64_t now)
{
	/* Each failed attempt was logged by the run (the agent's log: the journal under systemd). */
	if (vt_schedule_recovery_settle(d, w->held, w->n_held, now) < 0)
		vt_log(&d->log, LOG_ERR, "out of memory noting kept journals");
	vt_world_held_free(d->held, d->n_held);
	d->held = w->held;
	d->n_held = w->n_held;
	w->held = NULL;
	w->n_held = 0;
}

int vt_pass_run(struct vt_daemon *d, json_t **reply)
{
	uint64_t start = vt_schedule_now(), next;
	struct vt_run run;
	size_t n;
	int ret;

	if (reply) {
		/* Asked for by root: now, backoff or not. */
		d->all_dirty = true;
		for (size_t i = 0; i < d->desired.n_trunks; i++)
			d->trunks[i].retry_at = 0;
	}
	/*
	 * A kept journal's retry is due: a run recovers it, whichever trunks it is
	 * for, even when every trunk is backing off (the recovery has its own).
	 */
	if (vt_schedule_recovery_due(d, start)) {
		d->all_dirty = true;
		for (size_t i = 0; i < d->desired.n_trunks; i++)
			d->trunks[i].retry_at = 0;
	}
	n = vt_schedule_due(d, start);
	if (!n && !d->all_dirty)
		return 0;
	/* Every trunk: no filter, so devices of trunks no longer desired go too. */
	d->n_scope = d->all_dirty && n == d->desired.n_trunks ? 0 : n;
	if (d->all_dirty && n == 0 && d->desired.n_trunks)
		return 0;	/* all backing off */
	/* Taken: what is seen from now on (the run reads events too) asks for another run. */
	d->all_dirty = false;
	if (lock_busy(d, reply))
		return VT_EXIT_CANNOT_RUN;

	struct vt_run_opts o = { .intent = &d->desired, .nl = d->nl, .source = &d->source,
				 .gate = vt_schedule_recover_gate, .gate_arg = d };

	world_opts(d, "reconcile", &o.world);
	ret = vt_run_reconcile(&o, &run);
	if (ret)
		log_failure(d, &run.world.failure);
	d->stats.runs++;
	d->stats.recoveries += run.world.recovered;
	if (ret == 0)
		vt_pass_keep_held(d, &run.world, vt_schedule_now());
	d->last_run_ms = (double)(vt_schedule_now() - start) / 1e6;
	d->last_run_time = (long)time(NULL);
	if (ret == 0) {
		settle(d, &run, vt_schedule_now());
		vt_pass_notify(d, &run);
		if (reply) {
			*reply = vt_json_run(&run);
			json_object_set_new(*reply, "agent", agent_json(d));
		}
	} else {
		/* Nothing was changed (the lock is busy, say): try again soon. */
		vt_log(&d->log, LOG_WARNING, "reconcile could not run (exit %d); retrying", ret);
		d->all_dirty = true;
		vt_schedule_arm(d->retry_fd, vt_schedule_now() + LOCK_BUSY_RETRY_NS, 0);
		if (reply)
			*reply = json_pack("{s:s, s:i}", "error", "reconcile could not run", "exit", ret);
	}
	vt_run_free(&run);
	vt_pass_record(d);
	write_textfile(d);
	next = vt_schedule_next_retry(d);
	if (ret == 0)
		vt_schedule_arm(d->retry_fd, next, 0);
	if (ret == 0 && vt_schedule_pending(d))
		vt_schedule_burst(d);	/* events the run read, of others' changes */
	return ret;
}

/*
 * The agent's resident pages (/proc/self/statm), or 0. Not the heap's size
 * (mallinfo2): the first run leaves large zeroed blocks it never touched
 * (calloc from fresh pages writes nothing), so a request that reuses them
 * grows the resident set without growing the heap.
 */
static unsigned long resident_pages(void)
{
	unsigned long size, resident = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f && fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	if (f)
		fclose(f);
	return resident;
}

int vt_pass_status(struct vt_daemon *d, vt_control_write_fn *write, void *sink)
{
	unsigned long resident = resident_pages();
	struct vt_world_opts o;
	struct vt_world w;
	int ret;

	vt_world_init(&w);
	w.intent = &d->desired;
	w.nl = d->nl;
	w.nl_borrowed = true;
	d->n_scope = 0;
	lend_held(d, &w);
	world_opts(d, "status", &o);
	if (vt_world_scan(&o, &w) == 0) {
		if (vt_statedir_open(d->cfg.state_dir, false, &w.sd) == 0)
			vt_status_world(&w);
		ret = vt_json_write_status(&w, json_pack("{s:o}", "agent", agent_json(d)), write,
					   sink);
	} else {
		log_failure(d, &w.failure);
		ret = vt_json_write(json_pack("{s:s}", "error", "cannot read the kernel's links"),
				    write, sink);
	}
	w.held = NULL;
	w.n_held = 0;
	vt_world_free(&w);
	/*
	 * The daemon keeps its heap for the runs (daemon.c), but what a status
	 * request made resident beyond what they had is not to be kept. Handed
	 * back: all that is free (the next run faults its own share in again).
	 */
	if (resident && resident_pages() > resident)
		malloc_trim(0);
	return ret;
}
