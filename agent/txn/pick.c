/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a transaction picks before its journal is written: see pick.h. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/random.h>

#include "journal.h"
#include "pick.h"

int vt_pick_ifindex(const struct vt_link_table *links, int *next)
{
	if (*next <= 0) {
		uint32_t r = 0;

		/* Random, so that two transactions' picks (or an old journal's) differ. */
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (uint32_t)(uintptr_t)links ^ (uint32_t)links->n;
		*next = VT_IFINDEX_BASE + (int)(r % VT_IFINDEX_SPAN);
	}
	/*
	 * Free in every namespace read: a create may go to any of them, and one
	 * into another namespace is sent from its parent's (the own one, unless
	 * the parent was moved by hand), where the kernel looks the ifindex up
	 * first (taken there: EEXIST).
	 */
	for (;;) {
		bool taken = vt_link_table_find_ifindex(links, VT_NS_OWN, *next);

		for (uint16_t ns = 1; !taken && vt_link_table_netns_slot(links, ns); ns++)
			taken = vt_link_table_find_ifindex(links, ns, *next);
		if (!taken)
			return (*next)++;
		(*next)++;
	}
}

uint32_t vt_pick_group(const struct vt_link_table *links, uint32_t seed)
{
	uint32_t group = seed;

	for (;;) {
		size_t i = 0;

		group = VT_JOURNAL_GROUP_TAG | (group & ~VT_JOURNAL_GROUP_MASK);
		while (i < links->n && links->links[i].group != group)
			i++;
		if (i == links->n)
			return group;
		group = group * 2654435761u + 1;	/* another: this walks them all */
	}
}
