/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Answers: the error code of an ack or a dump's end, and the kernel's text. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/errno.h>

#include "nl_internal.h"

static int ext_ack_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK;
	if (type == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

int vt_nl_parse_error(const struct nlmsghdr *nlh, char *msg, size_t msg_len)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	unsigned int offset;
	int error;

	if (msg && msg_len)
		msg[0] = '\0';

	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's end carries an int, then extended-ack TLVs. */
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
			return 0;
		error = *(const int *)mnl_nlmsg_get_payload(nlh);
		offset = sizeof(int);
	} else {
		const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
			return -EBADMSG;
		error = err->error;
		offset = sizeof(*err);
		/* Without NETLINK_CAP_ACK the failed request is echoed before the TLVs. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}

	if (msg && msg_len && (nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    offset <= mnl_nlmsg_get_payload_len(nlh)) {
		mnl_attr_parse(nlh, offset, ext_ack_attr, tb);
		if (tb[NLMSGERR_ATTR_MSG])
			snprintf(msg, msg_len, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	}
	return error > 0 ? -error : error;
}

int vt_nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}
