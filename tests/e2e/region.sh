#!/usr/bin/env bash
# region.sh (test): scripts/region.sh end to end on a stand-in extract.
#     HH_BIN=... [HH_DATA=...] bash tests/e2e/region.sh WORKDIR [COUNTS_FILE] [--report]
# Called by run.sh (counted in its summary); also runs alone.
#
# There is no Hunan OpenStreetMap extract here, so the test writes one: a
# 5 x 5 grid of streets (200 m) around each of the pack's three centres,
# primary roads between the cities, a road from Changsha's centre north out
# of the region (to 28.80 N; the region ends at 28.665 N) and a street
# block up there, all outside.  Then `scripts/region.sh changzhutan --osm
# standin.osm.pbf -o OUT/` runs, and the checks are:
#   * usage errors (no region, unknown region, missing --osm file, no -o):
#     exit 2/1, one line "region.sh: ...", nothing written;
#   * the pack step: 23 districts in WGS-84 (moved by hundreds of metres
#     from the GCJ-02 source), population spread over them summing to the
#     census totals, the committed pack files equal to what pack.py makes
#     from the sources;
#   * the clip: every city street and intercity road kept, the road that
#     crosses the boundary kept whole (complete_ways: its outside end
#     node too), the street block outside dropped;
#   * the network builds and has the population layer;
#   * region/report: the last step, `halfhour report`, ran and wrote
#     OUT/report/.  When this halfhour has no report verb (`halfhour report
#     --help` fails) the check FAILS with that reason if asked for
#     (--report, i.e. `bash tests/e2e/run.sh region_report`) and is
#     otherwise reported as NOT RUN on a line of its own (not counted);
#     once the verb exists it runs and counts in every run.
# A rerun into the same folder gives the same network (idempotence).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
W=${1:?usage: region.sh WORKDIR [COUNTS_FILE] [--report]}
COUNTS=${2:-}
want_report=0
[ "${3:-}" = --report ] && want_report=1
HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
HH_DATA=${HH_DATA:-$root/../shared/data}
export HH_BIN HH_DATA PYTHONDONTWRITEBYTECODE=1
mkdir -p "$W"
W=$(cd "$W" && pwd)
passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); echo "ok   region/$1"; }
bad() { failed=$((failed + 1)); echo "FAIL region/$1: $2"; }
finish() {
    [ -n "$COUNTS" ] && echo "$passed $failed $skipped" > "$COUNTS"
    echo "region: $passed passed, $failed failed, $skipped skipped"
    [ $failed -eq 0 ]
    exit
}

if [ ! -d "$HH_DATA/changzhutan" ]; then
    skipped=$((skipped + 1))
    echo "     note: region skipped: no $HH_DATA/changzhutan"
    finish
fi
for tool in osmium ogr2ogr python3; do
    command -v $tool >/dev/null || { bad setup "$tool is missing (scripts/deps.sh)"; finish; }
done
R() { bash "$root/scripts/region.sh" "$@"; }

# ---- usage errors: one line, nothing written --------------------------
err_row() {
    local name=$1 want=$2 rx=$3
    shift 3
    rm -rf "$W/e"
    (cd "$W" && R "$@") >"$W/e.out" 2>"$W/e.err"
    local rc=$? n
    n=$(awk 'END { print NR }' "$W/e.err")
    if [ $rc -ne "$want" ]; then bad "$name" "exit $rc (want $want): $(head -c 300 "$W/e.err")"
    elif [ "$n" -ne 1 ]; then bad "$name" "stderr has $n lines (want 1): $(head -c 300 "$W/e.err")"
    elif ! grep -Eq "^region.sh: (usage )?error: .*$rx" "$W/e.err"; then bad "$name" "stderr: $(cat "$W/e.err")"
    elif [ -e "$W/e" ]; then bad "$name" "the output folder was created"
    else ok "$name"; fi
}
err_row no-region 2 "missing the region" --osm "$W/x.osm.pbf" -o e/
err_row unknown-region 1 'unknown region "atlantis"' atlantis --osm "$W/x.osm.pbf" -o e/
err_row missing-osm 1 "no OSM extract at .*nope.osm.pbf" changzhutan --osm nope.osm.pbf -o e/
err_row no-osm-option 2 "missing --osm" changzhutan -o e/
err_row no-out 2 "missing -o" changzhutan --osm "$HH_DATA/monaco/monaco.osm.pbf"
err_row gtfs-no-depart 1 "needs --depart" changzhutan --osm "$root/README.md" --gtfs "$root/README.md" -o e/

