/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's control socket: agent.sock, where root asks for `status` or
 * `reconcile` (one line in, one JSON document out). It outlives the state
 * dir being removed and made again: a socket file once unlinked cannot be
 * reached, so the dir is watched and the socket made anew.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon_internal.h"

#define REQUEST_MAX 64
#define CLIENT_TIMEOUT_S 5

/*
 * What the state dir's watch listens for: agent.sock deleted or moved away,
 * or the directory itself (the kernel then ends the watch with IN_IGNORED).
 */
#define STATE_MASK (IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF)

/*
 * A listening socket at @path (0600); its inode in @st. The fd or -errno.
 * Bound under a temporary name and renamed into place once it listens: a
 * client finds either no socket or one that accepts (bind() makes the file,
 * and until listen() a connect() to it is refused).
 */
static int listen_at(const char *path, struct stat *st)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ret;

	ret = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.new", path);
	if (ret < 0 || (size_t)ret >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Left by an agent that died; the lock said none runs, and agent.sock is renamed over. */
	unlink(addr.sun_path);
	/* Created 0600 from the start: no window in which others could connect. */
	mode_t old = umask(0177);
	ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (ret == 0)
		ret = listen(fd, 8);
	if (ret == 0)
		ret = rename(addr.sun_path, path);
	/* Which file is ours: a socket's fstat() tells sockfs's inode, not the path's. */
	if (ret == 0)
		ret = lstat(path, st);
	if (ret < 0) {
		ret = -errno;
		unlink(addr.sun_path);
		close(fd);
		return ret;
	}
	return fd;
}

/* Watch the state dir that is at its path now, and remember which one it is. */
static int watch_state(struct vt_daemon *d)
{
	struct stat st;
	int wd;

	/* Looked at before the watch: were it replaced in between, the check would see two inodes. */
	if (stat(d->cli.state_dir, &st) < 0)
		return -errno;
	wd = inotify_add_watch(d->state_inofd, d->cli.state_dir, STATE_MASK);
	if (wd < 0)
		return -errno;
	if (d->state_wd >= 0 && d->state_wd != wd)
		inotify_rm_watch(d->state_inofd, d->state_wd);
	d->state_wd = wd;
	d->state_dev = (uint64_t)st.st_dev;
	d->state_ino = (uint64_t)st.st_ino;
	return 0;
}

int vt_control_open(struct vt_daemon *d)
{
	struct stat st;
	int fd, ret;

	ret = snprintf(d->sock_path, sizeof(d->sock_path), "%s/agent.sock", d->cli.state_dir);
	if (ret < 0 || (size_t)ret >= sizeof(d->sock_path))
		return -ENAMETOOLONG;
	fd = listen_at(d->sock_path, &st);
	if (fd < 0)
		return fd;
	d->listen_fd = fd;
	d->sock_dev = (uint64_t)st.st_dev;
	d->sock_ino = (uint64_t)st.st_ino;
	ret = watch_state(d);
	if (ret < 0)
		vt_log(&d->log, LOG_WARNING, "cannot watch the state dir %s (%s); it is checked at "
		       "each resync", d->cli.state_dir, strerror(-ret));
	return 0;
}

bool vt_control_gone(struct vt_daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool gone = false;
	ssize_t n;

	while ((n = read(d->state_inofd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* Events of a watch given up (an older state dir) say nothing of this one. */
			if (ev->mask & IN_Q_OVERFLOW)
				gone = true;
			else if (ev->wd == d->state_wd)
				gone |= (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) ||
					(ev->len && !strcmp(ev->name, "agent.sock"));
			p += sizeof(*ev) + ev->len;
		}
	}
	return gone;
}

int vt_control_ensure(struct vt_daemon *d)
{
	struct vt_statedir sd = { .dirfd = -1, .lockfd = -1 };
	struct stat st;
	bool dir_there, dir_ours, sock_ours;
	int fd, ret;

	dir_there = stat(d->cli.state_dir, &st) == 0;
	dir_ours = dir_there && (uint64_t)st.st_dev == d->state_dev &&
		   (uint64_t)st.st_ino == d->state_ino;
	sock_ours = lstat(d->sock_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    (uint64_t)st.st_dev == d->sock_dev && (uint64_t)st.st_ino == d->sock_ino;
	if (dir_ours && sock_ours && d->state_wd >= 0)
		return 0;
	/* As every writer makes it: 0700, ours, not writable by others. */
	ret = vt_statedir_open(d->cli.state_dir, true, &sd);
	vt_statedir_close(&sd);
	if (ret == 0)
		ret = watch_state(d);
	if (ret == 0 && !sock_ours) {
		/* A new file at the path: connecting to the old one (gone or moved) reaches nobody. */
		fd = listen_at(d->sock_path, &st);
		ret = fd < 0 ? fd : 0;
		if (ret == 0 && epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd,
					  &(struct epoll_event){ .events = EPOLLIN, .data.fd = fd }) < 0) {
			ret = -errno;
			close(fd);
		}
		if (ret == 0) {
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->listen_fd, NULL);
			close(d->listen_fd);
			d->listen_fd = fd;
			d->sock_dev = (uint64_t)st.st_dev;
			d->sock_ino = (uint64_t)st.st_ino;
		}
	}
	if (ret < 0)
		vt_log(&d->log, LOG_ERR, "state dir %s or its control socket went, and cannot be "
		       "made again (%s); trying again at the next resync", d->cli.state_dir,
		       strerror(-ret));
	else if (!dir_there)
		vt_log(&d->log, LOG_WARNING, "state dir %s was removed; made it again (0700), "
		       "with a new control socket", d->cli.state_dir);
	else if (!dir_ours)
		vt_log(&d->log, LOG_WARNING, "state dir %s was replaced; watching the new one%s",
		       d->cli.state_dir, sock_ours ? "" : ", with a new control socket");
	else if (!sock_ours)
		vt_log(&d->log, LOG_WARNING, "control socket %s was removed; made it again",
		       d->sock_path);
	return ret;
}

static void reply(int fd, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	size_t len = text ? strlen(text) : 0, off = 0;

	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (text)
		(void)!write(fd, "\n", 1);
	free(text);
	json_decref(doc);
}

void vt_control_serve(struct vt_daemon *d)
{
	struct timeval timeout = { .tv_sec = CLIENT_TIMEOUT_S };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char req[REQUEST_MAX + 1];
	json_t *doc = NULL;
	ssize_t n;
	int fd;

	fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* Root only, whatever the socket's mode says. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		vt_log(&d->log, LOG_WARNING, "control socket: refused a client (uid %u)",
		       len == sizeof(cred) ? cred.uid : (unsigned int)-1);
		goto out;
	}
	/* A client that never writes must not stall the loop for long. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	n = read(fd, req, REQUEST_MAX);
	if (n <= 0)
		goto out;
	req[n] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	if (!strcmp(req, "status"))
		doc = vt_daemon_status_json(d);
	else if (!strcmp(req, "reconcile"))
		vt_daemon_reconcile(d, &doc);
	else
		doc = json_pack("{s:s, s:s}", "error", "unknown request",
				"hint", "send one line: status or reconcile");
	reply(fd, doc);
out:
	close(fd);
}
