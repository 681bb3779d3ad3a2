b3/agent/txn/journal.o: agent/txn/journal.c agent/base/atomic_file.h \
 agent/txn/journal.h include/vt_link.h include/vt_array.h
agent/base/atomic_file.h:
agent/txn/journal.h:
include/vt_link.h:
include/vt_array.h:
