#!/usr/bin/env bash
# synth.sh (test): a generated region end to end.
#     HH_BIN=... HH_TOOLS=... bash tests/e2e/synth.sh WORKDIR [COUNTS_FILE]
# Called by run.sh (counted in its summary); also runs alone.  Needs no data.
#
# tests/tools/synth_region writes a region of about 10^4 vertices (the
# generator bench/run.sh's scale part uses for the cost curves) with a bus
# GTFS; then:
#   * build: `halfhour build` reads the PBF and the GTFS; the network has
#     about the vertices asked for, turn restrictions and linked stops, and
#     the generator gives the same bytes twice (fixed seed);
#   * ch: tests/tools/chcheck compares the contraction hierarchy (PHAST
#     sweeps, bounded searches that switch to them, the bucket matrix)
#     with plain Dijkstra from 20 origins to 60 targets per mode;
#   * verify: `halfhour verify` passes the file; a flipped bit in the vertex
#     coordinates is found by verify (naming section 2) and by open (the
#     file is under 64 MiB, so open checks the body CRC); with
#     HALFHOUR_OPEN_CRC_MAX=0 (the path a network over 64 MiB takes) open
#     does not read the coordinates and succeeds, verify still finds the
#     flip; a flipped arc head is refused by open's structural checks either
#     way.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
W=${1:?usage: synth.sh WORKDIR [COUNTS_FILE]}
COUNTS=${2:-}
HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
HH_TOOLS=${HH_TOOLS:-$(dirname "$HH_BIN")/tools}
T=${HH_E2E_TIMEOUT:-300}
mkdir -p "$W"
W=$(cd "$W" && pwd)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   synth/$1"; }
bad() { failed=$((failed + 1)); echo "FAIL synth/$1: $2"; }
finish() {
    [ -n "$COUNTS" ] && echo "$passed $failed 0" > "$COUNTS"
    echo "synth: $passed passed, $failed failed, 0 skipped"
    [ $failed -eq 0 ]
    exit
}
hh() { timeout -k 5 "$T" "$HH_BIN" "$@"; }

gen=$HH_TOOLS/synth_region
if ! "$gen" --vertices 10000 --seed 12 -o "$W/s.osm.pbf" --gtfs "$W/s.zip" 2>"$W/gen.err" ||
    ! "$gen" --vertices 10000 --seed 12 -o "$W/s2.osm.pbf" 2>>"$W/gen.err"; then
    bad generate "$(head -c 500 "$W/gen.err")"
    finish
fi
if cmp -s "$W/s.osm.pbf" "$W/s2.osm.pbf"; then ok generate_same_bytes; else bad generate_same_bytes "two runs differ"; fi
if ! hh build "$W/s.osm.pbf" --gtfs "$W/s.zip" -o "$W/s.hh" -q 2>"$W/build.err"; then
    bad build "$(head -c 500 "$W/build.err")"
    finish
fi
hh info "$W/s.hh" --json >"$W/info.json" 2>"$W/info.err" || bad info "$(cat "$W/info.err")"
why=$(python3 - "$W/info.json" <<'PY'
import json, sys
i = json.load(open(sys.argv[1]))
v = i.get("nodes")
r = i.get("turn_restrictions")
s = sum(f.get("stops", 0) for f in i.get("feeds", []))
if not (isinstance(v, int) and 8000 <= v <= 12000):
    print("vertices %r, want about 10000" % (v,))
elif not (isinstance(r, int) and r > 0):
    print("restrictions %r, want some" % (r,))
elif not s > 50:
    print("stops %r, want the bus stops" % (s,))
PY
)
if [ -z "$why" ]; then ok build; else bad build "$why"; fi

if "$HH_TOOLS/chcheck" "$W/s.hh" 20 60 12 >"$W/ch.out" 2>"$W/ch.err"; then
    ok ch_vs_dijkstra
else
    bad ch_vs_dijkstra "$(cat "$W/ch.out" "$W/ch.err" | head -c 1500)"
fi

if hh verify "$W/s.hh" >"$W/v.out" 2>"$W/v.err" && grep -q '^ok ' "$W/v.out"; then
    ok verify_whole
else
    bad verify_whole "$(cat "$W/v.out" "$W/v.err")"
fi
# one bit of a vertex latitude (section 2), and of a walk arc's head (20)
python3 - "$W" <<'PY'
import os, struct, sys
w = sys.argv[1]
b = open(os.path.join(w, "s.hh"), "rb").read()
ns = struct.unpack_from("<I", b, 24)[0]
secs = {}
for i in range(ns):
    sid, el, off, cnt, _ = struct.unpack_from("<IIQQQ", b, 128 + 32 * i)
    secs[sid] = (el, off, cnt)
def flip(sid, at, bit, name):
    el, off, cnt = secs[sid]
    c = bytearray(b)
    c[off + at] ^= 1 << bit
    open(os.path.join(w, name), "wb").write(bytes(c))
el, off, cnt = secs[2]
flip(2, (cnt // 2) * el + 4, 3, "flip-ll.hh")   # a latitude, low bits: a few metres
el, off, cnt = secs[20]
flip(20, (cnt // 2) * el + 3, 7, "flip-arc.hh")  # an arc head's top bit: out of range
PY
run_rc() { "$@" >"$W/r.out" 2>"$W/r.err"; echo $?; }
rc=$(run_rc hh verify "$W/flip-ll.hh")
if [ "$rc" = 1 ] && grep -q 'section 2 ' "$W/r.err" && [ "$(wc -l <"$W/r.err")" = 1 ]; then
    ok verify_finds_flip
else
    bad verify_finds_flip "exit $rc: $(cat "$W/r.err")"
fi
rc=$(run_rc hh info "$W/flip-ll.hh")
if [ "$rc" = 1 ] && grep -q 'checksum' "$W/r.err"; then ok open_small_checks_crc; else bad open_small_checks_crc "exit $rc: $(cat "$W/r.err")"; fi
rc=$(HALFHOUR_OPEN_CRC_MAX=0 run_rc hh info "$W/flip-ll.hh")
rc2=$(HALFHOUR_OPEN_CRC_MAX=0 run_rc hh verify "$W/flip-ll.hh")
if [ "$rc" = 0 ] && [ "$rc2" = 1 ] && grep -q 'section 2 ' "$W/r.err"; then
    ok large_path_open_then_verify
else
    bad large_path_open_then_verify "info exit $rc, verify exit $rc2: $(cat "$W/r.err")"
fi
rc=$(HALFHOUR_OPEN_CRC_MAX=0 run_rc hh info "$W/flip-arc.hh")
rc2=$(run_rc hh verify "$W/flip-arc.hh")
if [ "$rc" = 1 ] && [ "$rc2" = 1 ] && grep -q 'bad arc' "$W/r.err"; then
    ok structure_checked_at_open
else
    bad structure_checked_at_open "info exit $rc, verify exit $rc2: $(cat "$W/r.err")"
fi
finish
