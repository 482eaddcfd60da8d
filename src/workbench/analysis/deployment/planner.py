"""Evaluate a scenario: demand → requirement → optimised schedule → positions, cost, response.

:func:`evaluate_scenario` takes the precomputed :class:`~workbench.analysis.deployment.demand.
DeploymentInputs` and one :class:`~workbench.analysis.deployment.scenarios.Scenario` and returns
small frames; :func:`compare_scenarios` puts several side by side with the current roster and
the difference from it. Per division:

1. **Demand**: forecast arrivals × (1 + ``demand_growth``); diverted calls (a share of a call
   type's non-Priority 1 calls) leave the arrivals and take their handling time with them.
2. **Requirement** per hour (:func:`~workbench.analysis.deployment.requirement.
   hourly_requirement`): the response target, the proactive share or the minimum, whichever
   binds.
3. **Schedule** (:func:`~workbench.analysis.deployment.schedule.optimise_schedule`), costed at
   the division's cost of an on-duty officer-hour and its overtime rate.
4. **Positions** = scheduled officer-hours a year ÷ net available hours per FTE; **annual cost**
   = positions × salary cost per FTE + planned overtime hours × overtime rate.
5. **Priority 1 response** (median, 90th percentile) from the queueing model with the units
   on duty (:mod:`~workbench.analysis.deployment.queueing`); **saturation** = call time ÷
   patrol time on duty (the rule of 60).

The current roster is judged on the same demand: its officers on duty per hour (from
``shifts``), its measured positions, and its cost (salaries of those positions plus the
overtime actually paid over the last year).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis._common import AnalysisInputError
from workbench.analysis.deployment import queueing
from workbench.analysis.deployment.costs import WEEKS_PER_YEAR
from workbench.analysis.deployment.demand import HOURS, DeploymentInputs
from workbench.analysis.deployment.requirement import BINDING_LABELS, hourly_requirement
from workbench.analysis.deployment.scenarios import Scenario
from workbench.analysis.deployment.schedule import (
    Schedule,
    coverage_summary,
    optimise_schedule,
)

__all__ = ["ALL_DIVISIONS", "CURRENT_ROSTER", "ScenarioResult", "compare_scenarios",
           "current_state", "evaluate_scenario"]

ALL_DIVISIONS = "All divisions"
CURRENT_ROSTER = "Current roster"
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Measures compared with the current roster in :func:`compare_scenarios`.
COMPARED = ("required_hours", "staffed_hours", "fte", "annual_cost", "p1_median_minutes",
            "p1_p90_minutes", "saturation")


_TOTALS = ("required", "staffed", "committed", "current")


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's plan. Frames have a ``division`` column (and ``scenario`` in
    ``summary``).

    Attributes:
        hours: per division and hour of the week: ``calls_per_hour, offered_load,
            response_officers, proactive_officers, minimum_officers, required_officers,
            binding, scheduled_officers, overtime_officers, staffed_officers,
            current_officers, shortfall``.
        tours: the optimised tours per division (:class:`~workbench.analysis.deployment.
            schedule.Schedule` ``tours``).
        summary: one row per division and one for :data:`ALL_DIVISIONS` (see
            :func:`evaluate_scenario`).
        diversion: per division, calls diverted and the officer time they release.
        schedules: division → :class:`~workbench.analysis.deployment.schedule.Schedule`.
    """

    scenario: Scenario
    hours: pd.DataFrame
    tours: pd.DataFrame
    summary: pd.DataFrame
    diversion: pd.DataFrame
    schedules: dict[str, Schedule]


@dataclass(frozen=True)
class _Demand:
    rate: np.ndarray
    handling: np.ndarray
    priority: np.ndarray
    diverted_calls: float
    diverted_hours: float


def _demand(inputs: DeploymentInputs, row: int, scenario: Scenario) -> _Demand:
    growth = 1.0 + scenario.demand_growth
    rate = inputs.calls_per_hour[row] * growth
    load = rate * np.nan_to_num(inputs.handling_hours[row])
    diverted = np.zeros(HOURS)
    diverted_load = np.zeros(HOURS)
    for call_type, share in scenario.divert.items():
        column = inputs.call_types.index(call_type)
        calls = inputs.type_calls_per_hour[row, column] * growth * share
        diverted += calls
        diverted_load += calls * inputs.type_handling_hours[row, column]
    rate_left = np.clip(rate - diverted, 0.0, None)
    load_left = np.clip(load - diverted_load, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        handling = np.where(rate_left > 0, load_left / np.where(rate_left > 0, rate_left, 1), 0.0)
    return _Demand(rate=rate_left, handling=handling,
                   priority=inputs.priority_calls_per_hour[row] * growth,
                   diverted_calls=float(diverted.sum()),
                   diverted_hours=float(diverted_load.sum()) * scenario.officers_per_unit)


def _minimum(inputs: DeploymentInputs, division: str, row: int, scenario: Scenario) -> float:
    if division in scenario.minimum_staffing:
        return float(scenario.minimum_staffing[division])
    return float(math.ceil(inputs.minimum_staffing[row] * scenario.minimum_staffing_share - 1e-9))


def _division_need(inputs: DeploymentInputs, division: str, row: int, scenario: Scenario,
                   ) -> tuple[_Demand, dict[str, np.ndarray]]:
    """The scenario's demand in one division and the officers it needs per hour."""
    demand = _demand(inputs, row, scenario)
    need = hourly_requirement(demand.rate, demand.handling, target=scenario.target(),
                              proactive_share=scenario.proactive_share,
                              minimum_officers=_minimum(inputs, division, row, scenario),
                              officers_per_unit=scenario.officers_per_unit)
    return demand, need


def _response_model(inputs: DeploymentInputs, row: int, demand: _Demand, staffed: np.ndarray,
                    scenario: Scenario) -> queueing.ResponseModel | None:
    travel = inputs.travel_minutes[row]
    processing = (np.array([scenario.processing_minutes])
                  if scenario.processing_minutes is not None else inputs.processing_minutes[row])
    if not np.isfinite(travel).any() or not np.isfinite(processing).any():
        return None
    return queueing.response_model(
        calls_per_hour=demand.rate, mean_handling_hours=demand.handling,
        priority_calls_per_hour=demand.priority, units_on_duty=staffed / scenario.officers_per_unit,
        travel_minutes=travel, processing_minutes=processing, discipline=scenario.discipline)


def _measures(required: np.ndarray, staffed: np.ndarray, committed: np.ndarray,
              models: list[queueing.ResponseModel | None], threshold: float) -> dict[str, float]:
    coverage = coverage_summary(required, staffed)
    response = queueing.response_percentiles([m for m in models if m is not None])
    with np.errstate(divide="ignore", invalid="ignore"):
        hourly = np.where(staffed > 0, committed / np.where(staffed > 0, staffed, 1), np.inf)
    return {
        "required_hours": coverage["required_hours"],
        "staffed_hours": coverage["scheduled_hours"],
        "surplus_hours": coverage["surplus_hours"],
        "shortfall_hours": coverage["shortfall_hours"],
        "hours_short": coverage["hours_short"],
        "efficiency": coverage["efficiency"],
        "fit_score": coverage["fit_score"],
        "p1_median_minutes": response["p50"],
        "p1_p90_minutes": response["p90"],
        "p1_wait_probability": response["wait_probability"],
        "saturation": float(committed.sum() / staffed.sum()) if staffed.sum() > 0 else math.inf,
        "hours_over_saturation": float((hourly > threshold).sum()),
    }


def _hours_frame(division: str, demand: _Demand, need: dict[str, np.ndarray],
                 schedule: Schedule | None, current: np.ndarray,
                 officers_per_unit: float) -> pd.DataFrame:
    hours = np.arange(HOURS)
    scheduled = schedule.on_duty if schedule is not None else current
    overtime = schedule.overtime if schedule is not None else np.zeros(HOURS)
    staffed = scheduled + overtime
    return pd.DataFrame({
        "division": division, "hour_of_week": hours,
        "day_name": [_DAYS[h // 24] for h in hours], "hour": hours % 24,
        "calls_per_hour": demand.rate, "offered_load": demand.rate * demand.handling,
        "committed_officers": demand.rate * demand.handling * officers_per_unit,
        "response_officers": need["response"], "proactive_officers": need["proactive"],
        "minimum_officers": need["minimum"], "required_officers": need["required"],
        "binding": [BINDING_LABELS[int(b)] for b in need["binding"]],
        "scheduled_officers": scheduled, "overtime_officers": overtime,
        "staffed_officers": staffed, "current_officers": current,
        "shortfall": np.clip(need["required"] - staffed, 0.0, None)})


def evaluate_scenario(
    inputs: DeploymentInputs,
    scenario: Scenario,
    *,
    divisions: Sequence[str] | None = None,
    method: str = "milp",
    time_limit: float = 20.0,
    mip_gap: float = 0.02,
) -> ScenarioResult:
    """Plan ``scenario`` for ``divisions`` (default: all) — see the module docstring.

    ``method`` is the schedule solver (``"milp"``; ``"quick"``: LP rounding, within a few
    percent; ``"lp"``: the fractional lower bound; ``"ideal"``: no shifts, officers on duty
    equal to the requirement — instant, for a slider's redraw).

    ``summary`` columns: ``scenario, division, calls_per_week, required_hours`` (officer-hours
    a week), ``peak_required, hours_response_binds, hours_proactive_binds,
    hours_minimum_binds, officers_on_tours, scheduled_hours, overtime_hours,
    staffed_hours, surplus_hours, shortfall_hours, hours_short, efficiency, fit_score, fte,
    annual_cost, p1_median_minutes, p1_p90_minutes, p1_wait_probability, saturation,
    hours_over_saturation, current_staffed_hours, current_shortfall_hours,
    current_hours_short, current_efficiency, current_fit_score, officer_hours_saved``
    (current − scenario staffed hours a week), ``solver, solver_status, solver_gap,
    solver_seconds``.
    """
    chosen = list(inputs.divisions if divisions is None else divisions)
    scenario.check_against(inputs.divisions, inputs.call_types)
    rates = inputs.rates.set_index("division")
    rules = scenario.rules()
    hour_frames, tour_frames, rows, diverted = [], [], [], []
    schedules: dict[str, Schedule] = {}
    totals: dict[str, list[np.ndarray]] = {key: [] for key in _TOTALS}
    models: list[queueing.ResponseModel | None] = []
    for division in chosen:
        row = inputs.index_of(division)
        rate = rates.loc[division]
        demand, need = _division_need(inputs, division, row, scenario)
        cap = None
        if division in scenario.officers_change:
            cap = (float(rate["net_available_hours_per_fte"]) / WEEKS_PER_YEAR,
                   max(0.0, float(rate["patrol_fte"]) + scenario.officers_change[division]))
        schedule = optimise_schedule(
            need["required"], rules, hour_cost=float(rate["cost_per_duty_hour"]),
            overtime_hour_cost=float(rate["overtime_rate"]),
            overtime_cap_hours=scenario.overtime_cap_hours,
            overtime_block_hours=scenario.overtime_block_hours, position_cap=cap,
            method=method, time_limit=time_limit, mip_gap=mip_gap)
        schedules[division] = schedule
        hours = _hours_frame(division, demand, need, schedule, inputs.current_on_duty[row],
                             scenario.officers_per_unit)
        hour_frames.append(hours)
        tour_frames.append(schedule.tours.assign(division=division))
        staffed = hours["staffed_officers"].to_numpy()
        committed = hours["committed_officers"].to_numpy()
        current = inputs.current_on_duty[row]
        model = _response_model(inputs, row, demand, staffed, scenario)
        models.append(model)
        for key, value in (("required", need["required"]), ("staffed", staffed),
                           ("committed", committed), ("current", current)):
            totals[key].append(value)
        fte = schedule.officer_hours * WEEKS_PER_YEAR / float(rate["net_available_hours_per_fte"])
        overtime_hours = float(schedule.overtime.sum())
        summary = {"division": division, "calls_per_week": float(demand.rate.sum()),
                   **_requirement_counts(need),
                   "officers_on_tours": float(schedule.officers),
                   "scheduled_hours": schedule.officer_hours, "overtime_hours": overtime_hours,
                   **_measures(need["required"], staffed, committed, [model],
                               scenario.saturation_threshold),
                   "fte": fte,
                   "annual_cost": fte * float(rate["salary_per_fte"])
                   + overtime_hours * WEEKS_PER_YEAR * float(rate["overtime_rate"]),
                   **_current(need["required"], current),
                   "solver": schedule.solution.method,
                   "solver_status": schedule.solution.message,
                   "solver_gap": schedule.solution.gap,
                   "solver_seconds": schedule.solution.seconds}
        rows.append(summary)
        diverted.append({
            "division": division, "calls_diverted_per_week": demand.diverted_calls,
            "officer_hours_released_per_week": demand.diverted_hours,
            "officer_hours_released_per_year": demand.diverted_hours * WEEKS_PER_YEAR,
            "value_per_year": demand.diverted_hours * WEEKS_PER_YEAR
            * float(rate["cost_per_duty_hour"])})
    rows.append(_all_row(rows, totals, models, scenario) if len(rows) > 1
                else {**rows[0], "division": ALL_DIVISIONS})
    summary_frame = pd.DataFrame(rows)
    summary_frame["officer_hours_saved"] = (summary_frame["current_staffed_hours"]
                                            - summary_frame["staffed_hours"])
    summary_frame.insert(0, "scenario", scenario.name)
    diversion = pd.DataFrame(diverted)
    diversion = pd.concat([diversion, pd.DataFrame([{
        "division": ALL_DIVISIONS,
        **diversion.drop(columns="division").sum(numeric_only=True).to_dict()}])],
        ignore_index=True)
    diversion.insert(0, "scenario", scenario.name)
    return ScenarioResult(scenario=scenario, hours=pd.concat(hour_frames, ignore_index=True),
                          tours=pd.concat(tour_frames, ignore_index=True),
                          summary=summary_frame, diversion=diversion, schedules=schedules)


def _requirement_counts(need: dict[str, np.ndarray]) -> dict[str, float]:
    binding = need["binding"]
    return {"peak_required": float(need["required"].max()),
            "hours_response_binds": float((binding == 0).sum()),
            "hours_proactive_binds": float((binding == 1).sum()),
            "hours_minimum_binds": float((binding == 2).sum())}


def _current(required: np.ndarray, current: np.ndarray) -> dict[str, float]:
    coverage = coverage_summary(required, current)
    return {"current_staffed_hours": coverage["scheduled_hours"],
            "current_shortfall_hours": coverage["shortfall_hours"],
            "current_hours_short": coverage["hours_short"],
            "current_efficiency": coverage["efficiency"],
            "current_fit_score": coverage["fit_score"]}


def _all_row(rows: list[dict], totals: dict[str, list[np.ndarray]],
             models: list[queueing.ResponseModel | None], scenario: Scenario) -> dict:
    """Service-wide figures: sums, and measures recomputed on the divisions' curves."""
    frame = pd.DataFrame(rows)
    summed = ["calls_per_week", "officers_on_tours", "scheduled_hours", "overtime_hours", "fte",
              "annual_cost", "hours_response_binds", "hours_proactive_binds",
              "hours_minimum_binds", "solver_seconds"]
    required, staffed = np.concatenate(totals["required"]), np.concatenate(totals["staffed"])
    committed, current = np.concatenate(totals["committed"]), np.concatenate(totals["current"])
    result = {"division": ALL_DIVISIONS, **{c: float(frame[c].sum()) for c in summed},
              "peak_required": float(np.sum(totals["required"], axis=0).max()),
              **_measures(required, staffed, committed, models, scenario.saturation_threshold),
              **_current(required, current),
              "solver": frame["solver"].iloc[0],
              "solver_status": "; ".join(sorted(set(frame["solver_status"]))),
              "solver_gap": float(frame["solver_gap"].max())}
    return result


def current_state(inputs: DeploymentInputs, scenario: Scenario | None = None, *,
                  divisions: Sequence[str] | None = None) -> pd.DataFrame:
    """The current roster judged on ``scenario``'s demand and requirement (default: today's
    rules): the same columns as :func:`evaluate_scenario`'s ``summary`` where they apply, with
    measured positions (``fte``) and cost (their salaries + overtime paid in the last year)."""
    scenario = scenario or Scenario(name=CURRENT_ROSTER)
    chosen = list(inputs.divisions if divisions is None else divisions)
    scenario.check_against(inputs.divisions, inputs.call_types)
    rates = inputs.rates.set_index("division")
    rows, models = [], []
    totals: dict[str, list[np.ndarray]] = {key: [] for key in _TOTALS}
    for division in chosen:
        row = inputs.index_of(division)
        rate = rates.loc[division]
        demand, need = _division_need(inputs, division, row, scenario)
        current = inputs.current_on_duty[row]
        committed = demand.rate * demand.handling * scenario.officers_per_unit
        model = _response_model(inputs, row, demand, current, scenario)
        models.append(model)
        for key, value in (("required", need["required"]), ("staffed", current),
                           ("committed", committed), ("current", current)):
            totals[key].append(value)
        rows.append({"division": division, "calls_per_week": float(demand.rate.sum()),
                     **_requirement_counts(need), "officers_on_tours": math.nan,
                     "scheduled_hours": float(current.sum()), "overtime_hours": math.nan,
                     **_measures(need["required"], current, committed, [model],
                                 scenario.saturation_threshold),
                     "fte": float(rate["patrol_fte"]),
                     "annual_cost": float(rate["patrol_fte"]) * float(rate["salary_per_fte"])
                     + float(rate["overtime_cost_per_year"]),
                     **_current(need["required"], current), "solver": "measured",
                     "solver_status": "", "solver_gap": 0.0, "solver_seconds": 0.0})
    rows.append(_all_row(rows, totals, models, scenario) if len(rows) > 1
                else {**rows[0], "division": ALL_DIVISIONS})
    frame = pd.DataFrame(rows)
    frame["officer_hours_saved"] = 0.0
    frame.insert(0, "scenario", CURRENT_ROSTER)
    return frame


def compare_scenarios(inputs: DeploymentInputs, scenarios: Sequence[Scenario], *,
                      divisions: Sequence[str] | None = None, method: str = "milp",
                      time_limit: float = 20.0, mip_gap: float = 0.02,
                      ) -> tuple[pd.DataFrame, list[ScenarioResult]]:
    """The current roster and every scenario side by side.

    Returns:
        ``(comparison, results)``: ``comparison`` has the :func:`evaluate_scenario` summary
        columns for :data:`CURRENT_ROSTER` and each scenario (per division and
        :data:`ALL_DIVISIONS`), plus ``<measure>_change`` = scenario − current roster for
        ``required_hours, staffed_hours, fte, annual_cost, p1_median_minutes,
        p1_p90_minutes, saturation``, and the diversion columns (calls diverted, officer-hours
        released, their value); ``results`` are the :class:`ScenarioResult` objects.
    """
    if not scenarios:
        raise AnalysisInputError("give at least one scenario to compare")
    for scenario in scenarios:
        scenario.check_against(inputs.divisions, inputs.call_types)
    current = current_state(inputs, divisions=divisions)
    results = [evaluate_scenario(inputs, scenario, divisions=divisions, method=method,
                                 time_limit=time_limit, mip_gap=mip_gap)
               for scenario in scenarios]
    frame = pd.concat([current, *[r.summary for r in results]], ignore_index=True)
    baseline = current.set_index("division")
    for measure in COMPARED:
        frame[f"{measure}_change"] = frame[measure] - frame["division"].map(baseline[measure])
    diversion = pd.concat([r.diversion for r in results], ignore_index=True)
    frame = frame.merge(diversion, on=["scenario", "division"], how="left")
    for column in ("calls_diverted_per_week", "officer_hours_released_per_week",
                   "officer_hours_released_per_year", "value_per_year"):
        frame[column] = frame[column].fillna(0.0)
    return frame, results
