b3/tests/kernel/test_ipv6.o: tests/kernel/test_ipv6.c agent/txn/journal.h \
 include/vt_link.h tests/kernel_util.h include/vt_netlink.h \
 include/vt_link.h agent/txn/restore.h agent/txn/journal.h \
 tests/kernel/suites.h
agent/txn/journal.h:
include/vt_link.h:
tests/kernel_util.h:
include/vt_netlink.h:
include/vt_link.h:
agent/txn/restore.h:
agent/txn/journal.h:
tests/kernel/suites.h:
