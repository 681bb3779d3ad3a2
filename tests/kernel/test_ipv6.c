/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A device's IPv6 state against a real kernel: how the netlink layer reads
 * it (IFLA_AF_SPEC/AF_INET6) and sets it (IFLA_INET6_ADDR_GEN_MODE over
 * rtnetlink, disable_ipv6 through its sysctl), cross-checked with iproute2
 * and /proc/sys/net/ipv6.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel_util.h"
#include "suites.h"

struct fixture {
	struct vt_nl *nl;
	struct vt_batch *batch;
	struct vt_link_table table;
	int parent;		/* ifindex of dummy d0 */
};

static struct fixture fx;

static void setup(void)
{
	kt_enter_netns();
	kt_sh("ip link add d0 type dummy && ip link set d0 up");
	ck_assert_int_eq(vt_nl_open(&fx.nl), 0);
	fx.batch = vt_batch_new();
	ck_assert_ptr_nonnull(fx.batch);
	fx.parent = kt_ifindex(fx.nl, "d0");
}

static void teardown(void)
{
	vt_link_table_clear(&fx.table);
	vt_batch_free(fx.batch);
	vt_nl_close(fx.nl);
}

static const struct vt_link *reread(const char *name)
{
	kt_dump(fx.nl, &fx.table);
	return kt_find(&fx.table, name);
}

/* iproute2's reading of the device's address generation mode, or "" without one. */
static const char *ip_addr_gen_mode(const char *dev)
{
	static char mode[32];
	json_t *ip = kt_ip_link(dev);
	const char *s;

	ck_assert_ptr_nonnull(ip);
	s = json_string_value(json_object_get(ip, "inet6_addr_gen_mode"));
	snprintf(mode, sizeof(mode), "%s", s ? s : "");
	json_decref(ip);
	return mode;
}

/* One request of the batch, answered as @error (0: took effect). */
static void send_expect(int error)
{
	const struct vt_req_result *r;

	ck_assert_int_eq(vt_nl_send_batch(fx.nl, fx.batch), 0);
	r = vt_batch_result(fx.batch, 0);
	ck_assert_int_eq(r->state, VT_REQ_ANSWERED);
	ck_assert_msg(r->error == error, "answered %d (%s), not %d", r->error, r->message, error);
	vt_batch_reset(fx.batch);
}

/* The state a new VLAN gets, then each setting changed and read back both ways. */
START_TEST(test_ipv6_state_read_and_set)
{
	struct vt_link_spec spec = { .fields = VT_F_ADDR_GEN_MODE };
	const struct vt_link *l;

	kt_sh("ip link add link d0 name v1 type vlan id 1 && ip link set v1 up");
	l = reread("v1");
	ck_assert(l->ipv6.present);
	ck_assert_uint_eq(l->ipv6.addr_gen_mode, VT_ADDR_GEN_EUI64);
	ck_assert(!l->ipv6.disabled);
	ck_assert_str_eq(ip_addr_gen_mode("v1"), "eui64");

	spec.link.ifindex = l->ifindex;
	spec.link.ipv6.addr_gen_mode = VT_ADDR_GEN_NONE;
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &spec), 0);
	send_expect(0);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, "v1", true), 0);
	l = reread("v1");
	ck_assert_uint_eq(l->ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
	ck_assert(l->ipv6.disabled);
	ck_assert_str_eq(ip_addr_gen_mode("v1"), "none");
	ck_assert_int_eq(kt_sh_status("grep -qx 1 /proc/sys/net/ipv6/conf/v1/disable_ipv6"), 0);
	/* Disabled, it holds no address: not even the link-local one it had. */
	ck_assert_int_eq(kt_sh_status("test -z \"$(ip -6 -o addr show dev v1)\""), 0);

	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, "v1", false), 0);
	spec.link.ipv6.addr_gen_mode = VT_ADDR_GEN_STABLE_PRIVACY;
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &spec), 0);
	/* stable_privacy needs a secret first: the kernel refuses it without (EINVAL). */
	send_expect(-EINVAL);
	spec.link.ipv6.addr_gen_mode = VT_ADDR_GEN_RANDOM;
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &spec), 0);
	send_expect(0);
	l = reread("v1");
	ck_assert_uint_eq(l->ipv6.addr_gen_mode, VT_ADDR_GEN_RANDOM);
	ck_assert(!l->ipv6.disabled);
	ck_assert_int_eq(kt_sh_status("grep -qx 0 /proc/sys/net/ipv6/conf/v1/disable_ipv6"), 0);
}
END_TEST

