b3/netlink/socket.o: netlink/socket.c netlink/nl_internal.h \
 include/vt_link.h include/vt_netlink.h include/vt_link.h
netlink/nl_internal.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
