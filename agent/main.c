/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vlantrunk: options, then one command. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "run/last.h"
#include "report/metrics.h"
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
	int (*run)(struct vt_cli *cli);
	unsigned int options;		/* enum opt_bit the command takes */
	const char *args;
	const char *summary;
};

static int run_plan(struct vt_cli *cli);
static int run_status(struct vt_cli *cli);
static int run_check(struct vt_cli *cli);
static int run_links(struct vt_cli *cli);
static int run_reconcile(struct vt_cli *cli);
static int run_teardown(struct vt_cli *cli);
static int run_agent(struct vt_cli *cli);
static int run_import(struct vt_cli *cli);

static const struct command commands[] = {
	{ "plan", run_plan, OPT_TRUNK, "[--trunk NAME]...",
	  "print the operations reconcile would run; changes nothing" },
	{ "status", run_status, OPT_TRUNK | OPT_FORMAT,
	  "[--trunk NAME]... [--format text|json|prometheus]",
	  "per trunk: status and why; per subport: in sync, missing, differs, conflict" },
	{ "reconcile", run_reconcile, OPT_TRUNK | OPT_ATOMIC | OPT_WAIT,
	  "[--trunk NAME]... [--atomic] [--wait SECONDS]",
	  "make the kernel match the desired state, transactionally" },
	{ "teardown", run_teardown, OPT_TRUNK | OPT_WAIT, "[--trunk NAME]... [--wait SECONDS]",
	  "delete managed subports (all, or of the named trunks), transactionally" },
	{ "agent", run_agent, OPT_AGENT,
	  "[--debounce MS] [--resync SECONDS] [--netlink-rcvbuf BYTES] [--textfile PATH]",
	  "the daemon: reconcile, then keep the kernel converged (systemd Type=notify)" },
	{ "check", run_check, 0, "",
	  "preflight: privileges, netlink, kernel 802.1Q support, state dir, config" },
	{ "links", run_links, 0, "",
	  "list the kernel's links as vlantrunk reads them" },
	{ "import-neutron", run_import, OPT_PREFIX | TAKES_FILES, "[--prefix PREFIX] FILE...",
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
		fprintf(out, "\n  --debounce MS           wait this long after a link event before repairing\n"
			     "                          (default 20)\n"
			     "  --resync SECONDS        full reconcile this often (default 60)\n"
			     "  --netlink-rcvbuf BYTES  the event socket's receive buffer (default 32 MiB)\n"
			     "  --textfile PATH         after each run, write Prometheus metrics there\n"
			     "                          (atomically; for node-exporter's textfile collector)\n"
			     "\nSIGHUP or a change to the desired state reloads it; an invalid one is refused\n"
			     "and the last good one kept. agent.sock in the state dir answers one line,\n"
			     "`status` or `reconcile`, with a JSON document (root only).\n");
}

static int exit_for_plan(const struct vt_plan *plan)
{
	for (size_t i = 0; i < plan->n_trunks; i++)
		if (!plan->trunks[i].can_converge)
			return VT_EXIT_NOT_CONVERGED;
	return plan->n_ops ? VT_EXIT_CHANGED : VT_EXIT_OK;
}

static int exit_for_status(const struct vt_plan *plan)
{
	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_trunk_report *r = &plan->trunks[i];
		bool admin_down = r->status == VT_TRUNK_DOWN && r->want && !r->want->admin_state_up;

		if (r->status != VT_TRUNK_ACTIVE && !admin_down)
			return VT_EXIT_NOT_CONVERGED;
	}
	return VT_EXIT_OK;
}

static int run_plan(struct vt_cli *cli)
{
	struct vt_world world;
	int ret;

	vt_world_init(&world);
	ret = vt_world_read(cli, "plan", &world);
	if (ret) {
		vt_world_free(&world);
		return ret;
	}
	if (cli->json)
		vt_print_plan_json(&world);
	else
		vt_print_plan(cli, &world);
	ret = exit_for_plan(&world.plan);
	vt_world_free(&world);
	return ret;
}

/* A writer at work: its trunks are BUILD until its outcome is known. */
static void mark_build(struct vt_world *w)
{
	for (size_t i = 0; w->busy && i < w->plan.n_trunks; i++)
		for (size_t j = 0; j < w->running.n_trunks; j++)
			if (!strcmp(w->plan.trunks[i].name, w->running.trunks[j])) {
				w->plan.trunks[i].status = VT_TRUNK_BUILD;
				snprintf(w->plan.trunks[i].reason, sizeof(w->plan.trunks[i].reason),
					 "transaction %s is running", w->running.id);
			}
}

static int run_status(struct vt_cli *cli)
{
	struct vt_world world;
	int ret;

	vt_world_init(&world);
	ret = vt_world_read(cli, "status", &world);
	if (ret) {
		vt_world_free(&world);
		return ret;
	}
	vt_last_apply(world.sd.dirfd, &world.plan);
	mark_build(&world);
	if (cli->format && !strcmp(cli->format, "prometheus")) {
		json_t *agent = world.sd.dirfd >= 0 ? vt_last_get(world.sd.dirfd, "agent") : NULL;

		vt_metrics_print(stdout, &world.plan, agent);
		json_decref(agent);
		ret = exit_for_status(&world.plan);
		vt_world_free(&world);
		return ret;
	}
	if (cli->json)
		vt_print_status_json(&world);
	else
		vt_print_status(cli, &world);
	ret = exit_for_status(&world.plan);
	vt_world_free(&world);
	return ret;
}

static int run_reconcile(struct vt_cli *cli)
{
	return vt_cmd_reconcile(cli, false);
}

static int run_teardown(struct vt_cli *cli)
{
	return vt_cmd_reconcile(cli, true);
}

static int run_import(struct vt_cli *cli)
{
	struct vt_desired check = { 0 };
	struct vt_diags diags = { 0 };
	char err[1024], *text;
	json_t *doc = NULL;
	int ret;

	ret = vt_neutron_import(cli->files, cli->n_files, cli->prefix, &doc, err, sizeof(err));
	if (ret < 0) {
		vt_report_failure(cli, "import-neutron", err, NULL);
		return VT_EXIT_INVALID;
	}
	/* What is printed must load: the same rules as any desired state. */
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	ret = text ? vt_desired_parse(text, strlen(text), "(imported)", &check, &diags) : -ENOMEM;
	if (ret == 0)
		printf("%s\n", text);
	else if (ret == -EINVAL)
		vt_report_diags(cli, "import-neutron", &diags);
	vt_desired_free(&check);
	vt_diags_free(&diags);
	free(text);
	json_decref(doc);
	return ret == 0 ? VT_EXIT_OK : ret == -EINVAL ? VT_EXIT_INVALID : VT_EXIT_CANNOT_RUN;
}

static int run_agent(struct vt_cli *cli)
{
	return vt_cmd_agent(cli);
}

static int run_check(struct vt_cli *cli)
{
	return vt_cmd_check(cli);
}

static void print_link(const struct vt_link *l, const struct vt_link_table *t)
{
	const struct vt_link *parent = vt_link_table_find_ifindex(t, l->parent);

	printf("%-4d %-15s %-8s %-4s mtu %-5u", l->ifindex, l->name,
	       l->kind[0] ? l->kind : "-", l->up ? "up" : "down", l->mtu);
	if (l->is_vlan)
		printf(" %s %u on %s", vt_protocol_name(l->vlan.protocol) ?: "?", l->vlan.id,
		       parent ? parent->name : "?");
	if (l->ipv6.present)
		printf(" ipv6 %s%s", vt_addr_gen_mode_name(l->ipv6.addr_gen_mode) ?: "?",
		       l->ipv6.disabled ? " disabled" : "");
	if (l->alias[0])
		printf(" alias \"%s\"", l->alias);
	/* As `ip link` shows them: one "altname X" each. */
	for (size_t i = 0; i < l->n_altnames; i++)
		printf(" altname %s", l->altnames[i]);
	putchar('\n');
}

static int run_links(struct vt_cli *cli)
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
		vt_report_failure(cli, "links", what, NULL);
		vt_nl_close(nl);
		return VT_EXIT_CANNOT_RUN;
	}
	if (cli->json) {
		json_t *list = json_array();

		for (size_t i = 0; i < table.n; i++) {
			const struct vt_link *l = &table.links[i];
			json_t *altnames = json_array();
			json_t *o;

			for (size_t k = 0; k < l->n_altnames; k++)
				json_array_append_new(altnames, vt_json_text(l->altnames[k]));
			o = json_pack("{s:i, s:o, s:s, s:b, s:I, s:i, s:i, s:o, s:o}", "ifindex",
				      l->ifindex, "name", vt_json_text(l->name), "kind", l->kind,
				      "up", l->up, "mtu", (json_int_t)l->mtu, "parent", l->parent,
				      "master", l->master, "alias", vt_json_text(l->alias),
				      "altnames", altnames);

			if (l->is_vlan)
				json_object_set_new(o, "vlan", json_pack("{s:i, s:s}", "id", l->vlan.id,
									 "protocol", vt_protocol_name(l->vlan.protocol) ?: "?"));
			/* null: no IPv6 state (an MTU below 1280, or no IPv6 in the kernel) */
			json_object_set_new(o, "ipv6", !l->ipv6.present ? json_null() :
					    json_pack("{s:s, s:b}", "addr_gen_mode",
						      vt_addr_gen_mode_name(l->ipv6.addr_gen_mode) ?: "?",
						      "disable_ipv6", l->ipv6.disabled));
			json_array_append_new(list, o);
		}
		vt_json_print(json_pack("{s:s, s:o}", "command", "links", "links", list));
	} else {
		for (size_t i = 0; i < table.n; i++)
			print_link(&table.links[i], &table);
	}
	vt_link_table_clear(&table);
	vt_nl_close(nl);
	return VT_EXIT_OK;
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
