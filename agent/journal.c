/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The journal on disk: one JSON document, replaced atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "journal.h"
#include "vt_array.h"

#define JOURNAL "journal"
#define JOURNAL_TMP "journal.tmp"
#define JOURNAL_VERSION 1

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

int vt_journal_add(struct vt_journal *j, enum vt_entry_state state, const struct vt_link *image,
		   const char *parent_name, const char *master_name, unsigned int depth)
{
	struct vt_journal_entry *e;

	e = vt_array_grow(j->entries, &j->cap, j->n_entries + 1, sizeof(*e), 16);
	if (!e)
		return -ENOMEM;
	j->entries = e;
	e = &j->entries[j->n_entries];
	memset(e, 0, sizeof(*e));
	if (vt_link_copy(&e->image, image) < 0)
		return -ENOMEM;
	e->state = state;
	snprintf(e->parent_name, sizeof(e->parent_name), "%s", parent_name ? parent_name : "");
	snprintf(e->master_name, sizeof(e->master_name), "%s", master_name ? master_name : "");
	e->depth = depth;
	j->n_entries++;
	return 0;
}

/* Who the device is: all a created one needs, and the start of a before-image. */
static json_t *identity_json(const struct vt_journal_entry *e)
{
	const struct vt_link *l = &e->image;

	return json_pack("{s:s, s:I, s:i, s:s, s:s, s:s, s:i, s:i}",
			 "state", e->state == VT_ENTRY_ABSENT ? "absent" : "present",
			 "depth", (json_int_t)e->depth, "ifindex", l->ifindex, "name", l->name,
			 "kind", l->kind, "parent_name", e->parent_name, "vlan", l->vlan.id,
			 "protocol", l->vlan.protocol);
}

