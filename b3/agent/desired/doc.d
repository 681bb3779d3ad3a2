b3/agent/desired/doc.o: agent/desired/doc.c \
 agent/desired/desired_internal.h include/vt_desired.h include/vt_link.h
agent/desired/desired_internal.h:
include/vt_desired.h:
include/vt_link.h:
