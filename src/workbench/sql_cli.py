"""``workbench sql``: run one read-only query on the warehouse and print the result.

    workbench sql "SELECT offence_category, count(*) FROM incidents GROUP BY 1 ORDER BY 2 DESC"
    workbench sql --csv counts.csv "SELECT * FROM ingest_batches"

The warehouse is opened read-only (DuckDB refuses any write on such a connection), and only a
single query statement is accepted (``SELECT``, ``WITH``, ``SHOW``, ``DESCRIBE``, ``SUMMARIZE``,
``EXPLAIN``, ``FROM …``).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.warehouse import Warehouse

_QUERY_START = re.compile(r"^\s*(select|with|show|describe|summarize|explain|from|values|table)\b",
                          re.IGNORECASE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``workbench sql``."""
    parser.add_argument("query", help="one SQL query (quote it for the shell)")
    parser.add_argument("--csv", type=Path, metavar="FILE",
                        help="write the whole result to a new CSV file instead of printing it")
    parser.add_argument("--max-rows", type=int, default=100, metavar="N",
                        help="rows printed (default 100; --csv writes them all)")
    parser.add_argument("--warehouse", metavar="URL",
                        help="warehouse URL (default: the WORKBENCH_WAREHOUSE setting)")


def check_read_only_query(query: str) -> str:
    """The query without a trailing semicolon; WorkbenchError unless it is one query."""
    text = query.strip().rstrip(";").strip()
    if not _QUERY_START.match(text):
        raise WorkbenchError("workbench sql runs read-only queries only (SELECT, WITH, SHOW, "
                             "DESCRIBE, SUMMARIZE, EXPLAIN); load data with `workbench ingest`")
    if ";" in _without_literals(text):
        raise WorkbenchError("give one query at a time (no ';' between statements)")
    return text


def _without_literals(text: str) -> str:
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "", text)


def run(args: argparse.Namespace) -> int:
    """Run ``workbench sql``."""
    query = check_read_only_query(args.query)
    with Warehouse.open(args.warehouse, read_only=True) as warehouse:
        try:
            if warehouse.is_duckdb:
                frame = warehouse.con.raw_sql(query).df()
            else:
                frame = warehouse.con.sql(query).to_pandas()
        except WorkbenchError:
            raise
        except Exception as exc:  # the engine's own message, on one line
            message = " ".join(str(exc).split())
            raise WorkbenchError(f"the query failed: {message}") from None
    if args.csv:
        if args.csv.exists():
            raise WorkbenchError(f"{args.csv} already exists; give a new file name")
        frame.to_csv(args.csv, index=False)
        print(f"{len(frame):,} rows written to {args.csv}")
        return 0
    with pd.option_context("display.max_columns", 50, "display.width", 200,
                           "display.max_colwidth", 60):
        print(frame.head(args.max_rows).to_string(index=False) if len(frame) else "(no rows)")
    if len(frame) > args.max_rows:
        print(f"… {len(frame) - args.max_rows:,} more rows (--max-rows, or --csv FILE)")
    return 0
