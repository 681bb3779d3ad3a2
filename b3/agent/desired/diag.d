b3/agent/desired/diag.o: agent/desired/diag.c \
 agent/desired/desired_internal.h include/vt_desired.h include/vt_link.h \
 include/vt_array.h
agent/desired/desired_internal.h:
include/vt_desired.h:
include/vt_link.h:
include/vt_array.h:
