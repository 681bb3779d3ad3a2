/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for recovery (SPEC.md, Transactions): whatever a journal
 * says, recovery never changes or deletes a device without proof that it is
 * the journal's. The checksum refuses a changed byte, so what matters are
 * well-formed, checksummed journals saying anything at all: the input is
 * read as a journal (as it is, and with a valid checksum after it, as
 * fuzz_journal.c does), and each one read is recovered twice against a fake
 * kernel (fake_kernel.c) that starts with:
 *  - lower devices p0 (ifindex 2) and p1 (3), and lo;
 *  - vlantrunk's VLANs: marked for a trunk the seed journals name (vm-42) or
 *    not (vm-7), and one created but not yet marked, in a tagged group;
 *  - operator VLANs, with no marker and in untagged groups: at low ifindexes
 *    a journal may name, and in the range vlantrunk picks from; with aliases
 *    that look like markers and groups that look like the tag; and, taken from
 *    the journal itself, look-alikes with an entry's name, parent, VLAN id and
 *    protocol, at its ifindex or another, with its alias when that is no
 *    marker, in a group close to the journal's.
 * Any request that names an operator device (changes it, renames, marks or
 * deletes it, or deletes its group), answered or not, aborts. So does one in
 * the second recovery, run on what the first left, without faults: recovery
 * interrupted and run again must be as safe.
 *
 * Operator devices sit on p0 and p1 only, so that no deletion of vlantrunk's
 * own devices takes one along and hides a request that would have named it.
 * One, "op-inner", sits on a vlantrunk VLAN on purpose: the kernel deletes
 * it with its parent, and brings it down with it, when recovery deletes or
 * downs that parent with proof (issue #12). That is reported on stderr the
 * first time, not counted as a violation, unless VT_FUZZ_ISSUE12=abort.
 *
 * A few of the fake kernel's choices come from a hash of the journal's id,
 * which the fuzzer varies freely: what getrandom() gives pick.c, which
 * operator devices are up, which entries get look-alikes, and a dump that
 * fails or a request whose answer is lost.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_kernel.h"
#include "txn/journal.h"
#include "txn/pick.h"
#include "txn/restore.h"
#include "vt_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct dev {
	int ifindex;
	const char *name, *parent;	/* parent NULL: a lower device */
	uint16_t vlan, protocol;
	const char *alias;
	uint32_t group;
};

#define Q VT_PROTO_8021Q
#define AD VT_PROTO_8021AD

static const struct dev start[] = {
	{ 1, "lo", NULL, 0, 0, "", 0 },
	{ 2, "p0", NULL, 0, 0, "", 0 },
	{ 3, "p1", NULL, 0, 0, "", 0 },
	/* vlantrunk's */
	{ 10, "sp-a.100", "p0", 100, Q, "vlantrunk:vm-42", 0 },
	{ 11, "sp-b.101", "p0", 101, Q, "vlantrunk:vm-42", 0 },
	{ 12, "sp-o.102", "p1", 102, Q, "vlantrunk:vm-7", 0 },
	{ 13, "sp-q", "p1", 300, AD, "vlantrunk:vm-42", 0 },
	{ VT_IFINDEX_BASE + 1, "sp-n.103", "p0", 103, Q, "", 0x7a00beef },
	/* the operator's: no marker, no tagged group */
	{ 4, "sp-c.200", "p0", 200, Q, "", 0 },
	{ 5, "sp-d.201", "p0", 201, AD, "uplink", 5 },
	{ 6, "vlan300", "p1", 300, Q, "", 0x0a000005 },
	{ 7, "svc-200", "p1", 200, Q, "vlantrunk", 0x7b000005 },
	{ 8, "sp4f.101", "p1", 101, Q, "vlantrunk:", 0 },
	{ 9, "sp-e.202", "p0", 202, Q, "", 5 },
	{ 14, "op-inner", "sp-q", 10, Q, "", 0 },	/* on vlantrunk's sp-q: issue #12 */
	{ VT_IFINDEX_BASE + 2, "op-high", "p0", 204, Q, "", 0 },
};

static bool managed(const struct vt_link *l)
{
	return vt_marker_owner(vt_link_alias(l)) || vt_journal_group_ours(l->group);
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= ((const uint8_t *)p)[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int ifindex_of(const struct vt_link *links, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(links[i].name, name))
			return links[i].ifindex;
	return 0;
}

static bool clashes(const struct vt_link *links, size_t n, const struct vt_link *l)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].ifindex == l->ifindex || !strcmp(links[i].name, l->name) ||
		    (links[i].is_vlan && links[i].parent == l->parent &&
		     links[i].vlan.id == l->vlan.id && links[i].vlan.protocol == l->vlan.protocol))
			return true;
	return false;
}

