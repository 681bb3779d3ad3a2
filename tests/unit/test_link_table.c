/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
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
	ck_assert_str_eq(vt_link_table_find_ifindex(&t, VT_NS_OWN, 300)->name, "dev100");
	ck_assert_ptr_null(vt_link_table_find_ifindex(&t, VT_NS_OWN, 301));
	ck_assert_int_eq(vt_link_table_find_name(&t, VT_NS_OWN, "dev77")->ifindex, 231);
	ck_assert_ptr_null(vt_link_table_find_name(&t, VT_NS_OWN, "dev501"));
	ck_assert_ptr_null(vt_link_table_find_name(&t, VT_NS_OWN, "a-name-longer-than-ifnamsiz"));
	vt_link_table_clear(&t);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(vt_link_table_find_name(&t, VT_NS_OWN, "dev77"));
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
	vt_link_table_drop(&t, VT_NS_OWN, 40);
	vt_link_table_drop(&t, VT_NS_OWN, 99);
	/* name lookups wait for the index */
	ck_assert_ptr_null(vt_link_table_find_name(&t, VT_NS_OWN, "new"));

	ck_assert_int_eq(vt_link_table_copy(&copy, &t), 0);
	vt_link_table_clear(&t);
	ck_assert_uint_eq(copy.n, 5);
	const int order[] = { 10, 20, 25, 30, 50 };
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(copy.links[i].ifindex, order[i]);
	ck_assert_int_eq(vt_link_table_find_name(&copy, VT_NS_OWN, "renamed")->ifindex, 20);
	ck_assert_ptr_null(vt_link_table_find_name(&copy, VT_NS_OWN, "d20"));
	ck_assert_ptr_null(vt_link_table_find_name(&copy, VT_NS_OWN, "d40"));
	ck_assert_uint_eq(vt_link_table_find_ifindex(&copy, VT_NS_OWN, 20)->vlan.n_egress, 1);
	ck_assert_uint_eq(vt_link_table_find_ifindex(&copy, VT_NS_OWN, 20)->vlan.egress[0].to, 2);
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

/* A 127-byte altname: the longest the kernel allows (ALTIFNAMSIZ - 1). */
#define LONGEST "a-name-the-kernel-looks-up-like-any-other-but-that-never-fits-in-" \
	"ifnamsiz-so-only-the-altname-index-can-find-it-0123456789abcde"

static void add_alt(struct vt_link_table *t, int ifindex, const char *name, char *const *alt,
		    size_t n)
{
	struct vt_link l = { .ifindex = ifindex };

	snprintf(l.name, sizeof(l.name), "%s", name);
	ck_assert_int_eq(vt_link_set_altnames(&l, alt, n), 0);
	ck_assert_int_eq(vt_link_table_add(t, &l), 0);
	ck_assert_ptr_null(l.altnames);	/* the table took them */
}

