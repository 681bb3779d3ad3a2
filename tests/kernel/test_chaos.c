/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A seeded chaos soak of the agent. One network namespace (dummy parents,
 * two bridges, four trunks: ta on p0 with an 802.1ad outer subport a-q that
 * carries trunk tq, tb on p1 with bridge masters, tc on p2), one agent from
 * vlantrunk-faulty with a VT_FAULT list drawn from the seed, then rounds of:
 * drift on managed devices, event floods, parents deleted and re-added,
 * look-alikes (also at an ifindex a journal records), names taken by dummies,
 * config rewrites valid and invalid, CLI runs beside the agent, and the agent
 * killed (by the test or by its own VT_FAULT) and restarted.
 *
 * After every round the agent is made quiet without sleeping (a synchronous
 * `reconcile` on agent.sock; an agent that died meanwhile is restarted), then:
 *   untouched  every device the test made by hand (no marker) is as the test
 *              left it, attributes and all (parent and master by ifindex);
 *   journal    an agent killed mid-transaction (by its VT_FAULT, or by the
 *              test while a device of an open transaction is seen) leaves a
 *              journal for the next start or CLI run to recover;
 *   alive      the agent never exits unless its VT_FAULT killed it, and each
 *              start says READY=1, kept journal or not;
 *   refused    an invalid config is refused: agent.sock's status reports
 *              config_error, and the last good state keeps being served.
 * Every few rounds (and after the last) the obstacles go (parents back,
 * look-alikes and name takers deleted, the last good config on disk), and
 * once quiet:
 *   converge   no journal left, `vlantrunk plan` exits 0, every trunk ACTIVE
 *              (DOWN for admin_state_up false) in agent.sock's status;
 *   no orphan  no device marked for a trunk that does not want it, no VLAN in
 *              a nonzero device group, no unmarked VLAN the test did not make.
 *
 * Knobs (VT_* pass into the sandbox):
 *   VT_CHAOS_SEED=N         the seed (printed as "chaos seed N")
 *   VT_CHAOS_ROUNDS=N       rounds (default 300: 164 s in the sandbox for seed 2, about
 *                           0.4 s a round, more for a round that fails to converge)
 *   VT_CHAOS_EPOCH=N        rounds between convergence checks (default 5)
 *   VT_CHAOS_KEEP_GOING=1   report a violation and go on; the test fails at the end
 *   VT_CHAOS_VERBOSE=1      print every round's actions
 *
 * Shown to catch a broken agent: with the agent's recovery skipped (at start
 * and in its runs), seed 1 fails at round 24 ("1 journals kept").
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "kernel_util.h"
#include "suites.h"

#define DEFAULT_ROUNDS 300
#define DEFAULT_EPOCH 5
#define WAIT_MS 30000
#define MAX_OWN 512

/* A device the test made (or unmarked) by hand, and its line as the test left it. */
struct own {
	int ifindex;
	char *line;
};

struct chaos {
	struct vt_nl *nl;
	struct vt_monitor *mon;
	struct kt_rng rng;
	uint64_t seed;
	unsigned round, rounds;
	bool keep_going, verbose, failed;
	unsigned failures;
	char *dir;
	char config_dir[256], config[300], state[256], notify[256], agent_log[256];
	json_t *desired;	/* the last good desired state, the one served */
	bool config_invalid;	/* what is on disk now was refused */
	bool drop_tc;
	/* the agent */
	pid_t pid;
	int notify_fd;
	char fault[160];
	unsigned debounce, starts, fault_deaths;
	bool cli_ran;		/* a CLI run since the agent was last seen alive: it may recover */
	/* the test's own devices */
	struct own own[MAX_OWN];
	size_t n_own;
	unsigned obstacles;
	char *log;
	size_t log_len;
	FILE *logf;
};

static struct chaos X;

static unsigned pick(unsigned n)
{
	return n ? (unsigned)(kt_rng_next(&X.rng) % n) : 0;
}

static bool chance(unsigned percent)
{
	return pick(100) < percent;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(X.logf, fmt, ap);
	va_end(ap);
	fflush(X.logf);
}

/* A violation: the seed, the round, what it did, the agent's log, and how to replay it. */
static void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void violation(const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&what, fmt, ap), 0);
	va_end(ap);
	fflush(X.logf);
	fprintf(stderr, "\nchaos FAILED: seed %" PRIu64 " round %u: %s\n  the round:\n%s"
		"  agent (pid %d, VT_FAULT=%s, debounce %u ms, start %u), log tail:\n",
		X.seed, X.round, what, X.log, (int)X.pid, X.fault[0] ? X.fault : "-", X.debounce,
		X.starts);
	fflush(stderr);
	kt_sh_status("tail -40 '%s' | sed 's/^/    /' >&2", X.agent_log);
	fprintf(stderr, "  replay: VT_CHAOS_SEED=%" PRIu64 " VT_CHAOS_ROUNDS=%u "
		"CK_RUN_SUITE=chaos scripts/sandbox tests/kernel/run BUILD\n", X.seed, X.round + 1);
	fflush(stderr);
	X.failed = true;
	X.failures++;
	if (!X.keep_going)
		ck_abort_msg("chaos seed %" PRIu64 " round %u: %s", X.seed, X.round, what);
	free(what);
}

/* ---- the world and the test's own devices ---- */

static void world(struct kt_world *w)
{
	kt_world_read(X.nl, w, true);
}

static struct own *own_find(int ifindex)
{
	for (size_t i = 0; i < X.n_own; i++)
		if (X.own[i].ifindex == ifindex)
			return &X.own[i];
	return NULL;
}

static void own_set(int ifindex, const char *line)
{
	struct own *o = own_find(ifindex);

	if (!o) {
		ck_assert_uint_lt(X.n_own, MAX_OWN);
		o = &X.own[X.n_own++];
		o->ifindex = ifindex;
		o->line = NULL;
	}
	free(o->line);
	o->line = strdup(line);
}

/* Own devices still there, at their lines now: what the test itself did. */
static void own_rebase(const struct kt_world *w)
{
	size_t k = 0;

	for (size_t i = 0; i < X.n_own; i++) {
		const struct kt_dev *d = kt_world_ifindex(w, X.own[i].ifindex);

		if (!d || kt_marked(d)) {
			free(X.own[i].line);
			continue;
		}
		X.own[k] = X.own[i];
		free(X.own[k].line);
		X.own[k].line = strdup(d->line);
		k++;
	}
	X.n_own = k;
}

/* untouched: every own device as the test left it. */
static bool check_untouched(const char *when)
{
	struct kt_world w;
	bool ok = true;

	world(&w);
	for (size_t i = 0; i < X.n_own && ok; i++) {
		const struct kt_dev *d = kt_world_ifindex(&w, X.own[i].ifindex);

		if (!d)
			violation("%s: unmanaged device deleted\n  was: %s", when, X.own[i].line);
		else if (strcmp(d->line, X.own[i].line))
			violation("%s: unmanaged device %s changed\n  was: %s\n  now: %s", when, d->name,
				  X.own[i].line, d->line);
		ok = !X.failed;
	}
	kt_world_free(&w);
	return ok;
}

/* @name is a word of @cmd. */
static bool named_in(const char *cmd, const char *name)
{
	size_t n = strlen(name);

	for (const char *at = strstr(cmd, name); at; at = strstr(at + 1, name))
		if ((at == cmd || strchr(" \n'", at[-1])) && strchr(" \n'", at[n] ? at[n] : ' '))
			return true;
	return false;
}

/* A change made by hand (one shell command line): what it creates is the test's own. */
static int by_hand(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int by_hand(const char *fmt, ...)
{
	struct kt_world before, after;
	char *cmd = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	check_untouched("before a change by hand");
	world(&before);
	rc = kt_sh_status("{ %s\n} >/dev/null 2>&1", cmd);
	note("  by hand: %.300s%s -> exit %d\n", cmd, strlen(cmd) > 300 ? "..." : "", rc);
	world(&after);
	/*
	 * New, unmarked, in no device group, and named by the command: the agent,
	 * working meanwhile, makes its devices in a group and marks them.
	 */
	for (size_t i = 0; i < after.n; i++) {
		const struct kt_dev *d = &after.devs[i];

		if (!kt_world_ifindex(&before, d->ifindex) && !kt_marked(d) && !d->group &&
		    named_in(cmd, d->name))
			own_set(d->ifindex, d->line);
	}
	own_rebase(&after);
	kt_world_free(&before);
	kt_world_free(&after);
	free(cmd);
	return rc;
}

static bool present(const char *name)
{
	struct kt_world w;
	bool found;

	world(&w);
	found = kt_world_name(&w, name) != NULL;
	kt_world_free(&w);
	return found;
}

/* A random marked device (name into @out); false if there is none. */
static bool random_managed(char *out, size_t len, char *alias, size_t alias_len)
{
	struct kt_world w;
	size_t n = 0, k;

	world(&w);
	for (size_t i = 0; i < w.n; i++)
		n += kt_marked(&w.devs[i]);
	k = pick((unsigned)n);
	for (size_t i = 0; i < w.n; i++)
		if (kt_marked(&w.devs[i]) && k-- == 0) {
			snprintf(out, len, "%s", w.devs[i].name);
			if (alias)
				snprintf(alias, alias_len, "%s", w.devs[i].alias);
		}
	kt_world_free(&w);
	return n > 0;
}

/* ---- the desired state ---- */

static json_t *gen_subports(char prefix, unsigned n, unsigned max_mtu, bool bridged)
{
	json_t *sps = json_array();
	unsigned names[5], vlans[5];

	for (unsigned i = 0; i < n; i++) {
		bool dup;

		do {
			names[i] = 1 + pick(5);
			vlans[i] = 10 + pick(9);
			dup = false;
			for (unsigned j = 0; j < i; j++)
				dup |= names[j] == names[i] || vlans[j] == vlans[i];
		} while (dup);
	}
	for (unsigned i = 0; i < n; i++) {
		char name[VT_IFNAMSIZ];
		json_t *sp;

		snprintf(name, sizeof(name), "%c-%u", prefix, names[i]);
		sp = json_pack("{s:s, s:i}", "name", name, "vlan", vlans[i]);
		if (chance(40))
			json_object_set_new(sp, "mtu", json_integer(1300 + pick(max_mtu - 1300 + 1)));
		if (chance(25)) {
			char mac[18];

			snprintf(mac, sizeof(mac), "02:00:00:%02x:%02x:%02x", pick(256), pick(256),
				 pick(256));
			json_object_set_new(sp, "mac", json_string(mac));
		}
		if (chance(10))
			json_object_set_new(sp, "up", json_false());
		if (chance(15))
			json_object_set_new(sp, "gvrp", json_true());
		if (chance(15))
			json_object_set_new(sp, "egress_qos", json_pack("{s:i}", "3", 1 + pick(7)));
		if (bridged && chance(50))
			json_object_set_new(sp, "master", json_string(chance(50) ? "br0" : "br1"));
		json_array_append_new(sps, sp);
	}
	return sps;
}

static json_t *gen_trunk(const char *name, const char *parent, json_t *subports, bool may_be_down)
{
	json_t *t = json_pack("{s:s, s:s, s:o}", "name", name, "parent", parent, "subports", subports);

	if (may_be_down && chance(10))
		json_object_set_new(t, "admin_state_up", json_false());
	return t;
}

static json_t *gen_desired(void)
{
	unsigned outer_mtu = 1400 + pick(101);
	json_t *a = gen_subports('a', pick(4), 1500, false), *outer, *trunks;

	outer = json_pack("{s:s, s:i, s:s, s:i}", "name", "a-q", "vlan", 100, "protocol", "802.1ad",
			  "mtu", outer_mtu);
	if (chance(20))
		json_object_set_new(outer, "loose_binding", json_true());
	json_array_append_new(a, outer);
	trunks = json_pack("[o, o, o]", gen_trunk("ta", "p0", a, false),
			   gen_trunk("tq", "a-q", gen_subports('q', 1 + pick(3), outer_mtu, false), false),
			   gen_trunk("tb", "p1", gen_subports('b', 1 + pick(4), 1500, true), true));
	X.drop_tc = chance(15);
	if (!X.drop_tc)
		json_array_append_new(trunks, gen_trunk("tc", "p2", gen_subports('c', 1 + pick(4), 1500,
										     false), true));
	return json_pack("{s:i, s:o}", "version", 1, "trunks", trunks);
}

static void write_text(const char *text)
{
	char tmp[320];

	/* As an editor would: a temporary file renamed over the old one. */
	snprintf(tmp, sizeof(tmp), "%s.tmp~", X.config);
	kt_write(tmp, text);
	ck_assert_int_eq(rename(tmp, X.config), 0);
}

static void write_desired(void)
{
	char *text = json_dumps(X.desired, JSON_INDENT(1));

	write_text(text);
	free(text);
	X.config_invalid = false;
}

static const json_t *desired_trunk(const char *name)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(X.desired, "trunks"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), name))
			return t;
	return NULL;
}

static bool wanted(const char *trunk, const char *name)
{
	const json_t *sp;
	size_t i;

	json_array_foreach(json_object_get(desired_trunk(trunk), "subports"), i, sp)
		if (!strcmp(json_string_value(json_object_get(sp, "name")), name))
			return true;
	return false;
}

static const json_t *random_subport(const char **parent)
{
	const json_t *trunks = json_object_get(X.desired, "trunks");
	const json_t *t = json_array_get(trunks, pick((unsigned)json_array_size(trunks)));
	const json_t *sps = json_object_get(t, "subports");

	*parent = json_string_value(json_object_get(t, "parent"));
	return json_array_size(sps) ? json_array_get(sps, pick((unsigned)json_array_size(sps))) : NULL;
}

/* The last good state, broken in one of the ways the loader must refuse. */
static char *gen_invalid(void)
{
	json_t *d = json_deep_copy(X.desired);
	json_t *sps = json_object_get(json_array_get(json_object_get(d, "trunks"), 2), "subports");
	json_t *sp = json_array_get(sps, 0);	/* tb always has one */
	char *text;

	switch (pick(6)) {
	case 0:
		text = json_dumps(d, JSON_COMPACT);
		text[1 + pick((unsigned)strlen(text) - 1)] = '\0';	/* a proper prefix */
		json_decref(d);
		return text;
	case 1: json_object_set_new(sp, "vlna", json_integer(5)); break;
	case 2: json_object_set_new(sp, "vlan", json_integer(4095)); break;
	case 3: json_array_append_new(sps, json_deep_copy(sp)); break;
	case 4: json_object_set_new(d, "version", json_integer(2)); break;
	default: json_object_set_new(sp, "mtu", json_integer(20)); break;
	}
	text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return text;
}

/* ---- the agent ---- */

static const char *const errnos[] = { "16", "22", "95", "105", "1" };

/* 0-3 faults at requests 1..40, now and then a kill among them. */
static void gen_faults(void)
{
	unsigned n = chance(30) ? 0 : 1 + pick(3), k = 0;
	size_t off = 0;

	X.fault[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		unsigned kind = pick(10);

		k = i && chance(50) ? k + 1 + pick(3) : 1 + pick(40);
		off += (size_t)snprintf(X.fault + off, sizeof(X.fault) - off, "%s", i ? "," : "");
		if (kind < 6)
			off += (size_t)snprintf(X.fault + off, sizeof(X.fault) - off, "fail:%u:%s", k,
						errnos[pick(5)]);
		else
			off += (size_t)snprintf(X.fault + off, sizeof(X.fault) - off, "%s:%u",
						kind < 8 ? "kill-before" : "kill-after", k);
	}
}

static bool fault_kills(void)
{
	return strstr(X.fault, "kill-") != NULL;
}

static void drain_notify(void)
{
	char buf[4096];

	while (X.notify_fd > 0 && recv(X.notify_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Wait up to @ms for a notification containing @text (any, if NULL); false if none. */
static bool notification(const char *text, int ms)
{
	struct pollfd pfd = { .fd = X.notify_fd, .events = POLLIN };
	struct timespec t0, t1;
	char buf[4096];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = ms - ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			return false;
		n = recv(X.notify_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (!text || strstr(buf, text))
			return true;
	}
}

/* The agent's exit, if it has exited: its wait status in @status. */
static bool agent_dead(int *status)
{
	return X.pid > 0 && waitpid(X.pid, status, WNOHANG) == X.pid;
}

static void start_agent(void);

/*
 * alive: a dead agent must have been killed by its own VT_FAULT; then its
 * journal must be there (every request is a transaction's or a recovery's,
 * journaled first). It is started again, with new faults or none.
 */
static bool agent_died(int status)
{
	size_t n = kt_journal_text(X.state, NULL);
	bool fault_kill = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && fault_kills();

	X.pid = 0;
	note("  agent died (%s %d) with VT_FAULT=%s; %zu journals\n",
	     WIFSIGNALED(status) ? "signal" : "exit",
	     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), X.fault, n);
	if (!fault_kill)
		violation("the agent exited on its own (%s %d), VT_FAULT=%s",
			  WIFSIGNALED(status) ? "signal" : "exit",
			  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), X.fault);
	else if (!n && !X.cli_ran)
		violation("journal lost: the agent was killed by its VT_FAULT (%s) mid-transaction "
			  "and no journal is in %s", X.fault, X.state);
	if (X.failed)
		return false;
	X.fault_deaths++;
	if (X.fault_deaths > 2 || chance(50))
		X.fault[0] = '\0';
	else
		gen_faults();
	start_agent();
	return !X.failed;
}

/* Check on the agent: false if it broke a promise (reported). */
static bool agent_ok(void)
{
	int status;

	if (X.pid > 0 && agent_dead(&status))
		return agent_died(status);
	X.cli_ran = false;
	return !X.failed;
}

static void start_agent(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timespec t0, t1;
	int status;

	/* An invalid config is refused at start, by design: the test puts the good one back. */
	if (X.config_invalid) {
		note("  the last good config back on disk for the start\n");
		write_desired();
	}
	if (X.notify_fd > 0)
		close(X.notify_fd);
	X.notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(X.notify_fd, 0);
	strcpy(addr.sun_path, X.notify);
	unlink(X.notify);
	ck_assert_int_eq(bind(X.notify_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	X.starts++;
	note("  agent start %u: VT_FAULT=%s --debounce %u\n", X.starts, X.fault[0] ? X.fault : "-",
	     X.debounce);
	kt_sh_status("echo '--- start %u: VT_FAULT=%s' >> '%s'", X.starts, X.fault, X.agent_log);
	X.pid = fork();
	ck_assert_int_ge(X.pid, 0);
	if (X.pid == 0) {
		char *cmd = NULL;

		setenv("NOTIFY_SOCKET", X.notify, 1);
		if (X.fault[0])
			setenv("VT_FAULT", X.fault, 1);
		else
			unsetenv("VT_FAULT");
		if (asprintf(&cmd, "exec %s -c '%s' --state-dir '%s' agent --debounce %u 2>>'%s'",
			     kt_bin("vlantrunk-faulty"), X.config_dir, X.state, X.debounce,
			     X.agent_log) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* READY=1 on each start; an agent its VT_FAULT kills first is started again. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (notification("READY=1", 200))
			return;
		if (agent_dead(&status)) {
			agent_died(status);
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((t1.tv_sec - t0.tv_sec) * 1000 > WAIT_MS) {
			violation("no READY=1 from the agent within %d ms of its start (%zu journals)",
				  WAIT_MS, kt_journal_text(X.state, NULL));
			return;
		}
	}
}

static void kill_agent(void)
{
	if (X.pid <= 0)
		return;
	kill(X.pid, SIGKILL);
	waitpid(X.pid, NULL, 0);
	X.pid = 0;
}

/*
 * The agent's answer to @request on agent.sock, or NULL (it died, or did not
 * answer). Its notifications are drained meanwhile: a full notify socket
 * would block it.
 */
static json_t *ask(const char *request)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timespec t0, t1;
	static char buf[1 << 20];
	size_t len = 0;
	json_t *doc;
	int fd;

	drain_notify();
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%.90s/agent.sock", X.state);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    write(fd, request, strlen(request)) <= 0) {
		close(fd);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = X.notify_fd, .events = POLLIN } };
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((t1.tv_sec - t0.tv_sec) * 1000 > WAIT_MS || poll(pfd, 2, 1000) < 0)
			break;
		if (pfd[1].revents)
			drain_notify();
		if (!pfd[0].revents)
			continue;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	doc = len ? json_loads(buf, 0, NULL) : NULL;
	if (len && !doc)
		violation("the agent's answer to %.*s is not JSON: %.200s", (int)strcspn(request, "\n"),
			  request, buf);
	return doc;
}

/* @request answered, restarting an agent that died meanwhile; NULL on a violation. */
static json_t *ask_alive(const char *request)
{
	for (int tries = 0; tries < 8 && !X.failed; tries++) {
		json_t *doc = X.pid > 0 ? ask(request) : NULL;

		if (doc || X.failed)
			return doc;
		if (!agent_ok())
			return NULL;
		if (X.pid <= 0)
			start_agent();
		else
			notification(NULL, 500);	/* alive, its socket not there yet */
	}
	if (!X.failed)
		violation("no answer to %.*s on agent.sock", (int)strcspn(request, "\n"), request);
	return NULL;
}

static unsigned long counter(const json_t *doc, const char *name)
{
	return (unsigned long)json_integer_value(json_object_get(json_object_get(doc, "agent"), name));
}

/*
 * A config write seen: the agent's reloads plus refusals grew past @before
 * (reloads_now()), or an agent started since read it at its start.
 */
static json_t *await_reload(unsigned long before)
{
	unsigned starts = X.starts;

	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		json_t *doc = ask_alive("status\n");

		if (!doc)
			return NULL;
		/* A restarted agent read the file at its start. */
		if (counter(doc, "reloads") + counter(doc, "reload_errors") > before ||
		    X.starts != starts)
			return doc;
		json_decref(doc);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((t1.tv_sec - t0.tv_sec) * 1000 > WAIT_MS) {
			violation("the agent did not reload its config within %d ms", WAIT_MS);
			return NULL;
		}
		notification(NULL, 500);	/* the reload's STATUS= line, or the next look */
	}
}

static unsigned long reloads_now(void)
{
	json_t *doc = ask_alive("status\n");
	unsigned long n = doc ? counter(doc, "reloads") + counter(doc, "reload_errors") : 0;

	json_decref(doc);
	return n;
}

/* A CLI run beside the agent; it recovers a journal the agent may have left by dying. */
static int cli(char **out, const char *args)
{
	int status, rc;

	if (X.pid > 0 && agent_dead(&status))
		agent_died(status);
	rc = kt_vlantrunk(out, NULL, X.config_dir, X.state, args);
	X.cli_ran = true;
	return rc;
}

/* ---- the rounds ---- */

static void readd_parents(void)
{
	for (int i = 0; i < 3; i++)
		if (!present(kt_campaign_parents[i]))
			by_hand("ip link add %s type dummy && ip link set %s up", kt_campaign_parents[i],
				kt_campaign_parents[i]);
}

/* One drift on managed device @dev, as a line of `ip -batch`. */
static void drift_line(FILE *f, const char *dev)
{
	switch (pick(7)) {
	case 0: fprintf(f, "link del %s\n", dev); break;
	case 1: fprintf(f, "link set %s name x-%u\n", dev, ++X.obstacles); break;
	case 2: fprintf(f, "link set %s mtu %u\n", dev, 1300 + pick(150)); break;
	case 3: fprintf(f, "link set %s down\n", dev); break;
	case 4: fprintf(f, "link set %s address 02:00:00:ee:%02x:%02x\n", dev, pick(256), pick(256)); break;
	case 5: fprintf(f, "link set %s nomaster\n", dev); break;
	default: fprintf(f, "link set %s up\n", dev); break;
	}
}

static void round_drift(void)
{
	char dev[VT_IFNAMSIZ], *batch = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&batch, &len);
	unsigned n = 1 + pick(4);

	note(" drift on managed devices\n");
	for (unsigned i = 0; i < n; i++)
		if (random_managed(dev, sizeof(dev), NULL, 0))
			drift_line(f, dev);
	fclose(f);
	if (len)
		by_hand("ip -force -batch - <<'EOF'\n%sEOF", batch);
	free(batch);
}

