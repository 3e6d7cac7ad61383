#!/usr/bin/env python3
"""serve_soak.py: `halfhour serve` under mixed load on loopback for a while.

    serve_soak.py --bin build/rel/halfhour [--data ../shared/data] [--seconds 600]
                  [--window 30] [--tmp DIR] [--reload-every 5]

Builds two networks of Monaco (the default profile, and one with car speeds
x 0.7), serves the first under a name the test replaces by renaming the other
over it and sending SIGHUP every --reload-every seconds, all while wrk sends
mixed requests (isochrones by three modes, tables, access, /network, /info,
GET isochrones) on 8 connections.  Prints one line per window: requests,
p50/p99 latency, RSS, open descriptors, reloads so far; fails when a request
fails (non-2xx, socket error), a reload fails, RSS grows from the first
window to the last (10 % + 16 MiB), the descriptors once the load's
connections are closed exceed those idle before it by more than 4, or the
last window's p99 is more than 3x the first's + 20 ms.  Exits 0/1; prints
`skipped` (exit 0) without the data or wrk."""
import argparse, json, math, os, re, shutil, signal, subprocess, sys, tempfile, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data"))
ap.add_argument("--seconds", type=float, default=600)
ap.add_argument("--window", type=float, default=30)
ap.add_argument("--reload-every", type=float, default=5)
ap.add_argument("--tmp")
A = ap.parse_args()

pbf = os.path.join(A.data, "monaco/monaco.osm.pbf")
if not os.path.exists(pbf) or not shutil.which("wrk"):
    print("serve soak: skipped (no %s)" % ("wrk" if os.path.exists(pbf) else pbf))
    sys.exit(0)
T = A.tmp or tempfile.mkdtemp(prefix="hh-soak.")
os.makedirs(T, exist_ok=True)
a, b, live = f"{T}/a.hh", f"{T}/b.hh", f"{T}/live.hh"
for out, extra in [(a, []), (b, ["--set", "car.speed_factor=0.7"])]:
    subprocess.run([A.bin, "build", pbf, "-o", out, "-q", *extra], check=True)
shutil.copy(a, live)

srv = subprocess.Popen([A.bin, "serve", live, "--port", "0", "--threads", "2"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
line = srv.stdout.readline()
m = re.search(r":(\d+)/", line)
if not m:
    print("serve soak: the server did not start:", line, srv.stderr.read())
    sys.exit(1)
port = int(m.group(1))
errlines = []
threading.Thread(target=lambda: errlines.extend(srv.stderr), daemon=True).start()

P = [[7.4200, 43.7310], [7.4250, 43.7380], [7.4160, 43.7330], [7.4300, 43.7440], [7.4090, 43.7290]]
reqs = []
for i, (x, y) in enumerate(P):
    reqs.append(("POST", "/isochrone", {"locations": [{"lon": x, "lat": y}],
                                        "costing": ["auto", "pedestrian", "bicycle"][i % 3],
                                        "contours": [{"time": 5}, {"time": 10}]}))
reqs += [("POST", "/table", {"sources": P, "destinations": P[:3], "mode": "car"}),
         ("POST", "/table", {"sources": P[:2], "mode": "walk"}),
         ("POST", "/access", {"lon": P[0][0], "lat": P[0][1], "mode": "walk", "minutes": [10]}),
         ("GET", "/network?bbox=7.415,43.728,7.428,43.740&zoom=15", None), ("GET", "/info", None),
         ("GET", "/isochrone?lon=%g&lat=%g&mode=bike&minutes=8" % tuple(P[1]), None)]
lua = f"{T}/mixed.lua"
with open(lua, "w") as f:
    f.write("local reqs = {\n")
    for meth, path, body in reqs:
        f.write("  {%s, %s, %s},\n" % (json.dumps(meth), json.dumps(path), json.dumps(json.dumps(body) if body else "")))
    f.write("}\nlocal i = 0\nrequest = function()\n  i = i % #reqs + 1\n  local r = reqs[i]\n"
            "  if r[1] == 'GET' then return wrk.format('GET', r[2]) end\n"
            "  return wrk.format('POST', r[2], {['Content-Type']='application/json'}, r[3])\nend\n")


def rss_kib():
    for l in open(f"/proc/{srv.pid}/status"):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
    return 0


def fds():
    return len(os.listdir(f"/proc/{srv.pid}/fd"))


def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")


stop = threading.Event()
reloads = [0]


def reloader():
    k = 0
    while not stop.wait(A.reload_every):
        k += 1
        tmp = f"{T}/next.hh"
        shutil.copy(b if k % 2 else a, tmp)
        os.rename(tmp, live)  # the file replaced whole, then the signal
        srv.send_signal(signal.SIGHUP)
        reloads[0] += 1


fails = []
# warm-up, then the windows
subprocess.run(["wrk", "-t", "2", "-c", "8", "-d", "3s", "-s", lua, f"http://127.0.0.1:{port}/"],
               capture_output=True)


def settled_fds(limit=None, wait_s=10.0):
    """Open descriptors once wrk's connections are gone: the server closes
    them a moment after the client does, so a count taken right after a
    window sees between 8 and 16.  Polls until the count is at most limit
    (or, without one, the same for half a second), for at most wait_s."""
    t_end, last, same_since = time.time() + wait_s, None, time.time()
    while time.time() < t_end:
        n = fds()
        if limit is not None and n <= limit:
            return n
        if n != last:
            last, same_since = n, time.time()
        elif limit is None and time.time() - same_since >= 0.5:
            return n
        time.sleep(0.05)
    return fds()


idle_fds = settled_fds()
th = threading.Thread(target=reloader, daemon=True)
th.start()
rows = []
t0 = time.time()
n_win = max(1, int(round(A.seconds / A.window)))
print("serve soak: %d windows of %g s, SIGHUP every %g s" % (n_win, A.window, A.reload_every))
print("%6s %9s %8s %8s %9s %4s %7s" % ("t_s", "requests", "p50_ms", "p99_ms", "rss_kib", "fds", "reloads"))
for w in range(n_win):
    r = subprocess.run(["wrk", "-t", "2", "-c", "8", "-d", "%gs" % A.window, "--latency", "-s", lua,
                        f"http://127.0.0.1:{port}/"], capture_output=True, text=True)
    out = r.stdout
    n = int(re.search(r"(\d+) requests in", out).group(1)) if re.search(r"(\d+) requests in", out) else 0
    # the latency distribution's own lines ("  50%  1.23ms"), not a stdev
    # column that happens to end in 50% or 99%
    p50m = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99m = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    p50 = ms(p50m.group(1)) if p50m else float("nan")
    p99 = ms(p99m.group(1)) if p99m else float("nan")
    if math.isnan(p50) or math.isnan(p99):
        fails.append("window %d: no latency distribution in wrk's output" % w)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    if r.returncode or n == 0 or bad or sock:
        fails.append("window %d: %s" % (w, (bad.group(0) if bad else sock.group(0) if sock else out[-300:])))
    rows.append((time.time() - t0, n, p50, p99, rss_kib(), fds(), reloads[0]))
    print("%6.0f %9d %8.2f %8.2f %9d %4d %7d" % rows[-1], flush=True)
stop.set()
th.join()
time.sleep(0.5)
end_fds = settled_fds(limit=idle_fds + 4)
# a damaged file: the reload fails, the server keeps the network it has
import urllib.request
n_before = len(errlines)
with open(f"{T}/next.hh", "wb") as f:
    f.write(open(a, "rb").read()[:4096])
os.rename(f"{T}/next.hh", live)
srv.send_signal(signal.SIGHUP)
for _ in range(100):
    if any("reload failed" in l for l in errlines[n_before:]):
        break
    time.sleep(0.05)
bad_reload = [l for l in errlines[n_before:] if "reload failed" in l]
try:
    ok_after = urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=30).status == 200
except Exception:
    ok_after = False
if not bad_reload or not ok_after:
    fails.append("a damaged file on SIGHUP: %s, then /info %s" % (bad_reload or "no 'reload failed' line",
                                                                   "200" if ok_after else "failed"))
else:
    print("serve soak: damaged file on SIGHUP:", bad_reload[0].strip()[:160])
errlines_before_damage = errlines[:n_before]
srv.send_signal(signal.SIGTERM)
rc = srv.wait(timeout=60)
time.sleep(0.2)
done = sum("reloaded" in l for l in errlines)
failed_reloads = [l for l in errlines_before_damage if "reload failed" in l]
if failed_reloads:
    fails.append("reloads failed: " + failed_reloads[0])
if done != reloads[0]:
    fails.append("%d SIGHUPs sent, %d reloads logged" % (reloads[0], done))
if rc != 0:
    fails.append("server exit %d: %s" % (rc, "".join(errlines[-3:])))
if end_fds > idle_fds + 4:
    fails.append("descriptors grew: %d idle before the load, %d after it" % (idle_fds, end_fds))
first, last = rows[0], rows[-1]
if len(rows) > 1:
    if last[4] > first[4] * 1.10 + 16384:
        fails.append("RSS grew: %d -> %d KiB" % (first[4], last[4]))
    if last[3] > 3 * first[3] + 20:
        fails.append("p99 grew: %.2f -> %.2f ms" % (first[3], last[3]))
total = sum(r[1] for r in rows)
print("serve soak: %d requests, %d reloads, RSS %d -> %d KiB, fds idle %d -> %d, p99 %.2f -> %.2f ms"
      % (total, done, first[4], last[4], idle_fds, end_fds, first[3], last[3]))
if not A.tmp:
    shutil.rmtree(T, ignore_errors=True)
for f in fails:
    print("serve soak: FAIL", f)
print("serve soak: %s" % ("failed" if fails else "passed"))
sys.exit(1 if fails else 0)
