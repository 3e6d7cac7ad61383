#!/usr/bin/env bash
# deps.sh: install the Debian packages halfhour needs, only those missing
# (idempotent; no network use when everything is there).  Sourced or run.
set -euo pipefail
HH_PACKAGES=(gcc g++ make libc6-dev libosmium2-dev libprotozero-dev libexpat1-dev libbz2-dev
             zlib1g-dev libdeflate-dev libzip-dev libgeos-dev libgdal-dev libproj-dev gdal-bin libglpk-dev nettle-dev osmium-tool python3 bzip2 curl ca-certificates
             time tzdata libmicrohttpd-dev libjansson-dev wrk
             # make fuzz (clang's libFuzzer), tests/valgrind/run.sh (memcheck)
             clang libclang-rt-dev valgrind
             nodejs chromium fonts-noto-cjk
             # the Python package (bindings/python) and its tests, for Debian's /usr/bin/python3
             python3-cffi python3-numpy python3-pandas python3-geopandas python3-shapely python3-pyproj
             python3-pytest python3-setuptools python3-pip python3-venv
             # the cost-curve plot of bench/run.sh (scale part)
             python3-matplotlib)
# Open MPI, for the MPI build (make MPI=1) and its test: only with --mpi
# (scripts/test.sh asks for it); the plain build needs none of it
HH_MPI_PACKAGES=(libopenmpi-dev openmpi-bin)
extra=()
for a in "$@"; do
    if [ "$a" = --mpi ]; then extra+=("${HH_MPI_PACKAGES[@]}"); else extra+=("$a"); fi
done
missing=()
for p in "${HH_PACKAGES[@]}" "${extra[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# the planning map's build and browser test need npm: Debian's npm package,
# unless the installed nodejs brings its own (as upstream builds of it do)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "halfhour: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
