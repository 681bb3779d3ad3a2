/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Link messages to struct vt_link, through libnl's attribute parser and
 * policies (nlmsg_parse, nla_parse_nested).
 *
 * Not through libnl-route's link parser (nl_msg_parse into an rtnl_link):
 * that copies the message into an nl_msg, allocates an object, runs the
 * parser of every address family and link kind the message names, and
 * strdup()s strings vlantrunk copies again. It was 77% of decoding a dump
 * and 38% of a whole no-op reconcile at 1 x 4094 (callgrind). Here the
 * attributes vlantrunk reads are indexed in one walk and validated by the
 * same policies libnl-route applies to them (lib/route/link.c, link/vlan.c,
 * link/inet6.c of 3.7); the values are read as libnl-route's getters hand
 * them out, so struct vt_link comes out the same.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>

#include "nl_internal.h"

/*
 * The attributes read, typed as libnl-route's rtln_link_policy types them
 * (that table stops at IFLA_MAX_MTU, short of IFLA_PROP_LIST). The others
 * are neither read nor validated. IFLA_ADDRESS has no policy there either:
 * any length, a MAC only when it is 6 bytes.
 */
static const struct nla_policy link_policy[IFLA_PROP_LIST + 1] = {
	[IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[IFLA_MTU] = { .type = NLA_U32 },
	[IFLA_LINK] = { .type = NLA_U32 },
	[IFLA_MASTER] = { .type = NLA_U32 },
	[IFLA_LINKINFO] = { .type = NLA_NESTED },
	[IFLA_IFALIAS] = { .type = NLA_STRING, .maxlen = IFALIASZ },
	[IFLA_AF_SPEC] = { .type = NLA_NESTED },
	[IFLA_GROUP] = { .type = NLA_U32 },
	/* libnl-route reads 4 bytes of it unchecked; a shorter one is refused here */
	[IFLA_LINK_NETNSID] = { .minlen = sizeof(int32_t) },
	[IFLA_PROP_LIST] = { .type = NLA_NESTED },
};

static const struct nla_policy info_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { .type = NLA_STRING },
	[IFLA_INFO_DATA] = { .type = NLA_NESTED },
	[IFLA_INFO_XSTATS] = { .type = NLA_NESTED },
};

static const struct nla_policy vlan_policy[IFLA_VLAN_MAX + 1] = {
	[IFLA_VLAN_ID] = { .type = NLA_U16 },
	[IFLA_VLAN_FLAGS] = { .minlen = sizeof(struct ifla_vlan_flags) },
	[IFLA_VLAN_INGRESS_QOS] = { .type = NLA_NESTED },
	[IFLA_VLAN_EGRESS_QOS] = { .type = NLA_NESTED },
	[IFLA_VLAN_PROTOCOL] = { .type = NLA_U16 },
};

static const struct nla_policy inet6_policy[IFLA_INET6_MAX + 1] = {
	[IFLA_INET6_CONF] = { .minlen = 4 },
	[IFLA_INET6_ADDR_GEN_MODE] = { .type = NLA_U8 },
};

/*
 * A string attribute into @dst of @size bytes, cut at its first NUL and at
 * @size - 1 bytes, as libnl-route's copy (nla_strlcpy, strdup) then our
 * snprintf() did. The policies made it NUL-terminated.
 */
static void copy_string(char *dst, size_t size, const struct nlattr *a)
{
	size_t len = 0;

	if (a) {
		size_t max = (size_t)nla_len(a) < size - 1 ? (size_t)nla_len(a) : size - 1;

		len = strnlen(nla_data(a), max);
		memcpy(dst, nla_data(a), len);
	}
	dst[len] = '\0';
}

/*
 * IFLA_VLAN_*_QOS nest one struct ifla_vlan_qos_mapping each (whatever the
 * attribute's type, as libnl-route reads them); a shorter one, or an ingress
 * PCP above 7, makes the message invalid (-NLE_INVAL there).
 */
static int decode_ingress(const struct nlattr *nest, struct vt_vlan *vlan)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		struct ifla_vlan_qos_mapping map;

		if (nla_len(a) < (int)sizeof(map))
			return -EINVAL;
		memcpy(&map, nla_data(a), sizeof(map));
		if (map.from > VT_PCP_MAX)
			return -EINVAL;
		if (vt_vlan_set_ingress(vlan, map.from, map.to) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int decode_egress(const struct nlattr *nest, struct vt_vlan *vlan)
{
	struct nlattr *a;
	size_t n = 0;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (nla_len(a) < (int)sizeof(struct ifla_vlan_qos_mapping))
			return -EINVAL;
		n++;
	}
	if (!n)
		return 0;
	vlan->egress = calloc(n, sizeof(*vlan->egress));
	if (!vlan->egress)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(a, nest, rem) {
		struct ifla_vlan_qos_mapping map;

		memcpy(&map, nla_data(a), sizeof(map));
		vlan->egress[n].from = map.from;
		vlan->egress[n++].to = map.to;
	}
	vlan->n_egress = vt_qos_egress_normalize(vlan->egress, n);
	return 0;
}

/* IFLA_INFO_DATA of a "vlan". Absent attributes read as 0, as libnl-route's getters give them. */
static int decode_vlan(struct nlattr *data, struct vt_vlan *vlan)
{
	struct nlattr *tb[IFLA_VLAN_MAX + 1];
	int ret = nla_parse_nested(tb, IFLA_VLAN_MAX, data, vlan_policy);

	if (ret < 0)
		return vt_nl_errno(ret);
	if (tb[IFLA_VLAN_ID])
		vlan->id = nla_get_u16(tb[IFLA_VLAN_ID]);
	/* IFLA_VLAN_PROTOCOL is big-endian on the wire (a __be16). */
	if (tb[IFLA_VLAN_PROTOCOL])
		vlan->protocol = ntohs(nla_get_u16(tb[IFLA_VLAN_PROTOCOL]));
	if (tb[IFLA_VLAN_FLAGS]) {
		struct ifla_vlan_flags flags;

		memcpy(&flags, nla_data(tb[IFLA_VLAN_FLAGS]), sizeof(flags));
		vlan->flags = flags.flags;	/* the kernel's flags; .mask is for requests */
	}
	if (tb[IFLA_VLAN_INGRESS_QOS]) {
		ret = decode_ingress(tb[IFLA_VLAN_INGRESS_QOS], vlan);
		if (ret < 0)
			return ret;
	}
	return tb[IFLA_VLAN_EGRESS_QOS] ? decode_egress(tb[IFLA_VLAN_EGRESS_QOS], vlan) : 0;
}

/*
 * IFLA_LINKINFO: the kind, and a VLAN's attributes. The kernel always sends
 * a VLAN's IFLA_INFO_DATA (vlan_fill_info()); without it every VLAN field is 0.
 */
static int decode_info(struct nlattr *info, struct vt_link *link)
{
	struct nlattr *li[IFLA_INFO_MAX + 1];
	int ret = nla_parse_nested(li, IFLA_INFO_MAX, info, info_policy);

	if (ret < 0)
		return vt_nl_errno(ret);
	if (!li[IFLA_INFO_KIND])
		return 0;
	copy_string(link->kind, sizeof(link->kind), li[IFLA_INFO_KIND]);
	link->is_vlan = !strcmp(nla_data(li[IFLA_INFO_KIND]), "vlan");
	if (link->is_vlan && li[IFLA_INFO_DATA])
		return decode_vlan(li[IFLA_INFO_DATA], &link->vlan);
	return 0;
}

/*
 * A device has IPv6 state when the kernel reports AF_INET6 in IFLA_AF_SPEC
 * with an address generation mode: not below an MTU of 1280, not without
 * IPv6, not before Linux 3.17 (which did not report the mode: nothing to
 * manage then). disable_ipv6 is element DEVCONF_DISABLE_IPV6 of its
 * IFLA_INET6_CONF array. libnl-route reads IFLA_AF_SPEC only from a message
 * of family AF_UNSPEC, the one vlantrunk asks for and listens to.
 */
static int decode_ipv6(struct nlattr *spec, struct vt_ipv6 *ipv6)
{
	struct nlattr *af;
	int rem;

	nla_for_each_nested(af, spec, rem) {
		struct nlattr *tb[IFLA_INET6_MAX + 1];
		const struct nlattr *conf;
		int32_t value;
		int ret;

		if (nla_type(af) != AF_INET6)
			continue;
		ret = nla_parse_nested(tb, IFLA_INET6_MAX, af, inet6_policy);
		if (ret < 0)
			return vt_nl_errno(ret);
		if (!tb[IFLA_INET6_ADDR_GEN_MODE])
			continue;
		ipv6->present = true;
		ipv6->addr_gen_mode = nla_get_u8(tb[IFLA_INET6_ADDR_GEN_MODE]);
		conf = tb[IFLA_INET6_CONF];
		ipv6->disabled = false;
		if (conf && nla_len(conf) >= (int)((DEVCONF_DISABLE_IPV6 + 1) * sizeof(value))) {
			memcpy(&value, (const char *)nla_data(conf) +
					       DEVCONF_DISABLE_IPV6 * sizeof(value),
			       sizeof(value));
			ipv6->disabled = value != 0;
		}
	}
	return 0;
}

/*
 * IFLA_PROP_LIST nests one IFLA_ALT_IFNAME string per altname, each up to
 * ALTIFNAMSIZ - 1 bytes. Almost no device has any: then this allocates
 * nothing.
 */
static int decode_altnames(struct nlattr *list, struct vt_link *link)
{
	struct nlattr *a;
	char **names;
	size_t n = 0;
	int rem, ret;

	nla_for_each_nested(a, list, rem)
		n += nla_type(a) == IFLA_ALT_IFNAME;
	if (!n)
		return 0;
	names = calloc(n, sizeof(*names));
	if (!names)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(a, list, rem) {
		const char *s = nla_data(a);
		size_t len = (size_t)nla_len(a);

		/* The kernel sends them NUL-terminated (nla_put_string); anything else is not one. */
		if (nla_type(a) == IFLA_ALT_IFNAME && len && strnlen(s, len) < len &&
		    strnlen(s, len) < VT_ALTIFNAMSIZ)
			names[n++] = (char *)s;
	}
	ret = vt_link_set_altnames(link, names, n);
	free(names);
	return ret;
}

/* IFLA_IFALIAS, at most VT_ALIAS_MAX bytes as copy_string() reads it; none when empty. */
static int dup_alias(const struct nlattr *a, struct vt_link *link)
{
	size_t max = (size_t)nla_len(a) < VT_ALIAS_MAX ? (size_t)nla_len(a) : VT_ALIAS_MAX;
	size_t len = strnlen(nla_data(a), max);

	if (!len)
		return 0;
	link->alias = malloc(len + 1);
	if (!vt_link_alias(link))
		return -ENOMEM;
	memcpy(link->alias, nla_data(a), len);
	link->alias[len] = '\0';
	return 0;
}

static int decode(struct nlmsghdr *nlh, struct vt_link *link)
{
	struct nlattr *tb[IFLA_PROP_LIST + 1];
	const struct ifinfomsg *ifi;
	int ret = nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_PROP_LIST, link_policy);

	if (ret < 0)
		return vt_nl_errno(ret);
	/* libnl-route refuses a link message without a name (NLE_MISSING_ATTR). */
	if (!tb[IFLA_IFNAME])
		return -EINVAL;
	ifi = nlmsg_data(nlh);
	link->ifindex = ifi->ifi_index;
	link->up = ifi->ifi_flags & IFF_UP;
	copy_string(link->name, sizeof(link->name), tb[IFLA_IFNAME]);
	if (tb[IFLA_IFALIAS] && (ret = dup_alias(tb[IFLA_IFALIAS], link)) < 0)
		return ret;
	if (tb[IFLA_MTU])
		link->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINK])
		link->parent = (int)nla_get_u32(tb[IFLA_LINK]);
	/* A parent in another namespace: IFLA_LINK is an ifindex there (dump.c maps it). */
	link->link_netnsid = tb[IFLA_LINK_NETNSID] ? nla_get_s32(tb[IFLA_LINK_NETNSID]) : -1;
	if (tb[IFLA_MASTER])
		link->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_GROUP])
		link->group = nla_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == VT_MAC_LEN) {
		memcpy(link->mac, nla_data(tb[IFLA_ADDRESS]), VT_MAC_LEN);
		link->has_mac = true;
	}
	if (tb[IFLA_LINKINFO] && (ret = decode_info(tb[IFLA_LINKINFO], link)) < 0)
		return ret;
	if (tb[IFLA_AF_SPEC] && ifi->ifi_family == AF_UNSPEC &&
	    (ret = decode_ipv6(tb[IFLA_AF_SPEC], &link->ipv6)) < 0)
		return ret;
	return tb[IFLA_PROP_LIST] ? decode_altnames(tb[IFLA_PROP_LIST], link) : 0;
}

int vt_nl_decode_link(const struct nlmsghdr *nlh, struct vt_link *link)
{
	int ret;

	memset(link, 0, sizeof(*link));
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EBADMSG;
	/* libnl's parsers take a non-const header; they only read it. */
	ret = decode((struct nlmsghdr *)nlh, link);
	if (ret < 0)
		vt_link_release(link);
	return ret;
}
