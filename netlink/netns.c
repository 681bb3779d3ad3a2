/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Other network namespaces: registering one (a socket inside it, ids both
 * ways), finding one again by its identity, and mapping what its messages
 * say about a parent in another namespace.
 *
 * Kernel facts this rests on (measured on Linux 6.1 and 6.12): a socket
 * belongs to the namespace its creator was in, for its whole life, and holds
 * it; so does an open namespace file. IFLA_LINK_NETNSID in a link message is
 * an id relative to the namespace of the socket that reads it (or, for an
 * event, of the namespace the device is in), and such ids are assigned per
 * pair of namespaces (RTM_NEWNSID) without holding either.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>

#include "nl_internal.h"
#include "vt_netlink.h"

int vt_nl_endpoint(struct vt_nl *nl, uint16_t ns, struct mnl_socket **sock, uint32_t *portid)
{
	if (ns == VT_NS_OWN) {
		*sock = nl->sock;
		*portid = nl->portid;
		return 0;
	}
	if (ns > nl->n_ns)
		return -ENOENT;
	*sock = nl->ns[ns - 1].sock;
	*portid = nl->ns[ns - 1].portid;
	return 0;
}

size_t vt_nl_netns_count(const struct vt_nl *nl)
{
	return nl->n_ns;
}

int vt_nl_netns_fd(const struct vt_nl *nl, uint16_t ns)
{
	return ns && ns <= nl->n_ns ? nl->ns[ns - 1].fd : -1;
}

int vt_nl_target_fd(const struct vt_nl *nl, uint16_t ns)
{
	return ns == VT_NS_OWN ? nl->self_fd : vt_nl_netns_fd(nl, ns);
}

int vt_nl_netns_identity(const struct vt_nl *nl, uint16_t slot, uint64_t *dev, uint64_t *ino,
			 uint64_t *cookie)
{
	if (slot == VT_NS_OWN && nl->self_fd >= 0) {
		*dev = nl->self_dev;
		*ino = nl->self_ino;
		*cookie = nl->self_cookie;
		return 0;
	}
	if (!slot || slot > nl->n_ns)
		return -ENOENT;
	*dev = nl->ns[slot - 1].dev;
	*ino = nl->ns[slot - 1].ino;
	*cookie = nl->ns[slot - 1].cookie;
	return 0;
}

int vt_nl_netns_nsid(const struct vt_nl *nl, uint16_t slot)
{
	if (!slot || slot > nl->n_ns)
		return -ENOENT;
	return nl->ns[slot - 1].nsid;
}

/* The slot whose id in registered namespace @ns is @id, as last asked; -ENOENT when none. */
static int peer_slot(const struct vt_nl *nl, uint16_t ns, int32_t id)
{
	const struct vt_nl_ns *in = &nl->ns[ns - 1];

	for (size_t k = 0; k < in->n_peer; k++)
		if (in->peer[k] == id && k + 1 != ns)
			return (int)(k + 1);
	return -ENOENT;
}

void vt_nl_map_parent(const struct vt_nl *nl, uint16_t ns, struct vt_link *link)
{
	int slot;

	link->ns = ns;
	link->parent_ns = ns;
	if (link->link_netnsid < 0 || !link->parent)
		return;
	if (ns == VT_NS_OWN) {
		for (size_t k = 0; k < nl->n_ns; k++)
			if (nl->ns[k].nsid == link->link_netnsid) {
				link->parent_ns = (uint16_t)(k + 1);
				return;
			}
		link->parent = 0;	/* in a namespace not read: not a parent of anything here */
		return;
	}
	/*
	 * Its parent in the own namespace (most), or in a third one: a device
	 * moved by hand keeps its VLANs where they are, so a pod's VLAN can
	 * sit on a device now in another pod.
	 */
	if (link->link_netnsid == nl->ns[ns - 1].own_id) {
		link->parent_ns = VT_NS_OWN;
		return;
	}
	slot = peer_slot(nl, ns, link->link_netnsid);
	link->parent_ns = slot < 0 ? VT_NS_PENDING : (uint16_t)slot;
}

/*
 * Send @nlh (an RTM_*NSID request, its seq set) on @sock and read until its
 * ack, or the end of its dump, @take seeing each RTM_NEWNSID answer.
 */
static int nsid_exchange(struct vt_nl *nl, struct mnl_socket *sock, uint32_t portid,
			 const struct nlmsghdr *nlh,
			 void (*take)(const struct nlmsghdr *m, void *arg), void *arg)
{
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = vt_nl_recv(sock, nl->buf, VT_NL_RECV_BUF, 0);
		const struct nlmsghdr *m = (const struct nlmsghdr *)nl->buf;
		int left = (int)n;

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq || m->nlmsg_pid != portid)
				continue;	/* a stale answer from an earlier exchange */
			if (m->nlmsg_type == NLMSG_ERROR || m->nlmsg_type == NLMSG_DONE)
				return vt_nl_parse_error(m, NULL, 0);
			if (m->nlmsg_type == RTM_NEWNSID && m->nlmsg_len >= MNL_NLMSG_HDRLEN +
								      sizeof(struct rtgenmsg))
				take(m, arg);
		}
	}
}

