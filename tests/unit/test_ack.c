/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Answers as the kernel shapes them: capped or not, with or without text. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nl_internal.h"
#include "suites.h"

static struct nlmsghdr *error_msg(char *buf, int error, bool capped, const char *text)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = 42;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg.nlmsg_type = RTM_NEWLINK;
	err->msg.nlmsg_seq = 42;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr) + 16;
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	else
		/* the echoed request's payload */
		memset(mnl_nlmsg_put_extra_header(nlh, 16), 0xee, 16);
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	}
	return nlh;
}

START_TEST(test_success_ack)
{
	char buf[512], text[64] = "stale";

	ck_assert_int_eq(vt_nl_parse_error(error_msg(buf, 0, true, NULL), text, sizeof(text)), 0);
	ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(test_capped_with_text)
{
	char buf[512], text[64];
	struct nlmsghdr *nlh = error_msg(buf, -ERANGE, true, "Invalid VLAN id");

	ck_assert_int_eq(vt_nl_parse_error(nlh, text, sizeof(text)), -ERANGE);
	ck_assert_str_eq(text, "Invalid VLAN id");
}
END_TEST

START_TEST(test_uncapped_with_text)
{
	char buf[512], text[64];
	struct nlmsghdr *nlh = error_msg(buf, -EEXIST, false, "already exists");

	ck_assert_int_eq(vt_nl_parse_error(nlh, text, sizeof(text)), -EEXIST);
	ck_assert_str_eq(text, "already exists");
}
END_TEST

START_TEST(test_text_truncated_to_buffer)
{
	char buf[512], text[8];
	struct nlmsghdr *nlh = error_msg(buf, -EINVAL, true, "a rather long message");

	ck_assert_int_eq(vt_nl_parse_error(nlh, text, sizeof(text)), -EINVAL);
	ck_assert_str_eq(text, "a rathe");
}
END_TEST

START_TEST(test_short_error_rejected)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	ck_assert_int_eq(vt_nl_parse_error(nlh, NULL, 0), -EBADMSG);
}
END_TEST

START_TEST(test_dump_done_with_error)
{
	char buf[512], text[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *code;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	code = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*code = -EINVAL;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Invalid header for link dump");
	ck_assert_int_eq(vt_nl_parse_error(nlh, text, sizeof(text)), -EINVAL);
	ck_assert_str_eq(text, "Invalid header for link dump");
}
END_TEST

Suite *ack_suite(void)
{
	Suite *s = suite_create("ack");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_success_ack);
	tcase_add_test(tc, test_capped_with_text);
	tcase_add_test(tc, test_uncapped_with_text);
	tcase_add_test(tc, test_text_truncated_to_buffer);
	tcase_add_test(tc, test_short_error_rejected);
	tcase_add_test(tc, test_dump_done_with_error);
	suite_add_tcase(s, tc);
	return s;
}
