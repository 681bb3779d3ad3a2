/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "last.h"
#include "status.h"
#include "world.h"

/* A trunk whose transaction applied: what its desired state asks for. */
static enum vt_trunk_status settled(const struct vt_trunk_report *r, char *reason, size_t len)
{
	const struct vt_subport_report *waits = vt_trunk_netns_missing(r);

	/* Applied all it could: a subport whose namespace is not there still waits. */
	if (r->want && waits) {
		snprintf(reason, len, "subport %s: %s", waits->want->name,
			 waits->reason ? waits->reason : "its network namespace does not exist");
		return VT_TRUNK_DEGRADED;
	}
	if (!r->want)
		snprintf(reason, len, "removed");
	else if (!r->want->admin_state_up)
		snprintf(reason, len, "admin_state_up is false");
	else if (r->parent_down)
		snprintf(reason, len, "parent %s is down", r->want->parent);
	else
		return snprintf(reason, len, "%s", ""), VT_TRUNK_ACTIVE;
	return VT_TRUNK_DOWN;
}

static bool failed(const char *outcome)
{
	return outcome && (!strcmp(outcome, "rolled_back") || !strcmp(outcome, "rollback_incomplete"));
}

void vt_status_trunk(const struct vt_trunk_report *r, const struct vt_status_facts *f,
		     struct vt_trunk_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->txn = f->txn;
	o->ops = f->ops;
	o->status = r->status;
	o->reason = r->reason;
	if (f->running) {
		/* A writer at work: BUILD until its outcome is known. */
		o->status = VT_TRUNK_BUILD;
		snprintf(o->text, sizeof(o->text), "transaction %s is running", f->running);
		o->reason = o->text;
		return;
	}
	if (!f->txn && f->refused && r->can_converge && f->ops) {
		o->status = VT_TRUNK_ERROR;
		o->reason = f->refused;
		return;
	}
	if (f->txn && r->can_converge) {
		if (f->txn->outcome == VT_TXN_APPLIED) {
			o->status = settled(r, o->text, sizeof(o->text));
			o->reason = o->text;
		} else {
			o->status = VT_TRUNK_ERROR;
			o->reason = f->txn->outcome == VT_TXN_ROLLED_BACK ? f->txn->error :
				    f->txn->remains;
		}
		return;
	}
	/* The kernel has the last word: a trunk in sync is never ERROR. */
	if (!f->txn && r->status == VT_TRUNK_DEGRADED && failed(f->last_outcome) &&
	    f->last_reason) {
		o->status = VT_TRUNK_ERROR;
		snprintf(o->text, sizeof(o->text), "the last reconcile failed and was %s: %s",
			 strcmp(f->last_outcome, "rolled_back") ? "not fully rolled back" :
			 "rolled back", f->last_reason);
		o->reason = o->text;
	}
}

static const char *running_on(const struct vt_world *w, const char *trunk)
{
	for (size_t j = 0; w->busy && j < w->running.n_trunks; j++)
		if (!strcmp(trunk, w->running.trunks[j]))
			return w->running.id;
	return NULL;
}

void vt_status_world(struct vt_world *world)
{
	json_t *last = world->sd.dirfd >= 0 ? vt_last_get(world->sd.dirfd, "trunks") : NULL;

	for (size_t i = 0; i < world->plan.n_trunks; i++) {
		struct vt_trunk_report *r = &world->plan.trunks[i];
		json_t *rec = json_object_get(last, r->name);
		struct vt_status_facts f = {
			.running = running_on(world, r->name),
			.last_outcome = json_string_value(json_object_get(rec, "outcome")),
			.last_reason = json_string_value(json_object_get(rec, "reason")),
		};
		struct vt_trunk_outcome o;

		vt_status_trunk(r, &f, &o);
		r->status = o.status;
		if (o.reason != r->reason)
			snprintf(r->reason, sizeof(r->reason), "%s", o.reason);
	}
	json_decref(last);
}

int vt_status_exit(const struct vt_plan *plan)
{
	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_trunk_report *r = &plan->trunks[i];
		/*
		 * Down by choice only with its parent there: admin_state_up false
		 * keeps the subports, down; a missing parent leaves none to keep
		 * (the kernel deletes a VLAN with its lower device), and SPEC
		 * counts DOWN for a missing parent as not converged whatever
		 * admin_state_up says.
		 */
		bool by_choice = r->status == VT_TRUNK_DOWN && r->can_converge && r->want &&
				 !r->want->admin_state_up;

		if (r->status != VT_TRUNK_ACTIVE && !by_choice)
			return VT_EXIT_NOT_CONVERGED;
	}
	return VT_EXIT_OK;
}
