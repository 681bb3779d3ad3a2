/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pick.h - what a transaction chooses before it sends anything: the
 * interface indexes of the devices it creates, and its own device group.
 * Both are journaled before the first request. For txn/ (and the tests).
 */
#ifndef VT_PICK_H
#define VT_PICK_H

#include <stdint.h>

#include "vt_link.h"

/*
 * Where a transaction's chosen interface indexes start: far above what the
 * kernel's allocator hands out (it counts up from its last automatic index,
 * and a chosen index does not move it), so an index picked, or freed, by a
 * transaction is not the next `ip link add`'s.
 */
#define VT_IFINDEX_BASE (1 << 24)
#define VT_IFINDEX_SPAN (1 << 29)

/**
 * vt_pick_ifindex - an ifindex no device in @links has, from *@next upwards;
 * when *@next is 0, from a random start at VT_IFINDEX_BASE or above.
 * Creating with a chosen ifindex lets later requests of a batch name the
 * device, and lets a journal identify it before it exists.
 */
int vt_pick_ifindex(const struct vt_link_table *links, int *next);

/**
 * vt_pick_group - a device group no device in @links is in, tagged with
 * VT_JOURNAL_GROUP_TAG, from @seed on: a transaction's own group.
 */
uint32_t vt_pick_group(const struct vt_link_table *links, uint32_t seed);

#endif
