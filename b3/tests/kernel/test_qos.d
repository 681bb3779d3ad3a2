b3/tests/kernel/test_qos.o: tests/kernel/test_qos.c tests/kernel_util.h \
 include/vt_link.h include/vt_netlink.h include/vt_link.h \
 tests/kernel/suites.h include/vt_desired.h
tests/kernel_util.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
tests/kernel/suites.h:
include/vt_desired.h:
