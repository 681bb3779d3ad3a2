/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The netlink layer against a real kernel: what it creates and changes is
 * read back through its own dump and through iproute2's independent one.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>

#include "kernel_util.h"
#include "nl_internal.h"
#include "spec_ingress.h"
#include "suites.h"

struct fixture {
	struct vt_nl *nl;
	struct vt_batch *batch;
	struct vt_link_table table;
	int parent;		/* ifindex of dummy d0 */
	int bridge;		/* ifindex of bridge br0 */
};

static struct fixture fx;

static void setup(void)
{
	kt_enter_netns();
	kt_sh("ip link add d0 type dummy && ip link set d0 up");
	kt_sh("ip link add br0 type bridge");
	ck_assert_int_eq(vt_nl_open(&fx.nl), 0);
	fx.batch = vt_batch_new();
	ck_assert_ptr_nonnull(fx.batch);
	fx.parent = kt_ifindex(fx.nl, "d0");
	fx.bridge = kt_ifindex(fx.nl, "br0");
}

static void teardown(void)
{
	vt_link_table_clear(&fx.table);
	vt_batch_free(fx.batch);
	vt_nl_close(fx.nl);
}

static struct vt_link_spec vlan_spec(const char *name, int parent, uint16_t id)
{
	struct vt_link_spec s = { .fields = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID };

	snprintf(s.link.name, sizeof(s.link.name), "%s", name);
	s.link.parent = parent;
	s.link.vlan.id = id;
	return s;
}

static void send_all_ok(void)
{
	int ret = vt_nl_send_batch(fx.nl, fx.batch);

	ck_assert_msg(ret == 0, "batch exchange failed: %s", strerror(-ret));
	for (size_t i = 0; i < vt_batch_count(fx.batch); i++) {
		const struct vt_req_result *r = vt_batch_result(fx.batch, i);

		ck_assert_int_eq(r->state, VT_REQ_ANSWERED);
		ck_assert_msg(r->error == 0, "request %zu failed: %s (%s)", i,
			      strerror(-r->error), r->message);
	}
	vt_batch_reset(fx.batch);
}

static const struct vt_link *reread(const char *name)
{
	kt_dump(fx.nl, &fx.table);
	return kt_find(&fx.table, name);
}

static json_t *ip_vlan_info(json_t *ip)
{
	return json_object_get(json_object_get(ip, "linkinfo"), "info_data");
}

static bool ip_has_flag(json_t *list, const char *flag)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), flag))
			return true;
	return false;
}

/* Devices made by iproute2 are decoded field by field. */
START_TEST(test_dump_decodes_every_field)
{
	const struct vt_link *l;

	kt_sh("ip link add link d0 name v200 type vlan id 200 protocol 802.1ad "
	      "reorder_hdr off gvrp on mvrp on loose_binding on bridge_binding on "
	      "egress-qos-map 5:5 4000000000:7 ingress-qos-map 3:4 7:100");
	kt_sh("ip link set v200 mtu 1400 address 02:00:00:00:00:c8 alias 'vlantrunk:vm-42' "
	      "master br0 up");
	l = reread("v200");
	ck_assert_str_eq(l->kind, "vlan");
	ck_assert(l->is_vlan);
	ck_assert_int_eq(l->parent, fx.parent);
	ck_assert_uint_eq(l->vlan.id, 200);
	ck_assert_uint_eq(l->vlan.protocol, VT_PROTO_8021AD);
	ck_assert_uint_eq(l->vlan.flags, VT_VLAN_GVRP | VT_VLAN_MVRP | VT_VLAN_LOOSE_BINDING |
					 VT_VLAN_BRIDGE_BINDING);
	ck_assert_uint_eq(vt_vlan_ingress(&l->vlan, 3), 4);
	ck_assert_uint_eq(vt_vlan_ingress(&l->vlan, 7), 100);
	ck_assert_uint_eq(vt_vlan_ingress(&l->vlan, 0), 0);
	ck_assert_uint_eq(l->vlan.n_egress, 2);
	ck_assert_uint_eq(l->vlan.egress[0].from, 5);
	ck_assert_uint_eq(l->vlan.egress[0].to, 5);
	ck_assert_uint_eq(l->vlan.egress[1].from, 4000000000u);
	ck_assert_uint_eq(l->vlan.egress[1].to, 7);
	ck_assert_uint_eq(l->mtu, 1400);
	ck_assert(l->has_mac);
	ck_assert_mem_eq(l->mac, ((uint8_t[]){ 2, 0, 0, 0, 0, 0xc8 }), 6);
	ck_assert(l->up);
	ck_assert_int_eq(l->master, fx.bridge);
	ck_assert_str_eq(vt_link_alias(l), "vlantrunk:vm-42");

	l = kt_find(&fx.table, "d0");
	ck_assert_str_eq(l->kind, "dummy");
	ck_assert(!l->is_vlan);
	ck_assert_str_eq(kt_find(&fx.table, "lo")->kind, "");
}
END_TEST

/* One create request carries every attribute the kernel takes at creation. */
START_TEST(test_create_with_every_attribute)
{
	struct vt_qos_entry egress[] = { { 5, 5 }, { 4000000000u, 7 } };
	struct vt_link_spec s = vlan_spec("sv200", fx.parent, 200);
	const struct vt_link *l;
	json_t *ip, *info;

	s.fields |= VT_F_PROTOCOL | VT_F_VLAN_FLAGS | VT_F_INGRESS | VT_F_EGRESS |
		    VT_F_MTU | VT_F_MAC | VT_F_UP | VT_F_MASTER;
	s.link.vlan.protocol = VT_PROTO_8021AD;
	s.link.vlan.flags = VT_VLAN_GVRP | VT_VLAN_LOOSE_BINDING;
	s.vlan_flags_mask = VT_VLAN_FLAGS_ALL;	/* REORDER_HDR off */
	spec_ingress(&s.link.vlan, 3, 4);
	s.link.vlan.egress = egress;
	s.link.vlan.n_egress = 2;
	s.link.mtu = 1496;
	memcpy(s.link.mac, ((uint8_t[]){ 2, 0, 0, 0, 0, 0xc8 }), 6);
	s.link.up = true;
	s.link.master = fx.bridge;
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 0);
	send_all_ok();

	l = reread("sv200");
	ck_assert_int_eq(l->parent, fx.parent);
	ck_assert_uint_eq(l->vlan.id, 200);
	ck_assert_uint_eq(l->vlan.protocol, VT_PROTO_8021AD);
	ck_assert_uint_eq(l->vlan.flags, VT_VLAN_GVRP | VT_VLAN_LOOSE_BINDING);
	ck_assert_uint_eq(vt_vlan_ingress(&l->vlan, 3), 4);
	ck_assert_uint_eq(l->vlan.n_egress, 2);
	ck_assert_uint_eq(l->mtu, 1496);
	ck_assert_mem_eq(l->mac, s.link.mac, 6);
	ck_assert(l->up);
	ck_assert_int_eq(l->master, fx.bridge);

	/* iproute2's reading agrees. */
	ip = kt_ip_link("sv200");
	ck_assert_ptr_nonnull(ip);
	info = ip_vlan_info(ip);
	ck_assert_str_eq(json_string_value(json_object_get(ip, "link")), "d0");
	ck_assert_str_eq(json_string_value(json_object_get(info, "protocol")), "802.1ad");
	ck_assert_int_eq(json_integer_value(json_object_get(info, "id")), 200);
	ck_assert(!ip_has_flag(json_object_get(info, "flags"), "REORDER_HDR"));
	ck_assert(ip_has_flag(json_object_get(info, "flags"), "GVRP"));
	ck_assert(ip_has_flag(json_object_get(info, "flags"), "LOOSE_BINDING"));
	ck_assert_int_eq(json_array_size(json_object_get(info, "egress_qos")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(info, "ingress_qos")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(ip, "master")), "br0");
	ck_assert_str_eq(json_string_value(json_object_get(ip, "address")), "02:00:00:00:00:c8");
	ck_assert(ip_has_flag(json_object_get(ip, "flags"), "UP"));
	json_decref(ip);
}
END_TEST

/* A chosen ifindex lets a QinQ inner VLAN name its outer one in the same batch. */
START_TEST(test_create_nested_with_chosen_ifindex)
{
	struct vt_link_spec outer = vlan_spec("outer", fx.parent, 100);
	struct vt_link_spec inner = vlan_spec("inner", 4000, 200);
	struct vt_link_spec taken = vlan_spec("taken", fx.parent, 101);

	outer.fields |= VT_F_PROTOCOL;
	outer.link.vlan.protocol = VT_PROTO_8021AD;
	outer.link.ifindex = 4000;
	inner.link.ifindex = 4001;
	taken.link.ifindex = 4000;
	ck_assert_int_eq(vt_batch_create(fx.batch, &outer), 0);
	ck_assert_int_eq(vt_batch_create(fx.batch, &inner), 1);
	ck_assert_int_eq(vt_batch_create(fx.batch, &taken), 2);
	ck_assert_int_eq(vt_nl_send_batch(fx.nl, fx.batch), 0);
	ck_assert_int_eq(vt_batch_result(fx.batch, 0)->error, 0);
	ck_assert_int_eq(vt_batch_result(fx.batch, 1)->error, 0);
	ck_assert_int_ne(vt_batch_result(fx.batch, 2)->error, 0);
	ck_assert_int_eq(reread("outer")->ifindex, 4000);
	ck_assert_int_eq(reread("inner")->ifindex, 4001);
	ck_assert_int_eq(reread("inner")->parent, 4000);
	ck_assert_ptr_null(vt_link_table_find_name(&fx.table, VT_NS_OWN, "taken"));
}
END_TEST

/* Unset fields get the kernel's defaults: 802.1Q, REORDER_HDR, parent's MTU, down. */
START_TEST(test_create_defaults)
{
	struct vt_link_spec s = vlan_spec("sv7", fx.parent, 7);
	const struct vt_link *l;

	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 0);
	send_all_ok();
	l = reread("sv7");
	ck_assert_uint_eq(l->vlan.protocol, VT_PROTO_8021Q);
	ck_assert_uint_eq(l->vlan.flags, VT_VLAN_REORDER_HDR);
	ck_assert_uint_eq(l->mtu, 1500);
	ck_assert(!l->up);
	ck_assert_int_eq(l->master, 0);
	ck_assert_uint_eq(l->vlan.n_egress, 0);
	ck_assert_str_eq(vt_link_alias(l), "");
}
END_TEST

static const struct vt_link *change_and_reread(const char *name, struct vt_link_spec *s)
{
	const struct vt_link *cur = reread(name);
	struct vt_link copy;

	ck_assert_int_eq(vt_link_copy(&copy, cur), 0);
	s->link.ifindex = copy.ifindex;
	ck_assert_int_ge(vt_batch_change(fx.batch, &copy, s), 0);
	send_all_ok();
	vt_link_release(&copy);
	return reread(name);
}

/* Each changeable attribute, changed in place and read back. */
START_TEST(test_change_each_attribute)
{
	struct vt_qos_entry egress1[] = { { 1, 2 }, { 5, 3 } };
	struct vt_qos_entry egress2[] = { { 5, 4 }, { 7, 1 } };
	struct vt_link_spec s = vlan_spec("sv9", fx.parent, 9);
	const struct vt_link *l;
	int ifindex;

	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 0);
	send_all_ok();
	ifindex = reread("sv9")->ifindex;

	for (uint32_t flag = 1; flag <= VT_VLAN_BRIDGE_BINDING; flag <<= 1) {
		bool was = reread("sv9")->vlan.flags & flag;

		s = (struct vt_link_spec){ .fields = VT_F_VLAN_FLAGS, .vlan_flags_mask = flag };
		s.link.vlan.flags = was ? 0 : flag;
		l = change_and_reread("sv9", &s);
		ck_assert_msg(!(l->vlan.flags & flag) == was, "flag 0x%x not toggled", flag);
	}

	s = (struct vt_link_spec){ .fields = VT_F_EGRESS | VT_F_INGRESS };
	s.link.vlan.egress = egress1;
	s.link.vlan.n_egress = 2;
	spec_ingress(&s.link.vlan, 1, 10);
	spec_ingress(&s.link.vlan, 2, 20);
	l = change_and_reread("sv9", &s);
	ck_assert_uint_eq(l->vlan.n_egress, 2);
	ck_assert_uint_eq(vt_vlan_ingress(&l->vlan, 2), 20);

	/* Replacing the maps removes the stale keys (1 from egress, 1 from ingress). */
	s = (struct vt_link_spec){ .fields = VT_F_EGRESS | VT_F_INGRESS };
	s.link.vlan.egress = egress2;
	s.link.vlan.n_egress = 2;
	spec_ingress(&s.link.vlan, 2, 21);
	l = change_and_reread("sv9", &s);
	ck_assert_uint_eq(l->vlan.n_egress, 2);
	ck_assert_uint_eq(l->vlan.egress[0].from, 5);
	ck_assert_uint_eq(l->vlan.egress[0].to, 4);
	ck_assert_uint_eq(l->vlan.egress[1].from, 7);
	ck_assert_uint_eq(vt_vlan_ingress(&l->vlan, 1), 0);
	ck_assert_uint_eq(vt_vlan_ingress(&l->vlan, 2), 21);

	s = (struct vt_link_spec){ .fields = VT_F_MTU };
	s.link.mtu = 1280;
	ck_assert_uint_eq(change_and_reread("sv9", &s)->mtu, 1280);

	s = (struct vt_link_spec){ .fields = VT_F_MAC };
	memcpy(s.link.mac, ((uint8_t[]){ 2, 0xaa, 0, 0, 0, 9 }), 6);
	ck_assert_mem_eq(change_and_reread("sv9", &s)->mac, s.link.mac, 6);

	s = (struct vt_link_spec){ .fields = VT_F_UP };
	s.link.up = true;
	ck_assert(change_and_reread("sv9", &s)->up);
	s.link.up = false;
	ck_assert(!change_and_reread("sv9", &s)->up);

	s = (struct vt_link_spec){ .fields = VT_F_MASTER };
	s.link.master = fx.bridge;
	ck_assert_int_eq(change_and_reread("sv9", &s)->master, fx.bridge);
	s.link.master = 0;
	ck_assert_int_eq(change_and_reread("sv9", &s)->master, 0);

	s = (struct vt_link_spec){ .fields = VT_F_ALIAS };
	s.link.alias = (char[]){ "vlantrunk:t1" };
	ck_assert_str_eq(vt_link_alias(change_and_reread("sv9", &s)), "vlantrunk:t1");
	s.link.alias = NULL;
	ck_assert_str_eq(vt_link_alias(change_and_reread("sv9", &s)), "");

	/* A rename keeps the device (same ifindex); it must be down. */
	s = (struct vt_link_spec){ .fields = VT_F_NAME };
	strcpy(s.link.name, "sv9new");
	s.link.ifindex = ifindex;
	ck_assert_int_ge(vt_batch_change(fx.batch, NULL, &s), 0);
	send_all_ok();
	kt_dump(fx.nl, &fx.table);
	ck_assert_ptr_null(vt_link_table_find_name(&fx.table, VT_NS_OWN, "sv9"));
	ck_assert_int_eq(kt_find(&fx.table, "sv9new")->ifindex, ifindex);
}
END_TEST

/* Send a request the layer would not build, the way the kernel sees it; its ack's error. */
static int send_raw(struct nl_msg *msg)
{
	struct mnl_socket *sock = mnl_socket_open(NETLINK_ROUTE);
	char buf[4096];
	int error;

	ck_assert_ptr_nonnull(sock);
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	ck_assert_int_eq(mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID), 0);
	ck_assert_int_gt(mnl_socket_sendto(sock, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len), 0);
	ck_assert_int_gt(mnl_socket_recvfrom(sock, buf, sizeof(buf)), 0);
	ck_assert_int_eq(((struct nlmsghdr *)buf)->nlmsg_type, NLMSG_ERROR);
	error = ((struct nlmsgerr *)mnl_nlmsg_get_payload((struct nlmsghdr *)buf))->error;
	mnl_socket_close(sock);
	return error;
}

/* The kernel's own surprise: no alias at creation, so it is set by name after. */
START_TEST(test_alias_after_create_in_one_batch)
{
	struct vt_link_spec s = vlan_spec("sv11", fx.parent, 11);
	struct vt_link_spec alias = { .fields = VT_F_ALIAS };
	struct rtnl_link *rl = rtnl_link_vlan_alloc();
	struct nl_msg *msg = NULL;

	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 0);
	strcpy(alias.link.name, "sv11");
	alias.link.alias = (char[]){ "vlantrunk:t" };
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &alias), 1);
	send_all_ok();
	ck_assert_str_eq(vt_link_alias(reread("sv11")), "vlantrunk:t");

	/* Proof of why: IFLA_IFALIAS in the creating RTM_NEWLINK is dropped. */
	rtnl_link_set_name(rl, "sv12");
	rtnl_link_set_link(rl, fx.parent);
	rtnl_link_vlan_set_id(rl, 12);
	rtnl_link_set_ifalias(rl, "lost");
	ck_assert_int_eq(rtnl_link_build_add_request(rl, NLM_F_CREATE | NLM_F_EXCL, &msg), 0);
	ck_assert_int_eq(send_raw(msg), 0);
	ck_assert_str_eq(vt_link_alias(reread("sv12")), "");
	nlmsg_free(msg);
	rtnl_link_put(rl);
}
END_TEST

/* Send an RTM_NEWLINK changing VLAN data the layer refuses to send, to show why. */
static void raw_vlan_change(int ifindex, int id, uint16_t protocol)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_vlan_alloc();
	struct nl_msg *msg = NULL;

	rtnl_link_set_ifindex(orig, ifindex);
	if (id)
		rtnl_link_vlan_set_id(chg, (uint16_t)id);
	if (protocol)
		rtnl_link_vlan_set_protocol(chg, htons(protocol));
	ck_assert_int_eq(rtnl_link_build_change_request(orig, chg, 0, &msg), 0);
	/* Accepted... */
	ck_assert_int_eq(send_raw(msg), 0);
	nlmsg_free(msg);
	rtnl_link_put(chg);
	rtnl_link_put(orig);
}

START_TEST(test_kernel_ignores_vlan_id_and_protocol_change)
{
	struct vt_link_spec s = vlan_spec("sv13", fx.parent, 13);
	int ifindex;

	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 0);
	send_all_ok();
	ifindex = reread("sv13")->ifindex;

	raw_vlan_change(ifindex, 14, 0);
	raw_vlan_change(ifindex, 0, VT_PROTO_8021AD);
	/* ...and silently ignored: only a recreate changes these. */
	ck_assert_uint_eq(reread("sv13")->vlan.id, 13);
	ck_assert_uint_eq(reread("sv13")->vlan.protocol, VT_PROTO_8021Q);

	/* The layer refuses to pretend. */
	s = (struct vt_link_spec){ .fields = VT_F_VLAN_ID };
	s.link.ifindex = ifindex;
	s.link.vlan.id = 14;
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &s), -EINVAL);
}
END_TEST

/* A failure in the middle of a batch: every outcome reported on its own. */
START_TEST(test_batch_with_failures_reports_each)
{
	struct vt_link_spec s;
	const struct vt_req_result *r;
	int ret;

	s = vlan_spec("ok1", fx.parent, 21);
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 0);
	s = vlan_spec("noparent", 9999, 22);		/* no such parent */
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 1);
	s = vlan_spec("ok2", fx.parent, 23);
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 2);
	s = vlan_spec("badid", fx.parent, 4095);	/* out of range */
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 3);
	s = vlan_spec("dupvid", fx.parent, 21);		/* same VLAN id as ok1 */
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 4);
	ck_assert_int_eq(vt_batch_delete(fx.batch, VT_NS_OWN, 0, "nosuchdev"), 5);
	s = vlan_spec("ok3", fx.parent, 24);
	ck_assert_int_eq(vt_batch_create(fx.batch, &s), 6);

	ret = vt_nl_send_batch(fx.nl, fx.batch);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(vt_batch_failures(fx.batch), 4);
	for (size_t i = 0; i < 7; i++)
		ck_assert_int_eq(vt_batch_result(fx.batch, i)->state, VT_REQ_ANSWERED);
	ck_assert_int_eq(vt_batch_result(fx.batch, 0)->error, 0);
	ck_assert_int_eq(vt_batch_result(fx.batch, 1)->error, -ENODEV);
	ck_assert_int_eq(vt_batch_result(fx.batch, 2)->error, 0);
	r = vt_batch_result(fx.batch, 3);
	ck_assert_int_eq(r->error, -ERANGE);
	/* The kernel's own words come along (extended ack). */
	ck_assert_msg(strstr(r->message, "VLAN id") != NULL, "extack text: '%s'", r->message);
	ck_assert_int_eq(vt_batch_result(fx.batch, 4)->error, -EEXIST);
	ck_assert_int_eq(vt_batch_result(fx.batch, 5)->error, -ENODEV);
	ck_assert_int_eq(vt_batch_result(fx.batch, 6)->error, 0);

	kt_dump(fx.nl, &fx.table);
	kt_find(&fx.table, "ok1");
	kt_find(&fx.table, "ok2");
	kt_find(&fx.table, "ok3");
	ck_assert_ptr_null(vt_link_table_find_name(&fx.table, VT_NS_OWN, "noparent"));
	ck_assert_ptr_null(vt_link_table_find_name(&fx.table, VT_NS_OWN, "badid"));
	ck_assert_ptr_null(vt_link_table_find_name(&fx.table, VT_NS_OWN, "dupvid"));
}
END_TEST

START_TEST(test_change_and_delete_missing_device)
{
	struct vt_link_spec s = { .fields = VT_F_MTU };

	s.link.ifindex = 77777;
	s.link.mtu = 1400;
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &s), 0);
	ck_assert_int_eq(vt_batch_delete(fx.batch, VT_NS_OWN, 77777, NULL), 1);
	ck_assert_int_eq(vt_nl_send_batch(fx.nl, fx.batch), 0);
	ck_assert_int_eq(vt_batch_result(fx.batch, 0)->error, -ENODEV);
	ck_assert_int_eq(vt_batch_result(fx.batch, 1)->error, -ENODEV);
}
END_TEST

/* VLAN data sent to a device that is no VLAN is refused, not misapplied. */
START_TEST(test_vlan_change_on_non_vlan_refused)
{
	struct vt_link_spec s = { .fields = VT_F_VLAN_FLAGS, .vlan_flags_mask = VT_VLAN_GVRP };

	s.link.ifindex = fx.parent;
	s.link.vlan.flags = VT_VLAN_GVRP;
	ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &s), 0);
	ck_assert_int_eq(vt_nl_send_batch(fx.nl, fx.batch), 0);
	ck_assert_int_eq(vt_batch_result(fx.batch, 0)->state, VT_REQ_ANSWERED);
	ck_assert_int_eq(vt_batch_result(fx.batch, 0)->error, -EOPNOTSUPP);
}
END_TEST

/* Every VLAN id on one parent: created in batches, dumped whole, deleted. */
START_TEST(test_dump_of_4094_vlans)
{
	char name[VT_IFNAMSIZ];
	bool seen[VT_VLAN_ID_MAX + 1] = { false };
	size_t vlans = 0;

	for (int id = 1; id <= VT_VLAN_ID_MAX; id++) {
		struct vt_link_spec s;

		snprintf(name, sizeof(name), "d0.%d", id);
		s = vlan_spec(name, fx.parent, (uint16_t)id);
		ck_assert_int_eq(vt_batch_create(fx.batch, &s), id - 1);
	}
	send_all_ok();

	kt_dump(fx.nl, &fx.table);
	for (size_t i = 0; i < fx.table.n; i++) {
		const struct vt_link *l = &fx.table.links[i];

		if (!l->is_vlan)
			continue;
		ck_assert_int_eq(l->parent, fx.parent);
		ck_assert_msg(!seen[l->vlan.id], "VLAN %u twice", l->vlan.id);
		seen[l->vlan.id] = true;
		snprintf(name, sizeof(name), "d0.%u", l->vlan.id);
		ck_assert_str_eq(l->name, name);
		vlans++;
	}
	ck_assert_uint_eq(vlans, VT_VLAN_ID_MAX);

	for (size_t i = 0; i < fx.table.n; i++)
		if (fx.table.links[i].is_vlan)
			ck_assert_int_ge(vt_batch_delete(fx.batch, VT_NS_OWN, fx.table.links[i].ifindex, NULL), 0);
	send_all_ok();
	kt_dump(fx.nl, &fx.table);
	ck_assert_uint_eq(fx.table.n, 3);	/* lo, d0, br0 */
}
END_TEST

/* Changes of d0's MTU, every tenth of a device that does not exist: each ack matched. */
static void queue_changes(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vt_link_spec s = { .fields = VT_F_MTU };

		s.link.ifindex = i % 10 == 9 ? 77777 : fx.parent;
		s.link.mtu = 1400 + (uint32_t)(i % 50);
		ck_assert_int_eq(vt_batch_change(fx.batch, NULL, &s), (int)i);
	}
}

static void check_changes(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct vt_req_result *r = vt_batch_result(fx.batch, i);

		ck_assert_msg(r->state == VT_REQ_ANSWERED, "request %zu: state %d", i, r->state);
		ck_assert_int_eq(r->error, i % 10 == 9 ? -ENODEV : 0);
	}
}

/* Thousands of acks of one datagram, read many a syscall, each to its request. */
START_TEST(test_many_acks_each_matched)
{
	queue_changes(3000);
	ck_assert_int_eq(vt_nl_send_batch(fx.nl, fx.batch), 0);
	check_changes(3000);
	ck_assert_uint_eq(vt_batch_failures(fx.batch), 300);
}
END_TEST

/*
 * The kernel drops acks that do not fit the receive buffer (ENOBUFS): a
 * datagram carries no more requests than the buffer there is holds acks
 * of, however small it is (here 32 KiB: a few dozen acks).
 */
START_TEST(test_small_receive_buffer_loses_no_ack)
{
	int bytes = 16 * 1024, got = 0;
	socklen_t len = sizeof(got);
	int fd = mnl_socket_get_fd(fx.nl->sock);

	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)), 0);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len), 0);
	ck_assert_int_le(got, 64 * 1024);
	queue_changes(1000);
	ck_assert_int_eq(vt_nl_send_batch(fx.nl, fx.batch), 0);
	check_changes(1000);
}
END_TEST

START_TEST(test_strict_checking_on)
{
	/* 6.1 has NETLINK_GET_STRICT_CHK; the layer must have turned it on. */
	ck_assert(vt_nl_strict(fx.nl));
}
END_TEST

Suite *netlink_suite(void)
{
	Suite *s = suite_create("netlink");
	TCase *tc = tcase_create("requests");
	TCase *scale = tcase_create("scale");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dump_decodes_every_field);
	tcase_add_test(tc, test_create_with_every_attribute);
	tcase_add_test(tc, test_create_defaults);
	tcase_add_test(tc, test_create_nested_with_chosen_ifindex);
	tcase_add_test(tc, test_change_each_attribute);
	tcase_add_test(tc, test_alias_after_create_in_one_batch);
	tcase_add_test(tc, test_kernel_ignores_vlan_id_and_protocol_change);
	tcase_add_test(tc, test_batch_with_failures_reports_each);
	tcase_add_test(tc, test_change_and_delete_missing_device);
	tcase_add_test(tc, test_vlan_change_on_non_vlan_refused);
	tcase_add_test(tc, test_strict_checking_on);
	tcase_add_test(tc, test_many_acks_each_matched);
	tcase_add_test(tc, test_small_receive_buffer_loses_no_ack);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(scale, setup, teardown);
	tcase_set_timeout(scale, 600);
	tcase_add_test(scale, test_dump_of_4094_vlans);
	suite_add_tcase(s, scale);
	suite_add_tcase(s, netlink_qos_tcase());
	return s;
}
