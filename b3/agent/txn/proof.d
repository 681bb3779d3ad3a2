b3/agent/txn/proof.o: agent/txn/proof.c agent/plan/diff.h \
 include/vt_link.h include/vt_plan.h include/vt_desired.h \
 include/vt_link.h agent/txn/restore_internal.h agent/base/name_table.h \
 agent/txn/restore.h agent/txn/journal.h include/vt_netlink.h
agent/plan/diff.h:
include/vt_link.h:
include/vt_plan.h:
include/vt_desired.h:
include/vt_link.h:
agent/txn/restore_internal.h:
agent/base/name_table.h:
agent/txn/restore.h:
agent/txn/journal.h:
include/vt_netlink.h:
