/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vt_netlink.h - what vlantrunk asks of rtnetlink.
 *
 * A request socket (dumps and batched changes) and an event monitor. All
 * functions return 0 (or a non-negative count or index) on success and a
 * negative errno on failure. Nothing here prints.
 */
#ifndef VT_NETLINK_H
#define VT_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt_link.h"

struct vt_nl;

/**
 * vt_nl_open - open a request socket on NETLINK_ROUTE.
 *
 * Turns on extended acks, capped acks and strict checking where the kernel
 * has them, and sizes the buffers for batches.
 */
int vt_nl_open(struct vt_nl **out);

/** vt_nl_close - close the socket; NULL is fine. */
void vt_nl_close(struct vt_nl *nl);

/**
 * vt_nl_portid - the socket's netlink port id. Link events caused by this
 * socket's requests carry it as their origin (see vt_monitor_fn).
 */
uint32_t vt_nl_portid(const struct vt_nl *nl);

/** vt_nl_strict - whether the kernel accepted NETLINK_GET_STRICT_CHK. */
bool vt_nl_strict(const struct vt_nl *nl);

/* ------------------------------------------------------------------------ */
/*
 * Other network namespaces. A request socket serves vlantrunk's own
 * namespace (VT_NS_OWN) and each namespace registered on it, by slot (1, 2,
 * ...): a device is (slot, ifindex) from here up. Requests about a device go
 * to a socket opened inside its namespace, which needs CAP_SYS_ADMIN once
 * per namespace (setns()), as do its sysctls; a VLAN is created from the own
 * namespace straight into its target (IFLA_NET_NS_FD), so its parent's
 * ifindex is the own namespace's. A registered namespace is held open (so it
 * outlives `ip netns del`) until vt_nl_netns_forget(): register for a run,
 * never for longer.
 */

/**
 * vt_nl_netns_open - register the namespace the file @path names; *@slot
 * says its slot (the one it has already when another file named it;
 * VT_NS_OWN when the file names vlantrunk's own namespace).
 *
 * -ENOENT when it is not there: no such file, or an empty regular file (what
 * `ip netns add` leaves for an instant before its bind mount, and after a
 * failed one); -ENOTTY when the file is something else than a network
 * namespace (a directory, a file, another kind of namespace); -EPERM without
 * the privilege to enter it; another negative errno.
 */
int vt_nl_netns_open(struct vt_nl *nl, const char *path, uint16_t *slot);

/**
 * vt_nl_netns_probe - what the file @path is, as vt_nl_netns_open() would
 * find it, registering nothing: 0 for a network namespace, -ENOENT, -ENOTTY.
 */
int vt_nl_netns_probe(const char *path);

/**
 * vt_nl_netns_find - register the namespace whose identity is (@dev, @ino,
 * @cookie): by @path when it still names it, else by a name in /run/netns or
 * a process's /proc/PID/ns/net that does. The inode is reused by the kernel
 * for a later namespace; @cookie (SO_NETNS_COOKIE, 0 when not known) is not,
 * and decides. *@slot may be VT_NS_OWN. -ENOENT when no file names it: it is
 * gone (or only a descriptor somewhere holds it).
 */
int vt_nl_netns_find(struct vt_nl *nl, const char *path, uint64_t dev, uint64_t ino,
		     uint64_t cookie, uint16_t *slot);

/**
 * vt_nl_netns_identity - the identity of namespace @slot, registered (or the
 * own one, once another was). -ENOENT when none.
 */
int vt_nl_netns_identity(const struct vt_nl *nl, uint16_t slot, uint64_t *dev, uint64_t *ino,
			 uint64_t *cookie);

/**
 * vt_nl_netns_nsid - registered namespace @slot's id in the own namespace:
 * what link events from it carry (vt_monitor_fn), and what stays assigned
 * after vt_nl_netns_forget() until the namespace dies. -ENOENT when none.
 */
int vt_nl_netns_nsid(const struct vt_nl *nl, uint16_t slot);

/** vt_nl_netns_count - how many namespaces are registered. */
size_t vt_nl_netns_count(const struct vt_nl *nl);

/** vt_nl_netns_forget - close every registered namespace; slots start over. */
void vt_nl_netns_forget(struct vt_nl *nl);

/**
 * vt_nl_dump_links - read every link of the own namespace and of each one
 * registered into @table (cleared first; indexed on return, with the
 * registered namespaces' files in table->netns).
 *
 * Statistics are not asked for. A dump the kernel marks as interrupted
 * (NLM_F_DUMP_INTR: the set changed meanwhile) is read to its end and
 * retried; after several interrupted attempts this fails with -EAGAIN.
 */
int vt_nl_dump_links(struct vt_nl *nl, struct vt_link_table *table);

/**
 * vt_nl_dump_netns - add every link of each registered namespace (and their
 * files) to @table, which holds the own namespace's already, and index it:
 * for a copy of the own namespace kept up to date from events.
 */
int vt_nl_dump_netns(struct vt_nl *nl, struct vt_link_table *table);

/**
 * vt_nl_get_link - read the one device (@ns, @ifindex) into @link (which then
 * owns its egress map). -ENODEV when there is none: a device being deleted
 * is gone from here before its deletion is announced; -ENOENT when @ns is
 * not registered.
 */
int vt_nl_get_link(struct vt_nl *nl, uint16_t ns, int ifindex, struct vt_link *link);

/* One device to read: by (@ns, @ifindex), or when @ifindex is 0 by @name. */
struct vt_nl_get {
	uint16_t ns;
	int ifindex;
	const char *name;	/* with ifindex 0: a name or an altname, as the kernel looks up */
};

/**
 * vt_nl_get_links - read the @n devices @gets names, an RTM_GETLINK each,
 * many per sendmsg() (requests of one namespace go together: group them):
 * @links[i] (of @n, zeroed first) is the device @gets[i] found, owning its
 * egress map and altnames, or has ifindex 0 when there is none (no such
 * ifindex, nobody of that name). For reading back the devices of a
 * transaction without a dump of every link. -EINVAL for a request without
 * an ifindex or a valid name; -ENOENT when a namespace is not registered;
 * another negative errno (then every @links[i] is released).
 */
int vt_nl_get_links(struct vt_nl *nl, const struct vt_nl_get *gets, size_t n,
		    struct vt_link *links);

/* ------------------------------------------------------------------------ */

enum vt_req_op {
	VT_REQ_CREATE,
	VT_REQ_CHANGE,
	VT_REQ_DELETE,
};

enum vt_req_state {
	VT_REQ_QUEUED,		/* not sent */
	VT_REQ_ANSWERED,	/* the kernel answered: see .error */
	VT_REQ_UNKNOWN,		/* sent, but no answer came: it may have taken effect */
};

struct vt_req_result {
	enum vt_req_state state;
	int error;		/* with ANSWERED: 0 or the kernel's negative errno */
	/*
	 * The kernel's extended-ack text, or "": never NULL. Owned by the batch
	 * (valid until it is reset or freed); the few requests that fail carry
	 * text, so it is kept out of line: inline, 128 bytes in every message's
	 * and every request's result were most of a batch's memory.
	 */
	const char *message;
};

struct vt_batch;

/** vt_batch_new - an empty batch of requests. Returns NULL on ENOMEM. */
struct vt_batch *vt_batch_new(void);

/** vt_batch_free - free the batch; NULL is fine. */
void vt_batch_free(struct vt_batch *batch);

/** vt_batch_reset - drop every request, keep the memory. */
void vt_batch_reset(struct vt_batch *batch);

/*
 * A request is what one call below queued, and has one outcome. An egress
 * map longer than one message holds (a netlink attribute's length is 16
 * bits: a few thousand mappings) makes it several messages: the first does
 * what the request asks, each after it is a change of the same device with
 * more of the map (the kernel merges a change's mappings into the device's),
 * sent only once the ones before it took effect. Every map of any size can be
 * sent so, so no request fails to queue for its size.
 */

/** vt_batch_count - how many requests the batch holds. */
size_t vt_batch_count(const struct vt_batch *batch);

/*
 * A request goes to the namespace of the device it is about: spec->link.ns
 * for a create, @current->ns for a change (spec->link.ns without @current),
 * @ns for a delete.
 */

/**
 * vt_batch_create - queue the creation of a VLAN device.
 *
 * @spec must set VT_F_NAME, VT_F_PARENT and VT_F_VLAN_ID; every other field it
 * sets goes into the same request, except VT_F_ALIAS (the kernel ignores an
 * alias at creation) and VT_F_ADDR_GEN_MODE (it refuses one): queue a change
 * after it instead. A nonzero
 * spec->link.ifindex asks for that ifindex (-EEXIST from the kernel when it
 * is taken), so later requests of the same batch can refer to the device.
 * Returns the request's index in the batch, or -EINVAL / -ENOMEM.
 */
int vt_batch_create(struct vt_batch *batch, const struct vt_link_spec *spec);

/**
 * vt_batch_create_plain - queue the creation of a device of a kind that takes
 * no settings ("dummy", "bridge"): what probes need for a VLAN parent.
 * Returns the request's index in the batch, or -EINVAL / -ENOMEM.
 */
int vt_batch_create_plain(struct vt_batch *batch, const char *name, const char *kind);

/**
 * vt_batch_change - queue a change of an existing device.
 *
 * The device is spec->link.ifindex, or when that is 0 the device named
 * spec->link.name (then VT_F_NAME cannot also rename it). VT_F_PARENT,
 * VT_F_VLAN_ID and VT_F_PROTOCOL are refused: the kernel ignores them on an
 * existing device. VT_F_INGRESS and VT_F_EGRESS replace the whole map; the
 * egress map needs @current (the device as dumped) so that keys it has and
 * the new map lacks are sent as mapping to 0, which is how the kernel removes
 * them. @current may be NULL otherwise.
 * Returns the request's index in the batch, or -EINVAL / -ENOMEM.
 */
int vt_batch_change(struct vt_batch *batch, const struct vt_link *current,
		    const struct vt_link_spec *spec);

/**
 * vt_batch_delete - queue the deletion of the device @ifindex (or, when it
 * is 0, of the device called @name) of namespace @ns.
 * Returns the request's index in the batch, or -EINVAL / -ENOMEM.
 */
int vt_batch_delete(struct vt_batch *batch, uint16_t ns, int ifindex, const char *name);

/**
 * vt_batch_delete_group - queue the deletion of every device in @group (not
 * 0), in one request the kernel carries out as one batch: much cheaper than
 * one request per device, as the RCU grace periods are waited for once.
 * Only for a group known to hold nothing but devices the caller may delete.
 * Returns the request's index in the batch, or -EINVAL / -ENOMEM.
 */
int vt_batch_delete_group(struct vt_batch *batch, uint16_t ns, uint32_t group);

/** vt_batch_op - what request @index asks. */
enum vt_req_op vt_batch_op(const struct vt_batch *batch, size_t index);

/** vt_batch_result - the outcome of request @index. */
const struct vt_req_result *vt_batch_result(const struct vt_batch *batch,
					    size_t index);

/**
 * vt_nl_send_batch - send every queued request, many per sendmsg(), in order,
 * and read every answer.
 *
 * The kernel runs each request on its own: one failing does not stop the
 * next. Each request's outcome is in vt_batch_result(); for a request of
 * several messages, the first of them that failed (the rest were not sent),
 * else success. Returns 0 when every request was answered (whether it
 * succeeded or not), or a negative errno when the exchange itself broke; then
 * the requests not answered are QUEUED (not sent) or UNKNOWN (sent, or partly
 * sent, outcome not known: re-read the kernel). A request for a namespace
 * not registered is answered -ENOENT, unsent. Requests go in order across
 * namespaces: the next socket's are sent once the last one's are answered.
 */
int vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch);

/**
 * vt_nl_send_batch_part - send requests [@first, @end) only (every message
 * of each), as vt_nl_send_batch() does, leaving the others' outcomes as they
 * are. For wrappers that stand between the engine and the kernel (fault
 * injection, which counts requests, not messages).
 */
int vt_nl_send_batch_part(struct vt_nl *nl, struct vt_batch *batch, size_t first, size_t end);

