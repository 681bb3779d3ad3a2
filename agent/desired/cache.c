/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache.c - the desired state as last loaded, kept beside the files it came
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
 * Layout (host byte order, no padding between parts):
 *   struct head
 *   per input: uint64_t name_len, data_len; the name's bytes, the data
 *   struct vt_trunk[n_trunks]      (pointers meaningless, set on reading)
 *   uint64_t trunk_file[n_trunks]  (its file's input index)
 *   struct vt_subport[n_subports]  (every trunk's, in order)
 *   uint64_t netns_len[n_subports] (0: no netns)
 *   struct vt_qos_entry[n_egress]  (every subport's, in order)
 *   the netns strings, concatenated, without their NULs
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "desired_internal.h"

#define CACHE_NAME "desired.cache"
#define CACHE_MAGIC "vtdsrd2"

struct head {
	char magic[8];
	uint32_t layout[4];
	uint64_t n_inputs, n_trunks, n_subports, n_egress, n_strings, size;
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

/* A cursor over the cache's bytes: takes fail (return NULL) past the end. */
struct cursor {
	char *p;
	size_t left;
};

static void *take(struct cursor *c, uint64_t n)
{
	void *at = c->p;

	if (n > c->left)
		return NULL;
	c->p += n;
	c->left -= n;
	return at;
}

static bool take_u64(struct cursor *c, uint64_t *v)
{
	void *at = take(c, sizeof(*v));

	if (at)
		memcpy(v, at, sizeof(*v));
	return at != NULL;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The inputs, as they are now, against the cache's. */
static bool same_inputs(struct cursor *c, const struct vt_desired_input *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t name_len, data_len;
		const char *name, *data;

		if (!take_u64(c, &name_len) || !take_u64(c, &data_len))
			return false;
		name = take(c, name_len);
		data = take(c, data_len);
		if (!name || !data || name_len != strlen(in[i].file) || data_len != in[i].len ||
		    memcmp(name, in[i].file, name_len) || memcmp(data, in[i].buf, data_len))
			return false;
	}
	return true;
}

/* The structures after the inputs into @out, every pointer set; false when they do not add up. */
static bool unpack(struct cursor *c, const struct head *h, const struct vt_desired_input *in,
		   struct vt_desired *out)
{
	struct vt_subport *subports;
	const struct vt_qos_entry *egress;
	const char *strings, *trunks;
	char *trunk_file, *netns_len;
	uint64_t n_sp = 0, n_eg = 0, n_str = 0;

	out->files = calloc(h->n_inputs ? h->n_inputs : 1, sizeof(*out->files));
	out->trunks = calloc(h->n_trunks ? h->n_trunks : 1, sizeof(*out->trunks));
	if (!out->files || !out->trunks)
		return false;
	for (; out->n_files < h->n_inputs; out->n_files++)
		if (!(out->files[out->n_files] = strdup(in[out->n_files].file)))
			return false;
	trunks = take(c, h->n_trunks * sizeof(struct vt_trunk));
	if (!trunks)
		return false;
	memcpy(out->trunks, trunks, h->n_trunks * sizeof(struct vt_trunk));
	trunk_file = take(c, h->n_trunks * sizeof(uint64_t));
	subports = take(c, h->n_subports * sizeof(*subports));
	netns_len = take(c, h->n_subports * sizeof(uint64_t));
	egress = take(c, h->n_egress * sizeof(*egress));
	strings = take(c, h->n_strings);
	if (!trunk_file || !subports || !netns_len || !egress || !strings || c->left)
		return false;
	/* Each trunk takes the next n_subports; until it holds them it owns none. */
	for (size_t i = 0; i < h->n_trunks; i++) {
		struct vt_trunk *t = &out->trunks[i];
		uint64_t file;

		memcpy(&file, trunk_file + i * sizeof(file), sizeof(file));
		t->file = file < h->n_inputs ? out->files[file] : NULL;
		if (!t->file || t->n_subports > h->n_subports - n_sp ||
		    !terminated(t->name, sizeof(t->name)) ||
		    !terminated(t->parent, sizeof(t->parent))) {
			t->subports = NULL;
			t->n_subports = 0;
			out->n_trunks = i;
			return false;
		}
		t->subports = t->n_subports ? calloc(t->n_subports, sizeof(*t->subports)) : NULL;
		if (t->n_subports && !t->subports) {
			t->n_subports = 0;
			out->n_trunks = i;
			return false;
		}
		out->n_trunks = i + 1;
		for (size_t j = 0; j < t->n_subports; j++) {
			struct vt_subport *sp = &t->subports[j];
			uint64_t len;

			*sp = subports[n_sp];
			memcpy(&len, netns_len + n_sp++ * sizeof(len), sizeof(len));
			sp->egress = NULL;
			sp->netns = NULL;
			if (sp->n_egress > h->n_egress - n_eg || len > h->n_strings - n_str ||
			    !terminated(sp->name, sizeof(sp->name)) ||
			    !terminated(sp->master, sizeof(sp->master))) {
				sp->n_egress = 0;
				return false;
			}
			if (sp->n_egress) {
				sp->egress = malloc(sp->n_egress * sizeof(*sp->egress));
				if (!sp->egress) {
					sp->n_egress = 0;
					return false;
				}
				memcpy(sp->egress, egress + n_eg, sp->n_egress * sizeof(*sp->egress));
				n_eg += sp->n_egress;
			}
			if (len && !(sp->netns = strndup(strings + n_str, len)))
				return false;
			n_str += len;
		}
	}
	return n_sp == h->n_subports && n_eg == h->n_egress && n_str == h->n_strings;
}

/* Read all of the cache file into a new buffer: 0 or a negative errno. */
static int slurp(int dirfd, char **buf, size_t *len)
{
	int fd = openat(dirfd, CACHE_NAME, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	ssize_t n = 0;
	int ret = 0;

	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct head)) {
		ret = -ENOENT;
		goto out;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len);
	if (!*buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t got = 0; got < *len; got += (size_t)n) {
		n = read(fd, *buf + got, *len - got);
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			ret = -EIO;
			goto out;
		}
	}
out:
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return ret;
}

bool vt_desired_cache_read(int dirfd, const struct vt_desired_input *in, size_t n_in,
			   struct vt_desired *out)
{
	struct cursor c;
	struct head h;
	uint32_t want[4];
	char *buf;
	size_t len;
	bool hit = false;

	if (dirfd < 0 || slurp(dirfd, &buf, &len) < 0)
		return false;
	c = (struct cursor){ .p = buf, .left = len };
	memcpy(&h, take(&c, sizeof(h)), sizeof(h));
	layout(want);
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) || memcmp(h.layout, want, sizeof(want)) ||
	    h.size != len || h.n_inputs != n_in || h.n_trunks > VT_DESIRED_MAX_TRUNKS ||
	    h.n_subports > VT_DESIRED_MAX_SUBPORTS || h.n_egress > VT_DESIRED_MAX_EGRESS_TOTAL ||
	    h.n_strings > len)
		goto out;
	if (!same_inputs(&c, in, n_in))
		goto out;
	hit = unpack(&c, &h, in, out);
	if (hit)
		out->cached = true;
	else
		vt_desired_free(out);
out:
	free(buf);
	return hit;
}

