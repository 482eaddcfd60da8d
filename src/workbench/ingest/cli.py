"""``workbench ingest``: load source exports into the warehouse through an adapter.

    workbench ingest --adapter toronto-shootings Shootings_and_Firearm_Discharges.csv
    workbench ingest --adapter generic-csv --mapping my-rms.yaml export-*.csv
    workbench ingest --list
    workbench ingest --adapter generic-csv --mapping my-rms.yaml --dry-run export.json

Each file is one batch; the command prints, per file, the rows loaded, quarantined and skipped
as already loaded. Every file is checked before any is loaded; an unreadable file stops the
run with one line naming it and the problem (exit status 2). A file found bad while loading
(say, truncated at its end) is rolled back; files loaded before it stay loaded, and the command
says which files were committed, which failed and which were not attempted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from workbench.errors import WorkbenchError
from workbench.ingest.loading import IngestResult, load_source
from workbench.ingest.registry import create_adapter, list_adapters
from workbench.settings import get_settings
from workbench.warehouse import Warehouse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``workbench ingest``."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="files to load (CSV, CSV.gz, or the adapter's own format)")
    parser.add_argument("--adapter", "-a", metavar="NAME",
                        help="adapter for the files' format (see --list)")
    parser.add_argument("--mapping", "-m", type=Path, metavar="FILE",
                        help="column-mapping file (YAML/JSON) for the generic-csv adapter")
    parser.add_argument("--warehouse", metavar="URL",
                        help="warehouse URL (default: the WORKBENCH_WAREHOUSE setting)")
    parser.add_argument("--list", action="store_true", dest="list_adapters",
                        help="list the adapters and exit")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is shown on a terminal by default)")
    parser.add_argument("--dry-run", action="store_true",
                        help="read, map and check everything, then roll back: print what would "
                        "load and why rows would be quarantined; nothing is written")
    parser.add_argument("--max-quarantine", type=_share, default=DEFAULT_MAX_QUARANTINE,
                        metavar="SHARE",
                        help="exit with status 3 when a file has more than this share of its "
                        f"rows quarantined (e.g. 0.05 or 5%%; default {DEFAULT_MAX_QUARANTINE * 100:g}%%)")


#: Default of ``--max-quarantine``: a load that quarantines more than this share of a file's rows
#: does not look like success (exit status 3).
DEFAULT_MAX_QUARANTINE = 0.05
#: Exit status when a file's quarantined share is above ``--max-quarantine``.
EXIT_TOO_MANY_QUARANTINED = 3


def _share(text: str) -> float:
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share (0.05 or 5%)") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 1 (0% and 100%)")
    return value


def _format_result(result: IngestResult) -> str:
    if result.dry_run:
        return (f"{result.file}: {result.rows_read:,} rows read — would load "
                f"{result.loaded:,}, quarantine {result.quarantined:,}, skip "
                f"{result.duplicates:,} as already loaded (dry run: nothing written)")
    line = (f"{result.file}: {result.rows_read:,} rows read — {result.loaded:,} loaded, "
            f"{result.quarantined:,} quarantined, {result.duplicates:,} skipped as already "
            f"loaded (batch {result.batch_id})")
    others = [f"{name}: {counts.loaded:,} loaded, {counts.duplicates:,} skipped"
              for name, counts in list(result.by_table.items())[1:]]
    if others:
        line += "; " + "; ".join(others)
    return line


def _missing_duckdb_file(url: str) -> bool:
    if not url.startswith("duckdb://"):
        return False
    rest = url.split("://", 1)[1]
    return rest not in ("", ":memory:", "memory") and not Path(rest).expanduser().exists()


def _report_partial_run(committed: list[IngestResult], failed: Path,
                        not_attempted: list[Path]) -> None:
    """Say which files of a several-file run are in the warehouse and which are not (each file
    is its own batch: the files loaded before a failure stay loaded)."""
    print(f"{failed}: failed; nothing from this file was loaded", file=sys.stderr)
    if committed:
        print("already loaded (committed, one batch each): "
              + ", ".join(f"{r.file} (batch {r.batch_id})" for r in committed), file=sys.stderr)
    if not_attempted:
        print("not loaded (not attempted): " + ", ".join(str(p) for p in not_attempted),
              file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run ``workbench ingest``; WorkbenchErrors propagate to the CLI framework (exit 2)."""
    if args.list_adapters:
        adapters = list_adapters()
        width = max(len(name) for name in adapters)
        for name, summary in adapters.items():
            print(f"{name:<{width}}  {summary}")
        return 0
    if not args.adapter:
        print("workbench ingest: error: --adapter NAME is required (see --list)", file=sys.stderr)
        return 2
    if not args.paths:
        print("workbench ingest: error: give at least one file to load", file=sys.stderr)
        return 2
    adapter = create_adapter(args.adapter, args.mapping)
    sources = [adapter.open(path) for path in args.paths]  # check every file before loading

    progress = not args.no_progress and sys.stderr.isatty()
    results: list[IngestResult] = []
    url = args.warehouse or get_settings().warehouse_url
    if args.dry_run and _missing_duckdb_file(url):
        url = "duckdb://:memory:"  # a dry run creates no warehouse file
    with Warehouse.open(url) as warehouse:
        for position, source in enumerate(sources):
            try:
                result = load_source(warehouse, args.adapter, adapter, source, progress=progress,
                                     dry_run=args.dry_run)
            except WorkbenchError:
                if len(sources) > 1:
                    _report_partial_run(results, source.path,
                                        [s.path for s in sources[position + 1:]])
                raise
            results.append(result)
            print(_format_result(result), flush=True)
            for warning in result.warnings:
                print(f"{result.file.name}: warning: {warning}", flush=True)
            if args.dry_run:
                _print_problems(result)
    if len(results) > 1:
        print(f"total: {sum(r.rows_read for r in results):,} rows read — "
              f"{sum(r.loaded for r in results):,} loaded, "
              f"{sum(r.quarantined for r in results):,} quarantined, "
              f"{sum(r.duplicates for r in results):,} skipped as already loaded")
    status = 0
    for result in results:
        if result.quarantined and not result.dry_run:
            print(f"{result.file.name}: see why rows were quarantined with  "
                  f"workbench quarantine --batch {result.batch_id}")
        if result.quarantined_share > args.max_quarantine:
            status = EXIT_TOO_MANY_QUARANTINED
            print(f"{result.file}: warning: {result.quarantined_share:.0%} of the rows "
                  f"{'would be' if result.dry_run else 'were'} quarantined, more than the "
                  f"{args.max_quarantine:.0%} allowed (--max-quarantine); the rows that passed "
                  f"{'would be' if result.dry_run else 'are'} loaded — check the mapping or the "
                  "export (exit status 3)", file=sys.stderr)
            if not result.dry_run:
                _print_problems(result, sys.stderr)
    return status


def _print_problems(result: IngestResult, stream: TextIO = sys.stdout, limit: int = 10) -> None:
    """The quarantined rows by problem, most frequent first, with the first line of each."""
    for problem in result.problems[:limit]:
        example = f"; e.g. {problem.example[:60]!r}" if problem.example else ""
        print(f"  {problem.rows:>8,} × {problem.problem} (first on line {problem.first_line}"
              f"{example})", file=stream)
    if len(result.problems) > limit:
        print(f"  … and {len(result.problems) - limit} more kinds of problem", file=stream)
