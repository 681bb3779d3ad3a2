b3/agent/cli/neutron.o: agent/cli/neutron.c agent/cli/neutron.h \
 include/vt_link.h
agent/cli/neutron.h:
include/vt_link.h:
