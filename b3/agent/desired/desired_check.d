b3/agent/desired/desired_check.o: agent/desired/desired_check.c \
 agent/base/name_table.h agent/desired/desired_internal.h \
 include/vt_desired.h include/vt_link.h
agent/base/name_table.h:
agent/desired/desired_internal.h:
include/vt_desired.h:
include/vt_link.h:
