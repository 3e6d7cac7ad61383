#!/usr/bin/env bash
# fetch-data.sh [FILE...]: make the public data files available and verified.
#
# Prints the data folder to use.  Order of preference:
#   1. $HH_DATA, else ../shared/data beside the checkout, when the files are
#      there (checked against data/SHA256SUMS);
#   2. otherwise each missing file is fetched into data/cache/ from
#      $HH_DATA_MIRROR (a local folder or any URL prefix laid out like
#      ../shared/data, e.g. file:///media/usb/halfhour-data), else from the
#      file's public source (pinned commits below), and its SHA-256 checked.
# Works offline with a local mirror.  A file whose checksum does not match
# is removed and reported; nothing half-downloaded is left behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sums="$root/data/SHA256SUMS"
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(poa/poa_osm.pbf poa/poa_points_of_interest.csv poa/poa_hexgrid.csv)

source_url() {
    local gh=https://raw.githubusercontent.com
    case "$1" in
    poa/*) echo "$gh/ipeaGIT/r5r/65e61dfce4c24e53293b9c919c701399f752f549/r-package/inst/extdata/poa/${1#poa/}" ;;
    terre-haute/terre-haute.osm.pbf) echo "$gh/conveyal/r5/437639b14b3bbee9333aeb7fabb9789f396a75e6/src/test/resources/com/conveyal/r5/point_to_point/osm.pbf" ;;
    rhine-neckar/rnv.osm.pbf) echo "$gh/graphhopper/graphhopper/7be9ec05ba3ab35ded6a7f925d3d85f380760d5c/reader-gtfs/files/rnv.osm.pbf" ;;
    rhine-neckar/rnv_gtfs.zip) echo "$gh/graphhopper/graphhopper/7be9ec05ba3ab35ded6a7f925d3d85f380760d5c/reader-gtfs/files/rnv.zip" ;;
    porto/porto.osm.pbf) echo "$gh/conveyal/r5/6f3554291d6eef41469610224b4f8a3ee36e7276/src/test/resources/porto_portugal.osm.pbf" ;;
    monaco/monaco.osm.pbf) echo "$gh/Project-OSRM/osrm-backend/4fc76cad0d9d481463e2ed91dd6dd1585e70a200/test/data/monaco.osm.pbf" ;;
    helsinki/helsinki_gtfs.zip) echo "$gh/r5py/r5py/9b5213d00e8de165113c628878264d995c058209/docs/data/GTFS.zip" ;;
    bart/bart_gtfs.zip) echo "$gh/graphhopper/graphhopper/18c0d3c47ee3ee7d3df4fd3ae52a4fc8d8905ee3/reader-gtfs/files/bart.zip" ;;
    *) return 1 ;;
    esac
}

sum_of() { awk -v f="$1" '$2 == f {print $1}' "$sums"; }
ok_file() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

shared=${HH_DATA:-$root/../shared/data}
all_shared=1
for f in "${files[@]}"; do
    want=$(sum_of "$f")
    [ -n "$want" ] || { echo "fetch-data: unknown file $f" >&2; exit 1; }
    ok_file "$shared/$f" "$want" || { all_shared=0; break; }
done
if [ $all_shared = 1 ]; then
    (cd "$shared" && pwd)
    exit 0
fi
cache="$root/data/cache"
for f in "${files[@]}"; do
    want=$(sum_of "$f")
    dest="$cache/$f"
    ok_file "$dest" "$want" && continue
    mkdir -p "$(dirname "$dest")"
    if [ -f "$shared/$f" ]; then
        echo "fetch-data: $shared/$f does not match its SHA-256; fetching it again" >&2
    fi
    if [ -n "${HH_DATA_MIRROR:-}" ]; then
        case "$HH_DATA_MIRROR" in
        *://*) url="$HH_DATA_MIRROR/$f" ;;
        *) url="file://$(cd "$HH_DATA_MIRROR" && pwd)/$f" ;;
        esac
    else
        url=$(source_url "$f")
    fi
    echo "fetch-data: $f <- $url" >&2
    tmp="$dest.part.$$"
    if ! curl -fsSL --retry 2 -o "$tmp" "$url"; then
        rm -f "$tmp"
        echo "fetch-data: cannot fetch $f from $url" >&2
        exit 1
    fi
    if ! ok_file "$tmp" "$want"; then
        rm -f "$tmp"
        echo "fetch-data: $f from $url does not match its SHA-256 ($want)" >&2
        exit 1
    fi
    mv "$tmp" "$dest"
done
echo "$cache"
