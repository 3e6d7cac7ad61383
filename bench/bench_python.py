"""bench_python.py: one Python-side run of the `python` part of bench/run.sh.

  car   NET POINTS.csv OUT.csv        the N x N car matrix (points to points, 2 threads)
  transit NET HEXES.csv OUT.csv       the poa transit matrix, hexagons to hexagons,
                                      2019-05-13 12:00 + 60 min, percentiles 5,50,95

Prints key=value lines: import_s (import halfhour, numpy, pandas), open_s,
call_s (travel_time_matrix: snapping, search, the DataFrame), total_s, and
checks: pairs, reached, sum_rounded_s (times rounded as the CLI prints
them, summed; the CLI's CSV gives the same sum).  OUT.csv gets the
rounded matrix (only for the check, after the timings)."""
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import halfhour  # noqa: E402
t1 = time.perf_counter()

what, net_path, pts_path = sys.argv[1:4]
net = halfhour.Network.open(net_path)
t2 = time.perf_counter()
import warnings  # noqa: E402
warnings.simplefilter("ignore", halfhour.HalfhourWarning)
if what == "car":
    df = net.travel_time_matrix(pts_path, pts_path, mode="car", threads=2)
    col = "travel_time_s"
else:
    df = net.travel_time_matrix(pts_path, pts_path, mode="transit", departure="2019-05-13T12:00", window=60,
                                percentiles=[5, 50, 95], threads=2)
    col = "travel_time_p50"
t3 = time.perf_counter()
t = df[col].to_numpy()
ok = ~np.isnan(t)
print("import_s=%.4f" % (t1 - t0))
print("open_s=%.4f" % (t2 - t1))
print("call_s=%.4f" % (t3 - t2))
print("total_s=%.4f" % (t3 - t0))
print("pairs=%d" % len(df))
print("reached=%d" % ok.sum())
print("sum_rounded_s=%.0f" % np.floor(t[ok] + 0.5).sum())
