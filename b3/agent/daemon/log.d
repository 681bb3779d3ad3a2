b3/agent/daemon/log.o: agent/daemon/log.c agent/daemon/log.h \
 agent/daemon/systemd.h
agent/daemon/log.h:
agent/daemon/systemd.h:
