/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests: run as root in a kernel with 802.1Q (scripts/sandbox). Check
 * forks each test, and each test's fixture unshares a fresh network
 * namespace, so one boot serves the whole suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "suites.h"

int main(void)
{
	struct utsname uts;
	SRunner *sr;
	int failed;

	if (geteuid() != 0 || access("/proc/net/vlan/config", F_OK) != 0) {
		fprintf(stderr, "kernel tests need root and a kernel with 802.1Q loaded "
				"(run them through scripts/sandbox)\n");
		return EXIT_FAILURE;
	}
	uname(&uts);
	printf("kernel tests on %s %s with 802.1Q\n", uts.sysname, uts.release);

	sr = srunner_create(netlink_suite());
	srunner_add_suite(sr, monitor_suite());
	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, engine_suite());
	srunner_add_suite(sr, ipv6_suite());
	srunner_add_suite(sr, recovery_suite());
	srunner_add_suite(sr, effects_suite());
	srunner_add_suite(sr, altnames_suite());
	srunner_add_suite(sr, scale_suite());
	srunner_add_suite(sr, agent_suite());
	srunner_add_suite(sr, campaign_suite());
	srunner_add_suite(sr, chaos_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
