"""``workbench ingest``: load source exports into the warehouse through an adapter.

    workbench ingest --adapter toronto-shootings Shootings_and_Firearm_Discharges.csv
    workbench ingest --adapter generic-csv --mapping my-rms.yaml export-*.csv
    workbench ingest --list

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

from workbench.errors import WorkbenchError
from workbench.ingest.loading import IngestResult, load_source
from workbench.ingest.registry import create_adapter, list_adapters
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


def _format_result(result: IngestResult) -> str:
    line = (f"{result.file}: {result.rows_read:,} rows read — {result.loaded:,} loaded, "
            f"{result.quarantined:,} quarantined, {result.duplicates:,} skipped as already "
            f"loaded (batch {result.batch_id})")
    others = [f"{name}: {counts.loaded:,} loaded, {counts.duplicates:,} skipped"
              for name, counts in list(result.by_table.items())[1:]]
    if others:
        line += "; " + "; ".join(others)
    return line


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
    with Warehouse.open(args.warehouse) as warehouse:
        for position, source in enumerate(sources):
            try:
                result = load_source(warehouse, args.adapter, adapter, source, progress=progress)
            except WorkbenchError:
                if len(sources) > 1:
                    _report_partial_run(results, source.path,
                                        [s.path for s in sources[position + 1:]])
                raise
            results.append(result)
            print(_format_result(result), flush=True)
            for warning in result.warnings:
                print(f"{result.file.name}: warning: {warning}", flush=True)
    if len(results) > 1:
        print(f"total: {sum(r.rows_read for r in results):,} rows read — "
              f"{sum(r.loaded for r in results):,} loaded, "
              f"{sum(r.quarantined for r in results):,} quarantined, "
              f"{sum(r.duplicates for r in results):,} skipped as already loaded")
    for result in results:
        if result.quarantined:
            print(f"{result.file.name}: see why rows were quarantined with  SELECT line_number, "
                  f"\"column\", reason FROM quarantine WHERE batch_id = '{result.batch_id}'")
    return 0
