/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a set of devices, each with an RTM_GETLINK of its own, many per
 * sendmsg(): what a dump of every link costs once per device, without the
 * devices that are not asked about.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nl_internal.h"
#include "vt_netlink.h"

/*
 * Requests in flight at once. Each answer is a datagram of its own, queued
 * on the receive buffer until read: a link message is a few KiB, up to about
 * 50 KiB with a full egress map, so 64 of them fit the request socket's
 * 4 MiB even at their largest (an answer that does not fit is dropped by the
 * kernel, not delayed).
 */
#define VT_GET_WINDOW 64

static void put_get(struct nlmsghdr *nlh, const struct vt_nl_get *g, uint32_t seq)
{
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = g->ifindex;
	/*
	 * By name the kernel looks up names and altnames alike
	 * (__dev_get_by_name()); one too long for a name can only be an altname.
	 */
	if (!g->ifindex)
		mnl_attr_put_strz(nlh, strlen(g->name) < VT_IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME,
				  g->name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
}

/* The answer to one request: the device into @link, or not there (ifindex 0), or an error. */
static int take(struct vt_nl *nl, const struct vt_nl_get *g, const struct nlmsghdr *nlh,
		struct vt_link *link)
{
	int ret;

	if (nlh->nlmsg_type != RTM_NEWLINK) {
		ret = vt_nl_parse_error(nlh, NULL, 0);
		/* Gone (by ifindex), or nobody is called so (by name). */
		if (ret == -ENODEV)
			return 0;
		return ret < 0 ? ret : -EPROTO;
	}
	ret = vt_nl_decode_link(nlh, link);
	if (ret == 0)
		vt_nl_map_parent(nl, g->ns, link);
	return ret;
}

/* Requests [@first, @end) of @gets, all of one namespace's socket. */
static int get_window(struct vt_nl *nl, const struct vt_nl_get *gets, size_t first, size_t end,
		      struct vt_link *links)
{
	char buf[VT_GET_WINDOW * 256];	/* a request: 40 bytes and a name */
	struct mnl_socket *sock;
	uint32_t portid, seq0 = nl->seq + 1;
	size_t len = 0, left = end - first;
	int ret = vt_nl_endpoint(nl, gets[first].ns, &sock, &portid);

	if (ret < 0)
		return ret;
	for (size_t i = first; i < end; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + len);

		put_get(nlh, &gets[i], ++nl->seq);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	if (mnl_socket_sendto(sock, buf, len) < 0)
		return -errno;
	while (left) {
		ssize_t n = vt_nl_recv(sock, nl->buf, VT_NL_RECV_BUF, 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int bytes = (int)n;

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		for (; mnl_nlmsg_ok(nlh, bytes); nlh = mnl_nlmsg_next(nlh, &bytes)) {
			size_t i = first + (nlh->nlmsg_seq - seq0);

			/* a stale answer from an earlier exchange */
			if (nlh->nlmsg_pid != portid || nlh->nlmsg_seq < seq0 || i >= end)
				continue;
			ret = take(nl, &gets[i], nlh, &links[i]);
			if (ret < 0)
				return ret;
			left--;
		}
	}
	return 0;
}

int vt_nl_get_links(struct vt_nl *nl, const struct vt_nl_get *gets, size_t n,
		    struct vt_link *links)
{
	size_t first = 0;
	int ret = 0;

	memset(links, 0, n * sizeof(*links));
	for (size_t i = 0; i < n; i++)
		if (gets[i].ifindex < 0 || (!gets[i].ifindex && (!gets[i].name || !gets[i].name[0] ||
								 strlen(gets[i].name) >= VT_ALTIFNAMSIZ)))
			return -EINVAL;
	while (first < n && !ret) {
		size_t end = first + 1;

		/* One datagram goes to one socket: a window is of one namespace. */
		while (end < n && end - first < VT_GET_WINDOW && gets[end].ns == gets[first].ns)
			end++;
		ret = get_window(nl, gets, first, end, links);
		first = end;
	}
	if (ret < 0)
		for (size_t i = 0; i < n; i++)
			vt_link_release(&links[i]);
	return ret;
}
