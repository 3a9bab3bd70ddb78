# lst: the Lightstreams publishing network as a Unix toolkit.
#
#   make [all]        build programs into build/bin
#   make check        unit, command (bats) and compat tests; ends "N passed, N failed"
#   make demo         a walk through what lst does today, in a temporary home
#   make bench        benchmarks (never pass/fail)
#   make fuzz         libFuzzer targets (clang)
#   make install      PREFIX, DESTDIR; programs, man pages, completions
#   make uninstall, make clean
#
#   V=1 shows commands; DEVELOPER=1 adds -Werror; SANITIZE=address,undefined.
#
# make check and make demo run ./configure --install-deps first when nothing
# is configured yet, so on a fresh Debian 12 machine (as root) they set up all.

-include config.mk

PREFIX ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec/lst
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d
VERSION = 0.1.0

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter -Wformat=2 -Wvla
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(FAULTS) -Ilib -Icontracts -Icmd $(DEP_CFLAGS) \
	-DLST_VERSION='"$(VERSION)"' -DLST_LIBEXECDIR='"$(LIBEXECDIR)"'
LIBS = -Wl,--as-needed $(DEP_LIBS) -lm

ifneq ($(V),1)
Q = @
QCC = @echo "  CC      $@";
QLD = @echo "  LINK    $@";
QAR = @echo "  AR      $@";
endif

B = build
LIB_SRCS = $(wildcard lib/*.c) $(wildcard contracts/*.c)
LIB_OBJS = $(LIB_SRCS:%.c=$(B)/%.o)
CMD_SRCS = $(wildcard cmd/*.c)
BUILTIN_OBJS = $(patsubst %.c,$(B)/%.o,$(wildcard cmd/builtin/*.c))
PROGRAMS = $(CMD_SRCS:cmd/%.c=$(B)/bin/%)
UNIT_SRCS = $(wildcard test/unit/t-*.c)
UNIT_TESTS = $(UNIT_SRCS:test/unit/%.c=$(B)/test/%)
BENCH_SRCS = $(wildcard test/bench/*.c)
BENCHES = $(BENCH_SRCS:test/bench/%.c=$(B)/bench/%)
FUZZ_SRCS = $(wildcard test/fuzz/fuzz-*.c)
MAN_PAGES = $(wildcard man/*.1 man/*.7)

.PHONY: all check demo bench fuzz install uninstall clean deps unit faults
.DELETE_ON_ERROR:
.SECONDARY:

all: config.mk $(PROGRAMS)

config.mk:
	@if [ "$$(id -u)" = 0 ]; then ./configure --install-deps; \
	 else ./configure; fi

$(B)/%.o: %.c $(wildcard lib/*.h contracts/*.h cmd/*.h) config.mk
	@mkdir -p $(dir $@)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/liblst.a: $(LIB_OBJS)
	$(QAR)rm -f $@ && ar rcs $@ $^

$(B)/bin/%: $(B)/cmd/%.o $(B)/liblst.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(B)/liblst.a $(LIBS)

# lst links the porcelain verbs of cmd/builtin/ (cmd/builtin.h), as git does.
$(B)/bin/lst: $(B)/cmd/lst.o $(BUILTIN_OBJS) $(B)/liblst.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(BUILTIN_OBJS) $(B)/liblst.a $(LIBS)

# Every unit test links unit.o (TAP) and fakeenv.o (a chain for native
# contracts); their objects are rebuilt when a test/unit header changes.
UNIT_LIB = $(B)/test/unit/unit.o $(B)/test/unit/fakeenv.o
$(B)/test/%: $(B)/test/unit/%.o $(UNIT_LIB) $(B)/liblst.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(UNIT_LIB) $(B)/liblst.a $(LIBS)
$(UNIT_SRCS:%.c=$(B)/%.o) $(UNIT_LIB): $(wildcard test/unit/*.h)
$(BENCH_SRCS:%.c=$(B)/%.o): $(wildcard test/bench/*.h)

$(B)/bench/%: $(B)/test/bench/%.o $(B)/liblst.a
	@mkdir -p $(dir $@)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $< $(B)/liblst.a $(LIBS)

VECTORS ?= ../shared/vectors
GZ_VECTORS = $(patsubst $(VECTORS)/ethers/%.json.gz,$(B)/vectors/%.json,$(wildcard $(VECTORS)/ethers/*.json.gz))
$(B)/vectors/%.json: $(VECTORS)/ethers/%.json.gz
	@mkdir -p $(dir $@)
	$(Q)gzip -dc $< > $@

unit: $(UNIT_TESTS) $(GZ_VECTORS)

# test/net's build: the same programs with fault injection compiled in
# (-DLST_FAULTS: the per-peer drop filter and LST_BYZANTINE=1). Never installed.
faults: config.mk
	$(Q)$(MAKE) --no-print-directory B=$(B)/faults FAULTS=-DLST_FAULTS $(B)/faults/bin/lst-chain

check: all unit faults
	@test/run-all

demo: all
	@test/demo.sh

bench: all $(BENCHES)
	@test/bench/run.sh

fuzz: config.mk
	@DEP_CFLAGS='$(DEP_CFLAGS)' DEP_LIBS='$(DEP_LIBS)' test/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(B)/bin/lst $(DESTDIR)$(BINDIR)/lst
	for p in $(filter-out $(B)/bin/lst,$(PROGRAMS)); do \
		install -m 755 $$p $(DESTDIR)$(LIBEXECDIR)/ && \
		ln -sf $(LIBEXECDIR)/$${p##*/} $(DESTDIR)$(BINDIR)/$${p##*/} || exit 1; done
	for m in $(MAN_PAGES); do \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; done
	for f in $(wildcard completions/*.bash); do b=$${f##*/}; \
		install -m 644 $$f $(DESTDIR)$(BASHCOMPDIR)/$${b%.bash} || exit 1; done
	for f in $(wildcard completions/_*); do \
		install -m 644 $$f $(DESTDIR)$(ZSHCOMPDIR)/ || exit 1; done
	for f in $(wildcard completions/*.fish); do \
		install -m 644 $$f $(DESTDIR)$(FISHCOMPDIR)/ || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/lst
	for p in $(notdir $(PROGRAMS)); do \
		rm -f $(DESTDIR)$(LIBEXECDIR)/$$p $(DESTDIR)$(BINDIR)/$$p; done
	-rmdir $(DESTDIR)$(LIBEXECDIR)
	for m in $(notdir $(MAN_PAGES)); do \
		rm -f $(DESTDIR)$(MANDIR)/man1/$$m $(DESTDIR)$(MANDIR)/man7/$$m; done
	for f in completions/*.bash; do b=$${f##*/}; \
		rm -f $(DESTDIR)$(BASHCOMPDIR)/$${b%.bash}; done
	for f in completions/_* completions/*.fish; do \
		rm -f $(DESTDIR)$(ZSHCOMPDIR)/$${f##*/} $(DESTDIR)$(FISHCOMPDIR)/$${f##*/}; done

clean:
	rm -rf $(B) test/compat/node_modules

distclean: clean
	rm -f config.mk
