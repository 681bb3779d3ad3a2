/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests as built for the kernel, read back through the same decoder the
 * dump uses: what a spec sets is in the message, and nothing else.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>

#include "nl_internal.h"
#include "spec_ingress.h"
#include "suites.h"
#include "vt_desired.h"

static struct vt_link_spec create_spec(void)
{
	struct vt_link_spec s = {
		.fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID,
	};

	strcpy(s.link.name, "sp101");
	s.link.parent = 4;
	s.link.vlan.id = 101;
	return s;
}

/* The one message of a request that takes one (the caller frees it). */
static int only_msg(int ret, struct vt_nl_msgs *msgs, struct nl_msg **msg)
{
	*msg = NULL;
	if (ret < 0)
		return ret;
	ck_assert_uint_eq(msgs->n, 1);
	*msg = msgs->msg[0];
	free(msgs->msg);
	return ret;
}

static int build_create1(const struct vt_link_spec *s, struct nl_msg **msg)
{
	struct vt_nl_msgs msgs;

	return only_msg(vt_nl_build_create(s, &msgs), &msgs, msg);
}

static int build_change1(const struct vt_link *current, const struct vt_link_spec *s,
			 struct nl_msg **msg)
{
	struct vt_nl_msgs msgs;

	return only_msg(vt_nl_build_change(current, s, &msgs), &msgs, msg);
}

static void keep_object(struct nl_object *obj, void *arg)
{
	nl_object_get(obj);
	*(struct rtnl_link **)arg = (struct rtnl_link *)obj;
}

/* libnl's own view, before vlantrunk normalises anything. */
static struct rtnl_link *parse_raw(struct nl_msg *msg)
{
	struct rtnl_link *found = NULL;

	nlmsg_set_proto(msg, NETLINK_ROUTE);
	ck_assert_int_eq(nl_msg_parse(msg, keep_object, &found), 0);
	ck_assert_ptr_nonnull(found);
	return found;
}

START_TEST(test_create_minimal)
{
	struct vt_link_spec s = create_spec();
	struct nl_msg *msg = NULL;
	struct vt_link got;
	struct nlmsghdr *nlh;

	ck_assert_int_eq(build_create1(&s, &msg), 0);
	nlh = nlmsg_hdr(msg);
	ck_assert_int_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert(nlh->nlmsg_flags & NLM_F_CREATE);
	ck_assert(nlh->nlmsg_flags & NLM_F_EXCL);
	ck_assert_int_eq(vt_nl_decode_link(nlh, &got), 0);
	ck_assert_str_eq(got.name, "sp101");
	ck_assert_str_eq(got.kind, "vlan");
	ck_assert_int_eq(got.parent, 4);
	ck_assert(got.is_vlan);
	ck_assert_uint_eq(got.vlan.id, 101);
	/* Unset stays unset: no MTU, no address, no master, not up. */
	ck_assert_uint_eq(got.mtu, 0);
	ck_assert(!got.has_mac);
	ck_assert_int_eq(got.master, 0);
	ck_assert(!got.up);
	vt_link_release(&got);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_create_every_attribute)
{
	struct vt_link_spec s = create_spec();
	static const uint8_t mac[VT_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0xc8 };
	struct vt_qos_entry egress[] = { { 5, 5 }, { 4000000000u, 7 } };
	struct nl_msg *msg = NULL;
	struct vt_link got;

	s.fields |= VT_F_PROTOCOL | VT_F_VLAN_FLAGS | VT_F_INGRESS | VT_F_EGRESS |
		    VT_F_MTU | VT_F_MAC | VT_F_UP | VT_F_MASTER;
	s.link.vlan.protocol = VT_PROTO_8021AD;
	s.link.vlan.flags = VT_VLAN_GVRP | VT_VLAN_BRIDGE_BINDING;
	s.vlan_flags_mask = VT_VLAN_FLAGS_ALL;
	spec_ingress(&s.link.vlan, 3, 4);
	s.link.vlan.egress = egress;
	s.link.vlan.n_egress = 2;
	s.link.mtu = 1496;
	memcpy(s.link.mac, mac, sizeof(mac));
	s.link.up = true;
	s.link.master = 9;

	ck_assert_int_eq(build_create1(&s, &msg), 0);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert_uint_eq(got.vlan.protocol, VT_PROTO_8021AD);
	ck_assert_uint_eq(got.vlan.flags, VT_VLAN_GVRP | VT_VLAN_BRIDGE_BINDING);
	ck_assert_uint_eq(vt_vlan_ingress(&got.vlan, 3), 4);
	ck_assert_uint_eq(vt_vlan_ingress(&got.vlan, 2), 0);
	ck_assert_uint_eq(got.vlan.n_egress, 2);
	ck_assert_uint_eq(got.vlan.egress[1].from, 4000000000u);
	ck_assert_uint_eq(got.vlan.egress[1].to, 7);
	ck_assert_uint_eq(got.mtu, 1496);
	ck_assert(got.has_mac);
	ck_assert_mem_eq(got.mac, mac, VT_MAC_LEN);
	ck_assert(got.up);
	ck_assert_int_eq(got.master, 9);
	vt_link_release(&got);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_create_refuses)
{
	struct vt_link_spec s = create_spec();
	struct nl_msg *msg = NULL;

	s.fields |= VT_F_ALIAS;	/* the kernel would drop it silently */
	ck_assert_int_eq(build_create1(&s, &msg), -EINVAL);
	s = create_spec();
	s.fields &= ~VT_F_PARENT;
	ck_assert_int_eq(build_create1(&s, &msg), -EINVAL);
	s = create_spec();
	s.fields &= ~VT_F_VLAN_ID;
	ck_assert_int_eq(build_create1(&s, &msg), -EINVAL);
	s = create_spec();
	s.fields |= VT_F_ADDR_GEN_MODE;	/* the kernel refuses it at creation */
	ck_assert_int_eq(build_create1(&s, &msg), -EINVAL);
	ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(test_vlan_flags_mask_only_configured_bits)
{
	struct vt_link_spec s = { .fields = VT_F_VLAN_FLAGS };
	struct nl_msg *msg = NULL;
	struct ifla_vlan_flags wire;
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *vd[IFLA_VLAN_MAX + 1];

	s.link.ifindex = 12;
	s.link.vlan.flags = VT_VLAN_MVRP;
	s.vlan_flags_mask = VT_VLAN_MVRP | VT_VLAN_REORDER_HDR;
	ck_assert_int_eq(build_change1(NULL, &s, &msg), 0);
	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	ck_assert_ptr_nonnull(tb[IFLA_LINKINFO]);
	ck_assert_int_eq(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	ck_assert_str_eq(nla_get_string(li[IFLA_INFO_KIND]), "vlan");
	ck_assert_int_eq(nla_parse_nested(vd, IFLA_VLAN_MAX, li[IFLA_INFO_DATA], NULL), 0);
	ck_assert_ptr_null(vd[IFLA_VLAN_ID]);
	nla_memcpy(&wire, vd[IFLA_VLAN_FLAGS], sizeof(wire));
	ck_assert_uint_eq(wire.flags, VT_VLAN_MVRP);
	ck_assert_uint_eq(wire.mask, VT_VLAN_MVRP | VT_VLAN_REORDER_HDR);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_change_plain_fields_carry_no_kind)
{
	struct vt_link_spec s = { .fields = VT_F_MTU | VT_F_UP | VT_F_NAME | VT_F_ALIAS | VT_F_MASTER };
	struct nl_msg *msg = NULL;
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;

	s.link.ifindex = 12;
	s.link.mtu = 1400;
	s.link.up = false;
	strcpy(s.link.name, "renamed");
	s.link.alias = (char[]){ "vlantrunk:vm-42" };
	s.link.master = 0;	/* release from the bridge */
	ck_assert_int_eq(build_change1(NULL, &s, &msg), 0);
	ifi = nlmsg_data(nlmsg_hdr(msg));
	ck_assert_int_eq(ifi->ifi_index, 12);
	ck_assert_uint_eq(ifi->ifi_change, IFF_UP);
	ck_assert_uint_eq(ifi->ifi_flags & IFF_UP, 0);
	ck_assert(!(nlmsg_hdr(msg)->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)));
	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(*ifi), tb, IFLA_MAX, NULL), 0);
	ck_assert_ptr_null(tb[IFLA_LINKINFO]);
	ck_assert_uint_eq(nla_get_u32(tb[IFLA_MTU]), 1400);
	ck_assert_str_eq(nla_get_string(tb[IFLA_IFNAME]), "renamed");
	ck_assert_str_eq(nla_get_string(tb[IFLA_IFALIAS]), "vlantrunk:vm-42");
	ck_assert_ptr_nonnull(tb[IFLA_MASTER]);
	ck_assert_uint_eq(nla_get_u32(tb[IFLA_MASTER]), 0);
	nlmsg_free(msg);
}
END_TEST

/* IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE, and only with VT_F_ADDR_GEN_MODE. */
static struct nlattr *inet6_attr(struct nl_msg *msg, int type)
{
	struct nlattr *tb[IFLA_MAX + 1], *inet6;

	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	inet6 = tb[IFLA_AF_SPEC] ? nla_find(nla_data(tb[IFLA_AF_SPEC]), nla_len(tb[IFLA_AF_SPEC]),
					    AF_INET6) : NULL;
	return inet6 ? nla_find(nla_data(inet6), nla_len(inet6), type) : NULL;
}

START_TEST(test_change_addr_gen_mode)
{
	/* The name only because libnl's parser, which reads it back, insists on one. */
	struct vt_link_spec s = { .fields = VT_F_ADDR_GEN_MODE | VT_F_NAME };
	struct nl_msg *msg = NULL;
	struct nlattr *mode;
	struct vt_link got;

	s.link.ifindex = 12;
	strcpy(s.link.name, "sp12");
	s.link.ipv6.addr_gen_mode = VT_ADDR_GEN_NONE;
	ck_assert_int_eq(build_change1(NULL, &s, &msg), 0);
	mode = inet6_attr(msg, IFLA_INET6_ADDR_GEN_MODE);
	ck_assert_ptr_nonnull(mode);
	ck_assert_uint_eq(nla_get_u8(mode), IN6_ADDR_GEN_MODE_NONE);
	/* The decoder reads it back; nothing else of IPv6 is in a request. */
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert(got.ipv6.present);
	ck_assert_uint_eq(got.ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
	ck_assert(!got.ipv6.disabled);
	nlmsg_free(msg);

	s.fields = VT_F_MTU | VT_F_NAME;
	s.link.mtu = 1500;
	ck_assert_int_eq(build_change1(NULL, &s, &msg), 0);
	ck_assert_ptr_null(inet6_attr(msg, IFLA_INET6_ADDR_GEN_MODE));
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert(!got.ipv6.present);
	nlmsg_free(msg);

	s.fields = VT_F_ADDR_GEN_MODE;
	s.link.ipv6.addr_gen_mode = VT_ADDR_GEN_MAX + 1;
	ck_assert_int_eq(build_change1(NULL, &s, &msg), -EINVAL);
}
END_TEST

/* disable_ipv6 is read from IFLA_INET6_CONF, as the kernel reports it in a dump. */
START_TEST(test_decode_disable_ipv6)
{
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7 };
	struct nlattr *spec, *inet6;
	int32_t conf[DEVCONF_DISABLE_IPV6 + 1] = { 0 };
	struct vt_link got;

	conf[DEVCONF_DISABLE_IPV6] = 1;
	ck_assert_ptr_nonnull(msg);
	ck_assert_int_eq(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	ck_assert_int_eq(nla_put_string(msg, IFLA_IFNAME, "sp7"), 0);
	spec = nla_nest_start(msg, IFLA_AF_SPEC);
	inet6 = nla_nest_start(msg, AF_INET6);
	ck_assert_int_eq(nla_put(msg, IFLA_INET6_CONF, sizeof(conf), conf), 0);
	ck_assert_int_eq(nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_EUI64), 0);
	nla_nest_end(msg, inet6);
	nla_nest_end(msg, spec);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert(got.ipv6.present);
	ck_assert_uint_eq(got.ipv6.addr_gen_mode, VT_ADDR_GEN_EUI64);
	ck_assert(got.ipv6.disabled);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_change_by_name)
{
	struct vt_link_spec s = { .fields = VT_F_ALIAS };
	struct nl_msg *msg = NULL;
	struct nlattr *tb[IFLA_MAX + 1];

	strcpy(s.link.name, "sp101");
	s.link.alias = (char[]){ "vlantrunk:t" };
	ck_assert_int_eq(build_change1(NULL, &s, &msg), 0);
	ck_assert_int_eq(((struct ifinfomsg *)nlmsg_data(nlmsg_hdr(msg)))->ifi_index, 0);
	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	ck_assert_str_eq(nla_get_string(tb[IFLA_IFNAME]), "sp101");
	nlmsg_free(msg);

	/* By name, a rename is ambiguous. */
	s.fields |= VT_F_NAME;
	ck_assert_int_eq(build_change1(NULL, &s, &msg), -EINVAL);
}
END_TEST

START_TEST(test_change_refuses_what_the_kernel_ignores)
{
	uint32_t ignored[] = { VT_F_VLAN_ID, VT_F_PROTOCOL, VT_F_PARENT };
	struct nl_msg *msg = NULL;

	for (size_t i = 0; i < 3; i++) {
		struct vt_link_spec s = { .fields = ignored[i] };

		s.link.ifindex = 3;
		ck_assert_int_eq(build_change1(NULL, &s, &msg), -EINVAL);
	}
}
END_TEST

/* Every QoS mapping must carry type IFLA_VLAN_QOS_MAPPING: the kernel skips others. */
static void assert_qos_types(struct nl_msg *msg, int map_type, int expected)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *vd[IFLA_VLAN_MAX + 1], *e;
	int rem, n = 0;

	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	ck_assert_int_eq(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	ck_assert_int_eq(nla_parse_nested(vd, IFLA_VLAN_MAX, li[IFLA_INFO_DATA], NULL), 0);
	ck_assert_ptr_nonnull(vd[map_type]);
	nla_for_each_nested(e, vd[map_type], rem) {
		ck_assert_int_eq(nla_type(e), IFLA_VLAN_QOS_MAPPING);
		n++;
	}
	ck_assert_int_eq(n, expected);
}

START_TEST(test_qos_mapping_attribute_types)
{
	struct vt_link_spec s = create_spec();
	struct vt_qos_entry egress[] = { { 1, 1 }, { 2, 2 }, { 3, 3 } };
	struct nl_msg *msg = NULL;

	s.fields |= VT_F_INGRESS | VT_F_EGRESS;
	spec_ingress(&s.link.vlan, 0, 10);
	spec_ingress(&s.link.vlan, 3, 13);
	s.link.vlan.egress = egress;
	s.link.vlan.n_egress = 3;
	ck_assert_int_eq(build_create1(&s, &msg), 0);
	assert_qos_types(msg, IFLA_VLAN_INGRESS_QOS, 2);
	assert_qos_types(msg, IFLA_VLAN_EGRESS_QOS, 3);
	nlmsg_free(msg);
}
END_TEST

START_TEST(test_change_egress_removes_stale_keys)
{
	struct vt_qos_entry cur_map[] = { { 1, 2 }, { 5, 3 } };
	struct vt_qos_entry want_map[] = { { 5, 4 }, { 7, 1 } };
	struct vt_link cur = { .ifindex = 3, .is_vlan = true };
	/* libnl's parser insists on a name, so this change renames too. */
	struct vt_link_spec s = { .fields = VT_F_EGRESS | VT_F_INGRESS | VT_F_NAME };
	struct nl_msg *msg = NULL;
	struct rtnl_link *rl;
	struct vlan_map *map;
	uint32_t *ingress;
	int n = 0;

	cur.vlan.egress = cur_map;
	cur.vlan.n_egress = 2;
	s.link.ifindex = 3;
	strcpy(s.link.name, "sp3");
	s.link.vlan.egress = want_map;
	s.link.vlan.n_egress = 2;
	spec_ingress(&s.link.vlan, 6, 77);

	ck_assert_int_eq(build_change1(NULL, &s, &msg), -EINVAL);	/* needs current */
	ck_assert_int_eq(build_change1(&cur, &s, &msg), 0);
	rl = parse_raw(msg);
	map = rtnl_link_vlan_get_egress_map(rl, &n);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(map[0].vm_from, 1);
	ck_assert_uint_eq(map[0].vm_to, 0);	/* stale: removed */
	ck_assert_uint_eq(map[1].vm_from, 5);
	ck_assert_uint_eq(map[1].vm_to, 4);
	ck_assert_uint_eq(map[2].vm_from, 7);
	ck_assert_uint_eq(map[2].vm_to, 1);
	/* A change sends all eight ingress entries, so unmapped ones are cleared. */
	ingress = rtnl_link_vlan_get_ingress_map(rl);
	ck_assert_uint_eq(ingress[6], 77);
	assert_qos_types(msg, IFLA_VLAN_INGRESS_QOS, 8);
	assert_qos_types(msg, IFLA_VLAN_EGRESS_QOS, 3);
	rtnl_link_put(rl);
	nlmsg_free(msg);
}
END_TEST

/* A map of @n entries, keys from @base up, each to a PCP from 1 to 7 (none to 0). */
static struct vt_qos_entry *qos_map(size_t n, uint32_t base)
{
	struct vt_qos_entry *map = calloc(n, sizeof(*map));

	ck_assert_ptr_nonnull(map);
	for (size_t i = 0; i < n; i++)
		map[i] = (struct vt_qos_entry){ base + (uint32_t)i, 1 + (uint32_t)(i % 7) };
	return map;
}

/* The loader's limit on one subport, on create: every entry arrives, nothing is cut. */
START_TEST(test_create_egress_at_the_limit)
{
	struct vt_link_spec s = create_spec();
	struct vt_qos_entry *map = qos_map(VT_DESIRED_MAX_EGRESS, 1000);
	struct nl_msg *msg = NULL;
	struct vt_link got;

	s.fields |= VT_F_EGRESS | VT_F_INGRESS | VT_F_MTU;
	s.link.vlan.egress = map;
	s.link.vlan.n_egress = VT_DESIRED_MAX_EGRESS;
	spec_ingress(&s.link.vlan, 7, 99);
	s.link.mtu = 1400;
	ck_assert_int_eq(build_create1(&s, &msg), 0);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert_uint_eq(got.vlan.n_egress, VT_DESIRED_MAX_EGRESS);
	ck_assert_mem_eq(got.vlan.egress, map, VT_DESIRED_MAX_EGRESS * sizeof(*map));
	/* What comes after the map in the message is there too. */
	ck_assert_uint_eq(vt_vlan_ingress(&got.vlan, 7), 99);
	ck_assert_uint_eq(got.mtu, 1400);
	assert_qos_types(msg, IFLA_VLAN_EGRESS_QOS, VT_DESIRED_MAX_EGRESS);
	vt_link_release(&got);
	nlmsg_free(msg);
	free(map);
}
END_TEST

/* One message's egress mappings as on the wire, appended to @all. */
static void collect_egress(struct nl_msg *msg, struct vt_qos_entry *all, size_t *n, size_t cap)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *vd[IFLA_VLAN_MAX + 1], *e;
	int rem;

	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	ck_assert_int_eq(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	ck_assert_int_eq(nla_parse_nested(vd, IFLA_VLAN_MAX, li[IFLA_INFO_DATA], NULL), 0);
	ck_assert_ptr_nonnull(vd[IFLA_VLAN_EGRESS_QOS]);
	nla_for_each_nested(e, vd[IFLA_VLAN_EGRESS_QOS], rem) {
		struct ifla_vlan_qos_mapping m;

		ck_assert_uint_lt(*n, cap);
		ck_assert_int_eq(nla_len(e), sizeof(m));
		memcpy(&m, nla_data(e), sizeof(m));
		all[(*n)++] = (struct vt_qos_entry){ m.from, m.to };
	}
}

static int by_key(const void *a, const void *b)
{
	const struct vt_qos_entry *x = a, *y = b;

	return (x->from > y->from) - (x->from < y->from);
}

/*
 * 4096 entries replaced by 4096 others: 8192 mappings, more than one message
 * holds. The first message does the rest of the change too; the second is a
 * change of the same device with nothing but mappings. Together: every old key
 * to 0, every new one to its PCP, each once.
 */
START_TEST(test_change_egress_split)
{
	const size_t n = VT_DESIRED_MAX_EGRESS;
	struct vt_qos_entry *old = qos_map(n, 1000), *new = qos_map(n, 100000);
	struct vt_qos_entry *all = calloc(2 * n, sizeof(*all));
	struct vt_link cur = { .ifindex = 3, .is_vlan = true };
	struct vt_link_spec s = { .fields = VT_F_EGRESS | VT_F_MTU };
	struct nlattr *tb[IFLA_MAX + 1];
	struct vt_nl_msgs msgs;
	size_t got = 0;

	cur.vlan.egress = old;
	cur.vlan.n_egress = n;
	s.link.ifindex = 3;
	s.link.mtu = 1400;
	s.link.vlan.egress = new;
	s.link.vlan.n_egress = n;
	ck_assert_int_eq(vt_nl_build_change(&cur, &s, &msgs), 0);
	ck_assert_uint_eq(msgs.n, 2);
	for (size_t i = 0; i < msgs.n; i++) {
		struct nlmsghdr *nlh = nlmsg_hdr(msgs.msg[i]);

		ck_assert_int_eq(nlh->nlmsg_type, RTM_NEWLINK);
		ck_assert(!(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)));
		ck_assert_uint_le(nlh->nlmsg_len, VT_NL_MSG_MAX);
		ck_assert_int_eq(((struct ifinfomsg *)nlmsg_data(nlh))->ifi_index, 3);
		ck_assert_int_eq(nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
		/* The MTU goes once, with the first. */
		ck_assert(!tb[IFLA_MTU] == (i > 0));
		assert_qos_types(msgs.msg[i], IFLA_VLAN_EGRESS_QOS, (int)n);
		collect_egress(msgs.msg[i], all, &got, 2 * n);
	}
	ck_assert_uint_eq(got, 2 * n);
	qsort(all, got, sizeof(*all), by_key);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(all[i].from, old[i].from);
		ck_assert_uint_eq(all[i].to, 0);
		ck_assert_uint_eq(all[n + i].from, new[i].from);
		ck_assert_uint_eq(all[n + i].to, new[i].to);
	}
	vt_nl_msgs_free(&msgs);
	ck_assert_uint_eq(msgs.n, 0);

	/* The same 4096 keys with new PCPs: one message does. */
	for (size_t i = 0; i < n; i++)
		new[i] = (struct vt_qos_entry){ old[i].from, 1 + (old[i].to % 7) };
	ck_assert_int_eq(vt_nl_build_change(&cur, &s, &msgs), 0);
	ck_assert_uint_eq(msgs.n, 1);
	vt_nl_msgs_free(&msgs);
	free(all);
	free(old);
	free(new);
}
END_TEST

/*
 * A before-image can hold more than the loader takes (whatever the kernel
 * held): the create carries what one message holds, then changes of the
 * device it made, by its chosen ifindex or else by its name.
 */
START_TEST(test_create_egress_split)
{
	const size_t n = VT_NL_EGRESS_PER_MSG + 904;
	struct vt_link_spec s = create_spec();
	struct vt_qos_entry *map = qos_map(n, 7), *all = calloc(n, sizeof(*all));
	struct nlattr *tb[IFLA_MAX + 1];
	struct vt_nl_msgs msgs;
	size_t got = 0;

	s.fields |= VT_F_EGRESS;
	s.link.vlan.egress = map;
	s.link.vlan.n_egress = n;
	s.link.ifindex = 1 << 24;
	ck_assert_int_eq(vt_nl_build_create(&s, &msgs), 0);
	ck_assert_uint_eq(msgs.n, 2);
	ck_assert(nlmsg_hdr(msgs.msg[0])->nlmsg_flags & NLM_F_CREATE);
	ck_assert(!(nlmsg_hdr(msgs.msg[1])->nlmsg_flags & NLM_F_CREATE));
	ck_assert_int_eq(((struct ifinfomsg *)nlmsg_data(nlmsg_hdr(msgs.msg[1])))->ifi_index, 1 << 24);
	assert_qos_types(msgs.msg[0], IFLA_VLAN_EGRESS_QOS, VT_NL_EGRESS_PER_MSG);
	assert_qos_types(msgs.msg[1], IFLA_VLAN_EGRESS_QOS, 904);
	for (size_t i = 0; i < msgs.n; i++)
		collect_egress(msgs.msg[i], all, &got, n);
	ck_assert_uint_eq(got, n);
	ck_assert_mem_eq(all, map, n * sizeof(*map));
	vt_nl_msgs_free(&msgs);

	s.link.ifindex = 0;
	ck_assert_int_eq(vt_nl_build_create(&s, &msgs), 0);
	ck_assert_uint_eq(msgs.n, 2);
	ck_assert_int_eq(((struct ifinfomsg *)nlmsg_data(nlmsg_hdr(msgs.msg[1])))->ifi_index, 0);
	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msgs.msg[1]), sizeof(struct ifinfomsg), tb, IFLA_MAX,
				     NULL), 0);
	ck_assert_str_eq(nla_get_string(tb[IFLA_IFNAME]), "sp101");
	ck_assert_ptr_null(tb[IFLA_LINK]);
	vt_nl_msgs_free(&msgs);
	free(all);
	free(map);
}
END_TEST

START_TEST(test_delete)
{
	struct nl_msg *msg = NULL;
	struct nlattr *tb[IFLA_MAX + 1];

	ck_assert_int_eq(vt_nl_build_delete(0, NULL, &msg), -EINVAL);
	ck_assert_int_eq(vt_nl_build_delete(17, NULL, &msg), 0);
	ck_assert_int_eq(nlmsg_hdr(msg)->nlmsg_type, RTM_DELLINK);
	/* NLM_F_EXCL on RTM_DELLINK is NLM_F_BULK: the kernel would refuse it. */
	ck_assert_uint_eq(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_EXCL, 0);
	ck_assert_int_eq(((struct ifinfomsg *)nlmsg_data(nlmsg_hdr(msg)))->ifi_index, 17);
	nlmsg_free(msg);

	ck_assert_int_eq(vt_nl_build_delete(0, "sp101", &msg), 0);
	ck_assert_int_eq(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	ck_assert_str_eq(nla_get_string(tb[IFLA_IFNAME]), "sp101");
	nlmsg_free(msg);
}
END_TEST

/*
 * The largest request without egress mappings (every other field set, the
 * longest alias, every ingress PCP) is built whole within VT_NL_MSG_BASE,
 * with room to spare: a change and a create.
 */
START_TEST(test_largest_request_fits_base)
{
	static const uint8_t mac[VT_MAC_LEN] = { 0x02, 0, 0, 0, 0, 0xc8 };
	struct vt_link_spec s = { .fields = VT_F_NAME | VT_F_VLAN_FLAGS | VT_F_INGRESS | VT_F_MTU |
					    VT_F_MAC | VT_F_UP | VT_F_MASTER | VT_F_ALIAS |
					    VT_F_GROUP | VT_F_ADDR_GEN_MODE,
				  .vlan_flags_mask = VT_VLAN_FLAGS_ALL };
	struct nl_msg *msg = NULL;
	struct vt_link got;
	char longest[IFALIASZ];

	s.link.ifindex = 16777300;
	memset(s.link.name, 'n', VT_IFNAMSIZ - 1);
	memset(longest, 'a', IFALIASZ - 1);	/* the kernel takes no longer one */
	longest[IFALIASZ - 1] = '\0';
	s.link.alias = longest;
	for (int pcp = 0; pcp <= VT_PCP_MAX; pcp++)
		spec_ingress(&s.link.vlan, pcp, 4000000000u + (uint32_t)pcp);
	s.link.vlan.flags = VT_VLAN_FLAGS_ALL;
	s.link.mtu = 9000;
	memcpy(s.link.mac, mac, sizeof(mac));
	s.link.up = true;
	s.link.master = 16777299;
	s.link.group = 0x7a123456;
	s.link.ipv6.addr_gen_mode = VT_ADDR_GEN_NONE;
	ck_assert_int_eq(build_change1(NULL, &s, &msg), 0);
	ck_assert_uint_le(nlmsg_hdr(msg)->nlmsg_len, VT_NL_MSG_BASE / 2);
	ck_assert_int_eq(vt_nl_decode_link(nlmsg_hdr(msg), &got), 0);
	ck_assert_uint_eq(strlen(vt_link_alias(&got)), IFALIASZ - 1);
	ck_assert_uint_eq(vt_vlan_ingress(&got.vlan, VT_PCP_MAX), 4000000000u + VT_PCP_MAX);
	ck_assert_uint_eq(got.ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
	vt_link_release(&got);
	nlmsg_free(msg);

	s.fields = (s.fields & ~(VT_F_ALIAS | VT_F_ADDR_GEN_MODE)) | VT_F_PARENT | VT_F_VLAN_ID |
		   VT_F_PROTOCOL;
	s.link.parent = 16777298;
	s.link.vlan.id = 4094;
	s.link.vlan.protocol = VT_PROTO_8021AD;
	ck_assert_int_eq(build_create1(&s, &msg), 0);
	ck_assert_uint_le(nlmsg_hdr(msg)->nlmsg_len, VT_NL_MSG_BASE / 2);
	nlmsg_free(msg);
}
END_TEST

Suite *encode_suite(void)
{
	Suite *s = suite_create("encode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_create_minimal);
	tcase_add_test(tc, test_create_every_attribute);
	tcase_add_test(tc, test_create_refuses);
	tcase_add_test(tc, test_vlan_flags_mask_only_configured_bits);
	tcase_add_test(tc, test_change_plain_fields_carry_no_kind);
	tcase_add_test(tc, test_change_by_name);
	tcase_add_test(tc, test_change_addr_gen_mode);
	tcase_add_test(tc, test_decode_disable_ipv6);
	tcase_add_test(tc, test_change_refuses_what_the_kernel_ignores);
	tcase_add_test(tc, test_qos_mapping_attribute_types);
	tcase_add_test(tc, test_change_egress_removes_stale_keys);
	tcase_add_test(tc, test_create_egress_at_the_limit);
	tcase_add_test(tc, test_change_egress_split);
	tcase_add_test(tc, test_create_egress_split);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_largest_request_fits_base);
	suite_add_tcase(s, tc);
	return s;
}