/* An RTM_NSID message's id attribute @type (NETNSA_NSID, NETNSA_CURRENT_NSID), or @none. */
static int32_t nsid_attr(const struct nlmsghdr *m, uint16_t type, int32_t none)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, m, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(a) == type && mnl_attr_get_payload_len(a) >= 4)
			return (int32_t)mnl_attr_get_u32(a);
	return none;
}

static void take_nsid(const struct nlmsghdr *m, void *arg)
{
	int32_t *out = arg;

	*out = nsid_attr(m, NETNSA_NSID, *out);
}

/* The header of an RTM_*NSID request in @req. */
static struct nlmsghdr *nsid_header(struct vt_nl *nl, char *req, int type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct rtgenmsg *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	return nlh;
}

/* One RTM_GETNSID or RTM_NEWNSID exchange about the namespace file @fd. */
static int nsid_request(struct vt_nl *nl, struct mnl_socket *sock, uint32_t portid, int type,
			int fd, int32_t *out)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nsid_header(nl, req, type, NLM_F_ACK);
	int32_t ignored = NETNSA_NSID_NOT_ASSIGNED;

	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	if (type == RTM_NEWNSID)
		mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)NETNSA_NSID_NOT_ASSIGNED);
	return nsid_exchange(nl, sock, portid, nlh, take_nsid, out ? out : &ignored);
}

/*
 * The id of namespace @fd as seen from @sock's namespace, assigned first
 * when it has none. EEXIST from RTM_NEWNSID: someone assigned one meanwhile.
 */
static int nsid_of(struct vt_nl *nl, struct mnl_socket *sock, uint32_t portid, int fd,
		   int32_t *out)
{
	int ret;

	*out = NETNSA_NSID_NOT_ASSIGNED;
	ret = nsid_request(nl, sock, portid, RTM_GETNSID, fd, out);
	if (ret < 0 || *out >= 0)
		return ret;
	ret = nsid_request(nl, sock, portid, RTM_NEWNSID, fd, NULL);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	ret = nsid_request(nl, sock, portid, RTM_GETNSID, fd, out);
	return ret < 0 ? ret : *out >= 0 ? 0 : -EPROTO;
}

struct peers {
	const struct vt_nl *nl;
	struct vt_nl_ns *in;
};

/* One entry of ask_peers()'s dump: an id in the target, and the same namespace's id here. */
static void take_peer(const struct nlmsghdr *m, void *arg)
{
	const struct peers *p = arg;
	int32_t there = nsid_attr(m, NETNSA_NSID, NETNSA_NSID_NOT_ASSIGNED);
	int32_t here = nsid_attr(m, NETNSA_CURRENT_NSID, NETNSA_NSID_NOT_ASSIGNED);

	if (here < 0)
		return;	/* no id here: vlantrunk's own namespace, or one not registered */
	for (size_t k = 0; k < p->nl->n_ns; k++)
		if (p->nl->ns[k].nsid == here)
			p->in->peer[k] = there;
}

/*
 * Learn the ids the registered namespaces have in @ns: one dump of @ns's id
 * table from the own namespace (RTM_GETNSID, NETNSA_TARGET_NSID, Linux 4.20),
 * each entry with the same namespace's id here (NETNSA_CURRENT_NSID), which
 * names a slot. Only read: the kernel assigned the id a link message of @ns
 * carried as it built that message (peernet2id_alloc()), so this assigns
 * nothing and changes nothing in a pod. Uses the own socket and nl->buf.
 */
static int ask_peers(struct vt_nl *nl, uint16_t ns)
{
	struct vt_nl_ns *in = &nl->ns[ns - 1];
	struct peers p = { nl, in };
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int32_t *v;

	if (in->n_peer < nl->n_ns) {
		v = realloc(in->peer, nl->n_ns * sizeof(*v));
		if (!v)
			return -ENOMEM;
		in->peer = v;
		in->n_peer = nl->n_ns;
	}
	for (size_t k = 0; k < in->n_peer; k++)
		in->peer[k] = NETNSA_NSID_NOT_ASSIGNED;
	nlh = nsid_header(nl, req, RTM_GETNSID, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, NETNSA_TARGET_NSID, (uint32_t)in->nsid);
	return nsid_exchange(nl, nl->sock, nl->portid, nlh, take_peer, &p);
}

int vt_nl_map_pending(struct vt_nl *nl, uint16_t ns, struct vt_link *links, size_t n)
{
	bool asked = false;
	int slot, ret;

	if (ns == VT_NS_OWN)
		return 0;	/* a parent elsewhere is in a registered namespace or unknown */
	for (size_t i = 0; i < n; i++) {
		struct vt_link *l = &links[i];

		if (l->parent_ns != VT_NS_PENDING)
			continue;
		slot = peer_slot(nl, ns, l->link_netnsid);
		/* Once per call: no id is assigned between two links of one answer's. */
		if (slot < 0 && !asked) {
			ret = ask_peers(nl, ns);
			if (ret < 0)
				return ret;
			asked = true;
			slot = peer_slot(nl, ns, l->link_netnsid);
		}
		if (slot < 0) {
			l->parent_ns = ns;
			l->parent = 0;	/* in a namespace not read */
		} else {
			l->parent_ns = (uint16_t)slot;
		}
	}
	return 0;
}

/* A socket inside namespace @fd: entered for the socket() call only. */
static int open_inside(struct vt_nl *nl, int fd, struct mnl_socket **sock)
{
	int ret;

	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	ret = vt_nl_socket_open(sock, 0, VT_NL_RCVBUF, VT_NL_SNDBUF, NULL);
	/* Back home before anything else: every other socket and file is opened here. */
	if (setns(nl->self_fd, CLONE_NEWNET) < 0)
		abort();	/* a process left in a pod's namespace must not go on */
	return ret;
}

static int add_path(struct vt_nl *nl, const char *path, uint16_t slot)
{
	struct vt_nl_path *v;
	char *copy;

	for (size_t i = 0; i < nl->n_paths; i++)
		if (!strcmp(nl->paths[i].path, path))
			return 0;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	v = realloc(nl->paths, (nl->n_paths + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	nl->paths = v;
	v[nl->n_paths++] = (struct vt_nl_path){ copy, slot };
	return 0;
}

/* The cookie of a socket's namespace: never reused in a boot (0 before Linux 5.14). */
static uint64_t cookie_of(struct mnl_socket *sock)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

/* vlantrunk's own namespace, known once another is first registered. */
static int know_self(struct vt_nl *nl)
{
	struct stat st;

	if (nl->self_fd >= 0)
		return 0;
	nl->self_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nl->self_fd < 0 || fstat(nl->self_fd, &st) < 0)
		return -errno;
	nl->self_dev = st.st_dev;
	nl->self_ino = st.st_ino;
	nl->self_cookie = cookie_of(nl->sock);
	return 0;
}

/*
 * Enter the namespace open as @fd (taken: closed on failure) for a socket
 * inside it, and learn its cookie. Not registered yet.
 */
static int prepare(struct vt_nl *nl, int fd, const struct stat *st, struct vt_nl_ns *ns)
{
	int ret;

	*ns = (struct vt_nl_ns){ .fd = fd, .dev = st->st_dev, .ino = st->st_ino };
	ret = open_inside(nl, fd, &ns->sock);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	ns->portid = mnl_socket_get_portid(ns->sock);
	ns->cookie = cookie_of(ns->sock);
	return 0;
}

static void discard(struct vt_nl_ns *ns)
{
	mnl_socket_close(ns->sock);
	close(ns->fd);
}

/* Register a prepared namespace (taken) under @path, with the ids both ways. */
static int commit(struct vt_nl *nl, struct vt_nl_ns *ns, const char *path, uint16_t *slot)
{
	struct vt_nl_ns *v;
	int ret = -ENOSPC;

	if (nl->n_ns >= UINT16_MAX - 1)
		goto err;
	ret = nsid_of(nl, nl->sock, nl->portid, ns->fd, &ns->nsid);
	if (!ret)
		ret = nsid_of(nl, ns->sock, ns->portid, nl->self_fd, &ns->own_id);
	if (ret < 0)
		goto err;
	v = realloc(nl->ns, (nl->n_ns + 1) * sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto err;
	}
	nl->ns = v;
	v[nl->n_ns++] = *ns;
	*slot = (uint16_t)nl->n_ns;
	return add_path(nl, path, *slot);
err:
	discard(ns);
	return ret;
}

/*
 * The slot of the live namespace (@dev, @ino) when it is vlantrunk's own or
 * registered already, else -1. While registered, a namespace is held open, so
 * its inode names no other: within a run, (dev, ino) is identity enough.
 */
static int known(const struct vt_nl *nl, uint64_t dev, uint64_t ino)
{
	if (dev == nl->self_dev && ino == nl->self_ino)
		return VT_NS_OWN;
	for (size_t k = 0; k < nl->n_ns; k++)
		if (nl->ns[k].dev == dev && nl->ns[k].ino == ino)
			return (int)(k + 1);
	return -1;
}

/* Register the namespace open as @fd (taken: closed on failure) under @path. */
static int add_fd(struct vt_nl *nl, int fd, const struct stat *st, const char *path,
		  uint16_t *slot)
{
	struct vt_nl_ns ns;
	int ret = know_self(nl), k;

	if (ret < 0) {
		close(fd);
		return ret;
	}
	/* One named twice, or vlantrunk's own (a /proc/PID/ns/net of a host process). */
	k = known(nl, st->st_dev, st->st_ino);
	if (k >= 0) {
		close(fd);
		*slot = (uint16_t)k;
		return add_path(nl, path, *slot);
	}
	ret = prepare(nl, fd, st, &ns);
	return ret < 0 ? ret : commit(nl, &ns, path, slot);
}

/*
 * Open @path as a network namespace file: -ENOENT when missing, -ENOTTY when
 * not one. Looked at through O_PATH first, which opens nothing: a typo that
 * names a device node (a watchdog, a tty) must not open it. Then the same
 * inode is opened for real, through /proc/self/fd, with no window for the
 * path to be swapped.
 */
static int open_netns(const char *path, struct stat *st)
{
	char self[64];
	struct statfs fs;
	int at = open(path, O_PATH | O_CLOEXEC), fd, err;

	if (at < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(at, st) < 0 || fstatfs(at, &fs) < 0) {
		err = -errno;
		close(at);
		return err;
	}
	if (fs.f_type != NSFS_MAGIC) {
		close(at);
		/* `ip netns add` creates the file, then bind-mounts the namespace on it. */
		return S_ISREG(st->st_mode) && st->st_size == 0 ? -ENOENT : -ENOTTY;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", at);
	fd = open(self, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	close(at);
	if (err)
		return err;
	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(fd);
		return -ENOTTY;	/* another kind of namespace */
	}
	return fd;
}

int vt_nl_netns_probe(const char *path)
{
	struct stat st;
	int fd = open_netns(path, &st);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int vt_nl_netns_open(struct vt_nl *nl, const char *path, uint16_t *slot)
{
	struct stat st;
	int fd = open_netns(path, &st);

	return fd < 0 ? fd : add_fd(nl, fd, &st, path, slot);
}

/*
 * Register @path if it names the namespace (@dev, @ino, @cookie): 1 when it
 * did, 0 when not. The kernel gives a freed namespace's inode number to the
 * next one made (measured: `ip netns del a; ip netns add a` keeps it), so a
 * matching inode is only a candidate; the cookie, never reused in a boot,
 * decides (without one, from a kernel before 5.14, the inode has to do).
 */
static int try_path(struct vt_nl *nl, const char *path, uint64_t dev, uint64_t ino,
		    uint64_t cookie, uint16_t *slot)
{
	struct vt_nl_ns ns;
	struct stat st;
	int fd = open_netns(path, &st), k;

	if (fd < 0)
		return 0;
	if (st.st_dev != dev || st.st_ino != ino || know_self(nl) < 0) {
		close(fd);
		return 0;
	}
	k = known(nl, dev, ino);
	if (k >= 0) {
		uint64_t have = k == VT_NS_OWN ? nl->self_cookie : nl->ns[k - 1].cookie;

		close(fd);
		if (cookie && have && have != cookie)
			return 0;
		*slot = (uint16_t)k;
		return add_path(nl, path, *slot) < 0 ? -1 : 1;
	}
	if (prepare(nl, fd, &st, &ns) < 0)
		return 0;
	if (cookie && ns.cookie && ns.cookie != cookie) {
		discard(&ns);
		return 0;
	}
	return commit(nl, &ns, path, slot) < 0 ? -1 : 1;
}

/* The entries of @dir, each as @fmt makes a path of it, tried in turn. */
static int try_dir(struct vt_nl *nl, const char *dir, const char *fmt, uint64_t dev,
		   uint64_t ino, uint64_t cookie, uint16_t *slot)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[512];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), fmt, dir, e->d_name);
		found = try_path(nl, path, dev, ino, cookie, slot);
	}
	closedir(d);
	return found;
}

int vt_nl_netns_find(struct vt_nl *nl, const char *path, uint64_t dev, uint64_t ino,
		     uint64_t cookie, uint16_t *slot)
{
	int found;

	found = try_path(nl, path, dev, ino, cookie, slot);
	if (!found)
		found = try_dir(nl, "/run/netns", "%s/%s", dev, ino, cookie, slot);
	if (!found)
		found = try_dir(nl, "/proc", "%s/%s/ns/net", dev, ino, cookie, slot);
	return found > 0 ? 0 : found < 0 ? -EIO : -ENOENT;
}
