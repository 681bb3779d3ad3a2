/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection for kernel tests, linked only into build/vlantrunk-faulty
 * with -Wl,--wrap=vt_nl_send_batch and -Wl,--wrap=vt_nl_set_ipv6_disabled:
 * the installed vlantrunk has none of it.
 *
 *   VT_FAULT=fail:K:ERRNO    the K-th mutating request fails with ERRNO
 *                            (not sent; the rest of its batch still runs,
 *                            as the kernel would run it)
 *   VT_FAULT=kill-before:K   SIGKILL right before the K-th request
 *   VT_FAULT=kill-after:K    SIGKILL right after the K-th request
 *   VT_FAULT=sh:K:COMMAND    run COMMAND (sh -c; no commas) right before the
 *                            K-th request, then send it as usual: the world
 *                            changing under a transaction
 *   VT_FAULT=F1,F2,...       several of these in one process (at most 8),
 *                            e.g. fail:3:16,fail:9:22,kill-before:14; when
 *                            two name the same K the first one listed acts
 *
 * Requests are counted from 1 over the whole process, rollback and recovery
 * included; the count is printed on stderr at exit as "faulty: N requests".
 * A disable_ipv6 write (a sysctl, not rtnetlink) is a request too: it changes
 * the kernel as part of a transaction, and fails or is killed around like one.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt_netlink.h"

int __real_vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch);
int __real_vt_nl_set_ipv6_disabled(struct vt_nl *nl, uint16_t ns, const char *name,
				    bool disabled);

#define MAX_FAULTS 8

enum kind { FAIL, KILL_BEFORE, KILL_AFTER, SHELL };

struct fault {
	enum kind kind;
	size_t k;
	int err;
	char command[256];
};

/* Test-only process state: a counter the wrapped calls share, and the faults. */
static size_t sent;
static struct fault faults[MAX_FAULTS];
static size_t n_faults;

static void report(void)
{
	/* What the program printed first: a test reading both must not find this inside a line. */
	fflush(stdout);
	fprintf(stderr, "faulty: %zu requests\n", sent);
}

static void bad_spec(const char *spec)
{
	fprintf(stderr, "faulty: bad VT_FAULT '%s'\n", spec);
	exit(125);
}

static int parse_one(const char *item, struct fault *f)
{
	int end = 0;

	if (sscanf(item, "fail:%zu:%d%n", &f->k, &f->err, &end) == 2 && !item[end])
		f->kind = FAIL;
	else if (end = 0, sscanf(item, "kill-before:%zu%n", &f->k, &end) == 1 && !item[end])
		f->kind = KILL_BEFORE;
	else if (end = 0, sscanf(item, "kill-after:%zu%n", &f->k, &end) == 1 && !item[end])
		f->kind = KILL_AFTER;
	else if (end = 0, sscanf(item, "sh:%zu:%n", &f->k, &end) == 1 && end &&
		 strlen(item + end) < sizeof(f->command))
		f->kind = SHELL, strcpy(f->command, item + end);
	else
		return -1;
	return f->k ? 0 : -1;
}

/* Parsed once, before main(): a bad spec fails the run before any request. */
static void __attribute__((constructor)) setup(void)
{
	const char *spec = getenv("VT_FAULT");
	char *copy, *item, *save = NULL;

	atexit(report);
	if (!spec)
		return;
	copy = strdup(spec);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
		if (n_faults == MAX_FAULTS || parse_one(item, &faults[n_faults++]))
			bad_spec(spec);
	free(copy);
	if (!n_faults)
		bad_spec(spec);
}

/* The first fault listed whose K falls in requests [from, to), or NULL. */
static const struct fault *next_fault(size_t from, size_t to)
{
	const struct fault *best = NULL;

	for (size_t i = 0; i < n_faults; i++)
		if (faults[i].k > from && faults[i].k <= to && (!best || faults[i].k < best->k))
			best = &faults[i];
	return best;
}

static void die(size_t k)
{
	sent = k;
	fflush(NULL);
	kill(getpid(), SIGKILL);
}

int __wrap_vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch)
{
	size_t n = vt_batch_count(batch), pos = 0;
	const struct fault *f = next_fault(sent, sent + n);
	int ret = 0;

	if (!f) {
		sent += n;
		return __real_vt_nl_send_batch(nl, batch);
	}
	for (size_t i = 0; i < n; i++)
		vt_batch_set_result(batch, i, &(struct vt_req_result){ .state = VT_REQ_QUEUED, .message = "" });
	/* Run the batch piecewise: each fault cuts it where its request sits. */
	for (; f && !ret; f = next_fault(f->k, sent + n)) {
		size_t local = f->k - sent - 1;
		struct vt_req_result injected = { .state = VT_REQ_ANSWERED, .error = -abs(f->err),
						  .message = "injected failure" };

		ret = vt_nl_send_batch_part(nl, batch, pos, f->kind == KILL_AFTER ? local + 1 : local);
		if (f->kind == SHELL) {
			fflush(NULL);
			if (system(f->command) != 0)
				fprintf(stderr, "faulty: '%s' failed\n", f->command);
			pos = local;
			continue;
		}
		if (f->kind != FAIL)
			die(f->k);
		vt_batch_set_result(batch, local, &injected);
		pos = local + 1;
	}
	if (!ret)
		ret = vt_nl_send_batch_part(nl, batch, pos, n);
	sent += n;
	return ret;
}

int __wrap_vt_nl_set_ipv6_disabled(struct vt_nl *nl, uint16_t ns, const char *name, bool disabled)
{
	const struct fault *f = next_fault(sent, sent + 1);
	int ret;

	if (f && (f->kind == KILL_BEFORE))
		die(f->k);
	if (f && f->kind == SHELL) {
		fflush(NULL);
		if (system(f->command) != 0)
			fprintf(stderr, "faulty: '%s' failed\n", f->command);
	}
	if (f && f->kind == FAIL) {
		sent++;
		return -abs(f->err);
	}
	ret = __real_vt_nl_set_ipv6_disabled(nl, ns, name, disabled);
	sent++;
	if (f && f->kind == KILL_AFTER)
		die(f->k);
	return ret;
}

/* The linker wraps by name only: a wrapper that drifts from the real signature must not build. */
_Static_assert(__builtin_types_compatible_p(__typeof__(&__wrap_vt_nl_send_batch),
					    __typeof__(&vt_nl_send_batch)),
	       "__wrap_vt_nl_send_batch has vt_nl_send_batch's type");
_Static_assert(__builtin_types_compatible_p(__typeof__(&__wrap_vt_nl_set_ipv6_disabled),
					    __typeof__(&vt_nl_set_ipv6_disabled)),
	       "__wrap_vt_nl_set_ipv6_disabled has vt_nl_set_ipv6_disabled's type");
