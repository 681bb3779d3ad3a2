/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `vlantrunk import-neutron`: `openstack network trunk show -f json`
 * documents in, a vlantrunk desired state out. Device names follow the Linux
 * bridge agent: a prefix and the first 11 characters of the port id.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "neutron.h"

#define PORT_ID_CHARS 11

static void complain(char *err, size_t len, const char *file, const char *trunk, const char *what)
{
	snprintf(err, len, "%s: trunk %s: %s", file, trunk && *trunk ? trunk : "(unnamed)", what);
}

static int device_name(const char *prefix, const char *port_id, char *out, size_t len)
{
	if (!port_id || strlen(port_id) < PORT_ID_CHARS)
		return -EINVAL;
	if (strlen(prefix) + PORT_ID_CHARS >= len)
		return -ENAMETOOLONG;
	snprintf(out, len, "%s%.*s", prefix, PORT_ID_CHARS, port_id);
	return 0;
}

static int subport(json_t *sp, const char *prefix, const char *file, const char *trunk,
		   json_t *out, char *err, size_t len)
{
	const char *type = json_string_value(json_object_get(sp, "segmentation_type"));
	json_t *id = json_object_get(sp, "segmentation_id");
	char name[VT_IFNAMSIZ], what[256];

	if (!json_is_object(sp)) {
		complain(err, len, file, trunk, "a sub_ports entry is not an object");
		return -EINVAL;
	}
	if (type && !strcmp(type, "inherit")) {
		snprintf(what, sizeof(what), "subport port %s: segmentation_type inherit takes its "
			 "VLAN from the network when the port binds; vlantrunk needs an explicit "
			 "segmentation_id (set segmentation_type vlan)",
			 json_string_value(json_object_get(sp, "port_id")) ?: "?");
		complain(err, len, file, trunk, what);
		return -EINVAL;
	}
	if (!type || strcmp(type, "vlan")) {
		snprintf(what, sizeof(what), "subport segmentation_type \"%s\" is not supported "
			 "(only vlan)", type ? type : "(missing)");
		complain(err, len, file, trunk, what);
		return -EINVAL;
	}
	if (!json_is_integer(id) || json_integer_value(id) < 1 || json_integer_value(id) > 4094) {
		complain(err, len, file, trunk, "subport segmentation_id must be an integer 1-4094");
		return -EINVAL;
	}
	if (device_name(prefix, json_string_value(json_object_get(sp, "port_id")), name,
			sizeof(name)) < 0) {
		complain(err, len, file, trunk, "subport port_id is missing, shorter than 11 "
			 "characters, or too long with this prefix");
		return -EINVAL;
	}
	json_array_append_new(out, json_pack("{s:s, s:I}", "name", name, "vlan",
					     json_integer_value(id)));
	return 0;
}

static int trunk(json_t *doc, const char *prefix, const char *file, json_t *trunks, char *err,
		 size_t len)
{
	const char *id = json_string_value(json_object_get(doc, "id"));
	const char *label = json_string_value(json_object_get(doc, "name"));
	json_t *sub_ports = json_object_get(doc, "sub_ports"), *admin, *subports, *sp;
	char parent[VT_IFNAMSIZ];
	size_t i;
	int ret;

	if (!label || !*label)
		label = id;
	if (!json_is_object(doc) || !id) {
		complain(err, len, file, label, "not a trunk: no \"id\" (expected the output of "
			 "`openstack network trunk show -f json`)");
		return -EINVAL;
	}
	if (device_name(prefix, json_string_value(json_object_get(doc, "port_id")), parent,
			sizeof(parent)) < 0) {
		complain(err, len, file, label, "port_id is missing, shorter than 11 characters, "
			 "or too long with this prefix");
		return -EINVAL;
	}
	if (!json_is_array(sub_ports)) {
		complain(err, len, file, label, "sub_ports is not a list (old clients print it as "
			 "text: use a client that prints JSON lists)");
		return -EINVAL;
	}
	subports = json_array();
	json_array_foreach(sub_ports, i, sp) {
		ret = subport(sp, prefix, file, label, subports, err, len);
		if (ret < 0) {
			json_decref(subports);
			return ret;
		}
	}
	admin = json_object_get(doc, "admin_state_up");
	/* The Neutron trunk's id: unique, and always a valid vlantrunk trunk name. */
	json_array_append_new(trunks, json_pack("{s:s, s:s, s:b, s:o}", "name", id, "parent", parent,
						"admin_state_up", !json_is_false(admin),
						"subports", subports));
	return 0;
}

int vt_neutron_import(const char *const *files, size_t n_files, const char *prefix, json_t **out,
		      char *err, size_t len)
{
	json_t *trunks = json_array();
	int ret = 0;

	for (size_t f = 0; f < n_files && !ret; f++) {
		json_error_t jerr;
		json_t *doc = json_load_file(files[f], JSON_REJECT_DUPLICATES, &jerr), *one;
		size_t i;

		if (!doc) {
			snprintf(err, len, "%s:%d:%d: %s", files[f], jerr.line, jerr.column, jerr.text);
			ret = -EINVAL;
			break;
		}
		/* One trunk, or a list of them (several `trunk show` outputs joined). */
		if (json_is_array(doc)) {
			json_array_foreach(doc, i, one)
				if (!ret)
					ret = trunk(one, prefix, files[f], trunks, err, len);
		} else {
			ret = trunk(doc, prefix, files[f], trunks, err, len);
		}
		json_decref(doc);
	}
	if (ret < 0) {
		json_decref(trunks);
		return ret;
	}
	*out = json_pack("{s:i, s:o}", "version", 1, "trunks", trunks);
	return 0;
}
