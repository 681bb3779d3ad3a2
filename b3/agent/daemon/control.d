b3/agent/daemon/control.o: agent/daemon/control.c agent/daemon/control.h \
 agent/daemon/log.h agent/txn/statedir.h
agent/daemon/control.h:
agent/daemon/log.h:
agent/txn/statedir.h:
