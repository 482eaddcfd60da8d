"""Workload-based patrol staffing on a hand-made week with a known answer: arrivals and
handling time per hour of the week, Erlang C units needed, officers on duty from shifts, the
gap and the saturation."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from workbench.analysis import staffing
from workbench.analysis._common import AnalysisInputError
from workbench.charts import workforce as workforce_charts

MONDAY = dt.date(2024, 1, 1)  # a Monday; the window is the week to Sunday 7 January
SUNDAY = dt.date(2024, 1, 7)


def _erlang_c(load: float, servers: int) -> float:
    """DOMAIN.md's formula, written out: the reference the library is checked against."""
    if load >= servers:
        return 1.0
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


def _smallest_servers(load: float, meets) -> int:  # noqa: ANN001
    servers = max(1, math.floor(load) + 1)
    while not meets(servers):
        servers += 1
    return servers


def _call(received: str, *, dispatched: float | None, cleared: float | None,
          division: str = "D1") -> dict:
    at = pd.Timestamp(received)
    return {"received_at": at,
            "dispatched_at": None if dispatched is None else at + pd.Timedelta(minutes=dispatched),
            "cleared_at": None if cleared is None else at + pd.Timedelta(minutes=cleared),
            "division": division, "priority": 2}


def _shift(officer: str, start: str, worked: float, unit: str = "P1") -> dict:
    at = pd.Timestamp(start)
    return {"officer_id": officer, "shift_date": at.date(), "unit_id": unit, "shift_start": at,
            "scheduled_hours": worked, "worked_hours": worked}


@pytest.fixture(scope="module")
def week(warehouse_with):
    """Monday 10:00–10:59: five dispatched calls, each 30 minutes from dispatch to clear, and
    two calls never dispatched. Shifts: four patrol officers from Monday 08:00 for 4.5 hours,
    one from Sunday 31 December 22:00 for 12 hours (into Monday until 10:00), one investigator
    (not patrol) on Monday 08:00."""
    calls = [_call(f"2024-01-01 10:{minute:02d}", dispatched=2, cleared=32)
             for minute in (0, 10, 20, 30, 40)]
    calls += [_call("2024-01-01 10:05", dispatched=None, cleared=5),
              _call("2024-01-01 10:50", dispatched=None, cleared=None)]
    shifts = [_shift(f"P{n}", "2024-01-01 08:00", 4.5) for n in range(4)]
    shifts += [_shift("N1", "2023-12-31 22:00", 12.0), _shift("I1", "2024-01-01 08:00", 8.0,
                                                              unit="INV")]
    units = [{"unit_id": "P1", "division": "D1", "unit_type": "patrol", "minimum_staffing": 3},
             {"unit_id": "INV", "division": "D1", "unit_type": "investigative"}]
    return warehouse_with(calls_for_service=calls, shifts=shifts, units=units)


@pytest.fixture(scope="module")
def workload(week):
    return staffing.hour_of_week_workload(week.table("calls_for_service"), start=MONDAY,
                                          as_of=SUNDAY, minimum_calls=1)


@pytest.fixture(scope="module")
def on_duty(week):
    shifts, units = week.tables("shifts", "units")
    return staffing.officers_on_duty_by_hour_of_week(shifts, units, start=MONDAY, as_of=SUNDAY)


def test_workload_counts_dispatched_calls_and_their_handling_time(workload):
    assert len(workload) == 168 and workload["division"].unique().tolist() == ["D1"]
    cell = workload.set_index("hour_of_week").loc[10]
    assert cell["calls"] == 5 and cell["weeks"] == 1
    assert cell["calls_per_hour"] == 5.0
    assert cell["mean_handling_hours"] == pytest.approx(0.5)
    assert cell["offered_load"] == pytest.approx(2.5)
    assert workload["calls"].sum() == 5


def test_units_needed_meets_the_wait_target(workload):
    needed = staffing.units_needed(workload, staffing.ServiceTarget(wait_probability=0.10))
    cell = needed.set_index("hour_of_week").loc[10]
    reference = _smallest_servers(2.5, lambda c: _erlang_c(2.5, c) <= 0.10)
    assert reference == 6  # P(wait) is 0.130 with 5 units and 0.047 with 6
    assert cell["units_needed"] == reference
    assert needed.set_index("hour_of_week").loc[11, "units_needed"] == 0  # no calls, no units


