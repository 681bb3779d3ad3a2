/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's floor for `make bench`: vlantrunk's kernel work and nothing
 * else, at full batching, with libmnl and libc only (no libnl, no vlantrunk
 * code), so vlantrunk's times can be read as a ratio to it.
 *
 *   floor create -t T -n N [-g G]    T trunks of N subports t<k>b<i> (vlan i) on p0..p{T-1}
 *   floor dump [--parse]             one RTM_GETLINK dump of all links (and every attribute
 *                                    vlantrunk reads, parsed)
 *   floor delete --per-device|--group [-g G]
 *                                    every managed device (alias vlantrunk:*), nothing else
 *   floor create-delete -t T -n N [-g G]
 *                                    create, then delete by group: a failed run's rollback
 *
 * Options anywhere after the command: -B BYTES caps a datagram (default: the
 * whole stage, up to the send buffer). Exit 0 on success; 1 with a message on
 * any NACK, short answer or system error; 2 on bad usage.
 *
 * What a create sends, per device, in stages (each one batch for all T x N
 * devices, each only after the acks of the one before), as vlantrunk's
 * engine does it with ipv6 false (agent/txn/engine_stages.c, netlink/encode.c):
 *   1. RTM_NEWLINK NLM_F_CREATE|NLM_F_EXCL: chosen ifi_index, IFLA_IFNAME,
 *      IFLA_LINK, IFLA_GROUP G, IFLA_LINKINFO {kind vlan, data {IFLA_VLAN_ID,
 *      IFLA_VLAN_PROTOCOL 802.1Q, IFLA_VLAN_FLAGS {REORDER_HDR, mask 0x1f}}}; down
 *      (byte for byte what strace shows vlantrunk send, but the ifindex: vlantrunk
 *      picks a free one at random, the floor the ones above the highest)
 *   2. mark: RTM_NEWLINK: IFLA_IFALIAS vlantrunk:t<k>, IFLA_GROUP 0,
 *      IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE none
 *   3. "1" to /proc/sys/net/ipv6/conf/<name>/disable_ipv6 (no rtnetlink attribute)
 *   4. RTM_NEWLINK ifi_flags IFF_UP, ifi_change IFF_UP
 *
 * What vlantrunk does beyond that and the floor omits as not needed for the
 * kernel's end state: the dumps after each transaction that verify it (one per
 * trunk without --atomic), the read of conf/default/{addr_gen_mode,disable_ipv6}
 * (only for ipv6 true), the journal files and their fsyncs, the lock, the state
 * dir's last-run files. Both send a stage a datagram, as the buffers allow,
 * and read its acks many a recvmmsg(). It keeps one dump before the create: the chosen
 * ifindexes must be free and the parents' indexes known (as vlantrunk's plan
 * dump gives them); a delete does one dump to find the managed devices.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if_vlan.h>
#include <linux/ipv6.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <unistd.h>

#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE 1
#endif
#define ALIAS_PREFIX "vlantrunk:"
#define SNDBUF (64 << 20)
#define RCVBUF (256 << 20)
#define ACK_SLOTS 1024		/* acks read per recvmmsg() */
#define ACK_SIZE 1024		/* an ack with NETLINK_CAP_ACK, its ext-ack text included */

static struct mnl_socket *sock;
static uint32_t portid, seq;
static size_t max_dgram = SNDBUF - 4096;

/* A stage of messages built one after another into one buffer. */
struct stage {
	char *buf;
	size_t len, cap, n;
	size_t *off;		/* where message k starts */
	size_t off_cap;
};

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct nlmsghdr *stage_msg(struct stage *s, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	if (s->cap - s->len < (size_t)MNL_SOCKET_BUFFER_SIZE) {
		s->cap = s->cap ? 2 * s->cap : 1 << 20;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			die("memory");
	}
	if (s->n == s->off_cap) {
		s->off_cap = s->off_cap ? 2 * s->off_cap : 4096;
		s->off = realloc(s->off, s->off_cap * sizeof(*s->off));
		if (!s->off)
			die("memory");
	}
	s->off[s->n++] = s->len;
	memset(s->buf + s->len, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(s->buf + s->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++seq;
	return nlh;
}

/* After the message's attributes are in. */
static void stage_end(struct stage *s, struct nlmsghdr *nlh)
{
	s->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void stage_reset(struct stage *s)
{
	s->len = s->n = 0;
}

/*
 * The acks of messages with sequence numbers [first, first + n), read in
 * bulk: rtnetlink runs a datagram's messages inside sendmsg(), so they are
 * all queued by the time it returns. Returns the number of NACKs.
 */
static size_t read_acks(uint32_t first, size_t n)
{
	static struct mmsghdr *mm;
	static struct iovec *iov;
	static char *bufs;
	size_t got = 0, nacks = 0;

	if (!mm) {
		mm = calloc(ACK_SLOTS, sizeof(*mm));
		iov = calloc(ACK_SLOTS, sizeof(*iov));
		bufs = malloc((size_t)ACK_SLOTS * ACK_SIZE);
		if (!mm || !iov || !bufs)
			die("memory");
	}
	while (got < n) {
		unsigned int want = n - got < ACK_SLOTS ? (unsigned int)(n - got) : ACK_SLOTS;
		int r;

		for (unsigned int i = 0; i < want; i++) {
			iov[i] = (struct iovec){ bufs + (size_t)i * ACK_SIZE, ACK_SIZE };
			mm[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		r = recvmmsg(mnl_socket_get_fd(sock), mm, want, MSG_WAITFORONE, NULL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("recvmmsg (acks)");
		}
		for (int i = 0; i < r; i++) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)iov[i].iov_base;
			int left = (int)mm[i].msg_len;

			for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != portid ||
				    nlh->nlmsg_seq - first >= n)
					continue;
				got++;
				if (e->error) {
					if (nacks++ < 5)
						fprintf(stderr, "floor: request %u: %s\n",
							nlh->nlmsg_seq - first + 1, strerror(-e->error));
				}
			}
		}
	}
	return nacks;
}

/* One stage: as many messages a datagram as fit, each datagram's acks read before the next. */
static void send_stage(struct stage *s, const char *what)
{
	size_t k = 0, nacks = 0;

	while (k < s->n) {
		size_t from = k, start = s->off[k];

		while (k < s->n && (k + 1 < s->n ? s->off[k + 1] : s->len) - start <= max_dgram)
			k++;
		if (k == from)
			k++;	/* one message larger than the cap goes alone */
		if (mnl_socket_sendto(sock, s->buf + start, (k < s->n ? s->off[k] : s->len) - start) < 0)
			die("sendmsg");
		nacks += read_acks(((struct nlmsghdr *)(s->buf + start))->nlmsg_seq, k - from);
	}
	if (nacks) {
		fprintf(stderr, "floor: %s: %zu of %zu requests refused\n", what, nacks, s->n);
		exit(1);
	}
}

/* --- the dump --------------------------------------------------------------- */

struct dev {
	int ifindex;
	char name[IFNAMSIZ];
	bool managed;
};

struct links {
	struct dev *d;
	size_t n, cap;
	int max_ifindex;
	bool parse;
	unsigned long attrs;	/* attributes parsed, so that none is optimised away */
	unsigned long sum;
};

static int count_attr(const struct nlattr *a, void *data)
{
	(void)a;
	((struct links *)data)->attrs++;
	return MNL_CB_OK;
}

static int vlan_attr(const struct nlattr *a, void *data)
{
	struct links *l = data;

	l->attrs++;
	switch (mnl_attr_get_type(a)) {
	case IFLA_VLAN_ID:
	case IFLA_VLAN_PROTOCOL:
		l->sum += mnl_attr_get_u16(a);
		break;
	case IFLA_VLAN_FLAGS:
		l->sum += ((const struct ifla_vlan_flags *)mnl_attr_get_payload(a))->flags;
		break;
	case IFLA_VLAN_EGRESS_QOS:
	case IFLA_VLAN_INGRESS_QOS:
		mnl_attr_parse_nested(a, count_attr, l);
		break;
	}
	return MNL_CB_OK;
}

static int info_attr(const struct nlattr *a, void *data)
{
	struct links *l = data;

	l->attrs++;
	if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
		l->sum += strlen(mnl_attr_get_str(a));
	else if (mnl_attr_get_type(a) == IFLA_INFO_DATA)
		mnl_attr_parse_nested(a, vlan_attr, l);
	return MNL_CB_OK;
}

static int inet6_attr(const struct nlattr *a, void *data)
{
	struct links *l = data;

	l->attrs++;
	if (mnl_attr_get_type(a) == IFLA_INET6_ADDR_GEN_MODE)
		l->sum += mnl_attr_get_u8(a);
	else if (mnl_attr_get_type(a) == IFLA_INET6_CONF &&
		 mnl_attr_get_payload_len(a) > DEVCONF_DISABLE_IPV6 * 4)
		l->sum += ((const uint32_t *)mnl_attr_get_payload(a))[DEVCONF_DISABLE_IPV6];
	return MNL_CB_OK;
}

static int af_attr(const struct nlattr *a, void *data)
{
	((struct links *)data)->attrs++;
	if (mnl_attr_get_type(a) == AF_INET6)
		mnl_attr_parse_nested(a, inet6_attr, data);
	return MNL_CB_OK;
}

struct one {
	struct links *l;
	struct dev *d;
};

static int link_attr(const struct nlattr *a, void *data)
{
	struct one *o = data;
	struct links *l = o->l;

	l->attrs++;
	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		snprintf(o->d->name, sizeof(o->d->name), "%s", mnl_attr_get_str(a));
		break;
	case IFLA_IFALIAS:
		o->d->managed = !strncmp(mnl_attr_get_str(a), ALIAS_PREFIX, strlen(ALIAS_PREFIX));
		break;
	case IFLA_LINK:
	case IFLA_MTU:
	case IFLA_GROUP:
	case IFLA_MASTER:
	case IFLA_LINK_NETNSID:
		l->sum += mnl_attr_get_u32(a);
		break;
	case IFLA_OPERSTATE:
		l->sum += mnl_attr_get_u8(a);
		break;
	case IFLA_ADDRESS:
		l->sum += ((const uint8_t *)mnl_attr_get_payload(a))[0];
		break;
	case IFLA_LINKINFO:
		mnl_attr_parse_nested(a, info_attr, l);
		break;
	case IFLA_AF_SPEC:
		mnl_attr_parse_nested(a, af_attr, l);
		break;
	case IFLA_PROP_LIST:	/* altnames */
		mnl_attr_parse_nested(a, count_attr, l);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links *l = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct dev d = { .ifindex = ifi->ifi_index };

	if (ifi->ifi_index > l->max_ifindex)
		l->max_ifindex = ifi->ifi_index;
	l->sum += ifi->ifi_flags;
	if (l->parse) {
		struct one o = { l, &d };

		mnl_attr_parse(nlh, sizeof(*ifi), link_attr, &o);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->d = realloc(l->d, l->cap * sizeof(*l->d));
		if (!l->d)
			die("memory");
	}
	l->d[l->n++] = d;
	return MNL_CB_OK;
}

/* One dump of all links, as vlantrunk asks for it (strict checking, no stats). */
static void dump(struct links *l)
{
	static char *buf;
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct ifinfomsg *ifi;
	uint32_t s = ++seq;
	int ret;

	if (!buf && !(buf = malloc(1 << 20)))
		die("memory");
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = s;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		die("sendmsg (dump)");
	do {
		ssize_t n = mnl_socket_recvfrom(sock, buf, 1 << 20);

		if (n < 0)
			die("recvmsg (dump)");
		ret = mnl_cb_run(buf, (size_t)n, s, portid, link_cb, l);
	} while (ret > 0);
	if (ret < 0)
		die("dump");
}

/* --- the commands ----------------------------------------------------------- */

static int find(const struct links *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->d[i].name, name))
			return l->d[i].ifindex;
	return 0;
}

