"""Ingest speed: `workbench ingest` vs a plain load, measured side by side in the same run, on
the real Chicago 2022 crimes file (215,551 rows) and on a generated Chicago-format file of
10 million rows (issue 17, item 2).

- ``workbench ingest``: ``ingest_file(warehouse, "chicago-crimes", path)`` into a fresh
  temporary DuckDB warehouse — read, map, validate (every quarantine rule), stage, number
  repeated ids, refuse duplicates, load, record the batch, all in one transaction.
- baseline: ``pandas.read_csv`` of the same file + DuckDB ``CREATE TABLE … AS SELECT`` from
  the frame, into a fresh DuckDB file (no validation, no mapping, no deduplication).

Each is run ``--runs`` times (default 5 on the Chicago file, 3 on the large one), alternating;
the table shows medians, rows/second and the ratio of rows/second (workbench ÷ baseline:
above 1 means faster than the baseline). Not a test: numbers depend on the machine and its load.

The large file is generated once (deterministic, seed 17) into ``data/bench-cache/`` (git-ignored)
with unique ``ID``s, the columns of the portal's full export, and realistic values.

    .venv/bin/python benchmarks/bench_ingest.py                    # both files
    .venv/bin/python benchmarks/bench_ingest.py --skip-large       # the Chicago file only
    .venv/bin/python benchmarks/bench_ingest.py --large-rows 2000000 --runs 3
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
CACHE = ROOT / "data" / "bench-cache"

PRIMARY_TYPES = ("THEFT", "BATTERY", "CRIMINAL DAMAGE", "ASSAULT", "DECEPTIVE PRACTICE",
                 "MOTOR VEHICLE THEFT", "OTHER OFFENSE", "ROBBERY", "BURGLARY",
                 "WEAPONS VIOLATION", "NARCOTICS", "CRIMINAL TRESPASS", "OFFENSE INVOLVING "
                 "CHILDREN", "CRIMINAL SEXUAL ASSAULT", "SEX OFFENSE", "PUBLIC PEACE VIOLATION",
                 "HOMICIDE", "ARSON", "STALKING", "INTERFERENCE WITH PUBLIC OFFICER")
DESCRIPTIONS = ("$500 AND UNDER", "SIMPLE", "TO VEHICLE", "DOMESTIC BATTERY SIMPLE",
                "FINANCIAL IDENTITY THEFT OVER $ 300", "AUTOMOBILE", "TELEPHONE THREAT",
                "ARMED - HANDGUN", "FORCIBLE ENTRY", "UNLAWFUL POSSESSION - HANDGUN")
LOCATIONS = ("STREET", "APARTMENT", "RESIDENCE", "SIDEWALK", "PARKING LOT / GARAGE (NON "
             "RESIDENTIAL)", "SMALL RETAIL STORE", "RESTAURANT", "ALLEY", "CTA TRAIN",
             "RESIDENCE - GARAGE", "DEPARTMENT STORE", "GAS STATION")


def generate_large_file(rows: int, path: Path, *, seed: int = 17) -> Path:
    """A Chicago full-export CSV with ``rows`` rows (unique IDs), written in slices."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    rng = np.random.default_rng(seed)
    start = np.datetime64("2015-01-01T00:00:00")
    span = int((np.datetime64("2024-12-31T23:59:59") - start).astype("int64"))
    written = 0
    with pa_csv.CSVWriter(str(partial), pa.schema([
        ("ID", pa.int64()), ("Case Number", pa.string()), ("Date", pa.string()),
        ("Block", pa.string()), ("IUCR", pa.string()), ("Primary Type", pa.string()),
        ("Description", pa.string()), ("Location Description", pa.string()),
        ("Arrest", pa.string()), ("Domestic", pa.string()), ("District", pa.string()),
        ("Community Area", pa.string()), ("Latitude", pa.float64()),
        ("Longitude", pa.float64())])) as writer:
        while written < rows:
            size = min(1_000_000, rows - written)
            ids = np.arange(written + 10_000_000, written + 10_000_000 + size)
            dates = (start + rng.integers(0, span, size).astype("timedelta64[s]"))
            date_text = pd.Series(dates).dt.strftime("%Y-%m-%d %H:%M:%S")
            blocks = pd.Series(rng.integers(0, 130, size)).map(lambda n: f"{n:03d}XX") + \
                " W " + pd.Series(rng.integers(1, 140, size)).astype(str) + "TH ST"
            table = pa.table({
                "ID": ids,
                "Case Number": pd.Series(ids).map(lambda n: f"J{n:08d}"),
                "Date": date_text,
                "Block": blocks,
                "IUCR": pd.Series(rng.integers(100, 5200, size)).map(lambda n: f"{n:04d}"),
                "Primary Type": np.array(PRIMARY_TYPES)[rng.integers(0, len(PRIMARY_TYPES),
                                                                     size)],
                "Description": np.array(DESCRIPTIONS)[rng.integers(0, len(DESCRIPTIONS), size)],
                "Location Description": np.array(LOCATIONS)[rng.integers(0, len(LOCATIONS),
                                                                         size)],
                "Arrest": np.where(rng.random(size) < 0.12, "true", "false"),
                "Domestic": np.where(rng.random(size) < 0.18, "true", "false"),
                "District": pd.Series(rng.integers(1, 26, size)).map(lambda n: f"{n:03d}"),
                "Community Area": pd.Series(rng.integers(1, 78, size)).astype(str),
                "Latitude": 41.65 + rng.random(size) * 0.37,
                "Longitude": -87.93 + rng.random(size) * 0.41,
            })
            writer.write_table(table)
            written += size
    partial.rename(path)
    return path


