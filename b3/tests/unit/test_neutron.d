b3/tests/unit/test_neutron.o: tests/unit/test_neutron.c \
 agent/cli/neutron.h include/vt_link.h tests/unit/suites.h \
 include/vt_desired.h include/vt_link.h
agent/cli/neutron.h:
include/vt_link.h:
tests/unit/suites.h:
include/vt_desired.h:
include/vt_link.h:
