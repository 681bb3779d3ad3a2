/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A device against what it should be (a desired subport, or a journal's
 * before-image): which fields differ (enum vt_diff), and how each reads in a
 * report: its name, stable as --json relies on it, and its two values.
 */
#include <stdio.h>
#include <string.h>

#include "plan_internal.h"

static const struct {
	uint32_t flag;
	enum vt_diff diff;
} vlan_flag_diffs[] = {
	{ VT_VLAN_REORDER_HDR, VT_D_REORDER_HDR },
	{ VT_VLAN_GVRP, VT_D_GVRP },
	{ VT_VLAN_LOOSE_BINDING, VT_D_LOOSE_BINDING },
	{ VT_VLAN_MVRP, VT_D_MVRP },
	{ VT_VLAN_BRIDGE_BINDING, VT_D_BRIDGE_BINDING },
};

uint32_t vt_diff_vlan_flags(uint32_t differs)
{
	uint32_t flags = 0;

	for (size_t i = 0; i < sizeof(vlan_flag_diffs) / sizeof(vlan_flag_diffs[0]); i++)
		if (differs & vlan_flag_diffs[i].diff)
			flags |= vlan_flag_diffs[i].flag;
	return flags;
}

static bool egress_equal(const struct vt_vlan *a, const struct vt_vlan *b)
{
	return a->n_egress == b->n_egress &&
	       (!a->n_egress || !memcmp(a->egress, b->egress, a->n_egress * sizeof(*a->egress)));
}

uint32_t vt_diff_link(const struct vt_link *want, const struct vt_link *have, uint32_t ignore)
{
	uint32_t d = 0;

	if (strcmp(vt_link_alias(have), vt_link_alias(want)))
		d |= VT_D_OWNER;
	if (strcmp(have->name, want->name))
		d |= VT_D_NAME;
	if (!have->is_vlan)
		return (d | VT_D_KIND) & ~ignore;
	if (have->parent != want->parent || have->parent_ns != want->parent_ns)
		d |= VT_D_PARENT;
	if (have->vlan.id != want->vlan.id)
		d |= VT_D_VLAN;
	if (have->vlan.protocol != want->vlan.protocol)
		d |= VT_D_PROTOCOL;
	for (size_t i = 0; i < sizeof(vlan_flag_diffs) / sizeof(vlan_flag_diffs[0]); i++)
		if ((have->vlan.flags ^ want->vlan.flags) & vlan_flag_diffs[i].flag)
			d |= vlan_flag_diffs[i].diff;
	if (!vt_vlan_same_ingress(&have->vlan, &want->vlan))
		d |= VT_D_INGRESS;
	if (!egress_equal(&want->vlan, &have->vlan))
		d |= VT_D_EGRESS;
	if (have->mtu != want->mtu)
		d |= VT_D_MTU;
	if (want->has_mac && memcmp(have->mac, want->mac, VT_MAC_LEN))
		d |= VT_D_MAC;
	if (have->up != want->up)
		d |= VT_D_UP;
	if (have->master != want->master)
		d |= VT_D_MASTER;
	/* Only where both have IPv6 state: a journal's image without any restores none. */
	if (want->ipv6.present && have->ipv6.present &&
	    (have->ipv6.addr_gen_mode != want->ipv6.addr_gen_mode ||
	     have->ipv6.disabled != want->ipv6.disabled))
		d |= VT_D_IPV6;
	return d & ~ignore;
}

/*
 * "5:5 7:1", or for a map longer than @len holds (up to 4096 entries) as
 * many whole entries as fit and how many there are: "0:1 1:2 ... (4096
 * entries)". Never cut inside an entry.
 */
static void put_egress(char *buf, size_t len, const struct vt_qos_entry *map, size_t n)
{
	char tail[40];
	size_t off = 0, need = 0, room = len;

	if (!n) {
		snprintf(buf, len, "none");
		return;
	}
	for (size_t i = 0; i < n && need < len; i++)
		need += (size_t)snprintf(NULL, 0, "%s%u:%u", i ? " " : "", map[i].from, map[i].to);
	snprintf(tail, sizeof(tail), " ... (%zu entries)", n);
	if (need >= len)
		room = len > strlen(tail) ? len - strlen(tail) : 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(NULL, 0, "%s%u:%u", i ? " " : "", map[i].from, map[i].to);

		if (off + (size_t)w >= room)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s%u:%u", i ? " " : "", map[i].from,
					map[i].to);
	}
	if (need >= len)
		snprintf(buf + off, len - off, "%s", off ? tail : tail + 1);
}

/* @map: VT_PCP_MAX + 1 entries, or NULL for none mapped (struct vt_vlan's). */
static void put_ingress(char *buf, size_t len, const uint32_t *map)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int pcp = 0; map && pcp <= VT_PCP_MAX && off < len; pcp++)
		if (map[pcp])
			off += (size_t)snprintf(buf + off, len - off, "%s%d:%u", off ? " " : "",
						pcp, map[pcp]);
	if (!buf[0])
		snprintf(buf, len, "none");
}

static void put_ifname(char *buf, size_t len, const struct vt_link_table *links, uint16_t ns,
		       int ifindex)
{
	const struct vt_link *l = ifindex ? vt_link_table_find_ifindex(links, ns, ifindex) : NULL;

	if (!ifindex)
		snprintf(buf, len, "none");
	else if (l)
		snprintf(buf, len, "%s", l->name);
	else
		snprintf(buf, len, "ifindex %d", ifindex);
}

/*
 * A device's parent. A trunk's parent is in the own namespace; one elsewhere
 * (moved there by hand, its VLANs left where they were) says where it is.
 */
static void put_parent(char *buf, size_t len, const struct vt_link_table *links, uint16_t ns,
		       int ifindex)
{
	const struct vt_netns_name *where = vt_link_table_netns_slot(links, ns);
	size_t n;

	put_ifname(buf, len, links, ns, ifindex);
	n = strlen(buf);
	if (ifindex && ns != VT_NS_OWN && where && n < len)
		snprintf(buf + n, len - n, " in netns %s", where->path);
}

static void put_mac(char *buf, size_t len, const uint8_t *mac)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static void put_protocol(char *buf, size_t len, uint16_t protocol)
{
	const char *name = vt_protocol_name(protocol);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "0x%04x", protocol);
}

/*
 * The address generation mode and disable_ipv6: "eui64 enabled", "none
 * disabled", ...; "absent" without IPv6 state. No comma: a list of changes
 * is separated by commas.
 */
static void put_ipv6(char *buf, size_t len, const struct vt_ipv6 *ipv6)
{
	const char *mode = vt_addr_gen_mode_name(ipv6->addr_gen_mode);
	const char *state = ipv6->disabled ? "disabled" : "enabled";

	if (!ipv6->present)
		snprintf(buf, len, "absent");
	else if (mode)
		snprintf(buf, len, "%s %s", mode, state);
	else
		snprintf(buf, len, "mode%u %s", ipv6->addr_gen_mode, state);
}

void vt_diff_values(enum vt_diff bit, const struct vt_subport_report *rep,
		    const struct vt_link_table *links, char *old, char *want, size_t len)
{
	const struct vt_link *h = rep->have;
	const struct vt_subport_target *t = &rep->target;
	const struct vt_subport *sp = rep->want;
	const char *owner;

	snprintf(old, len, "-");
	snprintf(want, len, "-");
	if (!h || !sp)
		return;
	switch (bit) {
	case VT_D_KIND:
		snprintf(old, len, "%s", h->kind[0] ? h->kind : "none");
		snprintf(want, len, "vlan");
		break;
	case VT_D_PARENT:
		put_parent(old, len, links, h->parent_ns, h->parent);
		snprintf(want, len, "%s", t->parent_name);
		break;
	case VT_D_VLAN:
		snprintf(old, len, "%u", h->vlan.id);
		snprintf(want, len, "%u", sp->vlan);
		break;
	case VT_D_PROTOCOL:
		put_protocol(old, len, h->vlan.protocol);
		put_protocol(want, len, sp->protocol);
		break;
	case VT_D_REORDER_HDR:
	case VT_D_GVRP:
	case VT_D_LOOSE_BINDING:
	case VT_D_MVRP:
	case VT_D_BRIDGE_BINDING:
		for (size_t i = 0; i < sizeof(vlan_flag_diffs) / sizeof(vlan_flag_diffs[0]); i++) {
			if (vlan_flag_diffs[i].diff != bit)
				continue;
			snprintf(old, len, "%s", h->vlan.flags & vlan_flag_diffs[i].flag ? "true" : "false");
			snprintf(want, len, "%s", sp->vlan_flags & vlan_flag_diffs[i].flag ? "true" : "false");
		}
		break;
	case VT_D_INGRESS:
		put_ingress(old, len, h->vlan.ingress);
		put_ingress(want, len, sp->ingress);
		break;
	case VT_D_EGRESS:
		put_egress(old, len, h->vlan.egress, h->vlan.n_egress);
		put_egress(want, len, sp->egress, sp->n_egress);
		break;
	case VT_D_MTU:
		snprintf(old, len, "%u", h->mtu);
		snprintf(want, len, "%u", sp->mtu);
		break;
	case VT_D_MAC:
		put_mac(old, len, h->mac);
		put_mac(want, len, sp->mac);
		break;
	case VT_D_UP:
		snprintf(old, len, "%s", h->up ? "up" : "down");
		snprintf(want, len, "%s", t->up ? "up" : "down");
		break;
	case VT_D_MASTER:
		put_ifname(old, len, links, h->ns, h->master);
		snprintf(want, len, "%s", sp->managed & VT_SP_MASTER ? sp->master : "none");
		break;
	case VT_D_OWNER:
		owner = vt_marker_owner(vt_link_alias(h));
		snprintf(old, len, "%s", owner ? owner : "unmanaged");
		snprintf(want, len, "%s", t->trunk);
		break;
	case VT_D_NAME:
		snprintf(old, len, "%s", h->name);
		snprintf(want, len, "%s", sp->name);
		break;
	case VT_D_IPV6:
		put_ipv6(old, len, &h->ipv6);
		snprintf(want, len, "%s", sp->ipv6 ? "true" : "false");
		break;
	}
}

const char *vt_diff_name(enum vt_diff bit)
{
	switch (bit) {
	case VT_D_KIND: return "kind";
	case VT_D_PARENT: return "parent";
	case VT_D_VLAN: return "vlan";
	case VT_D_PROTOCOL: return "protocol";
	case VT_D_REORDER_HDR: return "reorder_hdr";
	case VT_D_GVRP: return "gvrp";
	case VT_D_LOOSE_BINDING: return "loose_binding";
	case VT_D_MVRP: return "mvrp";
	case VT_D_BRIDGE_BINDING: return "bridge_binding";
	case VT_D_INGRESS: return "ingress_qos";
	case VT_D_EGRESS: return "egress_qos";
	case VT_D_MTU: return "mtu";
	case VT_D_MAC: return "mac";
	case VT_D_UP: return "up";
	case VT_D_MASTER: return "master";
	case VT_D_OWNER: return "owner";
	case VT_D_NAME: return "name";
	case VT_D_IPV6: return "ipv6";
	}
	return "?";
}
