#!/usr/bin/env bash
# test.sh: every test.  Installs what is missing, then runs the unit and
# end-to-end suites in the release build, again under ThreadSanitizer and
# again under AddressSanitizer + UndefinedBehaviorSanitizer.  Exits non-zero on any failure.
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
echo "== ThreadSanitizer: the whole suite (unit, end to end, fuzz replay, map), then the soak and Python threads"
make -s -j"$jobs" SAN=thread WERROR=1 all build/tsan/unit_tests
# every report, from any process (a server whose exit status no test reads
# among them), goes to a file: any file fails the run
tsan_logs=$(mktemp -d "${TMPDIR:-/tmp}/hh-tsan-logs.XXXXXX")
tsan_rc=0
TSAN_OPTIONS="suppressions=$root/tests/tsan.supp second_deadlock_stack=1 log_path=$tsan_logs/report" \
    make -s SAN=thread test || tsan_rc=$?
tsan_n=$(find "$tsan_logs" -name 'report*' | wc -l)
if [ "$tsan_n" -gt 0 ]; then
    echo "ThreadSanitizer: $tsan_n report file(s) from make SAN=thread test:"
    find "$tsan_logs" -name 'report*' | head -5 | xargs head -40
    exit 1
fi
rm -rf "$tsan_logs"
[ "$tsan_rc" -eq 0 ] || { echo "make SAN=thread test failed (exit $tsan_rc)"; exit 1; }
echo "ThreadSanitizer: make SAN=thread test passed, 0 reports"
make -s SAN=thread tsan-test
echo "== AddressSanitizer + UndefinedBehaviorSanitizer: unit + end-to-end"
make -s -j"$jobs" SAN=address,undefined WERROR=1 all build/san/unit_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    make -s SAN=address,undefined test
echo "== all tests passed"