#define MAX_DEVS (sizeof(start) / sizeof(start[0]) + 2)

/* The starting kernel for @j, knobs from @h. */
static struct vt_nl *kernel(const struct vt_journal *j, uint64_t h)
{
	struct vt_link links[MAX_DEVS];
	struct vt_nl *nl = fk_new();
	size_t n = 0;

	if (!nl)
		abort();
	memset(links, 0, sizeof(links));
	for (size_t i = 0; i < sizeof(start) / sizeof(start[0]); i++) {
		const struct dev *d = &start[i];
		struct vt_link *l = &links[n++];

		l->ifindex = d->ifindex;
		snprintf(l->name, sizeof(l->name), "%s", d->name);
		l->alias = (char *)d->alias;	/* borrowed: fk_add() copies it */
		l->group = d->group;
		l->has_mac = true;
		l->mac[0] = 0x02;
		l->mac[5] = (uint8_t)d->ifindex;
		l->up = !d->parent || ((h >> (i % 32)) & 1);
		if (!d->parent) {
			/* Lower devices: physical, so no kind. */
			l->mtu = !strcmp(d->name, "lo") ? 65536 : !strcmp(d->name, "p0") ? 9000 : 1500;
			continue;
		}
		snprintf(l->kind, sizeof(l->kind), "vlan");
		l->is_vlan = true;
		l->parent = ifindex_of(links, n, d->parent);
		l->mtu = 1500;
		l->vlan.id = d->vlan;
		l->vlan.protocol = d->protocol;
		l->vlan.flags = VT_VLAN_REORDER_HDR;
	}
	/* Look-alikes of up to two journal entries on p0 or p1, where they fit. */
	for (int k = 0; k < 2 && j->n_entries; k++) {
		const struct vt_journal_entry *e = &j->entries[(h >> (40 + 8 * k)) % j->n_entries];
		struct vt_link *l = &links[n];
		uint64_t b = h >> (32 + 4 * k);

		if (strcmp(e->parent_name, "p0") && strcmp(e->parent_name, "p1"))
			continue;
		*l = (struct vt_link){ .is_vlan = true, .has_mac = true, .mtu = 1500, .up = b & 1 };
		snprintf(l->kind, sizeof(l->kind), "vlan");
		snprintf(l->name, sizeof(l->name), "%s", e->image.name);
		l->parent = ifindex_of(links, n, e->parent_name);
		l->vlan.id = e->image.vlan.id;
		l->vlan.protocol = e->image.vlan.protocol;
		l->vlan.flags = VT_VLAN_REORDER_HDR;
		l->mac[0] = 0x06;
		l->mac[5] = (uint8_t)(20 + k);
		/* Its index reused, or another; a group near the journal's but without the tag. */
		l->ifindex = (b & 2) && e->image.ifindex > 0 ? e->image.ifindex : 20 + k;
		l->group = (b & 4) ? j->group & ~VT_JOURNAL_GROUP_MASK : (b & 8) ? e->image.group : 0;
		if (!vt_marker_owner(vt_link_alias(&e->image)))
			l->alias = e->image.alias;	/* borrowed, as above */
		if (!l->name[0] || !vt_protocol_name(l->vlan.protocol) || managed(l) ||
		    clashes(links, n, l))
			continue;
		n++;
	}
	/* IPv6 state as addrconf keeps it: none below 1280; a mode and disable_ipv6 from the hash. */
	for (size_t i = 0; i < n; i++)
		if (links[i].mtu >= VT_IPV6_MIN_MTU)
			links[i].ipv6 = (struct vt_ipv6){ .present = true,
				.addr_gen_mode = (h >> (i % 48)) & 1 ? VT_ADDR_GEN_NONE : VT_ADDR_GEN_EUI64,
				.disabled = (h >> ((i + 7) % 48)) & 1 };
	for (size_t i = 0; i < n; i++)
		if (fk_add(nl, &links[i], !links[i].is_vlan ? FK_PARENT :
					  managed(&links[i]) ? FK_MANAGED : FK_OPERATOR) < 0)
			abort();
	return nl;
}

