/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec.h - the request that makes a device what it should be (struct
 * vt_link_spec): all of it for a create, the fields that differ for a
 * change. For the planner, and for recovery (txn/restore.c and
 * txn/recreate.c), which puts a device back from a journal's image of it.
 */
#ifndef VT_PLAN_SPEC_H
#define VT_PLAN_SPEC_H

#include <stdint.h>

#include "vt_link.h"

/**
 * vt_spec_create - a create request for all of @want; MTU, MAC and group only
 * when @optional has VT_F_MTU / VT_F_MAC / VT_F_GROUP; the master when @want
 * has one.
 * The spec borrows @want's egress map.
 */
void vt_spec_create(const struct vt_link *want, uint32_t optional, struct vt_link_spec *spec);

/** vt_spec_change - a change of device @ifindex for the bits of @differs (enum vt_diff). */
void vt_spec_change(const struct vt_link *want, uint32_t differs, int ifindex,
		    struct vt_link_spec *spec);

#endif
