b3/agent/daemon/watch.o: agent/daemon/watch.c agent/daemon/watch.h \
 agent/daemon/log.h
agent/daemon/watch.h:
agent/daemon/log.h:
