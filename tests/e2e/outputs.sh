#!/usr/bin/env bash
# outputs.sh: where output goes, for every verb.
#     HH_BIN=... bash tests/e2e/outputs.sh WORKDIR [COUNTS_FILE]
# Called by run.sh (which counts these in its summary); also runs alone.
#
#   * -o onto a FIFO, or a symlink to a FIFO or a device, writes through it:
#     the FIFO/link/device is still there afterwards and the reader got the
#     same bytes as a regular file would;
#   * -o onto a symlink to a regular file (or to nothing yet) replaces the
#     target atomically and keeps the link; a replaced file keeps its mode;
#   * a write that fails part-way (a full disk, simulated by failwrite.so,
#     an LD_PRELOAD shim built here) exits 1 with one line
#     "halfhour: error: ...", leaves the old file as it was and no temporary
#     file, for build, export, coords, matrix and isochrone (-o and --surface);
#   * stdout that cannot be written (> /dev/full) is an error for every verb
#     and for --help / --version;
#   * -o through a symlink to /dev/full is an error and /dev/full survives.
# System paths are only ever reached through symlinks made in WORKDIR, so
# even a regression that replaced its -o target would replace the link, not
# the device.  /dev/stdout is aimed at directly only after the symlink and
# FIFO checks passed.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
W=${1:?usage: outputs.sh WORKDIR [COUNTS_FILE]}
COUNTS=${2:-}
HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
T=${HH_E2E_TIMEOUT:-300}
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
H=$HH_BIN

passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); echo "ok   outputs/$1"; }
bad() {
    failed=$((failed + 1))
    echo "FAIL outputs/$1: $2"
    [ -f "$W/last.err" ] && echo "    stderr: $(head -c 1500 "$W/last.err")"
}
finish() {
    [ -n "$COUNTS" ] && echo "$passed $failed $skipped" > "$COUNTS"
    echo "outputs: $passed passed, $failed failed, $skipped skipped"
    [ $failed -eq 0 ]
    exit
}
# hh ARGS...: runs halfhour with a timeout, stderr to $W/last.err
hh() { timeout -k 5 "$T" "$H" "$@" 2> "$W/last.err"; }
# one_error: the last run printed exactly one "halfhour: error: " line
one_error() {
    [ "$(awk 'END { print NR }' "$W/last.err")" = 1 ] && grep -q '^halfhour: error: ' "$W/last.err"
}
# only_files DIR NAME...: DIR holds exactly these names
only_files() {
    local d=$1
    shift
    [ "$(ls -A "$d" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]
}
# read_fifo FIFO DEST: a background reader; reap_fifos RC FIFO... waits for
# the readers, or kills them when halfhour failed or a FIFO is gone (a
# reader of a replaced FIFO would wait for a writer forever)
readers=()
read_fifo() {
    timeout -k 5 "$T" cat "$1" > "$2" &
    readers+=($!)
}
reap_fifos() {
    local rc=$1 f
    shift
    for f in "$@"; do [ -p "$f" ] || rc=1; done
    if [ "$rc" -ne 0 ]; then
        sleep 1
        kill "${readers[@]}" 2>/dev/null
    fi
    wait "${readers[@]}" 2>/dev/null
    readers=()
}

# ---- fixtures -------------------------------------------------------------
python3 "$here/asciimap.py" "$here/fixtures/small.case" --osm "$W/map.osm" --points "$W/pts.csv" || {
    bad fixtures "cannot generate the fixture map"
    finish
}
PTS=$W/pts.csv
IN=$(sed -n 2p "$PTS" | cut -d, -f2,3)
NET=$W/net.hh
# siting: 100 residents at every fixture point, the points as candidates
{ echo "lon,lat,population"; tail -n +2 "$PTS" | cut -d, -f2,3 | sed 's/$/,100/'; } > "$W/demand.csv"
SITE=("$NET" --mode walk --minutes 5 --demand population --opportunities-file "$W/demand.csv" --candidates "$PTS" --k 2)
if ! hh build "$W/map.osm" -o "$NET" -q; then
    bad fixtures "building the fixture network failed"
    finish
fi
# reference outputs, written to regular files
hh export "$NET" --mode car -o "$W/ref-export.csv" &&
    hh matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o "$W/ref-matrix.csv" &&
    hh isochrone "$NET" --from "$IN" --mode walk --minutes 5,10 -o "$W/ref-iso.geojson" \
        --surface "$W/ref-surface.csv" &&
    hh access "$NET" --mode walk --grid 100 -o "$W/ref-access.csv" 2>/dev/null &&
    hh site "${SITE[@]}" -o "$W/ref-site.csv" 2>/dev/null || {
    bad fixtures "reference outputs failed"
    finish
}
SHIM=$W/failwrite.so
if ! ${CC:-cc} -shared -fPIC -O1 -o "$SHIM" "$here/failwrite.c" 2> "$W/last.err"; then
    bad fixtures "cannot build the write-failing shim failwrite.so"
    SHIM=""
fi
rm -f "$W/last.err"

# ---- many origins: the same bytes for any --threads ----------------------
# every fixture point an origin, with the surface and the network as its own
# base (--compare): one worker and three write the same files, in --from order
D=$W/threads
mkdir -p "$D"
FROMS=()
while IFS= read -r p; do FROMS+=(--from "$p"); done < <(tail -n +2 "$PTS" | cut -d, -f2,3)
for t in 1 3; do
    hh isochrone "$NET" "${FROMS[@]}" --mode walk --minutes 2,5 --threads "$t" -o "$D/iso$t.geojson" \
        --surface "$D/surf$t.csv" && hh isochrone "$NET" "${FROMS[@]}" --mode car --minutes 1,3 --threads "$t" \
        --compare "$NET" -o "$D/cmp$t.geojson" || bad threads-isochrone "--threads $t: exit $?"
done
n_from=$((${#FROMS[@]} / 2))
origins=$(python3 -c 'import json,sys; print(" ".join(str(f["properties"]["origin"]) for f in json.load(open(sys.argv[1]))["features"]))' "$D/iso1.geojson" 2>/dev/null)
want=$(for ((i = 0; i < n_from; i++)); do printf '%s %s ' "$i" "$i"; done)
if ! cmp -s "$D/iso1.geojson" "$D/iso3.geojson" || ! cmp -s "$D/surf1.csv" "$D/surf3.csv"; then
    bad threads-isochrone "--threads 1 and 3 wrote different isochrones or surfaces"
elif ! cmp -s "$D/cmp1.geojson" "$D/cmp3.geojson"; then bad threads-isochrone "--compare differs between --threads 1 and 3"
elif [ "$n_from" -lt 4 ] || [ "$origins " != "$want" ]; then
    bad threads-isochrone "features not in --from order ($n_from origins: $origins)"
else ok threads-isochrone; fi

# --origins: the same isochrones as --from, each Feature with the row's id;
# a row that does not snap (put first) is left out with a warning, and
# the others keep their row numbers
{ echo "id,lon,lat"; echo "far away,10.0,10.0"; tail -n +2 "$PTS" | cut -d, -f1-3; } > "$D/origins.csv"
for t in 1 3; do
    hh isochrone "$NET" --origins "$D/origins.csv" --mode walk --minutes 2,5 --threads "$t" -o "$D/orig$t.geojson" ||
        bad origins-isochrone "--threads $t: exit $?"
done
warned=$(grep -c "warning: 1 origin did not snap (no isochrone).*far away" "$W/last.err")
if ! cmp -s "$D/orig1.geojson" "$D/orig3.geojson"; then bad origins-isochrone "--threads 1 and 3 differ"
elif [ "$warned" != 1 ]; then bad origins-isochrone "no warning naming the row left out: $(cat "$W/last.err")"
elif ! python3 - "$D/iso1.geojson" "$D/orig1.geojson" "$D/origins.csv" <<'PY'
import csv, json, sys
a = json.load(open(sys.argv[1]))["features"]
b = json.load(open(sys.argv[2]))["features"]
ids = [r["id"] for r in csv.DictReader(open(sys.argv[3]))]
assert len(a) == len(b) > 0, (len(a), len(b))
for fa, fb in zip(a, b):
    pa, pb = fa["properties"], fb["properties"]
    assert pb["origin"] == pa["origin"] + 1, (pa, pb)
    assert pb["id"] == ids[pb["origin"]], pb
    assert fa["geometry"] == fb["geometry"] and pa["area_km2"] == pb["area_km2"]
PY
then bad origins-isochrone "other isochrones than --from's, or wrong ids or row numbers"
else ok origins-isochrone; fi

# ---- write through a FIFO ----------------------------------------------
D=$W/fifo
mkdir -p "$D"
mkfifo "$D/f"
read_fifo "$D/f" "$D/export.csv"
hh export "$NET" --mode car -o "$D/f"
rc=$?
reap_fifos $rc "$D/f"
if [ $rc -ne 0 ]; then bad fifo-export "exit $rc"
elif [ ! -p "$D/f" ]; then bad fifo-export "the FIFO was replaced"
elif ! cmp -s "$D/export.csv" "$W/ref-export.csv"; then bad fifo-export "the reader got other bytes"
elif ! only_files "$D" f export.csv; then bad fifo-export "files left: $(ls -A "$D")"
else ok fifo-export; fi

read_fifo "$D/f" "$D/matrix.csv"
hh matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o "$D/f"
rc=$?
reap_fifos $rc "$D/f"
if [ $rc -ne 0 ]; then bad fifo-matrix "exit $rc"
elif [ ! -p "$D/f" ]; then bad fifo-matrix "the FIFO was replaced"
elif ! cmp -s "$D/matrix.csv" "$W/ref-matrix.csv"; then bad fifo-matrix "the reader got other bytes"
else ok fifo-matrix; fi

mkfifo "$D/s"
read_fifo "$D/f" "$D/iso.geojson"
read_fifo "$D/s" "$D/surface.csv"
hh isochrone "$NET" --from "$IN" --mode walk --minutes 5,10 -o "$D/f" --surface "$D/s"
rc=$?
reap_fifos $rc "$D/f" "$D/s"
if [ $rc -ne 0 ]; then bad fifo-isochrone "exit $rc"
elif [ ! -p "$D/f" ] || [ ! -p "$D/s" ]; then bad fifo-isochrone "a FIFO was replaced"
elif ! cmp -s "$D/iso.geojson" "$W/ref-iso.geojson"; then bad fifo-isochrone "the GeoJSON reader got other bytes"
elif ! cmp -s "$D/surface.csv" "$W/ref-surface.csv"; then bad fifo-isochrone "the surface reader got other bytes"
else ok fifo-isochrone; fi

# access: CSV (our writer) and GeoPackage (GDAL's, through a temporary file)
read_fifo "$D/f" "$D/access.csv"
hh access "$NET" --mode walk --grid 100 -o "$D/f" 2>/dev/null
rc=$?
reap_fifos $rc "$D/f"
if [ $rc -ne 0 ]; then bad fifo-access "exit $rc"
elif [ ! -p "$D/f" ]; then bad fifo-access "the FIFO was replaced"
elif ! cmp -s "$D/access.csv" "$W/ref-access.csv"; then bad fifo-access "the reader got other bytes"
else ok fifo-access; fi
mkfifo "$D/g.gpkg"
read_fifo "$D/g.gpkg" "$D/access.gpkg"
hh access "$NET" --mode walk --grid 100 -o "$D/g.gpkg" 2>/dev/null
rc=$?
reap_fifos $rc "$D/g.gpkg"
cells=$(($(wc -l < "$W/ref-access.csv") - 1))
if [ $rc -ne 0 ]; then bad fifo-access-gpkg "exit $rc"
elif [ ! -p "$D/g.gpkg" ]; then bad fifo-access-gpkg "the FIFO was replaced"
elif ! ogrinfo -so "$D/access.gpkg" access 2>/dev/null | grep -q "^Feature Count: $cells\$"; then
    bad fifo-access-gpkg "the reader did not get a GeoPackage of $cells cells"
else ok fifo-access-gpkg; fi
rm -f "$D/access.gpkg" "$D/g.gpkg"

read_fifo "$D/f" "$D/site.csv"
hh site "${SITE[@]}" -o "$D/f" 2>/dev/null
rc=$?
reap_fifos $rc "$D/f"
if [ $rc -ne 0 ]; then bad fifo-site "exit $rc"
elif [ ! -p "$D/f" ]; then bad fifo-site "the FIFO was replaced"
elif ! cmp -s "$D/site.csv" "$W/ref-site.csv"; then bad fifo-site "the reader got other bytes"
else ok fifo-site; fi

# the network file writer: one forward pass, no seek, readable afterwards
read_fifo "$D/f" "$D/net.hh"
hh build "$W/map.osm" -o "$D/f" -q
rc=$?
reap_fifos $rc "$D/f"
if [ $rc -ne 0 ]; then bad fifo-build "exit $rc"
elif [ ! -p "$D/f" ]; then bad fifo-build "the FIFO was replaced"
elif ! hh info "$D/net.hh" > /dev/null; then bad fifo-build "what came through the FIFO is not a valid network"
elif ! only_files "$D" f s export.csv matrix.csv iso.geojson surface.csv access.csv site.csv net.hh; then
    bad fifo-build "files left: $(ls -A "$D")"
else ok fifo-build; fi

# ---- symlinks ---------------------------------------------------------
D=$W/links
mkdir -p "$D/sub"
echo OLD > "$D/real.csv"
chmod 640 "$D/real.csv"
ln -s real.csv "$D/link.csv"
ln -s ../real.csv "$D/sub/rel.csv"
hh export "$NET" --mode car -o "$D/link.csv"
rc=$?
if [ $rc -ne 0 ]; then bad symlink-to-file "exit $rc"
elif [ ! -L "$D/link.csv" ]; then bad symlink-to-file "the symlink was replaced by a file"
elif ! cmp -s "$D/real.csv" "$W/ref-export.csv"; then bad symlink-to-file "the target does not hold the output"
elif [ "$(stat -c %a "$D/real.csv")" != 640 ]; then bad symlink-to-file "mode $(stat -c %a "$D/real.csv"), was 640"
elif ! only_files "$D" real.csv link.csv sub; then bad symlink-to-file "files left: $(ls -A "$D")"
else ok symlink-to-file; fi

echo OLD > "$D/real.csv"
hh matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o "$D/sub/rel.csv"
rc=$?
if [ $rc -ne 0 ]; then bad symlink-relative "exit $rc"
elif [ ! -L "$D/sub/rel.csv" ]; then bad symlink-relative "the symlink was replaced by a file"
elif ! cmp -s "$D/real.csv" "$W/ref-matrix.csv"; then bad symlink-relative "the target does not hold the output"
elif ! only_files "$D/sub" rel.csv || ! only_files "$D" real.csv link.csv sub; then
    bad symlink-relative "files left: $(ls -A "$D" "$D/sub")"
else ok symlink-relative; fi

ln -s new.hh "$D/dangling.hh"
hh build "$W/map.osm" -o "$D/dangling.hh" -q
rc=$?
if [ $rc -ne 0 ]; then bad symlink-dangling "exit $rc"
elif [ ! -L "$D/dangling.hh" ]; then bad symlink-dangling "the symlink was replaced by a file"
elif ! hh info "$D/new.hh" > /dev/null; then bad symlink-dangling "no valid network at the link's target"
else ok symlink-dangling; fi

mkfifo "$D/fifo"
ln -s fifo "$D/tofifo"
read_fifo "$D/fifo" "$D/fromfifo.csv"
hh export "$NET" --mode car -o "$D/tofifo"
rc=$?
reap_fifos $rc "$D/fifo" "$D/tofifo"
if [ $rc -ne 0 ]; then bad symlink-to-fifo "exit $rc"
elif [ ! -L "$D/tofifo" ] || [ ! -p "$D/fifo" ]; then bad symlink-to-fifo "the link or the FIFO was replaced"
elif ! cmp -s "$D/fromfifo.csv" "$W/ref-export.csv"; then bad symlink-to-fifo "the reader got other bytes"
else ok symlink-to-fifo; fi

# devices, through links in the work folder
ln -s /dev/null "$D/null"
hh export "$NET" --mode car -o "$D/null"
rc=$?
if [ $rc -ne 0 ]; then bad symlink-to-dev-null "exit $rc"
elif [ ! -L "$D/null" ] || [ ! -c /dev/null ]; then bad symlink-to-dev-null "the link or /dev/null was replaced"
elif ls -A /dev | grep -q '^null\.tmp-'; then bad symlink-to-dev-null "a temporary file was made in /dev"
else ok symlink-to-dev-null; fi

ln -s /dev/stdout "$D/stdout"
stdout_ok=0
hh export "$NET" --mode car -o "$D/stdout" > "$D/via-stdout.csv"
rc=$?
hh export "$NET" --mode car -o "$D/stdout" | cat > "$D/via-pipe.csv"
rc2=${PIPESTATUS[0]}
echo KEEP > "$D/append.csv"
hh export "$NET" --mode car -o "$D/stdout" >> "$D/append.csv"
rc3=$?
if [ $rc -ne 0 ] || [ $rc2 -ne 0 ] || [ $rc3 -ne 0 ]; then bad symlink-to-dev-stdout "exit $rc/$rc2/$rc3"
elif [ ! -L "$D/stdout" ]; then bad symlink-to-dev-stdout "the link was replaced"
elif ! cmp -s "$D/via-stdout.csv" "$W/ref-export.csv"; then bad symlink-to-dev-stdout "stdout to a file differs"
elif ! cmp -s "$D/via-pipe.csv" "$W/ref-export.csv"; then bad symlink-to-dev-stdout "stdout to a pipe differs"
elif [ "$(head -1 "$D/append.csv")" != KEEP ] || ! tail -n +2 "$D/append.csv" | cmp -s - "$W/ref-export.csv"; then
    bad symlink-to-dev-stdout ">> lost the append: the output should follow KEEP"
else ok symlink-to-dev-stdout; stdout_ok=1; fi

# now /dev/stdout itself (only when writing through the links is proven)
if [ $stdout_ok = 1 ] && { [ -L /dev/stdout ] || [ -c /dev/stdout ]; }; then
    hh matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o /dev/stdout | cat > "$D/dev-stdout.csv"
    rc=${PIPESTATUS[0]}
    if [ $rc -ne 0 ]; then bad dev-stdout "exit $rc"
    elif ! cmp -s "$D/dev-stdout.csv" "$W/ref-matrix.csv"; then bad dev-stdout "the pipe got other bytes"
    elif ls -A /dev | grep -q '^stdout\.tmp-'; then bad dev-stdout "a temporary file was made in /dev"
    else ok dev-stdout; fi
else
    bad dev-stdout "not tried: writing through a link to /dev/stdout failed"
fi

# ---- a write that fails part-way: the old file stays, nothing else -------
# full_disk NAME BYTES FILE -- ARGS: FILE holds OLD before; the run fails
full_disk() {
    local name=$1 n=$2 file=$3
    shift 4
    if [ -z "$SHIM" ]; then
        bad "$name" "no write-failing shim"
        return
    fi
    local d
    d=$(dirname "$file")
    echo OLD > "$file"
    local before
    before=$(ls -A "$d" | sort | tr '\n' ' ')
    local rc
    (cd "$d" && HH_FAIL_AFTER=$n LD_PRELOAD=$SHIM \
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 exec timeout -k 5 "$T" "$H" "$@") \
        > /dev/null 2> "$W/last.err"
    rc=$?
    local after
    after=$(ls -A "$d" | sort | tr '\n' ' ')
    if [ $rc -ne 1 ]; then bad "$name" "exit $rc (want 1)"
    elif ! one_error; then bad "$name" "want one line 'halfhour: error: ...' on stderr"
    elif [ "$(cat "$file")" != OLD ]; then bad "$name" "the old file was changed"
    elif [ "$after" != "$before" ]; then
        bad "$name" "files left: $after (before: $before)"
    else ok "$name"; fi
}
D=$W/full
mkdir -p "$D"
full_disk full-disk-build 4096 "$D/net.hh" -- build "$W/map.osm" -o "$D/net.hh" -q
full_disk full-disk-export 300 "$D/edges.csv" -- export "$NET" --mode car -o "$D/edges.csv"
full_disk full-disk-coords 20 "$D/c.csv" -- coords --from wgs84 --to gcj02 "$PTS" -o "$D/c.csv"
full_disk full-disk-matrix 100 "$D/m.csv" -- matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o "$D/m.csv"
full_disk full-disk-access-csv 100 "$D/a.csv" -- access "$NET" --mode walk --grid 100 -o "$D/a.csv"
full_disk full-disk-access-gpkg 4096 "$D/a.gpkg" -- access "$NET" --mode walk --grid 100 -o "$D/a.gpkg"
full_disk full-disk-access-tif 300 "$D/a.tif" -- access "$NET" --mode walk --grid 100 -o "$D/a.tif"
full_disk full-disk-site 60 "$D/s.csv" -- site "${SITE[@]}" -o "$D/s.csv"
full_disk full-disk-isochrone 300 "$D/i.geojson" -- isochrone "$NET" --from "$IN" --mode walk -o "$D/i.geojson"
printf '{"type":"FeatureCollection","features":[]}\n' > "$W/empty_change.geojson"
full_disk full-disk-scenario 4096 "$D/new.hh" -- scenario "$NET" --change "$W/empty_change.geojson" -o "$D/new.hh"
echo OLD > "$D/i.geojson"
full_disk full-disk-surface 20 "$D/s.csv" -- isochrone "$NET" --from "$IN" --mode walk --minutes 5 -o "$D/i.geojson" --surface "$D/s.csv"
if [ "$(cat "$D/i.geojson")" != OLD ]; then bad full-disk-surface-geojson "the GeoJSON was replaced although the surface failed"
else ok full-disk-surface-geojson; fi
# the surface (< 100 bytes here) fits, the GeoJSON does not: neither appears
echo OLD > "$D/s.csv"
full_disk full-disk-geojson-after-surface 100 "$D/i.geojson" -- isochrone "$NET" --from "$IN" --mode walk --minutes 5 -o "$D/i.geojson" --surface "$D/s.csv"
if [ "$(cat "$D/s.csv")" != OLD ]; then bad full-disk-surface-kept "the surface was replaced although the GeoJSON failed"
else ok full-disk-surface-kept; fi
# through a symlink: the target keeps its old bytes, the link stays
ln -s net.hh "$D/link.hh"
full_disk full-disk-build-via-symlink 4096 "$D/net.hh" -- build "$W/map.osm" -o "$D/link.hh" -q
if [ ! -L "$D/link.hh" ]; then bad full-disk-symlink-kept "the symlink was replaced"; else ok full-disk-symlink-kept; fi
# the shim itself works (a run under it with a high limit succeeds)
full_disk_ok() {
    (cd "$D" && HH_FAIL_AFTER=100000000 LD_PRELOAD=$SHIM \
        ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 exec "$H" export "$NET" --mode car -o "$D/big.csv") \
        2> "$W/last.err"
}
if [ -n "$SHIM" ] && full_disk_ok && cmp -s "$D/big.csv" "$W/ref-export.csv"; then ok shim-passes-below-limit
else bad shim-passes-below-limit "a run under the shim below its limit failed"; fi
rm -f "$D/big.csv"

# ---- stdout that cannot be written, and -o through a link to /dev/full ----
if [ -c /dev/full ]; then
    ln -s /dev/full "$W/full/devfull"
    stdout_full() {
        local name=$1
        shift
        hh "$@" > /dev/full
        local rc=$?
        if [ $rc -ne 1 ]; then bad "$name" "exit $rc with stdout on /dev/full (want 1)"
        elif ! one_error; then bad "$name" "want one line 'halfhour: error: ...' on stderr"
        else ok "$name"; fi
    }
    stdout_full stdout-full-help --help
    stdout_full stdout-full-version --version
    stdout_full stdout-full-build-help build --help
    stdout_full stdout-full-info info "$NET"
    stdout_full stdout-full-info-json info "$NET" --json
    stdout_full stdout-full-info-help info --help
    stdout_full stdout-full-isochrone isochrone "$NET" --from "$IN" --mode walk
    stdout_full stdout-full-isochrone-help isochrone --help
    stdout_full stdout-full-matrix matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car
    stdout_full stdout-full-matrix-help matrix --help
    stdout_full stdout-full-access access "$NET" --mode walk --grid 100
    stdout_full stdout-full-access-summary access "$NET" --mode walk --grid 100 --summary
    stdout_full stdout-full-access-help access --help
    stdout_full stdout-full-site site "${SITE[@]}"
    stdout_full stdout-full-site-help site --help
    stdout_full stdout-full-export export "$NET" --mode car
    stdout_full stdout-full-export-help export --help
    stdout_full stdout-full-coords coords --from gcj02 --to wgs84 "$PTS"
    stdout_full stdout-full-coords-help coords --help
    stdout_full stdout-full-scenario-help scenario --help
    o_full() {
        local name=$1
        shift
        hh "$@" > /dev/null
        local rc=$?
        if [ $rc -ne 1 ]; then bad "$name" "exit $rc (want 1)"
        elif ! one_error; then bad "$name" "want one line 'halfhour: error: ...' on stderr"
        elif [ ! -L "$W/full/devfull" ] || [ ! -c /dev/full ]; then bad "$name" "the link or /dev/full was replaced"
        else ok "$name"; fi
    }
    o_full o-devfull-build build "$W/map.osm" -o "$W/full/devfull" -q
    o_full o-devfull-export export "$NET" --mode car -o "$W/full/devfull"
    o_full o-devfull-coords coords --from gcj02 --to wgs84 "$PTS" -o "$W/full/devfull"
    o_full o-devfull-matrix matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o "$W/full/devfull"
    o_full o-devfull-access access "$NET" --mode walk --grid 100 -o "$W/full/devfull"
    o_full o-devfull-site site "${SITE[@]}" -o "$W/full/devfull"
    o_full o-devfull-isochrone isochrone "$NET" --from "$IN" --mode walk -o "$W/full/devfull"
    o_full o-devfull-scenario scenario "$NET" --change "$W/empty_change.geojson" -o "$W/full/devfull"
    o_full o-devfull-surface isochrone "$NET" --from "$IN" --mode walk -o "$W/full/i.geojson" --surface "$W/full/devfull"
else
    bad stdout-full "no /dev/full on this system"
fi

finish
