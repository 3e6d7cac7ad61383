#!/usr/bin/env bash
# tsan.sh TSAN_BUILD_DIR REL_BIN (`make SAN=thread tsan-test`): ThreadSanitizer
# over what runs threads.  Every report, from any process, goes to a file
# (log_path); the run fails when a part fails or any report was written.
# Suppressions: tests/tsan.supp (third-party code only).
#   the many-origin driver: matrix, access (street and transit), 2SFCA,
#     report, site, the CH's split rows, the build's parallel contraction
#   the server's workers: its end-to-end test, and the soak with SIGHUP
#     reloads under load (tests/soak/serve_soak.py)
#   Python threads over the library: the interpreter with libtsan preloaded
#     and the TSan libhalfhour.so (the CLI it runs for fixtures: release)
set -u
B=${1:?usage: tsan.sh TSAN_BUILD_DIR REL_BIN}
REL=${2:?usage: tsan.sh TSAN_BUILD_DIR REL_BIN}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
d=$(mktemp -d "${TMPDIR:-/tmp}/hh-tsan.XXXXXX")
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp log_path=$d/report"
fail=0
part() { echo "== tsan: $1"; shift; "$@" || { echo "tsan: FAILED: $*" | cut -c1-200; fail=1; }; }
part "unit (threaded tests)" "$B/unit_tests" access_matches_matrix_poa_walk access_matches_matrix_poa_transit \
    access_2sfca report_matches_matrix site_poa_matches_matrix matrix_same_for_any_thread_count \
    ch_matrix_same_for_any_split oom_build_fails_cleanly_everywhere soak_ch_matches
serve() {
    HH_BIN="$B/halfhour" HH_SERVE_LOAD_SECONDS=3 bash tests/e2e/serve.sh "$d/serve" "$d/counts" | tail -3
    read -r _ f _ < "$d/counts"
    [ "$f" = 0 ]
}
part "server end to end" serve
part "server soak with SIGHUP reloads" python3 tests/soak/serve_soak.py --bin "$B/halfhour" --seconds 10 --window 5 \
    --reload-every 1
py() {
    HALFHOUR_LIB="$B/libhalfhour.so" LD_PRELOAD=$(cc -print-file-name=libtsan.so) PYTHONPATH=bindings/python \
        HH_BIN="$REL" /usr/bin/python3 -c "
import os, sys
os.environ.pop('LD_PRELOAD')  # the CLI the fixtures run is not instrumented
import pytest
sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-c', 'bindings/python/pytest.ini',
                      'bindings/python/tests/test_threads.py']))"
}
part "Python threads" py
n=$(ls "$d" | grep -c '^report' || true)
if [ "$n" -gt 0 ]; then
    echo "tsan: $n report file(s):"
    for f in "$d"/report*; do head -40 "$f"; done
    fail=1
fi
echo "tsan: $([ $fail = 0 ] && echo passed || echo FAILED) ($n reports)"
[ $fail = 0 ] && rm -rf "$d"
exit $fail
