/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal on disk: one checksummed file per transaction, never written
 * over, listed newest first; a byte changed or a file cut short is refused.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "txn/journal.h"
#include "txn/journal_files.h"
#include "suites.h"
#include "tmpdir.h"

static struct ut_tmpdir tmp;

static void setup(void)
{
	ut_tmpdir_make(&tmp, "journal");
}

static void teardown(void)
{
	ut_tmpdir_remove(&tmp);
}

/* A journal of one create and one change, with @id. */
static void sample(struct vt_journal *j, const char *id)
{
	struct vt_link created = { .ifindex = 1 << 24, .is_vlan = true, .vlan = { .id = 10,
				   .protocol = VT_PROTO_8021Q } };
	struct vt_link before = { .ifindex = 7, .is_vlan = true, .parent = 2, .mtu = 1500, .up = true,
				  .vlan = { .id = 11, .protocol = VT_PROTO_8021AD, .flags = 1 },
				  .ipv6 = { .present = true, .addr_gen_mode = VT_ADDR_GEN_NONE,
					    .disabled = true } };
	struct vt_journal_entry *e;

	memset(j, 0, sizeof(*j));
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->group = VT_JOURNAL_GROUP_TAG | 42;
	ck_assert_int_eq(vt_journal_add_trunk(j, "t"), 0);
	strcpy(created.name, "s10");
	strcpy(created.kind, "vlan");
	created.alias = (char[]){ "vlantrunk:t" };	/* the journal copies it */
	ck_assert_ptr_nonnull(vt_journal_add(j, VT_ENTRY_ABSENT, &created, "p0", "", 0));
	strcpy(before.name, "s11");
	strcpy(before.kind, "vlan");
	before.alias = (char[]){ "vlantrunk:t" };
	e = vt_journal_add(j, VT_ENTRY_PRESENT, &before, "p0", "", 0);
	ck_assert_ptr_nonnull(e);
	strcpy(e->new_name, "s11-new");
}

/* Change the byte at @offset of @file (from its end when negative). */
static void poke(const char *file, long offset, char c)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp.path, file);
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
	fputc(c, f);
	fclose(f);
}

START_TEST(test_round_trip)
{
	struct vt_journal j, back;

	sample(&j, "100-1-1-aa");
	ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
	ck_assert_str_eq(j.file, "journal-100-1-1-aa");
	ck_assert_int_eq(vt_journal_read(tmp.fd, j.file, &back), 0);
	ck_assert_str_eq(back.id, j.id);
	ck_assert_uint_eq(back.group, j.group);
	ck_assert_uint_eq(back.n_entries, 2);
	ck_assert_str_eq(vt_link_alias(&back.entries[0].image), "vlantrunk:t");
	ck_assert_str_eq(back.entries[1].new_name, "s11-new");
	ck_assert(back.entries[1].image.ipv6.present);
	ck_assert_uint_eq(back.entries[1].image.ipv6.addr_gen_mode, VT_ADDR_GEN_NONE);
	ck_assert(back.entries[1].image.ipv6.disabled);
	ck_assert(vt_journal_concerns(&back, "t") && !vt_journal_concerns(&back, "u"));
	vt_journal_free(&back);
	vt_journal_free(&j);
}
END_TEST

/* A device without IPv6 state (MTU below 1280) is journaled as having none. */
START_TEST(test_round_trip_without_ipv6_state)
{
	struct vt_journal j, back;

	sample(&j, "100-1-1-ab");
	j.entries[1].image.ipv6 = (struct vt_ipv6){ .present = false };
	j.entries[1].image.mtu = 1200;
	ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
	ck_assert_int_eq(vt_journal_read(tmp.fd, j.file, &back), 0);
	ck_assert(!back.entries[1].image.ipv6.present);
	ck_assert_uint_eq(back.entries[1].image.mtu, 1200);
	vt_journal_free(&back);
	vt_journal_free(&j);
}
END_TEST

/* @body and the checksum member the writer would end it with (FNV-1a of @body), as journal-@id. */
static void write_summed(const char *id, const char *body)
{
	uint64_t h = 1469598103934665603ULL;
	char path[256];
	FILE *f;

	for (const char *p = body; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	snprintf(path, sizeof(path), "%s/journal-%s", tmp.path, id);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s,\"sum\":\"%016llx\"}\n", body, (unsigned long long)h);
	fclose(f);
}

#define V2_HEAD "{\"version\":2,\"group\":2046820394,\"id\":\"%s\",\"trunks\":[\"t\"]," \
	"\"entries\":[{\"state\":\"present\",\"depth\":0,\"ifindex\":7,\"name\":\"s11\"," \
	"\"kind\":\"vlan\",\"parent_name\":\"p0\",\"vlan\":11,\"protocol\":33024," \
	"\"alias\":\"vlantrunk:t\",\"parent\":2,\"master\":0,\"master_name\":\"\"," \
	"\"new_name\":\"\",\"is_vlan\":true,\"flags\":1,\"ingress\":[0,0,0,0,0,0,0,0]," \
	"\"egress\":[],\"mtu\":1500,\"mac\":\"02:00:00:00:00:07\",\"has_mac\":true," \
	"\"up\":true,\"group\":0"

/* A version 2 journal from before "ipv6": its IPv6 state is unknown, not restored. */
START_TEST(test_v2_without_ipv6_reads)
{
	struct vt_journal back;
	char body[2048];

	snprintf(body, sizeof(body), V2_HEAD "}]", "100-1-1-ee");
	write_summed("100-1-1-ee", body);
	ck_assert_int_eq(vt_journal_read(tmp.fd, "journal-100-1-1-ee", &back), 0);
	ck_assert_uint_eq(back.n_entries, 1);
	ck_assert_str_eq(back.entries[0].image.name, "s11");
	ck_assert(back.entries[0].image.up);
	ck_assert(!back.entries[0].image.ipv6.present);
	vt_journal_free(&back);
}
END_TEST

/* An "ipv6" member the writer never writes is refused, as any malformed entry. */
START_TEST(test_bad_ipv6_member_refused)
{
	static const char *const bad[] = {
		"{\"addr_gen_mode\":4,\"disable_ipv6\":true}",
		"{\"addr_gen_mode\":-1,\"disable_ipv6\":false}",
		"{\"addr_gen_mode\":1}",
		"{\"addr_gen_mode\":1,\"disable_ipv6\":1}",
		"{\"addr_gen_mode\":1,\"disable_ipv6\":true,\"mtu6\":1280}",
		"true",
	};
	struct vt_journal back;
	char body[2048], id[32];

	snprintf(id, sizeof(id), "100-1-1-f%d", _i);
	snprintf(body, sizeof(body), V2_HEAD ",\"ipv6\":%s}]", id, bad[_i]);
	write_summed(id, body);
	snprintf(body, sizeof(body), "journal-%s", id);
	ck_assert_int_eq(vt_journal_read(tmp.fd, body, &back), -EBADMSG);

	/* The same with a good member reads. */
	snprintf(id, sizeof(id), "100-1-1-g%d", _i);
	snprintf(body, sizeof(body), V2_HEAD ",\"ipv6\":{\"addr_gen_mode\":3,\"disable_ipv6\":false}}]",
		 id);
	write_summed(id, body);
	snprintf(body, sizeof(body), "journal-%s", id);
	ck_assert_int_eq(vt_journal_read(tmp.fd, body, &back), 0);
	ck_assert(back.entries[0].image.ipv6.present);
	ck_assert_uint_eq(back.entries[0].image.ipv6.addr_gen_mode, VT_ADDR_GEN_RANDOM);
	ck_assert(!back.entries[0].image.ipv6.disabled);
	vt_journal_free(&back);
}
END_TEST

/* Any byte changed, or the file cut short: refused, not acted on. */
START_TEST(test_changed_or_short_is_refused)
{
	struct vt_journal j, back;
	char path[256];
	struct stat st;

	sample(&j, "100-1-1-bb");
	ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
	snprintf(path, sizeof(path), "%s/%s", tmp.path, j.file);
	ck_assert_int_eq(stat(path, &st), 0);
	/* "s10" becomes "s20": still JSON, but not what was written. */
	for (long off = 0; off < st.st_size - 25; off++) {
		char c;
		FILE *f = fopen(path, "r");

		ck_assert_int_eq(fseek(f, off, SEEK_SET), 0);
		c = (char)fgetc(f);
		fclose(f);
		poke(j.file, off, c == '1' ? '2' : c == '"' ? '\'' : (char)(c ^ 1));
		ck_assert_msg(vt_journal_read(tmp.fd, j.file, &back) == -EBADMSG, "byte %ld", off);
		poke(j.file, off, c);
	}
	ck_assert_int_eq(vt_journal_read(tmp.fd, j.file, &back), 0);
	vt_journal_free(&back);
	ck_assert_int_eq(truncate(path, st.st_size - 2), 0);
	ck_assert_int_eq(vt_journal_read(tmp.fd, j.file, &back), -EBADMSG);
	vt_journal_free(&j);
}
END_TEST

/* A journal of the same name is never written over: it may be a kept one. */
START_TEST(test_never_written_over)
{
	struct vt_journal kept, other, back;

	sample(&kept, "100-1-1-cc");
	ck_assert_int_eq(vt_journal_write(tmp.fd, &kept), 0);
	sample(&other, "100-1-1-cc");
	other.entries[0].image.vlan.id = 99;
	ck_assert_int_eq(vt_journal_write(tmp.fd, &other), -EEXIST);
	ck_assert_int_eq(vt_journal_read(tmp.fd, kept.file, &back), 0);
	ck_assert_uint_eq(back.entries[0].image.vlan.id, 10);
	vt_journal_free(&back);
	vt_journal_free(&kept);
	vt_journal_free(&other);
}
END_TEST

/* Listed newest first; a journal whose writing never finished is discarded. */
START_TEST(test_list_newest_first_and_partial_discarded)
{
	const char *ids[] = { "99-5-1-aa", "1000-2-1-bb", "1000-2-10-cc", "1000-2-2-dd" };
	struct vt_journal_files files;
	struct vt_journal j;
	int fd;

	for (size_t i = 0; i < 4; i++) {
		sample(&j, ids[i]);
		ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
		vt_journal_free(&j);
	}
	fd = openat(tmp.fd, "journal-2000-1-1-ee.tmp", O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vt_journal_files_list(tmp.fd, &files), 0);
	ck_assert_uint_eq(files.n, 4);
	ck_assert_str_eq(files.names[0], "journal-1000-2-10-cc");
	ck_assert_str_eq(files.names[1], "journal-1000-2-2-dd");
	ck_assert_str_eq(files.names[3], "journal-99-5-1-aa");
	vt_journal_files_free(&files);
	ck_assert_int_eq(vt_journal_files_discard_partial(tmp.fd), 1);
	ck_assert_int_ne(faccessat(tmp.fd, "journal-2000-1-1-ee.tmp", F_OK, 0), 0);
}
END_TEST

/* A group without the tag is not one a transaction picks: a journal naming one is refused. */
START_TEST(test_untagged_group_refused)
{
	struct vt_journal j, back;

	sample(&j, "100-1-1-dd");
	j.group = 5;
	ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
	ck_assert_int_eq(vt_journal_read(tmp.fd, j.file, &back), -EBADMSG);
	ck_assert(!vt_journal_group_ours(5) && vt_journal_group_ours(VT_JOURNAL_GROUP_TAG | 5));
	vt_journal_free(&j);
}
END_TEST

/*
 * An egress map no device could hold (a PCP above 7 or of 0, keys out of
 * order) in a journal whose checksum is right: refused, not restored.
 */
START_TEST(test_impossible_egress_map_refused)
{
	static const struct vt_qos_entry maps[][2] = {
		{ { 5, 1 }, { 7, 2 } },		/* the one good map */
		{ { 5, 9 }, { 7, 2 } },
		{ { 5, 0 }, { 7, 2 } },
		{ { 7, 1 }, { 5, 2 } },
		{ { 5, 1 }, { 5, 2 } },
	};
	struct vt_journal j, back;
	char id[32];

	for (size_t m = 0; m < sizeof(maps) / sizeof(maps[0]); m++) {
		struct vt_link *l;

		snprintf(id, sizeof(id), "100-1-%zu-ee", m);
		sample(&j, id);
		l = &j.entries[1].image;
		l->vlan.egress = calloc(2, sizeof(*l->vlan.egress));
		ck_assert_ptr_nonnull(l->vlan.egress);
		memcpy(l->vlan.egress, maps[m], sizeof(maps[m]));
		l->vlan.n_egress = 2;
		ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
		ck_assert_msg(vt_journal_read(tmp.fd, j.file, &back) == (m ? -EBADMSG : 0), "map %zu", m);
		if (!m) {
			ck_assert_uint_eq(back.entries[1].image.vlan.n_egress, 2);
			vt_journal_free(&back);
		}
		vt_journal_free(&j);
	}
}
END_TEST

/*
 * Names and aliases are any bytes the kernel took: quotes, backslashes and
 * control characters are escaped and read back as they were; text that is
 * not UTF-8 (which the reader would refuse, leaving a journal no recovery
 * can read) fails the write, and no file is left.
 */
