/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The names plans and statuses are reported with; stable, as --json relies on them. */
#include <stdio.h>
#include <string.h>

#include "vt_plan.h"

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

const char *vt_trunk_status_name(enum vt_trunk_status status)
{
	switch (status) {
	case VT_TRUNK_ACTIVE: return "ACTIVE";
	case VT_TRUNK_DOWN: return "DOWN";
	case VT_TRUNK_BUILD: return "BUILD";
	case VT_TRUNK_DEGRADED: return "DEGRADED";
	case VT_TRUNK_ERROR: return "ERROR";
	}
	return "?";
}

const char *vt_op_kind_name(enum vt_op_kind kind)
{
	switch (kind) {
	case VT_OP_DELETE: return "delete";
	case VT_OP_CHANGE: return "change";
	case VT_OP_RENAME: return "rename";
	case VT_OP_RECREATE: return "recreate";
	case VT_OP_CREATE: return "create";
	}
	return "?";
}

const char *vt_marker_owner(const char *alias)
{
	size_t n = strlen(VT_MARKER_PREFIX);

	if (strncmp(alias, VT_MARKER_PREFIX, n) || !alias[n])
		return NULL;
	return alias + n;
}
