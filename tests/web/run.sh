#!/usr/bin/env bash
# run.sh: the planning map's browser test.  `make web-test` calls it as
#     HH_BIN=/abs/halfhour bash tests/web/run.sh
# Builds two networks in a temporary folder -- Porto Alegre from HH_DATA
# (streets, both GTFS feeds, the hexagon layers) and the small Chinese-named
# grid of tests/web/cjk.case -- starts `halfhour serve` on each (loopback,
# --port 0: a free port), drives the map in Debian's headless chromium
# (tests/web/map.test.mjs) and stops the servers with SIGTERM, which must
# end them with status 0.  Ends with exactly one line
#     web: N passed, N failed, N skipped
# and a non-zero exit on any failure (the temporary folder is then kept).
#   HH_BIN        the binary (default build/rel/halfhour)
#   HH_DATA       the real data (default ../shared/data beside the checkout);
#                 absent: skipped; present without poa/: failed
#   HH_WEB_SHOTS  folder for the screenshots (default: a new temporary folder,
#                 kept; the paths are printed)
#   HH_CHROMIUM   the browser (default /usr/bin/chromium)
#   HH_WEB_KEEP=1 keep the temporary folder after a passing run
# Needs: the built map (make web), tests/web/node_modules (make web-test deps),
# chromium and fonts-noto-cjk (scripts/deps.sh), python3.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
HH_DATA=${HH_DATA:-$root/../shared/data}
HH_CHROMIUM=${HH_CHROMIUM:-/usr/bin/chromium}
export HH_CHROMIUM

passed=0 failed=0
done_() {
    echo "web: $passed passed, $failed failed, ${1:-0} skipped"
    [ "$failed" -eq 0 ]
    exit $?
}
die() { echo "run.sh: $*" >&2; failed=$((failed + 1)); done_; }

[ -x "$HH_BIN" ] || die "no executable halfhour at HH_BIN=$HH_BIN (run make first)"
[ -x "$HH_CHROMIUM" ] || die "no browser at $HH_CHROMIUM (scripts/deps.sh installs chromium)"
[ -f "$root/web/dist/index.html" ] || die "the map is not built: make web"
[ -f "$here/node_modules/playwright-core/package.json" ] || die "tests/web/node_modules is missing: make web-test"
command -v node >/dev/null || die "node is needed"
if [ ! -d "$HH_DATA" ]; then
    echo "run.sh: no data folder HH_DATA=$HH_DATA: skipped"
    done_ 1
fi
poa=$HH_DATA/poa
for f in poa_osm.pbf poa_eptc.zip poa_trensurb.zip poa_hexgrid.csv; do
    [ -f "$poa/$f" ] || die "HH_DATA exists but $poa/$f does not"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hh-web.XXXXXX") || die "mktemp failed"
shots=${HH_WEB_SHOTS:-}
[ -n "$shots" ] || shots=$(mktemp -d "${TMPDIR:-/tmp}/hh-web-shots.XXXXXX") || die "mktemp failed"
echo "run.sh: binary $HH_BIN, temp folder $tmp, screenshots in $shots"

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT

step() {   # step NAME CMD...: a counted check
    local name=$1
    shift
    if "$@" >"$tmp/step.log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
        sed 's/^/     /' "$tmp/step.log" | tail -20
    fi
}

build_cjk() {
    python3 "$root/tests/e2e/asciimap.py" "$here/cjk.case" --pbf "$tmp/cjk.osm.pbf" --points "$tmp/cjk_points.csv" &&
        python3 - "$tmp/cjk_points.csv" "$tmp/cjk_opportunities.csv" <<'PY' &&
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "lon", "lat", "人口"])
    for i, r in enumerate(rows):
        w.writerow([r["id"], r["lon"], r["lat"], 100 * (i + 1)])
PY
        "$HH_BIN" build "$tmp/cjk.osm.pbf" --opportunities "$tmp/cjk_opportunities.csv" -o "$tmp/cjk.hh" -q
}
step "build the Porto Alegre network (streets, 2 GTFS feeds, hexagon layers)" \
    "$HH_BIN" build "$poa/poa_osm.pbf" --gtfs "$poa/poa_eptc.zip" --gtfs "$poa/poa_trensurb.zip" \
    --opportunities "$poa/poa_hexgrid.csv" -o "$tmp/poa.hh" -q
step "build the Chinese-named grid (tests/web/cjk.case)" build_cjk

# serve NAME NET: start a server, wait for its "listening on URL" line
declare -A url pid
serve() {
    local name=$1 net=$2 log=$tmp/serve-$1
    "$HH_BIN" serve "$net" --port 0 --bind 127.0.0.1 --threads 2 --web "$root/web/dist" \
        --time-budget 120 >"$log.out" 2>"$log.err" &
    pid[$name]=$!
    pids+=("$!")
    for _ in $(seq 1 600); do
        local u
        u=$(sed -n 's|^halfhour serve: listening on \(http://127\.0\.0\.1:[0-9]*/\)$|\1|p' "$log.out")
        if [ -n "$u" ]; then
            url[$name]=$u
            return 0
        fi
        kill -0 "${pid[$name]}" 2>/dev/null || { cat "$log.err"; return 1; }
        sleep 0.1
    done
    echo "no listening line within 60 s"
    cat "$log.err"
    return 1
}
stop() {   # SIGTERM: finish what is in flight, exit 0
    local name=$1
    kill -TERM "${pid[$name]}" || return 1
    wait "${pid[$name]}"
    local rc=$?
    [ "$rc" -eq 0 ] || { echo "exit status $rc"; cat "$tmp/serve-$name.err"; return 1; }
}
[ -f "$tmp/poa.hh" ] && step "serve the Porto Alegre network on a free loopback port" serve poa "$tmp/poa.hh"
[ -f "$tmp/cjk.hh" ] && step "serve the Chinese-named grid on a free loopback port" serve cjk "$tmp/cjk.hh"

if [ -n "${url[poa]:-}" ]; then
    extra=()
    [ -n "${url[cjk]:-}" ] && extra=(--cjk-url "${url[cjk]}")
    (cd "$here" && node map.test.mjs --url "${url[poa]}" --shots "$shots" "${extra[@]}") | tee "$tmp/map.log"
    line=$(grep -E '^map: [0-9]+ passed, [0-9]+ failed' "$tmp/map.log" | tail -1)
    if [ -z "$line" ]; then
        echo "FAIL the browser test ended without its summary line"
        failed=$((failed + 1))
    else
        read -r p q <<<"$(echo "$line" | sed 's/^map: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/')"
        passed=$((passed + p))
        failed=$((failed + q))
    fi
else
    echo "FAIL no server to test the map against"
    failed=$((failed + 1))
fi
[ -n "${pid[poa]:-}" ] && step "the Porto Alegre server stops on SIGTERM with status 0" stop poa
[ -n "${pid[cjk]:-}" ] && step "the Chinese-named grid's server stops on SIGTERM with status 0" stop cjk
trap - EXIT

if [ "$failed" -eq 0 ] && [ -z "${HH_WEB_KEEP:-}" ]; then
    rm -rf "$tmp"
else
    echo "run.sh: temp folder kept: $tmp"
fi
done_
