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

static const struct vt_doc_key document_keys[] = {
	{ "version", true },
	{ "trunks", true },
};

static const struct vt_doc_key trunk_keys[] = {
	{ "name", true },
	{ "parent", true },
	{ "admin_state_up", false },
	{ "subports", false },
};

static const struct vt_doc_key subport_keys[] = {
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
	{ "netns", false },
};

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

static void subport_defaults(struct vt_subport *subport)
{
	memset(subport, 0, sizeof(*subport));
	subport->protocol = VT_PROTO_8021Q;
	subport->up = true;
	subport->vlan_flags = VT_VLAN_REORDER_HDR;
}

static int read_vlan_flags(struct vt_doc *doc, json_t *object, struct vt_subport *subport)
{
	int ret = 0;

	for (size_t i = 0; i < N_RULES(vlan_flag_keys); i++) {
		json_t *value = json_object_get(object, vlan_flag_keys[i].key);
		bool on = false;

		if (!value)
			continue;
		ret = vt_doc_bool(doc, vlan_flag_keys[i].key, value, &on);
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

/*
 * What a subport may have beside its name and vlan. Most have none: looking
 * each key up in every one of them was half the cost of reading a subport.
 */
static int parse_subport_options(struct vt_doc *doc, json_t *object, struct vt_subport *subport)
{
	json_t *value;
	json_int_t number;
	int ret;

	value = json_object_get(object, "protocol");
	if (value && (ret = vt_doc_protocol(doc, value, &subport->protocol)) < 0)
		goto out;
	value = json_object_get(object, "mtu");
	if (value) {
		/* The upper bound that matters, the parent's MTU, is the kernel's to know. */
		ret = vt_doc_integer(doc, "mtu", value, "mtu", 68, 65535, &number);
		if (ret < 0)
			goto out;
		if (ret) {
			subport->mtu = (uint32_t)number;
			subport->managed |= VT_SP_MTU;
		}
	}
	value = json_object_get(object, "mac");
	if (value) {
		ret = vt_doc_mac(doc, value, subport->mac);
		if (ret < 0)
			goto out;
		if (ret)
			subport->managed |= VT_SP_MAC;
	}
	value = json_object_get(object, "master");
	if (value) {
		ret = vt_doc_ifname(doc, "master", value, subport->master, sizeof(subport->master));
		if (ret < 0)
			goto out;
		if (ret)
			subport->managed |= VT_SP_MASTER;
	}
	value = json_object_get(object, "up");
	if (value && (ret = vt_doc_bool(doc, "up", value, &subport->up)) < 0)
		goto out;
	value = json_object_get(object, "adopt");
	if (value && (ret = vt_doc_bool(doc, "adopt", value, &subport->adopt)) < 0)
		goto out;
	value = json_object_get(object, "ipv6");
	if (value && (ret = vt_doc_bool(doc, "ipv6", value, &subport->ipv6)) < 0)
		goto out;
	value = json_object_get(object, "netns");
	if (value && (ret = vt_doc_netns(doc, value, &subport->netns)) < 0)
		goto out;
	ret = read_vlan_flags(doc, object, subport);
	if (ret)
		goto out;
	value = json_object_get(object, "egress_qos");
	if (value && (ret = vt_qos_egress(doc, value, subport)) < 0)
		goto out;
	value = json_object_get(object, "ingress_qos");
	if (value && (ret = vt_qos_ingress(doc, value, subport)) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

static int parse_subport(struct vt_doc *doc, json_t *object, struct vt_subport *subport)
{
	size_t n_read = 0;
	json_t *value;
	json_int_t number;
	int ret;

	value = json_object_get(object, "name");
	if (value) {
		n_read++;
		ret = vt_doc_ifname(doc, "name", value, subport->name, sizeof(subport->name));
		if (ret < 0)
			goto out;
		if (ret)
			doc->subport = subport->name;
	}
	ret = vt_doc_check_keys(doc, object, subport_keys, N_RULES(subport_keys));
	if (ret)
		goto out;
	value = json_object_get(object, "vlan");
	if (value) {
		n_read++;
		ret = vt_doc_integer(doc, "vlan", value, "vlan", 1, VT_VLAN_ID_MAX, &number);
		if (ret < 0)
			goto out;
		if (ret)
			subport->vlan = (uint16_t)number;
	}
	/* Every key is known (vt_doc_check_keys): any beyond these two is an option. */
	ret = 0;
	if (json_object_size(object) > n_read)
		ret = parse_subport_options(doc, object, subport);
out:
	return ret;
}

static int parse_subports(struct vt_doc *doc, json_t *array, struct vt_trunk *trunk)
{
	size_t n;
	int ret = 0;

	if (!json_is_array(array)) {
		ret = vt_doc_wrong_kind(doc, "subports", array, "an array");
		goto out;
	}
	n = json_array_size(array);
	if (n > VT_DESIRED_MAX_TRUNK_SUBPORTS) {
		ret = vt_doc_problem(doc, "subports",
				     "%zu subports, more than a trunk can have (%d: "
				     "each vlan once per protocol)",
				     n, VT_DESIRED_MAX_TRUNK_SUBPORTS);
		goto out;
	}
	if (n > VT_DESIRED_MAX_SUBPORTS - doc->build->n_subports) {
		ret = vt_doc_problem(doc, "subports", "more than %d subports in all, the limit",
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
		doc->at_subport = i;
		doc->subport = "";
		if (json_is_object(object))
			ret = parse_subport(doc, object, &trunk->subports[i]);
		else
			ret = vt_doc_wrong_kind(doc, NULL, object, "an object");
		if (ret)
			goto out;
	}
out:
	doc->at_subport = VT_DOC_TOP;
	doc->subport = "";
	return ret;
}

static int parse_trunk(struct vt_doc *doc, json_t *object, struct vt_trunk *trunk)
{
	json_t *value;
	int ret;

	value = json_object_get(object, "name");
	if (value) {
		ret = vt_doc_trunk_name(doc, value, trunk->name);
		if (ret < 0)
			goto out;
		if (ret)
			doc->trunk = trunk->name;
	}
	ret = vt_doc_check_keys(doc, object, trunk_keys, N_RULES(trunk_keys));
	if (ret)
		goto out;
	/*
	 * A parent may be written as one of its altnames (up to 127 bytes), which
	 * the kernel's name lookup finds too. The same characters as a name: an
	 * altname of 6.1 may hold a ':', but "eth0:1" reads as an address label.
	 */
	value = json_object_get(object, "parent");
	if (value && (ret = vt_doc_ifname(doc, "parent", value, trunk->parent,
					  sizeof(trunk->parent))) < 0)
		goto out;
	value = json_object_get(object, "admin_state_up");
	if (value && (ret = vt_doc_bool(doc, "admin_state_up", value, &trunk->admin_state_up)) < 0)
		goto out;
	value = json_object_get(object, "subports");
	if (value && (ret = parse_subports(doc, value, trunk)) < 0)
		goto out;
	ret = 0;
out:
	return ret;
}

static int parse_trunks(struct vt_doc *doc, json_t *array)
{
	struct vt_desired *out = doc->build->out;
	struct vt_trunk *trunks;
	size_t n;
	int ret = 0;

	if (!json_is_array(array)) {
		ret = vt_doc_wrong_kind(doc, "trunks", array, "an array");
		goto out;
	}
	n = json_array_size(array);
	if (n > VT_DESIRED_MAX_TRUNKS - out->n_trunks) {
		ret = vt_doc_problem(doc, "trunks", "more than %d trunks in all, the limit",
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

		*trunk = (struct vt_trunk){ .admin_state_up = true, .file = doc->file,
					    .outer = -1 };
		doc->at_trunk = i;
		doc->trunk = "";
		if (json_is_object(object))
			ret = parse_trunk(doc, object, trunk);
		else
			ret = vt_doc_wrong_kind(doc, NULL, object, "an object");
		if (ret)
			goto out;
	}
out:
	doc->at_trunk = VT_DOC_TOP;
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
				return vt_diag_report(build, where,
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
		return vt_diag_report(build, where, "more than %u JSON values, the limit",
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

static int parse_document(struct vt_doc *doc, json_t *root)
{
	json_t *value;
	json_int_t version;
	int ret;

	if (!json_is_object(root)) {
		ret = vt_doc_problem(doc, NULL, "the document must be an object, not %s",
				     vt_doc_kind(root));
		goto out;
	}
	ret = vt_doc_check_keys(doc, root, document_keys, N_RULES(document_keys));
	if (ret)
		goto out;
	value = json_object_get(root, "version");
	if (value && json_is_integer(value) && json_integer_value(value) != VT_DESIRED_VERSION) {
		/* Another version's schema is unknown: checking on would only add noise. */
		ret = vt_doc_problem(doc, "version",
				     "version %" JSON_INTEGER_FORMAT " is not supported; "
				     "this vlantrunk reads version %d", json_integer_value(value),
				     VT_DESIRED_VERSION);
		goto out;
	}
	if (value && (ret = vt_doc_integer(doc, "version", value, "version", VT_DESIRED_VERSION,
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
	struct vt_doc doc = { .build = build, .trunk = "", .subport = "",
			      .at_trunk = VT_DOC_TOP, .at_subport = VT_DOC_TOP };
	struct vt_diag_where where = { .file = file };
	json_error_t error = { 0 };
	json_t *root = NULL;
	int ret;

	if (len > VT_DESIRED_MAX_FILE_SIZE) {
		ret = vt_diag_report(build, &where, VT_DESIRED_TOO_BIG_FMT,
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
		ret = vt_diag_report(build, &where, "%s", error.text);
		goto out;
	}
	ret = parse_document(&doc, root);
out:
	json_decref(root);
	return ret;
}
