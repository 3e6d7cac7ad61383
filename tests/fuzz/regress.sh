#!/usr/bin/env bash
# regress.sh REPLAY_DIR: replays every saved fuzz input (tests/fuzz/regress/)
# and the campaigns' minimised corpora (tests/fuzz/corpus/), plus inputs derived at run time from ../shared/data (truncations and bit
# flips of real PBF/XML extracts and of a real network file; derived, so no
# data file is copied into the repository) through the harness binaries.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${HH_DATA:-$root/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# every harness: its saved regression inputs and its kept campaign corpus
harnesses=()
for b in "$bin"/fuzz_*; do
    h=${b##*/fuzz_}
    harnesses+=("$h")
    mkdir -p "$tmp/$h"
    for d in regress corpus; do
        [ -d "$root/tests/fuzz/$d/$h" ] || continue
        for f in "$root/tests/fuzz/$d/$h"/*; do
            [ -e "$f" ] && cp "$f" "$tmp/$h/$d-${f##*/}"
        done
    done
done
derive() { # file out-prefix: truncations and seeded bit flips
    python3 - "$1" "$2" <<'PY'
import random, sys
src, out = sys.argv[1], sys.argv[2]
d = open(src, "rb").read()[:200000]
random.seed(20261129)
for i, cut in enumerate([1, 10, 100, 1000, len(d) // 3, len(d) // 2, len(d) - 1]):
    open(f"{out}_cut{i}", "wb").write(d[:cut])
for i in range(12):
    b = bytearray(d)
    for _ in range(1 + i):
        p = random.randrange(len(b))
        b[p] ^= 1 << random.randrange(8)
    open(f"{out}_flip{i}", "wb").write(bytes(b))
PY
}
if [ -d "$data" ]; then
    derive "$data/monaco/monaco.osm.pbf" "$tmp/osm_pbf/monaco"
    derive "$data/terre-haute/terre-haute.osm.pbf" "$tmp/osm_pbf/terrehaute"
    bzip2 -dc "$data/west-oakland/West-Oakland.osm.bz2" > "$tmp/oakland.osm"
    derive "$tmp/oakland.osm" "$tmp/osm_xml/oakland"
    cp "$tmp/oakland.osm" "$tmp/osm_xml/oakland_whole"
    "$root/build/rel/halfhour" build "$tmp/oakland.osm" -o "$tmp/oakland.hh" -q 2>/dev/null ||
        "$bin/../halfhour" build "$tmp/oakland.osm" -o "$tmp/oakland.hh" -q
    derive "$tmp/oakland.hh" "$tmp/net/oakland"
    derive "$data/terre-haute/terre-haute-gtfs.zip" "$tmp/gtfs/terrehaute"
    cp "$data/terre-haute/terre-haute-gtfs.zip" "$tmp/gtfs/terrehaute_whole"
    cp "$data/bart/bart_gtfs.zip" "$tmp/gtfs/bart_whole"
    cp "$tmp/oakland.hh" "$tmp/net/oakland_whole"
else
    echo "fuzz regress: ../shared/data absent, replaying saved inputs only"
fi
fail=0
for h in "${harnesses[@]}"; do
    files=("$tmp/$h"/*)
    [ -e "${files[0]}" ] || continue
    if ! "$bin/fuzz_$h" "${files[@]}" >/dev/null; then
        echo "fuzz regress: fuzz_$h failed"; fail=1
    else
        echo "fuzz regress: fuzz_$h replayed ${#files[@]} inputs"
    fi
done
exit $fail
