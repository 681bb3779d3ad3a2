b3/agent/main.o: agent/main.c agent/cli/cli.h agent/run/run.h \
 agent/run/status.h agent/run/exit.h agent/txn/engine.h agent/txn/txn.h \
 include/vt_desired.h include/vt_link.h include/vt_netlink.h \
 include/vt_plan.h include/vt_desired.h agent/run/world.h \
 agent/txn/journal.h include/vt_link.h agent/txn/link_source.h \
 agent/txn/statedir.h agent/cli/neutron.h
agent/cli/cli.h:
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
agent/cli/neutron.h:
