b3/netlink/dump.o: netlink/dump.c netlink/nl_internal.h include/vt_link.h \
 include/vt_netlink.h include/vt_link.h
netlink/nl_internal.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
