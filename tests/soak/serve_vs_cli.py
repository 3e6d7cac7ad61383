#!/usr/bin/env python3
"""serve_vs_cli.py: `halfhour serve` against the CLI on random requests.

    serve_vs_cli.py --bin build/rel/halfhour [--data ../shared/data] [--rounds 20] [--seed 13]

On a network of Monaco: each round draws random points in the network's box
(some off the streets), a random street mode and random cutoffs, then asks
the server for /table and /isochrone and the CLI for `halfhour matrix` and
`halfhour isochrone` with the same inputs: travel times and distances
(rounded as the CLI writes them) and the isochrones' geometries must be
equal.  Fixed seed; --rounds N for long local runs.  Exits 0/1; `skipped`
without the data."""
import argparse, csv, json, math, os, random, re, shutil, subprocess, sys, tempfile, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data"))
ap.add_argument("--rounds", type=int, default=20)
ap.add_argument("--seed", type=int, default=13)
A = ap.parse_args()
pbf = os.path.join(A.data, "monaco/monaco.osm.pbf")
if not os.path.exists(pbf):
    print("serve vs cli: skipped (no %s)" % pbf)
    sys.exit(0)
T = tempfile.mkdtemp(prefix="hh-svc.")
net = f"{T}/m.hh"
subprocess.run([A.bin, "build", pbf, "-o", net, "-q"], check=True)
srv = subprocess.Popen([A.bin, "serve", net, "--port", "0", "--threads", "2", "--max-contours", "10"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
port = int(re.search(r":(\d+)/", srv.stdout.readline()).group(1))


def post(path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


rnd = random.Random(A.seed)
COST = {"walk": "pedestrian", "bike": "bicycle", "car": "auto"}
fails, pairs, isos = [], 0, 0
for rd in range(A.rounds):
    mode = rnd.choice(["walk", "bike", "car"])
    n_s, n_t = rnd.randint(1, 6), rnd.randint(1, 6)
    P = [[round(rnd.uniform(7.409, 7.439), 6), round(rnd.uniform(43.725, 43.750), 6)] for _ in range(n_s + n_t)]
    S, D = P[:n_s], P[n_s:]
    for name, pts in (("s", S), ("d", D)):
        with open(f"{T}/{name}.csv", "w") as f:
            f.write("id,lon,lat\n" + "".join(f"p{i},{x},{y}\n" for i, (x, y) in enumerate(pts)))
    r = subprocess.run([A.bin, "matrix", net, "--origins", f"{T}/s.csv", "--destinations", f"{T}/d.csv",
                        "--mode", mode], capture_output=True, text=True)
    st, j = post("/table", {"sources": S, "destinations": D, "mode": mode, "annotations": "duration,distance"})
    if r.returncode != 0 or st != 200:
        # no origin (or destination) snapped: the CLI refuses (bad input),
        # the server answers 200 with that side all "snapped": false and
        # every cell null (docs/http.md); anything else must agree
        side = "sources" if "no origin snapped" in r.stderr else "destinations" if "no destination snapped" in r.stderr else None
        agree = (st == 200 and side is not None and not any(p["snapped"] for p in j[side]) and
                 all(d is None for row in j["durations"] for d in row)) or (r.returncode != 0 and st != 200)
        if not agree:
            fails.append(f"round {rd} table: CLI exit {r.returncode} ({r.stderr.strip()[:120]}), server {st} {j}")
        continue
    rows = list(csv.DictReader(r.stdout.splitlines()))
    for k, row in enumerate(rows):
        i, jj = divmod(k, n_t)
        d, m = j["durations"][i][jj], j["distances"][i][jj]
        got_t = "" if d is None else str(int(math.floor(d + 0.5)))
        got_m = "" if m is None else str(int(math.floor(m + 0.5)))
        pairs += 1
        if got_t != row["travel_time_s"] or got_m != row["distance_m"]:
            fails.append(f"round {rd} {mode} pair {i},{jj}: server {d},{m} vs CLI {row['travel_time_s']},{row['distance_m']}")
            break
    mins = sorted(rnd.sample(range(2, 21), rnd.randint(1, 3)))
    o = S[0]
    r = subprocess.run([A.bin, "isochrone", net, "--from", f"{o[0]},{o[1]}", "--mode", mode, "--minutes",
                        ",".join(map(str, mins))], capture_output=True, text=True)
    st, j = post("/isochrone", {"locations": [{"lon": o[0], "lat": o[1]}], "costing": COST[mode],
                                "contours": [{"time": t} for t in mins]})
    if (r.returncode == 0) != (st == 200):
        fails.append(f"round {rd} isochrone: CLI exit {r.returncode}, server {st}")
        continue
    if st != 200:
        continue
    a = {f["properties"]["minutes"]: f["geometry"] for f in json.loads(r.stdout)["features"]}
    b = {f["properties"]["minutes"]: f["geometry"] for f in j["features"]}
    isos += 1
    if a != b:
        fails.append(f"round {rd} isochrone {mode} {mins} from {o}: geometries differ")
srv.terminate()
srv.wait(timeout=60)
shutil.rmtree(T, ignore_errors=True)
print(f"serve vs cli: {A.rounds} rounds (seed {A.seed}), {pairs} table pairs and {isos} isochrones compared, "
      f"{len(fails)} differ")
for f in fails[:10]:
    print("serve vs cli: FAIL", f)
sys.exit(1 if fails else 0)
