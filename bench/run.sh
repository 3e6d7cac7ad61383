#!/usr/bin/env bash
# run.sh: fixed-seed benchmarks of halfhour, side by side with pgRouting.
# Called by `make bench` with HH_BIN (the CLI) and HH_BENCH (the folder where
# bench/*.c are compiled).  bench/README.md explains what is timed and how.
#
# Knobs (environment; defaults are the routine run):
#   HH_DATA            folder of the real data        (../shared/data)
#   HH_BENCH_RUNS      runs of build and matrix        (3; medians printed)
#   HH_BENCH_ORIGINS   isochrone origins               (100)
#   HH_BENCH_POINTS    matrix points (N x N)           (1000)
#   HH_BENCH_PGR       0 skips pgRouting               (1)
#   HH_BENCH_PGR_ROWS  pgRouting matrix rows to time; below N the time is
#                      extrapolated by N/rows          (0 = the full N x N)
# Exits 0 whether targets are met or missed; non-zero only when a step fails.
set -euo pipefail

: "${HH_BIN:?set HH_BIN to the halfhour CLI (make bench does)}"
: "${HH_BENCH:?set HH_BENCH to the compiled bench folder (make bench does)}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
data=${HH_DATA:-$root/../shared/data}
runs=${HH_BENCH_RUNS:-3}
n_origins=${HH_BENCH_ORIGINS:-100}
n_points=${HH_BENCH_POINTS:-1000}
do_pgr=${HH_BENCH_PGR:-1}
pgr_rows=${HH_BENCH_PGR_ROWS:-0}
minutes=30
seed_iso=20250101   # origins of the isochrone benchmark
seed_matrix=20250102 # points of the matrix benchmark
threads=2
work=$HH_BENCH/work
mkdir -p "$work"

log() { echo "bench: $*" >&2; }

# GNU time for wall seconds and peak RSS; Debian's package `time`.
if [ ! -x /usr/bin/time ]; then
    log "installing GNU time"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2 ||
        { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2; }
fi

# median of the numbers on stdin (mean of the middle two when even)
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
    else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# value of key=value line $2 in file $1
kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }
# runs "$@" under GNU time, appends "seconds peak_kib" to $timing
timed() {
    /usr/bin/time -f '%e %M' -o "$work/time.one" "$@" >"$work/last.out" 2>"$work/last.err" || {
        log "failed: $*"; cat "$work/last.err" >&2; return 1; }
    cat "$work/time.one" >>"$timing"
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# verdict VALUE OP LIMIT  ->  PASS or MISS
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
    if (v == "" || v == "nan" || v == "n/a") { print "n/a"; exit }
    ok = (op == "<") ? (v + 0 < l + 0) : (v + 0 >= l + 0); print ok ? "PASS" : "MISS" }'; }

declare -A city_osm=(
    [poa]="$data/poa/poa_osm.pbf"
    [porto]="$data/porto/porto.osm.pbf"
    [rnv]="$data/rhine-neckar/rnv.osm.pbf"
)
cities=(poa porto rnv)
for c in "${cities[@]}"; do
    [ -r "${city_osm[$c]}" ] || { log "missing ${city_osm[$c]} (see ../shared/data/SOURCES.md)"; exit 1; }
done

# ---- a) build ----------------------------------------------------------
declare -A b_s b_mib b_net b_osm
for c in "${cities[@]}"; do
    log "build $c x$runs"
    timing=$work/build_$c.times
    : >"$timing"
    for _ in $(seq "$runs"); do
        rm -f "$work/$c.hh"
        timed "$HH_BIN" build "${city_osm[$c]}" -o "$work/$c.hh"
    done
    b_s[$c]=$(awk '{ print $1 }' "$timing" | median)
    b_mib[$c]=$(awk '{ print $2 / 1024 }' "$timing" | median)
    b_net[$c]=$(stat -c %s "$work/$c.hh")
    b_osm[$c]=$(stat -c %s "${city_osm[$c]}")
done
net=$work/porto.hh

# ---- b) isochrones -------------------------------------------------------
log "isochrones: $n_origins origins, $minutes min, seed $seed_iso"
"$HH_BENCH/bench_street" "$net" car "$n_origins" "$seed_iso" "$minutes" \
    "$work/origins.csv" >"$work/iso.kv"

