b3/tests/kernel_util.o: tests/kernel_util.c tests/kernel_util.h \
 include/vt_link.h include/vt_netlink.h include/vt_link.h
tests/kernel_util.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
