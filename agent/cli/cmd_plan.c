/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `plan`: phase 1 of a run, and what phase 2 would do. Changes nothing. */
#include "cli.h"
#include "report/report.h"

static int exit_for_plan(const struct vt_plan *plan)
{
	for (size_t i = 0; i < plan->n_trunks; i++)
		if (!plan->trunks[i].can_converge)
			return VT_EXIT_NOT_CONVERGED;
	return plan->n_ops ? VT_EXIT_CHANGED : VT_EXIT_OK;
}

int vt_cmd_plan(const struct vt_cli *cli)
{
	struct vt_world world;
	int ret = vt_cli_read(cli, "plan", &world);

	if (ret) {
		vt_world_free(&world);
		return ret;
	}
	if (cli->json)
		vt_json_print_plan(&world);
	else
		vt_text_plan(cli->verbosity, &world);
	ret = exit_for_plan(&world.plan);
	vt_world_free(&world);
	return ret;
}
