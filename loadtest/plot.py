"""Throughput (tasks/s) against graph size, CalcGrid and the floor, from the runner's CSV.

Usage: python3 loadtest/plot.py loadtest/out/throughput.csv OUT.png
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

src, out = sys.argv[1], sys.argv[2]
series = defaultdict(list)
with open(src) as f:
    for row in csv.DictReader(f):
        series[row["series"]].append((int(row["tasks"]), float(row["tasks_per_second"])))

fig, ax = plt.subplots(figsize=(7, 4.5))
for name, points in series.items():
    points.sort()
    xs, ys = zip(*points)
    ax.plot(xs, ys, marker="o", label=name)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("tasks in the graph (fan-out/fan-in: one root, N items, one sink)")
ax.set_ylabel("tasks per second, submit to finished")
ax.set_title("CalcGrid on one durable node vs an in-process ForkJoinPool floor (2 cores)")
ax.axhline(20000, color="grey", linestyle="--", linewidth=0.8)
ax.text(min(x for pts in series.values() for x, _ in pts), 21500, "target 20,000 tasks/s (H2)", color="grey", fontsize=8)
ax.grid(True, which="both", alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(out, dpi=120)
