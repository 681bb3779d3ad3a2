/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection for kernel tests, linked only into build/vlantrunk-faulty
 * with -Wl,--wrap=vt_nl_send_batch: the installed vlantrunk has none of it.
 *
 *   VT_FAULT=fail:K:ERRNO    the K-th mutating request fails with ERRNO
 *                            (not sent; the rest of its batch still runs,
 *                            as the kernel would run it)
 *   VT_FAULT=kill-before:K   SIGKILL right before the K-th request
 *   VT_FAULT=kill-after:K    SIGKILL right after the K-th request
 *
 * Requests are counted from 1 over the whole process, rollback included; the
 * count is printed on stderr at exit as "faulty: N requests".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt_netlink.h"

int __real_vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch);

/* Test-only process state: a counter the wrapped calls share. */
static size_t sent;

enum fault { NONE, FAIL, KILL_BEFORE, KILL_AFTER };

static void report(void)
{
	fprintf(stderr, "faulty: %zu requests\n", sent);
}

static void __attribute__((constructor)) report_at_exit(void)
{
	atexit(report);
}

static enum fault parse(size_t *k, int *err)
{
	const char *spec = getenv("VT_FAULT");

	if (!spec)
		return NONE;
	if (sscanf(spec, "fail:%zu:%d", k, err) == 2)
		return FAIL;
	if (sscanf(spec, "kill-before:%zu", k) == 1)
		return KILL_BEFORE;
	if (sscanf(spec, "kill-after:%zu", k) == 1)
		return KILL_AFTER;
	fprintf(stderr, "faulty: bad VT_FAULT '%s'\n", spec);
	exit(125);
}

int __wrap_vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch)
{
	size_t n = vt_batch_count(batch), k = 0, local;
	struct vt_req_result injected = { .state = VT_REQ_ANSWERED };
	enum fault fault = parse(&k, &injected.error);
	int ret;

	if (fault == NONE || k <= sent || k > sent + n) {
		sent += n;
		return __real_vt_nl_send_batch(nl, batch);
	}
	local = k - sent - 1;
	for (size_t i = 0; i < n; i++)
		vt_batch_set_result(batch, i, &(struct vt_req_result){ .state = VT_REQ_QUEUED });
	ret = vt_nl_send_batch_part(nl, batch, 0, fault == KILL_AFTER ? local + 1 : local);
	if (fault != FAIL) {
		sent = k;
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
	injected.error = -abs(injected.error);
	snprintf(injected.message, sizeof(injected.message), "injected failure");
	vt_batch_set_result(batch, local, &injected);
	if (!ret)
		ret = vt_nl_send_batch_part(nl, batch, local + 1, n);
	sent += n;
	return ret;
}
