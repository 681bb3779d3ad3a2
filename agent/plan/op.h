/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * op.h - what the engine must know of a planned operation (struct vt_op)
 * beyond its request. For the planner and the engine
 * (txn/engine_stages.c).
 */
#ifndef VT_PLAN_OP_H
#define VT_PLAN_OP_H

#include <stdbool.h>

#include "vt_plan.h"

/**
 * vt_op_ipv6_cycle - whether @op sets its device down and up again for IPv6:
 * a change that raises the MTU of a device that is up, and stays up, from
 * below 1280 to 1280 or more while turning IPv6 off. The kernel makes IPv6
 * state anew at that MTU, and on a device that is up a link-local address
 * at once: so down, MTU, IPv6 off, then up.
 */
bool vt_op_ipv6_cycle(const struct vt_op *op);

#endif
