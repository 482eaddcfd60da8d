"""Statistics used by every Workbench analysis.

Pure functions over numbers, numpy arrays and pandas Series: no I/O, no printing, and no
input is ever modified. Where a function is vectorised, a pandas Series in gives a Series out
(with the same index), an array gives an array, and plain numbers give a ``float``.

Bad numeric arguments (negative counts, non-positive exposures, levels outside (0, 1), ...)
raise :class:`ValueError` with a message naming the argument. Missing values (NaN) in
vectorised inputs are not errors: they propagate to NaN in the result.

Contents, with their sources (one module per concept; import them from here):

* Change in counts (:mod:`~workbench.stats.counts`): :func:`poisson_z` (Wheeler 2018),
  :func:`e_test` and :func:`e_test_p_values` (Krishnamoorthy & Thomson 2004, as computed by
  the R package ptools), :func:`poisson_rate_interval` (Garwood 1936, by statsmodels), and
  multiple comparisons: :func:`adjust_p_values` (Holm 1979; Benjamini & Hochberg 1995, the
  latter by statsmodels).
* Place-based interventions (:mod:`~workbench.stats.interventions`):
  :func:`weighted_displacement_difference` and
  :func:`weighted_displacement_difference_with_displacement` (Wheeler & Ratcliffe 2018).
* Control charts (:mod:`~workbench.stats.control_charts`): :func:`c_chart_limits`,
  :func:`c_chart_out_of_control` (Shewhart c-chart).
* Calls for service, staffing and absence (:mod:`~workbench.stats.staffing`):
  :func:`offered_load`, :func:`erlang_c_wait_probability`, :func:`service_level_within`,
  :func:`erlang_c_units_needed`, :func:`saturation`, :func:`relief_factor`,
  :func:`bradford_factor`.
* Race-based data (:mod:`~workbench.stats.ratios`): :func:`rate_ratio_interval` (Katz et al.
  1978 log method), :func:`disproportionality_index`.
"""

from __future__ import annotations

from workbench.stats._arrays import Numbers, NumbersResult
from workbench.stats.control_charts import ControlLimits, c_chart_limits, c_chart_out_of_control
from workbench.stats.counts import (
    Alternative,
    RateInterval,
    adjust_p_values,
    e_test,
    e_test_p_values,
    poisson_rate_interval,
    poisson_z,
)
from workbench.stats.interventions import (
    WeightedDisplacementDifference,
    weighted_displacement_difference,
    weighted_displacement_difference_with_displacement,
)
from workbench.stats.ratios import RatioInterval, disproportionality_index, rate_ratio_interval
from workbench.stats.staffing import (
    bradford_factor,
    erlang_c_units_needed,
    erlang_c_wait_probability,
    offered_load,
    relief_factor,
    saturation,
    service_level_within,
)

__all__ = [
    "Alternative",
    "ControlLimits",
    "Numbers",
    "NumbersResult",
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
