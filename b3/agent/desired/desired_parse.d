b3/agent/desired/desired_parse.o: agent/desired/desired_parse.c \
 agent/desired/desired_internal.h include/vt_desired.h include/vt_link.h
agent/desired/desired_internal.h:
include/vt_desired.h:
include/vt_link.h:
