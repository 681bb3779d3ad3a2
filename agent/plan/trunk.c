/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A trunk's report (struct vt_trunk_report): the names its statuses are
 * reported with, stable, as --json relies on them.
 */
#include "plan_internal.h"

const char *vt_trunk_status_name(enum vt_trunk_status status)
{
	switch (status) {
	case VT_TRUNK_ACTIVE: return "ACTIVE";
	case VT_TRUNK_DOWN: return "DOWN";
	case VT_TRUNK_BUILD: return "BUILD";
	case VT_TRUNK_DEGRADED: return "DEGRADED";
	case VT_TRUNK_ERROR: return "ERROR";
	}
	return "?";
}
