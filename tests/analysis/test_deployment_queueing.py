"""The vectorised Erlang C, the hourly requirement (response target, proactive time, minimum)
and the Priority 1 response model, against the scalar library functions and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench import stats
from workbench.analysis._common import AnalysisInputError
from workbench.analysis.deployment import queueing, requirement
from workbench.analysis.staffing import ServiceTarget

#: Percentiles are searched to a thousandth of a minute.
PRECISION = 0.002
GRID = [(rate, handling) for rate in (0.3, 1.0, 2.5, 5.0, 12.0, 40.0)
        for handling in (0.25, 0.5, 0.9, 1.5)]


def test_wait_probability_matches_the_scalar_erlang_c():
    load = np.array([2.0, 2.5, 7.3, 0.0, 4.0])
    servers = np.array([3, 3, 10, 2, 4])
    expected = [stats.erlang_c_wait_probability(2.0, 1.0, 3),  # 4/9, DOMAIN.md example
                stats.erlang_c_wait_probability(2.5, 1.0, 3),
                stats.erlang_c_wait_probability(7.3, 1.0, 10), 0.0, 1.0]
    assert queueing.wait_probability(load, servers) == pytest.approx(expected)
    assert queueing.wait_probability(np.array([2.0]), np.array([3]))[0] == pytest.approx(4 / 9)


@pytest.mark.parametrize("target", [
    {"wait_probability_target": 0.10},
    {"wait_probability_target": 0.02},
    {"wait_probability_target": None, "answer_minutes": 10.0, "service_level": 0.9},
    {"wait_probability_target": 0.2, "answer_minutes": 2.0, "service_level": 0.95},
])
def test_units_needed_matches_the_scalar_search_cell_by_cell(target):
    rates = np.array([rate for rate, _ in GRID])
    handling = np.array([h for _, h in GRID])
    vector = queueing.units_needed(rates, handling, **target)
    answer = target.get("answer_minutes")
    scalar = [stats.erlang_c_units_needed(
        rate, h, target_wait_probability=target["wait_probability_target"],
        target_answer_time=None if answer is None else answer / 60,
        service_level=target.get("service_level")) for rate, h in GRID]
    assert list(vector) == scalar


def test_units_needed_is_zero_without_calls_and_more_than_the_load():
    needed = queueing.units_needed(np.array([0.0, 5.0]), np.array([0.5, 0.5]))
    assert needed[0] == 0 and needed[1] >= 3  # 2.5 Erlangs need at least 3 units


def test_requirement_takes_the_largest_of_the_three_and_says_which():
    # hour 0: quiet (minimum binds); hour 1: busy calls; proactive time binds at 40 %
    rates = np.array([0.5, 10.0])
    handling = np.array([1.0, 1.0])
    result = requirement.hourly_requirement(rates, handling, proactive_share=0.4,
                                            minimum_officers=4)
    erlang = queueing.units_needed(rates, handling)
    assert list(result["response"]) == list(erlang)
    assert list(result["proactive"]) == [1, 17]  # ceil(0.5 / 0.6), ceil(10 / 0.6)
    assert list(result["required"]) == [4, max(17, erlang[1])]
    assert requirement.BINDING_LABELS[result["binding"][0]] == "minimum staffing"
    assert requirement.BINDING_LABELS[result["binding"][1]] == "proactive time"
    strict = requirement.hourly_requirement(rates, handling, proactive_share=0.0,
                                            target=ServiceTarget(wait_probability=0.01))
    assert requirement.BINDING_LABELS[strict["binding"][1]] == "response target"


def test_wilson_weiss_six_hours_of_calls_need_ten_officers_at_forty_percent():
    result = requirement.hourly_requirement(np.array([6.0]), np.array([1.0]),
                                            proactive_share=0.4)
    assert result["proactive"][0] == 10


def test_requirement_refuses_a_proactive_share_of_one():
    with pytest.raises(AnalysisInputError, match="proactive_share"):
        requirement.hourly_requirement(np.ones(3), np.ones(3), proactive_share=1.0)


def _one_hour_model(units: float, rate: float = 4.0, priority: float = 1.0,
                    discipline: str = "priority") -> queueing.ResponseModel:
    return queueing.response_model(
        calls_per_hour=np.array([rate]), mean_handling_hours=np.array([0.5]),
        priority_calls_per_hour=np.array([priority]), units_on_duty=np.array([units]),
        travel_minutes=np.array([5.0]), processing_minutes=1.0, discipline=discipline)


def test_response_without_waiting_is_processing_plus_travel():
    model = _one_hour_model(units=40)
    result = queueing.response_percentiles(model)
    assert result["wait_probability"] < 1e-12
    assert result["p50"] == pytest.approx(6.0, abs=PRECISION)
    assert result["p90"] == pytest.approx(6.0, abs=PRECISION)


def test_response_with_waiting_follows_the_exponential_wait():
    # 4 calls/h × 0.5 h = 2 Erlangs on 3 units: P(wait) = 4/9; units free at 6 an hour
    for discipline, ahead in (("priority", 1.0), ("fifo", 4.0)):
        model = _one_hour_model(units=3, discipline=discipline)
        rate = (6.0 - ahead) / 60.0  # per minute
        waiting = 4 / 9
        result = queueing.response_percentiles(model, percentiles=(0.5, 0.9))
        # P(response ≤ 6 + w) = 1 − (4/9)·exp(−rate·w): the median is at 6 (5/9 ≥ 1/2)
        assert result["p50"] == pytest.approx(6.0, abs=PRECISION)
        p90_wait = math.log(waiting / 0.1) / rate
        assert result["p90"] == pytest.approx(6.0 + p90_wait, abs=PRECISION)
        # Cobham's mean wait of the top class: C / (c·μ − λ₁)
        assert result["mean_wait_minutes"] == pytest.approx(waiting / rate)


def test_an_hour_without_units_is_never_reached_and_mixtures_weight_by_calls():
    empty = _one_hour_model(units=0)
    assert queueing.response_percentiles(empty)["p50"] == math.inf
    staffed = _one_hour_model(units=40, priority=9.0)
    mixed = queueing.response_percentiles([empty, staffed], percentiles=(0.5, 0.95))
    assert mixed["p50"] == pytest.approx(6.0, abs=PRECISION)  # 90 % of calls reached at once
    assert mixed["p95"] == math.inf


def test_processing_and_travel_distributions_are_added():
    model = queueing.response_model(
        calls_per_hour=np.array([1.0]), mean_handling_hours=np.array([0.5]),
        priority_calls_per_hour=np.array([1.0]), units_on_duty=np.array([50]),
        travel_minutes=np.array([4.0, 6.0]), processing_minutes=np.array([1.0, 3.0]))
    # sums 5, 7, 7, 9 equally likely
    result = queueing.response_percentiles(model, percentiles=(0.25, 0.75, 1.0))
    assert result["p25"] == pytest.approx(5.0, abs=PRECISION)
    assert result["p75"] == pytest.approx(7.0, abs=PRECISION)
    assert result["p100"] == pytest.approx(9.0, abs=PRECISION)


def test_the_response_model_refuses_missing_travel_times():
    with pytest.raises(AnalysisInputError, match="travel"):
        queueing.response_model(
            calls_per_hour=np.ones(1), mean_handling_hours=np.ones(1),
            priority_calls_per_hour=np.ones(1), units_on_duty=np.ones(1),
            travel_minutes=np.array([np.nan]), processing_minutes=1.0)
