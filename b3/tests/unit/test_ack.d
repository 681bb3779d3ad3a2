b3/tests/unit/test_ack.o: tests/unit/test_ack.c netlink/nl_internal.h \
 include/vt_link.h tests/unit/suites.h
netlink/nl_internal.h:
include/vt_link.h:
tests/unit/suites.h:
