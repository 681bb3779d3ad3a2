/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's loop. One epoll over: link events, the config watch, signals
 * (signalfd), timers (debounce, retries, periodic resync, watchdog) and the
 * control socket. Runs happen in the loop, one at a time: a SIGTERM that
 * arrives during a transaction is read after it has committed or rolled
 * back. Managed devices are never deleted on the way out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon_internal.h"
#include "run/last.h"
#include "report/metrics.h"
#include "run/run.h"

#define RELOAD_DEBOUNCE_MS 200
#define LOCK_BUSY_RETRY_NS 1000000000ULL

uint64_t vt_schedule_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One-shot at @at (monotonic ns; 0 disarms), or every @interval_ns. */
void vt_schedule_arm(int fd, uint64_t at, uint64_t interval_ns)
{
	struct itimerspec its = {
		.it_value = { (time_t)(at / 1000000000ULL), (long)(at % 1000000000ULL) },
		.it_interval = { (time_t)(interval_ns / 1000000000ULL),
				 (long)(interval_ns % 1000000000ULL) },
	};

	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void vt_schedule_debounce(struct vt_daemon *d, uint64_t delay_ms)
{
	if (d->debounce_armed)
		return;
	vt_schedule_arm(d->debounce_fd, vt_schedule_now() + delay_ms * 1000000ULL, 0);
	d->debounce_armed = true;
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

	busy = vt_statedir_open(d->cli.state_dir, false, &sd) == 0 &&
	       vt_statedir_lock(&sd, 0) == -EWOULDBLOCK;
	vt_statedir_close(&sd);	/* a lock taken here is released: the run takes its own */
	if (!busy) {
		if (d->lock_busy)
			vt_log(&d->log, LOG_NOTICE, "the lock in %s is free again", d->cli.state_dir);
		d->lock_busy = false;
		return false;
	}
	if (!d->lock_busy)
		vt_log(&d->log, LOG_NOTICE, "another vlantrunk holds the lock in %s; trying again "
		       "every second", d->cli.state_dir);
	d->lock_busy = true;
	d->all_dirty = true;
	vt_schedule_arm(d->retry_fd, vt_schedule_now() + LOCK_BUSY_RETRY_NS, 0);
	if (reply)
		*reply = json_pack("{s:s, s:s, s:i}", "error", "the lock is busy",
				   "hint", "another vlantrunk is writing; the agent runs once it is free",
				   "exit", VT_EXIT_CANNOT_RUN);
	return true;
}

/*
 * What the desired state's files look like on disk. Checked at each periodic
 * resync, so a change is still picked up where inotify sees nothing (network
 * file systems).
 */
static uint64_t config_fingerprint(const struct vt_daemon *d)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	struct stat st;

	for (size_t i = 0; i <= d->desired.n_files; i++) {
		const char *path = i ? d->desired.files[i - 1] : d->cli.config;
		uint64_t fields[4] = { 0 };

		if (stat(path, &st) == 0) {
			fields[0] = (uint64_t)st.st_ino;
			fields[1] = (uint64_t)st.st_size;
			fields[2] = (uint64_t)st.st_mtim.tv_sec;
			fields[3] = (uint64_t)st.st_mtim.tv_nsec;
		}
		for (size_t b = 0; b < sizeof(fields); b++) {
			h ^= ((const unsigned char *)fields)[b];
			h *= 1099511628211ULL;
		}
	}
	return h;
}

