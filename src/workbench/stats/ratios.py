"""Ratios for race-based data (Ontario Anti-Racism Data Standards): the Racial Disparity Index
as a risk or rate ratio and the Racial Disproportionality Index, with log-method (Katz)
confidence intervals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from workbench.stats._arrays import (
    Numbers,
    NumbersResult,
    _as_float_array,
    _require,
    _require_non_negative,
    _require_positive,
    _restore_shape,
    _two_sided_normal_quantile,
)

__all__ = ["RatioInterval", "disproportionality_index", "rate_ratio_interval"]


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
