/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the journal reader: any bytes in a state dir's
 * journal must be read or refused, never crash, leak or overflow. What it
 * accepts must survive being written and read again unchanged, since that
 * is what a recovery interrupted by a second crash does.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "txn/journal.h"
#include "txn/journal_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int temp_dir(void)
{
	char path[] = "/tmp/vt-fuzz-journal.XXXXXX";

	if (!mkdtemp(path))
		abort();
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/*
 * The input is written as it is, and again with a valid checksum after it
 * (as the writer ends a journal), so that the parser behind the checksum is
 * fuzzed too, not only the checksum's refusal.
 */
static void put(int dirfd, const char *name, const uint8_t *data, size_t size, bool sum)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	uint64_t h = 1469598103934665603ULL;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	for (size_t i = 0; sum && i < size; i++) {
		h ^= data[i];
		h *= 1099511628211ULL;
	}
	if (sum && dprintf(fd, ",\"sum\":\"%016" PRIx64 "\"}\n", h) < 0)
		abort();
	close(fd);
}

static void same_entry(const struct vt_journal_entry *a, const struct vt_journal_entry *b)
{
	const struct vt_link *x = &a->image, *y = &b->image;

	if (a->state != b->state || a->depth != b->depth || strcmp(a->parent_name, b->parent_name) ||
	    x->ifindex != y->ifindex || strcmp(x->name, y->name) || strcmp(x->kind, y->kind) ||
	    strcmp(vt_link_alias(x), vt_link_alias(y)) || strcmp(a->new_name, b->new_name) ||
	    x->vlan.id != y->vlan.id || x->vlan.protocol != y->vlan.protocol)
		abort();
	if (a->state == VT_ENTRY_ABSENT)
		return;
	if (strcmp(a->master_name, b->master_name) || strcmp(vt_link_alias(x), vt_link_alias(y)) ||
	    x->mtu != y->mtu || x->up != y->up || x->group != y->group ||
	    x->has_mac != y->has_mac || memcmp(x->mac, y->mac, sizeof(x->mac)) ||
	    x->vlan.flags != y->vlan.flags ||
	    !vt_vlan_same_ingress(&x->vlan, &y->vlan) ||
	    x->vlan.n_egress != y->vlan.n_egress ||
	    (x->vlan.n_egress &&
	     memcmp(x->vlan.egress, y->vlan.egress, x->vlan.n_egress * sizeof(*x->vlan.egress))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in = -1, out = -1;
	struct vt_journal j, again;

	if (in < 0) {
		in = temp_dir();
		out = temp_dir();
	}
	put(in, "journal-raw", data, size, false);
	if (vt_journal_read(in, "journal-raw", &j) == 0)
		vt_journal_free(&j);
	put(in, "journal-summed", data, size, true);
	if (vt_journal_read(in, "journal-summed", &j) < 0)
		return 0;
	if (vt_journal_write(out, &j) < 0 || vt_journal_read(out, j.file, &again) < 0)
		abort();
	/* The writer never replaces a journal: make room for the next input's. */
	vt_journal_files_remove(out, j.file);
	if (strcmp(j.id, again.id) || j.group != again.group || j.n_trunks != again.n_trunks ||
	    j.n_entries != again.n_entries)
		abort();
	for (size_t i = 0; i < j.n_trunks; i++)
		if (strcmp(j.trunks[i], again.trunks[i]))
			abort();
	for (size_t i = 0; i < j.n_entries; i++)
		same_entry(&j.entries[i], &again.entries[i]);
	vt_journal_free(&again);
	vt_journal_free(&j);
	return 0;
}
