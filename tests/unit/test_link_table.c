/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "vt_link.h"

static void add(struct vt_link_table *t, int ifindex, const char *name)
{
	struct vt_link l = { .ifindex = ifindex };

	snprintf(l.name, sizeof(l.name), "%s", name);
	ck_assert_int_eq(vt_link_table_add(t, &l), 0);
}

START_TEST(test_lookup_by_ifindex_and_name)
{
	struct vt_link_table t = { 0 };
	char name[VT_IFNAMSIZ];

	/* Added out of order, many enough to exercise growth. */
	for (int i = 500; i >= 1; i--) {
		snprintf(name, sizeof(name), "dev%d", i);
		add(&t, i * 3, name);
	}
	ck_assert_int_eq(vt_link_table_index(&t), 0);
	ck_assert_uint_eq(t.n, 500);
	ck_assert_int_eq(t.links[0].ifindex, 3);
	ck_assert_str_eq(vt_link_table_find_ifindex(&t, 300)->name, "dev100");
	ck_assert_ptr_null(vt_link_table_find_ifindex(&t, 301));
	ck_assert_int_eq(vt_link_table_find_name(&t, "dev77")->ifindex, 231);
	ck_assert_ptr_null(vt_link_table_find_name(&t, "dev501"));
	ck_assert_ptr_null(vt_link_table_find_name(&t, "a-name-longer-than-ifnamsiz"));
	vt_link_table_clear(&t);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(vt_link_table_find_name(&t, "dev77"));
}
END_TEST

/* A table kept up to date from events: replace, insert in order, drop, copy. */
START_TEST(test_put_drop_copy)
{
	struct vt_link_table t = { 0 }, copy = { 0 };
	struct vt_link l = { .ifindex = 20 };
	struct vt_qos_entry *egress = malloc(sizeof(*egress));

	for (int i = 1; i <= 5; i++) {
		char name[VT_IFNAMSIZ];

		snprintf(name, sizeof(name), "d%d", i * 10);
		add(&t, i * 10, name);
	}
	ck_assert_int_eq(vt_link_table_index(&t), 0);

	/* ifindex 20 changes (renamed, with a map the table takes) */
	strcpy(l.name, "renamed");
	*egress = (struct vt_qos_entry){ 1, 2 };
	l.vlan.egress = egress;
	l.vlan.n_egress = 1;
	ck_assert_int_eq(vt_link_table_put(&t, &l), 0);
	ck_assert_ptr_null(l.vlan.egress);
	/* 25 is new, 40 went, 99 never was */
	memset(&l, 0, sizeof(l));
	l.ifindex = 25;
	strcpy(l.name, "new");
	ck_assert_int_eq(vt_link_table_put(&t, &l), 0);
	vt_link_table_drop(&t, 40);
	vt_link_table_drop(&t, 99);
	/* name lookups wait for the index */
	ck_assert_ptr_null(vt_link_table_find_name(&t, "new"));

	ck_assert_int_eq(vt_link_table_copy(&copy, &t), 0);
	vt_link_table_clear(&t);
	ck_assert_uint_eq(copy.n, 5);
	const int order[] = { 10, 20, 25, 30, 50 };
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(copy.links[i].ifindex, order[i]);
	ck_assert_int_eq(vt_link_table_find_name(&copy, "renamed")->ifindex, 20);
	ck_assert_ptr_null(vt_link_table_find_name(&copy, "d20"));
	ck_assert_ptr_null(vt_link_table_find_name(&copy, "d40"));
	ck_assert_uint_eq(vt_link_table_find_ifindex(&copy, 20)->vlan.n_egress, 1);
	ck_assert_uint_eq(vt_link_table_find_ifindex(&copy, 20)->vlan.egress[0].to, 2);
	vt_link_table_clear(&copy);
}
END_TEST

START_TEST(test_table_takes_egress)
{
	struct vt_link_table t = { 0 };
	struct vt_link l = { .ifindex = 7, .is_vlan = true };
	struct vt_link copy;

	l.vlan.egress = calloc(2, sizeof(*l.vlan.egress));
	l.vlan.egress[0] = (struct vt_qos_entry){ 1, 2 };
	l.vlan.egress[1] = (struct vt_qos_entry){ 9, 3 };
	l.vlan.n_egress = 2;
	ck_assert_int_eq(vt_link_table_add(&t, &l), 0);
	ck_assert_ptr_null(l.vlan.egress);	/* ownership moved */
	ck_assert_int_eq(vt_link_table_index(&t), 0);

	ck_assert_int_eq(vt_link_copy(&copy, &t.links[0]), 0);
	ck_assert_ptr_ne(copy.vlan.egress, t.links[0].vlan.egress);
	ck_assert_uint_eq(copy.vlan.egress[1].from, 9);
	vt_link_release(&copy);
	vt_link_table_clear(&t);
}
END_TEST

START_TEST(test_egress_normalize)
{
	struct vt_qos_entry map[] = {
		{ 9, 1 }, { 2, 0 }, { 5, 3 }, { 4294967295u, 7 }, { 5, 6 }, { 1, 2 },
	};
	size_t n = vt_qos_egress_normalize(map, sizeof(map) / sizeof(map[0]));

	/* Sorted, the mapping to 0 dropped, the later of the two 5s kept. */
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(map[0].from, 1);
	ck_assert_uint_eq(map[1].from, 5);
	ck_assert_uint_eq(map[1].to, 6);
	ck_assert_uint_eq(map[2].from, 9);
	ck_assert_uint_eq(map[3].from, 4294967295u);
	ck_assert_uint_eq(vt_qos_egress_normalize(map, 0), 0);
}
END_TEST

START_TEST(test_protocol_name)
{
	ck_assert_str_eq(vt_protocol_name(VT_PROTO_8021Q), "802.1Q");
	ck_assert_str_eq(vt_protocol_name(VT_PROTO_8021AD), "802.1ad");
	ck_assert_ptr_null(vt_protocol_name(0x0800));
}
END_TEST

Suite *link_table_suite(void)
{
	Suite *s = suite_create("link_table");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lookup_by_ifindex_and_name);
	tcase_add_test(tc, test_put_drop_copy);
	tcase_add_test(tc, test_table_takes_egress);
	tcase_add_test(tc, test_egress_normalize);
	tcase_add_test(tc, test_protocol_name);
	suite_add_tcase(s, tc);
	return s;
}
