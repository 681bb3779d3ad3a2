/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired_check.c - the rules of the desired state that span trunks and
 * files: unique trunk names, subport names unique per namespace, unique
 * (parent, protocol, vlan), QinQ nesting (outer trunk, depth, no cycles),
 * masters that can be bridges.
 *
 * Names are sorted rather than compared pairwise: up to VT_DESIRED_MAX_SUBPORTS
 * subports must be checked in O(n log n). Duplicates are found by a sort and
 * a scan, which reports them in name order, each against the first of its
 * name in file order; that first is the one a master or a parent of that
 * name is looked up as, in the name table. Values that were invalid (empty
 * names, vlan 0, a netns of "") were reported already and are skipped here.
 *
 * A device name is unique within its network namespace only, so a subport
 * is known by its key: its name in vlantrunk's own namespace, "PATH/NAME"
 * in another, PATH as vt_desired_netns_path() gives it (an `ip netns` name
 * and its /run/netns path are one namespace). A device name holds no '/'
 * and a path starts with one: no two (namespace, name) share a key. Paths
 * are compared as written: two paths to one namespace (a bind mount and
 * /proc/PID/ns/net) are the kernel's to tell apart, not the text's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/name_table.h"
#include "desired_internal.h"

#define NO_SUBPORT ((size_t)-1)

/* Room for a subport's key: a namespace path, '/', a device name. */
#define KEY_MAX (VT_NETNS_PATH_MAX + VT_IFNAMSIZ)

/* A subport (or, with subport NO_SUBPORT, a trunk) in sortable form. */
struct ref {
	const char *name;		/* subport key, trunk name, or the parent's */
	uint16_t protocol, vlan;
	size_t trunk, subport;
};

struct check {
	struct vt_desired_build *build;
	struct vt_desired *desired;
	size_t *position;		/* of each trunk in its file's "trunks" */
	struct ref *subports;		/* every named subport, sorted by key */
	char *keys;			/* the keys of subports in other namespaces */
	/* each subport key -> its first in subports (the first in file order) */
	struct vt_name_table subport_names;
};

static int cmp_refs_by_name(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int order = strcmp(x->name, y->name);

	if (order)
		return order;
	if (x->trunk != y->trunk)
		return x->trunk < y->trunk ? -1 : 1;
	return (x->subport > y->subport) - (x->subport < y->subport);
}

static int cmp_refs_by_vlan(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return cmp_refs_by_name(a, b);
}

static int report_at(struct check *check, size_t trunk, size_t subport, const char *key,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int report_at(struct check *check, size_t trunk, size_t subport, const char *key,
		     const char *fmt, ...)
{
	const struct vt_trunk *t = &check->desired->trunks[trunk];
	char field[sizeof(((struct vt_diag *)0)->field)];
	struct vt_diag_where where = {
		.file = t->file,
		.trunk = t->name,
		.subport = subport == NO_SUBPORT ? "" : t->subports[subport].name,
		.field = field,
	};
	va_list ap;
	int ret;

	if (subport == NO_SUBPORT)
		snprintf(field, sizeof(field), "trunks[%zu].%s", check->position[trunk], key);
	else
		snprintf(field, sizeof(field), "trunks[%zu].subports[%zu].%s",
			 check->position[trunk], subport, key);
	va_start(ap, fmt);
	ret = vt_diag_vreport(check->build, &where, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * "subport \"x\" of trunk \"y\"" for messages, by position where a name was
 * invalid, with the file when it is not @here's.
 */
static void describe(const struct check *check, size_t trunk, size_t subport, size_t here,
		     char *buf, size_t size)
{
	const struct vt_trunk *t = &check->desired->trunks[trunk];
	const char *in_file = t->file != check->desired->trunks[here].file ? t->file : NULL;
	char what[48] = "";

	if (subport != NO_SUBPORT && t->subports[subport].name[0])
		snprintf(what, sizeof(what), "subport \"%s\" of ", t->subports[subport].name);
	else if (subport != NO_SUBPORT)
		snprintf(what, sizeof(what), "subports[%zu] of ", subport);
	if (t->name[0])
		snprintf(buf, size, "%strunk \"%s\"%s%s", what, t->name,
			 in_file ? " in " : "", in_file ? in_file : "");
	else
		snprintf(buf, size, "%strunks[%zu]%s%s", what, check->position[trunk],
			 in_file ? " in " : "", in_file ? in_file : "");
}

static int check_trunk_names(struct check *check)
{
	struct vt_desired *desired = check->desired;
	struct ref *refs;
	size_t n = 0, first = 0;
	int ret = 0;

	refs = calloc(desired->n_trunks ? desired->n_trunks : 1, sizeof(*refs));
	if (!refs) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < desired->n_trunks; i++)
		if (desired->trunks[i].name[0])
			refs[n++] = (struct ref){ .name = desired->trunks[i].name, .trunk = i,
						  .subport = NO_SUBPORT };
	qsort(refs, n, sizeof(*refs), cmp_refs_by_name);
	for (size_t i = 1; i < n; i++) {
		char earlier[VT_TRUNK_NAME_MAX + 320];

		if (strcmp(refs[i].name, refs[first].name)) {
			first = i;
			continue;
		}
		describe(check, refs[first].trunk, NO_SUBPORT, refs[i].trunk,
			 earlier, sizeof(earlier));
		ret = report_at(check, refs[i].trunk, NO_SUBPORT, "name",
				"the name is already used by %s (trunks[%zu])", earlier,
				check->position[refs[first].trunk]);
		if (ret)
			goto out;
	}
out:
	free(refs);
	return ret;
}

/*
 * The key of @name in namespace @netns (NULL: vlantrunk's own) into @buf,
 * of @size bytes. Returns its length, or -ENAMETOOLONG when it does not fit.
 */
static int make_key(const char *netns, const char *name, char *buf, size_t size)
{
	size_t len;
	int n;

	if (!netns) {
		n = snprintf(buf, size, "%s", name);
		return n >= 0 && (size_t)n < size ? n : -ENAMETOOLONG;
	}
	if (vt_desired_netns_path(netns, buf, size) < 0)
		return -ENAMETOOLONG;
	len = strlen(buf);
	n = snprintf(buf + len, size - len, "/%s", name);
	return n >= 0 && (size_t)n < size - len ? (int)len + n : -ENAMETOOLONG;
}

/* A subport the name rules take part in: named, and with a valid netns if any. */
static bool is_keyed(const struct vt_subport *subport)
{
	return subport->name[0] && (!subport->netns || subport->netns[0]);
}

/* Room for the keys of the subports in other namespaces, in check->keys. 0 or -ENOMEM. */
static int alloc_keys(struct check *check, size_t *size)
{
	struct vt_desired *desired = check->desired;
	char key[KEY_MAX];

	*size = 1;
	for (size_t i = 0; i < desired->n_trunks; i++)
		for (size_t j = 0; j < desired->trunks[i].n_subports; j++) {
			const struct vt_subport *subport = &desired->trunks[i].subports[j];
			int len;

			if (!is_keyed(subport) || !subport->netns)
				continue;
			len = make_key(subport->netns, subport->name, key, sizeof(key));
			*size += len < 0 ? 0 : (size_t)len + 1;
		}
	check->keys = malloc(*size);
	return check->keys ? 0 : -ENOMEM;
}

/*
 * Every keyed subport into check->subports, its key in check->keys where it is
 * in another namespace; *@n says how many. 0 or -ENOMEM.
 */
static int collect_subports(struct check *check, size_t *n)
{
	struct vt_desired *desired = check->desired;
	size_t size, off = 0;
	int ret;

	*n = 0;
	ret = alloc_keys(check, &size);
	if (ret)
		goto out;
	check->subports = calloc(check->build->n_subports ? check->build->n_subports : 1,
				 sizeof(*check->subports));
	if (!check->subports) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < desired->n_trunks; i++)
		for (size_t j = 0; j < desired->trunks[i].n_subports; j++) {
			const struct vt_subport *subport = &desired->trunks[i].subports[j];
			const char *key = subport->name;

			if (!is_keyed(subport))
				continue;
			if (subport->netns) {
				/* never short: KEY_MAX holds any valid netns and name */
				int len = make_key(subport->netns, subport->name, check->keys + off,
						   size - off);

				if (len < 0)
					continue;
				key = check->keys + off;
				off += (size_t)len + 1;
			}
			check->subports[(*n)++] = (struct ref){ .name = key, .trunk = i,
								.subport = j };
		}
out:
	return ret;
}

/*
 * Sort the keyed subports into check->subports, and put the first of each
 * key into check->subport_names;
 * each later one of a key is a duplicate, reported against that first.
 */
static int check_subport_names(struct check *check)
{
	struct ref *refs;
	size_t n, first = 0;
	int ret;

	ret = collect_subports(check, &n);
	if (ret)
		goto out;
	refs = check->subports;
	qsort(refs, n, sizeof(*refs), cmp_refs_by_name);
	for (size_t i = 0; i < n; i++) {
		const struct vt_subport *subport =
			&check->desired->trunks[refs[i].trunk].subports[refs[i].subport];
		char earlier[VT_IFNAMSIZ + VT_TRUNK_NAME_MAX + 320];

		if (!i || strcmp(refs[i].name, refs[first].name)) {
			first = i;
			ret = vt_name_table_add(&check->subport_names, refs[i].name, i);
			if (ret)
				goto out;
			continue;
		}
		describe(check, refs[first].trunk, refs[first].subport, refs[i].trunk,
			 earlier, sizeof(earlier));
		if (!subport->netns)
			ret = report_at(check, refs[i].trunk, refs[i].subport, "name",
					"the name is already used by %s", earlier);
		else	/* the key's path: the namespace both are in, however written */
			ret = report_at(check, refs[i].trunk, refs[i].subport, "name",
					"the name is already used by %s, in namespace \"%.*s\"",
					earlier,
					(int)(strlen(refs[i].name) - strlen(subport->name) - 1),
					refs[i].name);
		if (ret)
			goto out;
	}
out:
	return ret;
}

/*
 * The subport called @name in namespace @netns (NULL: vlantrunk's own),
 * the first in file order if there are more, or NULL.
 */
static const struct ref *find_subport(struct check *check, const char *netns, const char *name)
{
	char key[KEY_MAX];
	size_t i;

	if (make_key(netns, name, key, sizeof(key)) < 0)
		return NULL;
	i = vt_name_table_get(&check->subport_names, key, SIZE_MAX);
	return i == SIZE_MAX ? NULL : &check->subports[i];
}

/* A VLAN device cannot take slaves: a master that is a subport is a mistake. */
static int check_masters(struct check *check)
{
	struct vt_desired *desired = check->desired;
	int ret = 0;

	for (size_t i = 0; i < desired->n_trunks; i++) {
		for (size_t j = 0; j < desired->trunks[i].n_subports; j++) {
			const struct vt_subport *subport = &desired->trunks[i].subports[j];
			const struct ref *other;
			char what[VT_IFNAMSIZ + VT_TRUNK_NAME_MAX + 320];

			/* the master is a device of the subport's own namespace */
			if (!(subport->managed & VT_SP_MASTER) || !is_keyed(subport))
				continue;
			other = find_subport(check, subport->netns, subport->master);
			if (!other)
				continue;
			describe(check, other->trunk, other->subport, i, what, sizeof(what));
			ret = report_at(check, i, j, "master",
					"\"%s\" is %s, a VLAN device, not a bridge",
					subport->master, what);
			if (ret)
				goto out;
		}
	}
out:
	return ret;
}

/*
 * Set trunk.outer where a trunk's parent is a subport of vlantrunk's own
 * namespace; a trunk's own subport is an error. A subport of that name in
 * another namespace only is not it: parents are in vlantrunk's own
 * namespace, so the parent is the host's device of that name (every pod's
 * eth0 on a host NIC eth0 is the common case, Kuryr's own).
 */
static int find_outer_trunks(struct check *check)
{
	struct vt_desired *desired = check->desired;
	int ret = 0;

	for (size_t i = 0; i < desired->n_trunks; i++) {
		struct vt_trunk *trunk = &desired->trunks[i];
		const struct ref *carrier;

		if (!trunk->parent[0])
			continue;
		carrier = find_subport(check, NULL, trunk->parent);
		if (!carrier)
			continue;
		if (carrier->trunk == i) {
			ret = report_at(check, i, NO_SUBPORT, "parent",
					"\"%s\" is this trunk's own subport (subports[%zu]): "
					"a trunk cannot be nested on itself",
					trunk->parent, carrier->subport);
			if (ret)
				goto out;
			continue;
		}
		trunk->outer = (int)carrier->trunk;
	}
out:
	return ret;
}

/* Report each trunk of the cycle @members (each nested on the next, the last on the first). */
static int report_cycle(struct check *check, const size_t *members, size_t n)
{
	int ret = 0;

	for (size_t m = 0; m < n; m++) {
		char chain[200] = "", name[VT_TRUNK_NAME_MAX + 320];
		size_t len = 0;

		for (size_t k = 0; k <= n && len < sizeof(chain); k++) {
			size_t trunk = members[(m + k) % n];

			describe(check, trunk, NO_SUBPORT, members[m], name, sizeof(name));
			len += (size_t)snprintf(chain + len, sizeof(chain) - len, "%s%s",
						k ? " on " : "", name);
		}
		if (len >= sizeof(chain))
			memcpy(chain + sizeof(chain) - 4, "...", 4);
		ret = report_at(check, members[m], NO_SUBPORT, "parent",
				"QinQ nesting cannot be circular: %s", chain);
		if (ret)
			break;
	}
	return ret;
}

/*
 * Give each trunk its QinQ depth by walking its chain of outer trunks;
 * a walk that comes back onto itself is a cycle.
 */
static int nest_trunks(struct check *check)
{
	enum { UNSEEN, ON_WALK, DONE };
	struct vt_desired *desired = check->desired;
	size_t n = desired->n_trunks;
	unsigned char *state = calloc(n ? n : 1, sizeof(*state));
	size_t *walk = calloc(n ? n : 1, sizeof(*walk));
	int ret = 0;

	if (!state || !walk) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t start = 0; start < n; start++) {
		size_t len = 0;
		int at = (int)start;

		while (at >= 0 && state[at] == UNSEEN) {
			state[at] = ON_WALK;
			walk[len++] = (size_t)at;
			at = desired->trunks[at].outer;
		}
		if (at >= 0 && state[at] == ON_WALK) {
			size_t k = 0;

			while (walk[k] != (size_t)at)
				k++;
			ret = report_cycle(check, walk + k, len - k);
			if (ret)
				goto out;
		} else {
			unsigned int depth = at < 0 ? 0 : desired->trunks[at].depth + 1;

			for (size_t i = len; i-- > 0; depth++)
				desired->trunks[walk[i]].depth = depth;
		}
		for (size_t i = 0; i < len; i++)
			state[walk[i]] = DONE;
	}
out:
	free(state);
	free(walk);
	return ret;
}

/* The kernel keys a VLAN device by (parent, protocol, vlan): two cannot share one. */
static int check_vlans(struct check *check)
{
	struct vt_desired *desired = check->desired;
	struct ref *refs;
	size_t n = 0, first = 0;
	int ret = 0;

	refs = calloc(check->build->n_subports ? check->build->n_subports : 1, sizeof(*refs));
	if (!refs) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < desired->n_trunks; i++) {
		const struct vt_trunk *trunk = &desired->trunks[i];

		if (!trunk->parent[0])
			continue;
		for (size_t j = 0; j < trunk->n_subports; j++)
			if (trunk->subports[j].vlan)
				refs[n++] = (struct ref){ .name = trunk->parent,
							  .protocol = trunk->subports[j].protocol,
							  .vlan = trunk->subports[j].vlan,
							  .trunk = i, .subport = j };
	}
	qsort(refs, n, sizeof(*refs), cmp_refs_by_vlan);
	for (size_t i = 1; i < n; i++) {
		char earlier[VT_IFNAMSIZ + VT_TRUNK_NAME_MAX + 320];

		if (refs[i].protocol != refs[first].protocol || refs[i].vlan != refs[first].vlan ||
		    strcmp(refs[i].name, refs[first].name)) {
			first = i;
			continue;
		}
		describe(check, refs[first].trunk, refs[first].subport, refs[i].trunk,
			 earlier, sizeof(earlier));
		ret = report_at(check, refs[i].trunk, refs[i].subport, "vlan",
				"vlan %u (%s) on \"%s\" is already used by %s", refs[i].vlan,
				vt_protocol_name(refs[i].protocol), refs[i].name, earlier);
		if (ret)
			goto out;
	}
out:
	free(refs);
	return ret;
}

int vt_desired_check(struct vt_desired_build *build)
{
	struct vt_desired *desired = build->out;
	struct check check = { .build = build, .desired = desired };
	int ret;

	check.position = calloc(desired->n_trunks ? desired->n_trunks : 1,
				sizeof(*check.position));
	if (!check.position) {
		ret = -ENOMEM;
		goto out;
	}
	/* Each file's trunks are contiguous, in the order of its array. */
	for (size_t i = 1; i < desired->n_trunks; i++)
		if (desired->trunks[i].file == desired->trunks[i - 1].file)
			check.position[i] = check.position[i - 1] + 1;
	ret = check_trunk_names(&check);
	if (ret)
		goto out;
	ret = check_subport_names(&check);
	if (ret)
		goto out;
	ret = check_masters(&check);
	if (ret)
		goto out;
	ret = find_outer_trunks(&check);
	if (ret)
		goto out;
	ret = nest_trunks(&check);
	if (ret)
		goto out;
	ret = check_vlans(&check);
out:
	vt_name_table_free(&check.subport_names);
	free(check.subports);
	free(check.keys);
	free(check.position);
	return ret;
}
