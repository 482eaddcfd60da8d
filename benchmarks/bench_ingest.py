"""Ingest speed on the real Chicago 2022 crimes file (215,551 rows): `workbench ingest` vs a
plain load, measured side by side in the same run.

- ``workbench ingest``: ``ingest_file(warehouse, "chicago-crimes", path)`` into a fresh
  temporary DuckDB warehouse (read, map, validate, stage, dedupe, load, record the batch).
- baseline: ``pandas.read_csv`` of the same file + DuckDB ``CREATE TABLE … AS SELECT`` from
  the frame, into a fresh DuckDB file (no validation, no mapping, no deduplication).

Each is run ``--runs`` times (default 5), alternating; the table shows medians, rows/second
and the ratio of medians. Not a test: numbers depend on the machine and its load.

    .venv/bin/python benchmarks/bench_ingest.py [--runs 5] [--file PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = (ROOT.parent / "shared" / "data" / "real" / "chicago_crimes_2022_slim"
                / "crimes-2022-slim.csv.gz")


def run_workbench_ingest(path: Path, folder: Path) -> int:
    from workbench.ingest import ingest_file
    from workbench.warehouse import Warehouse

    with Warehouse.open(f"duckdb://{folder / 'workbench.duckdb'}") as warehouse:
        result = ingest_file(warehouse, "chicago-crimes", path)
    if not result.accounted_for:
        raise RuntimeError(f"rows not accounted for: {result}")
    return result.rows_read


def run_baseline(path: Path, folder: Path) -> int:
    frame = pd.read_csv(path)
    connection = duckdb.connect(str(folder / "baseline.duckdb"))
    try:
        connection.register("frame", frame)
        connection.execute("CREATE TABLE crimes AS SELECT * FROM frame")
        rows = connection.execute("SELECT count(*) FROM crimes").fetchone()
    finally:
        connection.close()
    return int(rows[0]) if rows else 0


def _timed(function: Callable[[Path, Path], int], path: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        start = time.perf_counter()
        rows = function(path, Path(folder))
        return time.perf_counter() - start, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (at least 3)")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="Chicago crimes CSV(.gz)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no such file: {args.file} (the real-data folder is ../shared/data/real)",
              file=sys.stderr)
        return 2
    runs = max(3, args.runs)

    # warm-up: imports, file cache, DuckDB's first connection (not timed)
    _timed(run_workbench_ingest, args.file)
    _timed(run_baseline, args.file)

    timings: dict[str, list[float]] = {"workbench ingest": [], "baseline": []}
    rows: dict[str, int] = {}
    for _ in range(runs):
        for label, function in (("workbench ingest", run_workbench_ingest),
                                ("baseline", run_baseline)):
            seconds, count = _timed(function, args.file)
            timings[label].append(seconds)
            rows[label] = count

    baseline = statistics.median(timings["baseline"])
    names = {
        "workbench ingest": "workbench ingest (chicago-crimes: validated, deduplicated)",
        "baseline": "baseline: pandas.read_csv + DuckDB CREATE TABLE AS",
    }
    header = ("loader", "rows", "median s", "min s", "rows/s", "× baseline")
    lines = []
    for label in ("workbench ingest", "baseline"):
        median = statistics.median(timings[label])
        lines.append((names[label], f"{rows[label]:,}", f"{median:.2f}",
                      f"{min(timings[label]):.2f}", f"{rows[label] / median:,.0f}",
                      f"{median / baseline:.2f}"))
    widths = [max(len(row[i]) for row in (header, *lines)) for i in range(len(header))]
    print(f"file: {args.file.name} · {runs} runs each, alternating · medians")
    print()
    print("| " + " | ".join(h.ljust(w) if i == 0 else h.rjust(w)
                            for i, (h, w) in enumerate(zip(header, widths, strict=True))) + " |")
    print("|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":"
                         for i, w in enumerate(widths)) + "|")
    for row in lines:
        print("| " + " | ".join(v.ljust(w) if i == 0 else v.rjust(w)
                                for i, (v, w) in enumerate(zip(row, widths, strict=True))) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
