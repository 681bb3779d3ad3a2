/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vt_link.h - a network link as vlantrunk sees it.
 *
 * Plain C values decoded from the kernel (by netlink/) and compared or built
 * by the agent. Nothing here depends on netlink headers.
 */
#ifndef VT_LINK_H
#define VT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VT_IFNAMSIZ 16		/* IFNAMSIZ, with the terminating NUL */
#define VT_ALTIFNAMSIZ 128	/* ALTIFNAMSIZ: an altname, with the terminating NUL */
#define VT_KINDSIZ 32
#define VT_ALIAS_MAX 256	/* IFALIASZ - 1 */
#define VT_MAC_LEN 6
#define VT_VLAN_ID_MAX 4094
#define VT_PCP_MAX 7

#define VT_PROTO_8021Q 0x8100	/* host byte order */
#define VT_PROTO_8021AD 0x88a8

/* VLAN flags, as the kernel numbers them (enum vlan_flags). */
enum vt_vlan_flag {
	VT_VLAN_REORDER_HDR = 0x1,
	VT_VLAN_GVRP = 0x2,
	VT_VLAN_LOOSE_BINDING = 0x4,
	VT_VLAN_MVRP = 0x8,
	VT_VLAN_BRIDGE_BINDING = 0x10,
};
#define VT_VLAN_FLAGS_ALL 0x1f

/* IPv6 address generation modes, as the kernel numbers them (enum in6_addr_gen_mode). */
enum vt_addr_gen_mode {
	VT_ADDR_GEN_EUI64 = 0,
	VT_ADDR_GEN_NONE = 1,
	VT_ADDR_GEN_STABLE_PRIVACY = 2,
	VT_ADDR_GEN_RANDOM = 3,
};
#define VT_ADDR_GEN_MAX VT_ADDR_GEN_RANDOM

/* IPv6's minimum MTU: below it a device has no IPv6 state at all. */
#define VT_IPV6_MIN_MTU 1280

/*
 * A device's IPv6 state (IFLA_AF_SPEC, AF_INET6). The kernel keeps none for a
 * device whose MTU is below 1280, nor anywhere when IPv6 is not in it; raising
 * the MTU to 1280 or more makes it anew from the namespace's defaults.
 */
struct vt_ipv6 {
	bool present;			/* the device has IPv6 state; else nothing below is */
	uint8_t addr_gen_mode;		/* enum vt_addr_gen_mode */
	bool disabled;			/* net.ipv6.conf.<dev>.disable_ipv6 */
};

/* One egress QoS mapping: skb priority -> 802.1p PCP. */
struct vt_qos_entry {
	uint32_t from;
	uint32_t to;
};

struct vt_vlan {
	uint16_t id;
	uint16_t protocol;		/* VT_PROTO_*, host byte order */
	uint32_t flags;			/* enum vt_vlan_flag bits */
	/*
	 * ingress[pcp] = skb priority; 0 means unmapped, as in the kernel. NULL
	 * when every PCP is unmapped, as on almost every VLAN (read it with
	 * vt_vlan_ingress()); else VT_PCP_MAX + 1 entries. Out of line: inline it
	 * was 32 bytes of every device in every table, op and journal image.
	 * Owned like the egress map; a planned link borrows its subport's.
	 */
	uint32_t *ingress;
	/* sorted by .from, no entry maps to 0 (the kernel's "removed") */
	struct vt_qos_entry *egress;
	size_t n_egress;
};

/* vt_link.ns of a device in vlantrunk's own network namespace. */
#define VT_NS_OWN 0