# ---- the stand-in extract ----------------------------------------------
python3 - "$root/regions/changzhutan/centres.csv" "$W/standin.osm" <<'EOF'
import csv, math, sys
centres = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
nodes, ways = [], []
def node(lon, lat):
    nodes.append((len(nodes) + 1, lon, lat))
    return len(nodes)
def way(wid, refs, **tags):
    ways.append((wid, refs, tags))
M = 111195.0  # metres per degree of latitude (mean radius)
hub = []
for c, r in enumerate(centres):
    lon0, lat0 = float(r["lon"]), float(r["lat"])
    dlon = 200 / (M * math.cos(math.radians(lat0)))
    dlat = 200 / M
    grid = [[node(lon0 + (i - 2) * dlon, lat0 + (j - 2) * dlat) for i in range(5)] for j in range(5)]
    for j in range(5):
        way(1000 * (c + 1) + j, grid[j], highway="residential")
    for i in range(5):
        way(1000 * (c + 1) + 10 + i, [grid[j][i] for j in range(5)], highway="residential")
    hub.append((grid[2][2], lon0, lat0))
def road(wid, a, b, step_m=1000, **tags):
    (na, xa, ya), (nb, xb, yb) = a, b
    d = math.hypot((xb - xa) * M * math.cos(math.radians(ya)), (yb - ya) * M)
    k = max(1, int(d / step_m))
    refs = [na] + [node(xa + (xb - xa) * t / k, ya + (yb - ya) * t / k) for t in range(1, k)] + [nb]
    way(wid, refs, **tags)
road(5001, hub[0], hub[2], highway="primary")
road(5002, hub[2], hub[1], highway="primary")
road(5003, hub[1], hub[0], highway="primary")
# north, out of the region: the road crosses the boundary, the block lies outside
lon0, lat0 = hub[0][1], hub[0][2]
far = (node(lon0, 28.80), lon0, 28.80)
road(9001, hub[0], far, highway="secondary")
dlon = 200 / (M * math.cos(math.radians(28.8)))
blk = [[node(lon0 + i * dlon, 28.80 + j * 200 / M) for i in range(3)] for j in range(3)]
blk[0][0] = far[0]
for j in range(3):
    way(9100 + j, blk[j], highway="residential")
for i in range(3):
    way(9110 + i, [blk[j][i] for j in range(3)], highway="residential")
with open(sys.argv[2], "w") as f:
    f.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='region test'>\n")
    for i, x, y in nodes:
        f.write(f" <node id='{i}' version='1' lat='{y:.7f}' lon='{x:.7f}'/>\n")
    for wid, refs, tags in ways:
        f.write(f" <way id='{wid}' version='1'>")
        f.write("".join(f"<nd ref='{r}'/>" for r in refs))
        f.write("".join(f"<tag k='{k}' v='{v}'/>" for k, v in tags.items()))
        f.write("</way>\n")
    f.write("</osm>\n")
EOF
[ $? -eq 0 ] || { bad standin "cannot write the stand-in OSM file"; finish; }
osmium cat "$W/standin.osm" -o "$W/standin.osm.pbf" --overwrite 2>"$W/cat.err" ||
    { bad standin "osmium cat: $(cat "$W/cat.err")"; finish; }

# ---- the recipe ----------------------------------------------------------
O=$W/czt
t0=$(date +%s)
(cd "$W" && R changzhutan --osm standin.osm.pbf -o czt/) >"$W/run.out" 2>"$W/run.err"
rc=$?
have_report=0
"$HH_BIN" report --help >/dev/null 2>&1 && have_report=1
echo "     note: scripts/region.sh took $(($(date +%s) - t0)) s, exit $rc"
if [ $rc -eq 0 ]; then ok recipe-runs
elif [ $have_report = 0 ] && [ $rc -eq 1 ] && grep -q "no working report verb" "$W/run.err" &&
    [ "$(grep -c error "$W/run.err")" -eq 1 ]; then
    ok recipe-runs-up-to-report
else bad recipe-runs "exit $rc: $(grep -v '^==' "$W/run.err" | head -c 800)"; fi

# the pack step
python3 - "$O" "$HH_DATA/changzhutan" <<'EOF' >"$W/pack.out" 2>&1
import csv, json, math, sys
out, data = sys.argv[1], sys.argv[2]
d = json.load(open(f"{out}/districts.geojson", encoding="utf-8"))
fs = d["features"]
assert len(fs) == 23, f"{len(fs)} districts"
assert sorted({f["properties"]["city"] for f in fs}) == sorted(["长沙", "株洲", "湘潭"])
src = json.load(open(f"{data}/hu2_nan2_chang2_sha1.geojson", encoding="utf-8"))["features"][0]
a = src["geometry"]["coordinates"][0][0]
b = fs[0]["geometry"]["coordinates"][0][0]
m = math.hypot((a[0] - b[0]) * 111195 * math.cos(math.radians(a[1])), (a[1] - b[1]) * 111195)
assert 300 < m < 900, f"first vertex moved {m:.0f} m by the datum change"
assert "cp" not in fs[0]["properties"], "the GCJ-02 cp property was kept"
pop = {r["adcode"]: int(r["population_2020_census"]) for r in csv.DictReader(open(f"{data}/czt_city_population_2020.csv", encoding="utf-8"))}
for code, total in pop.items():
    s = sum(f["properties"]["assumed_population"] for f in fs if f["properties"]["city_adcode"] == code)
    assert abs(s - total) <= 12, f"{code}: districts sum to {s}, census {total}"
p = json.load(open(f"{out}/population.geojson", encoding="utf-8"))["features"]
assert sorted(p[0]["properties"]) == ["district", "population"]
print("pack ok")
EOF
if [ $? -eq 0 ]; then ok pack-districts; else bad pack-districts "$(tail -3 "$W/pack.out")"; fi
if python3 "$root/regions/changzhutan/pack.py" static --data "$HH_DATA/changzhutan" --halfhour "$HH_BIN" --check \
    2>"$W/check.err"; then ok pack-committed-files-match-sources
else bad pack-committed-files-match-sources "$(cat "$W/check.err")"; fi

# the clip
if [ -f "$O/changzhutan.osm.pbf" ] && osmium cat -f opl "$O/changzhutan.osm.pbf" -o "$W/clip.opl" --overwrite 2>/dev/null; then
    ways=$(grep -o '^w[0-9]*' "$W/clip.opl" | tr '\n' ' ')
    inside="w1000 w1004 w1014 w2002 w2012 w3000 w3014 w5001 w5002 w5003"
    missing=""
    for w in $inside w9001; do [[ " $ways " == *" $w "* ]] || missing="$missing $w"; done
    if [ -n "$missing" ]; then bad clip-keeps-inside "ways missing from the clip:$missing"; else ok clip-keeps-inside; fi
    if grep -q '^w91[0-9][0-9] ' "$W/clip.opl"; then bad clip-drops-outside "the street block north of the region was kept"
    else ok clip-drops-outside; fi
    # complete_ways: the crossing road's northern end (28.80 N) is in the clip
    if grep -Eq '^n[0-9]* .* y28\.80*( |$)' "$W/clip.opl"; then ok clip-crossing-way-complete
    else bad clip-crossing-way-complete "the crossing road lost its outside end node"; fi
else
    bad clip "no readable $O/changzhutan.osm.pbf"
fi

# the network
if "$HH_BIN" info "$O/changzhutan.hh" --json >"$W/info.json" 2>"$W/info.err"; then
    if python3 - "$W/info.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
names = [l["name"] for l in j.get("layers", [])]
assert "population" in names, names
EOF
    then ok network-built-with-population; else bad network-built-with-population "$(head -c 300 "$W/info.json")"; fi
    # idempotent: a second run leaves the same files behind (the network
    # as `info` describes it: its header holds the build time)
    "$HH_BIN" info "$O/changzhutan.hh" | grep -v '^built' >"$W/first.info"
    sums() { (cd "$O" && sha256sum changzhutan.osm.pbf districts.geojson population.geojson centres.csv); }
    sums >"$W/first.sums"
    (cd "$W" && R changzhutan --osm standin.osm.pbf -o czt/) >/dev/null 2>&1
    if "$HH_BIN" info "$O/changzhutan.hh" | grep -v '^built' | cmp -s - "$W/first.info" &&
        sums | cmp -s - "$W/first.sums"; then ok rerun-same-result
    else bad rerun-same-result "a second run gave other files"; fi
