"""Accepted submissions per second over a fault run, with the faults marked.

Usage: python3 loadtest/faults/plot.py loadtest/out/faults OUT.png
Reads timeline.csv (second, accepted, refused_attempts) and phases.csv (fault, start_s,
heal_s, end_s) written by the fault harness.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

src, out = sys.argv[1], sys.argv[2]
secs, acc, ref = [], [], []
with open(os.path.join(src, "timeline.csv")) as f:
    for row in csv.DictReader(f):
        secs.append(int(row["second"]))
        acc.append(int(row["accepted"]))
        ref.append(int(row["refused_attempts"]))


def smooth(xs, w=5):
    return [sum(xs[max(0, i - w + 1):i + 1]) / min(w, i + 1) for i in range(len(xs))]


fig, ax = plt.subplots(figsize=(12, 4.5))
ax.plot(secs, smooth(acc), label="accepted/s (5 s mean)", color="tab:blue")
ax.plot(secs, smooth(ref), label="refused or failed attempts/s (5 s mean)", color="tab:red",
        linewidth=0.8)
with open(os.path.join(src, "phases.csv")) as f:
    for i, row in enumerate(csv.DictReader(f)):
        start, heal = float(row["start_s"]), float(row["heal_s"])
        ax.axvspan(start, heal, color="orange", alpha=0.25)
        ax.text(start, ax.get_ylim()[1] * (0.92 - 0.08 * (i % 3)), row["fault"], fontsize=8)
ax.set_xlabel("seconds into the run (shaded: fault held)")
ax.set_ylabel("per second")
ax.set_title("CalcGrid, 3 nodes on PostgreSQL: submissions accepted under faults")
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=110)
