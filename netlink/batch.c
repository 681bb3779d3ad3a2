/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Batched requests: many messages per sendmsg(), one ack per message, each
 * matched to its request by sequence number.
 *
 * rtnetlink has no transaction: the kernel runs every message of a datagram
 * in order, within sendmsg(), and a failure at message k does not stop k+1.
 * So every ack is read and every outcome kept; the caller undoes what worked.
 * A request is one message, or several (an egress map longer than one
 * message holds): its outcome is theirs taken together.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <netlink/msg.h>

#include "nl_internal.h"
#include "vt_netlink.h"
#include "vt_array.h"

/*
 * Per sendmsg(): as many messages as the send buffer takes and the receive
 * buffer has room for the acks of (vt_nl_socket_limits()), up to
 * VT_DGRAM_MAX bytes: a whole stage of thousands of requests, as the
 * kernel's own cost is per message and a syscall's per datagram. The cap
 * bounds the copy the kernel makes of one datagram (a stage of creates with
 * long egress maps is 50 KiB a message).
 */
#define VT_DGRAM_MAX (8 * 1024 * 1024)
/* Acks read per recvmmsg(), into slots of VT_NL_ACK_SLOT bytes. */
#define VT_ACK_SLOTS 256
/* The kernel has answered by the time sendmsg() returns; this only bounds a broken kernel. */
#define VT_ACK_TIMEOUT_MS 10000

_Static_assert(VT_NL_MSG_MAX <= VT_DGRAM_MAX, "a request's message fits one sendmsg()");
_Static_assert(VT_NL_SNDBUF >= 2 * VT_DGRAM_MAX, "the send buffer takes the largest datagram");

/* One message of a request. */
struct vt_part {
	size_t offset;		/* into vt_batch.msgs */
	uint32_t len;
	uint32_t seq;
	bool follows;		/* not its request's first: sent once those before took effect */
	uint16_t ns;		/* the namespace of the device it is about */
	uint16_t via;		/* the namespace whose socket sends it */
	/*
	 * A create into another namespace than its parent's: sent on the socket
	 * of the parent's namespace, where its IFLA_LINK ifindex is, with
	 * IFLA_NET_NS_FD added at sending (the descriptor is the socket's, not
	 * the batch's). The kernel then makes the device in the target
	 * namespace directly: its name is checked there (Linux 6.1
	 * rtnl_newlink_create()); a nonzero ifindex is looked up in the sending
	 * namespace first (a device there with it: EEXIST), then taken there.
	 */
	bool into;
	struct vt_req_result result;
};

struct vt_request {
	size_t part, n_parts;	/* its messages: parts[part, part + n_parts) */
	enum vt_req_op op;
	struct vt_req_result result;
};

struct vt_batch {
	char *msgs;		/* the messages, back to back */
	size_t len, cap;
	struct vt_part *parts;
	size_t n_parts, parts_cap;
	struct vt_request *reqs;
	size_t n, n_cap;
	char **texts;		/* the extended-ack texts the results point to */
	size_t n_texts, texts_cap;
};

static struct vt_req_result result_of(enum vt_req_state state)
{
	return (struct vt_req_result){ .state = state, .message = "" };
}

static void drop_texts(struct vt_batch *batch)
{
	for (size_t i = 0; i < batch->n_texts; i++)
		free(batch->texts[i]);
	batch->n_texts = 0;
}

/* A copy of @text the batch keeps, or "" (also when there is no memory for it: it is a hint). */
static const char *keep_text(struct vt_batch *batch, const char *text)
{
	char **texts, *copy;

	if (!text[0])
		return "";
	texts = vt_array_grow(batch->texts, &batch->texts_cap, batch->n_texts + 1,
			      sizeof(*texts), 4);
	if (!texts)
		return "";
	batch->texts = texts;
	copy = strdup(text);
	if (!copy)
		return "";
	batch->texts[batch->n_texts++] = copy;
	return copy;
}

struct vt_batch *vt_batch_new(void)
{
	return calloc(1, sizeof(struct vt_batch));
}

void vt_batch_free(struct vt_batch *batch)
{
	if (!batch)
		return;
	free(batch->msgs);
	free(batch->parts);
	free(batch->reqs);
	drop_texts(batch);
	free(batch->texts);
	free(batch);
}

void vt_batch_reset(struct vt_batch *batch)
{
	batch->len = 0;
	batch->n_parts = 0;
	batch->n = 0;
	drop_texts(batch);
}

size_t vt_batch_count(const struct vt_batch *batch)
{
	return batch->n;
}

enum vt_req_op vt_batch_op(const struct vt_batch *batch, size_t index)
{
	return batch->reqs[index].op;
}

const struct vt_req_result *vt_batch_result(const struct vt_batch *batch, size_t index)
{
	return &batch->reqs[index].result;
}

size_t vt_batch_failures(const struct vt_batch *batch)
{
	size_t failed = 0;

	for (size_t i = 0; i < batch->n; i++)
		failed += batch->reqs[i].result.state == VT_REQ_ANSWERED &&
			  batch->reqs[i].result.error != 0;
	return failed;
}

/* Copies the messages' bytes: libnl's nl_msgs (a page each, at least) are freed at once. */
static int queue(struct vt_batch *batch, enum vt_req_op op, uint16_t ns, uint16_t via,
		 struct nl_msg *const *msg, size_t n)
{
	size_t len = 0;
	struct vt_request *reqs;
	struct vt_part *parts;
	char *msgs;

	for (size_t i = 0; i < n; i++) {
		/* Refused here, before anything of the batch is sent. */
		if (nlmsg_hdr(msg[i])->nlmsg_len > VT_DGRAM_MAX)
			return -EMSGSIZE;
		len += NLMSG_ALIGN(nlmsg_hdr(msg[i])->nlmsg_len);
	}
	msgs = vt_array_grow(batch->msgs, &batch->cap, batch->len + len, 1, 16 * 1024);
	if (!msgs)
		return -ENOMEM;
	batch->msgs = msgs;
	parts = vt_array_grow(batch->parts, &batch->parts_cap, batch->n_parts + n,
			      sizeof(*parts), 64);
	if (!parts)
		return -ENOMEM;
	batch->parts = parts;
	reqs = vt_array_grow(batch->reqs, &batch->n_cap, batch->n + 1, sizeof(*reqs), 64);
	if (!reqs)
		return -ENOMEM;
	batch->reqs = reqs;

	batch->reqs[batch->n] = (struct vt_request){
		.part = batch->n_parts,
		.n_parts = n,
		.op = op,
	};
	for (size_t i = 0; i < n; i++) {
		const struct nlmsghdr *nlh = nlmsg_hdr(msg[i]);

		memcpy(batch->msgs + batch->len, nlh, nlh->nlmsg_len);
		batch->parts[batch->n_parts++] = (struct vt_part){
			.offset = batch->len,
			.len = nlh->nlmsg_len,
			.follows = i > 0,
			.ns = ns,
			.via = i == 0 ? via : ns,
			.into = i == 0 && via != ns,
		};
		batch->len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return (int)batch->n++;
}

/* A request of one message (deletes, plain creates). */
static int queue_one(struct vt_batch *batch, enum vt_req_op op, uint16_t ns, int built,
		     struct nl_msg *msg)
{
	int ret = built < 0 ? built : queue(batch, op, ns, ns, &msg, 1);

	nlmsg_free(msg);
	return ret;
}

static int queue_msgs(struct vt_batch *batch, enum vt_req_op op, uint16_t ns, uint16_t via,
		      int built, struct vt_nl_msgs *msgs)
{
	int ret = built < 0 ? built : queue(batch, op, ns, via, msgs->msg, msgs->n);

	vt_nl_msgs_free(msgs);
	return ret;
}

int vt_batch_create(struct vt_batch *batch, const struct vt_link_spec *spec)
{
	struct vt_nl_msgs msgs;
	int ret = vt_nl_build_create(spec, &msgs);

	/* From where its parent is (a device with none: from where it goes). */
	return queue_msgs(batch, VT_REQ_CREATE, spec->link.ns,
			  spec->link.parent ? spec->link.parent_ns : spec->link.ns, ret, &msgs);
}

int vt_batch_create_plain(struct vt_batch *batch, const char *name, const char *kind)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_create_plain(name, kind, &msg);

	return queue_one(batch, VT_REQ_CREATE, VT_NS_OWN, ret, msg);
}

int vt_batch_change(struct vt_batch *batch, const struct vt_link *current,
		    const struct vt_link_spec *spec)
{
	struct vt_nl_msgs msgs;
	int ret = vt_nl_build_change(current, spec, &msgs);

	/* The device as dumped says where it is; without it, the spec does. */
	uint16_t ns = current ? current->ns : spec->link.ns;

	return queue_msgs(batch, VT_REQ_CHANGE, ns, ns, ret, &msgs);
}

int vt_batch_delete(struct vt_batch *batch, uint16_t ns, int ifindex, const char *name)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_delete(ifindex, name, &msg);

	return queue_one(batch, VT_REQ_DELETE, ns, ret, msg);
}

