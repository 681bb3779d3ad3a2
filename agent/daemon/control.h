/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.h - the agent's control socket, for agent/daemon/ only.
 * agent.sock, in the state dir (0600, root's clients only): one line in,
 * `status` or `reconcile`, one JSON document out. It answers requests
 * through the ops the daemon hands it and never calls the daemon by name;
 * what it logs goes to the daemon's log. It keeps itself reachable: when
 * the state dir or the socket file is removed, moved away or replaced, it
 * makes them again (vt_control_gone() says when to look).
 */
#ifndef VT_DAEMON_CONTROL_H
#define VT_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "log.h"

/*
 * Sends the next @len bytes of an answer to the client (blocking, within the
 * client's timeout); 0 or a negative errno, after which the rest is dropped.
 */
typedef int vt_control_write_fn(void *sink, const char *buf, size_t len);

/* What a request does: the daemon's, called back with @arg. */
struct vt_control_ops {
	/*
	 * `status`: write the document through @write(@sink, ...), in as many
	 * pieces as it likes (the control socket adds the final newline)
	 */
	void (*status)(void *arg, vt_control_write_fn *write, void *sink);
	/* `reconcile`: run now, backoff or not; *@reply the document, handed over, or NULL */
	void (*reconcile)(void *arg, json_t **reply);
	void *arg;
};

struct vt_control {
	struct vt_control_ops ops;
	const struct vt_log *log;
	const char *state_dir;
	int epfd;			/* the loop's: a socket made again replaces the old one in it */
	int listen_fd;			/* -1 until open */
	char path[4096];		/* state_dir/agent.sock */
	uint64_t dev, ino;		/* agent.sock's, as made: any other file there is not ours */
	/*
	 * The state dir's watch, on its own inotify fd (the config watch may be
	 * on the same inode: one instance would merge the two into one wd).
	 */
	int inofd, wd;			/* -1: none */
	uint64_t state_dev, state_ino;	/* the state dir's, as watched */
};

/**
 * vt_control_init - a control socket for @state_dir, not open yet: @ops
 * answer its requests, @lg is its log (both outlive it). Cannot fail;
 * vt_control_close() is then safe whether it was opened or not.
 */
void vt_control_init(struct vt_control *c, const char *state_dir,
		     const struct vt_control_ops *ops, const struct vt_log *lg);

/**
 * vt_control_open - listen on agent.sock in the state dir (0600), and watch
 * the dir; @epfd is the loop's epoll, where the caller adds c->listen_fd and
 * c->inofd. 0 or -errno; the state dir not watched is only logged (it is
 * looked at again at each vt_control_ensure()).
 */
int vt_control_open(struct vt_control *c, int epfd);

/** vt_control_serve - answer one client of c->listen_fd (readable). */
void vt_control_serve(struct vt_control *c);

/**
 * vt_control_gone - drain c->inofd: did agent.sock or the state dir itself
 * go (deleted, moved away)?
 */
bool vt_control_gone(struct vt_control *c);

/**
 * vt_control_ensure - if the state dir or agent.sock is no longer the one the
 * agent made (removed, moved away, replaced), make the state dir again (0700)
 * and a new control socket in it, watch it, and log what happened. 0 when
 * all is in place, or -errno (logged; the old socket, if any, keeps serving).
 */
int vt_control_ensure(struct vt_control *c);

/** vt_control_close - remove agent.sock and close what is open. */
void vt_control_close(struct vt_control *c);

#endif
