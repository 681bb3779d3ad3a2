/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests as libnl-route builds them: struct vt_link_spec in, RTM_NEWLINK
 * or RTM_DELLINK out (several messages for an egress map longer than one
 * holds). Only the fields a spec sets reach the message.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/vlan.h>

#include "nl_internal.h"

#define VT_F_VLAN_INFO (VT_F_VLAN_ID | VT_F_PROTOCOL | VT_F_VLAN_FLAGS | \
			VT_F_INGRESS | VT_F_EGRESS)

static int put_ingress(struct rtnl_link *rl, const struct vt_vlan *want, bool all)
{
	for (int pcp = 0; pcp <= VT_PCP_MAX; pcp++) {
		/* A mapping to 0 is how the kernel clears one. */
		if (!all && !vt_vlan_ingress(want, pcp))
			continue;
		if (rtnl_link_vlan_set_ingress_map(rl, pcp, vt_vlan_ingress(want, pcp)) < 0)
			return -EINVAL;
	}
	return 0;
}

/*
 * The egress mappings a request sends, in key order: @want's, and for a
 * change the keys @current has and @want lacks mapping to 0, as the kernel
 * merges a change's mappings into what the device has and a mapping to 0
 * is how it removes one. *@out is NULL when there are none.
 */
static int egress_wire(const struct vt_vlan *want, const struct vt_vlan *current,
		       struct vt_qos_entry **out, size_t *n_out)
{
	size_t i = 0, j = 0, n = 0;
	size_t n_cur = current ? current->n_egress : 0;
	struct vt_qos_entry *map;

	*out = NULL;
	*n_out = 0;
	if (!want->n_egress && !n_cur)
		return 0;
	map = calloc(want->n_egress + n_cur, sizeof(*map));
	if (!map)
		return -ENOMEM;
	while (i < want->n_egress || j < n_cur) {
		if (j == n_cur || (i < want->n_egress &&
				   want->egress[i].from <= current->egress[j].from)) {
			if (j < n_cur && current->egress[j].from == want->egress[i].from)
				j++;
			map[n++] = want->egress[i++];
		} else {
			map[n++] = (struct vt_qos_entry){ current->egress[j++].from, 0 };
		}
		if (map[n - 1].to > VT_PCP_MAX) {
			free(map);
			return -EINVAL;
		}
	}
	*out = map;
	*n_out = n;
	return 0;
}

static int put_egress(struct rtnl_link *rl, const struct vt_qos_entry *map, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rtnl_link_vlan_set_egress_map(rl, map[i].from, (int)map[i].to) < 0)
			return -ENOMEM;
	return 0;
}

/*
 * libnl-route builds a link request in a message of its default size (a
 * page), and its VLAN encoder (3.7 at least) does not say when that runs
 * out: vlan_put_attrs() returns 0 from its failure label, leaving out the
 * mappings that did not fit and their nests open, and the kernel refuses
 * what is left (ERANGE on create, EOPNOTSUPP on change). About 330 egress
 * mappings fit a page. The default size is the one knob libnl's builders
 * have: it is set for the message at hand (process-wide, and vlantrunk
 * builds from one thread), then put back to libnl's own default.
 */
static void make_room(size_t n_egress)
{
	nlmsg_set_default_size(VT_NL_MSG_BASE + n_egress * VT_NL_QOS_MAPPING_SIZE);
}

static void unmake_room(void)
{
	nlmsg_set_default_size((size_t)getpagesize());
}

static struct nlattr *nested(struct nlattr *nest, int type)
{
	return nest ? nla_find(nla_data(nest), nla_len(nest), type) : NULL;
}

/*
 * libnl-route before 3.12 numbers each QoS mapping with its loop index
 * instead of IFLA_VLAN_QOS_MAPPING, and the kernel skips mappings of any
 * other type without a word: give every mapping its proper type. Harmless
 * where libnl already got it right.
 *
 * And a message libnl cut short is no request: every one of the @n_egress
 * egress mappings must be in IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VLAN_EGRESS_QOS
 * (a nest left open holds nothing), and there must be room left for one
 * more mapping (libnl stops at the first attribute that does not fit).
 */
static int seal(struct nl_msg *msg, size_t n_egress)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *linkinfo = nlmsg_find_attr(nlh, sizeof(struct ifinfomsg), IFLA_LINKINFO);
	struct nlattr *data = nested(linkinfo, IFLA_INFO_DATA);
	const int maps[] = { IFLA_VLAN_INGRESS_QOS, IFLA_VLAN_EGRESS_QOS };
	size_t egress = 0;

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct nlattr *map = nested(data, maps[i]), *entry;
		int rem;

		if (!map)
			continue;
		nla_for_each_nested(entry, map, rem) {
			entry->nla_type = IFLA_VLAN_QOS_MAPPING;
			egress += maps[i] == IFLA_VLAN_EGRESS_QOS;
		}
	}
	if (egress != n_egress || nlh->nlmsg_len + VT_NL_QOS_MAPPING_SIZE > nlmsg_get_max_size(msg))
		return -EMSGSIZE;
	return 0;
}

/* Everything @spec sets, with @egress (this message's share of the egress map). */
static int fill(struct rtnl_link *rl, const struct vt_link_spec *spec, bool create,
		const struct vt_qos_entry *egress, size_t n_egress)
{
	const struct vt_link *want = &spec->link;
	uint32_t f = spec->fields;
	int ret = 0;

	if (f & VT_F_NAME)
		rtnl_link_set_name(rl, want->name);
	if (f & VT_F_PARENT)
		rtnl_link_set_link(rl, want->parent);
	if (f & VT_F_MTU)
		rtnl_link_set_mtu(rl, want->mtu);
	if (f & VT_F_UP) {
		if (want->up)
			rtnl_link_set_flags(rl, IFF_UP);
		else
			rtnl_link_unset_flags(rl, IFF_UP);
	}
	if (f & VT_F_MASTER)
		rtnl_link_set_master(rl, want->master);
	if (f & VT_F_ALIAS)
		rtnl_link_set_ifalias(rl, vt_link_alias(want));
	if (f & VT_F_GROUP)
		rtnl_link_set_group(rl, want->group);
	/* IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE */
	if ((f & VT_F_ADDR_GEN_MODE) &&
	    rtnl_link_inet6_set_addr_gen_mode(rl, want->ipv6.addr_gen_mode) < 0)
		return -ENOMEM;
	if (f & VT_F_MAC) {
		struct nl_addr *addr = nl_addr_build(AF_LLC, want->mac, VT_MAC_LEN);

		if (!addr)
			return -ENOMEM;
		rtnl_link_set_addr(rl, addr);
		nl_addr_put(addr);
	}

	if (!(f & VT_F_VLAN_INFO))
		return 0;
	if (f & VT_F_VLAN_ID)
		rtnl_link_vlan_set_id(rl, want->vlan.id);
	if (f & VT_F_PROTOCOL)
		rtnl_link_vlan_set_protocol(rl, htons(want->vlan.protocol));
	if (f & VT_F_VLAN_FLAGS) {
		uint32_t mask = spec->vlan_flags_mask & VT_VLAN_FLAGS_ALL;

		if (want->vlan.flags & mask)
			rtnl_link_vlan_set_flags(rl, want->vlan.flags & mask);
		if (~want->vlan.flags & mask)
			rtnl_link_vlan_unset_flags(rl, ~want->vlan.flags & mask);
	}
	if (f & VT_F_INGRESS)
		ret = put_ingress(rl, &want->vlan, !create);
	if (!ret && (f & VT_F_EGRESS))
		ret = put_egress(rl, egress, n_egress);
	return ret;
}

/* libnl builds @rl (a create, or with @orig a change) into a message vlantrunk sized and checks. */
static int build(struct rtnl_link *orig, struct rtnl_link *rl, size_t n_egress,
		 struct nl_msg **out)
{
	int ret;

	make_room(n_egress);
	if (orig)
		ret = rtnl_link_build_change_request(orig, rl, 0, out);
	else
		ret = rtnl_link_build_add_request(rl, NLM_F_CREATE | NLM_F_EXCL, out);
	unmake_room();
	ret = vt_nl_errno(ret);
	if (!ret && (ret = seal(*out, n_egress)) < 0) {
		nlmsg_free(*out);
		*out = NULL;
	}
	return ret;
}

/* The create itself, with the first @n_egress mappings of its map. */
static int build_create(const struct vt_link_spec *spec, const struct vt_qos_entry *egress,
			size_t n_egress, struct nl_msg **out)
{
	struct rtnl_link *rl = rtnl_link_vlan_alloc();
	int ret;

	if (!rl)
		return -ENOMEM;
	/* The kernel takes a chosen ifindex, so an inner VLAN can name its
	 * outer one in the same batch. */
	if (spec->link.ifindex)
		rtnl_link_set_ifindex(rl, spec->link.ifindex);
	ret = fill(rl, spec, true, egress, n_egress);
	if (!ret)
		ret = build(NULL, rl, n_egress, out);
	rtnl_link_put(rl);
	return ret;
}

/*
 * A change of the device @spec names, by ifindex or else by name: of the
 * fields @fields (of spec->fields), with @egress. A kind in the request makes
 * the kernel refuse VLAN data for a non-VLAN, so only VLAN fields bring one.
 */
static int build_change(const struct vt_link_spec *spec, uint32_t fields,
			const struct vt_qos_entry *egress, size_t n_egress, struct nl_msg **out)
{
	struct vt_link_spec part = { .fields = fields, .vlan_flags_mask = spec->vlan_flags_mask };
	struct rtnl_link *orig = rtnl_link_alloc();
	struct rtnl_link *rl = (fields & VT_F_VLAN_INFO) ? rtnl_link_vlan_alloc() : rtnl_link_alloc();
	int ret = -ENOMEM;

	if (!orig || !rl)
		goto out;
	part.link = spec->link;
	if (spec->link.ifindex)
		rtnl_link_set_ifindex(orig, spec->link.ifindex);
	else
		rtnl_link_set_name(rl, spec->link.name);
	ret = fill(rl, &part, false, egress, n_egress);
	if (!ret)
		ret = build(orig, rl, n_egress, out);
out:
	rtnl_link_put(rl);
	rtnl_link_put(orig);
	return ret;
}

/*
 * The messages of one request. An egress map longer than one message holds
 * (VT_NL_EGRESS_PER_MSG) goes on in changes of the same device after the
 * first message: the kernel applies a change's egress mappings one by one
 * into what the device has (vlan_changelink() -> vlan_dev_set_egress_priority()),
 * so several changes do what one would. Those name the device as the request
 * does: by its ifindex, else by its name (a create's, or a change's that
 * does not rename).
 */
static int build_request(const struct vt_link_spec *spec, const struct vt_link *current,
			 bool create, struct vt_nl_msgs *out)
{
	struct vt_qos_entry *egress = NULL;
	size_t n_egress = 0, n_msgs, first;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (spec->fields & VT_F_EGRESS)
		ret = egress_wire(&spec->link.vlan, current ? &current->vlan : NULL, &egress,
				  &n_egress);
	if (ret < 0)
		return ret;
	n_msgs = n_egress ? (n_egress + VT_NL_EGRESS_PER_MSG - 1) / VT_NL_EGRESS_PER_MSG : 1;
	out->msg = calloc(n_msgs, sizeof(*out->msg));
	if (!out->msg) {
		ret = -ENOMEM;
		goto out;
	}
	first = n_egress < VT_NL_EGRESS_PER_MSG ? n_egress : VT_NL_EGRESS_PER_MSG;
	if (create)
		ret = build_create(spec, egress, first, &out->msg[0]);
	else
		ret = build_change(spec, spec->fields, egress, first, &out->msg[0]);
	out->n = ret < 0 ? 0 : 1;
	for (size_t off = first; !ret && off < n_egress; off += VT_NL_EGRESS_PER_MSG) {
		size_t n = n_egress - off < VT_NL_EGRESS_PER_MSG ? n_egress - off : VT_NL_EGRESS_PER_MSG;

		ret = build_change(spec, VT_F_EGRESS, egress + off, n, &out->msg[out->n]);
		if (!ret)
			out->n++;
	}
out:
	free(egress);
	if (ret < 0)
		vt_nl_msgs_free(out);
	return ret;
}

void vt_nl_msgs_free(struct vt_nl_msgs *msgs)
{
	for (size_t i = 0; i < msgs->n; i++)
		nlmsg_free(msgs->msg[i]);
	free(msgs->msg);
	msgs->msg = NULL;
	msgs->n = 0;
}

int vt_nl_build_create(const struct vt_link_spec *spec, struct vt_nl_msgs *out)
{
	const uint32_t required = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID;

	memset(out, 0, sizeof(*out));
	/* Linux 6.1 refuses an address generation mode in a create (EAFNOSUPPORT). */
	if ((spec->fields & required) != required ||
	    (spec->fields & (VT_F_ALIAS | VT_F_ADDR_GEN_MODE)))
		return -EINVAL;
	return build_request(spec, NULL, true, out);
}

int vt_nl_build_create_plain(const char *name, const char *kind, struct nl_msg **out)
{
	struct rtnl_link *rl;
	int ret;

	if (!name || !name[0] || strlen(name) >= VT_IFNAMSIZ || !kind || !kind[0])
		return -EINVAL;
	rl = rtnl_link_alloc();
	if (!rl)
		return -ENOMEM;
	rtnl_link_set_name(rl, name);
	ret = vt_nl_errno(rtnl_link_set_type(rl, kind));
	if (!ret)
		ret = vt_nl_errno(rtnl_link_build_add_request(rl, NLM_F_CREATE | NLM_F_EXCL, out));
	rtnl_link_put(rl);
	return ret;
}

int vt_nl_build_change(const struct vt_link *current, const struct vt_link_spec *spec,
		       struct vt_nl_msgs *out)
{
	const uint32_t create_only = VT_F_PARENT | VT_F_VLAN_ID | VT_F_PROTOCOL;
	const struct vt_link *want = &spec->link;

	memset(out, 0, sizeof(*out));
	if (spec->fields & create_only)
		return -EINVAL;
	if (!want->ifindex && (!want->name[0] || (spec->fields & VT_F_NAME)))
		return -EINVAL;
	if ((spec->fields & VT_F_EGRESS) && !current)
		return -EINVAL;
	if ((spec->fields & VT_F_ADDR_GEN_MODE) && spec->link.ipv6.addr_gen_mode > VT_ADDR_GEN_MAX)
		return -EINVAL;
	return build_request(spec, current, false, out);
}

int vt_nl_build_delete(int ifindex, const char *name, struct nl_msg **out)
{
	struct rtnl_link *rl;
	int ret;

	if (!ifindex && (!name || !name[0]))
		return -EINVAL;
	rl = rtnl_link_alloc();
	if (!rl)
		return -ENOMEM;
	if (ifindex)
		rtnl_link_set_ifindex(rl, ifindex);
	else
		rtnl_link_set_name(rl, name);
	ret = vt_nl_errno(rtnl_link_build_delete_request(rl, out));
	rtnl_link_put(rl);
	return ret;
}

int vt_nl_build_delete_group(uint32_t group, struct nl_msg **out)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;

	/* The kernel refuses group 0, which every device starts in. */
	if (!group)
		return -EINVAL;
	/* libnl's delete request names one device; this one names none. */
	msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_GROUP, group) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	*out = msg;
	return 0;
}
