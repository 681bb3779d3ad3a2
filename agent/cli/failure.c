/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Failures, said once: on stderr for people, as the JSON document for --json. */
#include <stdio.h>

#include "cli.h"
#include "report/report.h"

void vt_failure_report_diags(const struct vt_cli *cli, const char *command,
			     const struct vt_diags *diags)
{
	char line[1024];

	if (cli->json) {
		vt_json_print_error(command, "invalid desired state", NULL, diags);
		return;
	}
	fprintf(stderr, "vlantrunk: invalid desired state (%zu problem%s); nothing was changed:\n",
		diags->n, diags->n == 1 ? "" : "s");
	for (size_t i = 0; i < diags->n; i++) {
		vt_diag_format(&diags->v[i], line, sizeof(line));
		fprintf(stderr, "  %s\n", line);
	}
}

void vt_failure_report(const struct vt_cli *cli, const char *command, const char *what,
		       const char *hint)
{
	if (cli->json) {
		vt_json_print_error(command, what, hint, NULL);
		return;
	}
	fprintf(stderr, "vlantrunk %s: %s\n", command, what);
	if (hint)
		fprintf(stderr, "  hint: %s\n", hint);
}

void vt_failure_print(const struct vt_cli *cli, const char *command, const struct vt_failure *f)
{
	if (f->invalid)
		vt_failure_report_diags(cli, command, &f->diags);
	else
		vt_failure_report(cli, command, f->what, f->hint);
}
