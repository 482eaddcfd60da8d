"""CSWB indicators: what each indicator counts, rates and city comparison, trend, profile."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from workbench.analysis import cswb
from workbench.analysis._common import AnalysisInputError

YEARS = [2023, 2024]


def _call(when: str, call_type: str, area: str | None, location: str | None = None,
          disposition: str | None = None):
    return {"received_at": when, "call_type": call_type, "neighbourhood_id": area,
            "location_key": location, "disposition": disposition}


def _incident(when: str, category: str, area: str | None, *, domestic: bool = False,
              clearance: str = "open"):
    return {"occurred_at": when, "offence_category": category, "neighbourhood_id": area,
            "domestic": domestic, "clearance": clearance}


@pytest.fixture
def town(warehouse_with):
    """Two neighbourhoods (N1: 2,000 residents, N2: 8,000) and some unlocated events.

    2024: N1 has 6 mental-health calls (4 at location L1), one closed by an apprehension;
    N2 has 2; one unlocated. 2023: N1 has 2. Location L1 also draws 2 noise calls in 2024.
    Incidents 2024: N1 one hate crime, two domestic assaults, one youth diversion; N2 one
    shooting and one youth referral; 2022 events are outside the years counted.
    """
    calls = (
        [_call("2024-02-01 10:00", "mental_health", "N1", "L1")] * 3
        + [_call("2024-02-02 10:00", "mental_health", "N1", "L1", "mha_apprehension")]
        + [_call("2024-03-01 10:00", "mental_health", "N1", "L9")] * 2
        + [_call("2024-04-01 10:00", "mental_health", "N2", "L2")] * 2
        + [_call("2024-05-01 10:00", "mental_health", None)]
        + [_call("2023-05-01 10:00", "mental_health", "N1", "L3")] * 2
        + [_call("2024-06-01 22:00", "noise", "N1", "L1")] * 2
        + [_call("2024-06-02 09:00", "wellness_check", "N2", "L2")]
        + [_call("2022-06-02 09:00", "mental_health", "N2", "L2")] * 5
    )
    incidents = [
        _incident("2024-01-05 01:00", "hate_crime", "N1"),
        _incident("2024-01-06 01:00", "assault", "N1", domestic=True),
        _incident("2024-01-07 01:00", "assault", "N1", domestic=True),
        _incident("2024-01-08 01:00", "theft_under", "N1", clearance="youth_diversion"),
        _incident("2024-01-09 01:00", "shooting", "N2"),
        _incident("2024-01-10 01:00", "mischief", "N2", clearance="youth_referral"),
        _incident("2022-01-10 01:00", "shooting", "N2"),
    ]
    population = [{"neighbourhood_id": "N1", "year": 2021, "population": 2000},
                  {"neighbourhood_id": "N2", "year": 2021, "population": 8000}]
    return warehouse_with(calls_for_service=calls, incidents=incidents, population=population)


def _value(frame: pd.DataFrame, indicator: str, year: int, area: str, column: str = "count"):
    rows = frame.loc[(frame["indicator"] == indicator) & (frame["year"] == year)
                     & (frame["neighbourhood_id"] == area), column]
    assert len(rows) == 1, (indicator, year, area)
    return rows.iloc[0]


@pytest.fixture
def counts(town):
    return cswb.indicator_counts(incidents=town.table("incidents"),
                                 calls_for_service=town.table("calls_for_service"), years=YEARS,
                                 options=cswb.IndicatorOptions(repeat_call_minimum=5))


def test_each_indicator_counts_what_it_says(counts):
    assert _value(counts, "mental_health_calls", 2024, "N1") == 6
    assert _value(counts, "mental_health_calls", 2024, "N2") == 2
    assert _value(counts, "mental_health_calls", 2024, cswb.UNLOCATED) == 1
    assert _value(counts, "mental_health_calls", 2024, cswb.CITY) == 9  # located or not
    assert _value(counts, "mental_health_calls", 2023, "N1") == 2
    assert _value(counts, "mental_health_calls", 2023, "N2") == 0  # zero-filled across years
    assert _value(counts, "mental_health_apprehensions", 2024, "N1") == 1
    assert _value(counts, "wellness_checks", 2024, "N2") == 1
    assert _value(counts, "hate_incidents", 2024, "N1") == 1
    assert _value(counts, "intimate_partner_family_violence", 2024, "N1") == 2
    assert _value(counts, "youth_diversions", 2024, "N1") == 1
    assert _value(counts, "youth_diversions", 2024, "N2") == 1
    assert _value(counts, "shootings", 2024, "N2") == 1
    assert _value(counts, "shootings", 2024, cswb.CITY) == 1  # the 2022 one is outside
    # non-police response (mental health, wellness, overdose, noise by default)
    assert _value(counts, "non_police_response_calls", 2024, "N1") == 8
    # L1 drew 4 mental-health + 2 noise calls in 2024 (>= 5); L9 only 2
    assert _value(counts, "repeat_call_locations", 2024, "N1") == 1
    assert _value(counts, "repeat_call_locations", 2024, cswb.CITY) == 1
    assert set(counts["indicator"]) == set(cswb.INDICATORS)


def test_indicator_definitions_are_options(town):
    options = cswb.IndicatorOptions(mental_health_call_types=("mental_health", "wellness_check"),
                                    non_police_call_types=("noise",), repeat_call_minimum=7)
    counts = cswb.indicator_counts(incidents=None, calls_for_service=town.table("calls_for_service"),
                                   years=YEARS, options=options)
    assert _value(counts, "mental_health_calls", 2024, "N2") == 3
    assert _value(counts, "non_police_response_calls", 2024, "N1") == 2
    assert _value(counts, "repeat_call_locations", 2024, cswb.CITY) == 0
    assert "hate_incidents" not in set(counts["indicator"])  # no incidents table given
    with pytest.raises(AnalysisInputError, match="repeat_call_minimum"):
        cswb.IndicatorOptions(repeat_call_minimum=1)
    with pytest.raises(AnalysisInputError, match="non-empty list"):
        cswb.IndicatorOptions(hate_categories="hate_crime")  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="unknown indicators"):
        cswb.indicator_counts(incidents=None, calls_for_service=town.table("calls_for_service"),
                              years=YEARS, indicators=["happiness"])


def test_repeat_call_locations_report_their_calls(town):
    repeat = cswb.repeat_call_locations(town.table("calls_for_service"), years=YEARS,
                                        minimum_calls=5)
    assert repeat.to_dict("records") == [
        {"year": 2024, "neighbourhood_id": "N1", "locations": 1, "calls": 6}]


def test_rates_per_1000_and_the_city_comparison(town, counts):
    population = cswb.neighbourhood_populations(town.table("population"), YEARS)
    assert _value(population.assign(indicator="x"), "x", 2024, cswb.CITY, "population") == 10_000
    rates = cswb.indicator_rates(counts, population)
    n1 = rates.loc[(rates["indicator"] == "mental_health_calls") & (rates["year"] == 2024)
                   & (rates["neighbourhood_id"] == "N1")].iloc[0]
    assert n1["rate"] == pytest.approx(6 / 2000 * 1000)
    assert n1["rate_lower"] < n1["rate"] < n1["rate_upper"]
    assert n1["city_rate"] == pytest.approx(9 / 10_000 * 1000)
    assert n1["ratio_to_city"] == pytest.approx((6 / 2000) / (9 / 10_000))
    assert n1["compared_with_city"] in ("higher", "similar")
    unlocated = rates.loc[(rates["neighbourhood_id"] == cswb.UNLOCATED)]
    assert unlocated["rate"].isna().all()  # no residents to divide by


def test_trend_uses_the_poisson_z_score(town, counts):
    rates = cswb.indicator_rates(counts, cswb.neighbourhood_populations(town.table("population"),
                                                                        YEARS))
    trend = cswb.indicator_trend(rates, neighbourhood_id="N1")
    row = trend.loc[(trend["indicator"] == "mental_health_calls") & (trend["year"] == 2024)].iloc[0]
    assert row["previous_count"] == 2 and row["change"] == 4
    assert row["z"] == pytest.approx(2 * (math.sqrt(6) - math.sqrt(2)))
    assert row["percent_change"] == pytest.approx(200.0)


def test_missing_counts_give_missing_rates():
    counts = pd.DataFrame({"indicator": ["hate_incidents"] * 2, "year": [2024, 2024],
                           "neighbourhood_id": ["N1", cswb.CITY],
                           "count": pd.array([pd.NA, 30], dtype="Int64")})
    population = pd.DataFrame({"year": [2024, 2024], "neighbourhood_id": ["N1", cswb.CITY],
                               "population": [1000, 50_000]})
    rates = cswb.indicator_rates(counts, population)
    assert math.isnan(rates.loc[rates["neighbourhood_id"] == "N1", "rate"].iloc[0])
    assert math.isnan(rates.loc[rates["neighbourhood_id"] == "N1", "ratio_to_city"].iloc[0])
    assert rates.loc[rates["neighbourhood_id"] == cswb.CITY, "rate"].iloc[0] == \
        pytest.approx(0.6)


def test_neighbourhood_profile_brings_the_indicators_together(town, counts):
    rates = cswb.indicator_rates(counts, cswb.neighbourhood_populations(town.table("population"),
                                                                        YEARS))
    areas = pd.DataFrame({"neighbourhood_id": ["N1"], "name": ["Riverside"], "division": ["D1"]})
    profile = cswb.neighbourhood_profile(rates, neighbourhood_id="N1", year=2024,
                                         neighbourhoods=areas)
    assert (profile.name, profile.division, profile.population) == ("Riverside", "D1", 2000)
    assert set(profile.indicators["indicator"]) == set(cswb.INDICATORS)
    assert profile.value("mental_health_calls", "count") == 6
    assert profile.value("mental_health_calls", "previous_count") == 2
    assert list(profile.zones["zone"].str.lower()) == \
        [z.replace("_", " ") for z in cswb.ZONES]
    assert profile.zones.iloc[0]["indicators"] == "no police indicator"  # social development
    assert len(profile.priorities) == len(cswb.PRIORITIES)
    assert set(profile.trend["year"]) == set(YEARS)
    with pytest.raises(AnalysisInputError, match="no neighbourhood 'N9'"):
        cswb.neighbourhood_profile(rates, neighbourhood_id="N9", year=2024)


def test_complete_years():
    assert cswb.complete_years(dt.date(2021, 11, 23), dt.date(2026, 11, 22)) == \
        [2022, 2023, 2024, 2025]
    assert cswb.complete_years(dt.date(2021, 1, 1), dt.date(2022, 12, 31)) == [2021, 2022]
    assert cswb.complete_years(dt.date(2021, 1, 9), dt.date(2022, 12, 30)) == [2021]
    assert cswb.complete_years(dt.date(2021, 1, 20), dt.date(2023, 1, 1)) == [2022]
    assert cswb.complete_years(dt.date(2025, 3, 1), dt.date(2025, 6, 1)) == []
    assert cswb.complete_years(None, dt.date(2025, 6, 1)) == []


def test_every_indicator_has_a_zone_and_known_priorities():
    for indicator in cswb.INDICATORS.values():
        assert indicator.zone in cswb.ZONES
        assert indicator.priorities and set(indicator.priorities) <= set(cswb.PRIORITIES)
    catalogue = cswb.indicator_catalogue()
    assert len(catalogue) == len(cswb.INDICATORS) and catalogue["priorities"].str.len().min() > 0


@pytest.mark.slow
def test_demo_city_totals_agree_with_a_direct_query(demo_warehouse, demo_end_date):
    years = cswb.complete_years(dt.date(demo_end_date.year - 4, 6, 1), demo_end_date)[-2:]
    counts = cswb.indicator_counts(incidents=demo_warehouse.table("incidents"),
                                   calls_for_service=demo_warehouse.table("calls_for_service"),
                                   years=years, indicators=["mental_health_calls", "hate_incidents"])
    for year in years:
        mental = demo_warehouse.con.raw_sql(
            "SELECT count(*) FROM calls_for_service WHERE call_type = 'mental_health' AND "
            f"received_at >= '{year}-01-01' AND received_at < '{year + 1}-01-01'").fetchone()[0]
        hate = demo_warehouse.con.raw_sql(
            "SELECT count(*) FROM incidents WHERE offence_category = 'hate_crime' AND "
            f"occurred_at >= '{year}-01-01' AND occurred_at < '{year + 1}-01-01'").fetchone()[0]
        assert _value(counts, "mental_health_calls", year, cswb.CITY) == mental > 0
        assert _value(counts, "hate_incidents", year, cswb.CITY) == hate > 0
