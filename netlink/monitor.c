/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link event monitor (RTNLGRP_LINK), with overruns turned into resyncs,
 * for the own namespace and every one with an id in it: with
 * NETLINK_LISTEN_ALL_NSID, the kernel delivers another namespace's events
 * to a socket here as long as that namespace has an id here, tagged with it;
 * the socket holds no reference on those namespaces, so they still die when
 * their last user goes (RTNLGRP_NSID then says RTM_DELNSID).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include "nl_internal.h"
#include "vt_netlink.h"

/*
 * Bursts of link events are normal (a parent going takes all its VLANs with
 * it). The memory is only charged while events wait, so be generous.
 */
#define VT_MONITOR_RCVBUF (32 * 1024 * 1024)

struct vt_monitor {
	struct mnl_socket *sock;
	char *buf;
};

int vt_monitor_open(struct vt_monitor **out, int rcvbuf)
{
	struct vt_monitor *mon;
	int fd, ret;

	mon = calloc(1, sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	mon->buf = malloc(VT_NL_RECV_BUF);
	if (!mon->buf) {
		ret = -ENOMEM;
		goto err;
	}
	ret = vt_nl_socket_open(&mon->sock, RTMGRP_LINK,
				rcvbuf > 0 ? rcvbuf : VT_MONITOR_RCVBUF, 0, NULL);
	if (ret < 0)
		goto err;
	fd = mnl_socket_get_fd(mon->sock);
	{
		int one = 1, group = RTNLGRP_NSID;

		/* Both since Linux 4.6; without them, only the own namespace is watched. */
		(void)setsockopt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one));
		(void)setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		ret = -errno;
		mnl_socket_close(mon->sock);
		goto err;
	}
	*out = mon;
	return 0;
err:
	free(mon->buf);
	free(mon);
	return ret;
}

void vt_monitor_close(struct vt_monitor *mon)
{
	if (!mon)
		return;
	mnl_socket_close(mon->sock);
	free(mon->buf);
	free(mon);
}

int vt_monitor_fd(const struct vt_monitor *mon)
{
	return mnl_socket_get_fd(mon->sock);
}

static int deliver(const char *buf, size_t len, int32_t nsid, vt_monitor_fn fn, void *arg,
		   int *count)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		enum vt_link_event event;
		struct vt_link link;
		int ret;

		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_type == RTM_NEWLINK) {
			event = VT_EV_NEWLINK;
		} else if (nlh->nlmsg_type == RTM_DELLINK) {
			event = VT_EV_DELLINK;
		} else if (nlh->nlmsg_type == RTM_NEWNSID || nlh->nlmsg_type == RTM_DELNSID) {
			const struct nlattr *a;
			int32_t id = -1;

			/* which namespace got or lost its id here: NETNSA_NSID */
			if (nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof(struct rtgenmsg))
				mnl_attr_for_each(a, nlh, sizeof(struct rtgenmsg))
					if (mnl_attr_get_type(a) == NETNSA_NSID &&
					    mnl_attr_get_payload_len(a) >= 4)
						id = (int32_t)mnl_attr_get_u32(a);
			ret = fn(VT_EV_NETNS, NULL, id, 0, arg);
			if (ret < 0)
				return ret;
			(*count)++;
			continue;
		} else {
			continue;
		}
		/*
		 * A bridge reports its ports on the same group (br_ifinfo_notify(),
		 * family AF_BRIDGE, bridge port attributes only): an RTM_DELLINK of
		 * one means the port left the bridge, not that the device went.
		 * Devices themselves are reported as AF_UNSPEC.
		 */
		if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifi) || ifi->ifi_family != AF_UNSPEC)
			continue;
		ret = vt_nl_decode_link(nlh, &link);
		if (ret < 0)
			return ret;
		/* A notification names the requester's port as its sender-side pid. */
		ret = fn(event, &link, nsid, nlh->nlmsg_pid, arg);
		vt_link_release(&link);
		if (ret < 0)
			return ret;
		(*count)++;
	}
	return 0;
}

int vt_monitor_read(struct vt_monitor *mon, vt_monitor_fn fn, void *arg)
{
	int count = 0;

	for (;;) {
		int32_t nsid;
		ssize_t n = vt_nl_recv_from(mon->sock, mon->buf, VT_NL_RECV_BUF, MSG_DONTWAIT,
					    &nsid);
		int ret;

		if (n == -EAGAIN)
			return count;
		if (n == -EINTR)
			continue;
		if (n == -ENOBUFS) {
			/* The kernel dropped events: only a fresh dump tells the truth now. */
			ret = fn(VT_EV_RESYNC, NULL, -1, 0, arg);
			if (ret < 0)
				return ret;
			count++;
			continue;
		}
		if (n < 0)
			return (int)n;
		ret = deliver(mon->buf, (size_t)n, nsid, fn, arg, &count);
		if (ret < 0)
			return ret;
	}
}
