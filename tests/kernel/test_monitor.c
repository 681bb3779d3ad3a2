/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link monitor against a real kernel: events seen, overruns reported. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "kernel_util.h"
#include "suites.h"

struct seen {
	int new_m1, del_m1, resync, total;
	uint32_t origin;	/* an m1 event's origin that is not the kernel's own (0) */
};

static int record(enum vt_link_event event, const struct vt_link *link, int32_t nsid __attribute__((unused)),
			 uint32_t origin,
		  void *arg)
{
	struct seen *seen = arg;

	seen->total++;
	if (event == VT_EV_RESYNC) {
		ck_assert_ptr_null(link);
		seen->resync++;
		return 0;
	}
	if (strcmp(link->name, "m1"))
		return 0;
	/* The kernel also reports changes of its own (operstate), with origin 0. */
	if (origin)
		seen->origin = origin;
	if (event == VT_EV_NEWLINK) {
		ck_assert(link->is_vlan);
		ck_assert_uint_eq(link->vlan.id, 31);
		seen->new_m1++;
	} else {
		seen->del_m1++;
	}
	return 0;
}

static struct vt_nl *nl;
static struct vt_batch *batch;
static int parent;

static void setup(void)
{
	kt_enter_netns();
	kt_sh("ip link add d0 type dummy");
	ck_assert_int_eq(vt_nl_open(&nl), 0);
	batch = vt_batch_new();
	parent = kt_ifindex(nl, "d0");
}

static void teardown(void)
{
	vt_batch_free(batch);
	vt_nl_close(nl);
}

static void create_vlan(const char *name, uint16_t id)
{
	struct vt_link_spec s = { .fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID };

	snprintf(s.link.name, sizeof(s.link.name), "%s", name);
	s.link.parent = parent;
	s.link.vlan.id = id;
	ck_assert_int_ge(vt_batch_create(batch, &s), 0);
}

/*
 * The kernel queues notifications while it handles the request, so they are
 * waiting by the time the request's ack is read: no sleeping needed.
 */
START_TEST(test_sees_create_and_delete)
{
	struct vt_monitor *mon;
	struct seen seen = { 0 };

	ck_assert_int_eq(vt_monitor_open(&mon, 0), 0);
	ck_assert_int_ge(vt_monitor_fd(mon), 0);
	ck_assert_int_eq(vt_monitor_read(mon, record, &seen), 0);	/* nothing yet */

	create_vlan("m1", 31);
	ck_assert_int_eq(vt_nl_send_batch(nl, batch), 0);
	ck_assert_int_gt(vt_monitor_read(mon, record, &seen), 0);
	ck_assert_int_ge(seen.new_m1, 1);
	ck_assert_int_eq(seen.del_m1, 0);
	/*
	 * An event names the socket whose request caused it, where the kernel
	 * says (6.1 does not for every kind of event: then it is 0), never
	 * anybody else's.
	 */
	ck_assert(seen.origin == 0 || seen.origin == vt_nl_portid(nl));

	vt_batch_reset(batch);
	ck_assert_int_eq(vt_batch_delete(batch, VT_NS_OWN, 0, "m1"), 0);
	ck_assert_int_eq(vt_nl_send_batch(nl, batch), 0);
	ck_assert_int_eq(vt_batch_result(batch, 0)->error, 0);
	ck_assert_int_gt(vt_monitor_read(mon, record, &seen), 0);
	ck_assert_int_eq(seen.del_m1, 1);
	ck_assert_int_eq(seen.resync, 0);
	vt_monitor_close(mon);
}
END_TEST

/*
 * A bridge sends events of its own for its ports (br_ifinfo_notify(), family
 * AF_BRIDGE) on the same group: an RTM_DELLINK when a port leaves the
 * bridge. That is no device going, and must not read as one.
 */
START_TEST(test_bridge_port_events_are_not_link_events)
{
	struct vt_monitor *mon;
	struct seen seen = { 0 };

	kt_sh("ip link add br0 type bridge && ip link set d0 up");
	create_vlan("m1", 31);
	ck_assert_int_eq(vt_nl_send_batch(nl, batch), 0);
	ck_assert_int_eq(vt_monitor_open(&mon, 0), 0);
	kt_sh("ip link set m1 master br0 && ip link set m1 nomaster");
	ck_assert_int_ge(vt_monitor_read(mon, record, &seen), 0);
	ck_assert_int_ge(seen.new_m1, 1);
	ck_assert_int_eq(seen.del_m1, 0);
	vt_monitor_close(mon);
}
END_TEST

/* A burst into a deliberately small buffer: an overrun, reported as a resync. */
START_TEST(test_overrun_reported_as_resync)
{
	struct vt_monitor *mon;
	struct seen seen = { 0 };
	char name[VT_IFNAMSIZ];

	ck_assert_int_eq(vt_monitor_open(&mon, 4096), 0);
	for (int id = 100; id < 400; id++) {
		snprintf(name, sizeof(name), "b%d", id);
		create_vlan(name, (uint16_t)id);
	}
	ck_assert_int_eq(vt_nl_send_batch(nl, batch), 0);
	ck_assert_uint_eq(vt_batch_failures(batch), 0);

	ck_assert_int_gt(vt_monitor_read(mon, record, &seen), 0);
	ck_assert_int_eq(seen.resync, 1);
	ck_assert_int_lt(seen.total, 300);	/* events were really lost */

	/* The monitor lives on: later events still arrive. */
	vt_batch_reset(batch);
	create_vlan("m1", 31);
	ck_assert_int_eq(vt_nl_send_batch(nl, batch), 0);
	ck_assert_int_gt(vt_monitor_read(mon, record, &seen), 0);
	ck_assert_int_ge(seen.new_m1, 1);
	vt_monitor_close(mon);
}
END_TEST

Suite *monitor_suite(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("events");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sees_create_and_delete);
	tcase_add_test(tc, test_overrun_reported_as_resync);
	tcase_add_test(tc, test_bridge_port_events_are_not_link_events);
	suite_add_tcase(s, tc);
	return s;
}
