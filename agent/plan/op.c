/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One planned operation (struct vt_op): what the engine must know of it beyond its request. */
#include "plan_internal.h"

bool vt_op_ipv6_cycle(const struct vt_op *op)
{
	return op->kind == VT_OP_CHANGE && (op->after.fields & VT_F_ADDR_GEN_MODE) &&
	       (op->after.fields & VT_F_MTU) && op->before->up &&
	       op->before->mtu < VT_IPV6_MIN_MTU && op->after.link.mtu >= VT_IPV6_MIN_MTU &&
	       (!(op->after.fields & VT_F_UP) || op->after.link.up);
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
