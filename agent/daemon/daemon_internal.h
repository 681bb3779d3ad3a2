/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the agent's files only. */
#ifndef VT_DAEMON_INTERNAL_H
#define VT_DAEMON_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon.h"

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

#endif