struct vt_link {
	/*
	 * Its network namespace: VT_NS_OWN, or the slot of one the table lists
	 * (vt_link_table.netns). An ifindex and a name are unique only within a
	 * namespace: a device is (ns, ifindex), and (ns, name) by name.
	 */
	uint16_t ns;
	uint16_t parent_ns;		/* the namespace .parent is an ifindex of */
	/*
	 * IFLA_LINK_NETNSID as the kernel sent it (-1: none, the parent is in
	 * the device's own namespace): an id relative to the namespace the
	 * message came from. netlink/ turns it into .parent_ns; a parent in a
	 * namespace the table does not list makes .parent 0.
	 */
	int32_t link_netnsid;
	int ifindex;
	char name[VT_IFNAMSIZ];
	char kind[VT_KINDSIZ];		/* "" for a device without IFLA_INFO_KIND */
	int parent;			/* IFLA_LINK ifindex, 0 when none */
	int master;			/* 0 when none */
	uint32_t mtu;
	uint8_t mac[VT_MAC_LEN];
	bool has_mac;			/* a 6-byte hardware address was reported */
	bool up;			/* IFF_UP, the administrative state */
	/*
	 * IFLA_IFALIAS; NULL when it has none (read it with vt_link_alias()).
	 * Out of line: inline it was 257 of the link's 424 bytes, on every
	 * device of every table, where almost every alias is a short marker.
	 * Owned like the egress map: by a table's or a journal's link, which
	 * vt_link_release() frees; a planned link borrows it (the plan's
	 * markers, vt_plan.markers).
	 */
	char *alias;
	uint32_t group;			/* IFLA_GROUP; 0 is the kernel's default */
	struct vt_ipv6 ipv6;
	bool is_vlan;
	struct vt_vlan vlan;		/* valid when is_vlan */
	/*
	 * Its altnames (`ip link property add dev X altname Y`, Linux 5.5+), in
	 * the kernel's order; NULL and 0 when it has none, as almost every device.
	 * Owned like the egress map: one allocation holds the pointers and the
	 * strings (each shorter than VT_ALTIFNAMSIZ).
	 */
	char **altnames;
	size_t n_altnames;
};

/*
 * Which fields of a vt_link a request sets. Unset fields stay as the kernel
 * has them (on change) or get the kernel's defaults (on create).
 */
enum vt_link_field {
	VT_F_NAME = 1u << 0,
	VT_F_PARENT = 1u << 1,		/* create only */
	VT_F_VLAN_ID = 1u << 2,		/* create only */
	VT_F_PROTOCOL = 1u << 3,	/* create only */
	VT_F_VLAN_FLAGS = 1u << 4,	/* the bits in vlan_flags_mask */
	VT_F_INGRESS = 1u << 5,		/* the whole ingress map */
	VT_F_EGRESS = 1u << 6,		/* the whole egress map */
	VT_F_MTU = 1u << 7,
	VT_F_MAC = 1u << 8,
	VT_F_UP = 1u << 9,
	VT_F_MASTER = 1u << 10,		/* master 0 releases the device */
	VT_F_ALIAS = 1u << 11,		/* "" removes the alias; change only */
	VT_F_GROUP = 1u << 12,		/* the device group */
	/*
	 * link.ipv6.addr_gen_mode; change only, on a device that has IPv6 state:
	 * the kernel refuses IFLA_AF_SPEC/AF_INET6 otherwise (EAFNOSUPPORT).
	 * disable_ipv6 has no attribute: see vt_nl_set_ipv6_disabled().
	 */
	VT_F_ADDR_GEN_MODE = 1u << 13,
};

/* What a create or change request asks of one device. */
struct vt_link_spec {
	uint32_t fields;		/* enum vt_link_field bits */
	uint32_t vlan_flags_mask;	/* with VT_F_VLAN_FLAGS */
	struct vt_link link;		/* values; only `fields` are read */
};

/* One altname of a link, for the table's altname index. */
struct vt_altname_ref {
	const char *name;
	const struct vt_link *link;
};

/*
 * A network namespace a snapshot covers besides vlantrunk's own, by one of
 * the files that name it. Several files may name one namespace (a name in
 * /run/netns and /proc/PID/ns/net): they share a slot.
 */
struct vt_netns_name {
	char *path;			/* the namespace file (owned) */
	uint16_t slot;			/* vt_link.ns of its devices (VT_NS_OWN: the file names ours) */
	/* Its identity while it lives: the nsfs file's st_dev and st_ino ... */
	uint64_t dev, ino;
	uint64_t cookie;		/* ... and for good: SO_NETNS_COOKIE (0: not known) */
};

/*
 * A snapshot of the kernel's links, indexed by (namespace, ifindex), by
 * (namespace, name) and by (namespace, altname). The kernel keeps names and
 * altnames unique together in a namespace: a string is at most one device's
 * name or altname there.
 */
struct vt_link_table {
	struct vt_link *links;		/* sorted by (ns, ifindex) */
	size_t n;
	size_t cap;
	struct vt_link **by_name;	/* sorted by (ns, name) */
	struct vt_altname_ref *by_altname;	/* sorted by (ns, name); NULL when no link has one */
	size_t n_by_altname;
	/* the other namespaces read, by path (sorted); none when only the own one was */
	struct vt_netns_name *netns;
	size_t n_netns;
};

/**
 * vt_link_table_add - append a copy of @link; the table takes ownership of
 * what it owns (its QoS maps, altnames and alias). Call vt_link_table_index()
 * once all are added. Returns 0 or -ENOMEM.
 */
int vt_link_table_add(struct vt_link_table *table, struct vt_link *link);

/**
 * vt_link_table_adopt - make @links (@n of them in an array of @cap from
 * malloc) the links of @table, which must be empty: the table takes the
 * array and what every link owns, as vt_link_table_add() does one at a time.
 * Call vt_link_table_index() next.
 */
void vt_link_table_adopt(struct vt_link_table *table, struct vt_link *links, size_t n,
			 size_t cap);

/**
 * vt_link_table_index - sort by ifindex and build the name and altname
 * indexes. Returns 0 or -ENOMEM.
 */
int vt_link_table_index(struct vt_link_table *table);

/**
 * vt_link_table_add_netns - the table covers namespace @slot, named by @path
 * (copied), with identity (@dev, @ino, @cookie). Returns 0 or -ENOMEM.
 */
int vt_link_table_add_netns(struct vt_link_table *table, const char *path, uint16_t slot,
			    uint64_t dev, uint64_t ino, uint64_t cookie);

/**
 * vt_link_table_netns - the entry for the namespace file @path, or NULL when
 * the snapshot does not cover it (it did not exist when read).
 */
const struct vt_netns_name *vt_link_table_netns(const struct vt_link_table *table,
						const char *path);

/** vt_link_table_netns_slot - an entry naming namespace @slot (not VT_NS_OWN), or NULL. */
const struct vt_netns_name *vt_link_table_netns_slot(const struct vt_link_table *table,
						     uint16_t slot);

/**
 * vt_link_table_put - @link replaces the link with its (ns, ifindex), or joins the
 * table in ifindex order; the table takes ownership of what @link owns (its
 * QoS maps, altnames and alias).
 * For a table kept up to date from link events: lookups by name need
 * vt_link_table_index() again. Returns 0 or -ENOMEM.
 */
int vt_link_table_put(struct vt_link_table *table, struct vt_link *link);

/** vt_link_table_drop - remove the link (@ns, @ifindex), if any (as _put() for lookups). */
void vt_link_table_drop(struct vt_link_table *table, uint16_t ns, int ifindex);

/**
 * vt_link_table_copy - @dst (cleared first) becomes an indexed deep copy of
 * @src. Returns 0 or -ENOMEM (then @dst is empty).
 */
int vt_link_table_copy(struct vt_link_table *dst, const struct vt_link_table *src);

/** vt_link_table_find_ifindex - the link with @ifindex in namespace @ns, or NULL. */
const struct vt_link *vt_link_table_find_ifindex(const struct vt_link_table *table,
						 uint16_t ns, int ifindex);

/**
 * vt_link_table_find_name - the link called @name, or NULL. By the device's
 * name alone, never an altname: what proves a device's identity (recovery)
 * goes by this.
 */
const struct vt_link *vt_link_table_find_name(const struct vt_link_table *table,
					      uint16_t ns, const char *name);

/** vt_link_table_find_altname - the link in @ns one of whose altnames is @name, or NULL. */
const struct vt_link *vt_link_table_find_altname(const struct vt_link_table *table,
						 uint16_t ns, const char *name);

/**
 * vt_link_table_resolve - the link the kernel's own name lookup finds for
 * @name: the one called so, else the one with that altname; NULL when none.
 * For what an operator wrote (a parent, a master) and for whether a name is
 * taken: the kernel refuses to create or rename a device to another's altname
 * (EEXIST). O(log n), as the other lookups.
 */
const struct vt_link *vt_link_table_resolve(const struct vt_link_table *table, uint16_t ns,
					    const char *name);

/** vt_link_table_parent - the device @link's .parent names, or NULL. */
const struct vt_link *vt_link_table_parent(const struct vt_link_table *table,
					   const struct vt_link *link);

/** vt_link_table_clear - free everything the table holds; it stays usable. */
void vt_link_table_clear(struct vt_link_table *table);

/** vt_link_alias - @link's alias, "" when it has none. */
static inline const char *vt_link_alias(const struct vt_link *link)
{
	return link->alias ? link->alias : "";
}

/**
 * vt_link_set_alias - @link's alias becomes a copy of @alias ("" or NULL: none),
 * freeing the one it owned. Returns 0, -EINVAL when longer than VT_ALIAS_MAX,
 * or -ENOMEM (@link unchanged).
 */
int vt_link_set_alias(struct vt_link *link, const char *alias);

/** vt_vlan_ingress - the skb priority PCP @pcp of @vlan maps to, 0 when unmapped. */
static inline uint32_t vt_vlan_ingress(const struct vt_vlan *vlan, unsigned int pcp)
{
	return vlan->ingress ? vlan->ingress[pcp] : 0;
}

/** vt_vlan_same_ingress - whether @a and @b map every PCP alike. */
static inline bool vt_vlan_same_ingress(const struct vt_vlan *a, const struct vt_vlan *b)
{
	for (unsigned int pcp = 0; pcp <= VT_PCP_MAX; pcp++)
		if (vt_vlan_ingress(a, pcp) != vt_vlan_ingress(b, pcp))
			return false;
	return true;
}

/**
 * vt_vlan_set_ingress - PCP @pcp (at most VT_PCP_MAX) of @vlan maps to @to;
 * the map is allocated the first time a PCP maps to anything, and then owned
 * by the link @vlan is part of. 0 or -ENOMEM.
 */
int vt_vlan_set_ingress(struct vt_vlan *vlan, unsigned int pcp, uint32_t to);

/** vt_link_release - free what @link owns (its QoS maps, altnames and alias). */
void vt_link_release(struct vt_link *link);

/** vt_link_copy - deep copy @src into @dst. Returns 0 or -ENOMEM. */
int vt_link_copy(struct vt_link *dst, const struct vt_link *src);

/**
 * vt_link_set_altnames - @link's altnames become copies of the @n strings of
 * @names (each shorter than VT_ALTIFNAMSIZ; longer ones are -EINVAL), the
 * old ones freed. Returns 0, -EINVAL or -ENOMEM (then @link is unchanged).
 */
int vt_link_set_altnames(struct vt_link *link, char *const *names, size_t n);

/**
 * vt_qos_egress_normalize - sort @map by .from, drop entries mapping to 0 and
 * keep the last of duplicate keys, as the kernel would hold them.
 * Returns the new length.
 */
size_t vt_qos_egress_normalize(struct vt_qos_entry *map, size_t n);

/** vt_protocol_name - "802.1Q", "802.1ad", or NULL for anything else. */
const char *vt_protocol_name(uint16_t protocol);

/** vt_addr_gen_mode_name - "eui64", "none", "stable_privacy", "random", or NULL. */
const char *vt_addr_gen_mode_name(uint8_t mode);

#endif
