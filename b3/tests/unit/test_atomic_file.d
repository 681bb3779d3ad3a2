b3/tests/unit/test_atomic_file.o: tests/unit/test_atomic_file.c \
 agent/base/atomic_file.h tests/unit/suites.h tests/unit/tmpdir.h
agent/base/atomic_file.h:
tests/unit/suites.h:
tests/unit/tmpdir.h:
