"""Statistics used by every Workbench analysis.

Pure functions over numbers, numpy arrays and pandas Series: no I/O, no printing, and no
input is ever modified. Where a function is vectorised, a pandas Series in gives a Series out
(with the same index), an array gives an array, and plain numbers give a ``float``.

Bad numeric arguments (negative counts, non-positive exposures, levels outside (0, 1), ...)
raise :class:`ValueError` with a message naming the argument. Missing values (NaN) in
vectorised inputs are not errors: they propagate to NaN in the result.

Contents, with their sources:

* Change in counts: :func:`poisson_z` (Wheeler 2018), :func:`e_test` and
  :func:`e_test_p_values` (Krishnamoorthy & Thomson 2004, as computed by the R package
  ptools), :func:`poisson_rate_interval` (Garwood 1936).
* Place-based interventions: :func:`weighted_displacement_difference` and
  :func:`weighted_displacement_difference_with_displacement` (Wheeler & Ratcliffe 2018).
* Control charts: :func:`c_chart_limits`, :func:`c_chart_out_of_control` (Shewhart c-chart).
* Multiple comparisons: :func:`adjust_p_values` (Holm 1979; Benjamini & Hochberg 1995).
* Calls for service and staffing: :func:`offered_load`, :func:`erlang_c_wait_probability`,
  :func:`service_level_within`, :func:`erlang_c_units_needed`, :func:`saturation`,
  :func:`relief_factor`.
* Race-based data: :func:`rate_ratio_interval` (Katz et al. 1978 log method),
  :func:`disproportionality_index`.
* Absence: :func:`bradford_factor`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

__all__ = [
    "ControlLimits",
    "RateInterval",
    "RatioInterval",
    "WeightedDisplacementDifference",
    "adjust_p_values",
    "bradford_factor",
    "c_chart_limits",
    "c_chart_out_of_control",
    "disproportionality_index",
    "e_test",
    "e_test_p_values",
    "erlang_c_units_needed",
    "erlang_c_wait_probability",
    "offered_load",
    "poisson_rate_interval",
    "poisson_z",
    "rate_ratio_interval",
    "relief_factor",
    "saturation",
    "service_level_within",
    "weighted_displacement_difference",
    "weighted_displacement_difference_with_displacement",
]

#: A number, a numpy array or a pandas Series of numbers.
Numbers: TypeAlias = float | int | np.ndarray | pd.Series
#: What a vectorised function returns: ``float`` for numbers, else an array or a Series.
NumbersResult: TypeAlias = float | np.ndarray | pd.Series

Alternative: TypeAlias = Literal["two-sided", "greater", "less"]

#: Poisson probabilities below this are left out of the E-test sums (ptools' default ``eps``).
_E_TEST_TAIL_PROBABILITY = 1e-20
#: Relative tolerance for ties between E-test statistics that are equal up to rounding.
_E_TEST_TIE_TOLERANCE = 1e-12


# --------------------------------------------------------------------------------------------
# Private helpers
# --------------------------------------------------------------------------------------------


def _as_float_array(value: Numbers) -> np.ndarray:
    """Return ``value`` as a new float array (never a view that could alter the input)."""
    if isinstance(value, pd.Series):
        return value.to_numpy(dtype=float, copy=True)
    return np.array(value, dtype=float, copy=True)


def _series_index(*values: object) -> pd.Index | None:
    """Return the index shared by the pandas Series among ``values``, or None if there are none.

    Series are combined by position, so they must carry the same index; otherwise a value
    could silently be paired with another row's.
    """
    indexes = [value.index for value in values if isinstance(value, pd.Series)]
    if not indexes:
        return None
    _require(
        all(index.equals(indexes[0]) for index in indexes[1:]),
        "pandas Series arguments must share the same index (align them first)",
    )
    return indexes[0]


def _restore_shape(result: np.ndarray, *templates: object) -> NumbersResult:
    """Give ``result`` the container of its inputs: Series (same index), array or float."""
    index = _series_index(*templates)
    if index is not None:
        return pd.Series(np.broadcast_to(result, (len(index),)).copy(), index=index)
    if np.ndim(result) == 0:
        return float(result)
    return result


def _require(condition: bool, message: str) -> None:
    """Raise :class:`ValueError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ValueError(message)


def _require_non_negative(name: str, values: np.ndarray) -> None:
    """Raise if any (non-missing) value is negative."""
    _require(not np.any(values < 0), f"{name} must be non-negative; got {values[values < 0][:3]}")


def _require_positive(name: str, values: np.ndarray) -> None:
    """Raise if any (non-missing) value is zero or negative."""
    _require(not np.any(values <= 0), f"{name} must be positive; got {values[values <= 0][:3]}")


def _require_level(level: float) -> None:
    """Raise unless ``level`` is a confidence level strictly between 0 and 1."""
    _require(0.0 < level < 1.0, f"level must be strictly between 0 and 1; got {level!r}")


def _two_sided_normal_quantile(level: float) -> float:
    """Return z such that a standard normal lies within ±z with probability ``level``."""
    _require_level(level)
    return float(_scipy_stats.norm.ppf(0.5 + level / 2.0))


# --------------------------------------------------------------------------------------------
# Change in counts
# --------------------------------------------------------------------------------------------


def poisson_z(current: Numbers, past: Numbers) -> NumbersResult:
    """Return the Poisson z-score for a change between two counts: ``2(√current − √past)``.

    The square root is the variance-stabilising transform of a Poisson count: ``√X`` has
    variance about 1/4 whatever the mean. When ``past`` is a long-run expected count (an
    average over many periods, so nearly free of noise) ``Z`` is roughly standard normal if
    nothing changed. When both are single-period counts, each root carries variance 1/4, so
    ``Z`` has variance about 2 and ``|Z| > 3`` flags ~3–4% of unchanged cells, not 0.27%
    (``workbench.analysis.crime.compstat_grid`` reports adjusted E-test p-values for that
    reason). Wheeler suggests flagging ``|Z| > 3``; 4 → 9 gives ``Z = 2``.

    Source: A. P. Wheeler (2018), "Testing changes in short run crime patterns".

    Args:
        current: count(s) in the current period (non-negative).
        past: count(s) in the comparison period (non-negative), broadcast against ``current``.

    Returns:
        The z-score(s): a float, an array, or a Series indexed like the input Series.
    """
    current_values = _as_float_array(current)
    past_values = _as_float_array(past)
    _require_non_negative("current", current_values)
    _require_non_negative("past", past_values)
    z = 2.0 * (np.sqrt(current_values) - np.sqrt(past_values))
    return _restore_shape(z, current, past)


def _e_test_statistic(
    first_count: np.ndarray | float,
    second_count: np.ndarray | float,
    first_exposure: float,
    second_exposure: float,
    difference: float,
) -> np.ndarray:
    """ptools' E-test statistic: ``(x1/n1 − x2/n2 − d) / √((x1 + x2)/(n1 + n2))``.

    NaN where the statistic is 0/0 (both counts zero and ``d = 0``); ±inf for ``x/0``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled_rate = (np.asarray(first_count) + second_count) / (first_exposure + second_exposure)
        numerator = np.asarray(first_count) / first_exposure - second_count / second_exposure
        return np.asarray((numerator - difference) / np.sqrt(pooled_rate), dtype=float)


def _poisson_support(mean: float) -> np.ndarray:
    """Return the integers carrying all but a negligible tail of a Poisson(mean) law."""
    if mean == 0.0:
        return np.zeros(1)
    lowest = max(float(_scipy_stats.poisson.ppf(_E_TEST_TAIL_PROBABILITY, mean)), 0.0)
    # scipy's isf cannot reach 1e-20, so step right until the probability is negligible.
    highest = math.ceil(mean + 12.0 * math.sqrt(mean) + 30.0)
    while _scipy_stats.poisson.pmf(highest, mean) > _E_TEST_TAIL_PROBABILITY:
        highest = math.ceil(highest * 1.5)
    return np.arange(lowest, highest + 1.0)


def e_test(
    k1: float,
    k2: float,
    n1: float = 1.0,
    n2: float = 1.0,
    d: float = 0.0,
    alternative: Alternative = "two-sided",
) -> float:
    """Return the p-value of the Poisson E-test of ``H0: k1/n1 = k2/n2 + d``.

    The E-test (Krishnamoorthy & Thomson 2004) is an unconditional test: it estimates the two
    Poisson means under the null, then adds the probability of every pair of counts whose
    statistic is at least as extreme as the observed one. It is more powerful than the
    conditional (binomial) test for small counts.

    This reproduces ``ptools::e_test`` (A. P. Wheeler, R package ptools, ``R/e_test.R``):

    * null rates: ``λ2 = (k1 + k2 − d·n1)/(n1 + n2)`` and ``λ1 = λ2 + d``; the counts are
      summed over ``X1 ~ Poisson(n1·λ1)`` and ``X2 ~ Poisson(n2·λ2)`` until the Poisson
      probabilities fall below 1e-20 (ptools' ``eps``);
    * statistic: ``T(x1, x2) = (x1/n1 − x2/n2 − d) / √((x1 + x2)/(n1 + n2))`` (a pooled,
      score-type variance; the authors' Fortran uses ``x1/n1² + x2/n2²``, which orders the
      pairs identically when ``n1 = n2``);
    * two-sided p-value: ``P(|T(X1, X2)| ≥ |T(k1, k2)|)``, one sum over both tails, not
      twice a one-sided p-value;
    * the pair (0, 0) has an undefined statistic (0/0) when ``d = 0`` and is left out of the
      sum, as in ptools. ``e_test(6, 2) = 0.1748748`` (the article's second example). A
      consequence: equal counts give ``1 − exp(−(k1 + k2))`` rather than exactly 1
      (``e_test(2, 2) ≈ 0.982``), which matters only for very small counts.

    One deliberate difference: when ``d ≠ 0``, ptools standardises the *observed* difference
    by ``√λ2`` but every other pair by ``√((x1 + x2)/(n1 + n2))``, so the observed pair can fail
    to count towards its own p-value. Here both use the latter; for ``d = 0`` the two agree
    exactly. ptools has no one-sided option; here ``"greater"`` (rate 1 exceeds rate 2 + d) sums
    ``T ≥ t`` and ``"less"`` sums ``T ≤ t``, again without the undefined (0, 0) pair.

    Ties are judged with a relative tolerance of 1e-12, so pairs whose statistic equals the
    observed one up to rounding are counted. ptools warns that sums over counts above ~100 get
    slow; here the sums are restricted to where the Poisson mass lies, so large counts work.

    Args:
        k1: first count (non-negative).
        k2: second count (non-negative); ``k1 = k2 = 0`` is undefined.
        n1: exposure (time, area, population) of the first count; positive.
        n2: exposure of the second count; positive.
        d: difference of rates ``k1/n1 − k2/n2`` under the null (default 0).
        alternative: ``"two-sided"`` (default), ``"greater"`` or ``"less"``.

    Returns:
        The p-value, in [0, 1].

    Raises:
        ValueError: on negative counts, non-positive exposures, both counts zero, an unknown
            alternative, or a ``d`` that makes a null rate negative.
    """
    for name, value in (("k1", k1), ("k2", k2), ("n1", n1), ("n2", n2), ("d", d)):
        _require(math.isfinite(value), f"{name} must be a finite number; got {value!r}")
    _require(k1 >= 0 and k2 >= 0, f"counts must be non-negative; got k1={k1}, k2={k2}")
    _require(n1 > 0 and n2 > 0, f"exposures must be positive; got n1={n1}, n2={n2}")
    _require(not (k1 == 0 and k2 == 0), "the E-test is not defined when both counts are zero")
    _require(
        alternative in ("two-sided", "greater", "less"),
        f"alternative must be 'two-sided', 'greater' or 'less'; got {alternative!r}",
    )
    second_rate = (k1 + k2 - d * n1) / (n1 + n2)
    first_rate = second_rate + d
    _require(
        second_rate >= 0 and first_rate >= 0,
        f"d={d} makes a null rate negative (rate 1 = {first_rate:g}, rate 2 = {second_rate:g})",
    )
    first_counts = _poisson_support(n1 * first_rate)
    second_counts = _poisson_support(n2 * second_rate)
    first_probabilities = _scipy_stats.poisson.pmf(first_counts, n1 * first_rate)
    second_probabilities = _scipy_stats.poisson.pmf(second_counts, n2 * second_rate)

    grid = _e_test_statistic(first_counts[:, None], second_counts[None, :], n1, n2, d)
    observed = float(_e_test_statistic(k1, k2, n1, n2, d))
    tolerance = _E_TEST_TIE_TOLERANCE * max(1.0, abs(observed)) if math.isfinite(observed) else 0.0
    with np.errstate(invalid="ignore"):
        if alternative == "two-sided":
            as_extreme = np.abs(grid) >= abs(observed) - tolerance
        elif alternative == "greater":
            as_extreme = grid >= observed - tolerance
        else:
            as_extreme = grid <= observed + tolerance
    # NaN (the undefined 0/0 pair) compares False, so it never counts.
    p_value = float(first_probabilities @ as_extreme.astype(float) @ second_probabilities)
    return min(max(p_value, 0.0), 1.0)


def e_test_p_values(
    k1: Numbers,
    k2: Numbers,
    n1: Numbers = 1.0,
    n2: Numbers = 1.0,
    d: Numbers = 0.0,
    alternative: Alternative = "two-sided",
) -> NumbersResult:
    """Return :func:`e_test` p-values element by element, broadcasting the arguments.

    Rows with a missing value (NaN) in any argument get NaN; any other invalid row raises
    :class:`ValueError`, as :func:`e_test` does. A Series in gives a Series out.
    """
    arguments = np.broadcast_arrays(*(_as_float_array(value) for value in (k1, k2, n1, n2, d)))
    p_values = np.full(arguments[0].shape, np.nan)
    for position in np.ndindex(p_values.shape):
        first, second, first_exposure, second_exposure, difference = (
            float(argument[position]) for argument in arguments
        )
        if not any(
            math.isnan(value)
            for value in (first, second, first_exposure, second_exposure, difference)
        ):
            p_values[position] = e_test(
                first, second, first_exposure, second_exposure, difference, alternative
            )
    return _restore_shape(p_values, k1, k2, n1, n2, d)


@dataclass(frozen=True)
class RateInterval:
    """A rate (count per unit of exposure) with its confidence interval."""

    rate: NumbersResult
    lower: NumbersResult
    upper: NumbersResult
    level: float


def poisson_rate_interval(
    count: Numbers, exposure: Numbers = 1.0, level: float = 0.95
) -> RateInterval:
    """Return the exact (Garwood) confidence interval for a Poisson rate ``count / exposure``.

    ``lower = χ²(α/2; 2k)/2`` (0 when ``k = 0``) and ``upper = χ²(1 − α/2; 2k + 2)/2``, both
    divided by the exposure. The same interval as R's ``poisson.test``. Vectorised.

    Source: F. Garwood (1936), "Fiducial limits for the Poisson distribution", Biometrika 28.

    Args:
        count: whole, non-negative count(s).
        exposure: positive exposure(s) (years, 100,000 residents, ...); default 1.
        level: confidence level, default 0.95.
    """
    count_values = _as_float_array(count)
    exposure_values = _as_float_array(exposure)
    _require_non_negative("count", count_values)
    _require(
        bool(np.all(np.isnan(count_values) | (count_values == np.round(count_values)))),
        "count must be whole numbers for an exact Poisson interval",
    )
    _require_positive("exposure", exposure_values)
    _require_level(level)
    tail = (1.0 - level) / 2.0
    with np.errstate(invalid="ignore"):
        lower_count = np.where(
            count_values == 0, 0.0, _scipy_stats.chi2.ppf(tail, 2.0 * count_values) / 2.0
        )
        upper_count = _scipy_stats.chi2.ppf(1.0 - tail, 2.0 * count_values + 2.0) / 2.0
    return RateInterval(
        rate=_restore_shape(count_values / exposure_values, count, exposure),
        lower=_restore_shape(lower_count / exposure_values, count, exposure),
        upper=_restore_shape(upper_count / exposure_values, count, exposure),
        level=level,
    )


# --------------------------------------------------------------------------------------------
# Weighted displacement difference
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightedDisplacementDifference:
    """A WDD estimate with its normal-approximation standard error and confidence interval.

    ``wdd`` is the estimated change in crime counts attributable to the intervention
    (negative: a reduction); ``z = wdd / standard_error``.
    """

    wdd: float
    variance: float
    standard_error: float
    z: float
    lower: float
    upper: float
    level: float


def _wdd_result(estimate: float, variance: float, level: float) -> WeightedDisplacementDifference:
    """Package a WDD estimate and variance with its z-score and confidence interval."""
    quantile = _two_sided_normal_quantile(level)
    standard_error = math.sqrt(variance)
    z = estimate / standard_error if standard_error > 0 else math.nan
    return WeightedDisplacementDifference(
        wdd=estimate,
        variance=variance,
        standard_error=standard_error,
        z=z,
        lower=estimate - quantile * standard_error,
        upper=estimate + quantile * standard_error,
        level=level,
    )


def _require_counts(**counts: float) -> None:
    """Raise unless every named count is a finite, non-negative number."""
    for name, value in counts.items():
        _require(math.isfinite(value) and value >= 0, f"{name} must be a non-negative count")


def weighted_displacement_difference(
    t_before: float,
    t_after: float,
    c_before: float,
    c_after: float,
    level: float = 0.90,
) -> WeightedDisplacementDifference:
    """Return the weighted displacement difference for a treated and a control area.

    ``WDD = (T1 − T0) − (C1 − C0)`` and, treating each count as Poisson,
    ``Var = T1 + T0 + C1 + C0``; the interval is ``WDD ± z·SE`` (normal approximation, so
    beware very small or strongly over-dispersed counts). Treated 20 → 10 with control
    20 → 20 gives WDD −10, SE 8.37 and a 90% interval of −23.8 to 3.8.

    Source: Wheeler & Ratcliffe (2018), "A simple weighted displacement difference test to
    evaluate place based crime interventions", Crime Science 7:11; R ``ptools::wdd``.

    Args:
        t_before: count in the treated area before the intervention.
        t_after: count in the treated area after.
        c_before: count in the control area before.
        c_after: count in the control area after.
        level: confidence level, default 0.90 (the paper's choice).
    """
    _require_counts(t_before=t_before, t_after=t_after, c_before=c_before, c_after=c_after)
    estimate = (t_after - t_before) - (c_after - c_before)
    variance = t_before + t_after + c_before + c_after
    return _wdd_result(float(estimate), float(variance), level)


def weighted_displacement_difference_with_displacement(
    t_before: float,
    t_after: float,
    c_before: float,
    c_after: float,
    displacement_before: float,
    displacement_after: float,
    displacement_control_before: float,
    displacement_control_after: float,
    level: float = 0.90,
) -> WeightedDisplacementDifference:
    """Return the WDD including a displacement (buffer) area and its own control buffer.

    ``WDD = (T1 − T0) − (C1 − C0) + (D1 − D0) − (Cd1 − Cd0)``: crime pushed into the buffer
    around the treated area counts against the intervention. The variance is the sum of all
    eight counts. Equal pre/post periods and equal area sizes are assumed (ptools' time and
    area weights are not supported here).

    Source: Wheeler & Ratcliffe (2018), Crime Science 7:11; their worked example (treated
    207 → 110, control 308 → 318, buffer 178 → 157, control buffer 150 → 140) gives
    WDD −118, SE √1568, Z −2.98, 95% CI −196 to −40.
    """
    _require_counts(
        t_before=t_before,
        t_after=t_after,
        c_before=c_before,
        c_after=c_after,
        displacement_before=displacement_before,
        displacement_after=displacement_after,
        displacement_control_before=displacement_control_before,
        displacement_control_after=displacement_control_after,
    )
    local = (t_after - t_before) - (c_after - c_before)
    displaced = (displacement_after - displacement_before) - (
        displacement_control_after - displacement_control_before
    )
    variance = (
        t_before
        + t_after
        + c_before
        + c_after
        + displacement_before
        + displacement_after
        + displacement_control_before
        + displacement_control_after
    )
    return _wdd_result(float(local + displaced), float(variance), level)


# --------------------------------------------------------------------------------------------
# Control charts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ControlLimits:
    """Centre line and 3-sigma control limits of a chart."""

    centre: float
    lower: float
    upper: float


def c_chart_limits(counts: Numbers) -> ControlLimits:
    """Return c-chart limits for counts per period: ``mean ± 3√mean``, lower floored at 0.

    Missing values are ignored when taking the mean. Source: Shewhart's c-chart, e.g.
    D. C. Montgomery, *Introduction to Statistical Quality Control*, "control chart for
    nonconformities".

    Raises:
        ValueError: if there are no counts or any count is negative.
    """
    values = _as_float_array(counts).ravel()
    values = values[~np.isnan(values)]
    _require(values.size > 0, "c_chart_limits needs at least one count")
    _require_non_negative("counts", values)
    centre = float(values.mean())
    spread = 3.0 * math.sqrt(centre)
    return ControlLimits(centre=centre, lower=max(0.0, centre - spread), upper=centre + spread)


def c_chart_out_of_control(
    counts: Numbers, limits: ControlLimits | None = None
) -> np.ndarray | pd.Series:
    """Return True for each count strictly outside the c-chart limits.

    Args:
        counts: counts per period.
        limits: limits to judge against (e.g. from a baseline period); by default they are
            computed from ``counts`` themselves with :func:`c_chart_limits`.

    Returns:
        A boolean array, or a boolean Series indexed like ``counts``. Missing counts are False.
    """
    chart_limits = c_chart_limits(counts) if limits is None else limits
    values = _as_float_array(counts)
    outside = (values > chart_limits.upper) | (values < chart_limits.lower)
    if isinstance(counts, pd.Series):
        return pd.Series(outside, index=counts.index, name=counts.name)
    return outside


# --------------------------------------------------------------------------------------------
# Multiple comparisons
# --------------------------------------------------------------------------------------------


def adjust_p_values(
    p_values: Numbers, method: Literal["holm", "bh"] = "holm"
) -> np.ndarray | pd.Series:
    """Return p-values adjusted for multiple comparisons, in the input order.

    * ``"holm"``: Holm's step-down method, controlling the family-wise error rate;
      with sorted ``p(1) ≤ … ≤ p(m)``, ``adjusted(i) = max_{j≤i} min(1, (m − j + 1)·p(j))``.
    * ``"bh"``: Benjamini–Hochberg, controlling the false discovery rate;
      ``adjusted(i) = min_{j≥i} min(1, m·p(j)/j)``.

    Both agree with R's ``p.adjust`` and ``statsmodels.stats.multitest.multipletests``
    (``"holm"`` and ``"fdr_bh"``). Implemented here so the module needs only numpy and scipy.

    Sources: S. Holm (1979), Scand. J. Statist. 6; Y. Benjamini & Y. Hochberg (1995),
    J. R. Statist. Soc. B 57.

    Raises:
        ValueError: for an unknown method, or p-values missing or outside [0, 1].
    """
    _require(method in ("holm", "bh"), f"method must be 'holm' or 'bh'; got {method!r}")
    values = _as_float_array(p_values).ravel()
    _require(not np.any(np.isnan(values)), "p-values must not be missing")
    _require(bool(np.all((values >= 0) & (values <= 1))), "p-values must lie in [0, 1]")
    count = values.size
    order = np.argsort(values, kind="stable")
    ranks = np.arange(1, count + 1, dtype=float)
    sorted_values = values[order]
    if method == "holm":
        adjusted_sorted = np.maximum.accumulate(
            np.minimum(1.0, (count - ranks + 1) * sorted_values)
        )
    else:
        scaled = np.minimum(1.0, count * sorted_values / ranks)
        adjusted_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(count)
    adjusted[order] = adjusted_sorted
    if isinstance(p_values, pd.Series):
        return pd.Series(adjusted, index=p_values.index, name=p_values.name)
    return adjusted.reshape(np.shape(p_values))


# --------------------------------------------------------------------------------------------
# Calls for service and staffing
# --------------------------------------------------------------------------------------------


def offered_load(arrival_rate: Numbers, mean_handling_time: Numbers) -> NumbersResult:
    """Return the offered load in Erlangs, ``A = λ · AHT``.

    Both arguments must use the same time unit (e.g. calls per hour and hours per call):
    5 calls an hour × 0.5 hour each = 2.5 Erlangs, i.e. 2.5 units busy on average.
    """
    rate = _as_float_array(arrival_rate)
    handling = _as_float_array(mean_handling_time)
    _require_non_negative("arrival_rate", rate)
    _require_positive("mean_handling_time", handling)
    return _restore_shape(rate * handling, arrival_rate, mean_handling_time)


def _require_servers(servers: int) -> None:
    """Raise unless ``servers`` is a positive whole number."""
    _require(
        float(servers) == int(servers) and int(servers) >= 1,
        f"servers must be a positive whole number; got {servers!r}",
    )


def _erlang_c_from_load(load: float, servers: int) -> float:
    """Erlang C probability of waiting for load ``A`` Erlangs on ``servers`` units.

    Uses the Erlang B recursion ``B(0) = 1``, ``B(k) = A·B(k−1) / (k + A·B(k−1))`` and
    ``C = c·B / (c − A·(1 − B))``, which never forms ``A^c`` or ``c!`` and so cannot overflow.
    """
    if load == 0.0:
        return 0.0
    if load >= servers:
        return 1.0
    blocking = 1.0
    for units in range(1, servers + 1):
        blocking = load * blocking / (units + load * blocking)
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c_wait_probability(
    arrival_rate: float, mean_handling_time: float, servers: int
) -> float:
    """Return the Erlang C probability that a call must wait for a free unit.

    ``P_wait = (A^c/c! · c/(c−A)) / (Σ_{k<c} A^k/k! + A^c/c! · c/(c−A))`` with ``A = λ·AHT``,
    computed stably through the Erlang B recursion. The queue is only stable when
    ``A < c``; for ``A ≥ c`` every call eventually waits and 1.0 is returned. Assumes
    Poisson arrivals, exponential handling times and calls that wait rather than leave
    (an M/M/c queue). For A = 2 Erlangs on 3 units, P_wait = 4/9.

    Args:
        arrival_rate: calls per unit of time (non-negative).
        mean_handling_time: mean time a unit spends per call, in the same time unit.
        servers: number of units (positive whole number).
    """
    load = float(offered_load(arrival_rate, mean_handling_time))
    _require_servers(servers)
    return _erlang_c_from_load(load, int(servers))


def service_level_within(
    offered_load_erlangs: float,
    servers: int,
    mean_handling_time: float,
    answer_time: float,
) -> float:
    """Return the share of calls answered within ``answer_time`` (Erlang C).

    ``1 − P_wait · exp(−(c − A) · t / AHT)``; 0.0 when ``A ≥ c`` (the queue grows without
    bound). ``answer_time`` and ``mean_handling_time`` must use the same time unit.
    """
    _require(
        math.isfinite(offered_load_erlangs) and offered_load_erlangs >= 0,
        f"offered_load_erlangs must be non-negative; got {offered_load_erlangs!r}",
    )
    _require_servers(servers)
    _require(mean_handling_time > 0, "mean_handling_time must be positive")
    _require(answer_time >= 0, "answer_time must be non-negative")
    if offered_load_erlangs >= servers:
        return 0.0
    wait_probability = _erlang_c_from_load(offered_load_erlangs, int(servers))
    decay = math.exp(-(servers - offered_load_erlangs) * answer_time / mean_handling_time)
    return 1.0 - wait_probability * decay


def erlang_c_units_needed(
    arrival_rate: float,
    mean_handling_time: float,
    target_wait_probability: float | None = None,
    target_answer_time: float | None = None,
    service_level: float | None = None,
    *,
    maximum_servers: int = 100_000,
) -> int:
    """Return the smallest number of units that meets every target given.

    Targets (give one or both):

    * ``target_wait_probability``: ``P_wait ≤ x``;
    * ``target_answer_time`` with ``service_level``: the share of calls answered within
      ``target_answer_time`` is at least ``service_level`` (e.g. 0.90 within 15 minutes),
      see :func:`service_level_within`.

    The answer always exceeds the offered load ``A`` (a queue with ``c ≤ A`` never clears):
    5 calls/h × 0.5 h = 2.5 Erlangs needs at least 3 units. With no calls at all, 0 is
    returned; minimum staffing is a policy, not a queueing result.

    Raises:
        ValueError: if no target is given, a target is outside its range, only one of
            ``target_answer_time`` and ``service_level`` is given, or no number of units up to
            ``maximum_servers`` meets the targets.
    """
    load = float(offered_load(arrival_rate, mean_handling_time))
    _require(
        target_wait_probability is not None
        or target_answer_time is not None
        or service_level is not None,
        "give target_wait_probability, or target_answer_time with service_level",
    )
    _require(
        (target_answer_time is None) == (service_level is None),
        "target_answer_time and service_level must be given together",
    )
    # A missing target is replaced by one every stable queue meets (P_wait <= 1; a share of 0).
    wait_limit = 1.0 if target_wait_probability is None else target_wait_probability
    answer_time = 0.0 if target_answer_time is None else target_answer_time
    required_level = 0.0 if service_level is None else service_level
    _require(
        0.0 < wait_limit <= 1.0,
        f"target_wait_probability must be in (0, 1]; got {target_wait_probability!r}",
    )
    _require(answer_time >= 0, "target_answer_time must be non-negative")
    _require(
        0.0 <= required_level < 1.0,
        f"service_level must be in [0, 1) (1 is never reached); got {service_level!r}",
    )
    if load == 0.0:
        return 0

    blocking = 1.0  # Erlang B for 0 units; extended one unit at a time below.
    for servers in range(1, maximum_servers + 1):
        blocking = load * blocking / (servers + load * blocking)
        if servers <= load:
            continue
        wait_probability = servers * blocking / (servers - load * (1.0 - blocking))
        decay = math.exp(-(servers - load) * answer_time / mean_handling_time)
        answered_in_time = 1.0 - wait_probability * decay
        if wait_probability <= wait_limit and answered_in_time >= required_level:
            return servers
    raise ValueError(f"no number of units up to {maximum_servers} meets the targets")


def saturation(call_for_service_time: Numbers, available_patrol_time: Numbers) -> NumbersResult:
    """Return the share of available patrol time consumed by calls for service.

    The "rule of 60" holds that this should stay under 0.60, leaving time for proactive
    work; the threshold is a setting for the caller, not a constant here. Both arguments in
    the same unit (e.g. hours per week). Vectorised.
    """
    committed = _as_float_array(call_for_service_time)
    available = _as_float_array(available_patrol_time)
    _require_non_negative("call_for_service_time", committed)
    _require_positive("available_patrol_time", available)
    return _restore_shape(committed / available, call_for_service_time, available_patrol_time)


def relief_factor(
    post_hours_per_year: Numbers, scheduled_hours: Numbers, absent_hours: Numbers
) -> NumbersResult:
    """Return the shift relief factor: officers needed to staff one post all year.

    ``post hours per year / (scheduled hours − absent hours)`` per officer. An 8-hour post
    every day is 2,920 hours; 2,080 scheduled − 382 absent = 1,698 net hours ⇒ ≈ 1.72.

    Raises:
        ValueError: if absences are not fewer than scheduled hours, or any input is negative.
    """
    post = _as_float_array(post_hours_per_year)
    scheduled = _as_float_array(scheduled_hours)
    absent = _as_float_array(absent_hours)
    _require_non_negative("post_hours_per_year", post)
    _require_non_negative("absent_hours", absent)
    available = scheduled - absent
    _require(
        not np.any(available <= 0),
        "scheduled_hours must exceed absent_hours (an officer must have some hours available)",
    )
    return _restore_shape(post / available, post_hours_per_year, scheduled_hours, absent_hours)


# --------------------------------------------------------------------------------------------
# Ratios for race-based data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatioInterval:
    """A ratio with its confidence interval (floats, arrays or Series like the inputs)."""

    ratio: NumbersResult
    lower: NumbersResult
    upper: NumbersResult
    level: float


def _log_ratio_interval(
    ratio: np.ndarray, log_variance: np.ndarray, level: float, *templates: object
) -> RatioInterval:
    """Build ``ratio · exp(±z·√log_variance)``; NaN bounds where the ratio is 0 or infinite."""
    quantile = _two_sided_normal_quantile(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        defined = (ratio > 0) & np.isfinite(ratio)
        spread = np.where(defined, quantile * np.sqrt(np.where(defined, log_variance, 0.0)), np.nan)
        lower = ratio * np.exp(-spread)
        upper = ratio * np.exp(spread)
    return RatioInterval(
        ratio=_restore_shape(ratio, *templates),
        lower=_restore_shape(lower, *templates),
        upper=_restore_shape(upper, *templates),
        level=level,
    )


def _require_count_within_total(count_name: str, count: np.ndarray, total: np.ndarray) -> None:
    """Raise unless ``0 ≤ count ≤ total`` and ``total > 0``."""
    _require_non_negative(count_name, count)
    _require_positive(f"total for {count_name}", total)
    _require(not np.any(count > total), f"{count_name} must not exceed its total")


def rate_ratio_interval(
    a: Numbers,
    n_a: Numbers,
    b: Numbers,
    n_b: Numbers,
    level: float = 0.95,
    measure: Literal["proportion", "rate"] = "proportion",
) -> RatioInterval:
    """Return ``(a/n_a) / (b/n_b)`` with a log-method (Katz) confidence interval.

    * ``measure="proportion"`` (``a`` of ``n_a`` people, a risk ratio; Katz et al. 1978):
      ``SE(log ratio) = √(1/a − 1/n_a + 1/b − 1/n_b)``; requires ``a ≤ n_a`` and ``b ≤ n_b``.
    * ``measure="rate"`` (``a`` events in ``n_a`` units of exposure, a Poisson rate ratio):
      ``SE = √(1/a + 1/b)``.

    This is the Racial Disparity Index of the Ontario Anti-Racism Data Standards when ``a``
    is the group's outcome count in a population of ``n_a`` and ``b``, ``n_b`` are those of
    the reference group. The interval is undefined (NaN bounds) when a count is zero; flag
    small counts before reporting. Vectorised; a Series in gives Series out.

    Sources: D. Katz, J. Baptista, S. P. Azen & M. C. Pike (1978), "Obtaining confidence
    intervals for the risk ratio in cohort studies", Biometrics 34; Rothman, Greenland &
    Lash, *Modern Epidemiology* (rate ratio).
    """
    _require(
        measure in ("proportion", "rate"),
        f"measure must be 'proportion' or 'rate'; got {measure!r}",
    )
    a_values, n_a_values = _as_float_array(a), _as_float_array(n_a)
    b_values, n_b_values = _as_float_array(b), _as_float_array(n_b)
    if measure == "proportion":
        _require_count_within_total("a", a_values, n_a_values)
        _require_count_within_total("b", b_values, n_b_values)
    else:
        for name, values in (("a", a_values), ("b", b_values)):
            _require_non_negative(name, values)
        for name, values in (("n_a", n_a_values), ("n_b", n_b_values)):
            _require_positive(name, values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a_values / n_a_values) / (b_values / n_b_values)
        log_variance = 1.0 / a_values + 1.0 / b_values
        if measure == "proportion":
            log_variance = log_variance - 1.0 / n_a_values - 1.0 / n_b_values
    return _log_ratio_interval(ratio, log_variance, level, a, n_a, b, n_b)


def disproportionality_index(
    group_count: Numbers,
    total_count: Numbers,
    group_benchmark: Numbers,
    total_benchmark: Numbers,
    level: float = 0.95,
    *,
    benchmark_is_fixed: bool = True,
) -> RatioInterval:
    """Return the Racial Disproportionality Index with a log-method confidence interval.

    ``index = (group_count / total_count) / (group_benchmark / total_benchmark)``: the
    group's share of the people experiencing an outcome divided by its share of the
    benchmark (census population, or the previous stage such as enforcement actions).
    Above 1: over-represented. E.g. Toronto 2020: Black people were 39% of use-of-force
    incidents and 24% of enforcement actions, an index of about 1.6.

    The interval treats the outcome share as a binomial proportion on the log scale,
    ``Var(log index) = 1/group_count − 1/total_count``:

    * ``benchmark_is_fixed=True`` (default): the benchmark share is taken as known, right for
      a census population (a full count, not a sample).
    * ``benchmark_is_fixed=False``: the benchmark share is also estimated and its variance
      ``1/group_benchmark − 1/total_benchmark`` is added (Katz). Use for a previous stage;
      note the outcome is often a subset of that stage, so the two shares are not
      independent and the interval is approximate (usually conservative).

    Bounds are NaN when ``group_count`` is zero. Vectorised over Series (one row per group).

    Source: Ontario Anti-Racism Data Standards (2018), Standards 31–33; Katz et al. (1978).
    """
    group_values, total_values = _as_float_array(group_count), _as_float_array(total_count)
    benchmark_values = _as_float_array(group_benchmark)
    benchmark_total_values = _as_float_array(total_benchmark)
    _require_count_within_total("group_count", group_values, total_values)
    _require_count_within_total("group_benchmark", benchmark_values, benchmark_total_values)
    with np.errstate(divide="ignore", invalid="ignore"):
        outcome_share = group_values / total_values
        benchmark_share = benchmark_values / benchmark_total_values
        ratio = outcome_share / benchmark_share
        log_variance = 1.0 / group_values - 1.0 / total_values
        if not benchmark_is_fixed:
            log_variance = log_variance + 1.0 / benchmark_values - 1.0 / benchmark_total_values
    templates = (group_count, total_count, group_benchmark, total_benchmark)
    return _log_ratio_interval(ratio, log_variance, level, *templates)


# --------------------------------------------------------------------------------------------
# Absence
# --------------------------------------------------------------------------------------------


def bradford_factor(spells: Numbers, days: Numbers) -> NumbersResult:
    """Return the Bradford factor ``S² × D`` (S absence spells, D days absent, over 52 weeks).

    It weights frequent short absences heavily: ten one-day absences score 1,000, one
    ten-day absence scores 10. Controversial (it penalises disability and chronic illness);
    for restricted use only.
    """
    spell_values = _as_float_array(spells)
    day_values = _as_float_array(days)
    _require_non_negative("spells", spell_values)
    _require_non_negative("days", day_values)
    return _restore_shape(spell_values**2 * day_values, spells, days)
