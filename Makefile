# vlantrunk - see README.md.
#   make            build $(BUILD)/vlantrunk
#   make check      install missing packages, build, run unit tests, then kernel tests in the sandbox
#   make asan       the same under AddressSanitizer and UndefinedBehaviorSanitizer
#   make demo       the main job on an example desired state, in the sandbox kernel
#   make check-kernels  every kernel test on Debian's real 6.1 and 6.12 under QEMU, and under ASan
#   make install    DESTDIR and PREFIX honoured
#   make package-check  the Debian package from a clean clone: built, linted, installed, run

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
# debian/rules sets UNITDIR and COMPLETIONDIR from pkg-config (systemd, bash-completion).
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vlantrunk
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := libmnl libnl-3.0 libnl-route-3.0 jansson libsystemd
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libsystemd is dlopen()ed by the agent alone (agent/daemon/systemd.c): headers only.
DEPS_LIBS := $(shell $(PKG_CONFIG) --libs $(filter-out libsystemd,$(PKGS)) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

CFLAGS ?= -O2 -g
# Warnings are errors here and in CI; a distribution's build with a later
# compiler sets WERROR= (debian/rules does) rather than fail on a new warning.
WERROR ?= -Werror
override CFLAGS += -std=gnu11 -Wall -Wextra $(WERROR) -Iinclude -Iagent $(DEPS_CFLAGS) -MMD -MP
LDLIBS += $(DEPS_LIBS)

LIB_SRCS := $(wildcard netlink/*.c) $(wildcard agent/*/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/*.c)
KERNEL_SRCS := $(wildcard tests/kernel/*.c) tests/kernel_util.c
TEST_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o) $(KERNEL_SRCS:%.c=$(BUILD)/%.o)

.PHONY: all check check-run unit-check check-kernels check-kernels-run asan demo demo-run install uninstall clean deps
all: $(BUILD)/vlantrunk

deps:
	@scripts/deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@if [ -z "$(DEPS_LIBS)" ]; then echo "missing build dependencies: run scripts/deps as root" >&2; exit 1; fi
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(TEST_OBJS): override CFLAGS += $(CHECK_CFLAGS) -Inetlink -Iagent -Itests

$(BUILD)/libvlantrunk.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/vlantrunk: $(BUILD)/agent/main.o $(BUILD)/libvlantrunk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The same program with faults injected between the engine and the kernel
# (tests/fault/inject.c): for kernel tests only, never installed.
$(BUILD)/vlantrunk-faulty: $(BUILD)/agent/main.o $(BUILD)/tests/fault/inject.o $(BUILD)/libvlantrunk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--wrap=vt_nl_send_batch -Wl,--wrap=vt_nl_set_ipv6_disabled \
		-o $@ $^ $(LDLIBS)

$(BUILD)/unit-tests: $(UNIT_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/libvlantrunk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(BUILD)/kernel-tests: $(KERNEL_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/libvlantrunk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

# The unit tests alone (what the package build runs: no kernel needed).
unit-check: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

# A fresh make reads pkg-config again once scripts/deps has installed what was missing.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: layout-check man-lint completion-check $(BUILD)/vlantrunk $(BUILD)/vlantrunk-faulty $(BUILD)/unit-tests $(BUILD)/kernel-tests
	@echo "== unit tests (no kernel needed)"
	$(BUILD)/unit-tests
	@echo "== kernel tests (real kernel with 802.1Q, in the sandbox)"
	scripts/sandbox --kernel uml tests/kernel/run $(BUILD)
	@echo "== the netlink, engine, CLI and netns suites on Debian's x86-64 6.12 (QEMU)"
	scripts/sandbox --kernel 6.12 tests/kernel/run $(BUILD) netlink engine cli netns
	@echo "== the demo (the README's first command), each step's exit status checked"
	scripts/sandbox --kernel uml scripts/demo $(BUILD)/vlantrunk > $(BUILD)/demo.log 2>&1 || \
		{ tail -n 40 $(BUILD)/demo.log; exit 1; }
	@$(MAKE) --no-print-directory ansible-test
	@echo "== the Debian package: built from a clean clone, linted, installed binary in the sandbox"
	scripts/package-check $(BUILD)/package

# The layout README.md describes (layers, no call cycles, exports named after
# their files, files of at most 600 lines). The man pages, linted: any mandoc
# warning fails. The bash completion, driven as bash drives it.
.PHONY: layout-check man-lint completion-check
layout-check:
	scripts/layout-check

man-lint:
	mandoc -Tlint -Wwarning docs/vlantrunk.8 docs/vlantrunk.json.5

completion-check: $(BUILD)/vlantrunk
	tests/completion/run $(BUILD)/vlantrunk

# ASan cannot run inside User-Mode Linux: its fixed shadow lies beyond the
# guest's 512 GiB address space. So the unit tests run under ASan+UBSan here,
# and the kernel tests under UBSan and valgrind's memcheck in the sandbox;
# make check-kernels runs them under ASan+UBSan in a real kernel.
SAN_FLAGS := -O1 -g -fno-sanitize-recover=all -fno-omit-frame-pointer
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="$(SAN_FLAGS) -fsanitize=address,undefined" \
		LDFLAGS="-fsanitize=address,undefined" build-asan/unit-tests
	@echo "== unit tests under ASan+UBSan"
	build-asan/unit-tests
	@$(MAKE) --no-print-directory BUILD=build-ubsan CFLAGS="$(SAN_FLAGS) -fsanitize=undefined" \
		LDFLAGS="-fsanitize=undefined" build-ubsan/kernel-tests build-ubsan/vlantrunk build-ubsan/vlantrunk-faulty
	@echo "== kernel tests under UBSan and valgrind memcheck, in the sandbox"
	scripts/sandbox --kernel uml tests/kernel/run build-ubsan --valgrind

# Every kernel test on Debian's real x86-64 kernels (scripts/check-kernels),
# then the kernel tests, vlantrunk and the agent under ASan+UBSan on the last
# of them, which a real kernel allows. VT_LONG_TESTS sizes the long tests.
REAL_KERNELS ?= 6.1 6.12
ASAN_BUILD := build-asan-kernel
check-kernels: deps
	@$(MAKE) --no-print-directory check-kernels-run

check-kernels-run: $(BUILD)/vlantrunk $(BUILD)/vlantrunk-faulty $(BUILD)/kernel-tests
	@$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) CFLAGS="$(SAN_FLAGS) -fsanitize=address,undefined" \
		LDFLAGS="-fsanitize=address,undefined" $(ASAN_BUILD)/kernel-tests $(ASAN_BUILD)/vlantrunk \
		$(ASAN_BUILD)/vlantrunk-faulty
	scripts/check-kernels $(BUILD) $(ASAN_BUILD) $(REAL_KERNELS)

# The Debian package from a clean clone of HEAD (scripts/package-check says what is checked).
.PHONY: package-check
package-check: deps
	scripts/package-check $(BUILD)/package

# The Ansible module (contrib/ansible) run by ansible-playbook against localhost in the sandbox.
.PHONY: ansible-test
ansible-test: $(BUILD)/vlantrunk
	@echo "== Ansible module (ansible-playbook against localhost, in the sandbox)"
	scripts/sandbox --kernel uml tests/ansible/run $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: $(BUILD)/vlantrunk
	scripts/sandbox --kernel uml scripts/demo $(BUILD)/vlantrunk

# make bench: vlantrunk against the kernel's floor (tests/bench/floor.c) and
# iproute2 on shapes of T trunks x N subports, VT_BENCH_SHAPES (default 1x4094
# 4x4094; 10x4094 on request), in one sandbox boot (scripts/bench): a table per
# shape on stdout, the same in $(BUILD)/bench.json. The guest's memory follows
# the largest shape (40,940 devices take about 1.9 GB of kernel memory):
# VT_BENCH_MEM overrides it.
VT_BENCH_SHAPES ?= 1x4094 4x4094
export VT_BENCH_SHAPES
BENCH_DEVICES := $(shell printf '%s\n' $(VT_BENCH_SHAPES) | awk -Fx '{ print $$1 * $$2 }' | sort -n | tail -n 1)
VT_BENCH_MEM ?= $(shell d=$(or $(BENCH_DEVICES),0); if [ $$d -gt 20000 ]; then echo 4G; elif [ $$d -gt 5000 ]; then echo 2G; else echo 1G; fi)
VT_BENCH_TIMEOUT ?= 3600
.PHONY: bench
bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/vlantrunk $(BUILD)/vlantrunk-faulty $(BUILD)/bench-repair \
		$(BUILD)/bench-floor
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -o $(BUILD)/bench-timeit tests/bench/timeit.c
	scripts/sandbox --kernel uml --timeout $(VT_BENCH_TIMEOUT) --mem $(VT_BENCH_MEM) scripts/bench $(BUILD)

# libmnl and libc only: the floor is no vlantrunk code.
$(BUILD)/bench-floor: tests/bench/floor.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -o $@ $< -lmnl

$(BUILD)/bench-repair: tests/bench/repair.c $(BUILD)/libvlantrunk.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

install: $(BUILD)/vlantrunk
	install -D -m 0755 $(BUILD)/vlantrunk $(DESTDIR)$(SBINDIR)/vlantrunk
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|' systemd/vlantrunk.service.in > $(DESTDIR)$(UNITDIR)/vlantrunk.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/vlantrunk.service
	install -D -m 0644 docs/vlantrunk.8 $(DESTDIR)$(MANDIR)/man8/vlantrunk.8
	install -D -m 0644 docs/vlantrunk.json.5 $(DESTDIR)$(MANDIR)/man5/vlantrunk.json.5
	install -D -m 0644 contrib/bash-completion/vlantrunk $(DESTDIR)$(COMPLETIONDIR)/vlantrunk
	install -D -m 0644 examples/trunks.d/10-vm-42.json $(DESTDIR)$(DOCDIR)/examples/10-vm-42.json

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vlantrunk $(DESTDIR)$(UNITDIR)/vlantrunk.service
	rm -f $(DESTDIR)$(MANDIR)/man8/vlantrunk.8 $(DESTDIR)$(MANDIR)/man5/vlantrunk.json.5 \
		$(DESTDIR)$(COMPLETIONDIR)/vlantrunk $(DESTDIR)$(DOCDIR)/examples/10-vm-42.json
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-asan build-ubsan build-fuzz $(ASAN_BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# make fuzz: libFuzzer on the desired-state parser, on the journal reader and
# on recovery from any journal against a fake kernel, FUZZ_SECONDS each, under
# AddressSanitizer and UndefinedBehaviorSanitizer (needs clang). It runs on a
# copy of the seed corpus, which stays as it is in the tree.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SRCS := tests/fuzz/fuzz_desired.c $(wildcard agent/desired/*.c) agent/base/name_table.c agent/base/atomic_file.c \
	netlink/link_table.c

.PHONY: fuzz
fuzz: $(FUZZ_BUILD)/fuzz_desired $(FUZZ_BUILD)/fuzz_journal $(FUZZ_BUILD)/fuzz_restore
	rm -rf $(FUZZ_BUILD)/corpus-desired $(FUZZ_BUILD)/corpus-journal $(FUZZ_BUILD)/corpus-restore
	mkdir -p $(FUZZ_BUILD)/corpus-desired $(FUZZ_BUILD)/corpus-journal $(FUZZ_BUILD)/corpus-restore
	cp tests/fuzz/corpus/desired/* $(FUZZ_BUILD)/corpus-desired/
	cp tests/fuzz/corpus/journal/* $(FUZZ_BUILD)/corpus-journal/
	cp tests/fuzz/corpus/journal/* tests/fuzz/corpus/restore/* $(FUZZ_BUILD)/corpus-restore/
	$(FUZZ_BUILD)/fuzz_desired -max_total_time=$(FUZZ_SECONDS) \
		-dict=tests/fuzz/desired.dict $(FUZZ_BUILD)/corpus-desired
	$(FUZZ_BUILD)/fuzz_journal -max_total_time=$(FUZZ_SECONDS) $(FUZZ_BUILD)/corpus-journal
	$(FUZZ_BUILD)/fuzz_restore -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_BUILD)/ \
		-dict=tests/fuzz/restore.dict $(FUZZ_BUILD)/corpus-restore

FUZZ_FLAGS = -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -Iagent $(DEPS_CFLAGS)

$(FUZZ_BUILD)/fuzz_desired: $(FUZZ_SRCS) $(wildcard include/*.h agent/desired/*.h) agent/base/name_table.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRCS) $(shell $(PKG_CONFIG) --libs jansson)

FUZZ_JOURNAL_SRCS := tests/fuzz/fuzz_journal.c agent/txn/journal.c agent/txn/journal_write.c agent/txn/journal_files.c \
	agent/base/atomic_file.c netlink/link_table.c

$(FUZZ_BUILD)/fuzz_journal: $(FUZZ_JOURNAL_SRCS) $(wildcard include/*.h) agent/txn/journal.h \
		agent/txn/journal_files.h agent/base/atomic_file.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) $(shell $(PKG_CONFIG) --libs jansson)

# Recovery against tests/fuzz/fake_kernel.c, which stands in for netlink/.
FUZZ_RESTORE_SRCS := tests/fuzz/fuzz_restore.c tests/fuzz/fake_kernel.c agent/txn/restore.c \
	agent/txn/proof.c agent/txn/recreate.c agent/txn/pick.c \
	agent/txn/journal.c agent/plan/diff.c agent/plan/spec.c agent/plan/marker.c agent/base/name_table.c \
	agent/base/atomic_file.c netlink/link_table.c

$(FUZZ_BUILD)/fuzz_restore: $(FUZZ_RESTORE_SRCS) tests/fuzz/fake_kernel.h \
		$(wildcard include/*.h) $(wildcard agent/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_RESTORE_SRCS) $(shell $(PKG_CONFIG) --libs jansson)
