/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal_files.h - the journal files of a state dir, by name (journal.h
 * says which): listed, the partial ones discarded, one removed. Reading and
 * writing a journal is journal.h's. For txn/, run/ and the tests.
 */
#ifndef VT_JOURNAL_FILES_H
#define VT_JOURNAL_FILES_H

#include <stddef.h>

struct vt_journal_files {
	char **names;			/* newest first */
	size_t n;
};

/**
 * vt_journal_files_list - the journal files of @dirfd, newest first (the legacy
 * single "journal" last). 0 or a negative errno.
 */
int vt_journal_files_list(int dirfd, struct vt_journal_files *files);

/** vt_journal_files_free - free what vt_journal_files_list() returned. */
void vt_journal_files_free(struct vt_journal_files *files);

/**
 * vt_journal_files_discard_partial - unlink the temporary files of journals whose
 * writing never finished: their transactions sent nothing. For the lock's
 * holder only. Returns how many, or a negative errno.
 */
int vt_journal_files_discard_partial(int dirfd);

/** vt_journal_files_remove - unlink @file and fsync the directory. Missing is fine. */
int vt_journal_files_remove(int dirfd, const char *file);

#endif
