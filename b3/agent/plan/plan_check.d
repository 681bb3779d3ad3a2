b3/agent/plan/plan_check.o: agent/plan/plan_check.c \
 agent/plan/plan_internal.h agent/base/name_table.h agent/plan/diff.h \
 include/vt_link.h include/vt_plan.h include/vt_desired.h \
 include/vt_link.h agent/plan/op.h agent/plan/spec.h
agent/plan/plan_internal.h:
agent/base/name_table.h:
agent/plan/diff.h:
include/vt_link.h:
include/vt_plan.h:
include/vt_desired.h:
include/vt_link.h:
agent/plan/op.h:
agent/plan/spec.h:
