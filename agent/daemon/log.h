/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - the agent's log, for the files of agent/daemon/ only. Under
 * systemd (it says so with JOURNAL_STREAM) a line is one journal entry with
 * its priority, through libsystemd; otherwise, or when libsystemd could not
 * be loaded, it goes to stderr after "vlantrunk agent: ". The log holds no
 * state of its own: it is how the daemon was started.
 */
#ifndef VT_DAEMON_LOG_H
#define VT_DAEMON_LOG_H

#include <stdbool.h>

struct vt_systemd;

struct vt_log {
	const struct vt_systemd *systemd;	/* its journal, once loaded */
	bool journal;			/* stderr is the journal: write entries, not lines */
	bool quiet;			/* --quiet: notices and worse only */
};

/** vt_log - one line at syslog @priority; below LOG_NOTICE, nothing when quiet. */
void vt_log(const struct vt_log *lg, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
