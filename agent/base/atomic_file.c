/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"

int vt_atomic_file_write(int dirfd, const char *name, mode_t mode, unsigned int flags,
			 vt_atomic_file_fill_fn *fill, void *arg)
{
	bool renamed = false;
	char *tmp = NULL;
	int fd, ret;

	if ((flags & VT_ATOMIC_FILE_OWN_TMP) ? asprintf(&tmp, "%s.%ld.tmp", name, (long)getpid()) < 0 :
					       asprintf(&tmp, "%s.tmp", name) < 0)
		return -ENOMEM;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = fill(fd, arg);
	/* On disk before it has the name: a crash after the rename finds it whole. */
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	close(fd);
	if (!ret && (flags & VT_ATOMIC_FILE_NOREPLACE))
		ret = renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) < 0 ? -errno : 0;
	else if (!ret)
		ret = renameat(dirfd, tmp, dirfd, name) < 0 ? -errno : 0;
	renamed = !ret;
	/* The rename itself is durable only once the directory is. */
	if (!ret && fsync(dirfd) < 0)
		ret = -errno;
	if (ret && !renamed)
		unlinkat(dirfd, tmp, 0);
out:
	free(tmp);
	return ret;
}

struct printing {
	vt_atomic_file_print_fn *print;
	void *arg;
};

static int print_fill(int fd, void *arg)
{
	const struct printing *p = arg;
	int dup_fd = dup(fd), ret;
	FILE *f;

	/* A stream of its own on a duplicate: closing it leaves @fd to the caller. */
	if (dup_fd < 0)
		return -errno;
	f = fdopen(dup_fd, "w");
	if (!f) {
		ret = -errno;
		close(dup_fd);
		return ret;
	}
	ret = p->print(f, p->arg);
	if (!ret && fflush(f) == EOF)
		ret = -errno;
	if (!ret && ferror(f))
		ret = -EIO;
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	return ret;
}

int vt_atomic_file_print(int dirfd, const char *name, mode_t mode, unsigned int flags,
			 vt_atomic_file_print_fn *print, void *arg)
{
	struct printing p = { .print = print, .arg = arg };

	return vt_atomic_file_write(dirfd, name, mode, flags, print_fill, &p);
}

int vt_atomic_file_dir(const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	*name = slash ? slash + 1 : path;
	if (!**name)
		return slash ? -EISDIR : -ENOENT;
	if (!slash)
		dir = strdup(".");
	else
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	free(dir);
	return fd;
}