static void put_up(struct stage *s, int ifindex)
{
	struct nlmsghdr *nlh = stage_msg(s, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	stage_end(s, nlh);
}

static void put_group(struct stage *s, int ifindex, uint32_t group)
{
	struct nlmsghdr *nlh = stage_msg(s, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	stage_end(s, nlh);
}

static void put_delete(struct stage *s, int ifindex, uint32_t group)
{
	struct nlmsghdr *nlh = stage_msg(s, RTM_DELLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_index = ifindex;
	if (group)
		mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	stage_end(s, nlh);
}

/* The T x N devices, created as vlantrunk creates them; their ifindexes in @idx. */
static void create(int t, int n, uint32_t group, int *idx)
{
	struct links l = { 0 };
	struct stage s = { 0 };
	int *parent = calloc((size_t)t, sizeof(*parent));
	int next;

	if (!parent)
		die("memory");
	l.parse = true;		/* the names, to find the parents */
	dump(&l);
	for (int k = 0; k < t; k++) {
		char name[32];

		snprintf(name, sizeof(name), "p%d", k);
		if (!(parent[k] = find(&l, name))) {
			fprintf(stderr, "floor: no parent %s\n", name);
			exit(1);
		}
	}
	next = l.max_ifindex;	/* free from there up: what vlantrunk would choose */
	free(l.d);

	/* 1. create, down, in group G */
	for (int k = 0; k < t; k++)
		for (int i = 1; i <= n; i++) {
			struct nlmsghdr *nlh = stage_msg(&s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
			struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
			struct nlattr *info, *data;
			/* Every flag is managed (mask 0x1f): reorder_hdr on, the others off. */
			struct ifla_vlan_flags flags = { VLAN_FLAG_REORDER_HDR, 0x1f };
			char name[32];

			idx[k * n + i - 1] = ifi->ifi_index = ++next;
			snprintf(name, sizeof(name), "t%db%d", k, i);
			mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
			mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)parent[k]);
			mnl_attr_put_u32(nlh, IFLA_GROUP, group);
			info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
			mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vlan");
			data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
			mnl_attr_put_u16(nlh, IFLA_VLAN_ID, (uint16_t)i);
			mnl_attr_put_u16(nlh, IFLA_VLAN_PROTOCOL, htons(ETH_P_8021Q));
			mnl_attr_put(nlh, IFLA_VLAN_FLAGS, sizeof(flags), &flags);
			mnl_attr_nest_end(nlh, data);
			mnl_attr_nest_end(nlh, info);
			stage_end(&s, nlh);
		}
	send_stage(&s, "create");

	/* 2. mark: the alias, out of group G, IPv6 address generation mode none */
	stage_reset(&s);
	for (int k = 0; k < t; k++)
		for (int i = 0; i < n; i++) {
			struct nlmsghdr *nlh = stage_msg(&s, RTM_NEWLINK, 0);
			struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
			struct nlattr *spec, *inet6;
			char alias[64];

			ifi->ifi_index = idx[k * n + i];
			snprintf(alias, sizeof(alias), ALIAS_PREFIX "t%d", k);
			mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
			mnl_attr_put_u32(nlh, IFLA_GROUP, 0);
			spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
			inet6 = mnl_attr_nest_start(nlh, AF_INET6);
			mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
			mnl_attr_nest_end(nlh, inet6);
			mnl_attr_nest_end(nlh, spec);
			stage_end(&s, nlh);
		}
	send_stage(&s, "mark");

	/* 3. disable_ipv6: a sysctl by name, one write a device */
	for (int k = 0; k < t; k++)
		for (int i = 1; i <= n; i++) {
			char path[128];
			int fd;

			snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/t%db%d/disable_ipv6", k, i);
			fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd < 0 || write(fd, "1\n", 2) != 2) {
				fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
				exit(1);
			}
			close(fd);
		}

	/* 4. up */
	stage_reset(&s);
	for (int j = 0; j < t * n; j++)
		put_up(&s, idx[j]);
	send_stage(&s, "set up");
	free(s.buf);
	free(s.off);
	free(parent);
}

/* Delete by group: each into group G (one batch), then one RTM_DELLINK for G. */
static void delete_group(const int *idx, size_t n, uint32_t group)
{
	struct stage s = { 0 };

	for (size_t j = 0; j < n; j++)
		put_group(&s, idx[j], group);
	send_stage(&s, "set group");
	stage_reset(&s);
	put_delete(&s, 0, group);
	send_stage(&s, "delete group");
	free(s.buf);
	free(s.off);
}

static void usage(void)
{
	fprintf(stderr, "usage: floor create|create-delete -t T -n N [-g G] [-B BYTES]\n"
			"       floor dump [--parse]\n"
			"       floor delete --per-device|--group [-g G] [-B BYTES]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "parse", no_argument, NULL, 'P' },
		{ "per-device", no_argument, NULL, 'D' },
		{ "group", no_argument, NULL, 'G' },
		{ 0 }
	};
	const char *cmd;
	int t = 1, n = 0, opt, one = 1, how = 0;
	bool parse = false;
	/* Not a group vlantrunk or the kernel uses: any nonzero one does (0 cannot be deleted). */
	uint32_t group = 0x7f10;
	int sndbuf = SNDBUF, rcvbuf = RCVBUF;
	struct timeval timeout = { .tv_sec = 60 };

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "t:n:g:B:", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': t = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'g': group = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'B': max_dgram = strtoul(optarg, NULL, 0); break;
		case 'P': parse = true; break;
		case 'D': how = 'D'; break;
		case 'G': how = 'G'; break;
		default: usage();
		}
	}
	if (optind != argc || !group || !max_dgram)
		usage();

	sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!sock)
		die("netlink socket");
	/* As vlantrunk's socket: errors without the request echoed, ext-ack text, strict dumps. */
	setsockopt(mnl_socket_get_fd(sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(sock), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	/* Room for a whole stage a datagram, and for all of its acks (each an skb of its own). */
	if (setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0 ||
	    setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		die("SO_SNDBUFFORCE/SO_RCVBUFFORCE");
	/* An answer that never comes is an error, not a hang. */
	if (setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0)
		die("SO_RCVTIMEO");
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0)
		die("bind");
	portid = mnl_socket_get_portid(sock);

	if (!strcmp(cmd, "create") || !strcmp(cmd, "create-delete")) {
		int *idx;

		if (t < 1 || n < 1 || n > 4094)
			usage();
		idx = calloc((size_t)t * (size_t)n, sizeof(*idx));
		if (!idx)
			die("memory");
		create(t, n, group, idx);
		if (!strcmp(cmd, "create-delete"))
			delete_group(idx, (size_t)t * (size_t)n, group);
		free(idx);
	} else if (!strcmp(cmd, "dump")) {
		struct links l = { .parse = parse };

		dump(&l);
		printf("%zu links, %lu attributes parsed (%lu)\n", l.n, l.attrs, l.sum & 0xff);
		free(l.d);
	} else if (!strcmp(cmd, "delete")) {
		struct links l = { .parse = true };	/* the aliases: which are managed */
		int *idx;
		size_t m = 0;

		if (!how)
			usage();
		dump(&l);
		idx = calloc(l.n ? l.n : 1, sizeof(*idx));
		if (!idx)
			die("memory");
		for (size_t i = 0; i < l.n; i++)
			if (l.d[i].managed)
				idx[m++] = l.d[i].ifindex;
		if (how == 'D') {
			struct stage s = { 0 };

			for (size_t j = 0; j < m; j++)
				put_delete(&s, idx[j], 0);
			if (m)
				send_stage(&s, "delete");
			free(s.buf);
			free(s.off);
		} else if (m) {
			delete_group(idx, m, group);
		}
		printf("%zu deleted\n", m);
		free(idx);
		free(l.d);
	} else {
		usage();
	}
	mnl_socket_close(sock);
	return 0;
}
