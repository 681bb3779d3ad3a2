/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/daemon/: `vlantrunk agent`, one epoll loop that keeps the kernel
 * converged. In: its configuration and a started world (from
 * cli/cmd_agent.c, which read the command line and ran phase 1); the
 * desired state's files, reloaded when they change; the kernel's link
 * events; SIGHUP, SIGTERM and SIGINT; root's `status` or `reconcile` on
 * agent.sock in the state dir. Out: runs of the same engine as `reconcile`
 * (run/), one at a time and only between events, for the trunks events
 * touched (every trunk at each periodic resync), a failing trunk backing
 * off; and what they did, to the log (the systemd journal when systemd runs
 * the agent, else stderr; the runs' own notes and failures too), to systemd
 * (READY, STATUS, WATCHDOG, STOPPING), to status.json's "agent" in the
 * state dir, to the metrics textfile and to agent.sock's clients. All the
 * agent's mutable state is in one struct vt_daemon (daemon_internal.h),
 * handed to every function that needs it; there are no globals. It never
 * deletes a managed device on the way out, and never waits for the state
 * dir's lock: a busy lock is tried again each second. Who may include this
 * header: cli/cmd_agent.c, and the folder's own files.
 *
 * Its files, from the loop down: daemon.c the loop (start, events, reload,
 * stop); pass.c one reconcile pass and what it reports; mirror.c the copy
 * of the kernel's links kept from events, which the runs read; schedule.c
 * when to run and for which trunks (timers, marks, backoff); control.c
 * agent.sock and watch.c the watch on the desired state, which never see
 * struct vt_daemon; log.c the log; systemd.c libsystemd, loaded at start.
 */
#ifndef VT_DAEMON_H
#define VT_DAEMON_H

#include "run/world.h"

/* How the agent was started: what it keeps for its whole life. */
struct vt_daemon_config {
	const char *config;		/* the desired state's file or directory, watched */
	const char *state_dir;
	int verbosity;			/* -1 quiet: notices and worse only; 1: debug notes too */
	int debounce_ms;		/* after a link event, before repairing */
	int resync_s;			/* a full reconcile this often */
	int rcvbuf;			/* the event socket's receive buffer; 0: the default */
	const char *textfile;		/* metrics for node-exporter after each run; or NULL */
};

/**
 * vt_daemon_run - the agent. @started is phase 1 as `reconcile` runs it,
 * done by the caller: the desired state loaded (valid) and the state dir
 * locked, its interrupted transactions recovered or kept (a kept journal
 * does not stop the agent). The daemon takes its desired state and kept
 * journals and frees the rest, the lock with it (each run takes it again),
 * then keeps the kernel converged until SIGTERM or SIGINT. The exit code:
 * 0 once stopped so; VT_EXIT_CANNOT_RUN when rtnetlink or the loop fails it.
 */
int vt_daemon_run(const struct vt_daemon_config *cfg, struct vt_world *started);

#endif
