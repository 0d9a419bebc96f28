# SPDX-License-Identifier: GPL-2.0-only
#
# lmig: limited-migration admission gateway.
#
#   make            build the module, the XDP program, lmigd and lmigctl
#   make check      install what is missing, build, run every test
#   make demo       the story of one partner gateway, in a VM
#   make deps       install the Debian packages the build and tests need
#   make install    install on a gateway (DESTDIR, PREFIX honoured)
#
# V=1 shows full command lines. SAN=1 builds userspace with ASan and UBSan
# into build-san/. KDIR= picks the kernel build tree for the module.

VERSION		:= 0.1.0
SAN		?= 0
SAN_O		?= build-san
ifeq ($(SAN),1)
O		?= $(SAN_O)
else
O		?= build
endif

ifeq ($(V),1)
Q		:=
quiet		= @true
else
Q		:= @
quiet		= @printf '  %-8s %s\n'
endif

# Kernel build tree: the running kernel's when it has one, else the newest
# installed Debian cloud headers.
KDIR		?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
			$(lastword $(sort $(wildcard /usr/src/linux-headers-*-cloud-amd64))))
KVER		= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
			$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
LINUX_SOURCE	?= $(lastword $(sort $(wildcard /usr/src/linux-source-6.1.tar.*)))

CC		?= gcc
CLANG		?= clang
BPFTOOL		?= bpftool
PKG_CONFIG	?= pkg-config

PKGS		:= libnl-genl-3.0 libmnl libbpf openssl
PKG_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

WARN		:= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wundef \
		   -Wstrict-prototypes -Wmissing-prototypes -Wvla \
		   -Wno-missing-field-initializers
CPPFLAGS	+= -D_GNU_SOURCE -Iinclude -Iinclude/uapi -Ilib -I$(O) \
		   $(PKG_CFLAGS)
CFLAGS		?= -O2 -g
CFLAGS		+= -std=c11 $(WARN) -fstack-protector-strong -fPIE \
		   -D_FORTIFY_SOURCE=2 -pthread -MMD -MP
LDFLAGS		+= -pie -Wl,-z,relro,-z,now -Wl,--as-needed -pthread
LDLIBS		+= $(PKG_LIBS)
ifeq ($(SAN),1)
CFLAGS		+= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
LDFLAGS		+= -fsanitize=address,undefined
endif

# Tests use the kernel's kselftest harness, which wants GNU C.
TEST_CFLAGS	= $(filter-out -std=c11 -Wmissing-prototypes,$(CFLAGS)) \
		   -std=gnu11 -Wno-unused-parameter -Wno-sign-compare \
		   -I$(O)/kselftest -Iagent

BPF_CFLAGS	:= -O2 -g -target bpf -Wall -Werror -Iinclude -Iinclude/uapi \
		   -I/usr/include/$(shell $(CC) -dumpmachine)

LIB_SRCS	:= $(wildcard lib/*.c)
AGENT_SRCS	:= $(filter-out agent/main.c,$(wildcard agent/*.c))
CTL_SRCS	:= $(wildcard ctl/*.c)
TOOL_SRCS	:= $(wildcard selftests/tools/*.c)
TEST_SRCS	:= $(wildcard selftests/unit/*_test.c selftests/bpf/*_test.c \
		     selftests/kmod/*_test.c selftests/agent/*_test.c)
BPF_SRCS	:= $(wildcard bpf/*.bpf.c)
KMOD_SRCS	:= $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
		   kmod/Kbuild Kbuild \
		   include/uapi/linux/lmig.h

LIB_OBJS	:= $(LIB_SRCS:%.c=$(O)/%.o)
AGENT_OBJS	:= $(AGENT_SRCS:%.c=$(O)/%.o)
CTL_OBJS	:= $(CTL_SRCS:%.c=$(O)/%.o)
TOOLS		:= $(TOOL_SRCS:selftests/tools/%.c=$(O)/tools/%)
TESTS		:= $(TEST_SRCS:%.c=$(O)/%)
BPF_OBJS	:= $(BPF_SRCS:bpf/%.bpf.c=$(O)/bpf/%.bpf.o)
SKELS		:= $(BPF_SRCS:bpf/%.bpf.c=$(O)/%.skel.h)
HARNESS		:= $(O)/kselftest/kselftest_harness.h

# What worker threads share, again under ThreadSanitizer, which cannot be
# combined with ASan: the tests in TSAN_TEST_SRCS and the agent built for
# them, into $(O)/tsan/ and $(O)/selftests/agent-tsan/.
TSAN_TEST_SRCS	:= selftests/agent/workers_test.c
TSAN_TESTS	:= $(TSAN_TEST_SRCS:selftests/agent/%.c=$(O)/selftests/agent-tsan/%)
TSAN_CFLAGS	:= -O1 -g -std=gnu11 $(filter-out -Wmissing-prototypes,$(WARN)) \
		   -fPIE -pthread -fsanitize=thread -fno-omit-frame-pointer \
		   -MMD -MP
TSAN_OBJS	:= $(addprefix $(O)/tsan/,$(AGENT_SRCS:.c=.o) $(LIB_SRCS:.c=.o))

BINS		:= $(O)/lmigd $(O)/lmigctl
KMOD		:= kmod/lmig.ko

.PHONY: all userspace kmod bpf tools selftests check check-host check-vm bench \
	demo deps install uninstall clean checkpatch format format-check vm \
	debug-kernel check-debug
.DEFAULT_GOAL	:= all
.DELETE_ON_ERROR:

all: kmod userspace
userspace: bpf $(BINS) tools selftests
bpf: $(BPF_OBJS) $(SKELS)
tools: $(TOOLS)
selftests: $(TESTS) $(TSAN_TESTS)

# --- kernel module ----------------------------------------------------------

kmod: $(KMOD)
$(KMOD): $(KMOD_SRCS)
	@test -d "$(KDIR)" || { echo "no kernel build tree; install" \
		"linux-headers-cloud-amd64 or set KDIR=" >&2; exit 1; }
	$(quiet) KMOD $@
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) O= $(if $(V),V=$(V)) modules \
		$(if $(filter 1,$(V)),,>/dev/null)

# --- BPF --------------------------------------------------------------------

$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/lmig_maps.h \
		  include/uapi/linux/lmig.h
	$(quiet) BPF $@
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/%.skel.h: $(O)/bpf/%.bpf.o
	$(quiet) GEN-SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# Programs only benchmarks load (floors, generators): bench/<area>/*.bpf.c.
BENCH_BPF_OBJS	:= $(patsubst %.bpf.c,$(O)/%.bpf.o,$(wildcard bench/*/*.bpf.c))
.PHONY: bench-bpf
bench-bpf: $(BENCH_BPF_OBJS)
$(O)/bench/%.bpf.o: bench/%.bpf.c $(wildcard bench/*/*.h) include/lmig_maps.h \
		    include/uapi/linux/lmig.h
	$(quiet) BPF $@
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# --- userspace --------------------------------------------------------------

$(O)/%.o: %.c | $(SKELS)
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(O)/liblmig.a: $(LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/libagent.a: $(AGENT_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/lmigd: $(O)/agent/main.o $(O)/libagent.a $(O)/liblmig.a
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/lmigctl: $(CTL_OBJS) $(O)/liblmig.a
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/tools/%: selftests/tools/%.c $(O)/libagent.a $(O)/liblmig.a
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Iagent $(CFLAGS) $(LDFLAGS) $< $(O)/libagent.a \
		$(O)/liblmig.a $(LDLIBS) -o $@

# The agent's benchmark program (bench/agent/run), beside libjwt; built
# only when the benchmark runs, so nothing else needs libjwt.
$(O)/tools/lmig-verifybench: bench/agent/verifybench.c $(O)/libagent.a \
			     $(O)/liblmig.a
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Iagent $(CFLAGS) $(LDFLAGS) $< $(O)/libagent.a \
		$(O)/liblmig.a $(LDLIBS) -ljwt -o $@

# The admission endpoint's load generator (bench/agent/run), built beside
# the test tools so that the VM carries it.
tools: $(O)/tools/lmig-tlsbench
$(O)/tools/lmig-tlsbench: bench/agent/tlsbench.c
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(LDLIBS) -o $@

# The module's benchmark program (bench/kmod/run), built beside the test
# tools so that the VM carries it.
tools: $(O)/tools/lmig-genlbench
$(O)/tools/lmig-genlbench: bench/kmod/genlbench.c $(O)/liblmig.a
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(O)/liblmig.a \
		$(LDLIBS) -ldl -o $@

$(O)/selftests/%: selftests/%.c $(HARNESS) $(O)/libagent.a $(O)/liblmig.a \
		  | $(SKELS) $(TOOLS)
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(TEST_CFLAGS) $(LDFLAGS) $< $(O)/libagent.a \
		$(O)/liblmig.a $(LDLIBS) -o $@

$(O)/tsan/%.o: %.c | $(SKELS)
	$(quiet) TSAN-CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(TSAN_CFLAGS) -c $< -o $@

$(O)/tsan/libtsan-agent.a: $(TSAN_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/selftests/agent-tsan/%: selftests/agent/%.c $(HARNESS) \
			     $(O)/tsan/libtsan-agent.a | $(TOOLS)
	$(quiet) TSAN-CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(TSAN_CFLAGS) -Wno-unused-parameter \
		-Wno-sign-compare -I$(O)/kselftest -Iagent -pie \
		-fsanitize=thread $< $(O)/tsan/libtsan-agent.a $(LDLIBS) -o $@

# The kselftest harness comes from Debian's kernel source, unpacked at build
# time and never committed.
$(HARNESS):
	@test -n "$(LINUX_SOURCE)" || { echo "need linux-source-6.1" \
		"(make deps)" >&2; exit 1; }
	$(quiet) UNPACK $(@D)
	@mkdir -p $(@D)
	$(Q)tar -xf $(LINUX_SOURCE) -C $(@D) --strip-components=4 \
		--wildcards '*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	@touch $@

-include $(shell find $(O) -path $(O)/debug-kernel -prune -o -name '*.d' -type f -print 2>/dev/null)

# --- fuzzing: clang's libFuzzer with ASan and UBSan ---------------------------

FUZZ_O		= $(O)/fuzz
FUZZ_FLAGS	:= -g -O1 -std=gnu11 -Wall -fno-omit-frame-pointer \
		   -fsanitize=address,undefined
FUZZ_SRCS	:= $(wildcard selftests/fuzz/fuzz_*.c)
FUZZERS		= $(FUZZ_SRCS:selftests/fuzz/%.c=$(FUZZ_O)/%)
FUZZ_LIB_OBJS	= $(addprefix $(FUZZ_O)/obj/,$(AGENT_SRCS:.c=.o) $(LIB_SRCS:.c=.o))
FUZZ_TIME	?= 600

$(FUZZ_O)/obj/%.o: %.c | $(SKELS)
	$(quiet) FUZZ-CC $@
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		-c $< -o $@

$(FUZZ_O)/libfuzz.a: $(FUZZ_LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_O)/fuzz_%: selftests/fuzz/fuzz_%.c $(FUZZ_O)/libfuzz.a
	$(quiet) FUZZ-LD $@
	$(Q)$(CLANG) $(CPPFLAGS) -Iagent $(FUZZ_FLAGS) -fsanitize=fuzzer $< \
		$(FUZZ_O)/libfuzz.a $(LDLIBS) -o $@

.PHONY: fuzzers fuzz
fuzzers: $(FUZZERS)

# Longer campaigns than make check's: FUZZ_TIME seconds per fuzzer.
fuzz: fuzzers
	$(Q)O=$(O) selftests/fuzz/run --time $(FUZZ_TIME)

# --- tests and demo ---------------------------------------------------------

check: deps
	$(Q)$(MAKE) --no-print-directory all fuzzers
	$(Q)$(MAKE) --no-print-directory SAN=1 O=$(SAN_O) userspace
	$(Q)O=$(O) SAN_O=$(SAN_O) selftests/check

check-host: all fuzzers
	$(Q)$(MAKE) --no-print-directory SAN=1 O=$(SAN_O) userspace
	$(Q)O=$(O) SAN_O=$(SAN_O) selftests/check --host-only

check-vm: all
	$(Q)O=$(O) selftests/check --vm-only

# The module and end-to-end tests again, on a kernel with KASAN, lockdep,
# kmemleak, UBSAN and fault injection (selftests/vm/debug.config), built
# once into $(O)/debug-kernel/ with lmig.ko built against it there.
debug-kernel:
	$(Q)O=$(O) LINUX_SOURCE=$(LINUX_SOURCE) scripts/debug-kernel build

check-debug: deps
	$(Q)$(MAKE) --no-print-directory userspace debug-kernel
	$(Q)O=$(O) selftests/check --vm-only --kernel debug

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)O=$(O) selftests/vm/run --timeout 300 -- /lmig/demo/demo.sh

vm: all
	$(Q)O=$(O) selftests/vm/run --interactive

deps:
	$(Q)scripts/deps

# Benchmarks print figures, never pass/fail: bench/<area>/run each.
BENCHES		:= $(sort $(wildcard bench/*/run))
bench: all bench-bpf
	$(Q)for b in $(BENCHES); do O=$(O) $$b || exit 1; done

# --- style ------------------------------------------------------------------

CHECKPATCH	:= $(O)/checkpatch/checkpatch.pl
$(CHECKPATCH):
	@mkdir -p $(@D)
	$(quiet) UNPACK $(@D)
	$(Q)tar -xf $(LINUX_SOURCE) -C $(@D) --strip-components=2 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	@touch $@

# The module through sparse (C=2 checks every source, rebuilt or not).
.PHONY: sparse
sparse:
	@command -v sparse >/dev/null || { echo "sparse is not installed" >&2; \
		exit 1; }
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) O= C=2 modules

checkpatch: $(CHECKPATCH)
	$(Q)$(CHECKPATCH) --no-tree --strict --quiet --show-types \
		--ignore SPDX_LICENSE_TAG \
		-f $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
		include/uapi/linux/lmig.h

FORMAT_SRCS	= $(wildcard agent/*.[ch] ctl/*.[ch] lib/*.[ch] \
		    selftests/*/*.[ch] bench/agent/*.[ch] bench/kmod/*.[ch])
format:
	$(Q)clang-format -i $(FORMAT_SRCS)
format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_SRCS)

# --- install ----------------------------------------------------------------

PREFIX		?= /usr
SBINDIR		?= $(PREFIX)/sbin
SYSCONFDIR	?= /etc
UNITDIR		?= /lib/systemd/system
DKMS_SRC	= $(DESTDIR)$(PREFIX)/src/lmig-$(VERSION)

install: userspace
	$(Q)O=$(O) scripts/install install
uninstall:
	$(Q)O=$(O) scripts/install uninstall
export DESTDIR PREFIX SBINDIR SYSCONFDIR UNITDIR VERSION

# make print-VAR: the value of a make variable, for scripts.
print-%:
	@echo '$($*)'

clean:
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) O= clean >/dev/null 2>&1 || true
	$(Q)rm -rf build build-san
