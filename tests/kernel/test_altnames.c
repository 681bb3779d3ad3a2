/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Altnames against a real kernel (ip link property add dev X altname Y,
 * Linux 5.5+): the kernel's name lookup and its name check see them, so a
 * trunk's parent may be named by one, and a subport's name held by one is
 * taken. Dumps and events carry them (IFLA_PROP_LIST), as `ip -j` shows.
 */
#define _GNU_SOURCE
#include <check.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel_util.h"
#include "suites.h"

#define WAIT_MS 10000

/* 127 bytes, the longest altname (ALTIFNAMSIZ - 1): no IFLA_IFNAME holds it. */
#define LONG_ALT "uplink-of-the-host-by-its-longest-altname-which-no-interface-name-" \
	"could-ever-hold-and-the-kernel-resolves-all-the-same-01234567"

static struct kt_cli c;

static void setup(void)
{
	ck_assert_uint_eq(strlen(LONG_ALT), VT_ALTIFNAMSIZ - 1);
	kt_cli_setup(&c, "ip link add p0 type dummy && ip link set p0 up && "
			 "ip link property add dev p0 altname " LONG_ALT);
}

static void teardown(void)
{
	kt_cli_teardown(&c);
}

/* Run @args: exit @want, and @text in the output (NULL: anything). */
static void expect(const char *args, int want, const char *text)
{
	kt_cli_expect(&c, want, NULL, args, text);
}

static json_t *json_of(const char *args, int want)
{
	return kt_cli_json(&c, args, want);
}

static json_t *trunk_json(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "trunks"), i);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s, "no string \"%s\"", key);
	return s;
}

struct seen {
	size_t n_altnames;
	char first[VT_ALTIFNAMSIZ];
};

static int on_event(enum vt_link_event event, const struct vt_link *link, int32_t nsid __attribute__((unused)),
			 uint32_t origin,
		    void *arg)
{
	struct seen *s = arg;

	(void)origin;
	if (event != VT_EV_NEWLINK || strcmp(link->name, "p0"))
		return 0;
	s->n_altnames = link->n_altnames;
	snprintf(s->first, sizeof(s->first), "%s", link->n_altnames ? link->altnames[0] : "");
	return 0;
}

/* Wait for a link event of p0 that shows @n altnames. */
static void await_p0(struct vt_monitor *mon, size_t n, struct seen *s)
{
	s->n_altnames = SIZE_MAX;
	while (s->n_altnames != n) {
		struct pollfd pfd = { .fd = vt_monitor_fd(mon), .events = POLLIN };

		ck_assert_msg(poll(&pfd, 1, WAIT_MS) == 1, "no event of p0 with %zu altnames", n);
		ck_assert_int_ge(vt_monitor_read(mon, on_event, s), 0);
	}
}

START_TEST(test_dumps_and_events_carry_altnames)
{
	struct vt_link_table t = { 0 };
	struct vt_monitor *mon = NULL;
	struct seen seen;
	const struct vt_link *p0;
	json_t *ip, *alt;

	kt_dump(c.nl, &t);
	p0 = kt_find(&t, "p0");
	ck_assert_uint_eq(p0->n_altnames, 1);
	ck_assert_str_eq(p0->altnames[0], LONG_ALT);
	/* iproute2's independent reading of the same device */
	ip = kt_ip_link("p0");
	alt = json_object_get(ip, "altnames");
	ck_assert_uint_eq(json_array_size(alt), 1);
	ck_assert_str_eq(json_string_value(json_array_get(alt, 0)), LONG_ALT);
	json_decref(ip);
	ck_assert_ptr_eq(vt_link_table_resolve(&t, VT_NS_OWN, LONG_ALT), p0);
	ck_assert_ptr_null(vt_link_table_find_name(&t, VT_NS_OWN, LONG_ALT));
	ck_assert_ptr_null(kt_find(&t, "lo")->altnames);
	vt_link_table_clear(&t);

	/* p0 is up: the kernel tells of each change (netdev_state_change()). */
	ck_assert_int_eq(vt_monitor_open(&mon, 0), 0);
	kt_sh("ip link property add dev p0 altname second");
	await_p0(mon, 2, &seen);
	ck_assert_str_eq(seen.first, LONG_ALT);
	kt_sh("ip link property del dev p0 altname " LONG_ALT);
	await_p0(mon, 1, &seen);
	ck_assert_str_eq(seen.first, "second");
	vt_monitor_close(mon);
}
END_TEST

static const char two_on_long[] =
	"{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"" LONG_ALT "\", "
	"\"subports\": [{\"name\": \"s1\", \"vlan\": 10}, {\"name\": \"s2\", \"vlan\": 11}]}]}";

START_TEST(test_trunk_on_an_altname_converges)
{
	json_t *doc, *ip, *links;
	bool p0_listed = false;

	kt_write(c.config, two_on_long);
	expect("plan", 2, "+ create s1 (p0, 802.1Q 10)");
	expect("reconcile", 2, NULL);
	ip = kt_ip_link("s1");
	ck_assert_ptr_nonnull(ip);
	ck_assert_str_eq(str(ip, "link"), "p0");
	json_decref(ip);
	expect("status", 0, "t ACTIVE (parent " LONG_ALT " (p0), 2 subports)");
	doc = json_of("status", 0);
	ck_assert_str_eq(str(trunk_json(doc, 0), "status"), "ACTIVE");
	ck_assert_str_eq(str(trunk_json(doc, 0), "parent"), LONG_ALT);
	ck_assert_str_eq(str(trunk_json(doc, 0), "parent_device"), "p0");
	json_decref(doc);
	expect("plan", 0, "In sync");
	expect("reconcile", 0, NULL);

	/* `links` shows them, as `ip link` does. */
	expect("links", 0, " altname " LONG_ALT "\n");
	doc = json_of("links", 0);
	links = json_object_get(doc, "links");
	for (size_t i = 0; i < json_array_size(links); i++) {
		json_t *l = json_array_get(links, i), *alt = json_object_get(l, "altnames");

		ck_assert(json_is_array(alt));
		if (strcmp(str(l, "name"), "p0")) {
			ck_assert_uint_eq(json_array_size(alt), 0);
			continue;
		}
		p0_listed = true;
		ck_assert_uint_eq(json_array_size(alt), 1);
		ck_assert_str_eq(json_string_value(json_array_get(alt, 0)), LONG_ALT);
	}
	ck_assert(p0_listed);
	json_decref(doc);

	/* The altname goes: the parent is missing (exit 1), and its devices stay. */
	kt_sh("ip link property del dev p0 altname " LONG_ALT);
	expect("status", 1, "parent " LONG_ALT " is missing");
	expect("reconcile", 1, NULL);
	ck_assert_int_eq(kt_sh_status("ip link show dev s1 >/dev/null"), 0);
}
END_TEST

/*
 * The journal holds the parent by the device's own name: a 127-byte altname
 * fits no journal entry, and recovery proves a created device by its
 * parent's name.
 */
START_TEST(test_crash_on_an_altname_parent_recovers)
{
	char *text = NULL;

	kt_write(c.config, two_on_long);
	ck_assert_int_eq(kt_cli_run(&c, NULL, "kill-after:1", "reconcile"), 128 + SIGKILL);
	ck_assert_uint_eq(kt_journal_text(c.state, &text), 1);
	ck_assert_msg(strstr(text, "\"parent_name\":\"p0\""), "journal:\n%s", text);
	free(text);
	expect("reconcile", 2, "rolled back interrupted transaction");
	ck_assert_int_eq(kt_journals(c.state), 0);
	expect("status", 0, "t ACTIVE");
}
END_TEST

/*
 * A subport whose name is another device's altname: the kernel would refuse
 * the create (EEXIST), and a rename into it. A conflict, reported by plan,
 * reconcile and status alike, and nothing is touched.
 */
