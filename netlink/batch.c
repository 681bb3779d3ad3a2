/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Batched requests: many messages per sendmsg(), one ack per message, each
 * matched to its request by sequence number.
 *
 * rtnetlink has no transaction: the kernel runs every message of a datagram
 * in order, within sendmsg(), and a failure at message k does not stop k+1.
 * So every ack is read and every outcome kept; the caller undoes what worked.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/msg.h>

#include "nl_internal.h"
#include "vt_netlink.h"
#include "vt_array.h"

/*
 * Per sendmsg(): bytes well under the send buffer, and few enough messages
 * that all their acks (one skb each, ~1 KiB of receive buffer apiece even
 * when the default buffer could not be raised) fit the receive buffer.
 */
#define VT_CHUNK_BYTES (64 * 1024)
#define VT_CHUNK_MSGS 256
/* The kernel has answered by the time sendmsg() returns; this only bounds a broken kernel. */
#define VT_ACK_TIMEOUT_MS 10000

struct vt_request {
	size_t offset;		/* into vt_batch.msgs */
	uint32_t len;
	uint32_t seq;
	enum vt_req_op op;
	struct vt_req_result result;
};

struct vt_batch {
	char *msgs;		/* the requests' messages, back to back */
	size_t len, cap;
	struct vt_request *reqs;
	size_t n, n_cap;
};

struct vt_batch *vt_batch_new(void)
{
	return calloc(1, sizeof(struct vt_batch));
}

void vt_batch_free(struct vt_batch *batch)
{
	if (!batch)
		return;
	free(batch->msgs);
	free(batch->reqs);
	free(batch);
}

void vt_batch_reset(struct vt_batch *batch)
{
	batch->len = 0;
	batch->n = 0;
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

/* Takes the message's bytes; libnl's nl_msg (a page each) is freed at once. */
static int queue(struct vt_batch *batch, enum vt_req_op op, struct nl_msg *msg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	struct vt_request *reqs;
	char *msgs;
	int ret = -ENOMEM;

	msgs = vt_array_grow(batch->msgs, &batch->cap, batch->len + len, 1, 16 * 1024);
	if (!msgs)
		goto out;
	batch->msgs = msgs;
	reqs = vt_array_grow(batch->reqs, &batch->n_cap, batch->n + 1, sizeof(*reqs), 64);
	if (!reqs)
		goto out;
	batch->reqs = reqs;
	memcpy(batch->msgs + batch->len, nlh, nlh->nlmsg_len);
	batch->reqs[batch->n] = (struct vt_request){
		.offset = batch->len,
		.len = nlh->nlmsg_len,
		.op = op,
	};
	batch->len += len;
	ret = (int)batch->n++;
out:
	nlmsg_free(msg);
	return ret;
}

int vt_batch_create(struct vt_batch *batch, const struct vt_link_spec *spec)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_create(spec, &msg);

	return ret < 0 ? ret : queue(batch, VT_REQ_CREATE, msg);
}

int vt_batch_create_plain(struct vt_batch *batch, const char *name, const char *kind)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_create_plain(name, kind, &msg);

	return ret < 0 ? ret : queue(batch, VT_REQ_CREATE, msg);
}

int vt_batch_change(struct vt_batch *batch, const struct vt_link *current,
		    const struct vt_link_spec *spec)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_change(current, spec, &msg);

	return ret < 0 ? ret : queue(batch, VT_REQ_CHANGE, msg);
}

int vt_batch_delete(struct vt_batch *batch, int ifindex, const char *name)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_delete(ifindex, name, &msg);

	return ret < 0 ? ret : queue(batch, VT_REQ_DELETE, msg);
}

int vt_batch_delete_group(struct vt_batch *batch, uint32_t group)
{
	struct nl_msg *msg = NULL;
	int ret = vt_nl_build_delete_group(group, &msg);

	return ret < 0 ? ret : queue(batch, VT_REQ_DELETE, msg);
}

/* Record the acks in one datagram for requests [first, end). */
static size_t take_acks(struct vt_nl *nl, struct vt_batch *batch, size_t first,
			size_t end, const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	size_t answered = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		uint32_t offset = nlh->nlmsg_seq - batch->reqs[first].seq;
		struct vt_req_result *res;

		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != nl->portid)
			continue;
		/* Sequence numbers run consecutively through a chunk. */
		if (offset >= end - first)
			continue;	/* a stale answer from an earlier exchange */
		res = &batch->reqs[first + offset].result;
		if (res->state == VT_REQ_ANSWERED)
			continue;
		res->error = vt_nl_parse_error(nlh, res->message, sizeof(res->message));
		res->state = VT_REQ_ANSWERED;
		answered++;
	}
	return answered;
}

static int read_acks(struct vt_nl *nl, struct vt_batch *batch, size_t first, size_t end)
{
	size_t outstanding = end - first;
	int ret = 0;

	while (outstanding) {
		ssize_t n = vt_nl_recv(nl->sock, nl->buf, VT_NL_RECV_BUF, MSG_DONTWAIT);

		if (n == -EINTR)
			continue;
		if (n == -EAGAIN) {
			struct pollfd pfd = { .fd = mnl_socket_get_fd(nl->sock), .events = POLLIN };
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
			ret = (int)n;
			break;
		}
		outstanding -= take_acks(nl, batch, first, end, nl->buf, (size_t)n);
	}
	return outstanding ? (ret ? ret : -EIO) : 0;
}

void vt_batch_set_result(struct vt_batch *batch, size_t index, const struct vt_req_result *result)
{
	batch->reqs[index].result = *result;
}

int vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch)
{
	for (size_t i = 0; i < batch->n; i++)
		batch->reqs[i].result = (struct vt_req_result){ .state = VT_REQ_QUEUED };
	return vt_nl_send_batch_part(nl, batch, 0, batch->n);
}

int vt_nl_send_batch_part(struct vt_nl *nl, struct vt_batch *batch, size_t from, size_t to)
{
	struct mnl_nlmsg_batch *mb;
	size_t first = from, next = from;
	char *sendbuf;
	int ret = 0;

	if (to > batch->n)
		to = batch->n;
	if (from >= to)
		return 0;

	/* Twice the limit: the message that overflows a chunk waits at its end. */
	sendbuf = malloc(2 * VT_CHUNK_BYTES);
	if (!sendbuf)
		return -ENOMEM;
	mb = mnl_nlmsg_batch_start(sendbuf, VT_CHUNK_BYTES);
	if (!mb) {
		free(sendbuf);
		return -ENOMEM;
	}

	while (first < to) {
		bool carried = false;
		size_t end;

		while (next < to && next - first < VT_CHUNK_MSGS) {
			struct vt_request *req = &batch->reqs[next++];
			struct nlmsghdr *nlh = mnl_nlmsg_batch_current(mb);

			memcpy(nlh, batch->msgs + req->offset, req->len);
			nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
			nlh->nlmsg_seq = req->seq = ++nl->seq;
			nlh->nlmsg_pid = 0;
			if (!mnl_nlmsg_batch_next(mb)) {
				carried = true;
				break;
			}
		}
		end = carried ? next - 1 : next;
		if (end == first) {
			ret = -EMSGSIZE;	/* one message larger than a chunk */
			break;
		}
		if (mnl_socket_sendto(nl->sock, mnl_nlmsg_batch_head(mb),
				      mnl_nlmsg_batch_size(mb)) < 0) {
			ret = -errno;	/* a netlink datagram is taken whole or not at all */
			break;
		}
		for (size_t i = first; i < end; i++)
			batch->reqs[i].result.state = VT_REQ_UNKNOWN;
		ret = read_acks(nl, batch, first, end);
		if (ret < 0)
			break;
		mnl_nlmsg_batch_reset(mb);
		first = end;
	}

	mnl_nlmsg_batch_stop(mb);
	free(sendbuf);
	return ret;
}
