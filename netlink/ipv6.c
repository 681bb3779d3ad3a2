/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPv6 settings rtnetlink cannot reach: disable_ipv6 has no attribute
 * (IFLA_INET6_CONF is reported, never accepted), so it is a sysctl write.
 * /proc/sys/net belongs to the network namespace of the thread that looks a
 * path up in it (the kernel resolves net sysctls through
 * current->nsproxy->net_ns, at every lookup, even from an open directory):
 * another namespace's are reached only from inside it, entered for the one
 * open() and left at once.
 *
 * The own namespace's are opened relative to the conf directory, kept open
 * for the handle's life: a write a device (4094 at a time) then looks up two
 * components, not seven. Correct for the same reason: from an open
 * directory too, the lookup goes by the looking thread's namespace, and the
 * thread is in its own whenever it opens one of these.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl_internal.h"
#include "vt_netlink.h"

/* A small integer from @fd (closed): -1 when it cannot be read or is no number. */
static int read_int(int fd)
{
	char buf[32], *end;
	ssize_t n;
	long v;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < 0 || v > 255)
		return -1;
	return (int)v;
}

/*
 * open() of @rel, under VT_IPV6_CONF_DIR, inside namespace @ns. A thread
 * that cannot get back home must not go on: every later file and socket
 * would be the pod's.
 */
static int open_in(struct vt_nl *nl, uint16_t ns, const char *rel, int flags)
{
	char path[sizeof(VT_IPV6_CONF_DIR) + VT_IFNAMSIZ + 32];
	int fd, err, nsfd = vt_nl_netns_fd(nl, ns);

	if (ns == VT_NS_OWN) {
		if (nl->conf_fd < 0)
			nl->conf_fd = open(VT_IPV6_CONF_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (nl->conf_fd < 0)
			return -1;
		return openat(nl->conf_fd, rel, flags | O_CLOEXEC);
	}
	if (nsfd < 0 || nl->self_fd < 0) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), VT_IPV6_CONF_DIR "/%s", rel);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return -1;
	fd = open(path, flags | O_CLOEXEC);
	err = errno;
	if (setns(nl->self_fd, CLONE_NEWNET) < 0)
		abort();
	errno = err;
	return fd;
}

int vt_nl_ipv6_defaults(struct vt_nl *nl, uint16_t ns, struct vt_ipv6_defaults *out)
{
	int fd;

	out->addr_gen_mode = -1;
	out->disable_ipv6 = -1;
	/* ipv6.disable=1 registers no IPv6 sysctls at all. */
	if (access("/proc/sys/net/ipv6", F_OK) < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	fd = open_in(nl, ns, "default/addr_gen_mode", O_RDONLY);
	out->addr_gen_mode = read_int(fd);
	fd = open_in(nl, ns, "default/disable_ipv6", O_RDONLY);
	out->disable_ipv6 = read_int(fd);
	if (out->addr_gen_mode > VT_ADDR_GEN_MAX)
		out->addr_gen_mode = -1;
	if (out->disable_ipv6 > 1)
		out->disable_ipv6 = 1;	/* the kernel reads any nonzero as 1 */
	return 0;
}

int vt_nl_set_ipv6_disabled(struct vt_nl *nl, uint16_t ns, const char *name, bool disabled)
{
	char rel[VT_IFNAMSIZ + 16];
	int fd, ret = 0;

	/*
	 * A name is one path component; "all" and "default" are the namespace's
	 * own settings, not devices (the kernel cannot register a device of
	 * either name: its sysctl directories would collide).
	 */
	if (!name[0] || strlen(name) >= VT_IFNAMSIZ || strchr(name, '/') ||
	    !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "all") ||
	    !strcmp(name, "default"))
		return -EINVAL;
	snprintf(rel, sizeof(rel), "%s/disable_ipv6", name);
	fd = open_in(nl, ns, rel, O_WRONLY);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, disabled ? "1\n" : "0\n", 2) != 2)
		ret = errno ? -errno : -EIO;
	/* Its close() does nothing but close: see parked.c. */
	vt_nl_parked_add(nl, fd);
	return ret;
}
