"""Crime series: linked incidents with explained links and a permutation test per series."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from workbench.analysis.series import crime_series
from workbench.errors import AnalysisInputError

AS_OF = dt.date(2024, 6, 30)
_STEP = 0.001  # degrees of latitude: about 111 m


def _robbery(day: float, north: float, east: float, hour: float, *,
             location_type: str | None = "commercial", code: str | None = "1610-110",
             division: str = "D4") -> dict:
    moment = (dt.datetime.combine(AS_OF, dt.time()) - dt.timedelta(days=day)
              + dt.timedelta(hours=hour))
    return {"occurred_at": moment.isoformat(sep=" "), "offence_category": "robbery",
            "latitude": 45.0 + north * _STEP, "longitude": -75.0 + east * _STEP,
            "location_type": location_type, "offence_code": code, "division": division}


def _background(rng: np.random.Generator, count: int) -> list[dict]:
    """Robberies scattered over a 10 km square and 90 days, mixed premises and codes."""
    return [_robbery(float(rng.uniform(0, 89)), float(rng.uniform(0, 90)),
                     float(rng.uniform(0, 120)), float(rng.uniform(0, 24)),
                     location_type=str(rng.choice(["commercial", "outside", "residence"])),
                     code=str(rng.choice(["1610-100", "1610-110"])))
            for _ in range(count)]


_PLANTED = [(30, 10, 10, 22.2), (26, 12.5, 10.3, 21.8), (21, 15, 10.1, 22.5),
            (17, 17.5, 9.8, 23.0), (12, 20, 10.2, 22.3), (6, 22.5, 10.0, 21.9)]


def test_a_planted_string_is_one_significant_series_with_explained_links(warehouse_with):
    rng = np.random.default_rng(8)
    rows = [_robbery(*spec) for spec in _PLANTED] + _background(rng, 60)
    warehouse = warehouse_with(incidents=rows)
    found = crime_series(warehouse.table("incidents"), offence_category="robbery", as_of=AS_OF,
                         days=90, permutations=199)
    assert found.pairs_compared == 66 * 65 // 2
    top = found.series.iloc[0]
    assert top["members"] == len(_PLANTED) and top["significant"]
    assert top["p_value"] == pytest.approx(1 / 200)
    assert "location type commercial" in top["shared"]
    assert "offence code 1610-110" in top["shared"]
    members = found.members[found.members["series_id"] == top["series_id"]]
    assert members["occurred_at"].dt.date.tolist() == [
        AS_OF - dt.timedelta(days=spec[0]) for spec in _PLANTED]
    links = found.links[found.links["series_id"] == top["series_id"]]
    # consecutive robberies (about 280 m and 4-6 days apart) are all linked
    assert len(links) >= len(_PLANTED) - 1
    assert (links["distance_metres"] <= 1_000).all() and (links["days_apart"] <= 14).all()
    assert (links["hours_apart"] <= 2).all()
    assert (links["score"] > 0).all() and (links["chance_probability"] < 1).all()
    first = links.iloc[0]["explanation"]
    assert "m apart" in first and "same location type (commercial)" in first
    assert "once in" in first
    assert not found.series.iloc[1:]["significant"].any()


def test_scattered_incidents_form_no_significant_series(warehouse_with):
    rng = np.random.default_rng(21)
    warehouse = warehouse_with(incidents=_background(rng, 120))
    found = crime_series(warehouse.table("incidents"), offence_category="robbery", as_of=AS_OF,
                         days=90, permutations=199)
    assert not found.series["significant"].any()


def test_a_different_modus_operandi_breaks_the_link_but_a_missing_one_does_not(warehouse_with):
    rows = [_robbery(*spec) for spec in _PLANTED[:3]]
    rows.append(_robbery(*_PLANTED[3], location_type="residence"))  # different premises
    rows.append(_robbery(*_PLANTED[4], code=None))                   # code not recorded
    warehouse = warehouse_with(incidents=rows)
    found = crime_series(warehouse.table("incidents"), offence_category="robbery", as_of=AS_OF,
                         days=90, permutations=19)
    assert len(found.series) == 1
    days = {d.date() for d in found.members["occurred_at"]}
    # the residence robbery is left out; the one without a code joins (9 days, 555 m from
    # the third)
    assert days == {AS_OF - dt.timedelta(days=_PLANTED[i][0]) for i in (0, 1, 2, 4)}
    joined = found.links[found.links["matched_fields"] == "location_type=commercial"]
    assert len(joined) >= 1


def test_time_of_day_wraps_around_midnight(warehouse_with):
    rows = [_robbery(10, 0, 0, 23.5), _robbery(8, 1, 0, 0.5), _robbery(6, 2, 0, 1.0)]
    warehouse = warehouse_with(incidents=rows)
    found = crime_series(warehouse.table("incidents"), offence_category="robbery", as_of=AS_OF,
                         days=30, permutations=19)
    assert found.series.iloc[0]["members"] == 3
    assert found.links["hours_apart"].max() == pytest.approx(1.5)


def test_options_are_checked(warehouse_with):
    table = warehouse_with(incidents=[_robbery(1, 0, 0, 22)]).table("incidents")
    empty = crime_series(table, offence_category="robbery", as_of=AS_OF, permutations=9)
    assert empty.series.empty and empty.links.empty and empty.pairs_compared == 0
    with pytest.raises(AnalysisInputError, match="max_days"):
        crime_series(table, offence_category="robbery", as_of=AS_OF, max_days=0)
    with pytest.raises(AnalysisInputError, match="minimum_members"):
        crime_series(table, offence_category="robbery", as_of=AS_OF, minimum_members=1)
    with pytest.raises(AnalysisInputError, match="weapon"):
        crime_series(table, offence_category="robbery", as_of=AS_OF, match_fields=["weapon"])


@pytest.mark.slow
def test_the_planted_robbery_series_is_found_in_the_demo_city(demo_warehouse, demo_end_date):
    from workbench.demo.signals import COMMERCIAL_ROBBERY_SERIES as planted

    found = crime_series(demo_warehouse.table("incidents"),
                         offence_category=planted.offence_category, as_of=demo_end_date,
                         days=90, division=planted.division)
    significant = found.series[found.series["significant"]]
    assert len(significant) == 1
    series_id = significant.iloc[0]["series_id"]
    members = found.members[found.members["series_id"] == series_id]
    planted_moments = {dt.datetime.combine(day, dt.time.fromisoformat(clock))
                       for day, clock in zip(planted.dates(demo_end_date), planted.times_of_day,
                                             strict=True)}
    assert planted_moments <= {moment.to_pydatetime() for moment in members["occurred_at"]}
    assert len(members) <= planted.incidents + 2  # at most a chance neighbour or two
    assert f"offence code {planted.offence_code}" in significant.iloc[0]["shared"]


@pytest.mark.slow
@pytest.mark.parametrize("division", ["D1", "D2", "D3", "D5", "D6", "D7"])
def test_no_robbery_series_where_none_was_planted(demo_warehouse, demo_end_date, division):
    # 999 permutations, alpha 0.001: a chance series in about 1 build in 1,000 per division
    found = crime_series(demo_warehouse.table("incidents"), offence_category="robbery",
                         as_of=demo_end_date, days=90, division=division, permutations=999,
                         alpha=0.001)
    assert not found.series["significant"].any(), found.series
