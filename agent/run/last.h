/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * last.h - status.json in the state dir: each trunk's status after the last
 * run that touched it, and why it failed if it did, and the agent's own
 * figures. Replaced atomically; read by `status` (through status.h) to keep
 * a failure's reason. run/, cli/cmd_status.c and the daemon include it.
 */
#ifndef VT_LAST_H
#define VT_LAST_H

#include <jansson.h>

#include "status.h"
#include "vt_plan.h"

/**
 * vt_last_record - merge @outcomes (one per trunk of @plan, in its order)
 * into status.json. 0 or a negative errno.
 */
int vt_last_record(int dirfd, const struct vt_plan *plan, const struct vt_trunk_outcome *outcomes);

/** vt_last_get - @key of status.json (a new reference), or NULL. */
json_t *vt_last_get(int dirfd, const char *key);

/** vt_last_set - set @key of status.json to @value (taken), atomically. */
int vt_last_set(int dirfd, const char *key, json_t *value);

#endif