START_TEST(test_text_escaped_and_non_utf8_refused)
{
	static const char alias[] = "vlantrunk:t \"q\" \\ \x01\x1f caf\xc3\xa9 \xf0\x9f\x98\x80 /";
	struct vt_journal j, back;

	sample(&j, "100-1-9-ff");
	ck_assert_int_eq(vt_link_set_alias(&j.entries[1].image, alias), 0);
	strcpy(j.entries[1].master_name, "br\"0");
	ck_assert_int_eq(vt_journal_add_netns(&j, "/run/netns/a\\b", 1, 2, UINT64_MAX), 0);
	ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
	ck_assert_int_eq(vt_journal_read(tmp.fd, j.file, &back), 0);
	ck_assert_str_eq(vt_link_alias(&back.entries[1].image), alias);
	ck_assert_str_eq(back.entries[1].master_name, "br\"0");
	ck_assert_uint_eq(back.n_netns, 1);
	ck_assert_str_eq(back.netns[0].path, "/run/netns/a\\b");
	ck_assert(back.netns[0].cookie == UINT64_MAX);
	vt_journal_free(&back);
	vt_journal_free(&j);

	for (int bad = 0; bad < 3; bad++) {
		static const char *const not_utf8[] = { "a\xff", "\xc0\x80", "\xed\xa0\x80" };

		sample(&j, bad == 0 ? "100-1-10-ff" : bad == 1 ? "100-1-11-ff" : "100-1-12-ff");
		ck_assert_int_eq(vt_link_set_alias(&j.entries[1].image, not_utf8[bad]), 0);
		ck_assert_int_eq(vt_journal_write(tmp.fd, &j), -EILSEQ);
		ck_assert_int_ne(faccessat(tmp.fd, j.file, F_OK, 0), 0);
		vt_journal_free(&j);
	}
}
END_TEST

/* A journal larger than the writer's buffer, egress maps and all, reads back whole. */
START_TEST(test_large_round_trip)
{
	struct vt_journal j, back;

	sample(&j, "100-1-13-ff");
	for (int i = 0; i < 3000; i++) {
		struct vt_link l = { .ifindex = 100 + i, .is_vlan = true, .parent = 2, .mtu = 1500,
				     .vlan = { .id = (uint16_t)(1 + i % 4094), .protocol = VT_PROTO_8021Q } };
		struct vt_journal_entry *e;

		snprintf(l.name, sizeof(l.name), "t0b%d", i);
		strcpy(l.kind, "vlan");
		l.alias = (char[]){ "vlantrunk:t" };
		l.vlan.egress = calloc(3, sizeof(*l.vlan.egress));
		ck_assert_ptr_nonnull(l.vlan.egress);
		for (int k = 0; k < 3; k++)
			l.vlan.egress[k] = (struct vt_qos_entry){ (uint32_t)k + 1, (uint32_t)(k + i) % 7 + 1 };
		l.vlan.n_egress = 3;
		e = vt_journal_add(&j, VT_ENTRY_PRESENT, &l, "p0", "", 0);
		free(l.vlan.egress);
		ck_assert_ptr_nonnull(e);
	}
	ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
	ck_assert_int_eq(vt_journal_read(tmp.fd, j.file, &back), 0);
	ck_assert_uint_eq(back.n_entries, j.n_entries);
	for (size_t i = 2; i < back.n_entries; i++) {
		ck_assert_str_eq(back.entries[i].image.name, j.entries[i].image.name);
		ck_assert_uint_eq(back.entries[i].image.vlan.n_egress, 3);
		ck_assert_uint_eq(back.entries[i].image.vlan.egress[2].to,
				  j.entries[i].image.vlan.egress[2].to);
	}
	vt_journal_free(&back);
	vt_journal_free(&j);
}
END_TEST

/*
 * The text itself, byte for byte, of a journal with members at their
 * extremes: the writer puts numbers and strings together by hand
 * (journal_write.c), and the format on disk changes only with
 * VT_JOURNAL_VERSION, which recovery after an upgrade depends on.
 */
START_TEST(test_text_exact)
{
	struct vt_qos_entry egress[] = { { 0, 7 }, { UINT32_MAX, 1 } };
	uint32_t ingress[VT_PCP_MAX + 1] = { 0, 1, 22, 333, 4444, 55555, 666666, UINT32_MAX };
	struct vt_link l = { .ifindex = INT32_MAX, .is_vlan = true, .parent = -1, .master = 123456,
			     .mtu = UINT32_MAX, .has_mac = true, .up = true, .group = UINT32_MAX,
			     .ns = 65535, .parent_ns = 3,
			     .mac = { 0x02, 0xab, 0x00, 0xff, 0x10, 0x9c },
			     .vlan = { .id = 4094, .protocol = VT_PROTO_8021AD, .flags = UINT32_MAX,
				       .ingress = ingress,
				       .egress = egress, .n_egress = 2 },
			     .ipv6 = { .present = true, .addr_gen_mode = 3, .disabled = false } };
	struct vt_journal j;
	struct vt_journal_entry *e;
	char path[300], text[4096];
	size_t n;
	FILE *f;
	const char *want =
		"{\"version\":2,\"group\":2046820394,\"id\":\"100-1-2-ab\",\"trunks\":[\"t\",\"u\\\"v\"],"
		"\"netns\":[{\"path\":\"/run/netns/a\",\"dev\":18446744073709551615,\"ino\":0,\"cookie\":\"9223372036854775808\"}],"
		"\"entries\":[{\"state\":\"present\",\"depth\":4,\"ifindex\":2147483647,\"name\":\"a\\u0001b\","
		"\"kind\":\"vlan\",\"parent_name\":\"p0\",\"vlan\":4094,\"protocol\":34984,\"alias\":\"vlantrunk:t\","
		"\"ns\":65535,\"parent_ns\":3,\"parent\":-1,\"master\":123456,\"master_name\":\"br0\","
		"\"new_name\":\"n\",\"is_vlan\":true,\"flags\":4294967295,\"ingress\":[0,1,22,333,"
		"4444,55555,666666,4294967295],\"egress\":[[0,7],[4294967295,1]],\"mtu\":4294967295,"
		"\"mac\":\"02:ab:00:ff:10:9c\",\"has_mac\":true,\"up\":true,\"group\":4294967295,\"ipv6\":{\"addr_gen_mode\":3,"
		"\"disable_ipv6\":false}},{\"state\":\"absent\",\"depth\":0,\"ifindex\":-5,\"name\":\"a\\u0001b\","
		"\"kind\":\"vlan\",\"parent_name\":\"\",\"vlan\":4094,\"protocol\":34984,\"alias\":\"vlantrunk:t\"}],"
		"\"sum\":\"c076170c08455563\"}\n";

	memset(&j, 0, sizeof(j));
	snprintf(j.id, sizeof(j.id), "100-1-2-ab");
	j.group = VT_JOURNAL_GROUP_TAG | 42;
	ck_assert_int_eq(vt_journal_add_trunk(&j, "t"), 0);
	ck_assert_int_eq(vt_journal_add_trunk(&j, "u\"v"), 0);
	ck_assert_int_eq(vt_journal_add_netns(&j, "/run/netns/a", UINT64_MAX, 0, 1ULL << 63), 0);
	strcpy(l.name, "a\001b");
	strcpy(l.kind, "vlan");
	l.alias = (char[]){ "vlantrunk:t" };
	e = vt_journal_add(&j, VT_ENTRY_PRESENT, &l, "p0", "br0", 4);
	ck_assert_ptr_nonnull(e);
	strcpy(e->new_name, "n");
	l.ifindex = -5;
	l.ns = l.parent_ns = 0;
	ck_assert_ptr_nonnull(vt_journal_add(&j, VT_ENTRY_ABSENT, &l, "", "", 0));
	ck_assert_int_eq(vt_journal_write(tmp.fd, &j), 0);
	snprintf(path, sizeof(path), "%s/%s", tmp.path, j.file);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	ck_assert_str_eq(text, want);
	vt_journal_free(&j);
}
END_TEST

Suite *journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_without_ipv6_state);
	tcase_add_test(tc, test_v2_without_ipv6_reads);
	tcase_add_loop_test(tc, test_bad_ipv6_member_refused, 0, 6);
	tcase_add_test(tc, test_changed_or_short_is_refused);
	tcase_add_test(tc, test_never_written_over);
	tcase_add_test(tc, test_list_newest_first_and_partial_discarded);
	tcase_add_test(tc, test_untagged_group_refused);
	tcase_add_test(tc, test_impossible_egress_map_refused);
	tcase_add_test(tc, test_text_escaped_and_non_utf8_refused);
	tcase_add_test(tc, test_large_round_trip);
	tcase_add_test(tc, test_text_exact);
	suite_add_tcase(s, tc);
	return s;
}
