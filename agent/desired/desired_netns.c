/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired_netns.c - what a subport's "netns" may say, and the file it names:
 * an `ip netns` name, which iproute2 keeps as /run/netns/NAME, or an
 * absolute path to a namespace file (/proc/PID/ns/net, a CNI netns path).
 * The text alone is judged: whether the namespace exists is the kernel's
 * to say, when it is opened, and a subport whose namespace is not there
 * (yet) is missing, not invalid.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "desired_internal.h"

/* iproute2's NETNS_RUN_DIR, where `ip netns add NAME` bind-mounts the namespace. */
#define NETNS_RUN_DIR "/run/netns/"

/* A name is one file in NETNS_RUN_DIR: NAME_MAX bytes at most. */
#define NETNS_NAME_MAX 255

/*
 * Whitespace or a control character at @s: ASCII space and controls, DEL,
 * and in UTF-8 the C1 controls and NO-BREAK SPACE (U+0080 to U+00A0).
 * Such a name reads as something else in `ip netns list`, a log or a shell.
 */
static bool is_blank_or_control(const unsigned char *s, size_t left)
{
	if (s[0] <= ' ' || s[0] == 0x7f)
		return true;
	return left >= 2 && s[0] == 0xc2 && s[1] <= 0xa0;
}

static const char *path_problem(const char *path, size_t len)
{
	if (len >= VT_NETNS_PATH_MAX)
		return "an absolute path, but longer than 4095 bytes";
	if (path[len - 1] == '/')
		return "an absolute path, but it ends in '/': name the namespace file itself";
	for (size_t i = 0; i < len; ) {
		size_t n = strcspn(path + i + 1, "/");

		/* path[i] is the '/' before a component of n bytes */
		if (!n)
			return "an absolute path, but with an empty component (\"//\")";
		if ((n == 1 && path[i + 1] == '.') ||
		    (n == 2 && path[i + 1] == '.' && path[i + 2] == '.'))
			return "an absolute path, but with a \".\" or \"..\" component: "
			       "write it without them";
		i += n + 1;
	}
	return NULL;
}

static const char *name_problem(const char *name, size_t len)
{
	if (memchr(name, '/', len))
		return "a relative path or a name with '/': write an `ip netns` name or an "
		       "absolute path";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "\".\" and \"..\" are not `ip netns` names";
	if (len > NETNS_NAME_MAX)
		return "an `ip netns` name, but longer than 255 bytes";
	for (size_t i = 0; i < len; i++)
		if (is_blank_or_control((const unsigned char *)name + i, len - i))
			return "an `ip netns` name, but with whitespace or a control character";
	return NULL;
}

const char *vt_desired_netns_problem(const char *netns, size_t len)
{
	if (!len)
		return "it is empty: write an `ip netns` name or an absolute path";
	/* jansson refuses \u0000 already; a C string could not hold it anyway */
	if (memchr(netns, '\0', len))
		return "it contains a NUL byte";
	return netns[0] == '/' ? path_problem(netns, len) : name_problem(netns, len);
}

int vt_desired_netns_path(const char *netns, char *buf, size_t len)
{
	int n;

	if (netns[0] == '/')
		n = snprintf(buf, len, "%s", netns);
	else
		n = snprintf(buf, len, NETNS_RUN_DIR "%s", netns);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}
