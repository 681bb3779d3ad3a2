/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's log: the systemd journal when it runs under systemd, else stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"
#include "systemd.h"

void vt_log(const struct vt_log *lg, int priority, const char *fmt, ...)
{
	va_list ap;

	if (priority > LOG_NOTICE && lg->quiet)
		return;
	va_start(ap, fmt);
	if (!lg->journal || !vt_systemd_log(lg->systemd, priority, fmt, ap)) {
		fprintf(stderr, "vlantrunk agent: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
