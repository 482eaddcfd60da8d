"""A small warehouse filled through ``Warehouse.append``, with known quality problems.

Used by the publish, notebook and browser tests so they do not depend on the demo city.
Known content (``today`` = the date passed in):

- incidents: 300 rows over the 60 days before ``today - 3``; 7 rows reported before they
  occurred; 4 surplus rows sharing a key with another row;
- calls_for_service: 200 rows, the latest ``today - 1``; 5 rows with priority 9;
- quarantine: 11 rows from two adapters.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import schema
from workbench.warehouse import Warehouse

INCIDENT_ROWS = 300
REPORTED_BEFORE_OCCURRED = 7
DUPLICATE_INCIDENT_ROWS = 4
CALL_ROWS = 200
BAD_PRIORITY_CALLS = 5
QUARANTINED_ROWS = 11
INCIDENTS_DAYS_BEHIND = 3


def _frame(table: str, rows: int, rng: np.random.Generator, end: dt.datetime) -> pd.DataFrame:
    """Plausible values for every column of ``table`` (vocabularies respected)."""
    data: dict[str, object] = {}
    for column in schema.table(table).columns:
        if column.vocabulary:
            data[column.name] = rng.choice(list(column.vocabulary), rows)
        elif column.dtype == "string":
            data[column.name] = [f"{column.name}-{i}" for i in range(rows)]
        elif column.dtype == "timestamp":
            offsets = rng.integers(0, 60 * 86400, rows)
            data[column.name] = [end - dt.timedelta(seconds=int(s)) for s in offsets]
        elif column.dtype == "date":
            data[column.name] = [(end - dt.timedelta(days=int(d))).date()
                                 for d in rng.integers(0, 60, rows)]
        elif column.dtype == "float64":
            data[column.name] = rng.uniform(0, 10, rows)
        elif column.dtype == "int64":
            data[column.name] = rng.integers(1, 5, rows)
        elif column.dtype == "boolean":
            data[column.name] = rng.random(rows) < 0.2
    return pd.DataFrame(data)


def build_small_warehouse(path: Path, *, today: dt.date, seed: int = 7) -> str:
    """Write the small warehouse to ``path`` (a DuckDB file); returns its URL."""
    rng = np.random.default_rng(seed)
    url = f"duckdb://{path}"
    latest_incident = dt.datetime.combine(today - dt.timedelta(days=INCIDENTS_DAYS_BEHIND),
                                          dt.time(12))
    incidents = _frame("incidents", INCIDENT_ROWS, rng, latest_incident)
    incidents.loc[0, "occurred_at"] = latest_incident
    incidents["source"] = "test"
    incidents["incident_id"] = [f"I{i}" for i in range(INCIDENT_ROWS)]
    incidents["reported_at"] = incidents["occurred_at"] + pd.to_timedelta(
        rng.integers(0, 5 * 86400, INCIDENT_ROWS), unit="s")
    incidents.loc[1:REPORTED_BEFORE_OCCURRED, "reported_at"] = (
        incidents.loc[1:REPORTED_BEFORE_OCCURRED, "occurred_at"] - pd.Timedelta(hours=2))
    incidents["latitude"] = 45.4
    incidents["longitude"] = -75.7
    incidents.loc[INCIDENT_ROWS - DUPLICATE_INCIDENT_ROWS:, "incident_id"] = "I100"

    latest_call = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(8))
    calls = _frame("calls_for_service", CALL_ROWS, rng, latest_call)
    calls.loc[0, "received_at"] = latest_call
    calls["source"] = "test"
    calls["call_id"] = [f"C{i}" for i in range(CALL_ROWS)]
    calls["dispatched_at"] = calls["received_at"] + pd.Timedelta(minutes=3)
    calls["arrived_at"] = calls["received_at"] + pd.Timedelta(minutes=9)
    calls["cleared_at"] = calls["received_at"] + pd.Timedelta(minutes=50)
    calls["priority"] = rng.integers(1, 6, CALL_ROWS)
    calls.loc[:BAD_PRIORITY_CALLS - 1, "priority"] = 9
    calls["latitude"] = 45.4
    calls["longitude"] = -75.7

    quarantine = _frame("quarantine", QUARANTINED_ROWS, rng, latest_call)
    quarantine["adapter"] = ["generic_csv"] * 8 + ["toronto_mci"] * 3
    quarantine["target_table"] = "incidents"
    quarantine["reason"] = ["occurred_at is not a date"] * 6 + ["unknown offence category"] * 5
    quarantine["line_number"] = range(2, QUARANTINED_ROWS + 2)
    quarantine["raw"] = "{}"

    with Warehouse.open(url) as warehouse:
        warehouse.ensure_tables(["incidents", "calls_for_service", "quarantine"])
        warehouse.append("incidents", incidents)
        warehouse.append("calls_for_service", calls)
        warehouse.append("quarantine", quarantine)
        warehouse.touch()
    return url
