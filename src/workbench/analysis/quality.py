"""Data quality of the warehouse: completeness, validity, duplicates, timeliness, report lag.

Every function takes Ibis tables (or the warehouse, for the whole-warehouse summary), computes
in the engine and returns a small pandas frame. The validity rules come from the canonical
schema (required columns, vocabularies) plus a few cross-column rules per table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from workbench import schema

if TYPE_CHECKING:
    from workbench.warehouse import Warehouse

# Cross-column rules: name -> (column it is about, predicate that is TRUE for an invalid row).
_Rule = Callable[[ibis.Table], ibis.expr.types.BooleanValue]

_EXTRA_RULES: dict[str, dict[str, tuple[str, _Rule]]] = {
    "incidents": {
        "reported before occurred": ("reported_at", lambda t: t.reported_at < t.occurred_at),
        "latitude out of range": ("latitude", lambda t: (t.latitude < -90) | (t.latitude > 90)),
        "longitude out of range": ("longitude",
                                   lambda t: (t.longitude < -180) | (t.longitude > 180)),
    },
    "calls_for_service": {
        "dispatched before received": ("dispatched_at", lambda t: t.dispatched_at < t.received_at),
        "arrived before dispatched": ("arrived_at", lambda t: t.arrived_at < t.dispatched_at),
        "cleared before received": ("cleared_at", lambda t: t.cleared_at < t.received_at),
        "priority outside 1-5": ("priority", lambda t: (t.priority < 1) | (t.priority > 5)),
    },
    "shifts": {
        "worked hours negative": ("worked_hours", lambda t: t.worked_hours < 0),
        "absence hours above scheduled": ("absence_hours",
                                          lambda t: t.absence_hours > t.scheduled_hours + 0.01),
    },
    "collisions": {
        "negative casualty count": ("killed", lambda t: (t.killed < 0) | (t.seriously_injured < 0)),
    },
    "finance": {
        "negative budget": ("budget", lambda t: t.budget < 0),
    },
}


def completeness(table: ibis.Table) -> pd.DataFrame:
    """Share of non-null values per column: ``column, rows, non_null, completeness``."""
    aggregates = {"__rows": table.count()}
    aggregates.update({f"nn__{c}": table[c].count() for c in table.columns})
    row = table.aggregate(**aggregates).to_pandas().iloc[0]
    rows = int(row["__rows"])
    frame = pd.DataFrame({
        "column": list(table.columns),
        "rows": rows,
        "non_null": [int(row[f"nn__{c}"]) for c in table.columns],
    })
    frame["completeness"] = frame["non_null"] / rows if rows else float("nan")
    return frame


def _rules(table: ibis.Table, table_name: str) -> dict[str, tuple[str, ibis.expr.types.BooleanValue]]:
    definition = schema.TABLES.get(table_name)
    rules: dict[str, tuple[str, ibis.expr.types.BooleanValue]] = {}
    if definition is not None:
        for column in definition.columns:
            if column.name not in table.columns:
                continue
            if not column.nullable:
                rules[f"{column.name} missing"] = (column.name, table[column.name].isnull())
            if column.vocabulary:
                rules[f"{column.name} not in vocabulary"] = (
                    column.name,
                    table[column.name].notnull() & ~table[column.name].isin(list(column.vocabulary)),
                )
    for name, (column_name, predicate) in _EXTRA_RULES.get(table_name, {}).items():
        if column_name in table.columns:
            rules[name] = (column_name, predicate(table))
    return rules


def validity(table: ibis.Table, table_name: str) -> pd.DataFrame:
    """Rows breaking each validity rule: ``rule, column, invalid, rows, validity``."""
    rules = _rules(table, table_name)
    columns = ["rule", "column", "invalid", "rows", "validity"]
    if not rules:
        return pd.DataFrame(columns=columns)
    names = list(rules)
    aggregates = {"__rows": table.count()}
    aggregates.update({f"r{i}": rules[n][1].fill_null(False).cast("int64").sum()
                       for i, n in enumerate(names)})
    row = table.aggregate(**aggregates).to_pandas().iloc[0]
    rows = int(row["__rows"])
    frame = pd.DataFrame({
        "rule": names,
        "column": [rules[n][0] for n in names],
        "invalid": [int(row[f"r{i}"] or 0) for i in range(len(names))],
        "rows": rows,
    })
    frame["validity"] = 1 - frame["invalid"] / rows if rows else float("nan")
    return frame[columns]


def duplicate_keys(table: ibis.Table, key: Sequence[str]) -> int:
    """Number of surplus rows sharing a key with another row (0 when the key is unique)."""
    key = list(key)
    grouped = table.group_by(key).aggregate(n=table.count())
    surplus = grouped.filter(grouped.n > 1).aggregate(extra=(grouped.n - 1).sum())
    value = surplus.to_pandas()["extra"].iloc[0]
    return 0 if pd.isna(value) else int(value)


def timeliness(table: ibis.Table, time_column: str, *, today: dt.date) -> dict[str, object]:
    """Latest record and how many days it lies behind ``today``."""
    latest = table[time_column].max().to_pandas()
    if latest is None or pd.isna(latest):
        return {"latest": None, "days_behind": None}
    latest_date = pd.Timestamp(latest).date()
    return {"latest": latest_date, "days_behind": (today - latest_date).days}


def report_lag(incidents: ibis.Table, *, by: Sequence[str] = ("offence_category",)) -> pd.DataFrame:
    """Report lag (reported − occurred) in days by group: median, 90th percentile, share > 30 days."""
    lagged = incidents.filter(incidents.reported_at.notnull()).mutate(
        # cast before dividing: Spark would otherwise divide as DECIMAL and round
        lag_days=(incidents.reported_at.epoch_seconds() - incidents.occurred_at.epoch_seconds())
        .cast("float64") / 86400.0
    )
    result = lagged.group_by(list(by)).aggregate(
        incidents=lagged.count(),
        median_days=lagged.lag_days.quantile(0.5),
        p90_days=lagged.lag_days.quantile(0.9),
        share_over_30_days=(lagged.lag_days > 30).cast("float64").mean(),
    )
    return result.order_by(ibis.desc("incidents")).to_pandas()


def quarantine_summary(quarantine: ibis.Table) -> pd.DataFrame:
    """Quarantined rows by adapter, target table and reason."""
    result = quarantine.group_by(["adapter", "target_table", "reason"]).aggregate(
        rows=quarantine.count()
    )
    return result.order_by(ibis.desc("rows")).to_pandas()


_TIME_COLUMN = {
    "incidents": "occurred_at", "calls_for_service": "received_at", "collisions": "occurred_at",
    "use_of_force": "occurred_at", "enforcement_actions": "occurred_at", "shifts": "shift_date",
    "finance": "month", "complaints": "received_at",
}


def table_quality(warehouse: Warehouse, *, today: dt.date,
                  tables: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per canonical table: rows, mean column completeness, rule violations (a row breaking two rules counts twice),
    duplicate keys, latest record and days behind ``today``."""
    rows = []
    for name in tables or [n for n in schema.TABLES if n not in ("quarantine", "ingest_batches")]:
        if not warehouse.has_table(name):
            continue
        table = warehouse.table(name)
        definition = schema.table(name)
        completeness_frame = completeness(table)
        validity_frame = validity(table, name)
        fresh = (timeliness(table, _TIME_COLUMN[name], today=today)
                 if name in _TIME_COLUMN else {"latest": None, "days_behind": None})
        count = int(completeness_frame["rows"].iloc[0]) if len(completeness_frame) else 0
        rows.append({
            "table": name,
            "rows": count,
            "completeness": float(completeness_frame["completeness"].mean()) if count else None,
            "rule_violations": int(validity_frame["invalid"].sum()) if len(validity_frame) else 0,
            "duplicate_keys": duplicate_keys(table, definition.key) if count else 0,
            **fresh,
        })
    return pd.DataFrame(rows, columns=["table", "rows", "completeness", "rule_violations",
                                       "duplicate_keys", "latest", "days_behind"])
