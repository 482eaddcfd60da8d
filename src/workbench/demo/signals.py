"""Every signal planted in the demo city, as data.

The demo city is a stationary world with mild city-wide trends: every neighbourhood, unit,
officer and division follows the same process (seasonality, weekly and daily cycles, Poisson
noise). Exactly seven things are planted on top, listed here with their ids and strengths. The
generator reads them from this module, and tests and analyses import them, so the documented
strength and the planted one cannot drift apart. ``docs/demo-city.md`` explains each one.

The ids are stable: the city's map, units and members come from a fixed layout seed, not from
``--seed`` (which only changes the events), so the same neighbourhood, unit, officer and division
carry the signals in every build.

Anything an analysis flags that is not listed here is noise: with ~100 neighbourhoods and
~1,000 officers, a few chance exceedances of an unadjusted threshold are expected (see
``docs/demo-city.md`` for how many).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class BreakAndEnterSurge:
    """Signal 1: break-and-enter surge in one neighbourhood over the last ``weeks`` weeks.

    The daily break-and-enter rate of ``neighbourhood_id`` is multiplied by ``rate_multiplier``
    on the ``weeks * 7`` days ending at the build's ``end_date`` (inclusive); break-and-enter
    calls for service there get the same multiplier (the calls that report them). Everything
    else about these incidents (hour, premises, lag, clearance) follows the usual process.

    At the default scale the neighbourhood's baseline is about ``expected_baseline_per_28_days``
    break-and-enters in 28 days, so the Poisson z-score ``Z = 2(√current − √past)`` against the
    same period a year earlier is expected near ``expected_z_28_days`` (28 days) and
    ``expected_z_8_weeks`` (8 weeks), each with a standard deviation of about 1.4.
    """

    signal_id: str = "break_and_enter_surge"
    neighbourhood_id: str = "N058"
    offence_category: str = "break_and_enter"
    call_type: str = "break_and_enter"
    weeks: int = 8
    rate_multiplier: float = 6.0
    expected_baseline_per_28_days: float = 5.8
    expected_z_28_days: float = 7.0
    expected_z_8_weeks: float = 9.9

    @property
    def days(self) -> int:
        return 7 * self.weeks

    def first_day(self, end_date: dt.date) -> dt.date:
        """First day of the surge for a build ending on ``end_date``."""
        return end_date - dt.timedelta(days=self.days - 1)


@dataclass(frozen=True)
class SickLeaveUnit:
    """Signal 2: one unit's members start sick spells ``sick_rate_multiplier`` times as often.

    Same winter-peaked seasonality and spell lengths as everyone else, so the unit's sick-hours
    rate (sick absence hours ÷ scheduled hours) is about ``sick_rate_multiplier`` times the
    other units' (``expected_other_units_sick_rate`` ≈ 3.5 % of scheduled hours): ≈ 1.9× once
    overlapping spells are counted once, with a build-to-build sd of ≈ 0.15. Every other unit's
    average propensity is the same, so they differ from one another only by chance (sd ≈ 6 %).
    The unit is a patrol platoon, so its extra absences also show as more backfill overtime for
    it; that is a consequence of the signal, not a second one.
    """

    signal_id: str = "sick_leave_unit"
    unit_id: str = "D3-PLT-C"
    sick_rate_multiplier: float = 2.0
    expected_other_units_sick_rate: float = 0.035


@dataclass(frozen=True)
class UseOfForceDisproportionality:
    """Signal 3: one perceived-race group over-represented among use-of-force subjects.

    Enforcement actions draw each person's perceived race from the city-wide census shares
    (``population_by_race``, census year), so every group's Racial Disproportionality Index of
    enforcement vs population is 1. Use-of-force subjects draw it from the same shares
    re-weighted so that ``race_group``'s index vs population is exactly
    ``index_vs_population`` in expectation; the other groups keep their relative sizes, which
    puts each of them at :meth:`other_groups_index` (< 1: a share taken by one group is missing
    from the others — composition, not a second signal).

    Indices are computed over subjects and actions with a single perceived group (``multiple``
    and NULL excluded; both are assigned independently of group). Expected values:

    - use of force vs population: ``index_vs_population`` (2.5) for the group;
    - use of force vs enforcement actions: ``index_vs_enforcement`` (2.5, as enforcement mirrors
      the population);
    - enforcement vs population: ``enforcement_index_vs_population`` (1.0) for every group.
    """

    signal_id: str = "use_of_force_disproportionality"
    race_group: str = "black"
    index_vs_population: float = 2.5
    index_vs_enforcement: float = 2.5
    enforcement_index_vs_population: float = 1.0

    def relative_rate(self, population_share: float) -> float:
        """The group's use-of-force weight relative to the others (Racial Disparity Index)
        that makes its share ÷ population share equal ``index_vs_population``."""
        index = self.index_vs_population
        if not 0 < population_share < 1 / index:
            raise ValueError(
                f"population_share must be in (0, {1 / index:.3f}), got {population_share}"
            )
        return index * (1 - population_share) / (1 - index * population_share)

    def other_groups_index(self, population_share: float) -> float:
        """Each other group's expected index vs population: ``(1 − I·p) / (1 − p)``."""
        return (1 - self.index_vs_population * population_share) / (1 - population_share)


@dataclass(frozen=True)
class OfficerUseOfForce:
    """Signal 4: one patrol officer uses force ``rate_multiplier`` times as often per call.

    Calls are shared evenly among the officers present on the platoon's shift, so the officer
    attends about as many calls as the platoon peers (``unit_id``, ≈ 1,400 in five years); each
    call they attend leads to a use-of-force report with ``rate_multiplier`` times the usual
    probability for its call type: ≈ 25 reports where peers' rate predicts ≈ 2.5. With ~1,000
    officers compared at once, a 5× rate would not stand out from chance at these counts; 10×
    survives a Holm adjustment. Nothing else about the officer is planted (complaints,
    collisions and sick time are ordinary).
    """

    signal_id: str = "officer_use_of_force"
    officer_id: str = "P47219"
    unit_id: str = "D6-PLT-B"
    rate_multiplier: float = 10.0


@dataclass(frozen=True)
class ResponseTimeDegradation:
    """Signal 5: Priority ``priority`` response times worsening in one division.

    For calls of that priority in ``division``, the travel time (dispatched → arrived) gains
    ``median_increase_minutes × f`` minutes, where ``f`` rises linearly from 0 at ``months``
    months (365 days) before ``end_date`` to 1 at ``end_date``. The median response time
    (received → arrived, baseline ≈ 8.5 min) therefore climbs steadily by 3 minutes over the
    year, about 0.25 min a month; the last 90 days sit ≈ 2.6 min above the same 90 days a year
    earlier. Other divisions and priorities are stationary.
    """

    signal_id: str = "priority1_response_degradation"
    division: str = "D5"
    priority: int = 1
    months: int = 12
    median_increase_minutes: float = 3.0

    @property
    def days(self) -> int:
        return 365

    def added_minutes(self, days_before_end: float) -> float:
        """Minutes added to a call ``days_before_end`` days before the end of the build."""
        fraction = min(max(1.0 - days_before_end / self.days, 0.0), 1.0)
        return self.median_increase_minutes * fraction


@dataclass(frozen=True)
class NearRepeatBurglary:
    """Signal 6: near-repeat burglary in one division — after a break-and-enter, more follow
    close by for about two weeks.

    In ``division``, every break-and-enter is followed by a Poisson(``follow_on_rate``) number
    of further break-and-enters. Each follow-on happens a delay after it drawn from an
    exponential with half-life ``half_life_days`` cut off at ``days`` days, at the same address
    with probability ``same_address_share`` (a repeat), else at another address of the division
    less than ``distance_metres`` away along the street grid (Manhattan distance; the nearest
    such address when none is that close, which is rare). Follow-ons do not have follow-ons of
    their own. To leave the division's break-and-enter rate unchanged, each ordinary
    break-and-enter is first kept with probability ``1 / (1 + follow_on_rate)``: totals,
    seasons and neighbourhood shares are as before (so no CompStat cell or hot spot changes);
    only the timing and spacing of the burglaries are clustered.

    A Knox test on a year of the division's break-and-enters (100 m × 7-day bands) then finds
    the cells below 200 m and 14 days significant (p = 0.001 with 999 permutations): Knox
    ratio about ``expected_ratio_near_first_week`` in 1–200 m × 0–7 days, the excess fading
    with a half-life near ``half_life_days``. Other divisions show no such pattern.
    """

    signal_id: str = "near_repeat_burglary"
    division: str = "D4"
    offence_category: str = "break_and_enter"
    follow_on_rate: float = 0.25
    distance_metres: float = 200.0
    days: int = 14
    half_life_days: float = 4.0
    same_address_share: float = 0.2
    expected_ratio_near_first_week: float = 6.0

    @property
    def keep_share(self) -> float:
        """Share of ordinary break-and-enters kept, so the follow-ons restore the rate."""
        return 1.0 / (1.0 + self.follow_on_rate)


@dataclass(frozen=True)
class CommercialRobberySeries:
    """Signal 7: one series — a string of armed robberies of shops at night along one road.

    ``len(days_before_end)`` robberies (``offence_code``, premises ``location_type``) in
    ``division``, on the days ``days_before_end`` before the build's end date at the times of
    day ``times_of_day``, at the addresses nearest to evenly spaced points on a
    ``corridor_metres`` long north–south line through the middle of the division (the first
    robbery at the south end, each next one further north). They are added to the ordinary
    robberies (eight in a division that has about 110 a year: no CompStat cell changes), are
    reported within hours and are all still open.

    Found by :func:`workbench.analysis.series.crime_series` for the division's robberies of
    the last 90 days as one series holding every planted robbery (p = 0.005 with 199
    permutations: no shuffle of times and modus operandi links that many); no other division
    has a significant robbery series.
    """

    signal_id: str = "commercial_robbery_series"
    division: str = "D4"
    offence_category: str = "robbery"
    offence_code: str = "1610-110"
    location_type: str = "commercial"
    days_before_end: tuple[int, ...] = (38, 33, 29, 24, 19, 15, 9, 4)
    times_of_day: tuple[str, ...] = (
        "22:10", "21:45", "22:30", "23:05", "22:20", "21:55", "22:40", "22:15")
    corridor_metres: float = 2_000.0

    @property
    def incidents(self) -> int:
        return len(self.days_before_end)

    def dates(self, end_date: dt.date) -> tuple[dt.date, ...]:
        """The robberies' dates for a build ending on ``end_date``, earliest first."""
        return tuple(end_date - dt.timedelta(days=d) for d in self.days_before_end)


BREAK_AND_ENTER_SURGE = BreakAndEnterSurge()
SICK_LEAVE_UNIT = SickLeaveUnit()
USE_OF_FORCE_DISPROPORTIONALITY = UseOfForceDisproportionality()
OFFICER_USE_OF_FORCE = OfficerUseOfForce()
RESPONSE_TIME_DEGRADATION = ResponseTimeDegradation()
NEAR_REPEAT_BURGLARY = NearRepeatBurglary()
COMMERCIAL_ROBBERY_SERIES = CommercialRobberySeries()

PlantedSignal = (
    BreakAndEnterSurge
    | SickLeaveUnit
    | UseOfForceDisproportionality
    | OfficerUseOfForce
    | ResponseTimeDegradation
    | NearRepeatBurglary
    | CommercialRobberySeries
)

SIGNALS: tuple[PlantedSignal, ...] = (
    BREAK_AND_ENTER_SURGE,
    SICK_LEAVE_UNIT,
    USE_OF_FORCE_DISPROPORTIONALITY,
    OFFICER_USE_OF_FORCE,
    RESPONSE_TIME_DEGRADATION,
    NEAR_REPEAT_BURGLARY,
    COMMERCIAL_ROBBERY_SERIES,
)


def signal(signal_id: str) -> PlantedSignal:
    """The planted signal with this id."""
    for planted in SIGNALS:
        if planted.signal_id == signal_id:
            return planted
    raise KeyError(
        f"no planted signal {signal_id!r}; known: {', '.join(s.signal_id for s in SIGNALS)}"
    )
