/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "name_table.h"
#include "vt_array.h"

int vt_name_index_add(struct vt_name_index *idx, const char *name, int ifindex)
{
	struct vt_name_entry *v = vt_array_grow(idx->v, &idx->cap, idx->n + 1, sizeof(*v), 64);

	if (!v)
		return -ENOMEM;
	idx->v = v;
	idx->v[idx->n++] = (struct vt_name_entry){ .name = name, .ifindex = ifindex };
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct vt_name_entry *)a)->name,
		      ((const struct vt_name_entry *)b)->name);
}

int vt_name_index_find(struct vt_name_index *idx, const char *name)
{
	struct vt_name_entry key = { .name = name }, *hit;

	if (idx->sorted != idx->n) {
		qsort(idx->v, idx->n, sizeof(*idx->v), by_name);
		idx->sorted = idx->n;
	}
	hit = idx->n ? bsearch(&key, idx->v, idx->n, sizeof(*idx->v), by_name) : NULL;
	return hit ? hit->ifindex : 0;
}

void vt_name_index_free(struct vt_name_index *idx)
{
	free(idx->v);
	memset(idx, 0, sizeof(*idx));
}
