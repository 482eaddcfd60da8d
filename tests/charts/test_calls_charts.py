"""Calls-for-service and collision charts: valid Vega-Lite, the right encodings and data."""

import calendar

import pandas as pd

import workbench.charts  # noqa: F401  (registers the house theme)
from workbench.charts import calls as calls_charts
from workbench.charts import collisions as collision_charts


def _walk(spec):
    """Every (sub)chart dict in a compiled spec: layers, facets and concatenations."""
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from _walk(child)
    if "spec" in spec:
        yield from _walk(spec["spec"])


def _marks(spec):
    return [s["mark"]["type"] if isinstance(s["mark"], dict) else s["mark"]
            for s in _walk(spec) if "mark" in s]


def _fields(spec):
    """Every (channel, field) pair encoded anywhere in the spec."""
    return {(channel, e.get("field")) for s in _walk(spec)
            for channel, e in s.get("encoding", {}).items() if isinstance(e, dict)}


def _rows(spec):
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_hour_of_week_heatmap_has_a_cell_per_hour_and_day_in_monday_order():
    demand = pd.DataFrame([(d, calendar.day_name[d], h, d * 24 + h, 3, 2, 1.5)
                           for d in range(7) for h in range(24)],
                          columns=["day_of_week", "day_name", "hour", "hour_of_week", "calls",
                                   "weeks", "calls_per_hour"])
    spec = calls_charts.hour_of_week_heatmap(demand).to_dict()
    assert _marks(spec) == ["rect"]
    assert spec["encoding"]["y"]["sort"][0] == "Monday"
    assert {("x", "hour"), ("y", "day_name"), ("color", "calls_per_hour")} <= _fields(spec)
    assert len(_rows(spec)) == 168


def _trend():
    return pd.DataFrame({
        "period_start": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
        "priority": 1, "division": ["D1", "D1", "D5", "D5"],
        "p90_minutes": [14.0, 15.0, 16.0, 19.0], "median_minutes": [8.0, 8.5, 9.0, 11.0],
        "share_within_target": [0.91, 0.9, 0.85, 0.7], "complete": [True, False] * 2,
        "target_minutes": 15.0})


def test_response_time_trend_draws_the_target_rule_from_the_frame():
    spec = calls_charts.response_time_trend_chart(_trend(), color="division").to_dict()
    assert _marks(spec) == ["line", "point", "rule"]
    rule = spec["layer"][2]
    assert rule["encoding"]["y"]["field"] == "target"
    assert {"target": 15.0} in _rows(spec)
    assert ("color", "division") in _fields(spec)
    assert ("y", "p90_minutes") in _fields(spec)


def test_response_time_trend_without_a_known_target_has_no_rule():
    frame = _trend().drop(columns="target_minutes")
    spec = calls_charts.response_time_trend_chart(frame, measure="median_minutes").to_dict()
    assert _marks(spec) == ["line", "point"]
    explicit = calls_charts.response_time_trend_chart(frame, target_minutes=12).to_dict()
    assert {"target": 12} in _rows(explicit)


def test_alternative_response_chart_plots_the_share():
    share = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                          "calls": [100, 120], "alternative_calls": [20, 30],
                          "share": [0.2, 0.25], "complete": [True, True]})
    spec = calls_charts.alternative_response_chart(share).to_dict()
    assert spec["encoding"]["y"]["field"] == "share"
    assert spec["encoding"]["y"]["axis"]["format"] == "%"


def test_ksi_trend_chart_stacks_road_users():
    trend = pd.DataFrame({"period_start": pd.to_datetime(["2023-01-01", "2024-01-01"] * 2),
                          "road_user": ["pedestrian", "pedestrian", "cyclist", None],
                          "killed": [1, 0, 0, 0], "seriously_injured": [2, 1, 1, 0],
                          "ksi": [3, 1, 1, 0], "complete": [True, False] * 2})
    spec = collision_charts.ksi_trend_chart(trend).to_dict()
    assert _marks(spec) == ["bar"]
    assert spec["encoding"]["y"]["field"] == "ksi" and spec["encoding"]["y"]["stack"] == "zero"
    assert spec["encoding"]["x"]["timeUnit"] == "year"  # yearly periods: one bar per year
    assert spec["encoding"]["opacity"]["condition"]["test"] == "datum.complete"
    assert spec["encoding"]["color"]["field"] == "road_user"
    assert "unknown" in {r["road_user"] for r in _rows(spec)}


def test_ksi_locations_chart_keeps_rank_order():
    locations = pd.DataFrame({"rank": [1, 2], "location_name": ["Ring Rd", "Bank St & Elm St"],
                              "killed": [2, 0], "seriously_injured": [0, 2]})
    spec = collision_charts.ksi_locations_chart(locations).to_dict()
    assert spec["encoding"]["y"]["sort"] == ["Ring Rd", "Bank St & Elm St"]
    assert {(r["location_name"], r["outcome"], r["people"]) for r in _rows(spec)} == {
        ("Ring Rd", "Killed", 2), ("Ring Rd", "Seriously injured", 0),
        ("Bank St & Elm St", "Killed", 0), ("Bank St & Elm St", "Seriously injured", 2)}
