"""The scenario planner on a hand-made division whose figures can be worked out by hand:
diversion, growth, minimum staffing, positions and cost, the current roster, and the
comparison with it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbench import stats
from workbench.analysis import deployment as dp
from workbench.analysis.deployment.costs import WEEKS_PER_YEAR
from workbench.analysis.deployment.demand import TRAVEL_QUANTILES, DeploymentInputs

NET_HOURS = 1_800.0
SALARY = 120_000.0
OVERTIME_RATE = 90.0


def hand_made_inputs() -> DeploymentInputs:
    """One division, 'D9': 4 calls an hour all week, half of them noise complaints of 0.5 h,
    the others assaults of 1.5 h (mean handling 1 h); one Priority 1 call an hour; a current
    roster of 12 officers every hour; minimum staffing 3; travel 5-9 minutes; processing 1."""
    hours = 168
    types = ("assault", "noise")
    rates = np.full((1, hours), 4.0)
    type_rates = np.stack([np.full(hours, 1.0), np.full(hours, 2.0)])[None, :, :]
    levels = np.asarray(TRAVEL_QUANTILES)
    demand = pd.DataFrame({"division": "D9", "hour_of_week": np.arange(hours),
                           "day_name": "", "hour": np.arange(hours) % 24,
                           "observed_calls_per_hour": 4.0, "calls_per_hour": 4.0,
                           "mean_handling_hours": 1.0, "offered_load": 4.0,
                           "priority_calls_per_hour": 1.0, "current_on_duty": 12.0})
    rates_frame = pd.DataFrame([{
        "division": "D9", "cost_centre": "CC-D9", "patrol_fte": 60.0,
        "scheduled_hours_per_fte": 2_080.0, "absence_hours_per_fte": 280.0,
        "net_available_hours_per_fte": NET_HOURS, "salary_per_fte": SALARY,
        "salary_source": "finance", "cost_per_duty_hour": SALARY / NET_HOURS,
        "overtime_rate": OVERTIME_RATE, "overtime_rate_source": "shifts",
        "overtime_hours_per_year": 1_000.0, "overtime_cost_per_year": 90_000.0}])
    return DeploymentInputs(
        start=dt.date(2026, 1, 1), as_of=dt.date(2026, 3, 31), divisions=("D9",),
        call_types=types, calls_per_hour=rates, handling_hours=np.ones((1, hours)),
        priority_calls_per_hour=np.ones((1, hours)), type_calls_per_hour=type_rates,
        type_handling_hours=np.array([[1.5, 0.5]]), current_on_duty=np.full((1, hours), 12.0),
        minimum_staffing=np.array([3.0]), travel_minutes=(5 + 4 * levels)[None, :],
        processing_minutes=np.ones((1, len(levels))), rates=rates_frame,
        forecast=pd.DataFrame({"division": ["D9"], "growth_factor": [1.0]}), demand=demand)


@pytest.fixture(scope="module")
def inputs():
    return hand_made_inputs()


def test_diverting_calls_releases_their_handling_hours_and_values_them(inputs):
    scenario = dp.Scenario(name="noise", divert={"noise": 0.5}, start_hours=[0, 8, 16])
    result = dp.evaluate_scenario(inputs, scenario, method="quick")
    diversion = result.diversion.set_index("division").loc["D9"]
    assert diversion["calls_diverted_per_week"] == pytest.approx(168 * 2 * 0.5)
    assert diversion["officer_hours_released_per_week"] == pytest.approx(168 * 1 * 0.5)
    assert diversion["value_per_year"] == pytest.approx(84 * WEEKS_PER_YEAR * SALARY / NET_HOURS)
    hours = result.hours
    assert hours["calls_per_hour"].eq(3.0).all()
    assert hours["offered_load"].eq(3.5).all()  # 4 Erlangs less 1 × 0.5 h


def test_requirement_positions_and_cost_follow_from_the_hours(inputs):
    scenario = dp.Scenario(name="base", start_hours=[0, 8, 16], shift_lengths=[8],
                           patterns={8: ["7on0off"]})
    result = dp.evaluate_scenario(inputs, scenario, method="milp", mip_gap=0.0)
    row = result.summary.set_index("division").loc["D9"]
    # 4 Erlangs: P(wait) = 0.135 on 7 units, 0.059 on 8, so the target needs 8 (Erlang C);
    # proactive time ceil(4 / 0.6) = 7; minimum 3: the response target binds
    assert stats.erlang_c_units_needed(4.0, 1.0, 0.10) == 8
    assert row["peak_required"] == 8 and row["required_hours"] == 8 * 168
    assert row["hours_response_binds"] == 168
    assert row["staffed_hours"] == 8 * 168 and row["shortfall_hours"] == 0
    assert row["fte"] == pytest.approx(8 * 168 * WEEKS_PER_YEAR / NET_HOURS)
    assert row["annual_cost"] == pytest.approx(row["fte"] * SALARY)
    assert row["officer_hours_saved"] == pytest.approx((12 - 8) * 168)
    assert row["saturation"] == pytest.approx(4 / 8)
    assert row["hours_over_saturation"] == 0  # 50 % of patrol time on calls: under 60 %


def test_growth_raises_the_requirement_and_a_minimum_overrides_it(inputs):
    grown = dp.evaluate_scenario(inputs, dp.Scenario(name="grown", demand_growth=0.5,
                                                     start_hours=[0, 8, 16]), method="lp")
    assert grown.hours["calls_per_hour"].eq(6.0).all()
    # 6 Erlangs: Erlang C needs 11 units, proactive time ceil(6 / 0.6) = 10
    assert grown.hours["required_officers"].eq(11).all()
    assert grown.hours["proactive_officers"].eq(10).all()
    floor = dp.evaluate_scenario(inputs, dp.Scenario(name="floor", minimum_staffing={"D9": 12},
                                                     start_hours=[0, 8, 16]), method="lp")
    assert floor.hours["binding"].eq("minimum staffing").all()
    assert floor.hours["required_officers"].eq(12).all()


def test_the_current_roster_and_the_comparison(inputs):
    comparison, results = dp.compare_scenarios(
        inputs, [dp.Scenario(name="base", start_hours=[0, 8, 16])], method="quick")
    current = comparison.loc[(comparison["scenario"] == dp.CURRENT_ROSTER)
                             & (comparison["division"] == "D9")].iloc[0]
    assert current["fte"] == 60.0
    assert current["annual_cost"] == pytest.approx(60 * SALARY + 90_000)
    assert current["staffed_hours"] == 12 * 168
    assert current["saturation"] == pytest.approx(4 / 12)
    plan = comparison.loc[(comparison["scenario"] == "base")
                          & (comparison["division"] == "D9")].iloc[0]
    assert plan["fte_change"] == pytest.approx(plan["fte"] - 60.0)
    assert plan["staffed_hours_change"] == pytest.approx(plan["staffed_hours"] - 12 * 168)
    # fewer cars on duty: the model's Priority 1 wait and response can only grow
    assert plan["p1_median_minutes"] >= current["p1_median_minutes"] - 1e-9
    assert plan["p1_wait_probability"] > current["p1_wait_probability"]
    assert len(results) == 1 and set(comparison["division"]) == {"D9", dp.ALL_DIVISIONS}


def test_the_ideal_method_staffs_exactly_the_need_without_solving(inputs):
    scenario = dp.Scenario(name="slider", proactive_share=0.5)
    result = dp.evaluate_scenario(inputs, scenario, method="ideal")
    row = result.summary.set_index("division").loc["D9"]
    # 4 Erlangs at 50 % proactive: ceil(4 / 0.5) = 8 officers, as the response target's 8
    assert row["staffed_hours"] == row["required_hours"] == 8 * 168
    assert row["efficiency"] == 1.0 and row["solver"] == "ideal"
    assert result.tours.empty
    assert row["fte"] == pytest.approx(8 * 168 * WEEKS_PER_YEAR / NET_HOURS)
