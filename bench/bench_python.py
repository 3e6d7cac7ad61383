"""bench_python.py: one Python-side run of the `python` part of bench/run.sh.

  car     NET POINTS.csv       the N x N car matrix (points to points, 2 threads)
  transit NET HEXES.csv        the poa transit matrix, hexagons to hexagons,
                               2019-05-13 12:00 + 60 min, percentiles 5,50,95

Prints key=value lines: import_s (halfhour with numpy, pandas, cffi), open_s,
first_s (the first travel_time_matrix call: snapping, search, the
DataFrame), warm_s (the median of 3 more calls in the same process; car
only), total_s (the process up to the end of the first call), and checks:
pairs, reached, sum_rounded_s (times rounded as the CLI prints them,
summed; the CLI's CSV gives the same sum)."""
import statistics
import sys
import time
import warnings

t0 = time.perf_counter()
import numpy as np  # noqa: E402
import pandas  # noqa: E402,F401  (imported by the first call anyway: counted here)
import halfhour  # noqa: E402
t1 = time.perf_counter()

what, net_path, pts_path = sys.argv[1:4]
net = halfhour.Network.open(net_path)
t2 = time.perf_counter()
warnings.simplefilter("ignore", halfhour.HalfhourWarning)


def call():
    if what == "car":
        return net.travel_time_matrix(pts_path, pts_path, mode="car", threads=2), "travel_time_s"
    return net.travel_time_matrix(pts_path, pts_path, mode="transit", departure="2019-05-13T12:00", window=60,
                                  percentiles=[5, 50, 95], threads=2), "travel_time_p50"


df, col = call()
t3 = time.perf_counter()
warm = []
if what == "car":
    for _ in range(3):
        a = time.perf_counter()
        call()
        warm.append(time.perf_counter() - a)
t = df[col].to_numpy()
ok = ~np.isnan(t)
print("import_s=%.4f" % (t1 - t0))
print("open_s=%.4f" % (t2 - t1))
print("first_s=%.4f" % (t3 - t2))
print("warm_s=%.4f" % (statistics.median(warm) if warm else float("nan")))
print("total_s=%.4f" % (t3 - t0))
print("pairs=%d" % len(df))
print("reached=%d" % ok.sum())
print("sum_rounded_s=%.0f" % np.floor(t[ok] + 0.5).sum())
