/* SPDX-License-Identifier: GPL-2.0-or-later */
/* import-neutron on documents shaped as `openstack network trunk show -f json` prints them. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/neutron.h"
#include "suites.h"
#include "vt_desired.h"

static json_t *import(const char *const *files, size_t n, const char *prefix, char *err)
{
	json_t *doc = NULL;
	int ret = vt_neutron_import(files, n, prefix, &doc, err, 512);

	return ret == 0 ? doc : NULL;
}

static json_t *trunk_at(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "trunks"), i);
}

START_TEST(test_import_one_and_a_list)
{
	const char *files[] = { "tests/neutron/trunk-a.json", "tests/neutron/trunks-list.json" };
	struct vt_desired d = { 0 };
	struct vt_diags diags = { 0 };
	char err[512] = "", *text;
	json_t *doc = import(files, 2, VT_NEUTRON_PREFIX, err), *t, *sp;

	ck_assert_msg(doc, "%s", err);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "trunks")), 3);
	t = trunk_at(doc, 0);
	ck_assert_str_eq(json_string_value(json_object_get(t, "name")),
			 "7d1b5b0e-3c2f-4a8e-9b7d-2f3c4d5e6f70");
	/* The Linux bridge agent's names: tap and 11 characters of the port id. */
	ck_assert_str_eq(json_string_value(json_object_get(t, "parent")), "tap4f2a9c1e-07");
	sp = json_array_get(json_object_get(t, "subports"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(sp, "name")), "tape5f60718-29");
	ck_assert_int_eq(json_integer_value(json_object_get(sp, "vlan")), 200);
	ck_assert(json_is_false(json_object_get(trunk_at(doc, 1), "admin_state_up")));
	ck_assert_int_eq(json_array_size(json_object_get(trunk_at(doc, 1), "subports")), 0);

	/* What it prints is a valid desired state. */
	text = json_dumps(doc, 0);
	ck_assert_int_eq(vt_desired_parse(text, strlen(text), "import", &d, &diags), 0);
	ck_assert_uint_eq(d.n_trunks, 3);
	ck_assert_uint_eq(d.trunks[2].subports[0].vlan, 4094);
	vt_desired_free(&d);
	vt_diag_free(&diags);
	free(text);
	json_decref(doc);
}
END_TEST

START_TEST(test_prefix)
{
	const char *files[] = { "tests/neutron/trunk-a.json" };
	char err[512] = "";
	json_t *doc = import(files, 1, "qvo", err);

	ck_assert_msg(doc, "%s", err);
	ck_assert_str_eq(json_string_value(json_object_get(trunk_at(doc, 0), "parent")),
			 "qvo4f2a9c1e-07");
	json_decref(doc);
	/* 6 + 11 characters make no interface name. */
	ck_assert_ptr_null(import(files, 1, "toolong", err));
	ck_assert_ptr_nonnull(strstr(err, "too long"));
}
END_TEST

START_TEST(test_inherit_refused_with_reason)
{
	const char *files[] = { "tests/neutron/trunk-inherit.json" };
	char err[512] = "";

	ck_assert_ptr_null(import(files, 1, VT_NEUTRON_PREFIX, err));
	ck_assert_ptr_nonnull(strstr(err, "trunk-inherit.json"));
	ck_assert_ptr_nonnull(strstr(err, "inherit-trunk"));
	ck_assert_ptr_nonnull(strstr(err, "segmentation_type inherit"));
}
END_TEST

START_TEST(test_malformed_documents)
{
	const char *missing[] = { "tests/neutron/no-such-file.json" };
	const char *self[] = { "tests/unit/test_neutron.c" };
	char err[512] = "";

	ck_assert_ptr_null(import(missing, 1, VT_NEUTRON_PREFIX, err));
	ck_assert_ptr_nonnull(strstr(err, "no-such-file.json"));
	ck_assert_ptr_null(import(self, 1, VT_NEUTRON_PREFIX, err));
	/* A syntax error says where. */
	ck_assert_ptr_nonnull(strstr(err, "test_neutron.c:1:"));
}
END_TEST

Suite *neutron_suite(void)
{
	Suite *s = suite_create("neutron");
	TCase *tc = tcase_create("import");

	tcase_add_test(tc, test_import_one_and_a_list);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_inherit_refused_with_reason);
	tcase_add_test(tc, test_malformed_documents);
	suite_add_tcase(s, tc);
	return s;
}
