/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line: options every command sees, exit codes, the commands. */
#ifndef VT_CLI_H
#define VT_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "txn/journal.h"
#include "txn/statedir.h"
#include "vt_desired.h"
#include "vt_link.h"
#include "vt_netlink.h"
#include "vt_plan.h"

#define VT_DEFAULT_CONFIG "/etc/vlantrunk/trunks.d"
#define VT_DEFAULT_STATE_DIR "/run/vlantrunk"

/* SPEC.md, "Exit codes". */
enum vt_exit {
	VT_EXIT_OK = 0,
	VT_EXIT_NOT_CONVERGED = 1,
	VT_EXIT_CHANGED = 2,
	VT_EXIT_ROLLBACK_INCOMPLETE = 3,
	VT_EXIT_INVALID = 4,
	VT_EXIT_CANNOT_RUN = 5,
};

struct vt_cli {
	const char *config;
	const char *state_dir;
	bool json;
	int verbosity;			/* -1 quiet, 0 normal, 1 verbose */
	const char **trunks;		/* --trunk NAME... */
	size_t n_trunks;
	bool atomic;			/* reconcile --atomic */
	int wait;			/* --wait SECONDS for the lock */
	int debounce_ms;		/* agent --debounce */
	int resync_s;			/* agent --resync */
	int rcvbuf;			/* agent --netlink-rcvbuf; 0: the default */
	const char *prefix;		/* import-neutron --prefix */
	const char *format;		/* status --format: text, json, prometheus */
	const char *textfile;		/* agent --textfile: metrics for node-exporter */
	const char *const *files;	/* import-neutron FILE... */
	size_t n_files;
};

/* Everything a command needs: intent, kernel, and their comparison. */
/*
 * Where a run reads the kernel's links: a dump (no source), or the agent's
 * copy kept up to date from link events, which spares it a dump of every
 * link twice per run.
 */
struct vt_link_source {
	/* @into cleared, filled and indexed; 0 or a negative errno */
	int (*read)(void *arg, struct vt_link_table *into);
	/* the same, from a dump: the copy was found behind the kernel */
	int (*refresh)(void *arg, struct vt_link_table *into);
	/* up to date, without a copy: *@out is valid until the next call */
	int (*view)(void *arg, const struct vt_link_table **out);
	/*
	 * the devices @ifindexes were just changed: read them back (the kernel
	 * sends no event for some changes to a device that is down); the first
	 * @n_silent of them also while up (disable_ipv6 was written: no event
	 * at all); NULL when the source needs none
	 */
	int (*confirm)(void *arg, const int *ifindexes, size_t n, size_t n_silent);
	/*
	 * the kernel changed in ways its events may not show (a rollback or a
	 * recovery restores devices that are down): the next read dumps
	 */
	void (*invalidate)(void *arg);
	void *arg;
};

/** vt_read_links - from @source, or a dump over @nl when it is NULL. */
int vt_read_links(const struct vt_link_source *source, struct vt_nl *nl,
		  struct vt_link_table *into);

/**
 * vt_view_links - the links now, for a look that ends before anything else
 * reads them: @source's own table, or a dump over @nl into @scratch.
 */
int vt_view_links(const struct vt_link_source *source, struct vt_nl *nl,
		  struct vt_link_table *scratch, const struct vt_link_table **out);

/* A journal recovery could not verify: it is kept, and the trunks it concerns wait. */
struct vt_held {
	struct vt_journal journal;	/* its trunks; none read when .all */
	bool all;			/* unreadable: it may concern any trunk */
	bool tried;			/* recovery was attempted in this run (not backing off) */
	char reason[2048];
};

/*
 * Whether to try recovering the journal @file now; when not, @why (of @len)
 * says why (the agent backs off a recovery that keeps failing).
 */
typedef bool (*vt_recover_gate)(void *arg, const char *file, char *why, size_t len);

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
};

/*
 * Each step below reports its own failure (stderr, or the JSON document for
 * @command) and returns the exit code to end with; 0 to go on.
 */

/** vt_world_intent - the desired state the world plans with. */
const struct vt_desired *vt_world_intent(const struct vt_world *world);

/** vt_world_init - an empty world, safe to free. */
void vt_world_init(struct vt_world *world);

/** vt_world_load - the desired state (4 when invalid). */
int vt_world_load(const struct vt_cli *cli, const char *command, struct vt_world *world);

/**
 * vt_world_lock - open the state dir, take the writers' lock and roll back an
 * interrupted transaction. A @writer creates the state dir and waits --wait
 * seconds for the lock. A reader never waits: with no state dir there is
 * nothing to recover, and when a writer is at work it notes its journal in
 * .busy/.running and reads the kernel as it is.
 */
int vt_world_lock(const struct vt_cli *cli, const char *command, struct vt_world *world,
		  bool writer);

/**
 * vt_world_recover - roll back every interrupted transaction whose journal is
 * there, newest first. One that cannot be verified (or read, or is backing
 * off) is kept and noted in .held: the plan then holds the trunks it
 * concerns, and serves the others. 0, or 5 when rtnetlink cannot be opened.
 */
int vt_world_recover(const struct vt_cli *cli, const char *command, struct vt_world *world);

/** vt_world_scan - dump the kernel's links and plan (--trunk checked; .held held). */
int vt_world_scan(const struct vt_cli *cli, const char *command, struct vt_world *world);

/** vt_world_read - load, lock and recover (if a state dir exists), scan. */
int vt_world_read(const struct vt_cli *cli, const char *command, struct vt_world *world);

/** vt_world_held_free - free @held[0, @n) and the array. */
void vt_world_held_free(struct vt_held *held, size_t n);

/** vt_world_free - release what vt_world_read() gathered. */
void vt_world_free(struct vt_world *world);

/** vt_report_diags - print @diags (human on stderr, or JSON on stdout). */
void vt_report_diags(const struct vt_cli *cli, const char *command, const struct vt_diags *diags);

/** vt_report_failure - a one-line failure: human on stderr, JSON on stdout. */
void vt_report_failure(const struct vt_cli *cli, const char *command, const char *what,
		       const char *hint);

/*
 * vt_json_text - a JSON string for text that may hold the kernel's bytes
 * (names and aliases need not be UTF-8): invalid bytes become "\xNN".
 */
json_t *vt_json_text(const char *s);

/** vt_json_print - print @doc on stdout, indented, and release it. */
void vt_json_print(json_t *doc);

/** vt_status_json - the `status --json` document for @world. */
json_t *vt_status_json(const struct vt_world *world);

/* Renderers: human text, or one JSON document on stdout. */
void vt_print_plan(const struct vt_cli *cli, const struct vt_world *world);
void vt_print_status(const struct vt_cli *cli, const struct vt_world *world);
void vt_print_plan_json(const struct vt_world *world);
void vt_print_status_json(const struct vt_world *world);
void vt_print_error_json(const char *command, const char *what, const char *hint,
			 const struct vt_diags *diags);

/** vt_cmd_check - the preflight; returns the exit code. */
int vt_cmd_check(const struct vt_cli *cli);

/** vt_cmd_reconcile - reconcile, or with @teardown delete managed subports; the exit code. */
int vt_cmd_reconcile(const struct vt_cli *cli, bool teardown);

/** vt_cmd_agent - the agent (daemon/), until SIGTERM or SIGINT; the exit code. */
int vt_cmd_agent(const struct vt_cli *cli);

#endif
