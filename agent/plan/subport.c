/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A desired subport, its names resolved (struct vt_subport_target), as the
 * device it should be: what differs on the kernel's device, and the create
 * or change request. Unmanaged settings (an unset mtu or mac) never differ.
 */
#include <stdio.h>
#include <string.h>

#include "plan_internal.h"

/* The device @t describes; it borrows the subport's QoS maps. */
static void target_link(const struct vt_subport_target *t, struct vt_link *link)
{
	const struct vt_subport *sp = t->sp;

	memset(link, 0, sizeof(*link));
	/* Planned only when its namespace is there; its parent is always in the own one. */
	link->ns = t->ns > 0 ? (uint16_t)t->ns : VT_NS_OWN;
	link->parent_ns = VT_NS_OWN;
	link->link_netnsid = -1;
	/* Both fit (the desired state's names are checked): copies, not snprintf,
	 * which was most of a no-op's planning per subport. */
	memcpy(link->name, sp->name, strnlen(sp->name, sizeof(link->name) - 1));
	memcpy(link->kind, "vlan", sizeof("vlan"));
	link->parent = t->parent;
	link->is_vlan = true;
	link->vlan.id = sp->vlan;
	link->vlan.protocol = sp->protocol;
	link->vlan.flags = sp->vlan_flags;
	/* Borrowed too: NULL when it maps nothing, as a decoded link's. */
	link->vlan.ingress = sp->ingress;
	/* Borrowed: the desired state outlives every plan made from it. */
	link->vlan.egress = sp->egress;
	link->vlan.n_egress = sp->n_egress;
	link->mtu = sp->mtu;
	memcpy(link->mac, sp->mac, VT_MAC_LEN);
	link->has_mac = sp->managed & VT_SP_MAC;
	link->up = t->up;
	link->master = t->master;
	link->alias = t->marker;	/* borrowed: the plan's (vt_plan.markers) */
	/*
	 * ipv6 false: what the device must hold. ipv6 true: the kernel's own
	 * defaults, which the namespace may set otherwise (the engine asks it);
	 * not a state to compare with, see ipv6_differs().
	 */
	link->ipv6.present = !sp->ipv6;
	link->ipv6.addr_gen_mode = sp->ipv6 ? VT_ADDR_GEN_EUI64 : VT_ADDR_GEN_NONE;
	link->ipv6.disabled = !sp->ipv6;
}

/*
 * subport.ipv6 against the device's IPv6 state. Without any (an MTU below
 * 1280, or no IPv6 in the kernel), or with a desired MTU that takes it below,
 * there is nothing to differ. true asks only that addresses be generated.
 */
static bool ipv6_differs(const struct vt_subport *sp, const struct vt_link *have)
{
	if (!have->ipv6.present || ((sp->managed & VT_SP_MTU) && sp->mtu < VT_IPV6_MIN_MTU))
		return false;
	if (sp->ipv6)
		return have->ipv6.addr_gen_mode == VT_ADDR_GEN_NONE;
	return have->ipv6.addr_gen_mode != VT_ADDR_GEN_NONE || !have->ipv6.disabled;
}

static uint32_t unmanaged(const struct vt_subport_target *t)
{
	return (t->sp->managed & VT_SP_MTU ? 0 : VT_D_MTU) |
	       (t->sp->managed & VT_SP_MAC ? 0 : VT_D_MAC) |
	       /* a parent yet to be created is compared by the planner */
	       (t->parent ? 0 : VT_D_PARENT);
}

uint32_t vt_subport_diff(const struct vt_subport_target *t, const struct vt_link *have)
{
	struct vt_link want;

	target_link(t, &want);
	return vt_diff_link(&want, have, unmanaged(t) | VT_D_IPV6) |
	       (ipv6_differs(t->sp, have) ? VT_D_IPV6 : 0);
}

void vt_subport_spec_create(const struct vt_subport_target *t, struct vt_link_spec *spec)
{
	struct vt_link want;

	target_link(t, &want);
	vt_spec_create(&want, (t->sp->managed & VT_SP_MTU ? VT_F_MTU : 0) |
			      (t->sp->managed & VT_SP_MAC ? VT_F_MAC : 0), spec);
	/*
	 * The kernel takes no address generation mode at creation: the engine
	 * sets it (and disable_ipv6) before the device is first up. A device
	 * below an MTU of 1280 has no IPv6 state to set; an unknown MTU is a
	 * VLAN's usual one, its parent's.
	 */
	if (!t->sp->ipv6 && (!t->mtu || t->mtu >= VT_IPV6_MIN_MTU))
		spec->fields |= VT_F_ADDR_GEN_MODE;
}

void vt_subport_spec_change(const struct vt_subport_target *t, uint32_t differs,
			    const struct vt_link *have, struct vt_link_spec *spec)
{
	struct vt_link want;

	target_link(t, &want);
	vt_spec_change(&want, differs, have->ifindex, spec);
	/* Raised from below 1280, the MTU makes IPv6 state anew from the namespace's
	 * defaults: with ipv6 false it is turned off again, before the device is up. */
	if (!t->sp->ipv6 && (differs & VT_D_MTU) && have->mtu < VT_IPV6_MIN_MTU &&
	    want.mtu >= VT_IPV6_MIN_MTU)
		spec->fields |= VT_F_ADDR_GEN_MODE;
}

const char *vt_subport_state_name(enum vt_subport_state state)
{
	switch (state) {
	case VT_SP_IN_SYNC: return "in_sync";
	case VT_SP_MISSING: return "missing";
	case VT_SP_DIFFERS: return "differs";
	case VT_SP_CONFLICT: return "conflict";
	case VT_SP_ADOPTABLE: return "adoptable";
	case VT_SP_BLOCKED: return "blocked";
	}
	return "?";
}
