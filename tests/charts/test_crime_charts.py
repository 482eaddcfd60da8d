"""Crime charts: specs validate against Vega-Lite and encode the columns they should."""

import numpy as np
import pandas as pd

import workbench.charts  # noqa: F401  (registers the house theme)
from workbench.charts import crime as crime_charts


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


def _control_frame():
    return pd.DataFrame({
        "period_start": pd.date_range("2024-01-01", periods=5, freq="W-MON"),
        "division": "D1", "incidents": [4, 5, 3, 4, 20], "centre": 4.0, "lower": 0.0,
        "upper": 10.0, "out_of_control": [False] * 4 + [True],
        "signal": [""] * 4 + ["above"], "in_baseline": [True] * 4 + [False]})


def test_control_chart_layers_band_centre_line_and_signals():
    frame = _control_frame()
    before = frame.copy()
    spec = crime_charts.control_chart_chart(frame, title="B&E, D1").to_dict()
    assert _marks(spec) == ["area", "line", "line", "circle"]
    band = spec["layer"][0]["encoding"]
    assert (band["y"]["field"], band["y2"]["field"]) == ("lower", "upper")
    points = spec["layer"][3]["encoding"]
    assert points["color"]["field"] == "signal"
    assert "above" in points["color"]["scale"]["domain"]
    assert [r["incidents"] for r in _rows(spec)] == [4, 5, 3, 4, 20]
    pd.testing.assert_frame_equal(frame, before)  # input untouched


def test_control_chart_facets_by_group():
    frame = pd.concat([_control_frame(), _control_frame().assign(division="D2")])
    spec = crime_charts.control_chart_chart(frame, facet="division").to_dict()
    assert spec["facet"]["field"] == "division"
    assert _marks(spec) == ["area", "line", "line", "circle"]


def _grid():
    return pd.DataFrame({
        "period": ["last_7_days", "last_28_days", "last_7_days", "last_28_days"],
        "offence_category": ["assault", "assault", "robbery", "robbery"],
        "current": [2, 3, 16, 16], "past": [2, 2, 0, 0], "change": [0, 1, 16, 16],
        "percent_change": [np.nan, np.nan, np.nan, np.nan], "z": [0.0, 0.45, 8.0, 8.0],
        "flagged": [False, False, True, True], "significant": [False, False, True, True],
        "p_value_adjusted": [1.0, 1.0, 0.001, 0.001], "direction": ["same", "up", "up", "up"]})


def test_compstat_table_chart_shows_counts_changes_and_flags():
    spec = crime_charts.compstat_table_chart(_grid()).to_dict()
    assert _marks(spec) == ["rect", "text"]
    assert {("x", "period_label"), ("y", "offence_category"), ("color", "z_shown"),
            ("text", "label")} <= _fields(spec)
    labels = {(r["offence_category"], r["period_label"]): r["label"] for r in _rows(spec)}
    assert labels[("robbery", "Last 7 days")] == "16 (+16; n/a) *"
    assert labels[("assault", "Last 28 days")] == "3 (+1; n/a)"
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["Last 7 days", "Last 28 days"]


def test_style_compstat_shades_flagged_rows_and_shows_na():
    html = crime_charts.style_compstat(_grid()).to_html()
    assert "n/a" in html
    assert "background-color: #fde0d2" in html  # robbery rows are flagged upward
    assert html.count("font-weight: bold") >= 1
    assert "Last 28 days" in html


def test_forecast_chart_draws_the_interval_only_for_forecast_months():
    tidy = pd.DataFrame({
        "month": pd.date_range("2024-01-01", periods=5, freq="MS"),
        "kind": ["observed"] * 3 + ["forecast"] * 2,
        "value": [10.0, 12.0, 11.0, 12.5, 13.0],
        "lower": [np.nan] * 3 + [9.0, 9.5], "upper": [np.nan] * 3 + [16.0, 16.5]})
    spec = crime_charts.forecast_chart(tidy).to_dict()
    assert _marks(spec) == ["area", "line"]
    assert spec["layer"][0]["transform"] == [{"filter": "datum.kind == 'forecast'"}]
    assert spec["layer"][0]["encoding"]["y2"]["field"] == "upper"
    assert spec["layer"][1]["encoding"]["strokeDash"]["field"] == "kind"
    assert len(_rows(spec)) == 5


def test_incident_trend_chart_colours_each_category():
    counts = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-02-01"] * 2),
                           "offence_category": ["assault"] * 2 + ["robbery"] * 2,
                           "incidents": [5, 6, 1, 2], "complete": [True, False] * 2})
    spec = crime_charts.incident_trend_chart(counts).to_dict()
    assert _marks(spec) == ["line", "point"]
    assert spec["layer"][0]["encoding"]["color"]["field"] == "offence_category"


def test_csi_charts_mark_sub_city_values_unofficial():
    csi = pd.DataFrame({"year": [2022, 2023], "division": "D1", "csi": [50.0, 55.0],
                        "violent_csi": [60.0, 58.0], "non_violent_csi": [45.0, 54.0],
                        "official": False})
    spec = crime_charts.csi_trend_chart(csi, area="D1").to_dict()
    assert "Unofficial" in spec["title"]["subtitle"][0]
    assert {r["index"] for r in _rows(spec)} == {"Total", "Violent", "Non-violent"}
    drivers = pd.DataFrame({"offence_category": ["assault", "fraud", "robbery"],
                            "contribution": [-4.0, 1.5, 0.5], "incidents_previous": [9, 3, 2],
                            "incidents_current": [5, 4, 3]})
    spec = crime_charts.csi_drivers_chart(drivers, top=2).to_dict()
    rows = _rows(spec)
    assert [r["offence_category"] for r in rows] == ["assault", "fraud"]
    assert [r["direction"] for r in rows] == ["decrease", "increase"]


def test_charts_compose_with_other_charts():
    control = crime_charts.control_chart_chart(_control_frame())
    trend = crime_charts.incident_trend_chart(_control_frame(), color=None)
    combined = (control | trend).to_dict()
    assert len(combined["hconcat"]) == 2
    assert _marks(combined) == ["area", "line", "line", "circle", "line", "point"]
