/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * statedir.h - the state dir: created 0700, root's; the writers' lock lives
 * in it, and the journals and status.json. For run/ and the layers above it.
 */
#ifndef VT_STATEDIR_H
#define VT_STATEDIR_H

#include <stdbool.h>

struct vt_statedir {
	const char *path;
	int dirfd;
	int lockfd;			/* -1 until locked */
};

/**
 * vt_statedir_open - open @path, creating it (mode 0700) when @create and it
 * is missing. Refuses a directory others could write to (-EPERM): they could
 * forge the journal. -ENOENT when missing and not @create.
 */
int vt_statedir_open(const char *path, bool create, struct vt_statedir *sd);

/**
 * vt_statedir_lock - take the writers' lock, waiting up to @wait_seconds
 * (0: do not wait). -EWOULDBLOCK when another writer holds it that long.
 */
int vt_statedir_lock(struct vt_statedir *sd, int wait_seconds);

/** vt_statedir_close - release the lock (if held) and the directory. */
void vt_statedir_close(struct vt_statedir *sd);

#endif
