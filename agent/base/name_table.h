/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/base/: building blocks every folder of agent/ may use; they call
 * nothing above them.
 *
 * name_table.h - names to values, sorted once and searched by bisection: the
 * one table behind every lookup by name in agent/ (devices a transaction
 * creates, trunks by parent or subport name, owners, reports). A name may be
 * there more than once; a lookup returns all its entries. Names are borrowed:
 * they must outlive the table. Comparison is strcmp, never the locale's
 * collation, so an order never depends on LANG.
 */
#ifndef VT_NAME_TABLE_H
#define VT_NAME_TABLE_H

#include <stddef.h>

struct vt_name_entry {
	const char *name;
	size_t value;
};

struct vt_name_table {
	struct vt_name_entry *v;
	size_t n, cap;
	size_t sorted;			/* v[0, sorted) is in order */
};

/** vt_name_table_add - record @name as @value. 0 or -ENOMEM. */
int vt_name_table_add(struct vt_name_table *t, const char *name, size_t value);

/**
 * vt_name_table_find - the entries for @name: the first of them, *@n set to
 * how many (when @n is not NULL), or NULL when there is none. Sorts what was
 * added since the last lookup first; the entries stay valid until the next
 * add. Entries of one name come in the order of their values (the order
 * they were added in, where values are positions).
 */
const struct vt_name_entry *vt_name_table_find(struct vt_name_table *t, const char *name,
					       size_t *n);

/** vt_name_table_get - the value of an entry for @name, or @missing when there is none. */
size_t vt_name_table_get(struct vt_name_table *t, const char *name, size_t missing);

/** vt_name_table_sort - sort now, so that later lookups only read. */
void vt_name_table_sort(struct vt_name_table *t);

/** vt_name_table_free - free it; it becomes empty. */
void vt_name_table_free(struct vt_name_table *t);

#endif
