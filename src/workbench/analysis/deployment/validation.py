"""The deployment model checked against what happened.

- :func:`response_model_check` — the queueing model's predicted Priority 1 response (median
  and 90th percentile) and dispatch delay for the roster that was actually on duty, against the
  response times observed in the same weeks. Travel-time quantiles and the call-processing
  time are taken from an earlier **calibration** window, so the check is out of sample; the
  roster, arrivals and handling times are those of the checked window (the model is judged,
  not the forecast).
- :func:`demand_forecast_check` — the hour-of-week demand model (each hour's mean over the
  training weeks) predicting a held-out week, hour by hour, against the seasonal naive
  forecast (the same hour of the last training week); and how far the hourly counts scatter
  around the prediction compared with Poisson arrivals (Erlang C's assumption). It needs only
  the time each call was received, so it runs on real exports without CAD times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from workbench.analysis import calls as calls_analysis
from workbench.analysis import staffing
from workbench.analysis._common import AnalysisInputError, InsufficientDataError, require_columns
from workbench.analysis.deployment import queueing
from workbench.analysis.deployment.demand import HOURS, TRAVEL_QUANTILES, priority_one_times

__all__ = ["demand_forecast_check", "response_model_check"]

_ALL = "All divisions"


def _matrix(frame: pd.DataFrame, groups: list[str], column: str, by: str) -> np.ndarray:
    table = frame.pivot_table(index=by, columns="hour_of_week", values=column, aggfunc="sum")
    return np.nan_to_num(table.reindex(index=groups, columns=range(HOURS)).to_numpy(float))


def response_model_check(
    calls: ibis.Table,
    shifts: ibis.Table,
    units: ibis.Table,
    *,
    calibration_start: dt.date,
    calibration_end: dt.date,
    start: dt.date,
    end: dt.date,
    discipline: str = "priority",
    officers_per_unit: float = 1.0,
    minimum_calls: int = 30,
) -> pd.DataFrame:
    """Predicted against observed Priority 1 response per division and service-wide.

    Returns:
        ``division, priority_calls, on_duty_mean, predicted_wait_probability,
        predicted_dispatch_median, observed_dispatch_median, predicted_median,
        observed_median, median_error, median_relative_error, predicted_p90, observed_p90,
        p90_error, p90_relative_error`` (minutes; error = predicted − observed).
    """
    if calibration_end >= start:
        raise AnalysisInputError(f"the calibration window must end before the checked window "
                                 f"starts ({calibration_end} is not before {start})")
    travel, processing = priority_one_times(calls, start=calibration_start, as_of=calibration_end)
    _, observed_processing = priority_one_times(calls, start=start, as_of=end)
    workload = staffing.hour_of_week_workload(calls, start=start, as_of=end,
                                              minimum_calls=minimum_calls)
    on_duty = staffing.officers_on_duty_by_hour_of_week(shifts, units, start=start, as_of=end)
    dispatched = calls.filter(calls.dispatched_at.notnull(), calls.priority == 1)
    priority = calls_analysis.hour_of_week_demand(dispatched, start=start, as_of=end,
                                                  by=["division"])
    observed = calls_analysis.response_times(calls, start=start, as_of=end,
                                             by=["priority", "division"], targets=None)
    observed = observed.loc[observed["priority"] == 1].set_index("division")
    service = calls_analysis.response_times(calls, start=start, as_of=end, by=["priority"],
                                            targets=None)
    service = service.loc[service["priority"] == 1]
    groups = sorted(set(workload["division"].dropna()) & set(travel["division"].dropna())
                    & set(on_duty.loc[on_duty["people"] > 0, "division"].dropna())
                    & set(observed.index.dropna()))
    if not groups:
        raise InsufficientDataError("no division has Priority 1 calls with response times, "
                                    "officers on duty and a calibration window")
    rates = _matrix(workload, groups, "calls_per_hour", "division")
    handling = _matrix(workload, groups, "mean_handling_hours", "division")
    priority_rates = _matrix(priority, groups, "calls_per_hour", "division")
    officers = _matrix(on_duty, groups, "officers_on_duty", "division")
    columns = [f"q{i}" for i in range(len(TRAVEL_QUANTILES))]
    travel_by = travel.set_index("division")[columns]
    processing_by = processing.set_index("division")[columns]
    middle = columns[len(columns) // 2 - 1:len(columns) // 2 + 1]
    observed_dispatch = observed_processing.set_index("division")[middle].mean(axis=1)
    rows, models, dispatch_models = [], [], []
    for index, division in enumerate(groups):
        arguments = {"calls_per_hour": rates[index], "mean_handling_hours": handling[index],
                     "priority_calls_per_hour": priority_rates[index],
                     "units_on_duty": officers[index] / officers_per_unit,
                     "processing_minutes": processing_by.loc[division].to_numpy(float),
                     "discipline": discipline}
        model = queueing.response_model(travel_minutes=travel_by.loc[division].to_numpy(float),
                                        **arguments)
        dispatch = queueing.response_model(travel_minutes=np.zeros(1), **arguments)
        models.append(model)
        dispatch_models.append(dispatch)
        rows.append(_row(division, model, dispatch, officers[index],
                         observed.loc[division], observed_dispatch.get(division, np.nan)))
    rows.append(_row(_ALL, models, dispatch_models, officers.sum(axis=0),
                     service.iloc[0] if len(service) else pd.Series(dtype=float),
                     np.nan))
    return pd.DataFrame(rows)


def _row(division: str, model: queueing.ResponseModel | list[queueing.ResponseModel],
         dispatch: queueing.ResponseModel | list[queueing.ResponseModel], officers: np.ndarray,
         observed: pd.Series, observed_dispatch: float) -> dict[str, object]:
    predicted = queueing.response_percentiles(model)
    dispatched = queueing.response_percentiles(dispatch, percentiles=(0.5,))
    calls = (model.calls if isinstance(model, queueing.ResponseModel)
             else sum(m.calls for m in model))
    row: dict[str, object] = {
        "division": division, "priority_calls_per_week": calls,
        "on_duty_mean": float(np.mean(officers)),
        "predicted_wait_probability": predicted["wait_probability"],
        "predicted_dispatch_median": dispatched["p50"],
        "observed_dispatch_median": observed_dispatch,
    }
    for key, column in (("median", "median_minutes"), ("p90", "p90_minutes")):
        value = predicted["p50" if key == "median" else "p90"]
        seen = float(observed.get(column, np.nan))
        row[f"predicted_{key}"] = value
        row[f"observed_{key}"] = seen
        row[f"{key}_error"] = value - seen
        row[f"{key}_relative_error"] = (value - seen) / seen if seen else np.nan
    return row


def demand_forecast_check(
    calls: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    holdout_days: int = 7,
    by: str = "division",
    groups: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The hour-of-week profile of ``start``..(``as_of`` − ``holdout_days``) predicting the
    last ``holdout_days`` days hour by hour (all calls received; ``holdout_days`` a multiple
    of 7 keeps every hour of the week equally represented).

    Returns:
        ``(summary, hourly)``: ``summary`` per group and for all groups together —
        ``observed_calls, predicted_calls, bias`` (predicted ÷ observed − 1), ``mae``
        (mean absolute error per hour), ``wape`` (Σ|error| ÷ Σ observed), ``naive_wape``
        (same hour of the last training week), ``dispersion`` (Σ (observed − predicted)² ÷
        predicted ÷ hours: about 1 for Poisson arrivals around a known mean, slightly more
        here because the mean is itself estimated), ``training_weeks``; ``hourly``: ``group,
        hour_of_week, observed, predicted, naive``.
    """
    if holdout_days < 1:
        raise AnalysisInputError("holdout_days must be at least 1")
    require_columns(calls, ["received_at", by], "calls_for_service")
    holdout_start = as_of - dt.timedelta(days=holdout_days - 1)
    training_end = holdout_start - dt.timedelta(days=1)
    if (training_end - start).days + 1 < 7:
        raise InsufficientDataError(
            f"the demand check needs at least 7 days of training before the held-out "
            f"{holdout_days} days; {start}..{training_end} has {(training_end - start).days + 1}")
    table = calls.select(received_at=calls.received_at, _group=calls[by]).mutate(
        dispatched_at=ibis.null("timestamp"), cleared_at=ibis.null("timestamp"))
    keys = ["_group"]
    profile = calls_analysis.hour_of_week_demand(table, start=start, as_of=training_end, by=keys)
    last_week = calls_analysis.hour_of_week_demand(
        table, start=training_end - dt.timedelta(days=6), as_of=training_end, by=keys)
    held = calls_analysis.hour_of_week_demand(table, start=holdout_start, as_of=as_of, by=keys)
    names = sorted(set(profile["_group"].dropna()) if groups is None else set(groups))
    predicted = _matrix(profile, names, "calls_per_hour", "_group")
    naive = _matrix(last_week, names, "calls_per_hour", "_group")
    weeks = _matrix(held, names, "weeks", "_group")
    observed = _matrix(held, names, "calls", "_group")
    expected = predicted * weeks
    expected_naive = naive * weeks
    hourly = pd.DataFrame({
        "group": np.repeat(names, HOURS), "hour_of_week": np.tile(np.arange(HOURS), len(names)),
        "observed": observed.ravel(), "predicted": expected.ravel(),
        "naive": expected_naive.ravel()})
    rows = [_accuracy(name, observed[i], expected[i], expected_naive[i])
            for i, name in enumerate(names)]
    rows.append(_accuracy("All", observed.sum(axis=0), expected.sum(axis=0),
                          expected_naive.sum(axis=0)))
    summary = pd.DataFrame(rows)
    summary["training_weeks"] = ((training_end - start).days + 1) / 7.0
    return summary.rename(columns={"group": by}), hourly


def _accuracy(name: str, observed: np.ndarray, predicted: np.ndarray,
              naive: np.ndarray) -> dict[str, object]:
    total = float(observed.sum())
    error = np.abs(predicted - observed)
    used = predicted > 0
    return {
        "group": name, "observed_calls": total, "predicted_calls": float(predicted.sum()),
        "bias": float(predicted.sum()) / total - 1.0 if total else np.nan,
        "mae": float(error.mean()),
        "wape": float(error.sum()) / total if total else np.nan,
        "naive_wape": float(np.abs(naive - observed).sum()) / total if total else np.nan,
        "dispersion": float((((observed - predicted) ** 2)[used] / predicted[used]).sum()
                            / max(int(used.sum()), 1)),
    }
