"""Tests for workbench.stats: published reference values (each with its source), properties
and error cases."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from workbench import stats

# --------------------------------------------------------------------------------------------
# Poisson z-score
# --------------------------------------------------------------------------------------------


def test_poisson_z_reference_four_to_nine_is_two() -> None:
    # Wheeler (2018), "Testing changes in short run crime patterns": 4 -> 9 gives Z = 2.
    assert stats.poisson_z(9, 4) == pytest.approx(2.0)


def test_poisson_z_is_antisymmetric_and_zero_for_no_change() -> None:
    current = np.array([0, 3, 10, 250])
    past = np.array([5, 3, 40, 200])
    np.testing.assert_allclose(stats.poisson_z(current, past), -stats.poisson_z(past, current))
    assert stats.poisson_z(17, 17) == 0.0


def test_poisson_z_keeps_series_index_and_does_not_mutate() -> None:
    current = pd.Series([9, 16], index=["north", "south"])
    past = pd.Series([4, 4], index=["north", "south"])
    result = stats.poisson_z(current, past)
    assert list(result.index) == ["north", "south"]
    assert result.tolist() == pytest.approx([2.0, 4.0])
    assert current.tolist() == [9, 16] and past.tolist() == [4, 4]


def test_poisson_z_rejects_negative_counts_and_misaligned_series() -> None:
    with pytest.raises(ValueError, match="current"):
        stats.poisson_z(-1, 4)
    with pytest.raises(ValueError, match="same index"):
        stats.poisson_z(pd.Series([1, 2], index=["a", "b"]), pd.Series([1, 2], index=["b", "a"]))


# --------------------------------------------------------------------------------------------
# Poisson E-test
# --------------------------------------------------------------------------------------------


def test_e_test_reproduces_ptools_reference() -> None:
    # R package ptools (A. P. Wheeler), e_test(6, 2) = 0.1748748: the second example of
    # Krishnamoorthy & Thomson (2004); ptools' test-etest.R checks it to 4 decimals.
    assert stats.e_test(6, 2) == pytest.approx(0.1748748, abs=1e-6)


def test_e_test_reproduces_first_article_example() -> None:
    # ptools tests/testthat/test-etest.R, "Paper rep 1": e_test(0, 3) = 0.0884 (tolerance 5e-4),
    # the first example in Krishnamoorthy & Thomson (2004).
    assert stats.e_test(0, 3) == pytest.approx(0.0884, abs=5e-4)


def test_e_test_close_to_normal_approximation_in_ptools_documentation() -> None:
    # ptools ?wdd example: for 20 vs 10 the normal approximation gives p ~ 0.068 and
    # "e-test is very similar: e_test(20,10) #~0.069".
    assert stats.e_test(20, 10) == pytest.approx(0.069, abs=5e-4)


def test_e_test_agrees_with_statsmodels_independent_implementation() -> None:
    rates = pytest.importorskip("statsmodels.stats.rates")
    for first, second in [(6, 2), (0, 3), (12, 4), (30, 18)]:
        expected = rates.test_poisson_2indep(first, 1, second, 1, method="etest-score").pvalue
        assert stats.e_test(first, second) == pytest.approx(expected, abs=1e-9)


def test_e_test_properties() -> None:
    # Order does not matter when d = 0 (ptools: "reverse arguments equal").
    assert stats.e_test(6, 2) == pytest.approx(stats.e_test(2, 6), abs=1e-12)
    # Only the rates matter for small counts: 3 vs 0 on exposures 2, 2 (ptools ?e_test example).
    assert stats.e_test(3, 0, 2, 2) == pytest.approx(stats.e_test(3, 0), abs=1e-9)
    # Equal rates give p near 1 (ptools: "Not over 1").
    assert 0.99 < stats.e_test(20, 20) <= 1.0
    assert 0.99 < stats.e_test(20, 10, 4, 2) <= 1.0
    # The further apart the counts, the smaller p.
    p_values = [stats.e_test(10, other) for other in (10, 7, 4, 1)]
    assert p_values == sorted(p_values, reverse=True)


def test_e_test_one_sided_alternatives() -> None:
    greater = stats.e_test(6, 2, alternative="greater")
    less = stats.e_test(6, 2, alternative="less")
    two_sided = stats.e_test(6, 2)
    assert 0.0 <= greater < two_sided <= 1.0
    assert less > 0.5
    # With d = 0 the statistic is odd in (x1, x2) and the null means are equal here, so the
    # two tails are mirror images: the two-sided p is twice the upper one.
    assert two_sided == pytest.approx(2 * greater, abs=1e-12)


def test_e_test_with_difference_counts_the_observed_pair() -> None:
    p_value = stats.e_test(3, 1, d=1)
    assert 0.0 < p_value <= 1.0
    # Testing the difference actually observed (3 - 1 = 2) cannot reject.
    assert stats.e_test(3, 1, d=2) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((0, 0), "both counts are zero"),
        ((3, -2), "non-negative"),
        ((3, 3, 1, -1), "positive"),
        ((1, 1, 1, 1, 5), "null rate negative"),
    ],
)
def test_e_test_rejects_undefined_inputs(arguments: tuple[float, ...], message: str) -> None:
    # ptools returns -1 for these (e.g. e_test(0, 0)); Workbench raises instead.
    with pytest.raises(ValueError, match=message):
        stats.e_test(*arguments)


def test_e_test_rejects_unknown_alternative() -> None:
    with pytest.raises(ValueError, match="alternative"):
        stats.e_test(6, 2, alternative="two.sided")  # type: ignore[arg-type]


def test_e_test_handles_large_counts() -> None:
    # ptools warns its grid may run out of memory for e_test(4000, 4000).
    assert stats.e_test(4000, 4000) == pytest.approx(1.0, abs=1e-6)
    assert 0.0 < stats.e_test(4000, 4300) < 0.01


def test_e_test_p_values_is_elementwise_and_keeps_index() -> None:
    current = pd.Series([6, 20, np.nan], index=["a", "b", "c"])
    past = pd.Series([2, 10, 5], index=["a", "b", "c"])
    result = stats.e_test_p_values(current, past)
    assert list(result.index) == ["a", "b", "c"]
    assert result["a"] == pytest.approx(stats.e_test(6, 2))
    assert result["b"] == pytest.approx(stats.e_test(20, 10))
    assert math.isnan(result["c"])
    array_result = stats.e_test_p_values(np.array([6, 2]), 2)
    assert array_result[0] == pytest.approx(stats.e_test(6, 2))
    # Equal counts: every pair is as extreme as |T| = 0 except (0, 0), whose statistic is
    # 0/0 and which ptools leaves out, so p = 1 - P(X1 = 0, X2 = 0) = 1 - exp(-(2 + 2)).
    assert array_result[1] == pytest.approx(1 - math.exp(-4), abs=1e-12)


def _e_test_by_pairs(k1: int, k2: int, n1: float, n2: float, d: float, alternative: str) -> float:
    """The E-test as its definition reads: the probability of every pair (x1, x2) at least as
    extreme, summed over a grid of pairs (an independent check of the sum by totals)."""
    from scipy import stats as scipy_stats

    rate2 = (k1 + k2 - d * n1) / (n1 + n2)
    rate1 = rate2 + d
    x1 = np.arange(0, 4 * (k1 + k2) + 60)[:, None].astype(float)
    x2 = np.arange(0, 4 * (k1 + k2) + 60)[None, :].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        grid = (x1 / n1 - x2 / n2 - d) / np.sqrt((x1 + x2) / (n1 + n2))
    observed = (k1 / n1 - k2 / n2 - d) / math.sqrt((k1 + k2) / (n1 + n2))
    tolerance = 1e-12 * max(1.0, abs(observed))
    with np.errstate(invalid="ignore"):
        extreme = {"two-sided": np.abs(grid) >= abs(observed) - tolerance,
                   "greater": grid >= observed - tolerance,
                   "less": grid <= observed + tolerance}[alternative]
    probability = (scipy_stats.poisson.pmf(x1, n1 * rate1)
                   * scipy_stats.poisson.pmf(x2, n2 * rate2))
    return float(probability[extreme].sum())


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_e_test_sum_by_totals_equals_the_sum_over_pairs(alternative: str) -> None:
    # Unequal exposures (ties between pairs that round differently), d != 0 and one-sided
    # alternatives included; e_test_p_values computes every row at once.
    rows = [(k1, k2, n1, n2, d) for k1, k2 in [(0, 3), (6, 2), (2, 2), (13, 5), (44, 56)]
            for n1, n2 in [(1, 1), (2, 3), (28, 28), (182, 181)] for d in (0.0,)]
    rows += [(3, 1, 1, 1, 1.0), (3, 1, 1, 1, 2.0), (10, 4, 2, 3, 1.5), (0, 5, 1, 1, -1.0)]
    k1, k2, n1, n2, d = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    vectorised = stats.e_test_p_values(k1, k2, n1, n2, d, alternative=alternative)
    for row, p_value in zip(rows, vectorised, strict=True):
        expected = _e_test_by_pairs(*row, alternative)
        assert p_value == pytest.approx(expected, abs=1e-12), row
        assert stats.e_test(*row, alternative=alternative) == pytest.approx(p_value, abs=1e-15)


def test_e_test_agrees_with_statsmodels_except_its_tie_rules() -> None:
    rates = pytest.importorskip("statsmodels.stats.rates")
    # Equal exposures (CompStat's rolling windows): the same sums, except that statsmodels
    # counts the (0, 0) pair (statistic 0 there, so it matters only for equal rates).
    for first, second, exposure in [(6, 2, 7), (0, 3, 28), (150, 190, 28), (44, 56, 365)]:
        _, expected = rates.etest_poisson_2indep(first, exposure, second, exposure)
        assert stats.e_test(first, second, exposure, exposure) == pytest.approx(expected, abs=1e-9)
    _, equal_rates = rates.etest_poisson_2indep(2, 1, 2, 1)
    assert equal_rates == pytest.approx(1.0) and stats.e_test(2, 2) == pytest.approx(
        1 - math.exp(-4), abs=1e-12)
    # Unequal exposures: statsmodels' absolute tolerance of 1e-15 misses pairs whose statistic
    # ties the observed one exactly but rounds differently; ptools' rule (kept here) counts them.
    _, missed_ties = rates.etest_poisson_2indep(44, 2, 56, 3)
    assert stats.e_test(44, 56, 2, 3) == pytest.approx(0.417582, abs=1e-6)
    assert missed_ties == pytest.approx(0.417335, abs=1e-6)


# --------------------------------------------------------------------------------------------
# Exact Poisson rate interval
# --------------------------------------------------------------------------------------------


def test_poisson_rate_interval_matches_r_poisson_test_example() -> None:
    # R documentation for stats::poisson.test, example poisson.test(137, 24.19893):
    # event rate 5.661407, 95 percent confidence interval 4.753125 to 6.692709.
    interval = stats.poisson_rate_interval(137, 24.19893)
    assert interval.rate == pytest.approx(5.661407, abs=1e-6)
    assert interval.lower == pytest.approx(4.753125, abs=1e-6)
    assert interval.upper == pytest.approx(6.692709, abs=1e-6)


def test_poisson_rate_interval_published_table_values() -> None:
    # Exact Poisson limits (Garwood 1936; e.g. the table in Ulm 1990, Am. J. Epidemiol. 131):
    # count 0 -> 0 to 3.689; count 10 -> 4.795 to 18.390.
    interval = stats.poisson_rate_interval(np.array([0, 10]))
    np.testing.assert_allclose(interval.lower, [0.0, 4.795], atol=5e-4)
    np.testing.assert_allclose(interval.upper, [3.689, 18.390], atol=5e-4)


def test_poisson_rate_interval_is_vectorised_and_keeps_missing_values() -> None:
    counts = pd.Series([0, 10, np.nan], index=["a", "b", "c"])
    interval = stats.poisson_rate_interval(counts, exposure=2.0)
    assert list(interval.lower.index) == ["a", "b", "c"]
    assert interval.lower["a"] == 0.0 and interval.upper["a"] == pytest.approx(3.689 / 2, abs=5e-4)
    assert interval.lower["b"] == pytest.approx(4.795 / 2, abs=5e-4)
    assert math.isnan(interval.lower["c"]) and math.isnan(interval.upper["c"])


def test_poisson_rate_interval_properties_and_errors() -> None:
    narrow = stats.poisson_rate_interval(50, level=0.80)
    wide = stats.poisson_rate_interval(50, level=0.99)
    assert wide.lower < narrow.lower < 50 < narrow.upper < wide.upper
    with pytest.raises(ValueError, match="whole"):
        stats.poisson_rate_interval(2.5)
    with pytest.raises(ValueError, match="exposure"):
        stats.poisson_rate_interval(3, exposure=0)
    with pytest.raises(ValueError, match="level"):
        stats.poisson_rate_interval(3, level=95)


# --------------------------------------------------------------------------------------------
# Weighted displacement difference
# --------------------------------------------------------------------------------------------


def test_wdd_reference_values() -> None:
    # DOMAIN.md / ptools ?wdd example (Wheeler & Ratcliffe 2018): treated 20 -> 10,
    # control 20 -> 20: WDD -10, SE 8.37, 90% CI -23.8 to 3.8.
    result = stats.weighted_displacement_difference(20, 10, 20, 20)
    assert result.wdd == -10
    assert result.variance == 70
    assert result.standard_error == pytest.approx(8.37, abs=0.005)
    assert result.lower == pytest.approx(-23.8, abs=0.05)
    assert result.upper == pytest.approx(3.8, abs=0.05)


def test_wdd_with_displacement_reproduces_paper_example() -> None:
    # Wheeler & Ratcliffe (2018), Crime Science 7:11, worked example (also ptools
    # test-wdd.R "Est & Variance Paper"): WDD -118, SE sqrt(1568), Z -2.98, 95% CI -196 to -40.
    result = stats.weighted_displacement_difference_with_displacement(
        t_before=207,
        t_after=110,
        c_before=308,
        c_after=318,
        displacement_before=178,
        displacement_after=157,
        displacement_control_before=150,
        displacement_control_after=140,
        level=0.95,
    )
    assert result.wdd == -118
    assert result.standard_error == pytest.approx(math.sqrt(1568))
    assert round(result.z, 2) == -2.98
    assert round(result.lower) == -196
    assert round(result.upper) == -40


def test_wdd_result_is_frozen_and_validates() -> None:
    result = stats.weighted_displacement_difference(20, 10, 20, 20)
    with pytest.raises(AttributeError):
        result.wdd = 0  # type: ignore[misc]
    with pytest.raises(ValueError, match="t_after"):
        stats.weighted_displacement_difference(20, -1, 20, 20)
    with pytest.raises(ValueError, match="level"):
        stats.weighted_displacement_difference(20, 10, 20, 20, level=1.0)


# --------------------------------------------------------------------------------------------
# c-chart
# --------------------------------------------------------------------------------------------

# Montgomery, Introduction to Statistical Quality Control, c chart for nonconformities in
# 26 samples of printed circuit boards: total 516, centre 19.85, UCL 33.22, LCL 6.48, with
# samples 6 and 20 outside the limits.
_MONTGOMERY_NONCONFORMITIES = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16,
                               19, 10, 17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15]  # fmt: skip


def test_c_chart_limits_reproduce_montgomery_example() -> None:
    limits = stats.c_chart_limits(_MONTGOMERY_NONCONFORMITIES)
    assert limits.centre == pytest.approx(19.85, abs=0.005)
    # The book rounds the centre to 19.85 before adding 3 sqrt(19.85), hence 0.01 here.
    assert limits.upper == pytest.approx(33.22, abs=0.01)
    assert limits.lower == pytest.approx(6.48, abs=0.005)
    outside = stats.c_chart_out_of_control(np.array(_MONTGOMERY_NONCONFORMITIES))
    assert (np.flatnonzero(outside) + 1).tolist() == [6, 20]


def test_c_chart_lower_limit_floored_at_zero_and_series_kept() -> None:
    counts = pd.Series([0, 1, 2, 1, 9], index=pd.period_range("2024-01", periods=5, freq="M"))
    limits = stats.c_chart_limits(counts)
    assert limits.lower == 0.0  # mean 2.6 - 3 * sqrt(2.6) < 0
    flags = stats.c_chart_out_of_control(counts)
    assert flags.index.equals(counts.index)
    assert flags.tolist() == [False, False, False, False, True]  # 9 > 2.6 + 3 * sqrt(2.6)


def test_c_chart_uses_given_baseline_limits() -> None:
    baseline = stats.c_chart_limits([10, 10, 10])
    assert stats.c_chart_out_of_control([10, 25], limits=baseline).tolist() == [False, True]
    with pytest.raises(ValueError, match="at least one"):
        stats.c_chart_limits([])


# --------------------------------------------------------------------------------------------
# Multiple comparisons
# --------------------------------------------------------------------------------------------


def test_adjust_p_values_by_hand() -> None:
    # Worked by hand: sorted p = 0.005, 0.01, 0.03, 0.04 (m = 4).
    # Holm: 4*0.005=0.02, 3*0.01=0.03, 2*0.03=0.06, max(0.06, 1*0.04)=0.06.
    # BH: 4/1*0.005=0.02, 4/2*0.01=0.02, 4/3*0.03=0.04, 4/4*0.04=0.04 (then running minimum).
    p_values = np.array([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(stats.adjust_p_values(p_values, "holm"), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(stats.adjust_p_values(p_values, "bh"), [0.02, 0.04, 0.04, 0.02])


def test_adjust_p_values_agrees_with_statsmodels() -> None:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p_values = np.random.default_rng(7).uniform(0, 0.2, size=25)
    for method, name in (("holm", "holm"), ("bh", "fdr_bh")):
        expected = multitest.multipletests(p_values, method=name)[1]
        np.testing.assert_allclose(stats.adjust_p_values(p_values, method), expected)


def test_adjust_p_values_properties_and_errors() -> None:
    p_values = pd.Series([0.2, 0.001, 0.04], index=["x", "y", "z"])
    holm = stats.adjust_p_values(p_values)
    assert holm.index.equals(p_values.index)
    assert (holm >= p_values).all() and (holm <= 1).all()
    assert (stats.adjust_p_values(p_values, "bh") <= holm + 1e-15).all()  # BH is less strict
    with pytest.raises(ValueError, match="method"):
        stats.adjust_p_values(p_values, "bonferroni")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        stats.adjust_p_values([0.5, 1.5])


# --------------------------------------------------------------------------------------------
# Erlang C and staffing
# --------------------------------------------------------------------------------------------


def test_erlang_c_two_erlangs_three_units_is_four_ninths() -> None:
    # A = 2, c = 3 (the parameters of the basic example of Wolfram's ErlangC documentation).
    # By hand from the DOMAIN.md formula: sum_{k<3} 2^k/k! = 1 + 2 + 2 = 5;
    # A^c/c! * c/(c-A) = 8/6 * 3 = 4; P_wait = 4 / (5 + 4) = 4/9.
    assert stats.erlang_c_wait_probability(2, 1, 3) == pytest.approx(4 / 9, abs=1e-12)
    # The same load expressed as 4 calls/hour x 0.5 hour.
    assert stats.erlang_c_wait_probability(4, 0.5, 3) == pytest.approx(4 / 9, abs=1e-12)


def test_erlang_c_textbook_curve_value() -> None:
    # Textbook exercise: 120 customers/hour, 3 minutes each (a = 6 Erlangs), 10 servers:
    # "from the Erlang C curve ... the probability of waiting is about 0.10".
    assert stats.erlang_c_wait_probability(120, 3 / 60, 10) == pytest.approx(0.10, abs=0.005)


def _erlang_c_by_factorials(load: Fraction, servers: int) -> Fraction:
    """DOMAIN.md's formula term by term, in exact rational arithmetic (an independent check)."""
    last = load**servers / math.factorial(servers) * servers / (servers - load)
    head = sum(load**k / math.factorial(k) for k in range(servers))
    return last / (head + last)


@pytest.mark.parametrize(
    ("load", "servers"), [(Fraction(5, 2), 3), (Fraction(37, 4), 12), (48, 55)]
)
def test_erlang_c_recursion_matches_factorial_formula(load: Fraction, servers: int) -> None:
    expected = float(_erlang_c_by_factorials(Fraction(load), servers))
    assert stats.erlang_c_wait_probability(float(load), 1, servers) == pytest.approx(
        expected, rel=1e-12
    )


def test_erlang_c_is_stable_for_large_systems_and_saturates() -> None:
    # Factorials would overflow floats long before 1,050 units.
    probability = stats.erlang_c_wait_probability(2000, 0.5, 1050)
    assert 0.0 < probability < 1.0
    assert stats.erlang_c_wait_probability(5, 0.5, 2) == 1.0  # A = 2.5 >= c
    assert stats.erlang_c_wait_probability(5, 0.5, 2.0) == 1.0
    assert stats.erlang_c_wait_probability(0, 0.5, 1) == 0.0


def test_erlang_c_decreases_with_units() -> None:
    probabilities = [stats.erlang_c_wait_probability(12, 0.75, c) for c in range(10, 25)]
    assert np.all(np.diff(probabilities) < 0)


def test_units_needed_domain_example() -> None:
    # DOMAIN.md: 5 calls/h x 0.5 h = 2.5 Erlangs => at least 3 units (needs A < c).
    assert stats.offered_load(5, 0.5) == 2.5
    assert stats.erlang_c_units_needed(5, 0.5, target_wait_probability=1.0) == 3


@pytest.mark.parametrize("target", [0.5, 0.2, 0.05, 0.01])
def test_units_needed_is_minimal_for_wait_target(target: float) -> None:
    units = stats.erlang_c_units_needed(9, 0.8, target_wait_probability=target)
    assert stats.erlang_c_wait_probability(9, 0.8, units) <= target
    # One unit fewer either leaves the queue unstable (c - 1 <= A = 7.2) or misses the target.
    fewer = units - 1
    assert (
        fewer <= stats.offered_load(9, 0.8)
        or stats.erlang_c_wait_probability(9, 0.8, fewer) > target
    )


def test_units_needed_for_service_level_is_minimal() -> None:
    # Call-centre style target: 80% answered within 15 s; 360 calls per 1,800 s, AHT 240 s.
    arrival_rate, handling, answer_time = 360 / 1800, 240.0, 15.0
    units = stats.erlang_c_units_needed(
        arrival_rate, handling, target_answer_time=answer_time, service_level=0.80
    )
    load = stats.offered_load(arrival_rate, handling)
    assert load == pytest.approx(48.0)
    assert stats.service_level_within(load, units, handling, answer_time) >= 0.80
    assert stats.service_level_within(load, units - 1, handling, answer_time) < 0.80


def test_units_needed_meets_both_targets_together() -> None:
    both = stats.erlang_c_units_needed(
        6, 0.5, target_wait_probability=0.05, target_answer_time=0.1, service_level=0.5
    )
    only_wait = stats.erlang_c_units_needed(6, 0.5, target_wait_probability=0.05)
    only_level = stats.erlang_c_units_needed(6, 0.5, target_answer_time=0.1, service_level=0.5)
    assert both == max(only_wait, only_level)


def test_service_level_within_properties() -> None:
    # At t = 0 the service level is the share answered immediately, 1 - P_wait.
    assert stats.service_level_within(2, 3, 1, 0) == pytest.approx(1 - 4 / 9)
    levels = [stats.service_level_within(2, 3, 1, t) for t in (0, 0.1, 0.5, 2)]
    assert levels == sorted(levels)
    assert stats.service_level_within(3, 3, 1, 10) == 0.0


def test_units_needed_errors() -> None:
    with pytest.raises(ValueError, match="give target"):
        stats.erlang_c_units_needed(5, 0.5)
    with pytest.raises(ValueError, match="together"):
        stats.erlang_c_units_needed(5, 0.5, service_level=0.9)
    with pytest.raises(ValueError, match="service_level"):
        stats.erlang_c_units_needed(5, 0.5, target_answer_time=0.25, service_level=1.0)
    with pytest.raises(ValueError, match="target_wait_probability"):
        stats.erlang_c_units_needed(5, 0.5, target_wait_probability=0)
    with pytest.raises(ValueError, match="servers"):
        stats.erlang_c_wait_probability(5, 0.5, 0)
    with pytest.raises(ValueError, match="mean_handling_time"):
        stats.erlang_c_wait_probability(5, 0, 3)


def test_units_needed_for_no_calls_is_zero() -> None:
    assert stats.erlang_c_units_needed(0, 0.5, target_wait_probability=0.1) == 0


def test_saturation_rule_of_sixty() -> None:
    # 30 h of calls in 50 h of patrol time is exactly the rule-of-60 threshold.
    assert stats.saturation(30, 50) == pytest.approx(0.6)
    weekly = stats.saturation(pd.Series([20.0, 45.0]), pd.Series([50.0, 50.0]))
    assert (weekly > 0.6).tolist() == [False, True]
    with pytest.raises(ValueError, match="available_patrol_time"):
        stats.saturation(10, 0)


# --------------------------------------------------------------------------------------------
# Relief factor and Bradford factor
# --------------------------------------------------------------------------------------------


def test_relief_factor_reference() -> None:
    # DOMAIN.md: 8-hour post all year = 2,920 h; 2,080 scheduled - 382 absent = 1,698 => ~1.72.
    assert stats.relief_factor(2920, 2080, 382) == pytest.approx(1.72, abs=0.005)
    assert stats.relief_factor(8 * 365, 2080, 382) == pytest.approx(2920 / 1698)


def test_relief_factor_errors() -> None:
    with pytest.raises(ValueError, match="exceed"):
        stats.relief_factor(2920, 300, 300)
    with pytest.raises(ValueError, match="absent_hours"):
        stats.relief_factor(2920, 2080, -1)


def test_bradford_factor_published_illustrations() -> None:
    # The standard illustration of the Bradford factor (S^2 x D): ten one-day absences
    # score 1,000; five two-day absences 250; one ten-day absence 10.
    scores = stats.bradford_factor(np.array([10, 5, 1]), np.array([10, 10, 10]))
    assert scores.tolist() == [1000, 250, 10]
    with pytest.raises(ValueError, match="spells"):
        stats.bradford_factor(-1, 3)


# --------------------------------------------------------------------------------------------
# Ratios for race-based data
# --------------------------------------------------------------------------------------------


def test_rate_ratio_interval_by_hand() -> None:
    # 20/100 vs 10/100: RR = 2; SE(log RR) = sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13)
    # (Katz et al. 1978); 95% CI = 2 exp(-/+ 1.959964 sqrt(0.13)) = 0.987 to 4.054.
    result = stats.rate_ratio_interval(20, 100, 10, 100)
    assert result.ratio == pytest.approx(2.0)
    assert result.lower == pytest.approx(0.987, abs=5e-4)
    assert result.upper == pytest.approx(4.054, abs=5e-4)


def test_rate_ratio_interval_agrees_with_statsmodels() -> None:
    tables = pytest.importorskip("statsmodels.stats.contingency_tables")
    rates = pytest.importorskip("statsmodels.stats.rates")
    table = tables.Table2x2(np.array([[37, 263], [21, 579]]))
    lower, upper = table.riskratio_confint()
    result = stats.rate_ratio_interval(37, 300, 21, 600)
    assert (result.ratio, result.lower, result.upper) == pytest.approx(
        (table.riskratio, lower, upper)
    )
    lower, upper = rates.confint_poisson_2indep(
        20, 1000, 10, 2000, method="wald-log", compare="ratio"
    )
    result = stats.rate_ratio_interval(20, 1000, 10, 2000, measure="rate")
    assert (result.lower, result.upper) == pytest.approx((lower, upper))


def test_rate_ratio_interval_zero_counts_and_errors() -> None:
    result = stats.rate_ratio_interval(np.array([0, 5]), 50, 10, 50)
    assert result.ratio.tolist() == [0.0, 0.5]
    assert math.isnan(result.lower[0]) and math.isnan(result.upper[0])
    assert result.lower[1] < 0.5 < result.upper[1]
    with pytest.raises(ValueError, match="exceed"):
        stats.rate_ratio_interval(60, 50, 10, 50)
    with pytest.raises(ValueError, match="measure"):
        stats.rate_ratio_interval(6, 50, 10, 50, measure="odds")  # type: ignore[arg-type]


def test_disproportionality_index_toronto_2020() -> None:
    # Toronto Police Service, Race & Identity Based Data Collection (2020): Black people were
    # 39% of use-of-force incidents vs 24% of enforcement actions, about 1.6 times.
    result = stats.disproportionality_index(39, 100, 24, 100)
    assert round(result.ratio, 1) == 1.6


def test_disproportionality_index_by_group_with_fixed_census_benchmark() -> None:
    groups = ["Black", "White", "Other"]
    use_of_force = pd.Series([120, 150, 30], index=groups)
    census = pd.Series([100_000, 500_000, 400_000], index=groups)
    fixed = stats.disproportionality_index(use_of_force, use_of_force.sum(), census, census.sum())
    assert fixed.ratio.index.equals(use_of_force.index)
    assert fixed.ratio["Black"] == pytest.approx((120 / 300) / (100_000 / 1_000_000))
    # Fixed benchmark: Var(log) = 1/120 - 1/300 (binomial share of the outcome only).
    half_width = 1.959964 * math.sqrt(1 / 120 - 1 / 300)
    assert fixed.upper["Black"] == pytest.approx(
        fixed.ratio["Black"] * math.exp(half_width), rel=1e-6
    )
    # Treating the benchmark as a sample can only widen the interval.
    estimated = stats.disproportionality_index(
        use_of_force, use_of_force.sum(), census, census.sum(), benchmark_is_fixed=False
    )
    assert (estimated.lower <= fixed.lower).all() and (estimated.upper >= fixed.upper).all()
    assert (fixed.lower < fixed.ratio).all() and (fixed.ratio < fixed.upper).all()


def test_disproportionality_index_errors() -> None:
    with pytest.raises(ValueError, match="group_count"):
        stats.disproportionality_index(120, 100, 24, 100)
    with pytest.raises(ValueError, match="level"):
        stats.disproportionality_index(39, 100, 24, 100, level=0)
