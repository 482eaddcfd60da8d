"""Deployment planning on the demo city: forecast demand, the requirement and what binds it,
cost rates from the ledger and the shifts, the optimiser against the current roster, every
example scenario, and the queueing model checked against the observed response times.

What the demo city holds (docs/demo-city.md): patrol platoons of 12-hour shifts (07:00 and
19:00, one platoon on at a time) with a minimum staffing of 80 % of platoon strength, sized by
each division's share of calls, far above what the calls alone need; calls peak 15:00-20:00;
Priority 1 queue delay and travel are log-normal, and West (D5) has travel times rising over
the last year (the planted degradation); arrivals are Poisson.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from workbench.analysis import deployment as dp
from workbench.analysis.deployment import validation

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "deployment-scenarios.yaml"
WEEKS = 13


@pytest.fixture(scope="module")
def window(demo_end_date):
    return demo_end_date - dt.timedelta(weeks=WEEKS) + dt.timedelta(days=1), demo_end_date


@pytest.fixture(scope="module")
def inputs(demo_warehouse, window):
    start, as_of = window
    return dp.prepare_inputs(*demo_warehouse.tables("calls_for_service", "shifts", "units",
                                                    "personnel", "finance"),
                             start=start, as_of=as_of, backtest_months=3)


@pytest.fixture(scope="module")
def comparison(inputs):
    return dp.compare_scenarios(inputs, dp.load_scenarios(EXAMPLE), divisions=["D1", "D5"],
                                method="quick")


def test_demand_is_forecast_by_division_from_the_ets_model(inputs):
    forecast = inputs.forecast
    assert list(forecast["division"]) == [f"D{n}" for n in range(1, 8)]
    assert forecast["forecast_method"].str.startswith("ETS(A,Ad,A)").all()
    assert forecast["backtest_mape"].lt(10).all()
    # a seasonal level, not the window's: factors differ from 1 but stay plausible
    assert forecast["growth_factor"].between(0.8, 1.25).all()
    assert not np.allclose(forecast["growth_factor"], 1.0)
    ratio = inputs.calls_per_hour.sum(axis=1) / inputs.demand.groupby("division")[
        "observed_calls_per_hour"].sum().to_numpy()
    assert ratio == pytest.approx(forecast["growth_factor"].to_numpy())


def test_the_platoon_minimum_binds_every_hour_and_workload_alone_needs_far_less(inputs):
    today = dp.evaluate_scenario(inputs, dp.Scenario(name="today"), method="lp")
    summary = today.summary.set_index("division")
    assert (summary.loc[list(inputs.divisions), "hours_minimum_binds"] == 168).all()
    workload = dp.evaluate_scenario(
        inputs, dp.Scenario(name="workload", minimum_staffing_share=0), method="lp")
    hours = workload.hours
    # queueing economies of scale: proactive time binds most in the largest division, the
    # response target in the smallest
    central = hours.loc[hours["division"] == "D1", "binding"].value_counts()
    north_east = hours.loc[hours["division"] == "D3", "binding"].value_counts()
    assert central.idxmax() == "proactive time"
    assert north_east.idxmax() == "response target"
    by_hour = hours.loc[hours["division"] == "D1"].groupby("hour")["required_officers"].mean()
    assert 15 <= by_hour.idxmax() <= 20 and 2 <= by_hour.idxmin() <= 7
    needed = workload.summary.set_index("division")["required_hours"]
    assert (needed.loc[list(inputs.divisions)] < 0.6 * summary.loc[list(inputs.divisions),
                                                                      "required_hours"]).all()


def test_cost_rates_come_from_the_ledger_and_the_overtime_paid(inputs):
    rates = inputs.rates
    assert (rates["salary_source"] == "finance").all()
    assert (rates["overtime_rate_source"] == "shifts").all()
    assert rates["salary_per_fte"].between(110_000, 170_000).all()
    # demo overtime = rank hourly rate × 1.5; constables earn about $104,000 over 2,080 hours
    assert rates["overtime_rate"].between(70, 95).all()
    assert rates["net_available_hours_per_fte"].between(1_700, 1_950).all()
    assert rates["patrol_fte"].sum() == pytest.approx(880, rel=0.03)


def test_the_optimiser_meets_the_requirement_with_fewer_officer_hours_than_today(inputs):
    current = dp.current_state(inputs).set_index("division")
    plan = dp.evaluate_scenario(inputs, dp.Scenario(name="today"), method="quick")
    summary = plan.summary.set_index("division")
    for division in inputs.divisions:
        row = summary.loc[division]
        assert row["shortfall_hours"] == 0
        assert row["staffed_hours"] <= current.loc[division, "staffed_hours"]
        assert row["officer_hours_saved"] == pytest.approx(
            current.loc[division, "staffed_hours"] - row["staffed_hours"])
    service = summary.loc[dp.ALL_DIVISIONS]
    assert service["officer_hours_saved"] > 0.05 * service["current_staffed_hours"]
    assert service["fte"] < current.loc[dp.ALL_DIVISIONS, "fte"]
    assert service["annual_cost"] < current.loc[dp.ALL_DIVISIONS, "annual_cost"]


def test_the_integer_program_on_one_division_with_a_peaked_workload(inputs):
    scenario = dp.Scenario(name="workload", minimum_staffing_share=0,
                           start_hours=[7, 11, 15, 19, 23])
    plan = dp.evaluate_scenario(inputs, scenario, divisions=["D3"], method="milp",
                                time_limit=60)
    row = plan.summary.set_index("division").loc["D3"]
    assert row["shortfall_hours"] == 0
    assert row["solver_gap"] <= 0.05
    assert row["staffed_hours"] < row["current_staffed_hours"]
    assert row["fit_score"] > row["current_fit_score"]
    assert set(plan.tours["start_hour"]) <= {7, 11, 15, 19, 23}
    staffed = plan.hours["staffed_officers"].to_numpy()
    assert np.all(staffed >= plan.hours["required_officers"].to_numpy())


def test_every_example_scenario_runs_and_moves_what_it_changes(comparison):
    frame, results = comparison
    names = [r.scenario.name for r in results]
    assert list(dict.fromkeys(frame["scenario"])) == [dp.CURRENT_ROSTER, *names]
    assert len(frame) == 3 * (len(names) + 1)  # D1, D5 and both
    rows = frame.set_index(["scenario", "division"])
    both = dp.ALL_DIVISIONS

    def value(name: str, column: str, division: str = both) -> float:
        return float(rows.loc[(name, division), column])

    assert value("Optimised roster, today's rules", "staffed_hours_change") < 0
    workload = "Workload-based minimum, five start times"
    assert value(workload, "fte") < 0.6 * value(dp.CURRENT_ROSTER, "fte")
    assert value(workload, "saturation") > value(dp.CURRENT_ROSTER, "saturation")
    diverted = "Divert mental-health, wellness and noise calls"
    assert value(diverted, "calls_diverted_per_week") > 0
    assert value(diverted, "value_per_year") > 0
    assert value(diverted, "officer_hours_released_per_year") == pytest.approx(
        52.142857 * value(diverted, "officer_hours_released_per_week"), rel=1e-4)
    assert value(diverted, "required_hours") < value(workload, "required_hours")
    assert value("Stricter response target", "required_hours") > value(workload, "required_hours")
    assert value("Half of patrol time proactive", "required_hours") > value(workload,
                                                                          "required_hours")
    assert value("Calls up 10%", "calls_per_week") == pytest.approx(
        1.1 * value(dp.CURRENT_ROSTER, "calls_per_week"))
    eight = next(r for r in results if r.scenario.name == "8-hour shifts only")
    assert set(eight.tours["length_hours"]) == {8}
    cut = "Twenty fewer officers in Central"
    assert value(cut, "fte", "D1") <= value(dp.CURRENT_ROSTER, "fte", "D1") - 20 + 1e-6
    assert value(cut, "shortfall_hours", "D1") > 0
    overtime = "Planned overtime up to 80 hours a week"
    assert 0 < value(overtime, "overtime_hours", "D1") <= 80
    assert frame["p1_median_minutes"].between(5, 20).all()


def test_the_queueing_model_predicts_the_observed_priority_1_response(demo_warehouse, window):
    start, end = window
    calibration_end = start - dt.timedelta(days=1)
    check = validation.response_model_check(
        *demo_warehouse.tables("calls_for_service", "shifts", "units"),
        calibration_start=calibration_end - dt.timedelta(weeks=WEEKS) + dt.timedelta(days=1),
        calibration_end=calibration_end, start=start, end=end).set_index("division")
    divisions = [f"D{n}" for n in range(1, 8)]
    assert check.loc[divisions, "median_error"].abs().max() < 1.0
    assert check.loc[divisions, "p90_error"].abs().max() < 1.5
    service = check.loc["All divisions"]
    assert abs(service["median_error"]) < 0.5 and abs(service["p90_error"]) < 1.0
    # today's roster is far above the workload: Priority 1 calls almost never wait for a car
    assert check["predicted_wait_probability"].max() < 0.01
    # the planted degradation: West's Priority 1 response is the slowest observed
    assert check.loc[divisions, "observed_median"].idxmax() == "D5"


def test_demo_arrivals_scatter_like_poisson_around_the_hour_of_week_profile(demo_warehouse,
                                                                           window):
    start, end = window
    summary, hourly = validation.demand_forecast_check(
        demo_warehouse.table("calls_for_service"), start=start, as_of=end)
    divisions = summary.loc[summary["division"] != "All"]
    assert len(divisions) == 7 and len(hourly) == 7 * 168
    assert divisions["dispersion"].between(0.75, 1.35).all()
    assert (divisions["wape"] < divisions["naive_wape"]).all()
