/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's loop. One epoll over: link events, the config watch, signals
 * (signalfd), timers (debounce, retries, periodic resync, watchdog) and the
 * control socket. Runs happen in the loop, one at a time: a SIGTERM that
 * arrives during a transaction is read after it has committed or rolled
 * back. Managed devices are never deleted on the way out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon_internal.h"

#define RELOAD_DEBOUNCE_MS 200

/*
 * What the desired state's files look like on disk. Checked at each periodic
 * resync, so a change is still picked up where inotify sees nothing (network
 * file systems).
 */
static uint64_t config_fingerprint(const struct vt_daemon *d)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	struct stat st;

	for (size_t i = 0; i <= d->desired.n_files; i++) {
		const char *path = i ? d->desired.files[i - 1] : d->cfg.config;
		uint64_t fields[4] = { 0 };

		if (stat(path, &st) == 0) {
			fields[0] = (uint64_t)st.st_ino;
			fields[1] = (uint64_t)st.st_size;
			fields[2] = (uint64_t)st.st_mtim.tv_sec;
			fields[3] = (uint64_t)st.st_mtim.tv_nsec;
		}
		for (size_t b = 0; b < sizeof(fields); b++) {
			h ^= ((const unsigned char *)fields)[b];
			h *= 1099511628211ULL;
		}
	}
	return h;
}

static void reload(struct vt_daemon *d)
{
	struct vt_desired fresh = { 0 };
	struct vt_diags diags = { 0 };
	struct vt_trunk_state *old = d->trunks;
	size_t n_old = d->desired.n_trunks;
	char line[1024];
	int ret;

	d->reload_pending = false;
	ret = vt_desired_load(d->cfg.config, &fresh, &diags);
	if (ret < 0) {
		/* The last good desired state keeps running. */
		d->stats.reload_errors++;
		d->config_fingerprint = config_fingerprint(d);	/* reported once, not each resync */
		vt_diag_format(diags.n ? &diags.v[0] : &(struct vt_diag){ .message = "cannot be read" },
			       line, sizeof(line));
		snprintf(d->config_error, sizeof(d->config_error), "%s%s", line,
			 diags.n > 1 ? " (and more)" : "");
		for (size_t i = 0; i < diags.n; i++) {
			vt_diag_format(&diags.v[i], line, sizeof(line));
			vt_log(&d->log, LOG_ERR, "new desired state refused, keeping the last good one: %s",
			       line);
		}
		vt_diag_free(&diags);
		vt_pass_record(d);
		vt_pass_notify(d, NULL);
		return;
	}
	vt_diag_free(&diags);
	d->config_error[0] = '\0';
	d->trunks = NULL;
	vt_desired_free(&d->desired);
	d->desired = fresh;
	if (vt_schedule_index(d, old, n_old) < 0)
		d->stop = true;
	free(old);
	d->stats.reloads++;
	d->config_fingerprint = config_fingerprint(d);
	d->all_dirty = true;
	vt_log(&d->log, LOG_NOTICE, "desired state reloaded: %zu trunks", d->desired.n_trunks);
}

static void drain_timer(int fd)
{
	uint64_t expirations;

	(void)!read(fd, &expirations, sizeof(expirations));
}

static void on_signal(struct vt_daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			d->reload_pending = true;
			vt_schedule_debounce(d, 0);
		} else {
			d->stop = true;
		}
	}
}

/* Whether some subport lives in another network namespace. */
static bool names_netns(const struct vt_desired *desired)
{
	for (size_t i = 0; i < desired->n_trunks; i++)
		for (size_t k = 0; k < desired->trunks[i].n_subports; k++)
			if (desired->trunks[i].subports[k].netns)
				return true;
	return false;
}

