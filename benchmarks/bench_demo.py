"""Benchmark: build time and peak memory of the demo city at several scales.

Each build runs in its own subprocess (so its peak resident memory can be read from the
kernel with ``os.wait4``) into a temporary DuckDB file that is deleted afterwards. The baseline
is the default city (scale 1), measured in the same run; other scales are reported as ratios
against it.

    .venv/bin/python benchmarks/bench_demo.py                 # scale 1 (x3) and scale 40 (x1)
    .venv/bin/python benchmarks/bench_demo.py --scales 1 10 --repeats 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import datetime as dt, json, sys, time
from workbench.demo import build_demo_city
started = time.perf_counter()
counts = build_demo_city(sys.argv[1], scale=float(sys.argv[2]), seed=int(sys.argv[3]),
                         end_date=dt.date.fromisoformat(sys.argv[4]))
print(json.dumps({"seconds": time.perf_counter() - started, "counts": counts}))
"""


def _build(scale: float, seed: int, end_date: dt.date, folder: Path) -> dict:
    """One build in a child process, reaped with ``os.wait4`` so its own peak memory is exact."""
    target = folder / f"bench-{scale:g}.duckdb"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHILD,
            f"duckdb://{target}",
            str(scale),
            str(seed),
            end_date.isoformat(),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    started = time.perf_counter()
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if process.returncode != 0:
        raise SystemExit(f"the build at scale {scale:g} failed (exit code {process.returncode})")
    result = json.loads(output.strip().splitlines()[-1])
    result.update(
        wall=wall,
        peak_mb=usage.ru_maxrss / 1024,
        cpu=usage.ru_utime + usage.ru_stime,
        size_mb=target.stat().st_size / 2**20,
    )
    target.unlink(missing_ok=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        default=[1.0, 40.0],
        help="scales to build; the first is the baseline (default: 1 40)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="builds per scale up to --repeat-below (median reported); default 3",
    )
    parser.add_argument(
        "--repeat-below",
        type=float,
        default=5.0,
        help="scales at or above this are built once; default 5",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="where the temporary warehouses go (default: the system temp folder)",
    )
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(dir=args.folder) as temporary:
        for scale in args.scales:
            repeats = args.repeats if scale < args.repeat_below else 1
            runs = []
            for _ in range(repeats):
                runs.append(_build(scale, args.seed, args.end_date, Path(temporary)))
                print(
                    f"  scale {scale:g}: {runs[-1]['wall']:.1f} s, {runs[-1]['peak_mb']:.0f} MB peak",
                    file=sys.stderr,
                    flush=True,
                )
            counts = runs[0]["counts"]
            rows.append(
                {
                    "scale": scale,
                    "runs": repeats,
                    "seconds": statistics.median(r["wall"] for r in runs),
                    "cpu": statistics.median(r["cpu"] for r in runs),
                    "peak_mb": max(r["peak_mb"] for r in runs),
                    "incidents": counts["incidents"],
                    "rows": sum(counts.values()),
                    "size_mb": runs[0]["size_mb"],
                }
            )

    baseline = rows[0]
    header = (
        f"{'scale':>6} {'runs':>4} {'incidents':>11} {'all rows':>12} {'wall s':>8} {'cpu s':>8} "
        f"{'rows/s':>9} {'peak MB':>8} {'file MB':>8} {'time x':>7} {'mem x':>6}"
    )
    print(
        f"demo city build, seed {args.seed}, end date {args.end_date} "
        f"(median wall time; peak = max resident memory of the build process; baseline scale "
        f"{baseline['scale']:g})"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['scale']:>6g} {row['runs']:>4} {row['incidents']:>11,} {row['rows']:>12,} "
            f"{row['seconds']:>8.1f} {row['cpu']:>8.1f} {row['rows'] / row['seconds']:>9,.0f} "
            f"{row['peak_mb']:>8.0f} {row['size_mb']:>8.0f} {row['seconds'] / baseline['seconds']:>7.1f} "
            f"{row['peak_mb'] / baseline['peak_mb']:>6.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
