/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rtnetlink socket: options, buffers, and the one place senders are checked. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nl_internal.h"
#include "vt_netlink.h"

static void set_buffer(int fd, int force_opt, int opt, int bytes)
{
	/* The FORCE variants pass rmem_max/wmem_max but need CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof(bytes)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof(bytes));
}

static int set_flag(int fd, int opt)
{
	int one = 1;

	if (setsockopt(fd, SOL_NETLINK, opt, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

int vt_nl_socket_open(struct mnl_socket **out, unsigned int groups, int rcvbuf,
		      int sndbuf, bool *strict)
{
	struct mnl_socket *sock;
	int fd, ret;

	sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!sock)
		return -errno;
	fd = mnl_socket_get_fd(sock);

	/* Older kernels lack these (ENOPROTOOPT); we work without them. */
	(void)set_flag(fd, NETLINK_EXT_ACK);
	(void)set_flag(fd, NETLINK_CAP_ACK);
	ret = set_flag(fd, NETLINK_GET_STRICT_CHK);
	if (strict)
		*strict = ret == 0;

	if (rcvbuf > 0)
		set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
	if (sndbuf > 0)
		set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);

	if (mnl_socket_bind(sock, groups, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(sock);
		return ret;
	}
	*out = sock;
	return 0;
}

ssize_t vt_nl_recv_from(struct mnl_socket *sock, void *buf, size_t len, int flags,
			int32_t *nsid)
{
	for (;;) {
		struct sockaddr_nl addr;
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		char control[CMSG_SPACE(sizeof(int))];
		struct msghdr msg = {
			.msg_name = &addr,
			.msg_namelen = sizeof(addr),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = nsid ? control : NULL,
			.msg_controllen = nsid ? sizeof(control) : 0,
		};
		ssize_t n = recvmsg(mnl_socket_get_fd(sock), &msg, flags);

		if (n < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -ENOSPC;
		/* Only the kernel (port id 0) may talk to us; anything else is forged. */
		if (msg.msg_namelen != sizeof(addr) || addr.nl_family != AF_NETLINK ||
		    addr.nl_pid != 0)
			continue;
		if (nsid) {
			/* Only what comes from another namespace carries its id. */
			*nsid = -1;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
				if (c->cmsg_level == SOL_NETLINK &&
				    c->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
				    c->cmsg_len >= CMSG_LEN(sizeof(int)))
					memcpy(nsid, CMSG_DATA(c), sizeof(int));
		}
		return n;
	}
}

ssize_t vt_nl_recv(struct mnl_socket *sock, void *buf, size_t len, int flags)
{
	return vt_nl_recv_from(sock, buf, len, flags, NULL);
}

static int get_int(int fd, int level, int opt, int *value)
{
	socklen_t len = sizeof(*value);

	return getsockopt(fd, level, opt, value, &len) < 0 ? -errno : 0;
}

/*
 * What netlink_sendmsg() takes: up to the send buffer less 32 bytes. And
 * how many acks the receive buffer holds: the kernel queues every ack of a
 * datagram inside sendmsg(), before we read one, and drops what does not
 * fit (ENOBUFS). Without CAP_NET_ADMIN the buffers asked for are capped at
 * wmem_max and rmem_max (doubled, as the kernel books overhead): 416 KiB by
 * default, still hundreds of messages a datagram.
 */
void vt_nl_socket_limits(struct mnl_socket *sock, struct vt_nl_limits *out)
{
	int fd = mnl_socket_get_fd(sock), bytes = 0, capped = 0;

	out->dgram_max = SIZE_MAX;	/* not known: let the kernel say */
	if (!get_int(fd, SOL_SOCKET, SO_SNDBUF, &bytes) && bytes > 32)
		out->dgram_max = (size_t)bytes - 32;
	out->acks_max = VT_NL_RCVBUF / VT_NL_ACK_ROOM;
	if (!get_int(fd, SOL_SOCKET, SO_RCVBUF, &bytes) && bytes > 0)
		out->acks_max = (size_t)bytes / VT_NL_ACK_ROOM;
	if (!out->acks_max)
		out->acks_max = 1;
	/* Linux 4.3+; before it, an error ack echoes the whole request. */
	out->capped = !get_int(fd, SOL_NETLINK, NETLINK_CAP_ACK, &capped) && capped;
}

struct vt_nl_slots {
	struct mmsghdr *mm;	/* mm[i].msg_len: slot i's length, 0 when dropped */
	struct iovec *iov;
	struct sockaddr_nl *addr;
	char *buf;		/* slot i at buf + i * size */
	size_t n, size;
};

struct vt_nl_slots *vt_nl_slots_new(size_t n, size_t size)
{
	struct vt_nl_slots *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->mm = calloc(n, sizeof(*s->mm));
	s->iov = calloc(n, sizeof(*s->iov));
	s->addr = calloc(n, sizeof(*s->addr));
	s->buf = malloc(n * size);
	if (!s->mm || !s->iov || !s->addr || !s->buf) {
		vt_nl_slots_free(s);
		return NULL;
	}
	s->n = n;
	s->size = size;
	return s;
}

void vt_nl_slots_free(struct vt_nl_slots *s)
{
	if (!s)
		return;
	free(s->mm);
	free(s->iov);
	free(s->addr);
	free(s->buf);
	free(s);
}

int vt_nl_recv_slots(struct mnl_socket *sock, struct vt_nl_slots *s, size_t want, int flags)
{
	int n;

	if (want > s->n)
		want = s->n;
	for (size_t i = 0; i < want; i++) {
		s->iov[i] = (struct iovec){ .iov_base = s->buf + i * s->size, .iov_len = s->size };
		s->mm[i].msg_hdr = (struct msghdr){
			.msg_name = &s->addr[i],
			.msg_namelen = sizeof(s->addr[i]),
			.msg_iov = &s->iov[i],
			.msg_iovlen = 1,
		};
	}
	n = recvmmsg(mnl_socket_get_fd(sock), s->mm, (unsigned int)want, flags, NULL);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const struct msghdr *m = &s->mm[i].msg_hdr;

		/* As vt_nl_recv_from(): only the kernel (port id 0) may talk to us. */
		if ((m->msg_flags & MSG_TRUNC) || m->msg_namelen != sizeof(s->addr[i]) ||
		    s->addr[i].nl_family != AF_NETLINK || s->addr[i].nl_pid != 0)
			s->mm[i].msg_len = 0;
	}
	return n;
}

const char *vt_nl_slot(const struct vt_nl_slots *s, size_t i, size_t *len)
{
	*len = s->mm[i].msg_len;
	return s->buf + i * s->size;
}

int vt_nl_open(struct vt_nl **out)
{
	struct vt_nl *nl;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->buf = malloc(VT_NL_RECV_BUF);
	if (!nl->buf) {
		ret = -ENOMEM;
		goto err;
	}
	ret = vt_nl_socket_open(&nl->sock, 0, VT_NL_RCVBUF, VT_NL_SNDBUF, &nl->strict);
	if (ret < 0)
		goto err;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->self_fd = -1;
	nl->conf_fd = -1;
	/* Distinct sequence numbers per process make stale answers recognisable. */
	nl->seq = (uint32_t)getpid() << 16;
	*out = nl;
	return 0;
err:
	free(nl->buf);
	free(nl);
	return ret;
}

/* Here, with the sockets' lifecycle: registering them is netns.c's. */
void vt_nl_netns_forget(struct vt_nl *nl)
{
	/* The sysctl files kept open may be other namespaces' too. */
	vt_nl_parked_close(nl);
	for (size_t k = 0; k < nl->n_ns; k++) {
		mnl_socket_close(nl->ns[k].sock);
		close(nl->ns[k].fd);
		free(nl->ns[k].peer);
	}
	free(nl->ns);
	nl->ns = NULL;
	nl->n_ns = 0;
	for (size_t i = 0; i < nl->n_paths; i++)
		free(nl->paths[i].path);
	free(nl->paths);
	nl->paths = NULL;
	nl->n_paths = 0;
	if (nl->self_fd >= 0)
		close(nl->self_fd);
	nl->self_fd = -1;
}

void vt_nl_close(struct vt_nl *nl)
{
	if (!nl)
		return;
	vt_nl_netns_forget(nl);
	if (nl->conf_fd >= 0)
		close(nl->conf_fd);
	mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl);
}

uint32_t vt_nl_portid(const struct vt_nl *nl)
{
	return nl->portid;
}

bool vt_nl_strict(const struct vt_nl *nl)
{
	return nl->strict;
}
