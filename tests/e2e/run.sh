#!/usr/bin/env bash
# run.sh: the end-to-end suite.  `make e2e` calls it as
#     HH_BIN=/abs/halfhour HH_TOOLS=/abs/tools bash tests/e2e/run.sh [FILTER...]
# Runs every tests/e2e/cases/*.case (FILTERs: substrings of case names) and
# the bad-input table (tests/e2e/bad_input.sh) and the output-file checks
# (tests/e2e/outputs.sh), the region recipe (tests/e2e/region.sh), a
# generated region (tests/e2e/synth.sh), the
# HTTP server (tests/e2e/serve.sh) and MPI ranks with checkpoints
# (tests/e2e/mpi.sh) in a
# temporary folder, and ends with exactly one
# line `e2e: N passed, N failed, N skipped`; exits non-zero on any failure.
# Cases are skipped only when the real data is absent: when HH_DATA exists,
# a skip counts as a failure.
#   HH_BIN    the binary (default build/rel/halfhour)
#   HH_TOOLS  helper tools, e.g. geocheck (default: tools/ beside HH_BIN)
#   HH_MPI_BIN  the MPI build (default: HH_BIN's folder + -mpi, as make MPI=1 puts it)
#   HH_DATA   the real data (default ../shared/data beside the checkout);
#             cases that need it are skipped when it is absent (and only then)
#   HH_E2E_KEEP=1   keep the temporary folder (always kept on failure)
#   HH_E2E_TIMEOUT  seconds per command (default 300)
# Needs only bash, coreutils and python3 (stdlib).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
HH_TOOLS=${HH_TOOLS:-$(dirname "$HH_BIN")/tools}
HH_DATA=${HH_DATA:-$root/../shared/data}
export HH_BIN HH_TOOLS HH_DATA
export PYTHONDONTWRITEBYTECODE=1  # keep __pycache__ out of the tree
# sanitizer builds: make a sanitizer report unmistakable (not a plain exit 1)
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}

if [ ! -x "$HH_BIN" ]; then
    echo "run.sh: no executable halfhour at HH_BIN=$HH_BIN (run make first)" >&2
    echo "e2e: 0 passed, 1 failed, 0 skipped"
    exit 1
fi
if ! command -v python3 >/dev/null; then
    echo "run.sh: python3 is needed" >&2
    echo "e2e: 0 passed, 1 failed, 0 skipped"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hh-e2e.XXXXXX") || exit 1
echo "run.sh: binary $HH_BIN, temp folder $tmp"

python3 "$here/runcases.py" --bin "$HH_BIN" --tools "$HH_TOOLS" --data "$HH_DATA" \
    --tmp "$tmp/cases" --counts "$tmp/counts.cases" "$@"
if [ $# -eq 0 ] || [[ " $* " == *" bad_input "* ]]; then
    bash "$here/bad_input.sh" "$tmp/bad" "$tmp/counts.bad"
fi

if [ $# -eq 0 ] || [[ " $* " == *" outputs "* ]]; then
    bash "$here/outputs.sh" "$tmp/outputs" "$tmp/counts.outputs"
fi

# the region recipe on a stand-in extract; `region_report` also fails when
# the report verb is missing (tests/e2e/region.sh says why)
if [ $# -eq 0 ] || [[ " $* " == *" region"* ]]; then
    report_arg=""
    [[ " $* " == *" region_report "* ]] && report_arg=--report
    bash "$here/region.sh" "$tmp/region" "$tmp/counts.region" $report_arg
fi

# a generated region: build, CH against Dijkstra, verify and a flipped bit
if [ $# -eq 0 ] || [[ " $* " == *" synth "* ]]; then
    bash "$here/synth.sh" "$tmp/synth" "$tmp/counts.synth"
fi

# the HTTP server: the API against the CLI, limits, abuse, SIGTERM, load
if [ $# -eq 0 ] || [[ " $* " == *" serve"* ]]; then
    bash "$here/serve.sh" "$tmp/serve" "$tmp/counts.serve"
fi

# MPI ranks and checkpoints (HH_MPI_BIN: the make MPI=1 build beside HH_BIN)
if [ $# -eq 0 ] || [[ " $* " == *" mpi "* ]]; then
    bash "$here/mpi.sh" "$tmp/mpi" "$tmp/counts.mpi"
fi

passed=0
failed=0
skipped=0
for f in "$tmp"/counts.*; do
    [ -f "$f" ] || continue
    p=0 q=0 s=0
    read -r p q s < "$f"
    passed=$((passed + p))
    failed=$((failed + q))
    skipped=$((skipped + ${s:-0}))
done
[ -f "$tmp/counts.cases" ] || failed=$((failed + 1))  # the case runner crashed
if [ "$skipped" -gt 0 ] && [ -d "$HH_DATA" ]; then
    echo "run.sh: $skipped skipped although the data folder HH_DATA=$HH_DATA exists: counted as failed"
    failed=$((failed + skipped))
    skipped=0
fi

if [ "$failed" -eq 0 ] && [ "${HH_E2E_KEEP:-0}" != 1 ]; then
    rm -rf "$tmp"
else
    echo "run.sh: temporary files kept in $tmp"
fi
echo "e2e: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