/* The marker taken away: the device is no longer vlantrunk's but the test's. */
static void round_unmark(void)
{
	char dev[VT_IFNAMSIZ];
	struct kt_world w;
	const struct kt_dev *d;

	note(" a managed device's alias removed\n");
	if (!random_managed(dev, sizeof(dev), NULL, 0))
		return;
	/* As the look-alikes: out of reach of the kernel's propagation from a managed parent. */
	by_hand("ip link set dev %s alias '' && { ip -d link show dev %s | grep -q 'vlan protocol' "
		"&& ip link set dev %s mtu 1280 type vlan loose_binding on || true; }", dev, dev, dev);
	world(&w);
	d = kt_world_name(&w, dev);
	if (d && !kt_marked(d))
		own_set(d->ifindex, d->line);
	kt_world_free(&w);
}

static void round_flood(void)
{
	char dev[VT_IFNAMSIZ], *batch = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&batch, &len);
	unsigned n = 50 + pick(200);

	note(" an event flood of %u changes\n", n);
	for (unsigned i = 0; i < n; i++) {
		switch (pick(4)) {
		case 0:
			fprintf(f, "link add fl-%u type dummy\nlink del fl-%u\n", i, i);
			break;
		case 1:
			if (random_managed(dev, sizeof(dev), NULL, 0))
				fprintf(f, "link set %s down\nlink set %s up\n", dev, dev);
			break;
		case 2:
			if (random_managed(dev, sizeof(dev), NULL, 0))
				fprintf(f, "link set %s mtu %u\n", dev, 1300 + pick(150));
			break;
		default:
			if (chance(10) && random_managed(dev, sizeof(dev), NULL, 0))
				drift_line(f, dev);
			else
				fprintf(f, "link set lo mtu %u\n", 65536);
			break;
		}
	}
	fclose(f);
	by_hand("ip -force -batch - <<'EOF'\n%sEOF", batch);
	free(batch);
}

static void round_parent(void)
{
	const char *p = chance(25) ? "a-q" : kt_campaign_parents[pick(3)];

	note(" parent %s deleted\n", p);
	if (chance(50))
		by_hand("ip link del %s && ip link add %s type dummy && ip link set %s up", p, p, p);
	else
		by_hand("ip link del %s", p);
	if (chance(30))
		readd_parents();
}

static void free_name(char *name, size_t len)
{
	snprintf(name, len, "u-%u", ++X.obstacles);
}

/*
 * A look-alike: same parent, VLAN and protocol as a desired subport, and
 * mostly its name, made in one `ip -batch` with the managed one's deletion
 * so the agent cannot repair in between. loose_binding and MTU 1280: the
 * kernel's own propagation from a managed parent cannot reach it.
 */
static void round_lookalike(void)
{
	const char *parent, *name, *proto;
	const json_t *sp = random_subport(&parent);
	char other[VT_IFNAMSIZ];

	note(" a look-alike of a subport\n");
	if (!sp)
		return;
	name = json_string_value(json_object_get(sp, "name"));
	proto = json_string_value(json_object_get(sp, "protocol"));
	free_name(other, sizeof(other));
	by_hand("ip -force -batch - <<'EOF'\nlink del %s\nlink add link %s name %s mtu 1280 type vlan "
		"id %d protocol %s loose_binding on\nEOF", name, parent, chance(70) ? name : other,
		(int)json_integer_value(json_object_get(sp, "vlan")), proto ? proto : "802.1Q");
}

static void round_name_taker(void)
{
	const char *parent;
	const json_t *sp = random_subport(&parent);
	const char *name = sp ? json_string_value(json_object_get(sp, "name")) : NULL;

	note(" a subport's name taken by a dummy\n");
	if (name)
		by_hand("ip -force -batch - <<'EOF'\nlink del %s\nlink add %s type dummy\nEOF", name, name);
}

/* A look-alike at an ifindex a journal records: an index alone proves nothing. */
static void lookalike_at_journal_index(void)
{
	struct kt_facts fx;
	const json_t *e;
	const char *parent, *name;
	char other[VT_IFNAMSIZ];
	size_t n;
	int vlan;

	kt_journal_facts(X.state, &fx);
	n = json_array_size(fx.devices);
	if (n) {
		e = json_array_get(fx.devices, pick((unsigned)n));
		parent = json_string_value(json_object_get(e, "parent_name"));
		name = json_string_value(json_object_get(e, "name"));
		vlan = (int)json_integer_value(json_object_get(e, "vlan"));
		free_name(other, sizeof(other));
		note("  a look-alike at journaled ifindex %d\n",
		     (int)json_integer_value(json_object_get(e, "ifindex")));
		by_hand("ip link add link %s name %s index %d mtu 1280 type vlan id %d protocol %s "
			"loose_binding on", parent && *parent && present(parent) ? parent : "p0",
			name && *name && !present(name) && chance(70) ? name : other,
			(int)json_integer_value(json_object_get(e, "ifindex")), vlan ? vlan : 2 + (int)pick(4000),
			json_integer_value(json_object_get(e, "protocol")) == VT_PROTO_8021AD ? "802.1ad"
											      : "802.1Q");
	}
	kt_facts_free(&fx);
}

static void round_rewrite(void)
{
	unsigned long before = reloads_now();
	json_t *doc;
	char *text;

	json_decref(X.desired);
	X.desired = gen_desired();
	write_desired();
	text = json_dumps(X.desired, JSON_COMPACT);
	note(" config rewritten: %s\n", text);
	free(text);
	doc = await_reload(before);
	if (doc && !json_is_null(json_object_get(json_object_get(doc, "agent"), "config_error")))
		violation("a valid config was refused: %s",
			  json_string_value(json_object_get(json_object_get(doc, "agent"), "config_error")));
	json_decref(doc);
}

static void round_invalid(void)
{
	unsigned long before = reloads_now();
	char *text = gen_invalid();
	json_t *doc;

	note(" an invalid config written: %s\n", text);
	write_text(text);
	X.config_invalid = true;
	free(text);
	doc = await_reload(before);
	/* A restarted agent would have been given the good one back. */
	if (doc && X.config_invalid &&
	    !json_is_string(json_object_get(json_object_get(doc, "agent"), "config_error")))
		violation("an invalid config was not refused: agent.sock's status has no config_error");
	json_decref(doc);
}

static void round_cli(void)
{
	static const char *const cmds[] = { "status", "plan", "reconcile", "--json status" };
	const char *cmd = cmds[pick(4)];
	char *out = NULL;
	struct kt_world before, after;
	int rc, want_max;

	world(&before);
	rc = cli(&out, cmd);
	note(" CLI beside the agent: vlantrunk %s -> exit %d\n", cmd, rc);
	world(&after);
	want_max = !strcmp(cmd, "reconcile") ? 3 : !strcmp(cmd, "plan") ? 2 : 1;
	if (X.config_invalid ? rc != 4 : rc < 0 || rc > want_max)
		violation("vlantrunk %s beside the agent exited %d\n%s", cmd, rc, out);
	free(out);
	kt_world_free(&before);
	kt_world_free(&after);
}

/* The device whose repair a kill waits for, and whether it came back. */
static struct {
	char name[VT_IFNAMSIZ];
	bool seen;
} watch;

static int take_event(enum vt_link_event event, const struct vt_link *link, int32_t nsid __attribute__((unused)),
			 uint32_t origin,
		      void *arg)
{
	(void)origin;
	(void)arg;
	/* The device coming back: the agent's repair is under way. */
	if (event == VT_EV_NEWLINK && link && watch.name[0] && !strcmp(link->name, watch.name))
		watch.seen = true;
	return 0;
}

/*
 * The agent killed by the test: mostly mid-repair (devices deleted, killed
 * at the first event of their repair), or when idle. A device of an open
 * transaction seen afterwards (a VLAN in a nonzero group, or an unmarked one
 * the test did not make) proves it was mid-transaction: its journal must be
 * there. Then obstacles for its recovery, and a start, maybe with new faults.
 */
static void round_kill(void)
{
	char dev[VT_IFNAMSIZ];
	struct kt_world w;
	bool open_tx = false;
	size_t journals;

	note(" the agent killed\n");
	if (X.pid > 0 && chance(70) && random_managed(dev, sizeof(dev), NULL, 0)) {
		struct pollfd pfd = { .fd = vt_monitor_fd(X.mon), .events = POLLIN };

		watch.name[0] = '\0';
		vt_monitor_read(X.mon, take_event, NULL);
		snprintf(watch.name, sizeof(watch.name), "%s", dev);
		watch.seen = false;
		by_hand("ip link del %s", dev);
		while (!watch.seen && poll(&pfd, 1, 2000) == 1)
			vt_monitor_read(X.mon, take_event, NULL);
		watch.name[0] = '\0';
		note("  killed %s the repair of %s started\n", watch.seen ? "as" : "2 s after", dev);
	}
	if (X.pid > 0) {
		int status;

		if (agent_dead(&status)) {
			agent_died(status);
			return;
		}
		kill_agent();
	}
	journals = kt_journal_text(X.state, NULL);
	world(&w);
	for (size_t i = 0; i < w.n; i++) {
		const struct kt_dev *d = &w.devs[i];

		open_tx |= d->is_vlan && (d->group || (!kt_marked(d) && !own_find(d->ifindex)));
	}
	kt_world_free(&w);
	note("  %zu journals after the kill%s\n", journals, open_tx ? "; a transaction was open" : "");
	if (open_tx && !journals) {
		violation("journal lost: a transaction's device is left after SIGKILL, no journal");
		return;
	}
	if (journals && chance(60))
		lookalike_at_journal_index();
	if (journals && chance(20))
		round_name_taker();
	if (chance(50))
		gen_faults();
	X.fault_deaths = 0;
	start_agent();
}

/* ---- quiet, and the invariants ---- */

/* The agent made quiet: a synchronous reconcile answered. */
static bool quiet(void)
{
	json_t *doc;

	if (!agent_ok())
		return false;
	doc = ask_alive("reconcile\n");
	if (doc && json_object_get(doc, "error"))
		note("  quiet: %s\n", json_string_value(json_object_get(doc, "error")));
	json_decref(doc);
	return doc && !X.failed;
}

/* The obstacles go: parents back, look-alikes and name takers deleted, good config. */
static void clear_obstacles(void)
{
	struct kt_world w;

	note(" epoch end: obstacles removed\n");
	readd_parents();
	if (X.config_invalid) {
		unsigned long before = reloads_now();

		write_desired();
		json_decref(await_reload(before));
	}
	world(&w);
	for (size_t i = 0; i < w.n; i++) {
		const struct kt_dev *d = &w.devs[i];

		if (own_find(d->ifindex) && !kt_campaign_base(d->name) && !kt_marked(d))
			by_hand("ip link del dev %s", d->name);
	}
	kt_world_free(&w);
}

static void check_orphans(void)
{
	struct kt_world w;

	world(&w);
	for (size_t i = 0; i < w.n && !X.failed; i++) {
		const struct kt_dev *d = &w.devs[i];

		if (kt_marked(d)) {
			const char *trunk = d->alias + strlen("vlantrunk:");

			if (!desired_trunk(trunk) || !wanted(trunk, d->name))
				violation("orphan: %s is marked for trunk %s, which does not want it\n  %s",
					  d->name, trunk, d->line);
		} else if (d->is_vlan && !own_find(d->ifindex)) {
			violation("orphan: unmarked VLAN %s that the test did not make\n  %s", d->name,
				  d->line);
		}
		if (!X.failed && d->is_vlan && d->group)
			violation("orphan: VLAN %s left in device group %u\n  %s", d->name, d->group,
				  d->line);
	}
	kt_world_free(&w);
}

/* Every trunk ACTIVE, or DOWN for admin_state_up false; else why not, in @why. */
static bool statuses_as_desired(const json_t *doc, char *why, size_t len)
{
	const json_t *t;
	size_t i, n = 0;

	json_array_foreach(json_object_get(doc, "trunks"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *have = json_string_value(json_object_get(t, "status"));
		const json_t *dt = desired_trunk(name ? name : "");
		const char *want = dt && json_is_false(json_object_get(dt, "admin_state_up")) ? "DOWN"
											     : "ACTIVE";

		n++;
		if (!dt || !have || strcmp(have, want)) {
			snprintf(why, len, "trunk %s is %s, not %s (%s)", name ? name : "?",
				 have ? have : "-", want,
				 json_string_value(json_object_get(t, "reason")) ?: "no reason");
			return false;
		}
	}
	if (n != json_array_size(json_object_get(X.desired, "trunks"))) {
		snprintf(why, len, "%zu trunks in the status, %zu desired", n,
			 json_array_size(json_object_get(X.desired, "trunks")));
		return false;
	}
	return true;
}

/* A kept journal's "next attempt in N s" in a status document: N, or 0. */
static unsigned next_attempt(const json_t *doc)
{
	const json_t *t;
	size_t i;
	unsigned best = 0, s;

	json_array_foreach(json_object_get(doc, "trunks"), i, t) {
		const char *r = json_string_value(json_object_get(t, "reason"));
		const char *at = r ? strstr(r, "next attempt in ") : NULL;

		if (at && sscanf(at, "next attempt in %u s", &s) == 1 && (!best || s < best))
			best = s;
	}
	return best;
}

/*
 * converge: with the obstacles gone, the agent (asked to reconcile, and
 * left its own retries of kept journals) reaches the desired state. A
 * recovery backing off for long is helped by a CLI `status` beside it,
 * which recovers first.
 */
static void converge(void)
{
	char why[1024] = "", *plan_out = NULL, *status_text = NULL, *journal_text = NULL;
	int plan_rc = -1;

	clear_obstacles();
	for (int attempt = 0; attempt < 12 && !X.failed; attempt++) {
		json_t *doc;
		size_t journals;
		unsigned wait_s;
		char *out = NULL;

		if (!quiet())
			return;
		journals = kt_journal_text(X.state, NULL);
		doc = ask_alive("status\n");
		if (!doc)
			return;
		free(plan_out);
		plan_out = NULL;
		/* Not with a journal left: plan would recover it, the agent's job here. */
		plan_rc = journals ? -1 : cli(&plan_out, "plan");
		if (!journals && plan_rc == 0 && statuses_as_desired(doc, why, sizeof(why))) {
			json_decref(doc);
			note("  converged after %d reconcile requests\n", attempt + 1);
			free(plan_out);
			check_orphans();
			return;
		}
		free(status_text);
		status_text = json_dumps(json_object_get(doc, "trunks"), JSON_INDENT(1));
		if (journals && !why[0])
			snprintf(why, sizeof(why), "%zu journals kept", journals);
		else if (plan_rc != 0)
			snprintf(why, sizeof(why), "plan exits %d", plan_rc);
		note("  not yet: %s; plan %d, %zu journals\n", why, plan_rc, journals);
		wait_s = next_attempt(doc);
		json_decref(doc);
		/* A journal with no retry planned is the agent's to recover now: asked again. */
		if (wait_s && wait_s <= 4) {
			/* The agent's own retry: its STATUS= line. */
			notification(NULL, (int)(wait_s + 1) * 1000);
		} else if (wait_s) {
			int rc = cli(&out, "status");

			note("  vlantrunk status (recovers first) -> exit %d\n", rc);
			free(out);
		}
		if (attempt < 11)
			why[0] = '\0';
	}
	kt_journal_text(X.state, &journal_text);
	if (!X.failed)
		violation("not converged once quiet with the obstacles removed: %s (plan exit %d, %zu "
			  "journals)\n  plan:\n%s\n  agent.sock status, trunks:\n%s\n  journals:\n%s",
			  why[0] ? why : "?", plan_rc, kt_journal_text(X.state, NULL),
			  plan_out ? plan_out : "(not run: a journal is left)",
			  status_text ? status_text : "-", journal_text);
	free(plan_out);
	free(status_text);
	free(journal_text);
}

static void round_begin(unsigned round)
{
	X.round = round;
	X.failed = false;
	X.logf = open_memstream(&X.log, &X.log_len);
	note("round %u:", round);
}

static void round_end(void)
{
	fclose(X.logf);
	if (X.verbose)
		printf("%s", X.log);
	free(X.log);
	X.log = NULL;
}

static void run_round(unsigned round, unsigned epoch)
{
	unsigned w = pick(100);

	round_begin(round);
	if (w < 18)
		round_drift();
	else if (w < 24)
		round_unmark();
	else if (w < 32)
		round_flood();
	else if (w < 40)
		round_parent();
	else if (w < 48)
		round_lookalike();
	else if (w < 53)
		round_name_taker();
	else if (w < 65)
		round_rewrite();
	else if (w < 72)
		round_invalid();
	else if (w < 84)
		round_cli();
	else
		round_kill();
	if (!X.failed && quiet())
		check_untouched("after the round, once quiet");
	if (!X.failed && ((round + 1) % epoch == 0 || round + 1 == X.rounds)) {
		converge();
		if (!X.failed)
			check_untouched("after the epoch's convergence");
	}
	if (X.failed) {
		struct kt_world w;

		/* Going on (VT_CHAOS_KEEP_GOING): from the world as it is now, on a live agent. */
		world(&w);
		own_rebase(&w);
		kt_world_free(&w);
		if (X.pid <= 0)
			start_agent();
	}
	round_end();
}

START_TEST(test_chaos)
{
	static const unsigned debounces[] = { 0, 1, 5, 20 };
	unsigned long epoch = kt_knob("VT_CHAOS_EPOCH", DEFAULT_EPOCH);
	double start = kt_now();
	struct kt_world w;

	X.rounds = (unsigned)kt_knob("VT_CHAOS_ROUNDS", kt_long(DEFAULT_ROUNDS, 20));
	X.seed = getenv("VT_CHAOS_SEED") ? kt_knob("VT_CHAOS_SEED", 0) : kt_default_seed();
	X.keep_going = kt_knob("VT_CHAOS_KEEP_GOING", 0) != 0;
	X.verbose = kt_knob("VT_CHAOS_VERBOSE", 0) != 0;
	X.rng.s = X.seed;
	printf("chaos seed %" PRIu64 "\n", X.seed);
	fflush(stdout);

	kt_sh("ip -batch - <<'EOF'\n%sEOF", kt_campaign_topology);
	world(&w);
	for (size_t i = 0; i < w.n; i++)
		own_set(w.devs[i].ifindex, w.devs[i].line);
	kt_world_free(&w);
	X.desired = gen_desired();
	write_desired();
	X.debounce = debounces[pick(4)];
	gen_faults();

	round_begin(0);
	note(" (start)\n");
	start_agent();
	round_end();
	ck_assert_msg(!X.failed, "chaos seed %" PRIu64 ": the first start failed", X.seed);
	for (unsigned r = 0; r < X.rounds; r++)
		run_round(r, epoch ? (unsigned)epoch : DEFAULT_EPOCH);
	printf("chaos seed %" PRIu64 ": %u rounds, %u agent starts, %u violations, %.0f s\n", X.seed,
	       X.rounds, X.starts, X.failures, kt_now() - start);
	fflush(stdout);
	ck_assert_msg(X.failures == 0, "chaos seed %" PRIu64 ": %u violations (see above)", X.seed,
		      X.failures);
}
END_TEST

static void setup(void)
{
	memset(&X, 0, sizeof(X));
	kt_enter_netns();
	/* Many STATUS= lines may queue while the test runs ip: a longer notify backlog. */
	kt_sh_status("sysctl -q -w net.unix.max_dgram_qlen=512");
	ck_assert_int_eq(vt_nl_open(&X.nl), 0);
	ck_assert_int_eq(vt_monitor_open(&X.mon, 0), 0);
	/* Not /tmp: inotify sees nothing through the sandbox's host file system. */
	X.dir = strdup("/run/vt-chaos.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(X.dir));
	snprintf(X.config_dir, sizeof(X.config_dir), "%s/trunks.d", X.dir);
	snprintf(X.config, sizeof(X.config), "%s/trunks.json", X.config_dir);
	snprintf(X.state, sizeof(X.state), "%s/state", X.dir);
	snprintf(X.notify, sizeof(X.notify), "%s/notify", X.dir);
	snprintf(X.agent_log, sizeof(X.agent_log), "%s/agent.log", X.dir);
	kt_sh("mkdir '%s'", X.config_dir);
}

static void teardown(void)
{
	kill_agent();
	if (X.notify_fd > 0)
		close(X.notify_fd);
	for (size_t i = 0; i < X.n_own; i++)
		free(X.own[i].line);
	json_decref(X.desired);
	vt_monitor_close(X.mon);
	vt_nl_close(X.nl);
	kt_rmrf(X.dir);
}

Suite *chaos_suite(void)
{
	Suite *s = suite_create("chaos");
	TCase *tc = tcase_create("chaos");
	unsigned long rounds = kt_knob("VT_CHAOS_ROUNDS", kt_long(DEFAULT_ROUNDS, 20));

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, (double)(rounds * 20 + 300));
	tcase_add_test(tc, test_chaos);
	suite_add_tcase(s, tc);
	return s;
}
