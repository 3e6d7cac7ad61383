#!/usr/bin/env bash
# run.sh: fixed-seed benchmarks of halfhour, side by side with pgRouting.
# Called by `make bench` with HH_BIN (the CLI) and HH_BENCH (the folder where
# bench/*.c are compiled).  bench/README.md explains what is timed and how.
# Parts: street (build, isochrones, matrix, pgRouting), transit (build with
# GTFS, walk + transit per origin over a departure window), read (OSM reads)
# access (whole access grids: poa transit, porto car), site (facility
# siting: k = 10 of 1,000 candidate hexagons, poa, walk 15 minutes), serve
# (halfhour serve under wrk: 30-minute car isochrones on porto, transit
# isochrones on poa, concurrency 16), python (the Python package: the
# street part's car matrix through Python and through the CLI, and the poa
# hexagons' transit matrix from Python) and scenario (halfhour scenario
# against the full build of the same network: an add-street bridge on
# porto, an add-line express on poa; access --compare against the two plain
# runs it replaces), scale (cost curves over synthetic regions of 10^4 to
# 10^6 vertices, 10^7 on request: build time and memory, file size, open,
# isochrone, one-to-all and all-origins access time, with a log-log PNG;
# only when asked for) and mpi (the access part's porto car grid on 2 MPI ranks
# x 1 thread against 1 process x 2 threads, alternating; seconds per 10 000
# origins and the hours projected for a 28 000 km2 region on 2, 64 and 512
# cores; needs the MPI build, HH_MPI_BIN, which make bench builds when Open
# MPI is there).
#
# Knobs (environment; defaults are the routine run):
#   HH_BENCH_ONLY      street | transit | read | access | site | serve | python | scenario | scale | mpi: run only that part  (all but scale)
#   HH_DATA            folder of the real data        (../shared/data)
#   HH_BENCH_RUNS      runs of build and matrix        (3; medians printed)
#   HH_BENCH_ORIGINS   isochrone origins               (100)
#   HH_BENCH_POINTS    matrix points (N x N)           (1000)
#   HH_BENCH_PGR       0 skips pgRouting               (1)
#   HH_BENCH_PGR_ROWS  pgRouting matrix rows to time; below N the time is
#                      extrapolated by N/rows          (0 = the full N x N)
#   HH_BENCH_TRANSIT_ORIGINS  transit origins          (200)
#   HH_BENCH_TRANSIT_TARGETS  transit destinations     (1000)
#   HH_BENCH_READ_RUNS OSM reads timed per file        (7; medians printed)
#   HH_BENCH_READ_BASE another build's bench_osm, timed in turn with ours for
#                      a side-by-side reader comparison (unset: ours only)
#   HH_BENCH_ACCESS_RUNS  runs of each access grid     (3; medians printed)
#   HH_BENCH_SITE_RUNS runs of the siting command      (3; medians printed)
#   HH_BENCH_SCEN_RUNS runs of each scenario step      (3; medians printed)
#   HH_BENCH_SERVE_SECONDS  length of each wrk run      (30)
#   HH_BENCH_SERVE_CONNS    wrk connections             (16)
#   HH_BENCH_PY_RUNS   runs of each Python / CLI matrix, alternating (5; medians printed)
#   HH_BENCH_SCALE_SIZES  vertices of the synthetic regions (10000 100000 1000000)
#   HH_BENCH_SCALE_BIG    1 adds the 10^7-vertex region (minutes to hours; nice -n 10)  (0)
#   HH_BENCH_SCALE_SAMPLE origins of the all-origins access sample, extrapolated to
#                      the whole 250 m grid (2000)
#   HH_BENCH_MPI_RUNS  runs of each side of the MPI comparison, alternating (3; medians printed)
#   HH_MPI_BIN         the MPI build (default: HH_BIN's folder + -mpi, as make MPI=1 puts it)
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
only=${HH_BENCH_ONLY:-}
n_tr_origins=${HH_BENCH_TRANSIT_ORIGINS:-200}
n_tr_targets=${HH_BENCH_TRANSIT_TARGETS:-1000}
read_runs=${HH_BENCH_READ_RUNS:-7}
read_base=${HH_BENCH_READ_BASE:-}
access_runs=${HH_BENCH_ACCESS_RUNS:-3}
site_runs=${HH_BENCH_SITE_RUNS:-3}
serve_seconds=${HH_BENCH_SERVE_SECONDS:-30}
serve_conns=${HH_BENCH_SERVE_CONNS:-16}
py_runs=${HH_BENCH_PY_RUNS:-5}
scen_runs=${HH_BENCH_SCEN_RUNS:-3}
scale_sizes=${HH_BENCH_SCALE_SIZES:-10000 100000 1000000}
scale_big=${HH_BENCH_SCALE_BIG:-0}
scale_sample=${HH_BENCH_SCALE_SAMPLE:-2000}
case "$only" in
    "" | street | transit | read | access | site | serve | python | scenario | scale | mpi) ;;
    *) echo "bench: HH_BENCH_ONLY must be street, transit, read, access, site, serve, python, scenario, scale or mpi, not \"$only\"" >&2; exit 2 ;;
esac
mpi_runs=${HH_BENCH_MPI_RUNS:-3}
mpi_bin=${HH_MPI_BIN:-$(dirname "$HH_BIN")-mpi/halfhour}
do_street=1 do_transit=1 do_read=1 do_access=1 do_site=1 do_serve=1 do_python=1 do_scenario=1 do_mpi=1
# the cost curves take tens of minutes: only when asked for
do_scale=0
if [ -n "$only" ]; then
    do_street=0 do_transit=0 do_read=0 do_access=0 do_site=0 do_serve=0 do_python=0 do_scenario=0 do_mpi=0
    eval "do_$only=1"
fi
minutes=30
seed_iso=20250101   # origins of the isochrone benchmark
seed_matrix=20250102 # points of the matrix benchmark
seed_transit=20250103 # transit origins; its destinations use seed + 1
seed_access=20250104 # the porto car grid's job points
seed_site=20250105   # the 1,000 candidate hexagons of the siting benchmark
seed_serve=20250106  # the origins of the server benchmark (poa: seed + 1)
seed_scale=20250107  # the synthetic regions (synth_region --seed) and their origins
load_start=$(cut -d" " -f1-3 /proc/loadavg)
threads=2
work=$HH_BENCH/results
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
    ok = (op == "<") ? (v + 0 < l + 0) : (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0)
    print ok ? "PASS" : "MISS" }'; }
# one table row: what, then five columns
row() { printf '%-44s %12s %12s %9s  %-16s %s\n' "$@"; }

declare -A city_osm=(
    [poa]="$data/poa/poa_osm.pbf"
    [porto]="$data/porto/porto.osm.pbf"
    [rnv]="$data/rhine-neckar/rnv.osm.pbf"
)
cities=(poa porto rnv)

# ---- street: a) build, b) isochrones, c) matrix, d) pgRouting --------------
street_measure() {
    for c in "${cities[@]}"; do
        [ -r "${city_osm[$c]}" ] || { log "missing ${city_osm[$c]} (see ../shared/data/SOURCES.md)"; exit 1; }
    done

    # ---- a) build ------------------------------------------------------
    declare -gA b_s b_mib b_net b_osm
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

    # ---- b) isochrones ---------------------------------------------------
    log "isochrones: $n_origins origins, $minutes min, seed $seed_iso"
    "$HH_BENCH/bench_street" "$net" car "$n_origins" "$seed_iso" "$minutes" \
        "$work/origins.csv" >"$work/iso.kv"

    # ---- b2) the CLI call over the same origins, output written ------------
    # one `halfhour isochrone` process with 100 --from: opening the network,
    # snapping, searching, drawing and writing the GeoJSON, default options
    # and the strict polygons side by side, $runs runs each (medians)
    local from_args=() lon lat variant
    while IFS=, read -r _ lon lat; do from_args+=(--from "$lon,$lat"); done < <(tail -n +2 "$work/origins.csv")
    for variant in map strict; do
        local extra=()
        [ "$variant" = strict ] && extra=(--holes all --generalize 0)
        log "isochrone CLI: $n_origins origins in one call, $minutes min car, $variant x$runs"
        timing=$work/iso_cli_$variant.times
        : >"$timing"
        for _ in $(seq "$runs"); do
            timed "$HH_BIN" isochrone "$net" "${from_args[@]}" --mode car --minutes "$minutes" "${extra[@]}" \
                -o "$work/iso_cli_$variant.geojson"
        done
        declare -g "cli_${variant}_s=$(awk '{ print $1 }' "$timing" | median)"
        declare -g "cli_${variant}_bytes=$(stat -c %s "$work/iso_cli_$variant.geojson")"
    done

    # ---- c) matrix -------------------------------------------------------
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

    # ---- c2) the car turn model off, and small cutoffs ------------------------
    # the default build has turn restrictions, barriers and turn costs on; the
    # same network with car.turn_costs=0 (restrictions and barriers stay) shows
    # what the costs add.  Small cutoffs must cost what they reach.
    log "build porto with car.turn_costs=0 x$runs"
    timing=$work/build_flat.times
    : >"$timing"
    for _ in $(seq "$runs"); do
        rm -f "$work/porto_flat.hh"
        timed "$HH_BIN" build "${city_osm[porto]}" -o "$work/porto_flat.hh" --set car.turn_costs=0
    done
    flat_b_s=$(awk '{ print $1 }' "$timing" | median)
    "$HH_BENCH/bench_street" "$work/porto_flat.hh" car "$n_origins" "$seed_iso" "$minutes" >"$work/iso_flat.kv"
    timing=$work/matrix_flat.times
    : >"$timing"
    for _ in $(seq "$runs"); do
        timed "$HH_BIN" matrix "$work/porto_flat.hh" --origins "$work/points.csv" \
            --destinations "$work/points.csv" --mode car --threads "$threads" -o "$work/matrix_flat.csv"
    done
    mx_flat_s=$(awk '{ print $1 }' "$timing" | median)
    log "small cutoffs: 10 min walk, 5 min car"
    "$HH_BENCH/bench_street" "$net" walk "$n_origins" "$seed_iso" 10 >"$work/iso_walk10.kv"
    "$HH_BENCH/bench_street" "$net" car "$n_origins" "$seed_iso" 5 >"$work/iso_car5.kv"
    "$HH_BENCH/bench_street" "$net" walk "$n_origins" "$seed_iso" 30 >"$work/iso_walk30.kv"

    # ---- d) pgRouting ------------------------------------------------------
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
}

street_table() {
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
    printf '%-44s %12s %12s %9s  %-16s %s\n' "what" "halfhour" "pgRouting" "ratio" "target" "verdict"
    printf '%-44s %12s %12s %9s  %-16s %s\n' "----" "--------" "---------" "-----" "------" "-------"
    for c in "${cities[@]}"; do
        tgt_s="" tgt_m="" tgt_f="" v_s="" v_m="" v_f=""
        if [ "$c" = porto ]; then
            tgt_s="<= 4 s";    v_s=$(verdict "${b_s[$c]}" "<=" 4)
            tgt_m="< 191 MiB"; v_m=$(verdict "${b_mib[$c]}" "<" 191)
            tgt_f="< 40 MB";   v_f=$(verdict "${b_net[$c]}" "<" 40000000)
        fi
        row "build $c: wall s" "${b_s[$c]}" "" "" "$tgt_s" "$v_s"
        row "build $c: peak MiB" "$(calc "%.1f" "${b_mib[$c]}")" "" "" "$tgt_m" "$v_m"
        row "build $c: network file MB (OSM $(calc "%.1f" "${b_osm[$c]} / 1e6") MB)" \
            "$(calc "%.2f" "${b_net[$c]} / 1e6")" "" "" "$tgt_f" "$v_f"
    done
    row "isochrone ${minutes} min porto, search median ms" "$s_med" "$dd_med" "$r_iso_s" "< 5 ms; >= 100x" \
        "$(verdict "$s_med" "<" 5) $(verdict "$r_iso_s" ">=" 100)"
    row "isochrone search p90 ms" "$s_p90" "$dd_p90" "" "" ""
    row "isochrone polygon median ms" "$p_med" "-" "" "" ""
    row "isochrone polygon p90 ms" "$p_p90" "-" "" "" ""
    row "isochrone search+polygon median ms" "$t_med" "$dd_med" "$r_iso" "< 5 ms end to end" \
        "$(verdict "$t_med" "<" 5)"
    row "isochrone search+polygon p90 ms" "$t_p90" "$dd_p90" "" "" ""
    row "isochrone polygon, the oracle raster, median ms" "$(ms oracle_median_ms)" "-" \
        "$(calc "%.2fx" "$(kv "$iso" oracle_median_ms) / $(kv "$iso" poly_median_ms)")" "" ""
    row "map polygons (defaults), median ms" "$(ms map_median_ms)" "-" "" "" ""
    row "map isochrone end to end (search+map) median ms" "$(ms e2e_median_ms)" "-" "" "<= 2 ms" \
        "$(verdict "$(kv "$iso" e2e_median_ms)" "<=" 2)"
    row "map isochrone end to end p90 ms" "$(ms e2e_p90_ms)" "-" "" "" ""
    row "map GeoJSON kB/origin median (strict $(kv "$iso" strict_geojson_median_kb))" \
        "$(kv "$iso" map_geojson_median_kb)" "-" "" "<= 50 kB" "$(verdict "$(kv "$iso" map_geojson_median_kb)" "<=" 50)"
    row "map parts / holes per band, median" "$(kv "$iso" map_parts_median) / $(kv "$iso" map_holes_median)" \
        "-" "" "" ""
    row "CLI ${n_origins} origins in one call, ms/origin" "$(calc "%.2f" "$cli_map_s * 1000 / $n_origins")" "-" \
        "" "<= 3 ms" "$(verdict "$(calc "%.3f" "$cli_map_s * 1000 / $n_origins")" "<=" 3)"
    row "  the same, strict polygons, ms/origin" "$(calc "%.2f" "$cli_strict_s * 1000 / $n_origins")" "-" "" "" ""
    row "  GeoJSON kB/origin: map / strict" "$(calc "%.1f" "$cli_map_bytes / 1000 / $n_origins")" \
        "$(calc "%.1f" "$cli_strict_bytes / 1000 / $n_origins")" "" "" ""
    if [ "$n_points" = 1000 ]; then
        row "matrix ${n_points}x${n_points} porto car, wall s" "$mx_s" "$mx_pgr" "$r_mx" "< 2 s; >= 100x" \
            "$(verdict "$mx_s" "<" 2) $(verdict "$r_mx" ">=" 100)"
    else # the 2 s target is for 1000x1000
        row "matrix ${n_points}x${n_points} porto car, wall s" "$mx_s" "$mx_pgr" "$r_mx" ">= 100x" \
            "$(verdict "$r_mx" ">=" 100)"
    fi
    row "matrix peak MiB" "$(calc "%.1f" "$mx_mib")" "" "" "" ""
    row "car turn model on (default) vs off:" "on" "off" "on/off" "" ""
    row "  build porto wall s" "${b_s[porto]}" "$flat_b_s" "$(calc "%.2f" "${b_s[porto]} / $flat_b_s")" "<= 4 s" \
        "$(verdict "${b_s[porto]}" "<=" 4)"
    f_med=$(calc "%.2f" "$(kv "$work/iso_flat.kv" search_median_ms)")
    row "  isochrone ${minutes} min car search median ms" "$s_med" "$f_med" "$(calc "%.2f" "$s_med / $f_med")" \
        "<= 1.5 ms" "$(verdict "$s_med" "<=" 1.5)"
    a_med=$(calc "%.2f" "$(kv "$iso" search_alone_median_ms)")
    fa_med=$(calc "%.2f" "$(kv "$work/iso_flat.kv" search_alone_median_ms)")
    row "    the same searches back to back" "$a_med" "$fa_med" "$(calc "%.2f" "$a_med / $fa_med")" \
        "<= 1.5 ms" "$(verdict "$a_med" "<=" 1.5)"
    row "  matrix ${n_points}x${n_points} car wall s" "$mx_s" "$mx_flat_s" "$(calc "%.2f" "$mx_s / $mx_flat_s")" \
        "<= 0.2 s" "$(verdict "$mx_s" "<=" 0.2)"
    row "small cutoffs (search median ms):" "" "" "" "" ""
    row "  walk 10 min / walk 30 min" "$(calc "%.3f" "$(kv "$work/iso_walk10.kv" search_median_ms)")" \
        "$(calc "%.3f" "$(kv "$work/iso_walk30.kv" search_median_ms)")" "" "" ""
    row "  car 5 min / car ${minutes} min" "$(calc "%.3f" "$(kv "$work/iso_car5.kv" search_median_ms)")" "$s_med" "" "" ""
    row "matrix mean off-diagonal time s (check)" "$mx_mean" "$pgr_mean" "" "" ""
    echo
    echo "isochrone: $n_origins origins snapped within 200 m, median area $(kv "$iso" area_median_km2) km2;"
    echo "  pgRouting column is pgr_drivingDistance(1800 s) from the nearest vertex (no polygon);"
    echo "  it is compared with halfhour's search (the same work: times to every reached"
    echo "  vertex); the polygon step is measured on its own (design.md), and the end-to-end"
    echo "  row holds the full isochrone to the 5 ms target as well."
    echo "  polygon: strict polygons (hh_isochrone_build) from the raster filled straight from the"
    echo "  surface; oracle: the plain sample-cloud raster it is tested against (ratio: oracle/fast);"
    echo "  map: hh_isochrone_build_opts with the defaults (holes filled by the street rule,"
    echo "  simplified by half a raster cell, specks dropped): what the CLI and a map get."
    echo "  CLI: one process, open + snap + search + draw + write GeoJSON, wall s / origins."
    echo "matrix: halfhour CLI wall time incl. loading and writing CSV, --threads $threads;"
    echo "  pgRouting: pgr_dijkstraCostMatrix/pgr_dijkstraCost in-server time, one core."
    [ -n "$pgr_note" ] && echo "  $pgr_note"
    [ "$pgr_ok" = 1 ] && echo "pgRouting $(kv "$work/pgr.kv" pgr_version) on the exported car graph: $(kv "$work/pgr.kv" pgr_edges) edges, $(kv "$work/pgr.kv" pgr_vertices) vertices"
    return 0
}

# ---- transit: e) build with GTFS, f) walk + transit per origin ---------------
# Feeds per city ('|' between them), and a day and first departure each one
# serves: the EPTC sample runs about 11:00-17:00 only; 2016-11-07 is a Monday
# inside the RNV feed's 2016-10-22..2016-12-10.
declare -A tr_gtfs=(
    [poa]="$data/poa/poa_eptc.zip|$data/poa/poa_trensurb.zip"
    [rnv]="$data/rhine-neckar/rnv_gtfs.zip"
)
declare -A tr_date=([poa]=20190513 [rnv]=20161107)
declare -A tr_time=([poa]=12:00 [rnv]=07:00)
declare -A tr_ms_max=([poa]=50 [rnv]=150) # ms per origin-window, one thread
tr_cities=(poa rnv)
tr_speedup_min=1.8 # "linear" to two threads: at least 90 % of 2x

transit_measure() {
    local c f i feeds gtfs_args stops
    for c in "${tr_cities[@]}"; do
        IFS='|' read -ra feeds <<<"${tr_gtfs[$c]}"
        for f in "${city_osm[$c]}" "${feeds[@]}"; do
            [ -r "$f" ] || { log "missing $f (see ../shared/data/SOURCES.md)"; exit 1; }
        done
    done
    if ! command -v unzip >/dev/null; then
        log "installing unzip"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q unzip >&2 ||
            { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q unzip >&2; }
    fi

    declare -gA tb_s tb_mib tb_net tb_in
    for c in "${tr_cities[@]}"; do
        IFS='|' read -ra feeds <<<"${tr_gtfs[$c]}"
        gtfs_args=()
        tb_in[$c]=$(stat -c %s "${city_osm[$c]}")
        for f in "${feeds[@]}"; do
            gtfs_args+=(--gtfs "$f")
            tb_in[$c]=$((tb_in[$c] + $(stat -c %s "$f")))
        done
        log "build $c with ${#feeds[@]} GTFS feed(s) x$runs"
        timing=$work/build_${c}_transit.times
        : >"$timing"
        for _ in $(seq "$runs"); do
            rm -f "$work/${c}_transit.hh"
            timed "$HH_BIN" build "${city_osm[$c]}" "${gtfs_args[@]}" -o "$work/${c}_transit.hh"
        done
        tb_s[$c]=$(awk '{ print $1 }' "$timing" | median)
        tb_mib[$c]=$(awk '{ print $2 / 1024 }' "$timing" | median)
        tb_net[$c]=$(stat -c %s "$work/${c}_transit.hh")
    done

    for c in "${tr_cities[@]}"; do
        # the feeds' stops, where origins and destinations are drawn; the
        # header is renamed so hh_points_read finds lon/lat (and no id column)
        IFS='|' read -ra feeds <<<"${tr_gtfs[$c]}"
        stops=()
        i=0
        for f in "${feeds[@]}"; do
            i=$((i + 1))
            unzip -p "$f" stops.txt | sed '1s/^\xEF\xBB\xBF//; 1s/\r$//
                1s/\bstop_lon\b/lon/; 1s/\bstop_lat\b/lat/; 1s/\bstop_id\b/stop_ref/' \
                >"$work/stops_${c}_$i.csv"
            stops+=("$work/stops_${c}_$i.csv")
        done
        log "transit $c: $n_tr_origins origins to $n_tr_targets targets and to every vertex," \
            "${tr_date[$c]} ${tr_time[$c]} + 60 min, 1 then 2 threads, seed $seed_transit"
        "$HH_BENCH/bench_transit" "$work/${c}_transit.hh" "${tr_date[$c]}" "${tr_time[$c]}" \
            "$n_tr_origins" "$n_tr_targets" "$seed_transit" "${stops[@]}" >"$work/transit_$c.kv"
    done
}

transit_table() {
    local c k v what date tgt_s tgt_m v_s v_m
    echo
    printf '%-44s %12s %12s %9s  %-16s %s\n' "transit (walk + transit)" "1 thread" "2 threads" "speed-up" "target" "verdict"
    printf '%-44s %12s %12s %9s  %-16s %s\n' "----" "--------" "---------" "--------" "------" "-------"
    for c in "${tr_cities[@]}"; do
        tgt_s="" tgt_m="" v_s="" v_m=""
        if [ "$c" = rnv ]; then
            tgt_s="< 10 s";     v_s=$(verdict "${tb_s[$c]}" "<" 10)
            tgt_m="< 1024 MiB"; v_m=$(verdict "${tb_mib[$c]}" "<" 1024)
        fi
        row "build $c + GTFS: wall s" "${tb_s[$c]}" "" "" "$tgt_s" "$v_s"
        row "build $c + GTFS: peak MiB" "$(calc "%.1f" "${tb_mib[$c]}")" "" "" "$tgt_m" "$v_m"
        row "build $c + GTFS: file MB (inputs $(calc "%.1f" "${tb_in[$c]} / 1e6") MB)" \
            "$(calc "%.2f" "${tb_net[$c]} / 1e6")" "" "" "" ""
    done
    for c in "${tr_cities[@]}"; do
        k=$work/transit_$c.kv
        date=${tr_date[$c]}
        row "$c ${date:0:4}-${date:4:2}-${date:6:2} ${tr_time[$c]} +60 min: prepare ms" \
            "$(calc "%.2f" "$(kv "$k" prepare_median_ms)")" "" "" "" ""
        for v in targets all; do
            if [ "$v" = targets ]; then what="$c, $(kv "$k" targets) targets"
            else what="$c, all $(kv "$k" vertices) vertices"; fi
            row "$what: ms/origin median" "$(calc "%.2f" "$(kv "$k" ${v}_1t_median_ms)")" \
                "$(calc "%.2f" "$(kv "$k" ${v}_2t_median_ms)")" "" "<= ${tr_ms_max[$c]} ms" \
                "$(verdict "$(kv "$k" ${v}_1t_median_ms)" "<=" "${tr_ms_max[$c]}")"
            row "$what: ms/origin p90" "$(calc "%.2f" "$(kv "$k" ${v}_1t_p90_ms)")" "" "" "" ""
            row "$what: batch wall s" "$(calc "%.2f" "$(kv "$k" ${v}_1t_wall_s)")" \
                "$(calc "%.2f" "$(kv "$k" ${v}_2t_wall_s)")" "$(calc "%.2fx" "$(kv "$k" ${v}_speedup)")" \
                ">= ${tr_speedup_min}x" "$(verdict "$(kv "$k" ${v}_speedup)" ">=" "$tr_speedup_min")"
            row "$what: cores used" "$(kv "$k" ${v}_1t_cores)" "$(kv "$k" ${v}_2t_cores)" "" "" ""
        done
        row "$c isochrone $(kv "$k" iso_minutes) min p50, end to end ms" "$(calc "%.2f" "$(kv "$k" iso_e2e_median_ms)")" \
            "" "" "<= 30 ms" "$(verdict "$(kv "$k" iso_e2e_median_ms)" "<=" 30)"
        row "  query / p50 surface / polygons, median ms" "$(calc "%.2f" "$(kv "$k" iso_query_median_ms)") / $(calc "%.2f" "$(kv "$k" iso_percentile_median_ms)")" \
            "$(calc "%.2f" "$(kv "$k" iso_poly_median_ms)")" "" "" ""
    done
    echo
    echo "transit: one hh_transit_query_run per origin for 60 departure minutes (1 draw), access and"
    echo "  egress walk <= 15 min, <= 8 rides, limit 120 min; $n_tr_origins origins (seed $seed_transit) and the"
    echo "  targets (seed $((seed_transit + 1))) drawn within 500 m of linked stops, snapped to walk within 200 m."
    echo "  2 threads: each its own hh_transit_query over half the origins, one shared hh_transit;"
    echo "  speed-up = batch wall 1 thread / 2 threads; cores used = process CPU time / wall over the"
    echo "  batch (near 1.0 on 2 threads: the other core was busy elsewhere).  prepare: median of 3."
    for c in "${tr_cities[@]}"; do
        k=$work/transit_$c.kv
        echo "check $c: $(kv "$k" check_pairs) pairs (first 50 origins x first 50 targets), $(kv "$k" check_reached_pct) % reached at p50;"
        echo "  p50 median $(kv "$k" check_p50_median_min) min (p90 $(kv "$k" check_p50_p90_min)) over $(kv "$k" check_crow_median_km) km straight line;" \
            "walk alone $(kv "$k" check_walk_median_min) min"
        echo "  door-to-door speed median $(kv "$k" check_speed_median_kmh) km/h, max $(kv "$k" check_speed_max_kmh);" \
            "p90-p10 spread $(kv "$k" check_spread_p90_p10_median_min) min; faster than walking $(kv "$k" check_faster_than_walk_pct) %"
        echo "  hh_transit_matrix_run (2 threads) vs per-origin query: $(kv "$k" check_matrix_mismatch) of" \
            "$(kv "$k" check_matrix_compared) differ by > 1 s; stops linked $(kv "$k" stops_linked)/$(kv "$k" stops_read);" \
            "bench peak RSS $(kv "$k" peak_rss_mib) MiB"
    done
}

# ---- read: g) the OSM reader alone (hh__osm_read), ours and optionally a base -----
read_cities=(porto rnv)
read_measure() {
    local c i
    for c in "${read_cities[@]}"; do
        [ -r "${city_osm[$c]}" ] || { log "missing ${city_osm[$c]} (see ../shared/data/SOURCES.md)"; exit 1; }
        log "read $c x$read_runs${read_base:+, in turn with $read_base}"
        : >"$work/read_$c.ms"
        : >"$work/read_${c}_base.ms"
        # one run at a time, alternating, so that both see the same load
        for i in $(seq "$read_runs"); do
            "$HH_BENCH/bench_osm" "${city_osm[$c]}" 1 >"$work/read_$c.kv"
            kv "$work/read_$c.kv" read_median_ms >>"$work/read_$c.ms"
            if [ -n "$read_base" ]; then
                "$read_base" "${city_osm[$c]}" 1 >"$work/read_${c}_base.kv"
                kv "$work/read_${c}_base.kv" read_median_ms >>"$work/read_${c}_base.ms"
            fi
        done
    done
}

read_table() {
    local c ours base
    echo
    printf '%-44s %12s %12s %9s  %-16s %s\n' "OSM read (hh__osm_read)" "halfhour" "base" "ratio" "target" "verdict"
    printf '%-44s %12s %12s %9s  %-16s %s\n' "----" "--------" "----" "-----" "------" "-------"
    for c in "${read_cities[@]}"; do
        ours=$(median <"$work/read_$c.ms")
        base=n/a r=n/a v=""
        if [ -n "$read_base" ]; then
            base=$(median <"$work/read_${c}_base.ms")
            r=$(calc "%.2f" "$base / $ours")
            v=$(verdict "$r" ">=" 1.5)
        fi
        row "read $c ($(calc "%.1f" "$(stat -c %s "${city_osm[$c]}") / 1e6") MB PBF): median ms" \
            "$(calc "%.1f" "$ours")" "$base" "${r}${read_base:+x}" "${read_base:+>= 1.5x base}" "$v"
    done
    echo
    echo "read: hh__osm_read alone (decode, profile, restrictions, areas), $read_runs runs each after a"
    echo "  warm-up read, $(nproc) cores${OSMIUM_POOL_THREADS:+, OSMIUM_POOL_THREADS=$OSMIUM_POOL_THREADS};" \
        "${read_base:+base = $read_base, timed in turn; }ratio = base / halfhour"
}

# 10 000 job points drawn with seed_access in the bbox of network $1 (CSV on stdout)
porto_jobs() {
    python3 - "$1" "$HH_BIN" "$seed_access" <<'PY'
import json, random, subprocess, sys
bbox = json.loads(subprocess.check_output([sys.argv[2], "info", "--json", sys.argv[1]]))["bbox"]
r = random.Random(int(sys.argv[3]))
print("lon,lat,jobs")
for _ in range(10000):
    print("%.7f,%.7f,%d" % (r.uniform(bbox[0], bbox[2]), r.uniform(bbox[1], bbox[3]), r.randint(1, 50)))
PY
}

# ---- access grids ------------------------------------------------------------
# poa: the 250 m grid, transit, 60-minute window, percentiles 25/50/75, jobs
# and healthcare (the hexagons' layers), cutoffs 15/30/45; porto: the 250 m
# grid by car to 10 000 job points drawn with a fixed seed in its bbox,
# cutoffs 10/20/30.  Whole processes, two threads.
access_measure() {
    local f
    for f in "${city_osm[poa]}" "${city_osm[porto]}" "$data/poa/poa_hexgrid.csv" "$data/poa/poa_eptc.zip" \
        "$data/poa/poa_trensurb.zip"; do
        [ -r "$f" ] || { log "missing $f (see ../shared/data/SOURCES.md)"; exit 1; }
    done
    log "access: building poa (with transit and the hexagons) and porto"
    "$HH_BIN" build "${city_osm[poa]}" --gtfs "$data/poa/poa_eptc.zip" --gtfs "$data/poa/poa_trensurb.zip" \
        --opportunities "$data/poa/poa_hexgrid.csv" -o "$work/acc_poa.hh" -q
    "$HH_BIN" build "${city_osm[porto]}" -o "$work/acc_porto.hh" -q
    porto_jobs "$work/acc_porto.hh" >"$work/acc_porto_jobs.csv"
    local i timing
    for i in $(seq "$access_runs"); do
        log "access poa transit grid, run $i/$access_runs"
        timing=$work/acc_poa.t
        [ "$i" = 1 ] && : >"$timing"
        timed "$HH_BIN" access "$work/acc_poa.hh" --grid 250 --mode transit --depart 2019-05-13T12:00 \
            --window 60 --percentiles 25,50,75 --opportunities jobs,healthcare --minutes 15,30,45 \
            --threads "$threads" -o "$work/acc_poa.tif"
        sed -n 's/.*access for \([0-9]*\) grid cells (\([0-9]*\) snapped).*/\1 \2/p' "$work/last.err" >"$work/acc_poa.cells"
        log "access porto car grid, run $i/$access_runs"
        timing=$work/acc_porto.t
        [ "$i" = 1 ] && : >"$timing"
        timed "$HH_BIN" access "$work/acc_porto.hh" --grid 250 --mode car --minutes 10,20,30 \
            --opportunities-file "$work/acc_porto_jobs.csv" --opportunities jobs --threads "$threads" \
            -o "$work/acc_porto.tif"
        sed -n 's/.*access for \([0-9]*\) grid cells (\([0-9]*\) snapped).*/\1 \2/p' "$work/last.err" >"$work/acc_porto.cells"
        log "report poa (3 centres, car and transit, 30 min), run $i/$access_runs"
        timing=$work/rep_poa.t
        [ "$i" = 1 ] && : >"$timing"
        timed "$HH_BIN" report "$work/acc_poa.hh" --centres "$root/regions/porto-alegre/centres.csv" --minutes 30 \
            --modes car,transit --depart 2019-05-13T12:00 --window 60 --threads "$threads" -o "$work/rep_poa"
    done
}

access_table() {
    local c s cells snapped limit what
    echo
    row "access grids (whole process, $threads threads)" "seconds" "cells" "s/1000" "target" "verdict"
    row "----" "-------" "-----" "------" "------" "-------"
    for c in poa porto; do
        s=$(cut -d" " -f1 <"$work/acc_$c.t" | median)
        read -r cells snapped <"$work/acc_$c.cells"
        if [ $c = poa ]; then limit=30 what="poa 250 m transit, 60-min window, 3 pct"
        else limit=10 what="porto 250 m car, 10 000 job points"; fi
        row "$what" "$(calc "%.2f" "$s")" "$snapped/$cells" "$(calc "%.2f" "$s * 1000 / $snapped")" \
            "<= $limit s" "$(verdict "$s" "<=" "$limit")"
    done
    s=$(cut -d" " -f1 <"$work/rep_poa.t" | median)
    row "report poa: 3 centres, car + transit, 30 min" "$(calc "%.2f" "$s")" "" "" "<= 5 s" "$(verdict "$s" "<=" 5)"
    echo
    echo "access: medians of $access_runs runs; cells = origins snapped / grid cells; s/1000 = seconds per"
    echo "  1000 snapped origins (the whole process: open, snap, searches, GeoTIFF)"
}

# ---- siting -------------------------------------------------------------------
# poa with the hexagons as layers; demand = their population, candidates =
# 1,000 hexagons drawn with a fixed seed, k = 10, walking 15 minutes, greedy
# (the default) and --exact (GLPK) for comparison.  Whole processes, two threads.
site_measure() {
    local f i timing
    for f in "${city_osm[poa]}" "$data/poa/poa_hexgrid.csv"; do
        [ -r "$f" ] || { log "missing $f (see ../shared/data/SOURCES.md)"; exit 1; }
    done
    log "site: building poa with the hexagons"
    "$HH_BIN" build "${city_osm[poa]}" --opportunities "$data/poa/poa_hexgrid.csv" -o "$work/site_poa.hh" -q
    python3 - "$data/poa/poa_hexgrid.csv" "$seed_site" >"$work/site_candidates.csv" <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = random.Random(int(sys.argv[2]))
print("id,lon,lat")
for i in sorted(r.sample(range(len(rows)), 1000)):
    print("%s,%s,%s" % (rows[i]["id"], rows[i]["lon"], rows[i]["lat"]))
PY
    : >"$work/site_greedy.t"
    : >"$work/site_exact.t"
    for i in $(seq "$site_runs"); do
        log "site k=10 of 1000 candidates, walk 15 min, run $i/$site_runs"
        timing=$work/site_greedy.t
        timed "$HH_BIN" site "$work/site_poa.hh" --mode walk --minutes 15 --demand population \
            --candidates "$work/site_candidates.csv" --k 10 --threads "$threads" -o "$work/site_greedy.csv"
        cp "$work/last.err" "$work/site_greedy.err"
        timing=$work/site_exact.t
        timed "$HH_BIN" site "$work/site_poa.hh" --mode walk --minutes 15 --demand population \
            --candidates "$work/site_candidates.csv" --k 10 --exact --time-limit 60 --threads "$threads" \
            -o "$work/site_exact.csv"
        cp "$work/last.err" "$work/site_exact.err"
    done
}

site_table() {
    local sg se cg ce
    sg=$(cut -d" " -f1 <"$work/site_greedy.t" | median)
    se=$(cut -d" " -f1 <"$work/site_exact.t" | median)
    cg=$(sed -n 's/.*after [0-9.e+]* (\([0-9.]*\) %).*/\1 %/p' "$work/site_greedy.err" | head -n 1)
    ce=$(sed -n 's/.*after [0-9.e+]* (\([0-9.]*\) %).*/\1 %/p' "$work/site_exact.err" | head -n 1)
    echo
    row "siting (whole process, $threads threads)" "seconds" "covered" "" "target" "verdict"
    row "----" "-------" "-------" "" "------" "-------"
    row "site k=10 of 1000 poa hexagons, walk 15 min" "$(calc "%.2f" "$sg")" "$cg" "" "<= 5 s" "$(verdict "$sg" "<=" 5)"
    row "  the same --exact (GLPK)" "$(calc "%.2f" "$se")" "$ce" "" "" ""
    echo
    echo "site: medians of $site_runs runs of the whole CLI (open, snap, coverage from 1,124 demand hexagons"
    echo "  to 1,000 candidates, greedy or the MILP, CSV); covered = share of the population within"
    echo "  15 min of a chosen site; exact: $(sed -n 's/.*\(exact (GLPK): [^,]*, gap [^,]*\).*/\1/p' "$work/site_exact.err" | head -n 1)"
}

# ---- scenario: applying a change against building from the sources -------------
# In turn, run after run (so load shifts hit both sides alike): the full
# build of porto, `scenario` with one add-street (a bridge over the Douro,
# both ends joined mid-edge: every mode's hierarchy updated); the full build
# of poa with its two feeds, `scenario` with one add-line (an express
# across the city, 6 new stops, a frequency-based route both ways); then a
# transit access grid of poa (500 m, jobs 30 min, p50, window 10) with
# --compare against the same grid run plainly on each file.
scenario_measure() {
    local poa_feeds=("--gtfs" "$data/poa/poa_eptc.zip" "--gtfs" "$data/poa/poa_trensurb.zip")
    cat >"$work/scen_bridge.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[-8.5905,41.1420],[-8.5905,41.1385]]},"properties":{"type":"add-street","name":"Ponte nova","modes":["car","bike","walk"],"highway":"primary","tolerance_m":300}}]}
JSON
    cat >"$work/scen_express.geojson" <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[-51.2278,-30.0290],[-51.2100,-30.0330],[-51.1950,-30.0420],[-51.1800,-30.0520],[-51.1650,-30.0650],[-51.1500,-30.0800]]},"properties":{"type":"add-line","name":"Express 1","mode":"bus","headway_min":5,"speed_kmh":40,"dwell_s":20,"start":"06:00","end":"22:00","bidirectional":true}}]}
JSON
    local t
    for t in scen_porto_build scen_porto_apply scen_poa_build scen_poa_apply scen_cmp scen_plain; do
        : >"$work/$t.t"
    done
    for i in $(seq "$scen_runs"); do
        log "scenario run $i/$scen_runs: porto build, add-street; poa build, add-line; access --compare"
        timing=$work/scen_porto_build.t
        timed "$HH_BIN" build "${city_osm[porto]}" -o "$work/scen_porto.hh"
        timing=$work/scen_porto_apply.t
        timed "$HH_BIN" scenario "$work/scen_porto.hh" --change "$work/scen_bridge.geojson" -o "$work/scen_porto_new.hh"
        cp "$work/last.err" "$work/scen_porto.err"
        timing=$work/scen_poa_build.t
        timed "$HH_BIN" build "${city_osm[poa]}" "${poa_feeds[@]}" --opportunities "$data/poa/poa_hexgrid.csv" \
            -o "$work/scen_poa.hh"
        timing=$work/scen_poa_apply.t
        timed "$HH_BIN" scenario "$work/scen_poa.hh" --change "$work/scen_express.geojson" -o "$work/scen_poa_new.hh"
        cp "$work/last.err" "$work/scen_poa.err"
        local acc=(--grid 500 --mode transit --depart 2019-05-13T12:00 --window 10 --opportunities jobs --minutes 30
                   --threads "$threads")
        timing=$work/scen_cmp.t
        timed "$HH_BIN" access "$work/scen_poa_new.hh" "${acc[@]}" --compare "$work/scen_poa.hh" -o "$work/scen_cmp.csv"
        timing=$work/scen_plain.t
        timed "$HH_BIN" access "$work/scen_poa.hh" "${acc[@]}" -o "$work/scen_plain_base.csv"
        timed "$HH_BIN" access "$work/scen_poa_new.hh" "${acc[@]}" -o "$work/scen_plain_new.csv"
    done
}

scenario_table() {
    local pb pa qb qa cm pl
    pb=$(cut -d" " -f1 <"$work/scen_porto_build.t" | median)
    pa=$(cut -d" " -f1 <"$work/scen_porto_apply.t" | median)
    qb=$(cut -d" " -f1 <"$work/scen_poa_build.t" | median)
    qa=$(cut -d" " -f1 <"$work/scen_poa_apply.t" | median)
    cm=$(cut -d" " -f1 <"$work/scen_cmp.t" | median)
    # the two plain runs of a round, added up
    pl=$(awk 'NR % 2 { a = $1; next } { print a + $1 }' "$work/scen_plain.t" | median)
    local rp rq rc
    rp=$(calc "%.3f" "$pa / $pb"); rq=$(calc "%.3f" "$qa / $qb"); rc=$(calc "%.3f" "$cm / $pl")
    echo
    row "scenario (whole process)" "scenario s" "build s" "ratio" "target" "verdict"
    row "----" "----------" "-------" "-----" "------" "-------"
    row "porto: add-street (bridge) vs build" "$(calc "%.2f" "$pa")" "$(calc "%.2f" "$pb")" "$rp" "< 0.25" \
        "$(verdict "$rp" "<" 0.25)"
    row "poa + 2 feeds: add-line (express) vs build" "$(calc "%.2f" "$qa")" "$(calc "%.2f" "$qb")" "$rq" "< 0.25" \
        "$(verdict "$rq" "<" 0.25)"
    row "access --compare vs two plain runs" "$(calc "%.2f" "$cm")" "$(calc "%.2f" "$pl")" "$rc" "<= 1" \
        "$(verdict "$rc" "<=" 1)"
    echo
    echo "scenario: medians of $scen_runs rounds, each timing in turn the build, the scenario of it and the"
    echo "  access runs (500 m grid of poa, transit p50, jobs 30 min, window 10) on $threads threads; the last"
    echo "  column of the compare row is the two plain runs (base, scenario) added up."
    echo "  $(grep 'speed-up index' "$work/scen_porto.err" | sed 's/^ *//') (porto)"
    echo "  $(grep 'transit:' "$work/scen_poa.err" | sed 's/^ *//') (poa)"
}

# ---- serve: halfhour serve under wrk -------------------------------------------
# The server on loopback (--threads 2), wrk with $serve_conns connections
# for $serve_seconds s per workload, POST bodies cycling through 200
# fixed-seed origins: porto car isochrones of 30 minutes, poa transit
# isochrones (30 minutes, depart 2019-05-13 12:00, 60-minute window, p50).
# wrk runs on the same two cores, so the server has less than two.
serve_measure() {
    local f c
    for f in "${city_osm[poa]}" "${city_osm[porto]}" "$data/poa/poa_eptc.zip" "$data/poa/poa_trensurb.zip"; do
        [ -r "$f" ] || { log "missing $f (see ../shared/data/SOURCES.md)"; exit 1; }
    done
    command -v wrk >/dev/null || { log "wrk is missing (scripts/deps.sh installs it)"; exit 1; }
    log "serve: building porto and poa (with transit)"
    "$HH_BIN" build "${city_osm[porto]}" -o "$work/srv_porto.hh" -q
    "$HH_BIN" build "${city_osm[poa]}" --gtfs "$data/poa/poa_eptc.zip" --gtfs "$data/poa/poa_trensurb.zip" \
        -o "$work/srv_poa.hh" -q
    "$HH_BENCH/bench_street" --points "$work/srv_porto.hh" car 200 "$seed_serve" "$work/srv_porto_o.csv" >"$work/srv_porto_o.kv"
    "$HH_BENCH/bench_street" --points "$work/srv_poa.hh" walk 200 $((seed_serve + 1)) "$work/srv_poa_o.csv" >"$work/srv_poa_o.kv"
    for c in porto poa; do
        python3 - "$work/srv_${c}_o.csv" "$c" >"$work/srv_$c.lua" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
if sys.argv[2] == "porto":
    extra = {"costing": "auto", "contours": [{"time": 30}]}
else:
    extra = {"costing": "multimodal", "contours": [{"time": 30}], "depart": "2019-05-13T12:00", "window": 60,
             "percentile": 50}
print("local bodies = {")
for r in rows:
    b = dict(extra, locations=[{"lon": float(r["lon"]), "lat": float(r["lat"])}])
    print("  %s," % json.dumps(json.dumps(b)))
print("}")
print("""local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/isochrone", {["Content-Type"] = "application/json"}, bodies[i])
end""")
PY
        log "serve $c: wrk -c $serve_conns -d ${serve_seconds}s"
        "$HH_BIN" serve "$work/srv_$c.hh" --port 0 --threads "$threads" >"$work/srv_$c.out" 2>"$work/srv_$c.err" &
        local pid=$! port="" k
        for k in $(seq 100); do
            port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$work/srv_$c.out")
            [ -n "$port" ] && break
            sleep 0.1
        done
        [ -n "$port" ] || { log "serve $c did not start"; cat "$work/srv_$c.err" >&2; kill "$pid"; exit 1; }
        # warm-up: every origin once (the transit day is prepared on the first)
        wrk -t 2 -c 2 -d 3s -s "$work/srv_$c.lua" "http://127.0.0.1:$port/" >"$work/srv_${c}_warm.wrk"
        local rss0 rss1
        rss0=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status")
        wrk -t 2 -c "$serve_conns" -d "${serve_seconds}s" --timeout 30s --latency -s "$work/srv_$c.lua" \
            "http://127.0.0.1:$port/" >"$work/srv_$c.wrk"
        rss1=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status")
        kill -TERM "$pid"
        wait "$pid" || { log "serve $c did not stop cleanly"; exit 1; }
        {
            echo "rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$work/srv_$c.wrk")"
            echo "requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/srv_$c.wrk")"
            echo "p50=$(awk '$1 == "50%" { print $2 }' "$work/srv_$c.wrk")"
            echo "p99=$(awk '$1 == "99%" { print $2 }' "$work/srv_$c.wrk")"
            echo "non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$work/srv_$c.wrk")"
            echo "sockerr=$(sed -n 's/.*Socket errors: *\(.*\)/\1/p' "$work/srv_$c.wrk")"
            echo "rss0=$rss0"
            echo "rss1=$rss1"
        } >"$work/srv_$c.kv"
    done
}

# wrk prints latencies as 1.23ms / 456.00us / 1.02s: to milliseconds
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0;
    else if (v ~ /s$/) printf "%.2f", v * 1000; else print "n/a" }'; }

serve_table() {
    local c k what tr tp rps p50 p99 errs
    echo
    row "halfhour serve, wrk -c $serve_conns, ${serve_seconds} s" "req/s" "p50 ms" "p99 ms" "target" "verdict"
    row "----" "-----" "------" "------" "------" "-------"
    for c in porto poa; do
        k=$work/srv_$c.kv
        rps=$(kv "$k" rps); p50=$(to_ms "$(kv "$k" p50)"); p99=$(to_ms "$(kv "$k" p99)")
        errs=$(kv "$k" non2xx)
        errs=${errs:-0}
        if [ $c = porto ]; then
            what="porto car isochrone 30 min"; tr=">= 1000/s, p99 <= 20"
            tp="$(verdict "$rps" ">=" 1000) $(verdict "$p99" "<=" 20)"
        else
            what="poa transit isochrone 30 min (p50, 60-min window)"; tr=">= 50/s"; tp=$(verdict "$rps" ">=" 50)
        fi
        row "$what" "$rps" "$p50" "$p99" "$tr" "$tp"
        row "  failed (non-2xx; socket errors)" "$errs" "" "" "0" "$( [ "$errs" = 0 ] && [ -z "$(kv "$k" sockerr)" ] && echo PASS || echo MISS) $(kv "$k" sockerr)"
        row "  server RSS MiB before / after" "$(calc "%.1f" "$(kv "$k" rss0) / 1024")" "$(calc "%.1f" "$(kv "$k" rss1) / 1024")" "" "" ""
    done
    echo
    echo "serve: halfhour serve --threads $threads on loopback; wrk -t 2 -c $serve_conns (it shares the two cores);"
    echo "  200 origins (seed $seed_serve porto, $((seed_serve + 1)) poa) cycled; after a 3 s warm-up; RSS from /proc."
    echo "  For scale: Valhalla answered one 30-minute car isochrone here in about 200 ms."
}

# ---- python: the Python package against the CLI -------------------------------
# The street part's 1000 x 1000 car matrix on porto (same points, seed
# $seed_matrix, 2 threads) through Python (travel_time_matrix: a DataFrame)
# and through the CLI (CSV), runs alternating so both see the same load;
# then the Porto Alegre transit matrix of the 1,227 hexagons to themselves
# (60-minute window, percentiles 5, 50, 95, 2 threads) from Python, and the
# CLI's once beside it.  Debian's /usr/bin/python3 (scripts/deps.sh
# installs its packages), the package from the source tree and the
# libhalfhour.so beside HH_BIN.
python_measure() {
    local f i
    for f in "${city_osm[porto]}" "${city_osm[poa]}" "$data/poa/poa_hexgrid.csv" "$data/poa/poa_eptc.zip" \
        "$data/poa/poa_trensurb.zip"; do
        [ -r "$f" ] || { log "missing $f (see ../shared/data/SOURCES.md)"; exit 1; }
    done
    py_lib=$(dirname "$HH_BIN")/libhalfhour.so
    [ -r "$py_lib" ] || { log "missing $py_lib (make builds it)"; exit 1; }
    [ -r "$work/porto.hh" ] || { log "python: building porto"; "$HH_BIN" build "${city_osm[porto]}" -o "$work/porto.hh" -q; }
    [ -r "$work/points.csv" ] || "$HH_BENCH/bench_street" --points "$work/porto.hh" car "$n_points" "$seed_matrix" \
        "$work/points.csv" >"$work/points.kv"
    : >"$work/py_car.t"
    : >"$work/py_cli.t"
    : >"$work/py_first.s"
    : >"$work/py_warm.s"
    : >"$work/py_total.s"
    for i in $(seq "$py_runs"); do
        log "python: ${n_points}x$n_points car matrix on porto, Python then CLI, run $i/$py_runs"
        timing=$work/py_car.t
        timed env PYTHONPATH="$root/bindings/python" HALFHOUR_LIB="$py_lib" /usr/bin/python3 \
            "$root/bench/bench_python.py" car "$work/porto.hh" "$work/points.csv"
        cp "$work/last.out" "$work/py_car.kv"
        kv "$work/py_car.kv" first_s >>"$work/py_first.s"
        kv "$work/py_car.kv" warm_s >>"$work/py_warm.s"
        kv "$work/py_car.kv" total_s >>"$work/py_total.s"
        timing=$work/py_cli.t
        timed "$HH_BIN" matrix "$work/porto.hh" --origins "$work/points.csv" --destinations "$work/points.csv" \
            --mode car --threads "$threads" -o "$work/py_cli.csv"
    done
    py_cli_sum=$(awk -F, 'NR > 1 && $3 != "" { s += $3; n++ } END { printf "%.0f %d", s, n }' "$work/py_cli.csv")
    log "python: building poa with both feeds; the 1,227 hexagons' transit matrix from Python, then the CLI's"
    "$HH_BIN" build "${city_osm[poa]}" --gtfs "$data/poa/poa_eptc.zip" --gtfs "$data/poa/poa_trensurb.zip" \
        -o "$work/py_poa.hh" -q
    timing=$work/py_tr.t
    : >"$timing"
    timed env PYTHONPATH="$root/bindings/python" HALFHOUR_LIB="$py_lib" /usr/bin/python3 \
        "$root/bench/bench_python.py" transit "$work/py_poa.hh" "$data/poa/poa_hexgrid.csv"
    cp "$work/last.out" "$work/py_tr.kv"
    timing=$work/py_tr_cli.t
    : >"$timing"
    timed "$HH_BIN" matrix "$work/py_poa.hh" --origins "$data/poa/poa_hexgrid.csv" \
        --destinations "$data/poa/poa_hexgrid.csv" --mode transit --depart 2019-05-13T12:00 --window 60 \
        --percentiles 5,50,95 --threads "$threads" -o "$work/py_tr_cli.csv"
}

python_table() {
    local py cli first warm tr trc
    py=$(median <"$work/py_total.s")
    cli=$(cut -d" " -f1 <"$work/py_cli.t" | median)
    first=$(median <"$work/py_first.s")
    warm=$(median <"$work/py_warm.s")
    tr=$(cut -d" " -f1 <"$work/py_tr.t")
    trc=$(cut -d" " -f1 <"$work/py_tr_cli.t")
    echo
    row "python package ($threads threads)" "Python s" "CLI s" "ratio" "target" "verdict"
    row "----" "--------" "-----" "-----" "------" "-------"
    row "porto ${n_points}x$n_points car: call, warm process" "$(calc "%.2f" "$warm")" "$(calc "%.2f" "$cli")" \
        "$(calc "%.3fx" "$warm / $cli")" "<= 1.10x" "$(verdict "$(calc "%.3f" "$warm / $cli")" "<=" 1.10)"
    row "  the first call (pandas warm, file cold)" "$(calc "%.2f" "$first")" "$(calc "%.2f" "$cli")" \
        "$(calc "%.3fx" "$first / $cli")" "" ""
    row "  process to the first result (imports)" "$(calc "%.2f" "$py")" "$(calc "%.2f" "$cli")" \
        "$(calc "%.3fx" "$py / $cli")" "" ""
    row "poa 1227x1227 transit, 60 min, 3 pct" "$(calc "%.2f" "$tr")" "$(calc "%.2f" "$trc")" \
        "$(calc "%.3fx" "$tr / $trc")" "" ""
    echo
    echo "python: medians of $py_runs alternating runs (transit: one each, whole processes); the CLI is its whole process,"
    echo "  writing the CSV; Python's call = travel_time_matrix returning the DataFrame (points read,"
    echo "  snapping, search), warm = the median of 3 more calls in the process; to the first result ="
    echo "  from the script's first line: importing halfhour, numpy, pandas, cffi ($(kv "$work/py_car.kv" import_s) s), opening, the first call."
    echo "  Check: Python $(kv "$work/py_car.kv" reached) reached pairs, rounded seconds summed" \
        "$(kv "$work/py_car.kv" sum_rounded_s); CLI $(echo "$py_cli_sum" | cut -d" " -f2) pairs, $(echo "$py_cli_sum" | cut -d" " -f1)."
    echo "  transit: $(kv "$work/py_tr.kv" pairs) pairs, $(kv "$work/py_tr.kv" reached) reached at p50; Python's call alone $(calc "%.2f" "$(kv "$work/py_tr.kv" first_s)") s."
}

# ---- scale: cost curves over synthetic regions ----------------------------------
# tests/tools/synth_region writes a region of about N vertices (a jittered
# grid with a road hierarchy, one-ways, turn restrictions) and a bus GTFS on
# it; `halfhour build` reads both (the real build, timed with its peak RSS);
# bench_scale opens the file, times the car isochrone and the one-to-all
# search and writes a sample of the 250 m grid's cells and job points; then
# `halfhour access` by car (30 minutes) over the sample, extrapolated to the
# whole grid.  One run per size (the large ones take minutes).
scale_measure() {
    local tools sizes n f
    tools=$(dirname "$HH_BIN")/tools
    [ -x "$tools/synth_region" ] || { log "missing $tools/synth_region (make builds it)"; exit 1; }
    sizes=$scale_sizes
    [ "$scale_big" = 1 ] && sizes="$sizes 10000000"
    printf 'vertices\tbuild_s\tpeak_mib\tfile_mb\topen_ms\tiso_ms\tone_to_all_ms\taccess_s_per_10k\n' >"$work/scale.tsv"
    for n in $sizes; do
        f=$work/scale_$n
        log "scale: generating a region of $n vertices"
        "$tools/synth_region" --vertices "$n" --seed "$seed_scale" -o "$f.osm.pbf" --gtfs "$f.zip" 2>"$f.gen"
        log "scale: building it (nice -n 10)"
        timing=$f.build.t
        : >"$timing"
        timed nice -n 10 "$HH_BIN" build "$f.osm.pbf" --gtfs "$f.zip" -o "$f.hh"
        cp "$work/last.err" "$f.build.log"
        "$HH_BIN" verify "$f.hh" >"$f.verify"
        "$HH_BENCH/bench_scale" "$f.hh" 100 "$seed_scale" "$f.origins.csv" "$f.jobs.csv" "$scale_sample" >"$f.kv"
        timing=$f.access.t
        : >"$timing"
        log "scale: car access over $(kv "$f.kv" sample) sampled cells"
        timed "$HH_BIN" access "$f.hh" --mode car --origins "$f.origins.csv" --opportunities-file "$f.jobs.csv" \
            --opportunities jobs --minutes 30 --threads "$threads" -o "$f.access.csv"
        read -r bs bk <"$f.build.t"
        as=$(cut -d" " -f1 <"$f.access.t")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(kv "$f.kv" vertices)" "$bs" "$(calc "%.1f" "$bk / 1024")" \
            "$(calc "%.1f" "$(kv "$f.kv" file_bytes) / 1e6")" "$(kv "$f.kv" open_ms)" "$(kv "$f.kv" iso_ms)" \
            "$(kv "$f.kv" one_to_all_ms)" "$(calc "%.2f" "$as * 10000 / $(kv "$f.kv" sample)")" >>"$work/scale.tsv"
    done
    /usr/bin/python3 "$here/scale_plot.py" "$work/scale.tsv" "$work/scale.png" >"$work/scale.exp"
}

scale_table() {
    local n f v bs bk fm om im am ac ws cells big
    echo
    row "scale (synthetic regions, $threads threads)" "vertices" "build s" "peak MiB" "file MB" "open / iso / 1:all ms"
    row "----" "--------" "-------" "--------" "-------" "---------------------"
    while IFS=$'\t' read -r v bs bk fm om im am ac; do
        [ "$v" = vertices ] && continue
        row "region of $v vertices" "$v" "$bs" "$bk" "$fm" "$om / $im / $am"
    done <"$work/scale.tsv"
    echo
    row "all-origins car access, 250 m, 30 min" "vertices" "s/10k orig" "cells" "whole grid s" "B/vertex/thread: search / sweep / iso+"
    row "----" "--------" "----------" "-----" "------------" "-------------------------------------"
    for n in $scale_sizes $([ "$scale_big" = 1 ] && echo 10000000); do
        f=$work/scale_$n
        [ -r "$f.kv" ] || continue
        ac=$(awk -F'\t' -v v="$(kv "$f.kv" vertices)" '$1 == v { print $8 }' "$work/scale.tsv")
        cells=$(kv "$f.kv" cells)
        row "sample of $(kv "$f.kv" sample) cells, extrapolated" "$(kv "$f.kv" vertices)" "$ac" "$cells" \
            "$(calc "%.0f" "$ac * $cells / 10000")" \
            "$(kv "$f.kv" ws_bytes_per_vertex) / $(kv "$f.kv" sweep_bytes_per_vertex) / $(kv "$f.kv" iso_extra_bytes_per_vertex)"
    done
    big=$work/scale_10000000.kv
    echo
    if [ -r "$big" ]; then
        read -r bs bk <"$work/scale_10000000.build.t"
        row "targets at 10^7 vertices" "measured" "" "target" "" "verdict"
        row "  build seconds" "$bs" "" "<= 300" "" "$(verdict "$bs" "<=" 300)"
        row "  build peak MiB" "$(calc "%.0f" "$bk / 1024")" "" "<= 8192" "" "$(verdict "$(calc "%.0f" "$bk / 1024")" "<=" 8192)"
        row "  open ms" "$(kv "$big" open_ms)" "" "<= 100" "" "$(verdict "$(kv "$big" open_ms)" "<=" 100)"
        row "  30-min car isochrone ms" "$(kv "$big" iso_ms)" "" "<= 5" "" "$(verdict "$(kv "$big" iso_ms)" "<=" 5)"
        row "  car one-to-all ms" "$(kv "$big" one_to_all_ms)" "" "<= 150" "" "$(verdict "$(kv "$big" one_to_all_ms)" "<=" 150)"
    else
        echo "targets at 10^7 vertices: not measured (HH_BENCH_SCALE_BIG=1 builds that region)"
    fi
    echo
    echo "scale: fitted exponents (log-log least squares over the sizes; 1 = linear):"
    sed 's/^/  /' "$work/scale.exp"
    echo "  plot: $work/scale.png"
    echo "  synth_region --seed $seed_scale; build = whole halfhour build (OSM + GTFS, nice -n 10), GNU time;"
    echo "  open = median of 7 hh_net_open+close (file cached); iso = 30-min car search + map polygons,"
    echo "  one-to-all = unbounded car search: medians of 100 seeded origins; access = one halfhour access"
    echo "  process over a seeded sample of the 250 m cells, seconds scaled to 10,000 origins and to every"
    echo "  cell within 250 m of a car street. Bytes per vertex that one thread adds: search = RSS of one"
    echo "  query's workspace after car and walk searches (hh_query_footprint computes it too), sweep = the"
    echo "  hierarchy sweep's arrays alone (all a matrix or access worker allocates besides its rows),"
    echo "  iso+ = what the isochrones added after that (rasters, polygons; partly the network's shared"
    echo "  cache of street samples)."
}

# ---- MPI: ranks against threads, and the cost of all-origins access ----------
# The access part's porto car grid (250 m cells, 10 000 job points, 10/20/30
# minutes, CSV), whole processes: one process with 2 threads (the plain
# build) and `mpirun -np 2 HH_MPI_BIN ... --mpi --threads 1`, alternating
# (which goes first alternates too), mpi_runs each; every MPI output is
# compared byte for byte with the threads' output.  Then the serial part of
# rank 0: the same run once with --checkpoint, then again with every block
# read back from it (no search: open, snap, deliver, write).
mpi_measure() {
    [ -r "${city_osm[porto]}" ] || { log "missing ${city_osm[porto]} (see ../shared/data/SOURCES.md)"; exit 1; }
    [ -x "$mpi_bin" ] || { log "no MPI build at $mpi_bin (make MPI=1; Open MPI: bash scripts/deps.sh --mpi)"; exit 1; }
    command -v mpirun >/dev/null || { log "no mpirun (bash scripts/deps.sh --mpi)"; exit 1; }
    if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
    log "mpi: building porto"
    "$HH_BIN" build "${city_osm[porto]}" -o "$work/mpi_porto.hh" -q
    porto_jobs "$work/mpi_porto.hh" >"$work/mpi_jobs.csv"
    local acc=(access "$work/mpi_porto.hh" --grid 250 --mode car --minutes 10,20,30
               --opportunities-file "$work/mpi_jobs.csv" --opportunities jobs)
    local i side
    : >"$work/mpi_thr.t"
    : >"$work/mpi_rank.t"
    mpi_same=0
    for i in $(seq "$mpi_runs"); do
        for side in $( ((i % 2)) && echo "thr rank" || echo "rank thr"); do
            log "mpi: $side, run $i/$mpi_runs"
            if [ $side = thr ]; then
                /usr/bin/time -f '%e %U %S' -o "$work/time.one" "$HH_BIN" "${acc[@]}" --threads 2 \
                    -o "$work/mpi_thr.csv" 2>"$work/mpi_thr.err" || { cat "$work/mpi_thr.err" >&2; exit 1; }
                sed -n 's/.* in \([0-9.]*\) s (.*/\1/p' "$work/mpi_thr.err" >>"$work/mpi_thr.lib"
            else
                /usr/bin/time -f '%e %U %S' -o "$work/time.one" mpirun --oversubscribe -np 2 "$mpi_bin" "${acc[@]}" \
                    --mpi --threads 1 -o "$work/mpi_rank.csv" 2>"$work/mpi_rank.err" ||
                    { cat "$work/mpi_rank.err" >&2; exit 1; }
            fi
            cat "$work/time.one" >>"$work/mpi_$side.t"
        done
        cmp -s "$work/mpi_thr.csv" "$work/mpi_rank.csv" && mpi_same=$((mpi_same + 1))
    done
    sed -n 's/.*access for \([0-9]*\) grid cells (\([0-9]*\) snapped).*/\1 \2/p' "$work/mpi_thr.err" >"$work/mpi.cells"
    log "mpi: rank 0's serial part (a checkpointed run, then one reading every block back)"
    rm -rf "$work/mpi_ck"
    "$HH_BIN" "${acc[@]}" --threads 2 -o "$work/mpi_ck.csv" --checkpoint "$work/mpi_ck" 2>/dev/null
    /usr/bin/time -f '%e %U %S' -o "$work/mpi_serial.t" "$HH_BIN" "${acc[@]}" --threads 2 -o "$work/mpi_ck.csv" \
        --checkpoint "$work/mpi_ck" 2>"$work/mpi_ck.err"
    grep -q " 0 searched" "$work/mpi_ck.err" || { log "mpi: the read-back run searched"; cat "$work/mpi_ck.err" >&2; exit 1; }
    cmp -s "$work/mpi_thr.csv" "$work/mpi_ck.csv" || { log "mpi: the checkpointed run's output differs"; exit 1; }
    rm -rf "$work/mpi_ck"
}

mpi_table() {
    local thr rank thr_cpu rank_cpu cells snapped lib serial per10k core10k ratio c
    thr=$(cut -d" " -f1 <"$work/mpi_thr.t" | median)
    rank=$(cut -d" " -f1 <"$work/mpi_rank.t" | median)
    thr_cpu=$(awk '{ print $2 + $3 }' "$work/mpi_thr.t" | median)
    rank_cpu=$(awk '{ print $2 + $3 }' "$work/mpi_rank.t" | median)
    lib=$(median <"$work/mpi_thr.lib")
    serial=$(awk '{ print $2 + $3 }' "$work/mpi_serial.t")
    read -r cells snapped <"$work/mpi.cells"
    ratio=$(calc "%.3f" "$rank / $thr")
    echo
    row "MPI (porto 250 m car access, 10 000 jobs)" "seconds" "CPU s" "ratio" "target" "verdict"
    row "----" "-------" "-----" "-----" "------" "-------"
    row "1 process x 2 threads" "$(calc "%.2f" "$thr")" "$(calc "%.2f" "$thr_cpu")" "" "" ""
    row "2 MPI ranks x 1 thread" "$(calc "%.2f" "$rank")" "$(calc "%.2f" "$rank_cpu")" "${ratio}x" "<= 1.10x" \
        "$(verdict "$ratio" "<=" 1.10)"
    row "outputs identical (runs)" "$mpi_same/$mpi_runs" "" "" "all" "$([ "$mpi_same" = "$mpi_runs" ] && echo PASS || echo MISS)"
    # the cost: the library's access time of the 2-thread runs per 10 000
    # snapped origins (wall: the load shows in it), and the whole process's
    # CPU seconds per 10 000 (what the projection uses: other programs'
    # load does not inflate it)
    per10k=$(calc "%.2f" "$lib * 10000 / $snapped")
    core10k=$(calc "%.2f" "$thr_cpu * 10000 / $snapped")
    echo
    row "all-origins car access, porto 250 m" "value" "" "" "" ""
    row "----" "-----" "" "" "" ""
    row "origins (cells snapped / grid cells)" "$snapped/$cells" "" "" "" ""
    row "seconds per 10 000 origins, 2 cores" "$per10k" "" "" "" ""
    row "CPU seconds per 10 000 origins (process)" "$core10k" "" "" "" ""
    row "rank 0 serial part, whole run, CPU s" "$(calc "%.2f" "$serial")" "" "" "" ""
    echo
    echo "projection: a 28 000 km2 region (Chang-Zhu-Tan) at 250 m = 448 000 cells, every cell an origin,"
    echo "  at porto's CPU seconds per origin (whole process: open, grid, snapping, search, output),"
    echo "  the cores all busy (origins split evenly; rank 0's serial part scaled from porto's"
    echo "  $cells cells added once):"
    for c in 2 64 512; do
        row "  hours on $c cores" "$(calc "%.3f" "448000 / 10000 * $core10k / $c / 3600 + $serial * 448000 / $cells / 3600")" \
            "" "" "" ""
    done
    echo
    echo "mpi: medians of $mpi_runs alternating runs each, whole processes (mpirun included); CPU s = user + sys;"
    echo "  seconds per 10 000 origins = the library's access time of the 2-thread runs (snap + search +"
    echo "  reduce, reported on stderr; wall, so a loaded machine inflates it) / snapped origins x 10 000;"
    echo "  load at start $load_start: compare the ratio and the CPU seconds. The projection is a floor: a larger"
    echo "  region's 30-minute car search covers more network per origin than porto's extract and"
    echo "  reaches more opportunity points (cost curves: the synthetic regions' part)."
}

# ---- run and print -------------------------------------------------------------
if [ "$do_street" = 1 ]; then street_measure; fi
if [ "$do_transit" = 1 ]; then transit_measure; fi
if [ "$do_read" = 1 ]; then read_measure; fi
if [ "$do_access" = 1 ]; then access_measure; fi
if [ "$do_site" = 1 ]; then site_measure; fi
if [ "$do_scenario" = 1 ]; then scenario_measure; fi
if [ "$do_serve" = 1 ]; then serve_measure; fi
if [ "$do_python" = 1 ]; then python_measure; fi
if [ "$do_scale" = 1 ]; then scale_measure; fi
if [ "$do_mpi" = 1 ]; then mpi_measure; fi

echo
echo "halfhour bench  $(date -u +%Y-%m-%dT%H:%MZ)  $(nproc) cores  $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo none)  load at start $load_start, at end $(cut -d" " -f1-3 /proc/loadavg)"
echo "seeds iso=$seed_iso matrix=$seed_matrix transit=$seed_transit  medians of $runs runs"
if [ "$do_street" = 1 ]; then
    street_table
    if [ "$do_pgr" != 0 ] && [ "$pgr_ok" != 1 ]; then
        if [ "$do_transit" = 1 ]; then transit_table; fi
        if [ "$do_read" = 1 ]; then read_table; fi
        if [ "$do_access" = 1 ]; then access_table; fi
        if [ "$do_site" = 1 ]; then site_table; fi
        if [ "$do_scenario" = 1 ]; then scenario_table; fi
        if [ "$do_serve" = 1 ]; then serve_table; fi
        if [ "$do_python" = 1 ]; then python_table; fi
        if [ "$do_mpi" = 1 ]; then mpi_table; fi
        echo "pgRouting side FAILED (see messages above)"
        exit 1
    fi
fi
if [ "$do_transit" = 1 ]; then transit_table; fi
if [ "$do_read" = 1 ]; then read_table; fi
if [ "$do_access" = 1 ]; then access_table; fi
if [ "$do_site" = 1 ]; then site_table; fi
if [ "$do_scenario" = 1 ]; then scenario_table; fi
if [ "$do_serve" = 1 ]; then serve_table; fi
if [ "$do_python" = 1 ]; then python_table; fi
if [ "$do_scale" = 1 ]; then scale_table; fi
if [ "$do_mpi" = 1 ]; then mpi_table; fi
exit 0
