/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <check.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kernel_util.h"

void kt_enter_netns(void)
{
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %m");
	kt_sh("ip link set lo up");
}

static int run(const char *fmt, va_list ap)
{
	char *cmd = NULL;
	int status;

	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	status = system(cmd);
	free(cmd);
	ck_assert_int_ne(status, -1);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void kt_sh(const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = run(fmt, ap);
	va_end(ap);
	ck_assert_msg(status == 0, "command failed (exit %d): %s", status, fmt);
}

int kt_sh_status(const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = run(fmt, ap);
	va_end(ap);
	return status;
}

json_t *kt_ip_link(const char *dev)
{
	char cmd[128];
	json_error_t err;
	json_t *all, *one = NULL;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -d -j link show dev '%s' 2>/dev/null", dev);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	all = json_loadf(p, 0, &err);
	pclose(p);
	if (all && json_is_array(all) && json_array_size(all) == 1)
		one = json_incref(json_array_get(all, 0));
	json_decref(all);
	return one;
}

void kt_dump(struct vt_nl *nl, struct vt_link_table *table)
{
	int ret = vt_nl_dump_links(nl, table);

	ck_assert_msg(ret == 0, "link dump failed: %s", strerror(-ret));
}

const struct vt_link *kt_find(const struct vt_link_table *table, const char *name)
{
	const struct vt_link *link = vt_link_table_find_name(table, name);

	ck_assert_msg(link != NULL, "link %s not in the dump", name);
	return link;
}

int kt_ifindex(struct vt_nl *nl, const char *name)
{
	struct vt_link_table table = { 0 };
	int ifindex;

	kt_dump(nl, &table);
	ifindex = kt_find(&table, name)->ifindex;
	vt_link_table_clear(&table);
	return ifindex;
}
