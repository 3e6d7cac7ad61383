#!/usr/bin/env bash
# deps.sh: install the Debian packages halfhour needs, only those missing
# (idempotent; no network use when everything is there).  Sourced or run.
set -euo pipefail
HH_PACKAGES=(gcc g++ make libc6-dev libosmium2-dev libprotozero-dev libexpat1-dev libbz2-dev
             zlib1g-dev libdeflate-dev libzip-dev libgeos-dev libgdal-dev libproj-dev gdal-bin libglpk-dev nettle-dev osmium-tool python3 bzip2 curl ca-certificates
             time tzdata libmicrohttpd-dev libjansson-dev wrk)
missing=()
for p in "${HH_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "halfhour: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