static json_t *agent_json(const struct vt_daemon *d)
{
	return json_pack("{s:i, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I}",
			 "pid", (int)getpid(), "config", d->cli.config,
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

	if (vt_statedir_open(d->cli.state_dir, false, &sd) < 0)
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
	struct vt_world w;
	json_t *agent;
	int ret;

	if (!d->cli.textfile)
		return;
	vt_world_init(&w);
	w.intent = &d->desired;
	w.nl = d->nl;
	w.nl_borrowed = true;
	d->cli.n_trunks = 0;
	agent = agent_json(d);
	lend_held(d, &w);
	ret = vt_world_scan(&d->cli, "agent", &w);
	if (ret == 0)
		ret = vt_metrics_write(d->cli.textfile, &w.plan, agent);
	if (ret < 0)
		vt_log(&d->log, LOG_WARNING, "cannot write %s: %s", d->cli.textfile, strerror(-ret));
	json_decref(agent);
	w.held = NULL;
	w.n_held = 0;
	vt_world_free(&w);
}

bool vt_schedule_pending(const struct vt_daemon *d)
{
	for (size_t i = 0; i < d->desired.n_trunks; i++)
		if (d->trunks[i].dirty)
			return true;
	return d->all_dirty;
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
			vt_log(&d->log, LOG_INFO, "trunk %s: %s, %zu operation%s applied", r->name,
			       vt_trunk_status_name(o.status), o.ops, o.ops == 1 ? "" : "s");
		} else if (failed) {
			d->stats.failures++;
			d->stats.rollbacks += o.txn->outcome == VT_TXN_ROLLED_BACK;
			vt_log(&d->log, LOG_ERR, "trunk %s: %s: %s", r->name,
			       o.txn->outcome == VT_TXN_ROLLED_BACK ? "failed, rolled back" :
			       "failed, ROLLBACK INCOMPLETE", o.reason);
		} else if (!r->can_converge) {
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
	/* Each failed attempt was logged by the run (on stderr, the journal under systemd). */
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
	d->cli.trunks = d->names;
	/* Every trunk: no filter, so devices of trunks no longer desired go too. */
	d->cli.n_trunks = d->all_dirty && n == d->desired.n_trunks ? 0 : n;
	if (d->all_dirty && n == 0 && d->desired.n_trunks)
		return 0;	/* all backing off */
	/* Taken: what is seen from now on (the run reads events too) asks for another run. */
	d->all_dirty = false;
	if (lock_busy(d, reply))
		return VT_EXIT_CANNOT_RUN;

	ret = vt_run_reconcile(&d->cli, &d->desired, d->nl, &d->source, vt_schedule_recover_gate, d,
			       false, &run);
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
			*reply = vt_run_json(&run);
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
		vt_schedule_debounce(d, (uint64_t)d->cli.debounce_ms);
	return ret;
}

json_t *vt_pass_status(struct vt_daemon *d)
{
	struct vt_world w;
	json_t *doc = NULL;

	vt_world_init(&w);
	w.intent = &d->desired;
	w.nl = d->nl;
	w.nl_borrowed = true;
	d->cli.n_trunks = 0;
	lend_held(d, &w);
	if (vt_world_scan(&d->cli, "status", &w) == 0) {
		if (vt_statedir_open(d->cli.state_dir, false, &w.sd) == 0)
			vt_last_apply(w.sd.dirfd, &w.plan);
		doc = vt_status_json(&w);
		json_object_set_new(doc, "agent", agent_json(d));
	}
	w.held = NULL;
	w.n_held = 0;
	vt_world_free(&w);
	return doc ? doc : json_pack("{s:s}", "error", "cannot read the kernel's links");
}

static void reload(struct vt_daemon *d)
{
	struct vt_desired fresh = { 0 };
	struct vt_diags diags = { 0 };
	struct vt_trunk_state *old = d->trunks;
	size_t n_old = d->desired.n_trunks;
	char line[1024];
	int ret;

	d->reload_pending = false;
	ret = vt_desired_load(d->cli.config, &fresh, &diags);
	if (ret < 0) {
		/* The last good desired state keeps running. */
		d->stats.reload_errors++;
		d->config_fingerprint = config_fingerprint(d);	/* reported once, not each resync */
		vt_diag_format(diags.n ? &diags.v[0] : &(struct vt_diag){ .message = "cannot be read" },
			       line, sizeof(line));
		snprintf(d->config_error, sizeof(d->config_error), "%s%s", line,
			 diags.n > 1 ? " (and more)" : "");
		for (size_t i = 0; i < diags.n; i++) {
			vt_diag_format(&diags.v[i], line, sizeof(line));
			vt_log(&d->log, LOG_ERR, "new desired state refused, keeping the last good one: %s",
			       line);
		}
		vt_diags_free(&diags);
		vt_pass_record(d);
		vt_pass_notify(d, NULL);
		return;
	}
	vt_diags_free(&diags);
	d->config_error[0] = '\0';
	d->trunks = NULL;
	vt_desired_free(&d->desired);
	d->desired = fresh;
	if (vt_schedule_index(d, old, n_old) < 0)
		d->stop = true;
	free(old);
	d->stats.reloads++;
	d->config_fingerprint = config_fingerprint(d);
	d->all_dirty = true;
	vt_log(&d->log, LOG_NOTICE, "desired state reloaded: %zu trunks", d->desired.n_trunks);
}

static void mirror(struct vt_daemon *d, enum vt_link_event event, const struct vt_link *link)
{
	struct vt_link copy = { 0 };	/* released on failure: never garbage */

	if (event == VT_EV_DELLINK) {
		vt_link_table_drop(&d->links, link->ifindex);
		return;
	}
	if (vt_link_copy(&copy, link) < 0 || vt_link_table_put(&d->links, &copy) < 0) {
		vt_link_release(&copy);
		d->links_stale = true;
	}
}

static int on_link(enum vt_link_event event, const struct vt_link *link, uint32_t origin, void *arg)
{
	struct vt_daemon *d = arg;

	if (event == VT_EV_RESYNC) {
		/* Events were lost: only a fresh dump of everything tells the truth. */
		d->stats.overruns++;
		d->all_dirty = true;
		d->links_stale = true;
		return 0;
	}
	/* Our own requests' echoes: the run that sent them verified the result. */
	if (!origin || origin != vt_nl_portid(d->nl)) {
		const struct vt_link *was = vt_link_table_find_ifindex(&d->links, link->ifindex);

		/*
		 * An event carries the device as it is now: an altname removed, or a
		 * name given up by a rename, is only in what the table had, and a
		 * trunk whose parent was named so must hear of it (and go DOWN).
		 */
		if (was)
			vt_schedule_touch(d, was);
		vt_schedule_touch(d, link);
	}
	mirror(d, event, link);
	return 0;
}

int vt_mirror_read(struct vt_daemon *d)
{
	return vt_monitor_read(d->mon, on_link, d);
}

/*
 * The run's link source. The kernel queues the events of a request before
 * it acknowledges it, so once the queue is read the copy holds what every
 * request answered so far did: what verification needs to see.
 */
static int catch_up(struct vt_daemon *d)
{
	int ret = vt_monitor_read(d->mon, on_link, d);

	if (ret < 0 || d->links_stale) {
		ret = vt_nl_dump_links(d->nl, &d->links);
		if (ret < 0)
			return ret;
		d->links_stale = false;
		return 0;
	}
	return d->links.by_name ? 0 : vt_link_table_index(&d->links);
}

static int read_links(void *arg, struct vt_link_table *into)
{
	struct vt_daemon *d = arg;
	int ret = catch_up(d);

	return ret < 0 ? ret : vt_link_table_copy(into, &d->links);
}

static int view_links(void *arg, const struct vt_link_table **out)
{
	struct vt_daemon *d = arg;
	int ret = catch_up(d);

	*out = &d->links;
	return ret;
}

#define CONFIRM_MAX 32

/*
 * The devices a transaction changed, read back one by one: the kernel sends
 * no event for a change to a device that is down, and none at all for a
 * sysctl write (the first @n_silent). Other devices that are up sent theirs,
 * and are right already; more than a few to read, and the next view dumps
 * everything instead.
 */
static int confirm_links(void *arg, const int *ifindexes, size_t n, size_t n_silent)
{
	struct vt_daemon *d = arg;
	size_t unsure = 0;
	int ret = catch_up(d);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		const struct vt_link *l = vt_link_table_find_ifindex(&d->links, ifindexes[i]);

		unsure += i < n_silent || !l || !l->up;
	}
	if (unsure > CONFIRM_MAX) {
		d->links_stale = true;
		return 0;
	}
	for (size_t i = 0; i < n && !d->links_stale; i++) {
		const struct vt_link *l = vt_link_table_find_ifindex(&d->links, ifindexes[i]);
		struct vt_link now = { 0 };

		if (i >= n_silent && l && l->up)
			continue;
		ret = vt_nl_get_link(d->nl, ifindexes[i], &now);
		if (ret == -ENODEV)
			vt_link_table_drop(&d->links, ifindexes[i]);
		else if (ret < 0 || vt_link_table_put(&d->links, &now) < 0)
			d->links_stale = true;
		vt_link_release(&now);
	}
	return 0;
}

static void invalidate_links(void *arg)
{
	((struct vt_daemon *)arg)->links_stale = true;
}

static int refresh_links(void *arg, struct vt_link_table *into)
{
	struct vt_daemon *d = arg;

	d->links_stale = true;
	return read_links(d, into);
}

struct vt_link_source vt_mirror_source(struct vt_daemon *d)
{
	return (struct vt_link_source){ .read = read_links, .refresh = refresh_links,
					.view = view_links, .confirm = confirm_links,
					.invalidate = invalidate_links, .arg = d };
}

static void drain_timer(int fd)
{
	uint64_t expirations;

	(void)!read(fd, &expirations, sizeof(expirations));
}

static void on_signal(struct vt_daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			d->reload_pending = true;
			vt_schedule_debounce(d, 0);
		} else {
			d->stop = true;
		}
	}
}

static void dispatch(struct vt_daemon *d, int fd)
{
	int ret;

	if (fd == vt_monitor_fd(d->mon)) {
		ret = vt_mirror_read(d);
		if (ret < 0)
			vt_log(&d->log, LOG_ERR, "reading link events: %s", strerror(-ret));
		if (vt_schedule_pending(d))
			vt_schedule_debounce(d, (uint64_t)d->cli.debounce_ms);
	} else if (fd == d->watch.fd) {
		if (vt_watch_relevant(&d->watch)) {
			d->reload_pending = true;
			vt_schedule_debounce(d, RELOAD_DEBOUNCE_MS);
		}
	} else if (fd == d->control.inofd) {
		if (vt_control_gone(&d->control)) {
			/* Not at once: an `rm -r` still at work would find the dir not empty. */
			d->control_pending = true;
			vt_schedule_debounce(d, RELOAD_DEBOUNCE_MS);
		}
	} else if (fd == d->sigfd) {
		on_signal(d);
	} else if (fd == d->debounce_fd) {
		drain_timer(fd);
		d->debounce_armed = false;
		if (d->control_pending) {
			d->control_pending = false;
			vt_control_ensure(&d->control);
		}
		if (d->reload_pending)
			reload(d);
		vt_pass_run(d, NULL);
	} else if (fd == d->resync_fd) {
		drain_timer(fd);
		d->stats.resyncs++;
		d->all_dirty = true;
		d->links_stale = true;	/* from a dump, not from events */
		/* Where inotify saw nothing: the dirs are looked at again too. */
		vt_control_ensure(&d->control);
		if (vt_watch_refresh(&d->watch) || config_fingerprint(d) != d->config_fingerprint)
			reload(d);
		vt_pass_run(d, NULL);
	} else if (fd == d->retry_fd) {
		drain_timer(fd);
		vt_pass_run(d, NULL);
	} else if (fd == d->watchdog_fd) {
		drain_timer(fd);
		vt_systemd_notify(&d->systemd, "WATCHDOG=1");
	} else if (fd == d->control.listen_fd) {
		vt_control_serve(&d->control);
	}
}

/* agent.sock's requests, answered as the loop would run them. */
static json_t *control_status(void *arg)
{
	return vt_pass_status(arg);
}

static void control_reconcile(void *arg, json_t **reply)
{
	vt_pass_run(arg, reply);
}

static int watch_fd(struct vt_daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int setup(struct vt_daemon *d)
{
	uint64_t watchdog_us = vt_systemd_watchdog_us(&d->systemd);
	sigset_t mask;
	int ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* Blocked: they are read from the signalfd, between runs. */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->debounce_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->resync_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->retry_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->debounce_fd < 0 || d->resync_fd < 0 ||
	    d->retry_fd < 0 || d->watchdog_fd < 0)
		return -errno;

	/* The monitor first: nothing that happens from here on is missed. */
	ret = vt_monitor_open(&d->mon, d->cli.rcvbuf);
	if (!ret)
		ret = vt_nl_open(&d->nl);
	if (!ret)
		ret = vt_control_open(&d->control, d->epfd);
	if (!ret)
		ret = vt_watch_open(&d->watch);
	if (ret < 0)
		return ret;
	vt_schedule_arm(d->resync_fd, vt_schedule_now() + (uint64_t)d->cli.resync_s * 1000000000ULL,
			(uint64_t)d->cli.resync_s * 1000000000ULL);
	if (watchdog_us)
		vt_schedule_arm(d->watchdog_fd, vt_schedule_now() + watchdog_us * 500ULL, watchdog_us * 500ULL);

	const int fds[] = { vt_monitor_fd(d->mon), d->watch.fd, d->control.inofd, d->sigfd,
			    d->debounce_fd, d->resync_fd, d->retry_fd, d->watchdog_fd,
			    d->control.listen_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]) && !ret; i++)
		ret = watch_fd(d, fds[i]);
	return ret;
}

static void cleanup(struct vt_daemon *d)
{
	const int fds[] = { d->epfd, d->sigfd, d->debounce_fd, d->resync_fd, d->retry_fd,
			    d->watchdog_fd };

	vt_control_close(&d->control);
	vt_watch_close(&d->watch);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	vt_monitor_close(d->mon);
	vt_nl_close(d->nl);
	vt_link_table_clear(&d->links);
	vt_desired_free(&d->desired);
	vt_systemd_unload(&d->systemd);
	free(d->trunks);
	vt_name_table_free(&d->by_subport);
	vt_name_table_free(&d->by_parent);
	free(d->names);
	free(d->recoveries);
	vt_world_held_free(d->held, d->n_held);
}

int vt_cmd_agent(const struct vt_cli *cli)
{
	struct vt_daemon d = {
		.cli = *cli,
		.epfd = -1, .sigfd = -1, .debounce_fd = -1, .resync_fd = -1, .retry_fd = -1,
		.watchdog_fd = -1,
		.log = {
			.systemd = &d.systemd,
			/* systemd connects stderr to the journal and says so. */
			.journal = getenv("JOURNAL_STREAM") != NULL,
			.quiet = cli->verbosity < 0,
		},
		.links_stale = true,	/* the first run dumps */
	};
	struct vt_world w;
	int ret;

	vt_control_init(&d.control, d.cli.state_dir,
			&(struct vt_control_ops){ .status = control_status,
						  .reconcile = control_reconcile, .arg = &d },
			&d.log);
	vt_watch_init(&d.watch, d.cli.config, &d.log);
	d.source = vt_mirror_source(&d);
	/*
	 * A daemon's heap is reused run after run: kept, not handed back and
	 * faulted in again (page faults are most of a run's cost at 4094 subports).
	 */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	vt_systemd_load(&d.systemd);	/* without it: no notifications, logs on stderr */
	/* Start as `reconcile` would: a valid desired state, a usable state dir. */
	vt_world_init(&w);
	ret = vt_world_load(cli, "agent", &w);
	/*
	 * A kept journal does not stop the agent: the trunks it concerns are
	 * ERROR, its recovery backs off, and every other trunk is served.
	 */
	if (!ret)
		ret = vt_world_lock(cli, "agent", &w, true);
	d.desired = w.desired;
	w.desired = (struct vt_desired){ 0 };
	if (!ret)
		vt_pass_keep_held(&d, &w, vt_schedule_now());
	vt_world_free(&w);	/* the lock is taken per run */
	if (ret)
		goto out;
	d.cli.wait = 0;		/* runs never wait in flock(): the loop retries a busy lock */
	if (vt_schedule_index(&d, NULL, 0) < 0 || setup(&d) < 0) {
		vt_log(&d.log, LOG_ERR, "cannot start: %s", strerror(errno ? errno : ENOMEM));
		ret = VT_EXIT_CANNOT_RUN;
		goto out;
	}

	d.config_fingerprint = config_fingerprint(&d);
	d.all_dirty = true;
	vt_pass_run(&d, NULL);
	vt_systemd_notify(&d.systemd, "READY=1");
	vt_log(&d.log, LOG_NOTICE, "running: %zu trunks from %s", d.desired.n_trunks, cli->config);

	while (!d.stop) {
		struct epoll_event events[16];
		int n = epoll_wait(d.epfd, events, 16, -1);

		if (n < 0 && errno != EINTR) {
			vt_log(&d.log, LOG_ERR, "epoll: %s", strerror(errno));
			ret = VT_EXIT_CANNOT_RUN;
			break;
		}
		for (int i = 0; i < n && !d.stop; i++)
			dispatch(&d, events[i].data.fd);
	}
	vt_systemd_notify(&d.systemd, "STOPPING=1");
	vt_log(&d.log, LOG_NOTICE, "stopping; managed devices stay as they are");
out:
	cleanup(&d);
	return ret;
}
