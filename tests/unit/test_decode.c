/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder on messages shaped as the kernel sends them (rtnl_fill_ifinfo()):
 * a link's altnames come as IFLA_PROP_LIST, one IFLA_ALT_IFNAME string each
 * (rtnl_fill_prop_list); a VLAN's attributes as vlan_fill_info() puts them;
 * IPv6 state as inet6_fill_link_af() does.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <string.h>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
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
	ck_assert_str_eq(vt_link_alias(&got), "uplink");
	ck_assert_uint_eq(got.mtu, 1500);
	vt_link_release(&got);
	nlmsg_free(msg);
}
END_TEST

static void put_mapping(struct nl_msg *msg, uint32_t from, uint32_t to)
{
	struct ifla_vlan_qos_mapping map = { .from = from, .to = to };

	ck_assert_int_eq(nla_put(msg, IFLA_VLAN_QOS_MAPPING, sizeof(map), &map), 0);
}

/*
 * A VLAN as a 6.1 kernel describes it in a dump, every attribute vlantrunk
 * reads among some it does not: each field of struct vt_link comes out set.
 */
static struct nl_msg *every_field(void)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = 16777300,
		.ifi_flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_LOWER_UP,
	};
	static const uint8_t mac[VT_MAC_LEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct ifla_vlan_flags flags = {
		.flags = VLAN_FLAG_GVRP | VLAN_FLAG_LOOSE_BINDING,
		.mask = 0xffffffff,
	};
	int32_t conf[DEVCONF_DISABLE_IPV6 + 8] = { 0 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_MULTI);
	struct nlattr *info, *data, *qos, *spec, *af, *list;

	ck_assert_ptr_nonnull(msg);
	conf[DEVCONF_DISABLE_IPV6] = 1;
	ck_assert_int_eq(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	ck_assert_int_eq(nla_put_string(msg, IFLA_IFNAME, "t0b4094"), 0);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_TXQLEN, 1000), 0);
	ck_assert_int_eq(nla_put_u8(msg, IFLA_OPERSTATE, IF_OPER_UP), 0);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_MTU, 1496), 0);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_GROUP, 0x7a000001), 0);
	ck_assert_int_eq(nla_put_string(msg, IFLA_QDISC, "noqueue"), 0);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_MASTER, 9), 0);
	ck_assert_int_eq(nla_put_string(msg, IFLA_IFALIAS, "vlantrunk:vm-42"), 0);
	ck_assert_int_eq(nla_put(msg, IFLA_ADDRESS, VT_MAC_LEN, mac), 0);
	ck_assert_int_eq(nla_put(msg, IFLA_BROADCAST, VT_MAC_LEN, "\xff\xff\xff\xff\xff\xff"), 0);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_LINK, 4), 0);
	ck_assert_int_eq(nla_put_s32(msg, IFLA_LINK_NETNSID, 3), 0);

	info = nla_nest_start(msg, IFLA_LINKINFO);
	ck_assert_int_eq(nla_put_string(msg, IFLA_INFO_KIND, "vlan"), 0);
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	ck_assert_int_eq(nla_put_u16(msg, IFLA_VLAN_PROTOCOL, htons(VT_PROTO_8021AD)), 0);
	ck_assert_int_eq(nla_put_u16(msg, IFLA_VLAN_ID, 4094), 0);
	ck_assert_int_eq(nla_put(msg, IFLA_VLAN_FLAGS, sizeof(flags), &flags), 0);
	qos = nla_nest_start(msg, IFLA_VLAN_INGRESS_QOS);
	put_mapping(msg, 0, 9);
	put_mapping(msg, 7, 4294967295u);
	ck_assert_int_eq(nla_nest_end(msg, qos), 0);
	qos = nla_nest_start(msg, IFLA_VLAN_EGRESS_QOS);
	/* the kernel's hash order, and a key it holds as removed (to 0) */
	put_mapping(msg, 4000000000u, 3);
	put_mapping(msg, 9, 0);
	put_mapping(msg, 1, 2);
	ck_assert_int_eq(nla_nest_end(msg, qos), 0);
	ck_assert_int_eq(nla_nest_end(msg, data), 0);
	ck_assert_int_eq(nla_nest_end(msg, info), 0);

	spec = nla_nest_start(msg, IFLA_AF_SPEC);
	af = nla_nest_start(msg, AF_INET);
	ck_assert_int_eq(nla_put(msg, IFLA_INET_CONF, 16, conf), 0);
	ck_assert_int_eq(nla_nest_end(msg, af), 0);
	af = nla_nest_start(msg, AF_INET6);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_INET6_FLAGS, 0), 0);
	ck_assert_int_eq(nla_put(msg, IFLA_INET6_CONF, sizeof(conf), conf), 0);
	ck_assert_int_eq(nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, VT_ADDR_GEN_NONE), 0);
	ck_assert_int_eq(nla_nest_end(msg, af), 0);
	ck_assert_int_eq(nla_nest_end(msg, spec), 0);

	list = nla_nest_start(msg, IFLA_PROP_LIST);
	ck_assert_int_eq(nla_put_string(msg, IFLA_ALT_IFNAME, "uplink"), 0);
	ck_assert_int_eq(nla_nest_end(msg, list), 0);
	return msg;
}

/* A VLAN whose @type map holds @from -> 2 (then, with @cut, a mapping cut short): refused. */
static void expect_bad_qos(int type, uint32_t from, bool cut)
{
	struct nl_msg *msg = newlink();
	struct nlattr *info, *data, *qos;
	struct vt_link got;

	info = nla_nest_start(msg, IFLA_LINKINFO);
	ck_assert_int_eq(nla_put_string(msg, IFLA_INFO_KIND, "vlan"), 0);
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	qos = nla_nest_start(msg, type);
	put_mapping(msg, from, 2);
	if (cut)
		ck_assert_int_eq(nla_put(msg, IFLA_VLAN_QOS_MAPPING, 4, "abcd"), 0);
	nla_nest_end(msg, qos);
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), -EINVAL);
	nlmsg_free(msg);
}

START_TEST(test_every_field)
{
	struct nl_msg *msg = every_field();
	static const uint8_t mac[VT_MAC_LEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct vt_link got;

	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert_int_eq(got.ifindex, 16777300);
	ck_assert_str_eq(got.name, "t0b4094");
	ck_assert_str_eq(got.kind, "vlan");
	ck_assert(got.up);
	ck_assert_uint_eq(got.mtu, 1496);
	ck_assert_uint_eq(got.group, 0x7a000001);
	ck_assert_int_eq(got.master, 9);
	ck_assert_int_eq(got.parent, 4);
	ck_assert_int_eq(got.link_netnsid, 3);
	/* netlink/ maps the netnsid into the table's namespaces, not the decoder */
	ck_assert_uint_eq(got.ns, VT_NS_OWN);
	ck_assert_uint_eq(got.parent_ns, VT_NS_OWN);
	ck_assert_str_eq(vt_link_alias(&got), "vlantrunk:vm-42");
	ck_assert(got.has_mac);
	ck_assert_mem_eq(got.mac, mac, VT_MAC_LEN);
	ck_assert(got.is_vlan);
	ck_assert_uint_eq(got.vlan.id, 4094);
	ck_assert_uint_eq(got.vlan.protocol, VT_PROTO_8021AD);
	/* the flags as the kernel has them, its mask ignored */
	ck_assert_uint_eq(got.vlan.flags, VT_VLAN_GVRP | VT_VLAN_LOOSE_BINDING);
	for (int pcp = 0; pcp <= VT_PCP_MAX; pcp++)
		ck_assert_uint_eq(vt_vlan_ingress(&got.vlan, pcp), pcp == 0 ? 9 : pcp == 7 ? 4294967295u : 0);
	/* sorted, the removed key dropped */
	ck_assert_uint_eq(got.vlan.n_egress, 2);
	ck_assert_uint_eq(got.vlan.egress[0].from, 1);
	ck_assert_uint_eq(got.vlan.egress[0].to, 2);
	ck_assert_uint_eq(got.vlan.egress[1].from, 4000000000u);
	ck_assert_uint_eq(got.vlan.egress[1].to, 3);
	ck_assert(got.ipv6.present);
	ck_assert_uint_eq(got.ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
	ck_assert(got.ipv6.disabled);
	ck_assert_uint_eq(got.n_altnames, 1);
	ck_assert_str_eq(got.altnames[0], "uplink");
	vt_link_release(&got);
	nlmsg_free(msg);
}
END_TEST

/* What is absent reads as the kernel's "none": no parent netns, no IPv6 state, not a VLAN. */
START_TEST(test_absent_fields)
{
	struct nl_msg *msg = newlink();
	struct nlattr *spec, *af;
	struct vt_link got;

	/* AF_INET6 without an address generation mode (before Linux 3.17): nothing to manage */
	spec = nla_nest_start(msg, IFLA_AF_SPEC);
	af = nla_nest_start(msg, AF_INET6);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_INET6_FLAGS, 0), 0);
	ck_assert_int_eq(nla_nest_end(msg, af), 0);
	ck_assert_int_eq(nla_nest_end(msg, spec), 0);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert_int_eq(got.link_netnsid, -1);
	ck_assert(!got.ipv6.present);
	ck_assert(!got.is_vlan);
	ck_assert_str_eq(got.kind, "");
	ck_assert_str_eq(vt_link_alias(&got), "");
	ck_assert(!got.has_mac);
	ck_assert(!got.up);
	nlmsg_free(msg);
}
END_TEST

/* Malformed messages fail as libnl-route's parser failed them, never half-decoded. */
START_TEST(test_malformed)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 2 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	struct vt_link got;

	/* no name */
	ck_assert_int_eq(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	ck_assert_int_eq(nla_put_u32(msg, IFLA_MTU, 1500), 0);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), -EINVAL);
	nlmsg_free(msg);

	/* an egress mapping cut short, after a good one (nothing leaks) */
	expect_bad_qos(IFLA_VLAN_EGRESS_QOS, 1, true);
	/* an ingress PCP above 7 */
	expect_bad_qos(IFLA_VLAN_INGRESS_QOS, 8, false);

	/* a name not NUL-terminated */
	msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	ck_assert_int_eq(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	ck_assert_int_eq(nla_put(msg, IFLA_IFNAME, 2, "p0"), 0);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), -EINVAL);
	nlmsg_free(msg);

	/* not a link message */
	msg = newlink();
	nlmsg_hdr(msg)->nlmsg_type = RTM_NEWADDR;
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), -EBADMSG);
	nlmsg_free(msg);
}
END_TEST

Suite *decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_no_altnames_allocates_nothing);
	tcase_add_test(tc, test_altnames_in_order);
	tcase_add_test(tc, test_every_field);
	tcase_add_test(tc, test_absent_fields);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}
