/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/desired/: the desired-state loader. In: a path, a JSON file or a
 * directory whose *.json files are read in strcmp order, or one document
 * in memory. Out: a validated struct vt_desired (every trunk and subport
 * as declared, defaults filled in, QinQ nesting resolved into outer and
 * depth) or, when anything is wrong, an empty one and struct vt_diags that
 * say what and where: every problem, not just the first, up to
 * VT_DIAGS_MAX. It reads files and nothing else: it never speaks to the
 * kernel, prints nothing and keeps nothing between loads, and a limit on
 * every size keeps any input from exhausting memory or stack. Its seam is
 * include/vt_desired.h, which the layers above, the tests and the fuzz
 * harness include; this header is for the folder's own files only.
 *
 * Its files, each calling, of this folder, only those after it: desired.c
 * reads a file or a directory's files, has each parsed, then the whole
 * checked; desired_parse.c one document into trunks and subports; qos.c a
 * subport's QoS maps; doc.c one document's typed fields and where a
 * problem in them is; desired_check.c the rules across trunks and files
 * (unique names and vlans, masters, QinQ nesting); desired_netns.c what a
 * subport's netns may say and the file it names; diag.c the diagnostics
 * they all report through. Below, each file's functions, from the bottom up.
 */
#ifndef VT_DESIRED_INTERNAL_H
#define VT_DESIRED_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vt_desired.h"

/*
 * One file a load read: its bytes, or why they could not be read (said in
 * its turn, after the problems of the files before it).
 */
struct vt_desired_input {
	char *file;
	char *buf;
	size_t len;
	char *problem;
};

/* One load or parse in progress: the state being built and what is wrong with it. */
struct vt_desired_build {
	struct vt_desired *out;
	struct vt_diags *diags;
	struct vt_desired_input *inputs;	/* a load's files, in the order read */
	size_t n_inputs, cap_inputs;
	size_t n_problems;		/* found by this call, listed or not */
	size_t n_listed;		/* of those, appended to diags */
	size_t n_subports;		/* over all files, against the caps */
	size_t n_egress;
};

/* One wording whether a file is too big to read or a buffer too big to parse. */
#define VT_DESIRED_TOO_BIG_FMT "it is larger than the limit of %u bytes"

/* desired_cache.c */

/*
 * vt_desired_cache_read - fill @out (empty) from the cache in the directory
 * @dirfd when it was made from exactly @in (names and bytes, in order, none
 * with a problem). false on a miss of any kind: then @out holds what was
 * read before the miss, for vt_desired_free().
 */
bool vt_desired_cache_read(int dirfd, const struct vt_desired_input *in, size_t n_in,
			   struct vt_desired *out);

/**
 * vt_desired_cache_write - replace the cache in @dirfd with @d, a valid
 * state loaded from @in. 0 or a negative errno (which the loader ignores).
 */
int vt_desired_cache_write(int dirfd, const struct vt_desired_input *in, size_t n_in,
			   const struct vt_desired *d);

/* diag.c */

/* Where a problem is; NULL or "" for what does not apply. */
struct vt_diag_where {
	const char *file;
	const char *trunk;
	const char *subport;
	const char *field;
	int line, column;
};

/*
 * vt_diag_report - record one problem. Control characters and broken UTF-8
 * in the text (from the input) become '?'. Past VT_DIAGS_MAX it is only
 * counted. Returns 0 or -ENOMEM.
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

/* desired_netns.c (and vt_desired_netns_path(), in vt_desired.h) */

/*
 * vt_desired_netns_problem - why @netns (@len bytes, as the JSON string
 * holds them) is not a valid subport.netns, or NULL when it is one: an
 * `ip netns` name (no '/', not "." or "..", at most NAME_MAX bytes, no
 * whitespace or control character) or an absolute path (shorter than
 * VT_NETNS_PATH_MAX, no empty, "." or ".." component, no '/' at the end).
 */
const char *vt_desired_netns_problem(const char *netns, size_t len);

/* doc.c */

/* One JSON document being read: where a problem report points. */
struct vt_doc {
	struct vt_desired_build *build;
	const char *file;
	const char *trunk;		/* "" until the trunk's name is known valid */
	const char *subport;		/* the same for the subport */
	/*
	 * Where the object being read is: trunks[at_trunk].subports[at_subport],
	 * VT_DOC_TOP for neither. Kept as positions and spelt out only for a
	 * problem: formatting a path per subport was 2.5% of a no-op's
	 * instructions at 4 x 4094.
	 */
	size_t at_trunk, at_subport;
};

#define VT_DOC_TOP SIZE_MAX

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

/* vt_doc_wrong_kind - report that @key holds @value where @expected was. 0 or -ENOMEM. */
int vt_doc_wrong_kind(struct vt_doc *doc, const char *key, const json_t *value,
		      const char *expected);

/*
 * vt_doc_check_keys - report every key of @object not in @rules (with the
 * closest known one, as a guess at a typo) and every required key missing.
 * 0 or -ENOMEM.
 */
int vt_doc_check_keys(struct vt_doc *doc, json_t *object, const struct vt_doc_key *rules,
		      size_t n_rules);

/*
 * The readers of one field's @value: each stores it and returns 1 when it
 * is valid, reports why not and returns 0 when it is not (leaving @dst as
 * it was), or returns -ENOMEM.
 */

/* vt_doc_bool - true or false into *@dst. */
int vt_doc_bool(struct vt_doc *doc, const char *key, const json_t *value, bool *dst);

/* vt_doc_integer - an integer in [@min, @max] into *@dst; @what names it in messages. */
int vt_doc_integer(struct vt_doc *doc, const char *key, const json_t *value,
		   const char *what, json_int_t min, json_int_t max, json_int_t *dst);

/*
 * vt_doc_string - a string: *@dst points to @value's bytes, *@len says how
 * many (they may hold a NUL byte).
 */
int vt_doc_string(struct vt_doc *doc, const char *key, const json_t *value,
		  const char **dst, size_t *len);

/*
 * vt_doc_ifname - an interface name the kernel would take into @dst: @size
 * is VT_IFNAMSIZ for a name, VT_ALTIFNAMSIZ where an altname will do.
 */
int vt_doc_ifname(struct vt_doc *doc, const char *key, const json_t *value, char *dst,
		  size_t size);

/* vt_doc_trunk_name - a trunk's "name", 1 to VT_TRUNK_NAME_MAX of [A-Za-z0-9_.-], into @dst. */
int vt_doc_trunk_name(struct vt_doc *doc, const json_t *value, char dst[VT_TRUNK_NAME_MAX + 1]);

/* vt_doc_protocol - "802.1Q" or "802.1ad" into *@dst, as its ethertype. */
int vt_doc_protocol(struct vt_doc *doc, const json_t *value, uint16_t *dst);

/* vt_doc_mac - a unicast MAC address, not all zero, into @dst. */
int vt_doc_mac(struct vt_doc *doc, const json_t *value, uint8_t dst[VT_MAC_LEN]);

/*
 * vt_doc_netns - a subport's "netns" into *@dst, a copy the subport owns:
 * a string vt_desired_netns_problem() finds nothing wrong with, or null for
 * vlantrunk's own namespace (*@dst stays NULL). Unlike the other readers,
 * a wrong value leaves *@dst "" (a copy too), a value never valid: the
 * rules across subports skip it, as they skip an empty name, rather than
 * take the subport for one of vlantrunk's own namespace.
 */
int vt_doc_netns(struct vt_doc *doc, const json_t *value, char **dst);

/* qos.c: each reports every problem in its map. 0 or -ENOMEM. */

/* vt_qos_egress - read a subport's egress_qos map (skb priority -> PCP) from @value. */
int vt_qos_egress(struct vt_doc *doc, json_t *value, struct vt_subport *subport);

/* vt_qos_ingress - read a subport's ingress_qos map (PCP -> skb priority) from @value. */
int vt_qos_ingress(struct vt_doc *doc, json_t *value, struct vt_subport *subport);

/* desired_check.c */

/*
 * vt_desired_check - the rules that span trunks and files: unique trunk
 * names, subport names unique per namespace, unique (parent, protocol,
 * vlan), no master that is a subport of its namespace, no parent that is a
 * subport of another namespace, QinQ nesting without cycles; fills
 * trunk.outer and trunk.depth. Returns 0 or -ENOMEM.
 */
int vt_desired_check(struct vt_desired_build *build);

/* desired_parse.c */

/*
 * vt_desired_parse_doc - append the trunks of one JSON document (@file
 * names it) to build->out, reporting every problem; a copy of @file joins
 * build->out->files once the document is within the size limits. Returns 0
 * or -ENOMEM.
 */
int vt_desired_parse_doc(struct vt_desired_build *build, const char *buf, size_t len,
			 const char *file);

#endif