START_TEST(test_subport_name_held_as_an_altname)
{
	char *before, *after;
	json_t *doc, *sp;

	kt_sh("ip link add x0 type dummy && ip link property add dev x0 altname sb && "
	      "ip link property add dev x0 altname sc");
	kt_sh("ip link add link p0 name old type vlan id 12 && ip link set old alias vlantrunk:u");
	kt_write(c.config, "{\"version\": 1, \"trunks\": ["
			 "{\"name\": \"t\", \"parent\": \"p0\", \"subports\": ["
			 "  {\"name\": \"sa\", \"vlan\": 10}, {\"name\": \"sb\", \"vlan\": 11}]},"
			 "{\"name\": \"u\", \"parent\": \"p0\", \"subports\": ["
			 "  {\"name\": \"sc\", \"vlan\": 12}]}]}");
	before = kt_snapshot(c.nl, NULL);
	expect("plan", 1, "trunk t: ERROR: subport sb: the name sb is an altname of x0, "
			  "which vlantrunk does not manage");
	expect("plan", 1, "trunk u: ERROR: subport sc: the name sc is an altname of x0");
	expect("reconcile", 1, NULL);
	after = kt_snapshot(c.nl, NULL);
	ck_assert_str_eq(after, before);	/* sa not created, old not renamed */
	free(after);
	free(before);

	expect("status", 1, "the name sb is an altname of x0");
	doc = json_of("status", 1);
	for (size_t i = 0; i < 2; i++)
		ck_assert_str_eq(str(trunk_json(doc, i), "status"), "ERROR");
	sp = json_array_get(json_object_get(trunk_json(doc, 0), "subports"), 1);
	ck_assert_str_eq(str(sp, "state"), "conflict");
	ck_assert_str_eq(str(sp, "reason"),
			 "the name sb is an altname of x0, which vlantrunk does not manage");
	sp = json_array_get(json_object_get(trunk_json(doc, 1), "subports"), 0);
	ck_assert_str_eq(str(sp, "state"), "conflict");
	json_decref(doc);

	/* The altnames go: both converge. */
	kt_sh("ip link property del dev x0 altname sb && ip link property del dev x0 altname sc");
	expect("reconcile", 2, NULL);
	expect("status", 0, NULL);
	ck_assert_int_eq(kt_sh_status("ip link show dev old >/dev/null 2>&1"), 1);
}
END_TEST

/*
 * A crash deleted a device; before recovery its name became an altname.
 * The kernel would refuse to create it again: recovery says why, keeps the
 * journal (exit 3), and finishes once the altname is gone.
 */
START_TEST(test_recovery_sees_a_name_taken_as_an_altname)
{
	kt_write(c.config, "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
			 "\"subports\": [{\"name\": \"s1\", \"vlan\": 10}]}]}");
	expect("reconcile", 2, NULL);
	/* vlan 10 -> 11 is a recreate: its first request deletes s1. */
	kt_write(c.config, "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": \"p0\", "
			 "\"subports\": [{\"name\": \"s1\", \"vlan\": 11}]}]}");
	ck_assert_int_eq(kt_cli_run(&c, NULL, "kill-after:1", "reconcile"), 128 + SIGKILL);
	ck_assert_int_eq(kt_sh_status("ip link show dev s1 >/dev/null 2>&1"), 1);
	kt_sh("ip link property add dev p0 altname s1");
	expect("reconcile", 3, "s1: its name is an altname of p0 now");
	ck_assert_int_eq(kt_journals(c.state), 1);
	kt_sh("ip link property del dev p0 altname s1");
	expect("reconcile", 2, NULL);
	ck_assert_int_eq(kt_journals(c.state), 0);
	expect("status", 0, NULL);
}
END_TEST

Suite *altnames_suite(void)
{
	Suite *s = suite_create("altnames");
	TCase *tc = tcase_create("altnames");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_dumps_and_events_carry_altnames);
	tcase_add_test(tc, test_trunk_on_an_altname_converges);
	tcase_add_test(tc, test_crash_on_an_altname_parent_recovers);
	tcase_add_test(tc, test_subport_name_held_as_an_altname);
	tcase_add_test(tc, test_recovery_sees_a_name_taken_as_an_altname);
	suite_add_tcase(s, tc);
	return s;
}
