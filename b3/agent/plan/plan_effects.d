b3/agent/plan/plan_effects.o: agent/plan/plan_effects.c \
 agent/plan/plan_internal.h agent/base/name_table.h agent/plan/diff.h \
 include/vt_link.h include/vt_plan.h include/vt_desired.h \
 include/vt_link.h agent/plan/op.h agent/plan/spec.h include/vt_array.h
agent/plan/plan_internal.h:
agent/base/name_table.h:
agent/plan/diff.h:
include/vt_link.h:
include/vt_plan.h:
include/vt_desired.h:
include/vt_link.h:
agent/plan/op.h:
agent/plan/spec.h:
include/vt_array.h:
