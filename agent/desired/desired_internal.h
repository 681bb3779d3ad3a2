/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired_internal.h - what the desired-state loader's files share, and
 * only they (and its unit tests and fuzz harness): desired.c (files and
 * directories), diag.c (the diagnostics), doc.c (one JSON document's
 * typed fields and problems), desired_parse.c (a document into structs),
 * qos.c (the QoS maps) and desired_check.c (rules across trunks and files).
 */
#ifndef VT_DESIRED_INTERNAL_H
#define VT_DESIRED_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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
 * vt_diag_report - record one problem. Control characters in the text
 * (from the input) become '?'. Past VT_DIAGS_MAX it is only counted.
 * Returns 0 or -ENOMEM.
 */
int vt_diag_report(struct vt_desired_build *build, const struct vt_diag_where *where,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vt_diag_vreport(struct vt_desired_build *build, const struct vt_diag_where *where,
		    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * vt_diag_count_unlisted - past VT_DIAGS_MAX, one last diagnostic says how
 * many problems were only counted. 0 or -ENOMEM.
 */
int vt_diag_count_unlisted(struct vt_desired_build *build);

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

/* One JSON document being read (doc.c): where a problem report points. */
struct vt_doc {
	struct vt_desired_build *build;
	const char *file;
	const char *trunk;		/* "" until the trunk's name is known valid */
	const char *subport;		/* the same for the subport */
	char path[48];			/* of the object being read; "" at the top */
};

/* A key an object may or must have. */
struct vt_doc_key {
	const char *name;
	bool required;
};

#define N_RULES(rules) (sizeof(rules) / sizeof((rules)[0]))

/*
 * vt_doc_problem - report a problem with @key of the object being read
 * (@key NULL: with the object itself). 0 or -ENOMEM.
 */
int vt_doc_problem(struct vt_doc *doc, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* vt_doc_kind - the JSON kind of @value, as a problem names it ("a string", "null", ...). */
const char *vt_doc_kind(const json_t *value);

/* vt_doc_wrong_kind - report that @key holds @value where @want was expected. 0 or -ENOMEM. */
int vt_doc_wrong_kind(struct vt_doc *doc, const char *key, const json_t *value,
		      const char *expected);

/* vt_doc_check_keys - report every key of @object not in @rules (with the closest known one) and every required key missing. 0 or -ENOMEM. */
int vt_doc_check_keys(struct vt_doc *doc, json_t *object, const struct vt_doc_key *rules,
		      size_t n_rules);

/* vt_doc_bool - read a boolean into *@dst, or report why not. 0 or -ENOMEM. */
int vt_doc_bool(struct vt_doc *doc, const char *key, const json_t *value, bool *dst);

/* vt_doc_integer - read an integer in [@min, @max] into *@dst, or report why not. 0 or -ENOMEM. */
int vt_doc_integer(struct vt_doc *doc, const char *key, const json_t *value,
		   const char *what, json_int_t min, json_int_t max, json_int_t *dst);

/* vt_doc_string - read a string of at most @size - 1 bytes into @dst, or report why not. 0 or -ENOMEM. */
int vt_doc_string(struct vt_doc *doc, const char *key, const json_t *value,
		  const char **dst, size_t *len);

/* vt_doc_ifname - read an interface name the kernel would take into @dst, or report why not. 0 or -ENOMEM. */
int vt_doc_ifname(struct vt_doc *doc, const char *key, const json_t *value, char *dst,
		  size_t size);

/* vt_doc_trunk_name - read a trunk name into @dst, or report why not. 0 or -ENOMEM. */
int vt_doc_trunk_name(struct vt_doc *doc, const json_t *value, char dst[VT_TRUNK_NAME_MAX + 1]);

/* vt_doc_protocol - read "802.1Q" or "802.1ad" into *@dst (its ethertype), or report why not. 0 or -ENOMEM. */
int vt_doc_protocol(struct vt_doc *doc, const json_t *value, uint16_t *dst);

/* vt_doc_mac - read a unicast MAC address into @dst, or report why not. 0 or -ENOMEM. */
int vt_doc_mac(struct vt_doc *doc, const json_t *value, uint8_t dst[VT_MAC_LEN]);

/* vt_qos_egress - read a subport's egress_qos map (skb priority -> PCP) from @value. 0 or -ENOMEM. */
int vt_qos_egress(struct vt_doc *doc, json_t *value, struct vt_subport *subport);

/* vt_qos_ingress - read a subport's ingress_qos map (PCP -> skb priority) from @value. 0 or -ENOMEM. */
int vt_qos_ingress(struct vt_doc *doc, json_t *value, struct vt_subport *subport);

#endif
