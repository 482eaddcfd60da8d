"""Officers needed per hour of the week: the response target, proactive time, or the minimum.

For each hour, three requirements, and the largest binds:

1. **Response target** (queueing): the smallest number of units meeting the
   :class:`~workbench.analysis.staffing.ServiceTarget` (Erlang C: P(wait) ≤ 10 % by default, or
   a share of calls dispatched within N minutes) for the hour's arrivals and handling time,
   × officers per unit.
2. **Proactive time** (Wilson and Weiss, COPS Office 2012): committed time on calls ÷ (1 −
   proactive share), rounded up — with a 40 % proactive share, 6 officer-hours of calls need
   10 officers. The same condition as keeping saturation at or under ``1 − proactive share``.
3. **Minimum staffing**: the division's minimum officers on duty (policy).

``binding`` names the one that sets the requirement ("response target", "proactive time",
"minimum staffing"; on a tie, the first of these).
"""

from __future__ import annotations

import numpy as np

from workbench.analysis._common import AnalysisInputError
from workbench.analysis.deployment import queueing
from workbench.analysis.staffing import ServiceTarget

__all__ = ["BINDING_LABELS", "hourly_requirement"]

BINDING_LABELS = ("response target", "proactive time", "minimum staffing")


def hourly_requirement(
    calls_per_hour: np.ndarray,
    handling_hours: np.ndarray,
    *,
    target: ServiceTarget | None = None,
    proactive_share: float = 0.40,
    minimum_officers: float | np.ndarray = 0.0,
    officers_per_unit: float = 1.0,
) -> dict[str, np.ndarray]:
    """The three requirements and the binding one, per hour (arrays of any shape ending in
    hours; ``minimum_officers`` broadcasts, e.g. one value per division as a column).

    Returns:
        ``{"response": …, "proactive": …, "minimum": …, "required": …, "binding": …}`` —
        officers (whole numbers) and the index into :data:`BINDING_LABELS`.
    """
    target = target or ServiceTarget()
    if not 0 <= proactive_share < 1:
        raise AnalysisInputError(f"proactive_share must be in [0, 1); got {proactive_share}")
    if not officers_per_unit > 0:
        raise AnalysisInputError(f"officers_per_unit must be positive; got {officers_per_unit}")
    rates = np.nan_to_num(np.asarray(calls_per_hour, dtype=float))
    handling = np.nan_to_num(np.asarray(handling_hours, dtype=float))
    units = queueing.units_needed(
        rates, handling, wait_probability_target=target.wait_probability,
        answer_minutes=target.answer_minutes, service_level=target.service_level)
    response = np.ceil(units * officers_per_unit - 1e-9)
    committed = rates * handling * officers_per_unit
    proactive = np.ceil(committed / (1.0 - proactive_share) - 1e-9)
    minimum = np.broadcast_to(np.ceil(np.asarray(minimum_officers, dtype=float) - 1e-9),
                              response.shape)
    stacked = np.stack([response, proactive, minimum])
    return {"response": response, "proactive": proactive, "minimum": np.array(minimum),
            "required": stacked.max(axis=0), "binding": stacked.argmax(axis=0)}
