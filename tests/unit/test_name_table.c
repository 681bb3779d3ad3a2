// SPDX-License-Identifier: GPL-2.0-or-later
/* The one sorted name table: every entry of a name, the lowest value first. */
#include <check.h>

#include "base/name_table.h"
#include "suites.h"

START_TEST(test_every_entry_of_a_name_in_value_order)
{
	struct vt_name_table t = { 0 };
	const struct vt_name_entry *hit;
	size_t n;

	/* Added in an order qsort need not keep: the lookup must not depend on it. */
	for (size_t i = 0; i < 40; i++)
		ck_assert_int_eq(vt_name_table_add(&t, i % 2 ? "eth0" : "eth1", 39 - i), 0);
	hit = vt_name_table_find(&t, "eth0", &n);
	ck_assert_ptr_nonnull(hit);
	ck_assert_uint_eq(n, 20);
	for (size_t i = 0; i < n; i++)
		ck_assert_uint_eq(hit[i].value, 2 * i);
	ck_assert_uint_eq(vt_name_table_get(&t, "eth1", 99), 1);
	ck_assert_uint_eq(vt_name_table_get(&t, "eth2", 99), 99);
	ck_assert_ptr_null(vt_name_table_find(&t, "eth2", &n));
	ck_assert_uint_eq(n, 0);
	/* Added after a lookup: sorted again before the next. */
	ck_assert_int_eq(vt_name_table_add(&t, "eth2", 7), 0);
	ck_assert_uint_eq(vt_name_table_get(&t, "eth2", 99), 7);
	vt_name_table_free(&t);
	ck_assert_uint_eq(t.n, 0);
}
END_TEST

/* A table added to in order needs no sort; one entry out of order makes it sort. */
START_TEST(test_in_order_then_out_of_order)
{
	static const char *const names[] = { "a", "b", "b", "c", "d" };
	struct vt_name_table t = { 0 };

	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(vt_name_table_add(&t, names[i], i), 0);
	ck_assert_uint_eq(t.sorted, 5);
	ck_assert_uint_eq(vt_name_table_get(&t, "b", 99), 1);
	/* After a lookup, in order again: still sorted; then one that is not. */
	ck_assert_int_eq(vt_name_table_add(&t, "e", 5), 0);
	ck_assert_uint_eq(t.sorted, 6);
	ck_assert_int_eq(vt_name_table_add(&t, "b", 0), 0);
	ck_assert_int_eq(vt_name_table_add(&t, "0", 7), 0);
	ck_assert_uint_eq(t.sorted, 6);
	ck_assert_uint_eq(vt_name_table_get(&t, "b", 99), 0);
	ck_assert_uint_eq(vt_name_table_get(&t, "0", 99), 7);
	ck_assert_uint_eq(vt_name_table_get(&t, "e", 99), 5);
	ck_assert_uint_eq(vt_name_table_get(&t, "a", 99), 0);
	vt_name_table_free(&t);
}
END_TEST

Suite *name_table_suite(void)
{
	Suite *s = suite_create("name_table");
	TCase *tc = tcase_create("name_table");

	tcase_add_test(tc, test_every_entry_of_a_name_in_value_order);
	tcase_add_test(tc, test_in_order_then_out_of_order);
	suite_add_tcase(s, tc);
	return s;
}
