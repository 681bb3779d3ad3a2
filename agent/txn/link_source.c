/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "link_source.h"

int vt_link_source_read(const struct vt_link_source *source, struct vt_nl *nl,
			struct vt_link_table *into)
{
	return source ? source->read(source->arg, into) : vt_nl_dump_links(nl, into);
}

int vt_link_source_view(const struct vt_link_source *source, struct vt_nl *nl,
			struct vt_link_table *scratch, const struct vt_link_table **out)
{
	int ret;

	if (source)
		return source->view(source->arg, out);
	ret = vt_nl_dump_links(nl, scratch);
	*out = scratch;
	return ret;
}
