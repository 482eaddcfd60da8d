"""Workforce: absenteeism, availability against minimum staffing, overtime and relief factors.

Inputs are the canonical ``shifts`` table (one row per member per scheduled shift, plus
call-in rows with no scheduled hours) and, for grouping by division, unit type or rank, the
``units`` and ``personnel`` tables. Heavy work (scans, window functions, group-bys) runs in
the engine; only small aggregates come back as pandas frames.

Definitions (Statistics Canada's work-absence measures; see ``design/DOMAIN.md``)
------------------------------------------------------------------------------------
- **Absence (inactivity) rate** = hours lost to absence ÷ scheduled hours. By default only
  *unplanned* absences count (:data:`UNPLANNED_ABSENCE_CODES`: own illness, injury on duty,
  family or bereavement leave), as in Statistics Canada's work-absence rate; vacation,
  training and court attendance are planned and are not absenteeism (they do count against
  availability and the relief factor).
- **Days lost per FTE** = absence rate × 250 working days: the annual days lost per
  full-time member at the rate observed in the period (so a monthly figure is annualised).
- **Incidence** = share of the members scheduled in the period who had at least one absence.
- **Spell**: a run of consecutive *scheduled* shifts of one member with the same absence code
  (rest days do not break a spell, a shift worked does). A spell is **long-term** when it lasts
  more than :data:`LONG_TERM_SPELL_SHIFTS` (5) scheduled shifts — about a working week on an
  8-hour weekday pattern, or ten days of a 12-hour rotation; otherwise short-term. Spells are
  counted in the period they start.
- **Sick leave against a baseline** (:func:`sick_leave_against_baseline`): sick spells of each
  unit and month against an expected count. The default baseline is the *service's seasonal
  rate*: spells per scheduled shift of every other unit in the same calendar month, applied to
  the unit's own scheduled shifts (so seasonality and service-wide changes cancel, and a unit
  that is persistently above its peers stands out). ``baseline="own_history"`` compares each
  unit with its own rate in the same calendar month of earlier years instead, which finds
  changes but not a difference that has always been there.
- **Bradford factor** ``S² × D`` over 52 weeks (S spells, D days = scheduled shifts absent):
  person-level, for restricted output only (:func:`bradford_factors` refuses other audiences).
- **Availability** (turnout) of a shift = members scheduled who turned out ÷ members
  scheduled; **on duty** adds members called in (rows with no scheduled hours). A shift is
  **below minimum** when the members on duty are fewer than the unit's ``minimum_staffing``,
  and **below minimum before backfill** when the scheduled members who turned out were.
- **Relief factor** = post hours per year ÷ net available hours per officer per year
  (scheduled − absent, all absence codes), from the unit's actual scheduled and absent hours
  per full-time equivalent (:func:`relief_factors`).

Privacy
-------
Every aggregate carries ``people``: the members it describes. Before a table goes into an
internal report, pass it through :func:`protect_small_groups`, which hides (with complementary
suppression, :func:`workbench.privacy.suppress_small_cells`) every figure about fewer than
``k`` people (``WORKBENCH_SMALL_CELL_THRESHOLD``). Person-level frames (officer ids) come only
from functions that take ``audience`` and refuse anything below ``restricted``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis._common import (
    AnalysisInputError,
    as_dates,
    require_columns,
    require_period,
    truncate_to_period,
)
from workbench.privacy import Audience, PrivacyError, small_cell_threshold, suppress_small_cells

__all__ = [
    "ABSENCE_CODES",
    "DEFAULT_POST_HOURS_PER_YEAR",
    "LONG_TERM_SPELL_SHIFTS",
    "PERSON_LEVEL_AUDIENCE",
    "UNPLANNED_ABSENCE_CODES",
    "WORKING_DAYS_PER_YEAR",
    "SickLeaveComparison",
    "absence_by_type",
    "absence_rates",
    "absence_spell_summary",
    "bradford_factors",
    "for_unit",
    "officer_absence_spells",
    "overtime_summary",
    "protect_small_groups",
    "relief_factors",
    "service_relief_factor",
    "shift_staffing",
    "single_value",
    "sick_leave_against_baseline",
    "staffing_levels",
]

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
#: The only audience person-level frames may be produced for.
PERSON_LEVEL_AUDIENCE = Audience.RESTRICTED
#: Days of shifts read before a window to see whether its first absences continue a spell (a
#: member off the schedule for longer than this starts a new spell on return).
_SPELL_LOOKBACK_DAYS = 62
#: Days of shifts read after a window so spells starting near its end keep their length.
_SPELL_LOOKAHEAD_DAYS = 250

#: Grouping columns each function accepts, and the table that provides them.
_UNIT_COLUMNS = ("division", "unit_type", "unit_name")
_PERSON_COLUMNS = ("rank", "sworn")
Period = Literal["day", "week", "month", "year"]


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Absence rates
# --------------------------------------------------------------------------------------------


def absence_rates(
    shifts: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = ("unit_id",),
    period: Period | None = None,
    absence_codes: Sequence[str] = UNPLANNED_ABSENCE_CODES,
    units: ibis.Table | None = None,
    personnel: ibis.Table | None = None,
) -> pd.DataFrame:
    """Absence rate, days lost per FTE and incidence per group (and period) from ``start`` to
    ``end`` (shift dates, inclusive).

    ``by`` may name shift columns (``unit_id``), unit columns (``division``, ``unit_type``,
    ``unit_name``: pass ``units``) and person columns (``rank``, ``sworn``: pass
    ``personnel``); ``period`` adds ``period_start`` (``"month"``, ``"week"``, …). Only the
    ``absence_codes`` count as absence (default: unplanned absences). Rows with no scheduled
    hours (call-ins) are not part of the denominator.

    Returns:
        ``*by, [period_start], people, people_absent, scheduled_hours, absence_hours,
        absence_rate, days_lost_per_fte, incidence`` — ``people`` are the members scheduled in
        the group, ``people_absent`` those with at least one counted absence.
    """
    codes = _require_codes(absence_codes)
    _require_window(start, end)
    by = list(by)
    table = _with_context(shifts, by, units, personnel)
    table = table.filter(_within(table.shift_date, start, end), table.scheduled_hours > 0)
    table, period_keys = _period_column(table, period)
    counted = table.absence_code.isin(codes).fill_null(False)
    keys = [*by, *period_keys]
    grouped = table.group_by(keys) if keys else table
    frame = grouped.aggregate(
        people=table.officer_id.nunique(),
        people_absent=table.officer_id.nunique(where=counted),
        scheduled_hours=table.scheduled_hours.sum(),
        absence_hours=table.absence_hours.sum(where=counted).fill_null(0.0),
    ).to_pandas()
    frame["people_absent"] = _whole(frame["people_absent"])
    frame["people"] = frame["people"].astype("int64")
    frame["absence_rate"] = _ratio(frame["absence_hours"], frame["scheduled_hours"])
    frame["days_lost_per_fte"] = frame["absence_rate"] * WORKING_DAYS_PER_YEAR
    frame["incidence"] = _ratio(frame["people_absent"], frame["people"])
    return _finish(frame[[*keys, "people", "people_absent", "scheduled_hours", "absence_hours",
                          "absence_rate", "days_lost_per_fte", "incidence"]], keys)


def absence_by_type(
    shifts: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
    period: Period | None = None,
    absence_codes: Sequence[str] = ABSENCE_CODES,
    units: ibis.Table | None = None,
    personnel: ibis.Table | None = None,
) -> pd.DataFrame:
    """Hours lost per absence code, as a share of *all* scheduled hours of the group.

    The rates of the codes of a group add up to its absence rate over those codes. Every code
    of ``absence_codes`` appears for every group (0 where none).

    Returns:
        ``*by, [period_start], absence_code, people, people_absent, scheduled_hours,
        absence_hours, absence_rate, days_lost_per_fte``.
    """
    codes = _require_codes(absence_codes)
    _require_window(start, end)
    by = list(by)
    table = _with_context(shifts, by, units, personnel)
    table = table.filter(_within(table.shift_date, start, end), table.scheduled_hours > 0)
    table, period_keys = _period_column(table, period)
    keys = [*by, *period_keys]
    grouped = table.group_by(keys) if keys else table
    totals = grouped.aggregate(people=table.officer_id.nunique(),
                               scheduled_hours=table.scheduled_hours.sum()).to_pandas()
    absent = table.filter(table.absence_code.isin(codes))
    by_code = absent.group_by([*keys, "absence_code"]).aggregate(
        people_absent=absent.officer_id.nunique(),
        absence_hours=absent.absence_hours.sum().fill_null(0.0),
    ).to_pandas()
    skeleton = totals.merge(pd.DataFrame({"absence_code": list(codes)}), how="cross")
    frame = skeleton.merge(by_code, on=[*keys, "absence_code"], how="left")
    frame["people_absent"] = _whole(frame["people_absent"])
    frame["people"] = frame["people"].astype("int64")
    frame["absence_hours"] = frame["absence_hours"].fillna(0.0).astype(float)
    frame["absence_rate"] = _ratio(frame["absence_hours"], frame["scheduled_hours"])
    frame["days_lost_per_fte"] = frame["absence_rate"] * WORKING_DAYS_PER_YEAR
    frame["absence_code"] = pd.Categorical(frame["absence_code"], categories=list(codes))
    frame = _finish(frame[[*keys, "absence_code", "people", "people_absent", "scheduled_hours",
                           "absence_hours", "absence_rate", "days_lost_per_fte"]],
                    [*keys, "absence_code"])
    frame["absence_code"] = frame["absence_code"].astype(str)
    return frame


# --------------------------------------------------------------------------------------------
# Spells
# --------------------------------------------------------------------------------------------


def _marked_starts(shifts: ibis.Table, *, start: dt.date, end: dt.date) -> ibis.Table:
    """Scheduled shifts from a little before ``start`` to ``end`` with ``_start`` = 1 where an
    absence spell starts (an absence code differing from the member's previous scheduled
    shift's) and ``_code`` (the code, ``""`` when present)."""
    require_columns(shifts, ["officer_id", "shift_date", "unit_id", "scheduled_hours",
                             "absence_code", "absence_hours"], "shifts")
    scheduled = shifts.filter(
        _within(shifts.shift_date, start - dt.timedelta(days=_SPELL_LOOKBACK_DAYS), end),
        shifts.scheduled_hours > 0)
    member = ibis.window(group_by=scheduled.officer_id, order_by=scheduled.shift_date)
    code = scheduled.absence_code.fill_null("")
    marked = scheduled.mutate(_code=code, _previous=code.lag().over(member).fill_null(""))
    starts = (marked._code != "") & (marked._code != marked._previous)
    return marked.mutate(_start=starts.cast("int64"))


def _spell_starts(shifts: ibis.Table, *, start: dt.date, end: dt.date,
                  absence_codes: Sequence[str]) -> ibis.Table:
    """Engine expression: the first shift of every spell of ``absence_codes`` starting from
    ``start`` to ``end`` (``officer_id, unit_id, absence_code, first_date``) — one window
    function, for counting spells without measuring them."""
    marked = _marked_starts(shifts, start=start, end=end)
    first = marked.filter(marked._start == 1, marked._code.isin(list(absence_codes)),
                          marked.shift_date >= ibis.literal(start))
    return first.select("officer_id", "unit_id", "absence_code", first_date=first.shift_date)


def _spells(shifts: ibis.Table, *, start: dt.date, end: dt.date,
            absence_codes: Sequence[str]) -> ibis.Table:
    """Engine expression: one row per absence spell starting from ``start`` to ``end``.

    Columns: ``officer_id, unit_id, absence_code, first_date, last_date, shifts, hours,
    long_term``. Spells are found with a gaps-and-islands window over each member's scheduled
    shifts, read from a little before ``start`` (to see whether an absence continues one) to
    well after ``end`` (so spells starting near it keep their length, as far as data exists).
    """
    marked = _marked_starts(shifts, start=start,
                            end=end + dt.timedelta(days=_SPELL_LOOKAHEAD_DAYS))
    marked = marked.mutate(_spell=marked._start.cumsum().over(
        ibis.window(group_by=marked.officer_id, order_by=marked.shift_date)))
    absent = marked.filter(marked._code.isin(list(absence_codes)))
    spells = absent.group_by(["officer_id", "_spell", "absence_code"]).aggregate(
        unit_id=absent.unit_id.max(where=absent._start == 1),
        first_date=absent.shift_date.min(),
        last_date=absent.shift_date.max(),
        shifts=absent.count(),
        hours=absent.absence_hours.sum().fill_null(0.0),
    )
    spells = spells.filter(_within(spells.first_date, start, end))
    return spells.mutate(long_term=spells.shifts > LONG_TERM_SPELL_SHIFTS).drop("_spell")


def absence_spell_summary(
    shifts: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = ("unit_id",),
    period: Period | None = None,
    absence_codes: Sequence[str] = UNPLANNED_ABSENCE_CODES,
    units: ibis.Table | None = None,
) -> pd.DataFrame:
    """Short- and long-term absence spells starting from ``start`` to ``end``, per group.

    A spell is long-term when it lasts more than :data:`LONG_TERM_SPELL_SHIFTS` scheduled
    shifts (see the module docstring). ``by`` may hold ``unit_id``, ``absence_code`` and unit
    columns (with ``units``); spells are attributed to the unit of their first shift.

    Returns:
        ``*by, [period_start], people, spells, short_term_spells, long_term_spells,
        short_term_hours, long_term_hours, long_term_hours_share`` — ``people`` are the members
        with a spell in the group.
    """
    codes = _require_codes(absence_codes)
    _require_window(start, end)
    by = list(by)
    allowed = {"unit_id", "absence_code", *_UNIT_COLUMNS}
    if any(column not in allowed for column in by):
        raise AnalysisInputError(f"spells can be grouped by {', '.join(sorted(allowed))}; "
                                 f"got {by}")
    spells = _spells(shifts, start=start, end=end, absence_codes=codes)
    unit_columns = [c for c in by if c in _UNIT_COLUMNS]
    if unit_columns:
        if units is None:
            raise AnalysisInputError(f"grouping by {', '.join(unit_columns)} needs the units table")
        unit_part = units.select("unit_id", *unit_columns).rename(_unit_id="unit_id")
        spells = spells.left_join(unit_part, spells.unit_id == unit_part._unit_id) \
            .drop("_unit_id")
    period_keys: list[str] = []
    if period is not None:
        require_period(period)
        spells = spells.mutate(period_start=truncate_to_period(spells.first_date, period))
        period_keys = ["period_start"]
    keys = [*by, *period_keys]
    grouped = spells.group_by(keys) if keys else spells
    frame = grouped.aggregate(
        people=spells.officer_id.nunique(),
        spells=spells.count(),
        long_term_spells=spells.long_term.cast("int64").sum(),
        short_term_hours=spells.hours.sum(where=~spells.long_term).fill_null(0.0),
        long_term_hours=spells.hours.sum(where=spells.long_term).fill_null(0.0),
    ).to_pandas()
    for column in ("people", "spells", "long_term_spells"):
        frame[column] = _whole(frame[column])
    frame["short_term_spells"] = frame["spells"] - frame["long_term_spells"]
    frame["long_term_hours_share"] = _ratio(
        frame["long_term_hours"], frame["short_term_hours"] + frame["long_term_hours"])
    return _finish(frame[[*keys, "people", "spells", "short_term_spells", "long_term_spells",
                          "short_term_hours", "long_term_hours", "long_term_hours_share"]], keys)


def _require_person_level(audience: Audience | str, what: str) -> None:
    if Audience.parse(audience) < PERSON_LEVEL_AUDIENCE:
        raise PrivacyError(
            f"{what} lists individual members: it may only be produced for the "
            f"{PERSON_LEVEL_AUDIENCE.label} audience, not {Audience.parse(audience).label}")


def officer_absence_spells(
    shifts: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    audience: Audience | str,
    absence_codes: Sequence[str] = UNPLANNED_ABSENCE_CODES,
    unit_id: str | None = None,
) -> pd.DataFrame:
    """Every absence spell starting from ``start`` to ``end``, one row per spell (restricted).

    Returns:
        ``officer_id, unit_id, absence_code, first_date, last_date, shifts, hours, long_term,
        continues_after_end`` (the spell runs past ``end``, in the data available), newest
        first. Raises :class:`~workbench.privacy.PrivacyError` unless ``audience`` is
        ``restricted``.
    """
    _require_person_level(audience, "officer_absence_spells")
    codes = _require_codes(absence_codes)
    _require_window(start, end)
    spells = _spells(shifts, start=start, end=end, absence_codes=codes)
    if unit_id is not None:
        spells = spells.filter(spells.unit_id == unit_id)
    frame = spells.to_pandas()
    for column in ("first_date", "last_date"):
        frame[column] = as_dates(frame[column])
    frame["shifts"] = frame["shifts"].astype("int64")
    frame["long_term"] = frame["long_term"].astype(bool)
    frame["continues_after_end"] = frame["last_date"] > pd.Timestamp(end)
    columns = ["officer_id", "unit_id", "absence_code", "first_date", "last_date", "shifts",
               "hours", "long_term", "continues_after_end"]
    return frame[columns].sort_values(["first_date", "officer_id"], ascending=[False, True],
                                      kind="stable").reset_index(drop=True)


def bradford_factors(
    shifts: ibis.Table,
    *,
    as_of: dt.date,
    audience: Audience | str,
    weeks: int = 52,
    absence_codes: Sequence[str] = ("sick",),
    unit_id: str | None = None,
) -> pd.DataFrame:
    """The Bradford factor ``S² × D`` of every member with an absence in the ``weeks`` weeks
    ending on ``as_of`` (restricted output only).

    S is the number of spells starting in the window and D the scheduled shifts absent in the
    window (a shift counts as one day whatever its length). Controversial: it weighs frequent
    short absences far above one long one and penalises disability; use it only for HR review,
    never as a target. Raises :class:`~workbench.privacy.PrivacyError` unless ``audience`` is
    ``restricted``.

    Returns:
        ``officer_id, unit_id, spells, days, hours, bradford_factor``, highest factor first.
    """
    _require_person_level(audience, "bradford_factors")
    codes = _require_codes(absence_codes)
    if int(weeks) != weeks or weeks < 1:
        raise AnalysisInputError(f"weeks must be a positive whole number; got {weeks!r}")
    start = as_of - dt.timedelta(days=7 * int(weeks) - 1)
    spells = _spell_starts(shifts, start=start, end=as_of, absence_codes=codes)
    spell_counts = spells.group_by("officer_id").aggregate(spells=spells.count())
    days = shifts.filter(_within(shifts.shift_date, start, as_of), shifts.scheduled_hours > 0,
                         shifts.absence_code.isin(list(codes)))
    if unit_id is not None:
        days = days.filter(days.unit_id == unit_id)
    day_counts = days.group_by("officer_id").aggregate(
        unit_id=days.unit_id.arbitrary(), days=days.count(),
        hours=days.absence_hours.sum().fill_null(0.0))
    spell_counts = spell_counts.rename(_officer_id="officer_id")
    joined = day_counts.left_join(spell_counts, day_counts.officer_id == spell_counts._officer_id)
    frame = joined.select("officer_id", "unit_id", "spells", "days", "hours").to_pandas()
    # A member absent since before the window has days in it but no spell starting in it:
    # the spell still counts once.
    frame["spells"] = _whole(frame["spells"]).clip(lower=1)
    frame["days"] = frame["days"].astype("int64")
    frame["bradford_factor"] = np.asarray(stats.bradford_factor(frame["spells"].to_numpy(),
                                                                frame["days"].to_numpy()))
    return frame.sort_values(["bradford_factor", "officer_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Sick leave against a baseline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SickLeaveComparison:
    """Sick leave of each unit against its baseline.

    ``monthly``: one row per unit and month — ``unit_id, period_start, people,
    scheduled_shifts, scheduled_hours, spells, absence_hours, absence_rate, baseline_rate``
    (expected spells per scheduled shift), ``expected_spells, lower_limit, upper_limit``
    (c-chart limits around the expected count, ``expected ± 3√expected``) and
    ``above_limit``.

    ``units``: one row per unit over the whole window — ``unit_id, people,
    scheduled_shifts, spells, expected_spells, ratio`` (observed ÷ expected) with its exact
    Poisson interval ``ratio_lower, ratio_upper`` at the Bonferroni-adjusted level,
    ``months_above_limit`` and ``flag``: ``"above"`` when the whole interval is above 1,
    ``"below"`` when it is below 1, else empty; ``flagged`` is true for either.
    """

    monthly: pd.DataFrame
    units: pd.DataFrame
    baseline: str
    familywise_error: float
    interval_level: float


def _unit_month_counts(shifts: ibis.Table, *, start: dt.date, end: dt.date,
                       code: str) -> pd.DataFrame:
    """Scheduled shifts, sick spells (by start month) and sick hours per unit and month."""
    scheduled = shifts.filter(_within(shifts.shift_date, start, end), shifts.scheduled_hours > 0)
    scheduled = scheduled.mutate(period_start=scheduled.shift_date.truncate("M"))
    is_code = (scheduled.absence_code == code).fill_null(False)
    exposure = scheduled.group_by(["unit_id", "period_start"]).aggregate(
        people=scheduled.officer_id.nunique(),
        scheduled_shifts=scheduled.count(),
        scheduled_hours=scheduled.scheduled_hours.sum(),
        absence_hours=scheduled.absence_hours.sum(where=is_code).fill_null(0.0),
    ).to_pandas()
    spells = _spell_starts(shifts, start=start, end=end, absence_codes=(code,))
    spells = spells.mutate(period_start=spells.first_date.truncate("M"))
    spell_counts = spells.group_by(["unit_id", "period_start"]).aggregate(
        spells=spells.count()).to_pandas()
    for frame in (exposure, spell_counts):
        frame["period_start"] = as_dates(frame["period_start"])
    counts = exposure.merge(spell_counts, on=["unit_id", "period_start"], how="left")
    counts["spells"] = counts["spells"].fillna(0).astype("int64")
    counts["people"] = counts["people"].astype("int64")
    counts["scheduled_shifts"] = counts["scheduled_shifts"].astype("int64")
    return counts


def _service_baseline(counts: pd.DataFrame) -> pd.Series:
    """Spells per scheduled shift of every *other* unit in the same month."""
    month_spells = counts.groupby("period_start")["spells"].transform("sum")
    month_shifts = counts.groupby("period_start")["scheduled_shifts"].transform("sum")
    return _ratio(month_spells - counts["spells"], month_shifts - counts["scheduled_shifts"])


def _own_history_baseline(history: pd.DataFrame, counts: pd.DataFrame) -> pd.Series:
    """The unit's spells per scheduled shift in the same calendar month of earlier years."""
    history = history.assign(calendar_month=history["period_start"].dt.month)
    pooled = history.groupby(["unit_id", "calendar_month"])[["spells", "scheduled_shifts"]] \
        .sum().reset_index()
    pooled["baseline_rate"] = _ratio(pooled["spells"], pooled["scheduled_shifts"])
    keyed = counts.assign(calendar_month=counts["period_start"].dt.month).merge(
        pooled[["unit_id", "calendar_month", "baseline_rate"]],
        on=["unit_id", "calendar_month"], how="left")
    return pd.Series(keyed["baseline_rate"].to_numpy(), index=counts.index)


def sick_leave_against_baseline(
    shifts: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    baseline: Literal["service", "own_history"] = "service",
    history_years: int = 3,
    absence_code: str = "sick",
    familywise_error: float = 0.01,
) -> SickLeaveComparison:
    """Each unit's sick spells from ``start`` to ``end`` against an expected count.

    The expected spells of a unit-month are its scheduled shifts × the baseline rate:

    - ``"service"`` (default): spells per scheduled shift of every other unit in the same
      month — the service's seasonal rate, applied to the unit's exposure;
    - ``"own_history"``: the unit's own rate in the same calendar month of the
      ``history_years`` years before ``start``.

    Spells, not hours, are compared: spell starts are close to Poisson, while hours are
    dominated by a few long spells. Each unit-month gets c-chart limits around its expected
    count; each unit gets an exact (Garwood) interval for observed ÷ expected over the window
    at level ``1 − familywise_error / units`` (Bonferroni), and is flagged when the interval
    excludes 1, so the chance of flagging any unit by chance alone is at most
    ``familywise_error``.
    """
    _require_codes((absence_code,), "absence_code")
    _require_window(start, end)
    if not 0 < familywise_error < 1:
        raise AnalysisInputError(f"familywise_error must be in (0, 1); got {familywise_error}")
    if baseline not in ("service", "own_history"):
        raise AnalysisInputError(f"baseline must be 'service' or 'own_history'; got {baseline!r}")
    counts = _unit_month_counts(shifts, start=start, end=end, code=absence_code)
    if baseline == "service":
        counts["baseline_rate"] = _service_baseline(counts)
    else:
        if int(history_years) != history_years or history_years < 1:
            raise AnalysisInputError(f"history_years must be a positive whole number; "
                                     f"got {history_years!r}")
        history_start = dt.date(start.year - int(history_years), start.month, 1)
        history = _unit_month_counts(shifts, start=history_start,
                                     end=start - dt.timedelta(days=1), code=absence_code)
        counts["baseline_rate"] = _own_history_baseline(history, counts)
    counts["expected_spells"] = counts["scheduled_shifts"] * counts["baseline_rate"]
    counts["absence_rate"] = _ratio(counts["absence_hours"], counts["scheduled_hours"])
    spread = 3.0 * np.sqrt(counts["expected_spells"].clip(lower=0))
    counts["lower_limit"] = (counts["expected_spells"] - spread).clip(lower=0.0)
    counts["upper_limit"] = counts["expected_spells"] + spread
    counts["above_limit"] = (counts["spells"] > counts["upper_limit"]).fillna(False).astype(bool)
    monthly = counts[["unit_id", "period_start", "people", "scheduled_shifts", "scheduled_hours",
                      "spells", "absence_hours", "absence_rate", "baseline_rate",
                      "expected_spells", "lower_limit", "upper_limit", "above_limit"]] \
        .sort_values(["unit_id", "period_start"]).reset_index(drop=True)

    people = _people_per_unit(shifts, start=start, end=end)
    summary = monthly.dropna(subset=["expected_spells"]).groupby("unit_id").agg(
        scheduled_shifts=("scheduled_shifts", "sum"), spells=("spells", "sum"),
        expected_spells=("expected_spells", "sum"), months_above_limit=("above_limit", "sum"),
    ).reset_index()
    summary = people.merge(summary, on="unit_id", how="inner")
    usable = summary["expected_spells"] > 0
    units_compared = max(int(usable.sum()), 1)
    level = 1.0 - familywise_error / units_compared
    summary["ratio"] = _ratio(summary["spells"], summary["expected_spells"])
    summary["ratio_lower"] = np.nan
    summary["ratio_upper"] = np.nan
    if usable.any():
        interval = stats.poisson_rate_interval(
            summary.loc[usable, "spells"].to_numpy(dtype=float),
            summary.loc[usable, "expected_spells"].to_numpy(dtype=float), level=level)
        summary.loc[usable, "ratio_lower"] = np.asarray(interval.lower, dtype=float)
        summary.loc[usable, "ratio_upper"] = np.asarray(interval.upper, dtype=float)
    summary["flag"] = np.select([summary["ratio_lower"] > 1, summary["ratio_upper"] < 1],
                                ["above", "below"], default="")
    summary["flagged"] = summary["flag"] != ""
    summary["months_above_limit"] = summary["months_above_limit"].astype("int64")
    units_frame = summary[["unit_id", "people", "scheduled_shifts", "spells", "expected_spells",
                           "ratio", "ratio_lower", "ratio_upper", "months_above_limit", "flag",
                           "flagged"]].sort_values("ratio", ascending=False) \
        .reset_index(drop=True)
    return SickLeaveComparison(monthly=monthly, units=units_frame, baseline=baseline,
                               familywise_error=familywise_error, interval_level=level)


def _people_per_unit(shifts: ibis.Table, *, start: dt.date, end: dt.date) -> pd.DataFrame:
    scheduled = shifts.filter(_within(shifts.shift_date, start, end), shifts.scheduled_hours > 0)
    frame = scheduled.group_by("unit_id").aggregate(
        people=scheduled.officer_id.nunique()).to_pandas()
    frame["people"] = frame["people"].astype("int64")
    return frame


# --------------------------------------------------------------------------------------------
# Availability, minimum staffing and overtime
# --------------------------------------------------------------------------------------------


def _shift_staffing_expression(shifts: ibis.Table, units: ibis.Table, *, start: dt.date,
                               end: dt.date) -> ibis.Table:
    require_columns(shifts, ["officer_id", "shift_date", "unit_id", "shift_start",
                             "scheduled_hours", "worked_hours", "overtime_hours",
                             "overtime_reason", "overtime_cost"], "shifts")
    require_columns(units, ["unit_id", "division", "minimum_staffing"], "units")
    staffed = units.filter(units.minimum_staffing.notnull()).select(
        _unit_id="unit_id", division="division", minimum_staffing="minimum_staffing")
    rows = shifts.filter(_within(shifts.shift_date, start, end))
    rows = rows.inner_join(staffed, rows.unit_id == staffed._unit_id).drop("_unit_id")
    scheduled = rows.scheduled_hours > 0
    present = rows.worked_hours > 0
    backfill = (rows.overtime_reason == "backfill").fill_null(False)
    return rows.group_by(["unit_id", "division", "shift_date"]).aggregate(
        shift_start=rows.shift_start.min(where=scheduled),
        minimum_staffing=rows.minimum_staffing.max(),
        scheduled=scheduled.cast("int64").sum(),
        present_scheduled=(scheduled & present).cast("int64").sum(),
        called_in=(~scheduled & present).cast("int64").sum(),
        on_duty=present.cast("int64").sum(),
        backfill_overtime_hours=rows.overtime_hours.sum(where=backfill).fill_null(0.0),
        backfill_overtime_cost=rows.overtime_cost.sum(where=backfill).fill_null(0.0),
    )


def shift_staffing(
    shifts: ibis.Table,
    units: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    unit_id: str | None = None,
) -> pd.DataFrame:
    """Members scheduled, turned out, called in and on duty for every shift of every unit with
    a minimum staffing (a shift = a unit and a shift date), against that minimum.

    Returns:
        ``unit_id, division, shift_date, shift_start, minimum_staffing, scheduled,
        present_scheduled, called_in, on_duty, availability`` (present ÷ scheduled),
        ``below_minimum_before_backfill, below_minimum, shortfall`` (members short of the
        minimum after backfill), ``backfill_overtime_hours, backfill_overtime_cost``.
    """
    _require_window(start, end)
    expression = _shift_staffing_expression(shifts, units, start=start, end=end)
    if unit_id is not None:
        expression = expression.filter(expression.unit_id == unit_id)
    frame = expression.to_pandas()
    frame["shift_date"] = as_dates(frame["shift_date"])
    for column in ("minimum_staffing", "scheduled", "present_scheduled", "called_in", "on_duty"):
        frame[column] = _whole(frame[column])
    frame["availability"] = _ratio(frame["present_scheduled"], frame["scheduled"])
    frame["below_minimum_before_backfill"] = frame["present_scheduled"] < frame["minimum_staffing"]
    frame["below_minimum"] = frame["on_duty"] < frame["minimum_staffing"]
    frame["shortfall"] = (frame["minimum_staffing"] - frame["on_duty"]).clip(lower=0)
    columns = ["unit_id", "division", "shift_date", "shift_start", "minimum_staffing",
               "scheduled", "present_scheduled", "called_in", "on_duty", "availability",
               "below_minimum_before_backfill", "below_minimum", "shortfall",
               "backfill_overtime_hours", "backfill_overtime_cost"]
    return frame[columns].sort_values(["unit_id", "shift_date"]).reset_index(drop=True)


def staffing_levels(
    shifts: ibis.Table,
    units: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = ("unit_id",),
    period: Period | None = None,
) -> pd.DataFrame:
    """Shifts, shifts below minimum (before and after backfill), availability and backfill
    overtime per group of units with a minimum staffing (``by``: ``unit_id`` and/or
    ``division``; ``period`` by shift date).

    Returns:
        ``*by, [period_start], people, shifts, shifts_below_minimum_before_backfill,
        shifts_below_minimum, below_minimum_share, mean_scheduled, mean_on_duty,
        availability, backfill_overtime_hours, backfill_overtime_cost`` — ``people`` are the
        members with a shift (scheduled or called in) in the group.
    """
    _require_window(start, end)
    by = list(by)
    if any(column not in ("unit_id", "division") for column in by):
        raise AnalysisInputError(f"staffing levels can be grouped by unit_id and division; "
                                 f"got {by}")
    per_shift = _shift_staffing_expression(shifts, units, start=start, end=end)
    period_keys: list[str] = []
    if period is not None:
        require_period(period)
        per_shift = per_shift.mutate(period_start=truncate_to_period(per_shift.shift_date, period))
        period_keys = ["period_start"]
    keys = [*by, *period_keys]
    grouped = per_shift.group_by(keys) if keys else per_shift
    frame = grouped.aggregate(
        shifts=per_shift.count(),
        shifts_below_minimum_before_backfill=(
            per_shift.present_scheduled < per_shift.minimum_staffing).cast("int64").sum(),
        shifts_below_minimum=(per_shift.on_duty < per_shift.minimum_staffing).cast("int64").sum(),
        scheduled=per_shift.scheduled.sum(),
        present_scheduled=per_shift.present_scheduled.sum(),
        on_duty=per_shift.on_duty.sum(),
        backfill_overtime_hours=per_shift.backfill_overtime_hours.sum(),
        backfill_overtime_cost=per_shift.backfill_overtime_cost.sum(),
    ).to_pandas()
    people = _people_in_staffed_units(shifts, units, start=start, end=end, by=by, period=period)
    frame = _finish(frame, keys)
    if keys:
        frame = frame.merge(people, on=keys, how="left")
    else:
        frame["people"] = people["people"].iloc[0] if len(people) else 0
    frame["people"] = _whole(frame["people"])
    for column in ("shifts", "shifts_below_minimum_before_backfill", "shifts_below_minimum"):
        frame[column] = _whole(frame[column])
    for column in ("backfill_overtime_hours", "backfill_overtime_cost"):
        frame[column] = pd.to_numeric(frame[column]).fillna(0.0).astype(float)
    frame["below_minimum_share"] = _ratio(frame["shifts_below_minimum"], frame["shifts"])
    frame["mean_scheduled"] = _ratio(frame["scheduled"], frame["shifts"])
    frame["mean_on_duty"] = _ratio(frame["on_duty"], frame["shifts"])
    frame["availability"] = _ratio(frame["present_scheduled"], frame["scheduled"])
    return frame[[*keys, "people", "shifts", "shifts_below_minimum_before_backfill",
                  "shifts_below_minimum", "below_minimum_share", "mean_scheduled",
                  "mean_on_duty", "availability", "backfill_overtime_hours",
                  "backfill_overtime_cost"]]


def _people_in_staffed_units(shifts: ibis.Table, units: ibis.Table, *, start: dt.date,
                             end: dt.date, by: Sequence[str], period: str | None) -> pd.DataFrame:
    staffed = units.filter(units.minimum_staffing.notnull()).select(
        _unit_id="unit_id", division="division")
    rows = shifts.filter(_within(shifts.shift_date, start, end))
    rows = rows.inner_join(staffed, rows.unit_id == staffed._unit_id).drop("_unit_id")
    rows, period_keys = _period_column(rows, period)
    keys = [*by, *period_keys]
    grouped = rows.group_by(keys) if keys else rows
    frame = grouped.aggregate(people=rows.officer_id.nunique()).to_pandas()
    return _finish(frame, keys)


def overtime_summary(
    shifts: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = ("unit_id",),
    period: Period | None = None,
    units: ibis.Table | None = None,
    personnel: ibis.Table | None = None,
) -> pd.DataFrame:
    """Overtime hours and cost per group (``by`` may include ``overtime_reason``, unit and
    person columns as in :func:`absence_rates`).

    Returns:
        ``*by, [period_start], people, people_with_overtime, overtime_hours, overtime_cost,
        worked_hours, overtime_share`` (overtime ÷ worked hours). With ``overtime_reason`` in
        ``by``, ``people`` and ``worked_hours`` are those of the rows with that reason.
    """
    _require_window(start, end)
    by = list(by)
    table = _with_context(shifts, [c for c in by if c != "overtime_reason"], units, personnel)
    require_columns(table, ["overtime_hours", "overtime_reason", "overtime_cost"], "shifts")
    table = table.filter(_within(table.shift_date, start, end))
    table, period_keys = _period_column(table, period)
    keys = [*by, *period_keys]
    has_overtime = (table.overtime_hours > 0).fill_null(False)
    grouped = table.group_by(keys) if keys else table
    frame = grouped.aggregate(
        people=table.officer_id.nunique(),
        people_with_overtime=table.officer_id.nunique(where=has_overtime),
        overtime_hours=table.overtime_hours.sum().fill_null(0.0),
        overtime_cost=table.overtime_cost.sum().fill_null(0.0),
        worked_hours=table.worked_hours.sum().fill_null(0.0),
    ).to_pandas()
    if "overtime_reason" in keys:
        frame = frame[frame["overtime_reason"].notna()].copy()
    for column in ("people", "people_with_overtime"):
        frame[column] = _whole(frame[column])
    frame["overtime_share"] = _ratio(frame["overtime_hours"], frame["worked_hours"])
    return _finish(frame[[*keys, "people", "people_with_overtime", "overtime_hours",
                          "overtime_cost", "worked_hours", "overtime_share"]], keys)


# --------------------------------------------------------------------------------------------
# Relief factor
# --------------------------------------------------------------------------------------------


def relief_factors(
    shifts: ibis.Table,
    personnel: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    post_hours_per_year: float = DEFAULT_POST_HOURS_PER_YEAR,
    absence_codes: Sequence[str] = ABSENCE_CODES,
    units: ibis.Table | None = None,
) -> pd.DataFrame:
    """The shift relief factor of every unit from its actual scheduled and absent hours.

    Full-time equivalents (FTE) of a unit = the days its members were employed in the window
    (``personnel.hired_on`` … ``left_on``, clipped to the window), shared between units in
    proportion to each member's scheduled hours in them, ÷ the days in the window. Per FTE and
    year (365 days): ``scheduled = scheduled hours ÷ FTE × 365 ÷ days`` and likewise
    ``absent`` (all ``absence_codes``: every absence takes a member off the post). Then
    ``relief_factor = post_hours_per_year ÷ (scheduled − absent)``
    (:func:`workbench.stats.relief_factor`): members needed to fill one post
    (default: 8 hours every day, 2,920 hours; use 8,760 for a post staffed around the clock).
    2,080 scheduled − 382 absent = 1,698 net hours ⇒ 2,920 ÷ 1,698 ≈ 1.72.

    Returns:
        ``unit_id, [division, unit_type], people, fte, scheduled_hours_per_fte,
        absence_hours_per_fte, net_available_hours_per_fte, relief_factor``.
    """
    _require_window(start, end)
    codes = _require_codes(absence_codes)
    if not post_hours_per_year > 0:
        raise AnalysisInputError(f"post_hours_per_year must be positive; got {post_hours_per_year}")
    require_columns(personnel, ["officer_id", "hired_on", "left_on"], "personnel")
    days_in_window = (end - start).days + 1
    rows = shifts.filter(_within(shifts.shift_date, start, end), shifts.scheduled_hours > 0)
    counted = rows.absence_code.isin(list(codes)).fill_null(False)
    member_unit = rows.group_by(["officer_id", "unit_id"]).aggregate(
        scheduled_hours=rows.scheduled_hours.sum(),
        absence_hours=rows.absence_hours.sum(where=counted).fill_null(0.0))
    member_total = member_unit.group_by("officer_id").aggregate(
        member_hours=member_unit.scheduled_hours.sum()).rename(_officer_id="officer_id")
    employment = personnel.select(
        _person="officer_id",
        _from=ibis.greatest(personnel.hired_on.fill_null(ibis.literal(start)), ibis.literal(start)),
        _to=ibis.least(personnel.left_on.fill_null(ibis.literal(end)), ibis.literal(end)))
    joined = member_unit.inner_join(member_total, member_unit.officer_id == member_total._officer_id)
    joined = joined.left_join(employment, joined.officer_id == employment._person)
    employed_days = (joined._to.fill_null(ibis.literal(end)).delta(
        joined._from.fill_null(ibis.literal(start)), unit="day") + 1).cast("float64")
    employed_days = ibis.greatest(employed_days, ibis.literal(0.0))
    joined = joined.mutate(
        _member_days=employed_days * joined.scheduled_hours / joined.member_hours)
    frame = joined.group_by("unit_id").aggregate(
        people=joined.officer_id.nunique(),
        member_days=joined._member_days.sum(),
        scheduled_hours=joined.scheduled_hours.sum(),
        absence_hours=joined.absence_hours.sum(),
    ).to_pandas()
    frame["people"] = frame["people"].astype("int64")
    frame["fte"] = frame["member_days"] / days_in_window
    annual = 365.0 / days_in_window
    frame["scheduled_hours_per_fte"] = _ratio(frame["scheduled_hours"], frame["fte"]) * annual
    frame["absence_hours_per_fte"] = _ratio(frame["absence_hours"], frame["fte"]) * annual
    frame["net_available_hours_per_fte"] = (frame["scheduled_hours_per_fte"]
                                            - frame["absence_hours_per_fte"])
    usable = frame["net_available_hours_per_fte"] > 0
    frame["relief_factor"] = np.nan
    if usable.any():
        frame.loc[usable, "relief_factor"] = np.asarray(stats.relief_factor(
            np.full(int(usable.sum()), float(post_hours_per_year)),
            frame.loc[usable, "scheduled_hours_per_fte"].to_numpy(dtype=float),
            frame.loc[usable, "absence_hours_per_fte"].to_numpy(dtype=float)), dtype=float)
    extra: list[str] = []
    if units is not None:
        require_columns(units, ["unit_id", "division", "unit_type"], "units")
        frame = frame.merge(units.select("unit_id", "division", "unit_type").to_pandas(),
                            on="unit_id", how="left")
        extra = ["division", "unit_type"]
    return frame[["unit_id", *extra, "people", "fte", "scheduled_hours_per_fte",
                  "absence_hours_per_fte", "net_available_hours_per_fte", "relief_factor"]] \
        .sort_values("unit_id").reset_index(drop=True)


def service_relief_factor(
    shifts: ibis.Table,
    personnel: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    post_hours_per_year: float = DEFAULT_POST_HOURS_PER_YEAR,
    absence_codes: Sequence[str] = ABSENCE_CODES,
) -> pd.DataFrame:
    """The relief factor of the whole service: :func:`relief_factors` with every shift counted
    in one unit, so every member counts, whatever the size of their unit (the per-unit table
    hides small units once protected; a service figure taken from it would leave them out).

    Returns:
        One row: ``people, fte, scheduled_hours_per_fte, absence_hours_per_fte,
        net_available_hours_per_fte, relief_factor`` (to protect with
        :func:`protect_small_groups` like any other figure).
    """
    require_columns(shifts, ["unit_id"], "shifts")
    whole = shifts.mutate(unit_id=ibis.literal("service"))
    return relief_factors(whole, personnel, start=start, end=end,
                          post_hours_per_year=post_hours_per_year,
                          absence_codes=absence_codes).drop(columns=["unit_id"])


# --------------------------------------------------------------------------------------------
# Privacy
# --------------------------------------------------------------------------------------------


def protect_small_groups(
    frame: pd.DataFrame,
    *,
    dimensions: Sequence[str],
    people: str = "people",
    attribute_counts: Mapping[str, Sequence[str]] | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """``frame`` with every figure about fewer than ``threshold`` people hidden (for internal
    and public reports).

    ``people`` holds the size of the group each row describes; rows whose group is suppressed
    by :func:`workbench.privacy.suppress_small_cells` (below the threshold, or hidden so a
    small one cannot be worked out from totals) have every other value set to missing.
    ``attribute_counts`` maps further people counts (e.g. ``people_absent``) to the columns
    derived from them (e.g. ``("incidence",)``): each is suppressed the same way on its own.
    ``dimensions`` identify a row (one row per combination). Adds a boolean ``suppressed``
    column (any value hidden). ``threshold`` defaults to the ``WORKBENCH_SMALL_CELL_THRESHOLD``
    setting. Never modifies ``frame``.
    """
    dimensions = list(dimensions)
    result = frame.copy()
    result["suppressed"] = False
    if result.empty:
        return result
    measures = [c for c in result.columns if c not in (*dimensions, "suppressed")]
    if people not in frame.columns:
        raise AnalysisInputError(f"no column {people!r} to protect; columns: "
                                 f"{', '.join(frame.columns)}")
    hidden = _hidden_rows(result, dimensions, people, threshold)
    for column in measures:
        result[column] = _masked(result[column], hidden)
    result.loc[hidden, "suppressed"] = True
    for count, derived in (attribute_counts or {}).items():
        if count not in frame.columns:
            raise AnalysisInputError(f"no column {count!r} to protect; columns: "
                                     f"{', '.join(frame.columns)}")
        small = _hidden_rows(frame.assign(**{count: frame[count].fillna(0)}), dimensions, count,
                             threshold) & ~hidden
        for column in (count, *derived):
            result[column] = _masked(result[column], small)
        result.loc[small, "suppressed"] = True
    return result


def _hidden_rows(frame: pd.DataFrame, dimensions: list[str], count: str,
                 threshold: int | None) -> np.ndarray:
    """Rows whose ``count`` is suppressed (primary or complementary)."""
    if not dimensions:  # one figure per row and no totals to protect: hide the small ones
        limit = small_cell_threshold() if threshold is None else int(threshold)
        counts = frame[count].fillna(0).to_numpy(dtype=float)
        return (counts > 0) & (counts < limit)
    table = frame[[*dimensions, count]].copy()
    table[count] = table[count].astype("int64")
    protected = suppress_small_cells(table, dimensions=dimensions, count=count,
                                     threshold=threshold)
    return protected.cells["suppressed"].to_numpy(dtype=bool)


def _masked(values: pd.Series, hidden: np.ndarray) -> pd.Series:
    if not hidden.any():
        return values
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype("Int64" if pd.api.types.is_integer_dtype(values.dtype)
                               else "boolean")
    elif not (pd.api.types.is_float_dtype(values.dtype)
              or isinstance(values.dtype, pd.DatetimeTZDtype)
              or pd.api.types.is_datetime64_any_dtype(values.dtype)):
        values = values.astype(object)
    return values.mask(pd.Series(hidden, index=values.index))



def for_unit(table: ibis.Table, unit_id: str | None) -> ibis.Table:
    """``table`` restricted to the rows of unit ``unit_id`` (unchanged when it is None)."""
    require_columns(table, ["unit_id"], "table")
    return table if unit_id is None else table.filter(table.unit_id == unit_id)


def single_value(frame: pd.DataFrame, column: str, *, scale: float = 1.0) -> float | None:
    """The value of ``column`` in the first row of ``frame`` times ``scale``, as a plain float;
    None when the frame is empty or the value is missing or hidden (for headline figures)."""
    if column not in frame.columns:
        raise AnalysisInputError(f"no column {column!r}; columns: {', '.join(frame.columns)}")
    if frame.empty:
        return None
    value = frame[column].iloc[0]
    if value is None or pd.isna(value):
        return None
    return float(value) * scale
