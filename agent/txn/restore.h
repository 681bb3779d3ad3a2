/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restore.h - putting every device a journal names back as it was, for
 * rollback after a failed commit and for recovery after a crash: both start
 * from the kernel as it is now, so running it twice (a crash during
 * recovery) ends the same way as running it once. restore.c puts back,
 * proof.c proves, recreate.c recreates. For the engine, run/ (recovery) and
 * the tests.
 *
 * A device is changed or deleted only with proof that it is the journal's
 * (SPEC.md, Transactions): interface indexes are reused by the kernel, so an
 * index alone proves nothing.
 *  - one the transaction created: its ifindex, name, parent (by name), VLAN
 *    id and protocol as journaled, and either the transaction's own device
 *    group with no alias yet (before it was marked) or the marker journaled
 *    for it;
 *  - one it changed or deleted: ifindex, VLAN id, protocol and parent ifindex
 *    as in the before-image, a vlantrunk marker (the before-image's, or one
 *    of the journal's trunks'), and its name before or after the transaction
 *    or, renamed by someone else since, a name no entry of the journal claims
 *    (all but its name is then put back: a rename back would bounce what is
 *    stacked on it; the planner renames it afterwards, weighing that).
 * A device without proof is left untouched and reported. A journaled device
 * the kernel removed by itself since (its parent went) counts as restored.
 */
#ifndef VT_RESTORE_H
#define VT_RESTORE_H

#include <stddef.h>
#include <stdint.h>

#include "journal.h"
#include "vt_netlink.h"

struct vt_restore_report {
	size_t deleted, created, changed;	/* inverse requests that took effect */
	size_t vanished;			/* gone with their parent: nothing to put back */
	size_t unproven;			/* left untouched for want of proof */
	char error[512];			/* the first request that failed, with the kernel's text */
	char remains[1024];			/* what is not as before, when verification fails */
};

/**
 * vt_restore - delete what the transaction created, recreate what it deleted
 * (from the before-image, with its old ifindex when free), change back what
 * it changed; then re-read the devices and compare them with the journal.
 * A before-image's IPv6 state is put back after its MTU and before the device
 * is up (a device recreated comes up only then): disable_ipv6 is written to
 * its sysctl, by the name the proven device has.
 * Returns 0 when every device is verified as before (or vanished), -EIO when
 * some is not (see @rep), or a negative errno when the kernel could not be read.
 */
int vt_restore(struct vt_nl *nl, const struct vt_journal *j, struct vt_restore_report *rep);

#endif
