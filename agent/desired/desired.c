/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired.c - load the desired state from a file or from a directory of
 * *.json files.
 */
#define _GNU_SOURCE
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

static void inputs_free(struct vt_desired_build *build)
{
	for (size_t i = 0; i < build->n_inputs; i++) {
		free(build->inputs[i].file);
		free(build->inputs[i].buf);
		free(build->inputs[i].problem);
	}
	free(build->inputs);
	build->inputs = NULL;
	build->n_inputs = build->cap_inputs = 0;
}

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

static int cmp_by_name(const void *a, const void *b, void *arg)
{
	const struct vt_subport_ref *x = a, *y = b;
	const struct vt_desired *d = arg;
	int order = strcmp(d->trunks[x->trunk].subports[x->subport].name,
			   d->trunks[y->trunk].subports[y->subport].name);

	if (order)
		return order;
	if (x->trunk != y->trunk)
		return x->trunk < y->trunk ? -1 : 1;
	return (x->subport > y->subport) - (x->subport < y->subport);
}

/* vt_desired.by_name, once for the whole run (a cached state too). */
static int index_by_name(struct vt_desired *d)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < d->n_trunks; i++)
		n += d->trunks[i].n_subports;
	d->by_name = calloc(n ? n : 1, sizeof(*d->by_name));
	if (!d->by_name)
		return -ENOMEM;
	for (size_t i = 0; i < d->n_trunks; i++)
		for (size_t j = 0; j < d->trunks[i].n_subports; j++)
			d->by_name[k++] = (struct vt_subport_ref){ (uint32_t)i, (uint32_t)j };
	qsort_r(d->by_name, n, sizeof(*d->by_name), cmp_by_name, d);
	d->n_by_name = n;
	return 0;
}

/* The rules across files, then the verdict: an invalid state leaves @out empty. */
static int build_finish(struct vt_desired_build *build, int ret)
{
	/* A cached state passed them when it was kept. */
	if (!ret && !build->out->cached)
		ret = vt_desired_check(build);
	if (!ret)
		ret = vt_diag_count_unlisted(build);
	if (!ret && build->n_problems)
		ret = -EINVAL;
	if (!ret)
		ret = index_by_name(build->out);
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

/*
 * Take @buf (and @problem, a message, or NULL) as the next input: read now,
 * parsed (or its problem said) once every file is read. 0 or -ENOMEM.
 */
static int add_input(struct vt_desired_build *build, const char *file, char *buf, size_t len,
		     char *problem)
{
	struct vt_desired_input *v;
	char *copy = strdup(file);

	v = copy ? vt_array_grow(build->inputs, &build->cap_inputs, build->n_inputs + 1,
				 sizeof(*v), 8) : NULL;
	if (!v) {
		free(copy);
		free(buf);
		free(problem);
		return -ENOMEM;
	}
	build->inputs = v;
	v[build->n_inputs++] = (struct vt_desired_input){ .file = copy, .buf = buf, .len = len,
							  .problem = problem };
	return 0;
}

static int add_problem(struct vt_desired_build *build, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add_problem(struct vt_desired_build *build, const char *file, const char *fmt, ...)
{
	char *problem;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&problem, fmt, ap);
	va_end(ap);
	return n < 0 ? -ENOMEM : add_input(build, file, NULL, 0, problem);
}

static int read_regular_file(struct vt_desired_build *build, int fd, const char *file)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = read_file(fd, &buf, &len);
	if (ret == -EFBIG)
		return add_problem(build, file, VT_DESIRED_TOO_BIG_FMT, VT_DESIRED_MAX_FILE_SIZE);
	if (ret < 0 && ret != -ENOMEM)
		return add_problem(build, file, "cannot read it: %s", strerror(-ret));
	if (ret < 0)
		return ret;
	return add_input(build, file, buf, len, NULL);
}

/* Every file read: the cache when it matches them all, else each parsed in its turn. */
static int parse_inputs(struct vt_desired_build *build, int cache_fd)
{
	bool readable = !build->n_problems;
	int ret = 0;

	for (size_t i = 0; i < build->n_inputs && readable; i++)
		readable = !build->inputs[i].problem;
	if (readable && build->n_inputs &&
	    vt_desired_cache_read(cache_fd, build->inputs, build->n_inputs, build->out))
		return 0;
	vt_desired_free(build->out);	/* what a miss read */
	for (size_t i = 0; i < build->n_inputs && !ret; i++) {
		const struct vt_desired_input *in = &build->inputs[i];

		if (in->problem)
			ret = report_path(build, in->file, "%s", in->problem);
		else
			ret = vt_desired_parse_doc(build, in->buf, in->len, in->file);
	}
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
			ret = add_problem(build, file, "cannot open it: %s", strerror(errno));
		} else {
			if (fstat(file_fd, &st) == 0 && !S_ISREG(st.st_mode))
				ret = add_problem(build, file, "it is no longer a regular file");
			else
				ret = read_regular_file(build, file_fd, file);
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
	return vt_desired_load_cached(path, NULL, out, diags);
}

int vt_desired_load_cached(const char *path, const char *cache_dir, struct vt_desired *out,
			   struct vt_diags *diags)
{
	struct vt_desired_build build;
	struct stat st;
	int fd, ret, cache_fd = -1;

	build_start(&build, out, diags);
	if (cache_dir)
		cache_fd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
		ret = read_regular_file(&build, fd, path);
	} else {
		ret = report_path(&build, path, "it is neither a regular file nor a directory");
	}
	if (!ret)
		ret = parse_inputs(&build, cache_fd);
out:
	if (fd >= 0)
		close(fd);
	ret = build_finish(&build, ret);
	/* Best effort: without it the next load parses, as this one did. */
	if (!ret && !out->cached && cache_fd >= 0)
		vt_desired_cache_write(cache_fd, build.inputs, build.n_inputs, out);
	if (cache_fd >= 0)
		close(cache_fd);
	inputs_free(&build);
	return ret;
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
			free(trunk->subports[j].ingress);
			free(trunk->subports[j].egress);
			free(trunk->subports[j].netns);
		}
		free(trunk->subports);
	}
	free(desired->trunks);
	for (size_t i = 0; i < desired->n_files; i++)
		free(desired->files[i]);
	free(desired->files);
	free(desired->by_name);
	memset(desired, 0, sizeof(*desired));
}
