# SPDX-License-Identifier: GPL-2.0
#
# One entry point for everything: the kernel module (through Kbuild), the
# userspace library and programs, the tests and the benchmarks.
#
#   make                 module + userspace (release flags) into build/
#   make check           all tests (installs missing Debian packages first)
#   make demo            the README's main job
#   make install         DESTDIR= PREFIX= honoured
#
# Userspace goes to $(B): build/ for the programs (build/skapd,
# build/tests/kemtool, ...), build/san/ for the ASan+UBSan test flavour. The module is built in the tree by Kbuild, as
# out-of-tree modules are.

VERSION := 0.1.0

# The kernel the module is built for: the newest installed headers unless
# KDIR (or KVER) is given. The running kernel is irrelevant (and, on the
# development machines, not a Debian kernel at all).
# Both are looked up lazily: `make deps` must work before headers exist.
ifeq ($(origin KDIR),undefined)
KVER ?= $(shell tests/lib/kver.sh)
KDIR = /lib/modules/$(KVER)/build
else
KVER ?= $(shell tests/lib/kver.sh $(KDIR))
endif

BUILD   ?= build
SAN     ?= 0
ifeq ($(SAN),1)
B       ?= $(BUILD)/san
else
B       ?= $(BUILD)
endif

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
SBINDIR := $(PREFIX)/sbin
INCDIR  := $(PREFIX)/include
LIBDIR  := $(PREFIX)/lib
MANDIR  := $(PREFIX)/share/man
UNITDIR ?= /lib/systemd/system

CC      ?= cc
PKGS    := libssl libcrypto libsodium libnl-genl-3.0 libkeyutils sqlite3 jansson \
	   libevent libevent_openssl libargon2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := -Wl,--as-needed $(shell pkg-config --libs $(PKGS) 2>/dev/null)
VM_PKGS    := libnl-genl-3.0 libkeyutils libcrypto libsodium
VM_LIBS    := $(shell pkg-config --libs $(VM_PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wvla -Wno-unused-parameter
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g $(WARN) -Iinclude -Iinclude/uapi \
	       $(PKG_CFLAGS) -DSKAP_VERSION='"$(VERSION)"'
ifeq ($(SAN),1)
CFLAGS_BASE += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	       -fno-sanitize-recover=all
LDFLAGS_BASE := -fsanitize=address,undefined
else
CFLAGS_BASE += -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDFLAGS_BASE := -pie -Wl,-z,relro,-z,now
endif
CFLAGS_ALL  = $(CFLAGS_BASE) $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS_BASE) $(LDFLAGS)

# Sources are found, not listed: a new file in a directory joins its target.
LIB_SRC   := $(sort $(wildcard userspace/lib/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o)
LIBSKAP   := $(B)/libskap.a
PROGRAMS  := $(foreach p,skapd server skapctl,\
	       $(if $(wildcard userspace/$(p)/*.c),$(B)/$(if $(filter server,$(p)),skap-server,$(p))))
prog_src   = $(sort $(wildcard userspace/$(1)/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)
NET_SRC   := $(sort $(wildcard tests/net/*.c))
NET_BIN   := $(NET_SRC:tests/net/%.c=$(B)/tests/net/%)
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(B)/tests/%)
BENCH_SRC := $(sort $(filter-out bench/kernel-%,$(wildcard bench/*.c)))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
# Benchmarks that run in the VM: bench/kernel-*.c, built like in-VM tests.
VMBENCH_SRC := $(sort $(wildcard bench/kernel-*.c))
VMBENCH_BIN := $(VMBENCH_SRC:bench/%.c=$(BUILD)/vm/bench/%)
# In-VM tests are built without sanitizers: the VM is small and the kernel,
# not the test program, is what they exercise.
KTEST_SRC := $(sort $(wildcard tests/kernel/*.c))
KTEST_BIN := $(KTEST_SRC:tests/kernel/%.c=$(BUILD)/vm/tests/%)

KSELFTEST := $(BUILD)/kernel-src/kselftest_harness.h
# The kselftest harness is foreign code: -isystem keeps its own warnings out,
# its EXPECT_EQ(1, size) idiom compares int with unsigned by design, and
# FIXTURE_SETUP defines functions without prototypes.
TEST_CFLAGS = -isystem $(BUILD)/kernel-src -Itests/lib -Wno-sign-compare \
	      -Wno-missing-prototypes

.PHONY: all module userspace tests check check-unit check-net check-kernel \
	check-build deps demo install dkms-src clean distclean vm-shell bench lint \
	kernel-src FORCE
all: module userspace

module:
	@test -n "$(KVER)" || { echo "no kernel headers: run 'make deps' or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace: $(LIBSKAP) $(PROGRAMS) $(TOOL_BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# gcc's -O2 vectorizes ML-KEM's base-case multiplication and reductions
# (64-bit products) into SSE2 sequences that qemu's TCG, where the VM tests
# and benchmarks run, executes 4 to 8 times slower than scalar code, for
# under 10% natively (docs/crypto.md, "Code generation").
$(B)/obj/userspace/lib/mlkem.o: CFLAGS_ALL += -fno-tree-vectorize

$(LIBSKAP): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(if $(LIB_OBJ),ar rcs $@ $^,ar rcs $@)

define program
$(B)/$(2): $(patsubst %.c,$(B)/obj/%.o,$(call prog_src,$(1))) $(LIBSKAP)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $$(LIBSKAP) $$(PKG_LIBS)
endef
$(eval $(call program,skapd,skapd))
$(eval $(call program,skapctl,skapctl))
$(eval $(call program,server,skap-server))

$(B)/tests/unit/%: tests/unit/%.c $(LIBSKAP) $(KSELFTEST)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) $(LDFLAGS_ALL) -o $@ $< $(LIBSKAP) $(PKG_LIBS)
$(B)/tests/net/%: tests/net/%.c $(LIBSKAP) $(KSELFTEST)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) $(LDFLAGS_ALL) -o $@ $< $(LIBSKAP) $(PKG_LIBS)
$(B)/tests/%: tests/tools/%.c $(LIBSKAP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIBSKAP) $(PKG_LIBS)
$(B)/bench/%: bench/%.c $(LIBSKAP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIBSKAP) $(PKG_LIBS)
# They may use libskap's module client (the release build's archive: only
# the objects a test calls are linked).
$(BUILD)/vm/tests/%: tests/kernel/%.c $(KSELFTEST) $(BUILD)/libskap.a FORCE
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -Iinclude -Iinclude/uapi \
		$(shell pkg-config --cflags $(VM_PKGS) 2>/dev/null) $(TEST_CFLAGS) \
		-o $@ $< $(BUILD)/libskap.a $(VM_LIBS) -lpthread

$(BUILD)/vm/bench/%: bench/%.c $(KSELFTEST) $(BUILD)/libskap.a FORCE
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -Iinclude -Iinclude/uapi \
		$(shell pkg-config --cflags $(VM_PKGS) 2>/dev/null) $(TEST_CFLAGS) \
		-o $@ $< $(BUILD)/libskap.a $(VM_LIBS) -lpthread

tests: userspace $(UNIT_BIN) $(NET_BIN)

$(KSELFTEST) kernel-src:
	tests/lib/kernel-src.sh $(KVER) $(BUILD)/kernel-src

# The VM harness needs the module, the self-test module and the in-VM tests.
vm-prereqs: module $(BUILD)/libskap.a $(KTEST_BIN) $(VMBENCH_BIN)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/warn modules

deps:
	tests/lib/deps.sh

# Each level prints TAP and its own totals; tests/run adds them up.
check: deps
	$(MAKE) all
	$(MAKE) SAN=1 tests
	$(MAKE) vm-prereqs
	tests/run all

check-unit check-net check-kernel check-build: deps
	$(MAKE) all
	$(MAKE) SAN=1 tests
	$(MAKE) vm-prereqs
	tests/run $(@:check-%=%)

demo: deps
	$(MAKE) all vm-prereqs
	tests/vm/demo.sh

vm-shell: deps
	$(MAKE) all vm-prereqs
	tests/vm/run.sh --shell

bench: deps
	tests/lib/deps.sh bench
	$(MAKE) all vm-prereqs $(BENCH_BIN)
	bench/run

install: all
	install -d $(DESTDIR)$(INCDIR)/skap $(DESTDIR)$(INCDIR)/linux $(DESTDIR)$(LIBDIR)
	install -m 0644 include/uapi/linux/skap.h $(DESTDIR)$(INCDIR)/linux/skap.h
	$(if $(wildcard include/skap/*.h),install -m 0644 $(wildcard include/skap/*.h) $(DESTDIR)$(INCDIR)/skap/)
	install -m 0644 $(LIBSKAP) $(DESTDIR)$(LIBDIR)/libskap.a
	$(foreach p,$(filter-out %/skapctl,$(PROGRAMS)),install -D -m 0755 $(p) $(DESTDIR)$(SBINDIR)/$(notdir $(p));)
	$(foreach p,$(filter %/skapctl,$(PROGRAMS)),install -D -m 0755 $(p) $(DESTDIR)$(BINDIR)/skapctl;)
	$(foreach m,$(wildcard docs/man/*.[1-8]),install -D -m 0644 $(m) $(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m));)
	$(foreach u,$(wildcard docs/systemd/*.service),install -D -m 0644 $(u) $(DESTDIR)$(UNITDIR)/$(notdir $(u));)
	install -D -m 0644 skap.ko $(DESTDIR)/lib/modules/$(KVER)/updates/skap.ko

# The DKMS source package: what Kbuild needs, with dkms.conf at its root.
DKMS_SRC ?= $(DESTDIR)/usr/src/skap-$(VERSION)
dkms-src:
	install -d $(DKMS_SRC)/kernel $(DKMS_SRC)/include/uapi/linux
	install -m 0644 Kbuild dkms/dkms.conf $(DKMS_SRC)/
	install -m 0644 kernel/*.[ch] $(DKMS_SRC)/kernel/
	install -m 0644 include/uapi/linux/skap.h $(DKMS_SRC)/include/uapi/linux/

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/vm/warn clean
	rm -rf $(BUILD)/obj $(BUILD)/san $(BUILD)/tests $(BUILD)/bench $(BUILD)/vm/tests \
		$(BUILD)/libskap.a $(BUILD)/skapd $(BUILD)/skapctl $(BUILD)/skap-server

# Also drops the cached kernel image and sources.
distclean: clean
	rm -rf $(BUILD)

FORCE:

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
