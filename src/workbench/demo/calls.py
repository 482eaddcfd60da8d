"""Calls for service, and the use-of-force reports and complaints that follow attended calls.

Daily counts per (call type, neighbourhood) are Poisson like incidents. Each call gets a time
from its type's daily cycle, an address (a few addresses draw hundreds of calls a year), a
priority, and the CAD timestamps: queue delay (received → dispatched) and travel time
(dispatched → arrived) are log-normal by priority (Priority 1 median response ≈ 8.5 minutes),
travel a little longer in outer neighbourhoods; some calls are never dispatched and some
dispatched units are cancelled en route. The responding officer is drawn from the patrol
members present on the division's platoon shift at that hour (see
:class:`~workbench.demo.workforce.Roster`), so each officer's exposure is the calls they attended.

Each attended call leads to a use-of-force report with a small probability that depends on the
call type (violent and mental-health calls most), and to a public complaint with a smaller one.
Planted here: the break-and-enter surge (calls echo the incidents), the Priority 1 response-time
degradation in one division, the officer with a high use-of-force rate, and the perceived-race
disproportionality of use-of-force subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from workbench.demo import _profiles as profiles
from workbench.demo import _sampling as sampling
from workbench.demo._world import SOURCE, World
from workbench.demo.city import CityLayout, population_at_days, to_longitude_latitude
from workbench.demo.crime import (
    AGE_GROUPS,
    GENDERS,
    neighbourhood_shares,
    perceived_race,
    race_group_lists,
    race_strings,
    surge_factor,
)
from workbench.demo.signals import (
    BREAK_AND_ENTER_SURGE,
    OFFICER_USE_OF_FORCE,
    RESPONSE_TIME_DEGRADATION,
    USE_OF_FORCE_DISPROPORTIONALITY,
)

ANNUAL_CALLS = 300_000
ANNUAL_USE_OF_FORCE_REPORTS = 360
ANNUAL_COMPLAINTS = 150
UNGEOCODED_SHARE = 0.005

# By priority 1..5.
NOT_DISPATCHED = np.array([0.01, 0.04, 0.12, 0.25, 0.40])
CANCELLED_EN_ROUTE = np.array([0.02, 0.04, 0.06, 0.06, 0.06])
QUEUE_MEDIAN_MINUTES = np.array([1.2, 4.0, 12.0, 30.0, 60.0])
QUEUE_SIGMA = np.array([0.6, 0.8, 0.9, 1.0, 1.0])
TRAVEL_MEDIAN_MINUTES = np.array([7.2, 8.5, 10.0, 12.0, 15.0])
TRAVEL_SIGMA = np.array([0.45, 0.5, 0.55, 0.6, 0.6])

NOT_DISPATCHED_DISPOSITIONS = (
    "telephone_report",
    "cancelled_by_caller",
    "referred_other_agency",
    "no_police_required",
)
DISPOSITIONS = (
    "report_taken",
    "arrest",
    "advised",
    "no_action_required",
    "unfounded",
    "gone_on_arrival",
    "mha_apprehension",
    "transported_to_hospital",
    "referred",
    "cancelled_en_route",
    *NOT_DISPATCHED_DISPOSITIONS,
)
_ATTENDED_DISPOSITIONS = 9  # the first nine are outcomes of an attended call


@dataclass(frozen=True)
class CallTypeProfile:
    call_type: str
    share: float
    priorities: tuple[float, float, float, float, float]
    deprivation_power: float
    commerce_power: float
    hour_profile: str
    weekday_profile: str
    seasonal_amplitude: float
    seasonal_peak_day: float
    annual_trend: float
    on_scene_minutes: float
    use_of_force_weight: float
    use_of_force_incident_type: str
    # Weights over the nine attended dispositions: report taken, arrest, advised, no action
    # required, unfounded, gone on arrival, MHA apprehension, transported to hospital, referred.
    dispositions: tuple[float, ...]


# Columns: call type, share of calls, priority 1-5 shares, need power, commerce power, hour
# profile, weekday profile, seasonal amplitude, peak day of year, annual trend, on-scene minutes
# (median), use-of-force weight, use-of-force incident type, attended-disposition weights.
# fmt: off
CALL_TYPES: tuple[CallTypeProfile, ...] = (
    CallTypeProfile("traffic", 0.100, (0, .05, .35, .45, .15), 0.0, 0.6, "traffic", "traffic", 0.0, 0, 0.0,
                    20, 0.3, "traffic_stop", (15, 2, 45, 25, 3, 10, 0, 0, 0)),
    CallTypeProfile("motor_vehicle_collision", 0.050, (.15, .35, .35, .15, 0), 0.0, 0.5, "traffic", "traffic",
                    0.12, 20, 0.0, 45, 0.2, "traffic_stop", (60, 2, 20, 10, 2, 3, 0, 3, 0)),
    CallTypeProfile("alarm", 0.080, (0, .05, .60, .30, .05), 0.0, 0.8, "business", "flat", 0.0, 0, 0.0,
                    12, 0.05, "investigation", (5, 0, 10, 65, 15, 5, 0, 0, 0)),
    CallTypeProfile("suspicious_person", 0.080, (.02, .25, .50, .20, .03), 0.5, 0.4, "evening", "calls",
                    0.08, 200, 0.0, 25, 0.8, "investigation", (10, 3, 35, 20, 7, 25, 0, 0, 0)),
    CallTypeProfile("theft_report", 0.070, (0, .05, .25, .40, .30), 0.2, 0.9, "daytime", "property", 0.08,
                    200, 0.01, 35, 0.4, "arrest", (75, 5, 10, 5, 3, 2, 0, 0, 0)),
    CallTypeProfile("wellness_check", 0.080, (.05, .35, .45, .15, 0), 0.6, 0.1, "evening", "calls", 0.0,
                    0, 0.03, 30, 0.5, "wellness_check", (10, 0, 30, 40, 0, 5, 3, 8, 4)),
    CallTypeProfile("noise", 0.060, (0, 0, .15, .55, .30), 0.5, 0.3, "night", "impaired", 0.25, 200, 0.0,
                    10, 0.2, "disturbance", (5, 0, 50, 25, 5, 15, 0, 0, 0)),
    CallTypeProfile("disturbance", 0.070, (.05, .35, .45, .15, 0), 1.0, 0.5, "night", "impaired", 0.18, 195,
                    0.0, 30, 1.5, "disturbance", (15, 8, 40, 15, 5, 15, 0, 1, 1)),
    CallTypeProfile("domestic_dispute", 0.050, (.35, .50, .15, 0, 0), 0.9, 0.0, "evening", "violence", 0.08,
                    200, 0.01, 70, 2.5, "arrest", (40, 20, 25, 5, 3, 3, 1, 1, 2)),
    CallTypeProfile("mental_health", 0.050, (.15, .55, .25, .05, 0), 0.8, 0.2, "evening", "flat", 0.05, 200,
                    0.04, 90, 2.5, "mental_health", (10, 1, 15, 5, 0, 3, 30, 30, 6)),
    CallTypeProfile("assault", 0.040, (.40, .45, .15, 0, 0), 1.1, 0.4, "violence", "violence", 0.12, 200,
                    0.02, 60, 3.0, "arrest", (55, 20, 10, 3, 5, 5, 0, 2, 0)),
    CallTypeProfile("break_and_enter", 0.030, (.10, .35, .40, .15, 0), 0.4, 0.2, "break_and_enter",
                    "property", 0.10, 215, -0.03, 50, 1.5, "arrest", (80, 5, 5, 3, 5, 2, 0, 0, 0)),
    CallTypeProfile("mischief", 0.030, (0, .05, .30, .45, .20), 0.8, 0.4, "violence", "violence", 0.15, 190,
                    0.0, 30, 0.3, "arrest", (60, 3, 20, 10, 4, 3, 0, 0, 0)),
    CallTypeProfile("fraud", 0.020, (0, 0, .05, .35, .60), 0.0, 0.6, "business", "property", 0.0, 0, 0.05,
                    35, 0.02, "investigation", (80, 1, 15, 2, 2, 0, 0, 0, 0)),
    CallTypeProfile("missing_person", 0.015, (.05, .45, .40, .10, 0), 0.6, 0.2, "evening", "flat", 0.0, 0,
                    0.0, 60, 0.3, "wellness_check", (70, 0, 10, 10, 0, 0, 2, 5, 3)),
    CallTypeProfile("overdose", 0.015, (.85, .15, 0, 0, 0), 1.4, 0.5, "evening", "flat", 0.05, 220, 0.06, 40,
                    0.8, "medical_assist", (15, 1, 5, 5, 0, 5, 4, 60, 5)),
    CallTypeProfile("weapons", 0.008, (.70, .30, 0, 0, 0), 1.5, 0.3, "violence", "violence", 0.15, 200, 0.0,
                    60, 6.0, "arrest", (45, 30, 5, 5, 10, 5, 0, 0, 0)),
    CallTypeProfile("shots_fired", 0.003, (1, 0, 0, 0, 0), 2.0, 0.2, "violence", "violence", 0.30, 205,
                    -0.02, 90, 5.0, "arrest", (60, 10, 2, 5, 18, 5, 0, 0, 0)),
    CallTypeProfile("robbery", 0.006, (.60, .35, .05, 0, 0), 1.2, 0.7, "violence", "violence", 0.06, 330,
                    -0.01, 75, 5.0, "arrest", (70, 15, 3, 2, 5, 5, 0, 0, 0)),
    CallTypeProfile("sexual_assault", 0.004, (.20, .45, .30, .05, 0), 0.6, 0.2, "violence", "violence",
                    0.10, 200, 0.03, 80, 1.0, "arrest", (80, 8, 5, 2, 3, 0, 0, 2, 0)),
    CallTypeProfile("unknown_trouble_911", 0.060, (.10, .50, .40, 0, 0), 0.6, 0.3, "calls", "calls", 0.05,
                    200, 0.0, 15, 0.5, "investigation", (5, 1, 25, 55, 4, 10, 0, 0, 0)),
    CallTypeProfile("assist_other_agency", 0.030, (0, .20, .50, .30, 0), 0.3, 0.3, "calls", "calls", 0.0, 0,
                    0.0, 45, 0.3, "investigation", (10, 2, 20, 50, 0, 0, 3, 10, 5)),
    CallTypeProfile("other", 0.040, (0, .05, .30, .40, .25), 0.3, 0.3, "calls", "calls", 0.0, 0, 0.0, 25,
                    0.1, "investigation", (20, 1, 35, 35, 4, 5, 0, 0, 0)),
)
# fmt: on
CALL_TYPE_NAMES = tuple(c.call_type for c in CALL_TYPES)
BREAK_AND_ENTER_CALLS = CALL_TYPE_NAMES.index(BREAK_AND_ENTER_SURGE.call_type)
_SHARES = sampling.normalised([c.share for c in CALL_TYPES])
_PRIORITIES = sampling.normalised([c.priorities for c in CALL_TYPES])

FORCE_TYPES = (
    "physical",
    "oc_spray",
    "baton",
    "impact_weapon_less_lethal",
    "conducted_energy_weapon",
    "firearm_pointed",
    "firearm_discharged",
)  # in increasing order of severity
_FORCE_SHARES = (0.45, 0.06, 0.04, 0.04, 0.20, 0.20, 0.01)
_SUBJECT_COUNT_SHARES = (0.80, 0.15, 0.05)
_SUBJECT_GENDER_SHARES = (0.85, 0.14, 0.01)
_SUBJECT_AGE_SHARES = (0.08, 0.27, 0.32, 0.18, 0.09, 0.04, 0.02)
COMPLAINT_TYPES = ("conduct", "service", "policy")
_COMPLAINT_TYPE_SHARES = (0.60, 0.30, 0.10)
COMPLAINT_OUTCOMES = (
    "open",
    "unsubstantiated",
    "withdrawn",
    "informal_resolution",
    "substantiated",
    "screened_out",
)
_COMPLAINT_OUTCOME_SHARES = (0.0, 0.45, 0.20, 0.15, 0.10, 0.10)


def attended_share_by_type() -> np.ndarray:
    """Share of each call type's calls that a unit attends (dispatched and arrived)."""
    attended = (1 - NOT_DISPATCHED) * (1 - CANCELLED_EN_ROUTE)
    return _PRIORITIES @ attended


def use_of_force_probability_scale() -> float:
    """Per attended call, the probability of a use-of-force report is this × the type's weight,
    calibrated so the city files about ``ANNUAL_USE_OF_FORCE_REPORTS`` reports a year at scale 1."""
    weights = np.array([c.use_of_force_weight for c in CALL_TYPES])
    return ANNUAL_USE_OF_FORCE_REPORTS / float(
        ANNUAL_CALLS * (_SHARES * attended_share_by_type() * weights).sum()
    )


def complaint_probability() -> float:
    """Per attended call: about ``ANNUAL_COMPLAINTS`` complaints a year at scale 1."""
    return ANNUAL_COMPLAINTS / float(ANNUAL_CALLS * (_SHARES * attended_share_by_type()).sum())


def call_shares(layout: CityLayout) -> np.ndarray:
    """(T, N) share of each call type by neighbourhood."""
    return neighbourhood_shares(
        layout,
        np.array([c.deprivation_power for c in CALL_TYPES]),
        np.array([c.commerce_power for c in CALL_TYPES]),
        "calls",
    )


def patrol_workload_share(
    layout_shares: np.ndarray, division_index: np.ndarray, division_count: int
) -> np.ndarray:
    """Share of expected calls per division (sizes the patrol platoons)."""
    per_neighbourhood = (_SHARES[:, None] * layout_shares).sum(axis=0)
    return np.bincount(division_index, weights=per_neighbourhood, minlength=division_count)


@dataclass(frozen=True)
class MonthOfCalls:
    calls: pa.Table
    use_of_force: pa.Table
    use_of_force_subjects: pa.Table
    complaints: pa.Table


def calls_for_month(
    world: World, year: int, month: int, first: int, last: int, shares: np.ndarray
) -> MonthOfCalls:
    """One month of calls (received on days ``first``..``last``) and what followed them."""
    rng = sampling.derived_rng(world.seed, "calls_for_service", year, month)
    layout = world.layout
    days = np.arange(first, last + 1)
    factors = profiles.daily_factors(
        days,
        np.array([c.seasonal_amplitude for c in CALL_TYPES]),
        np.array([c.seasonal_peak_day for c in CALL_TYPES]),
        profiles.weekday_matrix([c.weekday_profile for c in CALL_TYPES]),
        np.array([c.annual_trend for c in CALL_TYPES]),
        world.reference_day,
    )
    growth = population_at_days(layout, days, world.reference_day)
    expected = (
        ANNUAL_CALLS
        * world.scale
        / 365.25
        * _SHARES[:, None, None]
        * shares[:, :, None]
        * growth[None, :, :]
        * factors[:, None, :]
    )
    surge_neighbourhood = layout.neighbourhood_ids.index(BREAK_AND_ENTER_SURGE.neighbourhood_id)
    expected[BREAK_AND_ENTER_CALLS, surge_neighbourhood, :] *= surge_factor(world, days)
    counts = rng.poisson(expected)
    call_type, neighbourhood, day_index = np.unravel_index(
        sampling.expand_counts(counts), counts.shape
    )
    hour_names = [c.hour_profile for c in CALL_TYPES]
    received = profiles.seconds_in_day(
        rng, days[day_index], call_type, profiles.hour_matrix(hour_names)
    )
    order = np.argsort(received, kind="stable")
    call_type, neighbourhood, received = call_type[order], neighbourhood[order], received[order]
    size = len(received)

    priority = sampling.sample_by_group(rng, call_type, _PRIORITIES)  # 0-based
    location = sampling.sample_by_group(rng, neighbourhood, layout.location_weight)
    ungeocoded = rng.random(size) < UNGEOCODED_SHARE
    division = layout.division_index[neighbourhood]

    dispatched_flag = rng.random(size) >= NOT_DISPATCHED[priority]
    arrived_flag = dispatched_flag & (rng.random(size) >= CANCELLED_EN_ROUTE[priority])
    hour_load = profiles.hour_matrix(["calls"])[0] * 24
    hour = (received % sampling.SECONDS_PER_DAY) // 3600
    queue = sampling.lognormal_minutes(
        rng, QUEUE_MEDIAN_MINUTES[priority] * np.sqrt(hour_load[hour]), QUEUE_SIGMA[priority], size
    )
    travel_factor = 0.8 + 0.025 * layout.distance_km[neighbourhood]
    travel = sampling.lognormal_minutes(
        rng, TRAVEL_MEDIAN_MINUTES[priority] * travel_factor, TRAVEL_SIGMA[priority], size
    )
    travel += _planted_delay(world, division, priority, received)
    dispatched = received + (queue * 60).astype("int64")
    arrived = dispatched + (travel * 60).astype("int64")
    # The extract is taken at the end of the window: later steps have not happened yet.
    now = world.end_seconds
    dispatched_flag &= dispatched <= now
    arrived_flag &= dispatched_flag & (arrived <= now)
    on_scene = sampling.lognormal_minutes(
        rng, np.array([c.on_scene_minutes for c in CALL_TYPES])[call_type], 0.7, size
    )
    cleared = np.where(
        arrived_flag,
        arrived + (on_scene * 60).astype("int64"),
        np.where(
            dispatched_flag,
            dispatched + rng.integers(120, 900, size),
            received + (sampling.lognormal_minutes(rng, 12.0, 0.6, size) * 60).astype("int64"),
        ),
    )
    attended_disposition = sampling.sample_by_group(
        rng, call_type, np.array([c.dispositions for c in CALL_TYPES], dtype=float)
    )
    undispatched_disposition = (
        _ATTENDED_DISPOSITIONS + 1 + rng.integers(0, len(NOT_DISPATCHED_DISPOSITIONS), size)
    )
    disposition = np.where(
        arrived_flag,
        attended_disposition,
        np.where(dispatched_flag, _ATTENDED_DISPOSITIONS, undispatched_disposition),
    )
    in_progress = cleared > now  # no disposition or clear time yet

    officer = world.roster.on_duty(rng, division, received)
    unit = world.workforce.unit_index[officer]

    location_flat = neighbourhood * layout.location_weight.shape[1] + location
    longitude, latitude = to_longitude_latitude(
        layout.location_x[neighbourhood, location], layout.location_y[neighbourhood, location]
    )
    officer_ids = pa.array(world.workforce.officer_id)
    unit_ids = pa.array([u.unit_id for u in world.workforce.units])
    no_unit = ~dispatched_flag
    calls = pa.table(
        {
            "call_id": sampling.numbered_ids(f"C{year}{month:02d}-", np.arange(1, size + 1), 7),
            "source": pa.array(np.full(size, SOURCE)),
            "received_at": sampling.timestamps(received),
            "dispatched_at": sampling.timestamps(dispatched, ~dispatched_flag),
            "arrived_at": sampling.timestamps(arrived, ~arrived_flag),
            "cleared_at": sampling.timestamps(cleared, in_progress),
            "priority": sampling.integers(priority + 1),
            "call_type": sampling.strings(CALL_TYPE_NAMES, call_type),
            "disposition": sampling.strings(DISPOSITIONS, disposition, in_progress),
            "division": sampling.strings(layout.division_ids, division),
            "neighbourhood_id": sampling.strings(
                layout.neighbourhood_ids, neighbourhood, ungeocoded
            ),
            "latitude": sampling.floats(latitude, ungeocoded, 6),
            "longitude": sampling.floats(longitude, ungeocoded, 6),
            "location_key": sampling.strings(
                pa.array(layout.location_keys), location_flat, ungeocoded
            ),
            "unit_id": sampling.strings(unit_ids, unit, no_unit),
            "officer_id": sampling.strings(officer_ids, officer, no_unit),
        }
    )

    attended = np.flatnonzero(arrived_flag)
    attended_calls = _AttendedCalls(
        index=attended,
        call_type=call_type[attended],
        officer=officer[attended],
        unit=unit[attended],
        arrived=arrived[attended],
        on_scene=on_scene[attended],
        division=division[attended],
        neighbourhood=neighbourhood[attended],
        ungeocoded=ungeocoded[attended],
        latitude=latitude[attended],
        longitude=longitude[attended],
    )
    use_of_force, subjects = _use_of_force(world, year, month, attended_calls)
    complaints = _complaints(world, year, month, attended_calls)
    return MonthOfCalls(calls, use_of_force, subjects, complaints)


def _planted_delay(
    world: World, division: np.ndarray, priority: np.ndarray, received: np.ndarray
) -> np.ndarray:
    """Extra travel minutes of the planted Priority 1 degradation (0 elsewhere)."""
    planted = world.layout.division_ids.index(RESPONSE_TIME_DEGRADATION.division)
    applies = (division == planted) & (priority + 1 == RESPONSE_TIME_DEGRADATION.priority)
    days_before_end = (world.end_seconds - received) / sampling.SECONDS_PER_DAY
    fraction = np.clip(1.0 - days_before_end / RESPONSE_TIME_DEGRADATION.days, 0.0, 1.0)
    return np.where(applies, RESPONSE_TIME_DEGRADATION.median_increase_minutes * fraction, 0.0)


@dataclass(frozen=True)
class _AttendedCalls:
    index: np.ndarray
    call_type: np.ndarray
    officer: np.ndarray
    unit: np.ndarray
    arrived: np.ndarray
    on_scene: np.ndarray
    division: np.ndarray
    neighbourhood: np.ndarray
    ungeocoded: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray


def use_of_force_relative_rates(world: World) -> np.ndarray:
    """Per ARDS group, the use-of-force weight relative to the others (the planted disparity)."""
    from workbench.schema import RACE_GROUPS

    planted = RACE_GROUPS.index(USE_OF_FORCE_DISPROPORTIONALITY.race_group)
    rates = np.ones(len(RACE_GROUPS))
    rates[planted] = USE_OF_FORCE_DISPROPORTIONALITY.relative_rate(
        float(world.race_shares[planted])
    )
    return rates


def _use_of_force(
    world: World, year: int, month: int, calls: _AttendedCalls
) -> tuple[pa.Table, pa.Table]:
    rng = sampling.derived_rng(world.seed, "use_of_force", year, month)
    planted_officer = world.workforce.officer_id.index(OFFICER_USE_OF_FORCE.officer_id)
    weights = np.array([c.use_of_force_weight for c in CALL_TYPES])[calls.call_type]
    multiplier = np.where(
        calls.officer == planted_officer, OFFICER_USE_OF_FORCE.rate_multiplier, 1.0
    )
    probability = use_of_force_probability_scale() * weights * multiplier
    chosen = np.flatnonzero(rng.random(len(probability)) < probability)
    reports = len(chosen)
    occurred = calls.arrived[chosen] + (
        rng.random(reports) * np.minimum(calls.on_scene[chosen], 30) * 60
    ).astype("int64")
    occurred = np.minimum(occurred, world.end_seconds)
    subject_count = 1 + sampling.sample_by_group(
        rng, np.zeros(reports, dtype="int64"), np.array([_SUBJECT_COUNT_SHARES])
    )
    report_of_subject = np.repeat(np.arange(reports), subject_count)
    subjects = len(report_of_subject)
    force = sampling.sample_by_group(
        rng, np.zeros(subjects, dtype="int64"), np.array([_FORCE_SHARES])
    )
    highest = np.zeros(reports, dtype="int64")
    np.maximum.at(highest, report_of_subject, force)

    layout = world.layout
    ids = sampling.numbered_ids(f"UOF{year}{month:02d}-", np.arange(1, reports + 1), 4)
    unit_ids = pa.array([u.unit_id for u in world.workforce.units])
    officer_ids = pa.array(world.workforce.officer_id)
    incident_types = [c.use_of_force_incident_type for c in CALL_TYPES]
    ungeocoded = calls.ungeocoded[chosen]
    reports_table = pa.table(
        {
            "report_id": ids,
            "source": pa.array(np.full(reports, SOURCE)),
            "occurred_at": sampling.timestamps(occurred),
            "incident_type": sampling.strings(incident_types, calls.call_type[chosen]),
            "highest_force": sampling.strings(FORCE_TYPES, highest),
            "subject_count": sampling.integers(subject_count),
            "division": sampling.strings(layout.division_ids, calls.division[chosen]),
            "neighbourhood_id": sampling.strings(
                layout.neighbourhood_ids, calls.neighbourhood[chosen], ungeocoded
            ),
            "latitude": sampling.floats(calls.latitude[chosen], ungeocoded, 6),
            "longitude": sampling.floats(calls.longitude[chosen], ungeocoded, 6),
            "unit_id": sampling.strings(unit_ids, calls.unit[chosen]),
            "officer_id": sampling.strings(officer_ids, calls.officer[chosen]),
        }
    )

    race, pairs, unknown = perceived_race(
        rng, world.race_shares, use_of_force_relative_rates(world), subjects
    )
    severe = force >= FORCE_TYPES.index("baton")
    subject_number = (
        np.arange(subjects) - np.repeat(np.cumsum(subject_count) - subject_count, subject_count) + 1
    )
    subjects_table = pa.table(
        {
            "report_id": ids.take(pa.array(report_of_subject)),
            "source": pa.array(np.full(subjects, SOURCE)),
            "subject_number": sampling.integers(subject_number),
            "perceived_race": race_strings(race, unknown),
            "race_groups": race_group_lists(race, pairs),
            "gender": sampling.strings(GENDERS, _draw(rng, _SUBJECT_GENDER_SHARES, subjects)),
            "age_group": sampling.strings(AGE_GROUPS, _draw(rng, _SUBJECT_AGE_SHARES, subjects)),
            "force_type": sampling.strings(FORCE_TYPES, force),
            "subject_injured": sampling.booleans(
                rng.random(subjects) < np.where(severe, 0.35, 0.18)
            ),
            "weapon_perceived": sampling.booleans(
                rng.random(subjects)
                < np.where(force >= FORCE_TYPES.index("firearm_pointed"), 0.7, 0.3)
            ),
        }
    )
    return reports_table, subjects_table


def _complaints(world: World, year: int, month: int, calls: _AttendedCalls) -> pa.Table:
    rng = sampling.derived_rng(world.seed, "complaints", year, month)
    chosen = np.flatnonzero(rng.random(len(calls.index)) < complaint_probability())
    lag_days = 1.0 + rng.exponential(20.0, len(chosen))
    received = calls.arrived[chosen] + (lag_days * sampling.SECONDS_PER_DAY).astype("int64")
    keep = received <= world.end_seconds
    chosen, received = chosen[keep], received[keep]
    order = np.argsort(received, kind="stable")
    chosen, received = chosen[order], received[order]
    size = len(chosen)
    age_days = (world.end_seconds - received) / sampling.SECONDS_PER_DAY
    still_open = rng.random(size) < np.exp(-age_days / 90.0)
    outcome = np.where(still_open, 0, _draw(rng, _COMPLAINT_OUTCOME_SHARES, size))
    return pa.table(
        {
            "complaint_id": sampling.numbered_ids(
                f"PC{year}{month:02d}-", np.arange(1, size + 1), 4
            ),
            "source": pa.array(np.full(size, SOURCE)),
            "received_at": sampling.timestamps(received),
            "officer_id": sampling.strings(
                pa.array(world.workforce.officer_id), calls.officer[chosen]
            ),
            "complaint_type": sampling.strings(
                COMPLAINT_TYPES, _draw(rng, _COMPLAINT_TYPE_SHARES, size)
            ),
            "outcome": sampling.strings(COMPLAINT_OUTCOMES, outcome),
        }
    )


def _draw(rng: np.random.Generator, shares: tuple[float, ...], size: int) -> np.ndarray:
    return sampling.sample_by_group(
        rng, np.zeros(size, dtype="int64"), np.array([shares], dtype=float)
    )