int vt_batch_delete_group(struct vt_batch *batch, uint16_t ns, uint32_t group)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_delete_group(group, &msg);

	return queue_one(batch, VT_REQ_DELETE, ns, ret, msg);
}

/* Record the acks in one datagram for messages [first, end). */
static size_t take_acks(uint32_t portid, struct vt_batch *batch, size_t first,
			size_t end, const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	size_t answered = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		uint32_t offset = nlh->nlmsg_seq - batch->parts[first].seq;
		struct vt_req_result *res;
		char text[128];

		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != portid)
			continue;
		/* Sequence numbers run consecutively through a chunk. */
		if (offset >= end - first)
			continue;	/* a stale answer from an earlier exchange */
		res = &batch->parts[first + offset].result;
		if (res->state == VT_REQ_ANSWERED)
			continue;
		res->error = vt_nl_parse_error(nlh, text, sizeof(text));
		res->message = keep_text(batch, text);
		res->state = VT_REQ_ANSWERED;
		answered++;
	}
	return answered;
}

/*
 * The acks of messages [first, end), many a recvmmsg(). The kernel has
 * queued them all when sendmsg() returns, unless some did not fit the
 * receive buffer (ENOBUFS): those requests' outcomes stay unknown.
 */
static int read_acks(struct vt_nl_slots *slots, struct mnl_socket *sock, uint32_t portid,
		     struct vt_batch *batch, size_t first, size_t end)
{
	size_t outstanding = end - first;
	int ret = 0;

	while (outstanding) {
		int n = vt_nl_recv_slots(sock, slots, outstanding, MSG_DONTWAIT);

		if (n == -EINTR)
			continue;
		if (n == -EAGAIN) {
			struct pollfd pfd = { .fd = mnl_socket_get_fd(sock), .events = POLLIN };
			int p;

			if (ret)	/* after an overrun, what is queued is all there is */
				break;
			p = poll(&pfd, 1, VT_ACK_TIMEOUT_MS);
			if (p < 0 && errno != EINTR) {
				ret = -errno;
				break;
			}
			if (p == 0) {
				ret = -ETIMEDOUT;
				break;
			}
			continue;
		}
		if (n == -ENOBUFS) {
			/* Acks were dropped: keep the ones still queued, then stop. */
			ret = -ENOBUFS;
			continue;
		}
		if (n < 0) {
			ret = n;
			break;
		}
		for (int i = 0; i < n; i++) {
			size_t len;
			const char *buf = vt_nl_slot(slots, (size_t)i, &len);

			outstanding -= take_acks(portid, batch, first, end, buf, len);
		}
	}
	return outstanding ? (ret ? ret : -EIO) : 0;
}

void vt_batch_set_result(struct vt_batch *batch, size_t index, const struct vt_req_result *result)
{
	batch->reqs[index].result = *result;
	batch->reqs[index].result.message = keep_text(batch, result->message ? result->message : "");
}

static bool took_effect(const struct vt_part *p)
{
	return p->result.state == VT_REQ_ANSWERED && !p->result.error;
}

/*
 * A request's outcome from its messages': the first that failed (those after
 * it were not sent), or unknown if one went unanswered, or was not sent
 * after others took effect; success when all did.
 */
static void settle(struct vt_batch *batch, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		struct vt_request *req = &batch->reqs[i];
		struct vt_req_result res = result_of(VT_REQ_ANSWERED);

		for (size_t k = 0; k < req->n_parts; k++) {
			const struct vt_part *p = &batch->parts[req->part + k];

			if (took_effect(p))
				continue;
			res = p->result;
			if (res.state == VT_REQ_QUEUED && k)
				res.state = VT_REQ_UNKNOWN;
			break;
		}
		req->result = res;
	}
}

int vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch)
{
	for (size_t i = 0; i < batch->n; i++)
		batch->reqs[i].result = result_of(VT_REQ_QUEUED);
	return vt_nl_send_batch_part(nl, batch, 0, batch->n);
}

/*
 * Messages [from, to) in chunks, in order. A message that follows another of
 * its request starts a chunk of its own, once the one before it is answered:
 * sent only if that took effect. The kernel runs a datagram's messages
 * regardless of each other, and the rest of a create whose first message
 * failed (the name or ifindex taken) would change the device that has them.
 */
