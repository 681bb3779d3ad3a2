b3/agent/report/metrics.o: agent/report/metrics.c \
 agent/base/atomic_file.h agent/report/metrics.h include/vt_plan.h \
 include/vt_desired.h include/vt_link.h
agent/base/atomic_file.h:
agent/report/metrics.h:
include/vt_plan.h:
include/vt_desired.h:
include/vt_link.h:
