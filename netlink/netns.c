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
#include <unistd.h>

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

int vt_nl_netns_identity(const struct vt_nl *nl, uint16_t slot, uint64_t *dev, uint64_t *ino)
{
	if (!slot || slot > nl->n_ns)
		return -ENOENT;
	*dev = nl->ns[slot - 1].dev;
	*ino = nl->ns[slot - 1].ino;
	return 0;
}

int vt_nl_netns_nsid(const struct vt_nl *nl, uint16_t slot)
{
	if (!slot || slot > nl->n_ns)
		return -ENOENT;
	return nl->ns[slot - 1].nsid;
}

void vt_nl_map_parent(const struct vt_nl *nl, uint16_t ns, struct vt_link *link)
{
	link->ns = ns;
	link->parent_ns = ns;
	if (link->link_netnsid < 0 || !link->parent)
		return;
	if (ns != VT_NS_OWN) {
		/* Parents vlantrunk knows are in its own namespace, or in the device's. */
		if (link->link_netnsid == nl->ns[ns - 1].own_id) {
			link->parent_ns = VT_NS_OWN;
			return;
		}
	} else {
		for (size_t k = 0; k < nl->n_ns; k++)
			if (nl->ns[k].nsid == link->link_netnsid) {
				link->parent_ns = (uint16_t)(k + 1);
				return;
			}
	}
	link->parent = 0;	/* in a namespace not read: not a parent of anything here */
}

/* One RTM_GETNSID or RTM_NEWNSID exchange about the namespace file @fd. */
static int nsid_request(struct vt_nl *nl, struct mnl_socket *sock, uint32_t portid, int type,
			int fd, int32_t *out)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct rtgenmsg *g;
	uint32_t seq = ++nl->seq;
	int ret = 0;
	bool acked = false;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	if (type == RTM_NEWNSID)
		mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)NETNSA_NSID_NOT_ASSIGNED);
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (!acked) {
		ssize_t n = vt_nl_recv(sock, nl->buf, VT_NL_RECV_BUF, 0);
		const struct nlmsghdr *m = (const struct nlmsghdr *)nl->buf;
		int left = (int)n;

		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			const struct nlattr *a;

			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				ret = vt_nl_parse_error(m, NULL, 0);
				acked = true;
				break;
			}
			if (m->nlmsg_type != RTM_NEWNSID || !out)
				continue;
			mnl_attr_for_each(a, m, sizeof(struct rtgenmsg))
				if (mnl_attr_get_type(a) == NETNSA_NSID &&
				    mnl_attr_get_payload_len(a) >= 4)
					*out = (int32_t)mnl_attr_get_u32(a);
		}
	}
	return ret;
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

/* A socket inside namespace @fd: entered for the socket() call only. */
static int open_inside(struct vt_nl *nl, int fd, struct mnl_socket **sock)
{
	int ret;

	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	ret = vt_nl_socket_open(sock, 0, 4 * 1024 * 1024, 1024 * 1024, NULL);
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

/* Register the namespace open as @fd (taken: closed on failure) under @path. */
static int add_fd(struct vt_nl *nl, int fd, const struct stat *st, const char *path,
		  uint16_t *slot)
{
	struct vt_nl_ns ns = { .fd = fd, .dev = st->st_dev, .ino = st->st_ino };
	struct vt_nl_ns *v;
	int ret;

	for (size_t k = 0; k < nl->n_ns; k++)
		if (nl->ns[k].dev == ns.dev && nl->ns[k].ino == ns.ino) {
			close(fd);
			*slot = (uint16_t)(k + 1);
			return add_path(nl, path, *slot);
		}
	if (nl->n_ns >= UINT16_MAX - 1) {
		ret = -ENOSPC;
		goto err;
	}
	if (nl->self_fd < 0) {
		nl->self_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (nl->self_fd < 0) {
			ret = -errno;
			goto err;
		}
	}
	ret = open_inside(nl, fd, &ns.sock);
	if (ret < 0)
		goto err;
	ns.portid = mnl_socket_get_portid(ns.sock);
	ret = nsid_of(nl, nl->sock, nl->portid, fd, &ns.nsid);
	if (!ret)
		ret = nsid_of(nl, ns.sock, ns.portid, nl->self_fd, &ns.own_id);
	if (ret < 0)
		goto err_sock;
	v = realloc(nl->ns, (nl->n_ns + 1) * sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto err_sock;
	}
	nl->ns = v;
	v[nl->n_ns++] = ns;
	*slot = (uint16_t)nl->n_ns;
	return add_path(nl, path, *slot);
err_sock:
	mnl_socket_close(ns.sock);
err:
	close(fd);
	return ret;
}

/* Open @path as a network namespace file: -ENOENT when missing, -ENOTTY when not one. */
static int open_netns(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int type, err;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	if (fstat(fd, st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type == CLONE_NEWNET)
		return fd;
	err = -ENOTTY;
	/* `ip netns add` creates the file, then bind-mounts the namespace on it. */
	if (type < 0 && S_ISREG(st->st_mode) && st->st_size == 0)
		err = -ENOENT;
	close(fd);
	return err;
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

/* Register @path if it names (@dev, @ino): 1 when it did, 0 when not. */
static int try_path(struct vt_nl *nl, const char *path, uint64_t dev, uint64_t ino,
		    uint16_t *slot)
{
	struct stat st;
	int fd = open_netns(path, &st);

	if (fd < 0)
		return 0;
	if (st.st_dev != dev || st.st_ino != ino) {
		close(fd);
		return 0;
	}
	return add_fd(nl, fd, &st, path, slot) < 0 ? -1 : 1;
}

/* The entries of @dir, each as @fmt makes a path of it, tried in turn. */
static int try_dir(struct vt_nl *nl, const char *dir, const char *fmt, uint64_t dev,
		   uint64_t ino, uint16_t *slot)
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
		found = try_path(nl, path, dev, ino, slot);
	}
	closedir(d);
	return found;
}

int vt_nl_netns_find(struct vt_nl *nl, const char *path, uint64_t dev, uint64_t ino,
		     uint16_t *slot)
{
	int found;

	for (size_t k = 0; k < nl->n_ns; k++)
		if (nl->ns[k].dev == dev && nl->ns[k].ino == ino) {
			*slot = (uint16_t)(k + 1);
			return 0;
		}
	found = try_path(nl, path, dev, ino, slot);
	if (!found)
		found = try_dir(nl, "/run/netns", "%s/%s", dev, ino, slot);
	if (!found)
		found = try_dir(nl, "/proc", "%s/%s/ns/net", dev, ino, slot);
	return found > 0 ? 0 : found < 0 ? -EIO : -ENOENT;
}
