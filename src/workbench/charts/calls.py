"""Charts of calls for service: hour-of-week demand, response times against target, and the
share of calls suited to an alternative response (inputs from :mod:`workbench.analysis.calls`).
"""

from __future__ import annotations

import calendar

import altair as alt
import pandas as pd

__all__ = ["alternative_response_chart", "hour_of_week_heatmap", "response_time_trend_chart"]

_DAY_ORDER = list(calendar.day_name)
_TARGET = "#D55E00"


def hour_of_week_heatmap(demand: pd.DataFrame, *, value: str = "calls_per_hour",
                         value_title: str = "Calls per hour",
                         title: str = "Demand by hour of the week") -> alt.Chart:
    """A 7 × 24 heatmap: day of week (rows, Monday first) by hour (columns), coloured by
    ``value`` (``calls_per_hour`` or ``offered_load``) from
    :func:`~workbench.analysis.calls.hour_of_week_demand` (one group: filter first)."""
    data = demand[["day_name", "hour", value, "calls", "weeks"]].reset_index(drop=True)
    return alt.Chart(data, title=title).mark_rect().encode(
        x=alt.X("hour:O", title="Hour of day", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day_name:O", title=None, sort=_DAY_ORDER),
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("day_name:O", title="Day"), alt.Tooltip("hour:O", title="Hour"),
                 alt.Tooltip(f"{value}:Q", format=".2f", title=value_title),
                 alt.Tooltip("calls:Q", title="Calls in the window"),
                 alt.Tooltip("weeks:Q", title="Weeks averaged")],
    )


def response_time_trend_chart(trend: pd.DataFrame, *, measure: str = "p90_minutes",
                              color: str | None = None, target_minutes: float | None = None,
                              title: str = "Response time",
                              ) -> alt.LayerChart:
    """Response time per period (``measure``: ``p90_minutes`` or ``median_minutes``) with a
    dashed rule at the target.

    ``trend`` is :func:`~workbench.analysis.calls.response_time_trend` output for one priority
    (filter first); ``color`` draws one line per group (e.g. ``"division"``). The target is
    ``target_minutes`` or, by default, the frame's ``target_minutes`` when it has one value.
    Periods only partly covered are drawn as faint points.
    """
    labels = {"p90_minutes": "90th percentile (minutes)", "median_minutes": "Median (minutes)"}
    columns = ["period_start", measure, "share_within_target", "complete",
               *([color] if color else [])]
    data = trend[columns].reset_index(drop=True)
    if target_minutes is None and "target_minutes" in trend.columns:
        targets = trend["target_minutes"].dropna().unique()
        target_minutes = float(targets[0]) if len(targets) == 1 else None
    encoding = {
        "x": alt.X("period_start:T", title=None),
        "y": alt.Y(f"{measure}:Q", title=labels.get(measure, measure)),
        "tooltip": [alt.Tooltip("period_start:T", title="Period"),
                    alt.Tooltip(f"{measure}:Q", format=".1f"),
                    alt.Tooltip("share_within_target:Q", format=".0%",
                                title="Share within target"),
                    *([alt.Tooltip(f"{color}:N")] if color else [])],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color.replace("_", " ").capitalize())
    base = alt.Chart(data)
    lines = base.mark_line().encode(**encoding)
    points = base.mark_point(filled=True, size=35).encode(
        **encoding, opacity=alt.condition("datum.complete", alt.value(1.0), alt.value(0.35)))
    layers = [lines, points]
    if target_minutes is not None:
        rule = alt.Chart(pd.DataFrame({"target": [target_minutes]})).mark_rule(
            strokeDash=[6, 4], color=_TARGET).encode(
            y="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target (minutes)")])
        layers.append(rule)
    return alt.layer(*layers).properties(title=title)


def alternative_response_chart(share: pd.DataFrame, *, color: str | None = None,
                               title: str = "Share of calls suited to an alternative response",
                               ) -> alt.Chart:
    """Line of the share of calls on the alternative-response list per period
    (:func:`~workbench.analysis.calls.alternative_response_share`)."""
    columns = ["period_start", "share", "calls", "alternative_calls",
               *([color] if color else [])]
    data = share[columns].reset_index(drop=True)
    encoding = {
        "x": alt.X("period_start:T", title=None),
        "y": alt.Y("share:Q", title="Share of calls", axis=alt.Axis(format="%")),
        "tooltip": [alt.Tooltip("period_start:T", title="Period"),
                    alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("calls:Q", format=","),
                    alt.Tooltip("alternative_calls:Q", format=",")],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N")
    return alt.Chart(data, title=title).mark_line(point=True).encode(**encoding)
