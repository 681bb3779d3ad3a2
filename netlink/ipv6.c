/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPv6 settings rtnetlink cannot reach: disable_ipv6 has no attribute
 * (IFLA_INET6_CONF is reported, never accepted), so it is a sysctl write.
 * /proc/sys/net belongs to the network namespace of the process that opens
 * it: the namespace @nl's socket was opened in, as long as no other is
 * entered between (see vt_netlink.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl_internal.h"
#include "vt_netlink.h"

/* A small integer from @path: -1 when it cannot be read or is no number. */
static int read_int(const char *path)
{
	char buf[32], *end;
	ssize_t n;
	long v;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

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

int vt_nl_ipv6_defaults(struct vt_nl *nl, struct vt_ipv6_defaults *out)
{
	(void)nl;
	out->addr_gen_mode = -1;
	out->disable_ipv6 = -1;
	/* ipv6.disable=1 registers no IPv6 sysctls at all. */
	if (access("/proc/sys/net/ipv6", F_OK) < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	out->addr_gen_mode = read_int(VT_IPV6_CONF_DIR "/default/addr_gen_mode");
	out->disable_ipv6 = read_int(VT_IPV6_CONF_DIR "/default/disable_ipv6");
	if (out->addr_gen_mode > VT_ADDR_GEN_MAX)
		out->addr_gen_mode = -1;
	if (out->disable_ipv6 > 1)
		out->disable_ipv6 = 1;	/* the kernel reads any nonzero as 1 */
	return 0;
}

int vt_nl_set_ipv6_disabled(struct vt_nl *nl, const char *name, bool disabled)
{
	char path[sizeof(VT_IPV6_CONF_DIR) + VT_IFNAMSIZ + 16];
	int fd, ret = 0;

	(void)nl;
	/*
	 * A name is one path component; "all" and "default" are the namespace's
	 * own settings, not devices (the kernel cannot register a device of
	 * either name: its sysctl directories would collide).
	 */
	if (!name[0] || strlen(name) >= VT_IFNAMSIZ || strchr(name, '/') ||
	    !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "all") ||
	    !strcmp(name, "default"))
		return -EINVAL;
	snprintf(path, sizeof(path), VT_IPV6_CONF_DIR "/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, disabled ? "1\n" : "0\n", 2) != 2)
		ret = errno ? -errno : -EIO;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}