START_TEST(test_altnames_lookup)
{
	struct vt_link_table t = { 0 };

	ck_assert_uint_eq(strlen(LONGEST), VT_ALTIFNAMSIZ - 1);
	add(&t, 1, "lo");
	add_alt(&t, 3, "enp0s3", (char *[]){ "enx525400123456", LONGEST }, 2);
	add_alt(&t, 2, "p0", (char *[]){ "uplink" }, 1);
	add(&t, 4, "uplink2");
	ck_assert_int_eq(vt_link_table_index(&t), 0);
	ck_assert_uint_eq(t.n_by_altname, 3);

	/* By name alone: an altname never passes for a device's name. */
	ck_assert_ptr_null(vt_link_table_find_name(&t, VT_NS_OWN, "uplink"));
	ck_assert_ptr_null(vt_link_table_find_name(&t, VT_NS_OWN, "enx525400123456"));
	ck_assert_int_eq(vt_link_table_find_name(&t, VT_NS_OWN, "p0")->ifindex, 2);
	/* By altname alone. */
	ck_assert_int_eq(vt_link_table_find_altname(&t, VT_NS_OWN, "uplink")->ifindex, 2);
	ck_assert_int_eq(vt_link_table_find_altname(&t, VT_NS_OWN, LONGEST)->ifindex, 3);
	ck_assert_ptr_null(vt_link_table_find_altname(&t, VT_NS_OWN, "p0"));
	ck_assert_ptr_null(vt_link_table_find_altname(&t, VT_NS_OWN, "uplink2"));
	/* As the kernel's name lookup: either. */
	ck_assert_int_eq(vt_link_table_resolve(&t, VT_NS_OWN, "enx525400123456")->ifindex, 3);
	ck_assert_int_eq(vt_link_table_resolve(&t, VT_NS_OWN, "enp0s3")->ifindex, 3);
	ck_assert_int_eq(vt_link_table_resolve(&t, VT_NS_OWN, "uplink2")->ifindex, 4);
	ck_assert_ptr_null(vt_link_table_resolve(&t, VT_NS_OWN, "uplink3"));
	ck_assert_str_eq(vt_link_table_find_ifindex(&t, VT_NS_OWN, 3)->altnames[1], LONGEST);

	/* Kept from events: a put or a drop makes the lookups wait for the index. */
	{
		struct vt_link l = { .ifindex = 2 };

		strcpy(l.name, "p0");
		ck_assert_int_eq(vt_link_table_put(&t, &l), 0);	/* "uplink" removed */
	}
	ck_assert_ptr_null(vt_link_table_find_altname(&t, VT_NS_OWN, "uplink"));
	vt_link_table_drop(&t, VT_NS_OWN, 3);
	ck_assert_int_eq(vt_link_table_index(&t), 0);
	ck_assert_ptr_null(vt_link_table_resolve(&t, VT_NS_OWN, "uplink"));
	ck_assert_ptr_null(vt_link_table_resolve(&t, VT_NS_OWN, LONGEST));
	ck_assert_uint_eq(t.n_by_altname, 0);
	ck_assert_ptr_null(t.by_altname);	/* none: nothing allocated for them */
	vt_link_table_clear(&t);
}
END_TEST

START_TEST(test_altnames_owned_and_copied)
{
	struct vt_link_table t = { 0 }, copy = { 0 };
	struct vt_link l = { .ifindex = 7 }, dup;
	char too_long[VT_ALTIFNAMSIZ + 1];

	memset(too_long, 'x', VT_ALTIFNAMSIZ);
	too_long[VT_ALTIFNAMSIZ] = '\0';
	ck_assert_int_eq(vt_link_set_altnames(&l, (char *[]){ "a", too_long }, 2), -EINVAL);
	ck_assert_ptr_null(l.altnames);
	ck_assert_int_eq(vt_link_set_altnames(&l, (char *[]){ "first", "second" }, 2), 0);
	/* Set again: the old ones are freed (a leak would show under ASan). */
	ck_assert_int_eq(vt_link_set_altnames(&l, (char *[]){ "only" }, 1), 0);
	ck_assert_uint_eq(l.n_altnames, 1);

	ck_assert_int_eq(vt_link_copy(&dup, &l), 0);
	ck_assert_ptr_ne(dup.altnames, l.altnames);
	ck_assert_str_eq(dup.altnames[0], "only");
	vt_link_release(&l);
	ck_assert_ptr_null(l.altnames);
	ck_assert_uint_eq(l.n_altnames, 0);
	strcpy(dup.name, "d7");
	ck_assert_int_eq(vt_link_table_add(&t, &dup), 0);
	ck_assert_int_eq(vt_link_table_index(&t), 0);

	ck_assert_int_eq(vt_link_table_copy(&copy, &t), 0);
	vt_link_table_clear(&t);
	ck_assert_int_eq(vt_link_table_find_altname(&copy, VT_NS_OWN, "only")->ifindex, 7);
	vt_link_table_clear(&copy);
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
	tcase_add_test(tc, test_altnames_lookup);
	tcase_add_test(tc, test_altnames_owned_and_copied);
	tcase_add_test(tc, test_egress_normalize);
	tcase_add_test(tc, test_protocol_name);
	suite_add_tcase(s, tc);
	return s;
}
