/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "last.h"

#define STATUS_FILE "status.json"
#define STATUS_TMP "status.json.tmp"

static json_t *load(int dirfd)
{
	json_error_t err;
	json_t *doc = NULL;
	int fd = openat(dirfd, STATUS_FILE, O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;

	if (f) {
		doc = json_loadf(f, 0, &err);
		fclose(f);
	} else if (fd >= 0) {
		close(fd);
	}
	if (!json_is_object(json_object_get(doc, "trunks"))) {
		json_decref(doc);
		doc = json_pack("{s:{}}", "trunks");
	}
	return doc;
}

/* Replaced atomically: a reader sees the old document or the new one, whole. */
static int store(int dirfd, json_t *doc)
{
	int fd, ret = 0;

	fd = openat(dirfd, STATUS_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (json_dumpfd(doc, fd, JSON_INDENT(2)) < 0)
		ret = -EIO;
	else if (fsync(fd) < 0 || renameat(dirfd, STATUS_TMP, dirfd, STATUS_FILE) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int vt_last_record(int dirfd, const struct vt_plan *plan, const struct vt_trunk_outcome *outcomes)
{
	json_t *doc = load(dirfd), *trunks = json_object_get(doc, "trunks");
	long now = (long)time(NULL);
	int ret;

	for (size_t i = 0; i < plan->n_trunks; i++) {
		const struct vt_trunk_outcome *o = &outcomes[i];

		json_object_set_new(trunks, plan->trunks[i].name, json_pack("{s:s, s:s, s:s, s:I}",
			"status", vt_trunk_status_name(o->status), "reason", o->reason,
			"outcome", o->txn ? vt_txn_outcome_name(o->txn->outcome) : "unchanged",
			"time", (json_int_t)now));
	}
	json_object_set_new(doc, "time", json_integer(now));
	ret = store(dirfd, doc);
	json_decref(doc);
	return ret;
}

json_t *vt_last_get(int dirfd, const char *key)
{
	json_t *doc = load(dirfd), *value = json_incref(json_object_get(doc, key));

	json_decref(doc);
	return value;
}

int vt_last_set(int dirfd, const char *key, json_t *value)
{
	json_t *doc = load(dirfd);
	int ret;

	json_object_set_new(doc, key, value);
	ret = store(dirfd, doc);
	json_decref(doc);
	return ret;
}
