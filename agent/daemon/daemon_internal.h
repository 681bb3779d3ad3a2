/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the agent's files only. */
#ifndef VT_DAEMON_INTERNAL_H
#define VT_DAEMON_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon.h"
#include "log.h"

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

/** vt_daemon_status_json - `status --json` for the current kernel, plus the agent's own state. */
json_t *vt_daemon_status_json(struct vt_daemon *d);

/** vt_daemon_reconcile - run now; @reply (may be NULL) gets the run's JSON document. */
int vt_daemon_reconcile(struct vt_daemon *d, json_t **reply);

/** vt_control_open - listen on agent.sock in the state dir (0600). */
int vt_control_open(struct vt_daemon *d);

/** vt_control_serve - answer one client of the control socket. */
void vt_control_serve(struct vt_daemon *d);

/**
 * vt_control_gone - drain the state dir's inotify fd: did agent.sock or the
 * state dir itself go (deleted, moved away)?
 */
bool vt_control_gone(struct vt_daemon *d);

/**
 * vt_control_ensure - if the state dir or agent.sock is no longer the one the
 * agent made (removed, moved away, replaced), make the state dir again (0700)
 * and a new control socket in it, watch it, and log what happened. 0 when
 * all is in place, or -errno (logged; the old socket, if any, keeps serving).
 */
int vt_control_ensure(struct vt_daemon *d);

/**
 * vt_watch_config - watch the config's directory (the config dir, or a file
 * config's directory) or, while it is missing, its nearest existing ancestor
 * (d->config_missing). 0 or -errno; the previous watch stays on failure.
 */
int vt_watch_config(struct vt_daemon *d);

/**
 * vt_watch_refresh - watch again what is at the config path now, logging its
 * removal and its return; whether it must be reloaded (a directory other than
 * the one watched before is watched now).
 */
bool vt_watch_refresh(struct vt_daemon *d);

/** vt_watch_relevant - drain the inotify fd: did a desired-state file change? */
bool vt_watch_relevant(struct vt_daemon *d);

#endif
