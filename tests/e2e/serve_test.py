#!/usr/bin/env python3
"""serve_test.py: `halfhour serve` end to end (python3 stdlib only).

    serve_test.py --bin HALFHOUR --data DATA --tmp DIR --counts FILE [--load-seconds S] [NAME...]

Builds the Monaco street network and the Porto Alegre network with both GTFS
feeds and the hexagon population/jobs layers from DATA, starts the server on
a free loopback port with small limits, and checks:
  * the API: /health, /info, /network, /isochrone (street and transit, the
    features equal to `halfhour isochrone`), /table (durations and distances
    equal to `halfhour matrix`, street and transit), /access (a point equal
    to `halfhour access --origins`, grids as GeoJSON, PNG and GeoTIFF),
    /report, /site, /metrics, GET forms, 404 and 405;
  * every limit: 413 or 400 with a JSON error {"error","code","limit"};
  * abuse: malformed and 10000-deep JSON, a body over the limit (declared
    and chunked), a client trickling its body, 2000 idle connections,
    path traversal (plain, encoded, double-encoded, a symlink out) on the
    static files, non-UTF-8 bodies and query strings, NaN/Infinity and
    out-of-range coordinates, a table far over the cell limit; after each,
    a good request still gets the right answer;
  * SIGTERM with a request in flight: it is answered, the server exits 0
    (sanitizer builds: no leak, no error);
  * load: wrk (mixed isochrone/table/access POSTs) for a few seconds: no
    failed request, resident memory flat.
Prints one line per check ("ok NAME" / "FAIL NAME: why" / "skipped NAME:
why") and writes "PASSED FAILED SKIPPED" to --counts.
"""
import argparse
import csv
import hashlib
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

P = argparse.ArgumentParser()
P.add_argument("--bin", required=True)
P.add_argument("--data", required=True)
P.add_argument("--tmp", required=True)
P.add_argument("--counts", required=True)
P.add_argument("--load-seconds", type=float, default=float(os.environ.get("HH_SERVE_LOAD_SECONDS", "5")))
P.add_argument("only", nargs="*")
# HH_TIME_SCALE: how many times slower the binary runs than a release build
# (tests/valgrind/run.sh sets it): the --time-budget cases scale their budget
# by it, so "a small table still answers" and "a big one is refused" test the
# same thing under valgrind as natively.
TIME_SCALE = float(os.environ.get("HH_TIME_SCALE", "1") or 1)
A = P.parse_args()
os.makedirs(A.tmp, exist_ok=True)
passed = failed = skipped = 0


def result(name, ok, why=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {why}")
    sys.stdout.flush()


def write_counts():
    with open(A.counts, "w") as f:
        f.write(f"{passed} {failed} {skipped}\n")


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kw)


# ---- the data ------------------------------------------------------------
monaco_pbf = os.path.join(A.data, "monaco/monaco.osm.pbf")
poa = os.path.join(A.data, "poa")
need = [monaco_pbf, f"{poa}/poa_osm.pbf", f"{poa}/poa_eptc.zip", f"{poa}/poa_trensurb.zip", f"{poa}/poa_hexgrid.csv"]
missing = [p for p in need if not os.path.exists(p)]
if missing:
    skipped += 1
    print(f"skipped serve: missing {', '.join(missing)}")
    write_counts()
    sys.exit(0)

T = A.tmp
monaco = f"{T}/monaco.hh"
poanet = f"{T}/poa.hh"
r1 = run([A.bin, "build", monaco_pbf, "-o", monaco])
r2 = run([A.bin, "build", f"{poa}/poa_osm.pbf", "--gtfs", f"{poa}/poa_eptc.zip", "--gtfs", f"{poa}/poa_trensurb.zip",
          "--opportunities", f"{poa}/poa_hexgrid.csv", "-o", poanet])
if r1.returncode or r2.returncode:
    result("build", False, (r1.stderr + r2.stderr)[-400:])
    write_counts()
    sys.exit(1)

# the map's files, and things outside them a traversal would reach
web = f"{T}/web"
os.makedirs(f"{web}/assets", exist_ok=True)
files = {"index.html": "<!doctype html><title>map</title>", "assets/app.js": "console.log(1)",
         "assets/app.css": "body{}", "assets/i.png": "\x89PNG", "assets/i.svg": "<svg/>", "assets/d.json": "{}",
         "assets/f.woff2": "wOF2"}
for k, v in files.items():
    with open(f"{web}/{k}", "w") as f:
        f.write(v)
with open(f"{T}/secret.txt", "w") as f:
    f.write("SECRET")
if not os.path.lexists(f"{web}/assets/out"):
    os.symlink(f"{T}/secret.txt", f"{web}/assets/out")


class Server:
    def __init__(self, net, *extra, env=None):
        e = dict(os.environ)
        # a small quarantine keeps a sanitizer build's memory comparable
        e["ASAN_OPTIONS"] = e.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
        if env:
            e.update(env)
        self.log = open(f"{T}/server-{os.getpid()}-{time.time_ns()}.err", "w+")
        self.p = subprocess.Popen([A.bin, "serve", net, "--port", "0", "--threads", "2", *extra],
                                  stdout=subprocess.PIPE, stderr=self.log, text=True, env=e)
        line = self.p.stdout.readline()
        # http://127.0.0.1:PORT/ by default; --bind ::1 prints http://[::1]:PORT/
        m = re.search(r"listening on http://(127\.0\.0\.1|\[::1\]):(\d+)/", line)
        if not m:
            self.p.kill()
            self.log.seek(0)
            raise RuntimeError(f"server did not start: {line!r} {self.log.read()[-500:]}")
        self.host = m.group(1).strip("[]")
        self.port = int(m.group(2))

    def req(self, method, path, body=None, headers=None, timeout=120):
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict(r.getheaders()), data

    def post(self, path, obj, **kw):
        return self.req("POST", path, obj, **kw)

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self, timeout=60):
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = "hung"
        self.log.seek(0)
        return rc, self.log.read()


