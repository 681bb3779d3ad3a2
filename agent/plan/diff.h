/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff.h - a device against what it should be: the enum vt_diff fields in
 * which they differ. For the planner, and for the code that compares a
 * device with a journal's image of it: the engine and recovery (txn/), and
 * the run's check of a kept journal (run/world.c). Everything else reads
 * differences from a plan's reports (vt_plan.h).
 */
#ifndef VT_PLAN_DIFF_H
#define VT_PLAN_DIFF_H

#include <stdint.h>

#include "vt_link.h"
#include "vt_plan.h"

/**
 * vt_diff_link - enum vt_diff bits in which @have differs from @want,
 * leaving out the bits of @ignore. A MAC is compared only when @want has one.
 */
uint32_t vt_diff_link(const struct vt_link *want, const struct vt_link *have, uint32_t ignore);

/** vt_diff_vlan_flags - the VT_VLAN_* flags the vt_diff bits of @differs name. */
uint32_t vt_diff_vlan_flags(uint32_t differs);

#endif
