/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * desired_parse.c - one JSON document of the desired state into vt_trunk
 * and vt_subport values. Every problem within the document is reported;
 * the rules across trunks and files are desired_check.c's.
 *
 * A value that is wrong is reported and left at its default, and an array
 * element that is not an object still takes its slot, so that the reading
 * goes on (all problems, not the first) and positions stay those of the
 * file. Such a state is never handed out: any problem empties it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "desired_internal.h"

#define VT_DESIRED_VERSION 1

/* Where in the document the reading is: what a problem report names. */
struct doc {
	struct vt_desired_build *build;
	const char *file;
	const char *trunk;		/* "" until the trunk's name is known valid */
	const char *subport;		/* the same for the subport */
	char path[48];			/* of the object being read; "" at the top */
};

struct key_rule {
	const char *name;
	bool required;
};

static const struct key_rule document_keys[] = {
	{ "version", true },
	{ "trunks", true },
};

static const struct key_rule trunk_keys[] = {
	{ "name", true },
	{ "parent", true },
	{ "admin_state_up", false },
	{ "subports", false },
};

static const struct key_rule subport_keys[] = {
	{ "name", true },
	{ "vlan", true },
	{ "protocol", false },
	{ "mtu", false },
	{ "mac", false },
	{ "up", false },
	{ "master", false },
	{ "reorder_hdr", false },
	{ "gvrp", false },
	{ "mvrp", false },
	{ "loose_binding", false },
	{ "bridge_binding", false },
	{ "egress_qos", false },
	{ "ingress_qos", false },
	{ "adopt", false },
	{ "ipv6", false },
};

#define N_RULES(rules) (sizeof(rules) / sizeof((rules)[0]))

/* Each boolean VLAN flag and its bit in vt_subport.vlan_flags. */
static const struct {
	const char *key;
	uint32_t bit;
} vlan_flag_keys[] = {
	{ "reorder_hdr", VT_VLAN_REORDER_HDR },
	{ "gvrp", VT_VLAN_GVRP },
	{ "mvrp", VT_VLAN_MVRP },
	{ "loose_binding", VT_VLAN_LOOSE_BINDING },
	{ "bridge_binding", VT_VLAN_BRIDGE_BINDING },
};

/*
 * Report a problem with @key of the object being read (@key NULL: with the
 * object itself).
 */
static int problem(struct doc *doc, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int problem(struct doc *doc, const char *key, const char *fmt, ...)
{
	char field[sizeof(((struct vt_diag *)0)->field)];
	struct vt_diag_where where = {
		.file = doc->file,
		.trunk = doc->trunk,
		.subport = doc->subport,
		.field = field,
	};
	va_list ap;
	int ret;

	if (!key)
		snprintf(field, sizeof(field), "%s", doc->path);
	else if (!doc->path[0])
		snprintf(field, sizeof(field), "%s", key);
	else
		snprintf(field, sizeof(field), "%s.%s", doc->path, key);
	va_start(ap, fmt);
	ret = vt_desired_vreport(doc->build, &where, fmt, ap);
	va_end(ap);
	return ret;
}

static const char *kind_of(const json_t *value)
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

static int wrong_kind(struct doc *doc, const char *key, const json_t *value,
		      const char *expected)
{
	return problem(doc, key, "must be %s, not %s", expected, kind_of(value));
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
static const char *closest_key(const char *key, const struct key_rule *rules, size_t n_rules)
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
static int check_keys(struct doc *doc, json_t *object, const struct key_rule *rules,
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
			ret = problem(doc, key, "unknown key (did you mean \"%s\"?)", guess);
		else
			ret = problem(doc, key, "unknown key");
		if (ret)
			goto out;
	}
	for (size_t i = 0; i < n_rules; i++) {
		if (!rules[i].required || json_object_get(object, rules[i].name))
			continue;
		ret = problem(doc, rules[i].name, "missing, and it is required");
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

static int read_bool(struct doc *doc, const char *key, const json_t *value, bool *dst)
{
	int ret;

	if (!json_is_boolean(value)) {
		ret = wrong_kind(doc, key, value, "true or false");
		goto out;
	}
	*dst = json_is_true(value);
	ret = 1;
out:
	return ret;
}

/* @what names the quantity in messages, e.g. "vlan". */
static int read_integer(struct doc *doc, const char *key, const json_t *value,
			const char *what, json_int_t min, json_int_t max, json_int_t *dst)
{
	json_int_t number;
	int ret;

	if (!json_is_integer(value)) {
		ret = wrong_kind(doc, key, value, "an integer");
		goto out;
	}
	number = json_integer_value(value);
	if (number < min || number > max) {
		ret = problem(doc, key, "%s %" JSON_INTEGER_FORMAT " is out of range %"
			      JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT,
			      what, number, min, max);
		goto out;
	}
	*dst = number;
	ret = 1;
out:
	return ret;
}

static int read_string(struct doc *doc, const char *key, const json_t *value,
		       const char **dst, size_t *len)
{
	int ret;

	if (!json_is_string(value)) {
		ret = wrong_kind(doc, key, value, "a string");
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
static int read_ifname(struct doc *doc, const char *key, const json_t *value, char *dst,
		       size_t size)
{
	const char *name = "", *why;
	size_t len = 0;
	int ret;

	ret = read_string(doc, key, value, &name, &len);
	if (ret <= 0)
		goto out;
	why = ifname_problem(name, len, size);
	if (why) {
		ret = problem(doc, key, "\"%.32s\" is not a valid interface name: %s", name, why);
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

static int read_trunk_name(struct doc *doc, const json_t *value, char dst[VT_TRUNK_NAME_MAX + 1])
{
	const char *name = "";
	size_t len = 0;
	int ret;

	ret = read_string(doc, "name", value, &name, &len);
	if (ret <= 0)
		goto out;
	if (!is_trunk_name(name, len)) {
		ret = problem(doc, "name", "\"%.80s\" is not a valid trunk name: it must be 1-%d "
			      "characters of A-Z, a-z, 0-9, '_', '.' and '-'",
			      name, VT_TRUNK_NAME_MAX);
		goto out;
	}
	memcpy(dst, name, len + 1);
	ret = 1;
out:
	return ret;
}

static int read_protocol(struct doc *doc, const json_t *value, uint16_t *dst)
{
	const char *name = "";
	size_t len = 0;
	int ret;

	ret = read_string(doc, "protocol", value, &name, &len);
	if (ret <= 0)
		goto out;
	if (!strcmp(name, "802.1Q")) {
		*dst = VT_PROTO_8021Q;
	} else if (!strcmp(name, "802.1ad")) {
		*dst = VT_PROTO_8021AD;
	} else {
		ret = problem(doc, "protocol", "\"%.32s\" is neither \"802.1Q\" nor \"802.1ad\"",
			      name);
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

static int read_mac(struct doc *doc, const json_t *value, uint8_t dst[VT_MAC_LEN])
{
	static const uint8_t zero[VT_MAC_LEN];
	uint8_t mac[VT_MAC_LEN];
	const char *text = "";
	size_t len = 0;
	int ret;

	ret = read_string(doc, "mac", value, &text, &len);
	if (ret <= 0)
		goto out;
	if (!parse_mac(text, len, mac)) {
		ret = problem(doc, "mac", "\"%.32s\" is not a MAC address like 02:00:00:00:00:01",
			      text);
		goto out;
	}
	if (mac[0] & 1) {
		ret = problem(doc, "mac", "%s is a multicast address; a device needs a unicast one",
			      text);
		goto out;
	}
	if (!memcmp(mac, zero, sizeof(zero))) {
		ret = problem(doc, "mac", "%s is not a usable address", text);
		goto out;
	}
	memcpy(dst, mac, VT_MAC_LEN);
	ret = 1;
out:
	return ret;
}

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
static int reject_duplicate_priorities(struct doc *doc, const struct egress_item *items,
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
		ret = problem(doc, field, "skb priority %" PRIu32 " is also mapped by key \"%.20s\"",
			      items[i].from, items[i - 1].key);
		if (ret)
			break;
	}
	return ret;
}

static int read_egress_qos(struct doc *doc, json_t *value, struct vt_subport *subport)
{
	struct egress_item *items = NULL;
	size_t n, n_items = 0;
	const char *key;
	json_t *pcp;
	bool duplicates;
	int ret = 0;

	if (!json_is_object(value)) {
		ret = wrong_kind(doc, "egress_qos", value,
				 "an object mapping skb priorities to PCPs");
		goto out;
	}
	n = json_object_size(value);
	if (n > VT_DESIRED_MAX_EGRESS) {
		ret = problem(doc, "egress_qos", "%zu entries, more than the limit of %d",
			      n, VT_DESIRED_MAX_EGRESS);
		goto out;
	}
	if (n > VT_DESIRED_MAX_EGRESS_TOTAL - doc->build->n_egress) {
		ret = problem(doc, "egress_qos", "more than %u egress_qos entries in all, the limit",
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
			ret = problem(doc, field, "skb priority %.20s is out of range 0-%" PRIu32,
				      key, UINT32_MAX);
		} else if (err) {
			ret = problem(doc, field, "key \"%.20s\" is not an skb priority: it must "
				      "be a decimal number 0-%" PRIu32, key, UINT32_MAX);
		} else {
			ret = read_integer(doc, field, pcp, "PCP", 0, VT_PCP_MAX, &to);
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

static int read_ingress_qos(struct doc *doc, json_t *value, struct vt_subport *subport)
{
	const char *seen[VT_PCP_MAX + 1] = { 0 };
	const char *key;
	json_t *priority;
	int ret = 0;

	if (!json_is_object(value)) {
		ret = wrong_kind(doc, "ingress_qos", value,
				 "an object mapping PCPs to skb priorities");
		goto out;
	}
	json_object_foreach(value, key, priority) {
		char field[64];
		json_int_t to;
		uint32_t pcp;

		snprintf(field, sizeof(field), "ingress_qos.\"%.20s\"", key);
		if (parse_decimal_u32(key, &pcp) || pcp > VT_PCP_MAX) {
			ret = problem(doc, field, "key \"%.20s\" is not a PCP: it must be a "
				      "decimal number 0-%d", key, VT_PCP_MAX);
		} else if (seen[pcp]) {
			ret = problem(doc, field, "PCP %" PRIu32 " is also mapped by key \"%.20s\"",
				      pcp, seen[pcp]);
		} else {
			seen[pcp] = key;
			ret = read_integer(doc, field, priority, "skb priority", 0, UINT32_MAX, &to);
			if (ret > 0)
				subport->ingress[pcp] = (uint32_t)to;
		}
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	return ret < 0 ? ret : 0;
}

static void subport_defaults(struct vt_subport *subport)
{
	memset(subport, 0, sizeof(*subport));
	subport->protocol = VT_PROTO_8021Q;
	subport->up = true;
	subport->vlan_flags = VT_VLAN_REORDER_HDR;
}

static int read_vlan_flags(struct doc *doc, json_t *object, struct vt_subport *subport)
{
	int ret = 0;

	for (size_t i = 0; i < N_RULES(vlan_flag_keys); i++) {
		json_t *value = json_object_get(object, vlan_flag_keys[i].key);
		bool on = false;

		if (!value)
			continue;
		ret = read_bool(doc, vlan_flag_keys[i].key, value, &on);
		if (ret < 0)
			goto out;
		if (ret && on)
			subport->vlan_flags |= vlan_flag_keys[i].bit;
		else if (ret)
			subport->vlan_flags &= ~vlan_flag_keys[i].bit;
	}
	ret = 0;
out:
	return ret;
}

static int parse_subport(struct doc *doc, json_t *object, struct vt_subport *subport)
{
	json_t *value;
	json_int_t number;
	int ret;

	value = json_object_get(object, "name");
	if (value) {
		ret = read_ifname(doc, "name", value, subport->name, sizeof(subport->name));
		if (ret < 0)
			goto out;
		if (ret)
			doc->subport = subport->name;
	}
	ret = check_keys(doc, object, subport_keys, N_RULES(subport_keys));
	if (ret)
		goto out;
	value = json_object_get(object, "vlan");
	if (value) {
		ret = read_integer(doc, "vlan", value, "vlan", 1, VT_VLAN_ID_MAX, &number);
		if (ret < 0)
			goto out;
		if (ret)
			subport->vlan = (uint16_t)number;
	}
	value = json_object_get(object, "protocol");
	if (value && (ret = read_protocol(doc, value, &subport->protocol)) < 0)
		goto out;
	value = json_object_get(object, "mtu");
	if (value) {
		/* The upper bound that matters, the parent's MTU, is the kernel's to know. */
		ret = read_integer(doc, "mtu", value, "mtu", 68, 65535, &number);
		if (ret < 0)
			goto out;
		if (ret) {
			subport->mtu = (uint32_t)number;
			subport->managed |= VT_SP_MTU;
		}
	}
	value = json_object_get(object, "mac");
	if (value) {
		ret = read_mac(doc, value, subport->mac);
		if (ret < 0)
			goto out;
		if (ret)
			subport->managed |= VT_SP_MAC;
	}
	value = json_object_get(object, "master");
	if (value) {
		ret = read_ifname(doc, "master", value, subport->master, sizeof(subport->master));
		if (ret < 0)
			goto out;
		if (ret)
			subport->managed |= VT_SP_MASTER;
	}
	value = json_object_get(object, "up");
	if (value && (ret = read_bool(doc, "up", value, &subport->up)) < 0)
		goto out;
	value = json_object_get(object, "adopt");
	if (value && (ret = read_bool(doc, "adopt", value, &subport->adopt)) < 0)
		goto out;
	value = json_object_get(object, "ipv6");
	if (value && (ret = read_bool(doc, "ipv6", value, &subport->ipv6)) < 0)
		goto out;
	ret = read_vlan_flags(doc, object, subport);
	if (ret)
		goto out;
	value = json_object_get(object, "egress_qos");
	if (value && (ret = read_egress_qos(doc, value, subport)) < 0)
		goto out;
	value = json_object_get(object, "ingress_qos");
	if (value && (ret = read_ingress_qos(doc, value, subport)) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

static int parse_subports(struct doc *doc, json_t *array, size_t trunk_pos,
			  struct vt_trunk *trunk)
{
	size_t n;
	int ret = 0;

	if (!json_is_array(array)) {
		ret = wrong_kind(doc, "subports", array, "an array");
		goto out;
	}
	n = json_array_size(array);
	if (n > VT_DESIRED_MAX_TRUNK_SUBPORTS) {
		ret = problem(doc, "subports", "%zu subports, more than a trunk can have (%d: "
			      "each vlan once per protocol)", n, VT_DESIRED_MAX_TRUNK_SUBPORTS);
		goto out;
	}
	if (n > VT_DESIRED_MAX_SUBPORTS - doc->build->n_subports) {
		ret = problem(doc, "subports", "more than %d subports in all, the limit",
			      VT_DESIRED_MAX_SUBPORTS);
		goto out;
	}
	if (!n)
		goto out;
	doc->build->n_subports += n;
	trunk->subports = calloc(n, sizeof(*trunk->subports));
	if (!trunk->subports) {
		ret = -ENOMEM;
		goto out;
	}
	trunk->n_subports = n;
	for (size_t i = 0; i < n; i++) {
		json_t *object = json_array_get(array, i);

		subport_defaults(&trunk->subports[i]);
		snprintf(doc->path, sizeof(doc->path), "trunks[%zu].subports[%zu]", trunk_pos, i);
		doc->subport = "";
		if (json_is_object(object))
			ret = parse_subport(doc, object, &trunk->subports[i]);
		else
			ret = wrong_kind(doc, NULL, object, "an object");
		if (ret)
			goto out;
	}
out:
	snprintf(doc->path, sizeof(doc->path), "trunks[%zu]", trunk_pos);
	doc->subport = "";
	return ret;
}

static int parse_trunk(struct doc *doc, json_t *object, size_t pos, struct vt_trunk *trunk)
{
	json_t *value;
	int ret;

	value = json_object_get(object, "name");
	if (value) {
		ret = read_trunk_name(doc, value, trunk->name);
		if (ret < 0)
			goto out;
		if (ret)
			doc->trunk = trunk->name;
	}
	ret = check_keys(doc, object, trunk_keys, N_RULES(trunk_keys));
	if (ret)
		goto out;
	/*
	 * A parent may be written as one of its altnames (up to 127 bytes), which
	 * the kernel's name lookup finds too. The same characters as a name: an
	 * altname of 6.1 may hold a ':', but "eth0:1" reads as an address label.
	 */
	value = json_object_get(object, "parent");
	if (value && (ret = read_ifname(doc, "parent", value, trunk->parent,
					sizeof(trunk->parent))) < 0)
		goto out;
	value = json_object_get(object, "admin_state_up");
	if (value && (ret = read_bool(doc, "admin_state_up", value, &trunk->admin_state_up)) < 0)
		goto out;
	value = json_object_get(object, "subports");
	if (value && (ret = parse_subports(doc, value, pos, trunk)) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

static int parse_trunks(struct doc *doc, json_t *array)
{
	struct vt_desired *out = doc->build->out;
	struct vt_trunk *trunks;
	size_t n;
	int ret = 0;

	if (!json_is_array(array)) {
		ret = wrong_kind(doc, "trunks", array, "an array");
		goto out;
	}
	n = json_array_size(array);
	if (n > VT_DESIRED_MAX_TRUNKS - out->n_trunks) {
		ret = problem(doc, "trunks", "more than %d trunks in all, the limit",
			      VT_DESIRED_MAX_TRUNKS);
		goto out;
	}
	if (!n)
		goto out;
	trunks = realloc(out->trunks, (out->n_trunks + n) * sizeof(*trunks));
	if (!trunks) {
		ret = -ENOMEM;
		goto out;
	}
	out->trunks = trunks;
	for (size_t i = 0; i < n; i++) {
		struct vt_trunk *trunk = &out->trunks[out->n_trunks++];
		json_t *object = json_array_get(array, i);

		*trunk = (struct vt_trunk){ .admin_state_up = true, .file = doc->file, .outer = -1 };
		snprintf(doc->path, sizeof(doc->path), "trunks[%zu]", i);
		doc->trunk = "";
		if (json_is_object(object))
			ret = parse_trunk(doc, object, i, trunk);
		else
			ret = wrong_kind(doc, NULL, object, "an object");
		if (ret)
			goto out;
	}
out:
	doc->path[0] = '\0';
	doc->trunk = "";
	return ret;
}

/*
 * jansson parses recursively, so a deeply nested document would exhaust the
 * stack before anything could reject it; and it holds every value in memory
 * at some 50 to 250 bytes each. Both are measured first, on the raw text.
 * Returns 1 when within the limits, 0 when not (reported, with the line and
 * column, in characters as jansson counts, of a bracket too deep), -ENOMEM.
 */
static int check_document_size(struct vt_desired_build *build, struct vt_diag_where *where,
			       const char *buf, size_t len)
{
	bool in_string = false, escaped = false, opened = false;
	unsigned int depth = 0;
	/* the document, the first value of each non-empty container, one per comma */
	size_t values = 1;
	int line = 1, column = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (c == '\n') {
			line++;
			column = 0;
		} else if ((c & 0xc0) != 0x80) {
			column++;
		}
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (opened && c != ']' && c != '}')
			values++;
		opened = false;
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			opened = true;
			if (++depth > VT_DESIRED_MAX_DEPTH) {
				where->line = line;
				where->column = column;
				return vt_desired_report(build, where,
							 "nested deeper than %d levels, the limit",
							 VT_DESIRED_MAX_DEPTH);
			}
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		} else if (c == ',') {
			values++;
		}
	}
	if (values > VT_DESIRED_MAX_VALUES)
		return vt_desired_report(build, where, "more than %u JSON values, the limit",
					 VT_DESIRED_MAX_VALUES);
	return 1;
}

static int add_file(struct vt_desired *out, const char *file, const char **copy)
{
	char **files = realloc(out->files, (out->n_files + 1) * sizeof(*files));

	if (!files)
		return -ENOMEM;
	out->files = files;
	files[out->n_files] = strdup(file);
	if (!files[out->n_files])
		return -ENOMEM;
	*copy = files[out->n_files++];
	return 0;
}

static int parse_document(struct doc *doc, json_t *root)
{
	json_t *value;
	json_int_t version;
	int ret;

	if (!json_is_object(root)) {
		ret = problem(doc, NULL, "the document must be an object, not %s", kind_of(root));
		goto out;
	}
	ret = check_keys(doc, root, document_keys, N_RULES(document_keys));
	if (ret)
		goto out;
	value = json_object_get(root, "version");
	if (value && json_is_integer(value) && json_integer_value(value) != VT_DESIRED_VERSION) {
		/* Another version's schema is unknown: checking on would only add noise. */
		ret = problem(doc, "version", "version %" JSON_INTEGER_FORMAT " is not supported; "
			      "this vlantrunk reads version %d", json_integer_value(value),
			      VT_DESIRED_VERSION);
		goto out;
	}
	if (value && (ret = read_integer(doc, "version", value, "version", VT_DESIRED_VERSION,
					 VT_DESIRED_VERSION, &version)) < 0)
		goto out;
	value = json_object_get(root, "trunks");
	if (value && (ret = parse_trunks(doc, value)) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

int vt_desired_parse_doc(struct vt_desired_build *build, const char *buf, size_t len,
			 const char *file)
{
	struct doc doc = { .build = build, .trunk = "", .subport = "" };
	struct vt_diag_where where = { .file = file };
	json_error_t error = { 0 };
	json_t *root = NULL;
	int ret;

	if (len > VT_DESIRED_MAX_FILE_SIZE) {
		ret = vt_desired_report(build, &where, VT_DESIRED_TOO_BIG_FMT,
					VT_DESIRED_MAX_FILE_SIZE);
		goto out;
	}
	ret = check_document_size(build, &where, buf, len);
	if (ret <= 0)
		goto out;
	ret = add_file(build->out, file, &doc.file);
	if (ret)
		goto out;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &error);
	if (!root) {
		/* On some allocation failures jansson leaves the error as it was. */
		if (!error.text[0] || json_error_code(&error) == json_error_out_of_memory) {
			ret = -ENOMEM;
			goto out;
		}
		where.line = error.line;
		where.column = error.column;
		ret = vt_desired_report(build, &where, "%s", error.text);
		goto out;
	}
	ret = parse_document(&doc, root);
out:
	json_decref(root);
	return ret;
}
