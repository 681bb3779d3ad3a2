/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A seeded fault campaign: random desired states, random steps (reconciles,
 * readers and teardowns with several injected faults each, invalid configs,
 * and changes made from outside between runs), and after every step the
 * transactional promise checked from the kernel and the state dir:
 *
 *   untouched  every device the campaign made by hand (no "vlantrunk:" alias)
 *              is exactly as it was before the step: existence, admin state,
 *              MTU and the rest, also those the kernel's own propagation
 *              reaches (stacked below, bound);
 *   journal    a run killed (137) or ending in exit 3 leaves a journal;
 *   rollback   a reconcile or teardown ending in exit 1, with nothing to
 *              recover and no trunk's transaction applied, leaves every device
 *              as it was (its ifindex aside);
 *   in sync    a reconcile ending in exit 0 or 2 leaves plan, on the same
 *              trunks, with nothing to do (exit 0);
 *   no orphan  a run ending 0, 1 or 2 with no journal left leaves no device
 *              marked for a trunk in its scope that the desired state does not
 *              want, no unmarked device the campaign did not make, and no VLAN
 *              in a nonzero device group the campaign did not put there;
 *   readers    plan and status change nothing when there is nothing to recover;
 *   invalid    an invalid desired state exits 4 and changes nothing, journal
 *              included;
 *   converge   at the end of each round, once the campaign's obstacles are
 *              gone, a clean reconcile converges: plan has nothing left to do
 *              (a trunk may only be stuck for a documented reason: tq's parent
 *              is not desired, or tq wants an MTU above its parent's), and a
 *              second reconcile sends zero requests.
 *
 * Half the rounds (drawn per round) stack unmanaged VLANs on managed ones
 * without loose_binding, up or down, with their parent's MTU ("stacking"),
 * so that the kernel's own propagation (vlan_device_event(): up, down, a
 * lowered MTU, a delete) would reach them: vlantrunk must refuse every plan
 * that changes them. Half the rounds seek that propagation in the desired
 * state ("effects"): inner subports and trunks declared down, inner MTUs
 * above the outer's. Both kinds of round tweak the outer subport in place
 * (renamed, up or down, its MTU lowered, a MAC) and change it by hand.
 *
 * Some rounds (VT_CAMPAIGN_NETNS percent, drawn per round) are namespace
 * rounds: two `ip netns` namespaces, A and B (vtc-<round>-a, -b), beside
 * vlantrunk's own; subports get names from one small pool (eth1..eth6) in
 * all three, so one name lives in several namespaces at once, and rewrites
 * and moves carry a subport from one namespace to another (its parent stays
 * in the own one). From outside, a namespace is deleted (its devices go with
 * it), added again, or deleted and added again under its name with a perfect
 * copy of a journaled device planted in the new one (same name, ifindex,
 * VLAN, parent, device group): a different namespace, which recovery must
 * tell apart by identity and never touch; unmanaged devices go into
 * namespaces and managed ones there drift. A fault may delete a namespace
 * (or replace it) in the middle of a transaction (VT_FAULT=sh:K:...). Every
 * invariant reads every namespace (over rtnetlink, never /sys/class/net),
 * devices are known by (namespace cookie, ifindex), and in addition:
 *
 *   desired    a reconcile ending in exit 0 or 2 leaves each desired subport
 *              of a trunk in scope, in each namespace that still exists, as
 *              a VLAN of that name there with its VLAN id, protocol, parent
 *              and its trunk's marker; and no journal after an exit 0 or 2;
 *   missing    with no journal pending, a subport whose namespace does not
 *              exist is "missing" in status, its trunk DEGRADED (or ERROR,
 *              or DOWN for a reason of its own: a missing parent).
 *
 * A namespace that goes during a run takes the promises about what was in it
 * along: the kernel deleted those devices (SPEC subport.netns).
 *
 * Each round runs in a fresh network namespace and state dir with its own
 * PRNG stream derived from the campaign seed, so one round can be replayed on
 * its own; a round's `ip netns` namespaces are deleted at its end, failed or
 * not. Knobs (passed into the sandbox like every VT_* variable):
 *   VT_CAMPAIGN_SEED=N         the seed (printed as "campaign seed N")
 *   VT_CAMPAIGN_ROUNDS=N       rounds to run (default 50: about 150 s in the sandbox
 *                              when every round passes)
 *   VT_CAMPAIGN_SECONDS=S      start no round after S seconds (rounds unlimited
 *                              unless VT_CAMPAIGN_ROUNDS is set too)
 *   VT_CAMPAIGN_FIRST_ROUND=R  start at round R (replay one failing round)
 *   VT_CAMPAIGN_KEEP_GOING=1   report a failing round and go on to the next;
 *                              the test fails at the end if any round did
 *   VT_CAMPAIGN_VERBOSE=1      print every round's steps, not only a failing one's
 *                              (2: with every run's output and the links after it)
 *   VT_CAMPAIGN_NETNS=P        percent of rounds that are namespace rounds (default 30)
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "kernel_util.h"
#include "suites.h"

#define DEFAULT_ROUNDS 50
#define DEFAULT_NETNS 30
#define N_NETNS 2	/* a namespace round's A and B */
#define WITNESS "vtcw-"	/* a veth end whose going proves its peer's namespace destroyed */
#define MAX_SET 256
#define KILLED 137
#define MARK "vlantrunk:"

/* A device: its namespace's cookie (0: the own one) and its ifindex there. */
struct key {
	uint64_t netns;
	int ifindex;
};

/* A set of devices: those the campaign made, or put into a device group. */
struct set {
	struct key v[MAX_SET];
	size_t n;
};

struct campaign {
	struct vt_nl *nl;
	struct kt_rng rng;
	uint64_t seed;
	unsigned round, step;
	bool keep_going, failed, verbose, verbose_runs;
	unsigned failures;
	char *dir;
	char config[256], state[256];
	json_t *desired;	/* the valid desired state in force */
	char outer[VT_IFNAMSIZ];	/* ta's 802.1ad subport: tq's parent */
	unsigned outer_mtu;
	bool drop_tc;		/* tc left out of the desired state */
	/*
	 * This round's modes (drawn from its stream): VLANs the campaign stacks
	 * on managed devices without loose_binding (the kernel's propagation
	 * reaches them), and desired states that provoke the kernel's side
	 * effects (inner subports and trunks down, inner MTUs above the outer's,
	 * the outer tweaked in place).
	 */
	bool stacking, effects;
	/*
	 * A namespace round: A and B, by `ip netns` name and by file. Index 0
	 * in what follows is vlantrunk's own namespace, i + 1 is ns_name[i].
	 */
	bool netns;
	unsigned netns_percent;
	char ns_name[N_NETNS][32], ns_path[N_NETNS][64];
	const char *ns_paths[N_NETNS];
	struct set own, grouped;
	json_t *recovered_names;	/* journaled device names before this run */
	unsigned obstacles;	/* names u-1, u-2, ... */
	size_t last_ops;	/* operations of the last plan estimate */
	bool used[N_NETNS + 1][7];	/* namespace round: eth1..eth6 taken per namespace */
	char *log;		/* this round's steps, for failure reports */
	size_t log_len;
	FILE *logf;
};

static struct campaign C;

static void ns_cleanup(void);

static unsigned pick(unsigned n)
{
	return n ? (unsigned)(kt_rng_next(&C.rng) % n) : 0;
}

static bool chance(unsigned percent)
{
	return pick(100) < percent;
}

static struct key key_of(const struct kt_dev *d)
{
	return (struct key){ d->netns, d->ifindex };
}

static void set_add(struct set *s, struct key k)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].netns == k.netns && s->v[i].ifindex == k.ifindex)
			return;
	ck_assert_uint_lt(s->n, MAX_SET);
	s->v[s->n++] = k;
}

static bool set_has(const struct set *s, const struct kt_dev *d)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].netns == d->netns && s->v[i].ifindex == d->ifindex)
			return true;
	return false;
}

/* ---- the kernel and the state dir as the campaign sees them (kernel_util.c) ---- */

static size_t n_ns(void)
{
	return C.netns ? N_NETNS : 0;
}

/*
 * Parents by ifindex: a device on one vlantrunk renames is not changed by
 * that. Every namespace of the round, each registered for the dump only.
 */
static void world_read(struct kt_world *w)
{
	kt_world_read_netns(C.nl, w, true, C.ns_paths, n_ns());
}

/* Every namespace's links by name, for a rollback to give back (kt_snapshot_netns()). */
static char *snapshot(void)
{
	return kt_snapshot_netns(C.nl, NULL, C.ns_paths, n_ns());
}

/* The cookie of namespace @ns (an index, 0: own) in @w; 0 when it did not exist. */
static uint64_t cookie_in(const struct kt_world *w, unsigned ns)
{
	return ns ? w->cookie[ns - 1] : 0;
}

/* Namespace @ns exists in @w (the own one always does). */
static bool ns_in(const struct kt_world *w, unsigned ns)
{
	return !ns || w->cookie[ns - 1];
}

/* "-n NAME " for `ip` in namespace @ns, "" for the own one. */
static const char *ip_n(unsigned ns)
{
	static char buf[2][48];
	static unsigned turn;

	if (!ns)
		return "";
	turn ^= 1;
	snprintf(buf[turn], sizeof(buf[turn]), "-n %s ", C.ns_name[ns - 1]);
	return buf[turn];
}

/* Which namespace a desired subport's "netns" names: 0 (unset: the own one), 1, 2. */
static unsigned ns_of_value(const char *netns)
{
	for (unsigned i = 0; netns && i < N_NETNS; i++)
		if (!strcmp(netns, C.ns_name[i]) || !strcmp(netns, C.ns_path[i]))
			return i + 1;
	return 0;
}

static unsigned ns_of(const json_t *sp)
{
	return ns_of_value(json_string_value(json_object_get(sp, "netns")));
}

static size_t journals(char **text)
{
	return kt_journal_text(C.state, text);
}

static void journal_facts(struct kt_facts *fx)
{
	kt_journal_facts(C.state, fx);
}

/* Forget devices that are gone: their ifindex may come back as vlantrunk's. */
static void prune(struct set *s, const struct kt_world *w)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		if (kt_world_dev(w, s->v[i].netns, s->v[i].ifindex))
			s->v[k++] = s->v[i];
	s->n = k;
}

/* ---- the round's log and failure reports ---- */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(C.logf, fmt, ap);
	va_end(ap);
	fflush(C.logf);
}

struct run {
	char cmd[1024];
	char *out;
	int rc;
	bool applied;	/* a trunk's transaction applied operations (checked runs) */
};

/* A broken promise: everything needed to see why and to replay it. */
static void broken(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void broken(const struct run *r, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&what, fmt, ap), 0);
	va_end(ap);
	fflush(C.logf);
	fprintf(stderr, "\ncampaign FAILED: seed %" PRIu64 " round %u step %u: %s\n"
		"  command: %s\n  exit %d, output:\n%s\n  the round so far:\n%s"
		"  replay: VT_CAMPAIGN_SEED=%" PRIu64 " VT_CAMPAIGN_FIRST_ROUND=%u "
		"VT_CAMPAIGN_ROUNDS=%u VT_CAMPAIGN_NETNS=%u CK_RUN_SUITE=campaign scripts/sandbox "
		"tests/kernel/run BUILD\n",
		C.seed, C.round, C.step, what, r ? r->cmd : "-", r ? r->rc : 0,
		r && r->out ? r->out : "", C.log, C.seed, C.round, C.round + 1, C.netns_percent);
	C.failed = true;
	C.failures++;
	if (!C.keep_going) {
		/* Check runs no teardown after a failure: the round's namespaces go here. */
		ns_cleanup();
		ck_abort_msg("campaign seed %" PRIu64 " round %u step %u: %s (command: %s, exit %d)",
			     C.seed, C.round, C.step, what, r ? r->cmd : "-", r ? r->rc : 0);
	}
	free(what);
}

/* ---- the desired state ---- */

static const char *const flags[] = { "reorder_hdr", "gvrp", "mvrp", "loose_binding",
				     "bridge_binding" };

static json_t *qos_map(bool egress)
{
	json_t *m = json_object();
	unsigned n = 1 + pick(3);

	for (unsigned i = 0; i < n; i++) {
		char key[16];

		/* No mapping to 0: the kernel reads that as "removed". */
		snprintf(key, sizeof(key), "%u", egress ? (chance(80) ? pick(10) : 4000000000u + pick(9))
							: pick(8));
		json_object_set_new(m, key, json_integer(egress ? 1 + pick(7) : 1 + pick(100)));
	}
	return m;
}

static void random_settings(json_t *sp, unsigned max_mtu, bool bridged, unsigned down)
{
	if (chance(40))
		json_object_set_new(sp, "mtu", json_integer(1280 + pick(max_mtu - 1280 + 1)));
	if (chance(30)) {
		char mac[18];

		snprintf(mac, sizeof(mac), "02:00:00:%02x:%02x:%02x", pick(256), pick(256), pick(256));
		json_object_set_new(sp, "mac", json_string(mac));
	}
	if (chance(down))
		json_object_set_new(sp, "up", json_false());
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (chance(20))
			json_object_set_new(sp, flags[i], json_boolean(chance(50)));
	if (chance(30))
		json_object_set_new(sp, "egress_qos", qos_map(true));
	if (chance(30))
		json_object_set_new(sp, "ingress_qos", qos_map(false));
	if (bridged && chance(60))
		json_object_set_new(sp, "master", json_string(chance(50) ? "br0" : "br1"));
}

/* n distinct numbers from [lo, lo + span), in @out. */
static void distinct(unsigned *out, unsigned n, unsigned lo, unsigned span)
{
	for (unsigned i = 0; i < n; i++) {
		bool dup;

		do {
			out[i] = lo + pick(span);
			dup = false;
			for (unsigned j = 0; j < i; j++)
				dup |= out[j] == out[i];
		} while (dup);
	}
}

/* A namespace round's subport names: ethK, K in 1..6 ("eth" + K). */
static unsigned eth_number(const char *name)
{
	unsigned k = 0;
	int end = 0;

	return name && sscanf(name, "eth%u%n", &k, &end) == 1 && !name[end] && k >= 1 && k <= 6 ? k : 0;
}

/* @sp's (namespace, name) is taken in C.used. */
static void use_subport(const json_t *sp)
{
	unsigned k = eth_number(json_string_value(json_object_get(sp, "name")));

	if (k)
		C.used[ns_of(sp)][k] = true;
}

static void use_trunk(const json_t *t)
{
	const json_t *sp;
	size_t i;

	json_array_foreach(json_object_get(t, "subports"), i, sp)
		use_subport(sp);
}

/*
 * A free (namespace, ethK) of a namespace round, taken: one name in several
 * namespaces at once, unique within each (SPEC subport.name). The namespace
 * as the desired state names it: mostly by `ip netns` name, now and then by
 * its file.
 */
static void place(json_t *sp)
{
	unsigned free_ns[3 * 6], free_k[3 * 6], n = 0, i;
	char name[VT_IFNAMSIZ];

	for (unsigned ns = 0; ns <= N_NETNS; ns++)
		for (unsigned k = 1; k <= 6; k++)
			if (!C.used[ns][k])
				free_ns[n] = ns, free_k[n++] = k;
	ck_assert_uint_gt(n, 0);
	i = pick(n);
	C.used[free_ns[i]][free_k[i]] = true;
	snprintf(name, sizeof(name), "eth%u", free_k[i]);
	json_object_set_new(sp, "name", json_string(name));
	json_object_del(sp, "netns");
	if (free_ns[i])
		json_object_set_new(sp, "netns", json_string(chance(70) ? C.ns_name[free_ns[i] - 1] :
								C.ns_path[free_ns[i] - 1]));
}

/*
 * Names and VLANs come from small pools, so rewrites rename, recreate and
 * swap; in a namespace round, move between namespaces too.
 */
static json_t *gen_subports(char prefix, unsigned n, unsigned max_mtu, bool bridged)
{
	json_t *sps = json_array();
	unsigned names[6], vlans[6];

	if (!C.netns)
		distinct(names, n, 1, 6);
	distinct(vlans, n, 10, 9);
	for (unsigned i = 0; i < n; i++) {
		char name[VT_IFNAMSIZ];
		json_t *sp;

		/* Now and then one far off the pool (and the outer's 100-102), never a duplicate. */
		if (chance(5))
			vlans[i] = 200 + 600 * i + pick(600);
		snprintf(name, sizeof(name), "%c-%u", prefix, C.netns ? 0 : names[i]);
		sp = json_pack("{s:s, s:i}", "name", name, "vlan", vlans[i]);
		if (C.netns)
			place(sp);
		/*
		 * Inner subports declared down, which their outer's up brings up. A
		 * bridge is a device of the own namespace: a master only there.
		 */
		random_settings(sp, max_mtu, bridged && !ns_of(sp),
				prefix == 'q' && C.effects ? 35 : 20);
		json_array_append_new(sps, sp);
	}
	return sps;
}

static json_t *gen_trunk(const char *name, const char *parent, json_t *subports)
{
	json_t *t = json_pack("{s:s, s:s, s:o}", "name", name, "parent", parent, "subports", subports);
	bool stacked = !strcmp(name, "ta") || !strcmp(name, "tq");

	if (chance(C.effects && stacked ? 25 : 10))
		json_object_set_new(t, "admin_state_up", json_false());
	return t;
}

/* ta on p0 with the 802.1ad outer subport (mostly); its MTU bounds tq's. */
static json_t *gen_ta(void)
{
	json_t *sps = gen_subports('a', pick(4), 1500, false);

	if (chance(90)) {
		json_t *outer;

		snprintf(C.outer, sizeof(C.outer), "a-q%u", 1 + pick(2));
		C.outer_mtu = 1400 + pick(101);
		outer = json_pack("{s:s, s:i, s:s, s:i}", "name", C.outer, "vlan", 100 + pick(3),
				  "protocol", "802.1ad", "mtu", C.outer_mtu);
		if (chance(20))
			json_object_set_new(outer, "loose_binding", json_true());
		if (chance(C.effects ? 25 : 10))
			json_object_set_new(outer, "up", json_false());
		json_array_append_new(sps, outer);
	} else {
		C.outer_mtu = 1400;
	}
	return gen_trunk("ta", "p0", sps);
}

static json_t *gen_one(unsigned i)
{
	switch (i) {
	case 0:
		return gen_ta();
	case 1:
		/* Mostly within the outer's MTU; with side effects sought, now and then above it. */
		return gen_trunk("tq", C.outer, gen_subports('q', 1 + pick(3),
							     C.effects && chance(30) ? 1500 : C.outer_mtu,
							     false));
	case 2:
		return gen_trunk("tb", "p1", gen_subports('b', 1 + pick(4), 1500, true));
	default:
		return gen_trunk("tc", "p2", gen_subports('c', 1 + pick(4), 1500, false));
	}
}

/* A whole new state, or one trunk regenerated (ta drags tq's parent along). */
static json_t *gen_desired(const json_t *old)
{
	json_t *trunks = json_array(), *d, *kept[4] = { NULL };
	unsigned only = old && chance(60) ? pick(4) : 4;

	/* The trunks kept hold their names first: a new one's must not clash. */
	memset(C.used, 0, sizeof(C.used));
	for (unsigned i = 0; i < 4; i++) {
		json_t *prev = old ? json_array_get(json_object_get(old, "trunks"), i) : NULL;

		if (prev && only != 4 && i != only && !(i == 1 && only == 0)) {
			kept[i] = json_deep_copy(prev);
			use_trunk(kept[i]);
		}
	}
	for (unsigned i = 0; i < 4; i++)
		json_array_append_new(trunks, kept[i] ? kept[i] : gen_one(i));
	if (only == 0 && old)
		json_object_set_new(json_array_get(trunks, 1), "parent", json_string(C.outer));
	d = json_pack("{s:i, s:o}", "version", 1, "trunks", trunks);
	C.drop_tc = chance(10);
	return d;
}

/* tc is left out now and then: a trunk no longer desired is removed. */
static char *dump_desired(const json_t *d)
{
	json_t *copy = json_deep_copy(d);
	char *text;

	if (C.drop_tc)
		json_array_remove(json_object_get(copy, "trunks"), 3);
	text = json_dumps(copy, JSON_INDENT(1));
	json_decref(copy);
	return text;
}

static void write_desired(void)
{
	char *text = dump_desired(C.desired);

	kt_write(C.config, text);
	free(text);
}

/* @d (owned) becomes the desired state in force, written and logged as @what. */
static void install_desired(json_t *d, const char *what)
{
	char *text;

	json_decref(C.desired);
	C.desired = d;
	write_desired();
	text = json_dumps(d, JSON_COMPACT);
	note("step %u: %s%s: %s\n", C.step, what, C.drop_tc ? " (without tc)" : "", text);
	free(text);
}

static const json_t *desired_trunk(const char *name)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(C.desired, "trunks"), i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")), name) &&
		    !(i == 3 && C.drop_tc))
			return t;
	return NULL;
}

/* @trunk wants a subport @name in namespace @ns (0: the own one). */
static bool wanted(const char *trunk, const char *name, unsigned ns)
{
	const json_t *t = desired_trunk(trunk), *sp;
	size_t i;

	json_array_foreach(json_object_get(t, "subports"), i, sp)
		if (!strcmp(json_string_value(json_object_get(sp, "name")), name) && ns_of(sp) == ns)
			return true;
	return false;
}

/* tq's parent is not among ta's desired subports: the one documented way to stay stuck. */
static bool inner_parent_missing(void)
{
	return !wanted("ta", json_string_value(json_object_get(desired_trunk("tq"), "parent")), 0);
}

/* A random desired subport: its trunk's parent, name, vlan and protocol. */
static const json_t *random_subport(const char **parent)
{
	const json_t *trunks = json_object_get(C.desired, "trunks");
	const json_t *t = json_array_get(trunks, pick(C.drop_tc ? 3 : 4));
	const json_t *sps = json_object_get(t, "subports");

	*parent = json_string_value(json_object_get(t, "parent"));
	return json_array_size(sps) ? json_array_get(sps, pick(json_array_size(sps))) : NULL;
}

/* ---- running vlantrunk ---- */

enum cmd { RECONCILE, TEARDOWN, PLAN, STATUS };

/* The trunks a run names with --trunk; none means every trunk. */
struct scope {
	const char *trunks[4];
	size_t n;
};

/* The file @name in the campaign's directory, or NULL (caller frees). */
static char *read_file(const char *name)
{
	char path[512], *text = NULL;
	size_t len = 0;
	FILE *f, *in;

	snprintf(path, sizeof(path), "%s/%s", C.dir, name);
	in = fopen(path, "r");
	if (!in)
		return NULL;
	f = open_memstream(&text, &len);
	for (int c; (c = fgetc(in)) != EOF;)
		fputc(c, f);
	fclose(f);
	fclose(in);
	return text;
}

/* What a run's stdout says: a trunk's transaction applied operations. */
static bool applied(const char *out)
{
	json_t *doc = out && out[0] == '{' ? json_loads(out, 0, NULL) : NULL, *t;
	bool any = false;
	size_t i;

	if (!doc)
		return out && (strstr(out, " operation applied") || strstr(out, " operations applied"));
	json_array_foreach(json_object_get(doc, "trunks"), i, t)
		any |= json_integer_value(json_object_get(t, "operations_applied")) > 0;
	json_decref(doc);
	return any;
}

/*
 * Run vlantrunk. @split: stdout is read apart from stderr (whose lines the
 * program may write into the middle of a JSON document), then both kept.
 */
static void vt_run(struct run *r, const char *fault, const char *args, bool split)
{
	char *err = NULL;

	/* Quoted: a sh: fault's command has blanks and semicolons. */
	snprintf(r->cmd, sizeof(r->cmd), "%s%s%s%s -c '%s' --state-dir '%s' %s",
		 fault ? "VT_FAULT='" : "", fault ? fault : "", fault ? "' " : "",
		 kt_bin(fault ? "vlantrunk-faulty" : "vlantrunk"), C.config, C.state, args);
	r->out = NULL;
	r->applied = false;
	if (!split) {
		r->rc = kt_run(&r->out, "%s", r->cmd);
	} else {
		r->rc = kt_run(&r->out, "%s 2>'%s/stderr'", r->cmd, C.dir);
		r->applied = applied(r->out);
		err = read_file("stderr");
		if (err && err[0]) {
			char *both = NULL;

			ck_assert_int_ge(asprintf(&both, "%s%s", r->out ? r->out : "", err), 0);
			free(r->out);
			r->out = both;
		}
		free(err);
	}
	note("step %u: %s -> exit %d\n", C.step, r->cmd, r->rc);
	/* VT_CAMPAIGN_VERBOSE=2: what every run said, and the devices after it. */
	if (C.verbose_runs) {
		char *links = NULL;

		kt_run(&links, "ip -d -o link | sed 's/ qdisc.*vlan/ vlan/; s/ addrgenmode.*//'");
		for (size_t i = 0; i < n_ns(); i++) {
			char *more = NULL, *both = NULL;

			kt_run(&more, "ip -d -o -n %s link 2>&1 | sed 's/^/%c: /; s/ qdisc.*vlan/ vlan/; "
			       "s/ addrgenmode.*//'", C.ns_name[i], 'A' + (char)i);
			ck_assert_int_ge(asprintf(&both, "%s%s", links ? links : "", more ? more : ""), 0);
			free(links);
			free(more);
			links = both;
		}
		note("%s  links after:\n%s", r->out ? r->out : "", links ? links : "");
		free(links);
	}
}

static void vt(struct run *r, const char *fault, const char *args)
{
	vt_run(r, fault, args, false);
}

static const char *const errnos[] = { "16", "22", "95", "105", "1" };

/*
 * 1-3 faults at requests from 1 to @cap. A later one often follows close
 * behind the one before: a failure, then a failure or a kill in the rollback
 * it starts, is where compound faults live.
 */
/*
 * A namespace goes in the middle of a transaction, or is replaced by a new
 * one of its name: `ip netns del` (vlantrunk still holds it, so its requests
 * reach it; the kernel destroys it, and what is in it, once vlantrunk lets
 * go). The witness is a veth pair with one end in it, whose other end, here,
 * the kernel deletes with it (await_witnesses()).
 */
static size_t sh_fault(char *buf, size_t len, unsigned k)
{
	unsigned i = pick(N_NETNS);
	const char *name = C.ns_name[i];
	bool replace = chance(40);

	return (size_t)snprintf(buf, len, "sh:%u:ip link add " WITNESS "%c type veth peer name "
				WITNESS "%c netns %s && ip netns del %s%s%s", k, 'a' + (char)i,
				'a' + (char)i, name, name, replace ? " && ip netns add " : "",
				replace ? name : "");
}

static void gen_faults(char *buf, size_t len, unsigned cap, bool sh)
{
	unsigned n = 1 + pick(3), k = 0;
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned kind = pick(10);

		k = i && chance(50) ? k + 1 + pick(3) : 1 + pick(cap);
		off += (size_t)snprintf(buf + off, len - off, "%s", i ? "," : "");
		if (sh && C.netns && chance(20))
			off += sh_fault(buf + off, len - off, k);
		else if (kind < 6)
			off += (size_t)snprintf(buf + off, len - off, "fail:%u:%s", k, errnos[pick(5)]);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s:%u",
						kind < 8 ? "kill-before" : "kill-after", k);
	}
}

static size_t plan_ops(void)
{
	struct run r;
	json_t *doc;
	size_t n;

	vt(&r, NULL, "--json plan 2>/dev/null");
	doc = json_loads(r.out, 0, NULL);
	n = json_array_size(json_object_get(doc, "operations"));
	json_decref(doc);
	free(r.out);
	return n;
}

/*
 * About the requests a clean run would send: two per planned operation (a
 * create is also marked; a recreate deletes first) and two per journaled
 * device to recover. The plan is only read when there is no journal: with
 * one, plan would recover it and spoil the faulty run's recovery.
 */
static unsigned request_cap(void)
{
	struct kt_facts fx;
	size_t entries;

	journal_facts(&fx);
	entries = json_array_size(fx.devices);
	kt_facts_free(&fx);
	if (!journals(NULL))
		C.last_ops = plan_ops();
	return (unsigned)(2 * (entries + C.last_ops) + 2);
}

static void random_scope(struct scope *s, char *args, size_t len)
{
	static const char *const all[] = { "ta", "tq", "tb", "tc" };
	size_t off = strlen(args);

	s->n = 0;
	if (!chance(30))
		return;
	for (unsigned i = 0, n = 1 + pick(2); i < n; i++) {
		const char *t = all[pick(C.drop_tc ? 3 : 4)];

		s->trunks[s->n++] = t;
		off += (size_t)snprintf(args + off, len - off, " --trunk %s", t);
	}
}

static bool in_scope(const struct scope *s, const char *trunk)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->trunks[i], trunk))
			return true;
	return s->n == 0;
}

/* ---- the invariants ---- */

static bool rc_allowed(enum cmd kind, int rc)
{
	if (kind == STATUS)
		return rc == 0 || rc == 1 || rc == 3 || rc == KILLED;
	return (rc >= 0 && rc <= 3) || rc == KILLED;
}

/* Namespace @ns (an index) is the same one in @before and @after, and exists. */
static bool ns_kept(const struct kt_world *before, const struct kt_world *after, unsigned ns)
{
	return !ns || (cookie_in(after, ns) && cookie_in(after, ns) == cookie_in(before, ns));
}

/* Some namespace of the round went, came or was replaced between @before and @after. */
static bool ns_changed(const struct kt_world *before, const struct kt_world *after)
{
	for (unsigned ns = 1; ns <= n_ns(); ns++)
		if (cookie_in(after, ns) != cookie_in(before, ns))
			return true;
	return false;
}

static void check_untouched(const struct run *r, const struct kt_world *before,
			    const struct kt_world *after)
{
	for (size_t i = 0; i < C.own.n && !C.failed; i++) {
		const struct kt_dev *b = kt_world_dev(before, C.own.v[i].netns, C.own.v[i].ifindex), *a;

		/* A namespace that went took its devices along: the kernel's doing. */
		if (!b || kt_marked(b) || !kt_world_has_netns(after, b->netns))
			continue;
		a = kt_world_dev(after, b->netns, b->ifindex);
		if (!a)
			broken(r, "unmanaged device %s deleted\n  before: %s", b->name, b->line);
		else if (strcmp(a->line, b->line))
			broken(r, "unmanaged device %s changed\n  before: %s\n  after:  %s", b->name,
			     b->line, a->line);
	}
}

/* A run killed or ending in exit 3 keeps its journal; one that converged leaves none. */
static void check_journal_kept(enum cmd kind, const struct run *r)
{
	size_t n = journals(NULL);

	if ((r->rc == KILLED || r->rc == 3) && !n)
		broken(r, "journal lost: exit %d and no journal file in %s", r->rc, C.state);
	else if ((kind == RECONCILE || kind == TEARDOWN) && (r->rc == 0 || r->rc == 2) && n)
		broken(r, "exit %d, yet %zu journal(s) left in %s", r->rc, n, C.state);
}

/* "NS:NAME", a device's name qualified by its namespace's index. */
static void qualified(char *buf, size_t len, unsigned ns, const char *name)
{
	snprintf(buf, len, "%u:%s", ns, name);
}

/* Names of the devices the journals in the state dir describe, now ("NS:NAME"). */
static json_t *journal_names(void)
{
	struct kt_facts fx;
	json_t *names = json_object(), *e;
	size_t i;

	journal_facts(&fx);
	json_array_foreach(fx.devices, i, e) {
		const char *path = json_string_value(json_object_get(e, "netns_path"));
		char q[64];

		if (!json_is_string(json_object_get(e, "name")))
			continue;
		qualified(q, sizeof(q), path ? ns_of_value(path) : 0,
			  json_string_value(json_object_get(e, "name")));
		json_object_set_new(names, q, json_true());
	}
	kt_facts_free(&fx);
	return names;
}

/* A marked device of a trunk in scope that the desired state does not want. */
static void check_marker(enum cmd kind, const struct run *r, const struct scope *s,
			 const struct kt_world *before, const struct kt_dev *a)
{
	const char *trunk = a->alias + strlen(MARK);
	const struct kt_dev *b;
	char q[64];

	if (!in_scope(s, trunk) || (kind == RECONCILE && wanted(trunk, a->name, a->ns)))
		return;
	/*
	 * A name that moves to a trunk out of scope is that trunk's to take
	 * over (a plan's "owner" change): its old trunk leaves it be.
	 */
	for (size_t i = 0; kind == RECONCILE && i < 4; i++) {
		static const char *const names[] = { "ta", "tq", "tb", "tc" };

		if (!in_scope(s, names[i]) && wanted(names[i], a->name, a->ns))
			return;
	}
	/*
	 * A trunk that failed and rolled back (exit 1) may keep what it had, and
	 * what the recovery of an interrupted transaction put back.
	 */
	b = kt_world_dev(before, a->netns, a->ifindex);
	if (r->rc == 1 && b && !strcmp(b->name, a->name) && !strcmp(b->alias, a->alias))
		return;
	qualified(q, sizeof(q), a->ns, a->name);
	if (r->rc == 1 && json_object_get(C.recovered_names, q))
		return;
	broken(r, "orphan: %s%s%s is marked for trunk %s, which does not want it\n  %s", a->name,
	       a->ns ? " in " : "", a->ns ? C.ns_name[a->ns - 1] : "", trunk, a->line);
}

static void check_orphans(enum cmd kind, const struct run *r, const struct scope *s,
			  const struct kt_world *before, const struct kt_world *after)
{
	if (r->rc < 0 || r->rc > 2 || journals(NULL))
		return;
	for (size_t i = 0; i < after->n && !C.failed; i++) {
		const struct kt_dev *a = &after->devs[i];

		if (a->is_vlan && a->group && !set_has(&C.grouped, a))
			broken(r, "orphan: VLAN %s left in device group %u, no journal\n  %s", a->name,
			     a->group, a->line);
		else if (!kt_marked(a) && !set_has(&C.own, a))
			broken(r, "orphan: unmarked device %s that the campaign did not make\n  %s",
			     a->name, a->line);
		else if (kt_marked(a) && (kind == RECONCILE || kind == TEARDOWN))
			check_marker(kind, r, s, before, a);
	}
}

/* @snap's sections ("== ..." and the lines below) whose heading @other has too (caller frees). */
static char *common_sections(const char *snap, const char *other)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	bool keep = true;

	for (const char *line = snap; *line;) {
		size_t n = strcspn(line, "\n");

		if (!strncmp(line, "== ", 3)) {
			char *heading = strndup(line, n + 1);
			const char *at = strstr(other, heading);

			keep = at && (at == other || at[-1] == '\n');
			free(heading);
		}
		if (keep)
			fprintf(f, "%.*s\n", (int)n, line);
		line += n + (line[n] == '\n');
	}
	fclose(f);
	return out;
}

/*
 * Exit 1 with no trunk's transaction applied: every device as it was (its
 * ifindex aside: a rolled back recreate may not get its old one back), in
 * every namespace that is still the one it was.
 */
static void check_rolled_back(enum cmd kind, const struct run *r, size_t journals_before,
			      const char *snap_before, const char *snap_after)
{
	char *b, *a;

	if ((kind != RECONCILE && kind != TEARDOWN) || r->rc != 1 || journals_before || r->applied)
		return;
	b = common_sections(snap_before, snap_after);
	a = common_sections(snap_after, snap_before);
	if (strcmp(b, a))
		broken(r, "exit 1 and nothing applied, yet the kernel changed\n  before:\n%s\n  after:\n%s",
		       snap_before, snap_after);
	free(b);
	free(a);
}

/* Exit 0 or 2: the trunks in scope converged, so plan on them has nothing to do. */
static void check_in_sync(enum cmd kind, const struct run *r, const struct scope *s,
			  bool netns_changed)
{
	char args[256] = "plan";
	size_t off = strlen(args);
	struct run p;

	/* A namespace that went during the run leaves its subports to create again. */
	if (kind != RECONCILE || (r->rc != 0 && r->rc != 2) || netns_changed)
		return;
	for (size_t i = 0; i < s->n; i++)
		off += (size_t)snprintf(args + off, sizeof(args) - off, " --trunk %s", s->trunks[i]);
	vt(&p, NULL, args);
	if (p.rc != 0)
		broken(&p, "after %s exited %d, plan exits %d: not in sync", r->cmd, r->rc, p.rc);
	free(p.out);
}

/*
 * Exit 0 or 2: each desired subport of the trunks in scope is there, in its
 * namespace (one still the namespace it was when the run started), as a
 * VLAN of its trunk on its trunk's parent with its VLAN id and protocol.
 */
static void check_desired(enum cmd kind, const struct run *r, const struct scope *s,
			  const struct kt_world *before, const struct kt_world *after)
{
	static const char *const names[] = { "ta", "tq", "tb", "tc" };

	if (kind != RECONCILE || (r->rc != 0 && r->rc != 2))
		return;
	for (size_t t = 0; t < 4 && !C.failed; t++) {
		const json_t *tr = desired_trunk(names[t]), *sp;
		const char *parent = json_string_value(json_object_get(tr, "parent"));
		char mark[VT_ALIAS_MAX + 1];
		size_t i;

		if (!tr || !in_scope(s, names[t]))
			continue;
		snprintf(mark, sizeof(mark), MARK "%s", names[t]);
		json_array_foreach(json_object_get(tr, "subports"), i, sp) {
			const char *name = json_string_value(json_object_get(sp, "name"));
			const char *proto = json_string_value(json_object_get(sp, "protocol"));
			unsigned ns = ns_of(sp);
			const struct kt_dev *d;

			if (!ns_kept(before, after, ns))
				continue;
			d = kt_world_find(after, cookie_in(after, ns), name);
			if (!d || strcmp(d->alias, mark) || !d->is_vlan ||
			    d->vlan != json_integer_value(json_object_get(sp, "vlan")) ||
			    d->protocol != (proto && !strcmp(proto, "802.1ad") ? VT_PROTO_8021AD :
										   VT_PROTO_8021Q) ||
			    strcmp(d->parent, parent)) {
				broken(r, "exit %d, yet subport %s of %s in %s is not as desired (VLAN "
				       "%" JSON_INTEGER_FORMAT " on %s): %s", r->rc, name, names[t],
				       ns ? C.ns_name[ns - 1] : "the own namespace",
				       json_integer_value(json_object_get(sp, "vlan")), parent,
				       d ? d->line : "absent");
				break;
			}
		}
	}
}

static void check_run(enum cmd kind, const struct run *r, const struct scope *s,
		      const struct kt_world *before, const struct kt_world *after, size_t journals_before)
{
	if (!rc_allowed(kind, r->rc))
		broken(r, "unexpected exit %d", r->rc);
	if (!C.failed)
		check_untouched(r, before, after);
	if (!C.failed)
		check_journal_kept(kind, r);
	if (!C.failed)
		check_orphans(kind, r, s, before, after);
	if (!C.failed)
		check_desired(kind, r, s, before, after);
	if (!C.failed && (kind == PLAN || kind == STATUS) && !journals_before &&
	    strcmp(before->text, after->text))
		broken(r, "a reader with nothing to recover changed the kernel\n  before:\n%s\n  after:\n%s",
		     before->text, after->text);
}

/*
 * Wait for the witnesses of namespaces deleted (a veth end here whose peer
 * was in one): the kernel destroys a namespace from a work queue once nothing
 * holds it, and until then its VLANs still hold their VLAN ids on their
 * parents here. One still there after 10 s: something holds its namespace.
 */
static void await_witnesses(const struct run *r)
{
	double end = kt_now() + 10;

	for (;;) {
		struct vt_link_table t = { 0 };
		const char *left = NULL;

		kt_dump(C.nl, &t);
		for (size_t i = 0; i < t.n && !left; i++)
			if (!strncmp(t.links[i].name, WITNESS, strlen(WITNESS)))
				left = t.links[i].name;
		if (left && kt_now() > end)
			broken(r, "namespace of %s's peer not destroyed 10 s after ip netns del", left);
		vt_link_table_clear(&t);
		if (!left || C.failed)
			return;
		usleep(20 * 1000);
	}
}

/* A namespace a fault added anew (sh: del, add) comes with its loopback: the campaign's. */
static void adopt_new_namespaces(const struct kt_world *before, const struct kt_world *after)
{
	for (unsigned ns = 1; ns <= n_ns(); ns++) {
		const struct kt_dev *lo = kt_world_find(after, cookie_in(after, ns), "lo");

		if (cookie_in(after, ns) && cookie_in(after, ns) != cookie_in(before, ns) && lo)
			set_add(&C.own, key_of(lo));
	}
}

/* One run of vlantrunk, every invariant checked; @out (if any) gets the run. */
static int checked_run(enum cmd kind, const char *fault, const char *args, const struct scope *s,
		       struct run *out)
{
	static const struct scope everything;
	struct kt_world before, after;
	size_t jb = journals(NULL);
	char *snap_before, *snap_after;
	struct run r;

	world_read(&before);
	snap_before = snapshot();
	C.recovered_names = journal_names();
	vt_run(&r, fault, args, true);
	if (C.netns)
		await_witnesses(&r);
	world_read(&after);
	adopt_new_namespaces(&before, &after);
	snap_after = snapshot();
	if (!C.failed)
		check_run(kind, &r, s ? s : &everything, &before, &after, jb);
	if (!C.failed)
		check_rolled_back(kind, &r, jb, snap_before, snap_after);
	if (!C.failed)
		check_in_sync(kind, &r, s ? s : &everything, ns_changed(&before, &after));
	free(snap_before);
	free(snap_after);
	json_decref(C.recovered_names);
	C.recovered_names = NULL;
	prune(&C.own, &after);
	prune(&C.grouped, &after);
	kt_world_free(&before);
	kt_world_free(&after);
	if (out)
		*out = r;
	else
		free(r.out);
	return r.rc;
}

/*
 * With no journal pending, each desired subport whose namespace does not
 * exist is "missing" in status, which exits 1, and its trunk DEGRADED; or
 * ERROR (a conflict) or DOWN for a reason of its own (cannot converge: a
 * parent missing), which outrank it. A missing parent outranks the missing
 * namespace for the subport too: it is "blocked".
 */
static void check_missing(void)
{
	static const char *const names[] = { "ta", "tq", "tb", "tc" };
	bool gone[N_NETNS + 1] = { false }, any = false;
	struct run r;
	json_t *doc;

	if (!C.netns || C.failed || journals(NULL))
		return;
	for (unsigned ns = 1; ns <= N_NETNS; ns++)
		gone[ns] = vt_nl_netns_probe(C.ns_path[ns - 1]) == -ENOENT;
	for (size_t t = 0; t < 4; t++) {
		const json_t *sp;
		size_t i;

		json_array_foreach(json_object_get(desired_trunk(names[t]), "subports"), i, sp)
			any |= gone[ns_of(sp)];
	}
	if (!any)
		return;
	vt(&r, NULL, "--json status 2>/dev/null");
	doc = json_loads(r.out, 0, NULL);
	if (!doc || r.rc != 1)
		broken(&r, "a subport's namespace is missing: status exits %d%s", r.rc,
		       doc ? "" : ", no JSON document");
	for (size_t t = 0; t < 4 && !C.failed; t++) {
		const json_t *tr = desired_trunk(names[t]), *sp, *st = NULL, *e;
		size_t i;

		json_array_foreach(json_object_get(doc, "trunks"), i, e)
			if (tr && !strcmp(json_string_value(json_object_get(e, "name")), names[t]))
				st = e;
		json_array_foreach(json_object_get(tr, "subports"), i, sp) {
			const char *name = json_string_value(json_object_get(sp, "name"));
			const char *netns = json_string_value(json_object_get(sp, "netns"));
			const char *status = json_string_value(json_object_get(st, "status"));
			const json_t *found = NULL;
			size_t k;

			if (!gone[ns_of(sp)])
				continue;
			json_array_foreach(json_object_get(st, "subports"), k, e)
				if (!strcmp(json_string_value(json_object_get(e, "name")), name) &&
				    json_is_string(json_object_get(e, "netns")) &&
				    !strcmp(json_string_value(json_object_get(e, "netns")), netns))
					found = e;
			if (!found || (strcmp(json_string_value(json_object_get(found, "state")), "missing") &&
				       !(!strcmp(json_string_value(json_object_get(found, "state")), "blocked") &&
					 json_is_null(json_object_get(st, "parent_device")))))
				broken(&r, "subport %s of %s in %s, which does not exist: not missing in "
				       "status", name, names[t], netns);
			else if (!status || (strcmp(status, "DEGRADED") && strcmp(status, "ERROR") &&
					     (strcmp(status, "DOWN") ||
					      json_is_true(json_object_get(st, "can_converge")))))
				broken(&r, "subport %s of %s in %s, which does not exist: trunk %s (%s)",
				       name, names[t], netns, status ? status : "absent",
				       json_string_value(json_object_get(st, "reason")));
			if (C.failed)
				break;
		}
	}
	json_decref(doc);
	free(r.out);
}

/* ---- the steps ---- */

static void maybe_faults(char *fault, size_t len, unsigned percent, unsigned cap, bool sh)
{
	fault[0] = '\0';
	if (chance(percent))
		gen_faults(fault, len, cap, sh);
}

static void step_reconcile(void)
{
	char args[256], fault[512];
	struct scope s;

	snprintf(args, sizeof(args), "%sreconcile%s", chance(30) ? "--json " : "",
		 chance(30) ? " --atomic" : "");
	random_scope(&s, args, sizeof(args));
	maybe_faults(fault, sizeof(fault), 85, request_cap(), true);
	checked_run(RECONCILE, fault[0] ? fault : NULL, args, &s, NULL);
}

static void step_teardown(void)
{
	char args[256] = "teardown", fault[512];
	struct scope s;

	random_scope(&s, args, sizeof(args));
	maybe_faults(fault, sizeof(fault), 60, request_cap(), true);
	checked_run(TEARDOWN, fault[0] ? fault : NULL, args, &s, NULL);
}

/* Readers recover an interrupted transaction first: fault that recovery too. */
static void step_reader(void)
{
	bool plan = chance(50);
	struct kt_facts fx;
	char fault[512];
	size_t entries;

	journal_facts(&fx);
	entries = json_array_size(fx.devices);
	kt_facts_free(&fx);
	/* No namespace deleted under a reader: one that has nothing to recover must change nothing. */
	maybe_faults(fault, sizeof(fault), 70, (unsigned)(2 * entries + 2), false);
	checked_run(plan ? PLAN : STATUS, fault[0] ? fault : NULL,
		    plan ? (chance(30) ? "--json plan" : "plan") : (chance(30) ? "--json status" : "status"),
		    NULL, NULL);
}

static void step_rewrite(void)
{
	install_desired(gen_desired(C.desired), "new desired state");
}

/* ta's subport that is tq's parent, in @d, or NULL. */
static json_t *outer_of(json_t *d)
{
	json_t *trunks = json_object_get(d, "trunks"), *sp;
	const char *parent = json_string_value(json_object_get(json_array_get(trunks, 1), "parent"));
	size_t i;

	json_array_foreach(json_object_get(json_array_get(trunks, 0), "subports"), i, sp)
		if (parent && !strcmp(json_string_value(json_object_get(sp, "name")), parent))
			return sp;
	return NULL;
}

static void toggle(json_t *o, const char *key, bool dflt)
{
	json_t *v = json_object_get(o, key);

	json_object_set_new(o, key, json_boolean(!(v ? json_is_true(v) : dflt)));
}

/*
 * The desired state changed in place where the kernel's side effects live:
 * the outer subport renamed (tq follows), brought up or down, its MTU lowered
 * below the inner subports' or raised, a MAC of its own or none; either trunk
 * admin-down or up; an inner subport declared down or up, given
 * loose_binding, an MTU, or none.
 */
static void step_tweak(void)
{
	json_t *d = json_deep_copy(C.desired), *trunks = json_object_get(d, "trunks");
	json_t *ta = json_array_get(trunks, 0), *tq = json_array_get(trunks, 1);
	json_t *outer = outer_of(d), *qs = json_object_get(tq, "subports");
	json_t *q = json_array_size(qs) ? json_array_get(qs, pick((unsigned)json_array_size(qs))) : NULL;
	char *text;

	for (unsigned i = 0, n = 1 + pick(3); i < n; i++) {
		switch (pick(9)) {
		case 0:
			if (!outer)
				break;
			snprintf(C.outer, sizeof(C.outer), "a-q%c", C.outer[3] == '1' ? '2' : '1');
			json_object_set_new(outer, "name", json_string(C.outer));
			json_object_set_new(tq, "parent", json_string(C.outer));
			break;
		case 1:
			if (outer && chance(20)) {
				json_object_del(outer, "mtu");
			} else if (outer) {
				C.outer_mtu = 1280 + pick(221);
				json_object_set_new(outer, "mtu", json_integer(C.outer_mtu));
			}
			break;
		case 2:
			if (outer)
				toggle(outer, "up", true);
			break;
		case 3:
			toggle(ta, "admin_state_up", true);
			break;
		case 4:
			toggle(tq, "admin_state_up", true);
			break;
		case 5:
			if (q)
				toggle(q, "up", true);
			break;
		case 6:
			if (q && chance(70))
				toggle(q, "loose_binding", false);
			else if (outer)
				toggle(outer, "loose_binding", false);
			break;
		case 7:
			if (outer && json_object_get(outer, "mac") && chance(30)) {
				json_object_del(outer, "mac");
			} else if (outer) {
				char mac[18];

				snprintf(mac, sizeof(mac), "02:00:00:0a:%02x:%02x", pick(256), pick(256));
				json_object_set_new(outer, "mac", json_string(mac));
			}
			break;
		default:
			if (q && chance(40))
				json_object_del(q, "mtu");
			else if (q)
				json_object_set_new(q, "mtu", json_integer(1280 + pick(221)));
		}
	}
	json_decref(C.desired);
	C.desired = d;
	write_desired();
	text = json_dumps(d, JSON_COMPACT);
	note("step %u: desired state tweaked%s: %s\n", C.step, C.drop_tc ? " (without tc)" : "", text);
	free(text);
}

/*
 * A namespace round: one to three subports (never the outer one, tq's
 * parent, which stays here) moved to another namespace under the same name
 * where it is free, or under another name; VLAN and settings kept.
 */
static void step_move(void)
{
	json_t *d = json_deep_copy(C.desired), *trunks = json_object_get(d, "trunks"), *sp;
	size_t t;

	memset(C.used, 0, sizeof(C.used));
	json_array_foreach(trunks, t, sp)
		use_trunk(sp);
	for (unsigned m = 0, n = 1 + pick(3); m < n; m++) {
		json_t *sps = json_object_get(json_array_get(trunks, pick(4)), "subports");
		unsigned k, from, to = pick(N_NETNS + 1);

		sp = json_array_size(sps) ? json_array_get(sps, pick((unsigned)json_array_size(sps))) : NULL;
		k = sp ? eth_number(json_string_value(json_object_get(sp, "name"))) : 0;
		if (!k)
			continue;
		from = ns_of(sp);
		if (to == from)
			to = (to + 1) % (N_NETNS + 1);
		C.used[from][k] = false;
		if (!C.used[to][k]) {
			C.used[to][k] = true;
			json_object_del(sp, "netns");
			if (to)
				json_object_set_new(sp, "netns", json_string(chance(70) ? C.ns_name[to - 1] :
										C.ns_path[to - 1]));
		} else {
			place(sp);
		}
		/* A bridge is the own namespace's. */
		if (ns_of(sp))
			json_object_del(sp, "master");
	}
	install_desired(d, "subports moved");
}

/* The valid state in force, broken in one of the ways the loader must refuse. */
static char *gen_invalid(void)
{
	char *valid = dump_desired(C.desired), *text;
	json_t *d = json_loads(valid, 0, NULL);
	json_t *sps = json_object_get(json_array_get(json_object_get(d, "trunks"), 2), "subports");
	json_t *sp = json_array_get(sps, 0);	/* tb always has one */

	switch (pick(7)) {
	case 0:	/* a syntax error: any proper prefix of an object */
		valid[pick((unsigned)strlen(valid))] = '\0';
		json_decref(d);
		return valid;
	case 1: json_object_set_new(sp, "vlna", json_integer(5)); break;
	case 2: json_object_set_new(sp, "vlan", json_integer(4095)); break;
	case 3: json_array_append_new(sps, json_deep_copy(sp)); break;
	case 4: json_object_set_new(d, "version", json_integer(2)); break;
	case 5: json_object_set_new(sp, "mtu", json_integer(20)); break;
	default: json_object_set_new(sp, "egress_qos", json_pack("{s:i}", "1", 9)); break;
	}
	text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	free(valid);
	return text;
}

static void step_invalid(void)
{
	/* Not teardown: it deletes what carries a marker and reads no desired state. */
	static const char *const cmds[] = { "reconcile", "reconcile --atomic", "plan", "status" };
	char *text = gen_invalid(), *jb = NULL, *ja = NULL, fault[512];
	struct kt_world before, after;
	struct run r;

	kt_write(C.config, text);
	note("step %u: invalid desired state written:\n%s\n", C.step, text);
	journals(&jb);
	world_read(&before);
	maybe_faults(fault, sizeof(fault), 50, 4, false);
	vt(&r, fault[0] ? fault : NULL, cmds[pick(4)]);
	world_read(&after);
	journals(&ja);
	if (r.rc != 4)
		broken(&r, "invalid desired state: exit %d, not 4", r.rc);
	else if (strcmp(before.text, after.text))
		broken(&r, "invalid desired state changed the kernel\n  before:\n%s\n  after:\n%s",
		     before.text, after.text);
	else if (strcmp(jb, ja))
		broken(&r, "invalid desired state changed the journal\n  before:\n%s\n  after:\n%s", jb, ja);
	write_desired();
	kt_world_free(&before);
	kt_world_free(&after);
	free(r.out);
	free(text);
	free(jb);
	free(ja);
}

/* ---- changes from outside ---- */

/* A change made by hand: whatever it creates is the campaign's own. */
static void by_hand(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void by_hand(const char *fmt, ...)
{
	struct kt_world before, after;
	char *cmd = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	world_read(&before);
	rc = kt_sh_status("{ %s; } >/dev/null 2>&1", cmd);
	note("step %u: by hand: %s -> exit %d\n", C.step, cmd, rc);
	world_read(&after);
	for (size_t i = 0; i < after.n; i++)
		if (!kt_world_dev(&before, after.devs[i].netns, after.devs[i].ifindex))
			set_add(&C.own, key_of(&after.devs[i]));
	prune(&C.own, &after);
	prune(&C.grouped, &after);
	kt_world_free(&before);
	kt_world_free(&after);
	free(cmd);
}

/* @name is a device in namespace @ns (0: the own one; one that does not exist has none). */
static bool present_in(unsigned ns, const char *name)
{
	struct kt_world w;
	bool found;

	world_read(&w);
	found = ns_in(&w, ns) && kt_world_find(&w, cookie_in(&w, ns), name) != NULL;
	kt_world_free(&w);
	return found;
}

static bool present(const char *name)
{
	return present_in(0, name);
}

static bool ns_exists(unsigned ns)
{
	return !ns || vt_nl_netns_probe(C.ns_path[ns - 1]) == 0;
}

/* Some desired subport lives in namespace @ns. */
static bool ns_named(unsigned ns)
{
	static const char *const names[] = { "ta", "tq", "tb", "tc" };

	for (size_t t = 0; t < 4; t++) {
		const json_t *sp;
		size_t i;

		json_array_foreach(json_object_get(desired_trunk(names[t]), "subports"), i, sp)
			if (ns_of(sp) == ns)
				return true;
	}
	return false;
}

static void readd_parents(void)
{
	for (int i = 0; i < 3; i++)
		if (!present(kt_campaign_parents[i]))
			by_hand("ip link add %s type dummy && ip link set %s up", kt_campaign_parents[i],
				kt_campaign_parents[i]);
}

static void free_name(char *name, size_t len, const char *want, unsigned ns)
{
	if (want && !present_in(ns, want))
		snprintf(name, len, "%s", want);
	else
		snprintf(name, len, "u-%u", ++C.obstacles);
}

/* " netns NAME" for `ip link add` to create in namespace @ns, "" for the own one. */
static const char *into(unsigned ns)
{
	static char buf[48];

	buf[0] = '\0';
	if (ns)
		snprintf(buf, sizeof(buf), " netns %s", C.ns_name[ns - 1]);
	return buf;
}

/*
 * An unmanaged VLAN, in namespace @ns (its parent stays here). Unbound, with
 * loose_binding and MTU 1280, the kernel's own propagation from a managed
 * parent (up, down, a lowered MTU) cannot reach it: only vlantrunk's
 * requests could change it. Bound (a stacking round), without loose_binding
 * and with its parent's MTU, up or down, it can: then vlantrunk must refuse
 * whatever the kernel would pass on to it.
 */
static void lookalike(const char *parent, const char *want, unsigned vlan, bool ad, int ifindex,
		      bool bound, unsigned ns)
{
	char name[VT_IFNAMSIZ], index[32] = "", up[96] = "";

	free_name(name, sizeof(name), want, ns);
	if (ifindex)
		snprintf(index, sizeof(index), " index %d", ifindex);
	if (bound && chance(60))
		snprintf(up, sizeof(up), " && ip %slink set %s up", ip_n(ns), name);
	by_hand("ip link add link %s name %s%s%s%s type vlan id %u protocol %s%s%s", parent, name,
		index, into(ns), bound ? "" : " mtu 1280", vlan, ad ? "802.1ad" : "802.1Q",
		bound ? "" : " loose_binding on", up);
}

/* @name is a device vlantrunk manages, now. */
static bool managed_now(const char *name)
{
	struct kt_world w;
	const struct kt_dev *d;
	bool managed;

	world_read(&w);
	d = kt_world_name(&w, name);
	managed = d && kt_marked(d);
	kt_world_free(&w);
	return managed;
}

/*
 * A stacking round: an unmanaged VLAN without loose_binding on a managed
 * VLAN (mostly the outer subport) or on such an unmanaged one, with its
 * parent's MTU or less, up or down. Whatever vlantrunk would do to its parent
 * that the kernel passes on (up, down, a lower MTU, a delete) must be refused.
 * Never while a journal is pending: its recovery puts the parent back as it
 * was whatever sits on it now, and the kernel passes that on. In a namespace
 * round, now and then in A or B: the kernel's propagation crosses namespaces.
 */
static void outside_stacked(void)
{
	struct vt_link_table t = { 0 };
	const struct vt_link *cands[MAX_SET], *parent = NULL;
	char name[VT_IFNAMSIZ], mtu[32] = "", up[96] = "";
	unsigned ns = C.netns && chance(30) ? 1 + pick(N_NETNS) : 0;
	size_t n = 0;

	/*
	 * Only where vlantrunk looks: the namespaces its desired state names
	 * (SPEC subport.netns). One it does not read, it cannot protect.
	 */
	if (ns && !ns_named(ns))
		ns = 0;

	kt_dump(C.nl, &t);
	for (size_t i = 0; i < t.n && n < MAX_SET; i++) {
		const struct vt_link *l = &t.links[i];

		if (l->is_vlan && (!strncmp(vt_link_alias(l), MARK, strlen(MARK)) || !strncmp(l->name, "u-", 2)))
			cands[n++] = l;
		if (!strcmp(l->name, C.outer) && !strncmp(vt_link_alias(l), MARK, strlen(MARK)))
			parent = l;
	}
	if (!parent || chance(40))
		parent = n ? cands[pick((unsigned)n)] : NULL;
	if (parent && ns_exists(ns)) {
		free_name(name, sizeof(name), NULL, ns);
		if (chance(50) && parent->mtu >= 1280)
			snprintf(mtu, sizeof(mtu), " mtu %u", 1280 + pick(parent->mtu - 1280 + 1));
		if (chance(60))
			snprintf(up, sizeof(up), " && ip %slink set %s up", ip_n(ns), name);
		by_hand("ip link add link %s name %s%s%s type vlan id %u%s", parent->name, name,
			into(ns), mtu, 2 + pick(4000), up);
	}
	vt_link_table_clear(&t);
}

/* Where an unmanaged device beside subport @sp goes: its namespace, if that exists. */
static unsigned beside(const json_t *sp)
{
	return ns_exists(ns_of(sp)) ? ns_of(sp) : 0;
}

static void outside_lookalike(void)
{
	const char *parent;
	const json_t *sp = random_subport(&parent);
	const char *proto;
	unsigned ns;

	if (!sp)
		return;
	ns = beside(sp);
	proto = json_string_value(json_object_get(sp, "protocol"));
	lookalike(parent, chance(60) ? json_string_value(json_object_get(sp, "name")) : NULL,
		  (unsigned)json_integer_value(json_object_get(sp, "vlan")),
		  proto && !strcmp(proto, "802.1ad"), 0,
		  !ns && C.stacking && !journals(NULL) && managed_now(parent), ns);
}

/* The namespace a journal entry's device was in, by index (0: the own one, or gone). */
static unsigned journaled_ns(const json_t *e)
{
	const char *path = json_string_value(json_object_get(e, "netns_path"));

	return path && ns_exists(ns_of_value(path)) ? ns_of_value(path) : 0;
}

/* A look-alike at an ifindex a journal records: an index alone proves nothing. */
static void outside_index_lookalike(void)
{
	struct kt_facts fx;
	const json_t *e;
	const char *parent;
	size_t n;

	journal_facts(&fx);
	n = json_array_size(fx.devices);
	if (!n) {
		kt_facts_free(&fx);
		outside_lookalike();
		return;
	}
	e = json_array_get(fx.devices, pick((unsigned)n));
	parent = json_string_value(json_object_get(e, "parent_name"));
	lookalike(parent && *parent && present(parent) ? parent : "p0",
		  json_string_value(json_object_get(e, "name")),
		  json_integer_value(json_object_get(e, "vlan")) ?
			  (unsigned)json_integer_value(json_object_get(e, "vlan")) : 2 + pick(4000),
		  json_integer_value(json_object_get(e, "protocol")) == VT_PROTO_8021AD,
		  (int)json_integer_value(json_object_get(e, "ifindex")), false, journaled_ns(e));
	kt_facts_free(&fx);
}

static void outside_name_taker(void)
{
	const char *parent;
	const json_t *sp = random_subport(&parent);
	const char *name = sp ? json_string_value(json_object_get(sp, "name")) : NULL;
	unsigned ns = sp ? beside(sp) : 0;

	if (name && !present_in(ns, name))
		by_hand("ip %slink add %s type dummy", ip_n(ns), name);
}

/*
 * Whether @d has a journaled create's ifindex and name in its namespace
 * (the same one: by cookie): in that journal's group and unaliased it would
 * be that create by every proof there is (SPEC.md), and recovery may delete
 * it. Such a perfect forgery is left out. One in a namespace of the same
 * name that is another namespace is no forgery: outside_ns_recreated().
 */
static bool forges_a_create(const struct kt_facts *fx, const struct kt_dev *d)
{
	size_t i;
	json_t *e;

	json_array_foreach(fx->devices, i, e) {
		const char *state = json_string_value(json_object_get(e, "state"));
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *cookie = json_string_value(json_object_get(e, "netns_cookie"));
		bool same_ns = cookie ? strtoull(cookie, NULL, 10) == d->netns : !d->netns;

		if (state && !strcmp(state, "absent") && name && !strcmp(name, d->name) && same_ns &&
		    json_integer_value(json_object_get(e, "ifindex")) == d->ifindex)
			return true;
	}
	return false;
}

/* One of the campaign's devices into a device group: sometimes a journal's own. */
static void outside_group(void)
{
	struct kt_world w;
	struct kt_facts fx;
	const struct kt_dev *d;
	uint32_t group = 1 + pick(1000);
	bool journals = false;
	size_t at;

	if (!C.own.n)
		return;
	journal_facts(&fx);
	if (json_array_size(fx.groups) && chance(60)) {
		group = (uint32_t)json_integer_value(json_array_get(fx.groups, 0));
		journals = true;
	}
	world_read(&w);
	at = pick((unsigned)C.own.n);
	d = kt_world_dev(&w, C.own.v[at].netns, C.own.v[at].ifindex);
	if (d && strcmp(d->name, "lo") && !kt_marked(d) && !(journals && forges_a_create(&fx, d))) {
		by_hand("ip %slink set dev %s group %u", ip_n(d->ns), d->name, group);
		set_add(&C.grouped, key_of(d));
	}
	kt_facts_free(&fx);
	kt_world_free(&w);
}

/* The campaign takes one of its obstacles away again (not the base topology). */
static void outside_remove(void)
{
	struct kt_world w;
	const struct kt_dev *d;
	size_t at;

	if (!C.own.n)
		return;
	world_read(&w);
	at = pick((unsigned)C.own.n);
	d = kt_world_dev(&w, C.own.v[at].netns, C.own.v[at].ifindex);
	if (d && !kt_campaign_base(d->name) && !kt_marked(d))
		by_hand("ip %slink del dev %s", ip_n(d->ns), d->name);
	kt_world_free(&w);
}

/*
 * The outer subport (a managed device with devices on it) changed by hand,
 * for vlantrunk to repair and the kernel to pass on: set down, its MTU
 * lowered, its MAC changed, or set down and renamed. Not while a journal is
 * pending: a create on it renamed by hand is no longer provably the
 * journal's (SPEC.md), and its recovery rightly keeps the journal.
 */
static void outside_outer_drift(void)
{
	if (!present(C.outer))
		return;
	switch (pick(4)) {
	case 0:
		by_hand("ip link set %s down", C.outer);
		break;
	case 1:
		by_hand("ip link set %s mtu %u", C.outer, 1280 + pick(200));
		break;
	case 2:
		by_hand("ip link set %s address 02:00:00:0e:%02x:%02x", C.outer, pick(256), pick(256));
		break;
	default:
		by_hand("ip link set %s down && ip link set %s name a-x", C.outer, C.outer);
	}
}

/* ---- namespaces changed from outside (namespace rounds) ---- */

/*
 * `ip netns del` of namespace @ns, and the wait until the kernel destroyed
 * it and its devices (the witness, sh_fault()): until then its VLANs still
 * hold their VLAN ids on their parents here.
 */
static void ns_delete(unsigned ns)
{
	const char *name = C.ns_name[ns - 1];

	by_hand("ip link add " WITNESS "%c type veth peer name " WITNESS "%c netns %s && "
		"ip netns del %s", 'a' + (char)(ns - 1), 'a' + (char)(ns - 1), name, name);
	await_witnesses(NULL);
}

static void ns_add(unsigned ns)
{
	by_hand("ip netns add %s", C.ns_name[ns - 1]);
}

/*
 * @name is a device of the own namespace a journal created: its recovery
 * deletes it, and the kernel every VLAN on it, in whichever namespace
 * (as outside_stacked() says: no device of the campaign's goes on one).
 */
static bool journaled_create(const struct kt_facts *fx, const char *name)
{
	const json_t *e;
	size_t i;

	json_array_foreach(fx->devices, i, e) {
		const char *state = json_string_value(json_object_get(e, "state"));
		const char *entry = json_string_value(json_object_get(e, "name"));

		if (name && state && entry && !json_object_get(e, "netns_path") &&
		    !strcmp(state, "absent") && !strcmp(entry, name))
			return true;
	}
	return false;
}

/*
 * Namespace @ns deleted and added again under its name, and planted in the
 * new one a perfect copy of a device a journal records in the old one: its
 * name, ifindex, VLAN id, protocol and parent, unaliased, in the journal's
 * device group. By every proof but the namespace's identity (its cookie, in
 * the journal) it is that device, and recovery must never touch it. Without
 * such a journal, a copy of a desired subport's device there: a conflict.
 */
static void outside_ns_recreated(unsigned ns)
{
	struct kt_facts fx;
	const json_t *e, *cand[MAX_SET];
	unsigned n = 0;
	uint64_t cookie;
	struct kt_world w;
	size_t i;

	world_read(&w);
	cookie = cookie_in(&w, ns);
	kt_world_free(&w);
	journal_facts(&fx);
	json_array_foreach(fx.devices, i, e) {
		const char *c = json_string_value(json_object_get(e, "netns_cookie"));

		if (c && cookie && strtoull(c, NULL, 10) == cookie && n < MAX_SET &&
		    json_integer_value(json_object_get(e, "vlan")) &&
		    !journaled_create(&fx, json_string_value(json_object_get(e, "parent_name"))))
			cand[n++] = e;
	}
	note("step %u: namespace %s deleted and added again (%u journaled devices in it)\n", C.step,
	     C.ns_name[ns - 1], n);
	if (cookie)
		ns_delete(ns);
	ns_add(ns);
	if (n) {
		const char *parent, *name;
		unsigned group = json_array_size(fx.groups) ?
				 (unsigned)json_integer_value(json_array_get(fx.groups, 0)) : 0;
		char up[96] = "";

		e = cand[pick(n)];
		parent = json_string_value(json_object_get(e, "parent_name"));
		name = json_string_value(json_object_get(e, "name"));
		if (chance(50))
			snprintf(up, sizeof(up), " && ip %slink set dev %s up", ip_n(ns), name);
		by_hand("ip link add link %s name %s index %d%s type vlan id %u protocol %s%s",
			parent && *parent ? parent : "p0", name,
			(int)json_integer_value(json_object_get(e, "ifindex")), into(ns),
			(unsigned)json_integer_value(json_object_get(e, "vlan")),
			json_integer_value(json_object_get(e, "protocol")) == VT_PROTO_8021AD ?
				"802.1ad" : "802.1Q", up);
		if (group) {
			by_hand("ip %slink set dev %s group %u", ip_n(ns), name, group);
			world_read(&w);
			if (kt_world_find(&w, cookie_in(&w, ns), name))
				set_add(&C.grouped, key_of(kt_world_find(&w, cookie_in(&w, ns), name)));
			kt_world_free(&w);
		}
	} else {
		const char *parent;
		const json_t *sp = random_subport(&parent);

		if (sp && ns_of(sp) == ns)
			lookalike(parent, json_string_value(json_object_get(sp, "name")),
				  (unsigned)json_integer_value(json_object_get(sp, "vlan")), false, 0,
				  false, ns);
	}
	kt_facts_free(&fx);
}

/*
 * A managed device in A or B changed by hand, for vlantrunk to repair: set
 * down, its MTU lowered, its MAC changed. Not while a journal is pending (as
 * outside_outer_drift()).
 */
static void outside_ns_drift(void)
{
	struct kt_world w;
	const struct kt_dev *cands[MAX_SET];
	unsigned n = 0;

	world_read(&w);
	for (size_t i = 0; i < w.n && n < MAX_SET; i++)
		if (w.devs[i].ns && kt_marked(&w.devs[i]))
			cands[n++] = &w.devs[i];
	if (n) {
		const struct kt_dev *d = cands[pick(n)];

		switch (pick(3)) {
		case 0:
			by_hand("ip %slink set %s down", ip_n(d->ns), d->name);
			break;
		case 1:
			by_hand("ip %slink set %s mtu %u", ip_n(d->ns), d->name, 1280 + pick(200));
			break;
		default:
			by_hand("ip %slink set %s address 02:00:00:0d:%02x:%02x", ip_n(d->ns), d->name,
				pick(256), pick(256));
		}
	}
	kt_world_free(&w);
}

/*
 * A managed device moved to another namespace by hand, between ours and A
 * or B, tq's parent (the outer subport) among them. The kernel keeps the
 * VLANs on a device it moves (vlan_device_event() does nothing on a
 * namespace change): tq's devices then sit on a parent elsewhere, and
 * deleting it there deletes them. The move fails, harmlessly, where the
 * name is taken. Not while a journal is pending (as outside_outer_drift()).
 */
static void outside_ns_move(void)
{
	struct kt_world w;
	const struct kt_dev *cands[MAX_SET];
	unsigned n = 0;

	world_read(&w);
	for (size_t i = 0; i < w.n && n < MAX_SET; i++)
		if (kt_marked(&w.devs[i]) && (w.devs[i].ns || chance(50) ||
					      !strcmp(w.devs[i].name, C.outer)))
			cands[n++] = &w.devs[i];
	if (n) {
		const struct kt_dev *d = cands[pick(n)];
		unsigned to = d->ns ? (chance(60) ? 0 : 1 + pick(N_NETNS)) : 1 + pick(N_NETNS);

		if (to && to != d->ns && ns_exists(to))
			by_hand("ip %slink set dev %s netns %s", ip_n(d->ns), d->name,
				C.ns_name[to - 1]);
		else if (!to)
			by_hand("ip %slink set dev %s netns %d", ip_n(d->ns), d->name, (int)getpid());
	}
	kt_world_free(&w);
}

static void outside_netns(void)
{
	unsigned ns = 1 + pick(N_NETNS), w = pick(100);

	note("step %u: a namespace change by hand (%u)\n", C.step, w);
	if (w < 25 && ns_exists(ns))
		ns_delete(ns);
	else if (w < 40 && !ns_exists(ns))
		ns_add(ns);
	else if (w < 55)
		outside_ns_recreated(ns);
	else if (w < 67 && !journals(NULL))
		outside_ns_drift();
	else if (w < 77)
		outside_lookalike();
	else if (w < 80 || journals(NULL))
		outside_name_taker();
	else
		outside_ns_move();
}

/* With a journal pending, changes that its recovery must survive come first. */
static void step_outside(void)
{
	unsigned w = journals(NULL) ? pick(60) : pick(100);
	const char *p = kt_campaign_parents[pick(3)];

	if (C.netns && chance(45)) {
		outside_netns();
		return;
	}
	note("step %u: a change by hand (%u)\n", C.step, w);
	if (C.stacking && !journals(NULL) && chance(35))
		outside_stacked();
	else if ((C.effects || C.stacking) && !journals(NULL) && chance(30))
		outside_outer_drift();
	else if (w < 15)
		by_hand("ip link del %s", p);
	else if (w < 30)
		outside_index_lookalike();
	else if (w < 40)
		outside_group();
	else if (w < 45)
		by_hand("ip link del %s", C.outer);	/* tq's parent, a managed device */
	else if (w < 60)
		readd_parents();
	else if (w < 75)
		outside_lookalike();
	else if (w < 85)
		outside_name_taker();
	else
		outside_remove();
}

/* ---- convergence once quiet ---- */

/*
 * Whether vlantrunk reads namespace @ns: its state dir's `netns` lists it by
 * identity (every namespace a writer read; README "Namespaces").
 */
static bool ns_read(unsigned ns)
{
	char path[sizeof(C.state) + 8];
	json_t *doc, *e;
	struct stat st;
	bool found = false;
	size_t i;

	snprintf(path, sizeof(path), "%s/netns", C.state);
	if (stat(C.ns_path[ns - 1], &st) < 0 || !(doc = json_load_file(path, 0, NULL)))
		return false;
	json_array_foreach(doc, i, e)
		found |= (uint64_t)json_integer_value(json_object_get(e, "dev")) == (uint64_t)st.st_dev &&
			 (uint64_t)json_integer_value(json_object_get(e, "ino")) == (uint64_t)st.st_ino;
	json_decref(doc);
	return found;
}

/*
 * The campaign's obstacles go: parents and namespaces back, look-alikes and
 * name-takers deleted, and what was moved by hand into a namespace
 * vlantrunk does not read: a VLAN there is invisible to it, and one holding
 * a VLAN id a create needs makes that create fail with EEXIST, run after run
 * (README "Limits").
 */
static void clear_obstacles(void)
{
	struct kt_world w;

	readd_parents();
	for (unsigned ns = 1; ns <= n_ns(); ns++)
		if (!ns_exists(ns))
			ns_add(ns);
	world_read(&w);
	for (size_t i = 0; i < w.n; i++) {
		const struct kt_dev *d = &w.devs[i];

		if (d->ns && kt_marked(d) && !ns_read(d->ns)) {
			by_hand("ip %slink del dev %s", ip_n(d->ns), d->name);
			continue;
		}
		if (!set_has(&C.own, d) || kt_marked(d))
			continue;
		if (!kt_campaign_base(d->name))
			by_hand("ip %slink del dev %s", ip_n(d->ns), d->name);
		else if (d->group)
			by_hand("ip %slink set dev %s group default", ip_n(d->ns), d->name);
	}
	kt_world_free(&w);
}

/*
 * A trunk that plan says cannot converge, for the one documented reason the
 * generator allows: tq's parent is not among ta's desired subports. Then tq's
 * parent is missing, or ta may not delete it, as that would delete tq's
 * devices (a side effect the plan refuses, SPEC "Transactions").
 */
static bool parent_stuck(const char *trunk, const char *why)
{
	if (!inner_parent_missing())
		return false;
	return (!strcmp(trunk, "tq") && strstr(why, "parent")) ||
	       (!strcmp(trunk, "ta") && strstr(why, "would delete"));
}

/* The MTU the desired state gives ta's outer subport; 0 if none. */
static unsigned outer_mtu(void)
{
	const json_t *sp = outer_of(C.desired);

	return sp ? (unsigned)json_integer_value(json_object_get(sp, "mtu")) : 0;
}

/*
 * Some subport of tq named @name wants MTU @mtu: in a namespace round tq
 * may have one of that name in each namespace, and the reason names none.
 */
static bool wants_mtu(const char *name, unsigned mtu)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(desired_trunk("tq"), "subports"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "name")), name) &&
		    json_integer_value(json_object_get(e, "mtu")) == mtu)
			return true;
	return false;
}

/*
 * The other documented way: tq wants an MTU above its parent's (generated
 * so, or the outer's lowered under it), so tq is blocked; and ta may not
 * lower the outer's MTU under a tq device that has it (the kernel would
 * clamp it). Each as the reason says, checked against the desired state.
 */
static bool mtu_stuck(const char *trunk, const char *why)
{
	char sp[VT_IFNAMSIZ + 1], dev[VT_IFNAMSIZ + 1];
	unsigned want, have, outer = outer_mtu();
	const char *wants = strstr(why, " wants ");

	if (!strcmp(trunk, "tq") &&
	    sscanf(why, "subport %15[^:]: mtu %u exceeds parent %*s MTU %u", sp, &want, &have) == 3)
		return wants_mtu(sp, want) && want > have && (!outer || outer == have);
	if (!strcmp(trunk, "ta") && wants && sscanf(wants, " wants %u", &want) == 1 &&
	    sscanf(why, "lowering the MTU of %*s to %u would lower that of %15s too", &have, dev) == 2)
		return wants_mtu(dev, want) && want > have && outer == have;
	return false;
}

/*
 * And what follows from it: tq blocked by its MTUs does not delete its
 * devices on an outer subport ta no longer wants, so ta may not delete that
 * one (the kernel would delete them with it). @tq_blocked: plan says tq
 * cannot converge, for its MTUs.
 */
static bool documented_stuck(const char *trunk, const char *why, bool tq_blocked)
{
	return why && (parent_stuck(trunk, why) || mtu_stuck(trunk, why) ||
		       (tq_blocked && !strcmp(trunk, "ta") && strstr(why, "would delete")));
}

/* Whether tq may end stuck: its parent is not desired, or it wants MTUs. */
static bool maybe_stuck(void)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(desired_trunk("tq"), "subports"), i, e)
		if (json_object_get(e, "mtu"))
			return true;
	return inner_parent_missing();
}

/* Plan once quiet: nothing to do, a trunk stuck only as documented. Returns whether one is. */
static bool check_quiet_plan(void)
{
	bool stuck = false, tq_blocked = false;
	struct run r;
	json_t *doc, *t;
	size_t i;

	vt(&r, NULL, "--json plan 2>/dev/null");
	doc = json_loads(r.out, 0, NULL);
	if (!doc)
		broken(&r, "once quiet: plan --json printed no JSON document");
	else if (json_array_size(json_object_get(doc, "operations")))
		broken(&r, "not converged once quiet: plan still has operations");
	json_array_foreach(json_object_get(doc, "trunks"), i, t) {
		const char *why = json_string_value(json_object_get(t, "reason"));

		if (!strcmp(json_string_value(json_object_get(t, "name")), "tq") && why &&
		    !json_is_true(json_object_get(t, "can_converge")))
			tq_blocked = mtu_stuck("tq", why);
	}
	json_array_foreach(json_object_get(doc, "trunks"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *why = json_string_value(json_object_get(t, "reason"));

		if (C.failed || json_is_true(json_object_get(t, "can_converge")))
			continue;
		stuck = true;
		if (!documented_stuck(name, why, tq_blocked))
			broken(&r, "once quiet: trunk %s cannot converge: %s", name, why ? why : "?");
	}
	if (!C.failed && r.rc != (stuck ? 1 : 0))
		broken(&r, "once quiet: plan exit %d", r.rc);
	json_decref(doc);
	free(r.out);
	return stuck;
}

static void quiet(void)
{
	int stuck = maybe_stuck() ? 1 : 0;
	struct run r = { .out = NULL };
	size_t n = 0;
	const char *line;

	C.step++;
	note("step %u: quiet: obstacles removed, then reconcile, plan, reconcile\n", C.step);
	clear_obstacles();
	checked_run(RECONCILE, NULL, "reconcile", NULL, &r);
	if (!C.failed && r.rc != 2 && r.rc != 0 && r.rc != stuck)
		broken(&r, "once quiet: a clean reconcile exited %d (expected 0/2%s)", r.rc,
		       stuck ? " or 1: tq's parent is not desired, or its MTUs" : "");
	free(r.out);
	r.out = NULL;
	if (!C.failed)
		stuck = check_quiet_plan() ? 1 : 0;
	if (C.failed)
		return;
	checked_run(RECONCILE, "fail:100000:5", "reconcile", NULL, &r);
	line = r.out ? strstr(r.out, "faulty: ") : NULL;
	if (!C.failed && (r.rc != stuck || !line || sscanf(line, "faulty: %zu", &n) != 1 || n))
		broken(&r, "once quiet: a second reconcile exited %d and sent %zu requests", r.rc, n);
	free(r.out);
}

/* ---- rounds ---- */

static void round_start(unsigned round)
{
	struct kt_world w;
	char *text;

	C.round = round;
	C.step = 0;
	C.failed = false;
	C.rng.s = C.seed ^ (0xd1b54a32d192ed03ULL * (round + 1));
	C.obstacles = 0;
	C.own.n = C.grouped.n = 0;
	C.last_ops = 8;
	C.logf = open_memstream(&C.log, &C.log_len);
	C.stacking = chance(50);
	C.effects = chance(50);
	C.netns = chance(C.netns_percent);
	for (unsigned i = 0; i < N_NETNS; i++) {
		snprintf(C.ns_name[i], sizeof(C.ns_name[i]), "vtc-%u-%c", round, 'a' + (char)i);
		snprintf(C.ns_path[i], sizeof(C.ns_path[i]), "/run/netns/%.31s", C.ns_name[i]);
		C.ns_paths[i] = C.ns_path[i];
	}
	/* tq's parent, should ta have no outer subport from the start. */
	snprintf(C.outer, sizeof(C.outer), "a-q1");
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	vt_nl_close(C.nl);
	ck_assert_int_eq(vt_nl_open(&C.nl), 0);
	kt_sh("ip link set lo up && ip -batch - <<'EOF'\n%sEOF", kt_campaign_topology);
	kt_sh("rm -rf '%s'", C.state);
	if (C.netns)
		kt_sh("for n in %s %s; do ip netns del $n 2>/dev/null; ip netns add $n || exit 1; done",
		      C.ns_name[0], C.ns_name[1]);
	C.desired = gen_desired(NULL);
	write_desired();
	text = json_dumps(C.desired, JSON_COMPACT);
	note("round %u%s%s%s: desired state%s: %s\n", round, C.stacking ? " (stacking)" : "",
	     C.effects ? " (effects)" : "", C.netns ? " (netns)" : "",
	     C.drop_tc ? " (without tc)" : "", text);
	free(text);
	world_read(&w);
	for (size_t i = 0; i < w.n; i++)
		set_add(&C.own, key_of(&w.devs[i]));
	kt_world_free(&w);
}

/* The round's namespaces go, whatever became of them: rounds are independent. */
static void ns_cleanup(void)
{
	if (C.netns)
		kt_sh_status("for n in %s %s; do ip netns del $n; done 2>/dev/null", C.ns_name[0],
			     C.ns_name[1]);
	C.netns = false;
}

static void round_end(void)
{
	ns_cleanup();
	fclose(C.logf);
	if (C.verbose)
		printf("%s", C.log);
	json_decref(C.desired);
	C.desired = NULL;
	free(C.log);
	C.log = NULL;
}

static unsigned run_round(unsigned round)
{
	unsigned steps;

	round_start(round);
	steps = 8 + pick(8);
	while (C.step < steps && !C.failed) {
		/* Mostly a managed world to break from the start; compound faults after a kill. */
		unsigned w = C.step == 0 ? pick(32) : journals(NULL) && chance(40) ? 68 : pick(100);

		C.step++;
		if (w < 32)
			step_reconcile();
		else if (w < 46)
			step_reader();
		else if (w < 52)
			step_teardown();
		else if (w < 62 && C.netns && chance(35))
			step_move();
		else if (w < 62 && (C.effects || C.stacking) && chance(70))
			step_tweak();
		else if (w < 62)
			step_rewrite();
		else if (w < 68)
			step_invalid();
		else
			step_outside();
		check_missing();
	}
	if (!C.failed)
		quiet();
	steps = C.step;
	round_end();
	return steps;
}

START_TEST(test_campaign)
{
	unsigned long seconds = kt_knob("VT_CAMPAIGN_SECONDS", 0);
	unsigned long rounds = kt_knob("VT_CAMPAIGN_ROUNDS", seconds ? ~0ul : kt_long(DEFAULT_ROUNDS, 5));
	unsigned long first = kt_knob("VT_CAMPAIGN_FIRST_ROUND", 0), done = 0, steps = 0;
	double start = kt_now();

	C.seed = getenv("VT_CAMPAIGN_SEED") ? kt_knob("VT_CAMPAIGN_SEED", 0) : kt_default_seed();
	C.keep_going = kt_knob("VT_CAMPAIGN_KEEP_GOING", 0) != 0;
	C.verbose = kt_knob("VT_CAMPAIGN_VERBOSE", 0) != 0;
	C.verbose_runs = kt_knob("VT_CAMPAIGN_VERBOSE", 0) > 1;
	C.netns_percent = (unsigned)kt_knob("VT_CAMPAIGN_NETNS", DEFAULT_NETNS);
	printf("campaign seed %" PRIu64 " (%u%% namespace rounds)\n", C.seed, C.netns_percent);
	fflush(stdout);
	for (unsigned long r = first; r < rounds; r++) {
		if (seconds && kt_now() - start > (double)seconds)
			break;
		steps += run_round((unsigned)r);
		done++;
	}
	printf("campaign seed %" PRIu64 ": %lu rounds, %lu steps, %u failing rounds, %.0f s\n",
	       C.seed, done, steps, C.failures, kt_now() - start);
	fflush(stdout);
	ck_assert_msg(C.failures == 0, "campaign seed %" PRIu64 ": %u of %lu rounds failed (see above)",
		      C.seed, C.failures, done);
}
END_TEST

static void setup(void)
{
	ck_assert_int_eq(vt_nl_open(&C.nl), 0);
	C.dir = kt_tempdir();
	snprintf(C.config, sizeof(C.config), "%s/trunks.json", C.dir);
	snprintf(C.state, sizeof(C.state), "%s/state", C.dir);
}

static void teardown(void)
{
	vt_nl_close(C.nl);
	kt_rmrf(C.dir);
}

Suite *campaign_suite(void)
{
	Suite *s = suite_create("campaign");
	TCase *tc = tcase_create("campaign");
	unsigned long seconds = kt_knob("VT_CAMPAIGN_SECONDS", 0);
	unsigned long rounds = kt_knob("VT_CAMPAIGN_ROUNDS", kt_long(DEFAULT_ROUNDS, 5));

	tcase_add_checked_fixture(tc, setup, teardown);
	/* Generous: a round takes a few seconds; the knobs size it. */
	tcase_set_timeout(tc, (double)(seconds ? seconds + 600 : rounds * 40 + 300));
	tcase_add_test(tc, test_campaign);
	suite_add_tcase(s, tc);
	return s;
}
