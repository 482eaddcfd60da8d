"""Change in counts: the Poisson z-score, the Poisson E-test, exact (Garwood) intervals for a
rate, and adjusting p-values across a grid of tests.

The interval and the Benjamini–Hochberg adjustment are statsmodels' (``confint_poisson(method=
"exact-c")`` and ``multipletests``) behind Workbench's signatures and checks (Holm is not: see
:func:`adjust_p_values`). The E-test sums the same probabilities as statsmodels'
``etest_poisson_2indep`` (and ptools' ``e_test``), but for many pairs at once and with
ptools' rules where statsmodels differs (see :func:`e_test`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.rates import confint_poisson

from workbench.stats._arrays import (
    Numbers,
    NumbersResult,
    _as_float_array,
    _require,
    _require_level,
    _require_non_negative,
    _require_positive,
    _restore_shape,
)

__all__ = [
    "Alternative",
    "RateInterval",
    "adjust_p_values",
    "e_test",
    "e_test_p_values",
    "poisson_rate_interval",
    "poisson_z",
]

Alternative: TypeAlias = Literal["two-sided", "greater", "less"]

#: Poisson probabilities below this are left out of the E-test sums (ptools' default ``eps``).
_E_TEST_TAIL_PROBABILITY = 1e-20
#: Relative tolerance for ties between E-test statistics that are equal up to rounding.
_E_TEST_TIE_TOLERANCE = 1e-12
_ALTERNATIVES = ("two-sided", "greater", "less")


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


# --------------------------------------------------------------------------------------------
# Poisson E-test
# --------------------------------------------------------------------------------------------


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
      ``X1 ~ Poisson(n1·λ1)`` and ``X2 ~ Poisson(n2·λ2)``, summed until the Poisson
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

    For ``d = 0`` this is the sum statsmodels computes in
    ``statsmodels.stats.rates.etest_poisson_2indep(k1, n1, k2, n2, method="score")`` (the same
    null means and, up to a constant factor, the same statistic), with two rules of ptools kept
    where statsmodels differs: statsmodels counts the (0, 0) pair (its statistic there is 0, so
    equal rates give exactly 1), and it judges ties with an absolute tolerance of 1e-15, which
    misses pairs that tie exactly but round differently when the exposures differ (``e_test(44,
    56, 2, 3)``: 0.41758 here, 0.41734 in statsmodels). Ties are judged here with a relative
    tolerance of 1e-12, so pairs whose statistic equals the observed one up to rounding count.
    ``tests/test_stats.py`` checks the two agree elsewhere.

    How it is summed: given the total ``s = x1 + x2``, ``X1`` is binomial
    (``s``, ``n1·λ1 / (n1·λ1 + n2·λ2)``) and ``T`` increases with ``x1``, so the pairs at least
    as extreme are the one or two tails of that binomial beyond the thresholds where
    ``T = ±|t|``. The p-value is ``Σ_s P(S = s) · P(tails | s)`` with ``S ~ Poisson(k1 + k2)``:
    the same sum as over the grid of pairs, in time linear in the counts rather than quadratic,
    and vectorised over many tests (:func:`e_test_p_values`). Large counts work (ptools warns
    that counts above ~100 get slow).

    One deliberate difference from ptools: when ``d ≠ 0``, ptools standardises the *observed*
    difference by ``√λ2`` but every other pair by ``√((x1 + x2)/(n1 + n2))``, so the observed
    pair can fail to count towards its own p-value. Here both use the latter; for ``d = 0`` the
    two agree exactly. (statsmodels' test of a difference estimates the null rates by
    constrained maximum likelihood instead, so it is not used for ``d ≠ 0`` either.) ptools has
    no one-sided option; here ``"greater"`` (rate 1 exceeds rate 2 + d) sums ``T ≥ t`` and
    ``"less"`` sums ``T ≤ t``, again without the undefined (0, 0) pair.

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
    first, second, first_exposure, second_exposure, difference = (
        np.array([float(value)]) for value in (k1, k2, n1, n2, d))
    return float(_e_test_valid(first, second, first_exposure, second_exposure, difference,
                               alternative)[0])


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
    :class:`ValueError`, as :func:`e_test` does. A Series in gives a Series out. Vectorised:
    each distinct row is tested once, all of them in a few array operations.
    """
    arguments = np.broadcast_arrays(*(_as_float_array(value) for value in (k1, k2, n1, n2, d)))
    shape = arguments[0].shape
    rows = np.stack([argument.ravel() for argument in arguments], axis=1)
    p_values = np.full(rows.shape[0], np.nan)
    known = ~np.isnan(rows).any(axis=1)
    if known.any():
        unique_rows, inverse = np.unique(rows[known], axis=0, return_inverse=True)
        first, second, first_exposure, second_exposure, difference = unique_rows.T
        unique_p = _e_test_valid(first, second, first_exposure, second_exposure, difference,
                                 alternative)
        p_values[known] = unique_p[np.ravel(inverse)]
    return _restore_shape(p_values.reshape(shape), k1, k2, n1, n2, d)


def _e_test_valid(k1: np.ndarray, k2: np.ndarray, n1: np.ndarray, n2: np.ndarray,
                  d: np.ndarray, alternative: str) -> np.ndarray:
    """E-test p-values of rows without NaN (1-d arrays), after checking them as :func:`e_test`
    does."""
    _require(alternative in _ALTERNATIVES,
             f"alternative must be 'two-sided', 'greater' or 'less'; got {alternative!r}")
    for name, values in (("k1", k1), ("k2", k2), ("n1", n1), ("n2", n2), ("d", d)):
        bad = ~np.isfinite(values)
        _require(not bad.any(), f"{name} must be a finite number; got {_some(values[bad])}")
    bad = (k1 < 0) | (k2 < 0)
    _require(not bad.any(),
             f"counts must be non-negative; got k1={_some(k1[bad])}, k2={_some(k2[bad])}")
    bad = (n1 <= 0) | (n2 <= 0)
    _require(not bad.any(),
             f"exposures must be positive; got n1={_some(n1[bad])}, n2={_some(n2[bad])}")
    _require(not ((k1 == 0) & (k2 == 0)).any(),
             "the E-test is not defined when both counts are zero")
    second_rate = (k1 + k2 - d * n1) / (n1 + n2)
    first_rate = second_rate + d
    bad = (second_rate < 0) | (first_rate < 0)
    _require(not bad.any(), f"d={_some(d[bad])} makes a null rate negative (rate 1 = "
             f"{_some(first_rate[bad])}, rate 2 = {_some(second_rate[bad])})")
    return _e_test_sums(k1, k2, n1, n2, d, n1 * first_rate, n2 * second_rate, alternative)


def _some(values: np.ndarray) -> str:
    """Up to three values for a message: ``2.5`` for one, ``[2.5, 3, …]`` for several."""
    shown = ", ".join(f"{value:g}" for value in values[:3])
    return shown if values.size == 1 else f"[{shown}{', …' if values.size > 3 else ''}]"


def _total_count_support(mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last integers carrying all but a negligible tail of each Poisson(mean) law."""
    lowest = np.maximum(_scipy_stats.poisson.ppf(_E_TEST_TAIL_PROBABILITY, mean), 0.0)
    # scipy's isf cannot reach 1e-20, so step right until the probability is negligible.
    highest = np.ceil(mean + 12.0 * np.sqrt(mean) + 30.0)
    heavy = _scipy_stats.poisson.pmf(highest, mean) > _E_TEST_TAIL_PROBABILITY
    while heavy.any():
        highest[heavy] = np.ceil(highest[heavy] * 1.5)
        heavy = _scipy_stats.poisson.pmf(highest, mean) > _E_TEST_TAIL_PROBABILITY
    return lowest.astype(np.int64), highest.astype(np.int64)


def _e_test_sums(k1: np.ndarray, k2: np.ndarray, n1: np.ndarray, n2: np.ndarray,
                 d: np.ndarray, mean1: np.ndarray, mean2: np.ndarray,
                 alternative: str) -> np.ndarray:
    """``Σ_s P(S = s) · P(T at least as extreme as t | S = s)`` for each test (see
    :func:`e_test`), over every total ``s`` of every test in one flat array."""
    exposure = n1 + n2
    observed = (k1 / n1 - k2 / n2 - d) / np.sqrt((k1 + k2) / exposure)
    tolerance = _E_TEST_TIE_TOLERANCE * np.maximum(1.0, np.abs(observed))
    lowest, highest = _total_count_support(mean1 + mean2)
    widths = highest - lowest + 1
    test = np.repeat(np.arange(k1.size), widths)
    total = (lowest[test] + np.arange(widths.sum()) - np.repeat(np.cumsum(widths) - widths,
                                                                widths)).astype(float)
    weight = _scipy_stats.poisson.pmf(total, (mean1 + mean2)[test])
    share = (mean1 / (mean1 + mean2))[test]
    # T(x1, s − x1) = (x1 · slope − s/n2 − d) / √(s/(n1 + n2)): increasing in x1 for s > 0
    scale = np.sqrt(total / exposure[test])
    offset = total / n2[test] + d[test]
    slope = (1.0 / n1 + 1.0 / n2)[test]

    def at_least(threshold: np.ndarray) -> np.ndarray:  # P(T ≥ threshold | s)
        first = np.ceil((threshold[test] * scale + offset) / slope)
        return _scipy_stats.binom.sf(first - 1.0, total, share)

    def at_most(threshold: np.ndarray) -> np.ndarray:  # P(T ≤ threshold | s)
        last = np.floor((threshold[test] * scale + offset) / slope)
        return _scipy_stats.binom.cdf(last, total, share)

    if alternative == "greater":
        tail = at_least(observed - tolerance)
    elif alternative == "less":
        tail = at_most(observed + tolerance)
    else:
        bound = np.abs(observed) - tolerance
        tail = np.where(bound[test] > 0, at_least(bound) + at_most(-bound), 1.0)
    # s = 0: the only pair is (0, 0), whose statistic is −d/0: undefined (never counted) for
    # d = 0, else ±inf, compared like any other value
    empty = total == 0
    if empty.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = -d[test][empty] / 0.0
        observed_empty = observed[test][empty]
        tolerance_empty = tolerance[test][empty]
        if alternative == "greater":
            counted = statistic >= observed_empty - tolerance_empty
        elif alternative == "less":
            counted = statistic <= observed_empty + tolerance_empty
        else:
            counted = np.abs(statistic) >= np.abs(observed_empty) - tolerance_empty
        tail[empty] = counted.astype(float)
    p_values = np.bincount(test, weights=weight * tail, minlength=k1.size)
    return np.clip(p_values, 0.0, 1.0)


# --------------------------------------------------------------------------------------------
# Exact interval for a rate
# --------------------------------------------------------------------------------------------


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
    divided by the exposure: statsmodels' ``confint_poisson(count, exposure,
    method="exact-c")``. The same interval as R's ``poisson.test``. Vectorised; a missing count
    or exposure gives missing bounds.

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
    counts, exposures = np.broadcast_arrays(count_values, exposure_values)
    with np.errstate(invalid="ignore"):
        lower, upper = confint_poisson(counts.astype(float), exposures.astype(float),
                                       method="exact-c", alpha=1.0 - level)
    missing = np.isnan(counts) | np.isnan(exposures)
    lower = np.where(missing, np.nan, lower)  # statsmodels reads a missing lower bound as 0
    return RateInterval(
        rate=_restore_shape(count_values / exposure_values, count, exposure),
        lower=_restore_shape(np.asarray(lower, dtype=float), count, exposure),
        upper=_restore_shape(np.asarray(upper, dtype=float), count, exposure),
        level=level,
    )


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

    Benjamini–Hochberg is ``statsmodels.stats.multitest.multipletests(method="fdr_bh")``.
    Holm is the two lines above, in numpy, with the same results as ``multipletests(method=
    "holm")`` and R's ``p.adjust`` (``tests/test_stats.py`` checks both): statsmodels ends its
    Holm branch with ``gc.collect()``, a full garbage collection that took 0.4 s per call in a
    process with the analyses loaded (against 12 µs here), on every CompStat grid, hot-spot
    ranking and app refresh.

    Sources: S. Holm (1979), Scand. J. Statist. 6; Y. Benjamini & Y. Hochberg (1995),
    J. R. Statist. Soc. B 57.

    Raises:
        ValueError: for an unknown method, or p-values missing or outside [0, 1].
    """
    _require(method in ("holm", "bh"), f"method must be 'holm' or 'bh'; got {method!r}")
    values = _as_float_array(p_values).ravel()
    _require(not np.any(np.isnan(values)), "p-values must not be missing")
    _require(bool(np.all((values >= 0) & (values <= 1))), "p-values must lie in [0, 1]")
    if method == "bh":
        adjusted = np.asarray(multipletests(values, method="fdr_bh")[1], dtype=float)
    else:
        order = np.argsort(values, kind="stable")
        factors = np.arange(values.size, 0, -1, dtype=float)  # m − j + 1
        adjusted = np.empty(values.size)
        adjusted[order] = np.maximum.accumulate(np.minimum(1.0, factors * values[order]))
    if isinstance(p_values, pd.Series):
        return pd.Series(adjusted, index=p_values.index, name=p_values.name)
    return adjusted.reshape(np.shape(p_values))
