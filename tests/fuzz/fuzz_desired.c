/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness for the desired-state parser: any bytes must give either
 * a valid state or diagnostics, never a crash, a leak or undefined behaviour.
 * Beyond memory safety it checks the loader's own promises, which a
 * sanitizer alone would not notice being broken.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vt_desired.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_valid_state(const struct vt_desired *desired)
{
	static char path[VT_NETNS_PATH_MAX];

	for (size_t i = 0; i < desired->n_trunks; i++) {
		const struct vt_trunk *trunk = &desired->trunks[i];

		if (!trunk->name[0] || !trunk->parent[0] || !trunk->file)
			abort();
		if (trunk->outer >= (int)desired->n_trunks || trunk->outer == (int)i)
			abort();
		if (trunk->outer < 0 ? trunk->depth != 0 :
		    trunk->depth != desired->trunks[trunk->outer].depth + 1)
			abort();
		for (size_t j = 0; j < trunk->n_subports; j++) {
			const struct vt_subport *subport = &trunk->subports[j];

			if (!subport->name[0] || subport->vlan < 1 || subport->vlan > VT_VLAN_ID_MAX)
				abort();
			if (subport->protocol != VT_PROTO_8021Q && subport->protocol != VT_PROTO_8021AD)
				abort();
			if (subport->vlan_flags & ~(uint32_t)VT_VLAN_FLAGS_ALL)
				abort();
			/* a namespace is never "" (the mark of a refused one) and always names a file */
			if (subport->netns && (!subport->netns[0] ||
					       vt_desired_netns_path(subport->netns, path,
								     sizeof(path)) < 0))
				abort();
			for (size_t k = 0; k < subport->n_egress; k++)
				if (!subport->egress[k].to || subport->egress[k].to > VT_PCP_MAX ||
				    (k && subport->egress[k - 1].from >= subport->egress[k].from))
					abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt_desired desired;
	struct vt_diags diags = { 0 };
	char line[1024];
	int ret;

	ret = vt_desired_parse((const char *)data, size, "fuzz.json", &desired, &diags);
	if (ret != 0 && ret != -EINVAL && ret != -ENOMEM)
		abort();
	/* an invalid state is never handed out, and is always explained */
	if (ret && (desired.n_trunks || desired.trunks || desired.n_files || desired.files))
		abort();
	if ((ret == -EINVAL) != (diags.n > 0) || diags.n > VT_DIAGS_MAX + 1)
		abort();
	if (!ret)
		check_valid_state(&desired);
	for (size_t i = 0; i < diags.n; i++) {
		vt_diag_format(&diags.v[i], line, sizeof(line));
		if (strlen(line) >= sizeof(line))
			abort();
	}
	vt_desired_free(&desired);
	vt_diag_free(&diags);
	return 0;
}
