#!/usr/bin/python3
"""scale_plot.py: the cost curves of bench/run.sh's scale part.

    scale_plot.py TABLE.tsv OUT.png

TABLE.tsv has a header line (vertices, then one column per measure) and one
row per network size; empty or "nan" cells are left out.  Fits log(y) =
a + b log(vertices) by least squares per measure and prints "measure b" per
line (the exponent: 1 is linear); the PNG is a log-log plot of every measure
normalised to its value at the smallest size, each labelled with its
exponent.  matplotlib from Debian (python3-matplotlib, scripts/deps.sh)."""
import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def fit(xs, ys):
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    n = len(lx)
    mx, my = sum(lx) / n, sum(ly) / n
    sxx = sum((a - mx) ** 2 for a in lx)
    if n < 2 or sxx == 0:
        return float("nan")
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sxx


def main():
    rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
    head, body = rows[0], rows[1:]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for c in range(1, len(head)):
        pts = []
        for r in body:
            try:
                x, y = float(r[0]), float(r[c])
            except (ValueError, IndexError):
                continue
            if x > 0 and y > 0 and math.isfinite(y):
                pts.append((x, y))
        if len(pts) < 2:
            print("%s nan" % head[c])
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        b = fit(xs, ys)
        print("%s %.2f" % (head[c], b))
        ax.plot(xs, [y / ys[0] for y in ys], marker="o", label="%s (exponent %.2f)" % (head[c], b))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("vertices of the synthetic region")
    ax.set_ylabel("cost relative to the smallest region")
    ax.set_title("halfhour cost curves (synthetic regions; log-log, fitted exponents)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(sys.argv[2])


if __name__ == "__main__":
    main()
