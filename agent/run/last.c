/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/atomic_file.h"
#include "last.h"

#define STATUS_FILE "status.json"

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

/*
 * Dumped into memory, then written at once: json_dumpfd() issues a write()
 * per token (a few hundred for four trunks), each a system call, at every
 * run that changed something and after every pass of the agent.
 */
static int dump(int fd, void *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2));
	size_t len = text ? strlen(text) : 0, off = 0;
	int ret = text ? 0 : -ENOMEM;

	while (!ret && off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			ret = n < 0 ? -errno : -EIO;
		else
			off += (size_t)n;
	}
	free(text);
	return ret;
}

/* Replaced atomically (status.json.tmp): a reader sees the old document or the new one, whole. */
static int store(int dirfd, json_t *doc)
{
	return vt_atomic_file_write(dirfd, STATUS_FILE, 0600, 0, dump, doc);
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
