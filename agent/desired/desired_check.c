/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired_check.c - the rules of the desired state that span trunks and
 * files: unique trunk and subport names, unique (parent, protocol, vlan),
 * QinQ nesting (outer trunk, depth, no cycles), masters that can be bridges.
 *
 * Names are sorted rather than compared pairwise: up to VT_DESIRED_MAX_SUBPORTS
 * subports must be checked in O(n log n). Duplicates are found by a sort and
 * a scan, which reports them in name order, each against the first of its
 * name in file order; that first is the one a master or a parent of that
 * name is looked up as, in the name table. Values that were invalid (empty
 * names, vlan 0) were reported already and are skipped here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/name_table.h"
#include "desired_internal.h"

#define NO_SUBPORT ((size_t)-1)

/* A subport (or, with subport NO_SUBPORT, a trunk) in sortable form. */
struct ref {
	const char *name;		/* subport or trunk name, or the parent's */
	uint16_t protocol, vlan;
	size_t trunk, subport;
};

struct check {
	struct vt_desired_build *build;
	struct vt_desired *desired;
	size_t *position;		/* of each trunk in its file's "trunks" */
	struct ref *subports;		/* every named subport, sorted by name */
	/* each subport name -> its first in subports (the first in file order) */
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
 * Sort the named subports into check->subports, and put the first of each
 * name into check->subport_names; each later one of a name is a duplicate,
 * reported against that first.
 */
static int check_subport_names(struct check *check)
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
	check->subports = refs;
	for (size_t i = 0; i < desired->n_trunks; i++) {
		const struct vt_trunk *trunk = &desired->trunks[i];

		for (size_t j = 0; j < trunk->n_subports; j++)
			if (trunk->subports[j].name[0])
				refs[n++] = (struct ref){ .name = trunk->subports[j].name,
							  .trunk = i, .subport = j };
	}
	qsort(refs, n, sizeof(*refs), cmp_refs_by_name);
	for (size_t i = 0; i < n; i++) {
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
		ret = report_at(check, refs[i].trunk, refs[i].subport, "name",
				"the name is already used by %s", earlier);
		if (ret)
			goto out;
	}
out:
	return ret;
}

/* The subport called @name (the first in file order, if there are more), or NULL. */
static const struct ref *find_subport(struct check *check, const char *name)
{
	size_t i = vt_name_table_get(&check->subport_names, name, SIZE_MAX);

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

			if (!(subport->managed & VT_SP_MASTER))
				continue;
			other = find_subport(check, subport->master);
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

/* Set trunk.outer where a trunk's parent is a subport; a trunk's own is an error. */
static int find_outer_trunks(struct check *check)
{
	struct vt_desired *desired = check->desired;
	int ret = 0;

	for (size_t i = 0; i < desired->n_trunks; i++) {
		struct vt_trunk *trunk = &desired->trunks[i];
		const struct ref *carrier;

		if (!trunk->parent[0])
			continue;
		carrier = find_subport(check, trunk->parent);
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
	free(check.position);
	return ret;
}
