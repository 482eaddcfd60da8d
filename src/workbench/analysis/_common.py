"""Helpers shared by the crime, calls, collisions, CSI, forecast and hot-spot analyses.

Private to :mod:`workbench.analysis`: column checks, date windows and period buckets as engine
expressions, zero-filling of small aggregates, and the errors those analyses raise. Calendar
arithmetic on plain dates lives in :mod:`workbench.periods` (re-exported here for the
analyses).

Everything here is engine-neutral Ibis (``truncate``, comparisons with timestamp literals,
conditional sums), so the same expressions compile for DuckDB and Spark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from workbench.errors import AnalysisInputError, InsufficientDataError  # noqa: F401 (re-exported)
from workbench.periods import (  # noqa: F401 (re-exported: the analyses' calendar)
    PERIODS,
    Period,
    months_back,
    next_period_start,
    one_year_earlier,
    period_end,
    period_start_of,
    period_starts,
    previous_period_start,
    require_period,
    require_positive_days,
)

_TRUNCATE_UNIT = {"day": "D", "week": "W", "month": "M", "year": "Y"}


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def require_columns(table: ibis.Table, columns: Iterable[str], table_name: str) -> None:
    """Raise :class:`AnalysisInputError` unless ``table`` has every column in ``columns``."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise AnalysisInputError(
            f"the {table_name} table lacks column(s) {', '.join(missing)}; "
            f"it has: {', '.join(table.columns)}"
        )


# --------------------------------------------------------------------------------------------
# Dates and windows
# --------------------------------------------------------------------------------------------


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``."""
    return dt.datetime(day.year, day.month, day.day)


def within_dates(column: ir.TimestampValue, start: dt.date, end: dt.date) -> ir.BooleanValue:
    """True where ``column`` falls on a day from ``start`` to ``end``, both inclusive."""
    lower = ibis.timestamp(start_of_day(start))
    upper = ibis.timestamp(start_of_day(end + dt.timedelta(days=1)))
    return (column >= lower) & (column < upper)


def period_table(start: dt.date, end: dt.date, period: str) -> pd.DataFrame:
    """``period_start, complete``: every period overlapping ``start``..``end`` and whether it
    lies wholly inside (false for a partial first period or a period still in progress)."""
    starts = period_starts(start, end, period)
    return pd.DataFrame({
        "period_start": pd.to_datetime(starts),
        "complete": [s >= start and period_end(s, period) <= end for s in starts],
    })


def truncate_to_period(column: ir.TimestampValue, period: str) -> ir.TimestampValue:
    """The engine expression for the start of ``column``'s period (Monday-start weeks)."""
    require_period(period)
    return column.truncate(_TRUNCATE_UNIT[period])


def period_key(column: ir.TimestampValue, period: str) -> ir.Value:
    """An engine expression naming ``column``'s period, cheap to group by.

    Months are ``year × 12 + month − 1`` and years the year: whole numbers from engine-neutral
    field extraction, which DuckDB does about twice as fast as truncating to the month (measured
    on 10M rows; see ``docs/scale.md``). Days and weeks are the truncated timestamps (DuckDB's
    week truncation is already fast). Turn the keys of a small aggregate back into period
    starts with :func:`period_start_from_key`.
    """
    require_period(period)
    if period == "month":
        return (column.year() * 12 + column.month() - 1).cast("int64")
    if period == "year":
        return column.year().cast("int64")
    return truncate_to_period(column, period)


def period_start_from_key(keys: pd.Series, period: str) -> pd.Series:
    """The first day of each period named by :func:`period_key`, as ``datetime64[ns]``."""
    require_period(period)
    if period not in ("month", "year"):
        return as_dates(keys)
    numbers = keys.astype("int64")
    if period == "month":
        parts = {"year": numbers // 12, "month": numbers % 12 + 1, "day": 1}
    else:
        parts = {"year": numbers, "month": 1, "day": 1}
    starts = pd.to_datetime(pd.DataFrame(parts, index=keys.index)) if len(keys) else (
        pd.Series([], index=keys.index, dtype="datetime64[ns]"))
    return starts.astype("datetime64[ns]")


# --------------------------------------------------------------------------------------------
# Small-frame helpers
# --------------------------------------------------------------------------------------------


def population_for_years(
    population: pd.DataFrame, years: Sequence[int], geography_column: str | None
) -> pd.DataFrame:
    """For each geography and requested year, the population of the nearest year available:
    the latest year not after it, else the earliest year (``population_year`` says which).

    Raises:
        InsufficientDataError: a service-wide lookup (no geography) in an empty population.
    """
    keys = [geography_column] if geography_column else []
    if not keys and population.empty:
        raise InsufficientDataError(
            "the warehouse has no resident population, so no rate per resident can be given "
            "(load population, e.g. with the toronto-neighbourhoods adapter)")
    rows = []
    groups = population.groupby(keys, sort=True) if keys else [((), population)]
    for key, group in groups:
        available = group.sort_values("year")
        known_years = available["year"].to_numpy()
        for year in years:
            earlier = known_years[known_years <= year]
            chosen = int(earlier.max()) if earlier.size else int(known_years.min())
            value = int(available.loc[available["year"] == chosen, "population"].iloc[0])
            row: dict[str, object] = {"year": int(year), "population": value,
                                      "population_year": chosen}
            if geography_column:
                row[geography_column] = key[0] if isinstance(key, tuple) else key
            rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, "year", "population", "population_year"])


def as_dates(values: pd.Series) -> pd.Series:
    """Engine timestamps (or dates) as normalised pandas ``datetime64[ns]`` values."""
    return pd.to_datetime(values).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


def count_sum(condition: ir.BooleanValue) -> ir.IntegerScalar:
    """How many rows satisfy ``condition`` (NULL counts as false), as an engine aggregate."""
    return condition.fill_null(False).cast("int64").sum().fill_null(0)


def zero_filled(
    frame: pd.DataFrame,
    *,
    period_column: str,
    period_values: Sequence[pd.Timestamp],
    group_columns: Sequence[str],
    value_columns: Sequence[str],
    groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every period × group combination of a small aggregate, with 0 where a count is absent.

    ``groups`` lists the groups to keep (default: the groups found in ``frame``); the result
    is sorted by group then period. Never modifies ``frame``.
    """
    group_columns = list(group_columns)
    periods = pd.DataFrame({period_column: pd.to_datetime(list(period_values))})
    if group_columns:
        group_frame = (frame[group_columns].drop_duplicates() if groups is None
                       else groups[group_columns].drop_duplicates())
        skeleton = group_frame.merge(periods, how="cross")
    else:
        skeleton = periods
    keys = [*group_columns, period_column]
    merged = skeleton.merge(frame[[*keys, *value_columns]], on=keys, how="left")
    for column in value_columns:
        merged[column] = merged[column].fillna(0).astype("int64")
    return merged.sort_values(keys, kind="stable").reset_index(drop=True)
