/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent against a real kernel. Synchronisation is by events, never by
 * sleeping: the agent's readiness and status lines come over a NOTIFY_SOCKET
 * the test owns (as systemd's would), and its repairs are seen as link events
 * on the test's own monitor.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel_util.h"
#include "suites.h"

#define WAIT_MS 20000

struct agent {
	pid_t pid;
	int notify_fd;
	char *dir;
	char config[256], state[256], notify[256];
	bool config_file;	/* config is the file itself, not a dir holding trunks.json */
	pid_t holder;		/* a process holding the state dir's lock, if any */
	struct vt_monitor *mon;
};

static struct agent ag;

static void setup(void)
{
	kt_enter_netns();
	/*
	 * sd_notify() blocks while the notify socket's queue is full (10
	 * datagrams by default, per namespace), and tests that never await a
	 * STATUS= line let them pile up. An agent slowed enough to run once per
	 * event (ASan under an emulated CPU) can fill it and then hang sending
	 * STOPPING=1 while the test waits for it to exit: the likely cause of one
	 * timeout seen there. systemd drains its socket; the tests get a longer
	 * backlog, as chaos does.
	 */
	kt_sh("sysctl -q -w net.unix.max_dgram_qlen=512");
	memset(&ag, 0, sizeof(ag));
	/* Not /tmp: inotify sees nothing through the sandbox's host file system. */
	ag.dir = strdup("/run/vt-agent-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(ag.dir));
	snprintf(ag.config, sizeof(ag.config), "%s/trunks.d", ag.dir);
	snprintf(ag.state, sizeof(ag.state), "%s/state", ag.dir);
	snprintf(ag.notify, sizeof(ag.notify), "%s/notify", ag.dir);
	kt_sh("mkdir '%s'", ag.config);
	kt_sh("ip link add p0 type dummy && ip link set p0 up");
	ck_assert_int_eq(vt_monitor_open(&ag.mon, 0), 0);
}

static void teardown(void)
{
	if (ag.holder > 0) {
		kill(ag.holder, SIGKILL);
		waitpid(ag.holder, NULL, 0);
	}
	if (ag.pid > 0) {
		kill(ag.pid, SIGKILL);
		waitpid(ag.pid, NULL, 0);
	}
	if (ag.notify_fd > 0)
		close(ag.notify_fd);
	vt_monitor_close(ag.mon);
	kt_rmrf(ag.dir);
}

static void write_config(const char *json)
{
	char path[300], tmp[310];

	/* As an editor would: a temporary file renamed over the old one. */
	snprintf(path, sizeof(path), ag.config_file ? "%s" : "%s/trunks.json", ag.config);
	snprintf(tmp, sizeof(tmp), "%s.tmp~", path);
	kt_write(tmp, json);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/* A trunk "t" on @parent with subports s1..sN (vlan 100+i), s1 with mtu 1400. */
static void write_trunk(const char *parent, int n)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);

	fprintf(f, "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"%s\", "
		   "\"subports\": [", parent);
	for (int i = 1; i <= n; i++)
		fprintf(f, "%s{\"name\": \"s%d\", \"vlan\": %d%s}", i > 1 ? ", " : "", i, 100 + i,
			i == 1 ? ", \"mtu\": 1400" : "");
	fprintf(f, "]}]}\n");
	fclose(f);
	write_config(doc);
	free(doc);
}

/* Read one notification; NULL after @ms without one. The caller frees it. */
static char *notification(int ms)
{
	struct pollfd pfd = { .fd = ag.notify_fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return NULL;
	n = recv(ag.notify_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* Wait for a notification containing @text (WATCHDOG=1 pings do not extend the wait). */
static void await_notification(const char *text)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		char *msg;

		clock_gettime(CLOCK_MONOTONIC, &now);
		msg = (now.tv_sec - start.tv_sec) * 1000 < WAIT_MS ? notification(WAIT_MS) : NULL;
		bool found = msg && strstr(msg, text);

		ck_assert_msg(msg, "no notification \"%s\" from the agent", text);
		free(msg);
		if (found)
			return;
	}
}

static const char *watchdog_us;	/* for the next start: as systemd's WatchdogSec= sets it */

static void start_agent(const char *extra, bool wait_ready)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	ag.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	strcpy(addr.sun_path, ag.notify);
	unlink(ag.notify);
	ck_assert_int_eq(bind(ag.notify_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ag.pid = fork();
	ck_assert_int_ge(ag.pid, 0);
	if (ag.pid == 0) {
		if (watchdog_us)
			setenv("WATCHDOG_USEC", watchdog_us, 1);
		char *cmd = NULL;

		setenv("NOTIFY_SOCKET", ag.notify, 1);
		if (asprintf(&cmd, "exec %s -c '%s' --state-dir '%s' agent %s 2>>'%s/agent.log'",
			     kt_bin("vlantrunk"), ag.config, ag.state, extra, ag.dir) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (wait_ready)
		await_notification("READY=1");
}

static int stop_agent(void)
{
	int status;

	ck_assert_int_eq(kill(ag.pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(ag.pid, &status, 0), ag.pid);
	ag.pid = 0;
	close(ag.notify_fd);
	ag.notify_fd = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The agent's answer to @request on agent.sock; the test fails without one within @ms. */
static json_t *ask_within(const char *request, int ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval timeout = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	json_error_t err;
	char buf[1 << 16];
	size_t len = 0;
	ssize_t n;
	json_t *doc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_lt(snprintf(addr.sun_path, sizeof(addr.sun_path), "%.90s/agent.sock", ag.state),
			 (int)sizeof(addr.sun_path));
	ck_assert_msg(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "connect: %m");
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)), 0);
	ck_assert_int_gt(write(fd, request, strlen(request)), 0);
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	ck_assert_msg(n == 0, "no answer to \"%.*s\" on agent.sock within %d ms (%m)",
		      (int)strcspn(request, "\n"), request, ms);
	close(fd);
	buf[len] = '\0';
	doc = json_loads(buf, 0, &err);
	ck_assert_msg(doc, "the agent's answer is not JSON: %s", buf);
	return doc;
}

static json_t *ask(const char *request)
{
	return ask_within(request, WAIT_MS);
}

static const char *trunk_status(json_t *doc)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(doc, "trunks"), 0),
						 "status"));
}