/*
 * Below an MTU of 1280 a device has no IPv6 state: nothing in the dump,
 * no sysctl directory, and the kernel refuses an address generation mode.
 * Raising the MTU makes the state anew, from the namespace's defaults.
 */
START_TEST(test_no_ipv6_state_below_1280)
{
	struct vt_link_spec spec = { .fields = VT_F_ADDR_GEN_MODE };
	const struct vt_link *l;

	kt_sh("ip link add link d0 name v2 mtu 1279 type vlan id 2");
	l = reread("v2");
	ck_assert(!l->ipv6.present);
	ck_assert_str_eq(ip_addr_gen_mode("v2"), "");
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, "v2", true), -ENOENT);
	spec.link.ifindex = l->ifindex;
	spec.link.ipv6.addr_gen_mode = VT_ADDR_GEN_NONE;
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &spec), 0);
	send_expect(-EAFNOSUPPORT);

	kt_sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
	kt_sh("ip link set v2 mtu 1280");
	l = reread("v2");
	ck_assert(l->ipv6.present);
	ck_assert_uint_eq(l->ipv6.addr_gen_mode, VT_ADDR_GEN_EUI64);
	ck_assert(l->ipv6.disabled);
}
END_TEST

/* The kernel takes no address generation mode in a create: the layer refuses to send one. */
START_TEST(test_create_refuses_addr_gen_mode)
{
	struct vt_link_spec s = { .fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID |
					    VT_F_ADDR_GEN_MODE };

	snprintf(s.link.name, sizeof(s.link.name), "v3");
	s.link.parent = fx.parent;
	s.link.vlan.id = 3;
	s.link.ipv6.addr_gen_mode = VT_ADDR_GEN_NONE;
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), -EINVAL);
	/* What the refusal spares us: iproute2 sends it, and Linux 6.1 says no. */
	ck_assert_int_ne(kt_sh_status("ip link add link d0 name v3 addrgenmode none "
				      "type vlan id 3 2>/dev/null"), 0);
}
END_TEST

START_TEST(test_ipv6_defaults_and_names)
{
	struct vt_ipv6_defaults d;

	ck_assert_int_eq(vt_nl_ipv6_defaults(fx.nl, &d), 0);
	ck_assert_int_eq(d.addr_gen_mode, VT_ADDR_GEN_EUI64);
	ck_assert_int_eq(d.disable_ipv6, 0);
	/* They are this namespace's: a fresh one's, then as set here. */
	kt_sh("echo 3 > /proc/sys/net/ipv6/conf/default/addr_gen_mode");
	kt_sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
	ck_assert_int_eq(vt_nl_ipv6_defaults(fx.nl, &d), 0);
	ck_assert_int_eq(d.addr_gen_mode, VT_ADDR_GEN_RANDOM);
	ck_assert_int_eq(d.disable_ipv6, 1);

	/* The namespace-wide settings are never written as if they were a device. */
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, "all", true), -EINVAL);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, "default", true), -EINVAL);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, "..", true), -EINVAL);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, "nosuchdev", true), -ENOENT);
	ck_assert_int_eq(kt_sh_status("grep -qx 0 /proc/sys/net/ipv6/conf/all/disable_ipv6"), 0);
}
END_TEST

Suite *ipv6_suite(void)
{
	Suite *s = suite_create("ipv6");
	TCase *nl = tcase_create("netlink");

	tcase_add_checked_fixture(nl, setup, teardown);
	tcase_set_timeout(nl, 60);
	tcase_add_test(nl, test_ipv6_state_read_and_set);
	tcase_add_test(nl, test_no_ipv6_state_below_1280);
	tcase_add_test(nl, test_create_refuses_addr_gen_mode);
	tcase_add_test(nl, test_ipv6_defaults_and_names);
	suite_add_tcase(s, nl);
	return s;
}
