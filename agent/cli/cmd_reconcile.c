/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `reconcile` and `teardown`: a run (run/run.h), then its report. */
#include <stdio.h>

#include <jansson.h>

#include "cli.h"
#include "report/report.h"

int vt_cmd_reconcile(const struct vt_cli *cli, bool teardown)
{
	struct vt_run_opts o = { .teardown = teardown, .atomic = cli->atomic };
	struct vt_run run;
	int ret;

	vt_cli_world_opts(cli, teardown ? "teardown" : "reconcile", &o.world);
	ret = vt_run_reconcile(&o, &run);
	if (ret)
		vt_failure_print(cli, run.command, &run.world.failure);
	else {
		ret = run.exit_code;
		if (cli->json)
			vt_json_print(vt_json_run(&run));
		else
			vt_text_run(cli->verbosity, cli->state_dir, &run);
	}
	vt_run_free(&run);
	return ret;
}
