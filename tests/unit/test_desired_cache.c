// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The desired state's cache: a load of the very same bytes reads it and gets
 * what parsing gives; any other bytes, an invalid state or a broken cache are
 * parsed as without it.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "tmpdir.h"
#include "vt_desired.h"

static struct ut_tmpdir conf, state;

static void setup(void)
{
	ut_tmpdir_make(&conf, "cache-conf");
	ut_tmpdir_make(&state, "cache-state");
}

static void teardown(void)
{
	ut_tmpdir_remove(&conf);
	ut_tmpdir_remove(&state);
}

static void put(const char *name, const char *text)
{
	int fd = openat(conf.fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* QinQ across two files, every kind of value a subport holds. */
static const char outer_doc[] =
	"{\"version\": 1, \"trunks\": [{\"name\": \"outer\", \"parent\": \"eth0\", \"subports\": ["
	"{\"name\": \"o100\", \"vlan\": 100, \"protocol\": \"802.1ad\", \"mtu\": 1496,"
	" \"mac\": \"02:00:00:00:00:01\", \"gvrp\": true, \"reorder_hdr\": false,"
	" \"egress_qos\": {\"1\": 2, \"5\": 7}, \"ingress_qos\": {\"3\": 4}},"
	"{\"name\": \"o200\", \"vlan\": 200, \"netns\": \"blue\", \"ipv6\": true, \"up\": false}]}]}";
static const char inner_doc[] =
	"{\"version\": 1, \"trunks\": [{\"name\": \"inner\", \"parent\": \"o100\","
	" \"admin_state_up\": false, \"subports\": [{\"name\": \"i7\", \"vlan\": 7,"
	" \"master\": \"br0\"}]}]}";

static int load(struct vt_desired *d, struct vt_diags *diags, bool cached)
{
	memset(d, 0, sizeof(*d));
	memset(diags, 0, sizeof(*diags));
	return vt_desired_load_cached(conf.path, cached ? state.path : NULL, d, diags);
}

static void same_subport(const struct vt_subport *a, const struct vt_subport *b)
{
	ck_assert_str_eq(a->name, b->name);
	ck_assert_uint_eq(a->vlan, b->vlan);
	ck_assert_uint_eq(a->protocol, b->protocol);
	ck_assert_int_eq(a->up, b->up);
	ck_assert_int_eq(a->adopt, b->adopt);
	ck_assert_int_eq(a->ipv6, b->ipv6);
	ck_assert_uint_eq(a->vlan_flags, b->vlan_flags);
	for (unsigned int pcp = 0; pcp <= VT_PCP_MAX; pcp++)
		ck_assert_uint_eq(vt_subport_ingress(a, pcp), vt_subport_ingress(b, pcp));
	ck_assert(!a->ingress == !b->ingress);
	ck_assert_uint_eq(a->n_egress, b->n_egress);
	if (a->n_egress)
		ck_assert_int_eq(memcmp(a->egress, b->egress, a->n_egress * sizeof(*a->egress)), 0);
	ck_assert_uint_eq(a->managed, b->managed);
	ck_assert_uint_eq(a->mtu, b->mtu);
	ck_assert_int_eq(memcmp(a->mac, b->mac, sizeof(a->mac)), 0);
	ck_assert_str_eq(a->master, b->master);
	ck_assert_int_eq(!a->netns, !b->netns);
	if (a->netns)
		ck_assert_str_eq(a->netns, b->netns);
}

static void same(const struct vt_desired *a, const struct vt_desired *b)
{
	ck_assert_uint_eq(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_files; i++)
		ck_assert_str_eq(a->files[i], b->files[i]);
	ck_assert_uint_eq(a->n_trunks, b->n_trunks);
	for (size_t i = 0; i < a->n_trunks; i++) {
		const struct vt_trunk *x = &a->trunks[i], *y = &b->trunks[i];

		ck_assert_str_eq(x->name, y->name);
		ck_assert_str_eq(x->parent, y->parent);
		ck_assert_int_eq(x->admin_state_up, y->admin_state_up);
		ck_assert_str_eq(x->file, y->file);
		ck_assert_int_eq(x->outer, y->outer);
		ck_assert_uint_eq(x->depth, y->depth);
		ck_assert_uint_eq(x->n_subports, y->n_subports);
		for (size_t j = 0; j < x->n_subports; j++)
			same_subport(&x->subports[j], &y->subports[j]);
	}
}

START_TEST(test_same_bytes_read_from_the_cache)
{
	struct vt_desired parsed, first, again;
	struct vt_diags diags;

	put("a.json", outer_doc);
	put("b.json", inner_doc);
	ck_assert_int_eq(load(&parsed, &diags, false), 0);
	vt_diag_free(&diags);
	ck_assert_int_eq(load(&first, &diags, true), 0);
	vt_diag_free(&diags);
	ck_assert(!first.cached);
	ck_assert_int_eq(load(&again, &diags, true), 0);
	vt_diag_free(&diags);
	ck_assert(again.cached);
	ck_assert_int_eq(again.trunks[1].outer, 0);
	ck_assert_uint_eq(again.trunks[1].depth, 1);
	same(&parsed, &first);
	same(&parsed, &again);
	vt_desired_free(&parsed);
	vt_desired_free(&first);
	vt_desired_free(&again);
}
END_TEST

/* One byte changed, a file added: parsed again, and the new state kept. */
START_TEST(test_other_bytes_parsed)
{
	struct vt_desired d;
	struct vt_diags diags;
	char changed[sizeof(inner_doc)];

	put("a.json", outer_doc);
	put("b.json", inner_doc);
	ck_assert_int_eq(load(&d, &diags, true), 0);
	vt_desired_free(&d);
	vt_diag_free(&diags);
	memcpy(changed, inner_doc, sizeof(changed));
	memcpy(strstr(changed, "\"vlan\": 7"), "\"vlan\": 8", 9);	/* the same length */
	put("b.json", changed);
	ck_assert_int_eq(load(&d, &diags, true), 0);
	ck_assert(!d.cached);
	ck_assert_uint_eq(d.trunks[1].subports[0].vlan, 8);
	vt_desired_free(&d);
	vt_diag_free(&diags);
	ck_assert_int_eq(load(&d, &diags, true), 0);
	ck_assert(d.cached);
	ck_assert_uint_eq(d.trunks[1].subports[0].vlan, 8);
	vt_desired_free(&d);
	vt_diag_free(&diags);
	put("c.json", "{\"version\": 1, \"trunks\": [{\"name\": \"third\", \"parent\": \"eth1\"}]}");
	ck_assert_int_eq(load(&d, &diags, true), 0);
	ck_assert(!d.cached);
	ck_assert_uint_eq(d.n_trunks, 3);
	vt_desired_free(&d);
	vt_diag_free(&diags);
}
END_TEST

/* An invalid state is never kept, nor is the last valid one taken for it. */
START_TEST(test_invalid_never_cached)
{
	struct vt_desired d;
	struct vt_diags diags;

	put("a.json", outer_doc);
	ck_assert_int_eq(load(&d, &diags, true), 0);
	vt_desired_free(&d);
	vt_diag_free(&diags);
	put("a.json", "{\"version\": 1, \"trunks\": [{\"name\": \"outer\"}]}");
	for (int round = 0; round < 2; round++) {
		ck_assert_int_eq(load(&d, &diags, true), -EINVAL);
		ck_assert_uint_ge(diags.n, 1);
		ck_assert_uint_eq(d.n_trunks, 0);
		vt_diag_free(&diags);
	}
	/* Back to the bytes the cache holds: read from it again. */
	put("a.json", outer_doc);
	ck_assert_int_eq(load(&d, &diags, true), 0);
	ck_assert(d.cached);
	vt_desired_free(&d);
	vt_diag_free(&diags);
}
END_TEST

/* A cache cut short or scribbled on is a miss, never a wrong state. */
START_TEST(test_broken_cache_is_a_miss)
{
	struct vt_desired parsed, d;
	struct vt_diags diags;
	struct stat st;
	int fd;

	put("a.json", outer_doc);
	put("b.json", inner_doc);
	ck_assert_int_eq(load(&parsed, &diags, false), 0);
	vt_diag_free(&diags);
	ck_assert_int_eq(load(&d, &diags, true), 0);
	vt_desired_free(&d);
	vt_diag_free(&diags);
	ck_assert_int_eq(fstatat(state.fd, "desired.cache", &st, 0), 0);
	for (off_t cut = st.st_size - 1; cut > 0; cut = cut * 2 / 3) {
		fd = openat(state.fd, "desired.cache", O_WRONLY | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ftruncate(fd, cut), 0);
		close(fd);
		ck_assert_int_eq(load(&d, &diags, true), 0);
		ck_assert(!d.cached);	/* and it is written whole again */
		same(&parsed, &d);
		vt_desired_free(&d);
		vt_diag_free(&diags);
		ck_assert_int_eq(load(&d, &diags, true), 0);
		ck_assert(d.cached);
		vt_desired_free(&d);
		vt_diag_free(&diags);
	}
	/* Another build's layout: the magic's last byte stands for it. */
	fd = openat(state.fd, "desired.cache", O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "X", 1, 6), 1);
	close(fd);
	ck_assert_int_eq(load(&d, &diags, true), 0);
	ck_assert(!d.cached);
	same(&parsed, &d);
	vt_desired_free(&d);
	vt_diag_free(&diags);
	vt_desired_free(&parsed);
}
END_TEST

/* A state dir that is not there: parsed, no error. */
START_TEST(test_no_cache_dir)
{
	struct vt_desired d = { 0 };
	struct vt_diags diags = { 0 };

	put("a.json", outer_doc);
	ck_assert_int_eq(vt_desired_load_cached(conf.path, "/nonexistent/vt-state", &d, &diags), 0);
	ck_assert(!d.cached);
	ck_assert_uint_eq(d.n_trunks, 1);
	vt_desired_free(&d);
	vt_diag_free(&diags);
}
END_TEST

Suite *desired_cache_suite(void)
{
	Suite *s = suite_create("desired_cache");
	TCase *tc = tcase_create("desired_cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_same_bytes_read_from_the_cache);
	tcase_add_test(tc, test_other_bytes_parsed);
	tcase_add_test(tc, test_invalid_never_cached);
	tcase_add_test(tc, test_broken_cache_is_a_miss);
	tcase_add_test(tc, test_no_cache_dir);
	suite_add_tcase(s, tc);
	return s;
}
