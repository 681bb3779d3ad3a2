b3/agent/txn/txn.o: agent/txn/txn.c agent/txn/txn.h
agent/txn/txn.h:
