b3/agent/desired/qos.o: agent/desired/qos.c \
 agent/desired/desired_internal.h include/vt_desired.h include/vt_link.h
agent/desired/desired_internal.h:
include/vt_desired.h:
include/vt_link.h:
