#!/usr/bin/env bash
# run.sh [FILTER...]: the end-to-end suite (tests/e2e/run.sh) with every
# halfhour command under valgrind memcheck (halfhour-vg.sh), on the release
# build (-O2 -g).  Passes when the suite passes and no command left a
# valgrind report: no invalid access, no uninitialised use, no definite
# leak.  Suppressions (halfhour.supp) cover third-party code only.
#   HH_BIN      the binary (default build/rel/halfhour)
#   HH_MPI_BIN  its MPI build (default build/rel-mpi/halfhour: make MPI=1)
# Slow (valgrind is ~30x): the command timeout is raised to 3000 s.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${HH_BIN:-$root/build/rel/halfhour}
logs=$(mktemp -d "${TMPDIR:-/tmp}/hh-vg.XXXXXX")
export HH_VG_BIN=$bin HH_VG_LOGS=$logs HH_TOOLS=${HH_TOOLS:-$(dirname "$bin")/tools}
# the MPI part (tests/e2e/mpi.sh): every rank under valgrind too
export HH_VG_MPI_BIN=${HH_MPI_BIN:-$(dirname "$bin")-mpi/halfhour}
export HH_MPI_BIN=$root/tests/valgrind/halfhour-mpi-vg.sh
export HH_E2E_TIMEOUT=${HH_E2E_TIMEOUT:-3000}
# the server's --time-budget checks scale their budget by this (serve_test.py)
export HH_TIME_SCALE=${HH_TIME_SCALE:-40}
HH_BIN="$root/tests/valgrind/halfhour-vg.sh" bash "$root/tests/e2e/run.sh" "$@"
rc=$?
reports=$(find "$logs" -name 'vg.*.log' -size +0 | wc -l)
runs=$(find "$logs" -name 'vg.*.log' | wc -l)
echo "valgrind: $runs commands, $reports with a report (in $logs)"
for f in $(find "$logs" -name 'vg.*.log' -size +0 | head -5); do
    echo "== $f"; head -40 "$f"
done
[ $rc -eq 0 ] && [ "$reports" -eq 0 ] && rm -rf "$logs"
[ $rc -eq 0 ] && [ "$reports" -eq 0 ]
