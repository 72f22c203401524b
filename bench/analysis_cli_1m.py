"""Time ``python -m analysis indices`` on a 1,000,000-row response CSV (SPEC §3).

Budget (issue #3): at most 15 s wall time and 500 MB peak memory on a 2-core machine, with
``--by unit_code --period quarter --format json``. Prints both figures; asserts nothing.

    .venv/bin/python bench/analysis_cli_1m.py [ROWS]
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SHORT = ["access.place", "procedure.as_posted", "staff.courteous", "result.as_promised",
         "feedback.easy"]
FULL = ["access.place", "access.facilities", "access.hours", "procedure.posted",
        "procedure.papers", "procedure.fees", "procedure.time", "staff.courteous",
        "staff.helpful", "staff.explain", "staff.honest", "result.correct", "result.complete",
        "result.on_time", "feedback.easy", "feedback.answered", "feedback.timely"]
ITEMS = sorted(set(SHORT) | set(FULL))
HEADER = ["response_id", "submitted_at", "unit_code", "service_point_code", "procedure_code",
          "sector_code", "channel", "respondent_type", "instrument", "q.overall",
          *[f"q.{k}" for k in ITEMS], "comment"]


def write_csv(path: Path, rows: int, seed: int = 2026) -> None:
    rng = np.random.default_rng(seed)
    units = [f"U{u:03d}" for u in range(500)]
    unit_rate = rng.beta(18, 3, size=500)
    start = np.datetime64("2025-01-01T00:00:00")
    offsets = ["+07:00", "+07:00", "+07:00", "Z"]
    channels = ["kiosk", "qr", "link", "paper", "api"]
    full_col = {k: i for i, k in enumerate(ITEMS)}
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        block = 100_000
        for lo in range(0, rows, block):
            m = min(block, rows - lo)
            u = rng.integers(0, 500, size=m)
            seconds = rng.integers(0, 2 * 365 * 86400, size=m)
            full = rng.random(m) < 0.3
            happy = rng.random((m, 1 + len(ITEMS))) < unit_rate[u][:, None]
            ratings = np.where(happy, rng.integers(4, 6, happy.shape), rng.integers(1, 4, happy.shape))
            skipped = rng.random(happy.shape) < 0.05
            stamps = (start + seconds.astype("timedelta64[s]")).astype(str)
            for i in range(m):
                asked = FULL if full[i] else SHORT
                q = [""] * len(ITEMS)
                for key in asked:
                    j = full_col[key]
                    q[j] = "" if skipped[i, j + 1] else str(ratings[i, j + 1])
                tz = offsets[i % 4]
                out.writerow([lo + i, stamps[i] + tz, units[u[i]], "", "", "",
                              channels[i % 5], "citizen",
                              "sipas-full@1" if full[i] else "sipas-short@1",
                              "" if skipped[i, 0] else ratings[i, 0], *q, ""])


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "responses.csv"
        t0 = time.perf_counter()
        write_csv(path, rows)
        print(f"wrote {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB, "
              f"in {time.perf_counter() - t0:.1f} s")
        cmd = [sys.executable, "-m", "analysis", "indices", str(path), "--by", "unit_code",
               "--period", "quarter", "--format", "json"]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = usage.ru_maxrss / 1024
        load = os.getloadavg()[0]
        print("python -m analysis indices --by unit_code --period quarter --format json")
        print(f"  wall time: {wall:.2f} s (budget 15 s); CPU time {usage.ru_utime + usage.ru_stime:.2f} s;"
              f" load average {load:.1f} on {os.cpu_count()} cores")
        print(f"  peak RSS:  {peak_mb:.0f} MB (budget 500 MB)")
        groups = len(json.loads(done.stdout)["groups"])
        print(f"  output:    {len(done.stdout) / 1e6:.1f} MB of JSON, {groups} groups")


if __name__ == "__main__":
    main()
