"""Calls for service: hour-of-week demand, response times against targets, and the share of
calls suited to an alternative (non-police) response.

Response time is ``arrived_at − received_at`` in minutes, for calls a unit arrived at (calls
with no arrival, or an arrival stamped before the call was received, are counted but have no
response time). Medians and 90th percentiles are exact (linear interpolation, the same on
DuckDB's ``quantile_cont`` and Spark's ``percentile``) and computed in the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.common.exceptions as ibis_errors
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from workbench.analysis._common import (
    AnalysisInputError,
    InsufficientDataError,
    count_sum,
    period_key,
    period_start_from_key,
    period_table,
    require_columns,
    require_period,
    within_dates,
    zero_filled,
)
from workbench.analysis.hour_of_week import complete_grid, weekday_occurrences, with_hour_of_week

__all__ = [
    "DEFAULT_RESPONSE_TARGETS",
    "ResponseTarget",
    "alternative_response_share",
    "hour_of_week_demand",
    "require_arrival_times",
    "response_time_trend",
    "response_times",
]


@dataclass(frozen=True)
class ResponseTarget:
    """A response-time target: ``share`` of calls answered within ``minutes`` (e.g. 15, 0.9)."""

    minutes: float
    share: float = 0.9

    def __post_init__(self) -> None:
        if not self.minutes > 0:
            raise AnalysisInputError(f"a target's minutes must be positive; got {self.minutes}")
        if not 0 < self.share <= 1:
            raise AnalysisInputError(f"a target's share must be in (0, 1]; got {self.share}")


#: An example target (Priority 1 within 15 minutes for 90% of calls); a setting, not a standard.
DEFAULT_RESPONSE_TARGETS: Mapping[int, ResponseTarget] = {1: ResponseTarget(15.0, 0.9)}


def _elapsed_seconds(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """``end − start`` in seconds as a double (cast first: Spark would otherwise divide it as a
    decimal by the literal and round to six decimal places)."""
    return (end.epoch_seconds() - start.epoch_seconds()).cast("float64")


def _require_window(start: dt.date, as_of: dt.date) -> None:
    if start > as_of:
        raise AnalysisInputError(f"start {start} is after as_of {as_of}")


# --------------------------------------------------------------------------------------------
# Hour-of-week demand
# --------------------------------------------------------------------------------------------


def hour_of_week_demand(
    calls: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Calls per hour of the week (168 cells), averaged over the weeks from ``start`` to ``as_of``.

    ``calls_per_hour`` for Monday 14:00 is the number of calls received in Monday 14:00–14:59
    hours in the window divided by the number of Mondays in it (``weeks``), so a window that
    is not a whole number of weeks is still averaged fairly. ``mean_handling_hours`` is the
    mean of ``cleared_at − dispatched_at`` over calls with both (the time a unit is busy) and
    ``offered_load = calls_per_hour × mean_handling_hours`` (Erlangs), the input to
    :func:`workbench.stats.erlang_c_units_needed`.

    Returns:
        ``*by, day_of_week`` (0 = Monday), ``day_name, hour, hour_of_week`` (0–167),
        ``calls, weeks, calls_per_hour, mean_handling_hours, offered_load``; every one of the
        168 cells for each group, 0 where there were no calls.
    """
    by = list(by)
    require_columns(calls, ["received_at", "dispatched_at", "cleared_at", *by],
                    "calls_for_service")
    _require_window(start, as_of)
    window = calls.filter(within_dates(calls.received_at, start, as_of))
    handling = _elapsed_seconds(window.dispatched_at, window.cleared_at) / 3600.0
    valid_handling = ibis.ifelse(handling >= 0, handling, ibis.null("float64"))
    marked = with_hour_of_week(window, window.received_at, handling_hours=valid_handling)
    grouped = marked.group_by([*by, "day_of_week", "hour"]).aggregate(
        calls=marked.count(),
        handled=marked.handling_hours.count(),
        handling_hours_total=marked.handling_hours.sum(),
    ).to_pandas()
    frame = complete_grid(grouped, by=by,
                          fill={"calls": 0, "handled": 0, "handling_hours_total": 0.0})
    weeks = weekday_occurrences(start, as_of)
    frame["weeks"] = frame["day_of_week"].map(weeks).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["calls_per_hour"] = np.where(frame["weeks"] > 0, frame["calls"] / frame["weeks"],
                                           np.nan)
        frame["mean_handling_hours"] = np.where(
            frame["handled"] > 0, frame["handling_hours_total"] / frame["handled"], np.nan)
    frame["offered_load"] = frame["calls_per_hour"] * frame["mean_handling_hours"]
    return frame.sort_values([*by, "hour_of_week"]).reset_index(drop=True)[
        [*by, "day_of_week", "day_name", "hour", "hour_of_week", "calls", "weeks",
         "calls_per_hour", "mean_handling_hours", "offered_load"]]


# --------------------------------------------------------------------------------------------
# Response times
# --------------------------------------------------------------------------------------------


def _normalise_targets(
    targets: Mapping[int, ResponseTarget | float] | None,
) -> dict[int, ResponseTarget]:
    result = {}
    for priority, target in (targets or {}).items():
        result[int(priority)] = (target if isinstance(target, ResponseTarget)
                                 else ResponseTarget(float(target)))
    return result


def _target_minutes(priority: ir.IntegerValue,
                    targets: Mapping[int, ResponseTarget]) -> ir.FloatingValue:
    if not targets:
        return ibis.null("float64")
    return ibis.cases(*((priority == p, float(t.minutes)) for p, t in targets.items()),
                      else_=ibis.null("float64"))


#: The response-time percentiles reported: the median and the 90th percentile.
_PERCENTILES = (0.5, 0.9)


def _split_percentiles(values: pd.Series) -> list[pd.Series]:
    """One float Series per entry of :data:`_PERCENTILES` from a column of percentile lists
    (a group without any response time has NULL instead of a list)."""
    rows = [np.full(len(_PERCENTILES), np.nan) if value is None
            or (np.ndim(value) == 0 and pd.isna(value)) else np.asarray(value, dtype=float)
            for value in values]
    table = np.vstack(rows) if rows else np.empty((0, len(_PERCENTILES)))
    return [pd.Series(table[:, index], index=values.index, dtype=float)
            for index in range(len(_PERCENTILES))]


def _response_aggregates(
    calls: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    keys: Sequence[str],
    targets: Mapping[int, ResponseTarget],
    period: str | None,
) -> pd.DataFrame:
    window = calls.filter(within_dates(calls.received_at, start, as_of))
    minutes = _elapsed_seconds(window.received_at, window.arrived_at) / 60.0
    prepared = window.mutate(
        response_minutes=ibis.ifelse(window.arrived_at.notnull() & (minutes >= 0), minutes,
                                     ibis.null("float64")),
        target_minutes=_target_minutes(window.priority, targets),
    )
    if period is not None:
        prepared = prepared.mutate(period_start=period_key(prepared.received_at, period))
        keys = ["period_start", *keys]
    judged = prepared.response_minutes.notnull() & prepared.target_minutes.notnull()
    counts = {
        "calls": prepared.count(),
        "arrived": prepared.response_minutes.count(),
        "judged": count_sum(judged),
        "within_target": count_sum(judged & (prepared.response_minutes
                                             <= prepared.target_minutes)),
    }
    grouping = prepared.group_by(list(keys))
    try:
        # Both percentiles from one sort per group (DuckDB, Spark, Postgres, ClickHouse)
        grouped = grouping.aggregate(
            **counts, percentiles=prepared.response_minutes.quantile(list(_PERCENTILES))
        ).to_pandas()
        percentiles = _split_percentiles(grouped.pop("percentiles"))
    except (ibis_errors.OperationNotDefinedError, ibis_errors.UnsupportedOperationError):
        # engines with single but no multiple quantiles: one aggregate per percentile
        grouped = grouping.aggregate(
            **counts, **{f"_p{index}": prepared.response_minutes.quantile(share)
                         for index, share in enumerate(_PERCENTILES)}).to_pandas()
        percentiles = [grouped.pop(f"_p{index}") for index in range(len(_PERCENTILES))]
    grouped["median_minutes"], grouped["p90_minutes"] = percentiles
    grouped = grouped[[*keys, "calls", "arrived", "median_minutes", "p90_minutes", "judged",
                       "within_target"]]
    if period is not None:
        grouped["period_start"] = period_start_from_key(grouped["period_start"], period)
    for column in ("calls", "arrived", "judged", "within_target"):
        grouped[column] = grouped[column].fillna(0).astype("int64")
    for column in ("median_minutes", "p90_minutes"):
        grouped[column] = grouped[column].astype(float)
    return grouped


def _add_target_columns(frame: pd.DataFrame, targets: Mapping[int, ResponseTarget]) -> None:
    """Add target and compliance columns in place (``frame`` is a fresh local aggregate)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["share_within_target"] = np.where(
            frame["judged"] > 0, frame["within_target"] / frame["judged"], np.nan)
    if "priority" in frame.columns:
        frame["target_minutes"] = frame["priority"].map(
            lambda p: targets[int(p)].minutes if pd.notna(p) and int(p) in targets else np.nan)
        frame["target_share"] = frame["priority"].map(
            lambda p: targets[int(p)].share if pd.notna(p) and int(p) in targets else np.nan)
        frame["meets_target"] = np.where(
            frame["share_within_target"].notna() & frame["target_share"].notna(),
            frame["share_within_target"] >= frame["target_share"], pd.NA)
        frame["meets_target"] = frame["meets_target"].astype("boolean")


def response_times(
    calls: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    by: Sequence[str] = ("priority", "division"),
    targets: Mapping[int, ResponseTarget | float] | None = DEFAULT_RESPONSE_TARGETS,
) -> pd.DataFrame:
    """Response time (arrived − received, minutes) by group, against per-priority targets.

    Args:
        calls: the canonical ``calls_for_service`` table.
        start, as_of: calls received on these days (inclusive) are included.
        by: grouping columns; include ``"priority"`` to get the target columns.
        targets: priority → :class:`ResponseTarget` (or plain minutes, at 90%); calls of a
            priority without a target are not judged.

    Returns:
        ``*by, calls, arrived`` (calls with a response time), ``median_minutes,
        p90_minutes, judged`` (calls with a response time and a target), ``within_target,
        share_within_target`` and, when grouped by priority, ``target_minutes, target_share,
        meets_target`` (share within target ≥ the target share; NA without a target).
    """
    by = list(by)
    require_columns(calls, ["received_at", "arrived_at", "priority", *by], "calls_for_service")
    _require_window(start, as_of)
    normalised = _normalise_targets(targets)
    frame = _response_aggregates(calls, start=start, as_of=as_of, keys=by, targets=normalised,
                                 period=None)
    _add_target_columns(frame, normalised)
    return frame.sort_values(by).reset_index(drop=True) if by else frame


def require_arrival_times(response: pd.DataFrame) -> pd.DataFrame:
    """``response`` (:func:`response_times` or :func:`response_time_trend` output), unchanged,
    when at least one of its calls has a response time.

    Raises:
        InsufficientDataError: none has — the source records no arrival times (an open-data
        export with the call's creation time only) or no unit arrived in the window.
    """
    if int(response["arrived"].sum()) == 0:
        received = int(response["calls"].sum())
        raise InsufficientDataError(
            f"none of the {received:,} calls has a response time: the data record no arrival "
            "of a unit on scene (arrived_at), so response times cannot be measured"
            if received else "there are no calls in the window")
    return response


def response_time_trend(
    calls: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    period: str = "month",
    by: Sequence[str] = ("priority",),
    targets: Mapping[int, ResponseTarget | float] | None = DEFAULT_RESPONSE_TARGETS,
) -> pd.DataFrame:
    """:func:`response_times` per week or month: the same columns plus ``period_start`` and
    ``complete`` (false for a period only partly inside ``start``..``as_of``)."""
    by = list(by)
    require_period(period, ("week", "month", "year"))
    require_columns(calls, ["received_at", "arrived_at", "priority", *by], "calls_for_service")
    _require_window(start, as_of)
    normalised = _normalise_targets(targets)
    frame = _response_aggregates(calls, start=start, as_of=as_of, keys=by, targets=normalised,
                                 period=period)
    _add_target_columns(frame, normalised)
    complete = period_table(start, as_of, period).set_index("period_start")["complete"]
    frame["complete"] = frame["period_start"].map(complete).fillna(False).astype(bool)
    return frame.sort_values([*by, "period_start"]).reset_index(drop=True)


def alternative_response_share(
    calls: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    call_types: Sequence[str],
    period: str = "month",
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Share of calls whose ``call_type`` is on the ``call_types`` list (a setting: the call
    types the service considers suited to a non-police or alternative response).

    Returns:
        ``period_start, *by, calls, alternative_calls, share, complete``, zero-filled over
        periods for each group.
    """
    by = list(by)
    types = list(call_types)
    if not types:
        raise AnalysisInputError("call_types must name at least one call type")
    require_period(period)
    require_columns(calls, ["received_at", "call_type", *by], "calls_for_service")
    _require_window(start, as_of)
    window = calls.filter(within_dates(calls.received_at, start, as_of))
    bucketed = window.mutate(period_start=period_key(window.received_at, period))
    grouped = bucketed.group_by(["period_start", *by]).aggregate(
        calls=bucketed.count(),
        alternative_calls=count_sum(bucketed.call_type.isin(types)),
    ).to_pandas()
    grouped["period_start"] = period_start_from_key(grouped["period_start"], period)
    periods = period_table(start, as_of, period)
    frame = zero_filled(grouped, period_column="period_start",
                        period_values=list(periods["period_start"]), group_columns=by,
                        value_columns=["calls", "alternative_calls"])
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["share"] = np.where(frame["calls"] > 0,
                                  frame["alternative_calls"] / frame["calls"], np.nan)
    frame = frame.merge(periods, on="period_start", how="left")
    return frame[["period_start", *by, "calls", "alternative_calls", "share", "complete"]]
