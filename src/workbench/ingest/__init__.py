"""Ingest: the only way data enters the warehouse.

An adapter (registered by name) maps one source format to the canonical schema; every row is
validated, rejected rows go to the ``quarantine`` table with a reason, and each file loads as
one all-or-nothing batch that never duplicates rows already loaded::

    from workbench.ingest import ingest_file, list_adapters
    result = ingest_file(warehouse, "toronto-shootings", "Shootings_and_Firearm_Discharges.csv")
    result.loaded, result.quarantined, result.duplicates

See ``docs/ingest.md`` for the adapters, the generic-csv mapping file and quarantine reasons.
"""

from __future__ import annotations

from workbench.ingest.base import Adapter, SourceRows
from workbench.ingest.loading import IngestResult, TableCounts, ingest_file, ingest_files
from workbench.ingest.registry import create_adapter, get_adapter, list_adapters, register

__all__ = [
    "Adapter",
    "IngestResult",
    "SourceRows",
    "TableCounts",
    "create_adapter",
    "get_adapter",
    "ingest_file",
    "ingest_files",
    "list_adapters",
    "register",
]