static json_t *before_image_json(const struct vt_journal_entry *e)
{
	const struct vt_link *l = &e->image;
	json_t *ingress = json_array(), *egress = json_array(), *o = identity_json(e);
	char mac[18];

	for (int i = 0; i <= VT_PCP_MAX; i++)
		json_array_append_new(ingress, json_integer(l->vlan.ingress[i]));
	for (size_t i = 0; i < l->vlan.n_egress; i++)
		json_array_append_new(egress, json_pack("[I, I]", (json_int_t)l->vlan.egress[i].from,
							(json_int_t)l->vlan.egress[i].to));
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1],
		 l->mac[2], l->mac[3], l->mac[4], l->mac[5]);
	if (o && json_object_update_new(o, json_pack("{s:i, s:i, s:s, s:b, s:I, s:o, s:o, s:I,"
						     " s:s, s:b, s:b, s:s, s:I}",
						     "parent", l->parent, "master", l->master,
						     "master_name", e->master_name,
						     "is_vlan", l->is_vlan,
						     "flags", (json_int_t)l->vlan.flags,
						     "ingress", ingress, "egress", egress,
						     "mtu", (json_int_t)l->mtu, "mac", mac,
						     "has_mac", l->has_mac, "up", l->up,
						     "alias", l->alias,
						     "group", (json_int_t)l->group)) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* One value, its tree freed at once: the document is never whole in memory. */
static int put_json(FILE *f, json_t *v)
{
	int ret = v && !json_dumpf(v, f, JSON_COMPACT | JSON_ENCODE_ANY) ? 0 : -ENOMEM;

	json_decref(v);
	return ret;
}

static int put_document(FILE *f, const struct vt_journal *j)
{
	json_t *trunks = json_array();
	int ret = 0;

	for (size_t i = 0; i < j->n_trunks; i++)
		json_array_append_new(trunks, json_string(j->trunks[i]));
	fprintf(f, "{\"version\":%d,\"group\":%" PRIu32 ",\"id\":", JOURNAL_VERSION, j->group);
	ret = put_json(f, json_string(j->id));
	fputs(",\"trunks\":", f);
	if (!ret)
		ret = put_json(f, trunks);
	else
		json_decref(trunks);
	fputs(",\"entries\":[", f);
	for (size_t i = 0; i < j->n_entries && !ret; i++) {
		const struct vt_journal_entry *e = &j->entries[i];

		if (i)
			fputc(',', f);
		ret = put_json(f, e->state == VT_ENTRY_ABSENT ? identity_json(e) :
								before_image_json(e));
	}
	fputs("]}\n", f);
	return ret;
}

int vt_journal_write(int dirfd, const struct vt_journal *j)
{
	FILE *f;
	int fd, ret;

	fd = openat(dirfd, JOURNAL_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = put_document(f, j);
	if (!ret && fflush(f) == EOF)
		ret = -errno;
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (fclose(f) == EOF && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, JOURNAL_TMP, dirfd, JOURNAL) < 0)
		ret = -errno;
	/* The rename itself must be durable before the kernel is asked anything. */
	if (!ret && fsync(dirfd) < 0)
		ret = -errno;
	return ret;
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
	const char *name, *kind, *parent_name;
	json_int_t depth;
	int vlan, protocol;

	if (json_unpack(o, "{s:I, s:i, s:s, s:s, s:s, s:i, s:i}", "depth", &depth,
			"ifindex", &l->ifindex, "name", &name, "kind", &kind,
			"parent_name", &parent_name, "vlan", &vlan, "protocol", &protocol) < 0 ||
	    !fits(name, sizeof(l->name)) || !fits(kind, sizeof(l->kind)) ||
	    !fits(parent_name, sizeof(e->parent_name)))
		return -EBADMSG;
	e->state = VT_ENTRY_ABSENT;
	e->depth = (unsigned int)depth;
	strcpy(l->name, name);
	strcpy(l->kind, kind);
	strcpy(e->parent_name, parent_name);
	l->is_vlan = true;
	l->vlan.id = (uint16_t)vlan;
	l->vlan.protocol = (uint16_t)protocol;
	return 0;
}

/* The identity, then everything else the device had. */
static int parse_before_image(json_t *o, struct vt_journal_entry *e)
{
	json_t *ingress = NULL, *egress = NULL, *v;
	json_int_t flags, mtu, group = 0;
	const char *master_name, *mac, *alias;
	int is_vlan, has_mac, up;
	struct vt_link *l = &e->image;
	size_t i;

	if (parse_identity(o, e) < 0)
		return -EBADMSG;
	/* "group" came in after version 1 was out: a journal without it is in group 0. */
	if (json_unpack(o, "{s:i, s:i, s:s, s:b, s:I, s:o, s:o, s:I, s:s, s:b, s:b, s:s, s?I}",
			"parent", &l->parent, "master", &l->master, "master_name", &master_name,
			"is_vlan", &is_vlan, "flags", &flags, "ingress", &ingress,
			"egress", &egress, "mtu", &mtu, "mac", &mac, "has_mac", &has_mac, "up", &up,
			"alias", &alias, "group", &group) < 0 ||
	    !fits(master_name, sizeof(e->master_name)) || !fits(alias, sizeof(l->alias)) ||
	    !json_is_array(ingress) || json_array_size(ingress) != VT_PCP_MAX + 1 ||
	    !json_is_array(egress) || parse_mac(mac, l->mac) < 0)
		return -EBADMSG;
	e->state = VT_ENTRY_PRESENT;
	strcpy(e->master_name, master_name);
	strcpy(l->alias, alias);
	l->is_vlan = is_vlan;
	l->has_mac = has_mac;
	l->up = up;
	l->group = (uint32_t)group;
	l->vlan.flags = (uint32_t)flags;
	l->mtu = (uint32_t)mtu;
	json_array_foreach(ingress, i, v)
		l->vlan.ingress[i] = (uint32_t)json_integer_value(v);
	if (json_array_size(egress)) {
		l->vlan.egress = calloc(json_array_size(egress), sizeof(*l->vlan.egress));
		if (!l->vlan.egress)
			return -ENOMEM;
	}
	json_array_foreach(egress, i, v) {
		json_int_t from, to;

		if (json_unpack(v, "[I, I]", &from, &to) < 0) {
			vt_link_release(l);
			return -EBADMSG;
		}
		l->vlan.egress[i] = (struct vt_qos_entry){ (uint32_t)from, (uint32_t)to };
	}
	l->vlan.n_egress = json_array_size(egress);
	return 0;
}

static int parse_entry(json_t *o, struct vt_journal_entry *e)
{
	const char *state;

	memset(e, 0, sizeof(*e));
	if (json_unpack(o, "{s:s}", "state", &state) < 0)
		return -EBADMSG;
	if (!strcmp(state, "absent"))
		return parse_identity(o, e);
	if (!strcmp(state, "present"))
		return parse_before_image(o, e);
	return -EBADMSG;
}

int vt_journal_read(int dirfd, struct vt_journal *j)
{
	json_t *doc = NULL, *trunks, *entries, *v;
	json_int_t group = 0;
	json_error_t err;
	const char *id;
	int version, fd, ret = -EBADMSG;
	FILE *f;
	size_t i;

	memset(j, 0, sizeof(*j));
	fd = openat(dirfd, JOURNAL, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
	fclose(f);
	if (!doc || json_unpack(doc, "{s:i, s:s, s:o, s:o, s?I}", "version", &version, "id", &id,
				"trunks", &trunks, "entries", &entries, "group", &group) < 0 ||
	    version != JOURNAL_VERSION || !json_is_array(trunks) || !json_is_array(entries) ||
	    strlen(id) >= sizeof(j->id) || group < 0 || group > UINT32_MAX)
		goto out;
	strcpy(j->id, id);
	j->group = (uint32_t)group;
	json_array_foreach(trunks, i, v) {
		if (!json_is_string(v) || vt_journal_add_trunk(j, json_string_value(v)) < 0)
			goto out;
	}
	json_array_foreach(entries, i, v) {
		struct vt_journal_entry e;

		if (parse_entry(v, &e) < 0)
			goto out;
		ret = vt_journal_add(j, e.state, &e.image, e.parent_name, e.master_name, e.depth);
		vt_link_release(&e.image);
		if (ret < 0)
			goto out;
		ret = -EBADMSG;
	}
	ret = 0;
out:
	json_decref(doc);
	if (ret < 0)
		vt_journal_free(j);
	return ret;
}

int vt_journal_remove(int dirfd)
{
	if (unlinkat(dirfd, JOURNAL, 0) < 0 && errno != ENOENT)
		return -errno;
	return fsync(dirfd) < 0 ? -errno : 0;
}

void vt_journal_free(struct vt_journal *j)
{
	for (size_t i = 0; i < j->n_trunks; i++)
		free(j->trunks[i]);
	for (size_t i = 0; i < j->n_entries; i++)
		vt_link_release(&j->entries[i].image);
	free(j->trunks);
	free(j->entries);
	memset(j, 0, sizeof(*j));
}
