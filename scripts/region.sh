#!/usr/bin/env bash
# region.sh: a region pack's half-hour report from a user's OpenStreetMap extract.
#
#     bash scripts/region.sh changzhutan --osm hunan-latest.osm.pbf -o czt/
#          [--gtfs FEED.zip ... --depart YYYY-MM-DDTHH:MM] [--minutes 30]
#          [--population FILE]
#
# Steps (each rerun from scratch, so the recipe is idempotent; everything is
# written into the -o folder, intermediate files into its work/):
#   1. scripts/deps.sh installs what is missing (osmium-tool, gdal-bin, ...);
#      make builds halfhour (HH_BIN=/path/to/halfhour uses that one instead)
#   2. the pack's sources (../shared/data/changzhutan, HH_DATA overrides the
#      data folder) are converted: the 23 district boundaries from GCJ-02 to
#      WGS-84 with `halfhour coords`, merged into districts.geojson with the
#      census city totals spread over them by area (an ASSUMPTION, see
#      regions/changzhutan/README.md) in population.geojson; the pack's
#      committed centres, census totals and metro lines are copied beside
#   3. the clip polygon: the union of the districts (GDAL's SQLite dialect),
#      grown by 0.002 degrees (~200 m) to close the slivers between the
#      boundaries, which are rounded to 1/1024 degree in the source, then
#      simplified to 0.0005 degrees (~50 m, inside that margin) for osmium
#   4. osmium extract --polygon ... --strategy complete_ways: the extract cut
#      to the three cities (ways crossing the edge kept whole)
#   5. halfhour build: the network, with the population layer
#   6. halfhour report: the three centres' 30-minute circles by district
#      (--modes car; car,transit with --gtfs and --depart)
# Errors: one line "region.sh: error: ..." and exit 1 (2 for bad usage).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
me=region.sh

die() { echo "$me: error: $*" >&2; exit 1; }
usage() { echo "$me: usage error: $* (usage: bash scripts/region.sh REGION --osm FILE.osm.pbf -o DIR/)" >&2; exit 2; }
step() { echo "== $*" >&2; }

region="" osm="" out="" depart="" minutes=30 population=""
gtfs=()
while [ $# -gt 0 ]; do
    case "$1" in
    --osm | -o | --gtfs | --depart | --minutes | --population)
        [ $# -ge 2 ] || usage "$1 needs a value"
        case "$1" in
        --osm) osm=$2 ;;
        -o) out=$2 ;;
        --gtfs) gtfs+=("$2") ;;
        --depart) depart=$2 ;;
        --minutes) minutes=$2 ;;
        --population) population=$2 ;;
        esac
        shift 2 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0 ;;
    -*) usage "unknown option $1" ;;
    *)
        [ -z "$region" ] || usage "more than one region ($region, $1)"
        region=$1
        shift ;;
    esac
done
[ -n "$region" ] || usage "missing the region (known: $(ls "$root/regions" | tr '\n' ' '))"
[ -n "$osm" ] || usage "missing --osm FILE.osm.pbf (the OpenStreetMap extract to clip)"
[ -n "$out" ] || usage "missing -o DIR (the output folder)"
[ -f "$root/regions/$region/README.md" ] ||
    die "unknown region \"$region\" (known: $(ls "$root/regions" | tr '\n' ' '))"
[ "$region" = changzhutan ] || die "region \"$region\" has no recipe in this script"
[ -f "$osm" ] || die "no OSM extract at $osm (download the Hunan extract, e.g. hunan-latest.osm.pbf, from an OSM extract service)"
[ -r "$osm" ] || die "cannot read $osm"
[ -z "$population" ] || [ -f "$population" ] || die "no population file at $population"
[[ "$minutes" =~ ^[0-9]+$ ]] && [ "$minutes" -gt 0 ] || die "--minutes must be a whole number of minutes, not \"$minutes\""
if [ ${#gtfs[@]} -gt 0 ]; then
    [ -n "$depart" ] || die "--gtfs needs --depart YYYY-MM-DDTHH:MM (the transit departure time)"
    for g in "${gtfs[@]}"; do [ -f "$g" ] || die "no GTFS feed at $g"; done
fi
data=${HH_DATA:-$root/../shared/data}/changzhutan
for f in hu2_nan2_chang2_sha1.geojson hu2_nan2_zhu1_zhou1.geojson hu2_nan2_xiang1_tan2.geojson \
    czt_city_population_2020.csv; do
    [ -f "$data/$f" ] || die "no $f in $data (the pack's sources, see regions/changzhutan/README.md)"
done
# absolute paths: the steps below run from the checkout
abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
osm=$(abs "$osm")
[ -z "$population" ] || population=$(abs "$population")
for i in "${!gtfs[@]}"; do gtfs[$i]=$(abs "${gtfs[$i]}"); done
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)
work=$out/work
mkdir -p "$work"
pack=$root/regions/$region

step "1/6 dependencies and halfhour"
if [ -n "${HH_BIN:-}" ]; then
    hh=$HH_BIN
    [ -x "$hh" ] || die "HH_BIN=$hh is not an executable"
else
    bash "$root/scripts/deps.sh" || die "installing the dependencies failed (scripts/deps.sh)"
    make -C "$root" -s -j2 build/rel/halfhour >&2 || die "building halfhour failed (make)"
    hh=$root/build/rel/halfhour
fi
for tool in osmium ogr2ogr python3; do
    command -v $tool >/dev/null || die "$tool is missing (scripts/deps.sh installs it)"
done

step "2/6 the pack: districts GCJ-02 -> WGS-84, population, centres, metro"
conv=()
for f in hu2_nan2_chang2_sha1 hu2_nan2_zhu1_zhou1 hu2_nan2_xiang1_tan2; do
    "$hh" coords -q --from gcj02 --to wgs84 "$data/$f.geojson" -o "$work/$f.wgs84.geojson" ||
        die "converting $f.geojson failed"
    conv+=("$work/$f.wgs84.geojson")
done
PYTHONDONTWRITEBYTECODE=1 python3 "$pack/pack.py" districts --data "$data" --out "$out" "${conv[@]}" ||
    die "merging the districts failed (regions/$region/pack.py)"
for f in centres.csv population_2020.csv metro_lines.csv metro_lines.geojson; do
    cp "$pack/$f" "$out/$f.tmp" && mv "$out/$f.tmp" "$out/$f"
done

step "3/6 the clip polygon: union of the 23 districts"
rm -f "$work/clip.geojson"
ogr2ogr -f GeoJSON "$work/clip.geojson" "$out/districts.geojson" -dialect sqlite \
    -sql "SELECT ST_SimplifyPreserveTopology(ST_Buffer(ST_Union(geometry), 0.002), 0.0005) AS geometry FROM districts" -nln clip 2>"$work/ogr2ogr.log" ||
    die "making the clip polygon failed: $(head -c 300 "$work/ogr2ogr.log")"

step "4/6 osmium extract to the three cities"
osmium extract --polygon "$work/clip.geojson" --strategy complete_ways --overwrite \
    -o "$out/changzhutan.osm.pbf" "$osm" 2>"$work/osmium.log" ||
    die "osmium extract failed: $(head -c 300 "$work/osmium.log")"

step "5/6 halfhour build"
# a 500 m lattice: the districts' totals spread by area over 28 000 km2
# make about a hundred thousand points (100 m would make millions)
build=("$out/changzhutan.osm.pbf" --opportunities "${population:-$out/population.geojson}" --polygon-cell 500
    -o "$out/changzhutan.hh")
for g in "${gtfs[@]+"${gtfs[@]}"}"; do build+=(--gtfs "$g"); done
"$hh" build "${build[@]}" 2>"$work/build.log" || die "halfhour build failed: $(tail -1 "$work/build.log")"

step "6/6 halfhour report for 长沙, 株洲 and 湘潭 by district"
"$hh" report --help >/dev/null 2>&1 ||
    die "this halfhour has no working report verb ($hh report --help fails): steps 1-5 are done, $out/changzhutan.hh is built"
modes=car
report=()
if [ ${#gtfs[@]} -gt 0 ]; then
    modes=car,transit
    report=(--depart "$depart")
fi
"$hh" report "$out/changzhutan.hh" --centres "$out/centres.csv" --minutes "$minutes" --modes "$modes" \
    "${report[@]+"${report[@]}"}" --by-district "$out/districts.geojson" -o "$out/report/" 2>"$work/report.log" ||
    die "halfhour report failed: $(tail -1 "$work/report.log")"
echo "$me: done: $out/report/ (network $out/changzhutan.hh, districts $out/districts.geojson)" >&2
