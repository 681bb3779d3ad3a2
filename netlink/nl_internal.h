/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the files of netlink/ only. */
#ifndef VT_NL_INTERNAL_H
#define VT_NL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <libmnl/libmnl.h>

#include "vt_link.h"

/*
 * Large enough for any one datagram the kernel sends us. A dump's skb holds
 * at least the largest link (rtnl_calcit() sets min_dump_alloc to it) or
 * 32 KiB; a link's VLAN egress map is 12 bytes a mapping, in a nest whose
 * length is 16 bits (a 4096-entry map makes a link message of about 50 KiB,
 * and the nest holds about 5400 at most), and the rest of a link message
 * (statistics left out) is a few KiB. recvmsg() of a larger one would be
 * cut (MSG_TRUNC): vt_nl_recv() fails with -ENOSPC then.
 */
#define VT_NL_RECV_BUF (128 * 1024)

/*
 * The buffers of a request socket. Receive: room for the acks of a whole
 * stage (each ack is its own skb, charged at its truesize: under
 * VT_NL_ACK_ROOM); the kernel doubles what is asked. Send: many times the
 * largest datagram batch.c builds (VT_NL_DGRAM_MAX).
 */
#define VT_NL_RCVBUF (64 * 1024 * 1024)
#define VT_NL_SNDBUF (16 * 1024 * 1024)
/*
 * The receive buffer one ack takes. With NETLINK_CAP_ACK an ack is a
 * struct nlmsgerr and its extended-ack attributes (a text of at most 80
 * bytes for a formatted one, an offset, a policy): a few hundred bytes, in
 * an skb of 1 KiB or less (netlink_ack(), nlmsg_new()).
 */
#define VT_NL_ACK_ROOM 2048
/* A slot of vt_nl_recv_slots() for acks: more than any capped ack. */
#define VT_NL_ACK_SLOT 1024

/* One QoS mapping on the wire: an attribute holding struct ifla_vlan_qos_mapping. */
#define VT_NL_QOS_MAPPING_SIZE 12
/*
 * The most egress QoS mappings one message carries. An attribute's length
 * is 16 bits: IFLA_LINKINFO, which holds IFLA_VLAN_EGRESS_QOS, has room for
 * about 5400 mappings; 4096 (48 KiB) leave room for the rest of it.
 */
#define VT_NL_EGRESS_PER_MSG 4096
/*
 * Room for everything in a request but its egress mappings: twice the
 * largest such request (about 530 bytes, the longest alias and every
 * ingress mapping among them). libnl zeroes all of a message's room.
 */
#define VT_NL_MSG_BASE 1024
/* The largest request message vlantrunk builds. */
#define VT_NL_MSG_MAX (VT_NL_MSG_BASE + VT_NL_EGRESS_PER_MSG * VT_NL_QOS_MAPPING_SIZE)

/*
 * Another network namespace, while registered (netns.c): a socket opened in
 * it, for every request about its devices (the kernel looks a change's
 * ifindex up in the requesting socket's namespace: Linux 6.1 answers a
 * change with IFLA_TARGET_NETNSID with ENODEV), and its file, for creating
 * a device straight into it (IFLA_NET_NS_FD) and for its sysctls. Both pin
 * the namespace: they are closed when the run ends (vt_nl_netns_forget()).
 */
struct vt_nl_ns {
	int fd;
	struct mnl_socket *sock;
	uint32_t portid;
	uint64_t dev, ino;	/* the nsfs file's: its identity while it lives */
	uint64_t cookie;	/* SO_NETNS_COOKIE: never reused in a boot; 0 when unknown */
	int32_t nsid;		/* its id in vlantrunk's own namespace */
	int32_t own_id;		/* vlantrunk's own namespace's id in it */
	/*
	 * The ids other registered namespaces have in it: peer[k - 1] for slot
	 * k, NETNSA_NSID_NOT_ASSIGNED until asked or while it has none. Asked
	 * for only when a device in it has its parent in a third namespace
	 * (vt_nl_map_pending()); an id stays while both namespaces live, and a
	 * registered one is held open.
	 */
	int32_t *peer;
	size_t n_peer;
};

/* A file that named a registered namespace. */
struct vt_nl_path {
	char *path;
	uint16_t slot;
};

