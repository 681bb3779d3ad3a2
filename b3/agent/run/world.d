b3/agent/run/world.o: agent/run/world.c agent/base/name_table.h \
 agent/run/world.h agent/run/exit.h agent/txn/journal.h include/vt_link.h \
 agent/txn/link_source.h include/vt_netlink.h include/vt_link.h \
 agent/txn/statedir.h include/vt_desired.h include/vt_plan.h \
 include/vt_desired.h agent/txn/journal_files.h agent/plan/diff.h \
 agent/txn/restore.h agent/txn/journal.h
agent/base/name_table.h:
agent/run/world.h:
agent/run/exit.h:
agent/txn/journal.h:
include/vt_link.h:
agent/txn/link_source.h:
include/vt_netlink.h:
include/vt_link.h:
agent/txn/statedir.h:
include/vt_desired.h:
include/vt_plan.h:
include/vt_desired.h:
agent/txn/journal_files.h:
agent/plan/diff.h:
agent/txn/restore.h:
agent/txn/journal.h:
