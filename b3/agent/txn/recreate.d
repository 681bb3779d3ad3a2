b3/agent/txn/recreate.o: agent/txn/recreate.c agent/txn/pick.h \
 include/vt_link.h agent/plan/spec.h agent/txn/restore_internal.h \
 agent/base/name_table.h agent/txn/restore.h agent/txn/journal.h \
 include/vt_netlink.h include/vt_link.h
agent/txn/pick.h:
include/vt_link.h:
agent/plan/spec.h:
agent/txn/restore_internal.h:
agent/base/name_table.h:
agent/txn/restore.h:
agent/txn/journal.h:
include/vt_netlink.h:
include/vt_link.h:
