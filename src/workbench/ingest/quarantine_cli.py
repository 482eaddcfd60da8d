"""``workbench quarantine``: the rows ingest rejected, by reason, and their export.

    workbench quarantine                          # every kind of problem, most frequent first
    workbench quarantine --batch 20260105T101500_1a2b3c4d
    workbench quarantine --problem "bad date" --export rejected.csv

The listing groups rows by *problem*: the reason without the rejected value (``bad date in
OCC_DATE (expected YYYY-MM-DD)``), so one kind of rejection is one line however many distinct
values it caught; the value is shown as an example, and exported in a column of its own. The
warehouse is opened read-only.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.warehouse import Warehouse

EXPORT_COLUMNS = ("batch_id", "adapter", "file", "line_number", "column", "problem", "value",
                  "reason", "raw", "quarantined_at")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``workbench quarantine``."""
    parser.add_argument("--batch", metavar="ID", help="only this ingest batch")
    parser.add_argument("--file", metavar="NAME",
                        help="only rows from files whose path contains NAME")
    parser.add_argument("--problem", metavar="TEXT",
                        help="only problems containing TEXT (case-insensitive)")
    parser.add_argument("--export", type=Path, metavar="FILE.csv",
                        help="write the matching rows (one per rejected row, the value in its "
                        "own column) to a new CSV file")
    parser.add_argument("--limit", type=int, default=30, metavar="N",
                        help="kinds of problem listed (default 30)")
    parser.add_argument("--warehouse", metavar="URL",
                        help="warehouse URL (default: the WORKBENCH_WAREHOUSE setting)")


def _rows(warehouse: Warehouse, args: argparse.Namespace) -> pd.DataFrame:
    table = warehouse.table("quarantine")
    columns = set(table.columns)
    if args.batch:
        table = table.filter(table.batch_id == args.batch)
    if args.file:
        table = table.filter(table.file.contains(args.file))
    frame = table.to_pandas()
    problem = frame["problem"] if "problem" in columns else pd.Series(None, index=frame.index)
    if problem.isna().any():  # rows written before the problem column existed
        from workbench.ingest.validation import problem_of

        problem = problem.where(problem.notna(), frame["reason"].map(problem_of))
    frame["problem"] = problem
    if "value" not in columns:
        frame["value"] = None
    if args.problem:
        frame = frame[frame["problem"].str.contains(args.problem, case=False, regex=False)]
    return frame


def run(args: argparse.Namespace) -> int:
    """Run ``workbench quarantine``."""
    with Warehouse.open(args.warehouse, read_only=True) as warehouse:
        if not warehouse.has_table("quarantine"):
            print("the warehouse has no quarantine table: nothing was ever ingested")
            return 0
        frame = _rows(warehouse, args)
    if args.export:
        if args.export.exists():
            raise WorkbenchError(f"{args.export} already exists; give a new file name")
        args.export.parent.mkdir(parents=True, exist_ok=True)
        frame.sort_values(["batch_id", "line_number"]).reindex(columns=list(EXPORT_COLUMNS)) \
            .to_csv(args.export, index=False, quoting=csv.QUOTE_MINIMAL)
        print(f"{len(frame):,} rejected rows written to {args.export}")
        return 0
    if frame.empty:
        print("no quarantined rows match")
        return 0
    grouped = (frame.sort_values("line_number")
               .groupby(["problem", "column"], dropna=False, sort=False)
               .agg(rows=("line_number", "size"), files=("file", "nunique"),
                    first_line=("line_number", "first"), example=("value", "first"))
               .reset_index().sort_values("rows", ascending=False, kind="stable"))
    print(f"{len(frame):,} quarantined rows, {len(grouped):,} kinds of problem "
          f"({frame['batch_id'].nunique():,} batches)")
    for row in grouped.head(args.limit).itertuples(index=False):
        example = f"; e.g. {str(row.example)[:60]!r}" if isinstance(row.example, str) else ""
        where = f"first on line {row.first_line}" + (
            f", in {row.files} files" if row.files > 1 else "")
        print(f"{row.rows:>9,} × {row.problem} ({where}{example})")
    if len(grouped) > args.limit:
        print(f"… and {len(grouped) - args.limit} more (--limit, --problem, --export)",
              file=sys.stdout)
    return 0
