"""Signals 6 and 7, the planted space-time patterns, measured from the warehouse with plain
Ibis and NumPy (not with the analyses that should find them), using only the ids and
strengths published in :mod:`workbench.demo.signals`."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from workbench.demo import signals

_METRES_PER_DEGREE = 2 * math.pi * 6_371_000 / 360


def _located(warehouse, category: str, division: str) -> pd.DataFrame:
    incidents = warehouse.table("incidents")
    rows = incidents.filter(incidents.offence_category == category,
                            incidents.division == division, incidents.latitude.notnull())
    frame = rows.select("incident_id", "occurred_at", "latitude", "longitude", "location_type",
                        "offence_code", "clearance", "neighbourhood_id").execute()
    latitude = frame["latitude"].mean()
    frame["x"] = frame["longitude"] * _METRES_PER_DEGREE * math.cos(math.radians(latitude))
    frame["y"] = frame["latitude"] * _METRES_PER_DEGREE
    frame["day"] = (pd.to_datetime(frame["occurred_at"]).dt.normalize()
                    - pd.Timestamp("1970-01-01")).dt.days
    return frame


def _close_pair_ratio(frame: pd.DataFrame, metres: float, days: int) -> float:
    """Pairs closer than ``metres`` (Manhattan) and ``days`` ÷ what independence of place and
    time gives (pairs close in space × share of pairs close in time)."""
    first, second = np.triu_indices(len(frame), k=1)
    x, y, t = (frame[c].to_numpy() for c in ("x", "y", "day"))
    near = (np.abs(x[first] - x[second]) + np.abs(y[first] - y[second])) < metres
    soon = np.abs(t[first] - t[second]) < days
    return float((near & soon).sum() / (near.sum() * soon.mean()))


def test_near_repeat_burglary_clusters_in_its_division_only(demo_warehouse):
    planted = signals.NEAR_REPEAT_BURGLARY
    ratios = {}
    for division in ("D2", "D3", "D4", "D5", "D6", "D7"):  # D1 holds the surge (signal 1)
        frame = _located(demo_warehouse, planted.offence_category, division)
        ratios[division] = _close_pair_ratio(frame, planted.distance_metres, planted.days)
    # five years, ~1,800 burglaries a division: the planted one has about six times the pairs
    # that independence gives; the others scatter around 1 (about 30 such pairs expected in
    # each, so ±20 % is one standard deviation)
    assert ratios[planted.division] > 3, ratios
    others = [r for d, r in ratios.items() if d != planted.division]
    assert max(others) < 1.8 and min(others) > 0.4, ratios


def test_near_repeat_follow_ons_fade_within_the_planted_window(demo_warehouse):
    planted = signals.NEAR_REPEAT_BURGLARY
    frame = _located(demo_warehouse, planted.offence_category, planted.division)
    inside = _close_pair_ratio(frame, planted.distance_metres, planted.days)
    week_one = _close_pair_ratio(frame, planted.distance_metres, 7)
    assert week_one > inside  # most follow-ons come in the first week (half-life 4 days)
    first, second = np.triu_indices(len(frame), k=1)
    x, y, t = (frame[c].to_numpy() for c in ("x", "y", "day"))
    near = (np.abs(x[first] - x[second]) + np.abs(y[first] - y[second])) < planted.distance_metres
    gap = np.abs(t[first] - t[second])
    later = near & (gap >= planted.days + 7) & (gap < planted.days + 35)
    expected_later = near.sum() * ((gap >= planted.days + 7) & (gap < planted.days + 35)).mean()
    assert later.sum() / expected_later == pytest.approx(1.0, abs=0.35)


def test_the_robbery_series_is_where_and_when_it_was_planted(demo_warehouse, demo_end_date):
    planted = signals.COMMERCIAL_ROBBERY_SERIES
    frame = _located(demo_warehouse, planted.offence_category, planted.division)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    moments = [pd.Timestamp(dt.datetime.combine(day, dt.time.fromisoformat(clock)))
               for day, clock in zip(planted.dates(demo_end_date), planted.times_of_day,
                                     strict=True)]
    series = frame[frame["occurred_at"].isin(moments)
                   & (frame["offence_code"] == planted.offence_code)].sort_values("occurred_at")
    assert len(series) == planted.incidents
    assert (series["location_type"] == planted.location_type).all()
    assert (series["clearance"] == "open").all()
    # south to north along one road about corridor_metres long, a few hundred metres apart
    assert series["y"].is_monotonic_increasing
    length = series["y"].iloc[-1] - series["y"].iloc[0]
    assert length == pytest.approx(planted.corridor_metres, rel=0.25)
    assert series["x"].max() - series["x"].min() < 400
    steps = np.hypot(np.diff(series["x"]), np.diff(series["y"]))
    assert steps.max() < 600
    # eight robberies on top of the division's ordinary ones, which number dozens a year
    last_year = frame[frame["occurred_at"] > pd.Timestamp(demo_end_date) - pd.Timedelta(days=365)]
    assert len(last_year) > 5 * planted.incidents
