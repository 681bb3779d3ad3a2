/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qos.c - a subport's egress_qos and ingress_qos maps. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "desired_internal.h"

/*
 * A QoS map key: decimal digits only (leading zeros allowed), no sign, no
 * space, at most UINT32_MAX. Returns 0, -EINVAL or -ERANGE.
 */
static int parse_decimal_u32(const char *text, uint32_t *dst)
{
	uint64_t number = 0;

	if (!*text)
		return -EINVAL;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return -EINVAL;
		number = number * 10 + (uint64_t)(*text - '0');
		if (number > UINT32_MAX) {
			/* the rest must still be digits for the error to be about range */
			while (*++text)
				if (*text < '0' || *text > '9')
					return -EINVAL;
			return -ERANGE;
		}
	}
	*dst = (uint32_t)number;
	return 0;
}

struct egress_item {
	uint32_t from, to;
	size_t order;			/* in the document */
	const char *key;		/* as written, for messages */
};

static int cmp_egress_items(const void *a, const void *b)
{
	const struct egress_item *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Keys like "5" and "05" name the same priority: that is ambiguous, not "last wins". */
static int reject_duplicate_priorities(struct vt_doc *doc, const struct egress_item *items,
				       size_t n, bool *found)
{
	char field[64];
	int ret = 0;

	*found = false;
	for (size_t i = 1; i < n; i++) {
		if (items[i].from != items[i - 1].from)
			continue;
		*found = true;
		snprintf(field, sizeof(field), "egress_qos.\"%.20s\"", items[i].key);
		ret = vt_doc_problem(doc, field,
				     "skb priority %" PRIu32 " is also mapped by key \"%.20s\"",
				     items[i].from, items[i - 1].key);
		if (ret)
			break;
	}
	return ret;
}

int vt_qos_egress(struct vt_doc *doc, json_t *value, struct vt_subport *subport)
{
	struct egress_item *items = NULL;
	size_t n, n_items = 0;
	const char *key;
	json_t *pcp;
	bool duplicates;
	int ret = 0;

	if (!json_is_object(value)) {
		ret = vt_doc_wrong_kind(doc, "egress_qos", value,
					"an object mapping skb priorities to PCPs");
		goto out;
	}
	n = json_object_size(value);
	if (n > VT_DESIRED_MAX_EGRESS) {
		ret = vt_doc_problem(doc, "egress_qos", "%zu entries, more than the limit of %d",
				     n, VT_DESIRED_MAX_EGRESS);
		goto out;
	}
	if (n > VT_DESIRED_MAX_EGRESS_TOTAL - doc->build->n_egress) {
		ret = vt_doc_problem(doc, "egress_qos",
				     "more than %u egress_qos entries in all, the limit",
				     VT_DESIRED_MAX_EGRESS_TOTAL);
		goto out;
	}
	if (!n)
		goto out;
	doc->build->n_egress += n;
	items = calloc(n, sizeof(*items));
	if (!items) {
		ret = -ENOMEM;
		goto out;
	}
	json_object_foreach(value, key, pcp) {
		char field[64];
		json_int_t to;
		uint32_t from;
		int err;

		snprintf(field, sizeof(field), "egress_qos.\"%.20s\"", key);
		err = parse_decimal_u32(key, &from);
		if (err == -ERANGE) {
			ret = vt_doc_problem(doc, field,
					     "skb priority %.20s is out of range 0-%" PRIu32,
					     key, UINT32_MAX);
		} else if (err) {
			ret = vt_doc_problem(doc, field,
					     "key \"%.20s\" is not an skb priority: it must "
					     "be a decimal number 0-%" PRIu32, key, UINT32_MAX);
		} else {
			ret = vt_doc_integer(doc, field, pcp, "PCP", 0, VT_PCP_MAX, &to);
			if (ret > 0) {
				items[n_items] = (struct egress_item){ from, (uint32_t)to,
								       n_items, key };
				n_items++;
			}
		}
		if (ret < 0)
			goto out;
	}
	qsort(items, n_items, sizeof(*items), cmp_egress_items);
	ret = reject_duplicate_priorities(doc, items, n_items, &duplicates);
	if (ret || duplicates || !n_items)
		goto out;
	subport->egress = calloc(n_items, sizeof(*subport->egress));
	if (!subport->egress) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_items; i++)
		subport->egress[i] = (struct vt_qos_entry){ items[i].from, items[i].to };
	subport->n_egress = vt_qos_egress_normalize(subport->egress, n_items);
	if (!subport->n_egress) {
		free(subport->egress);
		subport->egress = NULL;
	}
	ret = 0;
out:
	free(items);
	return ret < 0 ? ret : 0;
}

int vt_qos_ingress(struct vt_doc *doc, json_t *value, struct vt_subport *subport)
{
	const char *seen[VT_PCP_MAX + 1] = { 0 };
	const char *key;
	json_t *priority;
	int ret = 0;

	if (!json_is_object(value)) {
		ret = vt_doc_wrong_kind(doc, "ingress_qos", value,
					"an object mapping PCPs to skb priorities");
		goto out;
	}
	json_object_foreach(value, key, priority) {
		char field[64];
		json_int_t to;
		uint32_t pcp;

		snprintf(field, sizeof(field), "ingress_qos.\"%.20s\"", key);
		if (parse_decimal_u32(key, &pcp) || pcp > VT_PCP_MAX) {
			ret = vt_doc_problem(doc, field, "key \"%.20s\" is not a PCP: it must be a "
					     "decimal number 0-%d", key, VT_PCP_MAX);
		} else if (seen[pcp]) {
			ret = vt_doc_problem(doc, field,
					     "PCP %" PRIu32 " is also mapped by key \"%.20s\"",
					     pcp, seen[pcp]);
		} else {
			seen[pcp] = key;
			ret = vt_doc_integer(doc, field, priority, "skb priority", 0, UINT32_MAX,
					     &to);
			/* Allocated once a PCP maps to anything: none is the rule. */
			if (ret > 0 && to && !subport->ingress &&
			    !(subport->ingress = calloc(VT_PCP_MAX + 1, sizeof(*subport->ingress))))
				ret = -ENOMEM;
			if (ret > 0 && subport->ingress)
				subport->ingress[pcp] = (uint32_t)to;
		}
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	return ret < 0 ? ret : 0;
}
