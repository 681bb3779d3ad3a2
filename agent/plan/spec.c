/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The request that makes a device what it should be (struct vt_link_spec):
 * all of it for a create, only the fields that differ for a change.
 */
#include <string.h>

#include "plan_internal.h"

void vt_spec_create(const struct vt_link *want, uint32_t optional, struct vt_link_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->link = *want;
	spec->fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID | VT_F_PROTOCOL |
		       VT_F_VLAN_FLAGS | VT_F_INGRESS | VT_F_EGRESS | VT_F_UP | VT_F_ALIAS |
		       (optional & (VT_F_MTU | VT_F_MAC | VT_F_GROUP));
	spec->vlan_flags_mask = VT_VLAN_FLAGS_ALL;
	if (want->master)
		spec->fields |= VT_F_MASTER;
}

void vt_spec_change(const struct vt_link *want, uint32_t differs, int ifindex,
		    struct vt_link_spec *spec)
{
	static const struct {
		uint32_t diff, field;
	} fields[] = {
		{ VT_D_NAME, VT_F_NAME }, { VT_D_INGRESS, VT_F_INGRESS },
		{ VT_D_EGRESS, VT_F_EGRESS }, { VT_D_MTU, VT_F_MTU }, { VT_D_MAC, VT_F_MAC },
		{ VT_D_UP, VT_F_UP }, { VT_D_MASTER, VT_F_MASTER }, { VT_D_OWNER, VT_F_ALIAS },
		{ VT_D_IPV6, VT_F_ADDR_GEN_MODE },
	};

	memset(spec, 0, sizeof(*spec));
	spec->link = *want;
	spec->link.ifindex = ifindex;
	spec->vlan_flags_mask = vt_diff_vlan_flags(differs);
	if (spec->vlan_flags_mask)
		spec->fields |= VT_F_VLAN_FLAGS;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (differs & fields[i].diff)
			spec->fields |= fields[i].field;
}
