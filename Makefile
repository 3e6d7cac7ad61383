# halfhour: plain Makefile.  `make` builds the library and the CLI,
# `make test` runs unit + end-to-end tests, `make SAN=address,undefined test`
# runs them under sanitizers (separate build folder), `make bench` runs bench/.
CC      ?= cc
SAN     ?=
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wundef -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  += -std=c11 -g $(OPT) $(WARN) -D_GNU_SOURCE -pthread -Iinclude -Isrc
LDLIBS  += -lreadosm -lbz2 -lz -ldeflate -lzip -lgeos_c -lm -pthread
ifneq ($(WERROR),)
CFLAGS  += -Werror
endif
ifneq ($(SAN),)
CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
B       := build/san
else
B       := build/rel
endif

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_SRC  := $(sort $(wildcard cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(sort $(filter-out tests/unit/runner.c,$(wildcard tests/unit/*.c)))
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o) $(B)/tests/unit/runner.o
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOLS    := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)
BENCH_SRC:= $(sort $(wildcard bench/*.c))
BENCHES  := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all test unit e2e bench clean tools fuzz
all: $(B)/halfhour $(B)/libhalfhour.a tools

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libhalfhour.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/halfhour: $(CLI_OBJ) $(B)/libhalfhour.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@
	@ln -sf $(abspath $@) build/halfhour-$(if $(SAN),san,rel)

# The unit test list is generated from the HH_TEST(name) lines of the test
# files, so adding a test never touches a shared file.
$(B)/tests/unit/test_list.h: $(UNIT_SRC)
	@mkdir -p $(dir $@)
	@cat $(UNIT_SRC) /dev/null | sed -n 's/^HH_TEST(\([A-Za-z0-9_]*\)).*/\1/p' > $@.names
	@{ sed 's/.*/void test_&(void);/' $@.names; echo 'static const struct hh_test_entry hh_test_list[] = {'; \
	   sed 's/.*/  {"&", test_&},/' $@.names; echo '  {0, 0}};'; } > $@
	@rm -f $@.names
$(B)/tests/unit/runner.o: tests/unit/runner.c $(B)/tests/unit/test_list.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(B)/tests/unit -c $< -o $@
$(B)/unit_tests: $(UNIT_OBJ) $(B)/libhalfhour.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

tools: $(TOOLS)
$(B)/tools/%: tests/tools/%.c $(B)/libhalfhour.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(B)/libhalfhour.a $(LDFLAGS) $(LDLIBS) -o $@

$(B)/bench/%: bench/%.c $(B)/libhalfhour.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(B)/libhalfhour.a $(LDFLAGS) $(LDLIBS) -o $@

unit: $(B)/unit_tests
	$(B)/unit_tests

e2e: $(B)/halfhour tools
	HH_BIN=$(abspath $(B)/halfhour) HH_TOOLS=$(abspath $(B)/tools) bash tests/e2e/run.sh

test: unit e2e

bench: $(B)/halfhour $(BENCHES)
	HH_BIN=$(abspath $(B)/halfhour) HH_BENCH=$(abspath $(B)/bench) bash bench/run.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