/* Sysctl files vt_nl_set_ipv6_disabled() keeps open, at most (parked.c). */
#define VT_NL_PARKED 64

struct vt_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	bool strict;
	char *buf;	/* VT_NL_RECV_BUF bytes */
	int self_fd;	/* vlantrunk's own namespace, -1 until one is registered */
	int conf_fd;	/* its VT_IPV6_CONF_DIR, -1 until first used (ipv6.c) */
	int parked[VT_NL_PARKED];	/* sysctl files written, not closed yet (parked.c) */
	size_t n_parked;
	uint64_t self_dev, self_ino, self_cookie;	/* its identity, with self_fd */
	struct vt_nl_ns *ns;	/* slot k is ns[k - 1] */
	size_t n_ns;
	struct vt_nl_path *paths;
	size_t n_paths;
};

/**
 * vt_nl_endpoint - the socket for requests about devices in namespace @ns,
 * and its port id. -ENOENT for a slot not registered.
 */
int vt_nl_endpoint(struct vt_nl *nl, uint16_t ns, struct mnl_socket **sock, uint32_t *portid);

/*
 * .parent_ns of a link whose parent is in a namespace that vt_nl_map_parent()
 * could not tell without asking the kernel: never a slot (commit() stops
 * short of it), and never left in a link netlink/ hands out.
 */
#define VT_NS_PENDING UINT16_MAX

/**
 * vt_nl_map_parent - @link came from namespace @ns: set its .ns and turn
 * its IFLA_LINK_NETNSID into .parent_ns (.parent 0 when the parent is in a
 * namespace not registered). Called while an answer is being read, so it
 * asks nothing: a parent in a third namespace not yet known makes .parent_ns
 * VT_NS_PENDING, for vt_nl_map_pending() once the socket is free.
 */
void vt_nl_map_parent(const struct vt_nl *nl, uint16_t ns, struct vt_link *link);

/**
 * vt_nl_map_pending - settle each of @links (@n, all from namespace @ns)
 * that vt_nl_map_parent() left VT_NS_PENDING, asking the kernel for the ids
 * the other registered namespaces have in @ns (once per call, and only when
 * one is not known yet). Uses the own socket and nl->buf: call it once every
 * answer is read. Returns 0 or a negative errno.
 */
int vt_nl_map_pending(struct vt_nl *nl, uint16_t ns, struct vt_link *links, size_t n);

/** vt_nl_netns_fd - the file of registered namespace @ns (not VT_NS_OWN), or -1. */
int vt_nl_netns_fd(const struct vt_nl *nl, uint16_t ns);

/**
 * vt_nl_target_fd - the file of namespace @ns as IFLA_NET_NS_FD names it: a
 * registered one's, or the own namespace's (known once any is registered), or -1.
 */
int vt_nl_target_fd(const struct vt_nl *nl, uint16_t ns);

/** vt_nl_parked_add - keep @fd, a written sysctl file, to be closed with others (parked.c). */
void vt_nl_parked_add(struct vt_nl *nl, int fd);

/** vt_nl_parked_close - close every file vt_nl_parked_add() kept. */
void vt_nl_parked_close(struct vt_nl *nl);

/**
 * vt_nl_socket_open - a NETLINK_ROUTE socket with extended and capped acks,
 * strict checking when available (*strict says), @groups joined, and receive
 * and send buffers of @rcvbuf / @sndbuf bytes (0: leave the default).
 */
int vt_nl_socket_open(struct mnl_socket **out, unsigned int groups, int rcvbuf,
		      int sndbuf, bool *strict);

/* What one socket's buffers allow (vt_nl_socket_limits()). */
struct vt_nl_limits {
	size_t dgram_max;	/* the largest datagram the send buffer takes */
	size_t acks_max;	/* the acks the receive buffer holds at once */
	bool capped;		/* NETLINK_CAP_ACK is on: no ack echoes its request */
};

/** vt_nl_socket_limits - @sock's limits, read from the kernel (getsockopt). */
void vt_nl_socket_limits(struct mnl_socket *sock, struct vt_nl_limits *out);

/* Room for the datagrams one recvmmsg() reads: slots of a fixed size. */
struct vt_nl_slots;

/** vt_nl_slots_new - @n slots of @size bytes each, or NULL (no memory). */
struct vt_nl_slots *vt_nl_slots_new(size_t n, size_t size);

void vt_nl_slots_free(struct vt_nl_slots *slots);

/**
 * vt_nl_recv_slots - up to @want datagrams (at most the slots there are) in
 * one recvmmsg(): as many as are queued once the first is there. Returns
 * their number, or a negative errno from recvmmsg() (as vt_nl_recv():
 * -EAGAIN, -EINTR, -ENOBUFS for an overrun). A datagram from anyone but the
 * kernel, or larger than a slot (cut short), is dropped: its slot is empty.
 */
int vt_nl_recv_slots(struct mnl_socket *sock, struct vt_nl_slots *slots, size_t want, int flags);

/** vt_nl_slot - datagram @i of the last vt_nl_recv_slots(); *@len 0 for one dropped. */
const char *vt_nl_slot(const struct vt_nl_slots *slots, size_t i, size_t *len);

/**
 * vt_nl_recv - one datagram from the kernel. Datagrams from any other sender
 * are dropped here, so callers never see them. Returns its length,
 * -ENOSPC when it did not fit, or a negative errno from recvmsg().
 */
ssize_t vt_nl_recv(struct mnl_socket *sock, void *buf, size_t len, int flags);

/**
 * vt_nl_recv_from - vt_nl_recv(), and *@nsid the id of the namespace the
 * datagram came from (NETLINK_LISTEN_ALL_NSID), -1 for the own one.
 */
ssize_t vt_nl_recv_from(struct mnl_socket *sock, void *buf, size_t len, int flags,
			int32_t *nsid);

/**
 * vt_nl_parse_error - the error code of an NLMSG_ERROR or NLMSG_DONE message
 * and the kernel's extended-ack text, if any, into @msg (may be NULL).
 */
int vt_nl_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msg_len);

/**
 * vt_nl_decode_link - decode an RTM_NEWLINK or RTM_DELLINK message into
 * @link with libnl's attribute parser. @link owns its egress map and
 * altnames after. -EINVAL for a malformed message (nothing is kept then),
 * -EBADMSG for one of another type, -ENOMEM.
 */
int vt_nl_decode_link(const struct nlmsghdr *nlh, struct vt_link *link);

struct nl_msg;

/*
 * The messages of one request, in the order they must go: the first does
 * what the request asks; each after it, a change of the same device, sends
 * more of an egress map than one message holds (VT_NL_EGRESS_PER_MSG).
 */
struct vt_nl_msgs {
	struct nl_msg **msg;
	size_t n;
};

/** vt_nl_msgs_free - free the messages; @msgs is empty after. */
void vt_nl_msgs_free(struct vt_nl_msgs *msgs);

/**
 * vt_nl_build_create - the RTM_NEWLINK that creates @spec (see
 * vt_batch_create), and the changes that send the rest of its egress map.
 * -EINVAL for a spec the kernel would not take, -ENOMEM, or -EMSGSIZE if
 * libnl could not build a message whole (a bug: each is sized for its map).
 */
int vt_nl_build_create(const struct vt_link_spec *spec, struct vt_nl_msgs *out);

/** vt_nl_build_delete_group - the RTM_DELLINK that deletes every device of @group. */
int vt_nl_build_delete_group(uint32_t group, struct nl_msg **out);

/** vt_nl_build_create_plain - the RTM_NEWLINK that creates a device of @kind. */
int vt_nl_build_create_plain(const char *name, const char *kind, struct nl_msg **out);

/**
 * vt_nl_build_change - the RTM_NEWLINK that changes a device (see
 * vt_batch_change), and the changes that send the rest of its egress map;
 * fails as vt_nl_build_create().
 */
int vt_nl_build_change(const struct vt_link *current, const struct vt_link_spec *spec,
		       struct vt_nl_msgs *out);

/** vt_nl_build_delete - the RTM_DELLINK for a device by ifindex, else by name. */
int vt_nl_build_delete(int ifindex, const char *name, struct nl_msg **out);

/** vt_nl_errno - a libnl error code as a negative errno. */
int vt_nl_errno(int nle);

#endif
