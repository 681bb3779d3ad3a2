/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diag.c - the diagnostics that say what is wrong with a desired state, and where. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int vt_diag_vreport(struct vt_desired_build *build, const struct vt_diag_where *where,
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

int vt_diag_report(struct vt_desired_build *build, const struct vt_diag_where *where,
		   const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vt_diag_vreport(build, where, fmt, ap);
	va_end(ap);
	return ret;
}

int vt_diag_count_unlisted(struct vt_desired_build *build)
{
	size_t unlisted = build->n_problems - build->n_listed;
	struct vt_diag_where nowhere = { 0 };
	struct vt_diag *diag;

	if (!unlisted)
		return 0;
	diag = add_diag(build->diags, &nowhere);
	if (!diag)
		return -ENOMEM;
	snprintf(diag->message, sizeof(diag->message), "%zu more problems are not listed",
		 unlisted);
	return 0;
}

void vt_diag_free(struct vt_diags *diags)
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
