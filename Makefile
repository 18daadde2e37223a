# vpcd build. Every .c under src/<module>/ except src/cmd/ goes into build/libvpcd.a;
# src/cmd/<name>.c becomes build/<name>. Unit tests tests/unit/test_*.c and fuzzers
# tests/fuzz/fuzz_*.c are discovered by name, so adding a file needs no Makefile edit.

CC      ?= cc
BUILD   ?= build
CSTD     = -std=c17 -D_GNU_SOURCE
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
PKGS     = libmicrohttpd openssl sqlite3 jansson libmnl zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
OPT     ?= -O2 -g
SANITIZE ?=
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(SANITIZE) -Isrc $(PKG_CFLAGS) -MMD -MP
LDLIBS  += $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(filter-out src/cmd/%,$(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CMD_SRC  := $(wildcard src/cmd/*.c)
CMDS     := $(CMD_SRC:src/cmd/%.c=$(BUILD)/%)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_SECONDS ?= 60

.PHONY: all debug unit-debug units run test unit e2e fuzz fuzz-run bench deps clean format

all: $(BUILD)/libvpcd.a $(CMDS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libvpcd.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%: $(BUILD)/obj/src/cmd/%.o $(BUILD)/libvpcd.a
	$(CC) $(CFLAGS) $< $(BUILD)/libvpcd.a $(LDLIBS) -o $@

# Only vpcctl (src/ctl/) speaks HTTP as a client and parses XML, so only it (and its unit test)
# links libcurl and libxml2. src/ctl/ objects sit in libvpcd.a like every module's, but the
# linker takes from an archive only what a program references: vpcd gets none of them.
CTL_PKGS    = libcurl libxml-2.0
CTL_CFLAGS := $(shell pkg-config --cflags $(CTL_PKGS) 2>/dev/null)
CTL_LIBS   := $(shell pkg-config --libs $(CTL_PKGS) 2>/dev/null)
$(BUILD)/obj/src/ctl/%.o: CFLAGS += $(CTL_CFLAGS)
$(BUILD)/vpcctl: LDLIBS += $(CTL_LIBS)
$(BUILD)/tests/test_ctl: LDLIBS += $(CTL_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvpcd.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $< $(BUILD)/libvpcd.a $(LDLIBS) -lcmocka -o $@

# Fuzzers #include the .c file under test, so they build from sources, not the archive.
$(BUILD)/fuzz/%: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	clang $(CSTD) -g -O1 -Isrc $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined -MMD -MP -MF $@.d \
	  $< $(PKG_LIBS) -o $@

DEBUG_VARS = BUILD=build/debug OPT="-O1 -g -fno-omit-frame-pointer" \
	SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

debug:
	$(MAKE) $(DEBUG_VARS) all units

unit-debug:
	$(MAKE) $(DEBUG_VARS) unit

units: $(UNITS)

deps:
	@scripts/deps.sh

run: deps all
	@mkdir -p var
	$(BUILD)/vpcd $(VPCD_ARGS)

unit: units
	@scripts/run-unit.sh $(UNITS)

fuzz: $(FUZZERS)

fuzz-run: fuzz
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

test: deps
	@scripts/test-all.sh

bench: deps
	@scripts/bench-all.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CMD_SRC:src/cmd/%.c=$(BUILD)/obj/src/cmd/%.d)
# A fuzzer #includes the sources it tests: rebuilt when any of them changes.
-include $(FUZZERS:%=%.d)
