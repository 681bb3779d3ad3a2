/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "name_table.h"
#include "vt_array.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct vt_name_entry *)a)->name,
		      ((const struct vt_name_entry *)b)->name);
}

/* Entries of one name in the order of their values: a lookup's first is the lowest. */
static int by_name_value(const void *a, const void *b)
{
	const struct vt_name_entry *x = a, *y = b;
	int c = by_name(a, b);

	return c ? c : (x->value > y->value) - (x->value < y->value);
}

int vt_name_table_add(struct vt_name_table *t, const char *name, size_t value)
{
	struct vt_name_entry *v = vt_array_grow(t->v, &t->cap, t->n + 1, sizeof(*v), 64);

	if (!v)
		return -ENOMEM;
	t->v = v;
	t->v[t->n] = (struct vt_name_entry){ .name = name, .value = value };
	/*
	 * Added in order (from a list sorted by name, as desired_check.c's),
	 * it stays sorted: no qsort at the next lookup.
	 */
	if (t->sorted == t->n && (!t->n || by_name_value(&t->v[t->n - 1], &t->v[t->n]) <= 0))
		t->sorted++;
	t->n++;
	return 0;
}

void vt_name_table_sort(struct vt_name_table *t)
{
	if (t->sorted != t->n) {
		qsort(t->v, t->n, sizeof(*t->v), by_name_value);
		t->sorted = t->n;
	}
}

const struct vt_name_entry *vt_name_table_find(struct vt_name_table *t, const char *name,
					       size_t *n)
{
	struct vt_name_entry key = { .name = name };
	const struct vt_name_entry *hit, *end;

	vt_name_table_sort(t);
	hit = t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), by_name) : NULL;
	if (n)
		*n = 0;
	if (!hit)
		return NULL;
	while (hit > t->v && !strcmp(hit[-1].name, name))
		hit--;
	for (end = hit; end < t->v + t->n && !strcmp(end->name, name); end++)
		;
	if (n)
		*n = (size_t)(end - hit);
	return hit;
}

size_t vt_name_table_get(struct vt_name_table *t, const char *name, size_t missing)
{
	const struct vt_name_entry *hit = vt_name_table_find(t, name, NULL);

	return hit ? hit->value : missing;
}

void vt_name_table_free(struct vt_name_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
