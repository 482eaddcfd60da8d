"""The crime, calls, CSI and collision analyses find what the demo city plants, and only that.

Uses the session's demo city (default scale, seed 42, ending today); the planted signals and
their strengths come from :mod:`workbench.demo.signals`.

The planted break-and-enter surge must be the only significant cell after the Holm
adjustment. Where only false signals are checked the tests use ``alpha = 0.001``: under no
change Holm keeps the chance of any false signal below alpha, so a chance failure on some build
date (the city is rebuilt for each day) is about one in a thousand. The raw ``|z| > 3`` flags
are expected to include chance exceedances.
"""

import datetime as dt

import pytest

from workbench.analysis import calls, collisions, crime, csi, hotspots
from workbench.analysis._common import one_year_earlier

signals = pytest.importorskip("workbench.demo.signals")

pytestmark = pytest.mark.slow

ALPHA = 0.001


@pytest.fixture(scope="module")
def city(demo_warehouse):
    return demo_warehouse


def test_break_and_enter_surge_is_found_in_its_neighbourhood_and_no_other(city, demo_end_date):
    surge = signals.BREAK_AND_ENTER_SURGE
    result = hotspots.neighbourhood_hot_spots(
        *city.tables("incidents", "population", "neighbourhoods"), as_of=demo_end_date,
        days=surge.days, offence_categories=[surge.offence_category], alpha=ALPHA)
    top = result.iloc[0]
    assert top["neighbourhood_id"] == surge.neighbourhood_id
    assert top["flagged"] and top["significant"]
    assert top["z"] > 5  # planted: about 10.6 ± 1.4
    assert result.loc[result["significant"], "neighbourhood_id"].tolist() == [
        surge.neighbourhood_id]


def test_no_cell_but_the_surge_is_significant_in_the_neighbourhood_compstat_grid(
        city, demo_end_date):
    surge = signals.BREAK_AND_ENTER_SURGE
    grid = crime.compstat_grid(city.table("incidents"), as_of=demo_end_date,
                               by=("offence_category", "neighbourhood_id"), alpha=ALPHA)
    significant = grid[grid["significant"]]
    # Across ~7,500 cells Holm is strict, so the surge itself may or may not pass; nothing
    # else may.
    assert set(significant["offence_category"]) <= {surge.offence_category}
    assert set(significant["neighbourhood_id"]) <= {surge.neighbourhood_id}
    planted = grid[(grid["period"] == "last_28_days")
                   & (grid["offence_category"] == surge.offence_category)
                   & (grid["neighbourhood_id"] == surge.neighbourhood_id)].iloc[0]
    assert planted["flagged"] and planted["direction"] == "up"  # planted z: about 7.5 ± 1.4
    # Raw |z| > 3 flags many chance exceedances in a grid this size; the adjustment removes them.
    assert grid["flagged"].sum() > 50


def test_the_surge_is_significant_in_a_break_and_enter_grid(city, demo_end_date):
    surge = signals.BREAK_AND_ENTER_SURGE
    incidents = city.table("incidents")
    burglaries = incidents.filter(incidents.offence_category == surge.offence_category)
    grid = crime.compstat_grid(burglaries, as_of=demo_end_date, by=("neighbourhood_id",))
    planted = grid[(grid["neighbourhood_id"] == surge.neighbourhood_id)
                   & (grid["period"] == "last_28_days")].iloc[0]
    assert planted["significant"]  # Holm over ~400 cells at the default alpha of 0.05


def test_priority_one_response_times_worsen_in_the_planted_division_only(city, demo_end_date):
    degradation = signals.RESPONSE_TIME_DEGRADATION
    table = city.table("calls_for_service")
    past_end = one_year_earlier(demo_end_date)
    window = dt.timedelta(days=89)
    recent = calls.response_times(table, start=demo_end_date - window, as_of=demo_end_date,
                                  by=("priority", "division"))
    before = calls.response_times(table, start=past_end - window, as_of=past_end,
                                  by=("priority", "division"))
    merged = recent.merge(before, on=["priority", "division"], suffixes=("_now", "_before"))
    merged = merged[merged["priority"] == degradation.priority].set_index("division")
    change = merged["median_minutes_now"] - merged["median_minutes_before"]
    assert change.idxmax() == degradation.division
    assert change[degradation.division] > 1.5  # planted: about 2.6 minutes
    assert change.drop(degradation.division).abs().max() < 1.2
    assert (merged.loc[degradation.division, "share_within_target_now"]
            < merged.loc[degradation.division, "share_within_target_before"])


def test_the_monthly_trend_shows_the_planted_division_climbing(city, demo_end_date):
    degradation = signals.RESPONSE_TIME_DEGRADATION
    start = (demo_end_date.replace(day=1) - dt.timedelta(days=380)).replace(day=1)
    trend = calls.response_time_trend(city.table("calls_for_service"), start=start,
                                      as_of=demo_end_date, by=("priority", "division"))
    months = trend[(trend["priority"] == degradation.priority) & trend["complete"]]
    medians = months.pivot(index="period_start", columns="division", values="median_minutes")
    rise = medians.tail(3).mean() - medians.head(3).mean()
    assert rise.idxmax() == degradation.division
    assert rise[degradation.division] > 1.5


def test_csi_calibrates_and_its_parts_add_up(city, demo_end_date):
    tables = city.tables("incidents", "offence_codes", "population", "neighbourhoods")
    service = csi.crime_severity_index(*tables, as_of=demo_end_date, years=3)
    base = service.iloc[0]
    scale = csi.calibrate_csi_scale(base["raw_index"], 52.9)
    calibrated = csi.crime_severity_index(*tables, as_of=demo_end_date, years=3, scale=scale)
    assert calibrated.iloc[0]["csi"] == pytest.approx(52.9)
    assert (calibrated["violent_csi"] + calibrated["non_violent_csi"]).tolist() == pytest.approx(
        calibrated["csi"].tolist())
    assert (calibrated["weight_coverage"] > 0.9).all()
    divisions = csi.crime_severity_index(*tables, as_of=demo_end_date, years=1,
                                         geography="division", scale=scale)
    assert not divisions["official"].any()
    last = calibrated.iloc[-1]
    assert divisions["weight_sum"].sum() <= last["weight_sum"] + 1e-6
    assert divisions["population"].sum() == last["population"]
    drivers = csi.csi_change_drivers(*tables, as_of=demo_end_date, scale=scale)
    change = calibrated.iloc[-1]["csi"] - calibrated.iloc[-2]["csi"]
    assert drivers["contribution"].sum() == pytest.approx(change)


def test_demand_and_collision_summaries_account_for_every_row(city, demo_end_date):
    start = demo_end_date - dt.timedelta(days=27)
    table = city.table("calls_for_service")
    demand = calls.hour_of_week_demand(table, start=start, as_of=demo_end_date)
    first = dt.datetime.combine(start, dt.time())
    after = dt.datetime.combine(demo_end_date + dt.timedelta(days=1), dt.time())
    in_window = table.filter((table.received_at >= first) & (table.received_at < after))
    assert demand["calls"].sum() == in_window.count().to_pandas()
    assert (demand["weeks"] == 4).all()
    trend = collisions.ksi_trend(city.table("collisions"), start=dt.date(demo_end_date.year - 2,
                                                                        1, 1),
                                 as_of=demo_end_date)
    assert trend["ksi"].sum() > 0
    locations = collisions.ksi_locations(city.table("collisions"),
                                         start=demo_end_date - dt.timedelta(days=364),
                                         as_of=demo_end_date, top=10)
    assert locations["ksi"].is_monotonic_decreasing
    assert locations["location_name"].notna().all()
