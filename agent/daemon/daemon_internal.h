/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon_internal.h - for agent/daemon/'s own files only (no test includes
 * it): the daemon's context, struct vt_daemon, which holds all the agent's
 * mutable state, and the functions of schedule.c, mirror.c and pass.c that
 * daemon.c and each other use. Each works on the context it is handed and
 * keeps no state of its own. control.h, watch.h, log.h and systemd.h are
 * below this: they never see the context.
 */
#ifndef VT_DAEMON_INTERNAL_H
#define VT_DAEMON_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/name_table.h"
#include "run/run.h"
#include "control.h"
#include "daemon.h"
#include "log.h"
#include "systemd.h"
#include "watch.h"

struct vt_run;

/* Per desired trunk: what the loop knows of it between runs. */
struct vt_trunk_state {
	char name[VT_TRUNK_NAME_MAX + 1];
	bool dirty;			/* an event touched it: reconcile after the debounce */
	unsigned int failures;		/* transactions failed in a row */
	uint64_t retry_at;		/* CLOCK_MONOTONIC ns; 0 when not backing off */
};

/* A kept journal whose recovery failed: retried with backoff, while the rest is served. */
struct vt_recovery {
	char file[96];
	unsigned int failures;		/* attempts failed in a row */
	uint64_t retry_at;		/* CLOCK_MONOTONIC ns */
	char reason[2048];		/* why the last attempt failed */
};

struct vt_daemon_stats {
	unsigned long runs, repairs, failures, rollbacks, recoveries, resyncs, overruns, reloads,
		reload_errors;
};

/* The daemon's context: the only mutable state of the agent. */
struct vt_daemon {
	struct vt_daemon_config cfg;	/* how it was started */
	const char **names;		/* the trunks in the next run's scope ... */
	size_t n_scope;			/* ... how many; 0: every trunk */
	struct vt_desired desired;	/* the last valid desired state */
	char config_error[1100];	/* why the newest config was refused; "" when it was not */
	struct vt_trunk_state *trunks;	/* parallel to desired.trunks */
	/* Trunk indexes by subport name and by parent name: how events find their trunks. */
	struct vt_name_table by_subport, by_parent;
	struct vt_recovery *recoveries;	/* kept journals backing off */
	size_t n_recoveries;
	struct vt_held *held;		/* kept journals as the last run saw them: status holds their trunks */
	size_t n_held;
	bool all_dirty;			/* overrun, resync, reload: every trunk */
	bool reload_pending;
	bool debounce_armed;
	uint64_t debounce_at;		/* when it fires (monotonic ns), while armed */
	uint64_t burst_at;		/* the first link event it waits after; 0: none */
	bool stop;
	struct vt_systemd systemd;
	struct vt_log log;		/* through systemd's journal, or to stderr */
	struct vt_nl *nl;		/* all requests go through it: its events are ours */
	struct vt_monitor *mon;
	/*
	 * The kernel's links as the monitor's events say they are now: runs read
	 * them here, not from a dump of everything (twice) per run. Stale after
	 * an overrun or a failure to apply an event: then the next read dumps.
	 */
	struct vt_link_table links;
	bool links_stale;
	struct vt_link_source source;
	int epfd, sigfd, debounce_fd, resync_fd, retry_fd, watchdog_fd;
	/*
	 * /proc/self/mountinfo, polled for EPOLLPRI: the kernel signals every
	 * change of the mount table, and a namespace `ip netns add` (or a CNI
	 * runtime) names is a bind mount; so is its `ip netns del`. -1 if absent.
	 */
	int mounts_fd;
	/*
	 * The ids (here) of the namespaces the last read registered: events of
	 * other namespaces are none of the agent's business (a node's pods all
	 * have ids, for their veth peers).
	 */
	int32_t *netns_ids;
	size_t n_netns_ids;
	struct vt_watch watch;		/* the desired state's files: when to reload */
	struct vt_control control;	/* agent.sock: status and reconcile on request */
	bool control_pending;		/* agent.sock or its dir went: check after the debounce */
	bool lock_busy;			/* the last run found the lock taken (logged once) */
	uint64_t config_fingerprint;	/* of the files last loaded (valid or not) */
	struct vt_daemon_stats stats;
	double last_run_ms;
	long last_run_time;		/* Unix time */
};

/* schedule.c: when the agent runs, and for which trunks. */

/** vt_schedule_now - CLOCK_MONOTONIC in ns: the clock of every deadline here. */
uint64_t vt_schedule_now(void);

/**
 * vt_schedule_arm - timerfd @fd fires at @at (monotonic ns; 0 disarms it),
 * then every @interval_ns (0: once).
 */
void vt_schedule_arm(int fd, uint64_t at, uint64_t interval_ns);

/**
 * vt_schedule_debounce - a run in @delay_ms, unless one is due sooner: the
 * debounce timer is armed once and runs what has piled up by then.
 */
void vt_schedule_debounce(struct vt_daemon *d, uint64_t delay_ms);

/**
 * vt_schedule_burst - a link event: a run once the events have been quiet
 * for a few milliseconds (a burst is over), and at the latest --debounce
 * after the burst's first event, or sooner when one was due sooner anyway.
 */
void vt_schedule_burst(struct vt_daemon *d);

/** vt_schedule_fired - the debounce timer fired: the next event starts a new burst. */
void vt_schedule_fired(struct vt_daemon *d);

/**
 * vt_schedule_index - per-trunk state and name indexes for d->desired, keeping
 * the backoff of trunks also in @old. 0 or -ENOMEM.
 */
int vt_schedule_index(struct vt_daemon *d, const struct vt_trunk_state *old, size_t n_old);

/**
 * vt_schedule_touch - mark the trunks a changed @link concerns, by its marker,
 * its name and its altnames; whether any. Call it with the device as it was
 * before the event too: a name or altname it lost concerns a trunk as well.
 */
bool vt_schedule_touch(struct vt_daemon *d, const struct vt_link *link);

/**
 * vt_schedule_due - the names of the trunks to reconcile now (marked, or
 * every trunk after an overrun or resync, less those backing off, plus those
 * whose retry is due) into d->names, their marks cleared: an event from now
 * on marks them for the run after. Returns how many.
 */
size_t vt_schedule_due(struct vt_daemon *d, uint64_t now);

/** vt_schedule_settle - a run's outcome for @trunk: back off on failure. */
void vt_schedule_settle(struct vt_daemon *d, const char *trunk, bool failed, uint64_t now);

/**
 * vt_schedule_recover_gate - a vt_recover_gate (arg: the daemon): a journal
 * whose recovery failed is tried again only once its backoff is over.
 */
bool vt_schedule_recover_gate(void *arg, const char *file, char *why, size_t len);

/**
 * vt_schedule_recovery_settle - what a run's recovery did: each kept journal
 * it tried backs off (1 s, doubling, up to 5 min); one no longer kept is
 * forgotten. 0 or -ENOMEM.
 */
int vt_schedule_recovery_settle(struct vt_daemon *d, const struct vt_held *held, size_t n_held,
				uint64_t now);

/** vt_schedule_recovery_due - whether a kept journal's retry is due at @now. */
bool vt_schedule_recovery_due(const struct vt_daemon *d, uint64_t now);

/** vt_schedule_next_retry - the earliest retry due (monotonic ns), or 0. */
uint64_t vt_schedule_next_retry(const struct vt_daemon *d);

/** vt_schedule_pending - whether a trunk is marked, or every trunk is. */
bool vt_schedule_pending(const struct vt_daemon *d);

/* mirror.c: the kernel's links as the monitor's events say they are now. */

/**
 * vt_mirror_read - read the link events queued on the monitor into
 * d->links, marking the trunks they concern. 0 or -errno (then the copy is
 * stale: the next read dumps).
 */
int vt_mirror_read(struct vt_daemon *d);

/** vt_mirror_source - the runs' link source: d->links, kept up to date from events. */
struct vt_link_source vt_mirror_source(struct vt_daemon *d);

/* pass.c: one reconcile pass, and what the agent reports of itself. */

/**
 * vt_pass_run - one reconcile pass over the trunks due now (all of them,
 * backoff or not, when @reply asks: agent.sock's `reconcile`): the run, then
 * what it did logged, backed off and counted, systemd told, the agent's
 * record and the metrics textfile written, and the next run scheduled.
 * @reply (may be NULL) gets the run's JSON document, or an error document.
 * 0, or the exit code of a run that could not start (VT_EXIT_CANNOT_RUN for
 * a busy lock): nothing was changed, and it is tried again in a second.
 */
int vt_pass_run(struct vt_daemon *d, json_t **reply);

/**
 * vt_pass_status - `status --json` for the kernel now, plus the agent's own
 * state, streamed through @write(@sink, ...) (or an error document); then the
 * heap that took is handed back. 0 or the first -errno of @write.
 */
int vt_pass_status(struct vt_daemon *d, vt_control_write_fn *write, void *sink);

/**
 * vt_pass_keep_held - what a run's recovery left: the kept journals back off,
 * and their trunks stay held (ERROR) in status until a recovery verifies them.
 * Takes @w's held journals.
 */
void vt_pass_keep_held(struct vt_daemon *d, struct vt_world *w, uint64_t now);

/** vt_pass_notify - systemd's STATUS= line: trunks by status after @run (may be NULL). */
void vt_pass_notify(const struct vt_daemon *d, const struct vt_run *run);

/** vt_pass_record - the agent's own state as status.json's "agent", in the state dir. */
void vt_pass_record(const struct vt_daemon *d);

#endif
