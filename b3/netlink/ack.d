b3/netlink/ack.o: netlink/ack.c /usr/include/libnl3/netlink/errno.h \
 netlink/nl_internal.h include/vt_link.h
/usr/include/libnl3/netlink/errno.h:
netlink/nl_internal.h:
include/vt_link.h:
