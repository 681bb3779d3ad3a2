/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link messages to struct vt_link, through libnl-route's own link parser. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/vlan.h>

#include "nl_internal.h"

struct decode_ctx {
	struct vt_link *link;
	int ret;
	bool seen;
};

static int decode_vlan(struct rtnl_link *rl, struct vt_vlan *vlan)
{
	const uint32_t *ingress = rtnl_link_vlan_get_ingress_map(rl);
	const struct vlan_map *egress;
	int n_egress = 0;

	vlan->id = (uint16_t)rtnl_link_vlan_get_id(rl);
	/* libnl hands IFLA_VLAN_PROTOCOL over as it is on the wire: big-endian. */
	vlan->protocol = ntohs((uint16_t)rtnl_link_vlan_get_protocol(rl));
	vlan->flags = (uint32_t)rtnl_link_vlan_get_flags(rl);
	if (ingress)
		memcpy(vlan->ingress, ingress, sizeof(vlan->ingress));

	egress = rtnl_link_vlan_get_egress_map(rl, &n_egress);
	if (egress && n_egress > 0) {
		vlan->egress = calloc((size_t)n_egress, sizeof(*vlan->egress));
		if (!vlan->egress)
			return -ENOMEM;
		for (int i = 0; i < n_egress; i++) {
			vlan->egress[i].from = egress[i].vm_from;
			vlan->egress[i].to = egress[i].vm_to;
		}
		vlan->n_egress = vt_qos_egress_normalize(vlan->egress, (size_t)n_egress);
	}
	return 0;
}

/*
 * A device has IPv6 state when the kernel reports AF_INET6 in IFLA_AF_SPEC:
 * not below an MTU of 1280, not without IPv6. A kernel too old to report the
 * address generation mode (before 3.17) has nothing to manage here either.
 */
static void decode_ipv6(struct rtnl_link *rl, struct vt_ipv6 *ipv6)
{
	uint8_t mode;

	if (rtnl_link_inet6_get_addr_gen_mode(rl, &mode) < 0)
		return;
	ipv6->present = true;
	ipv6->addr_gen_mode = mode;
}

/*
 * What libnl-route 3.7 parses but does not hand out is read here, the one
 * place that reads IFLA_* attributes itself, with libnl's own attribute
 * walkers: a link's altnames and its disable_ipv6.
 */

static const struct nlattr *nested(const struct nlattr *nest, int type)
{
	return nest ? nla_find(nla_data(nest), nla_len(nest), type) : NULL;
}

/*
 * disable_ipv6 is element DEVCONF_DISABLE_IPV6 of IFLA_AF_SPEC/AF_INET6/
 * IFLA_INET6_CONF. libnl-route 3.7 (Debian 12) keeps that array to itself:
 * rtnl_link_inet6_get_conf() came with 3.10.
 */
static bool decode_ipv6_disabled(const struct nlmsghdr *nlh)
{
	const struct nlattr *spec = nlmsg_find_attr((struct nlmsghdr *)nlh,
						     sizeof(struct ifinfomsg), IFLA_AF_SPEC);
	const struct nlattr *conf = nested(nested(spec, AF_INET6), IFLA_INET6_CONF);
	int32_t value;

	if (!conf || nla_len(conf) < (int)((DEVCONF_DISABLE_IPV6 + 1) * sizeof(value)))
		return false;
	memcpy(&value, (const char *)nla_data(conf) + DEVCONF_DISABLE_IPV6 * sizeof(value),
	       sizeof(value));
	return value != 0;
}

/*
 * libnl-route 3.7 has no accessor for a link's altnames (rtnl_link keeps no
 * IFLA_PROP_LIST): IFLA_PROP_LIST nests one IFLA_ALT_IFNAME string per
 * altname, each up to ALTIFNAMSIZ - 1 bytes. Almost no device has any: then
 * this costs one walk over the attributes and allocates nothing.
 */
static int decode_altnames(const struct nlmsghdr *nlh, struct vt_link *link)
{
	struct nlattr *list = nlmsg_find_attr((struct nlmsghdr *)nlh, sizeof(struct ifinfomsg),
					      IFLA_PROP_LIST);
	struct nlattr *a;
	char **names;
	size_t n = 0;
	int rem, ret;

	if (!list)
		return 0;
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

static void decode_object(struct nl_object *obj, void *arg)
{
	struct decode_ctx *ctx = arg;
	struct rtnl_link *rl = (struct rtnl_link *)obj;
	struct vt_link *link = ctx->link;
	struct nl_addr *addr;
	const char *s;

	if (ctx->seen)
		return;
	ctx->seen = true;

	link->ifindex = rtnl_link_get_ifindex(rl);
	s = rtnl_link_get_name(rl);
	snprintf(link->name, sizeof(link->name), "%s", s ? s : "");
	s = rtnl_link_get_type(rl);
	snprintf(link->kind, sizeof(link->kind), "%s", s ? s : "");
	link->parent = rtnl_link_get_link(rl);
	/* A parent in another namespace: IFLA_LINK is an ifindex there (dump.c maps it). */
	if (rtnl_link_get_link_netnsid(rl, &link->link_netnsid) < 0)
		link->link_netnsid = -1;
	link->master = rtnl_link_get_master(rl);
	link->mtu = rtnl_link_get_mtu(rl);
	link->up = rtnl_link_get_flags(rl) & IFF_UP;
	link->group = rtnl_link_get_group(rl);
	s = rtnl_link_get_ifalias(rl);
	snprintf(link->alias, sizeof(link->alias), "%s", s ? s : "");

	addr = rtnl_link_get_addr(rl);
	if (addr && nl_addr_get_len(addr) == VT_MAC_LEN) {
		memcpy(link->mac, nl_addr_get_binary_addr(addr), VT_MAC_LEN);
		link->has_mac = true;
	}

	decode_ipv6(rl, &link->ipv6);
	link->is_vlan = rtnl_link_is_vlan(rl);
	if (link->is_vlan)
		ctx->ret = decode_vlan(rl, &link->vlan);
}

int vt_nl_decode_link(const struct nlmsghdr *nlh, struct vt_link *link)
{
	struct decode_ctx ctx = { .link = link };
	struct nl_msg *msg;
	int ret;

	memset(link, 0, sizeof(*link));
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EBADMSG;

	/* libnl parses only its own nl_msg; the copy is the price of not
	 * hand-writing an IFLA_* parser. */
	msg = nlmsg_convert((struct nlmsghdr *)nlh);
	if (!msg)
		return -ENOMEM;
	nlmsg_set_proto(msg, NETLINK_ROUTE);
	ret = nl_msg_parse(msg, decode_object, &ctx);
	nlmsg_free(msg);
	if (ret < 0) {
		vt_link_release(link);
		return vt_nl_errno(ret);
	}
	if (!ctx.seen)
		return -EBADMSG;
	if (link->ipv6.present)
		link->ipv6.disabled = decode_ipv6_disabled(nlh);
	ret = ctx.ret < 0 ? ctx.ret : decode_altnames(nlh, link);
	if (ret < 0)
		vt_link_release(link);
	return ret;
}
