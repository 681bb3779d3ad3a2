/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired_cache.c - the desired state as last loaded, kept beside the files it came
 * from, so that loading the same bytes again costs a read and a compare.
 *
 * Parsing is most of what a run costs when nothing is to be done: jansson
 * spends about 8,000 instructions per subport building and freeing its tree
 * (143M of a no-op's ~670M at 4 x 4094), where comparing 1 MB of input costs
 * a fraction of a million. Config management runs `vlantrunk reconcile` with
 * an unchanged state again and again; each of those runs reads the cache.
 *
 * The cache holds every input file's name and bytes: it is used only when
 * every file the load read is byte for byte what it was built from, and only
 * a valid state is ever written. It is written with the layout of this
 * build's structures and refused by any other. It is a file like status.json
 * in the state dir (root's, 0600); a cache that cannot be read, written, or
 * that does not match is no error: the files are parsed as without it.
 *
 * Layout (host byte order, no padding between parts), written and read in
 * one pass:
 *   struct head
 *   per input: uint64_t name_len, data_len; the name's bytes, the data
 *   per trunk: struct vt_trunk (pointers NULL), uint64_t its file's
 *     input index, then per subport: struct vt_subport, uint64_t the
 *     netns's length (0: none), its bytes, its egress entries
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "desired_internal.h"

#define CACHE_NAME "desired.cache"
#define CACHE_MAGIC "vtdsrd4"

struct head {
	char magic[8];
	uint32_t layout[4];
	uint64_t n_inputs, n_trunks, size;
};

/*
 * This build's structures, as far as the bytes can tell: their sizes and
 * where each field is. A change of what a field means with the same layout
 * must change CACHE_MAGIC.
 */
static void layout(uint32_t out[4])
{
	static const size_t offsets[] = {
		offsetof(struct vt_trunk, parent), offsetof(struct vt_trunk, admin_state_up),
		offsetof(struct vt_trunk, subports), offsetof(struct vt_trunk, n_subports),
		offsetof(struct vt_trunk, file), offsetof(struct vt_trunk, outer),
		offsetof(struct vt_trunk, depth), offsetof(struct vt_subport, vlan),
		offsetof(struct vt_subport, protocol), offsetof(struct vt_subport, up),
		offsetof(struct vt_subport, adopt), offsetof(struct vt_subport, ipv6),
		offsetof(struct vt_subport, vlan_flags), offsetof(struct vt_subport, ingress),
		offsetof(struct vt_subport, egress), offsetof(struct vt_subport, n_egress),
		offsetof(struct vt_subport, managed), offsetof(struct vt_subport, mtu),
		offsetof(struct vt_subport, mac), offsetof(struct vt_subport, master),
		offsetof(struct vt_subport, netns),
	};
	uint32_t hash = 2166136261u;	/* FNV-1a over the offsets */

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		hash = (hash ^ (uint32_t)offsets[i]) * 16777619u;
	out[0] = sizeof(struct vt_trunk);
	out[1] = sizeof(struct vt_subport);
	out[2] = sizeof(struct vt_qos_entry);
	out[3] = hash;
}


/*
 * The cache is read through one small buffer, never whole: in User-Mode
 * Linux a page touched for the first time costs about 80 us, and the cache
 * is as large as the input and the state's structures together.
 */
struct reader {
	FILE *f;
	uint64_t left;			/* bytes not yet read */
	char chunk[16384];
};

static bool get(struct reader *r, void *dst, uint64_t n)
{
	if (n > r->left || (n && fread(dst, 1, n, r->f) != n))
		return false;
	r->left -= n;
	return true;
}

static bool get_u64(struct reader *r, uint64_t *v)
{
	return get(r, v, sizeof(*v));
}

/* The next @n bytes are @want's. */
static bool same_bytes(struct reader *r, const char *want, uint64_t n)
{
	while (n) {
		size_t k = n < sizeof(r->chunk) ? n : sizeof(r->chunk);

		if (!get(r, r->chunk, k) || memcmp(r->chunk, want, k))
			return false;
		want += k;
		n -= k;
	}
	return true;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The inputs, as they are now, against the cache's. */
static bool same_inputs(struct reader *r, const struct vt_desired_input *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t name_len, data_len;

		if (!get_u64(r, &name_len) || !get_u64(r, &data_len) ||
		    name_len != strlen(in[i].file) || data_len != in[i].len ||
		    !same_bytes(r, in[i].file, name_len) || !same_bytes(r, in[i].buf, data_len))
			return false;
	}
	return true;
}

/* One subport, after its struct: its netns and egress map, owned from here on. */
static bool unpack_subport(struct reader *r, struct vt_subport *sp)
{
	size_t n_egress = sp->n_egress;
	bool ingress = sp->ingress;
	uint64_t len;

	sp->ingress = NULL;
	sp->egress = NULL;
	sp->n_egress = 0;
	sp->netns = NULL;
	if (!terminated(sp->name, sizeof(sp->name)) || !terminated(sp->master, sizeof(sp->master)) ||
	    n_egress > VT_DESIRED_MAX_EGRESS || !get_u64(r, &len) || len > VT_NETNS_PATH_MAX)
		return false;
	if (len && (!(sp->netns = calloc(1, len + 1)) || !get(r, sp->netns, len)))
		return false;
	if (ingress && (!(sp->ingress = malloc((VT_PCP_MAX + 1) * sizeof(*sp->ingress))) ||
			!get(r, sp->ingress, (VT_PCP_MAX + 1) * sizeof(*sp->ingress))))
		return false;
	if (n_egress && !(sp->egress = malloc(n_egress * sizeof(*sp->egress))))
		return false;
	sp->n_egress = n_egress;
	return !n_egress || get(r, sp->egress, n_egress * sizeof(*sp->egress));
}

/* Every trunk, each followed by its file and its subports, into @out. */
static bool unpack(struct reader *r, const struct head *h, const struct vt_desired_input *in,
		   struct vt_desired *out)
{
	out->files = calloc(h->n_inputs ? h->n_inputs : 1, sizeof(*out->files));
	out->trunks = calloc(h->n_trunks ? h->n_trunks : 1, sizeof(*out->trunks));
	if (!out->files || !out->trunks)
		return false;
	for (; out->n_files < h->n_inputs; out->n_files++)
		if (!(out->files[out->n_files] = strdup(in[out->n_files].file)))
			return false;
	for (size_t i = 0; i < h->n_trunks; i++) {
		struct vt_trunk *t = &out->trunks[i];
		uint64_t file;
		size_t n;

		if (!get(r, t, sizeof(*t)))
			return false;
		n = t->n_subports;
		/* Counted in @out from here: it owns only what is read into it. */
		t->subports = NULL;
		t->n_subports = 0;
		out->n_trunks = i + 1;
		if (!get_u64(r, &file) || file >= h->n_inputs || n > VT_DESIRED_MAX_TRUNK_SUBPORTS ||
		    !terminated(t->name, sizeof(t->name)) || !terminated(t->parent, sizeof(t->parent)))
			return false;
		t->file = out->files[file];
		if (n && !(t->subports = calloc(n, sizeof(*t->subports))))
			return false;
		for (size_t j = 0; j < n; j++) {
			if (!get(r, &t->subports[j], sizeof(t->subports[j])))
				return false;
			t->n_subports = j + 1;
			if (!unpack_subport(r, &t->subports[j]))
				return false;
		}
	}
	return r->left == 0;
}

bool vt_desired_cache_read(int dirfd, const struct vt_desired_input *in, size_t n_in,
			   struct vt_desired *out)
{
	struct reader *r = NULL;
	struct stat st;
	struct head h;
	uint32_t want[4];
	bool hit = false;
	int fd;

	if (dirfd < 0)
		return false;
	fd = openat(dirfd, CACHE_NAME, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	r = calloc(1, sizeof(*r));
	if (!r || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(r->f = fdopen(fd, "r"))) {
		close(fd);
		goto out;
	}
	r->left = (uint64_t)st.st_size;
	layout(want);
	if (!get(r, &h, sizeof(h)) || memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) ||
	    memcmp(h.layout, want, sizeof(want)) || h.size != (uint64_t)st.st_size ||
	    h.n_inputs != n_in || h.n_trunks > VT_DESIRED_MAX_TRUNKS)
		goto out;
	if (!same_inputs(r, in, n_in))
		goto out;
	hit = unpack(r, &h, in, out);
	out->cached = hit;
out:
	if (r && r->f)
		fclose(r->f);
	free(r);
	return hit;
}

struct writing {
	const struct vt_desired_input *in;
	size_t n_in;
	const struct vt_desired *d;
};

static int put(FILE *f, const void *src, size_t n)
{
	return n && fwrite(src, 1, n, f) != n ? -EIO : 0;
}

static int put_u64(FILE *f, uint64_t v)
{
	return put(f, &v, sizeof(v));
}

/* The size of what print() writes, for the head. */
static uint64_t measure(const struct writing *w)
{
	uint64_t size = sizeof(struct head);

	for (size_t i = 0; i < w->n_in; i++)
		size += 2 * sizeof(uint64_t) + strlen(w->in[i].file) + w->in[i].len;
	for (size_t i = 0; i < w->d->n_trunks; i++) {
		const struct vt_trunk *t = &w->d->trunks[i];

		size += sizeof(*t) + sizeof(uint64_t);
		for (size_t j = 0; j < t->n_subports; j++) {
			const struct vt_subport *sp = &t->subports[j];

			size += sizeof(*sp) + sizeof(uint64_t) + (sp->netns ? strlen(sp->netns) : 0) +
				(sp->ingress ? (VT_PCP_MAX + 1) * sizeof(*sp->ingress) : 0) +
				sp->n_egress * sizeof(*sp->egress);
		}
	}
	return size;
}

static int print(FILE *f, void *arg)
{
	const struct writing *w = arg;
	const struct vt_desired *d = w->d;
	struct head h = { .n_inputs = w->n_in, .n_trunks = d->n_trunks, .size = measure(w) };
	int ret;

	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	layout(h.layout);
	ret = put(f, &h, sizeof(h));
	for (size_t i = 0; i < w->n_in && !ret; i++)
		ret = put_u64(f, strlen(w->in[i].file)) ?: put_u64(f, w->in[i].len) ?:
		      put(f, w->in[i].file, strlen(w->in[i].file)) ?:
		      put(f, w->in[i].buf, w->in[i].len);
	for (size_t i = 0; i < d->n_trunks && !ret; i++) {
		const struct vt_trunk *t = &d->trunks[i];
		size_t file = 0;
		struct vt_trunk bare;

		while (file < d->n_files && d->files[file] != t->file)
			file++;
		/* No addresses of this process in the file: they mean nothing to the next. */
		memcpy(&bare, t, sizeof(bare));
		bare.subports = NULL;
		bare.file = NULL;
		ret = put(f, &bare, sizeof(bare)) ?: put_u64(f, file);
		for (size_t j = 0; j < t->n_subports && !ret; j++) {
			const struct vt_subport *sp = &t->subports[j];
			size_t len = sp->netns ? strlen(sp->netns) : 0;
			struct vt_subport sp_bare;

			memcpy(&sp_bare, sp, sizeof(sp_bare));
			/* Whether an ingress map follows: any non-NULL value says so. */
			sp_bare.ingress = sp->ingress ? (uint32_t *)(uintptr_t)1 : NULL;
			sp_bare.egress = NULL;
			sp_bare.netns = NULL;
			ret = put(f, &sp_bare, sizeof(sp_bare)) ?: put_u64(f, len) ?:
			      put(f, sp->netns, len) ?:
			      put(f, sp->ingress, sp->ingress ? (VT_PCP_MAX + 1) * sizeof(*sp->ingress) : 0) ?:
			      put(f, sp->egress, sp->n_egress * sizeof(*sp->egress));
		}
	}
	return ret;
}

int vt_desired_cache_write(int dirfd, const struct vt_desired_input *in, size_t n_in,
			   const struct vt_desired *d)
{
	struct writing w = { .in = in, .n_in = n_in, .d = d };

	if (dirfd < 0)
		return -EBADF;
	return vt_atomic_file_print(dirfd, CACHE_NAME, 0600, VT_ATOMIC_FILE_OWN_TMP, print, &w);
}
