/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing a journal (the format: journal.h; journal.c reads it): the JSON
 * text put together here, straight into a buffer that is summed and written
 * as it fills. Building a jansson tree per entry and dumping it through a
 * stdio stream cost about 110 thousand instructions a device, most of a
 * teardown's own work; formatting its numbers with vsnprintf() some 20
 * thousand; this is about two. The document is never whole
 * in memory: the buffer goes out each time it fills.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "journal.h"

#define WRITE_BUF (64 * 1024)

struct writer {
	int fd;
	int err;			/* the first failure; nothing is written after it */
	uint64_t sum;			/* FNV-1a of every byte so far */
	size_t len;
	char buf[WRITE_BUF];
};

static void flush(struct writer *w)
{
	size_t off = 0;

	for (size_t i = 0; i < w->len; i++) {
		w->sum ^= (unsigned char)w->buf[i];
		w->sum *= 1099511628211ULL;
	}
	while (!w->err && off < w->len) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n < 0 && errno != EINTR)
			w->err = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	w->len = 0;
}

static void put(struct writer *w, const char *s, size_t n)
{
	while (n && !w->err) {
		size_t room = sizeof(w->buf) - w->len, k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			flush(w);
	}
}

static void puts_raw(struct writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) putf(struct writer *w, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* only numbers and keys go through here: they fit */
	if (n < 0 || (size_t)n >= sizeof(tmp))
		w->err = w->err ? w->err : -EOVERFLOW;
	else
		put(w, tmp, (size_t)n);
}

/*
 * Numbers by hand, not by vsnprintf(): a before-image has some twenty, and
 * formatting them was half a teardown's instructions (about 20 thousand a
 * device). putf() is left for what comes once a journal.
 */
static void put_u(struct writer *w, uint64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);

	do
		digits[--i] = (char)('0' + v % 10);
	while (v /= 10);
	put(w, digits + i, sizeof(digits) - i);
}

static void put_i(struct writer *w, int64_t v)
{
	if (v < 0)
		put(w, "-", 1);
	put_u(w, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

static void put_key_u(struct writer *w, const char *key, uint64_t v)
{
	puts_raw(w, key);
	put_u(w, v);
}

static void put_key_i(struct writer *w, const char *key, int64_t v)
{
	puts_raw(w, key);
	put_i(w, v);
}

/* The length of the UTF-8 sequence at @s, as jansson's reader takes it; 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
	uint32_t c;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* overlong, a surrogate, or past Unicode */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff)
		return 0;
	return n;
}

/*
 * A JSON string. The reader (jansson) refuses text that is not UTF-8, and
 * a journal it cannot read could never be recovered: such a name or alias
 * (the kernel takes any bytes) fails the write, before anything is sent,
 * as jansson's own writer refused it.
 */
static void put_str(struct writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	put(w, "\"", 1);
	while (*p && !w->err) {
		const unsigned char *run = p;
		size_t n;

		while (*p >= 0x20 && *p != '"' && *p != '\\' && (n = utf8_len(p)))
			p += n;
		put(w, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		if (*p == '"' || *p == '\\') {
			char esc[2] = { '\\', (char)*p };

			put(w, esc, 2);
		} else if (*p < 0x20) {
			putf(w, "\\u%04x", *p);
		} else {
			w->err = -EILSEQ;
			break;
		}
		p++;
	}
	put(w, "\"", 1);
}

static void put_key_str(struct writer *w, const char *key, const char *s)
{
	puts_raw(w, key);
	put_str(w, s);
}

static void put_key_bool(struct writer *w, const char *key, bool b)
{
	puts_raw(w, key);
	puts_raw(w, b ? "true" : "false");
}

/* Who the device is: all a created one needs, and the start of a before-image. */
static void put_identity(struct writer *w, const struct vt_journal_entry *e)
{
	const struct vt_link *l = &e->image;

	puts_raw(w, e->state == VT_ENTRY_ABSENT ? "{\"state\":\"absent\"" : "{\"state\":\"present\"");
	put_key_u(w, ",\"depth\":", e->depth);
	put_key_i(w, ",\"ifindex\":", l->ifindex);
	put_key_str(w, ",\"name\":", l->name);
	put_key_str(w, ",\"kind\":", l->kind);
	put_key_str(w, ",\"parent_name\":", e->parent_name);
	put_key_u(w, ",\"vlan\":", l->vlan.id);
	put_key_u(w, ",\"protocol\":", l->vlan.protocol);
	put_key_str(w, ",\"alias\":", vt_link_alias(l));
	/* Members only off the own namespace: a journal without them reads as before. */
	if (l->ns)
		put_key_u(w, ",\"ns\":", l->ns);
	if (l->parent_ns)
		put_key_u(w, ",\"parent_ns\":", l->parent_ns);
}

static void put_before_image(struct writer *w, const struct vt_journal_entry *e)
{
	static const char hex[] = "0123456789abcdef";
	const struct vt_link *l = &e->image;
	char mac[sizeof("\"00:00:00:00:00:00\"") - 1];

	put_key_i(w, ",\"parent\":", l->parent);
	put_key_i(w, ",\"master\":", l->master);
	put_key_str(w, ",\"master_name\":", e->master_name);
	put_key_str(w, ",\"new_name\":", e->new_name);
	put_key_bool(w, ",\"is_vlan\":", l->is_vlan);
	put_key_u(w, ",\"flags\":", l->vlan.flags);
	puts_raw(w, ",\"ingress\":[");
	for (int i = 0; i <= VT_PCP_MAX; i++)
		put_key_u(w, i ? "," : "", vt_vlan_ingress(&l->vlan, (unsigned int)i));
	puts_raw(w, "],\"egress\":[");
	for (size_t i = 0; i < l->vlan.n_egress; i++) {
		put_key_u(w, i ? ",[" : "[", l->vlan.egress[i].from);
		put_key_u(w, ",", l->vlan.egress[i].to);
		put(w, "]", 1);
	}
	put_key_u(w, "],\"mtu\":", l->mtu);
	mac[0] = mac[sizeof(mac) - 1] = '"';
	for (int i = 0; i < 6; i++) {
		mac[1 + 3 * i] = hex[l->mac[i] >> 4];
		mac[2 + 3 * i] = hex[l->mac[i] & 0xf];
		if (i < 5)
			mac[3 + 3 * i] = ':';
	}
	puts_raw(w, ",\"mac\":");
	put(w, mac, sizeof(mac));
	put_key_bool(w, ",\"has_mac\":", l->has_mac);
	put_key_bool(w, ",\"up\":", l->up);
	put_key_u(w, ",\"group\":", l->group);
	/* Without IPv6 state (an MTU below 1280) there is none to restore: no member. */
	if (l->ipv6.present) {
		put_key_u(w, ",\"ipv6\":{\"addr_gen_mode\":", l->ipv6.addr_gen_mode);
		put_key_bool(w, ",\"disable_ipv6\":", l->ipv6.disabled);
		put(w, "}", 1);
	}
}

static void put_document(struct writer *w, const struct vt_journal *j)
{
	putf(w, "{\"version\":%d,\"group\":%" PRIu32, VT_JOURNAL_VERSION, j->group);
	put_key_str(w, ",\"id\":", j->id);
	puts_raw(w, ",\"trunks\":[");
	for (size_t i = 0; i < j->n_trunks; i++) {
		if (i)
			put(w, ",", 1);
		put_str(w, j->trunks[i]);
	}
	put(w, "]", 1);
	if (j->n_netns) {
		puts_raw(w, ",\"netns\":[");
		for (size_t i = 0; i < j->n_netns; i++) {
			/* The cookie as text: 64 bits do not fit JSON's numbers as jansson reads them. */
			put_key_str(w, i ? ",{\"path\":" : "{\"path\":", j->netns[i].path);
			putf(w, ",\"dev\":%" PRIu64 ",\"ino\":%" PRIu64 ",\"cookie\":\"%" PRIu64 "\"}",
			     j->netns[i].dev, j->netns[i].ino, j->netns[i].cookie);
		}
		put(w, "]", 1);
	}
	puts_raw(w, ",\"entries\":[");
	for (size_t i = 0; i < j->n_entries && !w->err; i++) {
		const struct vt_journal_entry *e = &j->entries[i];

		if (i)
			put(w, ",", 1);
		put_identity(w, e);
		if (e->state == VT_ENTRY_PRESENT)
			put_before_image(w, e);
		put(w, "}", 1);
	}
	put(w, "]", 1);
}

/* The document, summed as it goes out, then the sum of every byte before it. */
static int put_summed(int fd, void *arg)
{
	struct writer *w = calloc(1, sizeof(*w));
	char tail[64];
	int ret;

	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->sum = 1469598103934665603ULL;
	put_document(w, arg);
	flush(w);
	snprintf(tail, sizeof(tail), VT_JOURNAL_SUM_KEY "%016" PRIx64 "\"}\n", w->sum);
	put(w, tail, strlen(tail));
	flush(w);
	ret = w->err;
	free(w);
	return ret;
}

int vt_journal_write(int dirfd, struct vt_journal *j)
{
	snprintf(j->file, sizeof(j->file), VT_JOURNAL_FILE_PREFIX "%s", j->id);
	/*
	 * Never over another journal: that one may be kept, and is not ours to
	 * lose. On disk, under its name, before the kernel is asked anything.
	 */
	return vt_atomic_file_write(dirfd, j->file, 0600, VT_ATOMIC_FILE_NOREPLACE, put_summed, j);
}