def run_workbench_ingest(path: Path, folder: Path) -> int:
    from workbench.ingest import ingest_file
    from workbench.warehouse import Warehouse

    with Warehouse.open(f"duckdb://{folder / 'workbench.duckdb'}") as warehouse:
        result = ingest_file(warehouse, "chicago-crimes", path)
    if not result.accounted_for or result.loaded + result.quarantined != result.rows_read:
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


def measure(path: Path, runs: int) -> list[tuple[str, ...]]:
    """Rows of the table for one file: both loaders, medians of ``runs`` alternating runs."""
    _timed(run_workbench_ingest, path)  # warm-up: imports, file cache (not timed)
    _timed(run_baseline, path)
    timings: dict[str, list[float]] = {"workbench": [], "baseline": []}
    rows: dict[str, int] = {}
    for _ in range(runs):
        for label, function in (("workbench", run_workbench_ingest), ("baseline", run_baseline)):
            seconds, count = _timed(function, path)
            timings[label].append(seconds)
            rows[label] = count
    rate = {label: rows[label] / statistics.median(timings[label]) for label in timings}
    names = {"workbench": "workbench ingest (validated, deduplicated)",
             "baseline": "baseline: pandas.read_csv + DuckDB CTAS"}
    return [(path.name, names[label], f"{rows[label]:,}",
             f"{statistics.median(timings[label]):.2f}", f"{min(timings[label]):.2f}",
             f"{rate[label]:,.0f}", f"{rate[label] / rate['baseline']:.2f}×")
            for label in ("workbench", "baseline")]


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = ("file", "loader", "rows", "median s", "min s", "rows/s", "rows/s vs baseline")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    text_columns = 2

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) if i < text_columns else v.rjust(w)
                                 for i, (v, w) in enumerate(zip(values, widths, strict=True)))\
            + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) if i < text_columns else "-" * (w + 1) + ":"
                         for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs on the Chicago file (≥ 3)")
    parser.add_argument("--large-runs", type=int, default=3, help="runs on the large file (≥ 3)")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="Chicago crimes CSV(.gz)")
    parser.add_argument("--large-rows", type=int, default=10_000_000,
                        help="rows of the generated file (default 10,000,000)")
    parser.add_argument("--skip-large", action="store_true", help="only the Chicago file")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no such file: {args.file} (the real-data folder is ../shared/data/real)",
              file=sys.stderr)
        return 2
    rows = measure(args.file, max(3, args.runs))
    runs = f"{max(3, args.runs)} runs"
    if not args.skip_large:
        large = generate_large_file(args.large_rows,
                                    CACHE / f"chicago-generated-{args.large_rows}.csv")
        rows += measure(large, max(3, args.large_runs))
        runs += f" (large file: {max(3, args.large_runs)})"
    print(f"medians of {runs} each, alternating, in one process")
    print()
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
