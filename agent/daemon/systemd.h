/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd.h - libsystemd for the agent, for agent/daemon/ only. Loaded when
 * the agent starts: it brings six more shared libraries, which every
 * one-shot command would otherwise load (and pay for, a third of a no-op
 * reconcile) without using.
 */
#ifndef VT_SYSTEMD_H
#define VT_SYSTEMD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

struct vt_systemd {
	void *lib;
	typeof(sd_notify) *notify;
	typeof(sd_journal_printv) *journal_printv;
	typeof(sd_watchdog_enabled) *watchdog_enabled;
};

/**
 * vt_systemd_load - dlopen libsystemd. Returns 0, or -ENOENT when it is not
 * there: then notifications go nowhere and logs go to stderr.
 */
int vt_systemd_load(struct vt_systemd *sd);

/** vt_systemd_unload - dlclose it; an unloaded one is fine. */
void vt_systemd_unload(struct vt_systemd *sd);

/** vt_systemd_notify - sd_notify() the formatted state, when there is a service manager. */
void vt_systemd_notify(const struct vt_systemd *sd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** vt_systemd_log - one journal entry; false, @ap untouched, when libsystemd is not loaded. */
bool vt_systemd_log(const struct vt_systemd *sd, int priority, const char *fmt, va_list ap);

/** vt_systemd_watchdog_us - the watchdog interval systemd asks for, or 0. */
uint64_t vt_systemd_watchdog_us(const struct vt_systemd *sd);

#endif
