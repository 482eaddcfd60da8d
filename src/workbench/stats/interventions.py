"""Place-based interventions: the weighted displacement difference (Wheeler & Ratcliffe 2018)
for a treated and a control area, with or without a displacement buffer."""

from __future__ import annotations

import math
from dataclasses import dataclass

from workbench.stats._arrays import _require, _two_sided_normal_quantile

__all__ = [
    "WeightedDisplacementDifference",
    "weighted_displacement_difference",
    "weighted_displacement_difference_with_displacement",
]


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
