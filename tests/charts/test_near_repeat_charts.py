"""Near-repeat and series charts: valid Vega-Lite, drawing what the analyses return."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd

from workbench.analysis import knox, near_repeat
from workbench.charts import near_repeat as charts


def _knox_result() -> knox.KnoxTest:
    rng = np.random.default_rng(2)
    x, y = rng.random(200) * 800, rng.random(200) * 800
    days = rng.integers(0, 60, 200)
    x[:20], y[:20], days[:20] = 5.0, 5.0, np.arange(20) // 4  # a cluster: near repeats
    return knox.knox_test(x, y, days, distance_breaks=knox.band_breaks(100, 3),
                          time_breaks=knox.band_breaks(7, 3, same_location=None),
                          permutations=99)


def _data_values(spec: dict) -> list[dict]:
    return [row for dataset in spec.get("datasets", {}).values() for row in dataset]


def test_knox_heatmap_marks_significant_cells():
    result = _knox_result()
    spec = charts.knox_heatmap(result.table, alpha=result.alpha).to_dict()
    rows = _data_values(spec)
    # the open "more than" bands are left out: 4 distance x 3 time bands remain
    assert len(rows) == 12
    starred = [r for r in rows if r["ratio_text"].endswith("★")]
    assert starred and all(r["significance"] == "significant" for r in starred)
    assert any(r["distance_label"] == "0 to <1 m" for r in starred)
    assert "p ≤ 0.05" in json.dumps(spec["title"], ensure_ascii=False)


def test_decay_and_concentration_charts():
    rows = [{"distance_band": 1, "time_band": i, "distance_from": 1, "distance_to": 200,
             "days_from": 2 * i, "days_to": 2 * i + 2, "observed": 40 // (i + 1) + 10,
             "expected": 10.0} for i in range(6)]
    rows.append({"distance_band": 1, "time_band": 6, "distance_from": 1, "distance_to": 200,
                 "days_from": 12, "days_to": float("inf"), "observed": 100, "expected": 100.0})
    result = knox.KnoxTest(pd.DataFrame(rows), 50, 1225, 99, 0, "manhattan", 0.05,
                           (0, 1, 200, float("inf")), (0, 2, 4, 6, 8, 10, 12, float("inf")))
    decay = near_repeat.near_repeat_decay(result, distance_metres=200)
    spec = charts.decay_chart(decay.table).to_dict()
    assert len(_data_values(spec)) == 6
    curve = pd.DataFrame({"rank": [1, 2, 3, 4, 5], "incidents": [6, 2, 1, 1, 0],
                          "share_of_units": [0.2, 0.4, 0.6, 0.8, 1.0],
                          "share_of_incidents": [0.6, 0.8, 0.9, 1.0, 1.0]})
    spec = charts.concentration_chart(curve).to_dict()
    assert any(r.get("label") == "top 20 % hold 60%" for r in _data_values(spec))


def test_series_map_and_timeline_draw_members_and_links():
    as_of = dt.datetime(2024, 6, 30, 22, 0)
    members = pd.DataFrame({
        "series_id": [1, 1, 1, 1], "incident_id": ["a", "b", "c", "d"],
        "occurred_at": [as_of - dt.timedelta(days=d) for d in (20, 16, 12, 8)],
        "latitude": [45.0, 45.0025, 45.005, 45.0075], "longitude": [-75.0] * 4,
        "hour": [22.0] * 4})
    links = pd.DataFrame({"series_id": [1, 1, 1], "incident_id": ["a", "b", "c"],
                          "linked_incident_id": ["b", "c", "d"]})
    square = {"type": "Polygon", "coordinates": [[[-75.01, 44.99], [-74.99, 44.99],
                                                  [-74.99, 45.02], [-75.01, 45.02],
                                                  [-75.01, 44.99]]]}
    features = [{"type": "Feature", "id": "N1", "properties": {"neighbourhood_id": "N1"},
                 "geometry": square}]
    spec = charts.series_map(members, features, links=links).to_dict()
    values = _data_values(spec)
    assert sorted(r["order"] for r in values if "order" in r) == [1, 2, 3, 4]
    segments = [r for r in values if "latitude2" in r]
    assert len(segments) == 3 and segments[0]["latitude2"] == 45.0025
    assert spec["layer"][0]["mark"]["type"] == "geoshape"  # outlines, no tiles
    assert "http" not in json.dumps(spec["layer"])
    timeline = charts.series_timeline(members).to_dict()
    assert len(_data_values(timeline)) == 4
