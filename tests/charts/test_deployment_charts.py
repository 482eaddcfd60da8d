"""Deployment charts: valid Vega-Lite built from the planner's own frames (a hand-made
division), with the series, scenarios and labels a manager reads."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import workbench.charts  # noqa: F401  (registers the house theme)
from workbench.analysis import deployment as dp
from workbench.charts import deployment as charts

_PLANNER_TESTS = Path(__file__).resolve().parents[1] / "analysis" / "test_deployment_planner.py"


def _hand_made_inputs():
    spec = importlib.util.spec_from_file_location("deployment_planner_tests", _PLANNER_TESTS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.hand_made_inputs()


@pytest.fixture(scope="module")
def planned():
    inputs = _hand_made_inputs()
    scenarios = [dp.Scenario(name="Optimised", start_hours=[0, 8, 16]),
                 dp.Scenario(name="Divert noise", divert={"noise": 0.5}, start_hours=[0, 8, 16])]
    return dp.compare_scenarios(inputs, scenarios, method="quick")


def _walk(spec):
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from _walk(child)


def _rows(spec):
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_staffing_curve_draws_need_plan_roster_and_workload_per_hour(planned):
    _, results = planned
    spec = charts.staffing_curve_chart(results[0].hours).to_dict()
    rows = _rows(spec)
    assert {row["series"] for row in rows} == {"Officers needed", "On duty, optimised plan",
                                               "On duty, current roster", "Busy on calls"}
    assert len(rows) == 4 * 168
    roster = [row["officers"] for row in rows if row["series"] == "On duty, current roster"]
    assert set(roster) == {12.0}
    assert {row["binding"] for row in rows} == {"response target"}
    assert all(layer["mark"]["interpolate"] == "step-after" for layer in spec["layer"])


def test_shift_starts_chart_stacks_officers_by_length(planned):
    _, results = planned
    tours = results[0].tours
    spec = charts.shift_starts_chart(tours).to_dict()
    rows = _rows(spec)
    assert sum(row["officers"] for row in rows) == tours["officers"].sum()
    assert {row["start"] for row in rows} <= {"00:00", "08:00", "16:00"}


def test_scenario_comparison_has_a_bar_per_scenario_for_each_measure(planned):
    comparison, _ = planned
    spec = charts.scenario_comparison_chart(
        comparison, measures=("fte", "annual_cost", "p1_median_minutes", "value_per_year"),
        division="D9").to_dict()
    bars = [s for s in _walk(spec) if "mark" in s]
    assert len(bars) == 4
    assert [b["title"] for b in bars] == ["Positions (FTE)", "Annual cost ($)",
                                          "Priority 1 response, median (min)",
                                          "Value of officer time released a year ($)"]
    scenarios = {row["scenario"] for row in _rows(spec)}
    assert scenarios == {dp.CURRENT_ROSTER, "Optimised", "Divert noise"}


def test_unknown_measures_and_series_are_refused(planned):
    comparison, results = planned
    with pytest.raises(ValueError, match="unknown measures"):
        charts.scenario_comparison_chart(comparison, measures=("speed",))
    with pytest.raises(ValueError, match="unknown series"):
        charts.staffing_curve_chart(results[0].hours, series=("cars",))
