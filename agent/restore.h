/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Putting every device a journal names back as it was. Used for rollback
 * after a failed commit and for recovery after a crash: both start from
 * the kernel as it is now, so running it twice (a crash during recovery)
 * ends the same way as running it once.
 */
#ifndef VT_RESTORE_H
#define VT_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "vt_netlink.h"

struct vt_restore_report {
	size_t deleted, created, changed;	/* inverse requests that took effect */
	char error[512];			/* the first request that failed, with the kernel's text */
	char remains[1024];			/* what is not as before, when verification fails */
};

/**
 * vt_restore - delete what the transaction created, recreate what it deleted
 * (from the before-image, with its old ifindex when free), change back what
 * it changed; then re-read the devices and compare them with the journal.
 * Returns 0 when every device is verified as before, -EIO when some is not
 * (see @rep), or a negative errno when the kernel could not be read.
 */
int vt_restore(struct vt_nl *nl, const struct vt_journal *j, struct vt_restore_report *rep);

/**
 * vt_pick_ifindex - an ifindex no device in @links has, from *@next upwards.
 * Creating with a chosen ifindex lets later requests of a batch name the
 * device, and lets a journal identify it before it exists.
 */
int vt_pick_ifindex(const struct vt_link_table *links, int *next);

/**
 * vt_pick_group - a device group no device in @links is in, not 0, from
 * @seed on: a transaction's own group (struct vt_journal.group).
 */
uint32_t vt_pick_group(const struct vt_link_table *links, uint32_t seed);

#endif
