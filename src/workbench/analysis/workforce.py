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
Every aggregate carries ``people``: the members it describes. A report asks once, for its
audience: ``figures = for_audience("internal")`` gives every measure below through
:class:`WorkforceFigures`, which hides (with complementary suppression,
:func:`workbench.privacy.protect_small_groups`) every figure about fewer than ``k`` people
(``WORKBENCH_SMALL_CELL_THRESHOLD``) for an audience below ``restricted``, grouped as the call
was. Person-level frames (officer ids) come only from functions that take ``audience`` and
refuse anything below ``restricted``.

Layout: absence measures live in :mod:`workbench.analysis.absence`, the shift-table inputs in
``_shifts``; this module holds staffing, overtime and relief factors and re-exports the rest, so
``from workbench.analysis.workforce import X`` works for every name above.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
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
from workbench.analysis._shifts import (
    ABSENCE_CODES,
    DEFAULT_POST_HOURS_PER_YEAR,
    LONG_TERM_SPELL_SHIFTS,
    UNPLANNED_ABSENCE_CODES,
    WORKING_DAYS_PER_YEAR,
    Period,
    _finish,
    _period_column,
    _ratio,
    _require_codes,
    _require_window,
    _whole,
    _with_context,
    _within,
)
from workbench.analysis.absence import (
    SickLeaveComparison,
    absence_by_type,
    absence_rates,
    absence_spell_summary,
    bradford_factors,
    officer_absence_spells,
    sick_leave_against_baseline,
)
from workbench.privacy import (
    PERSON_LEVEL_AUDIENCE,
    Audience,
    SmallGroupGuard,
    protect_small_groups,
)

__all__ = [
    "ABSENCE_CODES",
    "DEFAULT_POST_HOURS_PER_YEAR",
    "LONG_TERM_SPELL_SHIFTS",
    "PERSON_LEVEL_AUDIENCE",
    "UNPLANNED_ABSENCE_CODES",
    "WORKING_DAYS_PER_YEAR",
    "SickLeaveComparison",
    "WorkforceFigures",
    "absence_by_type",
    "absence_rates",
    "absence_spell_summary",
    "bradford_factors",
    "for_audience",
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


# --------------------------------------------------------------------------------------------
# The measures for one audience
# --------------------------------------------------------------------------------------------

#: People counts besides ``people`` that each measure carries, and the columns derived from them.
_ABSENT_PEOPLE = {"people_absent": ("incidence",)}


@dataclass(frozen=True)
class WorkforceFigures:
    """The workforce measures as one audience may see them (see :func:`for_audience`).

    Each method takes the arguments of the function of the same name in this module. Below
    the ``restricted`` audience every aggregate comes back with small groups hidden, grouped
    as the call asks (``by``, then ``period_start`` when a ``period`` is given), and the
    person-level functions refuse; for ``restricted`` frames come back as computed.
    """

    guard: SmallGroupGuard

    @property
    def audience(self) -> Audience:
        return self.guard.audience

    def _protected(self, frame: pd.DataFrame, options: Mapping[str, Any],
                   default_by: Sequence[str], *, after: Sequence[str] = (),
                   attribute_counts: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
        keys = [*options.get("by", default_by),
                *(["period_start"] if options.get("period") else []), *after]
        return self.guard.protect(frame, dimensions=keys, attribute_counts=attribute_counts)

    def absence_rates(self, shifts: ibis.Table, **options: Any) -> pd.DataFrame:
        """:func:`absence_rates` for this audience."""
        return self._protected(absence_rates(shifts, **options), options, ("unit_id",),
                               attribute_counts=_ABSENT_PEOPLE)

    def absence_by_type(self, shifts: ibis.Table, **options: Any) -> pd.DataFrame:
        """:func:`absence_by_type` for this audience (one row per absence code too)."""
        return self._protected(absence_by_type(shifts, **options), options, (),
                               after=("absence_code",), attribute_counts={"people_absent": ()})

    def absence_spell_summary(self, shifts: ibis.Table, **options: Any) -> pd.DataFrame:
        """:func:`absence_spell_summary` for this audience."""
        return self._protected(absence_spell_summary(shifts, **options), options, ("unit_id",))

    def staffing_levels(self, shifts: ibis.Table, units: ibis.Table,
                        **options: Any) -> pd.DataFrame:
        """:func:`staffing_levels` for this audience."""
        return self._protected(staffing_levels(shifts, units, **options), options, ("unit_id",))

    def overtime_summary(self, shifts: ibis.Table, **options: Any) -> pd.DataFrame:
        """:func:`overtime_summary` for this audience."""
        return self._protected(overtime_summary(shifts, **options), options, ("unit_id",))

    def relief_factors(self, shifts: ibis.Table, personnel: ibis.Table,
                       **options: Any) -> pd.DataFrame:
        """:func:`relief_factors` for this audience (one row per unit)."""
        return self.guard.protect(relief_factors(shifts, personnel, **options),
                                  dimensions=["unit_id"])

    def sick_leave_against_baseline(self, shifts: ibis.Table,
                                    **options: Any) -> SickLeaveComparison:
        """:func:`sick_leave_against_baseline` for this audience: units compared with each
        other, and each unit's months on their own."""
        comparison = sick_leave_against_baseline(shifts, **options)
        monthly = [self.guard.protect(rows, dimensions=["period_start"])
                   for _, rows in comparison.monthly.groupby("unit_id", sort=False)]
        return dataclasses.replace(
            comparison, units=self.guard.protect(comparison.units, dimensions=["unit_id"]),
            monthly=(pd.concat(monthly).sort_index() if monthly
                     else self.guard.protect(comparison.monthly, dimensions=[])))

    def officer_absence_spells(self, shifts: ibis.Table, **options: Any) -> pd.DataFrame:
        """:func:`officer_absence_spells` (person-level: restricted only)."""
        return officer_absence_spells(shifts, audience=self.audience, **options)

    def bradford_factors(self, shifts: ibis.Table, **options: Any) -> pd.DataFrame:
        """:func:`bradford_factors` (person-level: restricted only)."""
        return bradford_factors(shifts, audience=self.audience, **options)


def for_audience(audience: Audience | str, *, threshold: int | None = None) -> WorkforceFigures:
    """The workforce measures for ``audience``, asked once by a report or an app:
    ``figures = for_audience("internal")`` then ``figures.absence_rates(shifts, by=("rank",),
    …)`` returns the rates with every group of fewer than ``threshold`` members hidden
    (default: ``WORKBENCH_SMALL_CELL_THRESHOLD``)."""
    return WorkforceFigures(SmallGroupGuard(Audience.parse(audience), threshold))
