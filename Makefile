# newsstand — one non-recursive Makefile.
#
#   make            build build/newsstand
#   make run        install missing packages, build, create ./var with the demo
#                   catalogue and serve it on http://127.0.0.1:8080
#   make test       install missing packages, build with sanitizers, run all tests
#   make deps       install the missing Debian packages (apt-get) only
#   make install    PREFIX=/usr/local DESTDIR=
#   make format | lint | bench | fuzz | clean
#
# DEVELOPER=1 adds -Werror; SANITIZE=address,undefined builds into build/san.
# Module fragments (generated sources, extra tools) live in mk/*.mk.

VERSION := 0.1.0
PREFIX ?= /usr/local
DESTDIR ?=
DATA_DIR ?= var
LISTEN ?= 127.0.0.1:8080

CC ?= cc
PKG_CONFIG ?= pkg-config
LIBS_PC := libcurl libxml-2.0 gumbo sqlite3 libmicrohttpd jansson libsodium libxxhash zlib

ifdef SANITIZE
BUILD ?= build/san
else
BUILD ?= build
endif

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -Wvla -Wpointer-arith \
	-Wundef -Wno-missing-field-initializers
ifdef DEVELOPER
WARNINGS += -Werror
endif
ALL_CFLAGS := -std=c11 $(WARNINGS) -pthread -Isrc -Itests -I$(BUILD)/gen \
	-DNEWSSTAND_VERSION='"$(VERSION)"' \
	-DNEWSSTAND_SHARE_DIR='"$(PREFIX)/share/newsstand"' \
	-DGUMBO_PKG_VERSION='"$(shell $(PKG_CONFIG) --modversion gumbo 2>/dev/null)"' \
	$(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null) $(CFLAGS)
ALL_LDFLAGS := -pthread $(LDFLAGS)
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif
LDLIBS := $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -lm

# Every module's sources; main.c holds only main() so tests can link the rest.
SRCS := $(sort $(shell find src -name '*.c' ! -name main.c))
GEN_SRCS :=
MAIN_SRC := src/main/main.c
TEST_SRCS := $(sort $(wildcard tests/unit/*.c tests/support/*.c))

# Fragments add generated sources (GEN_SRCS) and their own targets.
-include $(sort $(wildcard mk/*.mk))

OBJS := $(SRCS:%.c=$(BUILD)/%.o) $(GEN_SRCS:%.c=%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)
BIN := $(BUILD)/newsstand
TEST_BIN := $(BUILD)/tests/unit-tests

# Debian packages: to build, to test, to benchmark.
DEB_BUILD := build-essential pkg-config libcurl4-openssl-dev libxml2-dev \
	libgumbo-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev \
	libsodium-dev libxxhash-dev zlib1g-dev libcriterion-dev clang-format
DEB_TEST := $(DEB_BUILD) curl sqlite3 python3 chromium
DEB_BENCH := $(DEB_TEST) wrk nginx sfeed newsboat python3-feedparser hyperfine bc
DEB_LINT := cppcheck clang-tidy clang

.PHONY: all deps deps-test deps-bench run test check install uninstall clean \
	format format-check lint bench fuzz demo
.DEFAULT_GOAL := all

all: $(BIN)

# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

$(BIN): $(OBJS) $(BUILD)/$(MAIN_SRC:.c=.o)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(TEST_BIN): $(OBJS) $(TEST_OBJS)
	@mkdir -p $(@D)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

-include $(OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(BUILD)/$(MAIN_SRC:.c=.d)

# Install what is missing, and only that: a no-op when everything is there.
deps:
	@scripts/install-deps $(DEB_BUILD)
deps-test:
	@scripts/install-deps $(DEB_TEST)
	@command -v npm >/dev/null || scripts/install-deps nodejs npm
	@scripts/install-node-deps tests/browser
deps-bench:
	@scripts/install-deps $(DEB_BENCH)

run: deps
	$(MAKE) all
	$(BIN) demo --data-dir $(DATA_DIR) --if-empty
	$(BIN) serve --data-dir $(DATA_DIR) --listen $(LISTEN)

demo: all
	$(BIN) demo --data-dir $(DATA_DIR)

test: deps-test
	$(MAKE) SANITIZE=address,undefined check

# Runs the unit and integration tests against this build's binary, then the
# browser tests. NEWSSTAND_BIN lets the integration tests start the real server.
# Criterion counts a test whose process LeakSanitizer reports at exit as
# passed, so the output is kept and a leak report fails the run.
check: $(BIN) $(TEST_BIN)
	{ NEWSSTAND_BIN=$(abspath $(BIN)) NEWSSTAND_SRC=$(CURDIR) \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(TEST_BIN) --jobs 2 --timeout 300; \
		echo $$? >$(BUILD)/unit-tests.rc; } 2>&1 | tee $(BUILD)/unit-tests.log
	@rc=$$(cat $(BUILD)/unit-tests.rc); [ "$$rc" = 0 ] || { \
		echo "unit tests that failed (the whole log: $(BUILD)/unit-tests.log):"; \
		awk '/Assertion Failed|signal caught/ { m = 1; print; next } \
		     m && /^\[----\]   / { print; next } { m = 0 } \
		     /^\[FAIL\]|CRASH|[Tt]imed out/' $(BUILD)/unit-tests.log | \
			tail -60; \
		exit "$$rc"; }
	@if grep -q 'ERROR: LeakSanitizer' $(BUILD)/unit-tests.log; then \
		echo "unit tests: LeakSanitizer reported leaks (above)" >&2; \
		exit 1; fi
	@if [ -x tests/browser/run ]; then \
		NEWSSTAND_BIN=$(abspath $(BIN)) tests/browser/run; fi

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/newsstand
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/newsstand
	install -m 644 docs/newsstand.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	cp -R data/demo $(DESTDIR)$(PREFIX)/share/newsstand/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/newsstand \
		$(DESTDIR)$(PREFIX)/share/man/man1/newsstand.1
	rm -rf $(DESTDIR)$(PREFIX)/share/newsstand

clean:
	rm -rf build

C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || \
	find src tests -name '*.[ch]')

format:
	clang-format -i $(C_FILES)

format-check:
	clang-format --dry-run --Werror $(C_FILES)

lint:
	@scripts/install-deps $(DEB_LINT)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Isrc $(SRCS) $(MAIN_SRC)
	clang-tidy --quiet $(SRCS) $(MAIN_SRC) -- $(ALL_CFLAGS) 2>/dev/null

bench: deps-bench $(BIN)
	bench/run

fuzz:
	@scripts/install-deps clang
	$(MAKE) -f mk/fuzz.mk
