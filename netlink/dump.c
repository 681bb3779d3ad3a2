/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading links: every device of the namespace (a dump), or one. Statistics left out. */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nl_internal.h"
#include "vt_netlink.h"

#define VT_DUMP_ATTEMPTS 8

static int send_request(struct vt_nl *nl, int ifindex, uint32_t *seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ifindex ? 0 : NLM_F_DUMP);
	nlh->nlmsg_seq = *seq = ++nl->seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	/* Statistics are most of a link message and all of its cost to build. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* Returns 1 when the dump ended, 0 for more to come, or a negative errno. */
static int take_links(struct vt_nl *nl, uint32_t seq, const char *buf, size_t len,
		      struct vt_link_table *table, bool *interrupted)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct vt_link link;
		int ret;

		if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
			continue;	/* a stale answer from an earlier exchange */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*interrupted = true;

		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			ret = vt_nl_parse_error(nlh, NULL, 0);
			return ret < 0 ? ret : 1;
		case NLMSG_ERROR:
			ret = vt_nl_parse_error(nlh, NULL, 0);
			return ret < 0 ? ret : -EPROTO;
		case RTM_NEWLINK:
			ret = vt_nl_decode_link(nlh, &link);
			if (ret < 0)
				return ret;
			ret = vt_link_table_add(table, &link);
			if (ret < 0) {
				vt_link_release(&link);
				return ret;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

static int dump_once(struct vt_nl *nl, struct vt_link_table *table, bool *interrupted)
{
	uint32_t seq;
	int ret;

	vt_link_table_clear(table);
	*interrupted = false;
	ret = send_request(nl, 0, &seq);
	while (ret == 0) {
		ssize_t n = vt_nl_recv(nl->sock, nl->buf, VT_NL_RECV_BUF, 0);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		ret = take_links(nl, seq, nl->buf, (size_t)n, table, interrupted);
	}
	return ret < 0 ? ret : 0;
}

int vt_nl_dump_links(struct vt_nl *nl, struct vt_link_table *table)
{
	int ret = -EAGAIN;

	for (int attempt = 0; attempt < VT_DUMP_ATTEMPTS; attempt++) {
		bool interrupted;

		ret = dump_once(nl, table, &interrupted);
		if (ret < 0)
			break;
		/* Links changed during the dump: a mix of before and after is no snapshot. */
		if (interrupted) {
			ret = -EAGAIN;
			continue;
		}
		return vt_link_table_index(table);
	}
	vt_link_table_clear(table);
	return ret;
}

int vt_nl_get_link(struct vt_nl *nl, int ifindex, struct vt_link *link)
{
	uint32_t seq;
	int ret;

	if (ifindex <= 0)
		return -EINVAL;
	ret = send_request(nl, ifindex, &seq);
	while (ret == 0) {
		ssize_t n = vt_nl_recv(nl->sock, nl->buf, VT_NL_RECV_BUF, 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int left = (int)n;

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;	/* a stale answer from an earlier exchange */
			if (nlh->nlmsg_type == RTM_NEWLINK)
				return vt_nl_decode_link(nlh, link);
			ret = vt_nl_parse_error(nlh, NULL, 0);
			return ret < 0 ? ret : -EPROTO;
		}
	}
	return ret;
}
