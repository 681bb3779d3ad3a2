b3/agent/base/name_table.o: agent/base/name_table.c \
 agent/base/name_table.h include/vt_array.h
agent/base/name_table.h:
include/vt_array.h:
