/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Requests as libnl-route builds them: struct vt_link_spec in, RTM_NEWLINK
 * or RTM_DELLINK out. Only the fields a spec sets reach the message.
 */
#include <arpa/inet.h>
#include <errno.h>
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
#include <netlink/route/link/vlan.h>

#include "nl_internal.h"

#define VT_F_VLAN_INFO (VT_F_VLAN_ID | VT_F_PROTOCOL | VT_F_VLAN_FLAGS | \
			VT_F_INGRESS | VT_F_EGRESS)

static int put_ingress(struct rtnl_link *rl, const struct vt_vlan *want, bool all)
{
	for (int pcp = 0; pcp <= VT_PCP_MAX; pcp++) {
		/* A mapping to 0 is how the kernel clears one. */
		if (!all && !want->ingress[pcp])
			continue;
		if (rtnl_link_vlan_set_ingress_map(rl, pcp, want->ingress[pcp]) < 0)
			return -EINVAL;
	}
	return 0;
}

/*
 * The kernel merges egress entries into what the device has: keys that
 * @current has and @want lacks must be sent mapping to 0 to go away.
 * Returns how many mappings were put, or a negative errno.
 */
static int put_egress(struct rtnl_link *rl, const struct vt_vlan *want,
		      const struct vt_vlan *current)
{
	size_t i = 0, j = 0, put = 0;
	size_t n_cur = current ? current->n_egress : 0;

	while (i < want->n_egress || j < n_cur) {
		uint32_t from;
		int to;

		if (j == n_cur || (i < want->n_egress &&
				   want->egress[i].from <= current->egress[j].from)) {
			from = want->egress[i].from;
			to = (int)want->egress[i].to;
			if (j < n_cur && current->egress[j].from == from)
				j++;
			i++;
		} else {
			from = current->egress[j++].from;
			to = 0;
		}
		if (to < 0 || to > VT_PCP_MAX)
			return -EINVAL;
		if (++put > VT_NL_EGRESS_PER_MSG)
			return -EMSGSIZE;
		if (rtnl_link_vlan_set_egress_map(rl, from, to) < 0)
			return -ENOMEM;
	}
	return (int)put;
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

/* Returns how many egress mappings went in, or a negative errno. */
static int fill(struct rtnl_link *rl, const struct vt_link_spec *spec,
		const struct vt_link *current, bool create)
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
		rtnl_link_set_ifalias(rl, want->alias);
	if (f & VT_F_GROUP)
		rtnl_link_set_group(rl, want->group);
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
		ret = put_egress(rl, &want->vlan, current ? &current->vlan : NULL);
	return ret;
}

int vt_nl_build_create(const struct vt_link_spec *spec, struct nl_msg **out)
{
	const uint32_t required = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID;
	struct rtnl_link *rl;
	int ret, n_egress;

	if ((spec->fields & required) != required || (spec->fields & VT_F_ALIAS))
		return -EINVAL;
	rl = rtnl_link_vlan_alloc();
	if (!rl)
		return -ENOMEM;
	/* The kernel takes a chosen ifindex, so an inner VLAN can name its
	 * outer one in the same batch. */
	if (spec->link.ifindex)
		rtnl_link_set_ifindex(rl, spec->link.ifindex);
	n_egress = fill(rl, spec, NULL, true);
	ret = n_egress < 0 ? n_egress : 0;
	if (!ret) {
		make_room((size_t)n_egress);
		ret = vt_nl_errno(rtnl_link_build_add_request(rl, NLM_F_CREATE | NLM_F_EXCL, out));
		unmake_room();
	}
	if (!ret && (ret = seal(*out, (size_t)n_egress)) < 0) {
		nlmsg_free(*out);
		*out = NULL;
	}
	rtnl_link_put(rl);
	return ret;
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
		       struct nl_msg **out)
{
	const uint32_t create_only = VT_F_PARENT | VT_F_VLAN_ID | VT_F_PROTOCOL;
	const struct vt_link *want = &spec->link;
	struct rtnl_link *orig = NULL, *rl = NULL;
	int ret, n_egress;

	if (spec->fields & create_only)
		return -EINVAL;
	if (!want->ifindex && (!want->name[0] || (spec->fields & VT_F_NAME)))
		return -EINVAL;
	if ((spec->fields & VT_F_EGRESS) && !current)
		return -EINVAL;

	orig = rtnl_link_alloc();
	/* A kind in the request makes the kernel refuse VLAN data for a non-VLAN. */
	rl = (spec->fields & VT_F_VLAN_INFO) ? rtnl_link_vlan_alloc() : rtnl_link_alloc();
	if (!orig || !rl) {
		ret = -ENOMEM;
		goto out;
	}
	if (want->ifindex)
		rtnl_link_set_ifindex(orig, want->ifindex);
	else
		rtnl_link_set_name(rl, want->name);

	n_egress = fill(rl, spec, current, false);
	ret = n_egress < 0 ? n_egress : 0;
	if (!ret) {
		make_room((size_t)n_egress);
		ret = vt_nl_errno(rtnl_link_build_change_request(orig, rl, 0, out));
		unmake_room();
	}
	if (!ret && (ret = seal(*out, (size_t)n_egress)) < 0) {
		nlmsg_free(*out);
		*out = NULL;
	}
out:
	rtnl_link_put(rl);
	rtnl_link_put(orig);
	return ret;
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