/* What the cache of @d from @in takes, and each part's count into @h. */
static size_t measure(const struct vt_desired_input *in, size_t n_in, const struct vt_desired *d,
		      struct head *h)
{
	size_t size = sizeof(*h);

	*h = (struct head){ .n_inputs = n_in, .n_trunks = d->n_trunks };
	memcpy(h->magic, CACHE_MAGIC, sizeof(h->magic));
	layout(h->layout);
	for (size_t i = 0; i < n_in; i++)
		size += 2 * sizeof(uint64_t) + strlen(in[i].file) + in[i].len;
	for (size_t i = 0; i < d->n_trunks; i++) {
		h->n_subports += d->trunks[i].n_subports;
		for (size_t j = 0; j < d->trunks[i].n_subports; j++) {
			const struct vt_subport *sp = &d->trunks[i].subports[j];

			h->n_egress += sp->n_egress;
			h->n_strings += sp->netns ? strlen(sp->netns) : 0;
		}
	}
	size += d->n_trunks * (sizeof(struct vt_trunk) + sizeof(uint64_t)) +
		h->n_subports * (sizeof(struct vt_subport) + sizeof(uint64_t)) +
		h->n_egress * sizeof(struct vt_qos_entry) + h->n_strings;
	h->size = size;
	return size;
}

static char *put(char *p, const void *src, size_t n)
{
	if (n)
		memcpy(p, src, n);
	return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
	return put(p, &v, sizeof(v));
}

static void pack(char *p, const struct head *h, const struct vt_desired_input *in, size_t n_in,
		 const struct vt_desired *d)
{
	p = put(p, h, sizeof(*h));
	for (size_t i = 0; i < n_in; i++) {
		p = put_u64(p, strlen(in[i].file));
		p = put_u64(p, in[i].len);
		p = put(p, in[i].file, strlen(in[i].file));
		p = put(p, in[i].buf, in[i].len);
	}
	p = put(p, d->trunks, d->n_trunks * sizeof(*d->trunks));
	for (size_t i = 0; i < d->n_trunks; i++) {
		size_t f = 0;

		while (f < d->n_files && d->files[f] != d->trunks[i].file)
			f++;
		p = put_u64(p, f);
	}
	for (size_t i = 0; i < d->n_trunks; i++)
		p = put(p, d->trunks[i].subports,
			d->trunks[i].n_subports * sizeof(*d->trunks[i].subports));
	for (size_t i = 0; i < d->n_trunks; i++)
		for (size_t j = 0; j < d->trunks[i].n_subports; j++) {
			const char *netns = d->trunks[i].subports[j].netns;

			p = put_u64(p, netns ? strlen(netns) : 0);
		}
	for (size_t i = 0; i < d->n_trunks; i++)
		for (size_t j = 0; j < d->trunks[i].n_subports; j++) {
			const struct vt_subport *sp = &d->trunks[i].subports[j];

			p = put(p, sp->egress, sp->n_egress * sizeof(*sp->egress));
		}
	for (size_t i = 0; i < d->n_trunks; i++)
		for (size_t j = 0; j < d->trunks[i].n_subports; j++) {
			const char *netns = d->trunks[i].subports[j].netns;

			if (netns)
				p = put(p, netns, strlen(netns));
		}
}

struct packed {
	const char *buf;
	size_t len;
};

static int fill(int fd, void *arg)
{
	const struct packed *pk = arg;

	for (size_t done = 0; done < pk->len;) {
		ssize_t n = write(fd, pk->buf + done, pk->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

int vt_desired_cache_write(int dirfd, const struct vt_desired_input *in, size_t n_in,
			   const struct vt_desired *d)
{
	struct packed pk;
	struct head h;
	char *buf;
	int ret;

	if (dirfd < 0)
		return -EBADF;
	pk.len = measure(in, n_in, d, &h);
	buf = malloc(pk.len);
	if (!buf)
		return -ENOMEM;
	pack(buf, &h, in, n_in, d);
	pk.buf = buf;
	ret = vt_atomic_file_write(dirfd, CACHE_NAME, 0600, VT_ATOMIC_FILE_OWN_TMP, fill, &pk);
	free(buf);
	return ret;
}