/* The agent's status of the one trunk, asked over its socket. */
static void assert_status(const char *want)
{
	json_t *doc = ask("status\n");
	const char *have = trunk_status(doc);

	ck_assert_msg(have && !strcmp(have, want), "status %s, expected %s", have ? have : "(none)",
		      want);
	json_decref(doc);
}

/* What a link event must show for a wait to end. */
struct expect {
	const char *name;
	enum vt_link_event event;
	uint32_t mtu;		/* with NEWLINK: 0 for any */
	bool up;		/* with NEWLINK: must be up */
	bool marked;		/* with NEWLINK: must carry the marker (a repair's last step) */
};

/* Every event seen since the last drain: a wait may be for one that came earlier. */
struct seen_event {
	char name[VT_IFNAMSIZ];
	enum vt_link_event event;
	uint32_t mtu;
	bool up, marked;
};

static struct seen_event history[8192];
static size_t n_history, cursor;	/* a wait matches only events after the last match */
static bool overrun;			/* the monitor lost events since the last drain */

static int record_event(enum vt_link_event event, const struct vt_link *link, int32_t nsid __attribute__((unused)),
			 uint32_t origin,
			void *arg)
{
	(void)origin;
	(void)arg;
	overrun |= event == VT_EV_RESYNC || n_history == sizeof(history) / sizeof(history[0]);
	if (event == VT_EV_RESYNC || n_history == sizeof(history) / sizeof(history[0]))
		return 0;
	history[n_history] = (struct seen_event){ .event = event, .mtu = link->mtu, .up = link->up,
						  .marked = vt_link_alias(link)[0] != '\0' };
	strcpy(history[n_history].name, link->name);
	n_history++;
	return 0;
}

static bool take(const struct expect *e)
{
	for (size_t i = cursor; i < n_history; i++) {
		struct seen_event *s = &history[i];

		if (strcmp(s->name, e->name) || s->event != e->event)
			continue;
		if (e->event == VT_EV_NEWLINK && ((e->mtu && s->mtu != e->mtu) || (e->up && !s->up) ||
						  (e->marked && !s->marked)))
			continue;
		cursor = i + 1;
		return true;
	}
	return false;
}

static double await_link(struct expect e)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!take(&e)) {
		struct pollfd pfd = { .fd = vt_monitor_fd(ag.mon), .events = POLLIN };

		if (poll(&pfd, 1, WAIT_MS) != 1)
			kt_sh_status("tail -20 '%s/agent.log' >&2", ag.dir);
		ck_assert_msg(pfd.revents, "no %s event for %s within %d ms (agent log above)",
			      e.event == VT_EV_NEWLINK ? "new/changed link" : "deleted link", e.name,
			      WAIT_MS);
		ck_assert_int_ge(vt_monitor_read(ag.mon, record_event, NULL), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

static void drain_events(void)
{
	char buf[4096];

	vt_monitor_read(ag.mon, record_event, NULL);
	n_history = cursor = 0;
	overrun = false;
	/*
	 * And the agent's status lines: with 6.1's 10 datagrams of backlog, a
	 * notify socket nobody reads blocks the agent's sd_notify() (systemd
	 * always reads its own).
	 */
	while (ag.notify_fd > 0 && recv(ag.notify_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* The agent's log has a line matching the extended regular expression @re. */
static void assert_logged(const char *re)
{
	ck_assert_msg(kt_sh_status("grep -q -E -e '%s' '%s/agent.log'", re, ag.dir) == 0,
		      "the agent did not log /%s/ (agent.log)", re);
}

/*
 * Wait until @path (absolute) exists: inotify on its nearest existing
 * ancestor, looked at again after the watch is in place and on each event.
 */
static void await_path(const char *path)
{
	struct timespec start, now;
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	char dir[300], buf[4096];
	struct stat st;

	ck_assert_int_ge(fd, 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (stat(path, &st) < 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left;

		snprintf(dir, sizeof(dir), "%s", path);
		do
			*strrchr(dir, '/') = '\0';
		while (dir[0] && stat(dir, &st) < 0);
		ck_assert_int_ge(inotify_add_watch(fd, dir[0] ? dir : "/", IN_CREATE | IN_MOVED_TO), 0);
		if (stat(path, &st) == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = WAIT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
				  (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			kt_sh_status("tail -20 '%s/agent.log' >&2", ag.dir);
		ck_assert_msg(pfd.revents, "%s did not appear within %d ms (agent log above)", path,
			      WAIT_MS);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	}
	close(fd);
}

static bool link_exists(const char *name)
{
	return kt_sh_status("ip link show dev '%s' >/dev/null 2>&1", name) == 0;
}

START_TEST(test_repairs_drift)
{
	double ms;

	write_trunk("p0", 3);
	start_agent("", true);
	ck_assert(link_exists("s1") && link_exists("s3"));
	drain_events();

	kt_sh("ip link del s2");
	await_link((struct expect){ .name = "s2", .event = VT_EV_DELLINK });
	ms = await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true,
					 .marked = true });
	printf("agent: drift repair after a delete took %.1f ms\n", ms);

	kt_sh("ip link set s1 mtu 1300");
	await_link((struct expect){ .name = "s1", .event = VT_EV_NEWLINK, .mtu = 1400 });

	kt_sh("ip link set s3 down");
	await_link((struct expect){ .name = "s3", .event = VT_EV_NEWLINK, .up = true });

	/* One ip process, so the agent cannot bring it up between the two. */
	kt_sh("printf 'link set s2 down\\nlink set s2 name renamed\\n' | ip -batch -");
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true });
	ck_assert(!link_exists("renamed"));

	/* Unmanaged devices are never touched. */
	kt_sh("ip link add link p0 name stranger type vlan id 99");
	assert_status("ACTIVE");
	ck_assert(link_exists("stranger"));
	ck_assert_int_eq(stop_agent(), 0);
	/* Stopping keeps the data plane. */
	ck_assert(link_exists("s1") && link_exists("s2") && link_exists("s3"));
}
END_TEST

/*
 * Without a debounce the agent runs on the first event of a deletion, the
 * device's going down, while the kernel has unlisted it but not yet said so
 * (that waits for a grace period): its table of links is behind. Each
 * deletion must still be repaired, and no transaction fail on the way.
 */
START_TEST(test_repairs_each_deletion_without_debounce)
{
	write_trunk("p0", 12);
	start_agent("--debounce 0", true);
	for (int i = 1; i <= 12; i++) {
		char name[VT_IFNAMSIZ];

		snprintf(name, sizeof(name), "s%d", i);
		drain_events();
		kt_sh("ip link del %s", name);
		await_link((struct expect){ .name = name, .event = VT_EV_DELLINK });
		await_link((struct expect){ .name = name, .event = VT_EV_NEWLINK, .up = true,
					    .marked = true });
		assert_status("ACTIVE");
	}
	ck_assert_int_eq(stop_agent(), 0);
	ck_assert_msg(kt_sh_status("grep -q -e failed -e ERROR '%s/agent.log'", ag.dir) != 0,
		      "the agent failed on the way (agent.log)");
}
END_TEST

/*
 * A deletion's events (the device down, then gone) come from one request,
 * within a few milliseconds: the repair runs once they have been quiet,
 * without waiting out --debounce, which bounds how long a burst is waited for.
 */
START_TEST(test_repair_does_not_wait_out_the_debounce)
{
	double ms;

	write_trunk("p0", 3);
	start_agent("--debounce 3000", true);
	drain_events();
	kt_sh("ip link del s2");
	await_link((struct expect){ .name = "s2", .event = VT_EV_DELLINK });
	ms = await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true,
					 .marked = true });
	printf("agent: with --debounce 3000, a deletion was repaired in %.1f ms\n", ms);
	ck_assert_msg(ms < 1500, "the repair waited %.0f ms, as long as the debounce", ms);
	assert_status("ACTIVE");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

START_TEST(test_parent_appears_goes_returns)
{
	json_t *doc;

	write_trunk("late0", 2);
	start_agent("", true);
	doc = ask("status\n");
	ck_assert_str_eq(trunk_status(doc), "DOWN");
	json_decref(doc);

	kt_sh("ip link add late0 type dummy && ip link set late0 up");
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true });

	kt_sh("ip link del late0");
	doc = ask("status\n");
	ck_assert_str_eq(trunk_status(doc), "DOWN");
	json_decref(doc);

	kt_sh("ip link add late0 type dummy && ip link set late0 up");
	await_link((struct expect){ .name = "s1", .event = VT_EV_NEWLINK, .up = true });
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true });
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* 127 bytes, the longest altname (ALTIFNAMSIZ - 1). */
#define LONG_ALT "the-uplink-as-systemd-or-an-operator-named-it-with-an-altname-far-" \
	"longer-than-any-interface-name-that-the-agent-must-follow-012"

/*
 * A parent named by an altname: wired when its device gains that altname,
 * DOWN when it loses it. p0 is up: the kernel tells of altname changes only
 * on a device that is up (netdev_state_change()).
 */
START_TEST(test_parent_gains_and_loses_an_altname)
{
	ck_assert_uint_eq(strlen(LONG_ALT), VT_ALTIFNAMSIZ - 1);
	write_trunk(LONG_ALT, 2);
	start_agent("", true);
	assert_status("DOWN");
	drain_events();

	kt_sh("ip link property add dev p0 altname " LONG_ALT);
	await_link((struct expect){ .name = "s1", .event = VT_EV_NEWLINK, .up = true,
				    .marked = true });
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true,
				    .marked = true });
	assert_status("ACTIVE");

	/* Only the table's old view of p0 still has the altname: that is what names the trunk. */
	drain_events();
	kt_sh("ip link property del dev p0 altname " LONG_ALT);
	await_notification("STATUS=1 trunks: 0 active, 1 down");
	assert_status("DOWN");
	ck_assert_int_eq(stop_agent(), 0);
	ck_assert(link_exists("s1") && link_exists("s2"));
}
END_TEST

/* A subport's name held as another device's altname: wired once the altname goes. */
START_TEST(test_subport_name_freed_by_an_altname)
{
	kt_sh("ip link add x0 type dummy && ip link set x0 up && "
	      "ip link property add dev x0 altname s2");
	write_trunk("p0", 2);
	start_agent("", true);
	assert_status("ERROR");
	/* The kernel's lookup of s2 still finds x0; the trunk touched nothing. */
	ck_assert_int_eq(kt_sh_status("ip -o link show dev s2 | grep -q ': x0:'"), 0);
	ck_assert(!link_exists("s1"));
	drain_events();

	kt_sh("ip link property del dev x0 altname s2");
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true,
				    .marked = true });
	assert_status("ACTIVE");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

START_TEST(test_reload_valid_and_invalid)
{
	json_t *doc;

	write_trunk("p0", 2);
	start_agent("", true);
	drain_events();

	/* Valid: s3 added and s2 removed, on the file changing alone. */
	write_config("{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
		     "\"subports\": [{\"name\": \"s1\", \"vlan\": 101, \"mtu\": 1400}, "
		     "{\"name\": \"s3\", \"vlan\": 103}]}]}");
	/* Deletes run before creates. */
	await_link((struct expect){ .name = "s2", .event = VT_EV_DELLINK });
	await_link((struct expect){ .name = "s3", .event = VT_EV_NEWLINK, .up = true, .marked = true });

	/* Invalid: refused, reported, and the last good one keeps running. */
	write_config("{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
		     "\"subports\": [{\"name\": \"s1\", \"vlan\": 5000}]}]}");
	await_notification("config refused");
	doc = ask("status\n");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(doc, "agent"),
								       "config_error")), "vlan"));
	json_decref(doc);
	drain_events();
	kt_sh("ip link del s3");
	await_link((struct expect){ .name = "s3", .event = VT_EV_DELLINK });
	await_link((struct expect){ .name = "s3", .event = VT_EV_NEWLINK, .up = true, .marked = true });

	/* SIGHUP reloads too: a good config again clears the error. */
	drain_events();
	write_trunk("p0", 1);
	kill(ag.pid, SIGHUP);
	await_link((struct expect){ .name = "s3", .event = VT_EV_DELLINK });
	doc = ask("status\n");
	ck_assert(json_is_null(json_object_get(json_object_get(doc, "agent"), "config_error")));
	json_decref(doc);
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* A burst into a tiny event buffer: an overrun, then a full resync repairs what was missed. */
START_TEST(test_overrun_then_resync)
{
	char batch[16384] = "";
	size_t off = 0;
	json_t *doc;

	write_trunk("p0", 2);
	start_agent("--netlink-rcvbuf 4096", true);
	for (int i = 0; i < 300; i++)
		off += (size_t)snprintf(batch + off, sizeof(batch) - off, "link add burst%d type dummy\n", i);
	off += (size_t)snprintf(batch + off, sizeof(batch) - off, "link del s1\n");
	drain_events();
	kt_sh("ip -batch - <<'EOF'\n%sEOF", batch);
	await_link((struct expect){ .name = "s1", .event = VT_EV_DELLINK });
	await_link((struct expect){ .name = "s1", .event = VT_EV_NEWLINK, .mtu = 1400, .up = true,
				    .marked = true });
	doc = ask("status\n");
	ck_assert_int_ge(json_integer_value(json_object_get(json_object_get(doc, "agent"), "overruns")), 1);
	ck_assert_msg(!strcmp(trunk_status(doc), "ACTIVE"), "%s", json_dumps(doc, JSON_INDENT(1)));
	json_decref(doc);
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* SIGTERM while the first, large transaction runs: it finishes (or rolls back) first. */
START_TEST(test_sigterm_during_a_large_transaction)
{
	struct vt_link_table t = { 0 };
	struct vt_nl *nl = NULL;
	size_t managed = 0;
	int status;

	write_trunk("p0", 1500);
	start_agent("", false);
	await_link((struct expect){ .name = "s1", .event = VT_EV_NEWLINK });
	ck_assert_int_eq(kill(ag.pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(ag.pid, &status, 0), ag.pid);
	ag.pid = 0;
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "agent exit %d", status);

	ck_assert_int_eq(vt_nl_open(&nl), 0);
	kt_dump(nl, &t);
	for (size_t i = 0; i < t.n; i++)
		managed += !strcmp(vt_link_alias(&t.links[i]), "vlantrunk:t");
	vt_link_table_clear(&t);
	vt_nl_close(nl);
	/* All or nothing, and no transaction left open. */
	ck_assert_msg(managed == 1500 || managed == 0, "%zu of 1500 subports after SIGTERM", managed);
	ck_assert_int_eq(kt_journals(ag.state), 0);
}
END_TEST

/* Whether every VLAN here has an operstate of UP (`ip -j link`). */
static bool vlans_oper_up(void)
{
	char *out = NULL;
	json_t *doc, *l;
	bool up;
	size_t i;

	ck_assert_int_eq(kt_run(&out, "ip -j link show type vlan"), 0);
	doc = json_loads(out, 0, NULL);
	ck_assert_msg(json_is_array(doc), "ip -j link: %s", out);
	up = json_array_size(doc) > 0;
	json_array_foreach(doc, i, l)
		up &= json_is_string(json_object_get(l, "operstate")) &&
		      !strcmp(json_string_value(json_object_get(l, "operstate")), "UP");
	json_decref(doc);
	free(out);
	return up;
}

/*
 * The kernel's own reports settled. A VLAN created with its parent's carrier
 * queues a linkwatch event that is not urgent (it is still down), run up to a
 * second later (linkwatch_schedule_work()); by then the agent has brought it
 * up and said READY. That run sets its operstate (UNKNOWN until then, as
 * `ip` shows a running device) and sends a link event, both under RTNL, so
 * once a dump shows every VLAN UP the event is queued: measured, 40 of 40
 * restarts saw 8 such events about 500 ms after READY without this wait,
 * none in the 3 s after it.
 */
static void await_linkwatch(void)
{
	while (!vlans_oper_up()) {
		struct pollfd pfd = { .fd = vt_monitor_fd(ag.mon), .events = POLLIN };

		ck_assert_msg(poll(&pfd, 1, WAIT_MS) == 1, "operstate not UP within %d ms", WAIT_MS);
		ck_assert_int_ge(vt_monitor_read(ag.mon, record_event, NULL), 0);
	}
	drain_events();
}

/*
 * A package upgrade restarts the agent (dh_installsystemd's default): the old
 * one stops, the new one starts against the devices the old one made. The
 * data plane must not notice: no link event at all from the restart, every
 * device as it was (same ifindex, up, MTU, marker), the trunk ACTIVE.
 */
START_TEST(test_restart_leaves_the_data_plane_alone)
{
	struct vt_nl *nl = NULL;
	char *before, *after;
	int s1, s7;

	write_trunk("p0", 8);
	start_agent("", true);
	assert_status("ACTIVE");
	ck_assert_int_eq(vt_nl_open(&nl), 0);
	before = kt_snapshot(nl, "ps");
	s1 = kt_ifindex(nl, "s1");
	s7 = kt_ifindex(nl, "s7");
	await_linkwatch();

	ck_assert_int_eq(stop_agent(), 0);
	start_agent("", true);	/* READY=1 comes after its first pass */
	assert_status("ACTIVE");
	ck_assert_int_ge(vt_monitor_read(ag.mon, record_event, NULL), 0);
	ck_assert_msg(!overrun, "the monitor lost events: the restart cannot be proven quiet");
	for (size_t i = 0; i < n_history; i++)
		ck_abort_msg("the restart made the kernel say %s %s",
			     history[i].event == VT_EV_DELLINK ? "deleted" : "new/changed",
			     history[i].name);
	after = kt_snapshot(nl, "ps");
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(kt_ifindex(nl, "s1"), s1);
	ck_assert_int_eq(kt_ifindex(nl, "s7"), s7);
	ck_assert_int_eq(stop_agent(), 0);
	free(before);
	free(after);
	vt_nl_close(nl);
}
END_TEST

START_TEST(test_cli_next_to_the_agent)
{
	char *out = NULL;
	struct stat st;

	write_trunk("p0", 2);
	start_agent("", true);
	/* The control socket is root's alone. */
	ck_assert_int_eq(kt_sh_status("test -S '%s/agent.sock'", ag.state), 0);
	{
		char path[300];

		snprintf(path, sizeof(path), "%s/agent.sock", ag.state);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_int_eq(st.st_mode & 0777, 0600);
	}
	ck_assert_int_eq(kt_run(&out, "%s -c '%s' --state-dir '%s' status", kt_bin("vlantrunk"),
				ag.config, ag.state), 0);
	ck_assert_msg(strstr(out, "ACTIVE"), "%s", out);
	free(out);
	/* Writers take turns on the same lock: a CLI reconcile next to the agent is fine. */
	ck_assert_int_eq(kt_run(&out, "%s -c '%s' --state-dir '%s' reconcile", kt_bin("vlantrunk"),
				ag.config, ag.state), 0);
	free(out);
	/* A reconcile through the socket answers with the run's document. */
	{
		json_t *doc = ask("reconcile\n");

		ck_assert_str_eq(json_string_value(json_object_get(doc, "result")), "in_sync");
		json_decref(doc);
	}
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* Type=notify as systemd sees it: READY=1, STATUS= lines, WATCHDOG=1 pings. */
START_TEST(test_systemd_notifications)
{
	char textfile[300], *metrics = NULL;

	write_trunk("p0", 1);
	watchdog_us = "200000";
	snprintf(textfile, sizeof(textfile), "%s/vlantrunk.prom", ag.dir);
	{
		char extra[400];

		snprintf(extra, sizeof(extra), "--textfile '%s'", textfile);
		start_agent(extra, true);
	}
	watchdog_us = NULL;
	/* node-exporter's textfile, written before READY=1. */
	ck_assert_int_eq(kt_run(&metrics, "cat '%s'", textfile), 0);
	ck_assert_msg(strstr(metrics, "vlantrunk_trunks{status=\"ACTIVE\"} 1\n") &&
		      strstr(metrics, "vlantrunk_reconciles_total "), "%s", metrics);
	free(metrics);
	await_notification("WATCHDOG=1");
	await_notification("WATCHDOG=1");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/*
 * The config dir removed, then made again two levels deep (mkdir -p): the
 * agent waits on the nearest directory left, watches the new config dir,
 * and edits made in it are applied without SIGHUP.
 */
START_TEST(test_config_dir_removed_and_made_again)
{
	json_t *doc;

	snprintf(ag.config, sizeof(ag.config), "%s/etc/trunks.d", ag.dir);
	kt_sh("mkdir -p '%s'", ag.config);
	write_trunk("p0", 1);
	start_agent("", true);
	drain_events();

	kt_sh("rm -r '%s/etc'", ag.dir);
	/* Seen: the reload it causes finds nothing to read, and keeps the last good state. */
	await_notification("config refused");
	kt_sh("mkdir -p '%s'", ag.config);
	write_trunk("p0", 2);
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true, .marked = true });
	/* An edit in the new directory, once the agent watches it. */
	write_trunk("p0", 3);
	await_link((struct expect){ .name = "s3", .event = VT_EV_NEWLINK, .up = true, .marked = true });
	doc = ask("status\n");
	ck_assert(json_is_null(json_object_get(json_object_get(doc, "agent"), "config_error")));
	json_decref(doc);
	assert_logged("config dir .*/etc/trunks.d removed; waiting for it");
	assert_logged("config dir .*/etc/trunks.d is back; watching it");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* The same for a file config: its directory is what is watched, and what goes. */
START_TEST(test_config_file_dir_removed_and_made_again)
{
	snprintf(ag.config, sizeof(ag.config), "%s/etc/vlantrunk.json", ag.dir);
	ag.config_file = true;
	kt_sh("mkdir '%s/etc'", ag.dir);
	write_trunk("p0", 1);
	start_agent("", true);
	drain_events();

	kt_sh("rm -r '%s/etc'", ag.dir);
	await_notification("config refused");
	kt_sh("mkdir '%s/etc'", ag.dir);
	write_trunk("p0", 2);
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true, .marked = true });
	write_trunk("p0", 3);
	await_link((struct expect){ .name = "s3", .event = VT_EV_NEWLINK, .up = true, .marked = true });
	assert_logged("config dir .*/etc removed; waiting for it");
	assert_logged("config dir .*/etc is back; watching it");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* The state dir removed, then agent.sock alone: both made again, and answering. */
START_TEST(test_state_dir_removed)
{
	char sock[300];
	struct stat st;

	write_trunk("p0", 1);
	start_agent("", true);
	assert_status("ACTIVE");
	snprintf(sock, sizeof(sock), "%s/agent.sock", ag.state);

	kt_sh("rm -r '%s'", ag.state);
	await_path(sock);
	assert_status("ACTIVE");
	ck_assert_int_eq(stat(ag.state, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(sock, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	assert_logged("state dir .* was removed; made it again");

	ck_assert_int_eq(unlink(sock), 0);
	await_path(sock);
	assert_status("ACTIVE");
	assert_logged("control socket .*/agent.sock was removed; made it again");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* The agent's repairs plus failures, as its status answer counts them. */
static unsigned long runs_done(void)
{
	json_t *doc = ask("status\n"), *agent = json_object_get(doc, "agent");
	unsigned long n = (unsigned long)(json_integer_value(json_object_get(agent, "repairs")) +
					  json_integer_value(json_object_get(agent, "failures")));

	json_decref(doc);
	return n;
}

/* Wait for a STATUS= line whose repairs and failures add up to @runs; the failures. */
static unsigned long await_runs(unsigned long runs)
{
	for (;;) {
		char *msg = notification(WAIT_MS), *at;
		unsigned long repairs = 0, failures = 0;
		bool done = false;

		ck_assert_msg(msg, "no STATUS= line with %lu runs from the agent", runs);
		/* "...; 3 repairs, 0 failures...": back from " repairs, " over the digits. */
		at = strstr(msg, " repairs, ");
		while (at && at > msg && at[-1] >= '0' && at[-1] <= '9')
			at--;
		if (at && sscanf(at, "%lu repairs, %lu failures", &repairs, &failures) != 2)
			at = NULL;
		done = at && repairs + failures >= runs;
		free(msg);
		if (done)
			return failures;
	}
}

/* The status and reason of trunk @name in the agent's answer. */
static const char *status_of(json_t *doc, const char *name, const char **reason)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(doc, "trunks"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), name)) {
			*reason = json_string_value(json_object_get(t, "reason"));
			return json_string_value(json_object_get(t, "status"));
		}
	*reason = "";
	return "(none)";
}

/*
 * The kernel sends no link event when a device that is down gets a new
 * alias, VLAN flags or QoS map: the agent's table of links does not see the
 * change it made, and must read the device back to verify it. A subport
 * declared down, and one on a parent that is down.
 */
START_TEST(test_changes_to_down_devices_verify)
{
	static const char fmt[] =
		"{\"version\": 1, \"trunks\": ["
		"{\"name\": \"t\", \"parent\": \"p0\", \"subports\": [{\"name\": \"s1\", \"vlan\": 101, "
		"  \"up\": false%s}]},"
		"{\"name\": \"u\", \"parent\": \"p1\", \"subports\": [{\"name\": \"u1\", \"vlan\": 201%s}]}]}";
	static const char changed[] = ", \"gvrp\": true, \"egress_qos\": {\"5\": 5}";
	unsigned long runs, failures;
	char doc[1024];

	kt_sh("ip link add p1 type dummy");
	snprintf(doc, sizeof(doc), fmt, "", "");
	write_config(doc);
	start_agent("", true);
	ck_assert(link_exists("s1") && link_exists("u1"));
	drain_events();

	runs = runs_done();
	snprintf(doc, sizeof(doc), fmt, changed, changed);
	write_config(doc);
	/* One transaction per trunk: two more, neither failed (nor rolled back). */
	failures = await_runs(runs + 2);
	ck_assert_msg(failures == 0, "%lu of the agent's transactions failed", failures);
	ck_assert_int_eq(kt_sh_status("ip -d link show dev s1 | grep -q 'GVRP' && "
				      "ip -d link show dev s1 | grep -q 'egress-qos-map { 5:5 }'"), 0);
	ck_assert_int_eq(kt_sh_status("ip -d link show dev u1 | grep -q 'egress-qos-map { 5:5 }'"), 0);
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/*
 * disable_ipv6 is a sysctl: the kernel sends no link event for it, even for
 * a device that is up, so the agent's table of links cannot see it written.
 * It reads such a device back before verifying: IPv6 turned on and off again
 * in place, on a subport that is up, verify.
 */
START_TEST(test_ipv6_changes_verify)
{
	static const char fmt[] = "{\"version\": 1, \"trunks\": [{\"name\": \"t\", "
		"\"parent\": \"p0\", \"subports\": [{\"name\": \"s1\", \"vlan\": 101%s}]}]}";
	unsigned long runs, failures;
	char doc[512];

	snprintf(doc, sizeof(doc), fmt, "");
	write_config(doc);
	start_agent("", true);
	ck_assert(link_exists("s1"));
	drain_events();
	for (int round = 0; round < 2; round++) {
		runs = runs_done();
		snprintf(doc, sizeof(doc), fmt, round ? "" : ", \"ipv6\": true");
		write_config(doc);
		failures = await_runs(runs + 1);
		ck_assert_msg(failures == 0, "round %d: %lu of the agent's transactions failed",
			      round, failures);
		ck_assert_int_eq(kt_sh_status("grep -qx %d /proc/sys/net/ipv6/conf/s1/disable_ipv6",
					      round ? 1 : 0), 0);
	}
	assert_status("ACTIVE");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/*
 * A journal the agent cannot recover at start (its device's name is taken)
 * concerns one trunk: the agent starts all the same (READY=1), serves the
 * other trunk, reports the first as ERROR with the reason, and recovers it
 * on a later attempt once the name is free.
 */
START_TEST(test_kept_journal_at_start_beside_a_healthy_trunk)
{
	const char *reason;
	char *out = NULL;
	json_t *doc;

	kt_sh("ip link add p1 type dummy && ip link set p1 up");
	write_config("{\"version\": 1, \"trunks\": ["
		     "{\"name\": \"a\", \"parent\": \"p0\", \"subports\": [{\"name\": \"a-1\", \"vlan\": 20}]},"
		     "{\"name\": \"b\", \"parent\": \"p1\", \"subports\": [{\"name\": \"b-1\", \"vlan\": 21}]}]}");
	kt_sh("ip link add link p0 name a-1 type vlan id 10 && ip link set a-1 alias vlantrunk:a up");
	/* a-1 deleted for its recreate, then killed; then its name is taken. */
	ck_assert_int_eq(kt_run(&out, "VT_FAULT=kill-after:1 %s -c '%s' --state-dir '%s' reconcile "
				"--trunk a", kt_bin("vlantrunk-faulty"), ag.config, ag.state), 128 + SIGKILL);
	free(out);
	kt_sh("ip link add a-1 type dummy");

	start_agent("", true);
	ck_assert(link_exists("b-1"));
	doc = ask("status\n");
	ck_assert_str_eq(status_of(doc, "b", &reason), "ACTIVE");
	ck_assert_str_eq(status_of(doc, "a", &reason), "ERROR");
	ck_assert_msg(strstr(reason, "kept"), "reason: %s", reason);
	json_decref(doc);
	ck_assert_int_eq(kt_journals(ag.state), 1);
	assert_logged("a-1: its name is held");

	/* The name is free again: a later attempt recovers, then a-1 is made as desired. */
	drain_events();
	kt_sh("ip link del a-1");
	await_link((struct expect){ .name = "a-1", .event = VT_EV_DELLINK });
	/* Back as it was (VLAN 10, marked), then recreated as desired (VLAN 20). */
	await_link((struct expect){ .name = "a-1", .event = VT_EV_NEWLINK, .marked = true });
	await_link((struct expect){ .name = "a-1", .event = VT_EV_DELLINK });
	await_link((struct expect){ .name = "a-1", .event = VT_EV_NEWLINK, .marked = true });
	/* Answered once the run is over. */
	doc = ask("status\n");
	ck_assert_int_eq(kt_journals(ag.state), 0);
	ck_assert_str_eq(status_of(doc, "a", &reason), "ACTIVE");
	json_decref(doc);
	ck_assert_int_eq(kt_sh_status("ip -d link show dev a-1 | grep -q 'id 20'"), 0);
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/*
 * A CLI run holds the state dir's lock (here flock(1), until the test writes
 * to a FIFO). Meanwhile the agent answers on agent.sock at once (a reconcile
 * with why it cannot run) and keeps feeding the watchdog; once the lock is
 * free, it repairs what changed meanwhile.
 */
START_TEST(test_lock_held_by_another_writer)
{
	char fifo[300], cmd[700], line[16];
	int out[2], status, fd;
	const char *error;
	json_t *doc;
	FILE *held;

	write_trunk("p0", 2);
	watchdog_us = "1000000";
	start_agent("", true);
	watchdog_us = NULL;

	snprintf(fifo, sizeof(fifo), "%s/release", ag.dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	snprintf(cmd, sizeof(cmd), "echo held; read x < '%s'", fifo);
	ck_assert_int_eq(pipe2(out, O_CLOEXEC), 0);
	ag.holder = fork();
	ck_assert_int_ge(ag.holder, 0);
	if (ag.holder == 0) {
		char lock[300];

		snprintf(lock, sizeof(lock), "%s/lock", ag.state);
		dup2(out[1], STDOUT_FILENO);
		execlp("flock", "flock", "-w", "20", lock, "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	held = fdopen(out[0], "r");
	ck_assert_msg(fgets(line, sizeof(line), held) && !strcmp(line, "held\n"),
		      "flock(1) did not take the lock");
	fclose(held);

	drain_events();
	kt_sh("ip link del s2");
	await_link((struct expect){ .name = "s2", .event = VT_EV_DELLINK });
	/* Well within the 30 s a waiting flock() would take. */
	doc = ask_within("reconcile\n", 5000);
	error = json_string_value(json_object_get(doc, "error"));
	ck_assert_msg(error && strstr(error, "lock") && strstr(error, "busy"), "%s",
		      json_dumps(doc, 0));
	json_decref(doc);
	doc = ask_within("status\n", 5000);
	ck_assert_ptr_nonnull(trunk_status(doc));
	json_decref(doc);
	/* Pings keep coming across the retries (every second), none later than WatchdogSec. */
	drain_events();
	for (int pings = 0; pings < 4;) {
		char *msg = notification(1000);

		ck_assert_msg(msg, "no WATCHDOG=1 within the watchdog's 1 s while the lock is held");
		pings += strstr(msg, "WATCHDOG=1") != NULL;
		free(msg);
	}

	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "\n", 1), 1);
	close(fd);
	ck_assert_int_eq(waitpid(ag.holder, &status, 0), ag.holder);
	ag.holder = 0;
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "flock(1) status %d", status);
	await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true, .marked = true });
	assert_status("ACTIVE");
	assert_logged("another vlantrunk holds the lock in .*; trying again every second");
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

START_TEST(test_memory_flat_over_a_thousand_repairs)
{
	struct vt_batch *batch = vt_batch_new();
	struct vt_nl *nl = NULL;
	/* A thousand by default; VT_LONG_TESTS lowers it, never below 200. */
	int cycles = (int)kt_long(1000, 200);
	long early = 0, late;
	char repaired[64];

	/* Deleted over netlink, not by spawning ip: a thousand cycles stay cheap. */
	ck_assert_int_eq(vt_nl_open(&nl), 0);
	write_trunk("p0", 4);
	start_agent("--debounce 5", true);
	drain_events();
	for (int cycle = 1; cycle <= cycles; cycle++) {
		drain_events();
		vt_batch_reset(batch);
		ck_assert_int_eq(vt_batch_delete(batch, VT_NS_OWN, 0, "s2"), 0);
		ck_assert_int_eq(vt_nl_send_batch(nl, batch), 0);
		ck_assert_int_eq(vt_batch_result(batch, 0)->error, 0);
		await_link((struct expect){ .name = "s2", .event = VT_EV_DELLINK });
		await_link((struct expect){ .name = "s2", .event = VT_EV_NEWLINK, .up = true,
					    .marked = true });
		/*
		 * And the run that repaired it has ended (its STATUS line counts it):
		 * deleting s2 while that run verifies its work would fail the run, and
		 * the agent would rightly back off.
		 */
		snprintf(repaired, sizeof(repaired), "; %d repairs", cycle + 1);
		await_notification(repaired);
		if (cycle == 100)
			early = rss_kib(ag.pid);
	}
	late = rss_kib(ag.pid);
	vt_batch_free(batch);
	vt_nl_close(nl);
	printf("agent: RSS %ld KiB after 100 repairs, %ld KiB after %d\n", early, late, cycles);
	/*
	 * Under a checker (tests/kernel/run --valgrind, or a build with ASan) the
	 * RSS is the checker's, which grows with its own books (ASan's quarantine
	 * of freed blocks); there the leak check at exit, which makes the agent
	 * exit non-zero, stands in for this comparison.
	 */
	if (!getenv("VT_BIN_WRAP") && !kt_sanitized())
		ck_assert_msg(late - early < 256, "RSS grew from %ld to %ld KiB", early, late);
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

/* `status` on agent.sock, its answer read to the end into *@text (the caller frees it). */
static size_t ask_all(char **text)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval timeout = { .tv_sec = WAIT_MS / 1000 };
	size_t len = 0, cap = 1 << 16;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	*text = malloc(cap);
	ck_assert_ptr_nonnull(*text);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%.90s/agent.sock", ag.state);
	ck_assert_msg(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "connect: %m");
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)), 0);
	ck_assert_int_eq(write(fd, "status\n", 7), 7);
	while ((n = read(fd, *text + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
		if (len == cap - 1) {
			*text = realloc(*text, cap *= 2);
			ck_assert_ptr_nonnull(*text);
		}
	}
	ck_assert_msg(n == 0, "the status answer did not end within %d ms (%m)", WAIT_MS);
	close(fd);
	(*text)[len] = '\0';
	return len;
}

/*
 * A status answer is megabytes at thousands of subports: the agent streams
 * it, and keeps neither its text nor its tree, nor a heap grown by them.
 */
START_TEST(test_status_requests_keep_no_memory)
{
	const int subports = 2000, asks = 10;
	long ready, first = 0, last;
	size_t bytes = 0;
	json_t *doc, *trunk;
	char *text;

	write_trunk("p0", subports);
	start_agent("", true);
	ready = rss_kib(ag.pid);
	for (int k = 1; k <= asks; k++) {
		bytes = ask_all(&text);
		/* One document and its newline, whole, as it was when built at once. */
		ck_assert_msg(bytes > 2 && text[bytes - 1] == '\n', "answer cut short");
		doc = json_loads(text, 0, NULL);
		ck_assert_msg(doc, "the streamed answer is not one JSON document");
		trunk = json_array_get(json_object_get(doc, "trunks"), 0);
		ck_assert_uint_eq(json_array_size(json_object_get(trunk, "subports")), subports);
		ck_assert_str_eq(json_string_value(json_object_get(trunk, "status")), "ACTIVE");
		ck_assert(json_is_object(json_object_get(doc, "agent")));
		json_decref(doc);
		free(text);
		if (k == 1)
			first = rss_kib(ag.pid);
	}
	last = rss_kib(ag.pid);
	printf("agent: RSS %ld KiB at READY, %ld after one status (%zu bytes), %ld after %d\n",
	       ready, first, bytes, last, asks);
	/* As in the soak test: under a checker the RSS is the checker's. */
	if (!getenv("VT_BIN_WRAP") && !kt_sanitized()) {
		ck_assert_msg(first - ready < (long)(bytes / 1024),
			      "one status answer of %zu KiB kept %ld KiB", bytes / 1024, first - ready);
		ck_assert_msg(last - first < 256, "RSS grew from %ld to %ld KiB over %d status answers",
			      first, last, asks);
	}
	ck_assert_int_eq(stop_agent(), 0);
}
END_TEST

Suite *agent_suite(void)
{
	Suite *s = suite_create("agent");
	TCase *tc = tcase_create("daemon");
	TCase *soak = tcase_create("soak");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_repairs_drift);
	tcase_add_test(tc, test_repairs_each_deletion_without_debounce);
	tcase_add_test(tc, test_repair_does_not_wait_out_the_debounce);
	tcase_add_test(tc, test_parent_appears_goes_returns);
	tcase_add_test(tc, test_parent_gains_and_loses_an_altname);
	tcase_add_test(tc, test_subport_name_freed_by_an_altname);
	tcase_add_test(tc, test_reload_valid_and_invalid);
	tcase_add_test(tc, test_overrun_then_resync);
	tcase_add_test(tc, test_sigterm_during_a_large_transaction);
	tcase_add_test(tc, test_restart_leaves_the_data_plane_alone);
	tcase_add_test(tc, test_cli_next_to_the_agent);
	tcase_add_test(tc, test_systemd_notifications);
	tcase_add_test(tc, test_config_dir_removed_and_made_again);
	tcase_add_test(tc, test_config_file_dir_removed_and_made_again);
	tcase_add_test(tc, test_state_dir_removed);
	tcase_add_test(tc, test_lock_held_by_another_writer);
	tcase_add_test(tc, test_changes_to_down_devices_verify);
	tcase_add_test(tc, test_ipv6_changes_verify);
	tcase_add_test(tc, test_kept_journal_at_start_beside_a_healthy_trunk);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(soak, setup, teardown);
	tcase_set_timeout(soak, 900);
	tcase_add_test(soak, test_memory_flat_over_a_thousand_repairs);
	tcase_add_test(soak, test_status_requests_keep_no_memory);
	suite_add_tcase(s, soak);
	return s;
}
