/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "systemd.h"

int vt_systemd_load(struct vt_systemd *sd)
{
	memset(sd, 0, sizeof(*sd));
	sd->lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!sd->lib)
		return -ENOENT;
	sd->notify = (typeof(sd->notify))dlsym(sd->lib, "sd_notify");
	sd->journal_printv = (typeof(sd->journal_printv))dlsym(sd->lib, "sd_journal_printv");
	sd->watchdog_enabled = (typeof(sd->watchdog_enabled))dlsym(sd->lib, "sd_watchdog_enabled");
	if (!sd->notify || !sd->journal_printv || !sd->watchdog_enabled) {
		vt_systemd_unload(sd);
		return -ENOENT;
	}
	return 0;
}

void vt_systemd_unload(struct vt_systemd *sd)
{
	if (sd->lib)
		dlclose(sd->lib);
	memset(sd, 0, sizeof(*sd));
}

void vt_systemd_notify(const struct vt_systemd *sd, const char *fmt, ...)
{
	char state[1024];
	va_list ap;

	if (!sd->notify)
		return;
	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	sd->notify(0, state);
}

bool vt_systemd_log(const struct vt_systemd *sd, int priority, const char *fmt, va_list ap)
{
	if (!sd->journal_printv)
		return false;
	sd->journal_printv(priority, fmt, ap);
	return true;
}

uint64_t vt_systemd_watchdog_us(const struct vt_systemd *sd)
{
	uint64_t us = 0;

	return sd->watchdog_enabled && sd->watchdog_enabled(0, &us) > 0 ? us : 0;
}
