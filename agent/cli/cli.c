/* SPDX-License-Identifier: GPL-2.0-or-later */
/* From the command line to what the run's phases take. */
#include <stdio.h>

#include "cli.h"

/*
 * A run's notes on stderr: none with -q, the debugging ones only with -v,
 * and none the --json document already carries.
 */
static void note(void *arg, enum vt_note_level level, const char *text)
{
	const struct vt_cli *cli = arg;

	if (cli->verbosity < 0 || (level == VT_NOTE_DEBUG && cli->verbosity <= 0) ||
	    (level == VT_NOTE_REPORTED && cli->json))
		return;
	fprintf(stderr, "vlantrunk: %s\n", text);
}

void vt_cli_world_opts(const struct vt_cli *cli, const char *command, struct vt_world_opts *o)
{
	*o = (struct vt_world_opts){
		.command = command,
		.config = cli->config,
		.state_dir = cli->state_dir,
		.trunks = cli->trunks,
		.n_trunks = cli->n_trunks,
		.wait = cli->wait,
		.note = note,
		.note_arg = (void *)cli,
	};
}

int vt_cli_read(const struct vt_cli *cli, const char *command, struct vt_world *world)
{
	struct vt_world_opts o;
	int ret;

	vt_cli_world_opts(cli, command, &o);
	vt_world_init(world);
	ret = vt_world_read(&o, world);
	if (ret)
		vt_failure_print(cli, command, &world->failure);
	return ret;
}
