b3/agent/txn/pick.o: agent/txn/pick.c agent/txn/journal.h \
 include/vt_link.h agent/txn/pick.h
agent/txn/journal.h:
include/vt_link.h:
agent/txn/pick.h:
