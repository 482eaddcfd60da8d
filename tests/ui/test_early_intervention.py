"""Early-intervention indicators: funnel limits, peers, overdispersion, privacy, demo signal.

(Tests of ``workbench.analysis.early_intervention``; kept with the chain-of-command app that
is its only user so far.)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from workbench.analysis import early_intervention as ei
from workbench.analysis._common import AnalysisInputError
from workbench.privacy import PrivacyError

# ------------------------------------------------------------------------------ funnel limits


def test_alarm_limit_for_two_expected_events_is_eight() -> None:
    # Poisson(2): P(X <= 7) = 0.99890 < 0.999 <= P(X <= 8) = 0.99976, so 8 is the largest
    # count not unusual at 99.8 %; and P(X < 1) = e^-2 = 0.135 > 0.001, so the lower limit is 0.
    lower, upper = ei.funnel_limits(2.0, 0.998)
    assert upper[0] == 8
    assert lower[0] == 0


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_limits_are_the_exact_tail_quantiles(level: float) -> None:
    expected = np.array([0.05, 0.4, 1.0, 3.7, 12.0, 55.0, 240.0])
    lower, upper = ei.funnel_limits(expected, level)
    tail = (1 - level) / 2
    # above the upper limit is rare enough, and the limit cannot be lowered by one
    assert np.all(scipy_stats.poisson.sf(upper, expected) <= tail)
    assert np.all(scipy_stats.poisson.sf(upper - 1, expected) > tail)
    # below the lower limit is rare enough, and the limit cannot be raised by one
    assert np.all(scipy_stats.poisson.cdf(lower - 1, expected) <= tail)
    assert np.all(scipy_stats.poisson.cdf(lower, expected) > tail)


def test_overdispersion_widens_the_limits() -> None:
    expected = np.array([2.0, 10.0, 40.0])
    _, poisson_upper = ei.funnel_limits(expected, 0.998)
    _, wide_upper = ei.funnel_limits(expected, 0.998, overdispersion=0.2)
    assert np.all(wide_upper > poisson_upper)
    # the negative binomial with variance E + 0.2 E^2 is what the limits come from
    size = 1 / 0.2
    assert np.all(scipy_stats.nbinom.sf(wide_upper, size, size / (size + expected)) <= 0.001)


def test_limits_are_missing_without_an_expected_count() -> None:
    lower, upper = ei.funnel_limits(np.array([0.0, np.nan, 1.0]), 0.95)
    assert np.isnan(upper[:2]).all() and np.isnan(lower[:2]).all()
    assert not np.isnan(upper[2])


def test_level_must_be_a_probability() -> None:
    with pytest.raises(AnalysisInputError, match="between 0 and 1"):
        ei.funnel_limits(1.0, 1.5)


def test_funnel_curve_narrows_with_exposure() -> None:
    curve = ei.funnel_curve((0.5, 200.0))
    alarm = curve.loc[curve["level"] == ei.ALARM_LEVEL].sort_values("expected")
    assert set(curve["level"]) == {ei.WARNING_LEVEL, ei.ALARM_LEVEL}
    # the ratio limit near 200 expected events is far tighter than near 0.5
    assert alarm["upper_ratio"].iloc[-1] < 1.3 < alarm["upper_ratio"].iloc[0]
    warning = curve.loc[curve["level"] == ei.WARNING_LEVEL].sort_values("expected")
    assert np.all(warning["upper_ratio"].to_numpy() <= alarm["upper_ratio"].to_numpy())


# ------------------------------------------------------------------------------ overdispersion


def test_overdispersion_is_recovered_from_gamma_poisson_counts() -> None:
    rng = np.random.default_rng(5)
    expected = rng.uniform(5, 25, 3000)
    frailty = rng.gamma(5.0, 1 / 5.0, expected.size)  # variance 0.2
    counts = rng.poisson(expected * frailty)
    assert ei.estimate_overdispersion(counts, expected) == pytest.approx(0.2, abs=0.04)


def test_poisson_counts_show_no_overdispersion() -> None:
    rng = np.random.default_rng(11)
    expected = rng.uniform(0.5, 20, 3000)
    assert ei.estimate_overdispersion(rng.poisson(expected), expected) == 0.0


# ------------------------------------------------------------------------------ peers


def _people(units: dict[str, tuple[str, int]]) -> pd.DataFrame:
    rows = []
    for unit, (division, size) in units.items():
        rows += [{"officer_id": f"{unit}-{i}", "unit_id": unit, "division": division,
                  "rank": "constable"} for i in range(size)]
    return pd.DataFrame(rows)


def test_each_officer_is_compared_with_the_rest_of_the_unit() -> None:
    people = _people({"U1": ("D1", 8), "U2": ("D1", 8)})
    ids = list(people["officer_id"])
    counts = pd.DataFrame({"officer_id": ids, "use_of_force": [5, 1, 2, 2, 3, 2, 3, 2] * 2})
    exposure = pd.DataFrame({"officer_id": ids, "calls_attended": [100] * 16,
                             "hours_worked": 1000.0, "hours_scheduled": 1000.0})
    frame = ei.officer_indicators(counts, exposure, people, audience="restricted",
                                  minimum_peer_events=5)
    first = frame.loc[frame["officer_id"] == "U1-0"].iloc[0]
    # unit U1: 20 reports over 800 calls; the others: 15 reports over 700 calls
    assert first["peer_group"] == "unit U1"
    assert first["peer_officers"] == 7
    assert first["expected"] == pytest.approx(15 / 700 * 100)
    assert first["peer_rate"] == pytest.approx(15 / 700 * 100)  # per 100 calls
    assert first["rate"] == pytest.approx(5.0)
    assert first["p_above"] == pytest.approx(scipy_stats.poisson.sf(4, 15 / 7))


def test_a_small_or_quiet_unit_falls_back_to_the_division() -> None:
    people = _people({"BIG": ("D1", 10), "SMALL": ("D1", 3)})
    ids = list(people["officer_id"])
    counts = pd.DataFrame({"officer_id": ids, "collisions": [2] * 10 + [0, 1, 0]})
    exposure = pd.DataFrame({"officer_id": ids, "calls_attended": 0,
                             "hours_worked": 2000.0, "hours_scheduled": 2000.0})
    frame = ei.officer_indicators(counts, exposure, people, audience="restricted",
                                  minimum_peers=5, minimum_peer_events=5)
    small = frame.loc[frame["unit_id"] == "SMALL"]
    assert set(small["peer_group"]) == {"division D1"}
    assert set(frame.loc[frame["unit_id"] == "BIG", "peer_group"]) == {"unit BIG"}
    # an indicator without exposure (no calls attended) is not assessed at all
    assert set(frame["indicator"]) == {"collisions"}


def test_flags_by_chance_match_the_null_flag_probabilities() -> None:
    rng = np.random.default_rng(3)
    units = {f"U{n}": (f"D{n % 4}", 30) for n in range(60)}  # 1,800 officers
    people = _people(units)
    exposure = pd.DataFrame({"officer_id": people["officer_id"],
                             "calls_attended": rng.integers(200, 2000, len(people)),
                             "hours_worked": 1.0, "hours_scheduled": 1.0})
    counts = pd.DataFrame({"officer_id": people["officer_id"],
                           "use_of_force": rng.poisson(exposure["calls_attended"] * 0.002)})
    frame = ei.officer_indicators(counts, exposure, people, audience="restricted")
    expected_flags = frame["null_flag_probability"].sum()
    assert (frame["null_flag_probability"] <= (1 - ei.ALARM_LEVEL) / 2 + 1e-12).all()
    assert expected_flags <= 1800 * 0.001
    flagged = int(frame["above_alarm"].sum())
    assert flagged <= scipy_stats.poisson.ppf(0.999, expected_flags)


def test_an_officer_far_above_peers_is_on_the_review_list() -> None:
    rng = np.random.default_rng(8)
    people = _people({f"U{n}": ("D1", 25) for n in range(8)})
    calls = rng.integers(800, 1600, len(people))
    rate = np.where(people["officer_id"] == "U3-7", 0.02, 0.002)
    counts = pd.DataFrame({"officer_id": people["officer_id"],
                           "use_of_force": rng.poisson(calls * rate)})
    exposure = pd.DataFrame({"officer_id": people["officer_id"], "calls_attended": calls,
                             "hours_worked": 1.0, "hours_scheduled": 1.0})
    review = ei.review_list(ei.officer_indicators(counts, exposure, people,
                                                  audience="restricted"))
    assert review["officer_id"].iloc[0] == "U3-7"
    assert (review["status"] == "above alarm").all()


def test_summary_counts_officers_and_flags_per_group() -> None:
    people = _people({"U1": ("D1", 6), "U2": ("D2", 6)})
    ids = list(people["officer_id"])
    counts = pd.DataFrame({"officer_id": ids, "complaints": [1, 2, 1, 0, 3, 1] * 2})
    exposure = pd.DataFrame({"officer_id": ids, "calls_attended": 400,
                             "hours_worked": 1.0, "hours_scheduled": 1.0})
    frame = ei.officer_indicators(counts, exposure, people, audience="restricted",
                                  minimum_peer_events=3)
    summary = ei.indicator_summary(frame, by=("division",))
    assert list(summary["division"]) == ["D1", "D2"]
    assert list(summary["officers"]) == [6, 6]
    assert list(summary["events"]) == [8, 8]


# ------------------------------------------------------------------------------ privacy


def test_officer_level_frames_need_the_restricted_audience() -> None:
    people = _people({"U1": ("D1", 6)})
    counts = pd.DataFrame({"officer_id": people["officer_id"], "complaints": 1})
    exposure = pd.DataFrame({"officer_id": people["officer_id"], "calls_attended": 10,
                             "hours_worked": 1.0, "hours_scheduled": 1.0})
    with pytest.raises(PrivacyError, match="restricted"):
        ei.officer_indicators(counts, exposure, people, audience="internal")
    with pytest.raises(PrivacyError, match="restricted"):
        ei.officer_event_counts(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31),
                                audience="public", complaints=None)


def test_race_data_is_refused_at_officer_level() -> None:
    people = _people({"U1": ("D1", 6)}).assign(perceived_race="white")
    counts = pd.DataFrame({"officer_id": people["officer_id"], "complaints": 1})
    exposure = pd.DataFrame({"officer_id": people["officer_id"], "calls_attended": 10,
                             "hours_worked": 1.0, "hours_scheduled": 1.0})
    with pytest.raises(PrivacyError, match="race"):
        ei.officer_indicators(counts, exposure, people, audience="restricted")


# ------------------------------------------------------------------------------ demo city


@pytest.mark.slow
def test_planted_officer_leads_the_demo_review_list(demo_warehouse) -> None:  # noqa: ANN001
    from workbench.demo.signals import OFFICER_USE_OF_FORCE

    tables = {name: demo_warehouse.table(name) for name in (
        "calls_for_service", "shifts", "personnel", "use_of_force", "complaints", "collisions")}
    end = pd.Timestamp(tables["calls_for_service"].received_at.max().execute()).date()
    start = end.replace(year=end.year - 3) + dt.timedelta(days=1)
    exposure = ei.officer_exposure(tables["calls_for_service"], tables["shifts"],
                                   start=start, end=end)
    counts = ei.officer_event_counts(start=start, end=end, audience="restricted",
                                     use_of_force=tables["use_of_force"],
                                     complaints=tables["complaints"],
                                     collisions=tables["collisions"], shifts=tables["shifts"])
    frame = ei.officer_indicators(counts, exposure, tables["personnel"], audience="restricted")
    review = ei.review_list(frame)
    planted = review.loc[review["officer_id"] == OFFICER_USE_OF_FORCE.officer_id]
    assert list(planted["indicator"]) == ["use_of_force"]
    assert planted["unit_id"].iloc[0] == OFFICER_USE_OF_FORCE.unit_id
    assert planted["peer_group"].iloc[0] == f"unit {OFFICER_USE_OF_FORCE.unit_id}"
    # everyone else on the list is what the 99.8 % limit lets through by chance
    others = len(review) - len(planted)
    by_chance = frame.loc[frame["officer_id"] != OFFICER_USE_OF_FORCE.officer_id,
                          "null_flag_probability"].sum()
    assert others <= scipy_stats.poisson.ppf(0.999, by_chance)
    assert not any("race" in column for column in frame.columns)
