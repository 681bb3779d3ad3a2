b3/agent/txn/statedir.o: agent/txn/statedir.c agent/txn/statedir.h
agent/txn/statedir.h:
