"""Calls for service, staffing and absence: offered load, Erlang C, saturation, the shift
relief factor and the Bradford factor."""

from __future__ import annotations

import math

import numpy as np

from workbench.stats._arrays import (
    Numbers,
    NumbersResult,
    _as_float_array,
    _require,
    _require_non_negative,
    _require_positive,
    _restore_shape,
)

__all__ = [
    "bradford_factor",
    "erlang_c_units_needed",
    "erlang_c_wait_probability",
    "offered_load",
    "relief_factor",
    "saturation",
    "service_level_within",
]


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
