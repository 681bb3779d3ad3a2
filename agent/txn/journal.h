/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.h - the write-ahead journal of one transaction, and the home of
 * its on-disk format: journal_write.c writes it and journal.c reads it (a
 * JSON document, version 2, its last member an FNV-1a checksum of every
 * byte before it; version 1, unsummed, is still read), and the file names
 * are the macros below. For txn/, run/ (recovery reads the journals) and the tests.
 *
 * The journal lists every device the transaction will touch, with its full
 * before-image (or, for a device it creates, the identity the device will
 * have). Written whole, and on disk, before the first request.
 *
 * Each transaction has a file of its own in the state dir, "journal-<id>",
 * so a journal whose rollback could not be verified is never overwritten by
 * the next transaction: it stays until a recovery verifies it. The file ends
 * in a checksum of everything before it: a journal with any byte changed, or
 * cut short, is refused as unreadable rather than acted on.
 */
#ifndef VT_JOURNAL_H
#define VT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt_link.h"

/* The format's version, and the key of its last member, the checksum. */
#define VT_JOURNAL_VERSION 2
#define VT_JOURNAL_SUM_KEY ",\"sum\":\""

/* A journal's file in the state dir: "journal-<id>", written as "journal-<id>.tmp". */
#define VT_JOURNAL_FILE_PREFIX "journal-"
#define VT_JOURNAL_FILE_LEGACY "journal"	/* version 1: one file for every transaction */

/*
 * A transaction's own device group carries this tag in its top byte, so a
 * journal cannot name as "ours" a group an operator uses (group 0, or any
 * group numbered as people number them).
 */
#define VT_JOURNAL_GROUP_TAG 0x7a000000u
#define VT_JOURNAL_GROUP_MASK 0xff000000u

enum vt_entry_state {
	VT_ENTRY_PRESENT,		/* existed: restore it to .image */
	VT_ENTRY_ABSENT,		/* created by the transaction: delete it */
};

struct vt_journal_entry {
	enum vt_entry_state state;
	/*
	 * PRESENT: the whole device. ABSENT: the identity the device is created
	 * with (ifindex, name, kind, vlan id and protocol) and, in .alias, the
	 * marker it gets once complete.
	 */
	struct vt_link image;
	char parent_name[VT_IFNAMSIZ];
	char master_name[VT_IFNAMSIZ];
	char new_name[VT_IFNAMSIZ];	/* PRESENT: the name the transaction gives it, or "" */
	unsigned int depth;		/* QinQ nesting, for the order of restoring */
};

/*
 * A network namespace a journaled device is in. A path alone could name
 * another namespace by the time a recovery reads it (`ip netns del` then
 * `add`, a pid reused): the nsfs file's device and inode numbers say which
 * namespace it was, and recovery finds it by them (vt_nl_netns_find()).
 */
struct vt_journal_netns {
	char *path;
	uint64_t dev, ino;
	uint64_t cookie;		/* SO_NETNS_COOKIE; 0: not known (the inode decides) */
};

struct vt_journal {
	char id[64];
	char file[96];			/* its file in the state dir */
	/*
	 * The device group the transaction creates its devices in, until each is
	 * marked (0: none; else tagged, see VT_JOURNAL_GROUP_TAG). It lets a
	 * rollback delete them in one request.
	 */
	uint32_t group;
	char **trunks;			/* the transaction's trunks: what it concerns */
	size_t n_trunks;
	struct vt_journal_entry *entries;
	size_t n_entries, cap;
	/*
	 * The namespaces of its devices: an entry's image.ns (and .parent_ns) k
	 * is netns[k - 1]; 0 is vlantrunk's own. The engine numbers them as its
	 * socket's slots; a recovery renumbers them as its own.
	 */
	struct vt_journal_netns *netns;
	size_t n_netns;
};

/** vt_journal_group_ours - whether @group is one a transaction may have picked. */
bool vt_journal_group_ours(uint32_t group);

/** vt_journal_add_trunk - name a trunk of the transaction. 0 or -ENOMEM. */
int vt_journal_add_trunk(struct vt_journal *j, const char *trunk);

/**
 * vt_journal_add - record @image (copied, egress map included) with @state;
 * returns the new entry for its other fields, or NULL on ENOMEM.
 */
struct vt_journal_entry *vt_journal_add(struct vt_journal *j, enum vt_entry_state state,
					const struct vt_link *image, const char *parent_name,
					const char *master_name, unsigned int depth);

/** vt_journal_add_netns - append a namespace (@path copied). 0 or -ENOMEM. */
int vt_journal_add_netns(struct vt_journal *j, const char *path, uint64_t dev, uint64_t ino,
			 uint64_t cookie);

/** vt_journal_concerns - whether the journal names @trunk. */
bool vt_journal_concerns(const struct vt_journal *j, const char *trunk);

/**
 * vt_journal_write (journal_write.c) - write "journal-<id>" in @dirfd atomically
 * (vt_atomic_file_write(): temp file, fsync, rename, fsync of the directory):
 * on disk whole before this returns. Sets j->file. -EEXIST when a journal of
 * that name is there: it is never written over.
 */
int vt_journal_write(int dirfd, struct vt_journal *j);

/**
 * vt_journal_read - read the journal @file of @dirfd. -ENOENT when there is
 * none, -EBADMSG when it is unreadable (malformed, cut short, checksum wrong).
 */
int vt_journal_read(int dirfd, const char *file, struct vt_journal *j);

/** vt_journal_free - free what @j holds; it becomes empty. */
void vt_journal_free(struct vt_journal *j);

#endif
