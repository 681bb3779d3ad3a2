/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/cli/: the commands. One file a command (cmd_NAME.c exports
 * vt_cmd_NAME), each taking the parsed command line, running what it needs
 * of run/ (or daemon/ for `agent`), handing the result to a report/
 * renderer and returning the exit code. This is the only code that sees the
 * options, and with report/ the only code that prints. main.c parses the
 * command line; it and cli/'s own files include this header, nothing else.
 */
#ifndef VT_CLI_H
#define VT_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "run/run.h"

#define VT_DEFAULT_CONFIG "/etc/vlantrunk/trunks.d"
#define VT_DEFAULT_STATE_DIR "/run/vlantrunk"

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

/**
 * vt_cli_world_opts - what @cli asks of a run's phases for @command; its
 * notes go to stderr as -q, -v and --json want them.
 */
void vt_cli_world_opts(const struct vt_cli *cli, const char *command, struct vt_world_opts *o);

/**
 * vt_cli_read - phase 1 for a command that reads (vt_world_read() into
 * @world, which is the caller's to free either way): 0, or the exit code
 * with the failure already said.
 */
int vt_cli_read(const struct vt_cli *cli, const char *command, struct vt_world *world);

/** vt_failure_print - say @f once: human on stderr, or the JSON document on stdout. */
void vt_failure_print(const struct vt_cli *cli, const char *command, const struct vt_failure *f);

/** vt_failure_report - a one-line failure, @hint may be NULL; said as vt_failure_print(). */
void vt_failure_report(const struct vt_cli *cli, const char *command, const char *what,
		       const char *hint);

/** vt_failure_report_diags - an invalid desired state's @diags, said as vt_failure_print(). */
void vt_failure_report_diags(const struct vt_cli *cli, const char *command,
			     const struct vt_diags *diags);

/* The commands: each returns its exit code. */
int vt_cmd_plan(const struct vt_cli *cli);
int vt_cmd_status(const struct vt_cli *cli);
int vt_cmd_reconcile(const struct vt_cli *cli, bool teardown);
int vt_cmd_check(const struct vt_cli *cli);
int vt_cmd_links(const struct vt_cli *cli);
int vt_cmd_import(const struct vt_cli *cli);
int vt_cmd_agent(const struct vt_cli *cli);

#endif
