/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the planner's files only. */
#ifndef VT_PLAN_INTERNAL_H
#define VT_PLAN_INTERNAL_H

#include "vt_plan.h"

/**
 * vt_link_diff - enum vt_diff bits in which @have differs from @want,
 * leaving out the bits of @ignore. A MAC is compared only when @want has one.
 */
uint32_t vt_link_diff(const struct vt_link *want, const struct vt_link *have, uint32_t ignore);

/**
 * vt_spec_create - a create request for all of @want; MTU, MAC and group only
 * when @optional has VT_F_MTU / VT_F_MAC / VT_F_GROUP; the master when @want
 * has one.
 * The spec borrows @want's egress map.
 */
void vt_spec_create(const struct vt_link *want, uint32_t optional, struct vt_link_spec *spec);

/** vt_spec_change - a change of device @ifindex for the bits of @differs. */
void vt_spec_change(const struct vt_link *want, uint32_t differs, int ifindex,
		    struct vt_link_spec *spec);

/** vt_target_link - the device @t describes; it borrows the subport's egress map. */
void vt_target_link(const struct vt_subport_target *t, struct vt_link *link);

/** vt_subport_diff - enum vt_diff bits in which @have differs from @t. */
uint32_t vt_subport_diff(const struct vt_subport_target *t, const struct vt_link *have);

/** vt_subport_spec_create - the whole device, for a create (parent by name, elsewhere). */
void vt_subport_spec_create(const struct vt_subport_target *t, struct vt_link_spec *spec);

/** vt_subport_spec_change - only what @differs names, for a change of @have. */
void vt_subport_spec_change(const struct vt_subport_target *t, uint32_t differs,
			    const struct vt_link *have, struct vt_link_spec *spec);

/** vt_marker_format - "vlantrunk:<trunk>" into @alias. */
void vt_marker_format(char alias[VT_ALIAS_MAX + 1], const char *trunk);

#endif
