b3/tests/unit/test_journal.o: tests/unit/test_journal.c \
 agent/txn/journal.h include/vt_link.h agent/txn/journal_files.h \
 tests/unit/suites.h tests/unit/tmpdir.h
agent/txn/journal.h:
include/vt_link.h:
agent/txn/journal_files.h:
tests/unit/suites.h:
tests/unit/tmpdir.h:
