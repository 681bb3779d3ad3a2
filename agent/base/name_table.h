/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device names to the ifindex they have or will have, for devices a
 * transaction (or a rollback) creates and that are not in any dump yet.
 */
#ifndef VT_NAME_INDEX_H
#define VT_NAME_INDEX_H

#include <stddef.h>

struct vt_name_entry {
	const char *name;		/* borrowed: it must outlive the index */
	int ifindex;
};

struct vt_name_index {
	struct vt_name_entry *v;
	size_t n, cap;
	size_t sorted;			/* v[0, sorted) is in order */
};

/** vt_name_index_add - record @name as @ifindex. 0 or -ENOMEM. */
int vt_name_index_add(struct vt_name_index *idx, const char *name, int ifindex);

/**
 * vt_name_index_find - the ifindex of @name, or 0 when it is not there.
 * Sorts what was added since the last lookup first.
 */
int vt_name_index_find(struct vt_name_index *idx, const char *name);

/** vt_name_index_free - free it; it becomes empty. */
void vt_name_index_free(struct vt_name_index *idx);

#endif
