/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fake kernel of fake_kernel.h. It stands in for netlink/ as a whole:
 * a batch holds the specs it was given, not messages, but each vt_batch_*
 * refuses what netlink/encode.c refuses, and keeps exactly what the message
 * encode.c builds would carry (an ingress map whole on change and only its
 * nonzero entries on create, an egress map merged against @current with
 * removed keys mapping to 0, VLAN flags as set and unset masks).
 *
 * The kernel is modelled where recovery's safety depends on it, after
 * net/core/rtnetlink.c and net/8021q (Linux 6.1):
 *  - create: EEXIST when the chosen ifindex or the name is taken, or a VLAN
 *    with that parent, protocol and id exists; ENODEV without the parent;
 *    an empty name becomes "vlan%d"; a new VLAN has REORDER_HDR, its parent's
 *    MTU and MAC unless told otherwise, and no alias;
 *  - change, by ifindex or (ifindex 0) by name: ENODEV when missing; applied
 *    in the kernel's order (VLAN data, MAC, MTU, group, name, alias, flags,
 *    master) and, as there, not undone when a later step fails; a rename is
 *    EBUSY while the device is up and EEXIST onto a taken name;
 *  - IPv6 state (addrconf): none below an MTU of 1280, made anew with the
 *    defaults (eui64, enabled) when the MTU reaches it; an address generation
 *    mode is refused without it (EAFNOSUPPORT, before any step) and at
 *    creation; disable_ipv6 is written by name (ENOENT for no such device or
 *    one without IPv6 state), and counts as a request naming the device;
 *  - the kernel's own consequences: a device going down or up takes its VLANs
 *    without loose_binding along, a lower MTU lowers its VLANs', a deleted
 *    device takes its VLANs with it and releases what it was master of;
 *  - delete by ifindex or name (ENODEV when missing; EOPNOTSUPP for a device
 *    without rtnl_link_ops, which the lower devices here stand for), and by
 *    group: every member, or nothing if one cannot go (ENODEV when none).
 * Not modelled: namespaces, carrier, bridges' own rules on masters.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "fake_kernel.h"

#define FK_MIN_MTU 68
#define FK_MAX_MTU 9000		/* a lower device's */

struct fk_dev {
	struct vt_link l;
	int rec;		/* its record, if it is from the starting table; else -1 */
};

struct vt_nl {
	struct fk_dev *dev;
	size_t n, cap;
	struct fk_record *rec;
	size_t n_rec, cap_rec;
	struct fk_faults faults;
	int dumps;		/* since fk_set_faults() */
	int sent;		/* the same, for requests */
	size_t answered;	/* since fk_new() */
};

enum fk_kind { FK_CREATE, FK_CHANGE, FK_DELETE, FK_DELETE_GROUP };

struct fk_req {
	enum fk_kind kind;
	struct vt_link_spec spec;	/* spec.link.vlan.egress: the entries as sent (to 0 removes) */
	uint8_t ingress_sent;		/* the PCPs whose ingress mapping the message carries */
	uint32_t ingress[VT_PCP_MAX + 1];	/* as sent: spec's is the caller's, borrowed */
	struct vt_req_result result;
};

struct vt_batch {
	struct fk_req *r;
	size_t n, cap;
};

/* ------------------------------------------------------------------------ */
/* getrandom() too is the fake kernel's: pick.c picks ifindexes with it,
 * and a fuzz input must replay the same way. */

static uint64_t fk_random = 0x9e3779b97f4a7c15ULL;

void fk_seed_random(uint64_t seed)
{
	fk_random = seed | 1;
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	(void)flags;
	for (size_t i = 0; i < len; i++) {
		fk_random ^= fk_random << 13;
		fk_random ^= fk_random >> 7;
		fk_random ^= fk_random << 17;
		((uint8_t *)buf)[i] = (uint8_t)fk_random;
	}
	return (ssize_t)len;
}

/* ------------------------------------------------------------------------ */

struct vt_nl *fk_new(void)
{
	return calloc(1, sizeof(struct vt_nl));
}

void fk_free(struct vt_nl *nl)
{
	if (!nl)
		return;
	for (size_t i = 0; i < nl->n; i++)
		vt_link_release(&nl->dev[i].l);
	free(nl->dev);
	free(nl->rec);
	free(nl);
}

static struct fk_dev *by_ifindex(struct vt_nl *nl, int ifindex)
{
	for (size_t i = 0; ifindex > 0 && i < nl->n; i++)
		if (nl->dev[i].l.ifindex == ifindex)
			return &nl->dev[i];
	return NULL;
}

static struct fk_dev *by_name(struct vt_nl *nl, const char *name)
{
	for (size_t i = 0; name[0] && i < nl->n; i++)
		if (!strcmp(nl->dev[i].l.name, name))
			return &nl->dev[i];
	return NULL;
}

static int append(struct vt_nl *nl, const struct vt_link *l, int rec)
{
	if (nl->n == nl->cap) {
		size_t cap = nl->cap ? 2 * nl->cap : 16;
		struct fk_dev *dev = realloc(nl->dev, cap * sizeof(*dev));

		if (!dev)
			return -ENOMEM;
		nl->dev = dev;
		nl->cap = cap;
	}
	if (vt_link_copy(&nl->dev[nl->n].l, l) < 0)
		return -ENOMEM;
	nl->dev[nl->n++].rec = rec;
	return 0;
}

int fk_add(struct vt_nl *nl, const struct vt_link *link, enum fk_role role)
{
	struct fk_record *r;

	if (nl->n_rec == nl->cap_rec) {
		size_t cap = nl->cap_rec ? 2 * nl->cap_rec : 16;
		struct fk_record *rec = realloc(nl->rec, cap * sizeof(*rec));

		if (!rec)
			return -ENOMEM;
		nl->rec = rec;
		nl->cap_rec = cap;
	}
	if (append(nl, link, (int)nl->n_rec) < 0)
		return -ENOMEM;
	r = &nl->rec[nl->n_rec++];
	memset(r, 0, sizeof(*r));
	r->ifindex = link->ifindex;
	snprintf(r->name, sizeof(r->name), "%s", link->name);
	r->role = role;
	return 0;
}

void fk_set_faults(struct vt_nl *nl, const struct fk_faults *faults)
{
	nl->faults = *faults;
	nl->dumps = 0;
	nl->sent = 0;
}

const struct fk_record *fk_records(const struct vt_nl *nl, size_t *n)
{
	*n = nl->n_rec;
	return nl->rec;
}

void fk_clear_records(struct vt_nl *nl)
{
	for (size_t i = 0; i < nl->n_rec; i++) {
		struct fk_record *r = &nl->rec[i];

		r->aimed = r->changed = r->deleted = r->side_changed = r->side_deleted = 0;
		r->side_cause = 0;
		r->last[0] = '\0';
	}
}

size_t fk_requests(const struct vt_nl *nl)
{
	return nl->answered;
}

static struct fk_record *record(struct vt_nl *nl, const struct fk_dev *d)
{
	return d && d->rec >= 0 ? &nl->rec[d->rec] : NULL;
}

/* A request named @d: noted before it is carried out, whether it then fails or not. */
static void __attribute__((format(printf, 3, 4))) aimed(struct vt_nl *nl, const struct fk_dev *d,
							const char *fmt, ...)
{
	struct fk_record *r = record(nl, d);
	va_list ap;

	if (!r)
		return;
	r->aimed++;
	va_start(ap, fmt);
	vsnprintf(r->last, sizeof(r->last), fmt, ap);
	va_end(ap);
}

static void side_effect(struct vt_nl *nl, const struct fk_dev *d, int cause, bool deleted)
{
	struct fk_record *r = record(nl, d);

	if (!r)
		return;
	if (deleted)
		r->side_deleted++;
	else
		r->side_changed++;
	if (!r->side_cause)
		r->side_cause = cause;
}

/* ------------------------------------------------------------------------ */
/* Dumps. */

