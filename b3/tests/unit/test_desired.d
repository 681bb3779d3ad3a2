b3/tests/unit/test_desired.o: tests/unit/test_desired.c \
 tests/unit/suites.h include/vt_desired.h include/vt_link.h
tests/unit/suites.h:
include/vt_desired.h:
include/vt_link.h:
