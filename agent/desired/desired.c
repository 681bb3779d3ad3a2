/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired.c - load the desired state from a file or from a directory of
 * *.json files, and the diagnostics that say what is wrong with it.
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

static struct vt_diag *diags_append(struct vt_diags *diags)
{
	struct vt_diag *v = vt_array_grow(diags->v, &diags->cap, diags->n + 1, sizeof(*v), 16);

	if (!v)
		return NULL;
	diags->v = v;
	memset(&diags->v[diags->n], 0, sizeof(diags->v[0]));
	return &diags->v[diags->n++];
}

/* How long the UTF-8 sequence led by @lead is, 0 when it cannot lead one. */
static size_t utf8_sequence_length(unsigned char lead)
{
	if (lead < 0x80)
		return 1;
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef)
		return 3;
	if (lead >= 0xf0 && lead <= 0xf4)
		return 4;
	return 0;
}

/*
 * Diagnostics carry text from the input to a terminal or a log: control
 * characters (C0 and C1) could forge lines or escape sequences there, and a
 * cut (a long name, a full buffer) can split a UTF-8 sequence. Each of their
 * bytes becomes '?'.
 */
static void make_printable(char *text)
{
	unsigned char *c = (unsigned char *)text;

	while (*c) {
		size_t n = utf8_sequence_length(*c), i;

		for (i = 1; i < n && (c[i] & 0xc0) == 0x80; i++)
			;
		if (!n || i < n) {
			*c++ = '?';
			continue;
		}
		if (n == 1 && (*c < 0x20 || *c == 0x7f))
			*c = '?';
		if (n == 2 && c[0] == 0xc2 && c[1] < 0xa0)
			c[0] = c[1] = '?';
		c += n;
	}
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
	make_printable(dst);
}

static struct vt_diag *add_diag(struct vt_diags *diags, const struct vt_diag_where *where)
{
	struct vt_diag *diag = diags_append(diags);

	if (!diag)
		return NULL;
	copy_text(diag->file, sizeof(diag->file), where->file);
	copy_text(diag->trunk, sizeof(diag->trunk), where->trunk);
	copy_text(diag->subport, sizeof(diag->subport), where->subport);
	copy_text(diag->field, sizeof(diag->field), where->field);
	diag->line = where->line;
	diag->column = where->column;
	return diag;
}

int vt_desired_vreport(struct vt_desired_build *build, const struct vt_diag_where *where,
		       const char *fmt, va_list ap)
{
	struct vt_diag *diag;

	build->n_problems++;
	if (build->n_listed >= VT_DIAGS_MAX)
		return 0;
	diag = add_diag(build->diags, where);
	if (!diag)
		return -ENOMEM;
	build->n_listed++;
	vsnprintf(diag->message, sizeof(diag->message), fmt, ap);
	make_printable(diag->message);
	return 0;
}

int vt_desired_report(struct vt_desired_build *build, const struct vt_diag_where *where,
		      const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vt_desired_vreport(build, where, fmt, ap);
	va_end(ap);
	return ret;
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
	ret = vt_desired_vreport(build, &where, fmt, ap);
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
	size_t unlisted;

	if (!ret)
		ret = vt_desired_check(build);
	unlisted = build->n_problems - build->n_listed;
	if (!ret && unlisted) {
		struct vt_diag_where nowhere = { 0 };
		struct vt_diag *diag = add_diag(build->diags, &nowhere);

		if (diag)
			snprintf(diag->message, sizeof(diag->message),
				 "%zu more problems are not listed", unlisted);
		else
			ret = -ENOMEM;
	}
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

		for (size_t j = 0; j < trunk->n_subports; j++)
			free(trunk->subports[j].egress);
		free(trunk->subports);
	}
	free(desired->trunks);
	for (size_t i = 0; i < desired->n_files; i++)
		free(desired->files[i]);
	free(desired->files);
	memset(desired, 0, sizeof(*desired));
}

void vt_diags_free(struct vt_diags *diags)
{
	free(diags->v);
	memset(diags, 0, sizeof(*diags));
}

static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n < len - *off ? (size_t)n : len - *off - 1;
}

void vt_diag_format(const struct vt_diag *diag, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (diag->file[0]) {
		append(buf, len, &off, "%s", diag->file);
		if (diag->line)
			append(buf, len, &off, ":%d:%d", diag->line, diag->column);
		append(buf, len, &off, ": ");
	}
	if (diag->trunk[0])
		append(buf, len, &off, "trunk '%s': ", diag->trunk);
	if (diag->subport[0])
		append(buf, len, &off, "subport '%s': ", diag->subport);
	if (diag->field[0])
		append(buf, len, &off, "%s: ", diag->field);
	append(buf, len, &off, "%s", diag->message);
}
