"""``workbench demo-data``: build the demo city into the warehouse.

    workbench demo-data [--scale S] [--seed N] [--end-date YYYY-MM-DD] [--warehouse URL]
                        [--parquet DIR]

Prints the rows written per table and the time taken; shows a progress bar for large builds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from workbench.demo.generate import build_demo_city
from workbench.settings import get_settings

PROGRESS_FROM_SCALE = 3.0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the scale must be above 0, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        type=_positive_float,
        default=1.0,
        help="multiply residents and event volumes (1 ≈ a city of a million; "
        "40 ≈ 10 million incidents); default 1",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        help="random seed for the events (the map and organisation are fixed); default 42",
    )
    parser.add_argument(
        "--end-date",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="last day of the five years of data; default: WORKBENCH_TODAY or today",
    )
    parser.add_argument(
        "--warehouse",
        default=None,
        metavar="URL",
        help="warehouse URL; default: WORKBENCH_WAREHOUSE (a DuckDB file in the data folder)",
    )
    parser.add_argument(
        "--parquet",
        default=None,
        metavar="DIR",
        help="also write every table as Parquet under DIR (event tables partitioned by year), "
        "for Spark or any other engine: see docs/deployment.md",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"show a progress bar (default: on from scale {PROGRESS_FROM_SCALE:g})",
    )


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    url = args.warehouse or settings.warehouse_url
    end_date = args.end_date or settings.today
    progress = args.progress if args.progress is not None else args.scale >= PROGRESS_FROM_SCALE
    print(
        f"building the demo city (scale {args.scale:g}, seed {args.seed}, five years to {end_date}) "
        f"into {url}",
        flush=True,
    )
    started = time.perf_counter()
    counts = build_demo_city(
        url, scale=args.scale, seed=args.seed, end_date=end_date, progress=progress
    )
    elapsed = time.perf_counter() - started
    print(format_counts(counts))
    print(f"done in {elapsed:.1f} s", file=sys.stdout)
    if args.parquet:
        from workbench.warehouse import Warehouse

        with Warehouse.open(url, read_only=True) as warehouse:
            events = ("incidents", "calls_for_service", "collisions", "use_of_force",
                      "enforcement_actions", "shifts", "complaints")
            warehouse.export_parquet(args.parquet, partition_by={t: ["year"] for t in events})
        print(f"Parquet copy written to {args.parquet}")
    return 0


def format_counts(counts: dict[str, int]) -> str:
    """The rows-per-table report printed by the command."""
    width = max(len(name) for name in counts)
    lines = [f"{'table':<{width}}  {'rows':>12}"]
    lines += [
        f"{name:<{width}}  {rows:>12,}"
        for name, rows in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    lines.append(f"{'total':<{width}}  {sum(counts.values()):>12,}")
    return "\n".join(lines)
