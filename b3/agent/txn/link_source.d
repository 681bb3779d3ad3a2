b3/agent/txn/link_source.o: agent/txn/link_source.c \
 agent/txn/link_source.h include/vt_link.h include/vt_netlink.h \
 include/vt_link.h
agent/txn/link_source.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_link.h:
