# halfhour: plain Makefile.  `make` builds the library and the CLI,
# `make test` runs unit + end-to-end tests, `make SAN=address,undefined test`
# runs them under sanitizers (separate build folder), `make bench` runs bench/.
CC      ?= cc
CXX     ?= c++
SAN     ?=
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wundef -Wmissing-prototypes -Wno-unused-parameter
# The one C++ file (src/ingest/osm_reader.cpp, libosmium) gets the same
# optimisation, warnings and sanitizers; the C++ runtime comes in with
# -lstdc++, so every link stays a C link.
CXXWARN := -Wall -Wextra -Wshadow -Wundef -Wno-unused-parameter
# -fPIC: the same objects go into libhalfhour.a and libhalfhour.so (the
# Python package's); -fno-semantic-interposition keeps calls between the
# library's own functions direct, as in the position-independent
# executables Debian's gcc makes by default, so the CLI runs as fast.
PIC     := -fPIC -fno-semantic-interposition
CFLAGS  += -std=c11 -g $(OPT) $(WARN) $(PIC) -D_GNU_SOURCE -pthread -Iinclude -Isrc -I. -I/usr/include/gdal
CXXFLAGS+= -std=c++14 -g $(OPT) $(CXXWARN) $(PIC) -D_GNU_SOURCE -pthread -Iinclude -Isrc
LDLIBS  += -ljansson -lnettle -lglpk -lbz2 -lexpat -lz -ldeflate -lzip -lgeos_c -lstdc++ -lm -ldl -pthread
# the HTTP server's library: the CLI and the fuzz harnesses only, not
# libhalfhour.so (jansson and nettle are the library's: change files)
SRV_LIBS := -lmicrohttpd
# GDAL and PROJ are opened with dlopen when first used (src/io/gdal.h
# says why), by the sonames of the -dev packages installed here; programs
# that call them themselves (the unit tests read outputs back with GDAL
# and measure areas with PROJ's geodesic) link them as usual.
soname = $(shell objdump -p "$$($(CC) -print-file-name=$(1))" 2>/dev/null | awk '/SONAME/ {print $$2}')
GDAL_SONAME := $(call soname,libgdal.so)
PROJ_SONAME := $(call soname,libproj.so)
TEST_LIBS   := -lgdal -lproj
ifneq ($(WERROR),)
CFLAGS  += -Werror
CXXFLAGS+= -Werror
endif
# libosmium 2.19 calls strncmp(type, NULL, 0) on a PBF BlobHeader without a
# type (tests/fuzz/regress/osm_pbf/blob_no_type.pbf): undefined by the letter,
# harmless in fact (no byte is read), and inside the library's header, so
# that one UBSan check is off for the C++ file; the C code keeps it.
CXX_NOSAN := -fno-sanitize=nonnull-attribute
ifneq ($(FUZZ),)
# coverage-instrumented library for libFuzzer (clang only); the vptr and function checks
# would need clang's C++ UBSan runtime, which a C link does not bring
CC      := clang
CXX     := clang++
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
CXXFLAGS+= -fsanitize=fuzzer-no-link,address,undefined $(CXX_NOSAN) -fno-sanitize=vptr,function -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
B       := build/fuzz
else ifneq ($(SAN),)
CFLAGS  += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
CXXFLAGS+= -fsanitize=$(SAN) $(CXX_NOSAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SAN)
# ThreadSanitizer cannot share objects with the ASan build: its own folder;
# every test run by this make reads the third-party suppressions
ifneq ($(findstring thread,$(SAN)),)
B       := build/tsan
export TSAN_OPTIONS ?= suppressions=$(abspath tests/tsan.supp) second_deadlock_stack=1
else
B       := build/san
endif
else
B       := build/rel
endif
# `make MPI=1` (with SAN=... too): the CLI able to run under mpirun
# (--mpi), in its own folder build/rel-mpi (build/san-mpi).  Only
# src/par/comm_mpi.c differs from the plain build -- it replaces
# src/par/comm_none.c (src/par/comm.h says why two files) -- so every other
# object is the plain build's, shared: the MPI build costs one compile and
# the links.  The plain build never sees mpi.h or libmpi.
O       := $(B)
ifneq ($(MPI),)
ifneq ($(FUZZ),)
$(error MPI=1 and FUZZ=1 do not go together)
endif
B       := $(B)-mpi
MPI_CFLAGS := $(shell mpicc --showme:compile 2>/dev/null)
MPI_LIBS   := $(shell mpicc --showme:link 2>/dev/null)
ifeq ($(MPI_LIBS),)
$(error MPI=1 needs Open MPI: bash scripts/deps.sh --mpi (libopenmpi-dev, openmpi-bin))
endif
LDLIBS  += $(MPI_LIBS)
endif

LIB_SRC  := $(sort $(filter-out src/par/comm_mpi.c,$(wildcard src/*/*.c)))
LIB_CXX  := $(sort $(wildcard src/*/*.cpp))
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/%.o) $(LIB_CXX:%.cpp=$(O)/%.o)
ifneq ($(MPI),)
LIB_OBJ  := $(filter-out $(O)/src/par/comm_none.o,$(LIB_OBJ)) $(B)/src/par/comm_mpi.o
endif
SRV_SRC  := $(sort $(wildcard server/*.c))
SRV_OBJ  := $(SRV_SRC:%.c=$(O)/%.o)
CLI_SRC  := $(sort $(wildcard cli/*.c))
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/%.o)
UNIT_SRC := $(sort $(filter-out tests/unit/runner.c,$(wildcard tests/unit/*.c)))
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o) $(B)/tests/unit/runner.o
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_CXX := $(sort $(wildcard tests/tools/*.cpp))
TOOLS    := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%) $(TOOL_CXX:tests/tools/%.cpp=$(B)/tools/%)
BENCH_SRC:= $(sort $(wildcard bench/*.c))
BENCHES  := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAYS  := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz-replay/%)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzzers/%)
FUZZ_SECONDS ?= 60

.PHONY: all test unit e2e bench clean tools fuzz fuzz-regress fuzzers web web-test python tsan-test
# The shared library (and the preprocessed header the Python package's cffi
# reads) only in the release build: a sanitized .so would need the
# sanitizer runtime preloaded into the Python interpreter.
ifeq ($(SAN)$(FUZZ),)
SHARED   := $(B)/libhalfhour.so $(B)/halfhour_cdef.h
endif
# ThreadSanitizer's .so: for the Python threads test, run with libtsan
# preloaded (`make SAN=thread tsan-test` does)
ifeq ($(SAN),thread)
SHARED   := $(B)/libhalfhour.so $(B)/halfhour_cdef.h
endif
ifneq ($(MPI),)
all: $(B)/halfhour
else
all: $(B)/halfhour $(B)/libhalfhour.a $(SHARED) tools
endif
python: $(B)/libhalfhour.so $(B)/halfhour_cdef.h

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/src/io/gdal.o: CFLAGS += $(if $(GDAL_SONAME),-DHH_GDAL_SONAME='"$(GDAL_SONAME)"')
$(O)/src/io/grid.o: CFLAGS += $(if $(PROJ_SONAME),-DHH_PROJ_SONAME='"$(PROJ_SONAME)"')

ifneq ($(MPI),)
$(B)/src/par/comm_mpi.o: src/par/comm_mpi.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MPI_CFLAGS) -MMD -MP -c $< -o $@
endif

$(O)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(B)/libhalfhour.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

# the HTTP server (server/): its own archive, linked into the CLI and the
# request-parsing fuzz harness
$(B)/libhhserver.a: $(SRV_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

# Every hh_* function of include/halfhour.h (and the internal hh__ ones,
# which the header does not declare); the libraries it needs are linked in.
$(B)/libhalfhour.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libhalfhour.so -Wl,-z,defs $(LDFLAGS) $^ $(LDLIBS) -o $@

# include/halfhour.h with its macros expanded and without the system
# headers (cffi knows size_t and the intN_t types): the declarations the
# Python package hands to cffi.cdef, so they never drift from the header.
$(B)/halfhour_cdef.h: include/halfhour.h bindings/python/cdef/stddef.h bindings/python/cdef/stdint.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -nostdinc -Ibindings/python/cdef -D__attribute__\(x\)= include/halfhour.h -o $@

$(B)/halfhour: $(CLI_OBJ) $(B)/libhhserver.a $(B)/libhalfhour.a
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(SRV_LIBS) -o $@
	@ln -sf $(abspath $@) build/halfhour-$(notdir $(B))

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
	$(CC) $(LDFLAGS) $^ $(LDLIBS) $(TEST_LIBS) -o $@

tools: $(TOOLS)
$(B)/tools/%: tests/tools/%.c $(B)/libhalfhour.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(B)/libhalfhour.a $(LDFLAGS) $(LDLIBS) -o $@

# the synthetic region generator (tests/tools/synth_region.cpp): libosmium
# writes its PBF, libzip its GTFS; it does not need the library
$(B)/tools/%: tests/tools/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $< $(LDFLAGS) -lzip -lz -lbz2 -lexpat -pthread -o $@

$(B)/bench/%: bench/%.c $(B)/libhalfhour.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(B)/libhalfhour.a $(LDFLAGS) $(LDLIBS) -o $@

# Saved and derived fuzz inputs replayed without libFuzzer (part of `test`).
$(B)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/driver.c $(B)/libhhserver.a $(B)/libhalfhour.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< tests/fuzz/driver.c $(B)/libhhserver.a $(B)/libhalfhour.a $(LDFLAGS) $(LDLIBS) $(SRV_LIBS) -o $@
fuzz-regress: $(REPLAYS) $(B)/halfhour
	bash tests/fuzz/regress.sh $(abspath $(B)/fuzz-replay)

# `make fuzz`: libFuzzer runs of FUZZ_SECONDS each (clang) of every harness
# or of FUZZ_HARNESS (names without fuzz_), from and back into the kept
# corpus tests/fuzz/corpus/<name>/ (tests/fuzz/campaign.sh); new crashes are
# written to build/fuzz/crashes/ -- fix them, then move them to
# tests/fuzz/regress/<name>/.
$(B)/fuzzers/%: tests/fuzz/%.c $(B)/libhhserver.a $(B)/libhalfhour.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $< $(B)/libhhserver.a $(B)/libhalfhour.a $(LDFLAGS) $(LDLIBS) $(SRV_LIBS) -o $@
fuzzers: $(FUZZERS)
FUZZ_HARNESS ?= $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
fuzz:
	$(MAKE) FUZZ=1 fuzzers
	bash tests/fuzz/campaign.sh $(FUZZ_SECONDS) $(FUZZ_HARNESS)

unit: $(B)/unit_tests
	$(B)/unit_tests

# the MPI test (tests/e2e/mpi.sh) needs the MPI build too: only its one
# object and the link (see MPI=1 above); without Open MPI that test fails
# and says what to install
e2e: $(B)/halfhour tools
	@if command -v mpicc >/dev/null; then $(MAKE) -s MPI=1 SAN=$(SAN) WERROR=$(WERROR) all; fi
	HH_BIN=$(abspath $(B)/halfhour) HH_TOOLS=$(abspath $(B)/tools) HH_MPI_BIN=$(abspath $(B)-mpi/halfhour) \
	    bash tests/e2e/run.sh

test: unit e2e fuzz-regress web-test

# `make SAN=thread tsan-test`: ThreadSanitizer over what runs threads -- the
# many-origin driver (matrix, access, report, site, the CH's split rows, the
# build's parallel contraction), the server's workers (its end-to-end test,
# and the soak with SIGHUP reloads under load) and Python threads over the
# library (the interpreter with libtsan preloaded; the CLI it runs without).
# A few minutes: CI runs it (scripts/test.sh).
tsan-test: $(B)/unit_tests $(B)/halfhour $(SHARED)
	$(MAKE) -s SAN= build/rel/halfhour
	bash tests/tsan.sh $(abspath $(B)) $(abspath build/rel/halfhour)

bench: $(B)/halfhour $(SHARED) $(BENCHES)
	@if command -v mpicc >/dev/null; then $(MAKE) -s MPI=1 SAN=$(SAN) all; fi
	HH_BIN=$(abspath $(B)/halfhour) HH_BENCH=$(abspath $(B)/bench) HH_MPI_BIN=$(abspath $(B)-mpi/halfhour) \
	    bash bench/run.sh

# The planning map (web/): `npm ci` against the committed lockfile, then
# web/build.mjs copies the page and the pinned Leaflet into web/dist, which
# `halfhour serve` serves.  Both steps run only when their inputs changed.
# tests/web has its own lockfile (playwright-core) so the map needs no test tools.
NPM_CI   := npm ci --no-audit --no-fund --loglevel=error
WEB_SRC  := $(wildcard web/src/*) web/build.mjs
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && $(NPM_CI)
	@touch $@
web/dist/index.html: $(WEB_SRC) web/node_modules/.package-lock.json
	cd web && npm run -s build
tests/web/node_modules/.package-lock.json: tests/web/package.json tests/web/package-lock.json
	cd tests/web && $(NPM_CI)
	@touch $@
web: web/dist/index.html

# The browser test: Debian's chromium over `halfhour serve` (tests/web/run.sh).
web-test: $(B)/halfhour web tests/web/node_modules/.package-lock.json
	HH_BIN=$(abspath $(B)/halfhour) bash tests/web/run.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
