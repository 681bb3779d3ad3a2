b3/tests/unit/test_name_table.o: tests/unit/test_name_table.c \
 agent/base/name_table.h tests/unit/suites.h
agent/base/name_table.h:
tests/unit/suites.h:
