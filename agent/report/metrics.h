/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus text exposition: `status --format prometheus` and the agent's
 * textfile. For cli/cmd_status.c and the daemon.
 */
#ifndef VT_METRICS_H
#define VT_METRICS_H

#include <stdio.h>

#include <jansson.h>

#include "vt_plan.h"

/**
 * vt_metrics_print - trunks by status, each trunk's status, subports by state,
 * and, when @agent (the agent's counters, as in status.json) is not NULL,
 * its counters.
 */
void vt_metrics_print(FILE *out, const struct vt_plan *plan, const json_t *agent);

/**
 * vt_metrics_write - the same into @path, replaced atomically (a temporary
 * file in the same directory, renamed), as node-exporter's textfile collector
 * wants. 0 or a negative errno.
 */
int vt_metrics_write(const char *path, const struct vt_plan *plan, const json_t *agent);

#endif
