/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The marker: the alias "vlantrunk:<trunk>" that makes a device a subport
 * of that trunk, which vlantrunk manages, and the trunk an alias names.
 */
#include <stdio.h>
#include <string.h>

#include "plan_internal.h"

void vt_marker_format(char alias[VT_ALIAS_MAX + 1], const char *trunk)
{
	size_t n = strlen(VT_MARKER_PREFIX);
	size_t len = strnlen(trunk, VT_ALIAS_MAX - n);

	/* Once per subport planned: copies, not snprintf. */
	memcpy(alias, VT_MARKER_PREFIX, n);
	memcpy(alias + n, trunk, len);
	alias[n + len] = '\0';
}

const char *vt_marker_owner(const char *alias)
{
	size_t n = strlen(VT_MARKER_PREFIX);

	if (strncmp(alias, VT_MARKER_PREFIX, n) || !alias[n])
		return NULL;
	return alias + n;
}
