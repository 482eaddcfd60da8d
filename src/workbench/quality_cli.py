"""``workbench quality``: print the data-quality summary of the warehouse."""

from __future__ import annotations

import argparse

import pandas as pd

from workbench.analysis import quality
from workbench.settings import get_settings
from workbench.warehouse import Warehouse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", help="warehouse URL (default: WORKBENCH_WAREHOUSE)")
    parser.add_argument("--table", action="append", help="only these tables (repeatable)")


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    with Warehouse.open(args.warehouse, read_only=True) as warehouse:
        summary = quality.table_quality(warehouse, today=settings.today, tables=args.table)
        with pd.option_context("display.width", 140, "display.max_columns", 20):
            print(summary.to_string(index=False))
        if warehouse.has_table("quarantine"):
            quarantined = quality.quarantine_summary(warehouse.table("quarantine"))
            if len(quarantined):
                print("\nquarantined rows:")
                print(quarantined.to_string(index=False))
    return 0
