b3/tests/unit/tmpdir.o: tests/unit/tmpdir.c tests/unit/tmpdir.h
tests/unit/tmpdir.h:
