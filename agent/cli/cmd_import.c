/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `import-neutron`: a desired state from Neutron's trunk documents, on stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "neutron.h"

int vt_cmd_import(const struct vt_cli *cli)
{
	struct vt_desired check = { 0 };
	struct vt_diags diags = { 0 };
	char err[1024], *text;
	json_t *doc = NULL;
	int ret;

	ret = vt_neutron_import(cli->files, cli->n_files, cli->prefix, &doc, err, sizeof(err));
	if (ret < 0) {
		vt_failure_report(cli, "import-neutron", err, NULL);
		return VT_EXIT_INVALID;
	}
	/* What is printed must load: the same rules as any desired state. */
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	ret = text ? vt_desired_parse(text, strlen(text), "(imported)", &check, &diags) : -ENOMEM;
	if (ret == 0)
		printf("%s\n", text);
	else if (ret == -EINVAL)
		vt_failure_report_diags(cli, "import-neutron", &diags);
	vt_desired_free(&check);
	vt_diag_free(&diags);
	free(text);
	json_decref(doc);
	return ret == 0 ? VT_EXIT_OK : ret == -EINVAL ? VT_EXIT_INVALID : VT_EXIT_CANNOT_RUN;
}
