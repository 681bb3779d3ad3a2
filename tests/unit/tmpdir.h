/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A unit test's scratch directory: made empty in /tmp, removed with everything in it. */
#ifndef VT_UNIT_TMPDIR_H
#define VT_UNIT_TMPDIR_H

struct ut_tmpdir {
	char path[40];			/* /tmp/vt-unit-TAG.XXXXXX */
	int fd;				/* the directory, open */
};

/** ut_tmpdir_make - a new empty directory /tmp/vt-unit-@tag.XXXXXX, opened. */
void ut_tmpdir_make(struct ut_tmpdir *t, const char *tag);

/** ut_tmpdir_remove - close and remove it, and all it holds. */
void ut_tmpdir_remove(struct ut_tmpdir *t);

#endif
