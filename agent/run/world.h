/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/run/: one run's phases, as every command and the agent need them.
 * Phase 1 (world.h) changes nothing in the kernel but what recovery puts
 * back: load the desired state, open and lock the state dir, roll back
 * interrupted transactions (keeping any that cannot be proven), read the
 * links and plan. Phase 2 (run.h) commits through txn/. A trunk's status
 * is derived in one place (status.h). Nothing here prints or sees the
 * command line: options come in as struct vt_world_opts, a failure goes
 * out as struct vt_failure with the exit code to end with, and notes for
 * people go to the caller's callback. The commands (cli/) and the daemon
 * include these headers.
 */
#ifndef VT_WORLD_H
#define VT_WORLD_H

#include <stdbool.h>
#include <stddef.h>

#include "exit.h"
#include "txn/journal.h"
#include "txn/link_source.h"
#include "txn/statedir.h"
#include "vt_desired.h"
#include "vt_link.h"
#include "vt_netlink.h"
#include "vt_plan.h"

/* How much a note matters to the person reading: the caller decides what to show. */
enum vt_note_level {
	VT_NOTE_INFO,		/* what the run did on its own (a recovery) */
	VT_NOTE_REPORTED,	/* also carried by the report (a kept journal's reason) */
	VT_NOTE_DEBUG,		/* only when asked for more */
};

typedef void (*vt_note_fn)(void *arg, enum vt_note_level level, const char *text);

/*
 * Whether to try recovering the journal @file now; when not, @why (of @len)
 * says why (the agent backs off a recovery that keeps failing).
 */
typedef bool (*vt_recover_gate)(void *arg, const char *file, char *why, size_t len);

/* What a run is asked to do, from the command line or the agent's configuration. */
struct vt_world_opts {
	const char *command;		/* "plan", "status", "reconcile", "teardown", ... */
	const char *config;		/* the desired state's file or directory */
	const char *state_dir;
	const char *const *trunks;	/* --trunk NAME...: the scope; none, every trunk */
	size_t n_trunks;
	int wait;			/* a writer's wait for the lock, in seconds */
	vt_note_fn note;		/* NULL: notes are dropped */
	void *note_arg;
};

/* Why a phase stopped: said once, by the caller (a command prints it, the agent logs it). */
struct vt_failure {
	char what[512];
	const char *hint;		/* static text, or NULL */
	bool invalid;			/* the desired state is invalid: .diags says how */
	struct vt_diags diags;
};

/* A journal recovery could not verify: it is kept, and the trunks it concerns wait. */
struct vt_held {
	struct vt_journal journal;	/* its trunks; none read when .all */
	bool all;			/* unreadable: it may concern any trunk */
	bool tried;			/* recovery was attempted in this run (not backing off) */
	bool mapped;			/* entries' .ns are the run's slots (vt_netns_map_journal()) */
	char reason[2048];
};

/* Everything a command needs: intent, kernel, and their comparison. */
struct vt_world {
	struct vt_desired desired;	/* loaded by vt_world_load() */
	const struct vt_desired *intent; /* or someone else's (the agent's); not freed */
	struct vt_statedir sd;
	struct vt_nl *nl;
	bool nl_borrowed;		/* the caller's socket: not closed with the world */
	const struct vt_link_source *source;	/* NULL: dumps */
	struct vt_link_table links;
	struct vt_plan plan;
	size_t recovered;		/* interrupted transactions rolled back */
	char recovered_id[64];		/* the last of them */
	struct vt_held *held;		/* kept journals: their trunks are held in the plan */
	size_t n_held;
	vt_recover_gate recover_gate;	/* NULL: always try */
	void *recover_arg;
	bool busy;			/* a reader found a writer at work ... */
	struct vt_journal running;	/* ... on these trunks (of every journal there) */
	struct vt_failure failure;	/* set when a step below returns an exit code */
};

/*
 * Each step below returns 0 to go on, or the exit code to end with, with
 * .failure saying why.
 */

/** vt_world_intent - the desired state the world plans with. */
const struct vt_desired *vt_world_intent(const struct vt_world *world);

/** vt_world_init - an empty world, safe to free. */
void vt_world_init(struct vt_world *world);

/** vt_world_load - the desired state (4 when invalid: .failure.diags says why). */
int vt_world_load(const struct vt_world_opts *o, struct vt_world *world);

/**
 * vt_world_lock - open the state dir, take the writers' lock and roll back an
 * interrupted transaction. A @writer creates the state dir and waits @o->wait
 * seconds for the lock. A reader never waits: with no state dir there is
 * nothing to recover, and when a writer is at work it notes its journal in
 * .busy/.running and reads the kernel as it is.
 */
int vt_world_lock(const struct vt_world_opts *o, struct vt_world *world, bool writer);

/**
 * vt_world_recover - roll back every interrupted transaction whose journal is
 * there, newest first. One that cannot be verified (or read, or is backing
 * off) is kept and noted in .held: the plan then holds the trunks it
 * concerns, and serves the others. 0, or 5 when rtnetlink cannot be opened
 * or memory runs out.
 */
int vt_world_recover(const struct vt_world_opts *o, struct vt_world *world);

/** vt_world_scan - read the kernel's links and plan (the scope checked; .held held). */
int vt_world_scan(const struct vt_world_opts *o, struct vt_world *world);

/** vt_world_read - load, lock and recover (if a state dir exists), scan. */
int vt_world_read(const struct vt_world_opts *o, struct vt_world *world);

/** vt_world_held_free - free @held[0, @n) and the array. */
void vt_world_held_free(struct vt_held *held, size_t n);

/** vt_world_free - release what the steps gathered. */
void vt_world_free(struct vt_world *world);

#endif
