/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restore_internal.h - what the files of a restore share (restore.c puts
 * back, proof.c proves, recreate.c recreates): the restorer's state and the
 * helpers that send its requests and note what failed. For those three only.
 */
#ifndef VT_RESTORE_INTERNAL_H
#define VT_RESTORE_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/name_table.h"
#include "restore.h"

/* The deepest nesting a journal may hold (journal.c refuses more): proofs stop there too. */
#define MAX_DEPTH 64

struct vt_created {
	int ifindex;
	size_t entry;
};

struct restorer {
	struct vt_nl *nl;
	const struct vt_journal *j;
	struct vt_restore_report *rep;
	struct vt_link_table links;
	struct vt_batch *batch;
	int *chosen;			/* per entry: the ifindex it is recreated with, or 0 */
	bool *vanished;			/* per entry: gone with its parent, nothing to put back */
	bool *ipv6_first;		/* per entry: recreated down, to be up once IPv6 is set */
	unsigned int proof_depth;	/* proofs within proofs, up the parents */
	struct vt_name_table recreated;	/* the same, by name, for what is not in the dump yet */
	struct vt_created *created;	/* the entries of created devices, by ifindex */
	struct vt_name_table entry_names; /* every entry by its name and new name */
	size_t n_created;
	int next_ifindex;
};

/* Append to the text in @buf (of @len), cut short at its end. */
static inline void __attribute__((format(printf, 3, 4)))
appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	if (off < len)
		vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* Send what is queued; every failure is noted, and restoring goes on regardless. */
static inline int flush(struct restorer *r, size_t *counter)
{
	int ret = vt_nl_send_batch(r->nl, r->batch);

	for (size_t i = 0; i < vt_batch_count(r->batch); i++) {
		const struct vt_req_result *res = vt_batch_result(r->batch, i);

		if (res->state == VT_REQ_ANSWERED && !res->error)
			(*counter)++;
		else if (!r->rep->error[0])
			snprintf(r->rep->error, sizeof(r->rep->error), "%s%s%s",
				 strerror(res->error ? -res->error : EIO), res->message[0] ? ": " : "",
				 res->message);
	}
	vt_batch_reset(r->batch);
	return ret;
}

/* A device as a restore's messages name it: its name, and its namespace when not ours. */
struct label {
	char s[VT_IFNAMSIZ + 240];
};

static inline const char *label(const struct restorer *r, uint16_t ns, const char *name,
				struct label *buf)
{
	const struct vt_netns_name *n = ns ? vt_link_table_netns_slot(&r->links, ns) : NULL;

	if (!ns)
		return name;
	if (n)
		snprintf(buf->s, sizeof(buf->s), "%s in netns %.200s", name, n->path);
	else
		snprintf(buf->s, sizeof(buf->s), "%s in netns %u", name, (unsigned int)ns);
	return buf->s;
}

/* Whether @remains already says something of the device @who ("WHO: ..."). */
static inline bool said(const char *remains, const char *who)
{
	size_t n = strlen(who);

	for (const char *p = remains; (p = strstr(p, who)); p++)
		if ((p == remains || (p - remains >= 2 && p[-2] == ';' && p[-1] == ' ')) &&
		    p[n] == ':')
			return true;
	return false;
}

enum parent_fate { PARENT_THERE, PARENT_VANISHED, PARENT_NOT_RESTORED, PARENT_RENAMED };

/* A failed request or write, the first one noted (see flush()). */
static inline void note_error(struct restorer *r, int error, const char *fmt, const char *name)
{
	if (r->rep->error[0])
		return;
	snprintf(r->rep->error, sizeof(r->rep->error), fmt, name);
	appendf(r->rep->error, sizeof(r->rep->error), ": %s", strerror(-error));
}

/* disable_ipv6 of the device called @name as in @image; counted, or noted. */
static inline void put_disable_ipv6(struct restorer *r, uint16_t ns, const char *name,
				    const struct vt_ipv6 *image)
{
	int ret = vt_nl_set_ipv6_disabled(r->nl, ns, name, image->disabled);

	if (ret == 0)
		r->rep->changed++;
	else
		note_error(r, ret, "writing " VT_IPV6_CONF_DIR "/%s/disable_ipv6", name);
}


/*
 * proof.c: which device now is a journal entry's. Each reads r->links (the
 * dump as of the last request sent) and sends nothing.
 */

/** vt_proof_proven - @e's device if it is there and proven the journal's (restore.h), or NULL. */
const struct vt_link *vt_proof_proven(struct restorer *r, const struct vt_journal_entry *e);

/**
 * vt_proof_device_of - @e's device now: proven, or for a device the transaction
 * changed or deleted, one of its name exactly as its before-image, ifindex aside
 * (an earlier restore recreated it). NULL when there is none.
 */
const struct vt_link *vt_proof_device_of(struct restorer *r, const struct vt_journal_entry *e);

/**
 * vt_proof_parent_of - what became of the parent of @e (changed or deleted by
 * the transaction); *@ifindex set to it when PARENT_THERE.
 */
enum parent_fate vt_proof_parent_of(struct restorer *r, const struct vt_journal_entry *e,
				    int *ifindex);

/**
 * vt_proof_resolve - @e's before-image with @parent, its master as it is now,
 * and an MTU its parent as restored takes: what a restore puts back.
 */
void vt_proof_resolve(struct restorer *r, const struct vt_journal_entry *e, int parent,
		      struct vt_link *want);

/**
 * vt_proof_renamed_since - @l, proven @e's, has a name that neither its
 * before-image nor the transaction gave it: someone renamed it since.
 */
bool vt_proof_renamed_since(const struct vt_journal_entry *e, const struct vt_link *l);

/**
 * vt_proof_index_created - r->created from the journal, by ifindex, and
 * r->entry_names. 0 or -ENOMEM.
 */
int vt_proof_index_created(struct restorer *r);

/** vt_proof_journaled_create - @l is a device the transaction created, proven. */
bool vt_proof_journaled_create(struct restorer *r, const struct vt_link *l);

/**
 * vt_recreate_deleted (recreate.c) - recreate, outer first, every device the
 * transaction deleted that is not there, each marked and with its IPv6 state
 * before it is up; then, if anything was sent, r->links is dumped afresh.
 * Failures are noted in the report; 0, or a negative errno when memory or the kernel's dump failed.
 */
int vt_recreate_deleted(struct restorer *r);

#endif