static void issue12(const struct fk_record *r)
{
	static bool said;

	if (getenv("VT_FUZZ_ISSUE12") && !strcmp(getenv("VT_FUZZ_ISSUE12"), "abort")) {
		fprintf(stderr, "fuzz_restore: issue #12: operator device %s (ifindex %d) %s with "
			"its parent, ifindex %d, by recovery\n", r->name, r->ifindex,
			r->side_deleted ? "deleted" : "changed", r->side_cause);
		abort();
	}
	if (!said)
		fprintf(stderr, "fuzz_restore: seen issue #12 (an operator VLAN on a device "
			"recovery deleted or changed with proof went along): %s, by ifindex %d\n",
			r->name, r->side_cause);
	said = true;
}

/* VT_FUZZ_TRACE=1: what each recovery did, to read a seed's or a crash's story. */
static void trace(struct vt_nl *nl, const char *run, int ret, const struct vt_restore_report *rep)
{
	size_t n;
	const struct fk_record *r = fk_records(nl, &n);

	if (!getenv("VT_FUZZ_TRACE"))
		return;
	fprintf(stderr, "%s recovery: %d, deleted %zu created %zu changed %zu vanished %zu "
		"unproven %zu\n  error: %s\n  remains: %s\n", run, ret, rep->deleted, rep->created,
		rep->changed, rep->vanished, rep->unproven, rep->error, rep->remains);
	for (size_t i = 0; i < n; i++)
		if (r[i].aimed || r[i].side_changed || r[i].side_deleted)
			fprintf(stderr, "  %-9s %-10s (%d): aimed %u changed %u deleted %u, by the kernel "
				"changed %u deleted %u; last: %s\n",
				r[i].role == FK_OPERATOR ? "operator" : r[i].role == FK_MANAGED ?
				"vlantrunk" : "lower", r[i].name, r[i].ifindex, r[i].aimed, r[i].changed,
				r[i].deleted, r[i].side_changed, r[i].side_deleted, r[i].last);
}

/* No request may have named an operator device. */
static void check(struct vt_nl *nl, const char *run, int ret, const struct vt_restore_report *rep)
{
	size_t n;
	const struct fk_record *r = fk_records(nl, &n);

	trace(nl, run, ret, rep);
	for (size_t i = 0; i < n; i++) {
		if (r[i].role != FK_OPERATOR)
			continue;
		if (r[i].aimed) {
			fprintf(stderr, "fuzz_restore: %s recovery sent %u request(s) naming operator "
				"device %s (ifindex %d), the last a %s (changed %u, deleted %u)\n"
				"  report: error \"%s\" remains \"%s\"\n",
				run, r[i].aimed, r[i].name, r[i].ifindex, r[i].last, r[i].changed,
				r[i].deleted, rep->error, rep->remains);
			abort();
		}
		if (r[i].side_deleted || r[i].side_changed)
			issue12(&r[i]);
	}
}

static void recover(const struct vt_journal *j)
{
	uint64_t h = fnv(j->id, strlen(j->id), 1469598103934665603ULL);
	struct fk_faults faults = { 0 };
	struct vt_restore_report rep;
	struct vt_nl *nl = kernel(j, h);
	int ret;

	/* One input in four meets a fault: a dump that fails, or an answer lost. */
	if ((h >> 16) % 8 == 0)
		faults.fail_dump = 1 + (int)((h >> 20) % 6);
	else if ((h >> 16) % 8 == 1)
		faults.lose_answer = 1 + (int)((h >> 20) % 12);
	fk_set_faults(nl, &faults);
	fk_seed_random(h);
	ret = vt_restore(nl, j, &rep);
	check(nl, "the first", ret, &rep);

	faults = (struct fk_faults){ 0 };
	fk_set_faults(nl, &faults);
	fk_clear_records(nl);
	ret = vt_restore(nl, j, &rep);
	check(nl, "the second", ret, &rep);
	fk_free(nl);
}

static int temp_dir(void)
{
	char path[] = "/tmp/vt-fuzz-restore.XXXXXX";
	int fd;

	if (!mkdtemp(path))
		abort();
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

/* As fuzz_journal.c: the bytes as they are, or with a valid checksum after them. */
static void put(int dirfd, const char *name, const uint8_t *data, size_t size, bool sum)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	uint64_t h = fnv(data, size, 1469598103934665603ULL);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	if (sum && dprintf(fd, ",\"sum\":\"%016" PRIx64 "\"}\n", h) < 0)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int dir = -1;
	struct vt_journal j;

	if (dir < 0)
		dir = temp_dir();
	for (int sum = 0; sum <= 1; sum++) {
		put(dir, "journal-in", data, size, sum);
		if (vt_journal_read(dir, "journal-in", &j) < 0)
			continue;
		recover(&j);
		vt_journal_free(&j);
	}
	return 0;
}
