/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/report/: the renderers. They read a world, a run or a link table
 * and write it for people (text.c, on stdout), for programs (json.c, one
 * document per command; its keys are stable, see vlantrunk(8)) or for
 * Prometheus (metrics.h); they never change what they render and never
 * decide an exit code. Commands (cli/) and the daemon include this header.
 */
#ifndef VT_REPORT_H
#define VT_REPORT_H

#include <jansson.h>

#include "run/run.h"

/*
 * vt_json_text - a JSON string for text that may hold the kernel's bytes
 * (names and aliases need not be UTF-8): invalid bytes become "\xNN".
 */
json_t *vt_json_text(const char *s);

/** vt_json_print - print @doc on stdout, indented, and release it. */
void vt_json_print(json_t *doc);

/** vt_json_status - the `status --json` document for @world. */
json_t *vt_json_status(const struct vt_world *world);

/* Takes the next @len bytes of a document; 0 or a negative errno (then no more come). */
typedef int vt_json_write_fn(void *arg, const char *buf, size_t len);

/**
 * vt_json_write_status - vt_json_status() for @world with @more's members
 * (taken; may be NULL) after "trunks", through @write, byte for byte as
 * jansson would dump that document with JSON_INDENT(2) (no final newline).
 * Streamed: what it holds at any time is one subport's object and a 64 KiB
 * buffer, whatever the number of subports. 0, or the first negative errno
 * of @write or of an allocation: the document then stops short.
 */
int vt_json_write_status(const struct vt_world *world, json_t *more, vt_json_write_fn *write,
			 void *arg);

/** vt_json_write - @doc (taken) through @write, dumped as vt_json_write_status() does. */
int vt_json_write(json_t *doc, vt_json_write_fn *write, void *arg);

/** vt_json_run - the `reconcile --json` (or teardown) document for @run. */
json_t *vt_json_run(const struct vt_run *run);

/** vt_json_links - the `links --json` document for @table. */
json_t *vt_json_links(const struct vt_link_table *table);

/* One JSON document on stdout. */
void vt_json_print_plan(const struct vt_world *world);
void vt_json_print_status(const struct vt_world *world);
void vt_json_print_error(const char *command, const char *what, const char *hint,
			 const struct vt_diags *diags);

/*
 * For people, on stdout; @verbosity is -1 (quiet: less), 0 or 1 (verbose:
 * every trunk and every attribute).
 */
void vt_text_plan(int verbosity, const struct vt_world *world);
void vt_text_status(int verbosity, const struct vt_world *world);
void vt_text_run(int verbosity, const char *state_dir, const struct vt_run *run);
void vt_text_links(const struct vt_link_table *table);

#endif
