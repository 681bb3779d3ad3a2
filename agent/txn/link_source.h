/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_source.h - where a run reads the kernel's links: a dump (no source),
 * or the agent's copy kept up to date from link events, which spares it a
 * dump of every link twice per run. The engine, the run's phases and the
 * daemon (which implements one) include it.
 */
#ifndef VT_LINK_SOURCE_H
#define VT_LINK_SOURCE_H

#include <stddef.h>

#include "vt_link.h"
#include "vt_netlink.h"

struct vt_link_source {
	/* @into cleared, filled and indexed; 0 or a negative errno */
	int (*read)(void *arg, struct vt_link_table *into);
	/* the same, from a dump: the copy was found behind the kernel */
	int (*refresh)(void *arg, struct vt_link_table *into);
	/* up to date, without a copy: *@out is valid until the next call */
	int (*view)(void *arg, const struct vt_link_table **out);
	/*
	 * the devices @ifindexes were just changed: read them back (the kernel
	 * sends no event for some changes to a device that is down); the first
	 * @n_silent of them also while up (disable_ipv6 was written: no event
	 * at all); NULL when the source needs none. Devices of vlantrunk's own
	 * namespace only: a source reads the others by dumps.
	 */
	int (*confirm)(void *arg, const int *ifindexes, size_t n, size_t n_silent);
	/*
	 * the kernel changed in ways its events may not show (a rollback or a
	 * recovery restores devices that are down): the next read dumps
	 */
	void (*invalidate)(void *arg);
	void *arg;
};

/** vt_link_source_read - from @source, or a dump over @nl when it is NULL. */
int vt_link_source_read(const struct vt_link_source *source, struct vt_nl *nl,
			struct vt_link_table *into);

/**
 * vt_link_source_view - the links now, for a look that ends before anything
 * else reads them: @source's own table, or a dump over @nl into @scratch.
 */
int vt_link_source_view(const struct vt_link_source *source, struct vt_nl *nl,
			struct vt_link_table *scratch, const struct vt_link_table **out);

#endif
