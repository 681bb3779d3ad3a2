/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder on messages shaped as the kernel sends them: a link's altnames
 * come as IFLA_PROP_LIST, one IFLA_ALT_IFNAME string each (rtnl_fill_prop_list).
 */
#include <check.h>
#include <string.h>

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "nl_internal.h"
#include "suites.h"

/* An RTM_NEWLINK for ifindex 2, "p0", plus whatever the test appends. */
static struct nl_msg *newlink(void)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 2 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);

	ck_assert_ptr_nonnull(msg);
	ck_assert_int_eq(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	ck_assert_int_eq(nla_put_string(msg, IFLA_IFNAME, "p0"), 0);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_MTU, 1500), 0);
	return msg;
}

START_TEST(test_no_altnames_allocates_nothing)
{
	struct nl_msg *msg = newlink();
	struct vt_link got;

	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert_str_eq(got.name, "p0");
	ck_assert_ptr_null(got.altnames);
	ck_assert_uint_eq(got.n_altnames, 0);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_altnames_in_order)
{
	char longest[VT_ALTIFNAMSIZ];
	struct nl_msg *msg = newlink();
	struct nlattr *list;
	struct vt_link got;

	memset(longest, 'z', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	list = nla_nest_start(msg, IFLA_PROP_LIST);
	ck_assert_ptr_nonnull(list);
	ck_assert_int_eq(nla_put_string(msg, IFLA_ALT_IFNAME, "enx525400123456"), 0);
	/* Not NUL-terminated: no string the kernel sends, so no altname. */
	ck_assert_int_eq(nla_put(msg, IFLA_ALT_IFNAME, 3, "abc"), 0);
	ck_assert_int_eq(nla_put_string(msg, IFLA_ALT_IFNAME, longest), 0);
	ck_assert_int_eq(nla_nest_end(msg, list), 0);
	/* Attributes after the list are still read by libnl. */
	ck_assert_int_eq(nla_put_string(msg, IFLA_IFALIAS, "uplink"), 0);

	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert_uint_eq(got.n_altnames, 2);
	ck_assert_str_eq(got.altnames[0], "enx525400123456");
	ck_assert_str_eq(got.altnames[1], longest);
	ck_assert_str_eq(got.alias, "uplink");
	ck_assert_uint_eq(got.mtu, 1500);
	vt_link_release(&got);
	nlmsg_free(msg);
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_no_altnames_allocates_nothing);
	tcase_add_test(tc, test_altnames_in_order);
	suite_add_tcase(s, tc);
	return s;
}
