"""Shift-table inputs shared by the workforce analyses (:mod:`workbench.analysis.absence` and
:mod:`workbench.analysis.workforce`): the absence vocabulary, and checking, joining and
grouping the canonical ``shifts`` table. Private to those modules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from workbench.analysis._common import (
    AnalysisInputError,
    as_dates,
    require_columns,
    require_period,
    truncate_to_period,
)

#: Every absence code of the canonical vocabulary.
ABSENCE_CODES: tuple[str, ...] = ("sick", "injury", "vacation", "training", "court", "family",
                                  "other")
#: Unplanned absences, counted by the absence rate (Statistics Canada's work absence: own
#: illness or disability, and personal or family responsibilities).
UNPLANNED_ABSENCE_CODES: tuple[str, ...] = ("sick", "injury", "family")
#: Working days in a year, for days lost per full-time equivalent.
WORKING_DAYS_PER_YEAR = 250
#: A spell longer than this many consecutive scheduled shifts is long-term.
LONG_TERM_SPELL_SHIFTS = 5
#: One 8-hour post every day of the year (the classic relief-factor post).
DEFAULT_POST_HOURS_PER_YEAR = 8.0 * 365
#: Days of shifts read before a window to see whether its first absences continue a spell (a
#: member off the schedule for longer than this starts a new spell on return).
_SPELL_LOOKBACK_DAYS = 62
#: Days of shifts read after a window so spells starting near its end keep their length.
_SPELL_LOOKAHEAD_DAYS = 250

#: Grouping columns each function accepts, and the table that provides them.
_UNIT_COLUMNS = ("division", "unit_type", "unit_name")
_PERSON_COLUMNS = ("rank", "sworn")
Period = Literal["day", "week", "month", "year"]



def _require_window(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise AnalysisInputError(f"start {start} is after end {end}")


def _require_codes(codes: Sequence[str], name: str = "absence_codes") -> tuple[str, ...]:
    if isinstance(codes, str):
        raise AnalysisInputError(f"{name} must be a sequence of absence codes, not the string "
                                 f"{codes!r}")
    codes = tuple(codes)
    if not codes:
        raise AnalysisInputError(f"{name} must name at least one absence code")
    unknown = [code for code in codes if code not in ABSENCE_CODES]
    if unknown:
        raise AnalysisInputError(f"unknown absence code(s) {', '.join(unknown)} in {name}; "
                                 f"known: {', '.join(ABSENCE_CODES)}")
    return codes


def _with_context(shifts: ibis.Table, by: Sequence[str], units: ibis.Table | None,
                  personnel: ibis.Table | None) -> ibis.Table:
    """``shifts`` with the unit and person columns that ``by`` asks for (left joins)."""
    require_columns(shifts, ["officer_id", "shift_date", "unit_id", "scheduled_hours",
                             "worked_hours", "absence_code", "absence_hours"], "shifts")
    table = shifts
    unit_columns = [c for c in by if c in _UNIT_COLUMNS]
    person_columns = [c for c in by if c in _PERSON_COLUMNS]
    unknown = [c for c in by if c not in shifts.columns and c not in _UNIT_COLUMNS
               and c not in _PERSON_COLUMNS]
    if unknown:
        raise AnalysisInputError(
            f"cannot group by {', '.join(unknown)}; use shift columns or "
            f"{', '.join(_UNIT_COLUMNS + _PERSON_COLUMNS)}")
    if unit_columns:
        if units is None:
            raise AnalysisInputError(f"grouping by {', '.join(unit_columns)} needs the units table")
        require_columns(units, ["unit_id", *unit_columns], "units")
        unit_part = units.select("unit_id", *unit_columns).rename(_unit_id="unit_id")
        table = table.left_join(unit_part, table.unit_id == unit_part._unit_id).drop("_unit_id")
    if person_columns:
        if personnel is None:
            raise AnalysisInputError(
                f"grouping by {', '.join(person_columns)} needs the personnel table")
        require_columns(personnel, ["officer_id", *person_columns], "personnel")
        person_part = personnel.select("officer_id", *person_columns).rename(
            _officer_id="officer_id")
        table = table.left_join(person_part, table.officer_id == person_part._officer_id) \
            .drop("_officer_id")
    return table


def _within(column: ir.DateValue, start: dt.date, end: dt.date) -> ir.BooleanValue:
    return (column >= ibis.literal(start)) & (column <= ibis.literal(end))


def _period_column(table: ibis.Table, period: str | None) -> tuple[ibis.Table, list[str]]:
    if period is None:
        return table, []
    require_period(period)
    return table.mutate(period_start=truncate_to_period(table.shift_date, period)), \
        ["period_start"]


def _finish(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    if "period_start" in frame.columns:
        frame["period_start"] = as_dates(frame["period_start"])
    return frame.sort_values(list(keys), kind="stable").reset_index(drop=True) if keys else \
        frame.reset_index(drop=True)


def _whole(values: pd.Series) -> pd.Series:
    """Counts from the engine as int64, 0 where missing (an aggregate over no rows)."""
    return pd.to_numeric(values, errors="coerce").fillna(0).astype("int64")


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """``numerator / denominator`` as floats, NaN where the denominator is 0 or missing."""
    top = pd.to_numeric(numerator, errors="coerce").astype(float)
    bottom = pd.to_numeric(denominator, errors="coerce").astype(float)
    return top.div(bottom.where(bottom > 0))
