/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vlantrunk agent`: the daemon. Everything it does between start and stop
 * is in agent/daemon/; this is the command's entry in the command table.
 */
#include "cli.h"
#include "daemon/daemon.h"

int vt_cmd_agent(const struct vt_cli *cli)
{
	return vt_daemon_run(cli);
}
