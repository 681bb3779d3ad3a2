/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch.h - the agent's watch on its desired state, for agent/daemon/ only:
 * inotify on the config's directory (the config dir, or a file config's
 * directory: editors replace a file by renaming, which only its directory
 * sees), and while that is missing on its nearest existing ancestor, until
 * it is back. It says when to reload and never reloads; what it logs goes
 * to the daemon's log.
 */
#ifndef VT_DAEMON_WATCH_H
#define VT_DAEMON_WATCH_H

#include <stdbool.h>

#include "log.h"

struct vt_watch {
	const char *config;		/* the config path, a file or a directory */
	const struct vt_log *log;
	int fd;				/* the inotify instance; -1 until open */
	int wd;				/* -1: none */
	bool is_dir;			/* the config, as last seen: what to wait for while missing */
	bool missing;			/* wd is an ancestor's */
};

/**
 * vt_watch_init - a watch on @config, not open yet; @lg is its log (both
 * outlive it). Cannot fail; vt_watch_close() is then safe whether it was
 * opened or not.
 */
void vt_watch_init(struct vt_watch *w, const char *config, const struct vt_log *lg);

/**
 * vt_watch_open - make the inotify instance (w->fd, for the caller's epoll)
 * and watch the config. 0 or -errno; the config not watched is only logged
 * (reload with SIGHUP, or at a resync's vt_watch_refresh()).
 */
int vt_watch_open(struct vt_watch *w);

/**
 * vt_watch_config - watch the config's directory (the config dir, or a file
 * config's directory) or, while it is missing, its nearest existing ancestor
 * (w->missing). 0 or -errno; the previous watch stays on failure.
 */
int vt_watch_config(struct vt_watch *w);

/**
 * vt_watch_refresh - watch again what is at the config path now, logging its
 * removal and its return; whether it must be reloaded (a directory other than
 * the one watched before is watched now).
 */
bool vt_watch_refresh(struct vt_watch *w);

/** vt_watch_relevant - drain w->fd: did a desired-state file change? */
bool vt_watch_relevant(struct vt_watch *w);

/** vt_watch_close - close the inotify instance, and with it the watch. */
void vt_watch_close(struct vt_watch *w);

#endif
