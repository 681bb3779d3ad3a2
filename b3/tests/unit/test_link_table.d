b3/tests/unit/test_link_table.o: tests/unit/test_link_table.c \
 tests/unit/suites.h include/vt_link.h
tests/unit/suites.h:
include/vt_link.h:
