/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The journal files of a state dir: journal_files.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "journal_files.h"
#include "vt_array.h"

static bool partial_name(const char *name)
{
	size_t len = strlen(name);

	return (!strncmp(name, VT_JOURNAL_FILE_PREFIX, strlen(VT_JOURNAL_FILE_PREFIX)) ||
		!strcmp(name, VT_JOURNAL_FILE_LEGACY ".tmp")) &&
	       len > 4 && !strcmp(name + len - 4, ".tmp");
}

static bool journal_name(const char *name)
{
	if (!strcmp(name, VT_JOURNAL_FILE_LEGACY))
		return true;
	return !strncmp(name, VT_JOURNAL_FILE_PREFIX, strlen(VT_JOURNAL_FILE_PREFIX)) &&
	       strlen(name) > strlen(VT_JOURNAL_FILE_PREFIX) && !partial_name(name);
}

/* Newest first: ids begin with the time, then pid and sequence ("1764547200-42-3"). */
static int newest_first(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	if (!strcmp(x, VT_JOURNAL_FILE_LEGACY) || !strcmp(y, VT_JOURNAL_FILE_LEGACY))
		return !strcmp(x, VT_JOURNAL_FILE_LEGACY) - !strcmp(y, VT_JOURNAL_FILE_LEGACY);
	return strverscmp(y, x);
}

/* The names in @dirfd that @match accepts, unsorted. */
static int list_names(int dirfd, bool (*match)(const char *), struct vt_journal_files *files);

int vt_journal_files_list(int dirfd, struct vt_journal_files *files)
{
	int ret = list_names(dirfd, journal_name, files);

	if (ret == 0 && files->n > 1)
		qsort(files->names, files->n, sizeof(*files->names), newest_first);
	return ret;
}

int vt_journal_files_discard_partial(int dirfd)
{
	struct vt_journal_files files;
	int ret = list_names(dirfd, partial_name, &files);

	for (size_t i = 0; ret == 0 && i < files.n; i++)
		if (unlinkat(dirfd, files.names[i], 0) < 0 && errno != ENOENT)
			ret = -errno;
	if (ret == 0)
		ret = (int)files.n;
	vt_journal_files_free(&files);
	return ret;
}

static int list_names(int dirfd, bool (*match)(const char *), struct vt_journal_files *files)
{
	size_t cap = 0;
	struct dirent *de;
	int fd = dup(dirfd), ret = 0;
	DIR *dir;

	memset(files, 0, sizeof(*files));
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		ret = -errno;
		close(fd);
		return ret;
	}
	rewinddir(dir);
	while (!ret && (errno = 0, de = readdir(dir))) {
		char **names;

		if (!match(de->d_name))
			continue;
		names = vt_array_grow(files->names, &cap, files->n + 1, sizeof(*names), 8);
		if (!names || !(names[files->n] = strdup(de->d_name))) {
			if (names)
				files->names = names;
			ret = -ENOMEM;
			break;
		}
		files->names = names;
		files->n++;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(dir);
	if (ret < 0)
		vt_journal_files_free(files);
	return ret;
}

void vt_journal_files_free(struct vt_journal_files *files)
{
	for (size_t i = 0; i < files->n; i++)
		free(files->names[i]);
	free(files->names);
	memset(files, 0, sizeof(*files));
}

int vt_journal_files_remove(int dirfd, const char *file)
{
	if (unlinkat(dirfd, file, 0) < 0 && errno != ENOENT)
		return -errno;
	return fsync(dirfd) < 0 ? -errno : 0;
}