static int send_parts(struct vt_nl *nl, struct vt_batch *batch, size_t from, size_t to)
{
	struct vt_nl_slots *slots = NULL;
	struct mnl_nlmsg_batch *mb = NULL;
	size_t next = from, room = 0;
	char *sendbuf = NULL;
	int ret = -ENOMEM;

	/* The most a datagram of these messages can hold: all of them. */
	for (size_t i = from; i < to; i++)
		room += NLMSG_ALIGN(batch->parts[i].len) +
			(batch->parts[i].into ? MNL_ATTR_HDRLEN + 4 : 0);
	if (room > VT_DGRAM_MAX)
		room = VT_DGRAM_MAX;
	/* libmnl wants room for one message past the limit; none is put there. */
	sendbuf = malloc(room + VT_NL_MSG_MAX + MNL_ATTR_HDRLEN + 4);
	if (sendbuf)
		mb = mnl_nlmsg_batch_start(sendbuf, room);
	if (!mb)
		goto out;
	ret = 0;

	while (next < to) {
		struct vt_nl_limits lim;
		struct mnl_socket *sock;
		uint32_t portid;
		uint16_t via;
		size_t first, limit;

		while (next < to && batch->parts[next].follows && !took_effect(&batch->parts[next - 1]))
			next++;
		if (next == to)
			break;
		via = batch->parts[next].via;
		if (vt_nl_endpoint(nl, via, &sock, &portid) < 0 ||
		    (batch->parts[next].into && vt_nl_target_fd(nl, batch->parts[next].ns) < 0)) {
			/* a namespace not registered: nothing of it is sent */
			batch->parts[next].result = result_of(VT_REQ_ANSWERED);
			batch->parts[next].result.error = -ENOENT;
			next++;
			continue;
		}
		/* A host whose buffers are smaller gets smaller datagrams. */
		vt_nl_socket_limits(sock, &lim);
		limit = lim.dgram_max < room ? lim.dgram_max : room;
		if (!slots) {
			/*
			 * An ack without NETLINK_CAP_ACK (before Linux 4.3) may
			 * echo its request: then one at a time, into a buffer
			 * that holds any. One kernel is behind every socket.
			 */
			slots = lim.capped ? vt_nl_slots_new(VT_ACK_SLOTS, VT_NL_ACK_SLOT) :
					     vt_nl_slots_new(1, VT_NL_RECV_BUF);
			if (!slots) {
				ret = -ENOMEM;
				break;
			}
		}
		first = next;
		while (next < to && next - first < lim.acks_max) {
			struct vt_part *part = &batch->parts[next];
			struct nlmsghdr *nlh = mnl_nlmsg_batch_current(mb);
			size_t len = part->len + (part->into ? MNL_ATTR_HDRLEN + 4 : 0);

			/* One datagram goes to one socket: a namespace's requests start a chunk. */
			if (next > first && (part->follows ||
					     part->via != via ||
					     mnl_nlmsg_batch_size(mb) + len > limit))
				break;
			memcpy(nlh, batch->msgs + part->offset, part->len);
			if (part->into)
				mnl_attr_put_u32(nlh, IFLA_NET_NS_FD,
						 (uint32_t)vt_nl_target_fd(nl, part->ns));
			nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			nlh->nlmsg_seq = part->seq = ++nl->seq;
			nlh->nlmsg_pid = 0;
			/* queue() refused any message larger than a datagram */
			(void)mnl_nlmsg_batch_next(mb);
			next++;
		}
		if (first == next)
			break;
		if (mnl_socket_sendto(sock, mnl_nlmsg_batch_head(mb),
				      mnl_nlmsg_batch_size(mb)) < 0) {
			ret = -errno;	/* a netlink datagram is taken whole or not at all */
			break;
		}
		for (size_t i = first; i < next; i++)
			batch->parts[i].result.state = VT_REQ_UNKNOWN;
		ret = read_acks(slots, sock, portid, batch, first, next);
		if (ret < 0)
			break;
		mnl_nlmsg_batch_reset(mb);
	}

out:
	if (mb)
		mnl_nlmsg_batch_stop(mb);
	free(sendbuf);
	vt_nl_slots_free(slots);
	return ret;
}

int vt_nl_send_batch_part(struct vt_nl *nl, struct vt_batch *batch, size_t from, size_t to)
{
	size_t first, end;
	int ret;

	if (to > batch->n)
		to = batch->n;
	/* Whatever comes next, the sysctl files written before it are done with. */
	vt_nl_parked_close(nl);
	if (from >= to)
		return 0;
	first = batch->reqs[from].part;
	end = batch->reqs[to - 1].part + batch->reqs[to - 1].n_parts;
	for (size_t i = first; i < end; i++)
		batch->parts[i].result = result_of(VT_REQ_QUEUED);
	ret = send_parts(nl, batch, first, end);
	settle(batch, from, to);
	return ret;
}
