/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired.c - load the desired state from a file or from a directory of
 * *.json files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "desired_internal.h"
#include "vt_array.h"

/* A problem with a whole file or directory rather than with a field in it. */
static int report_path(struct vt_desired_build *build, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int report_path(struct vt_desired_build *build, const char *path, const char *fmt, ...)
{
	struct vt_diag_where where = { .file = path };
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vt_diag_vreport(build, &where, fmt, ap);
	va_end(ap);
	return ret;
}

static void build_start(struct vt_desired_build *build, struct vt_desired *out,
			struct vt_diags *diags)
{
	memset(out, 0, sizeof(*out));
	*build = (struct vt_desired_build){ .out = out, .diags = diags };
}

/* The rules across files, then the verdict: an invalid state leaves @out empty. */
static int build_finish(struct vt_desired_build *build, int ret)
{
	if (!ret)
		ret = vt_desired_check(build);
	if (!ret)
		ret = vt_diag_count_unlisted(build);
	if (!ret && build->n_problems)
		ret = -EINVAL;
	if (ret)
		vt_desired_free(build->out);
	return ret;
}

/*
 * Read all of @fd, a regular file, into a new buffer. Returns 0, -EFBIG
 * beyond VT_DESIRED_MAX_FILE_SIZE (also when the file grows while read),
 * or another negative errno.
 */
static int read_file(int fd, char **bufp, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, size;
	int ret;

	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (st.st_size > VT_DESIRED_MAX_FILE_SIZE) {
		ret = -EFBIG;
		goto out;
	}
	size = (size_t)st.st_size + 1;
	for (;;) {
		ssize_t n;

		if (len == size) {
			char *bigger;

			if (size > VT_DESIRED_MAX_FILE_SIZE) {
				ret = -EFBIG;
				goto out;
			}
			size = size * 2 > VT_DESIRED_MAX_FILE_SIZE + 1 ?
				VT_DESIRED_MAX_FILE_SIZE + 1 : size * 2;
			bigger = realloc(buf, size);
			if (!bigger) {
				ret = -ENOMEM;
				goto out;
			}
			buf = bigger;
		} else if (!buf) {
			buf = malloc(size);
			if (!buf) {
				ret = -ENOMEM;
				goto out;
			}
		}
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	return ret;
}

static int load_regular_file(struct vt_desired_build *build, int fd, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = read_file(fd, &buf, &len);
	if (ret == -EFBIG) {
		ret = report_path(build, file, VT_DESIRED_TOO_BIG_FMT, VT_DESIRED_MAX_FILE_SIZE);
		goto out;
	}
	if (ret < 0 && ret != -ENOMEM) {
		ret = report_path(build, file, "cannot read it: %s", strerror(-ret));
		goto out;
	}
	if (ret < 0)
		goto out;
	ret = vt_desired_parse_doc(build, buf, len, file);
out:
	free(buf);
	return ret;
}

/* What "*.json" matches in a shell: a leading dot hides a file. */
static bool is_json_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 5 && !strcmp(name + len - 5, ".json");
}

static char *join_path(const char *dir, const char *name)
{
	size_t dir_len = strlen(dir);
	const char *slash = dir_len && dir[dir_len - 1] == '/' ? "" : "/";
	size_t size = dir_len + strlen(slash) + strlen(name) + 1;
	char *path = malloc(size);

	if (path)
		snprintf(path, size, "%s%s%s", dir, slash, name);
	return path;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct name_list {
	char **v;
	size_t n, cap;
};

static int name_list_add(struct name_list *list, const char *name)
{
	char **v, *copy;

	v = vt_array_grow(list->v, &list->cap, list->n + 1, sizeof(*v), 16);
	if (!v)
		return -ENOMEM;
	list->v = v;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	list->v[list->n++] = copy;
	return 0;
}

static void name_list_free(struct name_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
}

/*
 * The regular *.json files of @dir, in no particular order; @n_matched
 * counts them and the *.json names that could not be examined. Those (a
 * dangling symlink, say) are reported: skipping one would turn a broken file
 * into "these trunks are gone".
 */
static int list_json_files(struct vt_desired_build *build, DIR *dir, const char *path,
			   struct name_list *names, size_t *n_matched)
{
	struct dirent *entry;
	char *file = NULL;
	int ret = 0;

	*n_matched = 0;
	for (;;) {
		struct stat st;

		errno = 0;
		entry = readdir(dir);
		if (!entry) {
			if (errno)
				ret = report_path(build, path, "cannot list the directory: %s",
						  strerror(errno));
			break;
		}
		if (!is_json_name(entry->d_name))
			continue;
		if (fstatat(dirfd(dir), entry->d_name, &st, 0) < 0) {
			int err = errno;

			file = join_path(path, entry->d_name);
			if (!file) {
				ret = -ENOMEM;
				goto out;
			}
			ret = report_path(build, file, "cannot read it: %s", strerror(err));
			free(file);
			file = NULL;
			if (ret)
				goto out;
			++*n_matched;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		++*n_matched;
		if (names->n == VT_DESIRED_MAX_FILES) {
			ret = report_path(build, path, "more than %d *.json files, the limit",
					  VT_DESIRED_MAX_FILES);
			goto out;
		}
		ret = name_list_add(names, entry->d_name);
		if (ret)
			goto out;
	}
out:
	return ret;
}

/* Takes @fd, an open directory. */
static int load_directory(struct vt_desired_build *build, int fd, const char *path)
{
	struct name_list names = { 0 };
	char *file = NULL;
	size_t n_matched;
	DIR *dir;
	int ret;

	dir = fdopendir(fd);
	if (!dir) {
		ret = errno == ENOMEM ? -ENOMEM :
			report_path(build, path, "cannot list the directory: %s", strerror(errno));
		close(fd);
		goto out;
	}
	ret = list_json_files(build, dir, path, &names, &n_matched);
	if (ret)
		goto out;
	if (!n_matched) {
		ret = report_path(build, path, "no *.json file in this directory");
		goto out;
	}
	/* strcmp, not the locale's collation: the order must not depend on LANG. */
	qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.n; i++) {
		int file_fd;
		struct stat st;

		file = join_path(path, names.v[i]);
		if (!file) {
			ret = -ENOMEM;
			goto out;
		}
		/* O_NONBLOCK: should it have become a FIFO since, open must not hang. */
		file_fd = openat(dirfd(dir), names.v[i],
				 O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (file_fd < 0) {
			ret = report_path(build, file, "cannot open it: %s", strerror(errno));
		} else {
			if (fstat(file_fd, &st) == 0 && !S_ISREG(st.st_mode))
				ret = report_path(build, file, "it is no longer a regular file");
			else
				ret = load_regular_file(build, file_fd, file);
			close(file_fd);
		}
		free(file);
		file = NULL;
		if (ret)
			goto out;
	}
out:
	free(file);
	name_list_free(&names);
	if (dir)
		closedir(dir);
	return ret;
}

int vt_desired_load(const char *path, struct vt_desired *out, struct vt_diags *diags)
{
	struct vt_desired_build build;
	struct stat st;
	int fd, ret;

	build_start(&build, out, diags);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = report_path(&build, path, "cannot open it: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		ret = report_path(&build, path, "cannot read it: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = load_directory(&build, fd, path);
		fd = -1;
	} else if (S_ISREG(st.st_mode)) {
		ret = load_regular_file(&build, fd, path);
	} else {
		ret = report_path(&build, path, "it is neither a regular file nor a directory");
	}
out:
	if (fd >= 0)
		close(fd);
	return build_finish(&build, ret);
}

int vt_desired_parse(const char *buf, size_t len, const char *file,
		     struct vt_desired *out, struct vt_diags *diags)
{
	struct vt_desired_build build;

	build_start(&build, out, diags);
	return build_finish(&build, vt_desired_parse_doc(&build, buf, len,
							 file ? file : "<input>"));
}

void vt_desired_free(struct vt_desired *desired)
{
	for (size_t i = 0; i < desired->n_trunks; i++) {
		struct vt_trunk *trunk = &desired->trunks[i];

		for (size_t j = 0; j < trunk->n_subports; j++) {
			free(trunk->subports[j].egress);
			free(trunk->subports[j].netns);
		}
		free(trunk->subports);
	}
	free(desired->trunks);
	for (size_t i = 0; i < desired->n_files; i++)
		free(desired->files[i]);
	free(desired->files);
	memset(desired, 0, sizeof(*desired));
}
