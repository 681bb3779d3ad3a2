b3/tests/fault/inject.o: tests/fault/inject.c include/vt_netlink.h \
 include/vt_link.h
include/vt_netlink.h:
include/vt_link.h:
