"""Forecast demand by hour of the week, and everything a deployment plan needs that does not
depend on the scenario (:func:`prepare_inputs`, computed once; scenarios are then cheap).

Forecast demand
---------------
The **shape** of the week comes from the recent window (``start``..``as_of``, e.g. 13 weeks):
dispatched calls per hour of the week and their handling time
(:func:`workbench.analysis.staffing.hour_of_week_workload`). The **level** comes from the ETS
forecast of each division's monthly dispatched calls
(:func:`workbench.analysis.forecast.forecast_counts`, with its back-test): for the
``horizon_months`` months after the last complete month,

    growth factor = forecast calls per day ÷ calls per day observed in the window,

and every hour's arrivals are scaled by it (so a quieter season ahead, or a trend, moves the
whole week). With too little history for the model (e.g. a few weeks of a real export) the
factor is 1 and ``forecast_method`` says why.

Also measured here, per division, from the same window: Priority 1 arrivals per hour, the
arrivals and mean handling time of each call type (non-Priority 1: the calls a scenario may
divert to an alternative response), Priority 1 travel-time quantiles (``arrived_at −
dispatched_at``) and call-processing time (``dispatched_at − received_at``) for the
response model, the officers on duty per hour under the current roster, the division's
minimum staffing (the largest ``minimum_staffing`` of its patrol units: one platoon is on duty
at a time), and the cost rates (:func:`~workbench.analysis.deployment.costs.cost_rates`, over
the year ending ``as_of``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.common.exceptions as ibis_errors
import numpy as np
import pandas as pd

from workbench.analysis import calls as calls_analysis
from workbench.analysis import staffing
from workbench.analysis._common import (
    AnalysisInputError,
    InsufficientDataError,
    months_back,
    next_period_start,
    period_key,
    period_start_from_key,
    require_columns,
    within_dates,
)
from workbench.analysis.deployment.costs import cost_rates
from workbench.analysis.forecast import forecast_counts

__all__ = ["TRAVEL_QUANTILES", "DeploymentInputs", "forecast_growth", "prepare_inputs",
           "priority_one_times"]

#: Quantile levels of Priority 1 travel time kept for the response model.
TRAVEL_QUANTILES = tuple(float(q) for q in np.round(np.arange(0.0125, 1.0, 0.025), 4))
HOURS = 168


@dataclass(frozen=True)
class DeploymentInputs:
    """Everything a scenario needs, per division (arrays: one row per division, in
    ``divisions`` order; 168 columns = hours of the week from Monday 00:00).

    Attributes:
        start, as_of: the demand window.
        calls_per_hour: forecast dispatched calls per hour.
        handling_hours: mean handling time (hours) per hour of the week.
        priority_calls_per_hour: forecast Priority 1 calls per hour.
        type_calls_per_hour: divisions × ``call_types`` × 168 forecast non-Priority-1 calls.
        type_handling_hours: divisions × ``call_types`` mean handling time.
        current_on_duty: officers on duty per hour under the current roster.
        minimum_staffing: the division's minimum officers on duty.
        travel_minutes: divisions × :data:`TRAVEL_QUANTILES` Priority 1 travel times.
        processing_minutes: divisions × :data:`TRAVEL_QUANTILES` Priority 1 call-processing
            times (received → dispatched).
        rates: :func:`~workbench.analysis.deployment.costs.cost_rates` output.
        forecast: per division ``window_calls_per_day, forecast_calls_per_day,
            growth_factor, forecast_method, backtest_mape, planning_months``.
        demand: a tidy frame for charts (``division, hour_of_week, day_name, hour,
            observed_calls_per_hour, calls_per_hour, mean_handling_hours, offered_load,
            priority_calls_per_hour, current_on_duty``).
    """

    start: dt.date
    as_of: dt.date
    divisions: tuple[str, ...]
    call_types: tuple[str, ...]
    calls_per_hour: np.ndarray
    handling_hours: np.ndarray
    priority_calls_per_hour: np.ndarray
    type_calls_per_hour: np.ndarray
    type_handling_hours: np.ndarray
    current_on_duty: np.ndarray
    minimum_staffing: np.ndarray
    travel_minutes: np.ndarray
    processing_minutes: np.ndarray
    rates: pd.DataFrame
    forecast: pd.DataFrame
    demand: pd.DataFrame

    def index_of(self, division: str) -> int:
        """Row of ``division`` in the arrays (an error naming the divisions known)."""
        try:
            return self.divisions.index(division)
        except ValueError:
            raise AnalysisInputError(f"unknown division {division!r}; known: "
                                     f"{', '.join(self.divisions)}") from None


def _matrix(frame: pd.DataFrame, divisions: tuple[str, ...], column: str) -> np.ndarray:
    """divisions × 168 array of ``column`` (0 where a division or hour is missing)."""
    table = frame.pivot_table(index="division", columns="hour_of_week", values=column,
                              aggfunc="sum", dropna=False)
    table = table.reindex(index=list(divisions), columns=range(HOURS))
    return np.nan_to_num(table.to_numpy(dtype=float))


def _monthly_dispatched(calls: ibis.Table, *, first: dt.date, last_day: dt.date) -> pd.DataFrame:
    window = calls.filter(calls.dispatched_at.notnull(),
                          within_dates(calls.received_at, first, last_day))
    window = window.mutate(_month=period_key(window.received_at, "month"))
    frame = window.group_by(["division", "_month"]).aggregate(calls=window.count()).to_pandas()
    frame["month"] = period_start_from_key(frame["_month"], "month")
    return frame.drop(columns="_month")


def forecast_growth(
    calls: ibis.Table,
    window_calls: pd.Series,
    *,
    start: dt.date,
    as_of: dt.date,
    horizon_months: int = 3,
    history_months: int = 60,
    backtest_months: int = 12,
) -> pd.DataFrame:
    """Per division, the ETS forecast of dispatched calls per day over the ``horizon_months``
    after the last complete month, against ``window_calls`` (division → dispatched calls in
    ``start``..``as_of``). See the module docstring.

    Returns:
        ``division, window_calls_per_day, forecast_calls_per_day, growth_factor,
        forecast_method, backtest_mape, planning_months`` (e.g. ``"Dec 2026–Feb 2027"``).
    """
    if not 1 <= horizon_months <= 24:
        raise AnalysisInputError(f"horizon_months must be 1 to 24; got {horizon_months}")
    this_month = as_of.replace(day=1)
    complete = next_period_start(this_month, "month") - dt.timedelta(days=1) == as_of
    last_complete = this_month if complete else months_back(as_of, 1)
    first = months_back(last_complete, history_months - 1)
    last_day = next_period_start(last_complete, "month") - dt.timedelta(days=1)
    monthly = _monthly_dispatched(calls, first=first, last_day=last_day)
    earliest = calls.received_at.min().to_pandas()
    data_start = pd.Timestamp(earliest).date() if earliest is not None and not pd.isna(
        earliest) else as_of
    full_from = data_start if data_start.day == 1 else next_period_start(
        data_start.replace(day=1), "month")
    months = pd.date_range(max(first, full_from), last_complete, freq="MS")
    planning = pd.date_range(next_period_start(last_complete, "month"), periods=horizon_months,
                             freq="MS")
    planning_days = float(sum(calendar.monthrange(m.year, m.month)[1] for m in planning))
    window_days = float((as_of - start).days + 1)
    label = f"{planning[0]:%b %Y}–{planning[-1]:%b %Y}"
    rows = []
    for division, observed in window_calls.items():
        per_day = float(observed) / window_days
        counts = monthly.loc[monthly["division"] == division].set_index("month")["calls"]
        series = counts.reindex(months, fill_value=0).astype(float)
        row = {"division": division, "window_calls_per_day": per_day,
               "forecast_calls_per_day": per_day, "growth_factor": 1.0,
               "backtest_mape": np.nan, "planning_months": label}
        try:
            result = forecast_counts(series, horizon=horizon_months,
                                     backtest_months=backtest_months)
        except InsufficientDataError as error:
            row["forecast_method"] = f"no forecast ({error}); the window's level is used"
        else:
            forecast_per_day = float(result.forecast["forecast"].clip(lower=0).sum()) \
                / planning_days
            row.update(forecast_calls_per_day=forecast_per_day,
                       growth_factor=forecast_per_day / per_day if per_day > 0 else 1.0,
                       forecast_method=result.method,
                       backtest_mape=result.mean_absolute_percentage_error)
        rows.append(row)
    return pd.DataFrame(rows, columns=["division", "window_calls_per_day",
                                       "forecast_calls_per_day", "growth_factor",
                                       "forecast_method", "backtest_mape", "planning_months"])


def _quantiles(values: ibis.Value, table: ibis.Table, levels: list[float]) -> pd.DataFrame:
    """``division`` and one column per level (``q0``, ``q1``…), computed in the engine."""
    grouped = table.group_by("division")
    try:
        frame = grouped.aggregate(_q=values.quantile(levels)).to_pandas()
        stacked = np.vstack([np.asarray(v, dtype=float) for v in frame.pop("_q")]) \
            if len(frame) else np.empty((0, len(levels)))
        for index in range(len(levels)):
            frame[f"q{index}"] = stacked[:, index]
        return frame
    except (ibis_errors.OperationNotDefinedError, ibis_errors.UnsupportedOperationError):
        return grouped.aggregate(**{f"q{index}": values.quantile(level)
                                    for index, level in enumerate(levels)}).to_pandas()


def priority_one_times(calls: ibis.Table, *, start: dt.date,
                        as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quantiles (:data:`TRAVEL_QUANTILES`, columns ``q0``…) of Priority 1 travel time
    (dispatched → arrived) and processing time (received → dispatched) per division."""
    window = calls.filter(calls.priority == 1, calls.dispatched_at.notnull(),
                          within_dates(calls.received_at, start, as_of))
    travel = (window.arrived_at.epoch_seconds() - window.dispatched_at.epoch_seconds()) \
        .cast("float64") / 60.0
    arrived = window.filter(window.arrived_at.notnull()).mutate(_travel=travel)
    arrived = arrived.filter(arrived._travel >= 0)
    travel_frame = _quantiles(arrived._travel, arrived, list(TRAVEL_QUANTILES))
    processing = (window.dispatched_at.epoch_seconds() - window.received_at.epoch_seconds()) \
        .cast("float64") / 60.0
    timed = window.mutate(_processing=processing)
    timed = timed.filter(timed._processing >= 0)
    processing_frame = _quantiles(timed._processing, timed, list(TRAVEL_QUANTILES))
    return travel_frame, processing_frame


def _type_handling(dispatched: ibis.Table, *, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    window = dispatched.filter(within_dates(dispatched.received_at, start, as_of))
    hours = (window.cleared_at.epoch_seconds() - window.dispatched_at.epoch_seconds()) \
        .cast("float64") / 3600.0
    window = window.mutate(_handling=ibis.ifelse(hours >= 0, hours, ibis.null("float64")))
    return window.group_by(["division", "call_type"]).aggregate(
        type_handling_hours=window._handling.mean()).to_pandas()


def prepare_inputs(
    calls: ibis.Table,
    shifts: ibis.Table,
    units: ibis.Table,
    personnel: ibis.Table,
    finance: ibis.Table | None = None,
    *,
    start: dt.date,
    as_of: dt.date,
    horizon_months: int = 3,
    history_months: int = 60,
    backtest_months: int = 12,
    minimum_calls: int = 30,
) -> DeploymentInputs:
    """Compute the scenario-independent inputs once (see the module docstring).

    ``start``..``as_of`` is the demand window (13 weeks is usual); costs and absences use the
    365 days ending ``as_of``. Divisions are those with both dispatched calls and patrol
    units on duty in the window.
    """
    if start > as_of:
        raise AnalysisInputError(f"start {start} is after as_of {as_of}")
    require_columns(calls, ["received_at", "dispatched_at", "arrived_at", "cleared_at",
                            "priority", "call_type", "division"], "calls_for_service")
    workload = staffing.hour_of_week_workload(calls, start=start, as_of=as_of,
                                              minimum_calls=minimum_calls)
    on_duty = staffing.officers_on_duty_by_hour_of_week(shifts, units, start=start, as_of=as_of)
    divisions = tuple(sorted(set(workload["division"].dropna())
                             & set(on_duty.loc[on_duty["people"] > 0, "division"].dropna())))
    if not divisions:
        raise InsufficientDataError(f"no division has both dispatched calls and patrol officers "
                                    f"on duty between {start} and {as_of}")
    window_calls = workload.groupby("division")["calls"].sum().reindex(list(divisions))
    growth = forecast_growth(calls, window_calls, start=start, as_of=as_of,
                             horizon_months=horizon_months, history_months=history_months,
                             backtest_months=backtest_months)
    factor = growth.set_index("division")["growth_factor"].reindex(list(divisions)) \
        .to_numpy(dtype=float)[:, None]

    dispatched = calls.filter(calls.dispatched_at.notnull())
    priority = calls_analysis.hour_of_week_demand(
        dispatched.filter(dispatched.priority == 1), start=start, as_of=as_of, by=["division"])
    others = dispatched.filter((dispatched.priority != 1) | dispatched.priority.isnull())
    by_type = calls_analysis.hour_of_week_demand(others, start=start, as_of=as_of,
                                                 by=["division", "call_type"])
    by_type = by_type.loc[by_type["division"].isin(divisions) & by_type["call_type"].notna()]
    call_types = tuple(sorted(by_type["call_type"].unique()))
    type_rates = np.zeros((len(divisions), len(call_types), HOURS))
    position = {name: index for index, name in enumerate(call_types)}
    rows = by_type["division"].map({d: i for i, d in enumerate(divisions)}).to_numpy()
    columns = by_type["call_type"].map(position).to_numpy()
    np.add.at(type_rates, (rows, columns, by_type["hour_of_week"].to_numpy()),
              by_type["calls_per_hour"].fillna(0.0).to_numpy())
    handling = _type_handling(others, start=start, as_of=as_of)
    handling = handling.loc[handling["division"].isin(divisions) & handling["call_type"].isin(
        call_types)]
    type_handling = np.zeros((len(divisions), len(call_types)))
    type_handling[handling["division"].map({d: i for i, d in enumerate(divisions)}).to_numpy(),
                  handling["call_type"].map(position).to_numpy()] = \
        handling["type_handling_hours"].fillna(0.0).to_numpy()

    travel, processing = priority_one_times(calls, start=start, as_of=as_of)
    quantile_columns = [f"q{i}" for i in range(len(TRAVEL_QUANTILES))]
    travel_minutes = travel.set_index("division").reindex(list(divisions))[
        quantile_columns].to_numpy(float)
    processing_minutes = processing.set_index("division").reindex(list(divisions))[
        quantile_columns].to_numpy(float)

    patrol = units.filter(units.unit_type == "patrol", units.minimum_staffing.notnull())
    minimum = patrol.group_by("division").aggregate(
        minimum=patrol.minimum_staffing.max()).to_pandas().set_index("division")["minimum"]
    minimum_staffing = minimum.reindex(list(divisions)).fillna(0).to_numpy(dtype=float)
    rates = cost_rates(shifts, units, personnel, finance, start=as_of - dt.timedelta(days=364),
                       end=as_of)
    rates = rates.set_index("division").reindex(list(divisions)).reset_index()

    calls_per_hour = _matrix(workload, divisions, "calls_per_hour")
    demand = workload.loc[workload["division"].isin(divisions),
                          ["division", "hour_of_week", "day_name", "hour", "calls_per_hour",
                           "mean_handling_hours"]].rename(
        columns={"calls_per_hour": "observed_calls_per_hour"}).reset_index(drop=True)
    forecast_rates = calls_per_hour * factor
    demand["calls_per_hour"] = forecast_rates[
        demand["division"].map({d: i for i, d in enumerate(divisions)}).to_numpy(),
        demand["hour_of_week"].to_numpy()]
    demand["offered_load"] = demand["calls_per_hour"] * demand["mean_handling_hours"].fillna(0)
    current = _matrix(on_duty, divisions, "officers_on_duty")
    priority_rates = _matrix(priority, divisions, "calls_per_hour") * factor
    index = (demand["division"].map({d: i for i, d in enumerate(divisions)}).to_numpy(),
             demand["hour_of_week"].to_numpy())
    demand["priority_calls_per_hour"] = priority_rates[index]
    demand["current_on_duty"] = current[index]
    return DeploymentInputs(
        start=start, as_of=as_of, divisions=divisions, call_types=call_types,
        calls_per_hour=forecast_rates,
        handling_hours=_matrix(workload, divisions, "mean_handling_hours"),
        priority_calls_per_hour=priority_rates,
        type_calls_per_hour=type_rates * factor[:, :, None],
        type_handling_hours=type_handling, current_on_duty=current,
        minimum_staffing=minimum_staffing, travel_minutes=travel_minutes,
        processing_minutes=processing_minutes, rates=rates, forecast=growth, demand=demand)
