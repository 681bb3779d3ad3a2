/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The read-only commands against a real kernel: plan lists exactly the
 * operations needed, in a safe order, and changes nothing; status sees what
 * someone changed behind vlantrunk's back; check proves 802.1Q; bad input
 * exits 4 and touches nothing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel_util.h"
#include "suites.h"

static struct vt_nl *nl;
static char *dir;
static char config[256], state[256];

static void setup(void)
{
	kt_enter_netns();
	ck_assert_int_eq(vt_nl_open(&nl), 0);
	dir = kt_tempdir();
	snprintf(config, sizeof(config), "%s/trunks.json", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	kt_sh("ip link add p0 type dummy && ip link set p0 up && ip link add br0 type bridge");
}

static void teardown(void)
{
	vt_nl_close(nl);
	kt_rmrf(dir);
}

static int vt(char **out, const char *args)
{
	return kt_run(out, "%s -c '%s' --state-dir '%s' %s", kt_bin("vlantrunk"), config, state,
		      args);
}

/* Hand-made devices: plan names each operation, in commit order, and touches nothing. */
START_TEST(test_plan_against_hand_made_devices)
{
	char *out = NULL, *before, *after;
	const char *lines[] = {
		"\u00b1 recreate s-rec: vlan 12 -> 13",	/* deletes first, inner before outer */
		"- delete stale",
		"~ change s-mtu: mtu 1500 -> 1400",
		"+ create s-new (p0, 802.1Q 14)",	/* creates last, outer before inner */
		"+ create q-1 (s-new, 802.1Q 100)",
	};
	const char *pos = NULL;

	kt_write(config, "{\"version\": 1, \"trunks\": [\n"
			 " {\"name\": \"t\", \"parent\": \"p0\", \"subports\": [\n"
			 "   {\"name\": \"s-mtu\", \"vlan\": 11, \"mtu\": 1400},\n"
			 "   {\"name\": \"s-rec\", \"vlan\": 13},\n"
			 "   {\"name\": \"s-new\", \"vlan\": 14, \"protocol\": \"802.1Q\"}]},\n"
			 " {\"name\": \"q\", \"parent\": \"s-new\", \"subports\": [\n"
			 "   {\"name\": \"q-1\", \"vlan\": 100}]}]}\n");
	kt_sh("ip link add link p0 name s-mtu type vlan id 11 && "
	      "ip link set s-mtu alias vlantrunk:t up");
	kt_sh("ip link add link p0 name s-rec type vlan id 12 && "
	      "ip link set s-rec alias vlantrunk:t up");
	kt_sh("ip link add link p0 name stale type vlan id 20 && ip link set stale alias vlantrunk:t");
	before = kt_snapshot(nl, NULL);
	ck_assert_int_eq(vt(&out, "plan"), 2);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const char *at = strstr(out, lines[i]);

		ck_assert_msg(at, "missing \"%s\" in:\n%s", lines[i], out);
		ck_assert_msg(!pos || at > pos, "\"%s\" out of order in:\n%s", lines[i], out);
		pos = at;
	}
	ck_assert_msg(strstr(out, "5 operations pending"), "%s", out);
	free(out);
	after = kt_snapshot(nl, NULL);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);
	/* Applying that plan converges: plan then has nothing to say. */
	ck_assert_int_eq(vt(&out, "reconcile"), 2);
	free(out);
	ck_assert_int_eq(vt(&out, "plan"), 0);
	ck_assert_msg(strstr(out, "In sync"), "%s", out);
	free(out);
}
END_TEST

static json_t *status_json(int expect_rc)
{
	json_error_t err;
	char *out = NULL;
	json_t *doc;

	/* stdout only: a recovery notice on stderr is not part of the document */
	ck_assert_int_eq(vt(&out, "--json status 2>/dev/null"), expect_rc);
	doc = json_loads(out, 0, &err);
	ck_assert_msg(doc, "status --json is not JSON (%s):\n%s", err.text, out);
	free(out);
	return doc;
}

static json_t *subport(json_t *doc, size_t trunk, size_t sp)
{
	return json_array_get(json_object_get(json_array_get(json_object_get(doc, "trunks"), trunk),
					      "subports"), sp);
}

/* Someone changes a managed device behind vlantrunk's back: status says what. */
START_TEST(test_status_after_change_behind_the_back)
{
	json_t *doc, *sp, *change;

	kt_write(config, "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
			 "\"subports\": [{\"name\": \"sa\", \"vlan\": 10, \"mtu\": 1400}, "
			 "{\"name\": \"sb\", \"vlan\": 11}]}]}");
	ck_assert_int_eq(vt(NULL, "reconcile"), 2);
	doc = status_json(0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
				 json_object_get(doc, "trunks"), 0), "status")), "ACTIVE");
	json_decref(doc);

	kt_sh("ip link set sa mtu 1300 && ip link set sb down");
	doc = status_json(1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
				 json_object_get(doc, "trunks"), 0), "status")), "DEGRADED");
	sp = subport(doc, 0, 0);
	ck_assert_str_eq(json_string_value(json_object_get(sp, "state")), "differs");
	change = json_array_get(json_object_get(sp, "changes"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(change, "field")), "mtu");
	ck_assert_str_eq(json_string_value(json_object_get(change, "old")), "1300");
	ck_assert_str_eq(json_string_value(json_object_get(change, "new")), "1400");
	change = json_array_get(json_object_get(subport(doc, 0, 1), "changes"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(change, "field")), "up");
	json_decref(doc);

	/* The same as Prometheus metrics. */
	{
		char *out = NULL;

		ck_assert_int_eq(vt(&out, "status --format prometheus"), 1);
		ck_assert_msg(strstr(out, "vlantrunk_trunks{status=\"DEGRADED\"} 1\n") &&
			      strstr(out, "vlantrunk_trunk_status{trunk=\"t\",status=\"DEGRADED\"} 1\n") &&
			      strstr(out, "vlantrunk_subports{state=\"differs\"} 2\n"), "%s", out);
		free(out);
	}

	kt_sh("ip link del sb");
	doc = status_json(1);
	ck_assert_str_eq(json_string_value(json_object_get(subport(doc, 0, 1), "state")), "missing");
	json_decref(doc);

	kt_sh("ip link del p0");
	doc = status_json(1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
				 json_object_get(doc, "trunks"), 0), "status")), "DOWN");
	json_decref(doc);
}
END_TEST

/* A writer at work: its trunks are BUILD; after, never BUILD. */
START_TEST(test_status_build_while_a_writer_holds_the_lock)
{
	char journal[300], *out = NULL;
	json_t *doc;

	kt_write(config, "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
			 "\"subports\": [{\"name\": \"sa\", \"vlan\": 10}]}]}");
	ck_assert_int_eq(vt(NULL, "reconcile"), 2);
	/* What a writer leaves while it runs: the lock held, its journal written. */
	snprintf(journal, sizeof(journal), "%s/journal", state);
	kt_write(journal, "{\"version\": 1, \"id\": \"test-1\", \"trunks\": [\"t\"], "
			  "\"entries\": []}");
	ck_assert_int_eq(kt_run(&out, "flock '%s/lock' %s -c '%s' --state-dir '%s' --json status",
				state, kt_bin("vlantrunk"), config, state), 1);
	ck_assert_msg(strstr(out, "\"BUILD\""), "%s", out);
	free(out);
	/* Lock free again: the journal is recovered (nothing to undo) and BUILD is gone. */
	doc = status_json(0);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
				 json_object_get(doc, "trunks"), 0), "status")), "ACTIVE");
	json_decref(doc);
	ck_assert_int_eq(kt_journals(state), 0);
}
END_TEST

START_TEST(test_check_proves_8021q_without_touching_the_host)
{
	char *out = NULL, *before, *after;

	kt_write(config, "{\"version\": 1, \"trunks\": []}");
	before = kt_snapshot(nl, NULL);
	ck_assert_int_eq(vt(&out, "check"), 0);
	ck_assert_msg(strstr(out, "throwaway network namespace"), "%s", out);
	free(out);
	after = kt_snapshot(nl, NULL);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	kt_write(config, "{\"version\": 2}");
	ck_assert_int_eq(vt(&out, "check"), 4);
	free(out);
}
END_TEST

/* Bad configs of every kind: exit 4, the place named, the kernel untouched. */
START_TEST(test_bad_configs_exit_4_and_touch_nothing)
{
	static const struct {
		const char *doc, *expect;
	} bad[] = {
		{ "{\"version\": 1, \"trunks\": [", "1:" },
		{ "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
		  "\"subports\": [{\"name\": \"s\", \"vlan\": \"10\"}]}]}", "vlan" },
		{ "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
		  "\"subports\": [{\"name\": \"s/1\", \"vlan\": 10}]}]}", "name" },
		{ "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
		  "\"subports\": [{\"name\": \"s\", \"vlan\": 10, \"mtuu\": 1400}]}]}", "mtuu" },
		{ "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
		  "\"subports\": [{\"name\": \"s\", \"vlan\": 10}, {\"name\": \"s2\", \"vlan\": 10}]}]}",
		  "s2" },
		{ "{\"version\": 1, \"trunks\": [{\"name\": \"a\", \"parent\": \"b1\", \"subports\": "
		  "[{\"name\": \"a1\", \"vlan\": 1}]}, {\"name\": \"b\", \"parent\": \"a1\", "
		  "\"subports\": [{\"name\": \"b1\", \"vlan\": 2}]}]}", "circular" },
	};
	char *before = NULL;

	kt_write(config, "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
			 "\"subports\": [{\"name\": \"keep\", \"vlan\": 5}]}]}");
	ck_assert_int_eq(vt(NULL, "reconcile"), 2);
	before = kt_snapshot(nl, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *cmds[] = { "reconcile", "plan", "status", "teardown --trunk nosuch" };

		kt_write(config, bad[i].doc);
		for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
			char *out = NULL, *after;
			int rc = vt(&out, cmds[c]);

			ck_assert_msg(rc == 4, "config %zu, %s: exit %d\n%s", i, cmds[c], rc, out);
			if (c < 3)
				ck_assert_msg(strstr(out, bad[i].expect) && strstr(out, "trunks.json"),
					      "config %zu: '%s' or the file not named in:\n%s", i,
					      bad[i].expect, out);
			free(out);
			after = kt_snapshot(nl, NULL);
			ck_assert_str_eq(after, before);
			free(after);
		}
	}
	free(before);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("read-only");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_plan_against_hand_made_devices);
	tcase_add_test(tc, test_status_after_change_behind_the_back);
	tcase_add_test(tc, test_status_build_while_a_writer_holds_the_lock);
	tcase_add_test(tc, test_check_proves_8021q_without_touching_the_host);
	tcase_add_test(tc, test_bad_configs_exit_4_and_touch_nothing);
	suite_add_tcase(s, tc);
	return s;
}
