"""The hour-of-week grid: counts per day of the week and hour of the day, all 168 cells.

One home for the grid that calls for service (:func:`workbench.analysis.calls.hour_of_week_demand`),
staffing (:mod:`workbench.analysis.staffing`) and incidents (:func:`incidents_by_hour_of_week`)
share: the engine marks each row with its ``day_of_week`` (0 = Monday) and ``hour`` and counts
per cell; :func:`complete_grid` then gives every group all 168 cells (0 where nothing
happened), ``day_name`` and ``hour_of_week`` (0 = Monday 00:00 … 167 = Sunday 23:00).
:func:`weekday_occurrences` says how many times each weekday falls in a window, to turn counts
into averages per week fairly when a window is not a whole number of weeks.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from workbench.analysis._common import AnalysisInputError, require_columns, within_dates

__all__ = [
    "HOURS_IN_WEEK",
    "complete_grid",
    "incidents_by_hour_of_week",
    "weekday_occurrences",
    "with_hour_of_week",
]

#: Cells of the grid: 7 days × 24 hours.
HOURS_IN_WEEK = 7 * 24


def weekday_occurrences(start: dt.date, end: dt.date) -> dict[int, int]:
    """How many times each weekday (0 = Monday) falls from ``start`` to ``end`` (inclusive)."""
    if start > end:
        raise AnalysisInputError(f"start {start} is after {end}")
    whole_weeks, remainder = divmod((end - start).days + 1, 7)
    occurrences = dict.fromkeys(range(7), whole_weeks)
    for offset in range(remainder):
        occurrences[(start + dt.timedelta(days=offset)).weekday()] += 1
    return occurrences


def with_hour_of_week(table: ibis.Table, timestamp: ir.TimestampValue,
                      **columns: ir.Value) -> ibis.Table:
    """``table`` with ``day_of_week`` (0 = Monday) and ``hour`` (0–23) of ``timestamp`` (a
    column of ``table``), and any further ``columns``, computed in the engine."""
    return table.mutate(day_of_week=timestamp.day_of_week.index().cast("int64"),
                        hour=timestamp.hour().cast("int64"), **columns)


def complete_grid(counts: pd.DataFrame, *, by: Sequence[str] = (),
                  fill: Mapping[str, Any] | None = None,
                  groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """``counts`` (``*by, day_of_week, hour`` and measures) on all 168 cells of every group.

    ``groups`` (a frame of ``by`` columns) lists the groups to give a grid; by default every
    group found in ``counts``. Cells with no row get ``fill[column]`` for each measure named in
    ``fill`` (others stay missing). Adds ``day_name`` and ``hour_of_week``; sorted by ``*by,
    hour_of_week``. Never modifies ``counts``.
    """
    by = list(by)
    require = {*by, "day_of_week", "hour"}
    if not require <= set(counts.columns):
        raise AnalysisInputError(f"hour-of-week counts lack {sorted(require - set(counts.columns))}")
    cells = pd.DataFrame([(day, hour) for day in range(7) for hour in range(24)],
                         columns=["day_of_week", "hour"])
    if by:
        listed = counts[by].drop_duplicates() if groups is None else groups[by].drop_duplicates()
        cells = listed.merge(cells, how="cross")
    frame = cells.merge(counts, on=[*by, "day_of_week", "hour"], how="left")
    for column, value in (fill or {}).items():
        frame[column] = frame[column].fillna(value).astype(type(value))
    frame["day_name"] = frame["day_of_week"].map(lambda day: calendar.day_name[int(day)])
    frame["hour_of_week"] = frame["day_of_week"] * 24 + frame["hour"]
    return frame.sort_values([*by, "hour_of_week"]).reset_index(drop=True)


def incidents_by_hour_of_week(incidents: ibis.Table, *, start: dt.date, end: dt.date,
                              by: Sequence[str] = ()) -> pd.DataFrame:
    """Incidents that occurred from ``start`` to ``end`` (inclusive) per day of the week and
    hour, counted in the engine.

    Returns:
        ``*by, day_of_week`` (0 = Monday), ``day_name, hour, hour_of_week, incidents``: all 168
        cells of each group, 0 where there were none.
    """
    by = list(by)
    require_columns(incidents, ["occurred_at", *by], "incidents")
    if start > end:
        raise AnalysisInputError(f"start {start} is after end {end}")
    window = incidents.filter(within_dates(incidents.occurred_at, start, end))
    marked = with_hour_of_week(window, window.occurred_at)
    counts = marked.group_by([*by, "day_of_week", "hour"]).aggregate(
        incidents=marked.count()).to_pandas()
    frame = complete_grid(counts, by=by, fill={"incidents": 0})
    return frame[[*by, "day_of_week", "day_name", "hour", "hour_of_week", "incidents"]]
