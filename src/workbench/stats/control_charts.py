"""Control charts for counts per period: Shewhart c-chart limits and the points outside."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.stats._arrays import Numbers, _as_float_array, _require, _require_non_negative

__all__ = ["ControlLimits", "c_chart_limits", "c_chart_out_of_control"]


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
