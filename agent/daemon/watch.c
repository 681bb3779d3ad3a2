/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's watch on the desired state: inotify on the config's directory
 * (editors write a temporary file and rename it). It outlives the directory
 * being removed and made again: an inotify watch dies with its inode, so
 * while it is missing its nearest existing ancestor is watched instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "watch.h"

#define CONFIG_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | \
		     IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

/* @path less its last component, in place: "/a/b/" -> "/a", "a" -> ".", "/" stays. */
static void up_one(char *path)
{
	size_t len = strlen(path);
	char *slash;

	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	slash = strrchr(path, '/');
	if (!slash) {
		strcpy(path, ".");	/* path is not empty: there is room */
		return;
	}
	while (slash > path && slash[-1] == '/')
		slash--;
	slash[slash == path] = '\0';
}

/*
 * The directory the config lives in: the config dir, or a file config's
 * directory (editors replace a file by renaming, which only its directory
 * sees). While it is missing, its nearest existing ancestor, whose events
 * say when the path is made again; @missing then.
 */
static int watch_target(struct vt_watch *w, char *target, size_t size, bool *missing)
{
	struct stat st;
	char before[PATH_MAX];

	if ((size_t)snprintf(target, size, "%s", w->config) >= size || size > sizeof(before))
		return -ENAMETOOLONG;
	if (stat(target, &st) == 0)
		w->is_dir = S_ISDIR(st.st_mode);
	if (!w->is_dir)
		up_one(target);
	*missing = false;
	while (stat(target, &st) < 0 || !S_ISDIR(st.st_mode)) {
		*missing = true;
		strcpy(before, target);
		up_one(target);
		if (!strcmp(before, target))
			return -ENOENT;	/* "." removed under us */
	}
	return 0;
}

void vt_watch_init(struct vt_watch *w, const char *config, const struct vt_log *lg)
{
	*w = (struct vt_watch){ .config = config, .log = lg, .fd = -1, .wd = -1 };
}

int vt_watch_open(struct vt_watch *w)
{
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0)
		return -errno;
	if (vt_watch_config(w) < 0)
		vt_log(w->log, LOG_WARNING, "cannot watch %s; reload with SIGHUP", w->config);
	return 0;
}

void vt_watch_close(struct vt_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = w->wd = -1;
}

int vt_watch_config(struct vt_watch *w)
{
	char target[PATH_MAX], again[PATH_MAX];
	bool missing = false;
	int wd = -1, ret = -ELOOP;

	/*
	 * Until what is watched is still the target once the watch is in place:
	 * what appears below an ancestor in between (mkdir -p) no watch would see.
	 */
	for (int tries = 0; tries < 64; tries++) {
		ret = watch_target(w, target, sizeof(target), &missing);
		if (ret < 0)
			break;
		wd = inotify_add_watch(w->fd, target, CONFIG_MASK);
		ret = wd < 0 ? -errno : watch_target(w, again, sizeof(again), &missing);
		if (ret == 0 && !strcmp(again, target))
			break;
		if (wd >= 0 && wd != w->wd)
			inotify_rm_watch(w->fd, wd);
		wd = -1;
		if (ret < 0 && ret != -ENOENT)
			break;	/* ENOENT: it went between the look and the watch; look again */
	}
	if (wd < 0)
		return ret < 0 ? ret : -ELOOP;
	/* The same inode gives the same wd: only another one is given up. */
	if (w->wd >= 0 && w->wd != wd)
		inotify_rm_watch(w->fd, w->wd);
	w->wd = wd;
	w->missing = missing;
	return 0;
}

static bool concerns(const struct vt_watch *w, const struct inotify_event *ev)
{
	const char *base;
	size_t len;

	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
		return true;
	if (!ev->len)
		return true;
	if (w->is_dir) {
		/* As the loader reads a directory: *.json, not hidden (editors' swap files). */
		len = strlen(ev->name);
		return ev->name[0] != '.' && len > 5 && !strcmp(ev->name + len - 5, ".json");
	}
	base = strrchr(w->config, '/');
	return !strcmp(ev->name, base ? base + 1 : w->config);
}

bool vt_watch_refresh(struct vt_watch *w)
{
	bool was_missing = w->missing;
	int was_wd = w->wd, ret;
	char dir[PATH_MAX];

	ret = vt_watch_config(w);
	if (ret < 0) {
		vt_log(w->log, LOG_WARNING, "cannot watch %s (%s); reload with SIGHUP",
		       w->config, strerror(-ret));
		return false;
	}
	snprintf(dir, sizeof(dir), "%s", w->config);
	if (!w->is_dir)
		up_one(dir);
	if (w->missing && !was_missing)
		vt_log(w->log, LOG_WARNING, "config dir %s removed; waiting for it", dir);
	else if (!w->missing && was_missing)
		vt_log(w->log, LOG_NOTICE, "config dir %s is back; watching it", dir);
	/* Another directory than before: what it holds now no event has told. */
	return !w->missing && w->wd != was_wd;
}

bool vt_watch_relevant(struct vt_watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool relevant = false, rewatch = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW) {
				relevant = rewatch = true;	/* events were lost */
			} else if (ev->wd == w->wd) {
				/* Events of a watch given up (IN_IGNORED included) are old news. */
				relevant |= !w->missing && concerns(w, ev);
				/* While missing, anything made in the ancestor may be the way back. */
				rewatch |= w->missing ||
					   (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED));
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	/* The watched directory itself went, or something came: watch what is there now. */
	if (rewatch)
		relevant |= vt_watch_refresh(w);
	return relevant;
}
