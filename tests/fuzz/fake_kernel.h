/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake kernel for fuzzing recovery: the vt_nl_* and vt_batch_* functions
 * restore.c uses (include/vt_netlink.h), over an in-memory table of links,
 * linked into the fuzz build in place of netlink/. Requests are kept as the
 * specs they were built from, checked as netlink/encode.c checks them, and
 * applied as the kernel applies the messages encode.c would build (see
 * fake_kernel.c for what is modelled and what is not).
 *
 * Every device of the starting table is followed under its identity (not its
 * ifindex, which a later create may reuse): whether a request named it, and
 * whether it was changed or deleted, and if so directly or as the kernel's own
 * consequence of a request on another device.
 */
#ifndef VT_FAKE_KERNEL_H
#define VT_FAKE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt_netlink.h"

enum fk_role {
	FK_PARENT,		/* a lower device (p0, p1) */
	FK_MANAGED,		/* vlantrunk's: marked, or in a tagged group */
	FK_OPERATOR,		/* no marker, untagged group: never to be touched without proof */
};

/* What happened to one device of the starting table. */
struct fk_record {
	int ifindex;		/* as it started */
	char name[16];
	enum fk_role role;
	unsigned int aimed;	/* requests that named it (by ifindex, name or group), answered or not */
	unsigned int changed;	/* change requests applied to it */
	unsigned int deleted;	/* deleted by a request naming it, or by its group */
	unsigned int side_changed;	/* changed by the kernel after a request on another device */
	unsigned int side_deleted;	/* deleted with its parent */
	int side_cause;		/* the ifindex whose request caused the first side effect */
	char last[96];		/* the last request that named it, for the report */
};

/* Faults the fake may inject, to drive restore.c's error paths. */
struct fk_faults {
	int fail_dump;		/* the nth dump (1-based) fails with -EAGAIN; 0: none */
	int lose_answer;	/* the nth request (1-based) is applied, its answer lost: -ENOBUFS */
};

struct vt_nl *fk_new(void);
void fk_free(struct vt_nl *nl);

/** fk_add - a device of the starting table, copied (egress map included). 0 or -ENOMEM. */
int fk_add(struct vt_nl *nl, const struct vt_link *link, enum fk_role role);

/** fk_set_faults - faults from now on; counters restart. */
void fk_set_faults(struct vt_nl *nl, const struct fk_faults *faults);

/** fk_seed_random - what getrandom() returns from now on (pick.c picks ifindexes with it). */
void fk_seed_random(uint64_t seed);

/** fk_records - the starting devices' records; *n set to their count. */
const struct fk_record *fk_records(const struct vt_nl *nl, size_t *n);

/** fk_clear_records - forget what happened so far (between two recoveries). */
void fk_clear_records(struct vt_nl *nl);

/** fk_requests - how many requests were answered since fk_new(). */
size_t fk_requests(const struct vt_nl *nl);

#endif
