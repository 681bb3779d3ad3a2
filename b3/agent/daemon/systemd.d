b3/agent/daemon/systemd.o: agent/daemon/systemd.c agent/daemon/systemd.h
agent/daemon/systemd.h:
