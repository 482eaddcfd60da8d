"""Criminal incidents and the enforcement actions that follow them, one month at a time.

Daily counts per (offence category, neighbourhood) are Poisson with mean
``annual volume × scale / 365.25 × neighbourhood share × population growth × season × weekday
× trend``; the planted break-and-enter surge multiplies one neighbourhood's rate over the last
eight weeks. Each incident then gets an hour from its category's daily cycle, an address from
the neighbourhood's (a few addresses attract many events), an offence code, premises type,
domestic flag, a report lag (incidents not yet reported by the end date are not in the data)
and a clearance that matures with age. Charged incidents produce the enforcement actions
(arrests, charges, summons, tickets), with each person's perceived race drawn from the city's
census shares.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from workbench import schema
from workbench.demo import _profiles as profiles
from workbench.demo import _sampling as sampling
from workbench.demo import patterns
from workbench.demo._world import SOURCE, World
from workbench.demo.city import CityLayout, population_at_days, to_longitude_latitude
from workbench.demo.errors import DemoCityError
from workbench.demo.signals import BREAK_AND_ENTER_SURGE, COMMERCIAL_ROBBERY_SERIES

LOCATION_TYPES = (
    "residence",
    "apartment",
    "commercial",
    "outside",
    "transit",
    "educational",
    "other",
)
CLEARANCES = (
    "open",
    "charged",
    "cleared_otherwise",
    "youth_diversion",
    "youth_referral",
    "unfounded",
)
_NEIGHBOURHOOD_NOISE_SEED = 9_001


@dataclass(frozen=True)
class OffenceProfile:
    """How one offence category behaves in the demo city."""

    category: str
    annual_count: float
    deprivation_power: float  # how strongly it concentrates in high-need neighbourhoods
    commerce_power: float  # ... and in busy commercial ones
    seasonal_amplitude: float
    seasonal_peak_day: float
    annual_trend: float
    hour_profile: str
    weekday_profile: str
    no_location_share: float
    report_lag_shares: tuple[float, float, float]  # within hours, days, weeks-to-months
    clearance: tuple[
        float, float, float, float, float
    ]  # charged, otherwise, diversion, referral, unfounded
    domestic_share: float
    location_types: tuple[float, ...]  # weights in LOCATION_TYPES order
    codes: tuple[tuple[str, float], ...]  # offence code, relative frequency


# Columns: category, annual count, need power, commerce power, seasonal amplitude, peak day of
# year, annual trend, hour profile, weekday profile, share without location, report-lag shares
# (hours, days, weeks+), clearance (charged, otherwise, diversion, referral, unfounded),
# domestic share, premises weights (LOCATION_TYPES order), offence codes with frequencies.
# fmt: off
OFFENCE_PROFILES: tuple[OffenceProfile, ...] = (
    OffenceProfile("homicide", 20, 1.5, 0.0, 0.20, 200, 0.0, "violence", "violence", 0.0,
                   (0.95, 0.05, 0.0), (0.65, 0.05, 0.0, 0.0, 0.0), 0.20, (35, 20, 10, 35, 0, 0, 0),
                   (("1110-100", 0.3), ("1120-100", 0.55), ("1130-100", 0.15))),
    OffenceProfile("shooting", 150, 2.0, 0.2, 0.30, 205, -0.02, "violence", "violence", 0.01,
                   (0.97, 0.03, 0.0), (0.15, 0.05, 0.0, 0.0, 0.05), 0.0, (10, 10, 10, 70, 0, 0, 0),
                   (("1450-100", 0.6), ("1450-120", 0.4))),
    OffenceProfile("assault", 8000, 1.0, 0.3, 0.12, 200, 0.02, "violence", "violence", 0.02,
                   (0.85, 0.12, 0.03), (0.42, 0.25, 0.02, 0.01, 0.03), 0.28, (20, 25, 18, 25, 7, 5, 0),
                   (("1430-100", 0.72), ("1420-100", 0.12), ("1420-110", 0.08), ("1410-100", 0.03),
                    ("1460-100", 0.05))),
    OffenceProfile("sexual_assault", 1000, 0.6, 0.2, 0.10, 200, 0.03, "violence", "violence", 0.03,
                   (0.45, 0.20, 0.35), (0.22, 0.15, 0.01, 0.01, 0.05), 0.25, (35, 30, 15, 10, 0, 5, 5),
                   (("1330-100", 0.93), ("1320-100", 0.05), ("1310-100", 0.02))),
    OffenceProfile("robbery", 700, 1.2, 0.7, 0.06, 330, -0.01, "violence", "violence", 0.01,
                   (0.90, 0.10, 0.0), (0.28, 0.06, 0.02, 0.01, 0.03), 0.0, (5, 0, 30, 55, 10, 0, 0),
                   (("1610-100", 0.55), ("1610-110", 0.38), ("1610-120", 0.07))),
    OffenceProfile("break_and_enter", 3000, 0.4, 0.2, 0.10, 215, -0.03, "break_and_enter", "property",
                   0.005, (0.70, 0.28, 0.02), (0.09, 0.06, 0.01, 0.01, 0.04), 0.0, (55, 15, 25, 0, 0, 0, 5),
                   (("2120-100", 0.65), ("2120-110", 0.25), ("2120-120", 0.10))),
    OffenceProfile("auto_theft", 2000, 0.3, 0.1, 0.08, 280, 0.08, "overnight", "flat", 0.01,
                   (0.55, 0.45, 0.0), (0.05, 0.08, 0.0, 0.0, 0.04), 0.0, (20, 0, 10, 70, 0, 0, 0),
                   (("2135-100", 1.0),)),
    OffenceProfile("theft_over", 400, 0.0, 0.8, 0.05, 200, 0.02, "daytime", "property", 0.05,
                   (0.50, 0.35, 0.15), (0.10, 0.10, 0.0, 0.0, 0.05), 0.0, (20, 0, 50, 20, 0, 0, 10),
                   (("2130-100", 0.8), ("2130-120", 0.2))),
    OffenceProfile("theft_under", 15000, 0.2, 1.0, 0.10, 200, 0.01, "daytime", "property", 0.03,
                   (0.75, 0.22, 0.03), (0.16, 0.12, 0.025, 0.01, 0.03), 0.0, (10, 5, 45, 25, 5, 5, 5),
                   (("2140-100", 0.45), ("2140-110", 0.25), ("2140-120", 0.30))),
    OffenceProfile("fraud", 5000, 0.0, 0.6, 0.0, 0, 0.06, "business", "property", 0.15,
                   (0.20, 0.40, 0.40), (0.05, 0.08, 0.0, 0.0, 0.08), 0.0, (35, 0, 35, 0, 0, 0, 30),
                   (("2160-100", 0.7), ("2162-100", 0.1), ("2163-100", 0.2))),
    OffenceProfile("mischief", 5000, 0.8, 0.4, 0.15, 190, 0.0, "violence", "violence", 0.02,
                   (0.60, 0.37, 0.03), (0.08, 0.12, 0.03, 0.01, 0.04), 0.04, (25, 10, 20, 35, 5, 5, 0),
                   (("2170-100", 0.97), ("2110-100", 0.03))),
    OffenceProfile("hate_crime", 200, 0.3, 0.5, 0.05, 180, 0.05, "business", "flat", 0.03,
                   (0.70, 0.25, 0.05), (0.20, 0.10, 0.01, 0.01, 0.05), 0.0, (15, 0, 15, 40, 0, 10, 20),
                   (("2170-H00", 0.5), ("1627-H00", 0.3), ("1430-H00", 0.2))),
    OffenceProfile("weapons", 500, 1.5, 0.3, 0.15, 200, 0.0, "violence", "violence", 0.01,
                   (0.95, 0.05, 0.0), (0.55, 0.10, 0.02, 0.01, 0.02), 0.0, (20, 10, 10, 50, 10, 0, 0),
                   (("3370-100", 0.7), ("3390-100", 0.3))),
    OffenceProfile("drugs", 600, 1.3, 0.4, 0.05, 200, -0.05, "business", "flat", 0.01,
                   (0.99, 0.01, 0.0), (0.70, 0.15, 0.02, 0.01, 0.0), 0.0, (15, 10, 10, 50, 0, 0, 15),
                   (("4120-100", 0.35), ("4130-100", 0.40), ("4220-100", 0.25))),
    OffenceProfile("impaired_driving", 1000, 0.3, 0.3, 0.10, 355, -0.01, "impaired", "impaired", 0.0,
                   (0.99, 0.01, 0.0), (0.90, 0.05, 0.0, 0.0, 0.0), 0.0, (0, 0, 10, 90, 0, 0, 0),
                   (("9230-100", 0.95), ("9210-100", 0.05))),
    OffenceProfile("criminal_harassment", 2500, 0.8, 0.2, 0.05, 200, 0.03, "business", "flat", 0.05,
                   (0.50, 0.35, 0.15), (0.25, 0.25, 0.01, 0.01, 0.06), 0.35, (45, 25, 10, 10, 0, 0, 10),
                   (("1625-100", 0.30), ("1626-100", 0.20), ("1627-100", 0.50))),
    OffenceProfile("disturbance", 800, 1.2, 0.5, 0.20, 195, 0.0, "violence", "impaired", 0.01,
                   (1.0, 0.0, 0.0), (0.20, 0.50, 0.02, 0.01, 0.02), 0.0, (10, 0, 20, 60, 10, 0, 0),
                   (("3430-100", 1.0),)),
    OffenceProfile("administration_of_justice", 2500, 1.5, 0.2, 0.0, 0, 0.01, "business", "flat", 0.02,
                   (0.95, 0.05, 0.0), (0.75, 0.15, 0.0, 0.0, 0.0), 0.0, (30, 0, 10, 30, 0, 0, 30),
                   (("3520-100", 0.35), ("3410-100", 0.45), ("3510-100", 0.20))),
    OffenceProfile("other_criminal_code", 1200, 0.8, 0.4, 0.05, 200, 0.0, "business", "flat", 0.03,
                   (0.80, 0.18, 0.02), (0.40, 0.20, 0.01, 0.01, 0.05), 0.0, (20, 15, 20, 30, 5, 0, 10),
                   (("3890-100", 1.0),)),
    OffenceProfile("other", 300, 0.5, 0.5, 0.0, 0, 0.0, "business", "flat", 0.05,
                   (0.80, 0.20, 0.0), (0.05, 0.30, 0.0, 0.0, 0.15), 0.0, (25, 15, 20, 30, 0, 0, 10),
                   (("0000-000", 1.0),)),
)
# fmt: on

if tuple(p.category for p in OFFENCE_PROFILES) != tuple(schema.OFFENCE_CATEGORIES):
    raise RuntimeError("OFFENCE_PROFILES must list schema.OFFENCE_CATEGORIES in order")

_CATEGORY_INDEX = {p.category: i for i, p in enumerate(OFFENCE_PROFILES)}
BREAK_AND_ENTER = _CATEGORY_INDEX["break_and_enter"]
ROBBERY = _CATEGORY_INDEX["robbery"]
_ALL_CODES = tuple(code for p in OFFENCE_PROFILES for code, _ in p.codes)
_CODE_PROBABILITIES = np.zeros((len(OFFENCE_PROFILES), len(_ALL_CODES)))
_column = 0
for _row, _profile in enumerate(OFFENCE_PROFILES):
    for _code, _weight in _profile.codes:
        _CODE_PROBABILITIES[_row, _column] = _weight
        _column += 1

# Report lag components (hours): median and log-sd of "within hours", "days", "weeks-months".
_LAG_MEDIAN_HOURS = np.array([0.4, 36.0, 24.0 * 30])
_LAG_SIGMA = np.array([1.0, 0.8, 1.0])
_MAX_LAG_HOURS = 24.0 * 730
_CLEARANCE_DAYS = 45.0
# Enforcement actions per charged incident and their attributes.
_PERSONS_EXTRA_MEAN = 0.8
ACTION_TYPES = ("arrest", "charge", "summons", "ticket")
_ACTION_TYPE_SHARES = (0.50, 0.35, 0.10, 0.05)
GENDERS = ("male", "female", "gender_diverse")
_GENDER_SHARES = (0.77, 0.225, 0.005)
AGE_GROUPS = ("12-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_SHARES = (0.07, 0.22, 0.30, 0.20, 0.12, 0.06, 0.03)
MULTIPLE_RACE_SHARE = 0.02
UNKNOWN_RACE_SHARE = 0.03


def offence_descriptions(offence_codes: pa.Table) -> tuple[str, ...]:
    """The description of every offence code the generator uses, from the offence-codes file;
    a code missing from the file is an error (the two must stay in step)."""
    described = dict(
        zip(
            offence_codes["offence_code"].to_pylist(),
            offence_codes["description"].to_pylist(),
            strict=True,
        )
    )
    missing = [code for code in _ALL_CODES if code not in described]
    if missing:
        raise DemoCityError(
            f"offence code(s) {', '.join(missing)} used by the demo city are missing from "
            "src/workbench/data/offence_codes.csv"
        )
    return tuple(described[code] or code for code in _ALL_CODES)


def neighbourhood_shares(
    layout: CityLayout, deprivation_power: np.ndarray, commerce_power: np.ndarray, stream: str
) -> np.ndarray:
    """(K, N) share of each event type by neighbourhood: residents × need^a × commerce^b × a
    fixed local idiosyncrasy (the same in every build, so no neighbourhood changes over time)."""
    rng = sampling.derived_rng(_NEIGHBOURHOOD_NOISE_SEED, stream)
    local = np.exp(rng.normal(0.0, 0.2, (len(deprivation_power), layout.neighbourhood_count)))
    weights = (
        layout.reference_population[None, :]
        * layout.deprivation[None, :] ** np.asarray(deprivation_power)[:, None]
        * layout.commerce[None, :] ** np.asarray(commerce_power)[:, None]
        * local
    )
    return sampling.normalised(weights)


def incident_shares(layout: CityLayout) -> np.ndarray:
    """(C, N) share of each offence category by neighbourhood."""
    return neighbourhood_shares(
        layout,
        np.array([p.deprivation_power for p in OFFENCE_PROFILES]),
        np.array([p.commerce_power for p in OFFENCE_PROFILES]),
        "incidents",
    )


def surge_factor(world: World, day_numbers: np.ndarray) -> np.ndarray:
    """(D,) multiplier of the planted break-and-enter surge (1 outside its window)."""
    first = world.last_day - BREAK_AND_ENTER_SURGE.days + 1
    inside = (day_numbers >= first) & (day_numbers <= world.last_day)
    return np.where(inside, BREAK_AND_ENTER_SURGE.rate_multiplier, 1.0)


def expected_daily_incidents(
    world: World, day_numbers: np.ndarray, shares: np.ndarray
) -> np.ndarray:
    """(C, N, D) expected incidents (before report lag), including the planted surge."""
    profiles_ = OFFENCE_PROFILES
    factors = profiles.daily_factors(
        day_numbers,
        np.array([p.seasonal_amplitude for p in profiles_]),
        np.array([p.seasonal_peak_day for p in profiles_]),
        profiles.weekday_matrix([p.weekday_profile for p in profiles_]),
        np.array([p.annual_trend for p in profiles_]),
        world.reference_day,
    )
    growth = population_at_days(world.layout, day_numbers, world.reference_day)
    annual = np.array([p.annual_count for p in profiles_]) * world.scale / 365.25
    expected = annual[:, None, None] * shares[:, :, None] * growth[None, :, :] * factors[:, None, :]
    surge_neighbourhood = world.layout.neighbourhood_ids.index(
        BREAK_AND_ENTER_SURGE.neighbourhood_id
    )
    expected[BREAK_AND_ENTER, surge_neighbourhood, :] *= surge_factor(world, day_numbers)
    return expected


@dataclass(frozen=True)
class MonthOfIncidents:
    """One month's incidents (already sorted by occurrence) as arrays, for deriving other tables."""

    table: pa.Table
    category: np.ndarray
    neighbourhood: np.ndarray  # −1 where the location is withheld
    division: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    reported: np.ndarray
    clearance: np.ndarray


def incidents_for_month(
    world: World, year: int, month: int, first: int, last: int, shares: np.ndarray
) -> MonthOfIncidents:
    """The incidents that occurred in one month (days ``first``..``last``) and were reported
    by the end of the window."""
    rng = sampling.derived_rng(world.seed, "incidents", year, month)
    layout = world.layout
    days = np.arange(first, last + 1)
    counts = rng.poisson(expected_daily_incidents(world, days, shares))
    cell = sampling.expand_counts(counts)
    category, neighbourhood, day_index = np.unravel_index(cell, counts.shape)
    hour_names = [p.hour_profile for p in OFFENCE_PROFILES]
    occurred = profiles.seconds_in_day(
        rng, days[day_index], category, profiles.hour_matrix(hour_names)
    )
    draws = _with_planted_patterns(
        world, year, month, first, last, _draw_attributes(rng, world, category, neighbourhood,
                                                          occurred)
    )

    keep = draws.reported <= world.end_seconds  # not yet reported: not yet in the data
    order = np.argsort(draws.occurred[keep], kind="stable")
    draws = draws.take(np.flatnonzero(keep)[order])
    category, neighbourhood, code = draws.category, draws.neighbourhood, draws.code
    occurred, reported, location = draws.occurred, draws.reported, draws.location
    location_type, withheld, domestic, clearance = (
        draws.location_type,
        draws.withheld,
        draws.domestic,
        draws.clearance,
    )

    latitude, longitude = _coordinates(world, neighbourhood, location)
    division = layout.division_index[neighbourhood]
    neighbourhood_or_none = np.where(withheld, -1, neighbourhood)
    count = len(category)
    table = pa.table(
        {
            "incident_id": sampling.numbered_ids(
                f"I{year}{month:02d}-", np.arange(1, count + 1), 6
            ),
            "source": pa.array(np.full(count, SOURCE)),
            "occurred_at": sampling.timestamps(occurred),
            "reported_at": sampling.timestamps(reported),
            "offence_category": sampling.strings(list(schema.OFFENCE_CATEGORIES), category),
            "offence_code": sampling.strings(_ALL_CODES, code),
            "offence_description": sampling.strings(world.offence_descriptions, code),
            "division": sampling.strings(layout.division_ids, division),
            "neighbourhood_id": sampling.strings(layout.neighbourhood_ids, neighbourhood, withheld),
            "latitude": sampling.floats(latitude, withheld, 6),
            "longitude": sampling.floats(longitude, withheld, 6),
            "location_type": sampling.strings(LOCATION_TYPES, location_type),
            "domestic": sampling.booleans(domestic),
            "clearance": sampling.strings(CLEARANCES, clearance),
        }
    )
    return MonthOfIncidents(
        table,
        category,
        neighbourhood_or_none,
        division,
        np.where(withheld, np.nan, latitude),
        np.where(withheld, np.nan, longitude),
        reported,
        clearance,
    )


@dataclass(frozen=True)
class _Draws:
    """Incidents being generated: one array per attribute, all the same length."""

    category: np.ndarray
    neighbourhood: np.ndarray
    location: np.ndarray
    occurred: np.ndarray
    reported: np.ndarray
    code: np.ndarray
    location_type: np.ndarray
    withheld: np.ndarray
    domestic: np.ndarray
    clearance: np.ndarray

    def take(self, index: np.ndarray) -> _Draws:
        return _Draws(*(getattr(self, f.name)[index] for f in fields(self)))

    @staticmethod
    def concatenate(parts: list[_Draws]) -> _Draws:
        return _Draws(*(np.concatenate([getattr(p, f.name) for p in parts])
                        for f in fields(_Draws)))


def _draw_attributes(
    rng: np.random.Generator,
    world: World,
    category: np.ndarray,
    neighbourhood: np.ndarray,
    occurred: np.ndarray,
    location: np.ndarray | None = None,
) -> _Draws:
    """Report lag, offence code, address (unless given), premises, withheld location, domestic
    flag and clearance of incidents whose category, neighbourhood and time are known."""
    size = len(category)
    lag_component = sampling.sample_by_group(
        rng, category, np.array([p.report_lag_shares for p in OFFENCE_PROFILES])
    )
    lag_hours = np.minimum(
        sampling.lognormal_minutes(
            rng, _LAG_MEDIAN_HOURS[lag_component], _LAG_SIGMA[lag_component], size
        ),
        _MAX_LAG_HOURS,
    )
    reported = occurred + (lag_hours * 3600).astype("int64")
    code = sampling.sample_by_group(rng, category, _CODE_PROBABILITIES)
    if location is None:
        location = sampling.sample_by_group(rng, neighbourhood, world.layout.location_weight)
    location_type = sampling.sample_by_group(
        rng, category, np.array([p.location_types for p in OFFENCE_PROFILES], dtype=float)
    )
    withheld = (
        rng.random(size) < np.array([p.no_location_share for p in OFFENCE_PROFILES])[category]
    )
    domestic = rng.random(size) < np.array([p.domestic_share for p in OFFENCE_PROFILES])[category]
    clearance = _clearance(rng, world, category, reported)
    return _Draws(category, neighbourhood, location, occurred, reported, code, location_type,
                  withheld, domestic, clearance)


def _with_planted_patterns(
    world: World, year: int, month: int, first: int, last: int, draws: _Draws
) -> _Draws:
    """The month's incidents with signals 6 and 7 planted: the near-repeat division's
    burglaries thinned and given follow-ons, and the series' robberies of the month added.
    They come from a stream of their own, so every other incident is as without them."""
    rng = sampling.derived_rng(world.seed, "planted_incidents", year, month)
    follow_ons = patterns.near_repeat_follow_ons(
        rng, world, draws.category, draws.neighbourhood, draws.location, draws.occurred,
        BREAK_AND_ENTER,
    )
    children = _draw_attributes(
        rng, world, np.full(len(follow_ons.occurred), BREAK_AND_ENTER), follow_ons.neighbourhood,
        follow_ons.occurred, follow_ons.location,
    )
    series = patterns.series_in_month(world, first, last)
    robberies = _draw_attributes(
        rng, world, np.full(len(series.occurred), ROBBERY), series.neighbourhood,
        series.occurred, series.location,
    )
    planted = COMMERCIAL_ROBBERY_SERIES
    robberies = _Draws(
        robberies.category, robberies.neighbourhood, robberies.location, robberies.occurred,
        # reported within the hour
        robberies.occurred + rng.integers(300, 3600, len(series.occurred)),
        np.full(len(series.occurred), _ALL_CODES.index(planted.offence_code)),
        np.full(len(series.occurred), LOCATION_TYPES.index(planted.location_type)),
        np.zeros(len(series.occurred), dtype=bool),
        np.zeros(len(series.occurred), dtype=bool),
        np.full(len(series.occurred), CLEARANCES.index("open")),
    )
    return _Draws.concatenate([draws.take(np.flatnonzero(follow_ons.keep)), children,
                               robberies])


def _coordinates(
    world: World, neighbourhood: np.ndarray, location: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    layout = world.layout
    longitude, latitude = to_longitude_latitude(
        layout.location_x[neighbourhood, location], layout.location_y[neighbourhood, location]
    )
    return latitude, longitude


def _clearance(
    rng: np.random.Generator, world: World, category: np.ndarray, reported: np.ndarray
) -> np.ndarray:
    """Final clearance by category; a case younger than a few months is more likely still open."""
    shares = np.array([p.clearance for p in OFFENCE_PROFILES])
    open_share = np.clip(1.0 - shares.sum(axis=1, keepdims=True), 0.0, 1.0)
    final = sampling.sample_by_group(rng, category, np.hstack([open_share, shares]))
    age_days = np.maximum(world.end_seconds - reported, 0) / sampling.SECONDS_PER_DAY
    resolved_by_now = 1.0 - np.exp(-age_days / _CLEARANCE_DAYS)
    return np.where(rng.random(len(final)) < resolved_by_now, final, 0)


def enforcement_for_month(
    world: World, year: int, month: int, incidents: MonthOfIncidents
) -> pa.Table:
    """Enforcement actions for the month's charged incidents: one per person charged."""
    rng = sampling.derived_rng(world.seed, "enforcement_actions", year, month)
    charged = np.flatnonzero(incidents.clearance == CLEARANCES.index("charged"))
    persons = 1 + rng.poisson(_PERSONS_EXTRA_MEAN, len(charged))
    source = np.repeat(charged, persons)
    size = len(source)
    quick = rng.random(size) < 0.45
    delay_hours = np.where(quick, rng.uniform(0.2, 6.0, size), rng.exponential(24.0 * 5, size))
    occurred = incidents.reported[source] + (delay_hours * 3600).astype("int64")
    keep = occurred <= world.end_seconds
    source, occurred = source[keep], occurred[keep]
    size = len(source)
    order = np.argsort(occurred, kind="stable")
    source, occurred = source[order], occurred[order]

    action = sampling.sample_by_group(
        rng, np.zeros(size, dtype="int64"), np.array([_ACTION_TYPE_SHARES])
    )
    race, _, unknown = perceived_race(rng, world.race_shares, np.ones(len(world.race_shares)), size)
    arrest = action == 0
    neighbourhood = incidents.neighbourhood[source]
    located = neighbourhood >= 0
    layout = world.layout
    return pa.table(
        {
            "action_id": sampling.numbered_ids(f"E{year}{month:02d}-", np.arange(1, size + 1), 6),
            "source": pa.array(np.full(size, SOURCE)),
            "occurred_at": sampling.timestamps(occurred),
            "action_type": sampling.strings(ACTION_TYPES, action),
            "perceived_race": race_strings(race, unknown),
            "gender": sampling.strings(GENDERS, _draw(rng, _GENDER_SHARES, size)),
            "age_group": sampling.strings(AGE_GROUPS, _draw(rng, _AGE_SHARES, size)),
            "strip_search": sampling.booleans(arrest & (rng.random(size) < 0.04)),
            "use_of_force": sampling.booleans(rng.random(size) < np.where(arrest, 0.025, 0.004)),
            "division": sampling.strings(layout.division_ids, incidents.division[source]),
            "neighbourhood_id": sampling.strings(
                layout.neighbourhood_ids, np.maximum(neighbourhood, 0), ~located
            ),
            "latitude": sampling.floats(np.nan_to_num(incidents.latitude[source]), ~located, 6),
            "longitude": sampling.floats(np.nan_to_num(incidents.longitude[source]), ~located, 6),
        }
    )


def _draw(rng: np.random.Generator, shares: tuple[float, ...], size: int) -> np.ndarray:
    return sampling.sample_by_group(rng, np.zeros(size, dtype="int64"), np.array([shares]))


def perceived_race(
    rng: np.random.Generator, population_shares: np.ndarray, relative_rate: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Perceived race for ``size`` people: group index from ``population share × relative rate``;
    independently of group, 2 % are perceived as more than one group (``multiple``, with a
    second group) and 3 % unrecorded (NULL).

    Returns (group index with ``len(RACE_GROUPS)`` meaning multiple, second group, unknown mask).
    """
    weights = population_shares * relative_rate
    group = sampling.sample_by_group(rng, np.zeros(size, dtype="int64"), weights[None, :])
    draw = rng.random(size)
    multiple = draw < MULTIPLE_RACE_SHARE
    unknown = (draw >= MULTIPLE_RACE_SHARE) & (draw < MULTIPLE_RACE_SHARE + UNKNOWN_RACE_SHARE)
    groups = len(population_shares)
    second = (group + rng.integers(1, groups, size)) % groups
    return np.where(multiple, groups, group), np.stack([group, second], axis=1), unknown


def race_strings(race: np.ndarray, unknown: np.ndarray) -> pa.Array:
    return sampling.strings((*schema.RACE_GROUPS, "multiple"), race, unknown)


def race_group_lists(race: np.ndarray, pairs: np.ndarray) -> pa.Array:
    """``'a | b'`` for people perceived as more than one group, NULL otherwise."""
    groups = len(schema.RACE_GROUPS)
    names = np.array(schema.RACE_GROUPS, dtype=object)
    first = np.minimum(pairs[:, 0], pairs[:, 1])
    second = np.maximum(pairs[:, 0], pairs[:, 1])
    pair_index = first * groups + second
    vocabulary = [f"{names[i // groups]} | {names[i % groups]}" for i in range(groups * groups)]
    return sampling.strings(vocabulary, pair_index, race != groups)
