/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading links: every device of the namespace (a dump), or one. Statistics left out. */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "nl_internal.h"
#include "vt_netlink.h"

#define VT_DUMP_ATTEMPTS 8

static int send_request(struct vt_nl *nl, struct mnl_socket *sock, int ifindex, uint32_t *seq)
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

	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* Returns 1 when the dump ended, 0 for more to come, or a negative errno. */
static int take_links(struct vt_nl *nl, uint16_t ns, uint32_t portid, uint32_t seq,
		      const char *buf, size_t len, struct vt_link_table *table, bool *interrupted)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct vt_link link;
		int ret;

		if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid)
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
			vt_nl_map_parent(nl, ns, &link);
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

/* The links of namespace @ns, added to @table. */
static int dump_ns(struct vt_nl *nl, uint16_t ns, struct vt_link_table *table, bool *interrupted)
{
	struct mnl_socket *sock;
	uint32_t seq, portid;
	size_t first = table->n;
	int ret = vt_nl_endpoint(nl, ns, &sock, &portid);

	if (!ret)
		ret = send_request(nl, sock, 0, &seq);
	while (ret == 0) {
		ssize_t n = vt_nl_recv(sock, nl->buf, VT_NL_RECV_BUF, 0);

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		ret = take_links(nl, ns, portid, seq, nl->buf, (size_t)n, table, interrupted);
	}
	if (ret < 0)
		return ret;
	return vt_nl_map_pending(nl, ns, table->links + first, table->n - first);
}

/* Every registered namespace's links and files into @table. */
static int dump_others(struct vt_nl *nl, struct vt_link_table *table, bool *interrupted)
{
	int ret = 0;

	for (uint16_t ns = 1; ns <= nl->n_ns && !ret; ns++)
		ret = dump_ns(nl, ns, table, interrupted);
	for (size_t i = 0; i < nl->n_paths && !ret; i++) {
		uint64_t dev = 0, ino = 0, cookie = 0;

		/* a path may name the own namespace: slot VT_NS_OWN, its identity */
		(void)vt_nl_netns_identity(nl, nl->paths[i].slot, &dev, &ino, &cookie);
		ret = vt_link_table_add_netns(table, nl->paths[i].path, nl->paths[i].slot, dev, ino,
					      cookie);
	}
	return ret;
}

/*
 * Links changed during a dump (NLM_F_DUMP_INTR): a mix of before and after
 * is no snapshot, so it is taken again; each namespace's dump is consistent
 * on its own, as the kernel's are.
 */
static int dump(struct vt_nl *nl, struct vt_link_table *table, bool own)
{
	/* without @own: the caller's own-namespace links, put back on each attempt */
	struct vt_link_table keep = { 0 };
	int ret = -EAGAIN;

	if (!own) {
		keep = *table;
		*table = (struct vt_link_table){ 0 };
	}
	for (int attempt = 0; attempt < VT_DUMP_ATTEMPTS; attempt++) {
		bool interrupted = false;

		if (own) {
			vt_link_table_clear(table);
			ret = dump_ns(nl, VT_NS_OWN, table, &interrupted);
		} else {
			ret = vt_link_table_copy(table, &keep);
		}
		if (!ret)
			ret = dump_others(nl, table, &interrupted);
		if (ret < 0)
			break;
		if (interrupted) {
			ret = -EAGAIN;
			continue;
		}
		ret = vt_link_table_index(table);
		goto out;
	}
	vt_link_table_clear(table);
out:
	vt_link_table_clear(&keep);
	return ret;
}

int vt_nl_dump_links(struct vt_nl *nl, struct vt_link_table *table)
{
	return dump(nl, table, true);
}

int vt_nl_dump_netns(struct vt_nl *nl, struct vt_link_table *table)
{
	if (!nl->n_ns)
		return vt_link_table_index(table);
	return dump(nl, table, false);
}

int vt_nl_get_link(struct vt_nl *nl, uint16_t ns, int ifindex, struct vt_link *link)
{
	struct mnl_socket *sock;
	uint32_t seq, portid;
	int ret;

	if (ifindex <= 0)
		return -EINVAL;
	ret = vt_nl_endpoint(nl, ns, &sock, &portid);
	if (!ret)
		ret = send_request(nl, sock, ifindex, &seq);
	while (ret == 0) {
		ssize_t n = vt_nl_recv(sock, nl->buf, VT_NL_RECV_BUF, 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int left = (int)n;

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid)
				continue;	/* a stale answer from an earlier exchange */
			if (nlh->nlmsg_type == RTM_NEWLINK) {
				ret = vt_nl_decode_link(nlh, link);
				if (ret < 0)
					return ret;
				vt_nl_map_parent(nl, ns, link);
				/* The answer is read: nl->buf and the socket are free to ask. */
				ret = vt_nl_map_pending(nl, ns, link, 1);
				if (ret < 0)
					vt_link_release(link);
				return ret;
			}
			ret = vt_nl_parse_error(nlh, NULL, 0);
			return ret < 0 ? ret : -EPROTO;
		}
	}
	return ret;
}
