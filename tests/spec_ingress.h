/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spec_ingress.h - an ingress map for a request built on a test's stack.
 *
 * A vt_vlan's ingress map is out of line (vt_link.h), and a spec on the stack
 * is never released: its map is one static array per file, cleared when a
 * spec first points at it. One spec with a map at a time in each test.
 */
#ifndef VT_TEST_SPEC_INGRESS_H
#define VT_TEST_SPEC_INGRESS_H

#include <string.h>

#include "vt_link.h"

/* PCP @pcp of @vlan, a spec's, maps to @to. */
static inline void spec_ingress(struct vt_vlan *vlan, unsigned int pcp, uint32_t to)
{
	static uint32_t map[VT_PCP_MAX + 1];

	if (vlan->ingress != map) {
		memset(map, 0, sizeof(map));
		vlan->ingress = map;
	}
	map[pcp] = to;
}

#endif
