"""Queueing model of patrol deployment, vectorised over the hours of the week.

The same M/M/c (Erlang C) model as :mod:`workbench.stats` and
:mod:`workbench.analysis.staffing`, written over numpy arrays so that a planner can recompute
168 hours × every division for each move of a slider:

- :func:`wait_probability` — Erlang C ``P(wait)`` for each (load, units) pair, through the
  Erlang B recursion (no ``A^c / c!``, so no overflow);
- :func:`units_needed` — the smallest number of units meeting a
  :class:`~workbench.analysis.staffing.ServiceTarget` in each hour (agrees with
  :func:`workbench.stats.erlang_c_units_needed` cell by cell; a test checks);
- :func:`response_percentiles` — the distribution of Priority 1 response time
  ``processing + wait + travel`` over the week, and its median and 90th percentile.

Priority 1 wait
---------------
Calls wait for a free unit when every unit on duty is busy: probability ``C = P(wait)`` from
Erlang C on the offered load of *all* dispatched calls (units are busy with any call). With
``discipline="priority"`` (the default: dispatchers send the next free unit to the most
urgent call, without recalling a unit from a call), a waiting Priority 1 call waits behind
other Priority 1 calls only, while units free up at rate ``c·μ``: its wait is taken as
exponential with rate ``c·μ − λ₁``, whose mean ``C / (c·μ − λ₁)`` is Cobham's (1954) exact
mean wait of the highest class of a non-pre-emptive M/M/c priority queue. With ``"fifo"`` every
call waits in one line: rate ``c·μ − λ`` (the Erlang C waiting-time distribution).
An hour with no unit on duty, or with more Priority 1 work than the units can clear, has no
finite response time (reported as infinity).

Response = ``processing + wait + travel``: processing (call taking and triage, ``received →
dispatched``) and travel (``dispatched → arrived``) are drawn, independently, from the
distributions observed for Priority 1 calls (their quantiles; processing may also be a stated
constant). Observed processing times include whatever waiting for a unit happened in the
window they were measured in, so with a roster that rarely makes a Priority 1 call wait the
model's wait adds little on top. The week's distribution is the mixture over hours weighted by
Priority 1 calls per hour; percentiles are found by bisection on that mixture's distribution
function, exactly (no simulation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.analysis._common import AnalysisInputError

__all__ = [
    "DISCIPLINES",
    "ResponseModel",
    "response_model",
    "response_percentiles",
    "units_needed",
    "wait_probability",
]

DISCIPLINES = ("priority", "fifo")
#: Most units any one hour is ever searched up to (a safety net; real loads stop far earlier).
_MAXIMUM_UNITS = 100_000


def _erlang_b_at(load: np.ndarray, servers: np.ndarray) -> np.ndarray:
    """Erlang B blocking for each (load, servers) pair (servers ≥ 0 whole numbers)."""
    blocking = np.ones_like(load, dtype=float)
    result = np.ones_like(load, dtype=float)
    top = int(servers.max()) if servers.size else 0
    for units in range(1, top + 1):
        blocking = load * blocking / (units + load * blocking)
        here = servers == units
        result[here] = blocking[here]
    return result


def wait_probability(load: np.ndarray, servers: np.ndarray) -> np.ndarray:
    """Erlang C probability of waiting for each hour: ``load`` in Erlangs, ``servers`` whole
    units (fractions are floored). 0 where there is no load, 1 where ``servers ≤ load``."""
    load = np.asarray(load, dtype=float)
    units = np.floor(np.asarray(servers, dtype=float) + 1e-9).astype(np.int64)
    units = np.maximum(units, 0)
    blocking = _erlang_b_at(load, units)
    with np.errstate(divide="ignore", invalid="ignore"):
        probability = units * blocking / (units - load * (1.0 - blocking))
    probability = np.where(units > load, probability, 1.0)
    return np.where(load > 0, np.clip(probability, 0.0, 1.0), 0.0)


def units_needed(
    arrival_rate: np.ndarray,
    mean_handling_hours: np.ndarray,
    *,
    wait_probability_target: float | None = 0.10,
    answer_minutes: float | None = None,
    service_level: float | None = None,
) -> np.ndarray:
    """Smallest whole number of units per hour meeting every target given: ``P(wait) ≤
    wait_probability_target`` and/or ``service_level`` of calls dispatched within
    ``answer_minutes``. 0 in an hour without calls (minimum staffing is a policy, not a
    queueing result)."""
    if wait_probability_target is None and answer_minutes is None:
        raise AnalysisInputError("give a wait probability target, or answer_minutes with "
                                 "service_level")
    if (answer_minutes is None) != (service_level is None):
        raise AnalysisInputError("answer_minutes and service_level go together")
    rate = np.nan_to_num(np.asarray(arrival_rate, dtype=float), nan=0.0)
    handling = np.nan_to_num(np.asarray(mean_handling_hours, dtype=float), nan=0.0)
    load = rate * handling
    wait_limit = 1.0 if wait_probability_target is None else float(wait_probability_target)
    answer_hours = 0.0 if answer_minutes is None else float(answer_minutes) / 60.0
    level = 0.0 if service_level is None else float(service_level)
    result = np.zeros(load.shape, dtype=np.int64)
    pending = load > 0
    blocking = np.ones_like(load)
    units = 0
    while pending.any():
        units += 1
        if units > _MAXIMUM_UNITS:
            raise AnalysisInputError(f"no number of units up to {_MAXIMUM_UNITS} meets the "
                                     "target")
        blocking = load * blocking / (units + load * blocking)
        stable = pending & (units > load)
        if not stable.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            waiting = units * blocking / (units - load * (1.0 - blocking))
            decay = np.exp(-(units - load) * answer_hours / np.where(handling > 0, handling, 1.0))
        meets = stable & (waiting <= wait_limit) & (1.0 - waiting * decay >= level)
        result[meets] = units
        pending &= ~meets
    return result


def _wait_rates(load: np.ndarray, units: np.ndarray, handling_hours: np.ndarray,
                priority_rate: np.ndarray, total_rate: np.ndarray,
                discipline: str) -> tuple[np.ndarray, np.ndarray]:
    """Per hour: probability of waiting and the rate (per minute) of the conditional wait;
    a rate ≤ 0 means the wait is unbounded."""
    whole = np.floor(units + 1e-9)
    busy = wait_probability(load, whole)
    with np.errstate(divide="ignore", invalid="ignore"):
        service_per_hour = np.where(handling_hours > 0, whole / handling_hours, 0.0)
    ahead = priority_rate if discipline == "priority" else total_rate
    rate = (service_per_hour - ahead) / 60.0
    busy = np.where(whole < 1, 1.0, busy)
    rate = np.where(whole < 1, -1.0, rate)
    return busy, rate


#: Points kept of the distribution of the time before any wait (processing + travel).
_BASE_POINTS = 120
#: Percentiles are found to within this many minutes (a second is 0.017).
_PRECISION_MINUTES = 0.001


@dataclass(frozen=True)
class ResponseModel:
    """The Priority 1 response-time distribution of one group over the week (see the module
    docstring). Build with :func:`response_model`; combine with :func:`response_percentiles`.

    ``calls``: Priority 1 calls a week (the model's weight in a mixture); ``weights``, ``busy``,
    ``rate``: per hour with calls, the share of the week's Priority 1 calls, P(wait) and the
    conditional wait rate per minute (≤ 0: never reached); ``base``: sorted minutes of
    processing + travel (evenly spaced quantiles of their sum)."""

    calls: float
    weights: np.ndarray
    busy: np.ndarray
    rate: np.ndarray
    base: np.ndarray

    @property
    def unreached_share(self) -> float:
        """Share of Priority 1 calls arriving when they would wait for ever."""
        return float(self.weights[(self.rate <= 0) & (self.busy > 0)].sum())

    @property
    def wait_probability(self) -> float:
        return float(np.dot(self.weights, self.busy))

    @property
    def mean_wait_minutes(self) -> float:
        if self.unreached_share > 0:
            return math.inf
        return float(np.dot(self.weights, np.where(
            self.busy > 0, self.busy / np.where(self.rate > 0, self.rate, 1.0), 0.0)))

    def cdf(self, minutes: float) -> float:
        """Share of Priority 1 calls reached within ``minutes`` of being received."""
        slack = minutes - self.base
        reached = slack >= 0
        safe = np.where(self.rate > 0, self.rate, 1.0)
        waited = np.exp(-safe[:, None] * np.maximum(slack, 0.0)[None, :])
        within = np.where((self.rate <= 0)[:, None], 1.0 - self.busy[:, None],
                          1.0 - self.busy[:, None] * waited) * reached[None, :]
        return float(np.dot(self.weights, within.mean(axis=1)))


def _finite(values: float | np.ndarray, name: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    array = array[np.isfinite(array)]
    if array.size == 0:
        raise AnalysisInputError(f"no Priority 1 {name} to build the response model from")
    if np.any(array < 0):
        raise AnalysisInputError(f"{name} must not be negative")
    return array


def response_model(
    *,
    calls_per_hour: np.ndarray,
    mean_handling_hours: np.ndarray,
    priority_calls_per_hour: np.ndarray,
    units_on_duty: np.ndarray,
    travel_minutes: np.ndarray,
    processing_minutes: float | np.ndarray,
    discipline: str = "priority",
) -> ResponseModel:
    """The Priority 1 response model of one group. 168 values per hourly argument;
    ``travel_minutes`` and ``processing_minutes`` are samples or evenly spaced quantiles of
    Priority 1 travel (dispatched → arrived) and call processing (received → dispatched),
    taken as independent (``processing_minutes`` may be one constant)."""
    if discipline not in DISCIPLINES:
        raise AnalysisInputError(f"discipline must be one of {', '.join(DISCIPLINES)}; got "
                                 f"{discipline!r}")
    travel = _finite(travel_minutes, "travel times")
    processing = _finite(processing_minutes, "processing times")
    sums = np.add.outer(processing, travel).ravel()
    levels = (np.arange(_BASE_POINTS) + 0.5) / _BASE_POINTS
    base = np.sort(sums) if sums.size <= _BASE_POINTS else np.quantile(sums, levels)
    rate_total = np.nan_to_num(np.asarray(calls_per_hour, dtype=float))
    handling = np.nan_to_num(np.asarray(mean_handling_hours, dtype=float))
    rate_p1 = np.nan_to_num(np.asarray(priority_calls_per_hour, dtype=float))
    busy, rate = _wait_rates(rate_total * handling, np.asarray(units_on_duty, dtype=float),
                             handling, rate_p1, rate_total, discipline)
    total = float(rate_p1.sum())
    used = rate_p1 > 0
    weights = rate_p1[used] / total if total > 0 else np.empty(0)
    return ResponseModel(calls=total, weights=weights, busy=busy[used], rate=rate[used],
                         base=base)


def response_percentiles(models: ResponseModel | Sequence[ResponseModel],
                         percentiles: Sequence[float] = (0.5, 0.9)) -> dict[str, float]:
    """Percentiles of Priority 1 response over one model or a mixture (weighted by their
    Priority 1 calls), found by bisection on the distribution function.

    Returns ``{"p50": …, "p90": …, "wait_probability": …, "mean_wait_minutes": …}``
    (keys ``p<100·q>`` per percentile asked); infinity where calls would never be reached,
    NaN without any Priority 1 call."""
    group = [models] if isinstance(models, ResponseModel) else list(models)
    group = [m for m in group if m.calls > 0]
    keys = [f"p{round(share * 100):d}" for share in percentiles]
    if not group:
        return dict.fromkeys([*keys, "wait_probability", "mean_wait_minutes"], math.nan)
    total = sum(m.calls for m in group)
    shares = [m.calls / total for m in group]
    unreached = sum(s * m.unreached_share for s, m in zip(shares, group, strict=True))
    result = {
        "wait_probability": sum(s * m.wait_probability for s, m in zip(shares, group,
                                                                       strict=True)),
        "mean_wait_minutes": (math.inf if unreached > 0 else sum(
            s * m.mean_wait_minutes for s, m in zip(shares, group, strict=True))),
    }

    def distribution(minutes: float) -> float:
        return sum(s * m.cdf(minutes) for s, m in zip(shares, group, strict=True))

    low_start = min(float(m.base[0]) for m in group)
    for key, share in zip(keys, percentiles, strict=True):
        if share > 1.0 - unreached + 1e-12:
            result[key] = math.inf
            continue
        low = low_start
        high = max(float(m.base[-1]) for m in group) + 1.0
        while distribution(high) < share and high < 1e6:
            high *= 2
        if distribution(high) < share:
            result[key] = math.inf
            continue
        while high - low > _PRECISION_MINUTES:
            middle = (low + high) / 2
            if distribution(middle) >= share:
                high = middle
            else:
                low = middle
        result[key] = high
    return result
