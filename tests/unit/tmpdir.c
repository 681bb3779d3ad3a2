// SPDX-License-Identifier: GPL-2.0-or-later
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tmpdir.h"

void ut_tmpdir_make(struct ut_tmpdir *t, const char *tag)
{
	snprintf(t->path, sizeof(t->path), "/tmp/vt-unit-%s.XXXXXX", tag);
	ck_assert_ptr_nonnull(mkdtemp(t->path));
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(t->fd, 0);
}

void ut_tmpdir_remove(struct ut_tmpdir *t)
{
	char cmd[128];

	close(t->fd);
	t->fd = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	ck_assert_int_eq(system(cmd), 0);
}
