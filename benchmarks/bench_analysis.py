"""CompStat grid + monthly trends at 1M and 10M incidents: Workbench (Ibis on DuckDB) vs a plain
pandas baseline, side by side in one run.

Workload (the same in both variants, at ``as_of`` = the last day of the synthetic data):

1. the CompStat grid by offence category and division (7 days, 28 days, year to date and 365
   days against a year earlier, with z-scores, E-test p-values and Holm adjustment);
2. monthly incident counts by offence category over the last 36 months.

Variants:

- ``workbench``: :func:`workbench.analysis.crime.compstat_grid` and
  :func:`~workbench.analysis.crime.incident_counts` on the warehouse table (counts aggregated
  inside DuckDB; only the small result reaches pandas);
- ``pandas``: ``SELECT occurred_at, offence_category, division FROM incidents`` read into a
  DataFrame (only the columns needed), window masks and ``groupby`` in pandas, then the same
  :func:`~workbench.analysis.crime.change_statistics` on the counts. The two results are
  checked to be identical.

Incident tables are made with numpy (uniform times over three years, 20 categories, 7
divisions, 100 neighbourhoods) and written to temporary DuckDB files. Every measurement runs
in a fresh subprocess, so peak memory (``VmHWM``: peak resident set, Linux) is that variant's
alone, and "workload" is its rise over the resident set just before the workload; the time is the
workload only (not Python start-up or imports), the median of ``--runs`` subprocesses; each
subprocess times the workload twice (first call, then warm). DuckDB
may use every core; pandas uses one. Not a test: numbers depend on the machine and its load.

    .venv/bin/python benchmarks/bench_analysis.py [--sizes 1000000 10000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = dt.date(2024, 6, 30)
CATEGORIES = ["assault", "theft_under", "mischief", "break_and_enter", "fraud", "auto_theft",
              "robbery", "drugs", "weapons", "sexual_assault", "criminal_harassment",
              "disturbance", "impaired_driving", "theft_over", "administration_of_justice",
              "other_criminal_code", "hate_crime", "shooting", "homicide", "other"]
DIVISIONS = [f"D{i}" for i in range(1, 8)]
TREND_MONTHS = 36


# ------------------------------------------------------------------------------ data


def build_table(path: Path, rows: int, seed: int = 1) -> None:
    """Write ``rows`` synthetic incidents to a DuckDB file (numpy values, DuckDB ids)."""
    import duckdb
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    end = np.datetime64(AS_OF + dt.timedelta(days=1), "s")
    span = int(3 * 365.25 * 86400)
    occurred = end - rng.integers(1, span, rows).astype("timedelta64[s]")
    weights = np.linspace(3.0, 0.2, len(CATEGORIES))
    weights /= weights.sum()

    def dictionary(values: list[str], probabilities=None) -> pa.DictionaryArray:
        codes = rng.choice(len(values), rows, p=probabilities).astype("int8")
        return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values))

    table = pa.table({
        "occurred_at": pa.array(occurred.astype("datetime64[us]")),
        "offence_category": dictionary(CATEGORIES, weights),
        "division": dictionary(DIVISIONS),
        "neighbourhood_id": dictionary([f"N{i:03d}" for i in range(100)]),
    })
    con = duckdb.connect(str(path))
    con.register("generated", table)
    con.execute("""
        CREATE TABLE incidents AS
        SELECT 'B' || CAST(row_number() OVER () AS VARCHAR) AS incident_id,
               'bench' AS source, occurred_at, occurred_at AS reported_at,
               CAST(offence_category AS VARCHAR) AS offence_category,
               CAST(division AS VARCHAR) AS division,
               CAST(neighbourhood_id AS VARCHAR) AS neighbourhood_id
        FROM generated
    """)
    con.close()


# ------------------------------------------------------------------------------ variants


def run_workbench(path: Path):
    from workbench.analysis import crime
    from workbench.warehouse import Warehouse

    with Warehouse.open(f"duckdb://{path}", read_only=True) as warehouse:
        incidents = warehouse.table("incidents")
        grid = crime.compstat_grid(incidents, as_of=AS_OF, by=("offence_category", "division"))
        start = _trend_start()
        trend = crime.incident_counts(incidents, start=start, as_of=AS_OF, period="month")
    return grid, trend


def _trend_start() -> dt.date:
    from workbench.analysis._common import months_back

    return months_back(AS_OF, TREND_MONTHS - 1)


def run_pandas(path: Path):
    import duckdb
    import pandas as pd

    from workbench.analysis import crime

    con = duckdb.connect(str(path), read_only=True)
    frame = con.execute("SELECT occurred_at, offence_category, division FROM incidents").df()
    con.close()

    keys = ["offence_category", "division"]
    parts = []
    for window in crime.compstat_windows(AS_OF):
        counts = {}
        for side, first, last in (("current", window.current_start, window.current_end),
                                  ("past", window.past_start, window.past_end)):
            mask = ((frame["occurred_at"] >= pd.Timestamp(first))
                    & (frame["occurred_at"] < pd.Timestamp(last + dt.timedelta(days=1))))
            counts[side] = frame[mask].groupby(keys).size()
        part = pd.concat(counts, axis=1).fillna(0).astype("int64").reset_index()
        part.insert(0, "period", window.period)
        part["current_days"] = window.current_days
        part["past_days"] = window.past_days
        parts.append(part)
    earliest = min(w.past_start for w in crime.compstat_windows(AS_OF))
    seen = frame[frame["occurred_at"] >= pd.Timestamp(earliest)][keys].drop_duplicates()
    complete = []
    for part in parts:  # every group seen in any window appears in every period (as Workbench)
        filled = seen.merge(part, on=keys, how="left")
        filled["period"] = part["period"].iloc[0]
        filled[["current", "past"]] = filled[["current", "past"]].fillna(0).astype("int64")
        filled["current_days"] = part["current_days"].iloc[0]
        filled["past_days"] = part["past_days"].iloc[0]
        complete.append(filled)
    grid = pd.concat(complete, ignore_index=True)
    grid = crime.change_statistics(grid)

    recent = frame[(frame["occurred_at"] >= pd.Timestamp(_trend_start()))
                   & (frame["occurred_at"] < pd.Timestamp(AS_OF + dt.timedelta(days=1)))]
    trend = (recent.groupby([recent["occurred_at"].dt.to_period("M").dt.start_time
                             .rename("period_start"), "offence_category"])
             .size().rename("incidents").reset_index())
    return grid, trend


def _signature(grid, trend) -> dict:
    """What must agree between variants: counts per cell and monthly totals."""
    cells = grid[["period", "offence_category", "division", "current", "past", "z"]]
    cells = cells.sort_values(["period", "offence_category", "division"])
    return {"cells": len(cells), "current": int(cells["current"].sum()),
            "past": int(cells["past"].sum()), "z": round(float(cells["z"].abs().sum()), 6),
            "flagged": int(grid["flagged"].sum()), "trend_total": int(trend["incidents"].sum()),
            "trend_rows_nonzero": int((trend["incidents"] > 0).sum())}


def _memory_kb(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in kB, from /proc (Linux).

    ``VmHWM`` starts afresh at ``exec``, unlike ``ru_maxrss``, which a child inherits from the
    process that forked it; elsewhere fall back to ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker(variant: str, path: Path) -> None:
    """Run one variant once; print JSON with its time and memory to stdout."""
    import pandas  # noqa: F401  (imports are not part of the timed workload)

    import workbench.analysis.crime  # noqa: F401
    from workbench.warehouse import Warehouse  # noqa: F401

    run = run_workbench if variant == "workbench" else run_pandas
    before = _memory_kb("VmRSS")
    started = time.perf_counter()
    grid, trend = run(path)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = run(path)  # warm: what an open notebook, app kernel or render pays on each call
    warm = time.perf_counter() - started
    peak = _memory_kb("VmHWM")
    if _signature(*again) != _signature(grid, trend):
        raise SystemExit(f"{variant}: the second run differs from the first")
    print(json.dumps({"seconds": seconds, "warm_seconds": warm, "peak_mb": peak / 1024,
                      "workload_mb": max(0, peak - before) / 1024,
                      "signature": _signature(grid, trend)}))


# ------------------------------------------------------------------------------ driver


def measure(variant: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", variant, "--database", str(path)],
        check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", choices=["workbench", "pandas"])
    parser.add_argument("--database", type=Path)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(arguments.worker, arguments.database)
        return
    if arguments.build:
        build_table(arguments.database, arguments.build)
        return

    rows_out = []
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as folder:
        for size in arguments.sizes:
            path = Path(folder) / f"incidents-{size}.duckdb"
            started = time.perf_counter()
            # In its own process, so this driver stays small while the variants run.
            subprocess.run([sys.executable, __file__, "--build", str(size), "--database",
                            str(path)], check=True)
            print(f"built {size:,} incidents in {time.perf_counter() - started:.1f} s "
                  f"({path.stat().st_size / 2**20:.0f} MB)", file=sys.stderr)
            results: dict[str, list[dict]] = {"workbench": [], "pandas": []}
            for _ in range(arguments.runs):  # alternate, so load drifts hit both alike
                for variant in results:
                    results[variant].append(measure(variant, path))
            signatures = {v: r[0]["signature"] for v, r in results.items()}
            if signatures["workbench"] != signatures["pandas"]:
                raise SystemExit(f"results differ at {size:,} rows: {signatures}")
            baseline = statistics.median(r["seconds"] for r in results["pandas"])
            warm_baseline = statistics.median(r["warm_seconds"] for r in results["pandas"])
            for variant, runs in results.items():
                seconds = statistics.median(r["seconds"] for r in runs)
                warm = statistics.median(r["warm_seconds"] for r in runs)
                rows_out.append((size, variant, seconds, baseline / seconds, warm,
                                 warm_baseline / warm, max(r["peak_mb"] for r in runs),
                                 max(r["workload_mb"] for r in runs)))

    print(f"CompStat grid (category × division) + 36 monthly trends; median of "
          f"{arguments.runs} runs, each in its own process; results identical in both variants")
    print("first call = the first in a fresh process (includes the engine's and SQL "
          "compiler's first-use set-up); warm = the same call again in that process, as in an "
          "open notebook, app kernel or render")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores")
    header = (f"{'incidents':>11} | {'variant':<9} | {'first call s':>12} | {'vs pandas':>9} | "
              f"{'warm s':>6} | {'vs pandas':>9} | {'peak RSS MB':>11} | {'workload RSS MB':>15}")
    print(header)
    print("-" * len(header))
    for size, variant, seconds, ratio, warm, warm_ratio, peak, workload in rows_out:
        print(f"{size:>11,} | {variant:<9} | {seconds:>12.2f} | {ratio:>8.1f}x | {warm:>6.2f} | "
              f"{warm_ratio:>8.1f}x | {peak:>11.0f} | {workload:>15.0f}")


if __name__ == "__main__":
    main()
