b3/tests/unit/test_plan_ipv6.o: tests/unit/test_plan_ipv6.c \
 tests/unit/suites.h include/vt_desired.h include/vt_link.h \
 include/vt_link.h include/vt_plan.h include/vt_desired.h
tests/unit/suites.h:
include/vt_desired.h:
include/vt_link.h:
include/vt_link.h:
include/vt_plan.h:
include/vt_desired.h:
