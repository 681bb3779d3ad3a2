b3/agent/plan/plan_stale.o: agent/plan/plan_stale.c \
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