# ---- c) matrix -----------------------------------------------------------
log "matrix: ${n_points}x$n_points, --threads $threads, seed $seed_matrix, x$runs"
"$HH_BENCH/bench_street" --points "$net" car "$n_points" "$seed_matrix" \
    "$work/points.csv" >"$work/points.kv"
timing=$work/matrix.times
: >"$timing"
for _ in $(seq "$runs"); do
    timed "$HH_BIN" matrix "$net" --origins "$work/points.csv" \
        --destinations "$work/points.csv" --mode car --threads "$threads" \
        -o "$work/matrix.csv"
done
mx_s=$(awk '{ print $1 }' "$timing" | median)
mx_mib=$(awk '{ print $2 / 1024 }' "$timing" | median)
# Mean finite off-diagonal travel time, to check both engines agree: the
# first column holding seconds (a header named time*/duration*/seconds).
mx_mean=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) {
        if (!tc && $i ~ /^(time|duration|seconds|travel_time)/) tc = i
        if (!oc && $i ~ /^(origin|from|o_)/) oc = i
        if (!dc && $i ~ /^(destination|to|d_)/) dc = i }
      next }
    tc && $tc != "" && $tc + 0 == $tc && (!oc || !dc || $oc != $dc) { s += $tc; n++ }
    END { if (n) printf "%.1f", s / n; else print "n/a" }' "$work/matrix.csv")

# ---- d) pgRouting ----------------------------------------------------------
pgr_ok=0
if [ "$do_pgr" != 0 ]; then
    log "exporting the car graph for pgRouting"
    "$HH_BIN" export "$net" --mode car -o "$work/edges.csv" >"$work/export.out"
    log "pgRouting (a minute or two)"
    if bash "$here/pgrouting.sh" "$work/edges.csv" "$work/origins.csv" \
        "$work/points.csv" $((minutes * 60)) "$pgr_rows" >"$work/pgr.kv" &&
        [ -n "$(kv "$work/pgr.kv" pgr_dd_median_ms)" ] &&
        [ -n "$(kv "$work/pgr.kv" pgr_mx_ms)" ]; then
        pgr_ok=1
    else
        log "pgRouting side failed; its figures are n/a"
    fi
fi

# ---- table ------------------------------------------------------------------
iso=$work/iso.kv
ms() { calc "%.2f" "$(kv "$iso" "$1")"; }
s_med=$(ms search_median_ms); s_p90=$(ms search_p90_ms)
p_med=$(ms poly_median_ms); p_p90=$(ms poly_p90_ms)
t_med=$(ms total_median_ms); t_p90=$(ms total_p90_ms)
dd_med=n/a dd_p90=n/a mx_pgr=n/a r_iso=n/a r_iso_s=n/a r_mx=n/a pgr_note="" pgr_mean=n/a
if [ "$pgr_ok" = 1 ]; then
    pk=$work/pgr.kv
    dd_med=$(calc "%.2f" "$(kv "$pk" pgr_dd_median_ms)")
    dd_p90=$(calc "%.2f" "$(kv "$pk" pgr_dd_p90_ms)")
    rows=$(kv "$pk" pgr_mx_rows); cols=$(kv "$pk" pgr_mx_cols)
    # one Dijkstra per row, each settling about the whole graph, so the time
    # scales with rows; duplicates (points sharing a vertex) make rows < N
    mx_pgr=$(calc "%.2f" "$(kv "$pk" pgr_mx_ms) / 1000 * $n_points / $rows")
    pgr_note="pgRouting measured ${rows}x${cols}, scaled x$(calc "%.3f" "$n_points / $rows") to ${n_points} rows"
    if [ "$rows" != "$cols" ]; then
        pgr_note="$pgr_note (its mean time is over those rows only)"
    fi
    pgr_mean=$(kv "$pk" pgr_mx_mean_s)
    ratio() { calc "%.1fx" "$1 / $2"; }
    r_iso=$(ratio "$dd_med" "$t_med")
    r_iso_s=$(ratio "$dd_med" "$s_med")
    r_mx=$(ratio "$mx_pgr" "$mx_s")
fi

echo
echo "halfhour bench  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)  load $(cut -d" " -f1-3 /proc/loadavg)  seeds iso=$seed_iso matrix=$seed_matrix  medians of $runs runs"
echo
printf '%-44s %12s %12s %9s  %-16s %s\n' "what" "halfhour" "pgRouting" "ratio" "target" "verdict"
printf '%-44s %12s %12s %9s  %-16s %s\n' "----" "--------" "---------" "-----" "------" "-------"
row() { printf '%-44s %12s %12s %9s  %-16s %s\n' "$@"; }
for c in "${cities[@]}"; do
    tgt_s="" tgt_m="" tgt_f="" v_s="" v_m="" v_f=""
    if [ "$c" = porto ]; then
        tgt_s="< 3 s";     v_s=$(verdict "${b_s[$c]}" "<" 3)
        tgt_m="< 191 MiB"; v_m=$(verdict "${b_mib[$c]}" "<" 191)
        tgt_f="< 40 MB";   v_f=$(verdict "${b_net[$c]}" "<" 40000000)
    fi
    row "build $c: wall s" "${b_s[$c]}" "" "" "$tgt_s" "$v_s"
    row "build $c: peak MiB" "$(calc "%.1f" "${b_mib[$c]}")" "" "" "$tgt_m" "$v_m"
    row "build $c: network file MB (OSM $(calc "%.1f" "${b_osm[$c]} / 1e6") MB)" \
        "$(calc "%.2f" "${b_net[$c]} / 1e6")" "" "" "$tgt_f" "$v_f"
done
row "isochrone ${minutes} min porto, search median ms" "$s_med" "$dd_med" "$r_iso_s" "" ""
row "isochrone search p90 ms" "$s_p90" "$dd_p90" "" "" ""
row "isochrone polygon median ms" "$p_med" "-" "" "" ""
row "isochrone polygon p90 ms" "$p_p90" "-" "" "" ""
row "isochrone search+polygon median ms" "$t_med" "$dd_med" "$r_iso" "< 5 ms; >= 100x" \
    "$(verdict "$t_med" "<" 5) $(verdict "$r_iso" ">=" 100)"
row "isochrone search+polygon p90 ms" "$t_p90" "$dd_p90" "" "" ""
if [ "$n_points" = 1000 ]; then
    row "matrix ${n_points}x${n_points} porto car, wall s" "$mx_s" "$mx_pgr" "$r_mx" "< 2 s; >= 100x" \
        "$(verdict "$mx_s" "<" 2) $(verdict "$r_mx" ">=" 100)"
else # the 2 s target is for 1000x1000
    row "matrix ${n_points}x${n_points} porto car, wall s" "$mx_s" "$mx_pgr" "$r_mx" ">= 100x" \
        "$(verdict "$r_mx" ">=" 100)"
fi
row "matrix peak MiB" "$(calc "%.1f" "$mx_mib")" "" "" "" ""
row "matrix mean off-diagonal time s (check)" "$mx_mean" "$pgr_mean" "" "" ""
echo
echo "isochrone: $n_origins origins snapped within 200 m, median area $(kv "$iso" area_median_km2) km2;"
echo "  pgRouting column is pgr_drivingDistance(1800 s) from the nearest vertex (no polygon);"
echo "  the isochrone target ratio uses halfhour search+polygon against it."
echo "matrix: halfhour CLI wall time incl. loading and writing CSV, --threads $threads;"
echo "  pgRouting: pgr_dijkstraCostMatrix/pgr_dijkstraCost in-server time, one core."
[ -n "$pgr_note" ] && echo "  $pgr_note"
[ "$pgr_ok" = 1 ] && echo "pgRouting $(kv "$work/pgr.kv" pgr_version) on the exported car graph: $(kv "$work/pgr.kv" pgr_edges) edges, $(kv "$work/pgr.kv" pgr_vertices) vertices"
[ "$do_pgr" != 0 ] && [ "$pgr_ok" != 1 ] && { echo "pgRouting side FAILED (see messages above)"; exit 1; }
exit 0