/** vt_batch_set_result - record an outcome for request @index (for such wrappers). */
void vt_batch_set_result(struct vt_batch *batch, size_t index, const struct vt_req_result *result);

/** vt_batch_failures - how many requests were answered with an error. */
size_t vt_batch_failures(const struct vt_batch *batch);

/* ------------------------------------------------------------------------ */

/*
 * IPv6 settings the kernel has no rtnetlink attribute for, as the sysctls
 * under VT_IPV6_CONF_DIR. They are a namespace's: @ns's, entered for the
 * write (setns()) when it is not the own one; so a caller never opens those
 * files itself.
 */
#define VT_IPV6_CONF_DIR "/proc/sys/net/ipv6/conf"

/* The namespace's defaults for new IPv6 state (conf/default/). */
struct vt_ipv6_defaults {
	int addr_gen_mode;		/* enum vt_addr_gen_mode, -1 when unreadable */
	int disable_ipv6;		/* 0 or 1, -1 when unreadable */
};

/**
 * vt_nl_ipv6_defaults - read conf/default/addr_gen_mode and
 * conf/default/disable_ipv6. -ENOENT when the kernel has no IPv6 at all
 * (/proc/sys/net/ipv6 missing: ipv6.disable=1): then no device has IPv6 state
 * and there is nothing to set. A file that cannot be read is -1 in @out.
 */
int vt_nl_ipv6_defaults(struct vt_nl *nl, uint16_t ns, struct vt_ipv6_defaults *out);

/**
 * vt_nl_set_ipv6_disabled - write @disabled to conf/<@name>/disable_ipv6 (by
 * name: the kernel keys these files by the device's current name). -ENOENT
 * when there is no such directory (no such device, or one without IPv6 state),
 * else the write's negative errno. The kernel sends no link event for it.
 */
int vt_nl_set_ipv6_disabled(struct vt_nl *nl, uint16_t ns, const char *name, bool disabled);

/* ------------------------------------------------------------------------ */

enum vt_link_event {
	VT_EV_NEWLINK,		/* a link appeared or changed: its new state */
	VT_EV_DELLINK,		/* a link went: its last state */
	VT_EV_RESYNC,		/* events were lost (overrun): dump again */
	VT_EV_NETNS,		/* a namespace got or lost its id here: one came or went */
};

struct vt_monitor;

/**
 * vt_monitor_open - subscribe to RTNLGRP_LINK and RTNLGRP_NSID, in the own
 * namespace and in every namespace that has an id in it
 * (NETLINK_LISTEN_ALL_NSID: registering one gives it an id).
 *
 * @rcvbuf is the receive buffer in bytes, 0 for vlantrunk's default (large,
 * as bursts of link events are common). The socket is non-blocking.
 */
int vt_monitor_open(struct vt_monitor **out, int rcvbuf);

/** vt_monitor_close - NULL is fine. */
void vt_monitor_close(struct vt_monitor *mon);

/** vt_monitor_fd - the descriptor to poll for input. */
int vt_monitor_fd(const struct vt_monitor *mon);

/*
 * Called once per event; @link is NULL for VT_EV_RESYNC and VT_EV_NETNS.
 * @nsid is -1 for an event of the own namespace, else the id of the
 * namespace it came from (vt_nl_netns_nsid()), with @link as that namespace
 * sees it (its .ns is VT_NS_OWN and its .parent not mapped); for
 * VT_EV_NETNS, the id the namespace got or lost. @origin is the port
 * id of the socket whose request caused the event, so a program can tell its
 * own changes from others'; 0 when the kernel acted on its own, or does not
 * say (Linux 6.1 does not for every event). A negative return stops
 * vt_monitor_read() with that value.
 */
typedef int (*vt_monitor_fn)(enum vt_link_event event, const struct vt_link *link,
			     int32_t nsid, uint32_t origin, void *arg);

/**
 * vt_monitor_read - deliver every event already queued, without blocking.
 *
 * An overrun (ENOBUFS) is not an error: it is delivered as VT_EV_RESYNC, and
 * the events after it follow. Returns the number of events delivered, or a
 * negative errno.
 */
int vt_monitor_read(struct vt_monitor *mon, vt_monitor_fn fn, void *arg);

#endif