int vt_nl_dump_links(struct vt_nl *nl, struct vt_link_table *table)
{
	vt_link_table_clear(table);
	if (nl->faults.fail_dump && ++nl->dumps == nl->faults.fail_dump)
		return -EAGAIN;		/* interrupted too often, as the real one gives up */
	for (size_t i = 0; i < nl->n; i++) {
		struct vt_link copy;

		if (vt_link_copy(&copy, &nl->dev[i].l) < 0 || vt_link_table_add(table, &copy) < 0) {
			vt_link_table_clear(table);
			return -ENOMEM;
		}
	}
	return vt_link_table_index(table);
}

/* ------------------------------------------------------------------------ */
/* Batches: checked and kept as netlink/encode.c would encode them. */

struct vt_batch *vt_batch_new(void)
{
	return calloc(1, sizeof(struct vt_batch));
}

void vt_batch_reset(struct vt_batch *batch)
{
	for (size_t i = 0; i < batch->n; i++)
		free(batch->r[i].spec.link.vlan.egress);
	batch->n = 0;
}

void vt_batch_free(struct vt_batch *batch)
{
	if (!batch)
		return;
	vt_batch_reset(batch);
	free(batch->r);
	free(batch);
}

size_t vt_batch_count(const struct vt_batch *batch)
{
	return batch->n;
}

enum vt_req_op vt_batch_op(const struct vt_batch *batch, size_t index)
{
	switch (batch->r[index].kind) {
	case FK_CREATE:
		return VT_REQ_CREATE;
	case FK_CHANGE:
		return VT_REQ_CHANGE;
	default:
		return VT_REQ_DELETE;
	}
}

const struct vt_req_result *vt_batch_result(const struct vt_batch *batch, size_t index)
{
	return &batch->r[index].result;
}

void vt_batch_set_result(struct vt_batch *batch, size_t index, const struct vt_req_result *result)
{
	batch->r[index].result = *result;
	if (!result->message)
		batch->r[index].result.message = "";
}

size_t vt_batch_failures(const struct vt_batch *batch)
{
	size_t failed = 0;

	for (size_t i = 0; i < batch->n; i++)
		failed += batch->r[i].result.state == VT_REQ_ANSWERED && batch->r[i].result.error;
	return failed;
}

static struct fk_req *queue(struct vt_batch *batch, enum fk_kind kind)
{
	struct fk_req *q;

	if (batch->n == batch->cap) {
		size_t cap = batch->cap ? 2 * batch->cap : 16;
		struct fk_req *r = realloc(batch->r, cap * sizeof(*r));

		if (!r)
			return NULL;
		batch->r = r;
		batch->cap = cap;
	}
	q = &batch->r[batch->n];
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	q->result.message = "";
	return q;
}

/* The egress entries put_egress() in encode.c sends: @want's, and @current's other keys as 0. */
static int sent_egress(const struct vt_vlan *want, const struct vt_vlan *current,
		       struct vt_qos_entry **out, size_t *n_out)
{
	size_t n_cur = current ? current->n_egress : 0, i = 0, j = 0, n = 0;
	struct vt_qos_entry *e = calloc(want->n_egress + n_cur + 1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	while (i < want->n_egress || j < n_cur) {
		if (j == n_cur || (i < want->n_egress && want->egress[i].from <= current->egress[j].from)) {
			if (j < n_cur && current->egress[j].from == want->egress[i].from)
				j++;
			e[n++] = want->egress[i++];
		} else {
			e[n++] = (struct vt_qos_entry){ current->egress[j++].from, 0 };
		}
		if (e[n - 1].to > VT_PCP_MAX) {
			free(e);
			return -EINVAL;
		}
	}
	*out = e;
	*n_out = n;
	return 0;
}

/* What fill() in encode.c keeps of @spec; the egress map becomes the entries as sent. */
static int keep(struct fk_req *q, const struct vt_link_spec *spec, const struct vt_link *current,
		bool create)
{
	const struct vt_vlan *v = &spec->link.vlan;
	q->spec = *spec;
	q->spec.link.vlan.egress = NULL;
	q->spec.link.vlan.n_egress = 0;
	q->spec.link.vlan.ingress = NULL;
	if (spec->fields & VT_F_INGRESS)
		for (int pcp = 0; pcp <= VT_PCP_MAX; pcp++) {
			q->ingress[pcp] = vt_vlan_ingress(v, (unsigned int)pcp);
			if (!create || q->ingress[pcp])
				q->ingress_sent |= (uint8_t)(1u << pcp);
		}
	if (!(spec->fields & VT_F_EGRESS))
		return 0;
	return sent_egress(v, current ? &current->vlan : NULL, &q->spec.link.vlan.egress,
			   &q->spec.link.vlan.n_egress);
}

int vt_batch_create(struct vt_batch *batch, const struct vt_link_spec *spec)
{
	const uint32_t required = VT_F_NAME | VT_F_PARENT | VT_F_VLAN_ID;
	struct fk_req *q;
	int ret;

	if ((spec->fields & required) != required || (spec->fields & (VT_F_ALIAS | VT_F_ADDR_GEN_MODE)))
		return -EINVAL;
	if (!(q = queue(batch, FK_CREATE)))
		return -ENOMEM;
	ret = keep(q, spec, NULL, true);
	if (ret < 0)
		return ret;
	return (int)batch->n++;
}

int vt_batch_create_plain(struct vt_batch *batch, const char *name, const char *kind)
{
	(void)batch;
	(void)name;
	(void)kind;
	return -EINVAL;		/* only probes create those; recovery never does */
}

int vt_batch_change(struct vt_batch *batch, const struct vt_link *current,
		    const struct vt_link_spec *spec)
{
	const uint32_t create_only = VT_F_PARENT | VT_F_VLAN_ID | VT_F_PROTOCOL;
	const struct vt_link *want = &spec->link;
	struct fk_req *q;
	int ret;

	if (spec->fields & create_only)
		return -EINVAL;
	if (!want->ifindex && (!want->name[0] || (spec->fields & VT_F_NAME)))
		return -EINVAL;
	if ((spec->fields & VT_F_EGRESS) && !current)
		return -EINVAL;
	if (!(q = queue(batch, FK_CHANGE)))
		return -ENOMEM;
	ret = keep(q, spec, current, false);
	if (ret < 0)
		return ret;
	return (int)batch->n++;
}

int vt_batch_delete(struct vt_batch *batch, uint16_t ns, int ifindex, const char *name)
{
	struct fk_req *q;

	/* One namespace here: a journal's others are never mapped (no netns_map.c). */
	if (ns != VT_NS_OWN || (!ifindex && (!name || !name[0])))
		return -EINVAL;
	if (!(q = queue(batch, FK_DELETE)))
		return -ENOMEM;
	q->spec.link.ifindex = ifindex;
	if (!ifindex)
		snprintf(q->spec.link.name, sizeof(q->spec.link.name), "%s", name);
	return (int)batch->n++;
}

int vt_batch_delete_group(struct vt_batch *batch, uint16_t ns, uint32_t group)
{
	struct fk_req *q;

	if (ns != VT_NS_OWN || !group)
		return -EINVAL;
	if (!(q = queue(batch, FK_DELETE_GROUP)))
		return -ENOMEM;
	q->spec.link.group = group;
	return (int)batch->n++;
}

/* ------------------------------------------------------------------------ */
/* The kernel. */

/* dev_valid_name(): what the kernel takes as a device name. */
static bool valid_name(const char *name)
{
	if (!name[0] || strlen(name) >= VT_IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
			return false;
	return true;
}

static bool valid_mac(const uint8_t *mac)
{
	static const uint8_t zero[VT_MAC_LEN];

	return !(mac[0] & 1) && memcmp(mac, zero, VT_MAC_LEN);
}

static uint32_t max_mtu(struct vt_nl *nl, const struct vt_link *l)
{
	const struct fk_dev *p = l->is_vlan ? by_ifindex(nl, l->parent) : NULL;

	return p ? p->l.mtu : FK_MAX_MTU;
}

/* The egress entries as sent, into @v's map: a mapping to 0 removes one. */
static int merge_egress(struct vt_vlan *v, const struct vt_vlan *sent)
{
	struct vt_qos_entry *m = realloc(v->egress, (v->n_egress + sent->n_egress + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	v->egress = m;
	/* Appended in order: vt_qos_egress_normalize() keeps the last of a key, drops 0s. */
	memcpy(m + v->n_egress, sent->egress, sent->n_egress * sizeof(*m));
	v->n_egress = vt_qos_egress_normalize(m, v->n_egress + sent->n_egress);
	return 0;
}

static int vlan_data(struct vt_vlan *v, const struct fk_req *q)
{
	const struct vt_vlan *w = &q->spec.link.vlan;

	if (q->spec.fields & VT_F_VLAN_FLAGS) {
		uint32_t mask = q->spec.vlan_flags_mask & VT_VLAN_FLAGS_ALL;

		v->flags = (v->flags & ~mask) | (w->flags & mask);
	}
	for (int pcp = 0; pcp <= VT_PCP_MAX; pcp++)
		if ((q->ingress_sent & (1u << pcp)) &&
		    vt_vlan_set_ingress(v, (unsigned int)pcp, q->ingress[pcp]) < 0)
			return -ENOMEM;
	return 0;
}

/* NETDEV_UP / NETDEV_DOWN on a lower device: its VLANs without loose_binding follow. */
static void follow_updown(struct vt_nl *nl, int ifindex, bool up, int cause)
{
	for (size_t i = 0; i < nl->n; i++) {
		struct fk_dev *c = &nl->dev[i];

		if (!c->l.is_vlan || c->l.parent != ifindex || c->l.up == up ||
		    (c->l.vlan.flags & VT_VLAN_LOOSE_BINDING))
			continue;
		c->l.up = up;
		side_effect(nl, c, cause, false);
		follow_updown(nl, c->l.ifindex, up, cause);
	}
}

/* addrconf on NETDEV_CHANGEMTU: below 1280 IPv6 state goes; reaching it, it is new. */
static void set_mtu(struct vt_link *l, uint32_t mtu)
{
	if (mtu < VT_IPV6_MIN_MTU)
		l->ipv6 = (struct vt_ipv6){ .present = false };
	else if (!l->ipv6.present)
		l->ipv6 = (struct vt_ipv6){ .present = true, .addr_gen_mode = VT_ADDR_GEN_EUI64 };
	l->mtu = mtu;
}

/* NETDEV_CHANGEMTU on a lower device: VLANs above the new MTU are lowered to it. */
static void follow_mtu(struct vt_nl *nl, int ifindex, uint32_t mtu, int cause)
{
	for (size_t i = 0; i < nl->n; i++) {
		struct fk_dev *c = &nl->dev[i];

		if (!c->l.is_vlan || c->l.parent != ifindex || c->l.mtu <= mtu)
			continue;
		set_mtu(&c->l, mtu);
		side_effect(nl, c, cause, false);
		follow_mtu(nl, c->l.ifindex, mtu, cause);
	}
}

static int create(struct vt_nl *nl, const struct fk_req *q, const char **msg)
{
	const struct vt_link *w = &q->spec.link;
	uint32_t f = q->spec.fields;
	struct vt_link l = { .ifindex = w->ifindex };
	const struct fk_dev *parent;
	int ret;

	if (w->ifindex < 0)
		return -EINVAL;
	if (w->ifindex && by_ifindex(nl, w->ifindex))
		return -EEXIST;
	if (!w->name[0]) {
		/* No name: the kernel numbers one after the kind. */
		for (int k = 0; !l.name[0] || by_name(nl, l.name); k++)
			snprintf(l.name, sizeof(l.name), "vlan%d", k);
	} else if (!valid_name(w->name)) {
		return -EINVAL;
	} else if (by_name(nl, w->name)) {
		return -EEXIST;
	} else {
		strcpy(l.name, w->name);
	}
	if (!(parent = by_ifindex(nl, w->parent)))
		return -ENODEV;
	if (w->vlan.id > VT_VLAN_ID_MAX)
		return -ERANGE;
	l.vlan.protocol = f & VT_F_PROTOCOL ? w->vlan.protocol : VT_PROTO_8021Q;
	if (l.vlan.protocol != VT_PROTO_8021Q && l.vlan.protocol != VT_PROTO_8021AD) {
		*msg = "Invalid VLAN protocol";
		return -EPROTONOSUPPORT;
	}
	if ((f & VT_F_VLAN_FLAGS) && (w->vlan.flags & q->spec.vlan_flags_mask & ~VT_VLAN_FLAGS_ALL))
		return -EINVAL;
	for (size_t i = 0; i < nl->n; i++)
		if (nl->dev[i].l.is_vlan && nl->dev[i].l.parent == w->parent &&
		    nl->dev[i].l.vlan.protocol == l.vlan.protocol && nl->dev[i].l.vlan.id == w->vlan.id)
			return -EEXIST;
	if ((f & VT_F_MTU) && (w->mtu < FK_MIN_MTU || w->mtu > parent->l.mtu))
		return -EINVAL;
	if ((f & VT_F_MAC) && !valid_mac(w->mac))
		return -EADDRNOTAVAIL;
	if ((f & VT_F_MASTER) && w->master && (!by_ifindex(nl, w->master) || w->master == w->ifindex))
		return -EINVAL;
	if (!l.ifindex) {
		/* The kernel's own allocator: the next free one. */
		l.ifindex = 1;
		while (by_ifindex(nl, l.ifindex))
			l.ifindex++;
	}
	snprintf(l.kind, sizeof(l.kind), "vlan");
	l.is_vlan = true;
	l.parent = w->parent;
	l.vlan.id = w->vlan.id;
	l.vlan.flags = VT_VLAN_REORDER_HDR;
	set_mtu(&l, f & VT_F_MTU ? w->mtu : parent->l.mtu);
	memcpy(l.mac, f & VT_F_MAC ? w->mac : parent->l.mac, VT_MAC_LEN);
	l.has_mac = true;
	l.up = (f & VT_F_UP) && w->up;
	l.group = f & VT_F_GROUP ? w->group : 0;
	l.master = f & VT_F_MASTER ? w->master : 0;
	if (vlan_data(&l.vlan, q) < 0 ||
	    ((f & VT_F_EGRESS) && merge_egress(&l.vlan, &w->vlan) < 0)) {
		vt_link_release(&l);
		return -ENOMEM;
	}
	ret = append(nl, &l, -1);
	vt_link_release(&l);
	return ret;
}

/* Applied step by step in do_setlink()'s order; a failing step ends it, earlier ones stay. */
static int change(struct vt_nl *nl, const struct fk_req *q, const char **msg)
{
	const struct vt_link *w = &q->spec.link;
	uint32_t f = q->spec.fields;
	struct fk_record *r;
	struct fk_dev *d = w->ifindex ? by_ifindex(nl, w->ifindex) : by_name(nl, w->name);
	struct vt_link *l;
	bool applied = false;
	int ret = 0;

	if (!d)
		return -ENODEV;
	aimed(nl, d, "change of fields 0x%x: name \"%s\" alias \"%s\" group 0x%x",
	      f, w->name, vt_link_alias(w), w->group);
	l = &d->l;
	r = record(nl, d);
	/* validate_linkmsg(): inet6_validate_link_af() wants IPv6 state, before any step. */
	if ((f & VT_F_ADDR_GEN_MODE) && (!l->ipv6.present || w->ipv6.addr_gen_mode > VT_ADDR_GEN_MAX))
		return l->ipv6.present ? -EINVAL : -EAFNOSUPPORT;
	/* A VLAN kind in the request is refused for any other device. */
	if (f & (VT_F_VLAN_FLAGS | VT_F_INGRESS | VT_F_EGRESS)) {
		if (!l->is_vlan) {
			*msg = "Device is not a VLAN";
			return -EOPNOTSUPP;
		}
		if ((f & VT_F_VLAN_FLAGS) && (w->vlan.flags & q->spec.vlan_flags_mask & ~VT_VLAN_FLAGS_ALL))
			return -EINVAL;
		if (vlan_data(&l->vlan, q) < 0 ||
		    ((f & VT_F_EGRESS) && merge_egress(&l->vlan, &w->vlan) < 0))
			return -ENOMEM;
		applied = true;
	}
	if (f & VT_F_MAC) {
		if (!valid_mac(w->mac)) {
			ret = -EADDRNOTAVAIL;
			goto out;
		}
		memcpy(l->mac, w->mac, VT_MAC_LEN);
		applied = true;
	}
	if (f & VT_F_MTU) {
		if (w->mtu < FK_MIN_MTU || w->mtu > max_mtu(nl, l)) {
			ret = l->is_vlan ? -ERANGE : -EINVAL;
			goto out;
		}
		if (w->mtu < l->mtu)
			follow_mtu(nl, l->ifindex, w->mtu, l->ifindex);
		set_mtu(l, w->mtu);
		applied = true;
	}
	if (f & VT_F_GROUP) {
		l->group = w->group;
		applied = true;
	}
	/* Selected by ifindex, a name in the request is a rename; "" is no name at all. */
	if ((f & VT_F_NAME) && w->ifindex && w->name[0] && strcmp(w->name, l->name)) {
		if (l->up) {
			ret = -EBUSY;
			goto out;
		}
		if (!valid_name(w->name)) {
			ret = -EINVAL;
			goto out;
		}
		if (by_name(nl, w->name)) {
			ret = -EEXIST;
			goto out;
		}
		strcpy(l->name, w->name);
		applied = true;
	}
	if (f & VT_F_ALIAS) {
		if (vt_link_set_alias(l, w->alias) < 0)
			return -ENOMEM;
		applied = true;
	}
	if ((f & VT_F_UP) && l->up != w->up) {
		l->up = w->up;
		follow_updown(nl, l->ifindex, w->up, l->ifindex);
		applied = true;
	}
	if (f & VT_F_MASTER) {
		if (w->master && (!by_ifindex(nl, w->master) || w->master == l->ifindex)) {
			ret = -EINVAL;
			goto out;
		}
		l->master = w->master;
		applied = true;
	}
	/* IFLA_AF_SPEC last; an MTU lowered below 1280 just now took the state away. */
	if (f & VT_F_ADDR_GEN_MODE) {
		if (!l->ipv6.present) {
			ret = -EAFNOSUPPORT;
			goto out;
		}
		l->ipv6.addr_gen_mode = w->ipv6.addr_gen_mode;
		applied = true;
	}
out:
	if (applied && r)
		r->changed++;
	return ret;
}

int vt_nl_ipv6_defaults(struct vt_nl *nl, uint16_t ns, struct vt_ipv6_defaults *out)
{
	(void)nl;
	(void)ns;
	out->addr_gen_mode = VT_ADDR_GEN_EUI64;
	out->disable_ipv6 = 0;
	return 0;
}

int vt_nl_set_ipv6_disabled(struct vt_nl *nl, uint16_t ns, const char *name, bool disabled)
{
	struct fk_dev *d;
	struct fk_record *r;

	if (ns != VT_NS_OWN)
		return -ENOENT;
	if (!valid_name(name) || !strcmp(name, "all") || !strcmp(name, "default"))
		return -EINVAL;
	d = by_name(nl, name);
	if (!d || !d->l.ipv6.present)
		return -ENOENT;
	aimed(nl, d, "disable_ipv6 %d by name \"%s\"", disabled, name);
	r = record(nl, d);
	d->l.ipv6.disabled = disabled;
	if (r)
		r->changed++;
	return 0;
}

/* Unregistering @ifindex: its VLANs go first, what it was master of is released. */
static void unregister(struct vt_nl *nl, int ifindex, int cause)
{
	size_t i = 0;

	while (i < nl->n) {
		struct fk_dev *c = &nl->dev[i];

		if (c->l.is_vlan && c->l.parent == ifindex) {
			side_effect(nl, c, cause, true);
			unregister(nl, c->l.ifindex, cause);
			i = 0;	/* the table moved */
			continue;
		}
		if (c->l.master == ifindex) {
			c->l.master = 0;
			side_effect(nl, c, cause, false);
		}
		i++;
	}
	for (i = 0; i < nl->n; i++) {
		if (nl->dev[i].l.ifindex != ifindex)
			continue;
		vt_link_release(&nl->dev[i].l);
		nl->dev[i] = nl->dev[--nl->n];
		return;
	}
}

static bool deletable(const struct fk_dev *d)
{
	return d->l.kind[0] != '\0';	/* a kind: rtnl_link_ops, with dellink */
}

static int delete(struct vt_nl *nl, const struct fk_req *q)
{
	const struct vt_link *w = &q->spec.link;
	struct fk_dev *d = w->ifindex ? by_ifindex(nl, w->ifindex) : by_name(nl, w->name);
	struct fk_record *r;

	if (!d)
		return -ENODEV;
	aimed(nl, d, "delete by %s", w->ifindex ? "ifindex" : "name");
	if (!deletable(d))
		return -EOPNOTSUPP;
	if ((r = record(nl, d)))
		r->deleted++;
	unregister(nl, d->l.ifindex, d->l.ifindex);
	return 0;
}

static int delete_group(struct vt_nl *nl, const struct fk_req *q)
{
	const uint32_t group = q->spec.link.group;
	bool found = false;

	for (size_t i = 0; i < nl->n; i++) {
		if (nl->dev[i].l.group != group)
			continue;
		found = true;
		aimed(nl, &nl->dev[i], "delete of group 0x%x", group);
		if (!deletable(&nl->dev[i]))
			return -EOPNOTSUPP;
	}
	if (!found)
		return -ENODEV;
	for (size_t i = 0; i < nl->n;) {
		struct fk_record *r;

		if (nl->dev[i].l.group != group) {
			i++;
			continue;
		}
		if ((r = record(nl, &nl->dev[i])))
			r->deleted++;
		unregister(nl, nl->dev[i].l.ifindex, nl->dev[i].l.ifindex);
		i = 0;
	}
	return 0;
}

static int apply(struct vt_nl *nl, struct fk_req *q)
{
	const char **msg = &q->result.message;	/* the kernel's texts are constant */

	switch (q->kind) {
	case FK_CREATE:
		return create(nl, q, msg);
	case FK_CHANGE:
		return change(nl, q, msg);
	case FK_DELETE:
		return delete(nl, q);
	case FK_DELETE_GROUP:
		return delete_group(nl, q);
	}
	return -EINVAL;
}

int vt_nl_send_batch_part(struct vt_nl *nl, struct vt_batch *batch, size_t first, size_t end)
{
	if (end > batch->n)
		end = batch->n;
	for (size_t i = first; i < end; i++) {
		struct fk_req *q = &batch->r[i];

		q->result = (struct vt_req_result){ .state = VT_REQ_ANSWERED, .message = "" };
		q->result.error = apply(nl, q);
		nl->answered++;
		if (nl->faults.lose_answer && ++nl->sent == nl->faults.lose_answer) {
			/* Carried out, its answer dropped: the rest of the batch is not sent. */
			q->result = (struct vt_req_result){ .state = VT_REQ_UNKNOWN, .message = "" };
			return -ENOBUFS;
		}
	}
	return 0;
}

int vt_nl_send_batch(struct vt_nl *nl, struct vt_batch *batch)
{
	for (size_t i = 0; i < batch->n; i++)
		batch->r[i].result = (struct vt_req_result){ .state = VT_REQ_QUEUED, .message = "" };
	return vt_nl_send_batch_part(nl, batch, 0, batch->n);
}
