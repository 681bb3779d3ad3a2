b3/agent/txn/journal_files.o: agent/txn/journal_files.c \
 agent/txn/journal.h include/vt_link.h agent/txn/journal_files.h \
 include/vt_array.h
agent/txn/journal.h:
include/vt_link.h:
agent/txn/journal_files.h:
include/vt_array.h:
