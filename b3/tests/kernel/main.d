b3/tests/kernel/main.o: tests/kernel/main.c tests/kernel/suites.h
tests/kernel/suites.h:
