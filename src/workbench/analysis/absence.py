"""Absenteeism: absence rates, spells, Bradford factors and sick leave against a baseline.

Definitions are in :mod:`workbench.analysis.workforce` (Statistics Canada's work-absence
measures). Every aggregate carries ``people``; person-level frames (officer ids) come only from
functions that take ``audience`` and refuse anything below ``restricted``
(:func:`workbench.privacy.require_person_level`). Import these from
:mod:`workbench.analysis.workforce`, which re-exports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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
    _SPELL_LOOKAHEAD_DAYS,
    _SPELL_LOOKBACK_DAYS,
    _UNIT_COLUMNS,
    ABSENCE_CODES,
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
from workbench.privacy import Audience, require_person_level

__all__ = [
    "SickLeaveComparison",
    "absence_by_type",
    "absence_rates",
    "absence_spell_summary",
    "bradford_factors",
    "officer_absence_spells",
    "sick_leave_against_baseline",
]


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
    require_person_level(audience, "officer_absence_spells")
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
    require_person_level(audience, "bradford_factors")
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
