"""Knox test (999 permutations) at one division-year and the whole demo city: Workbench against a
straightforward pairwise NumPy implementation, side by side in one run.

Workload: every located incident of the last 365 days (all categories) of one division (``D4``,
a typical outer division, and ``D1``, the dense centre) and of the whole city; Near Repeat
Calculator bands (same location, 100 m bands to 400 m, Manhattan distance; 7-day bands to 28
days), 999 permutations.

Variants:

- ``workbench``: :func:`workbench.analysis.knox.knox_test` — close pairs found once with a
  k-d tree, then for each block of 128 permutations the time gaps of those pairs gathered and
  compared with the band edges (bits counted eight bytes at a time);
- ``pairwise``: what the R package ``NearRepeat`` does, in NumPy: for every permutation, the
  full distance and time-difference matrices (row blocks of 128 × n, so memory stays bounded),
  a band per pair and one ``bincount``. It is capped at a few permutations (``--pairwise-
  permutations``); its 999-permutation time is extrapolated as ``observed pass + 999 × the
  median time per permutation`` (the work is the same for each permutation). Both variants'
  observed tables are checked to be identical.

The demo city is the warehouse at ``--warehouse`` (default: a fresh scale-1 build in a
temporary folder, not timed). Times are wall-clock medians of ``--runs`` runs in this process;
CPU time (user + system) is given too, as other work on a shared machine stretches wall time.
Not a test: numbers depend on the machine and its load.

    .venv/bin/python benchmarks/bench_near_repeat.py [--warehouse duckdb:///path] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

PERMUTATIONS = 999
DISTANCE_BREAKS = (0, 1, 100, 200, 300, 400, math.inf)
TIME_BREAKS = (0, 7, 14, 21, 28, math.inf)
_ROW_BLOCK = 128


def _points(url: str, end: dt.date, division: str | None):
    from workbench.analysis.near_repeat import located_incidents
    from workbench.warehouse import Warehouse

    with Warehouse.open(url, read_only=True) as warehouse:
        frame = located_incidents(warehouse.table("incidents"), as_of=end, days=365,
                                  division=division)
    return (frame["x"].to_numpy(), frame["y"].to_numpy(), frame["day"].to_numpy())


def pairwise_knox(x: np.ndarray, y: np.ndarray, days: np.ndarray, permutations: int,
                  seed: int = 0) -> tuple[np.ndarray, list[float]]:
    """Observed table and the seconds each permutation took, computing every pair each time."""
    distance_breaks = np.array(DISTANCE_BREAKS)
    time_breaks = np.array(TIME_BREAKS)
    shape = (len(distance_breaks) - 1, len(time_breaks) - 1)
    count = len(x)

    def table(times: np.ndarray) -> np.ndarray:
        counts = np.zeros(shape[0] * shape[1], dtype=np.int64)
        for start in range(0, count, _ROW_BLOCK):
            rows = slice(start, min(start + _ROW_BLOCK, count))
            distance = (np.abs(x[rows, None] - x[None, :]) + np.abs(y[rows, None] - y[None, :]))
            gap = np.abs(times[rows, None] - times[None, :])
            upper = np.arange(count)[None, :] > np.arange(start, rows.stop)[:, None]
            d_band = np.searchsorted(distance_breaks, distance[upper], side="right") - 1
            t_band = np.searchsorted(time_breaks, gap[upper], side="right") - 1
            counts += np.bincount(d_band * shape[1] + t_band, minlength=counts.size)
        return counts.reshape(shape)

    observed = table(days)
    rng = np.random.default_rng(seed)
    seconds = []
    for _ in range(permutations):
        began = time.perf_counter()
        table(days[rng.permutation(count)])
        seconds.append(time.perf_counter() - began)
    return observed, seconds


def _timed(work: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", help="demo city warehouse URL (default: build one)")
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pairwise-permutations", type=int, nargs=3, default=(9, 3, 1),
                        metavar=("D4", "D1", "CITY"))
    arguments = parser.parse_args(argv)

    from workbench.analysis.knox import knox_test

    end = arguments.end_date or dt.date.today()
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.warehouse
        if url is None:
            from workbench.demo import build_demo_city

            url = f"duckdb://{Path(folder) / 'demo.duckdb'}"
            print(f"building the demo city (scale 1, ending {end}) ...", file=sys.stderr)
            build_demo_city(url, scale=1.0, seed=42, end_date=end)
        scopes = [("division D4, one year", "D4"), ("division D1, one year", "D1"),
                  ("whole city, one year", None)]
        rows = []
        for (label, division), capped in zip(scopes, arguments.pairwise_permutations,
                                             strict=True):
            x, y, days = _points(url, end, division)
            fast = []
            for _ in range(arguments.runs):
                wall, cpu, result = _timed(lambda x=x, y=y, days=days: knox_test(
                    x, y, days, distance_breaks=DISTANCE_BREAKS, time_breaks=TIME_BREAKS,
                    permutations=PERMUTATIONS, seed=1))
                fast.append((wall, cpu))
            slow_totals, slow_cpu, per_permutation = [], [], []
            for _ in range(arguments.runs):
                wall, cpu, (observed, seconds) = _timed(
                    lambda x=x, y=y, days=days, capped=capped: pairwise_knox(x, y, days,
                                                                             capped))
                observed_pass = wall - sum(seconds)
                each = statistics.median(seconds)
                per_permutation.append(each)
                slow_totals.append(observed_pass + PERMUTATIONS * each)
                slow_cpu.append(cpu / (capped + 1) * (PERMUTATIONS + 1))
            if result.matrix("observed").to_numpy().tolist() != observed.tolist():
                raise SystemExit(f"{label}: the two observed tables differ")
            close = int(result.table.loc[result.table["distance_to"] < math.inf,
                                         "observed"].sum())
            fast_wall = statistics.median(w for w, _ in fast)
            fast_cpu = statistics.median(c for _, c in fast)
            slow_wall = statistics.median(slow_totals)
            rows.append((label, len(x), close, fast_wall, fast_cpu, capped,
                         statistics.median(per_permutation), slow_wall,
                         statistics.median(slow_cpu), slow_wall / fast_wall))

    print(f"Knox test, {PERMUTATIONS} permutations, bands {DISTANCE_BREAKS[1:-1]} m x "
          f"{TIME_BREAKS[1:-1]} days, medians of {arguments.runs} runs")
    print()
    print("| scope | incidents | pairs < 400 m | workbench wall s | workbench CPU s | "
          "pairwise: permutations run | pairwise s / permutation | pairwise wall s (999, "
          "extrapolated) | pairwise CPU s (999, extrapolated) | ratio (wall) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, close, fw, fc, capped, each, sw, sc, ratio in rows:
        print(f"| {label} | {n:,} | {close:,} | {fw:.2f} | {fc:.2f} | {capped} | {each:.2f} | "
              f"{sw:,.0f} | {sc:,.0f} | {ratio:,.0f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
