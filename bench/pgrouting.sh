#!/usr/bin/env bash
# pgrouting.sh: the pgRouting side of the benchmark, usable alone.
#
#   bash bench/pgrouting.sh EDGES.csv ORIGINS.csv POINTS.csv [MAX_S] [N_MATRIX_ROWS]
#
# EDGES.csv is `halfhour export --mode car` output
# (id,source,target,cost,reverse_cost,length_m,x1,y1,x2,y2; cost in s, -1 =
# closed).  ORIGINS.csv and POINTS.csv are `id,lon,lat` files written by
# bench_street.  The script installs postgresql-15-pgrouting when missing,
# makes a throwaway cluster in a temporary folder, starts postgres on
# 127.0.0.1 on a free port (as user postgres, or nobody, when run as root),
# loads the edges, maps each point to the nearest vertex, then times
#   - pgr_drivingDistance(edges, vertex, MAX_S) once per origin,
#   - pgr_dijkstraCostMatrix over the points' vertices, or, when
#     N_MATRIX_ROWS is below the number of points, pgr_dijkstraCost from the
#     first N_MATRIX_ROWS vertices to all of them (same Dijkstra; the caller
#     extrapolates).
# Each call is timed inside the server with clock_timestamp(), so psql and
# network overhead are excluded; the edge SQL is executed by every call, as
# in any ordinary pgRouting use.  Results go to stdout as key=value lines.
# The server is stopped and the cluster removed on exit, whatever happens.
set -euo pipefail

edges=${1:?usage: pgrouting.sh EDGES.csv ORIGINS.csv POINTS.csv [MAX_S] [N_ROWS]}
origins=${2:?origins csv}
points=${3:?points csv}
max_s=${4:-1800}
n_rows=${5:-0}
for f in "$edges" "$origins" "$points"; do
    [ -r "$f" ] || { echo "pgrouting.sh: cannot read $f" >&2; exit 2; }
done
edges=$(readlink -f "$edges"); origins=$(readlink -f "$origins")
points=$(readlink -f "$points")

log() { echo "pgrouting.sh: $*" >&2; }

# ---- install ----------------------------------------------------------
PGVER=15
PGBIN=/usr/lib/postgresql/$PGVER/bin
have_pgr() {
    [ -x "$PGBIN/postgres" ] && [ -f /usr/share/postgresql/$PGVER/extension/pgrouting.control ]
}
if ! have_pgr; then
    log "installing postgresql-$PGVER-pgrouting"
    if [ "$(id -u)" -ne 0 ]; then
        log "not root: install postgresql-$PGVER-pgrouting first"; exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "postgresql-$PGVER-pgrouting" >&2 ||
        { apt-get update -q >&2 && apt-get install -y -q "postgresql-$PGVER-pgrouting" >&2; }
    have_pgr || { log "postgresql-$PGVER-pgrouting did not install"; exit 2; }
fi

# ---- throwaway cluster -------------------------------------------------
# Postgres refuses to run as root, so as root the server runs as `postgres`
# (made by the Debian package) or else `nobody`; the cluster lives in a
# fresh temporary folder owned by that user.
as_db() { "$@"; }
dbuser=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then dbuser=postgres; else dbuser=nobody; fi
    as_db() { runuser -u "$dbuser" -- "$@"; }
fi
# as root, /tmp rather than $TMPDIR: the server's user must reach the folder
base=${TMPDIR:-/tmp}
[ "$(id -u)" -eq 0 ] && base=/tmp
tmp=$(mktemp -d "$base/hh-pgr.XXXXXX")
chmod 755 "$tmp"
[ "$(id -u)" -eq 0 ] && chown "$dbuser" "$tmp"
pgdata=$tmp/data
started=0
cleanup() {
    if [ "$started" = 1 ]; then
        as_db "$PGBIN/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port: the first one from a fixed start that nothing answers on.
port=
for p in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { log "no free port in 55432..55532"; exit 2; }

as_db "$PGBIN/initdb" -D "$pgdata" -U hh -A trust -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log" >&2; exit 2; }
# Throwaway settings: no durability, no autovacuum noise during timing,
# memory sized for a 2-core 24 GB box (the edge table is a few MB).
cat >>"$pgdata/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$tmp'
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
shared_buffers = 256MB
work_mem = 256MB
max_parallel_workers_per_gather = 0
jit = off
EOF
as_db "$PGBIN/pg_ctl" -D "$pgdata" -l "$tmp/server.log" -w -t 60 start >/dev/null ||
    { cat "$tmp/server.log" >&2; exit 2; }
started=1

psqlc() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U hh -d postgres "$@"; }
pgr_version=$(psqlc -At -c "CREATE EXTENSION pgrouting CASCADE; SELECT pgr_version();")

# ---- load ---------------------------------------------------------------
# Vertices come from the edge endpoints; nearest vertex search uses the
# core `point` type with a GiST index (no PostGIS needed), longitude scaled
# by cos(mean latitude) so distances are locally isotropic.
psqlc <<EOF
CREATE TABLE edges (id bigint PRIMARY KEY, source bigint NOT NULL,
    target bigint NOT NULL, cost float8 NOT NULL, reverse_cost float8 NOT NULL,
    length_m float8, x1 float8, y1 float8, x2 float8, y2 float8);