def js(data):
    try:
        return json.loads(data)
    except Exception:
        return None


def is_error(status, data, code, limit=None):
    """the error shape: status, {"error": one line, "code": status, "limit"}"""
    j = js(data)
    if status != code or not isinstance(j, dict):
        return False, f"status {status}, body {data[:200]!r}"
    if j.get("code") != code or not isinstance(j.get("error"), str) or not j["error"] or "\n" in j["error"]:
        return False, f"error body {j}"
    if limit and j.get("limit") != limit:
        return False, f"limit {j.get('limit')!r}, expected {limit!r}: {j}"
    return True, ""


def check_error(name, resp, code, limit=None):
    ok, why = is_error(resp[0], resp[2], code, limit)
    result(name, ok, why)


def selected(name):
    return not A.only or any(o in name for o in A.only)


# Monaco points on streets (from the map), Porto Alegre points downtown
M = [[7.4197, 43.7311], [7.4260, 43.7385], [7.4125, 43.7285], [7.4313, 43.7436], [7.4166, 43.7350]]
PA = [[-51.2200, -30.0300], [-51.1800, -30.0500], [-51.2300, -30.0350], [-51.2000, -30.0600], [-51.2150, -30.0450]]
DEPART = "2019-05-13T12:00"


def pts_csv(path, pts):
    with open(path, "w") as f:
        f.write("id,lon,lat\n")
        for i, (x, y) in enumerate(pts):
            f.write(f"p{i},{x},{y}\n")


def good_request(s, name):
    """a good request after abuse: the right answer, not just a 200"""
    st, _, data = s.post("/table", {"sources": M[:2], "mode": "car"})
    j = js(data)
    ok = st == 200 and j and j["durations"] == good_request.want
    result(f"{name}: next good request", ok, f"status {st} {data[:200]!r}")


limits = ["--max-body", "65536", "--max-locations", "50", "--max-contours", "4", "--max-matrix-cells", "100",
          "--max-grid-cells", "400", "--max-network-features", "30", "--read-timeout", "2",
          "--connection-timeout", "20", "--web", web]
s = Server(monaco, *limits)
ps = Server(poanet, "--max-grid-cells", "2000", "--time-budget", "60")
try:
    # ---- the API -----------------------------------------------------------
    st, h, data = s.req("GET", "/health")
    result("health", st == 200 and js(data) == {"status": "ok"} and h.get("Content-Type") == "application/json",
           f"{st} {data!r}")
    st, _, data = ps.req("GET", "/info")
    j = js(data) or {}
    ok = (st == 200 and j.get("modes") == ["walk", "bike", "car", "transit"] and len(j.get("bbox", [])) == 4 and
          j["transit"]["timezone"] == "America/Sao_Paulo" and
          re.fullmatch(r"\d{4}-\d\d-\d\dT12:00", j["transit"]["default_depart"]) and
          {"population", "jobs"} <= {l["name"] for l in j["layers"]} and j["limits"]["grid_cells"] == 2000 and
          "OpenStreetMap" in j["attribution"])
    result("info (transit network)", ok, str(j)[:300])
    st, _, data = s.req("GET", "/info")
    j = js(data) or {}
    result("info (street network)", st == 200 and j.get("transit") is None and "transit" not in j["modes"] and
           j["limits"]["matrix_cells"] == 100, str(j)[:300])

    # /table = halfhour matrix
    pts_csv(f"{T}/m.csv", M)
    r = run([A.bin, "matrix", monaco, "--origins", f"{T}/m.csv", "--destinations", f"{T}/m.csv", "--mode", "car"])
    rows = list(csv.DictReader(r.stdout.splitlines()))
    st, _, data = s.post("/table", {"sources": M, "mode": "car", "annotations": "duration,distance"})
    j = js(data) or {}
    ok = st == 200 and j.get("code") == "Ok" and len(rows) == 25
    why = f"{st} {data[:200]!r} {r.stderr}"
    for k, row in enumerate(rows if ok else []):
        i, jj = divmod(k, 5)
        d, m = j["durations"][i][jj], j["distances"][i][jj]
        want_t = row["travel_time_s"]
        got_t = "" if d is None else str(int(math.floor(d + 0.5)))
        got_m = "" if m is None else str(int(math.floor(m + 0.5)))
        if got_t != want_t or got_m != row["distance_m"]:
            ok, why = False, f"pair {i},{jj}: server {d},{m} vs CLI {want_t},{row['distance_m']}"
            break
    result("table = halfhour matrix (car)", ok, why)
    good_request.want = [row[:2] for row in j["durations"][:2]] if st == 200 else None
    st, _, d2 = s.req("GET", "/table?sources=" + ";".join(f"{x},{y}" for x, y in M) + "&mode=car")
    result("table GET form = POST", st == 200 and js(d2)["durations"] == j.get("durations"), d2[:200])

    pts_csv(f"{T}/pa.csv", PA)
    r = run([A.bin, "matrix", poanet, "--origins", f"{T}/pa.csv", "--destinations", f"{T}/pa.csv", "--mode",
             "transit", "--depart", DEPART, "--percentiles", "50"])
    rows = list(csv.DictReader(r.stdout.splitlines()))
    st, _, data = ps.post("/table", {"sources": PA, "mode": "transit", "depart": DEPART})
    j = js(data) or {}
    ok, why = st == 200 and len(rows) == 25, f"{st} {data[:200]!r} {r.stderr[-200:]}"
    for k, row in enumerate(rows if ok else []):
        i, jj = divmod(k, 5)
        d = j["durations"][i][jj]
        got = "" if d is None else str(int(math.floor(d + 0.5)))
        if got != row["travel_time_p50"]:
            ok, why = False, f"pair {i},{jj}: server {d} vs CLI {row['travel_time_p50']}"
            break
    result("table = halfhour matrix (transit p50)", ok, why)

    # /isochrone = halfhour isochrone
    def same_features(cli_fc, srv_fc):
        a = {f["properties"]["minutes"]: f for f in cli_fc["features"]}
        b = {f["properties"]["minutes"]: f for f in srv_fc["features"]}
        if sorted(a) != sorted(b):
            return f"cutoffs {sorted(a)} vs {sorted(b)}"
        order = [f["properties"]["minutes"] for f in srv_fc["features"]]
        if order != sorted(order, reverse=True):
            return f"server order {order}: not largest first"
        for m in a:
            if a[m]["geometry"] != b[m]["geometry"]:
                return f"{m} min: geometries differ"
            if a[m]["properties"]["area_km2"] != b[m]["properties"]["area_km2"]:
                return f"{m} min: areas differ"
            if b[m]["properties"].get("contour") != m:
                return f"{m} min: contour property {b[m]['properties'].get('contour')}"
        return ""

    r = run([A.bin, "isochrone", monaco, "--from", "7.4197,43.7311", "--mode", "walk", "--minutes", "5,10,15"])
    st, _, data = s.post("/isochrone", {"locations": [{"lon": 7.4197, "lat": 43.7311}], "costing": "pedestrian",
                                        "contours": [{"time": 5}, {"time": 10}, {"time": 15}]})
    why = same_features(json.loads(r.stdout), js(data)) if st == 200 and r.returncode == 0 else f"{st} {data[:200]!r}"
    result("isochrone = halfhour isochrone (walk)", not why, why)
    # the drawing knobs reach the polygons: strict and coarse requests equal the CLI with the same flags
    for knobs, flags in (({"holes": "all", "generalize": 0}, ["--holes", "all", "--generalize", "0"]),
                         ({"generalize": 80, "denoise": 0.5}, ["--generalize", "80", "--denoise", "0.5"])):
        rk = run([A.bin, "isochrone", monaco, "--from", "7.4197,43.7311", "--mode", "walk", "--minutes", "5,10,15"]
                 + flags)
        body = {"locations": [{"lon": 7.4197, "lat": 43.7311}], "costing": "pedestrian", "minutes": [5, 10, 15]}
        body.update(knobs)
        st, _, dk = s.post("/isochrone", body)
        why = same_features(json.loads(rk.stdout), js(dk)) if st == 200 and rk.returncode == 0 \
            else f"{st} {dk[:200]!r}"
        if not why and js(dk)["features"] == js(data)["features"]:
            why = "the knobs changed nothing"
        result(f"isochrone {' '.join(flags)} = halfhour isochrone", not why, why)
    st, _, d2 = s.req("GET", "/isochrone?lon=7.4197&lat=43.7311&mode=walk&minutes=5,10,15")
    result("isochrone GET form = POST", st == 200 and js(d2)["features"] == js(data)["features"], d2[:200])
    fc = js(data)
    result("isochrone origin and attribution", fc and fc["origin"]["lon"] == 7.4197 and
           len(fc["origin"]["snapped"]) == 2 and "OpenStreetMap" in fc["attribution"], str(fc)[:200])
    st, _, d3 = s.post("/isochrone", {"locations": [[7.4197, 43.7311]], "mode": "walk", "minutes": [5, 10],
                                      "polygons": False, "denoise": 0.5, "generalize": 20, "holes": "fill"})
    f3 = js(d3)
    ok = st == 200 and all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in f3["features"])
    result("isochrone polygons=false: outer rings as lines", ok, d3[:200])

    r = run([A.bin, "isochrone", poanet, "--from", "-51.22,-30.03", "--mode", "transit", "--minutes", "20,40",
             "--depart", DEPART, "--percentile", "50"])
    st, _, data = ps.post("/isochrone", {"locations": [{"lon": -51.22, "lat": -30.03}], "costing": "multimodal",
                                         "contours": [{"time": 20}, {"time": 40}], "depart": DEPART,
                                         "layers": ["population", "jobs"]})
    why = same_features(json.loads(r.stdout), js(data)) if st == 200 and r.returncode == 0 else f"{st} {data[:200]!r}"
    result("isochrone = halfhour isochrone (transit)", not why, why)
    if not why:
        fs = {f["properties"]["minutes"]: f["properties"] for f in js(data)["features"]}
        o20, o40 = fs[20]["opportunities"], fs[40]["opportunities"]
        result("isochrone opportunities nested", 0 < o20["population"] <= o40["population"] <= 812935 and
               0 < o20["jobs"] <= o40["jobs"], f"{o20} {o40}")

    # /access point = halfhour access --origins
    pts_csv(f"{T}/one.csv", PA[:1])
    r = run([A.bin, "access", poanet, "--mode", "walk", "--origins", f"{T}/one.csv", "--opportunities",
             "population,jobs", "--minutes", "15,30"])
    row = next(csv.DictReader(r.stdout.splitlines()), {})
    st, _, data = ps.post("/access", {"lon": PA[0][0], "lat": PA[0][1], "mode": "walk",
                                      "layers": ["population", "jobs"], "minutes": [15, 30]})
    a = (js(data) or {}).get("access", {})
    ok = st == 200 and row and all(abs(a[k] - float(row[k])) < 1e-6 for k in a) and set(a) == set(row) - {"id", "lon", "lat"}
    result("access point = halfhour access --origins", ok, f"{a} vs {row} {r.stderr[-200:]}")
    # the 15-minute check: the same columns as the CLI's, services_15 and all_services_15 among them
    r = run([A.bin, "access", poanet, "--mode", "walk", "--origins", f"{T}/one.csv", "--preset", "15min"])
    row = next(csv.DictReader(r.stdout.splitlines()), {})
    st, _, data = ps.post("/access", {"lon": PA[0][0], "lat": PA[0][1], "mode": "walk", "preset": "15min"})
    a = (js(data) or {}).get("access", {})
    ok = st == 200 and row and "services_15" in a and set(a) == set(row) - {"id", "lon", "lat"} and \
        all(abs(a[k] - float(row[k])) < 1e-6 for k in a)
    result("access preset 15min = halfhour access --preset 15min", ok, f"{a} vs {row} {r.stderr[-200:]}")
    box = {"bbox": [-51.23, -30.04, -51.20, -30.02], "cell": 500, "mode": "walk", "layer": "jobs", "minutes": 15}
    st, _, data = ps.post("/access", box)
    g = js(data) or {}
    result("access grid GeoJSON", st == 200 and g.get("type") == "FeatureCollection" and len(g["features"]) > 10 and
           g["features"][0]["geometry"]["type"] == "Polygon" and "jobs_15" in g["features"][0]["properties"],
           data[:200])
    st, h, data = ps.post("/access", dict(box, format="png", cell=250))
    bb = [float(x) for x in h.get("X-Bbox", "0,0,0,0").split(",")]
    result("access grid PNG", st == 200 and data[:8] == b"\x89PNG\r\n\x1a\n" and h.get("Content-Type") == "image/png"
           and bb[0] < -51.2295 and bb[2] > -51.2005 and bb[1] < -30.0395 and bb[3] > -30.0205 and
           len(h.get("X-Range", "").split(",")) == 2, f"{st} {h}")
    st, h, data = ps.post("/access", dict(box, format="tif"))
    result("access grid GeoTIFF", st == 200 and data[:4] in (b"II*\x00", b"MM\x00*") and
           h.get("Content-Type") == "image/tiff", f"{st} {data[:20]!r}")

    # /report, /site, /network
    st, _, data = ps.post("/report", {"centres": [{"name": "Centro", "lon": -51.22, "lat": -30.03},
                                                  {"name": "Leste", "lon": -51.18, "lat": -30.05}],
                                      "modes": ["car", "transit"], "minutes": 30, "depart": DEPART})
    j = js(data) or {}
    ok = (st == 200 and [m["mode"] for m in j.get("modes", [])] == ["car", "transit"] and
          all(len(m["pairs"]) == 2 and len(m["circles"]) == 2 for m in j["modes"]) and
          j["modes"][0]["union"]["inside"] >= max(c["inside"] for c in j["modes"][0]["circles"]) and
          j["layer"] == "population")
    result("report", ok, data[:300])
    st, _, data = ps.post("/site", {"mode": "walk", "minutes": 15, "demand": "population", "grid": 1000, "k": 3})
    j = js(data) or {}
    ch = j.get("chosen", [])
    ok = st == 200 and len(ch) == 3 and ch[0]["marginal"] >= ch[1]["marginal"] >= ch[2]["marginal"] > 0 and \
        abs(ch[-1]["covered"] - j["covered_after"]) < 1e-6
    result("site", ok, data[:300])
    st, _, data = s.req("GET", "/network?bbox=7.40,43.72,7.44,43.75&zoom=16&mode=walk")
    j = js(data) or {}
    result("network: capped, truncated", st == 200 and len(j.get("features", [])) == 30 and j["truncated"] is True and
           j["features"][0]["geometry"]["type"] == "LineString", data[:200])
    # small boxes around street vertices of `halfhour export`: each holds a
    # street through that vertex, and every street sent touches the box
    ex = run([A.bin, "export", monaco, "--mode", "walk", "-o", f"{T}/net_export.csv"])
    rows = list(csv.DictReader(open(f"{T}/net_export.csv"))) if ex.returncode == 0 else []
    bad = []
    for row in rows[::max(1, len(rows) // 12)][:12]:
        x, y = float(row["x1"]), float(row["y1"])
        box = [x - 2e-4, y - 2e-4, x + 2e-4, y + 2e-4]
        st, _, data = s.req("GET", "/network?bbox=%.7f,%.7f,%.7f,%.7f&zoom=16&mode=walk" % tuple(box))
        fs = (js(data) or {}).get("features", [])
        def touches(f):
            c = f["geometry"]["coordinates"]
            return any(min(a[0], b[0]) <= box[2] and max(a[0], b[0]) >= box[0] and min(a[1], b[1]) <= box[3] and
                       max(a[1], b[1]) >= box[1] for a, b in zip(c, c[1:]))
        through = any(any(abs(p[0] - x) < 1e-6 and abs(p[1] - y) < 1e-6 for p in f["geometry"]["coordinates"])
                      for f in fs)
        if st != 200 or not through or not all(touches(f) for f in fs):
            bad.append((row["id"], st, len(fs), through))
    result("network: a small box holds the streets through it, and only streets that touch it",
           len(rows) > 12 and not bad, f"{len(rows)} exported; bad: {bad[:3]}")
    st, _, d12 = s.req("GET", "/network?bbox=7.40,43.72,7.44,43.75&zoom=11")
    j12 = js(d12) or {}
    result("network: fewer classes at low zoom", st == 200 and
           {f["properties"]["class"] for f in j12["features"]} <= {"motorway", "motorway_link", "trunk", "trunk_link",
                                                                    "primary", "primary_link"}, d12[:200])

    # ---- errors and limits -----------------------------------------------
    check_error("404 unknown endpoint", s.req("GET", "/nothing"), 404)
    check_error("405 POST /health", s.post("/health", {}), 405)
    check_error("405 DELETE /table", s.req("DELETE", "/table"), 405)
    check_error("400 missing mode", s.post("/isochrone", {"locations": [M[0]], "minutes": [5]}), 400)
    check_error("400 unknown costing", s.post("/isochrone", {"locations": [M[0]], "costing": "hovercraft",
                                                             "minutes": [5]}), 400)
    check_error("400 transit without transit", s.post("/isochrone", {"locations": [M[0]], "mode": "transit",
                                                                     "depart": DEPART, "minutes": [5]}), 400)
    check_error("400 transit without depart", ps.post("/isochrone", {"locations": [PA[0]], "mode": "transit",
                                                                     "minutes": [5]}), 400)
    check_error("400 bad depart", ps.post("/table", {"sources": PA, "mode": "transit", "depart": "2019-02-30T12:00"}),
                400)
    check_error("400 point does not snap", s.post("/isochrone", {"locations": [[0, 0]], "mode": "car",
                                                                 "minutes": [5]}), 400)
    check_error("400 minutes limit", s.post("/isochrone", {"locations": [M[0]], "mode": "car", "minutes": [601]}),
                400, "minutes")
    check_error("400 unknown layer", s.post("/isochrone", {"locations": [M[0]], "mode": "car", "minutes": [5],
                                                           "layer": "unicorns"}), 400)
    check_error("413 contours", s.post("/isochrone", {"locations": [M[0]], "mode": "car",
                                                      "contours": [{"time": t} for t in range(1, 6)]}), 413, "contours")
    check_error("413 locations", s.post("/table", {"sources": [M[0]] * 51, "destinations": [M[0]], "mode": "car"}),
                413, "locations")
    check_error("413 matrix cells", s.post("/table", {"sources": [M[0]] * 11, "destinations": [M[0]] * 10,
                                                      "mode": "car"}), 413, "matrix_cells")
    check_error("413 matrix far over the cell limit (GET)",
                s.req("GET", "/table?mode=car&sources=" + ";".join(["7.42,43.73"] * 50)), 413, "matrix_cells")
    check_error("413 grid cells", ps.post("/access", {"bbox": [-51.27, -30.12, -51.13, -29.99], "cell": 100,
                                                      "mode": "walk", "layer": "jobs"}), 413, "grid_cells")
    check_error("400 distances for transit", ps.post("/table", {"sources": PA, "mode": "transit", "depart": DEPART,
                                                                "annotations": "distance"}), 400)
    tb = Server(poanet, "--time-budget", f"{0.05 * TIME_SCALE:g}")
    try:
        check_error("413 time budget (table)", tb.post("/table", {"sources": PA * 10, "destinations": PA * 10,
                                                                  "mode": "transit", "depart": DEPART}),
                    413, "time_budget")
        check_error("413 time budget (access grid)", tb.post("/access", {"bbox": [-51.25, -30.1, -51.15, -30.0],
                                                                         "cell": 250, "mode": "transit",
                                                                         "depart": DEPART, "layer": "jobs"}),
                    413, "time_budget")
        st, _, data = tb.post("/table", {"sources": PA[:2], "mode": "car"})
        result("time budget: a small table still answers", st == 200, data[:200])
    finally:
        rc, err = tb.stop()
        result("time-budget server stops cleanly", rc == 0, f"exit {rc}: {err[-500:]}")

    # ---- abuse -------------------------------------------------------------
    check_error("malformed JSON", s.post("/table", '{"sources": [[7.42, 43.73]', headers={}), 400)
    check_error("JSON not an object", s.post("/table", "[1,2,3]"), 400)
    check_error("empty body", s.post("/table", ""), 400)
    check_error("nested JSON 10000 deep", s.post("/table", "[" * 10000 + "]" * 10000), 400, "json_depth")
    check_error("nested objects 10000 deep", s.post("/isochrone", '{"a":' * 10000 + "1" + "}" * 10000), 400,
                "json_depth")
    check_error("non-UTF-8 body", s.post("/isochrone", b'{"mode":"car\xff\xfe","minutes":[5]}'), 400)
    check_error("non-UTF-8 query", s.req("GET", "/isochrone?mode=%C3%28&lon=7.42&lat=43.73&minutes=5"), 400)
    check_error("NaN in JSON", s.post("/table", '{"sources":[[NaN, 43.73]],"mode":"car"}'), 400)
    check_error("Infinity in JSON", s.post("/table", '{"sources":[[Infinity, 43.73]],"mode":"car"}'), 400)
    check_error("nan as text", s.req("GET", "/isochrone?lon=nan&lat=43.73&mode=car&minutes=5"), 400)
    check_error("inf as text", s.req("GET", "/table?sources=inf,43.7&mode=car"), 400)
    check_error("1e999 overflows", s.post("/table", '{"sources":[[1e999, 43.73]],"mode":"car"}'), 400)
    check_error("out-of-range coordinates", s.post("/isochrone", {"locations": [[7.42, 95]], "mode": "car",
                                                                  "minutes": [5]}), 400)
    check_error("lon 200", s.post("/table", {"sources": [[200, 43.7]], "mode": "car"}), 400)
    check_error("duplicate keys", s.post("/table", '{"mode":"car","mode":"walk","sources":[[7.42,43.73]]}'), 400)
    def declared_huge(expect):
        """2 MiB declared; the answer comes after the headers (a client that
        sends on regardless may see the connection closed under it)"""
        c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        c.sendall(b"POST /table HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s\r\n" %
                  (2 << 20, b"Expect: 100-continue\r\n" if expect else b""))
        if not expect:
            try:
                c.sendall(b"x" * 100000)
            except OSError:
                pass
        data = b""
        try:
            while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
                b = c.recv(65536)
                if not b:
                    break
                data += b
        except OSError:
            pass
        c.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return (int(head.split()[1]) if head else 0), {}, body

    check_error("huge body (declared, Expect: 100-continue)", declared_huge(True), 413, "body_bytes")
    check_error("huge body (declared, sent anyway)", declared_huge(False), 413, "body_bytes")

    def chunked_huge():
        c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        c.sendall(b"POST /table HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"y" * 65536
        for _ in range(20):
            c.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.sendall(b"0\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or len(data) < 100:
            b = c.recv(65536)
            if not b:
                break
            data += b
        c.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]) if head else 0, {}, body

    check_error("huge body (chunked)", chunked_huge(), 413, "body_bytes")
    good_request(s, "after huge bodies")

    # a client that trickles its body: closed after --read-timeout (2 s),
    # while the others are answered
    def trickle(out):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        body = json.dumps({"sources": M[:2], "mode": "car"}).encode()
        c.sendall(b"POST /table HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
        t0 = time.time()
        closed = None
        for i in range(len(body)):
            try:
                c.sendall(body[i:i + 1])
                time.sleep(0.25)
            except OSError:
                closed = time.time() - t0
                break
            c.setblocking(False)
            try:
                if c.recv(1) == b"":
                    closed = time.time() - t0
                    break
            except BlockingIOError:
                pass
            except OSError:
                closed = time.time() - t0
                break
            c.setblocking(True)
        out.append(closed)
        c.close()

    res = []
    th = threading.Thread(target=trickle, args=(res,))
    th.start()
    time.sleep(0.5)
    good_request(s, "while a client trickles")
    th.join()
    result("trickling client cut off after the read timeout", res and res[0] is not None and res[0] < 8,
           f"closed after {res}")

    # thousands of idle connections
    idle = []
    try:
        for _ in range(2000):
            idle.append(socket.create_connection(("127.0.0.1", s.port), timeout=10))
        time.sleep(0.5)
        good_request(s, "with 2000 idle connections")
    except OSError as e:
        result("2000 idle connections", False, str(e))
    finally:
        for c in idle:
            c.close()

    # static files and traversal
    for path, ctype in [("/", "text/html"), ("/index.html", "text/html"), ("/assets/app.js", "text/javascript"),
                        ("/assets/app.css", "text/css"), ("/assets/i.png", "image/png"),
                        ("/assets/i.svg", "image/svg+xml"), ("/assets/d.json", "application/json"),
                        ("/assets/f.woff2", "font/woff2")]:
        st, h, data = s.req("GET", path)
        result(f"static {path}", st == 200 and h.get("Content-Type", "").startswith(ctype), f"{st} {h}")

    def raw_get(path):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = c.recv(65536)
            if not b:
                break
            data += b
        c.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return (int(head.split()[1]) if head else 0), {}, body

    for path in ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
                 "/assets/..%2f..%2fsecret.txt", "/%252e%252e/secret.txt", "/assets/out", "/..%5csecret.txt",
                 "/assets/%00", "//etc/passwd"]:
        st, _, data = raw_get(path)
        result(f"traversal {path}: 404", st == 404 and b"SECRET" not in data and b"root:" not in data,
               f"{st} {data[:80]!r}")
    good_request(s, "after traversal")

    # metrics
    st, h, data = s.req("GET", "/metrics")
    t = data.decode()
    ok = (st == 200 and 'halfhour_requests_total{endpoint="table",code="200"}' in t and
          'halfhour_requests_total{endpoint="table",code="413"}' in t and
          re.search(r'halfhour_errors_total\{code="400"\} [1-9]', t) and
          'halfhour_request_duration_seconds_bucket{endpoint="isochrone",le="+Inf"}' in t and
          "halfhour_request_duration_seconds_count" in t)
    result("metrics (Prometheus text)", bool(ok), t[:300])

    # ---- load: wrk, mixed requests ----------------------------------------
    if shutil.which("wrk") and A.load_seconds > 0:
        lua = f"{T}/mixed.lua"
        bodies = [("/isochrone", {"locations": [{"lon": x, "lat": y}], "costing": "auto",
                                  "contours": [{"time": 10}]}) for x, y in M] + \
                 [("/table", {"sources": M, "mode": "car"}),
                  ("/access", {"lon": M[0][0], "lat": M[0][1], "mode": "walk", "minutes": [10]})]
        with open(lua, "w") as f:
            f.write("local reqs = {\n")
            for path, b in bodies:
                f.write("  {%s, %s},\n" % (json.dumps(path), json.dumps(json.dumps(b))))
            f.write("}\nlocal i = 0\nrequest = function()\n  i = i % #reqs + 1\n"
                    "  return wrk.format('POST', reqs[i][1], {['Content-Type']='application/json'}, reqs[i][2])\n"
                    "end\n")
        run(["wrk", "-t", "2", "-c", "8", "-d", "2s", "-s", lua, f"http://127.0.0.1:{s.port}/"])  # warm-up
        before = s.rss_kib()
        r = run(["wrk", "-t", "2", "-c", "8", "-d", f"{A.load_seconds:g}s", "--latency", "-s", lua,
                 f"http://127.0.0.1:{s.port}/"])
        after = s.rss_kib()
        out = r.stdout
        m = re.search(r"(\d+) requests in", out)
        n = int(m.group(1)) if m else 0
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out) or re.search(r"Socket errors: (.*)", out) or \
            "error" in (r.stderr or "").lower() or "PANIC" in out
        result("load: no failed request", r.returncode == 0 and n > 0 and not bad, out[-600:])
        # flat: within 10 % + 8 MiB of the warmed-up size
        result("load: memory flat", after <= before * 1.10 + 8192,
               f"RSS {before} KiB before, {after} KiB after {n} requests")
        print(f"load: {n} requests in {A.load_seconds:g} s, RSS {before} -> {after} KiB")
    else:
        skipped += 1
        print("skipped load: no wrk (scripts/deps.sh installs it)")

    # ---- POST /scenario: the change applied to a private copy, = the CLI's --compare ----
    express = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "regions", "porto-alegre",
                           "scenario_express.geojson")
    with open(express) as f:
        change = json.load(f)
    sdir = f"{T}/scen-tmp"
    os.makedirs(sdir, exist_ok=True)
    for x in os.listdir(sdir):
        os.remove(os.path.join(sdir, x))

    def sha(path):
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    served_before = sha(poanet)
    sc = Server(poanet, "--time-budget", "120", "--max-scenario-features", "3", "--max-scenarios", "1",
                env={"TMPDIR": sdir})
    try:
        newnet = f"{T}/poa_express.hh"
        r = run([A.bin, "scenario", poanet, "--change", express, "-o", newnet])
        result("scenario: halfhour scenario for the reference", r.returncode == 0, r.stderr[-300:])
        # access at a point by transit: the columns and values of access --compare
        pts_csv(f"{T}/sone.csv", [[-51.2100, -30.0330]])
        tflags = ["--depart", DEPART, "--window", "10"]
        r = run([A.bin, "access", newnet, "--mode", "transit", "--origins", f"{T}/sone.csv", "--opportunities", "jobs",
                 "--minutes", "30", "--compare", poanet] + tflags)
        row = next(csv.DictReader(r.stdout.splitlines()), {})
        st, _, data = sc.post("/scenario", {"change": change, "lon": -51.2100, "lat": -30.0330, "mode": "transit",
                                            "layer": "jobs", "minutes": [30], "depart": DEPART, "window": 10})
        j = js(data) or {}
        a = j.get("access", {})
        ok = st == 200 and row and set(a) == set(row) - {"id", "lon", "lat"} and \
            all(abs(a[k] - float(row[k])) < 1e-6 for k in a) and a.get("jobs_30_p50_diff", 0) > 0
        result("scenario access point = halfhour access --compare (transit, a gain)", ok,
               f"{st} {a} vs {row} {r.stderr[-200:]} {data[:200]!r}")
        sj = j.get("scenario") or {}
        result("scenario: what was applied", sj.get("stops_added") == 6 and sj.get("routes_added") == 1 and
               sj.get("index", {}).get("car") == "kept" and "add-line" in sj.get("summary", "") and
               len(sj.get("sha256", "")) == 64 and "OpenStreetMap" in j.get("attribution", ""), str(sj))
        # a grid: every cell's base and scenario columns, never a loss for a new line
        box = {"bbox": [-51.24, -30.06, -51.19, -30.02], "cell": 1000, "mode": "transit", "layer": "jobs",
               "minutes": [30], "depart": DEPART, "window": 10, "format": "geojson"}
        st, _, data = sc.post("/scenario", dict(box, change=change))
        g = js(data) or {}
        cells = [f["properties"] for f in g.get("features", [])]
        ok = st == 200 and len(cells) > 5 and all({"jobs_30_p50_base", "jobs_30_p50_scenario", "jobs_30_p50_diff"}
                                                  <= set(c) for c in cells)
        ok = ok and any((c["jobs_30_p50_diff"] or 0) > 0 for c in cells) and \
            not any((c["jobs_30_p50_diff"] or 0) < 0 for c in cells)
        st2, _, d2 = sc.post("/access", box)
        base = {json.dumps(f["geometry"]): f["properties"]["jobs_30_p50"] for f in (js(d2) or {}).get("features", [])}
        ok = ok and st2 == 200 and all(base.get(json.dumps(f["geometry"])) == f["properties"]["jobs_30_p50_base"]
                                       for f in g["features"])
        result("scenario access grid: base = /access, gains and no loss", ok, f"{st} {st2} {data[:200]!r}")
        # isochrone: the parts of isochrone --compare, feature by feature
        r = run([A.bin, "isochrone", newnet, "--from", "-51.2278,-30.0290", "--mode", "transit", "--minutes", "20,40",
                 "--compare", poanet] + tflags)
        st, _, data = sc.post("/scenario", {"change": change, "analysis": "isochrone", "lon": -51.2278,
                                            "lat": -30.0290, "mode": "transit", "minutes": [20, 40],
                                            "depart": DEPART, "window": 10})
        why = ""
        if st != 200 or r.returncode != 0:
            why = f"{st} {data[:300]!r} {r.stderr[-200:]}"
        else:
            cf, sf = json.loads(r.stdout)["features"], js(data)["features"]
            key = lambda f: (f["properties"]["minutes"], f["properties"]["part"])
            if sorted(map(key, cf)) != sorted(map(key, sf)):
                why = f"parts {sorted(map(key, cf))} vs {sorted(map(key, sf))}"
            else:
                cm = {key(f): f for f in cf}
                for f in sf:
                    c = cm[key(f)]
                    if c["geometry"] != f["geometry"] or c["properties"]["area_km2"] != f["properties"]["area_km2"]:
                        why = f"{key(f)}: differs"
                        break
            cmp = js(data).get("compare", [])
            if not why and not (len(cmp) == 2 and all(x["gained_km2"] > 0 for x in cmp)):
                why = f"compare {cmp}"
        result("scenario isochrone = halfhour isochrone --compare (base, scenario, gained, lost)", not why, why)
        # a change without modifications: no difference anywhere
        st, _, data = sc.post("/scenario", dict(box, change={"type": "FeatureCollection", "features": []}))
        cells = [f["properties"] for f in (js(data) or {}).get("features", [])]
        result("scenario without modifications: every difference 0", st == 200 and cells and
               all(c["jobs_30_p50_diff"] in (0, None) and c["jobs_30_p50_base"] == c["jobs_30_p50_scenario"]
                   for c in cells), data[:200])
        # bad changes: one line naming the Feature, as halfhour scenario says it
        bad = json.loads(json.dumps(change))
        bad["features"][0]["properties"]["headway_min"] = 0
        resp = sc.post("/scenario", {"change": bad, "lon": -51.21, "lat": -30.033, "mode": "walk"})
        check_error("scenario 400: a zero headway", resp, 400)
        msg = (js(resp[2]) or {}).get("error", "")
        result("scenario 400 names the feature, not the temporary path",
               "feature 1 (add-line \"Express 1\")" in msg and "headway_min" in msg and sdir not in msg, msg)
        check_error("scenario 400: unknown route", sc.post("/scenario", {"change": {"type": "FeatureCollection",
                    "features": [{"type": "Feature", "geometry": None, "properties": {"type": "remove-trips",
                                  "route_id": "no-such-route"}}]}, "lon": -51.21, "lat": -30.033, "mode": "walk"}), 400)
        check_error("scenario 400: no change", sc.post("/scenario", {"lon": -51.21, "lat": -30.033}), 400)
        check_error("scenario 400: not a FeatureCollection", sc.post("/scenario", {"change": [1, 2],
                                                                                  "lon": -51.21, "lat": -30.033}), 400)
        check_error("scenario 400: unknown analysis", sc.post("/scenario", {"change": change, "analysis": "matrix",
                                                                           "lon": -51.21, "lat": -30.033}), 400)
        check_error("scenario 413: more features than the limit", sc.post("/scenario", {"change": {
            "type": "FeatureCollection", "features": change["features"] * 4}, "lon": -51.21, "lat": -30.033}),
            413, "scenario_features")
        check_error("scenario 405: GET", sc.req("GET", "/scenario?lon=-51.21&lat=-30.033"), 405)
        # one scenario at a time (--max-scenarios 1): a second one meanwhile is 503
        slow_box = dict(box, bbox=[-51.26, -30.10, -51.15, -30.00], cell=1000, window=20)
        res = []
        th = threading.Thread(target=lambda: res.append(sc.post("/scenario", dict(slow_box, change=change),
                                                                timeout=300)))
        th.start()
        time.sleep(1.0)
        second = sc.post("/scenario", {"change": change, "lon": -51.21, "lat": -30.033, "mode": "walk"})
        th.join()
        check_error("scenario 503: over the scenarios in flight", second, 503, "scenarios")
        result("scenario: the first of them answered", res and res[0][0] == 200, str(res[0][:1]) if res else "none")
        left = [x for x in os.listdir(sdir) if not x.startswith("hh-serve.")]
        inner = [y for x in os.listdir(sdir) if x.startswith("hh-serve.") for y in os.listdir(os.path.join(sdir, x))]
        result("scenario: nothing left in the temporary folder", not left and not inner, f"{left} {inner}")
    finally:
        rc, err = sc.stop(timeout=300)
        result("scenario server stops cleanly", rc == 0 and "ERROR" not in err and "runtime error" not in err,
               f"exit {rc}: {err[-800:]}")
    result("scenario: the served file is unchanged", sha(poanet) == served_before, "")

    # ---- --bind: IPv6, and an address that is none ------------------------
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as t6:
            t6.bind(("::1", 0))
        have_v6 = True
    except OSError:
        have_v6 = False
    if not have_v6:
        skipped += 1
        print("skipped --bind ::1: this machine has no IPv6 loopback")
    else:
        v6 = Server(monaco, "--bind", "::1")
        st, _, data = v6.req("GET", "/health")
        result("--bind ::1: listening on http://[::1]:PORT/, /health answered over IPv6",
               v6.host == "::1" and st == 200 and js(data) == {"status": "ok"}, f"{v6.host} {st} {data!r}")
        st, _, data = v6.post("/table", {"sources": M[:2], "mode": "car"})
        j = js(data)
        result("--bind ::1: a table over IPv6 = the one over IPv4", st == 200 and j and j["durations"] ==
               good_request.want, f"{st} {data[:200]!r}")
        rc, err = v6.stop()
        result("--bind ::1: server stops cleanly", rc == 0, f"exit {rc}: {err[-500:]}")
    for bad in ("localhost", "127.0.0.1:8080", "::g", ""):
        r = run([A.bin, "serve", monaco, "--port", "0", "--bind", bad])
        lines = r.stderr.strip().splitlines()
        result(f"--bind {bad!r}: one-line error, exit 1, nothing served",
               r.returncode == 1 and len(lines) == 1 and lines[0].startswith("halfhour: error: --bind") and
               "listening" not in r.stdout, f"exit {r.returncode}: {r.stderr[-300:]!r} {r.stdout[-200:]!r}")

    # ---- SIGTERM with a request in flight ---------------------------------
    g = Server(poanet, "--time-budget", "120")
    box = {"bbox": [-51.25, -30.10, -51.15, -30.00], "cell": 1000, "mode": "transit", "depart": DEPART,
           "layer": "jobs", "minutes": [30]}
    res = []

    def slow():
        try:
            t0 = time.time()
            res.append(g.post("/access", box, timeout=300) + (time.time() - t0,))
        except Exception as e:
            res.append((0, {}, str(e).encode(), 0))

    th = threading.Thread(target=slow)
    th.start()
    time.sleep(0.4)
    rc, err = g.stop(timeout=300)
    th.join()
    st, h, data, took = res[0]
    j = js(data)
    result("SIGTERM: the request in flight is answered", st == 200 and j and len(j["features"]) > 50,
           f"{st} {data[:200]!r}")
    result("SIGTERM: answered with Connection: close", h.get("Connection", "").lower() == "close", str(h))
    result("SIGTERM: clean exit (0; sanitizers quiet)", rc == 0 and "ERROR" not in err and "runtime error" not in err,
           f"exit {rc}: {err[-800:]}")
    print(f"SIGTERM: the request took {took:.2f} s")
finally:
    for srv in (s, ps):
        rc, err = srv.stop()
        result(f"server on port {srv.port} stops cleanly", rc == 0 and "ERROR" not in err and
               "runtime error" not in err, f"exit {rc}: {err[-800:]}")
write_counts()
