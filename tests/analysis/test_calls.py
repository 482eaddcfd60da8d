"""Calls for service: hour-of-week demand, response times and alternative-response share."""

import datetime as dt
import math

import pandas as pd
import pytest

from workbench.analysis import calls
from workbench.analysis._common import AnalysisInputError


def _call(received, *, arrived_after=None, priority=1, division="D1", call_type="assault",
          dispatched_after=None, cleared_after=None):
    received = pd.Timestamp(received)

    def later(minutes):
        return None if minutes is None else received + pd.Timedelta(minutes=minutes)

    return {"received_at": received, "arrived_at": later(arrived_after),
            "dispatched_at": later(dispatched_after), "cleared_at": later(cleared_after),
            "priority": priority, "division": division, "call_type": call_type}


# ------------------------------------------------------------------------------ hour of week


def test_hour_of_week_averages_over_the_weeks_each_slot_occurs(warehouse_with):
    # 2024-06-03 is a Monday; the window is 10 days: Mon..Wed of the next week.
    rows = [_call("2024-06-03 14:05"), _call("2024-06-03 14:55"), _call("2024-06-10 14:30"),
            _call("2024-06-10 14:40"),  # Monday 14:00, two Mondays in the window
            _call("2024-06-06 09:00"),  # Thursday 09:00, one Thursday in the window
            _call("2024-06-13 09:00")]  # next Thursday: outside the window
    warehouse = warehouse_with(calls_for_service=rows)
    demand = calls.hour_of_week_demand(warehouse.table("calls_for_service"),
                                       start=dt.date(2024, 6, 3), as_of=dt.date(2024, 6, 12))
    assert len(demand) == 168
    assert demand["hour_of_week"].tolist() == list(range(168))
    cells = demand.set_index(["day_of_week", "hour"])
    assert cells.loc[(0, 14), "weeks"] == 2 and cells.loc[(0, 14), "calls_per_hour"] == 2.0
    assert cells.loc[(3, 9), "weeks"] == 1 and cells.loc[(3, 9), "calls_per_hour"] == 1.0
    assert cells.loc[(3, 9), "day_name"] == "Thursday"
    assert demand["calls"].sum() == 5
    assert cells.loc[(6, 23), "calls_per_hour"] == 0.0


def test_offered_load_is_arrivals_times_mean_handling_time(warehouse_with):
    rows = [_call("2024-06-03 14:05", dispatched_after=1, cleared_after=31),   # 0.5 h
            _call("2024-06-03 14:20", dispatched_after=2, cleared_after=92),   # 1.5 h
            _call("2024-06-03 14:40", dispatched_after=5, cleared_after=None)]  # no clear time
    warehouse = warehouse_with(calls_for_service=rows)
    demand = calls.hour_of_week_demand(warehouse.table("calls_for_service"),
                                       start=dt.date(2024, 6, 3), as_of=dt.date(2024, 6, 9))
    cell = demand.set_index(["day_of_week", "hour"]).loc[(0, 14)]
    assert cell["calls_per_hour"] == 3.0
    assert cell["mean_handling_hours"] == pytest.approx(1.0)
    assert cell["offered_load"] == pytest.approx(3.0)


def test_hour_of_week_by_division_gives_168_cells_per_division(warehouse_with):
    rows = [_call("2024-06-03 14:05", division="D1"), _call("2024-06-04 01:00", division="D2")]
    warehouse = warehouse_with(calls_for_service=rows)
    demand = calls.hour_of_week_demand(warehouse.table("calls_for_service"),
                                       start=dt.date(2024, 6, 3), as_of=dt.date(2024, 6, 9),
                                       by=("division",))
    assert demand.groupby("division").size().to_dict() == {"D1": 168, "D2": 168}


# ------------------------------------------------------------------------------ response times


@pytest.fixture(scope="module")
def response_table(warehouse_with):
    rows = [_call(f"2024-05-0{i + 1} 12:00", arrived_after=m)
            for i, m in enumerate([5, 10, 12, 20, 30])]
    rows += [_call("2024-05-06 12:00", arrived_after=None),  # no unit arrived
             _call("2024-05-07 12:00", arrived_after=-3),  # arrival stamped before the call
             _call("2024-05-08 12:00", arrived_after=40, priority=3),
             _call("2024-05-08 13:00", arrived_after=4, division="D2"),
             _call("2024-06-02 12:00", arrived_after=8)]  # June
    return warehouse_with(calls_for_service=rows).table("calls_for_service")


def test_response_time_median_p90_and_share_within_target(response_table):
    result = calls.response_times(response_table, start=dt.date(2024, 5, 1),
                                  as_of=dt.date(2024, 5, 31))
    row = result.set_index(["priority", "division"]).loc[(1, "D1")]
    assert (row["calls"], row["arrived"]) == (7, 5)
    assert row["median_minutes"] == pytest.approx(12.0)
    assert row["p90_minutes"] == pytest.approx(26.0)  # 20 + 0.6 × (30 − 20)
    assert (row["within_target"], row["judged"]) == (3, 5)  # 5, 10 and 12 minutes
    assert row["share_within_target"] == pytest.approx(0.6)
    assert row["target_minutes"] == 15.0 and row["target_share"] == 0.9
    assert not row["meets_target"]
    other = result.set_index(["priority", "division"]).loc[(3, "D1")]
    assert other["judged"] == 0 and pd.isna(other["meets_target"])
    assert math.isnan(other["share_within_target"])


def test_response_times_need_an_arrival_time(response_table, warehouse_with):
    from workbench.errors import InsufficientDataError

    measured = calls.response_times(response_table, start=dt.date(2024, 5, 1),
                                    as_of=dt.date(2024, 5, 31), by=("priority",))
    assert calls.require_arrival_times(measured) is measured
    # an export with the call's creation time only (San Diego's open data)
    unmeasured = warehouse_with(calls_for_service=[
        _call(f"2024-05-0{i + 1} 12:00") for i in range(3)]).table("calls_for_service")
    counted = calls.response_times(unmeasured, start=dt.date(2024, 5, 1),
                                   as_of=dt.date(2024, 5, 31), by=("priority",))
    assert int(counted["calls"].sum()) == 3
    with pytest.raises(InsufficientDataError, match="none of the 3 calls has a response time"):
        calls.require_arrival_times(counted)


def test_targets_are_configurable_per_priority(response_table):
    result = calls.response_times(
        response_table, start=dt.date(2024, 5, 1), as_of=dt.date(2024, 5, 31), by=("priority",),
        targets={1: calls.ResponseTarget(25.0, 0.8), 3: 45.0})
    table = result.set_index("priority")
    assert table.loc[1, "share_within_target"] == pytest.approx(5 / 6)  # all but the 30 min
    assert bool(table.loc[1, "meets_target"])
    assert table.loc[3, "target_minutes"] == 45.0 and table.loc[3, "target_share"] == 0.9
    assert bool(table.loc[3, "meets_target"])


def test_response_time_trend_is_monthly_with_partial_months_marked(response_table):
    trend = calls.response_time_trend(response_table, start=dt.date(2024, 5, 1),
                                      as_of=dt.date(2024, 6, 15), by=("priority",))
    p1 = trend[trend["priority"] == 1].set_index("period_start")
    # May, both divisions: 4, 5, 10, 12, 20, 30 minutes
    assert p1.loc[pd.Timestamp("2024-05-01"), "median_minutes"] == pytest.approx(11.0)
    assert p1.loc[pd.Timestamp("2024-06-01"), "arrived"] == 1
    assert p1["complete"].tolist() == [True, False]


def test_a_target_needs_positive_minutes():
    with pytest.raises(AnalysisInputError, match="minutes"):
        calls.ResponseTarget(0)


# ------------------------------------------------------------------------------ alternative response


def test_alternative_response_share_per_month(warehouse_with):
    rows = [_call("2024-05-02", call_type="mental_health"), _call("2024-05-03", call_type="assault"),
            _call("2024-05-04", call_type="noise"), _call("2024-05-05", call_type="assault"),
            _call("2024-07-01", call_type="noise")]
    warehouse = warehouse_with(calls_for_service=rows)
    share = calls.alternative_response_share(
        warehouse.table("calls_for_service"), start=dt.date(2024, 5, 1),
        as_of=dt.date(2024, 7, 31), call_types=["mental_health", "noise"])
    table = share.set_index("period_start")
    assert table.loc[pd.Timestamp("2024-05-01"), "share"] == pytest.approx(0.5)
    assert table.loc[pd.Timestamp("2024-06-01"), "calls"] == 0
    assert math.isnan(table.loc[pd.Timestamp("2024-06-01"), "share"])
    assert table.loc[pd.Timestamp("2024-07-01"), "share"] == 1.0
    with pytest.raises(AnalysisInputError, match="call_types"):
        calls.alternative_response_share(warehouse.table("calls_for_service"),
                                         start=dt.date(2024, 5, 1), as_of=dt.date(2024, 7, 31),
                                         call_types=[])
