/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replacing a file atomically: the new content under the name, or on any
 * failure the old one, and never a temporary file left behind.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "suites.h"
#include "tmpdir.h"

static struct ut_tmpdir tmp;

static void setup(void)
{
	ut_tmpdir_make(&tmp, "atomic");
}

static void teardown(void)
{
	ut_tmpdir_remove(&tmp);
}

static int fill_text(int fd, void *arg)
{
	size_t n = strlen(arg);

	return write(fd, arg, n) == (ssize_t)n ? 0 : -EIO;
}

/* Writes half, then fails as a full disk would. */
static int fill_fails(int fd, void *arg)
{
	(void)arg;
	ck_assert_int_eq(write(fd, "par", 3), 3);
	return -ENOSPC;
}

static int print_text(FILE *f, void *arg)
{
	fputs(arg, f);
	return 0;
}

static const char *content(const char *name)
{
	static char buf[64];
	int fd = openat(tmp.fd, name, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

static bool exists(const char *name)
{
	return faccessat(tmp.fd, name, F_OK, 0) == 0;
}

START_TEST(test_replaces_with_mode)
{
	struct stat st;

	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "f", 0600, 0, fill_text, "old"), 0);
	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "f", 0600, 0, fill_text, "new"), 0);
	ck_assert_str_eq(content("f"), "new");
	ck_assert_int_eq(fstatat(tmp.fd, "f", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert(!exists("f.tmp"));
}
END_TEST

START_TEST(test_noreplace_refuses_existing)
{
	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "j", 0600, VT_ATOMIC_FILE_NOREPLACE,
					      fill_text, "first"), 0);
	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "j", 0600, VT_ATOMIC_FILE_NOREPLACE,
					      fill_text, "second"), -EEXIST);
	ck_assert_str_eq(content("j"), "first");
	ck_assert(!exists("j.tmp"));
}
END_TEST

START_TEST(test_failed_fill_keeps_old_and_no_tmp)
{
	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "f", 0600, 0, fill_text, "old"), 0);
	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "f", 0600, 0, fill_fails, NULL), -ENOSPC);
	ck_assert_str_eq(content("f"), "old");
	ck_assert(!exists("f.tmp"));
	/* A stale temporary file of an earlier crash is written over, not appended to. */
	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "g", 0600, 0, fill_text, "stale, longer"), 0);
	ck_assert_int_eq(renameat(tmp.fd, "g", tmp.fd, "f.tmp"), 0);
	ck_assert_int_eq(vt_atomic_file_write(tmp.fd, "f", 0600, 0, fill_text, "new"), 0);
	ck_assert_str_eq(content("f"), "new");
}
END_TEST

START_TEST(test_print_and_dir_of_path)
{
	char path[64];
	const char *name;
	int fd;

	snprintf(path, sizeof(path), "%s/m.prom", tmp.path);
	fd = vt_atomic_file_dir(path, &name);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(name, "m.prom");
	ck_assert_int_eq(vt_atomic_file_print(fd, name, 0644, 0, print_text, "x 1\n"), 0);
	close(fd);
	ck_assert_str_eq(content("m.prom"), "x 1\n");
	ck_assert(!exists("m.prom.tmp"));

	fd = vt_atomic_file_dir("m.prom", &name);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(name, "m.prom");
	close(fd);
	fd = vt_atomic_file_dir("/m.prom", &name);
	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/", tmp.path);
	ck_assert_int_eq(vt_atomic_file_dir(path, &name), -EISDIR);
	ck_assert_int_eq(vt_atomic_file_dir("", &name), -ENOENT);
	snprintf(path, sizeof(path), "%s/missing/m.prom", tmp.path);
	ck_assert_int_eq(vt_atomic_file_dir(path, &name), -ENOENT);
}
END_TEST

Suite *atomic_file_suite(void)
{
	Suite *s = suite_create("atomic_file");
	TCase *tc = tcase_create("replace");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replaces_with_mode);
	tcase_add_test(tc, test_noreplace_refuses_existing);
	tcase_add_test(tc, test_failed_fill_keeps_old_and_no_tmp);
	tcase_add_test(tc, test_print_and_dir_of_path);
	suite_add_tcase(s, tc);
	return s;
}