\copy edges FROM '$edges' WITH (FORMAT csv, HEADER true)
CREATE TABLE pts_origin (id bigint PRIMARY KEY, lon float8, lat float8);
\copy pts_origin FROM '$origins' WITH (FORMAT csv, HEADER true)
CREATE TABLE pts_matrix (id bigint PRIMARY KEY, lon float8, lat float8);
\copy pts_matrix FROM '$points' WITH (FORMAT csv, HEADER true)
ANALYZE edges;
CREATE TABLE k AS SELECT cos(radians(avg((y1 + y2) / 2))) AS kx FROM edges;
CREATE TABLE vertices AS
  SELECT DISTINCT ON (v) v, point(x * (SELECT kx FROM k), y) AS p FROM (
    SELECT source AS v, x1 AS x, y1 AS y FROM edges
    UNION ALL SELECT target, x2, y2 FROM edges) s ORDER BY v;
CREATE INDEX ON vertices USING gist (p);
ANALYZE vertices;
CREATE TABLE origin_v AS SELECT o.id, n.v FROM pts_origin o CROSS JOIN LATERAL
  (SELECT v FROM vertices ORDER BY p <-> point(o.lon * (SELECT kx FROM k), o.lat)
   LIMIT 1) n;
CREATE TABLE matrix_v AS SELECT o.id, n.v FROM pts_matrix o CROSS JOIN LATERAL
  (SELECT v FROM vertices ORDER BY p <-> point(o.lon * (SELECT kx FROM k), o.lat)
   LIMIT 1) n;
CREATE TABLE t_dd (id bigint, ms float8, n_nodes bigint);
CREATE TABLE t_mx (rows int, cols int, ms float8, n_pairs bigint,
    mean_s float8);
EOF
n_edges=$(psqlc -At -c "SELECT count(*) FROM edges")
n_vertices=$(psqlc -At -c "SELECT count(*) FROM vertices")
n_origins=$(psqlc -At -c "SELECT count(*) FROM origin_v")
n_points=$(psqlc -At -c "SELECT count(DISTINCT v) FROM matrix_v")
if [ "$n_edges" -eq 0 ] || [ "$n_origins" -eq 0 ] || [ "$n_points" -eq 0 ]; then
    log "nothing to route: $n_edges edges, $n_origins origins, $n_points matrix vertices"
    exit 2
fi
echo "pgr_version=$pgr_version"
echo "pgr_edges=$n_edges"
echo "pgr_vertices=$n_vertices"
log "pgRouting $pgr_version, $n_edges edges, $n_vertices vertices; timing $n_origins pgr_drivingDistance calls"

# ---- isochrone: one pgr_drivingDistance per origin ------------------------
# A warm-up call first (loads the extension's library and the table pages).
psqlc <<EOF
SELECT count(*) FROM pgr_drivingDistance(
  'SELECT id, source, target, cost, reverse_cost FROM edges',
  (SELECT v FROM origin_v ORDER BY id LIMIT 1), $max_s, true) \g /dev/null
DO \$\$
DECLARE r record; t0 timestamptz; n bigint;
BEGIN
  FOR r IN SELECT id, v FROM origin_v ORDER BY id LOOP
    t0 := clock_timestamp();
    SELECT count(*) INTO n FROM pgr_drivingDistance(
      'SELECT id, source, target, cost, reverse_cost FROM edges',
      r.v, $max_s, true);
    INSERT INTO t_dd VALUES (r.id,
      extract(epoch FROM clock_timestamp() - t0) * 1000, n);
  END LOOP;
END \$\$;
EOF
psqlc -At -F' ' -c "SELECT
   'pgr_dd_n=' || count(*),
   'pgr_dd_median_ms=' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3),
   'pgr_dd_p90_ms=' || round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 3),
   'pgr_dd_median_nodes=' || percentile_disc(0.5) WITHIN GROUP (ORDER BY n_nodes)
   FROM t_dd" | tr ' ' '\n'

# ---- matrix -------------------------------------------------------------
# The vertex list keeps the points' order; duplicates (two points nearest to
# one vertex) are dropped because pgRouting would collapse them anyway.
if [ "$n_rows" -le 0 ] || [ "$n_rows" -ge "$n_points" ]; then
    n_rows=$n_points
    log "timing pgr_dijkstraCostMatrix ${n_points}x${n_points}"
    call="SELECT * FROM pgr_dijkstraCostMatrix(
      'SELECT id, source, target, cost, reverse_cost FROM edges', vids, true)"
else
    log "timing pgr_dijkstraCost ${n_rows}x${n_points} (subset of the matrix)"
    call="SELECT * FROM pgr_dijkstraCost(
      'SELECT id, source, target, cost, reverse_cost FROM edges',
      vids[1:$n_rows], vids, true)"
fi
psqlc <<EOF
DO \$\$
DECLARE vids bigint[]; t0 timestamptz; n bigint; mean float8;
BEGIN
  SELECT array_agg(v ORDER BY first_id) INTO vids
    FROM (SELECT v, min(id) AS first_id FROM matrix_v GROUP BY v) s;
  t0 := clock_timestamp();
  SELECT count(*), avg(agg_cost) INTO n, mean FROM ($call) m;
  INSERT INTO t_mx VALUES ($n_rows, array_length(vids, 1),
    extract(epoch FROM clock_timestamp() - t0) * 1000, n, mean);
END \$\$;
EOF
psqlc -At -F' ' -c "SELECT 'pgr_mx_rows=' || rows, 'pgr_mx_cols=' || cols,
   'pgr_mx_ms=' || round(ms::numeric, 1), 'pgr_mx_pairs=' || n_pairs,
   'pgr_mx_mean_s=' || round(mean_s::numeric, 1) FROM t_mx" | tr ' ' '\n'
