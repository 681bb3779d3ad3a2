/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The agent's copy of the kernel's links, kept from the monitor's events,
 * and the link source the runs read it through: a run reads them here, not
 * from a dump of everything (twice) per run.
 */
#include <errno.h>

#include "daemon_internal.h"

static void mirror(struct vt_daemon *d, enum vt_link_event event, const struct vt_link *link)
{
	struct vt_link copy = { 0 };	/* released on failure: never garbage */

	if (event == VT_EV_DELLINK) {
		vt_link_table_drop(&d->links, VT_NS_OWN, link->ifindex);
		return;
	}
	if (vt_link_copy(&copy, link) < 0 || vt_link_table_put(&d->links, &copy) < 0) {
		vt_link_release(&copy);
		d->links_stale = true;
	}
}

static int on_link(enum vt_link_event event, const struct vt_link *link, int32_t nsid,
		   uint32_t origin, void *arg)
{
	struct vt_daemon *d = arg;

	/*
	 * Another namespace's device changed, or a namespace came or went: its
	 * devices are read by a dump at every run (they are not mirrored), and
	 * which trunks it concerns is known only to a plan, so every trunk is
	 * looked at, as soon as a local event would have it.
	 */
	if (event == VT_EV_NETNS || (event != VT_EV_RESYNC && nsid >= 0)) {
		for (size_t i = 0; i < d->n_netns_ids; i++)
			if (d->netns_ids[i] == nsid)
				d->all_dirty = true;	/* dispatch() debounces it as any event */
		return 0;
	}
	if (event == VT_EV_RESYNC) {
		/* Events were lost: only a fresh dump of everything tells the truth. */
		d->stats.overruns++;
		d->all_dirty = true;
		d->links_stale = true;
		return 0;
	}
	/* Our own requests' echoes: the run that sent them verified the result. */
	if (!origin || origin != vt_nl_portid(d->nl)) {
		const struct vt_link *was = vt_link_table_find_ifindex(&d->links, VT_NS_OWN,
									 link->ifindex);

		/*
		 * An event carries the device as it is now: an altname removed, or a
		 * name given up by a rename, is only in what the table had, and a
		 * trunk whose parent was named so must hear of it (and go DOWN).
		 */
		if (was)
			vt_schedule_touch(d, was);
		vt_schedule_touch(d, link);
	}
	mirror(d, event, link);
	return 0;
}

int vt_mirror_read(struct vt_daemon *d)
{
	return vt_monitor_read(d->mon, on_link, d);
}

/* The ids of the namespaces a run registered: their events concern it. */
static void remember_ids(struct vt_daemon *d)
{
	size_t n = vt_nl_netns_count(d->nl);
	int32_t *ids = realloc(d->netns_ids, (n ? n : 1) * sizeof(*ids));

	if (!ids)
		return;	/* the old ones stay: the periodic resync covers the rest */
	d->netns_ids = ids;
	d->n_netns_ids = 0;
	for (uint16_t slot = 1; slot <= n; slot++)
		if (vt_nl_netns_nsid(d->nl, slot) >= 0)
			ids[d->n_netns_ids++] = vt_nl_netns_nsid(d->nl, slot);
}

/*
 * The run's link source. The kernel queues the events of a request before
 * it acknowledges it, so once the queue is read the copy holds what every
 * request answered so far did: what verification needs to see.
 */
static int catch_up(struct vt_daemon *d)
{
	int ret = vt_monitor_read(d->mon, on_link, d);

	/*
	 * Other namespaces' devices are not mirrored: while a run has some
	 * registered, every read is a dump of all of them (and of the own one:
	 * a dump of several namespaces is one snapshot only taken together); and
	 * the first read after one, which has other namespaces' devices of a
	 * registry since forgotten.
	 */
	if (vt_nl_netns_count(d->nl))
		remember_ids(d);
	if (ret < 0 || d->links_stale || vt_nl_netns_count(d->nl) || d->links.n_netns) {
		ret = vt_nl_dump_links(d->nl, &d->links);
		if (ret < 0)
			return ret;
		d->links_stale = false;
	}
	return 0;
}

/*
 * The table's name index, which every event drops, is rebuilt only for a
 * view: a copy indexes itself anew (vt_link_table_copy), and confirm_links
 * looks devices up by ifindex, an order put and drop keep. Sorting 16k
 * names was half of what a read cost at 4 x 4094 subports, and a repair
 * reads three times: the plan's copy and the confirmation before its
 * requests, the verification's view after them.
 */
static int read_links(void *arg, struct vt_link_table *into)
{
	struct vt_daemon *d = arg;
	int ret = catch_up(d);

	return ret < 0 ? ret : vt_link_table_copy(into, &d->links);
}

static int view_links(void *arg, const struct vt_link_table **out)
{
	struct vt_daemon *d = arg;
	int ret = catch_up(d);

	if (ret == 0 && !d->links.by_name)
		ret = vt_link_table_index(&d->links);
	*out = &d->links;
	return ret;
}

#define CONFIRM_MAX 32

/*
 * The devices a transaction changed, read back one by one: the kernel sends
 * no event for a change to a device that is down, and none at all for a
 * sysctl write (the first @n_silent). Other devices that are up sent theirs,
 * and are right already; more than a few to read, and the next view dumps
 * everything instead.
 */
static int confirm_links(void *arg, const int *ifindexes, size_t n, size_t n_silent)
{
	struct vt_daemon *d = arg;
	size_t unsure = 0;
	int ret = catch_up(d);

	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		const struct vt_link *l = vt_link_table_find_ifindex(&d->links, VT_NS_OWN,
								     ifindexes[i]);

		unsure += i < n_silent || !l || !l->up;
	}
	if (unsure > CONFIRM_MAX) {
		d->links_stale = true;
		return 0;
	}
	for (size_t i = 0; i < n && !d->links_stale; i++) {
		const struct vt_link *l = vt_link_table_find_ifindex(&d->links, VT_NS_OWN,
								     ifindexes[i]);
		struct vt_link now = { 0 };

		if (i >= n_silent && l && l->up)
			continue;
		ret = vt_nl_get_link(d->nl, VT_NS_OWN, ifindexes[i], &now);
		if (ret == -ENODEV)
			vt_link_table_drop(&d->links, VT_NS_OWN, ifindexes[i]);
		else if (ret < 0 || vt_link_table_put(&d->links, &now) < 0)
			d->links_stale = true;
		vt_link_release(&now);
	}
	return 0;
}

static void invalidate_links(void *arg)
{
	((struct vt_daemon *)arg)->links_stale = true;
}

static int refresh_links(void *arg, struct vt_link_table *into)
{
	struct vt_daemon *d = arg;

	d->links_stale = true;
	return read_links(d, into);
}

struct vt_link_source vt_mirror_source(struct vt_daemon *d)
{
	return (struct vt_link_source){ .read = read_links, .refresh = refresh_links,
					.view = view_links, .confirm = confirm_links,
					.invalidate = invalidate_links, .arg = d };
}
