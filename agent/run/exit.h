/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exit.h - SPEC.md's "Exit codes": what a run, and so a command, ends with.
 * The run's phases return them; the commands exit with them.
 */
#ifndef VT_EXIT_H
#define VT_EXIT_H

enum vt_exit {
	VT_EXIT_OK = 0,
	VT_EXIT_NOT_CONVERGED = 1,
	VT_EXIT_CHANGED = 2,
	VT_EXIT_ROLLBACK_INCOMPLETE = 3,
	VT_EXIT_INVALID = 4,
	VT_EXIT_CANNOT_RUN = 5,
};

#endif
