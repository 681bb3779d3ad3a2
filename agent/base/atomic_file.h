/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent/base/: building blocks every folder of agent/ may use; they call
 * nothing above them.
 *
 * atomic_file.h - the one way agent/ replaces a file: write "<name>.tmp" in
 * the same directory, fsync it, rename it over <name>, fsync the directory.
 * A reader (and a crash) sees the old file or the new one, whole, never a
 * part; once a call returns 0 the new file survives a power cut. On any
 * failure after the temporary file was created it is unlinked, and <name> is
 * as it was. The journal, status.json and the metrics textfile use it.
 */
#ifndef VT_ATOMIC_FILE_H
#define VT_ATOMIC_FILE_H

#include <stdio.h>
#include <sys/types.h>

enum vt_atomic_file_flags {
	/*
	 * Refuse to replace an existing <name> (-EEXIST), atomically:
	 * renameat2(RENAME_NOREPLACE). A journal never goes over another.
	 */
	VT_ATOMIC_FILE_NOREPLACE = 1 << 0,
	/*
	 * The temporary file is "<name>.<pid>.tmp": for a file that processes
	 * not holding the state dir's lock write (two of them would truncate
	 * each other's "<name>.tmp" and rename a mix).
	 */
	VT_ATOMIC_FILE_OWN_TMP = 1 << 1,
};

/* Writes the whole content to @fd (or @f); 0 or a negative errno. Never closes it. */
typedef int vt_atomic_file_fill_fn(int fd, void *arg);
typedef int vt_atomic_file_print_fn(FILE *f, void *arg);

/**
 * vt_atomic_file_write - replace @name in the directory @dirfd (an fd opened
 * on the directory, for reading: it is fsynced) with what @fill writes to a
 * new file of @mode (less the umask), flags VT_ATOMIC_FILE_*. "<name>.tmp"
 * is created or truncated for it. 0, or a negative errno: @fill's own, or
 * that of the open, fsync or rename that failed.
 */
int vt_atomic_file_write(int dirfd, const char *name, mode_t mode, unsigned int flags,
			 vt_atomic_file_fill_fn *fill, void *arg);

/**
 * vt_atomic_file_print - the same, @print writing to a stdio stream; its
 * buffered output is flushed before the fsync, and a write error the stream
 * saw fails the call (-EIO when no errno tells more).
 */
int vt_atomic_file_print(int dirfd, const char *name, mode_t mode, unsigned int flags,
			 vt_atomic_file_print_fn *print, void *arg);

/**
 * vt_atomic_file_dir - the directory of @path opened for the two above (the
 * caller closes it), with *@name pointed at @path's last component: a file
 * given by its path is replaced in its own directory, so the rename never
 * crosses a file system. A negative errno when the directory cannot be
 * opened; -EISDIR when @path ends in '/', -ENOENT when it is empty.
 */
int vt_atomic_file_dir(const char *path, const char **name);

#endif
