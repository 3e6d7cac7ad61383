#!/usr/bin/env bash
# campaign.sh SECONDS HARNESS...: libFuzzer runs (`make fuzz`).  Each harness
# starts from its kept corpus (tests/fuzz/corpus/<h>), its regression inputs
# (tests/fuzz/regress/<h>) and seeds cut from ../shared/data (seeds.py), with
# its format's dictionary (tests/fuzz/dict/); after the run the corpus is
# minimised back into tests/fuzz/corpus/<h> (-merge=1: only inputs that add
# coverage stay).  Crashes go to build/fuzz/crashes/; a line per harness with
# executions, coverage (edges) and findings goes to build/fuzz/summary.txt.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
secs=$1
shift
data=${HH_DATA:-$root/../shared/data}
fz=build/fuzz
mkdir -p $fz/crashes $fz/logs
[ -d $fz/seed ] || { [ -d "$data" ] && python3 tests/fuzz/seeds.py "$data" $fz/seed; }
dict_of() {
    case $1 in
    gtfs_csv) echo tests/fuzz/dict/gtfs_csv.dict ;;
    points | centres) echo tests/fuzz/dict/csv.dict ;;
    layers) cat tests/fuzz/dict/csv.dict tests/fuzz/dict/geojson.dict > $fz/layers.dict; echo $fz/layers.dict ;;
    districts) echo tests/fuzz/dict/geojson.dict ;;
    change | request | osm_xml | osm_pbf) echo tests/fuzz/dict/$1.dict ;;
    esac
}
for h in "$@"; do
    bin=$fz/fuzzers/fuzz_$h
    [ -x $bin ] || { echo "campaign: no $bin (make FUZZ=1 fuzzers)"; exit 1; }
    work=$fz/live/$h
    rm -rf $work && mkdir -p $work tests/fuzz/corpus/$h
    d=$(dict_of $h)
    src=()
    for s in tests/fuzz/corpus/$h tests/fuzz/regress/$h $fz/seed/$h; do
        [ -n "$(ls -A $s 2>/dev/null)" ] && src+=($s)
    done
    [ ${#src[@]} -gt 0 ] && $bin -merge=1 $work "${src[@]}" >/dev/null 2>&1
    log=$fz/logs/$h.log
    nice -n 15 $bin -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        ${d:+-dict=$d} -artifact_prefix=$fz/crashes/$h- $work > $log 2>&1
    rc=$?
    # keep the minimal corpus that covers what the run reached
    rm -rf $fz/merged/$h && mkdir -p $fz/merged/$h
    $bin -merge=1 $fz/merged/$h $work >/dev/null 2>&1
    rm -rf tests/fuzz/corpus/$h && mv $fz/merged/$h tests/fuzz/corpus/$h
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' $log)
    cov=$(grep -o 'cov: [0-9]*' $log | tail -1)
    # crash-, leak-, timeout-, oom-: findings; slow-unit-: a note (over 10 s)
    found=$(ls $fz/crashes/ 2>/dev/null | grep "^$h-" | grep -vc -- "-slow-unit-" || true)
    slow=$(ls $fz/crashes/ 2>/dev/null | grep -c "^$h-slow-unit-" || true)
    echo "$h: ${secs}s rc=$rc execs=${execs:-?} ${cov:-cov: ?} corpus=$(ls tests/fuzz/corpus/$h | wc -l) findings=$found slow=$slow" |
        tee -a $fz/summary.txt
done
