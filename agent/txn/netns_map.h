/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netns_map.h - a journal read back, its namespaces registered on a socket.
 * For run/ (recovery) and the tests.
 */
#ifndef VT_NETNS_MAP_H
#define VT_NETNS_MAP_H

#include <stddef.h>

#include "journal.h"
#include "vt_netlink.h"

/**
 * vt_netns_map_journal - register each namespace @j lists on @nl (found by
 * its identity, vt_nl_netns_find()) and renumber the entries' .ns and
 * .parent_ns as @nl's slots. The entries of a namespace that no file names
 * any more are dropped: it is gone, and the kernel deleted its devices with
 * it, so they count as restored; *@gone says how many. 0 or a negative errno
 * (@j is then as read).
 */
int vt_netns_map_journal(struct vt_nl *nl, struct vt_journal *j, size_t *gone);

#endif
