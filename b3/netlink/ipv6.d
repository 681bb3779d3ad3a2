b3/netlink/ipv6.o: netlink/ipv6.c netlink/nl_internal.h include/vt_link.h \
 include/vt_netlink.h include/vt_link.h
netlink/nl_internal.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
