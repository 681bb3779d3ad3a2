/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The transaction engine against a real kernel, through the real program:
 * a plan that mixes delete, change, rename, recreate and create over two
 * transaction scopes, with QinQ nesting and a bridge master, under injected
 * kernel errors and process kills at every request.
 */
#define _GNU_SOURCE
#include <check.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_util.h"
#include "suites.h"

/*
 * The host before: scope "outer" (and "inner", nested on o-keep) on p0, scope
 * "other" on p1. Device names start with the scope's initial (o, i, x), so
 * kt_snapshot() can look at one scope.
 */
static const char before_state[] =
	"link add p0 type dummy\n"
	"link set p0 up\n"
	"link add p1 type dummy\n"
	"link set p1 up\n"
	"link add br0 type bridge\n"
	"link add link p0 name o-keep type vlan id 10 protocol 802.1ad\n"
	"link set o-keep alias vlantrunk:outer up\n"
	"link add link p0 name o-chg type vlan id 11\n"
	"link set o-chg mtu 1400 alias vlantrunk:outer up\n"
	"link add link p0 name o-rec type vlan id 12 egress-qos-map 1:2\n"
	"link set o-rec alias vlantrunk:outer up\n"
	"link add link p0 name o-old type vlan id 15\n"
	"link set o-old alias vlantrunk:outer\n"
	"link add link p0 name o-ren-old type vlan id 16\n"
	"link set o-ren-old alias vlantrunk:outer up\n"
	"link add link o-keep name i-a type vlan id 100\n"
	"link set i-a alias vlantrunk:inner\n"
	"link add link p1 name x-old type vlan id 30\n"
	"link set x-old alias vlantrunk:other up\n";

static const char desired_state[] =
	"{\"version\": 1, \"trunks\": [\n"
	" {\"name\": \"outer\", \"parent\": \"p0\", \"subports\": [\n"
	"   {\"name\": \"o-keep\", \"vlan\": 10, \"protocol\": \"802.1ad\"},\n"
	"   {\"name\": \"o-chg\", \"vlan\": 11, \"mtu\": 1300, \"master\": \"br0\"},\n"
	"   {\"name\": \"o-rec\", \"vlan\": 13},\n"
	"   {\"name\": \"o-new\", \"vlan\": 14, \"gvrp\": true, \"mac\": \"02:00:00:00:00:0e\",\n"
	"    \"egress_qos\": {\"5\": 5}, \"ingress_qos\": {\"3\": 4}},\n"
	"   {\"name\": \"o-ren\", \"vlan\": 16}]},\n"
	" {\"name\": \"inner\", \"parent\": \"o-keep\", \"subports\": [\n"
	"   {\"name\": \"i-a\", \"vlan\": 100},\n"
	"   {\"name\": \"i-b\", \"vlan\": 101}]},\n"
	" {\"name\": \"other\", \"parent\": \"p1\", \"subports\": [\n"
	"   {\"name\": \"x-1\", \"vlan\": 20}]}\n"
	"]}\n";

struct env {
	struct vt_nl *nl;
	char *dir;		/* config and state dir live here */
	char config[256];
	char state[256];
};

static struct env env;

static void setup(void)
{
	kt_enter_netns();
	ck_assert_int_eq(vt_nl_open(&env.nl), 0);
	env.dir = kt_tempdir();
	snprintf(env.config, sizeof(env.config), "%s/trunks.json", env.dir);
	snprintf(env.state, sizeof(env.state), "%s/state", env.dir);
	kt_write(env.config, desired_state);
}

static void teardown(void)
{
	vt_nl_close(env.nl);
	kt_rmrf(env.dir);
}

/* A fresh namespace in the before-state, and an empty state dir. */
static void fresh_host(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	vt_nl_close(env.nl);
	ck_assert_int_eq(vt_nl_open(&env.nl), 0);
	kt_sh("ip link set lo up && ip -batch - <<'EOF'\n%sEOF", before_state);
	kt_sh("rm -rf '%s'", env.state);
}

/* A fresh namespace with nothing but the parent p0, and an empty state dir. */
static void bare_host(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	vt_nl_close(env.nl);
	ck_assert_int_eq(vt_nl_open(&env.nl), 0);
	kt_sh("ip link set lo up && ip link add p0 type dummy && ip link set p0 up");
	kt_sh("rm -rf '%s'", env.state);
}

/* vlantrunk (or the faulty build, with VT_FAULT=@fault) on the test's config. */
static int vlantrunk(char **output, const char *fault, const char *args)
{
	return kt_vlantrunk(output, fault, env.config, env.state, args);
}

/* The requests a successful run of this plan sends. */
static size_t count_requests(const char *args)
{
	char *out = NULL;
	size_t n;

	fresh_host();
	ck_assert_int_eq(kt_run(&out, "VT_FAULT=fail:100000:5 %s -c '%s' --state-dir '%s' %s",
				kt_bin("vlantrunk-faulty"), env.config, env.state, args), 2);
	n = kt_requests(out);
	free(out);
	ck_assert_int_ge(n, 10);
	return n;
}

static void assert_converged(void)
{
	char *out = NULL;
	int rc = vlantrunk(&out, NULL, "plan");

	ck_assert_msg(rc == 0, "not converged (plan exit %d):\n%s", rc, out);
	free(out);
}

START_TEST(test_mixed_plan_converges_and_is_idempotent)
{
	char *out = NULL, *before, *after;

	fresh_host();
	before = kt_snapshot(env.nl, NULL);
	ck_assert_int_eq(vlantrunk(&out, NULL, "plan"), 2);
	free(out);
	/* plan changes nothing */
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);

	ck_assert_int_eq(vlantrunk(&out, NULL, "reconcile"), 2);
	free(out);
	assert_converged();
	/* Second run: exit 0, and not one mutating request. */
	ck_assert_int_eq(vlantrunk(&out, "fail:100000:5", "reconcile"), 0);
	ck_assert_uint_eq(kt_requests(out), 0);
	free(out);
	ck_assert_int_eq(access(env.state, F_OK), 0);
	ck_assert_int_eq(kt_journals(env.state), 0);
	free(before);
}
END_TEST

/* (a) The k-th request fails, for every k: everything as before, exit 1. */
START_TEST(test_fail_each_request_atomic)
{
	size_t n = count_requests("reconcile --atomic");

	for (size_t k = 1; k <= n; k++) {
		char fault[64], *out = NULL, *before, *after;
		int rc;

		fresh_host();
		before = kt_snapshot(env.nl, NULL);
		snprintf(fault, sizeof(fault), "fail:%zu:16", k);
		rc = vlantrunk(&out, fault, "reconcile --atomic");
		ck_assert_msg(rc == 1, "k=%zu: exit %d:\n%s", k, rc, out);
		/* The kernel's text, or for a sysctl write (no such text) its path and errno. */
		ck_assert_msg(strstr(out, "injected failure") ||
			      strstr(out, "/disable_ipv6: Device or resource busy"),
			      "k=%zu: no kernel text:\n%s", k, out);
		after = kt_snapshot(env.nl, NULL);
		ck_assert_msg(!strcmp(before, after), "k=%zu: not as before.\nbefore:\n%s\nafter:\n%s\n%s",
			      k, before, after, out);
		ck_assert_int_eq(kt_journals(env.state), 0);
		free(before);
		free(after);
		free(out);
	}
}
END_TEST

/* Per-trunk transactions: a failure in one scope leaves the other converged. */
START_TEST(test_fail_each_request_per_scope)
{
	size_t n = count_requests("reconcile");

	for (size_t k = 1; k <= n; k++) {
		char fault[64], *out = NULL, *before_o, *before_x, *now;
		bool outer_back, other_back;
		int rc;

		fresh_host();
		before_o = kt_snapshot(env.nl, "oi");
		before_x = kt_snapshot(env.nl, "x");
		snprintf(fault, sizeof(fault), "fail:%zu:22", k);
		rc = vlantrunk(&out, fault, "reconcile");
		ck_assert_msg(rc == 1, "k=%zu: exit %d:\n%s", k, rc, out);
		now = kt_snapshot(env.nl, "oi");
		outer_back = !strcmp(now, before_o);
		free(now);
		now = kt_snapshot(env.nl, "x");
		other_back = !strcmp(now, before_x);
		free(now);
		/* Exactly one scope failed and is as before; the other converged. */
		ck_assert_msg(outer_back != other_back, "k=%zu: outer back %d, other back %d\n%s", k,
			      outer_back, other_back, out);
		free(out);
		ck_assert_int_eq(vlantrunk(&out, NULL, outer_back ? "plan --trunk other" :
							     "plan --trunk outer"), 0);
		free(out);
		free(before_o);
		free(before_x);
	}
}
END_TEST

/* (b) Killed right before, or right after, the k-th request: the next run recovers. */
static void crash_at_each_request(const char *when)
{
	size_t n = count_requests("reconcile --atomic");

	for (size_t k = 1; k <= n; k++) {
		const char *readers[] = { "plan", "status", "reconcile --atomic" };
		char fault[64], *out = NULL, *before, *after;
		const char *reader = readers[k % 3];
		int rc;

		fresh_host();
		before = kt_snapshot(env.nl, NULL);
		snprintf(fault, sizeof(fault), "%s:%zu", when, k);
		rc = vlantrunk(&out, fault, "reconcile --atomic");
		ck_assert_msg(rc == 128 + SIGKILL, "k=%zu: exit %d:\n%s", k, rc, out);
		ck_assert_int_gt(kt_journals(env.state), 0);
		free(out);

		/* Whichever command comes next rolls the interrupted transaction back first. */
		if (strcmp(reader, "reconcile --atomic")) {
			vlantrunk(&out, NULL, reader);
			after = kt_snapshot(env.nl, NULL);
			ck_assert_msg(!strcmp(before, after),
				      "k=%zu: %s did not restore.\nbefore:\n%s\nafter:\n%s\n%s", k,
				      reader, before, after, out);
			free(after);
			free(out);
			ck_assert_int_eq(kt_journals(env.state), 0);
		}
		rc = vlantrunk(&out, NULL, "reconcile --atomic");
		ck_assert_msg(rc == 2, "k=%zu: reconcile after the crash: exit %d\n%s", k, rc, out);
		free(out);
		assert_converged();
		free(before);
	}
}

START_TEST(test_crash_before_each_request)
{
	crash_at_each_request("kill-before");
}
END_TEST

START_TEST(test_crash_after_each_request)
{
	crash_at_each_request("kill-after");
}
END_TEST

/* A crash during recovery is recovered by the next run. */
START_TEST(test_crash_during_recovery)
{
	char *out = NULL, *before, *after;

	fresh_host();
	before = kt_snapshot(env.nl, NULL);
	ck_assert_int_eq(vlantrunk(&out, "kill-before:9", "reconcile --atomic"), 128 + SIGKILL);
	free(out);
	/* The recovering run dies at its second request. */
	ck_assert_int_eq(vlantrunk(&out, "kill-before:2", "status"), 128 + SIGKILL);
	free(out);
	ck_assert_int_gt(kt_journals(env.state), 0);
	vlantrunk(&out, NULL, "status");
	free(out);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
}
END_TEST

/* (c) Two writers with different configs: serialised, ending in one of the two. */
START_TEST(test_concurrent_reconciles_serialise)
{
	char config_b[300], *out = NULL;
	int rc_a, rc_b, plan_a, plan_b;
	pid_t a, b;

	fresh_host();
	snprintf(config_b, sizeof(config_b), "%s/b.json", env.dir);
	kt_write(config_b, "{\"version\": 1, \"trunks\": [\n"
			   " {\"name\": \"other\", \"parent\": \"p1\", \"subports\": [\n"
			   "   {\"name\": \"x-2\", \"vlan\": 21}, {\"name\": \"x-3\", \"vlan\": 22}]}]}\n");
	a = fork();
	if (a == 0)
		_exit(vlantrunk(NULL, NULL, "reconcile --wait 120"));
	b = fork();
	if (b == 0)
		_exit(kt_run(NULL, "%s -c '%s' --state-dir '%s' reconcile --wait 120",
			     kt_bin("vlantrunk"), config_b, env.state));
	ck_assert_int_eq(waitpid(a, &rc_a, 0), a);
	ck_assert_int_eq(waitpid(b, &rc_b, 0), b);
	ck_assert_msg(WEXITSTATUS(rc_a) == 2, "A: exit %d", WEXITSTATUS(rc_a));
	ck_assert_msg(WEXITSTATUS(rc_b) == 2, "B: exit %d", WEXITSTATUS(rc_b));

	plan_a = vlantrunk(&out, NULL, "plan");
	free(out);
	plan_b = kt_run(&out, "%s -c '%s' --state-dir '%s' plan", kt_bin("vlantrunk"), config_b,
			env.state);
	free(out);
	/* Whoever ran second had the last word, entirely. */
	ck_assert_msg((plan_a == 0) != (plan_b == 0), "plan A %d, plan B %d", plan_a, plan_b);
}
END_TEST

/* (d) Unmanaged neighbours with a clashing name or VLAN id are never touched. */
START_TEST(test_unmanaged_neighbours_untouched)
{
	char *out = NULL, *before, *after;
	int rc;

	fresh_host();
	kt_sh("ip link add x-1 type dummy");			/* takes other's subport name */
	kt_sh("ip link add link p0 name u-vid type vlan id 14");	/* takes o-new's VLAN */
	kt_sh("ip link add link p1 name u-side type vlan id 99 && ip link set u-side alias mine");
	before = kt_snapshot(env.nl, "xu");
	rc = vlantrunk(&out, NULL, "reconcile");
	ck_assert_msg(rc == 1, "exit %d\n%s", rc, out);
	ck_assert_msg(strstr(out, "does not manage"), "no conflict reported:\n%s", out);
	free(out);
	after = kt_snapshot(env.nl, "xu");
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	ck_assert_int_eq(vlantrunk(&out, NULL, "--json status"), 1);
	ck_assert_ptr_nonnull(strstr(out, "\"ERROR\""));
	free(out);
}
END_TEST

/* (f) teardown --trunk deletes that trunk's subports only. */
START_TEST(test_teardown_one_trunk)
{
	char *out = NULL, *before_oi, *before_u, *now;
	int rc;

	fresh_host();
	kt_sh("ip link add link p1 name u-keep type vlan id 98");
	ck_assert_int_eq(vlantrunk(&out, NULL, "reconcile"), 2);
	free(out);
	before_oi = kt_snapshot(env.nl, "oi");
	before_u = kt_snapshot(env.nl, "u");
	rc = vlantrunk(&out, NULL, "teardown --trunk other");
	ck_assert_msg(rc == 2, "exit %d\n%s", rc, out);
	free(out);
	now = kt_snapshot(env.nl, "x");
	ck_assert_str_eq(now, "");
	free(now);
	now = kt_snapshot(env.nl, "oi");
	ck_assert_str_eq(now, before_oi);
	free(now);
	now = kt_snapshot(env.nl, "u");
	ck_assert_str_eq(now, before_u);
	free(now);
	/* Transactional too: a failure leaves outer and inner whole. */
	rc = vlantrunk(&out, "fail:3:16", "teardown --trunk outer --trunk inner");
	ck_assert_msg(rc == 1, "exit %d\n%s", rc, out);
	free(out);
	now = kt_snapshot(env.nl, "oi");
	ck_assert_str_eq(now, before_oi);
	free(now);
	ck_assert_int_eq(vlantrunk(&out, NULL, "teardown"), 2);
	free(out);
	now = kt_snapshot(env.nl, "oix");
	ck_assert_str_eq(now, "");
	free(now);
	free(before_oi);
	free(before_u);
}
END_TEST

/* Bad input changes nothing, and says where. */
START_TEST(test_invalid_config_touches_nothing)
{
	char *out = NULL, *before, *after;

	fresh_host();
	before = kt_snapshot(env.nl, NULL);
	kt_write(env.config, "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
			     "\"subports\": [{\"name\": \"s\", \"vlan\": 4095}]}]}");
	ck_assert_int_eq(vlantrunk(&out, NULL, "reconcile"), 4);
	ck_assert_msg(strstr(out, "vlan"), "error does not name the field:\n%s", out);
	free(out);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
}
END_TEST

static const char five_new[] =
	"{\"version\": 1, \"trunks\": [{\"name\": \"g\", \"parent\": \"p0\", \"subports\": [\n"
	" {\"name\": \"g-1\", \"vlan\": 201}, {\"name\": \"g-2\", \"vlan\": 202},\n"
	" {\"name\": \"g-3\", \"vlan\": 203}, {\"name\": \"g-4\", \"vlan\": 204},\n"
	" {\"name\": \"g-5\", \"vlan\": 205}]}]}\n";

/*
 * Created devices stay in the transaction's group until marked: a failure
 * at the last create is undone by one request (not one per device), and a
 * success leaves every device in the default group.
 */
START_TEST(test_rollback_deletes_creates_as_one_group)
{
	char *out = NULL, *before, *after;
	int rc;

	bare_host();
	kt_write(env.config, five_new);
	before = kt_snapshot(env.nl, NULL);
	rc = vlantrunk(&out, "fail:5:16", "reconcile");
	ck_assert_msg(rc == 1, "exit %d:\n%s", rc, out);
	/* five creates (the last one failing), then the group's deletion */
	ck_assert_uint_eq(kt_requests(out), 6);
	free(out);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	ck_assert_int_eq(vlantrunk(&out, NULL, "reconcile"), 2);
	free(out);
	ck_assert_int_eq(kt_sh_status("ip -d link show dev g-1 | grep -q ' group default '"), 0);
	ck_assert_int_eq(kt_sh_status("test \"$(ip link show group default | grep -c ' g-')\" = 5"), 0);
}
END_TEST

/*
 * Teardown deletes like the rollback: every device into the transaction's
 * group (one batch), then one request for the group. Killed between the two,
 * the devices are all still there in that group, and the recovery puts their
 * groups back.
 */
START_TEST(test_teardown_deletes_as_one_group)
{
	char *out = NULL, *before, *after;
	int rc;

	bare_host();
	kt_write(env.config, five_new);
	ck_assert_int_eq(vlantrunk(&out, NULL, "reconcile"), 2);
	free(out);
	before = kt_snapshot(env.nl, NULL);
	/* five moves into the group, then the group's deletion: killed before it */
	rc = vlantrunk(&out, "kill-before:6", "teardown");
	ck_assert_msg(rc == 128 + SIGKILL, "exit %d:\n%s", rc, out);
	free(out);
	ck_assert_int_eq(kt_sh_status("test \"$(ip link show group default | grep -c ' g-')\" = 0"), 0);
	ck_assert_int_eq(kt_sh_status("test \"$(ip -o link show type vlan | grep -c ' g-')\" = 5"), 0);
	ck_assert_int_gt(kt_journals(env.state), 0);
	ck_assert_int_eq(vlantrunk(&out, NULL, "status"), 0);
	free(out);
	ck_assert_int_eq(kt_journals(env.state), 0);
	after = kt_snapshot(env.nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	rc = vlantrunk(&out, "fail:100000:5", "teardown");
	ck_assert_msg(rc == 2, "exit %d:\n%s", rc, out);
	ck_assert_uint_eq(kt_requests(out), 6);
	free(out);
	ck_assert_int_eq(kt_sh_status("test \"$(ip -o link show type vlan | grep -c ' g-')\" = 0"), 0);
}
END_TEST

/* A device someone else put into the transaction's group is left alone. */
START_TEST(test_foreign_device_in_the_group_survives_recovery)
{
	char *out = NULL, *group = NULL;

	bare_host();
	kt_write(env.config, five_new);
	ck_assert_int_eq(vlantrunk(&out, "kill-after:3", "reconcile"), 128 + SIGKILL);
	free(out);
	ck_assert_int_eq(kt_run(&group, "sed -n 's/.*\"group\":\\([0-9]*\\),.*/\\1/p' '%s'/journal-*",
				env.state), 0);
	group[strcspn(group, "\n")] = '\0';
	ck_assert_msg(atoll(group) > 0, "no group in the journal: '%s'", group);
	kt_sh("ip link add link p0 name z-foreign group %s type vlan id 299", group);
	ck_assert_int_eq(kt_sh_status("test \"$(ip link show group %s | grep -c '^[0-9]')\" = 4",
				      group), 0);

	vlantrunk(&out, NULL, "status");
	free(out);
	ck_assert_int_eq(kt_journals(env.state), 0);
	ck_assert_int_eq(kt_sh_status("ip link show dev z-foreign >/dev/null"), 0);
	ck_assert_int_eq(kt_sh_status("ip -o link | grep -q ' g-'"), 1);
	free(group);
}
END_TEST

/*
 * A recovery recreates a deleted device under a new ifindex (its old one is
 * taken), then cannot put its marker back: the device must not stay unmarked
 * (vlantrunk could never touch it again). It goes again, the journal stays,
 * and the next run restores it whole.
 */
START_TEST(test_recovery_never_leaves_an_unmarked_device)
{
	char *out = NULL;
	int old;

	bare_host();
	kt_write(env.config, "{\"version\": 1, \"trunks\": [{\"name\": \"g\", \"parent\": \"p0\", "
			     "\"subports\": [{\"name\": \"g-old\", \"vlan\": 250}]}]}");
	kt_sh("ip link add link p0 name g-old type vlan id 250 && ip link set g-old alias vlantrunk:g up");
	old = kt_ifindex(env.nl, "g-old");
	ck_assert_int_eq(vlantrunk(&out, "kill-after:1", "teardown"), 128 + SIGKILL);
	free(out);
	ck_assert_int_ne(kt_sh_status("ip link show dev g-old >/dev/null 2>&1"), 0);
	kt_sh("ip link add squatter index %d type dummy", old);

	/*
	 * The recovery's fifth request, the marker of the recreated g-old, fails:
	 * before it come the create (down), its IPv6 mode and disable_ipv6 as
	 * they were, and its up.
	 */
	vlantrunk(&out, "fail:5:16", "status");
	ck_assert_msg(kt_sh_status("ip -o link show dev g-old 2>/dev/null | grep -q g-old") != 0 ||
		      kt_sh_status("ip -o link show dev g-old | grep -q 'alias vlantrunk:g'") == 0,
		      "g-old left without its marker:\n%s", out);
	free(out);
	ck_assert_int_gt(kt_journals(env.state), 0);

	vlantrunk(&out, NULL, "status");
	free(out);
	ck_assert_int_eq(kt_journals(env.state), 0);
	ck_assert_int_eq(kt_sh_status("ip -o link show dev g-old | grep -q 'alias vlantrunk:g'"), 0);
}
END_TEST

/*
 * A VLAN freed by a device another trunk's subport takes over by name: t1's
 * x (vlan 10 on p0) goes to t2, recreated on p1, and only that frees vlan 10
 * on p0 for t1's new y. The two trunks are one transaction, whose deletes go
 * first; apart, t1 (its recreate of r sorts first) would create y while x
 * still holds the VLAN (EEXIST) and roll back: one reconcile must converge.
 */
START_TEST(test_vlan_freed_by_a_device_taken_over_by_name)
{
	char *out = NULL;
	int rc;

	bare_host();
	kt_sh("ip link add p1 type dummy && ip link set p1 up && "
	      "ip link add link p0 name r type vlan id 11 && ip link set r alias vlantrunk:t1 && "
	      "ip link add link p0 name x type vlan id 10 && ip link set x alias vlantrunk:t1");
	kt_write(env.config, "{\"version\": 1, \"trunks\": [\n"
			     " {\"name\": \"t1\", \"parent\": \"p0\", \"subports\": [\n"
			     "   {\"name\": \"r\", \"vlan\": 12}, {\"name\": \"y\", \"vlan\": 10}]},\n"
			     " {\"name\": \"t2\", \"parent\": \"p1\", \"subports\": [\n"
			     "   {\"name\": \"x\", \"vlan\": 20}]}]}\n");
	rc = vlantrunk(&out, NULL, "reconcile");
	ck_assert_msg(rc == 2, "reconcile exit %d:\n%s", rc, out);
	free(out);
	assert_converged();
}
END_TEST

Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("transactions");
	TCase *faults = tcase_create("faults");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_mixed_plan_converges_and_is_idempotent);
	tcase_add_test(tc, test_concurrent_reconciles_serialise);
	tcase_add_test(tc, test_unmanaged_neighbours_untouched);
	tcase_add_test(tc, test_teardown_one_trunk);
	tcase_add_test(tc, test_invalid_config_touches_nothing);
	tcase_add_test(tc, test_crash_during_recovery);
	tcase_add_test(tc, test_rollback_deletes_creates_as_one_group);
	tcase_add_test(tc, test_teardown_deletes_as_one_group);
	tcase_add_test(tc, test_foreign_device_in_the_group_survives_recovery);
	tcase_add_test(tc, test_recovery_never_leaves_an_unmarked_device);
	tcase_add_test(tc, test_vlan_freed_by_a_device_taken_over_by_name);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, engine_qos_tcase());

	tcase_add_checked_fixture(faults, setup, teardown);
	tcase_set_timeout(faults, 1200);
	tcase_add_test(faults, test_fail_each_request_atomic);
	tcase_add_test(faults, test_fail_each_request_per_scope);
	tcase_add_test(faults, test_crash_before_each_request);
	tcase_add_test(faults, test_crash_after_each_request);
	suite_add_tcase(s, faults);
	return s;
}
