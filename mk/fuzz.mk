# fuzz.mk — libFuzzer targets: every tests/fuzz/NAME.c becomes
# build/fuzz/NAME, linked with clang -fsanitize=fuzzer against the project's
# objects (built with -fsanitize=fuzzer-no-link,address,undefined).
#
#   make fuzz                    build them all (make -f mk/fuzz.mk)
#   build/fuzz/fuzz_feed -max_total_time=60 CORPUS_DIR
#
# The Makefile includes this file too: then SRCS is set and the rules below
# use its flags and objects; run on its own, it hands over to the Makefile.

ifndef SRCS

.PHONY: fuzz-build
fuzz-build:
	$(MAKE) -f Makefile fuzz-targets CC=clang BUILD=build/fuzz \
		SANITIZE=fuzzer-no-link,address,undefined

else

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/%)

.PHONY: fuzz-targets
fuzz-targets: $(FUZZ_BINS)

.SECONDEXPANSION:
.PRECIOUS: $(BUILD)/tests/fuzz/%.o

# An archive, so each target links only the objects it needs.
$(BUILD)/libnewsstand.a: $$(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/libnewsstand.a
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

endif
