/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A device's IPv6 state against a real kernel: how the netlink layer reads
 * it (IFLA_AF_SPEC/AF_INET6) and sets it (IFLA_INET6_ADDR_GEN_MODE over
 * rtnetlink, disable_ipv6 through its sysctl), cross-checked with iproute2
 * and /proc/sys/net/ipv6.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "txn/journal.h"
#include "kernel_util.h"
#include "nl_internal.h"
#include "txn/restore.h"
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
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "v1", true), 0);
	l = reread("v1");
	ck_assert_uint_eq(l->ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
	ck_assert(l->ipv6.disabled);
	ck_assert_str_eq(ip_addr_gen_mode("v1"), "none");
	ck_assert_int_eq(kt_sh_status("grep -qx 1 /proc/sys/net/ipv6/conf/v1/disable_ipv6"), 0);
	/* Disabled, it holds no address: not even the link-local one it had. */
	ck_assert_int_eq(kt_sh_status("test -z \"$(ip -6 -o addr show dev v1)\""), 0);

	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "v1", false), 0);
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
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "v2", true), -ENOENT);
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

	ck_assert_int_eq(vt_nl_ipv6_defaults(fx.nl, VT_NS_OWN, &d), 0);
	ck_assert_int_eq(d.addr_gen_mode, VT_ADDR_GEN_EUI64);
	ck_assert_int_eq(d.disable_ipv6, 0);
	/* They are this namespace's: a fresh one's, then as set here. */
	kt_sh("echo 3 > /proc/sys/net/ipv6/conf/default/addr_gen_mode");
	kt_sh("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
	ck_assert_int_eq(vt_nl_ipv6_defaults(fx.nl, VT_NS_OWN, &d), 0);
	ck_assert_int_eq(d.addr_gen_mode, VT_ADDR_GEN_RANDOM);
	ck_assert_int_eq(d.disable_ipv6, 1);

	/* The namespace-wide settings are never written as if they were a device. */
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "all", true), -EINVAL);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "default", true), -EINVAL);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "..", true), -EINVAL);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "nosuchdev", true), -ENOENT);
	ck_assert_int_eq(kt_sh_status("grep -qx 0 /proc/sys/net/ipv6/conf/all/disable_ipv6"), 0);
}
END_TEST

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int read_sysctl(const char *dev)
{
	char path[128], c = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", dev);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, &c, 1), 1);
	close(fd);
	return c - '0';
}

/*
 * disable_ipv6 of many devices: each in effect once the call returns, though
 * its file is closed later, with others; never more than VT_NL_PARKED
 * files open, none left once a batch is sent or the handle closed.
 */
START_TEST(test_ipv6_disabled_many)
{
	enum { N = 300 };
	char dev[VT_IFNAMSIZ];
	int base;

	kt_sh("for i in $(seq 1 %d); do echo \"link add link d0 name v$i type vlan id $i\"; done"
	      " > /run/ipv6-many && ip -batch /run/ipv6-many", N);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "d0", false), 0);
	vt_nl_parked_close(fx.nl);
	base = open_fds();	/* the conf directory open among them */
	for (int i = 1; i <= N; i++) {
		snprintf(dev, sizeof(dev), "v%d", i);
		ck_assert_int_eq(read_sysctl(dev), 0);
		ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, dev, true), 0);
		ck_assert_int_eq(read_sysctl(dev), 1);
		ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "nosuchdev", true),
				 -ENOENT);
		ck_assert_int_le(open_fds(), base + VT_NL_PARKED);
	}
	ck_assert_int_gt(open_fds(), base);
	ck_assert_int_eq(vt_nl_send_batch(fx.nl, fx.batch), 0);
	ck_assert_int_eq(open_fds(), base);
	ck_assert_int_eq(vt_nl_set_ipv6_disabled(fx.nl, VT_NS_OWN, "v1", false), 0);
	ck_assert_int_eq(read_sysctl("v1"), 0);
	vt_nl_close(fx.nl);
	ck_assert_int_eq(vt_nl_open(&fx.nl), 0);
	ck_assert_int_eq(open_fds(), base - 1);	/* the conf directory, until used */
}
END_TEST

/* ---- restore: putting IPv6 state back, never an address for a moment ---- */

static void setup_restore(void)
{
	setup();
	/* The parent holds no address of its own: every event is a subport's. */
	kt_sh("echo 1 > /proc/sys/net/ipv6/conf/d0/disable_ipv6");
}

/* A managed VLAN @name on d0, up, with IPv6 @off or as the kernel sets it up. */
static void managed_vlan(const char *name, int id, bool off)
{
	kt_sh("ip link add link d0 name %s type vlan id %d && ip link set %s alias vlantrunk:t",
	      name, id, name);
	if (off) {
		kt_sh("ip link set %s addrgenmode none", name);
		kt_sh("echo 1 > /proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	}
	kt_sh("ip link set %s up", name);
}

/* A journal of trunk t whose before-image of @name is the device as it is now. */
static void journal_of(struct vt_journal *j, const char *name)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->id, sizeof(j->id), "1-1-1-test");
	j->group = VT_JOURNAL_GROUP_TAG | 77;
	ck_assert_int_eq(vt_journal_add_trunk(j, "t"), 0);
	ck_assert_ptr_nonnull(vt_journal_add(j, VT_ENTRY_PRESENT, reread(name), "d0", "", 0));
}

static void restore_verified(const struct vt_journal *j)
{
	struct vt_restore_report rep;
	int ret = vt_restore(fx.nl, j, &rep);

	ck_assert_msg(ret == 0, "restore: %d: %s %s", ret, rep.remains, rep.error);
}

/*
 * The MTU put back from below 1280 makes IPv6 state anew, and on a device
 * that is up a link-local address at once: the restore sets it down first,
 * then MTU, then IPv6 off, then up. Not one address appears.
 */
START_TEST(test_restore_mtu_across_1280_no_address)
{
	struct vt_journal j;
	const struct vt_link *l;
	int watch;

	managed_vlan("v1", 1, true);
	journal_of(&j, "v1");
	kt_sh("ip link set v1 mtu 1000");
	ck_assert(!reread("v1")->ipv6.present);
	watch = kt_addr_watch();
	restore_verified(&j);
	ck_assert_int_eq(kt_addr_events(watch, 0), 0);
	close(watch);
	l = reread("v1");
	ck_assert_uint_eq(l->mtu, 1500);
	ck_assert(l->up);
	ck_assert(l->ipv6.present && l->ipv6.addr_gen_mode == VT_ADDR_GEN_NONE && l->ipv6.disabled);
	ck_assert_int_eq(kt_sh_status("test -z \"$(ip -6 -o addr show dev v1)\""), 0);
	vt_journal_free(&j);
}
END_TEST

/* A device the restore recreates has its IPv6 state before it is first up. */
START_TEST(test_restore_recreate_no_address)
{
	struct vt_journal j;
	const struct vt_link *l;
	int watch;

	managed_vlan("v2", 2, true);
	journal_of(&j, "v2");
	kt_sh("ip link del v2");
	watch = kt_addr_watch();
	restore_verified(&j);
	ck_assert_int_eq(kt_addr_events(watch, 0), 0);
	close(watch);
	l = reread("v2");
	ck_assert(l->up);
	ck_assert_str_eq(vt_link_alias(l), "vlantrunk:t");
	ck_assert(l->ipv6.present && l->ipv6.addr_gen_mode == VT_ADDR_GEN_NONE && l->ipv6.disabled);
	vt_journal_free(&j);
}
END_TEST

/* IPv6 turned off since is turned on again: the mode first, so an address follows. */
START_TEST(test_restore_turns_ipv6_back_on)
{
	struct vt_journal j;
	const struct vt_link *l;
	int watch;

	managed_vlan("v3", 3, false);
	journal_of(&j, "v3");
	kt_sh("ip link set v3 addrgenmode none && echo 1 > /proc/sys/net/ipv6/conf/v3/disable_ipv6");
	watch = kt_addr_watch();
	restore_verified(&j);
	l = reread("v3");
	ck_assert(l->ipv6.present && l->ipv6.addr_gen_mode == VT_ADDR_GEN_EUI64 && !l->ipv6.disabled);
	ck_assert(kt_addr_wait(watch, l->ifindex, 10));
	close(watch);
	ck_assert_int_eq(kt_sh_status("ip -6 -o addr show dev v3 | grep -q 'inet6 fe80:'"), 0);
	vt_journal_free(&j);
}
END_TEST

/* A before-image without IPv6 state (an older journal's) restores none: it is left alone. */
START_TEST(test_restore_unknown_ipv6_left_alone)
{
	struct vt_journal j;
	const struct vt_link *l;

	managed_vlan("v4", 4, false);
	journal_of(&j, "v4");
	j.entries[0].image.ipv6 = (struct vt_ipv6){ .present = false };
	kt_sh("ip link set v4 addrgenmode none && echo 1 > /proc/sys/net/ipv6/conf/v4/disable_ipv6");
	restore_verified(&j);
	l = reread("v4");
	ck_assert(l->ipv6.addr_gen_mode == VT_ADDR_GEN_NONE && l->ipv6.disabled);
	vt_journal_free(&j);
}
END_TEST

Suite *ipv6_suite(void)
{
	Suite *s = suite_create("ipv6");
	TCase *nl = tcase_create("netlink");
	TCase *restore = tcase_create("restore");

	tcase_add_checked_fixture(nl, setup, teardown);
	tcase_set_timeout(nl, 60);
	tcase_add_test(nl, test_ipv6_state_read_and_set);
	tcase_add_test(nl, test_no_ipv6_state_below_1280);
	tcase_add_test(nl, test_create_refuses_addr_gen_mode);
	tcase_add_test(nl, test_ipv6_defaults_and_names);
	tcase_add_test(nl, test_ipv6_disabled_many);
	suite_add_tcase(s, nl);

	tcase_add_checked_fixture(restore, setup_restore, teardown);
	tcase_set_timeout(restore, 60);
	tcase_add_test(restore, test_restore_mtu_across_1280_no_address);
	tcase_add_test(restore, test_restore_recreate_no_address);
	tcase_add_test(restore, test_restore_turns_ipv6_back_on);
	tcase_add_test(restore, test_restore_unknown_ipv6_left_alone);
	suite_add_tcase(s, restore);
	suite_add_tcase(s, ipv6_reconcile_tcase());
	return s;
}
