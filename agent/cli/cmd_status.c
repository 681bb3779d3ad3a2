/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `status`: phase 1 of a run, with the last run's outcome and a writer at work. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report/metrics.h"
#include "report/report.h"
#include "run/last.h"

int vt_cmd_status(const struct vt_cli *cli)
{
	struct vt_world world;
	int ret = vt_cli_read(cli, "status", &world);

	if (ret) {
		vt_world_free(&world);
		return ret;
	}
	vt_status_world(&world);
	if (cli->format && !strcmp(cli->format, "prometheus")) {
		json_t *agent = world.sd.dirfd >= 0 ? vt_last_get(world.sd.dirfd, "agent") : NULL;

		vt_metrics_print(stdout, &world.plan, agent);
		json_decref(agent);
		ret = vt_status_exit(&world.plan);
		vt_world_free(&world);
		return ret;
	}
	if (cli->json)
		vt_json_print_status(&world);
	else
		vt_text_status(cli->verbosity, &world);
	ret = vt_status_exit(&world.plan);
	vt_world_free(&world);
	return ret;
}