def test_units_needed_meets_a_dispatch_within_minutes_target(workload):
    target = staffing.ServiceTarget(wait_probability=None, answer_minutes=5, service_level=0.9)

    def share_within(servers: int) -> float:
        return 1 - _erlang_c(2.5, servers) * math.exp(-(servers - 2.5) * (5 / 60) / 0.5)

    reference = _smallest_servers(2.5, lambda c: share_within(c) >= 0.9)
    assert reference == 5  # 80.6% within 5 minutes with 4 units, 91.4% with 5
    needed = staffing.units_needed(workload, target, officers_per_unit=2)
    cell = needed.set_index("hour_of_week").loc[10]
    assert cell["units_needed"] == reference and cell["officers_needed"] == 2 * reference
    assert target.describe() == "90% dispatched within 5 min"


def test_officers_on_duty_spread_each_shift_over_its_hours(on_duty):
    assert len(on_duty) == 168
    hours = on_duty.set_index("hour_of_week")["officers_on_duty"]
    assert hours[0] == 1.0  # the night shift, from Sunday 22:00 (before the window)
    assert hours[9] == 5.0  # four day officers and the night shift's last hour
    assert hours[10] == 4.0
    assert hours[12] == pytest.approx(2.0)  # the half hour after 12:00
    assert hours[13] == 0.0
    assert on_duty["people"].iloc[0] == 5  # the investigator is not patrol
    # the night shift's first two hours fall before the window: 10 of its 12 hours count
    assert on_duty["officer_hours"].sum() == pytest.approx(4 * 4.5 + 10)


def test_gap_and_saturation(workload, on_duty):
    gap = staffing.deployment_gap(workload, on_duty, staffing.ServiceTarget(0.10))
    cell = gap.set_index("hour_of_week").loc[10]
    assert cell["officers_needed"] == 6 and cell["officers_on_duty"] == 4
    assert cell["gap"] == -2 and cell["short"]
    assert cell["saturation"] == pytest.approx(2.5 / 4)
    assert cell["over_saturation"]  # above the rule of 60
    assert cell["wait_probability"] == pytest.approx(_erlang_c(2.5, 4))
    quiet = gap.set_index("hour_of_week").loc[11]
    assert quiet["gap"] == 4 and not quiet["short"] and quiet["saturation"] == 0
    summary = staffing.gap_summary(gap).iloc[0]
    assert summary["hours_short"] == 1 and summary["officer_hours_short"] == 2
    assert summary["worst_hour"] == "Monday 10:00"
    assert summary["hours_over_saturation"] == 1


def test_a_hour_with_too_few_timed_calls_uses_the_division_mean(week):
    workload = staffing.hour_of_week_workload(week.table("calls_for_service"), start=MONDAY,
                                              as_of=SUNDAY, minimum_calls=30)
    cell = workload.set_index("hour_of_week").loc[10]
    assert cell["handling_from"] == "group"
    assert cell["mean_handling_hours"] == pytest.approx(0.5)  # the only calls are that hour's


def test_service_targets_are_validated():
    with pytest.raises(AnalysisInputError, match="go together"):
        staffing.ServiceTarget(wait_probability=None, answer_minutes=5)
    with pytest.raises(AnalysisInputError, match="needs"):
        staffing.ServiceTarget(wait_probability=None)
    with pytest.raises(AnalysisInputError, match="wait_probability"):
        staffing.ServiceTarget(wait_probability=1.5)


def test_deployment_charts_give_each_division_its_own_small_dataset(demo_warehouse,
                                                                     demo_end_date):
    calls, shifts, units = demo_warehouse.tables("calls_for_service", "shifts", "units")
    as_of = demo_end_date - dt.timedelta(days=1)
    start = as_of - dt.timedelta(days=27)
    gap = staffing.deployment_gap(
        staffing.hour_of_week_workload(calls, start=start, as_of=as_of),
        staffing.officers_on_duty_by_hour_of_week(shifts, units, start=start, as_of=as_of))
    divisions = gap["division"].nunique()
    assert divisions >= 5 and len(gap) == 168 * divisions
    assert (gap["officers_on_duty"] > 0).all()  # patrol is on duty every hour of the week
    for chart in (workforce_charts.deployment_gap_heatmap(gap),
                  workforce_charts.saturation_chart(gap),
                  workforce_charts.officers_needed_chart(gap.loc[gap["division"] == "D1"])):
        spec = chart.to_dict()
        sizes = [len(rows) for rows in spec["datasets"].values()]
        assert max(sizes) <= 200 and sum(sizes) >= 168
