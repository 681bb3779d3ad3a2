/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netns.h - which network namespaces a run reads (see netns.c). For world.c;
 * cli/cmd_check.c probes the files as a run does.
 */
#ifndef VT_RUN_NETNS_H
#define VT_RUN_NETNS_H

#include "world.h"

/**
 * vt_netns_probe_files - every netns of @d that exists is a network namespace
 * file: 0; -ENOTTY when one or more is not, each said in @diags as the loader
 * says bad input (file, trunk, subport, field); -ENOMEM. A missing one is no
 * error: its subports are missing until it appears. For runs and `check`.
 */
int vt_netns_probe_files(const struct vt_desired *d, struct vt_diags *diags);

/**
 * vt_netns_check - every netns of the intent that exists is a network
 * namespace file: VT_EXIT_INVALID (.failure.diags says which) otherwise, before
 * the state dir is opened, so that bad input touches nothing, journals
 * included. 0 otherwise; a missing one is no error.
 */
int vt_netns_check(struct vt_world *world);

/**
 * vt_netns_register - register on world->nl every namespace the intent's
 * subports name that exists, and every one remembered that still lives.
 * 0, VT_EXIT_INVALID when a netns names a file that is no network namespace
 * (.failure.diags says which), VT_EXIT_CANNOT_RUN when one cannot be entered.
 */
int vt_netns_register(struct vt_world *world);

/**
 * vt_netns_remember - a writer records the namespaces world->links covers in
 * the state dir, before anything is created in them. 0 or a negative errno.
 */
int vt_netns_remember(const struct vt_world *world);

#endif
