/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: everything that needs no kernel. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(link_table_suite());
	int failed;

	srunner_add_suite(sr, encode_suite());
	srunner_add_suite(sr, decode_suite());
	srunner_add_suite(sr, ack_suite());
	srunner_add_suite(sr, desired_suite());
	srunner_add_suite(sr, desired_cache_suite());
	srunner_add_suite(sr, neutron_suite());
	srunner_add_suite(sr, plan_suite());
	srunner_add_suite(sr, journal_suite());
	srunner_add_suite(sr, plan_ipv6_suite());
	srunner_add_suite(sr, status_suite());
	srunner_add_suite(sr, name_table_suite());
	srunner_add_suite(sr, atomic_file_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
