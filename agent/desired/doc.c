/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * doc.c - reading one JSON document of the desired state: its problems,
 * named by file, trunk, subport and field, and its typed fields, each
 * checked and reported where it is wrong.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "desired_internal.h"

int vt_doc_problem(struct vt_doc *doc, const char *key, const char *fmt, ...)
{
	char field[sizeof(((struct vt_diag *)0)->field)];
	struct vt_diag_where where = {
		.file = doc->file,
		.trunk = doc->trunk,
		.subport = doc->subport,
		.field = field,
	};
	va_list ap;
	int ret, len;

	char path[64] = "";	/* two 20-digit positions fit */

	if (doc->at_trunk != VT_DOC_TOP && doc->at_subport != VT_DOC_TOP)
		snprintf(path, sizeof(path), "trunks[%zu].subports[%zu]", doc->at_trunk,
			 doc->at_subport);
	else if (doc->at_trunk != VT_DOC_TOP)
		snprintf(path, sizeof(path), "trunks[%zu]", doc->at_trunk);
	if (!key)
		len = snprintf(field, sizeof(field), "%s", path);
	else if (!path[0])
		len = snprintf(field, sizeof(field), "%s", key);
	else
		len = snprintf(field, sizeof(field), "%s.%s", path, key);
	/* A key is the document's own (an unknown one may be any length): cut, and said to be. */
	if (len >= (int)sizeof(field))
		memcpy(field + sizeof(field) - 4, "...", 4);
	va_start(ap, fmt);
	ret = vt_diag_vreport(doc->build, &where, fmt, ap);
	va_end(ap);
	return ret;
}

const char *vt_doc_kind(const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction or an exponent";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "an unknown JSON value";
}

int vt_doc_wrong_kind(struct vt_doc *doc, const char *key, const json_t *value,
		      const char *expected)
{
	return vt_doc_problem(doc, key, "must be %s, not %s", expected, vt_doc_kind(value));
}

/* Levenshtein distance, for "did you mean"; both strings short. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t len_b = strlen(b), row[32 + 1];

	for (size_t j = 0; j <= len_b; j++)
		row[j] = j;
	for (size_t i = 1; a[i - 1]; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (size_t j = 1; j <= len_b; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] != b[j - 1]);

			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[len_b];
}

/* The known key a typo most likely meant, or NULL. */
static const char *closest_key(const char *key, const struct vt_doc_key *rules, size_t n_rules)
{
	const char *best = NULL;
	size_t best_distance = 3;	/* further than 2 edits is not a typo */

	if (strlen(key) > 32)
		return NULL;
	for (size_t i = 0; i < n_rules; i++) {
		size_t distance = edit_distance(key, rules[i].name);

		if (distance < best_distance) {
			best = rules[i].name;
			best_distance = distance;
		}
	}
	return best;
}

/* Unknown keys and missing required ones. Returns 0 or -ENOMEM. */
int vt_doc_check_keys(struct vt_doc *doc, json_t *object, const struct vt_doc_key *rules,
		      size_t n_rules)
{
	const char *key;
	json_t *value;
	int ret = 0;

	json_object_foreach(object, key, value) {
		const char *guess;
		size_t i;

		for (i = 0; i < n_rules && strcmp(key, rules[i].name); i++)
			;
		if (i < n_rules)
			continue;
		guess = closest_key(key, rules, n_rules);
		if (guess)
			ret = vt_doc_problem(doc, key, "unknown key (did you mean \"%s\"?)", guess);
		else
			ret = vt_doc_problem(doc, key, "unknown key");
		if (ret)
			goto out;
	}
	for (size_t i = 0; i < n_rules; i++) {
		if (!rules[i].required || json_object_get(object, rules[i].name))
			continue;
		ret = vt_doc_problem(doc, rules[i].name, "missing, and it is required");
		if (ret)
			goto out;
	}
out:
	return ret;
}

/*
 * The readers below return 1 when @value was valid and stored, 0 when it was
 * wrong (and reported), or -ENOMEM.
 */

int vt_doc_bool(struct vt_doc *doc, const char *key, const json_t *value, bool *dst)
{
	int ret;

	if (!json_is_boolean(value)) {
		ret = vt_doc_wrong_kind(doc, key, value, "true or false");
		goto out;
	}
	*dst = json_is_true(value);
	ret = 1;
out:
	return ret;
}

/* @what names the quantity in messages, e.g. "vlan". */
int vt_doc_integer(struct vt_doc *doc, const char *key, const json_t *value,
		   const char *what, json_int_t min, json_int_t max, json_int_t *dst)
{
	json_int_t number;
	int ret;

	if (!json_is_integer(value)) {
		ret = vt_doc_wrong_kind(doc, key, value, "an integer");
		goto out;
	}
	number = json_integer_value(value);
	if (number < min || number > max) {
		ret = vt_doc_problem(doc, key, "%s %" JSON_INTEGER_FORMAT " is out of range %"
				     JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT,
				     what, number, min, max);
		goto out;
	}
	*dst = number;
	ret = 1;
out:
	return ret;
}

int vt_doc_string(struct vt_doc *doc, const char *key, const json_t *value,
		  const char **dst, size_t *len)
{
	int ret;

	if (!json_is_string(value)) {
		ret = vt_doc_wrong_kind(doc, key, value, "a string");
		goto out;
	}
	*dst = json_string_value(value);
	*len = json_string_length(value);
	ret = 1;
out:
	return ret;
}

/*
 * Why @name (of @len bytes) is not a valid interface name, or NULL when it is
 * one: shorter than @size (VT_IFNAMSIZ for a name, VT_ALTIFNAMSIZ where an
 * altname will do), and what the kernel's dev_valid_name() allows.
 */
