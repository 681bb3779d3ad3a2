/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Preloaded into /usr/bin/linux.uml by scripts/sandbox, so that Debian 12's
 * User-Mode Linux (6.1) boots on hosts whose CPUs have a large XSAVE area.
 *
 * UML saves and restores a guest process's FPU state with
 * ptrace(PTRACE_GETREGSET/PTRACE_SETREGSET, NT_X86_XSTATE) and a buffer of its
 * own fixed size (struct _xstate: legacy area, header, AVX). The host kernel
 * truncates a GETREGSET to the buffer given, but refuses a SETREGSET whose
 * buffer is not exactly the host's whole XSAVE size (xstateregs_set() in
 * arch/x86/kernel/fpu/regset.c: `count != fpu_user_cfg.max_size` is EFAULT).
 * Where the CPU has AMX (its tile data alone is 8 KiB) that size is larger
 * than UML's buffer, UML's first SETREGSET fails ("ptrace set fp regs failed,
 * errno = 14") and its init is killed. Later UMLs size the buffer from CPUID;
 * Debian 12's does not.
 *
 * This shim answers both requests through a buffer of the host's size: a
 * GETREGSET returns the part that fits the caller's buffer, as the kernel
 * would; a SETREGSET reads the task's whole current state, lays the caller's
 * part over it and writes the whole back. What lies beyond UML's buffer
 * (AVX-512's upper registers, PKRU, AMX) is then the host task's own, kept
 * as it is: right for a guest process with one thread, which is what the
 * sandbox runs (UML switches threads of one process inside one host task;
 * there they would share those registers). Every other ptrace request, and
 * every other register set, goes to libc's ptrace() untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

/* Larger than any XSAVE area a CPU has today (AMX: about 11 KiB). */
#define XSTATE_MAX 65536

typedef long (*ptrace_fn)(enum __ptrace_request, pid_t, void *, void *);

static _Thread_local unsigned char whole[XSTATE_MAX] __attribute__((aligned(64)));

static ptrace_fn libc_ptrace(void)
{
	return (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
}

static long xstate_get(ptrace_fn real, pid_t pid, struct iovec *iov)
{
	struct iovec all = { .iov_base = whole, .iov_len = sizeof(whole) };
	long r = real(PTRACE_GETREGSET, pid, (void *)(unsigned long)NT_X86_XSTATE, &all);

	if (r < 0)
		return r;
	if (iov->iov_len > all.iov_len)
		iov->iov_len = all.iov_len;
	memcpy(iov->iov_base, whole, iov->iov_len);
	return 0;
}

static long xstate_set(ptrace_fn real, pid_t pid, struct iovec *iov)
{
	struct iovec all = { .iov_base = whole, .iov_len = sizeof(whole) };
	long r = real(PTRACE_GETREGSET, pid, (void *)(unsigned long)NT_X86_XSTATE, &all);

	if (r < 0 || iov->iov_len >= all.iov_len)
		return real(PTRACE_SETREGSET, pid, (void *)(unsigned long)NT_X86_XSTATE, iov);
	memcpy(whole, iov->iov_base, iov->iov_len);
	return real(PTRACE_SETREGSET, pid, (void *)(unsigned long)NT_X86_XSTATE, &all);
}

long ptrace(enum __ptrace_request request, ...)
{
	ptrace_fn real = libc_ptrace();
	va_list ap;
	pid_t pid;
	void *addr, *data;

	va_start(ap, request);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	if ((unsigned long)addr == NT_X86_XSTATE && data) {
		if (request == PTRACE_GETREGSET)
			return xstate_get(real, pid, data);
		if (request == PTRACE_SETREGSET)
			return xstate_set(real, pid, data);
	}
	return real(request, pid, addr, data);
}
