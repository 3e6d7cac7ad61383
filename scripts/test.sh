#!/usr/bin/env bash
# test.sh: every test.  Installs what is missing, then runs the unit and
# end-to-end suites in the release build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer.  Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh --mpi   # Open MPI too: the e2e suite runs access, matrix and site on 2 ranks
jobs=$(nproc)
echo "== release build: unit + end-to-end"
make -s -j"$jobs" WERROR=1 all build/rel/unit_tests
make -s test
echo "== Python package (bindings/python): pytest, against the CLI's outputs"
# Debian's interpreter, not whatever python3 is first on PATH: the packages
# deps.sh installs are in its dist-packages
PYTHONPATH="$root/bindings/python" HH_BIN="$root/build/rel/halfhour" \
    /usr/bin/python3 -m pytest -q -rs -p no:cacheprovider -c bindings/python/pytest.ini bindings/python/tests
echo "== differential and server soaks (fixed seeds; longer: --rounds, --seconds, unit_tests --soak N)"
python3 tests/soak/serve_vs_cli.py --bin "$root/build/rel/halfhour" --rounds 20
python3 tests/soak/serve_soak.py --bin "$root/build/rel/halfhour" --seconds 20 --window 10 --reload-every 2
echo "== ThreadSanitizer: the threaded tests, the server, Python threads"
make -s -j"$jobs" SAN=thread WERROR=1 build/tsan/unit_tests build/tsan/halfhour build/tsan/libhalfhour.so \
    build/tsan/halfhour_cdef.h
make -s SAN=thread tsan-test
echo "== AddressSanitizer + UndefinedBehaviorSanitizer: unit + end-to-end"
make -s -j"$jobs" SAN=address,undefined WERROR=1 all build/san/unit_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    make -s SAN=address,undefined test
echo "== all tests passed"
