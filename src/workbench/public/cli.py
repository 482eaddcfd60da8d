"""``workbench export-open-data``: write the open-data folder from the warehouse."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="folder to write (default: <site folder>/open-data): a new folder, "
                             "or one an earlier export wrote; other folders are refused")
    parser.add_argument("--warehouse", default=None,
                        help="warehouse URL (default: WORKBENCH_WAREHOUSE)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="last day of the data considered, YYYY-MM-DD (default: "
                             "WORKBENCH_TODAY, else today); complete calendar years before it "
                             "are published")


def run(args: argparse.Namespace) -> int:
    from workbench.public.files import export_open_data
    from workbench.settings import get_settings
    from workbench.warehouse import Warehouse

    settings = get_settings()
    out = args.out or settings.site_dir / "open-data"
    with Warehouse.open(args.warehouse or settings.warehouse_url, read_only=True) as warehouse:
        result = export_open_data(warehouse, out, as_of=args.as_of or settings.today)
    summary = result.summary()
    print(f"open data written to {result.folder} (as of {result.as_of}, "
          f"refreshed {result.generated_at})")
    width = max([len(n) for n in summary["dataset"]] + [7])
    print(f"{'dataset':<{width}}  {'rows':>9}  {'suppressed':>10}")
    for row in summary.itertuples(index=False):
        print(f"{row.dataset:<{width}}  {row.rows:>9,}  {row.suppressed:>10,}")
    return 0