static void dispatch(struct vt_daemon *d, int fd)
{
	int ret;

	if (fd == vt_monitor_fd(d->mon)) {
		ret = vt_mirror_read(d);
		if (ret < 0)
			vt_log(&d->log, LOG_ERR, "reading link events: %s", strerror(-ret));
		if (vt_schedule_pending(d))
			vt_schedule_burst(d);
	} else if (fd == d->watch.fd) {
		if (vt_watch_relevant(&d->watch)) {
			d->reload_pending = true;
			vt_schedule_debounce(d, RELOAD_DEBOUNCE_MS);
		}
	} else if (fd == d->control.inofd) {
		if (vt_control_gone(&d->control)) {
			/* Not at once: an `rm -r` still at work would find the dir not empty. */
			d->control_pending = true;
			vt_schedule_debounce(d, RELOAD_DEBOUNCE_MS);
		}
	} else if (fd == d->sigfd) {
		on_signal(d);
	} else if (fd == d->debounce_fd) {
		drain_timer(fd);
		vt_schedule_fired(d);
		if (d->control_pending) {
			d->control_pending = false;
			vt_control_ensure(&d->control);
		}
		if (d->reload_pending)
			reload(d);
		vt_pass_run(d, NULL);
	} else if (fd == d->resync_fd) {
		drain_timer(fd);
		d->stats.resyncs++;
		d->all_dirty = true;
		d->links_stale = true;	/* from a dump, not from events */
		/* Where inotify saw nothing: the dirs are looked at again too. */
		vt_control_ensure(&d->control);
		if (vt_watch_refresh(&d->watch) || config_fingerprint(d) != d->config_fingerprint)
			reload(d);
		vt_pass_run(d, NULL);
	} else if (fd == d->retry_fd) {
		drain_timer(fd);
		vt_pass_run(d, NULL);
	} else if (fd == d->watchdog_fd) {
		drain_timer(fd);
		vt_systemd_notify(&d->systemd, "WATCHDOG=1");
	} else if (fd == d->control.listen_fd) {
		vt_control_serve(&d->control);
	} else if (fd == d->mounts_fd) {
		/* A namespace may have come or gone: a subport in it is wired or missing. */
		if (names_netns(&d->desired)) {
			d->all_dirty = true;
			vt_schedule_debounce(d, (uint64_t)d->cfg.debounce_ms);
		}
	}
}

/* agent.sock's requests, answered as the loop would run them. */
static void control_status(void *arg, vt_control_write_fn *write, void *sink)
{
	vt_pass_status(arg, write, sink);
}

static void control_reconcile(void *arg, json_t **reply)
{
	vt_pass_run(arg, reply);
}

static int watch_fd(struct vt_daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int setup(struct vt_daemon *d)
{
	uint64_t watchdog_us = vt_systemd_watchdog_us(&d->systemd);
	sigset_t mask;
	int ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* Blocked: they are read from the signalfd, between runs. */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->debounce_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->resync_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->retry_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || d->debounce_fd < 0 || d->resync_fd < 0 ||
	    d->retry_fd < 0 || d->watchdog_fd < 0)
		return -errno;

	/* The monitor first: nothing that happens from here on is missed. */
	ret = vt_monitor_open(&d->mon, d->cfg.rcvbuf);
	if (!ret)
		ret = vt_nl_open(&d->nl);
	if (!ret)
		ret = vt_control_open(&d->control, d->epfd);
	if (!ret)
		ret = vt_watch_open(&d->watch);
	if (ret < 0)
		return ret;
	vt_schedule_arm(d->resync_fd, vt_schedule_now() + (uint64_t)d->cfg.resync_s * 1000000000ULL,
			(uint64_t)d->cfg.resync_s * 1000000000ULL);
	if (watchdog_us)
		vt_schedule_arm(d->watchdog_fd, vt_schedule_now() + watchdog_us * 500ULL,
				watchdog_us * 500ULL);

	const int fds[] = { vt_monitor_fd(d->mon), d->watch.fd, d->control.inofd, d->sigfd,
			    d->debounce_fd, d->resync_fd, d->retry_fd, d->watchdog_fd,
			    d->control.listen_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]) && !ret; i++)
		ret = watch_fd(d, fds[i]);
	d->mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (!ret && d->mounts_fd >= 0) {
		struct epoll_event ev = { .events = EPOLLPRI, .data.fd = d->mounts_fd };

		/* Without it, namespaces are noticed at the periodic resync only. */
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->mounts_fd, &ev) < 0)
			vt_log(&d->log, LOG_WARNING, "watching the mount table: %s", strerror(errno));
	}
	return ret;
}

