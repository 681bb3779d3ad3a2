/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A snapshot of links with O(log n) lookups by ifindex, by name and by altname. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt_link.h"
#include "vt_array.h"

/* @link's copy in a table now owns what it pointed to. */
static void disown(struct vt_link *link)
{
	link->vlan.ingress = NULL;
	link->vlan.egress = NULL;
	link->vlan.n_egress = 0;
	link->altnames = NULL;
	link->n_altnames = 0;
	link->alias = NULL;
}

int vt_link_table_add(struct vt_link_table *table, struct vt_link *link)
{
	struct vt_link *links = vt_array_grow(table->links, &table->cap, table->n + 1,
					      sizeof(*links), 64);

	if (!links)
		return -ENOMEM;
	table->links = links;
	table->links[table->n++] = *link;
	disown(link);
	return 0;
}

void vt_link_table_adopt(struct vt_link_table *table, struct vt_link *links, size_t n,
			 size_t cap)
{
	free(table->links);
	table->links = links;
	table->n = n;
	table->cap = cap;
}

/* Links sort by namespace first: an ifindex or a name is unique only within one. */
static int cmp_ns(uint16_t a, uint16_t b)
{
	return (a > b) - (a < b);
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct vt_link *la = a, *lb = b;

	return cmp_ns(la->ns, lb->ns) ?: (la->ifindex > lb->ifindex) - (la->ifindex < lb->ifindex);
}

static int cmp_name(const void *a, const void *b)
{
	const struct vt_link *const *la = a, *const *lb = b;

	return cmp_ns((*la)->ns, (*lb)->ns) ?: strcmp((*la)->name, (*lb)->name);
}

static int cmp_altname(const void *a, const void *b)
{
	const struct vt_altname_ref *ra = a, *rb = b;

	return cmp_ns(ra->link->ns, rb->link->ns) ?: strcmp(ra->name, rb->name);
}

/* Almost no device has an altname: then there is no index to allocate at all. */
static int index_altnames(struct vt_link_table *table)
{
	struct vt_altname_ref *refs;
	size_t n = 0;

	free(table->by_altname);
	table->by_altname = NULL;
	table->n_by_altname = 0;
	for (size_t i = 0; i < table->n; i++)
		n += table->links[i].n_altnames;
	if (!n)
		return 0;
	refs = malloc(n * sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < table->n; i++)
		for (size_t k = 0; k < table->links[i].n_altnames; k++)
			refs[n++] = (struct vt_altname_ref){ table->links[i].altnames[k],
							     &table->links[i] };
	qsort(refs, n, sizeof(*refs), cmp_altname);
	table->by_altname = refs;
	table->n_by_altname = n;
	return 0;
}

int vt_link_table_index(struct vt_link_table *table)
{
	struct vt_link **by_name;

	qsort(table->links, table->n, sizeof(*table->links), cmp_ifindex);
	by_name = realloc(table->by_name, (table->n ? table->n : 1) * sizeof(*by_name));
	if (!by_name)
		return -ENOMEM;
	for (size_t i = 0; i < table->n; i++)
		by_name[i] = &table->links[i];
	qsort(by_name, table->n, sizeof(*by_name), cmp_name);
	table->by_name = by_name;
	return index_altnames(table);
}

const struct vt_link *vt_link_table_find_ifindex(const struct vt_link_table *table,
						 uint16_t ns, int ifindex)
{
	struct vt_link key = { .ns = ns, .ifindex = ifindex };

	if (!table->n)
		return NULL;
	return bsearch(&key, table->links, table->n, sizeof(key), cmp_ifindex);
}

const struct vt_link *vt_link_table_find_name(const struct vt_link_table *table,
					      uint16_t ns, const char *name)
{
	struct vt_link key = { .ns = ns }, *keyp = &key, **found;

	if (!table->n || !table->by_name || strlen(name) >= sizeof(key.name))
		return NULL;
	strcpy(key.name, name);
	found = bsearch(&keyp, table->by_name, table->n, sizeof(keyp), cmp_name);
	return found ? *found : NULL;
}

const struct vt_link *vt_link_table_find_altname(const struct vt_link_table *table,
						 uint16_t ns, const char *name)
{
	struct vt_link in = { .ns = ns };
	struct vt_altname_ref key = { .name = name, .link = &in }, *found;

	if (!table->n_by_altname)
		return NULL;
	found = bsearch(&key, table->by_altname, table->n_by_altname, sizeof(key), cmp_altname);
	return found ? found->link : NULL;
}

const struct vt_link *vt_link_table_resolve(const struct vt_link_table *table, uint16_t ns,
					    const char *name)
{
	const struct vt_link *l = vt_link_table_find_name(table, ns, name);

	return l ? l : vt_link_table_find_altname(table, ns, name);
}

const struct vt_link *vt_link_table_parent(const struct vt_link_table *table,
					   const struct vt_link *link)
{
	return link->parent ? vt_link_table_find_ifindex(table, link->parent_ns, link->parent) :
			      NULL;
}

static int cmp_netns(const void *a, const void *b)
{
	return strcmp(((const struct vt_netns_name *)a)->path,
		      ((const struct vt_netns_name *)b)->path);
}

int vt_link_table_add_netns(struct vt_link_table *table, const char *path, uint16_t slot,
			    uint64_t dev, uint64_t ino, uint64_t cookie)
{
	struct vt_netns_name *v;
	char *copy = strdup(path);

	if (!copy)
		return -ENOMEM;
	v = realloc(table->netns, (table->n_netns + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	table->netns = v;
	v[table->n_netns++] = (struct vt_netns_name){ copy, slot, dev, ino, cookie };
	/* a few namespaces at most per run: keeping them sorted as they come is cheap */
	qsort(v, table->n_netns, sizeof(*v), cmp_netns);
	return 0;
}

const struct vt_netns_name *vt_link_table_netns(const struct vt_link_table *table,
						const char *path)
{
	struct vt_netns_name key = { .path = (char *)path };

	if (!table->n_netns)
		return NULL;
	return bsearch(&key, table->netns, table->n_netns, sizeof(key), cmp_netns);
}

const struct vt_netns_name *vt_link_table_netns_slot(const struct vt_link_table *table,
						     uint16_t slot)
{
	if (slot == VT_NS_OWN)
		return NULL;	/* a file naming the own namespace is not another one */
	for (size_t i = 0; i < table->n_netns; i++)
		if (table->netns[i].slot == slot)
			return &table->netns[i];
	return NULL;
}

static void netns_clear(struct vt_link_table *table)
{
	for (size_t i = 0; i < table->n_netns; i++)
		free(table->netns[i].path);
	free(table->netns);
	table->netns = NULL;
	table->n_netns = 0;
}

/* Lookups by name and altname wait for vt_link_table_index() again. */
static void unindex(struct vt_link_table *table)
{
	free(table->by_name);
	table->by_name = NULL;
	free(table->by_altname);
	table->by_altname = NULL;
	table->n_by_altname = 0;
}

/* Where the link (@ns, @ifindex) is, or would go, in the table's order. */
static size_t position(const struct vt_link_table *table, uint16_t ns, int ifindex)
{
	struct vt_link key = { .ns = ns, .ifindex = ifindex };
	size_t lo = 0, hi = table->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_ifindex(&table->links[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vt_link_table_put(struct vt_link_table *table, struct vt_link *link)
{
	size_t at = position(table, link->ns, link->ifindex);
	struct vt_link *links;

	if (at < table->n && !cmp_ifindex(&table->links[at], link)) {
		vt_link_release(&table->links[at]);
	} else {
		links = vt_array_grow(table->links, &table->cap, table->n + 1, sizeof(*links), 64);
		if (!links)
			return -ENOMEM;
		table->links = links;
		memmove(&links[at + 1], &links[at], (table->n - at) * sizeof(*links));
		table->n++;
	}
	table->links[at] = *link;
	disown(link);
	unindex(table);
	return 0;
}

void vt_link_table_drop(struct vt_link_table *table, uint16_t ns, int ifindex)
{
	size_t at = position(table, ns, ifindex);

	if (at == table->n || table->links[at].ns != ns || table->links[at].ifindex != ifindex)
		return;
	vt_link_release(&table->links[at]);
	memmove(&table->links[at], &table->links[at + 1], (table->n - at - 1) * sizeof(*table->links));
	table->n--;
	unindex(table);
}

int vt_link_table_copy(struct vt_link_table *dst, const struct vt_link_table *src)
{
	int ret = 0;

	vt_link_table_clear(dst);
	dst->links = malloc((src->n ? src->n : 1) * sizeof(*dst->links));
	if (!dst->links)
		return -ENOMEM;
	dst->cap = src->n ? src->n : 1;
	for (size_t i = 0; i < src->n && !ret; i++) {
		ret = vt_link_copy(&dst->links[i], &src->links[i]);
		if (!ret)
			dst->n++;
	}
	for (size_t i = 0; i < src->n_netns && !ret; i++)
		ret = vt_link_table_add_netns(dst, src->netns[i].path, src->netns[i].slot,
					      src->netns[i].dev, src->netns[i].ino,
					      src->netns[i].cookie);
	if (!ret)
		ret = vt_link_table_index(dst);
	if (ret)
		vt_link_table_clear(dst);
	return ret;
}

void vt_link_release(struct vt_link *link)
{
	free(link->vlan.ingress);
	link->vlan.ingress = NULL;
	free(link->vlan.egress);
	link->vlan.egress = NULL;
	link->vlan.n_egress = 0;
	free(link->altnames);
	link->altnames = NULL;
	link->n_altnames = 0;
	free(link->alias);
	link->alias = NULL;
}

int vt_vlan_set_ingress(struct vt_vlan *vlan, unsigned int pcp, uint32_t to)
{
	if (!vlan->ingress) {
		if (!to)
			return 0;
		vlan->ingress = calloc(VT_PCP_MAX + 1, sizeof(*vlan->ingress));
		if (!vlan->ingress)
			return -ENOMEM;
	}
	vlan->ingress[pcp] = to;
	return 0;
}

int vt_link_set_alias(struct vt_link *link, const char *alias)
{
	char *copy = NULL;

	if (alias && alias[0]) {
		if (strnlen(alias, VT_ALIAS_MAX + 1) > VT_ALIAS_MAX)
			return -EINVAL;
		copy = strdup(alias);
		if (!copy)
			return -ENOMEM;
	}
	free(link->alias);
	link->alias = copy;
	return 0;
}

/*
 * @n strings in one allocation, the pointers first and the strings after
 * them: one malloc and one free per device that has altnames at all.
 */
static int altnames_pack(char *const *names, size_t n, char ***out)
{
	size_t bytes = n * sizeof(char *);
	char **v, *at;

	*out = NULL;
	if (!n)
		return 0;
	if (n > SIZE_MAX / VT_ALTIFNAMSIZ)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		size_t len = strnlen(names[i], VT_ALTIFNAMSIZ);

		if (len == VT_ALTIFNAMSIZ)
			return -EINVAL;
		bytes += len + 1;
	}
	v = malloc(bytes);
	if (!v)
		return -ENOMEM;
	at = (char *)(v + n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]) + 1;

		v[i] = memcpy(at, names[i], len);
		at += len;
	}
	*out = v;
	return 0;
}

int vt_link_set_altnames(struct vt_link *link, char *const *names, size_t n)
{
	char **v;
	int ret = altnames_pack(names, n, &v);

	if (ret < 0)
		return ret;
	free(link->altnames);
	link->altnames = v;
	link->n_altnames = n;
	return 0;
}

int vt_link_copy(struct vt_link *dst, const struct vt_link *src)
{
	struct vt_qos_entry *egress = NULL;
	char **altnames = NULL, *alias = NULL;
	uint32_t *ingress = NULL;

	if (src->vlan.ingress) {
		ingress = malloc((VT_PCP_MAX + 1) * sizeof(*ingress));
		if (!ingress)
			goto nomem;
		memcpy(ingress, src->vlan.ingress, (VT_PCP_MAX + 1) * sizeof(*ingress));
	}
	if (altnames_pack(src->altnames, src->n_altnames, &altnames) < 0)
		goto nomem;
	if (src->alias && src->alias[0] && !(alias = strdup(src->alias)))
		goto nomem;
	if (src->vlan.n_egress) {
		egress = malloc(src->vlan.n_egress * sizeof(*egress));
		if (!egress)
			goto nomem;
		memcpy(egress, src->vlan.egress, src->vlan.n_egress * sizeof(*egress));
	}
	*dst = *src;
	dst->vlan.ingress = ingress;
	dst->vlan.egress = egress;
	dst->altnames = altnames;
	dst->alias = alias;
	return 0;
nomem:
	free(ingress);
	free(altnames);
	free(alias);
	return -ENOMEM;
}

void vt_link_table_clear(struct vt_link_table *table)
{
	for (size_t i = 0; i < table->n; i++)
		vt_link_release(&table->links[i]);
	free(table->links);
	free(table->by_name);
	free(table->by_altname);
	netns_clear(table);
	memset(table, 0, sizeof(*table));
}

static int cmp_qos_from(const void *a, const void *b)
{
	const struct vt_qos_entry *qa = a, *qb = b;

	return (qa->from > qb->from) - (qa->from < qb->from);
}

size_t vt_qos_egress_normalize(struct vt_qos_entry *map, size_t n)
{
	size_t out = 0;

	if (!n)
		return 0;
	/* A stable order matters: the last of duplicate keys wins, as in the kernel. */
	for (size_t i = 1; i < n; i++) {
		struct vt_qos_entry e = map[i];
		size_t j = i;

		if (cmp_qos_from(&map[i - 1], &e) <= 0)
			continue;
		while (j > 0 && cmp_qos_from(&map[j - 1], &e) > 0) {
			map[j] = map[j - 1];
			j--;
		}
		map[j] = e;
	}
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && map[i + 1].from == map[i].from)
			continue;
		if (map[i].to != 0)
			map[out++] = map[i];
	}
	return out;
}

const char *vt_protocol_name(uint16_t protocol)
{
	switch (protocol) {
	case VT_PROTO_8021Q:
		return "802.1Q";
	case VT_PROTO_8021AD:
		return "802.1ad";
	default:
		return NULL;
	}
}

const char *vt_addr_gen_mode_name(uint8_t mode)
{
	static const char *const names[] = {
		[VT_ADDR_GEN_EUI64] = "eui64",
		[VT_ADDR_GEN_NONE] = "none",
		[VT_ADDR_GEN_STABLE_PRIVACY] = "stable_privacy",
		[VT_ADDR_GEN_RANDOM] = "random",
	};

	return mode <= VT_ADDR_GEN_MAX ? names[mode] : NULL;
}
