#!/usr/bin/env bash
# demo.sh: the main job on the bundled demo region, Porto Alegre.
# Installs what is missing, builds halfhour, builds the region's network from
# OpenStreetMap and its two GTFS feeds (city buses, metro), writes the
# 10/20/30-minute walk, bike, car and transit isochrones of the 15 points of
# interest, and prints a summary table of the half-hour circles (area, and
# residents and jobs within 30 minutes from the hexagon grid).  Then the
# access grids: the transit job and healthcare access of every 250 m cell
# (15/30/45 minutes, percentiles 25/50/75) as GeoPackage and GeoTIFF with its
# equity summary, and the 15-minute check on foot -- on Porto Alegre from
# the hexagons' schools and health facilities (its extract holds almost no
# POIs) and on Monaco straight from OSM tags.  Transit leaves on Monday
# 2019-05-13 between 12:00 and 13:00 (the sample bus feed runs from about
# 11:00 to 17:00).  Then two scenarios: a new express line across Porto
# Alegre (what it adds to transit access, to the report's circles and to an
# isochrone) and a new bridge on Porto.  It also builds the planning map
# (web/dist, served by `halfhour serve`) and says how to open it.  Outputs
# land in out/.  Map data (c) OpenStreetMap contributors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
make -s -j"$(nproc)" >/dev/null
make -s web >/dev/null      # the planning map (web/dist): npm ci + build, only when out of date
hh=build/rel/halfhour
data=$(bash scripts/fetch-data.sh poa/poa_osm.pbf poa/poa_points_of_interest.csv poa/poa_hexgrid.csv \
    poa/poa_eptc.zip poa/poa_trensurb.zip monaco/monaco.osm.pbf rhine-neckar/rnv.osm.pbf rhine-neckar/rnv_gtfs.zip \
    porto/porto.osm.pbf)
mkdir -p out
pois="$data/poa/poa_points_of_interest.csv"

$hh build "$data/poa/poa_osm.pbf" --gtfs "$data/poa/poa_eptc.zip" --gtfs "$data/poa/poa_trensurb.zip" \
    --opportunities "$data/poa/poa_hexgrid.csv" -o out/poa.hh 2>&1 | cut -c1-400
froms=$(python3 - "$pois" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8-sig")):
    print(f"--from {r['lon']},{r['lat']}", end=" ")
PY
)
transit="--depart 2019-05-13T12:00 --window 60"
for mode in walk bike car transit; do
    extra=""
    [ $mode = transit ] && extra=$transit
    # shellcheck disable=SC2086
    $hh isochrone out/poa.hh $froms --mode $mode --minutes 10,20,30 $extra -o out/poa_isochrones_$mode.geojson
    # shellcheck disable=SC2086
    $hh matrix out/poa.hh --origins "$pois" --destinations "$data/poa/poa_hexgrid.csv" \
        --mode $mode --max-minutes 30 $extra -o out/poa_matrix30_$mode.csv 2>out/poa_matrix30_$mode.log
done
python3 - "$pois" "$data/poa/poa_hexgrid.csv" <<'PY'
import csv, json, sys
pois = [r["id"] for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8-sig"))]
grid = {}
for r in csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8-sig")):
    num = lambda v: float(v) if v.strip() else 0.0
    grid[r["id"]] = (num(r["population"]), num(r["jobs"]))
total_pop = sum(p for p, _ in grid.values())
area, pop, jobs = {}, {}, {}
modes = ("walk", "bike", "car", "transit")
for mode in modes:
    for f in json.load(open(f"out/poa_isochrones_{mode}.geojson"))["features"]:
        p = f["properties"]
        if p["minutes"] == 30:
            area[(pois[p["origin"]], mode)] = p["area_km2"]
    for r in csv.DictReader(open(f"out/poa_matrix30_{mode}.csv")):
        if r.get("travel_time_s", r.get("travel_time_p50")):
            k = (r["from_id"], mode)
            pop[k] = pop.get(k, 0) + grid[r["to_id"]][0]
            jobs[k] = jobs.get(k, 0) + grid[r["to_id"]][1]
print()
print("Porto Alegre: the half-hour circle of each point of interest")
print("(area of the 30-minute isochrone; share of residents in H3 cells whose centre")
print(" is reached within 30 minutes; map data (c) OpenStreetMap contributors)")
print()
hdr = f"{'point':<28}" + "".join(f"{m + ' km2':>12}{m + ' pop%':>13}" for m in modes)
print(hdr)
print("-" * len(hdr))
for pid in pois:
    row = f"{pid:<28}"
    for m in modes:
        row += f"{area.get((pid, m), 0):>12.1f}{100 * pop.get((pid, m), 0) / total_pop:>13.1f}"
    print(row)
print()
print("transit: p50 over departures 12:00-13:00 on 2019-05-13, 15 min walk limit, up to 8 rides")
print("outputs: out/poa.hh, out/poa_isochrones_{walk,bike,car,transit}.geojson, out/poa_matrix30_*.csv")
PY

# ---- access grids -----------------------------------------------------
echo
echo "Porto Alegre: transit access to jobs and healthcare, every 250 m cell"
$hh access out/poa.hh --grid 250 --mode transit $transit --percentiles 25,50,75 \
    --opportunities jobs,healthcare --minutes 15,30,45 --summary \
    -o out/poa_access_transit.gpkg -o out/poa_access_transit.tif \
    >out/poa_access_transit_equity.csv 2>out/poa_access_transit.log
grep -h "access for" out/poa_access_transit.log
$hh access out/poa.hh --grid 250 --mode walk --preset 15min --opportunities schools,healthcare,transit_stops \
    -o out/poa_15min.gpkg --summary \
    >out/poa_15min_summary.csv 2>out/poa_15min.log
$hh build "$data/monaco/monaco.osm.pbf" -o out/monaco.hh -q
$hh access out/monaco.hh --grid 100 --mode walk --preset 15min -o out/monaco_15min.gpkg --summary \
    >out/monaco_15min_summary.csv 2>out/monaco_15min.log
python3 - <<'PY'
import csv
rows = list(csv.DictReader(open("out/poa_access_transit_equity.csv")))
print()
print("equity of transit access over residents (population-weighted; jobs within the cutoff)")
print(f"{'column':<22}{'mean':>12}{'median':>12}{'gini':>8}{'palma':>8}")
for r in rows:
    if r["column"].startswith("jobs_"):
        print(f"{r['column']:<22}{float(r['mean']):>12.0f}{float(r['median']):>12.0f}"
              f"{float(r['gini']):>8.3f}{float(r['palma']):>8.2f}")
for name, path in (("Porto Alegre (hexagons' schools, health; GTFS stops)", "out/poa_15min_summary.csv"),
                   ("Monaco (OSM tags)", "out/monaco_15min_summary.csv")):
    print()
    print(f"15-minute check on foot, {name}: share of residents reaching each service")
    for r in csv.DictReader(open(path)):
        if r["district"] == "all" and not r["column"].startswith("services_"):
            print(f"  {r['column']:<22}{100 * float(r['share_ge_1']):6.1f} %")
PY
echo
echo "access outputs: out/poa_access_transit.{gpkg,tif} (+ _equity.csv), out/poa_15min.gpkg,"
echo "out/monaco_15min.gpkg (+ _summary.csv). Map data (c) OpenStreetMap contributors."

# ---- the half-hour report ------------------------------------------------
# Porto Alegre: three centres of the city by car and transit, residents from
# the hexagons (no district file exists for it here).  Rhine-Neckar: the
# three cities, car and transit, times and areas only (no population layer).
# Cutoffs and centres: regions/README.md.
echo
$hh report out/poa.hh --centres regions/porto-alegre/centres.csv --minutes 30 --modes car,transit \
    --depart 2019-05-13T12:00 --window 60 -o out/poa_report 2>&1 | grep -v "^halfhour: note"
$hh build "$data/rhine-neckar/rnv.osm.pbf" --gtfs "$data/rhine-neckar/rnv_gtfs.zip" -o out/rnv.hh -q
$hh report out/rnv.hh --centres regions/rhine-neckar/centres.csv --minutes 30 --modes car,transit \
    --depart 2016-11-14T08:00 --window 60 -o out/rnv_report 2>&1 | grep -v "^halfhour: note"
python3 - <<'PY'
import csv
for name, d in (("Porto Alegre", "out/poa_report"), ("Rhine-Neckar", "out/rnv_report")):
    print()
    print(f"{name}: the 30-minute circles (out of {d}/index.html)")
    for r in csv.DictReader(open(f"{d}/circles.csv")):
        share = f"{100 * float(r['share']):5.1f} % of residents" if r["share"] else "no population layer"
        print(f"  {r['mode']:<8} {r['centre_name']:<40} {float(r['area_km2']):8.1f} km2  {share}")
    pairs = [r for r in csv.DictReader(open(f"{d}/times.csv"))
             if r["from_id"] < r["to_id"] and r["percentile"] in ("", "50")]
    for r in pairs:
        t = f"{float(r['minutes']):5.1f} min" if r["minutes"] else "  not within the search"
        print(f"  {r['mode']:<8} {r['from_name']} -> {r['to_name']}: {t}{'  (within 30)' if r['within'] == '1' else ''}")
PY
echo
echo "reports: out/poa_report/, out/rnv_report/ (index.html, report.md, circles.geojson, CSV tables)"

# ---- scenarios ------------------------------------------------------------
# An express bus across Porto Alegre (regions/porto-alegre/scenario_express.geojson)
# and a bridge over the Douro on Porto (regions/porto/scenario_bridge.geojson):
# each applied to its network, then measured against the base with --compare.
echo
$hh scenario out/poa.hh --change regions/porto-alegre/scenario_express.geojson -o out/poa_express.hh
$hh access out/poa_express.hh --grid 250 --mode transit --depart 2019-05-13T12:00 --window 20 \
    --opportunities jobs --minutes 30 \
    --compare out/poa.hh -o out/poa_express_gain.gpkg -o out/poa_express_gain.tif --summary \
    >out/poa_express_gain_equity.csv 2>out/poa_express_gain.log
$hh report out/poa_express.hh --centres regions/porto-alegre/centres.csv --minutes 30 --modes transit \
    --depart 2019-05-13T12:00 --window 60 --compare out/poa.hh -o out/poa_express_report 2>&1 | grep -v "^halfhour: note"
$hh isochrone out/poa_express.hh --from -51.2278,-30.0290 --mode transit $transit --minutes 15,30 \
    --compare out/poa.hh -o out/poa_express_isochrone.geojson
$hh build "$data/porto/porto.osm.pbf" -o out/porto.hh -q
$hh scenario out/porto.hh --change regions/porto/scenario_bridge.geojson -o out/porto_bridge.hh
$hh isochrone out/porto_bridge.hh --from -8.5905,41.1440 --mode car --minutes 5,10 --compare out/porto.hh \
    -o out/porto_bridge_isochrone.geojson
python3 - <<'PY'
import csv, json
rows = list(csv.DictReader(open("out/poa_express_gain_equity.csv")))
print()
print("Porto Alegre with the express line: transit access to jobs within 30 minutes (p50)")
for r in rows:
    if r["district"] == "all":
        print(f"  {r['column']:<30} population-weighted mean {float(r['mean']):10.0f}")
for r in csv.DictReader(open("out/poa_express_report/compare.csv")):
    if r["measure"] in ("union_km2", "residents_inside", "residents_newly_inside"):
        print(f"  {r['mode']} {r['measure']:<26} base {float(r['base']):10.1f}  scenario {float(r['scenario']):10.1f}"
              f"  difference {float(r['difference']):+10.1f}")
for name, path in (("Porto Alegre, 15/30 min by transit from the centre", "out/poa_express_isochrone.geojson"),
                   ("Porto, 5/10 min by car from the north bank", "out/porto_bridge_isochrone.geojson")):
    print(f"{name}:")
    for f in json.load(open(path))["features"]:
        p = f["properties"]
        if p["part"] in ("gained", "lost"):
            print(f"  {p['minutes']:g} min {p['part']:<7} {p['area_km2']:8.2f} km2")
PY
echo
echo "scenario outputs: out/poa_express.hh, out/poa_express_gain.{gpkg,tif} (base, scenario, difference),"
echo "out/poa_express_report/ (compare.csv), out/poa_express_isochrone.geojson, out/porto_bridge.hh,"
echo "out/porto_bridge_isochrone.geojson. Map data (c) OpenStreetMap contributors."
echo
echo "the planning map: $hh serve out/poa.hh   then open http://127.0.0.1:8080/"
echo "(click for isochrones; transit, access and 15-minute layers, the report: web/README.md)"