static void cleanup(struct vt_daemon *d)
{
	const int fds[] = { d->epfd, d->sigfd, d->debounce_fd, d->resync_fd, d->retry_fd,
			    d->watchdog_fd, d->mounts_fd };

	vt_control_close(&d->control);
	vt_watch_close(&d->watch);
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	vt_monitor_close(d->mon);
	vt_nl_close(d->nl);
	vt_link_table_clear(&d->links);
	vt_desired_free(&d->desired);
	vt_systemd_unload(&d->systemd);
	free(d->trunks);
	vt_name_table_free(&d->by_subport);
	vt_name_table_free(&d->by_parent);
	free(d->names);
	free(d->recoveries);
	free(d->netns_ids);
	vt_world_held_free(d->held, d->n_held);
}

int vt_daemon_run(const struct vt_daemon_config *cfg, struct vt_world *started)
{
	struct vt_daemon d = {
		.cfg = *cfg,
		.epfd = -1, .sigfd = -1, .debounce_fd = -1, .resync_fd = -1, .retry_fd = -1,
		.watchdog_fd = -1, .mounts_fd = -1,
		.log = {
			.systemd = &d.systemd,
			/* systemd connects stderr to the journal and says so. */
			.journal = getenv("JOURNAL_STREAM") != NULL,
			.quiet = cfg->verbosity < 0,
		},
		.links_stale = true,	/* the first run dumps */
	};
	int ret = 0;

	vt_control_init(&d.control, d.cfg.state_dir,
			&(struct vt_control_ops){ .status = control_status,
						  .reconcile = control_reconcile, .arg = &d },
			&d.log);
	vt_watch_init(&d.watch, d.cfg.config, &d.log);
	d.source = vt_mirror_source(&d);
	/*
	 * A daemon's heap is reused run after run: kept, not handed back and
	 * faulted in again (page faults are most of a run's cost at 4094 subports).
	 */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
	vt_systemd_load(&d.systemd);	/* without it: no notifications, logs on stderr */
	/* The lock is taken per run: what the start read is kept, the rest let go. */
	d.desired = started->desired;
	started->desired = (struct vt_desired){ 0 };
	vt_pass_keep_held(&d, started, vt_schedule_now());
	vt_world_free(started);
	if (vt_schedule_index(&d, NULL, 0) < 0 || setup(&d) < 0) {
		vt_log(&d.log, LOG_ERR, "cannot start: %s", strerror(errno ? errno : ENOMEM));
		ret = VT_EXIT_CANNOT_RUN;
		goto out;
	}

	d.config_fingerprint = config_fingerprint(&d);
	d.all_dirty = true;
	vt_pass_run(&d, NULL);
	vt_systemd_notify(&d.systemd, "READY=1");
	vt_log(&d.log, LOG_NOTICE, "running: %zu trunks from %s", d.desired.n_trunks,
	       cfg->config);

	while (!d.stop) {
		struct epoll_event events[16];
		int n = epoll_wait(d.epfd, events, 16, -1);

		if (n < 0 && errno != EINTR) {
			vt_log(&d.log, LOG_ERR, "epoll: %s", strerror(errno));
			ret = VT_EXIT_CANNOT_RUN;
			break;
		}
		for (int i = 0; i < n && !d.stop; i++)
			dispatch(&d, events[i].data.fd);
	}
	vt_systemd_notify(&d.systemd, "STOPPING=1");
	vt_log(&d.log, LOG_NOTICE, "stopping; managed devices stay as they are");
out:
	cleanup(&d);
	return ret;
}
