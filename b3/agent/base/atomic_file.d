b3/agent/base/atomic_file.o: agent/base/atomic_file.c \
 agent/base/atomic_file.h
agent/base/atomic_file.h:
