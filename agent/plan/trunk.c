/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A trunk's report (struct vt_trunk_report): blocking it, its status as the
 * kernel shows it, derived from its subports' states (run/status.c goes on
 * from there: a transaction, a writer at work, the last run), and the names
 * statuses are reported with, stable as --json relies on them.
 */
#include <stdio.h>

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

void vt_trunk_block(struct vt_trunk_report *r, const char *fmt, const char *a, const char *b)
{
	if (!r->blocked)
		snprintf(r->reason, sizeof(r->reason), fmt, a, b);
	r->blocked = true;
	r->can_converge = false;
}

const struct vt_subport_report *vt_trunk_netns_missing(const struct vt_trunk_report *r)
{
	for (size_t i = 0; i < r->n_subports; i++)
		if (r->subports[i].state == VT_SP_MISSING && r->subports[i].target.ns < 0)
			return &r->subports[i];
	return NULL;
}

void vt_trunk_status_derive(struct vt_trunk_report *r)
{
	size_t counts[VT_SP_BLOCKED + 1] = { 0 };

	for (size_t i = 0; i < r->n_subports; i++)
		counts[r->subports[i].state]++;
	if (r->blocked) {
		r->status = VT_TRUNK_ERROR;
		return;
	}
	if (!r->can_converge) {
		r->status = VT_TRUNK_DOWN;
		return;
	}
	if (counts[VT_SP_IN_SYNC] == r->n_subports && !r->reason[0]) {
		r->status = r->want && (!r->want->admin_state_up || r->parent_down) ?
			    VT_TRUNK_DOWN : VT_TRUNK_ACTIVE;
		if (r->status == VT_TRUNK_DOWN)
			snprintf(r->reason, sizeof(r->reason), r->want->admin_state_up ?
				 "parent %s is down" : "admin_state_up is false", r->want->parent);
		return;
	}
	r->status = VT_TRUNK_DEGRADED;
	if (!r->reason[0])
		snprintf(r->reason, sizeof(r->reason),
			 "%zu of %zu subports in sync (%zu missing, %zu differ)",
			 counts[VT_SP_IN_SYNC], r->n_subports, counts[VT_SP_MISSING],
			 counts[VT_SP_DIFFERS] + counts[VT_SP_ADOPTABLE]);
}

void vt_trunk_stray(struct vt_trunk_report *r, const char *device)
{
	/* Every subport may match and still a stray device of the trunk waits. */
	if (r->status != VT_TRUNK_DEGRADED && r->want)
		snprintf(r->reason, sizeof(r->reason), "stray device %s to delete", device);
	r->status = VT_TRUNK_DEGRADED;
}
