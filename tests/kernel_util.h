/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers for tests that run against a real kernel (in the sandbox). */
#ifndef VT_KERNEL_UTIL_H
#define VT_KERNEL_UTIL_H

#include <jansson.h>

#include "vt_link.h"
#include "vt_netlink.h"

/** kt_enter_netns - a fresh network namespace for this test, loopback up. */
void kt_enter_netns(void);

/** kt_sh - run a shell command; the test fails unless it exits 0. */
void kt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** kt_sh_status - run a shell command, return its exit status. */
int kt_sh_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * kt_ip_link - iproute2's independent view of @dev (`ip -d -j link show`),
 * as a JSON object the caller releases with json_decref(); NULL if absent.
 */
json_t *kt_ip_link(const char *dev);

/** kt_dump - dump the links; the test fails if the dump does. */
void kt_dump(struct vt_nl *nl, struct vt_link_table *table);

/** kt_find - the link called @name; the test fails if it is absent. */
const struct vt_link *kt_find(const struct vt_link_table *table, const char *name);

/** kt_ifindex - the ifindex of @name, read through a fresh dump. */
int kt_ifindex(struct vt_nl *nl, const char *name);

#endif
