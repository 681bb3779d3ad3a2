/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's control socket: agent.sock, where root asks for `status` or
 * `reconcile` (one line in, one JSON document out). It outlives the state
 * dir being removed and made again: a socket file once unlinked cannot be
 * reached, so the dir is watched and the socket made anew.
 */
#define _GNU_SOURCE
#include <errno.h>
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

#include "control.h"
#include "txn/statedir.h"

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
static int watch_state(struct vt_control *c)
{
	struct stat st;
	int wd;

	/* Looked at before the watch: were it replaced in between, the check would see two inodes. */
	if (stat(c->state_dir, &st) < 0)
		return -errno;
	wd = inotify_add_watch(c->inofd, c->state_dir, STATE_MASK);
	if (wd < 0)
		return -errno;
	if (c->wd >= 0 && c->wd != wd)
		inotify_rm_watch(c->inofd, c->wd);
	c->wd = wd;
	c->state_dev = (uint64_t)st.st_dev;
	c->state_ino = (uint64_t)st.st_ino;
	return 0;
}

void vt_control_init(struct vt_control *c, const char *state_dir,
		     const struct vt_control_ops *ops, const struct vt_log *lg)
{
	*c = (struct vt_control){ .ops = *ops, .log = lg, .state_dir = state_dir, .epfd = -1,
				  .listen_fd = -1, .inofd = -1, .wd = -1 };
}

int vt_control_open(struct vt_control *c, int epfd)
{
	struct stat st;
	int fd, ret;

	c->epfd = epfd;
	c->inofd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (c->inofd < 0)
		return -errno;
	ret = snprintf(c->path, sizeof(c->path), "%s/agent.sock", c->state_dir);
	if (ret < 0 || (size_t)ret >= sizeof(c->path))
		return -ENAMETOOLONG;
	fd = listen_at(c->path, &st);
	if (fd < 0)
		return fd;
	c->listen_fd = fd;
	c->dev = (uint64_t)st.st_dev;
	c->ino = (uint64_t)st.st_ino;
	ret = watch_state(c);
	if (ret < 0)
		vt_log(c->log, LOG_WARNING, "cannot watch the state dir %s (%s); it is checked at "
		       "each resync", c->state_dir, strerror(-ret));
	return 0;
}

void vt_control_close(struct vt_control *c)
{
	if (c->listen_fd >= 0) {
		unlink(c->path);
		close(c->listen_fd);
	}
	if (c->inofd >= 0)
		close(c->inofd);
	c->listen_fd = c->inofd = c->wd = -1;
}

bool vt_control_gone(struct vt_control *c)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool gone = false;
	ssize_t n;

	while ((n = read(c->inofd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			/* Events of a watch given up (an older state dir) say nothing of this one. */
			if (ev->mask & IN_Q_OVERFLOW)
				gone = true;
			else if (ev->wd == c->wd)
				gone |= (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) ||
					(ev->len && !strcmp(ev->name, "agent.sock"));
			p += sizeof(*ev) + ev->len;
		}
	}
	return gone;
}

int vt_control_ensure(struct vt_control *c)
{
	struct vt_statedir sd = { .dirfd = -1, .lockfd = -1 };
	struct stat st;
	bool dir_there, dir_ours, sock_ours;
	int fd, ret;

	dir_there = stat(c->state_dir, &st) == 0;
	dir_ours = dir_there && (uint64_t)st.st_dev == c->state_dev &&
		   (uint64_t)st.st_ino == c->state_ino;
	sock_ours = lstat(c->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    (uint64_t)st.st_dev == c->dev && (uint64_t)st.st_ino == c->ino;
	if (dir_ours && sock_ours && c->wd >= 0)
		return 0;
	/* As every writer makes it: 0700, ours, not writable by others. */
	ret = vt_statedir_open(c->state_dir, true, &sd);
	vt_statedir_close(&sd);
	if (ret == 0)
		ret = watch_state(c);
	if (ret == 0 && !sock_ours) {
		/* A new file at the path: connecting to the old one (gone or moved) reaches nobody. */
		fd = listen_at(c->path, &st);
		ret = fd < 0 ? fd : 0;
		if (ret == 0 && epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd,
					  &(struct epoll_event){ .events = EPOLLIN, .data.fd = fd }) < 0) {
			ret = -errno;
			close(fd);
		}
		if (ret == 0) {
			epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->listen_fd, NULL);
			close(c->listen_fd);
			c->listen_fd = fd;
			c->dev = (uint64_t)st.st_dev;
			c->ino = (uint64_t)st.st_ino;
		}
	}
	if (ret < 0)
		vt_log(c->log, LOG_ERR, "state dir %s or its control socket went, and cannot be "
		       "made again (%s); trying again at the next resync", c->state_dir,
		       strerror(-ret));
	else if (!dir_there)
		vt_log(c->log, LOG_WARNING, "state dir %s was removed; made it again (0700), "
		       "with a new control socket", c->state_dir);
	else if (!dir_ours)
		vt_log(c->log, LOG_WARNING, "state dir %s was replaced; watching the new one%s",
		       c->state_dir, sock_ours ? "" : ", with a new control socket");
	else if (!sock_ours)
		vt_log(c->log, LOG_WARNING, "control socket %s was removed; made it again",
		       c->path);
	return ret;
}

/* A vt_control_write_fn: @sink is the client's fd. */
static int send_all(void *sink, const char *buf, size_t len)
{
	int fd = *(const int *)sink;

	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void reply(int fd, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	if (text && send_all(&fd, text, strlen(text)) == 0)
		send_all(&fd, "\n", 1);
	free(text);
	json_decref(doc);
}

void vt_control_serve(struct vt_control *c)
{
	struct timeval timeout = { .tv_sec = CLIENT_TIMEOUT_S };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char req[REQUEST_MAX + 1];
	json_t *doc = NULL;
	ssize_t n;
	int fd;

	fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* Root only, whatever the socket's mode says. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0) {
		vt_log(c->log, LOG_WARNING, "control socket: refused a client (uid %u)",
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
	if (!strcmp(req, "status")) {
		/*
		 * Streamed as it is made: at 4 x 4094 subports the document is
		 * 3.4 MB, and built whole it took the agent's heap up by 25 MiB.
		 */
		c->ops.status(c->ops.arg, send_all, &fd);
		send_all(&fd, "\n", 1);
		goto out;
	} else if (!strcmp(req, "reconcile"))
		c->ops.reconcile(c->ops.arg, &doc);
	else
		doc = json_pack("{s:s, s:s}", "error", "unknown request",
				"hint", "send one line: status or reconcile");
	reply(fd, doc);
out:
	close(fd);
}
