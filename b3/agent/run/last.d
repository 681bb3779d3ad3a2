b3/agent/run/last.o: agent/run/last.c agent/base/atomic_file.h \
 agent/run/last.h agent/run/status.h agent/run/exit.h agent/txn/engine.h \
 agent/txn/txn.h include/vt_desired.h include/vt_link.h \
 include/vt_netlink.h include/vt_plan.h include/vt_desired.h
agent/base/atomic_file.h:
agent/run/last.h:
agent/run/status.h:
agent/run/exit.h:
agent/txn/engine.h:
agent/txn/txn.h:
include/vt_desired.h:
include/vt_link.h:
include/vt_netlink.h:
include/vt_plan.h:
include/vt_desired.h:
