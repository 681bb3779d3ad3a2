/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a set of devices, each with an RTM_GETLINK of its own, many per
 * sendmsg(): what a dump of every link costs once per device, without the
 * devices that are not asked about.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

/*
 * Each answer is a datagram of its own: recvmmsg() takes a window's worth
 * in one system call (a recvmsg() each cost as much as the rest of the
 * read-back in UML). A slot holds any link message but one with a large
 * egress map: one cut short (MSG_TRUNC) is read again alone.
 */
#define VT_GET_SLOT (16 * 1024)

struct slots {
	struct mmsghdr msg[VT_GET_WINDOW];
	struct iovec iov[VT_GET_WINDOW];
	struct sockaddr_nl addr[VT_GET_WINDOW];
	char buf[VT_GET_WINDOW][VT_GET_SLOT];
};

/* The answer in slot @k, if it is one of [@first, @end) (by its seq from @seq0), into @links. */
static int take_slot(struct vt_nl *nl, struct slots *sl, unsigned int k, const struct vt_nl_get *gets,
		     size_t first, size_t end, uint32_t seq0, uint32_t portid, struct vt_link *links,
		     bool *retry)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)sl->buf[k];
	int bytes = (int)sl->msg[k].msg_len, ret;
	size_t i;

	/* Only the kernel (port id 0) may talk to us; anything else is forged. */
	if (sl->msg[k].msg_hdr.msg_namelen != sizeof(sl->addr[k]) ||
	    sl->addr[k].nl_family != AF_NETLINK || sl->addr[k].nl_pid != 0 ||
	    bytes < (int)sizeof(*nlh) || nlh->nlmsg_pid != portid || nlh->nlmsg_seq < seq0)
		return 0;
	i = first + (nlh->nlmsg_seq - seq0);
	if (i >= end)
		return 0;	/* a stale answer from an earlier exchange */
	if (sl->msg[k].msg_hdr.msg_flags & MSG_TRUNC) {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

		/* Read again alone, by the ifindex it answered with, once the window is read. */
		if (nlh->nlmsg_type != RTM_NEWLINK || ifi->ifi_index <= 0)
			return -ENOSPC;
		links[i].ifindex = ifi->ifi_index;
		retry[i - first] = true;
		return 1;
	}
	if (!mnl_nlmsg_ok(nlh, bytes))
		return -EPROTO;
	ret = take(nl, &gets[i], nlh, &links[i]);
	return ret < 0 ? ret : 1;
}

/* Requests [@first, @end) of @gets, all of one namespace's socket. */
static int get_window(struct vt_nl *nl, const struct vt_nl_get *gets, size_t first, size_t end,
		      struct vt_link *links, struct slots *sl)
{
	char buf[VT_GET_WINDOW * 256];	/* a request: 40 bytes and a name */
	bool retry[VT_GET_WINDOW] = { false };
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
		int n;

		for (unsigned int k = 0; k < left; k++) {
			sl->iov[k] = (struct iovec){ sl->buf[k], VT_GET_SLOT };
			sl->msg[k] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &sl->addr[k], .msg_namelen = sizeof(sl->addr[k]),
				.msg_iov = &sl->iov[k], .msg_iovlen = 1 } };
		}
		n = recvmmsg(mnl_socket_get_fd(sock), sl->msg, (unsigned int)left, MSG_WAITFORONE,
			     NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (unsigned int k = 0; k < (unsigned int)n; k++) {
			ret = take_slot(nl, sl, k, gets, first, end, seq0, portid, links, retry);
			if (ret < 0)
				return ret;
			left -= (size_t)ret;
		}
	}
	/* Every answer is in: the socket is ours again for single requests. */
	for (size_t i = first; i < end; i++) {
		int ifindex = links[i].ifindex;

		if (!retry[i - first])
			continue;
		links[i].ifindex = 0;
		ret = vt_nl_get_link(nl, gets[i].ns, ifindex, &links[i]);
		if (ret == -ENODEV)
			ret = 0;	/* gone meanwhile */
		if (ret < 0)
			return ret;
	}
	return vt_nl_map_pending(nl, gets[first].ns, links + first, end - first);
}

int vt_nl_get_links(struct vt_nl *nl, const struct vt_nl_get *gets, size_t n,
		    struct vt_link *links)
{
	struct slots *sl;
	size_t first = 0;
	int ret = 0;

	memset(links, 0, n * sizeof(*links));
	for (size_t i = 0; i < n; i++)
		if (gets[i].ifindex < 0 || (!gets[i].ifindex && (!gets[i].name || !gets[i].name[0] ||
								 strlen(gets[i].name) >= VT_ALTIFNAMSIZ)))
			return -EINVAL;
	sl = malloc(sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	while (first < n && !ret) {
		size_t end = first + 1;

		/* One datagram goes to one socket: a window is of one namespace. */
		while (end < n && end - first < VT_GET_WINDOW && gets[end].ns == gets[first].ns)
			end++;
		ret = get_window(nl, gets, first, end, links, sl);
		first = end;
	}
	free(sl);
	if (ret < 0)
		for (size_t i = 0; i < n; i++)
			vt_link_release(&links[i]);
	return ret;
}
