/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From OpenStack Neutron's trunk documents to a vlantrunk desired state.
 * For cli/cmd_import.c and main.c (the default prefix), and the unit tests.
 */
#ifndef VT_NEUTRON_H
#define VT_NEUTRON_H

#include <stddef.h>

#include <jansson.h>

#include "vt_link.h"

#define VT_NEUTRON_PREFIX "tap"

/**
 * vt_neutron_import - read `openstack network trunk show -f json` output from
 * @files (each one trunk, or a list of them) into *@out, a desired-state
 * document. Trunks are named by their Neutron id; parents and subports by
 * @prefix and the first 11 characters of their port id. A segmentation_type
 * other than vlan (inherit included) is refused. On -EINVAL, @err says
 * which file, trunk and field.
 */
int vt_neutron_import(const char *const *files, size_t n_files, const char *prefix, json_t **out,
		      char *err, size_t len);

#endif
