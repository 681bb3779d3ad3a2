b3/agent/txn/engine_journal.o: agent/txn/engine_journal.c \
 agent/txn/engine_internal.h agent/base/name_table.h agent/txn/engine.h \
 agent/txn/txn.h include/vt_desired.h include/vt_link.h \
 include/vt_netlink.h include/vt_plan.h include/vt_desired.h \
 agent/txn/journal.h include/vt_link.h agent/txn/restore.h \
 agent/txn/pick.h
agent/txn/engine_internal.h:
agent/base/name_table.h:
agent/txn/engine.h:
agent/txn/txn.h:
include/vt_desired.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_plan.h:
include/vt_desired.h:
agent/txn/journal.h:
include/vt_link.h:
agent/txn/restore.h:
agent/txn/pick.h:
