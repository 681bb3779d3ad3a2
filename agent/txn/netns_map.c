/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A journal's namespaces, found again for a recovery: by identity, never by
 * path alone (see struct vt_journal_netns).
 */
#include <errno.h>
#include <stdlib.h>

#include "netns_map.h"

int vt_netns_map_journal(struct vt_nl *nl, struct vt_journal *j, size_t *gone)
{
	uint16_t *slot;
	size_t kept = 0;

	*gone = 0;
	if (!j->n_netns)
		return 0;
	slot = calloc(j->n_netns + 1, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t k = 0; k < j->n_netns; k++) {
		int ret = vt_nl_netns_find(nl, j->netns[k].path, j->netns[k].dev, j->netns[k].ino,
					   j->netns[k].cookie, &slot[k + 1]);

		if (ret == -ENOENT) {
			slot[k + 1] = UINT16_MAX;	/* gone, and its devices with it */
		} else if (ret < 0) {
			free(slot);
			return ret;
		}
	}
	for (size_t i = 0; i < j->n_entries; i++) {
		struct vt_journal_entry *e = &j->entries[i];

		/*
		 * The kernel deletes a namespace's virtual devices with it: a device
		 * journaled there is restored, as one whose parent went is. A VLAN
		 * elsewhere on a virtual device of a namespace that went went with it
		 * (vlan_device_event() on NETDEV_UNREGISTER). On a physical one, which
		 * the kernel moves back to the initial namespace, it stays: a VLAN
		 * journaled on such a parent is not put back (a rare case: a device
		 * moved into a pod by hand, then the pod gone mid-transaction).
		 */
		if ((e->image.ns && slot[e->image.ns] == UINT16_MAX) ||
		    (e->image.parent_ns && slot[e->image.parent_ns] == UINT16_MAX)) {
			vt_link_release(&e->image);
			(*gone)++;
			continue;
		}
		if (e->image.ns)
			e->image.ns = slot[e->image.ns];
		if (e->image.parent_ns)
			e->image.parent_ns = slot[e->image.parent_ns];
		j->entries[kept++] = *e;
	}
	j->n_entries = kept;
	free(slot);
	return 0;
}
