b3/tests/kernel/test_campaign.o: tests/kernel/test_campaign.c \
 tests/kernel_util.h include/vt_link.h include/vt_netlink.h \
 include/vt_link.h tests/kernel/suites.h
tests/kernel_util.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
tests/kernel/suites.h:
