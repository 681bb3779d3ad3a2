/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A journal on disk: one JSON document per transaction, written atomically
 * (journal_write.c), whose last member is a checksum (FNV-1a, 64 bits) of
 * every byte before it; here the journal in memory, and its reader.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/atomic_file.h"
#include "journal.h"
#include "vt_array.h"

#define JOURNAL_SIZE_MAX (256u << 20)

bool vt_journal_group_ours(uint32_t group)
{
	return (group & VT_JOURNAL_GROUP_MASK) == VT_JOURNAL_GROUP_TAG;
}

bool vt_journal_concerns(const struct vt_journal *j, const char *trunk)
{
	for (size_t i = 0; i < j->n_trunks; i++)
		if (!strcmp(j->trunks[i], trunk))
			return true;
	return false;
}

static uint64_t checksum(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int vt_journal_add_trunk(struct vt_journal *j, const char *trunk)
{
	char **trunks = realloc(j->trunks, (j->n_trunks + 1) * sizeof(*trunks));

	if (!trunks)
		return -ENOMEM;
	j->trunks = trunks;
	j->trunks[j->n_trunks] = strdup(trunk);
	if (!j->trunks[j->n_trunks])
		return -ENOMEM;
	j->n_trunks++;
	return 0;
}

struct vt_journal_entry *vt_journal_add(struct vt_journal *j, enum vt_entry_state state,
					const struct vt_link *image, const char *parent_name,
					const char *master_name, unsigned int depth)
{
	struct vt_journal_entry *e;

	e = vt_array_grow(j->entries, &j->cap, j->n_entries + 1, sizeof(*e), 16);
	if (!e)
		return NULL;
	j->entries = e;
	e = &j->entries[j->n_entries];
	memset(e, 0, sizeof(*e));
	if (vt_link_copy(&e->image, image) < 0)
		return NULL;
	e->state = state;
	snprintf(e->parent_name, sizeof(e->parent_name), "%s", parent_name ? parent_name : "");
	snprintf(e->master_name, sizeof(e->master_name), "%s", master_name ? master_name : "");
	e->depth = depth;
	j->n_entries++;
	return e;
}

int vt_journal_add_netns(struct vt_journal *j, const char *path, uint64_t dev, uint64_t ino,
			 uint64_t cookie)
{
	struct vt_journal_netns *v;
	char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	v = realloc(j->netns, (j->n_netns + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	j->netns = v;
	v[j->n_netns++] = (struct vt_journal_netns){ copy, dev, ino, cookie };
	return 0;
}

/* Which namespace: "ns" and "parent_ns", 0 when left out, each one the journal lists. */
static int parse_ns(json_t *o, size_t n_netns, struct vt_link *l)
{
	json_int_t ns = 0, parent_ns = 0;

	if (json_unpack(o, "{s?I, s?I}", "ns", &ns, "parent_ns", &parent_ns) < 0 ||
	    ns < 0 || (size_t)ns > n_netns || parent_ns < 0 || (size_t)parent_ns > n_netns)
		return -EBADMSG;
	l->ns = (uint16_t)ns;
	l->parent_ns = (uint16_t)parent_ns;
	return 0;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[VT_MAC_LEN];

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EBADMSG;
	for (int i = 0; i < VT_MAC_LEN; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static bool fits(const char *s, size_t size)
{
	return strlen(s) < size;
}

/* A device the transaction creates: who it will be, nothing more. */
static int parse_identity(json_t *o, struct vt_journal_entry *e)
{
	struct vt_link *l = &e->image;
	const char *name, *kind, *parent_name, *alias = "";
	json_int_t depth;
	int vlan, protocol;

	/* "alias" (the marker a create gets) came with version 2. */
	if (json_unpack(o, "{s:I, s:i, s:s, s:s, s:s, s:i, s:i, s?s}", "depth", &depth,
			"ifindex", &l->ifindex, "name", &name, "kind", &kind,
			"parent_name", &parent_name, "vlan", &vlan, "protocol", &protocol,
			"alias", &alias) < 0 ||
	    !fits(name, sizeof(l->name)) || !fits(kind, sizeof(l->kind)) ||
	    !fits(parent_name, sizeof(e->parent_name)) || !fits(alias, VT_ALIAS_MAX + 1) ||
	    depth < 0 || depth > 64 || vlan < 0 || vlan > VT_VLAN_ID_MAX ||
	    protocol < 0 || protocol > UINT16_MAX)
		return -EBADMSG;
	e->state = VT_ENTRY_ABSENT;
	e->depth = (unsigned int)depth;
	strcpy(l->name, name);
	strcpy(l->kind, kind);
	strcpy(e->parent_name, parent_name);
	if (vt_link_set_alias(l, alias) < 0)
		return -ENOMEM;
	l->is_vlan = true;
	l->vlan.id = (uint16_t)vlan;
	l->vlan.protocol = (uint16_t)protocol;
	return 0;
}

/* A before-image's IPv6 state: a mode the kernel knows, and disable_ipv6. */
static int parse_ipv6(json_t *o, struct vt_ipv6 *ipv6)
{
	int mode, disabled;

	if (json_unpack(o, "{s:i, s:b !}", "addr_gen_mode", &mode, "disable_ipv6", &disabled) < 0 ||
	    mode < 0 || mode > VT_ADDR_GEN_MAX)
		return -EBADMSG;
	ipv6->present = true;
	ipv6->addr_gen_mode = (uint8_t)mode;
	ipv6->disabled = disabled;
	return 0;
}

/* The identity, then everything else the device had. */
static int parse_before_image(json_t *o, struct vt_journal_entry *e)
{
	json_t *ingress = NULL, *egress = NULL, *ipv6 = NULL, *v;
	json_int_t flags, mtu, group = 0;
	const char *master_name, *mac, *new_name = "";
	int is_vlan, has_mac, up;
	struct vt_link *l = &e->image;
	size_t i;

	if (parse_identity(o, e) < 0)
		return -EBADMSG;
	/*
	 * "group" came in late in version 1, "new_name" with version 2, "ipv6"
	 * later in version 2: a before-image without it has IPv6 state unknown,
	 * and none is restored.
	 */
	if (json_unpack(o, "{s:i, s:i, s:s, s?s, s:b, s:I, s:o, s:o, s:I, s:s, s:b, s:b, s?I, s?o}",
			"parent", &l->parent, "master", &l->master, "master_name", &master_name,
			"new_name", &new_name, "is_vlan", &is_vlan, "flags", &flags,
			"ingress", &ingress, "egress", &egress, "mtu", &mtu, "mac", &mac,
			"has_mac", &has_mac, "up", &up, "group", &group, "ipv6", &ipv6) < 0 ||
	    (ipv6 && parse_ipv6(ipv6, &l->ipv6) < 0) ||
	    !fits(master_name, sizeof(e->master_name)) || !fits(new_name, sizeof(e->new_name)) ||
	    !json_is_array(ingress) || json_array_size(ingress) != VT_PCP_MAX + 1 ||
	    !json_is_array(egress) || parse_mac(mac, l->mac) < 0 || group < 0 ||
	    group > UINT32_MAX || mtu < 0 || mtu > UINT32_MAX)
		return -EBADMSG;
	e->state = VT_ENTRY_PRESENT;
	strcpy(e->master_name, master_name);
	strcpy(e->new_name, new_name);
	l->is_vlan = is_vlan;
	l->has_mac = has_mac;
	l->up = up;
	l->group = (uint32_t)group;
	l->vlan.flags = (uint32_t)flags;
	l->mtu = (uint32_t)mtu;
	json_array_foreach(ingress, i, v)
		if (vt_vlan_set_ingress(&l->vlan, (unsigned int)i, (uint32_t)json_integer_value(v)) < 0)
			return -ENOMEM;
	if (json_array_size(egress)) {
		l->vlan.egress = calloc(json_array_size(egress), sizeof(*l->vlan.egress));
		if (!l->vlan.egress)
			return -ENOMEM;
	}
	json_array_foreach(egress, i, v) {
		json_int_t from, to;

		/*
		 * As the kernel holds a map and the decoder reports it: PCPs 1-7
		 * (0 is "removed"), keys in rising order. Anything else could not have
		 * been read from a device, and would make a restore send wrong maps.
		 */
		if (json_unpack(v, "[I, I]", &from, &to) < 0 || from < 0 || from > UINT32_MAX ||
		    to < 1 || to > VT_PCP_MAX ||
		    (i && (uint32_t)from <= l->vlan.egress[i - 1].from))
			return -EBADMSG;
		l->vlan.egress[i] = (struct vt_qos_entry){ (uint32_t)from, (uint32_t)to };
	}
	l->vlan.n_egress = json_array_size(egress);
	return 0;
}

static int parse_entry(json_t *o, size_t n_netns, struct vt_journal_entry *e)
{
	const char *state;
	int ret = -EBADMSG;

	memset(e, 0, sizeof(*e));
	if (json_unpack(o, "{s:s}", "state", &state) < 0)
		return -EBADMSG;
	if (!strcmp(state, "absent"))
		ret = parse_identity(o, e);
	else if (!strcmp(state, "present"))
		ret = parse_before_image(o, e);
	if (!ret)
		ret = parse_ns(o, n_netns, &e->image);
	if (ret)
		vt_link_release(&e->image);	/* what it parsed so far: alias, QoS maps */
	return ret;
}

/* The namespaces' list: each a path and an identity. */
static int parse_netns(json_t *netns, struct vt_journal *j)
{
	json_t *v;
	size_t i;

	if (!netns)
		return 0;
	if (!json_is_array(netns) || json_array_size(netns) >= UINT16_MAX)
		return -EBADMSG;
	json_array_foreach(netns, i, v) {
		const char *path, *cookie = "0";
		json_int_t dev, ino;
		char *end;
		uint64_t c;

		if (json_unpack(v, "{s:s, s:I, s:I, s?s !}", "path", &path, "dev", &dev, "ino", &ino,
				"cookie", &cookie) < 0 || path[0] != '/' || dev < 0 || ino < 0)
			return -EBADMSG;
		errno = 0;
		c = strtoull(cookie, &end, 10);
		if (errno || end == cookie || *end || cookie[0] == '-')
			return -EBADMSG;
		if (vt_journal_add_netns(j, path, (uint64_t)dev, (uint64_t)ino, c) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * The whole file, its checksum checked when it has one. Version 1 had
 * none; version 2 must: "version" is inside what the checksum covers.
 */
static int load_file(int dirfd, const char *file, char **text, size_t *len, bool *summed)
{
	struct stat st;
	char *buf = NULL;
	size_t off = 0;
	int fd, ret;

	*summed = false;
	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = fstat(fd, &st) < 0 ? -errno : 0;
	if (!ret && (st.st_size <= 0 || (uint64_t)st.st_size > JOURNAL_SIZE_MAX))
		ret = -EBADMSG;
	if (!ret && !(buf = malloc((size_t)st.st_size + 1)))
		ret = -ENOMEM;
	while (!ret && off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n <= 0)
			ret = n < 0 ? -errno : -EBADMSG;
		else
			off += (size_t)n;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[off] = '\0';
	*text = buf;
	*len = off;
	/* The checksum is the last member: find its key from the end. */
	for (size_t k = off; k-- > 0;) {
		uint64_t want;
		char tail[4];

		if (strncmp(buf + k, VT_JOURNAL_SUM_KEY, strlen(VT_JOURNAL_SUM_KEY)))
			continue;
		if (off - k != strlen(VT_JOURNAL_SUM_KEY) + 16 + 3 ||
		    sscanf(buf + k + strlen(VT_JOURNAL_SUM_KEY), "%16" SCNx64 "%3c", &want, tail) != 2 ||
		    memcmp(tail, "\"}\n", 3) || want != checksum(buf, k)) {
			free(buf);
			*text = NULL;
			return -EBADMSG;
		}
		*summed = true;
		return 0;
	}
	return 0;
}

/* An id names a file: digits, letters and dashes, as the writer makes them. */
static bool id_valid(const char *id, size_t size)
{
	size_t len = strlen(id);

	return len && len < size && strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") == len && id[0] != '.';
}

int vt_journal_read(int dirfd, const char *file, struct vt_journal *j)
{
	json_t *doc = NULL, *trunks, *entries, *netns = NULL, *v;
	json_int_t group = 0;
	const char *id, *sum = NULL;
	char *text = NULL;
	int version, ret;
	bool summed;
	size_t i, len = 0;

	memset(j, 0, sizeof(*j));
	ret = load_file(dirfd, file, &text, &len, &summed);
	if (ret < 0)
		return ret;
	ret = -EBADMSG;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	if (!doc || json_unpack(doc, "{s:i, s:s, s:o, s?o, s:o, s?I, s?s !}", "version", &version,
				"id", &id, "trunks", &trunks, "netns", &netns, "entries", &entries,
				"group", &group, "sum", &sum) < 0 ||
	    (version != VT_JOURNAL_VERSION && version != 1) || summed != (version == VT_JOURNAL_VERSION) ||
	    !json_is_array(trunks) || !json_is_array(entries) || !id_valid(id, sizeof(j->id)) ||
	    strlen(file) >= sizeof(j->file) || group < 0 || group > UINT32_MAX ||
	    (version == VT_JOURNAL_VERSION && group && !vt_journal_group_ours((uint32_t)group)))
		goto out;
	strcpy(j->id, id);
	strcpy(j->file, file);
	/* Version 1 picked any group: one without the tag proves nothing. */
	j->group = vt_journal_group_ours((uint32_t)group) ? (uint32_t)group : 0;
	json_array_foreach(trunks, i, v) {
		if (!json_is_string(v) || vt_journal_add_trunk(j, json_string_value(v)) < 0)
			goto out;
	}
	ret = parse_netns(netns, j);
	if (ret < 0)
		goto out;
	ret = -EBADMSG;
	json_array_foreach(entries, i, v) {
		struct vt_journal_entry e, *added;

		if (parse_entry(v, j->n_netns, &e) < 0)
			goto out;
		added = vt_journal_add(j, e.state, &e.image, e.parent_name, e.master_name, e.depth);
		if (added)
			strcpy(added->new_name, e.new_name);
		vt_link_release(&e.image);
		if (!added) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = 0;
out:
	json_decref(doc);
	if (ret < 0)
		vt_journal_free(j);
	return ret;
}

void vt_journal_free(struct vt_journal *j)
{
	for (size_t i = 0; i < j->n_trunks; i++)
		free(j->trunks[i]);
	for (size_t i = 0; i < j->n_entries; i++)
		vt_link_release(&j->entries[i].image);
	for (size_t i = 0; i < j->n_netns; i++)
		free(j->netns[i].path);
	free(j->netns);
	free(j->trunks);
	free(j->entries);
	memset(j, 0, sizeof(*j));
}
