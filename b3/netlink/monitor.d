b3/netlink/monitor.o: netlink/monitor.c netlink/nl_internal.h \
 include/vt_link.h include/vt_netlink.h include/vt_link.h
netlink/nl_internal.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
