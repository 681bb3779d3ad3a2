/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every unit test suite; main.c runs them all. */
#ifndef VT_UNIT_SUITES_H
#define VT_UNIT_SUITES_H

#include <check.h>

Suite *link_table_suite(void);
Suite *encode_suite(void);
Suite *decode_suite(void);
Suite *ack_suite(void);
Suite *desired_suite(void);
Suite *desired_cache_suite(void);
Suite *neutron_suite(void);
Suite *plan_suite(void);
Suite *journal_suite(void);
Suite *plan_ipv6_suite(void);
Suite *status_suite(void);
Suite *name_table_suite(void);
Suite *atomic_file_suite(void);

#endif