else
    bad network-built-with-population "halfhour info: $(cat "$W/info.err")"
fi
stray=$(cd "$W" && ls -A | grep -v -E '^(czt|standin\.osm|standin\.osm\.pbf|e\.out|e\.err|run\.out|run\.err|pack\.out|check\.err|cat\.err|clip\.opl|info\.json|info\.err|first\.info|first\.sums)$')
if [ -n "$stray" ]; then bad writes-only-into-out "files outside the output folder: $stray"; else ok writes-only-into-out; fi

# the metro as a scenario: the pack's metro_scenario.geojson (one add-line
# per line) applied to a stand-in with a street along each line through its
# stations (no real extract here), then a ride along line 1 by transit
M=$W/metro
mkdir -p "$M"
python3 - "$root/regions/changzhutan/metro_scenario.geojson" "$M/lines.osm" <<'EOF2'
import json, sys
fs = json.load(open(sys.argv[1], encoding="utf-8"))["features"]
nodes, ways = [], []
for k, f in enumerate(fs):
    cs = f["geometry"]["coordinates"]
    refs = []
    for (x0, y0), (x1, y1) in zip(cs, cs[1:]):
        for t in range(10):
            nodes.append((len(nodes) + 1, x0 + (x1 - x0) * t / 10, y0 + (y1 - y0) * t / 10))
            refs.append(len(nodes))
    nodes.append((len(nodes) + 1, cs[-1][0], cs[-1][1]))
    refs.append(len(nodes))
    ways.append((k + 1, refs))
with open(sys.argv[2], "w") as o:
    o.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6' generator='region test'>\n")
    for i, x, y in nodes:
        o.write(f" <node id='{i}' version='1' lat='{y:.7f}' lon='{x:.7f}'/>\n")
    for wid, refs in ways:
        o.write(f" <way id='{wid}' version='1'>" + "".join(f"<nd ref='{r}'/>" for r in refs) +
                "<tag k='highway' v='residential'/></way>\n")
    o.write("</osm>\n")
a, b = fs[0]["geometry"]["coordinates"][0], fs[0]["geometry"]["coordinates"][-1]
open(sys.argv[2] + ".pts", "w").write(f"id,lon,lat\nfirst,{a[0]},{a[1]}\nlast,{b[0]},{b[1]}\n")
EOF2
if "$HH_BIN" build "$M/lines.osm" -o "$M/base.hh" --set island.min_vertices=1 >"$M/build.out" 2>&1 &&
    "$HH_BIN" scenario "$M/base.hh" --change "$root/regions/changzhutan/metro_scenario.geojson" -o "$M/metro.hh" \
        >"$M/scen.out" 2>&1 &&
    "$HH_BIN" info "$M/metro.hh" | grep -q "^scenario  metro_scenario.geojson" &&
    "$HH_BIN" matrix "$M/metro.hh" --origins "$M/lines.osm.pts" --destinations "$M/lines.osm.pts" --mode transit \
        --depart 2024-06-10T08:00 --window 10 --percentiles 50 -o "$M/times.csv" >"$M/matrix.out" 2>&1; then
    # line 1 end to end: about an hour by metro (assumed 59.8 min plus the wait), five by walking
    t=$(awk -F, '$1 == "first" && $2 == "last" { print $3 }' "$M/times.csv")
    if [ -n "$t" ] && [ "$t" -gt 3000 ] && [ "$t" -lt 4800 ]; then ok metro-scenario
    else bad metro-scenario "line 1 end to end by transit: ${t:-no time} s (want about an hour)"; fi
else
    bad metro-scenario "$(cat "$M"/*.out | head -c 600)"
fi
rm -rf "$M"

# the report step
if [ $have_report = 1 ]; then
    if [ $rc -eq 0 ] && [ -d "$O/report" ] && [ -n "$(ls -A "$O/report")" ]; then ok report
    else bad report "halfhour report did not write $O/report/: $(grep -v '^==' "$W/run.err" | head -c 500)"; fi
elif [ $want_report = 1 ]; then
    bad report "this halfhour has no report verb (\`$HH_BIN report --help\` fails): the recipe's last step cannot run"
else
    echo "NOT RUN region/report: this halfhour has no report verb yet; \`bash tests/e2e/run.sh region_report\` fails until it has"
fi
finish
