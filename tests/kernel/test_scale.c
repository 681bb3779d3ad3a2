/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * At scale: one trunk of 4094 subports, every VLAN id a parent can carry
 * (VT_LONG_TESTS can lower it, to 256 at least), through the real program. Correctness only (timing is `make bench`'s job):
 * it converges, a second run sends not one request, teardown leaves nothing.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_util.h"
#include "suites.h"

#define SCALE_MARKER "vlantrunk:scale"

struct env {
	struct vt_nl *nl;
	char *dir;
	char config[256];
	char state[256];
	int n;			/* subports s1..s<n> */
};

static struct env env;

static void setup(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	kt_enter_netns();
	ck_assert_int_eq(vt_nl_open(&env.nl), 0);
	env.dir = kt_tempdir();
	snprintf(env.config, sizeof(env.config), "%s/trunks.json", env.dir);
	snprintf(env.state, sizeof(env.state), "%s/state", env.dir);

	/* Trunk "scale" on p0: subports s1..s<n>, s<id> on VLAN <id>. */
	env.n = (int)kt_long(4094, 256);
	if (env.n > 4094)
		env.n = 4094;
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"version\": 1, \"trunks\": [{\"name\": \"scale\", \"parent\": \"p0\", "
		   "\"subports\": [");
	for (int id = 1; id <= env.n; id++)
		fprintf(f, "%s\n  {\"name\": \"s%d\", \"vlan\": %d}", id > 1 ? "," : "", id, id);
	fprintf(f, "]}]}\n");
	ck_assert_int_eq(fclose(f), 0);
	kt_write(env.config, text);
	free(text);
	kt_sh("ip link add p0 type dummy && ip link set p0 up");
}

static void teardown(void)
{
	vt_nl_close(env.nl);
	kt_rmrf(env.dir);
}

/* vlantrunk (or the faulty build, with VT_FAULT=@fault) on the test's config. */
static int vlantrunk(char **output, const char *fault, const char *args)
{
	return kt_vlantrunk(output, fault, env.config, env.state, args);
}

/*
 * Through our own dump: how many devices carry any vlantrunk marker, and
 * that each one of them is a subport exactly as desired (s<id>: an 802.1Q
 * VLAN <id> on p0, up, marked for "scale").
 */
static size_t managed_devices(void)
{
	struct vt_link_table t = { 0 };
	size_t n = 0;
	int p0;

	kt_dump(env.nl, &t);
	p0 = kt_find(&t, "p0")->ifindex;
	for (size_t i = 0; i < t.n; i++) {
		const struct vt_link *l = &t.links[i];
		int id = 0;

		if (strncmp(vt_link_alias(l), "vlantrunk:", strlen("vlantrunk:")))
			continue;
		n++;
		ck_assert_msg(sscanf(l->name, "s%d", &id) == 1 && id >= 1 && id <= env.n,
			      "%s: not a desired subport", l->name);
		ck_assert_msg(l->is_vlan && l->parent == p0 && l->vlan.id == id &&
			      l->vlan.protocol == VT_PROTO_8021Q && l->up &&
			      !strcmp(vt_link_alias(l), SCALE_MARKER),
			      "%s: vlan %d %u parent %d (p0 %d) proto %04x up %d alias %s", l->name,
			      l->is_vlan, l->vlan.id, l->parent, p0, l->vlan.protocol, l->up, vt_link_alias(l));
	}
	vt_link_table_clear(&t);
	return n;
}

START_TEST(test_4094_subports_converge_idempotent_teardown)
{
	char *out = NULL;
	int rc;

	rc = vlantrunk(&out, NULL, "reconcile");
	ck_assert_msg(rc == 2, "reconcile: exit %d\n%.4000s", rc, out);
	free(out);
	rc = vlantrunk(&out, NULL, "plan");
	ck_assert_msg(rc == 0, "not converged (plan exit %d):\n%.4000s", rc, out);
	free(out);
	ck_assert_uint_eq(managed_devices(), env.n);
	/* iproute2, an independent reader, counts the same. */
	ck_assert_int_eq(kt_sh_status("test \"$(ip -o link show type vlan | "
				      "grep -c 'alias " SCALE_MARKER "')\" = %d", env.n), 0);

	/* Idempotent: exit 0, and not one mutating request. */
	rc = vlantrunk(&out, "fail:1000000:5", "reconcile");
	ck_assert_msg(rc == 0, "second reconcile: exit %d\n%.4000s", rc, out);
	ck_assert_uint_eq(kt_requests(out), 0);
	free(out);

	rc = vlantrunk(&out, NULL, "teardown");
	ck_assert_msg(rc == 2, "teardown: exit %d\n%.4000s", rc, out);
	free(out);
	/* Nothing managed remains; the parent, which is not ours, does. */
	ck_assert_uint_eq(managed_devices(), 0);
	ck_assert_int_eq(kt_sh_status("test -z \"$(ip -o link show type vlan)\""), 0);
	ck_assert_int_eq(kt_journals(env.state), 0);
}
END_TEST

Suite *scale_suite(void)
{
	Suite *s = suite_create("scale");
	TCase *tc = tcase_create("4094 subports");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* About a minute in an idle sandbox; under memcheck (make asan), whose
	 * user-space cost at this size is minutes per run, or on a busy host,
	 * much longer. */
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, test_4094_subports_converge_idempotent_teardown);
	suite_add_tcase(s, tc);
	return s;
}