static const char *ifname_problem(const char *name, size_t len, size_t size)
{
	if (!len)
		return "it is empty";
	if (len >= size)
		return size == VT_IFNAMSIZ ? "it is longer than 15 bytes" :
					     "it is longer than 127 bytes";
	/* jansson rejects \u0000 already; a C string could not hold the name anyway */
	if (memchr(name, '\0', len))
		return "it contains a NUL byte";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "\".\" and \"..\" are reserved";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = name[i];

		if (c == '/')
			return "'/' is not allowed";
		if (c == ':')
			return "':' is not allowed";
		/* The kernel's isspace(), which also counts Latin-1 NBSP (0xa0). */
		if (c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0)
			return "whitespace is not allowed";
	}
	return NULL;
}

/* An interface name into @dst, of @size bytes (VT_IFNAMSIZ or VT_ALTIFNAMSIZ). */
int vt_doc_ifname(struct vt_doc *doc, const char *key, const json_t *value, char *dst,
		  size_t size)
{
	const char *name = "", *why;
	size_t len = 0;
	int ret;

	ret = vt_doc_string(doc, key, value, &name, &len);
	if (ret <= 0)
		goto out;
	why = ifname_problem(name, len, size);
	if (why) {
		ret = vt_doc_problem(doc, key, "\"%.32s\" is not a valid interface name: %s",
				     name, why);
		goto out;
	}
	memcpy(dst, name, len + 1);
	ret = 1;
out:
	return ret;
}

static bool is_trunk_name(const char *name, size_t len)
{
	if (!len || len > VT_TRUNK_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

int vt_doc_trunk_name(struct vt_doc *doc, const json_t *value, char dst[VT_TRUNK_NAME_MAX + 1])
{
	const char *name = "";
	size_t len = 0;
	int ret;

	ret = vt_doc_string(doc, "name", value, &name, &len);
	if (ret <= 0)
		goto out;
	if (!is_trunk_name(name, len)) {
		ret = vt_doc_problem(doc, "name",
				     "\"%.80s\" is not a valid trunk name: it must be 1-%d "
				     "characters of A-Z, a-z, 0-9, '_', '.' and '-'",
				     name, VT_TRUNK_NAME_MAX);
		goto out;
	}
	memcpy(dst, name, len + 1);
	ret = 1;
out:
	return ret;
}

int vt_doc_protocol(struct vt_doc *doc, const json_t *value, uint16_t *dst)
{
	const char *name = "";
	size_t len = 0;
	int ret;

	ret = vt_doc_string(doc, "protocol", value, &name, &len);
	if (ret <= 0)
		goto out;
	if (!strcmp(name, "802.1Q")) {
		*dst = VT_PROTO_8021Q;
	} else if (!strcmp(name, "802.1ad")) {
		*dst = VT_PROTO_8021AD;
	} else {
		ret = vt_doc_problem(doc, "protocol",
				     "\"%.32s\" is neither \"802.1Q\" nor \"802.1ad\"", name);
		goto out;
	}
	ret = 1;
out:
	return ret;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "xx:xx:xx:xx:xx:xx", two hex digits each, either case. */
static bool parse_mac(const char *text, size_t len, uint8_t mac[VT_MAC_LEN])
{
	if (len != VT_MAC_LEN * 3 - 1)
		return false;
	for (size_t i = 0; i < VT_MAC_LEN; i++) {
		const char *octet = text + 3 * i;
		int high = hex_digit(octet[0]), low = hex_digit(octet[1]);

		if (high < 0 || low < 0 || (i + 1 < VT_MAC_LEN && octet[2] != ':'))
			return false;
		mac[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}

int vt_doc_mac(struct vt_doc *doc, const json_t *value, uint8_t dst[VT_MAC_LEN])
{
	static const uint8_t zero[VT_MAC_LEN];
	uint8_t mac[VT_MAC_LEN];
	const char *text = "";
	size_t len = 0;
	int ret;

	ret = vt_doc_string(doc, "mac", value, &text, &len);
	if (ret <= 0)
		goto out;
	if (!parse_mac(text, len, mac)) {
		ret = vt_doc_problem(doc, "mac",
				     "\"%.32s\" is not a MAC address like 02:00:00:00:00:01", text);
		goto out;
	}
	if (mac[0] & 1) {
		ret = vt_doc_problem(doc, "mac",
				     "%s is a multicast address; a device needs a unicast one",
				     text);
		goto out;
	}
	if (!memcmp(mac, zero, sizeof(zero))) {
		ret = vt_doc_problem(doc, "mac", "%s is not a usable address", text);
		goto out;
	}
	memcpy(dst, mac, VT_MAC_LEN);
	ret = 1;
out:
	return ret;
}

int vt_doc_netns(struct vt_doc *doc, const json_t *value, char **dst)
{
	const char *netns = "", *why;
	int ret = 1;

	if (json_is_null(value))
		goto out;
	if (!json_is_string(value)) {
		ret = vt_doc_wrong_kind(doc, "netns", value, "a string or null");
	} else {
		netns = json_string_value(value);
		why = vt_desired_netns_problem(netns, json_string_length(value));
		if (why)
			ret = vt_doc_problem(doc, "netns",
					     "\"%.64s\" is not a valid namespace: %s", netns, why);
	}
	if (ret < 0)
		goto out;
	/* reported (ret 0): "", which no rule across subports takes for a namespace */
	*dst = strdup(ret ? netns : "");
	if (!*dst)
		ret = -ENOMEM;
out:
	return ret;
}
