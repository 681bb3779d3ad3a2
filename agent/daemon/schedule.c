/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When the agent runs, and for which trunks: the timers (one debounce for
 * a burst of events, retries), the trunks a link event touches (found by
 * name in sorted name tables, so a burst costs O(log n) per event), and
 * which are backing off after failures: trunks, and the recoveries of kept
 * journals. Every deadline is CLOCK_MONOTONIC ns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>

#include "daemon_internal.h"
#include "base/name_table.h"
#include "vt_plan.h"

/*
 * The kernel sends the events of one burst (a device deleted: down, then
 * gone; a parent down and its VLANs with it) from one request, within a few
 * milliseconds of each other: this long without another, the burst is over.
 */
#define QUIET_NS 5000000ULL			/* 5 ms */
#define BACKOFF_MIN_NS 1000000000ULL		/* 1 s */
#define BACKOFF_MAX_NS (300 * 1000000000ULL)	/* 5 min */

uint64_t vt_schedule_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One-shot at @at (monotonic ns; 0 disarms), or every @interval_ns. */
void vt_schedule_arm(int fd, uint64_t at, uint64_t interval_ns)
{
	struct itimerspec its = {
		.it_value = { (time_t)(at / 1000000000ULL), (long)(at % 1000000000ULL) },
		.it_interval = { (time_t)(interval_ns / 1000000000ULL),
				 (long)(interval_ns % 1000000000ULL) },
	};

	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void vt_schedule_debounce(struct vt_daemon *d, uint64_t delay_ms)
{
	if (d->debounce_armed)
		return;
	d->debounce_at = vt_schedule_now() + delay_ms * 1000000ULL;
	vt_schedule_arm(d->debounce_fd, d->debounce_at, 0);
	d->debounce_armed = true;
}

void vt_schedule_burst(struct vt_daemon *d)
{
	uint64_t now = vt_schedule_now(), debounce = (uint64_t)d->cfg.debounce_ms * 1000000ULL;
	uint64_t at, last;

	/* Armed for another reason (a reload waits for its writer): the events go with it. */
	if (d->debounce_armed && !d->burst_at)
		return;
	if (!d->burst_at)
		d->burst_at = now;
	last = d->burst_at + debounce;
	at = now + QUIET_NS < last ? now + QUIET_NS : last;
	if (d->debounce_armed && d->debounce_at == at)
		return;
	d->debounce_at = at;
	vt_schedule_arm(d->debounce_fd, at, 0);
	d->debounce_armed = true;
}

void vt_schedule_fired(struct vt_daemon *d)
{
	d->debounce_armed = false;
	d->burst_at = 0;
}

int vt_schedule_index(struct vt_daemon *d, const struct vt_trunk_state *old, size_t n_old)
{
	const struct vt_desired *des = &d->desired;

	free(d->trunks);
	vt_name_table_free(&d->by_subport);
	vt_name_table_free(&d->by_parent);
	free(d->names);
	d->trunks = calloc(des->n_trunks + 1, sizeof(*d->trunks));
	d->names = calloc(des->n_trunks + 1, sizeof(*d->names));
	if (!d->trunks || !d->names)
		return -ENOMEM;

	for (size_t i = 0; i < des->n_trunks; i++) {
		const struct vt_trunk *t = &des->trunks[i];

		strcpy(d->trunks[i].name, t->name);
		/* A trunk that was backing off before a reload still is. */
		for (size_t j = 0; j < n_old; j++)
			if (!strcmp(old[j].name, t->name)) {
				d->trunks[i].failures = old[j].failures;
				d->trunks[i].retry_at = old[j].retry_at;
			}
		if (vt_name_table_add(&d->by_parent, t->parent, i) < 0)
			return -ENOMEM;
		for (size_t s = 0; s < t->n_subports; s++)
			if (vt_name_table_add(&d->by_subport, t->subports[s].name, i) < 0)
				return -ENOMEM;
	}
	/* Sorted once here: lookups during a burst of events only read. */
	vt_name_table_sort(&d->by_parent);
	vt_name_table_sort(&d->by_subport);
	return 0;
}

static size_t trunk_named(const struct vt_daemon *d, const char *name)
{
	for (size_t i = 0; i < d->desired.n_trunks; i++)
		if (!strcmp(d->trunks[i].name, name))
			return i;
	return SIZE_MAX;
}

/* Mark every trunk @table has under @name. */
static bool mark_by(struct vt_daemon *d, struct vt_name_table *table, const char *name)
{
	size_t n;
	const struct vt_name_entry *hit = vt_name_table_find(table, name, &n);

	for (size_t i = 0; i < n; i++)
		d->trunks[hit[i].value].dirty = true;
	return hit != NULL;
}

bool vt_schedule_touch(struct vt_daemon *d, const struct vt_link *link)
{
	const char *owner = vt_marker_owner(vt_link_alias(link));
	bool touched = false;

	if (owner) {
		size_t i = trunk_named(d, owner);

		/* A device of a trunk no longer desired: only a full run deletes it. */
		if (i == SIZE_MAX)
			d->all_dirty = true;
		else
			d->trunks[i].dirty = true;
		touched = true;
	}
	/* Its name is a subport's (deleted, renamed, taken) or a parent's (appeared, went). */
	touched |= mark_by(d, &d->by_subport, link->name);
	touched |= mark_by(d, &d->by_parent, link->name);
	/* So is an altname: a parent may be named by one, and one takes a subport's name. */
	for (size_t i = 0; i < link->n_altnames; i++) {
		touched |= mark_by(d, &d->by_subport, link->altnames[i]);
		touched |= mark_by(d, &d->by_parent, link->altnames[i]);
	}
	return touched;
}

size_t vt_schedule_due(struct vt_daemon *d, uint64_t now)
{
	size_t n = 0;
	bool all = d->all_dirty;

	for (size_t i = 0; i < d->desired.n_trunks; i++) {
		struct vt_trunk_state *t = &d->trunks[i];

		if (t->retry_at && t->retry_at <= now)
			t->dirty = true;	/* its retry is due */
		if ((all || t->dirty) && (!t->retry_at || t->retry_at <= now)) {
			d->names[n++] = t->name;
			t->dirty = false;	/* taken by the run about to start */
		}
	}
	return n;
}

bool vt_schedule_pending(const struct vt_daemon *d)
{
	for (size_t i = 0; i < d->desired.n_trunks; i++)
		if (d->trunks[i].dirty)
			return true;
	return d->all_dirty;
}

/* 1 s, 2 s, 4 s ... 5 min after the @failures-th failure in a row. */
static uint64_t backoff(unsigned int failures)
{
	uint64_t delay = BACKOFF_MIN_NS;

	for (unsigned int f = 1; f < failures && delay < BACKOFF_MAX_NS; f++)
		delay *= 2;
	return delay < BACKOFF_MAX_NS ? delay : BACKOFF_MAX_NS;
}

void vt_schedule_settle(struct vt_daemon *d, const char *trunk, bool failed, uint64_t now)
{
	size_t i = trunk_named(d, trunk);
	struct vt_trunk_state *t;

	if (i == SIZE_MAX)
		return;
	t = &d->trunks[i];
	if (!failed) {
		t->failures = 0;
		t->retry_at = 0;
		return;
	}
	/* A trunk that keeps failing does not hog the kernel. */
	t->failures++;
	t->retry_at = now + backoff(t->failures);
}

static struct vt_recovery *recovery_of(const struct vt_daemon *d, const char *file)
{
	for (size_t i = 0; i < d->n_recoveries; i++)
		if (!strcmp(d->recoveries[i].file, file))
			return &d->recoveries[i];
	return NULL;
}

bool vt_schedule_recover_gate(void *arg, const char *file, char *why, size_t len)
{
	struct vt_daemon *d = arg;
	const struct vt_recovery *r = recovery_of(d, file);
	uint64_t now;

	if (!r)
		return true;
	now = vt_schedule_now();
	if (r->retry_at <= now)
		return true;
	snprintf(why, len, "next attempt in %llu s; the last one failed: %s",
		 (unsigned long long)((r->retry_at - now + 999999999ULL) / 1000000000ULL), r->reason);
	return false;
}

int vt_schedule_recovery_settle(struct vt_daemon *d, const struct vt_held *held, size_t n_held,
				uint64_t now)
{
	struct vt_recovery *v;
	size_t out = 0;

	/* Forget the journals that are gone: recovered, or removed by hand. */
	for (size_t i = 0; i < d->n_recoveries; i++) {
		bool kept = false;

		for (size_t k = 0; k < n_held && !kept; k++)
			kept = !strcmp(held[k].journal.file, d->recoveries[i].file);
		if (kept)
			d->recoveries[out++] = d->recoveries[i];
	}
	d->n_recoveries = out;
	for (size_t k = 0; k < n_held; k++) {
		struct vt_recovery *r = recovery_of(d, held[k].journal.file);

		if (!held[k].tried)
			continue;
		if (!r) {
			v = reallocarray(d->recoveries, d->n_recoveries + 1, sizeof(*v));
			if (!v)
				return -ENOMEM;
			d->recoveries = v;
			r = &d->recoveries[d->n_recoveries++];
			memset(r, 0, sizeof(*r));
			snprintf(r->file, sizeof(r->file), "%s", held[k].journal.file);
		}
		r->failures++;
		r->retry_at = now + backoff(r->failures);
		snprintf(r->reason, sizeof(r->reason), "%s", held[k].reason);
	}
	return 0;
}

bool vt_schedule_recovery_due(const struct vt_daemon *d, uint64_t now)
{
	for (size_t i = 0; i < d->n_recoveries; i++)
		if (d->recoveries[i].retry_at <= now)
			return true;
	return false;
}

uint64_t vt_schedule_next_retry(const struct vt_daemon *d)
{
	uint64_t next = 0;

	for (size_t i = 0; i < d->desired.n_trunks; i++)
		if (d->trunks[i].retry_at && (!next || d->trunks[i].retry_at < next))
			next = d->trunks[i].retry_at;
	for (size_t i = 0; i < d->n_recoveries; i++)
		if (!next || d->recoveries[i].retry_at < next)
			next = d->recoveries[i].retry_at;
	return next;
}
