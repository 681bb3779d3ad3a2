/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vlantrunk command line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vt_link.h"
#include "vt_netlink.h"

#define VT_VERSION "0.1.0"

enum exit_code {
	EXIT_OK = 0,
	EXIT_INVALID = 4,
	EXIT_CANNOT_RUN = 5,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vlantrunk [--help] [--version] COMMAND\n"
		"\n"
		"commands:\n"
		"  links   list the kernel's links as vlantrunk reads them\n");
}

static void print_link(const struct vt_link *l, const struct vt_link_table *t)
{
	const struct vt_link *parent = vt_link_table_find_ifindex(t, l->parent);

	printf("%-4d %-15s %-8s %-4s mtu %-5u", l->ifindex, l->name,
	       l->kind[0] ? l->kind : "-", l->up ? "up" : "down", l->mtu);
	if (l->is_vlan) {
		const char *proto = vt_protocol_name(l->vlan.protocol);

		printf(" %s %u on %s", proto ? proto : "?", l->vlan.id,
		       parent ? parent->name : "?");
	}
	if (l->alias[0])
		printf(" alias \"%s\"", l->alias);
	putchar('\n');
}

static int cmd_links(void)
{
	struct vt_link_table table = { 0 };
	struct vt_nl *nl = NULL;
	int ret;

	ret = vt_nl_open(&nl);
	if (ret == 0)
		ret = vt_nl_dump_links(nl, &table);
	if (ret < 0) {
		fprintf(stderr, "vlantrunk: reading links from the kernel: %s\n", strerror(-ret));
		vt_nl_close(nl);
		return EXIT_CANNOT_RUN;
	}
	for (size_t i = 0; i < table.n; i++)
		print_link(&table.links[i], &table);
	vt_link_table_clear(&table);
	vt_nl_close(nl);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("vlantrunk %s\n", VT_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_INVALID;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_INVALID;
	}
	if (!strcmp(argv[optind], "links"))
		return cmd_links();
	fprintf(stderr, "vlantrunk: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EXIT_INVALID;
}
