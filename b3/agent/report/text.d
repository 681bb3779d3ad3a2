b3/agent/report/text.o: agent/report/text.c agent/report/report.h \
 agent/run/run.h agent/run/status.h agent/run/exit.h agent/txn/engine.h \
 agent/txn/txn.h include/vt_desired.h include/vt_link.h \
 include/vt_netlink.h include/vt_plan.h include/vt_desired.h \
 agent/run/world.h agent/txn/journal.h include/vt_link.h \
 agent/txn/link_source.h agent/txn/statedir.h
agent/report/report.h:
agent/run/run.h:
agent/run/status.h:
agent/run/exit.h:
agent/txn/engine.h:
agent/txn/txn.h:
include/vt_desired.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_plan.h:
include/vt_desired.h:
agent/run/world.h:
agent/txn/journal.h:
include/vt_link.h:
agent/txn/link_source.h:
agent/txn/statedir.h:
