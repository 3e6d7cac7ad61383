#!/usr/bin/env bash
# mpi.sh (test): access, matrix and site spread over MPI ranks
# (`mpirun --oversubscribe -np 2 ... --mpi`) give byte for byte the output of
# one process; --checkpoint runs killed with SIGKILL (at a known block, and
# from outside while paused) resume without searching the finished blocks
# again and end with the uninterrupted run's output.  On the Porto extract
# (street) and Porto Alegre with its GTFS feeds (transit).
# Called by run.sh (counted in its summary); also alone:
#     HH_BIN=... HH_MPI_BIN=... [HH_DATA=...] bash tests/e2e/mpi.sh WORKDIR [COUNTS_FILE]
#   HH_BIN      the plain build (no MPI)
#   HH_MPI_BIN  the MPI build (make MPI=1: build/rel-mpi/halfhour)
# Skipped only when the data is absent; a missing MPI build or mpirun fails.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
W=${1:?usage: mpi.sh WORKDIR [COUNTS_FILE]}
COUNTS=${2:-$W/counts}
HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
HH_MPI_BIN=${HH_MPI_BIN:-$(dirname "$HH_BIN")-mpi/halfhour}
HH_DATA=${HH_DATA:-$root/../shared/data}
mkdir -p "$W"
cd "$W" || exit 1
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "  ok   $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL $1"; }
check() { # name, then a command: passes when it succeeds
    local n=$1
    shift
    if "$@"; then ok "$n"; else bad "$n"; fi
}
finish() {
    echo "$pass $fail $skip" > "$COUNTS"
    echo "mpi: $pass passed, $fail failed, $skip skipped"
    exit 0
}
N_TESTS=20
pbf=$HH_DATA/porto/porto.osm.pbf
if [ ! -f "$pbf" ] || [ ! -f "$HH_DATA/poa/poa_eptc.zip" ]; then
    echo "  skipped: no $pbf or poa data"
    skip=$N_TESTS
    finish
fi
if [ ! -x "$HH_MPI_BIN" ] || ! command -v mpirun >/dev/null; then
    echo "  FAIL no MPI build at $HH_MPI_BIN or no mpirun (bash scripts/deps.sh --mpi; make MPI=1)"
    fail=$N_TESTS
    finish
fi
# Open MPI refuses root unless told; the sanitizer builds: Open MPI's own
# allocations outlive MPI_Finalize, so leak checking is off for the ranks
# (address and undefined-behaviour checks stay on)
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_btl_vader_single_copy_mechanism=none  # containers: no CMA between ranks
MPI_ASAN=${ASAN_OPTIONS:-}
MPI_ASAN=${MPI_ASAN//detect_leaks=1/detect_leaks=0}
mpi2() { ASAN_OPTIONS="$MPI_ASAN${MPI_ASAN:+:}detect_leaks=0" \
    timeout "$TL" mpirun --oversubscribe -np 2 "$HH_MPI_BIN" "$@" --mpi; }
H=$HH_BIN
# HH_TIME_SCALE: how many times slower than a release build the binaries run
# (tests/valgrind/run.sh sets it); the time limits grow by as much
scale=${HH_TIME_SCALE:-1}
scale=${scale%.*}
[ "${scale:-0}" -ge 1 ] 2>/dev/null || scale=1
TL=$((300 * scale))

if ! timeout "$TL" "$H" build "$pbf" -o porto.hh > build.log 2>&1; then
    cat build.log
    echo "  FAIL building porto.hh"
    fail=$N_TESTS
    finish
fi

# --mpi on the plain build: one line, exit 1, no output
"$H" access porto.hh --mode car --grid 1000 --opportunities transit_stops --mpi -o nompi.csv \
    > nompi.out 2> nompi.err
rc=$?
check "plain build: --mpi is a one-line error (exit $rc)" \
    test $rc -eq 1 -a "$(wc -l < nompi.err)" -eq 1 -a ! -e nompi.csv
grep -q "built without MPI" nompi.err || bad "plain build: the message names the missing MPI: $(cat nompi.err)"

A=(access porto.hh --mode car --grid 250 --opportunities transit_stops --minutes 10,20,30)
# the reference, one process with two threads; then two ranks of one thread
"$H" "${A[@]}" --threads 2 -o acc1.csv --summary > sum1.csv 2> acc1.err
mpi2 "${A[@]}" --threads 1 -o acc2.csv --summary > sum2.csv 2> acc2.err
check "access car 250 m: 2 ranks = 1 process (CSV)" cmp acc1.csv acc2.csv
check "access --summary: 2 ranks = 1 process" cmp sum1.csv sum2.csv
grep -q "2 ranks; " acc2.err || bad "access: rank count not reported: $(tail -2 acc2.err)"

# 2SFCA (demand summed on rank 0, broadcast) and the n-th nearest, walk
F=(access porto.hh --mode walk --grid 500 --opportunities transit_stops --2sfca transit_stops:transit_stops
   --nearest 1,3 --minutes 10,20 --decay linear)
"$H" "${F[@]}" --threads 2 -o sfca1.csv 2> /dev/null
mpi2 "${F[@]}" --threads 1 -o sfca2.csv 2> sfca2.err
check "access walk 2SFCA + nearest: 2 ranks = 1 process" cmp sfca1.csv sfca2.csv

# matrix: points from the grid cells (some do not snap: empty fields)
awk -F, 'NR == 1 || NR % 41 == 2' acc1.csv | cut -d, -f1-3 > orig.csv
awk -F, 'NR == 1 || NR % 67 == 5' acc1.csv | cut -d, -f1-3 > dest.csv
Mx=(matrix porto.hh --origins orig.csv --destinations dest.csv --mode car --max-minutes 25)
"$H" "${Mx[@]}" --threads 2 -o mat1.csv 2> /dev/null
mpi2 "${Mx[@]}" --threads 2 -o mat2.csv 2> mat2.err
check "matrix car: 2 ranks x 2 threads = 1 process ($(wc -l < mat1.csv) rows)" cmp mat1.csv mat2.csv
mpi2 "${Mx[@]}" --threads 1 > mat3.csv 2> /dev/null
check "matrix to stdout: 2 ranks = 1 process" cmp mat1.csv mat3.csv

S=(site porto.hh --mode car --minutes 8 --demand transit_stops --grid 1000 --k 4)
"$H" "${S[@]}" --threads 2 -o site1.csv 2> /dev/null
mpi2 "${S[@]}" --threads 1 -o site2.csv 2> site2.err
check "site (coverage over 2 ranks) = 1 process" cmp site1.csv site2.csv
test "$(wc -l < site1.csv)" -ge 3 || bad "site chose too few sites: $(cat site1.csv)"

# transit (poa with its two feeds): a matrix at three percentiles, and access
# with percentiles of the access over departures (reduced in the rank that
# searched, from the per-departure samples)
P=$HH_DATA/poa
if timeout "$TL" "$H" build "$P/poa_osm.pbf" --gtfs "$P/poa_eptc.zip" --gtfs "$P/poa_trensurb.zip" \
    --opportunities "$P/poa_hexgrid.csv" -o poa.hh -q > poa_build.log 2>&1; then
    awk -F, 'NR == 1 || NR % 10 == 2' "$P/poa_hexgrid.csv" > hexo.csv
    T=(matrix poa.hh --origins hexo.csv --destinations "$P/poa_points_of_interest.csv" --mode transit
       --depart 2019-05-13T12:00 --window 20 --percentiles 25,50,75)
    "$H" "${T[@]}" --threads 2 -o tm1.csv 2> /dev/null
    mpi2 "${T[@]}" --threads 1 -o tm2.csv 2> /dev/null
    check "matrix transit, 3 percentiles: 2 ranks = 1 process ($(wc -l < tm1.csv) rows)" cmp tm1.csv tm2.csv
    TA=(access poa.hh --grid 500 --mode transit --depart 2019-05-13T12:00 --window 10 --percentiles 25,75
        --percentile-of access --opportunities jobs,healthcare --minutes 30,45)
    "$H" "${TA[@]}" --threads 2 -o ta1.csv 2> /dev/null
    mpi2 "${TA[@]}" --threads 1 -o ta2.csv 2> /dev/null
    check "access transit, percentiles of access: 2 ranks = 1 process" cmp ta1.csv ta2.csv
else
    cat poa_build.log
    bad "building poa with its feeds"
    bad "(access transit not run)"
fi

# ---- checkpoints ----------------------------------------------------------
# blocks: "B blocks of origins: R from the checkpoint, C searched"
blocks() { sed -n 's/.* \([0-9]*\) blocks of origins: \([0-9]*\) from the checkpoint, \([0-9]*\) searched.*/\1 \2 \3/p' "$1"; }

# killed by SIGKILL right after the 5th block file, then run again
rm -rf ck1
# (in a subshell that outlives it, so the shell's "Killed" note goes nowhere)
(HH_CHECKPOINT_TEST=kill:5 "$H" "${A[@]}" --threads 2 -o k1.csv --checkpoint ck1; exit $?) 2> /dev/null
rc=$?
check "checkpoint: the run was killed (exit $rc), no output file" test $rc -eq 137 -a ! -e k1.csv
"$H" "${A[@]}" --threads 1 -o k1.csv --checkpoint ck1 2> k1.err
read -r nb res comp <<< "$(blocks k1.err)"
check "checkpoint: restart reads the 5 finished blocks, searches the rest (${nb:-?}: ${res:-?} + ${comp:-?})" \
    test "${res:-x}" = 5 -a "${comp:-x}" = $((${nb:-0} - 5))
check "checkpoint: resumed output = uninterrupted" cmp acc1.csv k1.csv
"$H" "${A[@]}" -o k1b.csv --checkpoint ck1 2> k1b.err
read -r nb res comp <<< "$(blocks k1b.err)"
check "checkpoint: a finished run again: every block read back, none searched" \
    test "${comp:-x}" = 0 -a "${res:-x}" = "${nb:-y}"
cmp -s acc1.csv k1b.csv || bad "checkpoint: the read-back output differs"

# a damaged block file is searched again, not trusted
blk=$(ls ck1/run0-000003.blk 2>/dev/null)
if [ -n "$blk" ]; then
    printf 'X' | dd of="$blk" bs=1 seek=200 conv=notrunc 2> /dev/null
    "$H" "${A[@]}" -o k1c.csv --checkpoint ck1 2> k1c.err
    read -r nb res comp <<< "$(blocks k1c.err)"
    check "checkpoint: a damaged block is searched again (${comp:-?} searched)" test "${comp:-x}" = 1
    cmp -s acc1.csv k1c.csv || bad "checkpoint: output after a damaged block differs"
else
    bad "checkpoint: no block file ck1/run0-000003.blk"
fi

# other arguments on the same folder: refused, one line
"$H" access porto.hh --mode car --grid 250 --opportunities transit_stops --minutes 15 -o other.csv \
    --checkpoint ck1 > /dev/null 2> other.err
rc=$?
check "checkpoint: other arguments refused (exit $rc, one line, no output)" \
    test $rc -eq 1 -a "$(wc -l < other.err)" -eq 1 -a ! -e other.csv

# a real SIGKILL from outside: the run stops after 3 blocks (no timing), is killed
rm -rf ck2
HH_CHECKPOINT_TEST=pause:3 "$H" "${Mx[@]}" --threads 2 -o km.csv --checkpoint ck2 2> km.err &
pid=$!
for _ in $(seq 600); do grep -q "paused after 3 blocks" km.err && break; sleep 0.1; done
kill -KILL $pid 2> /dev/null
wait $pid 2> /dev/null
rc=$?
check "checkpoint: matrix killed from outside with SIGKILL (exit $rc)" test $rc -eq 137 -a ! -e km.csv
"$H" "${Mx[@]}" --threads 2 -o km.csv --checkpoint ck2 2> km2.err
read -r nb res comp <<< "$(blocks km2.err)"
check "checkpoint: matrix resumed (${res:-?} read, ${comp:-?} searched) = uninterrupted" \
    test "${res:-x}" = 3 -a "$(cmp -s mat1.csv km.csv && echo same)" = same

# site's coverage step: killed after 3 blocks, resumed
rm -rf ck4
(HH_CHECKPOINT_TEST=kill:3 "$H" "${S[@]}" -o ks.csv --checkpoint ck4; exit $?) 2> /dev/null
"$H" "${S[@]}" -o ks.csv --checkpoint ck4 2> ks.err
read -r nb res comp <<< "$(blocks ks.err)"
check "checkpoint: site killed and resumed (${res:-?} read) = uninterrupted" \
    test "${res:-x}" = 3 -a "$(cmp -s site1.csv ks.csv && echo same)" = same

# with --mpi: rank 0 killed after 4 blocks, restarted with 2 ranks
rm -rf ck3
HH_CHECKPOINT_TEST=kill:4 mpi2 "${A[@]}" --threads 1 -o km3.csv --checkpoint ck3 > /dev/null 2>&1
test ! -e km3.csv || bad "checkpoint --mpi: an output file after the kill"
mpi2 "${A[@]}" --threads 1 -o km3.csv --checkpoint ck3 2> km3.err
read -r nb res comp <<< "$(blocks km3.err)"
check "checkpoint --mpi: killed and resumed on 2 ranks (${res:-?} read) = uninterrupted" \
    test "${res:-x}" = 4 -a "$(cmp -s acc1.csv km3.csv && echo same)" = same
# and the same folder finished by one process without MPI
"$H" "${A[@]}" -o km4.csv --checkpoint ck3 2> km4.err
read -r nb res comp <<< "$(blocks km4.err)"
check "checkpoint: an MPI run's folder read by one process (${comp:-?} searched)" \
    test "${comp:-x}" = 0 -a "$(cmp -s acc1.csv km4.csv && echo same)" = same
finish
