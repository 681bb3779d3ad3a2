/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vlantrunk agent`: one epoll loop that keeps the kernel converged. Every
 * change it makes goes through the same engine as `reconcile`.
 */
#ifndef VT_DAEMON_H
#define VT_DAEMON_H

struct vt_cli;

/**
 * vt_daemon_run - the agent, with @cli's options: start as `reconcile` would
 * (a valid desired state, a usable state dir; a kept journal does not stop
 * it), then keep the kernel converged until SIGTERM or SIGINT. The exit
 * code: 0 once stopped so; VT_EXIT_INVALID for a desired state it cannot
 * start with; VT_EXIT_CANNOT_RUN when the state dir, rtnetlink or the loop
 * fails it.
 */
int vt_daemon_run(const struct vt_cli *cli);

#endif
