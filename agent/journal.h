/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The write-ahead journal of one transaction: every device it will touch,
 * with its full before-image (or, for a device it creates, the identity the
 * device will have). Written whole, and on disk, before the first request.
 */
#ifndef VT_JOURNAL_H
#define VT_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vt_link.h"

enum vt_entry_state {
	VT_ENTRY_PRESENT,		/* existed: restore it to .image */
	VT_ENTRY_ABSENT,		/* created by the transaction: delete it */
};

struct vt_journal_entry {
	enum vt_entry_state state;
	/* PRESENT: the whole device. ABSENT: ifindex, name, kind, vlan id and protocol. */
	struct vt_link image;
	char parent_name[VT_IFNAMSIZ];
	char master_name[VT_IFNAMSIZ];
	unsigned int depth;		/* QinQ nesting, for the order of restoring */
};

struct vt_journal {
	char id[64];
	/*
	 * The device group the transaction creates its devices in, until each is
	 * marked (0: none). It lets a rollback delete them in one request.
	 */
	uint32_t group;
	char **trunks;			/* the transaction's trunks, for status (BUILD) */
	size_t n_trunks;
	struct vt_journal_entry *entries;
	size_t n_entries, cap;
};

/** vt_journal_add_trunk - name a trunk of the transaction. 0 or -ENOMEM. */
int vt_journal_add_trunk(struct vt_journal *j, const char *trunk);

/**
 * vt_journal_add - record @image (copied, egress map included) with @state.
 * 0 or -ENOMEM.
 */
int vt_journal_add(struct vt_journal *j, enum vt_entry_state state, const struct vt_link *image,
		   const char *parent_name, const char *master_name, unsigned int depth);

/**
 * vt_journal_write - replace the journal in @dirfd atomically (temp file,
 * fsync, rename, fsync of the directory): on disk whole before this returns.
 */
int vt_journal_write(int dirfd, const struct vt_journal *j);

/** vt_journal_read - -ENOENT when there is none, -EBADMSG when it is unreadable. */
int vt_journal_read(int dirfd, struct vt_journal *j);

/** vt_journal_remove - unlink it and fsync the directory. Missing is fine. */
int vt_journal_remove(int dirfd);

/** vt_journal_free - free what @j holds; it becomes empty. */
void vt_journal_free(struct vt_journal *j);

#endif
