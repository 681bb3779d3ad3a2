/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network namespaces a run reads besides vlantrunk's own: every one the
 * desired state names, and every one vlantrunk put a device in before and
 * that still lives (the state dir's "netns" file, by identity). Without the
 * second, a subport moved out of a namespace, or a trunk removed, would
 * leave its device there unseen: holding its VLAN id on the parent for good.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "base/atomic_file.h"
#include "netns.h"

#define NETNS_FILE "netns"

/* A namespace file a subport names exists but is none: bad input, said as the loader says it. */
static int not_a_netns(struct vt_diags *diags, const struct vt_desired *d, size_t ti, size_t si,
		       const char *path)
{
	const struct vt_trunk *tr = &d->trunks[ti];
	size_t in_file = 0;	/* the field names the trunk as its file has it: trunks[N] */
	struct vt_diag diag = { .line = 0 };
	struct vt_diag *v = realloc(diags->v, (diags->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	snprintf(diag.file, sizeof(diag.file), "%s", tr->file ? tr->file : "");
	snprintf(diag.trunk, sizeof(diag.trunk), "%s", tr->name);
	snprintf(diag.subport, sizeof(diag.subport), "%s", tr->subports[si].name);
	for (size_t i = 0; i < ti; i++)
		in_file += d->trunks[i].file == tr->file;
	snprintf(diag.field, sizeof(diag.field), "trunks[%zu].subports[%zu].netns", in_file, si);
	snprintf(diag.message, sizeof(diag.message), "%.200s is not a network namespace file", path);
	diags->v = v;
	diags->cap = diags->n + 1;
	v[diags->n++] = diag;
	return 0;
}

int vt_netns_probe_files(const struct vt_desired *d, struct vt_diags *diags)
{
	int bad = 0;

	for (size_t i = 0; i < d->n_trunks; i++)
		for (size_t k = 0; k < d->trunks[i].n_subports; k++) {
			const struct vt_subport *sp = &d->trunks[i].subports[k];
			char path[VT_NETNS_PATH_MAX];

			/* missing: its subports are, until it appears; no error */
			if (!sp->netns || vt_desired_netns_path(sp->netns, path, sizeof(path)) < 0 ||
			    vt_nl_netns_probe(path) != -ENOTTY)
				continue;
			if (not_a_netns(diags, d, i, k, path) < 0)
				return -ENOMEM;
			bad = -ENOTTY;
		}
	return bad;
}

/* Bad input: exit 4, the diagnostics saying which. */
static int invalid(struct vt_world *world, int ret)
{
	if (ret == -ENOMEM)
		return VT_EXIT_CANNOT_RUN;
	world->failure.invalid = true;
	snprintf(world->failure.what, sizeof(world->failure.what), "invalid desired state");
	return VT_EXIT_INVALID;
}

/* Every netns the intent names that exists, registered on world->nl. */
static int register_named(struct vt_world *world, const struct vt_desired *d)
{
	int code = 0;

	for (size_t i = 0; i < d->n_trunks; i++)
		for (size_t k = 0; k < d->trunks[i].n_subports; k++) {
			const struct vt_subport *sp = &d->trunks[i].subports[k];
			char path[VT_NETNS_PATH_MAX];
			uint16_t slot;
			int ret;

			if (!sp->netns || vt_desired_netns_path(sp->netns, path, sizeof(path)) < 0)
				continue;
			ret = vt_nl_netns_open(world->nl, path, &slot);
			if (ret == -ENOENT)
				continue;	/* missing: its subports are, until it appears */
			if (ret == -ENOTTY) {	/* replaced since vt_netns_check() */
				code = invalid(world, not_a_netns(&world->failure.diags, d, i, k, path));
				continue;
			}
			if (ret < 0) {
				snprintf(world->failure.what, sizeof(world->failure.what),
					 "entering network namespace %.300s (trunk %s, subport %s): %s",
					 path, d->trunks[i].name, sp->name, strerror(-ret));
				world->failure.hint = ret == -EPERM ? "a subport's netns needs "
					"CAP_SYS_ADMIN to enter it (setns): see README, Namespaces" : NULL;
				return VT_EXIT_CANNOT_RUN;
			}
		}
	return code;
}

/* The namespaces vlantrunk used before: each found by identity, or gone. */
static void register_remembered(struct vt_world *world)
{
	json_t *doc, *v;
	size_t i;
	int fd = world->sd.dirfd >= 0 ? openat(world->sd.dirfd, NETNS_FILE, O_RDONLY | O_CLOEXEC) :
					-1;
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Unreadable, it is rewritten whole from what is read now. */
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, NULL);
	fclose(f);
	json_array_foreach(doc, i, v) {
		const char *path, *cookie = "0";
		json_int_t dev, ino;
		uint16_t slot;

		/* the cookie decides: the inode of a namespace gone is the next one's */
		if (json_unpack(v, "{s:s, s:I, s:I, s?s}", "path", &path, "dev", &dev, "ino", &ino,
				"cookie", &cookie) == 0 && path[0] == '/')
			(void)vt_nl_netns_find(world->nl, path, (uint64_t)dev, (uint64_t)ino,
					       strtoull(cookie, NULL, 10), &slot);
	}
	json_decref(doc);
}

static int print_remembered(FILE *f, void *arg)
{
	const struct vt_link_table *links = arg;
	json_t *list = json_array();
	int ret;

	for (size_t i = 0; i < links->n_netns; i++) {
		char cookie[24];

		if (links->netns[i].slot == VT_NS_OWN)
			continue;	/* a file naming the own namespace: nothing to remember */
		snprintf(cookie, sizeof(cookie), "%" PRIu64, links->netns[i].cookie);
		json_array_append_new(list, json_pack("{s:s, s:I, s:I, s:s}", "path",
						      links->netns[i].path, "dev",
						      (json_int_t)links->netns[i].dev, "ino",
						      (json_int_t)links->netns[i].ino, "cookie", cookie));
	}
	ret = json_dumpf(list, f, JSON_COMPACT) < 0 ? -EIO : 0;
	json_decref(list);
	return ret;
}

/* as vt_world_intent() gives it (world.c calls us: no call back up) */
static const struct vt_desired *intent(const struct vt_world *world)
{
	return world->intent ? world->intent : &world->desired;
}

int vt_netns_check(struct vt_world *world)
{
	int ret = vt_netns_probe_files(intent(world), &world->failure.diags);

	return ret ? invalid(world, ret) : 0;
}

int vt_netns_register(struct vt_world *world)
{
	int code = register_named(world, intent(world));

	if (code)
		return code;
	register_remembered(world);
	return 0;
}

int vt_netns_remember(const struct vt_world *world)
{
	if (world->sd.dirfd < 0 || world->sd.lockfd < 0)
		return 0;	/* a reader: nothing is created, nothing to remember */
	return vt_atomic_file_print(world->sd.dirfd, NETNS_FILE, 0600, 0, print_remembered,
				    (void *)&world->links);
}
