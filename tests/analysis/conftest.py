"""Fixtures for the analysis tests: small hand-built warehouses.

``warehouse_with(incidents=[...], population=[...], ...)`` (session-scoped factory) returns an
in-memory warehouse holding the rows given, as dicts naming only the columns a test cares
about; every other canonical column is NULL (ids and ``source`` are filled in), so a test
states exactly what it counts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import pytest

from workbench import schema
from workbench.warehouse import Warehouse

_ids = itertools.count(1)

_DEFAULTS: dict[str, dict[str, Any]] = {
    "incidents": {"source": "test", "offence_category": "assault"},
    "calls_for_service": {"source": "test", "priority": 1},
    "collisions": {"source": "test", "severity": "minor_injury", "killed": 0,
                   "seriously_injured": 0},
    "neighbourhoods": {"source": "test"},
    "population": {"source": "test"},
    "offence_codes": {"weights_version": "test-1"},
}
_ID_COLUMN = {"incidents": "incident_id", "calls_for_service": "call_id",
              "collisions": "collision_id"}


def _frame_for(table_name: str, rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A frame with every canonical column of ``table_name``; unspecified values are NULL."""
    columns = schema.table(table_name).column_names
    records = []
    for row in rows:
        record = dict.fromkeys(columns)
        record.update(_DEFAULTS.get(table_name, {}))
        id_column = _ID_COLUMN.get(table_name)
        if id_column:
            record[id_column] = f"{id_column}-{next(_ids)}"
        unknown = set(row) - set(columns)
        if unknown:
            raise KeyError(f"{table_name} has no column(s) {sorted(unknown)}")
        record.update(row)
        records.append(record)
    frame = pd.DataFrame(records, columns=columns)
    for column in columns:
        if schema.table(table_name).column(column).dtype == "timestamp":
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


def _memory_warehouse(**tables: Iterable[Mapping[str, Any]]) -> Warehouse:
    """An in-memory warehouse with every canonical table, holding the rows given per table."""
    warehouse = Warehouse.open("duckdb://:memory:")
    warehouse.ensure_tables()
    for name, rows in tables.items():
        rows = list(rows)
        if rows:
            warehouse.append(name, _frame_for(name, rows))
    return warehouse


@pytest.fixture(scope="session")
def warehouse_with():
    """Factory: ``warehouse_with(table_name=[row, ...], ...)`` -> an in-memory Warehouse."""
    opened: list[Warehouse] = []

    def build(**tables: Iterable[Mapping[str, Any]]) -> Warehouse:
        warehouse = _memory_warehouse(**tables)
        opened.append(warehouse)
        return warehouse

    yield build
    for warehouse in opened:
        warehouse.close()
