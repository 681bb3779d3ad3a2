b3/netlink/link_table.o: netlink/link_table.c include/vt_link.h \
 include/vt_array.h
include/vt_link.h:
include/vt_array.h:
