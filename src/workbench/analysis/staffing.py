"""Workload-based patrol staffing: Erlang C units needed per hour of the week against the
officers actually on duty, and the saturation of patrol time ("rule of 60").

Definitions (``design/DOMAIN.md``, "Calls for service, response and staffing")
------------------------------------------------------------------------------
- **Arrivals** λ(h): calls for service *a unit was dispatched to*, per hour of the week
  (Monday 00:00 = hour 0), averaged over the weeks of the window
  (:func:`workbench.analysis.calls.hour_of_week_demand`). Calls never dispatched (handled by
  phone, cancelled) need no patrol unit and are left out.
- **Handling time**: ``cleared_at − dispatched_at`` — the time the first unit is committed to
  the call, travel included (arrival alone would leave travel out). The mean is taken per hour
  of the week; a cell with fewer than ``minimum_calls`` timed calls uses its group's mean over
  the whole window instead, so a quiet hour's few calls do not swing the load.
- **Offered load** ``A = λ · AHT`` (Erlangs: units busy on calls on average).
- **Units needed**: the smallest number of units meeting a :class:`ServiceTarget` — P(wait)
  ≤ 10 % by default, or a share of calls dispatched within N minutes — by Erlang C
  (:func:`workbench.stats.erlang_c_units_needed`). A unit is ``officers_per_unit`` officers
  (1 for one-officer cars).
- **Officers on duty** per hour of the week: each shift of a patrol unit counts from its
  ``shift_start`` for its ``worked_hours`` (a partial last hour counts in part; overtime is
  assumed to follow the shift, a partial absence to end it), summed per hour and divided by
  the number of times that hour occurs in the window.
- **Saturation** = call-for-service time ÷ patrol time available = ``A ÷ units on duty``
  (:func:`workbench.stats.saturation`); the rule of 60 wants it below 0.60 (a setting).
- **Gap** = officers on duty − officers needed: negative hours are short of the target.

Erlang C assumes Poisson arrivals, exponential handling times and calls that wait rather than
leave; calls that need two units count once. Treat the result as a planning baseline.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis import calls as calls_analysis
from workbench.analysis._common import AnalysisInputError, require_columns
from workbench.analysis.hour_of_week import complete_grid, weekday_occurrences, with_hour_of_week

__all__ = [
    "DEFAULT_SATURATION_THRESHOLD",
    "ServiceTarget",
    "deployment_gap",
    "gap_summary",
    "hour_of_week_workload",
    "officers_on_duty_by_hour_of_week",
    "units_needed",
]

#: The "rule of 60": call-for-service time should stay under this share of patrol time.
DEFAULT_SATURATION_THRESHOLD = 0.60
#: Longest stretch (hours) a shift is spread over; longer worked hours are capped here.
_MAXIMUM_SHIFT_HOURS = 24
HOURS_PER_WEEK = 168


@dataclass(frozen=True)
class ServiceTarget:
    """A service target for patrol staffing (give one or both kinds).

    - ``wait_probability``: at most this share of calls waits for a free unit (default 0.10);
    - ``answer_minutes`` with ``service_level``: at least ``service_level`` of calls get a unit
      dispatched within ``answer_minutes`` (e.g. 90 % within 10 minutes).
    """

    wait_probability: float | None = 0.10
    answer_minutes: float | None = None
    service_level: float | None = None

    def __post_init__(self) -> None:
        if self.wait_probability is None and self.answer_minutes is None:
            raise AnalysisInputError("a service target needs wait_probability, or "
                                     "answer_minutes with service_level")
        if self.wait_probability is not None and not 0 < self.wait_probability < 1:
            raise AnalysisInputError(f"wait_probability must be in (0, 1); got "
                                     f"{self.wait_probability}")
        if (self.answer_minutes is None) != (self.service_level is None):
            raise AnalysisInputError("answer_minutes and service_level go together: give both "
                                     "or neither")
        if self.answer_minutes is not None and not self.answer_minutes >= 0:
            raise AnalysisInputError(f"answer_minutes must be non-negative; got "
                                     f"{self.answer_minutes}")
        if self.service_level is not None and not 0 < self.service_level < 1:
            raise AnalysisInputError(f"service_level must be in (0, 1); got {self.service_level}")

    def describe(self) -> str:
        """The target in words, e.g. ``"P(wait) ≤ 10%"``."""
        parts = []
        if self.wait_probability is not None:
            parts.append(f"P(wait) ≤ {self.wait_probability:.0%}")
        if self.answer_minutes is not None and self.service_level is not None:
            parts.append(f"{self.service_level:.0%} dispatched within {self.answer_minutes:g} min")
        return " and ".join(parts)

    def units_needed(self, arrival_rate: float, mean_handling_hours: float) -> int:
        """Smallest number of units meeting the target (0 with no calls)."""
        if not arrival_rate > 0:
            return 0
        return stats.erlang_c_units_needed(
            arrival_rate, mean_handling_hours,
            target_wait_probability=self.wait_probability,
            target_answer_time=None if self.answer_minutes is None else self.answer_minutes / 60,
            service_level=self.service_level,
        )


def _require_window(start: dt.date, as_of: dt.date) -> None:
    if start > as_of:
        raise AnalysisInputError(f"start {start} is after as_of {as_of}")


# --------------------------------------------------------------------------------------------
# Demand
# --------------------------------------------------------------------------------------------


def hour_of_week_workload(
    calls: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    by: Sequence[str] = ("division",),
    minimum_calls: int = 30,
) -> pd.DataFrame:
    """Dispatched calls per hour of the week, mean handling time and offered load per group.

    Returns:
        ``*by, day_of_week, day_name, hour, hour_of_week, calls, weeks, calls_per_hour,
        mean_handling_hours, handling_from`` (``"hour"`` or ``"group"``, see the module
        docstring), ``offered_load``; all 168 hours for every group.
    """
    _require_window(start, as_of)
    if int(minimum_calls) != minimum_calls or minimum_calls < 1:
        raise AnalysisInputError(f"minimum_calls must be a positive whole number; got "
                                 f"{minimum_calls!r}")
    by = list(by)
    require_columns(calls, ["received_at", "dispatched_at", "cleared_at", *by],
                    "calls_for_service")
    dispatched = calls.filter(calls.dispatched_at.notnull())
    demand = calls_analysis.hour_of_week_demand(dispatched, start=start, as_of=as_of, by=by)
    pooled = _pooled_handling_hours(dispatched, start=start, as_of=as_of, by=by)
    timed = _timed_calls(dispatched, start=start, as_of=as_of, by=by)
    frame = demand.merge(timed, on=[*by, "day_of_week", "hour"], how="left")
    frame["timed_calls"] = frame["timed_calls"].fillna(0)
    if by:
        frame = frame.merge(pooled, on=by, how="left")
    else:
        frame["pooled_handling_hours"] = pooled["pooled_handling_hours"].iloc[0] \
            if len(pooled) else np.nan
    use_hour = (frame["timed_calls"] >= minimum_calls) & frame["mean_handling_hours"].notna()
    frame["handling_from"] = np.where(use_hour, "hour", "group")
    frame["mean_handling_hours"] = frame["mean_handling_hours"].where(
        use_hour, frame["pooled_handling_hours"])
    frame["offered_load"] = frame["calls_per_hour"] * frame["mean_handling_hours"].fillna(0.0)
    return frame[[*by, "day_of_week", "day_name", "hour", "hour_of_week", "calls", "weeks",
                  "calls_per_hour", "mean_handling_hours", "handling_from", "offered_load"]] \
        .sort_values([*by, "hour_of_week"]).reset_index(drop=True)


def _handling_hours(table: ibis.Table) -> ibis.Value:
    hours = (table.cleared_at.epoch_seconds() - table.dispatched_at.epoch_seconds()) \
        .cast("float64") / 3600.0
    return ibis.ifelse(hours >= 0, hours, ibis.null("float64"))


def _window_filter(table: ibis.Table, start: dt.date, as_of: dt.date) -> ibis.Table:
    lower = ibis.timestamp(dt.datetime.combine(start, dt.time()))
    upper = ibis.timestamp(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    return table.filter(table.received_at >= lower, table.received_at < upper)


def _pooled_handling_hours(calls: ibis.Table, *, start: dt.date, as_of: dt.date,
                           by: list[str]) -> pd.DataFrame:
    window = _window_filter(calls, start, as_of)
    window = window.mutate(_handling=_handling_hours(window))
    grouped = window.group_by(by) if by else window
    return grouped.aggregate(pooled_handling_hours=window._handling.mean()).to_pandas()


def _timed_calls(calls: ibis.Table, *, start: dt.date, as_of: dt.date,
                 by: list[str]) -> pd.DataFrame:
    window = _window_filter(calls, start, as_of)
    window = with_hour_of_week(window, window.received_at, _handling=_handling_hours(window))
    return window.group_by([*by, "day_of_week", "hour"]).aggregate(
        timed_calls=window._handling.count()).to_pandas()


def units_needed(workload: pd.DataFrame, target: ServiceTarget | None = None, *,
                 officers_per_unit: float = 1.0) -> pd.DataFrame:
    """``workload`` with ``units_needed`` (Erlang C, see :class:`ServiceTarget`) and
    ``officers_needed`` (units × ``officers_per_unit``) per row. Never modifies ``workload``."""
    target = target or ServiceTarget()
    _require_officers_per_unit(officers_per_unit)
    require = {"calls_per_hour", "mean_handling_hours"}
    if not require <= set(workload.columns):
        raise AnalysisInputError(f"the workload frame lacks {sorted(require - set(workload.columns))}")
    frame = workload.copy()
    frame["units_needed"] = [
        target.units_needed(float(rate), float(handling)) if pd.notna(handling) else 0
        for rate, handling in zip(frame["calls_per_hour"].fillna(0.0),
                                  frame["mean_handling_hours"], strict=True)
    ]
    frame["units_needed"] = frame["units_needed"].astype("int64")
    frame["officers_needed"] = frame["units_needed"] * float(officers_per_unit)
    return frame


def _require_officers_per_unit(officers_per_unit: float) -> None:
    if not (math.isfinite(officers_per_unit) and officers_per_unit > 0):
        raise AnalysisInputError(f"officers_per_unit must be positive; got {officers_per_unit}")


# --------------------------------------------------------------------------------------------
# Supply
# --------------------------------------------------------------------------------------------


def officers_on_duty_by_hour_of_week(
    shifts: ibis.Table,
    units: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    unit_types: Sequence[str] = ("patrol",),
    by: Sequence[str] = ("division",),
) -> pd.DataFrame:
    """Mean officers on duty per hour of the week, per group of units (see the module
    docstring for how a shift is spread over the hours).

    Returns:
        ``*by, day_of_week, day_name, hour, hour_of_week, officer_hours, weeks,
        officers_on_duty, people`` — ``people`` are the members counted in the group over the
        window; all 168 hours for every group.
    """
    _require_window(start, as_of)
    by = list(by)
    require_columns(shifts, ["officer_id", "unit_id", "shift_start", "worked_hours"], "shifts")
    require_columns(units, ["unit_id", "unit_type", *by], "units")
    chosen = units.filter(units.unit_type.isin(list(unit_types))).select(
        _unit_id="unit_id", **{column: column for column in by})
    first_day = start - dt.timedelta(days=2)  # a shift started earlier can reach into start
    rows = shifts.filter(shifts.worked_hours > 0, shifts.shift_start.notnull(),
                         shifts.shift_start >= ibis.timestamp(dt.datetime.combine(first_day,
                                                                                  dt.time())),
                         shifts.shift_start < ibis.timestamp(
                             dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())))
    rows = rows.inner_join(chosen, rows.unit_id == chosen._unit_id).drop("_unit_id")
    offsets = ibis.memtable({"_offset": list(range(_MAXIMUM_SHIFT_HOURS))})
    spread = rows.cross_join(offsets)
    spread = spread.filter(spread._offset < spread.worked_hours)
    moment = spread.shift_start + spread._offset.as_interval("h")
    spread = spread.mutate(
        _moment=moment,
        _share=ibis.least(spread.worked_hours - spread._offset.cast("float64"), 1.0))
    lower = ibis.timestamp(dt.datetime.combine(start, dt.time()))
    upper = ibis.timestamp(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    spread = spread.filter(spread._moment >= lower, spread._moment < upper)
    spread = with_hour_of_week(spread, spread._moment)
    hours = spread.group_by([*by, "day_of_week", "hour"]).aggregate(
        officer_hours=spread._share.sum()).to_pandas()
    grouped = spread.group_by(by) if by else spread
    people = grouped.aggregate(people=spread.officer_id.nunique()).to_pandas()

    frame = complete_grid(hours, by=by, fill={"officer_hours": 0.0}, groups=people)
    frame["weeks"] = frame["day_of_week"].map(weekday_occurrences(start, as_of)).astype("int64")
    frame["officers_on_duty"] = frame["officer_hours"] / frame["weeks"].where(frame["weeks"] > 0)
    if by:
        frame = frame.merge(people, on=by, how="left")
    else:
        frame["people"] = people["people"].iloc[0] if len(people) else 0
    frame["people"] = frame["people"].fillna(0).astype("int64")
    return frame[[*by, "day_of_week", "day_name", "hour", "hour_of_week", "officer_hours",
                  "weeks", "officers_on_duty", "people"]] \
        .sort_values([*by, "hour_of_week"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Gap
# --------------------------------------------------------------------------------------------


def deployment_gap(
    workload: pd.DataFrame,
    on_duty: pd.DataFrame,
    target: ServiceTarget | None = None,
    *,
    by: Sequence[str] = ("division",),
    officers_per_unit: float = 1.0,
    saturation_threshold: float = DEFAULT_SATURATION_THRESHOLD,
) -> pd.DataFrame:
    """Officers needed (Erlang C) against officers on duty, per group and hour of the week.

    ``workload`` is :func:`hour_of_week_workload` output, ``on_duty``
    :func:`officers_on_duty_by_hour_of_week` output, both grouped by ``by``.

    Returns:
        ``*by, day_of_week, day_name, hour, hour_of_week, calls_per_hour,
        mean_handling_hours, offered_load, units_needed, officers_needed, officers_on_duty,
        units_on_duty, gap`` (on duty − needed; negative = short), ``short`` (gap < 0),
        ``wait_probability`` (Erlang C with the whole units on duty; 1 when they cannot keep
        up), ``saturation`` (offered load ÷ units on duty) and ``over_saturation``
        (above ``saturation_threshold``), ``people``.
    """
    target = target or ServiceTarget()
    _require_officers_per_unit(officers_per_unit)
    if not 0 < saturation_threshold <= 1:
        raise AnalysisInputError(f"saturation_threshold must be in (0, 1]; got "
                                 f"{saturation_threshold}")
    by = list(by)
    keys = [*by, "day_of_week", "hour"]
    needed = units_needed(workload, target, officers_per_unit=officers_per_unit)
    supply = on_duty[[*keys, "officers_on_duty", "people"]]
    frame = needed.merge(supply, on=keys, how="outer")
    frame["hour_of_week"] = frame["day_of_week"] * 24 + frame["hour"]
    frame["day_name"] = frame["day_of_week"].map(lambda day: calendar.day_name[int(day)])
    for column in ("calls_per_hour", "offered_load", "officers_needed", "officers_on_duty"):
        frame[column] = frame[column].fillna(0.0).astype(float)
    frame["units_needed"] = frame["units_needed"].fillna(0).astype("int64")
    frame["people"] = frame["people"].fillna(0).astype("int64")
    frame["units_on_duty"] = frame["officers_on_duty"] / float(officers_per_unit)
    frame["gap"] = frame["officers_on_duty"] - frame["officers_needed"]
    frame["short"] = frame["gap"] < 0
    frame["wait_probability"] = [
        _wait_probability(load, units) for load, units in
        zip(frame["offered_load"], frame["units_on_duty"], strict=True)]
    with np.errstate(divide="ignore", invalid="ignore"):
        available = frame["units_on_duty"].where(frame["units_on_duty"] > 0)
        frame["saturation"] = np.nan
        usable = available.notna()
        if usable.any():
            frame.loc[usable, "saturation"] = np.asarray(stats.saturation(
                frame.loc[usable, "offered_load"].to_numpy(dtype=float),
                available[usable].to_numpy(dtype=float)), dtype=float)
    frame.loc[~usable & (frame["offered_load"] > 0), "saturation"] = np.inf
    frame["over_saturation"] = (frame["saturation"] > saturation_threshold).fillna(False)
    return frame[[*by, "day_of_week", "day_name", "hour", "hour_of_week", "calls_per_hour",
                  "mean_handling_hours", "offered_load", "units_needed", "officers_needed",
                  "officers_on_duty", "units_on_duty", "gap", "short", "wait_probability",
                  "saturation", "over_saturation", "people"]] \
        .sort_values([*by, "hour_of_week"]).reset_index(drop=True)


def _wait_probability(load: float, units: float) -> float:
    """Erlang C P(wait) with the whole units on duty; 1 when none, 0 with no load."""
    servers = int(math.floor(units + 1e-9))
    if load <= 0:
        return 0.0
    if servers < 1:
        return 1.0
    return stats.erlang_c_wait_probability(load, 1.0, servers)


def gap_summary(gap: pd.DataFrame, *, by: Sequence[str] = ("division",)) -> pd.DataFrame:
    """Per group: hours of the week short of the target, the summed and largest shortfall,
    mean saturation and hours above the saturation threshold.

    Returns:
        ``*by, hours_short, officer_hours_short`` (sum of shortfalls over the week's hours:
        officer-hours a week to add), ``largest_shortfall, worst_hour`` (e.g. ``"Friday
        23:00"``), ``mean_saturation, hours_over_saturation, people``.
    """
    by = list(by)
    rows = []
    groups = gap.groupby(by, sort=True, dropna=False) if by else [((), gap)]
    for key, group in groups:
        shortfall = (-group["gap"]).clip(lower=0)
        worst = group.loc[shortfall.idxmax()] if len(group) else None
        finite = group["saturation"].replace([np.inf, -np.inf], np.nan)
        row = {
            "hours_short": int(group["short"].sum()),
            "officer_hours_short": float(shortfall.sum()),
            "largest_shortfall": float(shortfall.max()) if len(group) else 0.0,
            "worst_hour": (f"{worst['day_name']} {int(worst['hour']):02d}:00"
                           if worst is not None and shortfall.max() > 0 else ""),
            "mean_saturation": float(finite.mean()) if finite.notna().any() else np.nan,
            "hours_over_saturation": int(group["over_saturation"].sum()),
            "people": int(group["people"].max()) if len(group) else 0,
        }
        key_values = key if isinstance(key, tuple) else (key,)
        row.update(dict(zip(by, key_values, strict=True)))
        rows.append(row)
    return pd.DataFrame(rows, columns=[*by, "hours_short", "officer_hours_short",
                                       "largest_shortfall", "worst_hour", "mean_saturation",
                                       "hours_over_saturation", "people"])
