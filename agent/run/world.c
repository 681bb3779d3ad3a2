/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the world: the desired state, an interrupted transaction to
 * recover, the kernel's links, and the plan between them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/name_table.h"
#include "world.h"
#include "txn/journal.h"
#include "txn/journal_files.h"
#include "plan/diff.h"
#include "txn/restore.h"
#include "txn/netns_map.h"
#include "netns.h"

static void fail(struct vt_world *world, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct vt_world *world, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(world->failure.what, sizeof(world->failure.what), fmt, ap);
	va_end(ap);
	world->failure.hint = hint;
}

static void note(const struct vt_world_opts *o, enum vt_note_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(const struct vt_world_opts *o, enum vt_note_level level, const char *fmt, ...)
{
	char text[2560];
	va_list ap;

	if (!o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	o->note(o->note_arg, level, text);
}

const struct vt_desired *vt_world_intent(const struct vt_world *world)
{
	return world->intent ? world->intent : &world->desired;
}

static bool trunk_known(const struct vt_world *w, const char *name)
{
	const struct vt_desired *d = vt_world_intent(w);

	for (size_t i = 0; i < d->n_trunks; i++)
		if (!strcmp(d->trunks[i].name, name))
			return true;
	/* A trunk no longer desired is known by the markers its devices carry. */
	for (size_t i = 0; i < w->links.n; i++) {
		const char *owner = vt_marker_owner(vt_link_alias(&w->links.links[i]));

		if (owner && !strcmp(owner, name))
			return true;
	}
	return false;
}

/*
 * Teardown goes towards no trunks and reads no desired state, but a trunk it
 * is named that the desired state has is no typo: with no devices left (a
 * second teardown, or a recovery that undid its only creates) there is just
 * nothing to do. A desired state that cannot be read names nothing.
 */
static bool desired_names(const struct vt_world_opts *o, const char *trunk)
{
	struct vt_desired d = { 0 };
	struct vt_diags diags = { 0 };
	bool found = false;

	if (vt_desired_load(o->config, &d, &diags) == 0)
		for (size_t i = 0; i < d.n_trunks && !found; i++)
			found = !strcmp(d.trunks[i].name, trunk);
	vt_diag_free(&diags);
	vt_desired_free(&d);
	return found;
}

int vt_world_load(const struct vt_world_opts *o, struct vt_world *world)
{
	int ret;

	ret = vt_desired_load_cached(o->config, o->state_dir, &world->desired,
				     &world->failure.diags);
	if (ret == -EINVAL) {
		world->failure.invalid = true;
		fail(world, NULL, "invalid desired state");
		return VT_EXIT_INVALID;
	}
	if (ret < 0) {
		fail(world, NULL, "reading the desired state: %s", strerror(-ret));
		return VT_EXIT_CANNOT_RUN;
	}
	/* A netns that names no namespace is bad input: found before anything is done. */
	return vt_netns_check(world);
}

static int open_netlink(struct vt_world *world)
{
	int ret;

	if (world->nl)
		return 0;
	ret = vt_nl_open(&world->nl);
	if (ret < 0) {
		fail(world, "run `vlantrunk check` to see what is missing", "opening rtnetlink: %s",
		     strerror(-ret));
		return VT_EXIT_CANNOT_RUN;
	}
	return 0;
}

static struct vt_held *add_held(struct vt_world *world)
{
	struct vt_held *h = reallocarray(world->held, world->n_held + 1, sizeof(*h));

	if (!h)
		return NULL;
	world->held = h;
	h = &world->held[world->n_held++];
	memset(h, 0, sizeof(*h));
	return h;
}

/* One journal: rolled back and removed, or kept and held. */
static int recover_one(const struct vt_world_opts *o, struct vt_world *world,
		       const char *file)
{
	struct vt_restore_report rep = { 0 };
	struct vt_journal journal;
	struct vt_held *held;
	size_t gone = 0;
	char why[512] = "";
	bool now;
	int ret;

	now = !world->recover_gate || world->recover_gate(world->recover_arg, file, why, sizeof(why));
	ret = vt_journal_read(world->sd.dirfd, file, &journal);
	if (ret == -ENOENT)
		return 0;	/* gone meanwhile */
	if (!(held = add_held(world))) {
		vt_journal_free(&journal);
		return -ENOMEM;
	}
	if (ret < 0) {
		/* Unreadable: it may concern any trunk, and nothing in it can be proven. */
		held->all = true;
		held->tried = now;
		snprintf(held->journal.file, sizeof(held->journal.file), "%s", file);
		snprintf(held->reason, sizeof(held->reason),
			 "the journal %s in %s cannot be read (%s); it is kept: inspect it, and "
			 "remove it only once every device it names is as it should be", file,
			 o->state_dir, strerror(-ret));
		goto report;
	}
	held->journal = journal;
	if (!now) {
		snprintf(held->reason, sizeof(held->reason),
			 "interrupted transaction %s is kept (recovery retried later): %s",
			 journal.id, why);
		return 0;
	}
	held->tried = true;
	ret = open_netlink(world);
	/*
	 * Every namespace the run reads, not only the journal's: a VLAN in one (a
	 * pod's, re-created since) may sit on a device the journal created, and
	 * deleting that device would make the kernel delete it too. The restore
	 * keeps a device anything unproven sits on; it has to see it first.
	 */
	if (!ret)
		ret = vt_netns_register(world);
	if (ret) {
		world->n_held--;
		vt_journal_free(&held->journal);
		return ret;
	}
	/* Its namespaces by identity; devices of one that went count as restored. */
	/* The held copy is the journal: renumbered in place, entries and count together. */
	ret = vt_netns_map_journal(world->nl, &held->journal, &gone);
	held->mapped = ret == 0;
	if (ret == 0)
		ret = vt_restore(world->nl, &held->journal, &rep);
	if (world->source && world->source->invalidate)
		world->source->invalidate(world->source->arg);
	if (ret == 0) {
		world->n_held--;
		ret = vt_journal_files_remove(world->sd.dirfd, journal.file);
		world->recovered++;
		snprintf(world->recovered_id, sizeof(world->recovered_id), "%s", journal.id);
		note(o, VT_NOTE_INFO, "rolled back interrupted transaction %s "
				      "(%zu requests undone%s)", journal.id,
				rep.deleted + rep.created + rep.changed,
				rep.vanished ? ", devices gone with their parent need nothing" : "");
		if (gone)
			note(o, VT_NOTE_INFO, "%zu devices of %s were in a network namespace that "
					      "is gone: the kernel deleted them with it", gone,
			     journal.id);
		vt_journal_free(&held->journal);
		return 0;
	}
	snprintf(held->reason, sizeof(held->reason),
		 "recovering interrupted transaction %s: %s%s%s; the journal is kept and the next "
		 "run retries", journal.id, ret == -EIO ? rep.remains : strerror(-ret),
		 rep.error[0] ? " first failure: " : "", rep.error);
report:
	/* The trunks it concerns carry the reason; a log line says it once per run too. */
	note(o, VT_NOTE_REPORTED, "%s", held->reason);
	return 0;
}

int vt_world_recover(const struct vt_world_opts *o, struct vt_world *world)
{
	struct vt_journal_files files;
	int ret = vt_journal_files_list(world->sd.dirfd, &files);

	if (ret < 0) {
		struct vt_held *held = add_held(world);

		if (!held) {
			fail(world, NULL, "recovering: out of memory");
			return VT_EXIT_CANNOT_RUN;
		}
		held->all = true;
		snprintf(held->reason, sizeof(held->reason), "the state dir %s cannot be listed "
			 "for journals (%s)", o->state_dir, strerror(-ret));
		return 0;
	}
	/* A journal never finished: its transaction sent nothing, there is nothing to undo. */
	vt_journal_files_discard_partial(world->sd.dirfd);
	/* Newest first: an undo log is undone from its end. */
	for (size_t i = 0; i < files.n && !ret; i++)
		ret = recover_one(o, world, files.names[i]);
	vt_journal_files_free(&files);
	if (ret < 0) {
		fail(world, NULL, "recovering: out of memory");
		return VT_EXIT_CANNOT_RUN;
	}
	return ret;
}

/* Every journal there, as a writer at work leaves them: their trunks are BUILD. */
static void note_running(struct vt_world *world)
{
	struct vt_journal_files files;

	if (vt_journal_files_list(world->sd.dirfd, &files) < 0)
		return;
	for (size_t i = 0; i < files.n; i++) {
		struct vt_journal j;

		if (vt_journal_read(world->sd.dirfd, files.names[i], &j) < 0)
			continue;
		world->busy = true;
		if (!world->running.id[0])
			snprintf(world->running.id, sizeof(world->running.id), "%s", j.id);
		for (size_t k = 0; k < j.n_trunks; k++)
			vt_journal_add_trunk(&world->running, j.trunks[k]);
		vt_journal_free(&j);
	}
	vt_journal_files_free(&files);
}

void vt_world_held_free(struct vt_held *held, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vt_journal_free(&held[i].journal);
	free(held);
}

int vt_world_lock(const struct vt_world_opts *o, struct vt_world *world, bool writer)
{
	int ret;

	ret = vt_statedir_open(o->state_dir, writer, &world->sd);
	if (ret == -ENOENT && !writer)
		return 0;	/* no state dir: nothing was ever interrupted */
	if (ret < 0 && !writer) {
		/* A reader without rights to the state dir reads the kernel as it is. */
		note(o, VT_NOTE_DEBUG, "state dir %s unreadable (%s): an interrupted "
				       "transaction would go unnoticed", o->state_dir, strerror(-ret));
		return 0;
	}
	if (ret < 0) {
		fail(world, "run as root; see `vlantrunk check`", "state dir %s: %s", o->state_dir,
		     ret == -EPERM ? "not owned by us, or writable by others" : strerror(-ret));
		return VT_EXIT_CANNOT_RUN;
	}
	ret = vt_statedir_lock(&world->sd, writer ? o->wait : 0);
	if (ret == -EWOULDBLOCK && !writer) {
		/* A writer is at work: its transaction's trunks are BUILD. */
		note_running(world);
		return 0;
	}
	if (ret == -EWOULDBLOCK) {
		fail(world, "retry later, or raise --wait",
		     "another vlantrunk holds the lock in %s (waited %d s)", o->state_dir, o->wait);
		return VT_EXIT_CANNOT_RUN;
	}
	if (ret < 0) {
		fail(world, "run as root; see `vlantrunk check`", "cannot take the lock in %s: %s",
		     o->state_dir, strerror(-ret));
		return VT_EXIT_CANNOT_RUN;
	}
	return vt_world_recover(o, world);
}

#define CONFIRM_MAX 32

/*
 * A copy kept from events is behind the kernel in one way that matters: a
 * device being deleted is already gone (to lookups, dumps and requests) while
 * the event that says so waits for an RCU grace period. So before a plan made
 * from such a copy is acted on, the devices it would change or delete are
 * read one by one (a few; more, and a dump is cheaper); and a conflict, which
 * blocks a trunk until something changes, is only believed from a dump.
 */
static bool plan_holds(struct vt_world *world)
{
	size_t checked = 0;

	/* A conflict blocks a trunk: it must be the kernel's, not a stale entry's. */
	for (size_t i = 0; i < world->plan.n_trunks; i++)
		for (size_t j = 0; j < world->plan.trunks[i].n_subports; j++)
			if (world->plan.trunks[i].subports[j].state == VT_SP_CONFLICT)
				return false;

	for (size_t i = 0; i < world->plan.n_ops; i++) {
		const struct vt_link *before = world->plan.ops[i].before;
		struct vt_link now;
		bool same;

		if (!before)
			continue;
		if (++checked > CONFIRM_MAX || vt_nl_get_link(world->nl, before->ns, before->ifindex, &now) < 0)
			return false;
		same = !strcmp(now.name, before->name) && !vt_diff_link(before, &now, 0);
		vt_link_release(&now);
		if (!same)
			return false;
	}
	return true;
}

/*
 * What a kept journal holds: its own trunks; the trunks whose markers its
 * before-images carry (a device it took from another trunk); and the trunks
 * that now desire a device it names (the config moved a subport): any of
 * them changing such a device would make it unprovable, and the journal's
 * recovery could never finish.
 */
/* owners' values: a desired subport as (trunk, subport) */
#define OWNER(ti, si) (((size_t)(ti) << 20) | (si))
#define OWNER_TRUNK(v) ((v) >> 20)
#define OWNER_SUBPORT(v) ((v) & ((1u << 20) - 1))

/* The slot of the namespace desired subport @sp is to live in; -1 when not read. */
static int subport_slot(const struct vt_link_table *links, const struct vt_subport *sp)
{
	char path[VT_NETNS_PATH_MAX];
	const struct vt_netns_name *n;

	if (!sp->netns)
		return VT_NS_OWN;
	if (vt_desired_netns_path(sp->netns, path, sizeof(path)) < 0)
		return -1;
	n = vt_link_table_netns(links, path);
	return n ? n->slot : -1;
}

/*
 * The trunk that now desires entry @e's name (@name) in @e's namespace: names
 * are unique per namespace, so one at most. A journal with namespaces not
 * renumbered as this run's slots (its recovery backing off, or its
 * namespaces not found) cannot say which: the first trunk of that name.
 */
static const char *desirer(const struct vt_held *h, const struct vt_desired *d,
			   const struct vt_link_table *links, struct vt_name_table *owners,
			   const struct vt_journal_entry *e, const char *name)
{
	size_t n = 0;
	const struct vt_name_entry *hit = name[0] ? vt_name_table_find(owners, name, &n) : NULL;

	for (size_t i = 0; hit && i < n; i++) {
		const struct vt_trunk *tr = &d->trunks[OWNER_TRUNK(hit[i].value)];

		/* a journal without namespaces has every device in the own one */
		bool known = h->mapped || !h->journal.n_netns;

		if (!known ||
		    subport_slot(links, &tr->subports[OWNER_SUBPORT(hit[i].value)]) == e->image.ns)
			return tr->name;
	}
	return NULL;
}

static int hold_journal(const struct vt_held *h, const struct vt_desired *d,
			const struct vt_link_table *links, struct vt_name_table *owners,
			struct vt_plan_hold *holds, size_t *n)
{
	const struct vt_journal *j = &h->journal;

	if (h->all) {
		holds[(*n)++] = (struct vt_plan_hold){ NULL, h->reason };
		return 0;
	}
	for (size_t k = 0; k < j->n_trunks; k++)
		holds[(*n)++] = (struct vt_plan_hold){ j->trunks[k], h->reason };
	for (size_t k = 0; k < j->n_entries; k++) {
		const struct vt_journal_entry *e = &j->entries[k];
		const char *names[2] = { e->image.name, e->new_name };
		const char *owner = vt_marker_owner(vt_link_alias(&e->image));

		if (owner)
			holds[(*n)++] = (struct vt_plan_hold){ owner, h->reason };
		for (size_t m = 0; m < 2; m++) {
			const char *trunk = desirer(h, d, links, owners, e, names[m]);

			if (trunk)
				holds[(*n)++] = (struct vt_plan_hold){ trunk, h->reason };
		}
	}
	return 0;
}

/* The plan, with what kept journals concern held. */
static int plan(const struct vt_world_opts *o, struct vt_world *world)
{
	const struct vt_desired *d = vt_world_intent(world);
	struct vt_name_table owners = { 0 };	/* a desired subport's name: OWNER() */
	struct vt_plan_hold *holds = NULL;
	size_t n = 0, cap = 0;
	int ret = -ENOMEM;

	for (size_t i = 0; i < world->n_held; i++)
		cap += 1 + world->held[i].journal.n_trunks + 3 * world->held[i].journal.n_entries;
	if (world->n_held) {
		holds = calloc(cap, sizeof(*holds));
		if (!holds)
			goto out;
		for (size_t i = 0; i < d->n_trunks; i++)
			for (size_t k = 0; k < d->trunks[i].n_subports; k++)
				if (vt_name_table_add(&owners, d->trunks[i].subports[k].name,
						      OWNER(i, k)) < 0)
					goto out;
	}
	for (size_t i = 0; i < world->n_held; i++)
		hold_journal(&world->held[i], d, &world->links, &owners, holds, &n);
	ret = vt_plan_build_held(d, &world->links, o->trunks, o->n_trunks, holds, n,
				 &world->plan);
out:
	vt_name_table_free(&owners);
	free(holds);
	return ret;
}

int vt_world_scan(const struct vt_world_opts *o, struct vt_world *world)
{
	int ret;

	ret = open_netlink(world);
	if (!ret)
		ret = vt_netns_register(world);
	if (ret)
		return ret;
	ret = vt_link_source_read(world->source, world->nl, &world->links);
	if (ret < 0) {
		fail(world, "run `vlantrunk check` to see what is missing",
		     "reading the kernel's links over rtnetlink: %s", strerror(-ret));
		return VT_EXIT_CANNOT_RUN;
	}
	ret = vt_netns_remember(world);
	if (ret < 0) {
		fail(world, NULL, "writing %s/netns: %s", o->state_dir, strerror(-ret));
		return VT_EXIT_CANNOT_RUN;
	}
	for (size_t i = 0; i < o->n_trunks; i++) {
		if (trunk_known(world, o->trunks[i]) ||
		    (!strcmp(o->command, "teardown") && desired_names(o, o->trunks[i])))
			continue;
		fail(world, NULL, "--trunk %s: no such trunk in %s or in the kernel", o->trunks[i],
		     o->config);
		return VT_EXIT_INVALID;
	}
	ret = plan(o, world);
	if (ret == 0 && world->source && !plan_holds(world)) {
		vt_plan_free(&world->plan);
		ret = world->source->refresh(world->source->arg, &world->links);
		if (ret == 0)
			ret = plan(o, world);
	}
	if (ret < 0) {
		fail(world, NULL, "planning: %s", strerror(-ret));
		return VT_EXIT_CANNOT_RUN;
	}
	return 0;
}

int vt_world_read(const struct vt_world_opts *o, struct vt_world *world)
{
	int ret = vt_world_load(o, world);

	/* An interrupted transaction is rolled back before anything is read. */
	if (!ret)
		ret = vt_world_lock(o, world, false);
	if (!ret)
		ret = vt_world_scan(o, world);
	return ret;
}

void vt_world_init(struct vt_world *world)
{
	memset(world, 0, sizeof(*world));
	world->sd.dirfd = world->sd.lockfd = -1;
}

void vt_world_free(struct vt_world *world)
{
	vt_plan_free(&world->plan);
	vt_link_table_clear(&world->links);
	if (!world->nl_borrowed)
		vt_nl_close(world->nl);
	else if (world->nl)
		vt_nl_netns_forget(world->nl);	/* a held namespace would outlive its deletion */
	vt_desired_free(&world->desired);
	vt_diag_free(&world->failure.diags);
	vt_statedir_close(&world->sd);
	vt_journal_free(&world->running);
	vt_world_held_free(world->held, world->n_held);
	vt_world_init(world);
}
