/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's drift-repair latency, for `make bench` (h):
 *
 *   bench-repair -n REPAIRS -p PREFIX -s NOTIFY_SOCKET -l LOG [-a AGENT_SOCK -k K]
 *                -- AGENT_COMMAND...
 *
 * Starts the agent with NOTIFY_SOCKET pointing here and waits for READY=1
 * (the time from fork to READY is reported, and the agent's VmRSS then).
 * With -a, asks `status` K times (default 3) on the agent's control socket
 * AGENT_SOCK, as root would (one line in, one JSON document out, read to its
 * end), and takes VmRSS again.
 * Then, REPAIRS times: deletes the device PREFIX<k> (k = 1, 2, ...), and
 * times from the kernel's acknowledgement of the delete to the link event
 * of the device back, up and marked (the repair's last request); before the
 * next one it waits for the agent's STATUS= notification, which it sends
 * when the run is over. Prints "MEDIAN_US MIN_US MAX_US READY_US RSS_READY_KIB
 * RSS_STATUS_KIB RSS_REPAIRS_KIB STATUS_US" on one line (RSS_STATUS_KIB and
 * STATUS_US, the median time of one status request, are -1 without -a).
 * Everything waits on events (the monitor, the notify socket), with a
 * deadline; exit 1 when one passes or the agent misbehaves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vt_netlink.h"

#define DEADLINE_MS 120000

struct bench {
	struct vt_monitor *mon;
	int notify_fd;
	const char *want_name;		/* the device whose return is awaited */
	bool back;
};

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int on_event(enum vt_link_event event, const struct vt_link *link, int32_t nsid __attribute__((unused)),
			 uint32_t origin,
		    void *arg)
{
	struct bench *b = arg;

	(void)origin;
	if (event == VT_EV_NEWLINK && b->want_name && !strcmp(link->name, b->want_name) &&
	    link->up && vt_link_alias(link)[0])
		b->back = true;
	return 0;
}

/*
 * Wait until the device is back (@status NULL) or a notification starting
 * with @status came, reading both sources all the while.
 */
static int await(struct bench *b, const char *status)
{
	long long deadline = now_us() + DEADLINE_MS * 1000LL;

	for (;;) {
		struct pollfd fds[2] = { { .fd = vt_monitor_fd(b->mon), .events = POLLIN },
					 { .fd = b->notify_fd, .events = POLLIN } };
		long long left = deadline - now_us();
		char msg[4096];
		ssize_t n;

		if (!status && b->back)
			return 0;
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(fds, 2, (int)(left / 1000) + 1) < 0 && errno != EINTR)
			return -errno;
		if (vt_monitor_read(b->mon, on_event, b) < 0)
			return -EIO;
		while ((n = recv(b->notify_fd, msg, sizeof(msg) - 1, MSG_DONTWAIT)) > 0) {
			msg[n] = '\0';
			if (status && strstr(msg, status) == msg)
				return 0;
		}
	}
}

static int delete_link(struct vt_nl *nl, const char *name)
{
	struct vt_batch *batch = vt_batch_new();
	int ret = batch ? vt_batch_delete(batch, VT_NS_OWN, 0, name) : -ENOMEM;

	if (ret >= 0)
		ret = vt_nl_send_batch(nl, batch);
	if (!ret && vt_batch_failures(batch))
		ret = vt_batch_result(batch, 0)->error;
	vt_batch_free(batch);
	return ret;
}

/* The agent's resident set now, in KiB, from /proc/PID/status; -1 if unreadable. */
static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* One `status` on agent.sock, its answer read to the end (discarded); -errno. */
static int ask_status(const char *path, size_t *bytes)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ret = 0;
	char buf[65536];
	ssize_t n;

	*bytes = 0;
	if (fd < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    write(fd, "status\n", 7) != 7)
		ret = -errno;
	while (!ret && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		else
			*bytes += (size_t)n;
	}
	close(fd);
	return ret ? ret : (*bytes ? 0 : -EIO);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static pid_t start_agent(char **argv, const char *notify, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		FILE *f = freopen(log, "a", stderr);

		(void)f;
		setenv("NOTIFY_SOCKET", notify, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *prefix = NULL, *notify = NULL, *log = "/dev/null", *agent_sock = NULL;
	long rss_ready = -1, rss_status = -1, rss_repairs = -1;
	long long ready_us = 0, status_us = -1, t_start;
	int asks = 3;
	struct bench b = { .notify_fd = -1 };
	struct vt_nl *nl = NULL;
	long long *us = NULL;
	int opt, repairs = 5, ret = 1, status;
	pid_t agent = -1;

	while ((opt = getopt(argc, argv, "+n:p:s:l:a:k:")) != -1) {
		if (opt == 'n')
			repairs = atoi(optarg);
		else if (opt == 'p')
			prefix = optarg;
		else if (opt == 's')
			notify = optarg;
		else if (opt == 'l')
			log = optarg;
		else if (opt == 'a')
			agent_sock = optarg;
		else if (opt == 'k')
			asks = atoi(optarg);
		else
			return 125;
	}
	if (!prefix || !notify || optind >= argc || repairs < 1 || asks < 1 || asks > 100 ||
	    strlen(notify) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: bench-repair -n REPAIRS -p PREFIX -s SOCKET [-l LOG] [-a AGENT_SOCK -k K] -- AGENT...\n");
		return 125;
	}
	us = calloc((size_t)repairs, sizeof(*us));
	strcpy(addr.sun_path, notify);
	unlink(notify);
	b.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!us || b.notify_fd < 0 || bind(b.notify_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    vt_monitor_open(&b.mon, 0) < 0 || vt_nl_open(&nl) < 0) {
		perror("bench-repair: set-up");
		goto out;
	}
	t_start = now_us();
	agent = start_agent(argv + optind, notify, log);
	if (agent < 0 || await(&b, "READY=1") < 0) {
		fprintf(stderr, "bench-repair: the agent did not get ready\n");
		goto out;
	}
	ready_us = now_us() - t_start;
	rss_ready = rss_kib(agent);
	if (agent_sock) {
		long long took[100];

		for (int k = 0; k < asks; k++) {
			long long t0 = now_us();
			size_t bytes;
			int err = ask_status(agent_sock, &bytes);

			if (err < 0) {
				fprintf(stderr, "bench-repair: status on %s: %s\n", agent_sock, strerror(-err));
				goto out;
			}
			took[k] = now_us() - t0;
			fprintf(stderr, "bench-repair: status %d: %zu bytes in %lld us, VmRSS %ld KiB\n",
				k + 1, bytes, took[k], rss_kib(agent));
		}
		qsort(took, (size_t)asks, sizeof(*took), cmp_ll);
		status_us = took[asks / 2];
		rss_status = rss_kib(agent);
	}
	for (int k = 0; k < repairs; k++) {
		char name[VT_IFNAMSIZ];
		long long t0;

		snprintf(name, sizeof(name), "%s%d", prefix, k + 1);
		b.want_name = name;
		b.back = false;
		if (delete_link(nl, name) < 0) {
			fprintf(stderr, "bench-repair: cannot delete %s\n", name);
			goto out;
		}
		t0 = now_us();
		if (await(&b, NULL) < 0) {
			fprintf(stderr, "bench-repair: %s was not repaired\n", name);
			goto out;
		}
		us[k] = now_us() - t0;
		/* The run is over when the agent says so: the next drift starts afresh. */
		if (await(&b, "STATUS=") < 0) {
			fprintf(stderr, "bench-repair: no status after repairing %s\n", name);
			goto out;
		}
		fprintf(stderr, "bench-repair: repair %d: %lld us, VmRSS %ld KiB\n", k + 1, us[k],
			rss_kib(agent));
	}
	fprintf(stderr, "bench-repair: VmRSS after the repairs: %ld KiB; in order, us:", rss_kib(agent));
	for (int k = 0; k < repairs; k++)
		fprintf(stderr, " %lld", us[k]);
	fputc('\n', stderr);
	rss_repairs = rss_kib(agent);
	qsort(us, (size_t)repairs, sizeof(*us), cmp_ll);
	printf("%lld %lld %lld %lld %ld %ld %ld %lld\n", us[repairs / 2], us[0], us[repairs - 1], ready_us,
	       rss_ready, rss_status, rss_repairs, status_us);
	ret = 0;
out:
	/* Nobody listening: the agent's last notifications fail instead of blocking it. */
	if (b.notify_fd >= 0)
		close(b.notify_fd);
	unlink(notify);
	if (agent > 0) {
		kill(agent, SIGTERM);
		waitpid(agent, &status, 0);
	}
	vt_monitor_close(b.mon);
	vt_nl_close(nl);
	free(us);
	return ret;
}
