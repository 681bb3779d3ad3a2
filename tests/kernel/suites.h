/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every kernel test suite; main.c runs them all. */
#ifndef VT_KERNEL_SUITES_H
#define VT_KERNEL_SUITES_H

#include <check.h>

Suite *netlink_suite(void);
Suite *monitor_suite(void);
Suite *engine_suite(void);
Suite *recovery_suite(void);
Suite *cli_suite(void);
Suite *scale_suite(void);
Suite *agent_suite(void);
Suite *campaign_suite(void);
Suite *chaos_suite(void);
Suite *effects_suite(void);
Suite *altnames_suite(void);
Suite *ipv6_suite(void);
Suite *netns_suite(void);
TCase *ipv6_reconcile_tcase(void);	/* test_ipv6_reconcile.c, in ipv6_suite() */

/* Egress QoS maps at and past the loader's limit (test_qos.c), in the netlink and engine suites. */
TCase *netlink_qos_tcase(void);
TCase *engine_qos_tcase(void);

#endif
