/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's log: the systemd journal when it runs under systemd, else stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "daemon_internal.h"

void vt_daemon_log(const struct vt_daemon *d, int priority, const char *fmt, ...)
{
	va_list ap;

	if (priority > LOG_NOTICE && d->cli.verbosity < 0)
		return;
	va_start(ap, fmt);
	if (!d->journal || !vt_systemd_log(&d->systemd, priority, fmt, ap)) {
		fprintf(stderr, "vlantrunk agent: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
