/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * subport.ipv6 through the real program: what reconcile makes of it, in
 * place and on create, and what a rollback puts back. "Never holds an
 * address, even for a moment" is tested as it is meant: a socket subscribed
 * to the kernel's IPv6 address events (RTNLGRP_IPV6_IFADDR) from before the
 * run is read after it, and must hold none for the subport.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel_util.h"
#include "suites.h"

static struct kt_cli cli;

static void setup(void)
{
	/* The parent holds no address of its own: every event is a subport's. */
	kt_cli_setup(&cli, "ip link add p0 type dummy && "
			   "echo 1 > /proc/sys/net/ipv6/conf/p0/disable_ipv6 && ip link set p0 up");
}

static void teardown(void)
{
	kt_cli_teardown(&cli);
}

/* Trunk t on p0: s1 (vlan 101) and s2 (vlan 102) with @s1 and @s2 as extra members. */
static void config(const char *s1, const char *s2)
{
	char doc[1024];

	snprintf(doc, sizeof(doc), "{\"version\": 1, \"trunks\": [{\"name\": \"t\", \"parent\": "
		 "\"p0\", \"subports\": [{\"name\": \"s1\", \"vlan\": 101%s}, "
		 "{\"name\": \"s2\", \"vlan\": 102%s}]}]}", s1, s2);
	kt_write(cli.config, doc);
}

static struct vt_link read_link(const char *name)
{
	struct vt_link_table t = { 0 };
	struct vt_link l;

	kt_dump(cli.nl, &t);
	l = *kt_find(&t, name);
	/* Not wanted here, and the table owns them. */
	l.vlan.ingress = NULL;
	l.vlan.egress = NULL;
	l.vlan.n_egress = 0;
	l.altnames = NULL;
	l.n_altnames = 0;
	vt_link_table_clear(&t);
	return l;
}

/*
 * IPv6 off as ipv6 false wants it, read over rtnetlink; and in iproute2's view
 * no address, no route of any table, and no multicast group of its own (no
 * solicited-node group: it has no address to defend). The all-nodes groups
 * ff02::1 and ff01::1 are in every device's list from its registration on
 * (addrconf's ipv6_add_dev(), before any request can reach it); the kernel
 * never reports those, and with IPv6 disabled sends no MLD at all.
 */
static void assert_off(const char *name)
{
	struct vt_link l = read_link(name);

	ck_assert_msg(l.ipv6.present && l.ipv6.addr_gen_mode == VT_ADDR_GEN_NONE && l.ipv6.disabled,
		      "%s: IPv6 state %d mode %u disabled %d", name, l.ipv6.present,
		      l.ipv6.addr_gen_mode, l.ipv6.disabled);
	ck_assert_int_eq(kt_sh_status("test \"$(ip -j -6 addr show dev %s)\" = '[]'", name), 0);
	ck_assert_int_eq(kt_sh_status("! ip -6 maddr show dev %s | grep -q 'ff02::1:ff'", name), 0);
	ck_assert_int_eq(kt_sh_status("test -z \"$(ip -6 route show table all dev %s)\"", name), 0);
}

/* As the namespace sets it up (its defaults: eui64, enabled), and its link-local address. */
static void assert_on(const char *name, int watch)
{
	struct vt_link l = read_link(name);

	ck_assert_msg(l.ipv6.present && l.ipv6.addr_gen_mode == VT_ADDR_GEN_EUI64 && !l.ipv6.disabled,
		      "%s: IPv6 state %d mode %u disabled %d", name, l.ipv6.present,
		      l.ipv6.addr_gen_mode, l.ipv6.disabled);
	/* The address comes from addrconf's own work, a moment later: its event is awaited. */
	ck_assert_msg(kt_addr_wait(watch, l.ifindex, 10) ||
		      kt_sh_status("ip -6 -o addr show dev %s | grep -q 'inet6 fe80:'", name) == 0,
		      "%s: no link-local address", name);
}

/*
 * A reconcile creates s1 with ipv6 as default (false), s2 with true: s1 is
 * up with no IPv6 address ever (not one address event), s2 has its
 * link-local address.
 */
START_TEST(test_create_default_off_and_true_on)
{
	int watch;

	config("", ", \"ipv6\": true");
	watch = kt_addr_watch();
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	ck_assert_int_eq(kt_addr_events(watch, read_link("s1").ifindex), 0);
	ck_assert(read_link("s1").up && read_link("s2").up);
	assert_off("s1");
	assert_on("s2", watch);
	close(watch);
	kt_cli_expect(&cli, 0, NULL, "plan", NULL);
}
END_TEST

/* false -> true and true -> false in place: each a change, shown by plan, then in sync. */
START_TEST(test_change_in_place_both_ways)
{
	int watch;

	config("", "");
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	assert_off("s1");

	config(", \"ipv6\": true", "");
	kt_cli_expect(&cli, 2, NULL, "plan", "ipv6 none disabled -> true");
	watch = kt_addr_watch();
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	assert_on("s1", watch);
	close(watch);
	assert_off("s2");
	kt_cli_expect(&cli, 0, NULL, "reconcile", NULL);

	config("", "");
	kt_cli_expect(&cli, 1, NULL, "--json status", "\"field\": \"ipv6\",\n"
		      "              \"old\": \"eui64 enabled\",\n              \"new\": \"false\"");
	kt_cli_expect(&cli, 1, NULL, "status", "ipv6");
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	assert_off("s1");
	kt_cli_expect(&cli, 0, NULL, "reconcile", NULL);
}
END_TEST

/*
 * A change to true whose disable_ipv6 write fails: the transaction fails with
 * the path and the errno, and the rollback puts the mode back as it was.
 */
START_TEST(test_failed_write_rolls_back)
{
	char *out = NULL;

	config("", "");
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	config(", \"ipv6\": true", "");
	/* 1 the mode, 2 disable_ipv6. */
	ck_assert_int_eq(kt_cli_run(&cli, &out, "fail:2:13", "reconcile"), 1);
	ck_assert_msg(strstr(out, "writing /proc/sys/net/ipv6/conf/s1/disable_ipv6: Permission denied")
		      && strstr(out, "rolled back"), "%s", out);
	free(out);
	assert_off("s1");
	ck_assert_int_eq(kt_journals(cli.state), 0);
}
END_TEST

/* A rollback of a change that turned IPv6 on turns it off again, and its address goes. */
START_TEST(test_rollback_of_ipv6_on_restores_off)
{
	char *out = NULL;

	config("", "");
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	config(", \"ipv6\": true", ", \"ipv6\": true");
	/* 1, 2 the modes of s1 and s2, 3 disable_ipv6 of s1: on; 4 that of s2 fails. */
	ck_assert_int_eq(kt_cli_run(&cli, &out, "fail:4:16", "reconcile"), 1);
	ck_assert_msg(strstr(out, "s2/disable_ipv6") && strstr(out, "rolled back"), "%s", out);
	free(out);
	assert_off("s1");
	assert_off("s2");
	ck_assert_int_eq(kt_journals(cli.state), 0);
}
END_TEST

/*
 * An MTU raised in place from below 1280: the kernel makes IPv6 state anew,
 * with a link-local address at once on an up device. The subport goes down,
 * gets its MTU, IPv6 off, and comes up again: not one address event. A
 * rollback that puts such an MTU back does the same.
 */
START_TEST(test_mtu_across_1280_no_address)
{
	char *out = NULL;
	int watch;

	config(", \"mtu\": 1200", "");
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	ck_assert(!read_link("s1").ipv6.present && read_link("s1").up);

	config(", \"mtu\": 1500", "");
	watch = kt_addr_watch();
	kt_cli_expect(&cli, 2, NULL, "reconcile", NULL);
	ck_assert_int_eq(kt_addr_events(watch, 0), 0);
	ck_assert(read_link("s1").up);
	ck_assert_uint_eq(read_link("s1").mtu, 1500);
	assert_off("s1");
	kt_cli_expect(&cli, 0, NULL, "reconcile", NULL);

	/* Down to 1200 and a failure at the end: the rollback raises it back to 1500. */
	config(", \"mtu\": 1200", ", \"gvrp\": true");
	ck_assert_int_eq(kt_cli_run(&cli, &out, "fail:2:16", "reconcile"), 1);
	free(out);
	ck_assert_int_eq(kt_addr_events(watch, 0), 0);
	close(watch);
	ck_assert_uint_eq(read_link("s1").mtu, 1500);
	ck_assert(read_link("s1").up);
	assert_off("s1");
}
END_TEST

TCase *ipv6_reconcile_tcase(void)
{
	TCase *tc = tcase_create("reconcile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_create_default_off_and_true_on);
	tcase_add_test(tc, test_change_in_place_both_ways);
	tcase_add_test(tc, test_failed_write_rolls_back);
	tcase_add_test(tc, test_rollback_of_ipv6_on_restores_off);
	tcase_add_test(tc, test_mtu_across_1280_no_address);
	return tc;
}
