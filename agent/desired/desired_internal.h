/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired_internal.h - what the desired-state loader's files share:
 * desired.c (files, directories, diagnostics), desired_parse.c (one JSON
 * document into structs) and desired_check.c (rules across trunks and files).
 */
#ifndef VT_DESIRED_INTERNAL_H
#define VT_DESIRED_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "vt_desired.h"

/* One load or parse in progress: the state being built and what is wrong with it. */
struct vt_desired_build {
	struct vt_desired *out;
	struct vt_diags *diags;
	size_t n_problems;		/* found by this call, listed or not */
	size_t n_listed;		/* of those, appended to diags */
	size_t n_subports;		/* over all files, against the caps */
	size_t n_egress;
};

/* One wording whether a file is too big to read or a buffer too big to parse. */
#define VT_DESIRED_TOO_BIG_FMT "it is larger than the limit of %u bytes"

/* Where a problem is; NULL or "" for what does not apply. */
struct vt_diag_where {
	const char *file;
	const char *trunk;
	const char *subport;
	const char *field;
	int line, column;
};

/*
 * vt_desired_report - record one problem. Control characters in the text
 * (from the input) become '?'. Past VT_DIAGS_MAX it is only counted.
 * Returns 0 or -ENOMEM.
 */
int vt_desired_report(struct vt_desired_build *build, const struct vt_diag_where *where,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vt_desired_vreport(struct vt_desired_build *build, const struct vt_diag_where *where,
		       const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * vt_desired_parse_doc - append the trunks of one JSON document (@file
 * names it) to build->out, reporting every problem. Returns 0 or -ENOMEM.
 */
int vt_desired_parse_doc(struct vt_desired_build *build, const char *buf, size_t len,
			 const char *file);

/*
 * vt_desired_check - the rules that span trunks and files: unique names,
 * unique (parent, protocol, vlan), QinQ nesting; fills trunk.outer and
 * trunk.depth. Returns 0 or -ENOMEM.
 */
int vt_desired_check(struct vt_desired_build *build);

#endif
