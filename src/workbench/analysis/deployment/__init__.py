"""Deployment planning: from forecast demand to an optimised, costed shift schedule, with
what-if scenarios (design notes: ``docs/deployment-planning.md``).

The chain, one module each:

- :mod:`.demand` — forecast calls per hour of the week and every scenario-independent input
  (:func:`prepare_inputs`, computed once);
- :mod:`.requirement` — officers needed per hour: response target (Erlang C), proactive time
  (Wilson and Weiss) or minimum staffing, whichever binds;
- :mod:`.schedule` — the shift-schedule integer program over weekly tours, solved by
  :mod:`.cover` (a covering integer program on SciPy ``milp`` / HiGHS);
- :mod:`.costs` — positions from hours (relief), salary and overtime rates;
- :mod:`.queueing` — Erlang C over numpy arrays and the Priority 1 response model;
- :mod:`.scenarios` — the validated scenario model and YAML file;
- :mod:`.planner` — one scenario evaluated, and scenarios compared with the current roster;
- :mod:`.validation` — the model checked against observed response times and real demand.

A report or an app prepares the inputs once, then evaluates scenarios cheaply::

    inputs = prepare_inputs(calls, shifts, units, personnel, finance, start=..., as_of=...)
    result = evaluate_scenario(inputs, Scenario(name="West +10", officers_change={"D5": 10}),
                               divisions=["D5"], method="quick")
    result.summary, result.hours, result.tours
"""

from workbench.analysis.deployment.costs import cost_rates, positions_needed
from workbench.analysis.deployment.demand import DeploymentInputs, forecast_growth, prepare_inputs
from workbench.analysis.deployment.planner import (
    ALL_DIVISIONS,
    CURRENT_ROSTER,
    ScenarioResult,
    compare_scenarios,
    current_state,
    evaluate_scenario,
)
from workbench.analysis.deployment.requirement import BINDING_LABELS, hourly_requirement
from workbench.analysis.deployment.scenarios import Scenario, ScenarioFile, load_scenarios
from workbench.analysis.deployment.schedule import (
    CoverSolution,
    Schedule,
    ShiftRules,
    coverage_summary,
    optimise_schedule,
    solve_cover,
    tours,
)

__all__ = [
    "ALL_DIVISIONS",
    "BINDING_LABELS",
    "CURRENT_ROSTER",
    "CoverSolution",
    "DeploymentInputs",
    "Scenario",
    "ScenarioFile",
    "ScenarioResult",
    "Schedule",
    "ShiftRules",
    "compare_scenarios",
    "cost_rates",
    "coverage_summary",
    "current_state",
    "evaluate_scenario",
    "forecast_growth",
    "hourly_requirement",
    "load_scenarios",
    "optimise_schedule",
    "positions_needed",
    "prepare_inputs",
    "solve_cover",
    "tours",
]
