/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vt_array.h - arrays that grow by doubling; used on both sides of the seam. */
#ifndef VT_ARRAY_H
#define VT_ARRAY_H

#include <stdlib.h>

/**
 * vt_array_grow - @v (of *@cap elements of @size bytes) with room for at least
 * @need, doubling from @first. Returns the (maybe moved) array, *@cap updated,
 * or NULL on ENOMEM with @v and *@cap untouched. Usage:
 *	v = vt_array_grow(a->v, &a->cap, a->n + 1, sizeof(*a->v), 16);
 *	if (!v) return -ENOMEM;
 *	a->v = v;
 */
static inline void *vt_array_grow(void *v, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap ? *cap : first;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	v = reallocarray(v, n, size);
	if (v)
		*cap = n;
	return v;
}

#endif
