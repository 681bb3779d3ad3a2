b3/tests/unit/test_plan.o: tests/unit/test_plan.c tests/unit/suites.h \
 include/vt_desired.h include/vt_link.h include/vt_link.h \
 include/vt_plan.h include/vt_desired.h agent/report/report.h \
 agent/run/run.h agent/run/status.h agent/run/exit.h agent/txn/engine.h \
 agent/txn/txn.h include/vt_netlink.h agent/run/world.h \
 agent/txn/journal.h agent/txn/link_source.h agent/txn/statedir.h
tests/unit/suites.h:
include/vt_desired.h:
include/vt_link.h:
include/vt_link.h:
include/vt_plan.h:
include/vt_desired.h:
agent/report/report.h:
agent/run/run.h:
agent/run/status.h:
agent/run/exit.h:
agent/txn/engine.h:
agent/txn/txn.h:
include/vt_netlink.h:
agent/run/world.h:
agent/txn/journal.h:
agent/txn/link_source.h:
agent/txn/statedir.h:
