/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vlantrunk agent`: one epoll loop that keeps the kernel converged. Every
 * change it makes goes through the same engine as `reconcile`.
 */
#ifndef VT_DAEMON_H
#define VT_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "base/name_table.h"
#include "cli/cli.h"
#include "control.h"
#include "log.h"
#include "systemd.h"
#include "watch.h"

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
	struct vt_cli cli;		/* trunks and n_trunks are set per run */
	const char **names;		/* storage for cli.trunks */
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
	struct vt_watch watch;		/* the desired state's files: when to reload */
	struct vt_control control;	/* agent.sock: status and reconcile on request */
	bool control_pending;		/* agent.sock or its dir went: check after the debounce */
	bool lock_busy;			/* the last run found the lock taken (logged once) */
	uint64_t config_fingerprint;	/* of the files last loaded (valid or not) */
	struct vt_daemon_stats stats;
	double last_run_ms;
	long last_run_time;		/* Unix time */
};

/**
 * vt_daemon_run - the agent, with @cli's options: start as `reconcile` would
 * (a valid desired state, a usable state dir; a kept journal does not stop
 * it), then keep the kernel converged until SIGTERM or SIGINT. The exit
 * code: 0 once stopped so; VT_EXIT_INVALID for a desired state it cannot
 * start with; VT_EXIT_CANNOT_RUN when the state dir, rtnetlink or the loop
 * fails it.
 */
int vt_daemon_run(const struct vt_cli *cli);

#endif
