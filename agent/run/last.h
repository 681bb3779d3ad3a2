/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.json in the state dir: each trunk's status after the last
 * transaction that touched it, and why it failed if it did. Replaced
 * atomically; read by `status` to keep a failure's reason.
 */
#ifndef VT_LASTSTATUS_H
#define VT_LASTSTATUS_H

#include <jansson.h>

#include "txn/engine.h"
#include "vt_plan.h"

/**
 * vt_last_record - merge the outcome of @txns (and the plan's view of the
 * trunks they did not touch) into status.json. 0 or a negative errno.
 */
int vt_last_record(int dirfd, const struct vt_plan *plan, const struct vt_txn *txns,
		   size_t n_txns);

/** vt_last_get - @key of status.json (a new reference), or NULL. */
json_t *vt_last_get(int dirfd, const char *key);

/** vt_last_set - set @key of status.json to @value (taken), atomically. */
int vt_last_set(int dirfd, const char *key, json_t *value);

/**
 * vt_last_apply - a trunk the kernel shows out of sync whose last
 * transaction failed is ERROR, with that failure as its reason.
 */
void vt_last_apply(int dirfd, struct vt_plan *plan);

#endif
