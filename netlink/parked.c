/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sysctl files written and not closed yet (ipv6.c), closed together.
 *
 * A sysctl file's close() does nothing but close: the kernel sets the value
 * within write() (proc_sys_call_handler()) and has no flush for these files.
 * So a written one is kept until VT_NL_PARKED are, and closed with the
 * others: a device's write costs two syscalls, not three, and a stage of
 * 4094 a few dozen closes (in UML a syscall is some 35 us).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "nl_internal.h"

static int cmp_fd(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void vt_nl_parked_add(struct vt_nl *nl, int fd)
{
	if (nl->n_parked == VT_NL_PARKED)
		vt_nl_parked_close(nl);
	nl->parked[nl->n_parked++] = fd;
}

/*
 * Each run of consecutive descriptors in one close_range() (Linux 5.9), as
 * they mostly are (each open() takes the lowest free one); close() one by
 * one where it is missing.
 */
void vt_nl_parked_close(struct vt_nl *nl)
{
	int *fd = nl->parked;
	size_t n = nl->n_parked;

	qsort(fd, n, sizeof(*fd), cmp_fd);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && fd[j] == fd[j - 1] + 1; j++)
			;
		if (j - i > 1 && close_range((unsigned int)fd[i], (unsigned int)fd[j - 1], 0) == 0)
			continue;
		for (size_t k = i; k < j; k++)
			close(fd[k]);
	}
	nl->n_parked = 0;
}
