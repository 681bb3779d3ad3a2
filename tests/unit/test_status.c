// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A trunk's status, from one function: what a run reports, what status.json
 * records and what `status` shows afterwards must agree.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "run/last.h"
#include "run/status.h"
#include "run/world.h"
#include "suites.h"
#include "tmpdir.h"

static struct vt_trunk want = { .name = "t", .parent = "eth0", .admin_state_up = true };

static struct vt_trunk_report report(enum vt_trunk_status status)
{
	struct vt_trunk_report r = { .name = "t", .want = &want, .status = status,
				     .can_converge = true };

	snprintf(r.reason, sizeof(r.reason), "1 of 2 subports in sync (1 missing, 0 differ)");
	return r;
}

START_TEST(test_rollback_incomplete_says_what_remains)
{
	struct vt_trunk_report r = report(VT_TRUNK_DEGRADED);
	struct vt_txn txn = { .outcome = VT_TXN_ROLLBACK_INCOMPLETE };
	struct vt_status_facts f = { .txn = &txn, .ops = 2 };
	struct vt_trunk_outcome o;

	snprintf(txn.error, sizeof(txn.error), "creating t.10: Operation not permitted");
	snprintf(txn.remains, sizeof(txn.remains), "t.11 is still there");
	vt_status_trunk(&r, &f, &o);
	ck_assert_int_eq(o.status, VT_TRUNK_ERROR);
	ck_assert_str_eq(o.reason, "t.11 is still there");

	txn.outcome = VT_TXN_ROLLED_BACK;
	vt_status_trunk(&r, &f, &o);
	ck_assert_int_eq(o.status, VT_TRUNK_ERROR);
	ck_assert_str_eq(o.reason, "creating t.10: Operation not permitted");

	txn.outcome = VT_TXN_APPLIED;
	vt_status_trunk(&r, &f, &o);
	ck_assert_int_eq(o.status, VT_TRUNK_ACTIVE);
	want.admin_state_up = false;
	vt_status_trunk(&r, &f, &o);
	want.admin_state_up = true;
	ck_assert_int_eq(o.status, VT_TRUNK_DOWN);
	ck_assert_str_eq(o.reason, "admin_state_up is false");
}
END_TEST

START_TEST(test_atomic_refusal_and_writer_at_work)
{
	struct vt_trunk_report r = report(VT_TRUNK_DEGRADED);
	struct vt_status_facts f = { .ops = 1, .refused = "not applied (--atomic): ..." };
	struct vt_trunk_outcome o;

	vt_status_trunk(&r, &f, &o);
	ck_assert_int_eq(o.status, VT_TRUNK_ERROR);
	ck_assert_str_eq(o.reason, f.refused);
	/* Nothing to do for it: the refusal is not its. */
	f.ops = 0;
	vt_status_trunk(&r, &f, &o);
	ck_assert_int_eq(o.status, VT_TRUNK_DEGRADED);
	f.running = "1700000000-1-2-3";
	vt_status_trunk(&r, &f, &o);
	ck_assert_int_eq(o.status, VT_TRUNK_BUILD);
	ck_assert_str_eq(o.reason, "transaction 1700000000-1-2-3 is running");
}
END_TEST

/* What a failed run records is what `status` shows while the kernel is out of sync. */
START_TEST(test_recorded_failure_is_shown_while_out_of_sync)
{
	struct ut_tmpdir tmp;
	struct vt_trunk_report runs = report(VT_TRUNK_DEGRADED);
	struct vt_txn txn = { .outcome = VT_TXN_ROLLBACK_INCOMPLETE };
	struct vt_status_facts f = { .txn = &txn, .ops = 1 };
	struct vt_trunk_outcome o;
	struct vt_world w;
	struct vt_plan plan = { .trunks = &runs, .n_trunks = 1 };

	snprintf(txn.remains, sizeof(txn.remains), "t.11 is still there");
	vt_status_trunk(&runs, &f, &o);
	ut_tmpdir_make(&tmp, "status");
	vt_world_init(&w);
	w.sd.dirfd = tmp.fd;
	ck_assert_int_eq(vt_last_record(w.sd.dirfd, &plan, &o), 0);

	w.plan.trunks = calloc(1, sizeof(*w.plan.trunks));
	ck_assert_ptr_nonnull(w.plan.trunks);
	w.plan.n_trunks = 1;
	w.plan.trunks[0] = report(VT_TRUNK_DEGRADED);
	vt_status_world(&w);
	ck_assert_int_eq(w.plan.trunks[0].status, VT_TRUNK_ERROR);
	ck_assert_str_eq(w.plan.trunks[0].reason,
			 "the last reconcile failed and was not fully rolled back: t.11 is still there");
	/* The kernel has the last word: in sync, the trunk is ACTIVE whatever was recorded. */
	w.plan.trunks[0] = report(VT_TRUNK_ACTIVE);
	w.plan.trunks[0].reason[0] = '\0';
	vt_status_world(&w);
	ck_assert_int_eq(w.plan.trunks[0].status, VT_TRUNK_ACTIVE);
	ck_assert_int_eq(vt_status_exit(&w.plan), VT_EXIT_OK);

	free(w.plan.trunks);
	w.plan.trunks = NULL;
	w.plan.n_trunks = 0;
	/* The directory is the test's: the world must not close it. */
	w.sd.dirfd = -1;
	vt_world_free(&w);
	ut_tmpdir_remove(&tmp);
}
END_TEST

Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("status");

	tcase_add_test(tc, test_rollback_incomplete_says_what_remains);
	tcase_add_test(tc, test_atomic_refusal_and_writer_at_work);
	tcase_add_test(tc, test_recorded_failure_is_shown_while_out_of_sync);
	suite_add_tcase(s, tc);
	return s;
}
