/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vlantrunk agent`: the daemon. It starts as `reconcile` would (a valid
 * desired state, a usable state dir, interrupted transactions recovered;
 * a kept journal does not stop it), and a start that fails is said here,
 * as any command's; everything between start and stop is agent/daemon/'s.
 */
#include "cli.h"
#include "daemon/daemon.h"

int vt_cmd_agent(const struct vt_cli *cli)
{
	struct vt_daemon_config cfg = {
		.config = cli->config,
		.state_dir = cli->state_dir,
		.verbosity = cli->verbosity,
		.debounce_ms = cli->debounce_ms,
		.resync_s = cli->resync_s,
		.rcvbuf = cli->rcvbuf,
		.textfile = cli->textfile,
	};
	struct vt_world_opts o;
	struct vt_world w;
	int ret;

	vt_cli_world_opts(cli, "agent", &o);
	vt_world_init(&w);
	ret = vt_world_load(&o, &w);
	if (!ret)
		ret = vt_world_lock(&o, &w, true);
	if (ret) {
		vt_failure_print(cli, "agent", &w.failure);
		vt_world_free(&w);
		return ret;
	}
	return vt_daemon_run(&cfg, &w);
}
