#!/usr/bin/env bash
# serve.sh (test): `halfhour serve` end to end -- the API against the CLI,
# every limit, abuse, SIGTERM in flight, a short load (serve_test.py says
# what exactly).  Called by run.sh (counted in its summary); also alone:
#     HH_BIN=... [HH_DATA=...] bash tests/e2e/serve.sh WORKDIR [COUNTS_FILE]
#   HH_SERVE_LOAD_SECONDS  the wrk run's length (default 5)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
W=${1:?usage: serve.sh WORKDIR [COUNTS_FILE]}
COUNTS=${2:-$W/counts}
HH_BIN=${HH_BIN:-$root/build/rel/halfhour}
HH_DATA=${HH_DATA:-$root/../shared/data}
mkdir -p "$W"
# 2000 idle connections need the descriptors
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
python3 "$here/serve_test.py" --bin "$HH_BIN" --data "$HH_DATA" --tmp "$W" --counts "$COUNTS"
rc=$?
if [ ! -f "$COUNTS" ]; then
    echo "serve.sh: the test crashed (exit $rc)"
    echo "0 1 0" > "$COUNTS"
fi
read -r p f s < "$COUNTS"
echo "serve: $p passed, $f failed, $s skipped"
