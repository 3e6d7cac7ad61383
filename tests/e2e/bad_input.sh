#!/usr/bin/env bash
# bad_input.sh: table-driven bad-input tests of the halfhour CLI.
#     HH_BIN=... [HH_DATA=...] bash tests/e2e/bad_input.sh WORKDIR [COUNTS_FILE]
# Called by run.sh (which counts these in its summary); also runs alone.
#
# Every row of the table below runs `halfhour ARGS` with the working
# directory and every -o path inside a fresh empty folder $O, and asserts:
#   * the exit status: 1 (bad input / runtime failure), 2 (bad flags, usage),
#     or "nz" where the contract allows either (a bad value of a flag);
#     never a crash, a timeout or a sanitizer report;
#   * stderr is exactly one line and contains "error"; with exit 1 it reads
#     "halfhour: error: <reason>";
#   * the optional regex (column 3, "-" for none) matches that line;
#   * $O is empty afterwards: no output file at -o, no stray temporary file.
# Columns: name | exit | stderr regex | arguments (expanded by the shell, so
# "$W/x" works).  Fixtures live in $W; $NET is a good network, $PTS a good
# points CSV, $IN a coordinate on the network, $NEAR one 150 m off it, $FAR
# one far outside it.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
W=${1:?usage: bad_input.sh WORKDIR [COUNTS_FILE]}
COUNTS=${2:-}
HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
HH_DATA=${HH_DATA:-$root/../shared/data}
T=${HH_E2E_TIMEOUT:-300}
mkdir -p "$W"
W=$(cd "$W" && pwd)

passed=0
failed=0
skipped=0

note() { echo "     note: $*"; }

# ---- fixtures -------------------------------------------------------------
python3 "$here/asciimap.py" "$here/fixtures/small.case" --osm "$W/map.osm" \
    --bz2 "$W/map.osm.bz2" --pbf "$W/map.osm.pbf" --points "$W/pts.csv" || {
    echo "FAIL bad_input: cannot generate the fixture map"
    [ -n "$COUNTS" ] && echo "0 1 0" > "$COUNTS"
    exit 1
}
PTS=$W/pts.csv
NET=$W/net.hh
IN=$(sed -n 2p "$PTS" | cut -d, -f2,3)
FAR=10.0,10.0
NEAR=$(grep '^N,' "$PTS" | cut -d, -f2,3)  # 150 m north of the network

python3 - "$W" <<'EOF'
import os, random, struct, sys, zlib, bz2
w = sys.argv[1]
rnd = random.Random(20240611)
def put(name, data):
    with open(os.path.join(w, name), "wb") as f:
        f.write(data)
put("empty.osm.pbf", b"")
put("empty.osm", b"")
put("empty.hh", b"")
put("empty.csv", b"")
# a real PNG header (signature + IHDR chunk with its CRC) and junk after it
ihdr = struct.pack(">IIBBBBB", 64, 64, 8, 6, 0, 0, 0)
chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
put("image.osm.pbf", b"\x89PNG\r\n\x1a\n" + chunk + bytes(rnd.getrandbits(8) for _ in range(4000)))
put("random.osm.pbf", bytes(rnd.getrandbits(8) for _ in range(65536)))
put("random.osm.bz2", bytes(rnd.getrandbits(8) for _ in range(20000)))
# a PBF whose first BlobHeader claims 2 GB
put("hugeheader.osm.pbf", struct.pack(">I", 0x7fffffff) + b"\x0a\x09OSMHeader")
pbf = open(os.path.join(w, "map.osm.pbf"), "rb").read()
put("trunc-half.osm.pbf", pbf[: len(pbf) // 2])
put("trunc-40.osm.pbf", pbf[:40])
xml = open(os.path.join(w, "map.osm"), "rb").read()
put("trunc.osm.bz2", bz2.compress(xml)[:200])
put("broken.osm", xml[: len(xml) // 2])
put("noroads.osm", b'<?xml version="1.0"?>\n<osm version="0.6">\n'
    b'  <node id="1" lat="0" lon="0"/>\n  <node id="2" lat="0.001" lon="0"/>\n'
    b'  <way id="1"><nd ref="1"/><nd ref="2"/><tag k="building" v="yes"/></way>\n</osm>\n')
put("garbage.profile", b"car.residential = 36\nthis line is not a setting\n")
put("nolonlat.csv", b"id,a,b\nA,0.001,0.001\n")
put("nonnum.csv", b"id,lon,lat\nA,0.001,0.001\nB,east,0.002\n")
put("dup.csv", b"id,lon,lat\nA,0.001,0.001\nA,0.002,0.002\n")
put("far.csv", b"id,lon,lat\nF,10.0,10.0\nG,-20.0,5.0\n")
put("lon200.csv", b"id,lon,lat\nA,113,28\nB,200,28\n")
put("badpos.geojson", b'{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[113]}}')
put("unclosed.csv", b'id,lon,lat\n"A,113,28\n')
# ---- sizes an input claims, refused before anything that size is made ----
# a PBF blob whose raw_size claims 2 GB (its zlib data is a few bytes)
import zlib as _z
def varint(n):
    out = b""
    while True:
        b7 = n & 0x7F
        n >>= 7
        out += bytes([b7 | (0x80 if n else 0)])
        if not n:
            return out
blob = b"\x10" + varint(0x7FFFFFFF) + b"\x1a" + varint(len(_z.compress(b"x"))) + _z.compress(b"x")
bh = b"\x0a\x09OSMHeader\x18" + varint(len(blob))
put("hugeblob.osm.pbf", struct.pack(">I", len(bh)) + bh + blob)
# GTFS whose stop_times.txt claims 1 TiB uncompressed in the zip's directory
import io, zipfile
GTFS = {"agency.txt": "agency_name,agency_url,agency_timezone\nA,http://a.example,UTC\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,One,0.0005,0.0005\nS2,Two,0.001,0.001\n",
        "routes.txt": "route_id,route_short_name,route_type\nR,1,3\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "D,1,1,1,1,1,1,1,20190101,20191231\n",
        "trips.txt": "route_id,service_id,trip_id\nR,D,T\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T,08:00:00,08:00:00,S1,1\nT,08:05:00,08:05:00,S2,2\n"}
def gtfs_zip(files, zip64=False):
    bio = io.BytesIO()
    limit = zipfile.ZIP64_LIMIT
    if zip64:  # zip64 extra fields everywhere, the directory's included
        zipfile.ZIP64_LIMIT = 1
    with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
        for n, t in files.items():
            with z.open(n, "w", force_zip64=zip64) as f:
                f.write(t.encode())
    zipfile.ZIP64_LIMIT = limit
    return bytearray(bio.getvalue())
b = gtfs_zip(GTFS, zip64=True)
# the zip64 extra field (id 1) of the central directory entry: uncompressed
# size first; libzip reads the directory
cd = b.rfind(b"PK\x01\x02" + b"", 0)
while cd >= 0 and not b[cd + 46: cd + 46 + 14] == b"stop_times.txt":
    cd = b.rfind(b"PK\x01\x02", 0, cd)
nlen, xlen = struct.unpack("<HH", b[cd + 28: cd + 32])
x = cd + 46 + nlen
while x < cd + 46 + nlen + xlen:
    hid, hlen = struct.unpack("<HH", b[x: x + 4])
    if hid == 1:
        b[cd + 24: cd + 28] = b"\xff\xff\xff\xff"
        b[x + 4: x + 12] = struct.pack("<Q", 1 << 40)
        break
    x += 4 + hlen
put("claims-1tib.zip", bytes(b))
# GTFS whose stops.txt has one 2 MiB row (it deflates to a few kilobytes)
put("longrow.zip", bytes(gtfs_zip(dict(GTFS, **{"stops.txt": GTFS["stops.txt"] + "S3,\"" + "x" * (2 << 20) + "\",0,0\n"}))))
# a points CSV with one 2 MiB line
put("longrow.csv", b"id,lon,lat\nA,0.001,0.001\nB," + b"9" * (2 << 20) + b",0.001\n")
# a census polygon of a continent, spread over a 100 m lattice: 10^11 cells
put("continent.geojson", b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"population":1e9},'
    b'"geometry":{"type":"Polygon","coordinates":[[[-20,30],[40,30],[40,65],[-20,65],[-20,30]]]}}]}')
EOF

have_net=0
if "$HH_BIN" build "$W/map.osm" -o "$NET" -q 2>"$W/build.err"; then
    have_net=1
    python3 - "$W" <<'EOF'
import os, sys
w = sys.argv[1]
net = open(os.path.join(w, "net.hh"), "rb").read()
def put(name, data):
    with open(os.path.join(w, name), "wb") as f:
        f.write(data)
put("trunc.hh", net[: len(net) // 2])
put("tiny.hh", net[:16])
b = bytearray(net)
b[len(b) // 2] ^= 0x10
put("flip.hh", bytes(b))
b = bytearray(net)
b[-1] ^= 0x01
put("flip-last.hh", bytes(b))
# docs/format.md: magic "HALFHOUR" (8 bytes), the uint32 LE format version
# at offset 8 (this halfhour writes 1) and header_crc, the CRC-32 of bytes
# [0, 44), at offset 44.  The CRC is fixed up so that only the version is off.
import zlib
b = bytearray(net)
if b[:8] == b"HALFHOUR":
    b[8:12] = (99).to_bytes(4, "little")
    b[44:48] = zlib.crc32(bytes(b[:44])).to_bytes(4, "little")
    put("version.hh", bytes(b))
EOF
else
    echo "FAIL bad_input: building the fixture network failed: $(head -c 500 "$W/build.err")"
    failed=$((failed + 1))
fi

# a network with opportunity layers (jobs at every fixture point) for access
OPP=$W/opp.csv
{ echo "lon,lat,jobs,population"; tail -n +2 "$PTS" | cut -d, -f2,3 | sed 's/$/,5,100/'; } > "$OPP"
printf 'lon,lat,name\n0.001,0.001,north\n' > "$W/textonly.csv"
mkdir -p "$W/dir.csv"
{ echo "lon,lat,jobs"; tail -n +2 "$PTS" | cut -d, -f2,3 | sed 's/$/,0/'; } > "$W/zerojobs.csv"
printf '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":' > "$W/garbage.geojson"
printf '{"type":"FeatureCollection","features":[]}\n' > "$W/empty.geojson"
printf '{"type":"Feature","geometry":null,"properties":{}}\n' > "$W/feature.geojson"
printf '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"type":"add-road"}}]}\n' > "$W/badtype.geojson"
NETO=$W/neto.hh
"$HH_BIN" build "$W/map.osm" --opportunities "$OPP" -o "$NETO" -q 2>>"$W/build.err" ||
    echo "FAIL bad_input: building the fixture network with opportunities failed"

TRUNC_REAL=""
if [ -f "$HH_DATA/monaco/monaco.osm.pbf" ]; then
    TRUNC_REAL=$W/monaco-trunc.osm.pbf
    head -c 300000 "$HH_DATA/monaco/monaco.osm.pbf" > "$TRUNC_REAL"
fi

# ---- the table --------------------------------------------------------------
CASES=$(cat <<'EOF'
build-missing-osm        | 1  | -      | build "$W/nope.osm.pbf" -o "$O/net.hh"
build-empty-pbf          | 1  | -      | build "$W/empty.osm.pbf" -o "$O/net.hh"
build-empty-xml          | 1  | -      | build "$W/empty.osm" -o "$O/net.hh"
build-truncated-real-pbf | 1  | -      | build "$TRUNC_REAL" -o "$O/net.hh"
build-truncated-pbf      | 1  | -      | build "$W/trunc-half.osm.pbf" -o "$O/net.hh"
build-pbf-cut-in-header  | 1  | -      | build "$W/trunc-40.osm.pbf" -o "$O/net.hh"
build-pbf-huge-header    | 1  | -      | build "$W/hugeheader.osm.pbf" -o "$O/net.hh"
build-png-as-pbf         | 1  | -      | build "$W/image.osm.pbf" -o "$O/net.hh"
build-pbf-blob-claims-2g | 1  | -      | build "$W/hugeblob.osm.pbf" -o "$O/net.hh"
build-gtfs-claims-1tib   | 1  | stop_times.txt: 1099511627776 bytes uncompressed.*more than the limit | build "$W/map.osm" --gtfs "$W/claims-1tib.zip" -o "$O/net.hh"
build-gtfs-2mib-row      | 1  | stops.txt line 4: a row of more than 1048576 bytes | build "$W/map.osm" --gtfs "$W/longrow.zip" -o "$O/net.hh"
build-polygon-continent  | 1  | lattice cells of 100 m, more than the limit | build "$W/map.osm" --opportunities "$W/continent.geojson" -o "$O/net.hh"
matrix-csv-2mib-row      | 1  | line 3: a row of more than 1048576 bytes | matrix "$NET" --origins "$W/longrow.csv" --destinations "$PTS" --mode car -o "$O/m.csv"
build-random-pbf         | 1  | -      | build "$W/random.osm.pbf" -o "$O/net.hh"
build-random-bz2         | 1  | -      | build "$W/random.osm.bz2" -o "$O/net.hh"
build-truncated-bz2      | 1  | -      | build "$W/trunc.osm.bz2" -o "$O/net.hh"
build-truncated-xml      | 1  | -      | build "$W/broken.osm" -o "$O/net.hh"
build-no-roads           | 1  | -      | build "$W/noroads.osm" -o "$O/net.hh"
build-directory-as-osm   | 1  | -      | build "$W" -o "$O/net.hh"
build-unwritable-out     | 1  | -      | build "$W/map.osm" -o /nonexistent/dir/net.hh
build-unknown-set-key    | nz | -      | build "$W/map.osm" -o "$O/net.hh" --set car.nosuchclass=10
build-bad-set-value      | nz | -      | build "$W/map.osm" -o "$O/net.hh" --set car.residential=fast
build-negative-speed     | nz | -      | build "$W/map.osm" -o "$O/net.hh" --set car.residential=-5
build-missing-profile    | 1  | -      | build "$W/map.osm" -o "$O/net.hh" --profile "$W/nope.profile"
build-garbage-profile    | 1  | line   | build "$W/map.osm" -o "$O/net.hh" --profile "$W/garbage.profile"
build-no-input           | 2  | -      | build -o "$O/net.hh"
info-missing-net         | 1  | -      | info "$W/nope.hh"
info-empty-net           | 1  | -      | info "$W/empty.hh"
info-truncated-net       | 1  | -      | info "$W/trunc.hh"
info-16-byte-net         | 1  | -      | info "$W/tiny.hh"
info-bitflip-net         | 1  | -      | info "$W/flip.hh"
info-bitflip-last-byte   | 1  | -      | info "$W/flip-last.hh"
info-wrong-version       | 1  | version | info "$W/version.hh"
info-osm-as-net          | 1  | -      | info "$W/map.osm.pbf"
info-json-truncated-net  | 1  | -      | info "$W/trunc.hh" --json
matrix-truncated-net     | 1  | -      | matrix "$W/trunc.hh" --origins "$PTS" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-bitflip-net       | 1  | -      | matrix "$W/flip.hh" --origins "$PTS" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-wrong-version     | 1  | version | matrix "$W/version.hh" --origins "$PTS" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-csv-no-lonlat     | 1  | -      | matrix "$NET" --origins "$W/nolonlat.csv" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-csv-non-numeric   | 1  | -      | matrix "$NET" --origins "$PTS" --destinations "$W/nonnum.csv" --mode car -o "$O/m.csv"
matrix-csv-duplicate-ids | 1  | -      | matrix "$NET" --origins "$W/dup.csv" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-csv-empty         | 1  | -      | matrix "$NET" --origins "$W/empty.csv" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-csv-missing       | 1  | -      | matrix "$NET" --origins "$W/nope.csv" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-unwritable-out    | 1  | -      | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o /nonexistent/dir/x.csv
matrix-out-is-directory  | 1  | directory | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car -o "$W"
matrix-no-origin-snaps   | 1  | no origin snapped.*outside the network's area | matrix "$NET" --origins "$W/far.csv" --destinations "$PTS" --mode car -o "$O/m.csv"
matrix-no-dest-snaps     | 1  | no destination snapped.*ids F,G | matrix "$NET" --origins "$PTS" --destinations "$W/far.csv" --mode walk -o "$O/m.csv"
export-out-is-directory  | 1  | directory | export "$NET" --mode car -o "$W"
build-out-is-directory   | 1  | directory | build "$W/map.osm" -o "$W" -q
matrix-unknown-mode      | nz | -      | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode rocket -o "$O/m.csv"
matrix-missing-mode      | 2  | -      | matrix "$NET" --origins "$PTS" --destinations "$PTS" -o "$O/m.csv"
matrix-threads-zero      | nz | -      | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car --threads 0 -o "$O/m.csv"
matrix-threads-words     | nz | -      | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car --threads many -o "$O/m.csv"
matrix-negative-max-min  | nz | -      | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode car --max-minutes -5 -o "$O/m.csv"
iso-outside-region       | 1  | outside the network's area \(.*map\.osm\) |  isochrone "$NET" --from "$FAR" --mode walk --minutes 10 -o "$O/i.geojson"
iso-origins-and-from     | 2  | give the origins one way | isochrone "$NET" --origins "$PTS" --from "$IN" --mode walk -o "$O/i.geojson"
iso-origins-missing      | 1  | nothere.csv: No such file | isochrone "$NET" --origins "$W/nothere.csv" --mode walk -o "$O/i.geojson"
iso-origins-empty        | 1  | empty.csv | isochrone "$NET" --origins "$W/empty.csv" --mode walk -o "$O/i.geojson"
iso-origins-non-numeric  | 1  | -      | isochrone "$NET" --origins "$W/nonnum.csv" --mode walk -o "$O/i.geojson"
iso-origins-none-snap    | 1  | far.csv: no origin snapped to the walk network.*outside the network's area.*ids F,G | isochrone "$NET" --origins "$W/far.csv" --mode walk -o "$O/i.geojson"
iso-transit-no-gtfs      | 1  | no transit | isochrone "$NET" --from "$IN" --mode transit --depart 2019-05-13T12:00 -o "$O/i.geojson"
iso-transit-no-depart    | 2  | depart | isochrone "$NET" --from "$IN" --mode transit -o "$O/i.geojson"
iso-transit-bad-depart   | 1  | depart | isochrone "$NET" --from "$IN" --mode transit --depart 2019-13-40T25:00 -o "$O/i.geojson"
iso-transit-bad-window   | 1  | window | isochrone "$NET" --from "$IN" --mode transit --depart 2019-05-13T12:00 --window 0 -o "$O/i.geojson"
iso-transit-bad-pct      | 1  | percentile | isochrone "$NET" --from "$IN" --mode transit --depart 2019-05-13T12:00 --percentile 150 -o "$O/i.geojson"
iso-transit-bad-rides    | 1  | max-rides | isochrone "$NET" --from "$IN" --mode transit --depart 2019-05-13T12:00 --max-rides 0 -o "$O/i.geojson"
mx-transit-bad-pct       | 1  | percentile | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode transit --depart 2019-05-13T12:00 --percentiles 5,abc -o "$O/m.csv"
mx-transit-walk-speed    | 1  | walk-speed | matrix "$NET" --origins "$PTS" --destinations "$PTS" --mode transit --depart 2019-05-13T12:00 --walk-speed 0 -o "$O/m.csv"
iso-lon-200              | nz | -      | isochrone "$NET" --from 200,0 --mode walk --minutes 10 -o "$O/i.geojson"
iso-lat-95               | nz | -      | isochrone "$NET" --from 0,95 --mode walk --minutes 10 -o "$O/i.geojson"
iso-lon-nan              | nz | -      | isochrone "$NET" --from nan,0 --mode walk --minutes 10 -o "$O/i.geojson"
iso-from-words           | nz | -      | isochrone "$NET" --from here --mode walk --minutes 10 -o "$O/i.geojson"
iso-from-one-number      | nz | -      | isochrone "$NET" --from 0.001 --mode walk --minutes 10 -o "$O/i.geojson"
iso-unknown-mode         | nz | -      | isochrone "$NET" --from "$IN" --mode teleport --minutes 10 -o "$O/i.geojson"
iso-negative-minutes     | nz | -      | isochrone "$NET" --from "$IN" --mode walk --minutes -10 -o "$O/i.geojson"
iso-zero-minutes         | nz | -      | isochrone "$NET" --from "$IN" --mode walk --minutes 0 -o "$O/i.geojson"
iso-absurd-minutes       | nz | -      | isochrone "$NET" --from "$IN" --mode walk --minutes 100000 -o "$O/i.geojson"
iso-non-numeric-minutes  | nz | -      | isochrone "$NET" --from "$IN" --mode walk --minutes ten -o "$O/i.geojson"
iso-minutes-trailing-junk| nz | -      | isochrone "$NET" --from "$IN" --mode walk --minutes 10x -o "$O/i.geojson"
iso-negative-snap-max    | nz | -      | isochrone "$NET" --from "$IN" --mode walk --minutes 10 --snap-max -1 -o "$O/i.geojson"
iso-generalize-negative  | 1  | --generalize "-5": expected metres | isochrone "$NET" --from "$IN" --mode walk --minutes 10 --generalize -5 -o "$O/i.geojson"
iso-generalize-words     | 1  | --generalize "much" | isochrone "$NET" --from "$IN" --mode walk --minutes 10 --generalize much -o "$O/i.geojson"
iso-denoise-above-one    | 1  | --denoise "1.5": expected a number in \[0, 1\] | isochrone "$NET" --from "$IN" --mode walk --minutes 10 --denoise 1.5 -o "$O/i.geojson"
iso-denoise-nan          | 1  | --denoise "nan" | isochrone "$NET" --from "$IN" --mode walk --minutes 10 --denoise nan -o "$O/i.geojson"
iso-holes-unknown        | 1  | --holes "some": expected fill or all | isochrone "$NET" --from "$IN" --mode walk --minutes 10 --holes some -o "$O/i.geojson"
iso-holes-missing-value  | 2  | -      | isochrone "$NET" --from "$IN" --mode walk --minutes 10 --holes
iso-snap-max-too-small   | 1  | outside the network.s area \(.*\), nearest walk street 1[45][0-9] m$ |  isochrone "$NET" --from "$NEAR" --mode walk --minutes 10 --snap-max 100 -o "$O/i.geojson"
iso-bitflip-net          | 1  | -      | isochrone "$W/flip.hh" --from "$IN" --mode walk --minutes 10 -o "$O/i.geojson"
iso-unwritable-out       | 1  | -      | isochrone "$NET" --from "$IN" --mode walk --minutes 10 -o /nonexistent/dir/i.geojson
iso-missing-from         | 2  | -      | isochrone "$NET" --mode walk --minutes 10 -o "$O/i.geojson"
iso-empty-minutes        | 1  | -      | isochrone "$NET" --from "$IN" --mode walk --minutes "" -o "$O/i.geojson"
iso-flag-without-value   | 2  | -      | isochrone "$NET" --from "$IN" --minutes 10 --mode
build-bad-osm-layer      | 1  | layer rule | build "$W/map.osm" -o "$O/net.hh" --osm-layer nonsense
build-osm-layer-twice    | 1  | two rules | build "$W/map.osm" -o "$O/net.hh" --osm-layer a=amenity=x --osm-layer a=shop=y
build-missing-opps       | 1  | -      | build "$W/map.osm" -o "$O/net.hh" --opportunities "$W/nope.csv"
build-opps-no-numeric    | 1  | numeric | build "$W/map.osm" -o "$O/net.hh" --opportunities "$W/textonly.csv"
build-opps-garbage-json  | 1  | -      | build "$W/map.osm" -o "$O/net.hh" --opportunities "$W/garbage.geojson"
build-bad-polygons       | nz | -      | build "$W/map.osm" -o "$O/net.hh" --polygons squares
access-missing-mode      | 2  | -      | access "$NETO" --origins "$PTS" -o "$O/a.csv"
access-unknown-layer     | 1  | no layer "nosuch" | access "$NETO" --mode walk --opportunities nosuch -o "$O/a.csv"
access-preset-empty      | 1  | preset | access "$NETO" --mode walk --preset 15min -o "$O/a.csv"
access-bad-preset        | 1  | preset | access "$NETO" --mode walk --preset 10min -o "$O/a.csv"
access-bad-decay         | 1  | decay  | access "$NETO" --mode walk --decay gaussian -o "$O/a.csv"
access-bad-decay-value   | 1  | out of range | access "$NETO" --mode walk --decay linear --decay-value 0 -o "$O/a.csv"
access-bad-minutes       | 1  | minutes | access "$NETO" --mode walk --minutes 30,abc -o "$O/a.csv"
access-tif-for-points    | 1  | needs a grid | access "$NETO" --mode walk --origins "$PTS" -o "$O/a.tif"
access-unknown-suffix    | 1  | .gpkg  | access "$NETO" --mode walk -o "$O/a.shp"
access-grid-too-small    | nz | -      | access "$NETO" --mode walk --grid 1 -o "$O/a.csv"
access-grid-and-origins  | 2  | -      | access "$NETO" --mode walk --grid 100 --origins "$PTS" -o "$O/a.csv"
access-bad-2sfca         | 1  | SUPPLY:DEMAND | access "$NETO" --mode walk --2sfca jobs -o "$O/a.csv"
access-2sfca-unknown     | 1  | no layer | access "$NETO" --mode walk --2sfca beds:population -o "$O/a.csv"
access-bad-pct-of        | 1  | percentile-of | access "$NETO" --mode walk --percentile-of seconds -o "$O/a.csv"
access-bad-nearest       | 1  | nearest | access "$NETO" --mode walk --nearest 1.5 -o "$O/a.csv"
access-transit-no-depart | 2  | depart | access "$NETO" --mode transit -o "$O/a.csv"
access-transit-no-gtfs   | 1  | -      | access "$NETO" --mode transit --depart 2019-05-13T12:00 -o "$O/a.csv"
access-missing-opps-file | 1  | -      | access "$NETO" --mode walk --opportunities-file "$W/nope.csv" -o "$O/a.csv"
access-no-origin-snaps   | 1  | no origin snapped | access "$NETO" --mode walk --origins "$W/far.csv" -o "$O/a.csv"
access-unwritable-csv    | 1  | -      | access "$NETO" --mode walk -o /nonexistent/dir/a.csv
access-unwritable-gpkg   | 1  | -      | access "$NETO" --mode walk -o /nonexistent/dir/a.gpkg
access-unwritable-tif    | 1  | -      | access "$NETO" --mode walk -o /nonexistent/dir/a.tif
access-out-is-directory  | 1  | -      | access "$NETO" --mode walk -o "$W"
access-bad-weights       | 1  | weights | access "$NETO" --mode walk --summary --weights nosuch -o "$O/a.csv"
access-missing-districts | 1  | -      | access "$NETO" --mode walk --summary --by-district "$W/nope.geojson" -o "$O/a.csv"
access-bitflip-net       | 1  | -      | access "$W/flip.hh" --mode walk -o "$O/a.csv"
report-missing-centres   | 2  | centres | report "$NETO" --minutes 30 -o "$O/rep"
report-missing-out       | 2  | -o DIR | report "$NETO" --centres "$PTS" --minutes 30
report-dup-centres       | 1  | twice  | report "$NETO" --centres "$W/dup.csv" -o "$O/rep"
report-centres-missing   | 1  | -      | report "$NETO" --centres "$W/nope.csv" -o "$O/rep"
report-no-centre-snaps   | 1  | no centre snapped | report "$NETO" --centres "$W/far.csv" -o "$O/rep"
report-bad-mode          | 1  | unknown mode | report "$NETO" --centres "$PTS" --modes car,boat -o "$O/rep"
report-mode-twice        | 1  | twice  | report "$NETO" --centres "$PTS" --modes car,car -o "$O/rep"
report-transit-no-depart | 2  | depart | report "$NETO" --centres "$PTS" --modes transit -o "$O/rep"
report-transit-no-gtfs   | 1  | -      | report "$NETO" --centres "$PTS" --modes transit --depart 2019-05-13T12:00 -o "$O/rep"
report-bad-layer         | 1  | no layer | report "$NETO" --centres "$PTS" --layer nosuch -o "$O/rep"
report-missing-districts | 1  | -      | report "$NETO" --centres "$PTS" --by-district "$W/nope.geojson" -o "$O/rep"
report-zero-minutes      | nz | -      | report "$NETO" --centres "$PTS" --minutes 0 -o "$O/rep"
report-out-is-a-file     | 1  | not a folder | report "$NETO" --centres "$PTS" -o "$PTS"
report-out-unwritable    | 1  | -      | report "$NETO" --centres "$PTS" -o /nonexistent/dir/rep
coords-missing-file      | 1  | -      | coords --from gcj02 --to wgs84 "$W/nope.csv" -o "$O/x.csv"
coords-unknown-datum     | 1  | datum "bd09" | coords --from bd09 --to wgs84 "$PTS" -o "$O/x.csv"
coords-missing-to        | 2  | --to   | coords --from gcj02 "$PTS" -o "$O/x.csv"
coords-missing-input     | 2  | input  | coords --from gcj02 --to wgs84 -o "$O/x.csv"
coords-unknown-suffix    | 1  | \.geojson | coords --from gcj02 --to wgs84 "$W/map.osm" -o "$O/x.csv"
coords-csv-no-lonlat     | 1  | no longitude column | coords --from gcj02 --to wgs84 "$W/nolonlat.csv" -o "$O/x.csv"
coords-csv-non-numeric   | 1  | line 3.*east | coords --from gcj02 --to wgs84 "$W/nonnum.csv" -o "$O/x.csv"
coords-csv-out-of-range  | 1  | line 3.*out of range | coords --from gcj02 --to wgs84 "$W/lon200.csv" -o "$O/x.csv"
coords-csv-unclosed-quote| 1  | quoted | coords --from gcj02 --to wgs84 "$W/unclosed.csv" -o "$O/x.csv"
coords-csv-empty         | 1  | empty  | coords --from gcj02 --to wgs84 "$W/empty.csv" -o "$O/x.csv"
coords-named-col-missing | 1  | no column "lon_gcj02" | coords --from gcj02 --to wgs84 --lon lon_gcj02 --lat lat_gcj02 "$PTS" -o "$O/x.csv"
coords-garbage-geojson   | 1  | line 1 | coords --from gcj02 --to wgs84 "$W/garbage.geojson" -o "$O/x.geojson"
coords-geojson-short-pos | 1  | fewer than two | coords --from gcj02 --to wgs84 "$W/badpos.geojson" -o "$O/x.geojson"
coords-directory-as-in   | 1  | -      | coords --from gcj02 --to wgs84 "$W/dir.csv" -o "$O/x.csv"
coords-unwritable-out    | 1  | -      | coords --from gcj02 --to wgs84 "$PTS" -o /nonexistent/dir/x.csv
coords-out-is-directory  | 1  | directory | coords --from gcj02 --to wgs84 "$PTS" -o "$W"
site-missing-mode        | 2  | mode   | site "$NETO" --minutes 15 --demand population --candidates "$PTS" --k 2 -o "$O/s.csv"
site-missing-minutes     | 2  | minutes | site "$NETO" --mode walk --demand population --candidates "$PTS" --k 2 -o "$O/s.csv"
site-missing-demand      | 2  | demand | site "$NETO" --mode walk --minutes 15 --candidates "$PTS" --k 2 -o "$O/s.csv"
site-no-candidates       | 2  | candidates | site "$NETO" --mode walk --minutes 15 --demand population --k 2 -o "$O/s.csv"
site-candidates-and-grid | 2  | candidates | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --grid 100 --k 2 -o "$O/s.csv"
site-no-k-or-cover       | 2  | --k    | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" -o "$O/s.csv"
site-k-and-cover         | 2  | --k    | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --k 2 --cover 0.5 -o "$O/s.csv"
site-time-limit-greedy   | 2  | exact  | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --k 2 --time-limit 5 -o "$O/s.csv"
site-bad-k               | 1  | --k    | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --k 0 -o "$O/s.csv"
site-bad-cover           | 1  | --cover | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --cover 90 -o "$O/s.csv"
site-bad-minutes         | 1  | minutes | site "$NETO" --mode walk --minutes 15,30 --demand population --candidates "$PTS" --k 2 -o "$O/s.csv"
site-bad-time-limit      | 1  | time-limit | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --k 2 --exact --time-limit 0 -o "$O/s.csv"
site-unknown-layer       | 1  | no layer "nosuch" | site "$NETO" --mode walk --minutes 15 --demand nosuch --candidates "$PTS" --k 2 -o "$O/s.csv"
site-no-demand-values    | 1  | no point with a value | site "$NET" --mode walk --minutes 15 --demand jobs --opportunities-file "$W/zerojobs.csv" --candidates "$PTS" --k 2 -o "$O/s.csv"
site-missing-candidates  | 1  | -      | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$W/nope.csv" --k 2 -o "$O/s.csv"
site-bad-candidates      | 1  | -      | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$W/nonnum.csv" --k 2 -o "$O/s.csv"
site-missing-existing    | 1  | -      | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --existing "$W/nope.csv" --k 2 -o "$O/s.csv"
site-no-candidate-snaps  | 1  | no candidate site snapped | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$W/far.csv" --k 2 -o "$O/s.csv"
site-cover-out-of-reach  | 1  | out of reach | site "$NETO" --mode walk --minutes 0.1 --demand population --candidates "$PTS" --cover 1 -o "$O/s.csv"
site-transit-no-depart   | 2  | depart | site "$NETO" --mode transit --minutes 15 --demand population --candidates "$PTS" --k 2 -o "$O/s.csv"
site-transit-no-gtfs     | 1  | -      | site "$NETO" --mode transit --depart 2019-05-13T12:00 --minutes 15 --demand population --candidates "$PTS" --k 2 -o "$O/s.csv"
site-unwritable          | 1  | -      | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --k 2 -o /nonexistent/dir/s.csv
site-out-is-directory    | 1  | -      | site "$NETO" --mode walk --minutes 15 --demand population --candidates "$PTS" --k 2 -o "$W"
site-bitflip-net         | 1  | -      | site "$W/flip.hh" --mode walk --minutes 15 --demand population --candidates "$PTS" --k 2 -o "$O/s.csv"
scenario-missing-change  | 2  | --change | scenario "$NET" -o "$O/n.hh"
scenario-missing-out     | 2  | -o     | scenario "$NET" --change "$W/empty.geojson"
scenario-out-is-base     | 2  | base   | scenario "$NET" --change "$W/empty.geojson" -o "$NET"
scenario-missing-net     | 2  | base network | scenario --change "$W/empty.geojson" -o "$O/n.hh"
scenario-no-change-file  | 1  | -      | scenario "$NET" --change "$W/nope.geojson" -o "$O/n.hh"
scenario-garbage-change  | 1  | line 1 | scenario "$NET" --change "$W/garbage.geojson" -o "$O/n.hh"
scenario-not-json        | 1  | line 1: | scenario "$NET" --change "$PTS" -o "$O/n.hh"
scenario-not-a-collection | 1 | FeatureCollection | scenario "$NET" --change "$W/feature.geojson" -o "$O/n.hh"
scenario-unknown-type    | 1  | feature 1: unknown type | scenario "$NET" --change "$W/badtype.geojson" -o "$O/n.hh"
scenario-bitflip-net     | 1  | -      | scenario "$W/flip.hh" --change "$W/empty.geojson" -o "$O/n.hh"
scenario-unwritable      | 1  | -      | scenario "$NET" --change "$W/empty.geojson" -o /nonexistent/dir/n.hh
scenario-out-is-directory | 1 | -      | scenario "$NET" --change "$W/empty.geojson" -o "$W"
unknown-flag             | 2  | -      | info "$NET" --frobnicate
unknown-verb             | 2  | -      | frobnicate "$NET"
no-arguments             | 2  | -      |
EOF
)

run_row() {
    local name=$1 want=$2 rx=$3 args=$4
    local O="$W/out/$name"
    rm -rf "$O"
    mkdir -p "$O"
    if [ $have_net = 0 ] && [[ "$args" =~ \$NET|trunc\.hh|tiny\.hh|flip|version\.hh ]]; then
        skipped=$((skipped + 1))
        note "$name skipped: no fixture network"
        return
    fi
    if [[ "$args" == *'$TRUNC_REAL'* ]] && [ -z "$TRUNC_REAL" ]; then
        skipped=$((skipped + 1))
        note "$name skipped: no real data at HH_DATA=$HH_DATA"
        return
    fi
    if [[ "$args" == *version.hh* ]] && [ ! -f "$W/version.hh" ]; then
        skipped=$((skipped + 1))
        note "$name skipped: network file does not start with the documented magic"
        return
    fi
    local -a argv
    eval "argv=($args)"
    local rc
    (cd "$O" && exec timeout -k 5 "$T" "$HH_BIN" "${argv[@]}") \
        > "$W/out/$name.stdout" 2> "$W/out/$name.stderr"
    rc=$?
    local err nlines why=""
    err=$(cat "$W/out/$name.stderr")
    nlines=$(awk 'END { print NR }' "$W/out/$name.stderr")
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        why="timed out after ${T}s"
    elif [ $rc -ge 128 ]; then
        why="killed by signal $((rc - 128))"
    elif [ $rc -eq 0 ]; then
        why="exit 0 (want $want)"
    elif [ "$want" = nz ] && [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
        why="exit $rc (want 1 or 2)"
    elif [ "$want" != nz ] && [ $rc -ne "$want" ]; then
        why="exit $rc (want $want)"
    elif [ "$nlines" -ne 1 ]; then
        why="stderr has $nlines lines (want 1)"
    elif [[ "$err" != *error* ]]; then
        why="stderr does not contain 'error'"
    elif [ $rc -eq 1 ] && [[ "$err" != "halfhour: error: "* ]]; then
        why="exit 1 message does not start with 'halfhour: error: '"
    elif [ "$rx" != - ] && ! grep -Eqi -- "$rx" "$W/out/$name.stderr"; then
        why="stderr does not match /$rx/"
    fi
    local left
    left=$(ls -A "$O")
    if [ -z "$why" ] && [ -n "$left" ]; then
        why="files left behind in the output folder: $(echo $left)"
    fi
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        echo "ok   bad_input/$name"
    else
        failed=$((failed + 1))
        echo "FAIL bad_input/$name: $why"
        echo "    \$ halfhour ${argv[*]+$(printf '%q ' "${argv[@]}")}"
        echo "    exit $rc, stderr: $(head -c 1500 "$W/out/$name.stderr" | sed '2,$s/^/            /')"
    fi
}

while IFS='|' read -r name want rx args; do
    name=$(echo $name)
    want=$(echo $want)
    rx=$(echo $rx)
    [ -z "$name" ] && continue
    args=${args# }
    run_row "$name" "$want" "$rx" "$args"
done <<< "$CASES"

[ $skipped -gt 0 ] && note "bad_input: $skipped case(s) skipped"
[ -n "$COUNTS" ] && echo "$passed $failed $skipped" > "$COUNTS"
echo "bad_input: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
