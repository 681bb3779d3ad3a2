b3/agent/desired/desired.o: agent/desired/desired.c \
 agent/desired/desired_internal.h include/vt_desired.h include/vt_link.h \
 include/vt_array.h
agent/desired/desired_internal.h:
include/vt_desired.h:
include/vt_link.h:
include/vt_array.h:
