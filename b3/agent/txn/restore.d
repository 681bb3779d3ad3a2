b3/agent/txn/restore.o: agent/txn/restore.c agent/base/name_table.h \
 agent/plan/diff.h include/vt_link.h include/vt_plan.h \
 include/vt_desired.h include/vt_link.h agent/plan/spec.h \
 agent/txn/restore_internal.h agent/txn/restore.h agent/txn/journal.h \
 include/vt_netlink.h
agent/base/name_table.h:
agent/plan/diff.h:
include/vt_link.h:
include/vt_plan.h:
include/vt_desired.h:
include/vt_link.h:
agent/plan/spec.h:
agent/txn/restore_internal.h:
agent/txn/restore.h:
agent/txn/journal.h:
include/vt_netlink.h:
