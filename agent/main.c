/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vlantrunk: options, then one command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/neutron.h"

#define VT_VERSION "0.1.0"

enum opt_bit {
	OPT_TRUNK = 1u << 0,
	OPT_ATOMIC = 1u << 1,
	OPT_WAIT = 1u << 2,
	OPT_AGENT = 1u << 3,
	OPT_PREFIX = 1u << 4,
	OPT_FORMAT = 1u << 5,
	TAKES_FILES = 1u << 31,		/* positional FILE arguments */
};

struct command {
	const char *name;
	int (*run)(const struct vt_cli *cli);
	unsigned int options;		/* enum opt_bit the command takes */
	const char *args;
	const char *summary;
};

static int reconcile(const struct vt_cli *cli)
{
	return vt_cmd_reconcile(cli, false);
}

static int teardown(const struct vt_cli *cli)
{
	return vt_cmd_reconcile(cli, true);
}

static const struct command commands[] = {
	{ "plan", vt_cmd_plan, OPT_TRUNK, "[--trunk NAME]...",
	  "print the operations reconcile would run; changes nothing" },
	{ "status", vt_cmd_status, OPT_TRUNK | OPT_FORMAT,
	  "[--trunk NAME]... [--format text|json|prometheus]",
	  "per trunk: status and why; per subport: in sync, missing, differs, conflict" },
	{ "reconcile", reconcile, OPT_TRUNK | OPT_ATOMIC | OPT_WAIT,
	  "[--trunk NAME]... [--atomic] [--wait SECONDS]",
	  "make the kernel match the desired state, transactionally" },
	{ "teardown", teardown, OPT_TRUNK | OPT_WAIT, "[--trunk NAME]... [--wait SECONDS]",
	  "delete managed subports (all, or of the named trunks), transactionally" },
	{ "agent", vt_cmd_agent, OPT_AGENT,
	  "[--debounce MS] [--resync SECONDS] [--netlink-rcvbuf BYTES] [--textfile PATH]",
	  "the daemon: reconcile, then keep the kernel converged (systemd Type=notify)" },
	{ "check", vt_cmd_check, 0, "",
	  "preflight: privileges, netlink, kernel 802.1Q support, state dir, config" },
	{ "links", vt_cmd_links, 0, "",
	  "list the kernel's links as vlantrunk reads them" },
	{ "import-neutron", vt_cmd_import, OPT_PREFIX | TAKES_FILES, "[--prefix PREFIX] FILE...",
	  "print a desired state made from `openstack network trunk show -f json` output" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vlantrunk [-c PATH] [--state-dir DIR] [--json] [-v|-q] COMMAND [options]\n"
		"\n"
		"  -c, --config PATH   desired state: a JSON file, or a directory of *.json\n"
		"                      (default " VT_DEFAULT_CONFIG ")\n"
		"      --state-dir DIR lock, journal and status (default " VT_DEFAULT_STATE_DIR ")\n"
		"      --json          print one JSON document on stdout\n"
		"  -v, --verbose       say more\n"
		"  -q, --quiet         say less\n"
		"  -h, --help          this help; COMMAND --help for a command's\n"
		"  -V, --version\n"
		"\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nexit codes: 0 in sync, 1 not converged, 2 changes applied or pending,\n"
		     "3 rollback incomplete, 4 invalid input, 5 cannot run. See vlantrunk(8).\n");
}

static void command_usage(FILE *out, const struct command *c)
{
	fprintf(out, "usage: vlantrunk [global options] %s %s\n\n%s.\n", c->name, c->args, c->summary);
	if (c->options & OPT_TRUNK)
		fprintf(out, "\n  --trunk NAME    only this trunk (and the trunks nested on its subports);\n"
			     "                  may be given more than once\n");
	if (c->options & OPT_ATOMIC)
		fprintf(out, "  --atomic        one transaction for everything (default: one per trunk)\n");
	if (c->options & OPT_WAIT)
		fprintf(out, "  --wait SECONDS  how long to wait for another writer's lock (default 30)\n");
	if (c->options & OPT_FORMAT)
		fprintf(out, "  --format FORMAT  text (default), json (as --json), or prometheus: the\n"
			     "                   metrics, with the agent's counters when one runs\n");
	if (c->options & OPT_PREFIX)
		fprintf(out, "\n  --prefix PREFIX  device names are PREFIX and the first 11 characters of\n"
			     "                   the port id (default \"tap\", as the Linux bridge agent)\n"
			     "\nTrunks are named by their Neutron id. segmentation_type inherit is refused:\n"
			     "its VLAN is only known when the port binds.\n");
	if (c->options & OPT_AGENT)
		fprintf(out, "\n  --debounce MS           wait at most this long after a burst's first link\n"
			     "                          event before repairing (default 20)\n"
			     "  --resync SECONDS        full reconcile this often (default 60)\n"
			     "  --netlink-rcvbuf BYTES  the event socket's receive buffer (default 32 MiB)\n"
			     "  --textfile PATH         after each run, write Prometheus metrics there\n"
			     "                          (atomically; for node-exporter's textfile collector)\n"
			     "\nSIGHUP or a change to the desired state reloads it; an invalid one is refused\n"
			     "and the last good one kept. agent.sock in the state dir answers one line,\n"
			     "`status` or `reconcile`, with a JSON document (root only).\n");
}

static int number(const char *option, const char *arg, int min, int max, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || !*arg || v < min || v > max) {
		fprintf(stderr, "vlantrunk: %s takes a number from %d to %d, not '%s'\n", option, min,
			max, arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_STATE_DIR = 256, O_JSON, O_TRUNK, O_ATOMIC, O_WAIT, O_DEBOUNCE, O_RESYNC, O_RCVBUF,
	       O_PREFIX, O_FORMAT, O_TEXTFILE };
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, O_STATE_DIR },
		{ "json", no_argument, NULL, O_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "trunk", required_argument, NULL, O_TRUNK },
		{ "atomic", no_argument, NULL, O_ATOMIC },
		{ "wait", required_argument, NULL, O_WAIT },
		{ "debounce", required_argument, NULL, O_DEBOUNCE },
		{ "resync", required_argument, NULL, O_RESYNC },
		{ "netlink-rcvbuf", required_argument, NULL, O_RCVBUF },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "textfile", required_argument, NULL, O_TEXTFILE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct vt_cli cli = { .config = VT_DEFAULT_CONFIG, .state_dir = VT_DEFAULT_STATE_DIR,
			      .wait = 30, .debounce_ms = 20, .resync_s = 60,
			      .prefix = VT_NEUTRON_PREFIX };
	const struct command *cmd = NULL;
	unsigned int given = 0;
	bool help = false;
	int c, ret;

	cli.trunks = calloc((size_t)argc, sizeof(*cli.trunks));
	if (!cli.trunks)
		return VT_EXIT_CANNOT_RUN;
	while ((c = getopt_long(argc, argv, "c:vqhV", options, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case O_STATE_DIR: cli.state_dir = optarg; break;
		case O_JSON: cli.json = true; break;
		case 'v': cli.verbosity = 1; break;
		case 'q': cli.verbosity = -1; break;
		case O_TRUNK:
			cli.trunks[cli.n_trunks++] = optarg;
			given |= OPT_TRUNK;
			break;
		case O_ATOMIC:
			cli.atomic = true;
			given |= OPT_ATOMIC;
			break;
		case O_WAIT:
			if (number("--wait", optarg, 0, 86400, &cli.wait) < 0) {
				ret = VT_EXIT_INVALID;
				goto out;
			}
			given |= OPT_WAIT;
			break;
		case O_PREFIX:
			cli.prefix = optarg;
			given |= OPT_PREFIX;
			break;
		case O_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "prometheus")) {
				fprintf(stderr, "vlantrunk: --format takes text, json or prometheus, not '%s'\n",
					optarg);
				ret = VT_EXIT_INVALID;
				goto out;
			}
			cli.format = optarg;
			cli.json |= !strcmp(optarg, "json");
			given |= OPT_FORMAT;
			break;
		case O_TEXTFILE:
			cli.textfile = optarg;
			given |= OPT_AGENT;
			break;
		case O_DEBOUNCE:
		case O_RESYNC:
		case O_RCVBUF:
			if ((c == O_DEBOUNCE && number("--debounce", optarg, 0, 60000, &cli.debounce_ms)) ||
			    (c == O_RESYNC && number("--resync", optarg, 1, 86400, &cli.resync_s)) ||
			    (c == O_RCVBUF && number("--netlink-rcvbuf", optarg, 0, 1 << 30, &cli.rcvbuf))) {
				ret = VT_EXIT_INVALID;
				goto out;
			}
			given |= OPT_AGENT;
			break;
		case 'h': help = true; break;
		case 'V':
			printf("vlantrunk %s\n", VT_VERSION);
			ret = VT_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			ret = VT_EXIT_INVALID;
			goto out;
		}
	}
	if (optind < argc) {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[optind], commands[i].name))
				cmd = &commands[i];
		if (!cmd) {
			fprintf(stderr, "vlantrunk: unknown command '%s'\n\n", argv[optind]);
			usage(stderr);
			ret = VT_EXIT_INVALID;
			goto out;
		}
	}
	if (help || !cmd) {
		if (cmd)
			command_usage(stdout, cmd);
		else
			usage(help ? stdout : stderr);
		ret = help ? VT_EXIT_OK : VT_EXIT_INVALID;
		goto out;
	}
	if (cmd->options & TAKES_FILES) {
		cli.files = (const char *const *)argv + optind + 1;
		cli.n_files = (size_t)(argc - optind - 1);
		if (!cli.n_files) {
			fprintf(stderr, "vlantrunk %s: which files? (%s)\n", cmd->name, cmd->args);
			ret = VT_EXIT_INVALID;
			goto out;
		}
	} else if (optind + 1 < argc) {
		fprintf(stderr, "vlantrunk %s: unexpected argument '%s'\n", cmd->name, argv[optind + 1]);
		ret = VT_EXIT_INVALID;
		goto out;
	}
	if (given & ~cmd->options) {
		fprintf(stderr, "vlantrunk %s: --%s does not apply to this command\n", cmd->name,
			(given & ~cmd->options) & OPT_TRUNK ? "trunk" :
			(given & ~cmd->options) & OPT_ATOMIC ? "atomic" :
			(given & ~cmd->options) & OPT_WAIT ? "wait" :
			(given & ~cmd->options) & OPT_PREFIX ? "prefix" :
			(given & ~cmd->options) & OPT_FORMAT ? "format" :
			"debounce/--resync/--netlink-rcvbuf");
		ret = VT_EXIT_INVALID;
		goto out;
	}
	ret = cmd->run(&cli);
out:
	free(cli.trunks);
	return ret;
}
