/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `links`: the kernel's links as vlantrunk reads them. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report/report.h"

int vt_cmd_links(const struct vt_cli *cli)
{
	struct vt_link_table table = { 0 };
	struct vt_nl *nl = NULL;
	char what[128];
	int ret;

	ret = vt_nl_open(&nl);
	if (ret == 0)
		ret = vt_nl_dump_links(nl, &table);
	if (ret < 0) {
		snprintf(what, sizeof(what), "reading links from the kernel: %s", strerror(-ret));
		vt_failure_report(cli, "links", what, NULL);
		vt_nl_close(nl);
		return VT_EXIT_CANNOT_RUN;
	}
	if (cli->json)
		vt_json_print(vt_json_links(&table));
	else
		vt_text_links(&table);
	vt_link_table_clear(&table);
	vt_nl_close(nl);
	return VT_EXIT_OK;
}
