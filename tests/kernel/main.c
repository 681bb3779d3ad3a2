/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests: run as root in a kernel with 802.1Q (scripts/sandbox). Check
 * forks each test, and each test's fixture unshares a fresh network
 * namespace, so one boot serves the whole suite.
 *
 *   kernel-tests [SUITE]...    the named suites, in this file's order; all without one
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "suites.h"

static const struct {
	const char *name;
	Suite *(*make)(void);
} suites[] = {
	{ "netlink", netlink_suite },	{ "monitor", monitor_suite },
	{ "cli", cli_suite },		{ "engine", engine_suite },
	{ "ipv6", ipv6_suite },		{ "recovery", recovery_suite },
	{ "effects", effects_suite },	{ "altnames", altnames_suite },
	{ "netns", netns_suite },	{ "scale", scale_suite },
	{ "agent", agent_suite },
	{ "campaign", campaign_suite },	{ "chaos", chaos_suite },
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

static bool named(const char *name, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return argc < 2;
}

int main(int argc, char **argv)
{
	struct utsname uts;
	SRunner *sr = NULL;
	int failed;

	for (int i = 1; i < argc; i++) {
		size_t k = 0;

		while (k < N_SUITES && strcmp(suites[k].name, argv[i]) != 0)
			k++;
		if (k == N_SUITES) {
			fprintf(stderr, "kernel-tests: no suite named '%s'\n", argv[i]);
			return 2;
		}
	}
	if (geteuid() != 0 || access("/proc/net/vlan/config", F_OK) != 0) {
		fprintf(stderr, "kernel tests need root and a kernel with 802.1Q loaded "
				"(run them through scripts/sandbox)\n");
		return EXIT_FAILURE;
	}
	uname(&uts);
	printf("kernel tests on %s %s with 802.1Q\n", uts.sysname, uts.release);
	/*
	 * A sanitizer's error or leak ends a program with 1 by default, which is
	 * also vlantrunk's "rolled back": the programs the tests start (built
	 * with the same sanitizers) exit 99 instead, which no test expects, as
	 * under valgrind (tests/kernel/run). UBSan has its own exit code.
	 */
	setenv("ASAN_OPTIONS", "exitcode=99", 0);
	setenv("UBSAN_OPTIONS", "exitcode=99:halt_on_error=1:print_stacktrace=1", 0);

	for (size_t k = 0; k < N_SUITES; k++) {
		if (!named(suites[k].name, argc, argv))
			continue;
		if (sr)
			srunner_add_suite(sr, suites[k].make());
		else
			sr = srunner_create(suites[k].make());
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
