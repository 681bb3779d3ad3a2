/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vt_desired.h - the desired state: trunks and subports as the operator
 * declared them (SPEC.md, "Desired state"), validated.
 */
#ifndef VT_DESIRED_H
#define VT_DESIRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt_link.h"

#define VT_TRUNK_NAME_MAX 64

/*
 * Limits on what one load accepts, so that no input, however hostile, can
 * exhaust memory or stack. Each is far above what a real host declares.
 */
#define VT_DESIRED_MAX_FILE_SIZE (16u << 20)	/* bytes of one file */
#define VT_DESIRED_MAX_DEPTH 32			/* JSON nesting levels */
/* JSON values in one file: what the parser holds in memory at once. */
#define VT_DESIRED_MAX_VALUES (1u << 19)
#define VT_DESIRED_MAX_FILES 4096		/* *.json files in a directory */
#define VT_DESIRED_MAX_TRUNKS 65536		/* over all files */
/* A valid trunk holds each (protocol, vlan) at most once. */
#define VT_DESIRED_MAX_TRUNK_SUBPORTS (2 * VT_VLAN_ID_MAX)
#define VT_DESIRED_MAX_SUBPORTS 262144		/* over all trunks */
#define VT_DESIRED_MAX_EGRESS 4096		/* egress_qos entries of one subport */
#define VT_DESIRED_MAX_EGRESS_TOTAL (1u << 20)	/* over all subports */
/* Diagnostics kept per call; one more says how many were left out. */
#define VT_DIAGS_MAX 1000

/* Optional subport settings; what is not in `managed` is left as the kernel has it. */
enum vt_subport_setting {
	VT_SP_MTU = 1u << 0,
	VT_SP_MAC = 1u << 1,
	VT_SP_MASTER = 1u << 2,
};

struct vt_subport {
	char name[VT_IFNAMSIZ];
	uint16_t vlan;
	uint16_t protocol;		/* VT_PROTO_*, default 802.1Q */
	bool up;			/* default true */
	bool adopt;			/* default false */
	/*
	 * Default false: address generation mode none and disable_ipv6 set,
	 * before the device is first up. true: IPv6 as the kernel sets it up.
	 */
	bool ipv6;
	uint32_t vlan_flags;		/* kernel defaults: REORDER_HDR only */
	/*
	 * ingress[pcp] = skb priority, 0 = unmapped; NULL when none is mapped,
	 * as almost always (VT_PCP_MAX + 1 entries otherwise; owned by
	 * vt_desired). Read it with vt_subport_ingress().
	 */
	uint32_t *ingress;
	struct vt_qos_entry *egress;	/* normalised: sorted, no `to` of 0 */
	size_t n_egress;
	uint32_t managed;		/* enum vt_subport_setting bits */
	uint32_t mtu;			/* with VT_SP_MTU */
	uint8_t mac[VT_MAC_LEN];	/* with VT_SP_MAC */
	char master[VT_IFNAMSIZ];	/* with VT_SP_MASTER, in the subport's namespace */
	/*
	 * The network namespace it lives in, as written: NULL for vlantrunk's
	 * own, else an `ip netns` name (no '/') or an absolute path to a
	 * namespace file. Owned by vt_desired. See vt_desired_netns_path().
	 */
	char *netns;
};

/** vt_subport_ingress - the skb priority PCP @pcp of @sp maps to, 0 when unmapped. */
static inline uint32_t vt_subport_ingress(const struct vt_subport *sp, unsigned int pcp)
{
	return sp->ingress ? sp->ingress[pcp] : 0;
}

struct vt_trunk {
	char name[VT_TRUNK_NAME_MAX + 1];
	char parent[VT_ALTIFNAMSIZ];	/* a name or an altname, as written */
	bool admin_state_up;		/* default true */
	struct vt_subport *subports;
	size_t n_subports;
	const char *file;		/* the file it came from (owned by vt_desired) */
	/*
	 * QinQ: index into vt_desired.trunks of the trunk one of whose subports
	 * is this trunk's parent, or -1 when the parent is not a subport.
	 */
	int outer;
	/* 0 for a trunk on a plain device, outer's depth + 1 when nested */
	unsigned int depth;
};

/* A subport of a vt_desired: trunks[trunk].subports[subport]. */
struct vt_subport_ref {
	uint32_t trunk, subport;
};

struct vt_desired {
	struct vt_trunk *trunks;	/* in file order, then order of appearance */
	size_t n_trunks;
	char **files;			/* every file read, in the order read */
	size_t n_files;
	bool cached;			/* read from the cache (vt_desired_load_cached) */
	/*
	 * Every subport by its name (strcmp), then trunk, then position, sorted
	 * once when the state is loaded: each plan of a run (one a transaction
	 * and one to verify it) looks subports up by name, and sorting them for
	 * each was most of a plan's cost at many trunks. NULL in a vt_desired
	 * built by hand (the plan then sorts for itself); n_by_name subports.
	 */
	struct vt_subport_ref *by_name;
	size_t n_by_name;
};

/* One problem found in the desired state. Empty strings mean "not applicable". */
struct vt_diag {
	char file[256];
	char trunk[VT_TRUNK_NAME_MAX + 1];
	char subport[VT_IFNAMSIZ];
	char field[64];			/* e.g. "subports[2].vlan", "egress_qos.\"5\"" */
	int line, column;		/* JSON syntax errors (and where known), else 0 */
	char message[256];
};

struct vt_diags {
	struct vt_diag *v;
	size_t n, cap;
};

/**
 * vt_desired_load - read @path: a JSON file, or a directory whose *.json files
 * are merged in lexical order (other files ignored).
 *
 * Every problem found is appended to @diags (all of them, not just the
 * first, up to VT_DIAGS_MAX and one that counts the rest). Returns 0 when the
 * desired state is valid, -EINVAL when @diags holds problems, -ENOMEM; on any
 * error @out is empty. @out is overwritten, not freed: pass it empty. A
 * missing or unreadable path, or a directory without *.json, is a problem,
 * never "no trunks".
 */
int vt_desired_load(const char *path, struct vt_desired *out, struct vt_diags *diags);

/**
 * vt_desired_load_cached - the same, keeping the state in "desired.cache" in
 * the directory @cache_dir (the state dir; NULL: none): a later load of the
 * very same bytes reads it instead of parsing. Only a valid state is kept; a
 * cache that cannot be read or written is no error.
 */
int vt_desired_load_cached(const char *path, const char *cache_dir, struct vt_desired *out,
			   struct vt_diags *diags);

/**
 * vt_desired_parse - the same for one document in memory; @file (NULL:
 * "<input>") names it in diagnostics. For import-neutron's check of what it
 * prints, the tests and the fuzzer; the loader parses each file as this does.
 */
int vt_desired_parse(const char *buf, size_t len, const char *file,
		     struct vt_desired *out, struct vt_diags *diags);

/* Room for a namespace path: PATH_MAX, with the terminating NUL. */
#define VT_NETNS_PATH_MAX 4096

/**
 * vt_desired_netns_path - the file that names namespace @netns (a subport's
 * .netns, not NULL): "/run/netns/NAME" for a name, the path itself for an
 * absolute path. -ENAMETOOLONG when it does not fit @len.
 */
int vt_desired_netns_path(const char *netns, char *buf, size_t len);

/** vt_desired_free - free what @desired holds; it becomes empty. */
void vt_desired_free(struct vt_desired *desired);

/** vt_diag_free - free the list; it becomes empty. */
void vt_diag_free(struct vt_diags *diags);

/**
 * vt_diag_format - "file: trunk 'x': subport 'y': field: message" into @buf,
 * "file:line:column: message" for a syntax error; empty parts left out.
 */
void vt_diag_format(const struct vt_diag *diag, char *buf, size_t len);

#endif
