"""Community Safety and Well-Being (CSWB) indicators from police data.

Ontario's CSWB framework sorts work into four **zones** (social development, prevention, risk
intervention, incident response); Ottawa's CSWB plan (2021–2031) sets **priorities**
(discrimination, marginalization and racism; financial security and poverty reduction;
gender-based violence; housing; integrated and simpler systems; mental well-being; youth
social development, added in the 2025 review). Each indicator here is mapped to a zone and to
the priorities it informs (:data:`INDICATORS`), from ``design/DOMAIN.md``.

Indicators are counted per calendar year and neighbourhood in the engine
(:func:`indicator_counts`), turned into rates per 1,000 residents with exact Poisson
intervals and compared with the whole city (:func:`indicator_rates`), followed over the years
(:func:`indicator_trend`), and brought together for one neighbourhood
(:func:`neighbourhood_profile`). Which call types, dispositions, clearances and categories
feed each indicator is an option (:class:`IndicatorOptions`), not a constant: services code
their CAD differently.

Counts frames use the neighbourhood label :data:`CITY` for the whole city (every event,
located or not) and :data:`UNLOCATED` for events without a neighbourhood. A count may be
missing (``<NA>``, suppressed for a public page): every rate, ratio and change computed from it
is then missing too, so the functions work unchanged on published tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis._common import (
    AnalysisInputError,
    population_for_years,
    require_columns,
    within_dates,
)

__all__ = [
    "CITY",
    "DEFAULT_INDICATOR_OPTIONS",
    "INDICATORS",
    "PRIORITIES",
    "UNLOCATED",
    "ZONES",
    "Indicator",
    "IndicatorOptions",
    "NeighbourhoodProfile",
    "complete_years",
    "indicator_catalogue",
    "indicator_counts",
    "indicator_rates",
    "indicator_trend",
    "neighbourhood_populations",
    "neighbourhood_profile",
    "priority_labels",
    "repeat_call_locations",
]

#: Neighbourhood label of city-wide rows (every event, with or without a location).
CITY = "city"
#: Neighbourhood label of events without a usable location.
UNLOCATED = "unlocated"

ZONES: dict[str, str] = {
    "social_development": "Social development: long-term work on the root causes of harm",
    "prevention": "Prevention: reducing identified risks before harm occurs",
    "risk_intervention": "Risk intervention: acting on situations of elevated risk",
    "incident_response": "Incident response: emergency and enforcement responses",
}

PRIORITIES: dict[str, str] = {
    "discrimination_marginalization_racism": "Discrimination, marginalization and racism",
    "financial_security_poverty_reduction": "Financial security and poverty reduction",
    "gender_based_violence": "Gender-based violence and violence against women",
    "housing": "Housing",
    "integrated_simpler_systems": "Integrated and simpler systems",
    "mental_well_being": "Mental well-being",
    "youth_social_development": "Youth social development (added in the 2025 review)",
}


@dataclass(frozen=True)
class Indicator:
    """One CSWB indicator: what it counts, its zone and the plan priorities it informs."""

    name: str
    label: str
    source: str
    unit: str
    zone: str
    priorities: tuple[str, ...]
    description: str


INDICATORS: dict[str, Indicator] = {indicator.name: indicator for indicator in (
    Indicator("mental_health_calls", "Mental-health calls", "calls_for_service", "calls",
              "risk_intervention", ("mental_well_being", "integrated_simpler_systems"),
              "Calls for service of a mental-health call type (options.mental_health_call_types)"),
    Indicator("mental_health_apprehensions", "Mental Health Act apprehensions",
              "calls_for_service", "calls", "incident_response", ("mental_well_being",),
              "Calls closed with an apprehension disposition (options.apprehension_dispositions)"),
    Indicator("wellness_checks", "Wellness checks", "calls_for_service", "calls",
              "risk_intervention", ("mental_well_being", "housing"),
              "Calls of a wellness-check type (options.wellness_check_call_types)"),
    Indicator("overdose_calls", "Overdose calls", "calls_for_service", "calls",
              "risk_intervention", ("mental_well_being",),
              "Calls of an overdose type (options.overdose_call_types)"),
    Indicator("intimate_partner_family_violence", "Intimate-partner and family violence",
              "incidents", "incidents", "incident_response", ("gender_based_violence",),
              "Criminal incidents flagged domestic (intimate-partner or family violence)"),
    Indicator("hate_incidents", "Hate and bias incidents", "incidents", "incidents",
              "incident_response", ("discrimination_marginalization_racism",),
              "Criminal incidents motivated by hate or bias (options.hate_categories)"),
    Indicator("repeat_call_locations", "Repeat-call locations", "calls_for_service",
              "locations", "risk_intervention", ("housing", "integrated_simpler_systems"),
              "Addresses or blocks with at least options.repeat_call_minimum calls in the year"),
    Indicator("youth_diversions", "Youth diversions and referrals", "incidents", "incidents",
              "prevention", ("youth_social_development",),
              "Incidents cleared by youth diversion or referral (options.youth_clearances)"),
    Indicator("shootings", "Shootings", "incidents", "incidents", "incident_response",
              ("youth_social_development",),
              "Shootings and firearm discharges (options.shooting_categories)"),
    Indicator("homicides", "Homicides", "incidents", "incidents", "incident_response",
              ("youth_social_development",),
              "Homicides (options.homicide_categories)"),
    Indicator("non_police_response_calls", "Calls suited to a non-police response",
              "calls_for_service", "calls", "risk_intervention",
              ("integrated_simpler_systems", "mental_well_being"),
              "Calls of a type another service could answer (options.non_police_call_types)"),
)}


@dataclass(frozen=True)
class IndicatorOptions:
    """Which codes feed each indicator (services code their data differently).

    ``repeat_call_minimum``: a location is a repeat-call location in a year when it drew at
    least this many calls that year. ``non_police_call_types``: call types another service
    could answer (mental-health crisis teams, community responders, by-law); the default is
    an example, not a standard.
    """

    mental_health_call_types: tuple[str, ...] = ("mental_health",)
    apprehension_dispositions: tuple[str, ...] = ("mha_apprehension",)
    wellness_check_call_types: tuple[str, ...] = ("wellness_check",)
    overdose_call_types: tuple[str, ...] = ("overdose",)
    hate_categories: tuple[str, ...] = ("hate_crime",)
    youth_clearances: tuple[str, ...] = ("youth_diversion", "youth_referral")
    shooting_categories: tuple[str, ...] = ("shooting",)
    homicide_categories: tuple[str, ...] = ("homicide",)
    non_police_call_types: tuple[str, ...] = ("mental_health", "wellness_check", "overdose", "noise")
    repeat_call_minimum: int = 25

    def __post_init__(self) -> None:
        if self.repeat_call_minimum < 2:
            raise AnalysisInputError(
                f"repeat_call_minimum must be at least 2 calls; got {self.repeat_call_minimum}")
        for name in ("mental_health_call_types", "apprehension_dispositions",
                     "wellness_check_call_types", "overdose_call_types", "hate_categories",
                     "youth_clearances", "shooting_categories", "homicide_categories",
                     "non_police_call_types"):
            values = getattr(self, name)
            if isinstance(values, str) or not values:
                raise AnalysisInputError(f"{name} must be a non-empty list of codes; got {values!r}")

    def call_type_indicators(self) -> dict[str, tuple[str, ...]]:
        """Indicators that count calls of listed types → their types."""
        return {
            "mental_health_calls": self.mental_health_call_types,
            "wellness_checks": self.wellness_check_call_types,
            "overdose_calls": self.overdose_call_types,
            "non_police_response_calls": self.non_police_call_types,
        }


#: The default indicator definitions.
DEFAULT_INDICATOR_OPTIONS = IndicatorOptions()


# --------------------------------------------------------------------------------------------
# Years
# --------------------------------------------------------------------------------------------


#: A year counts as covered from its start when the first event falls within this many days
#: of 1 January (sparse tables, such as use of force, may have no event on the first days).
FIRST_YEAR_GRACE_DAYS = 14


def complete_years(first_event: dt.date | None, as_of: dt.date) -> list[int]:
    """Calendar years wholly inside the data: from the year of ``first_event`` when it falls
    in the first :data:`FIRST_YEAR_GRACE_DAYS` days of January (else the next year) to the
    last year ending before ``as_of`` (or ``as_of``'s year when it is 31 December)."""
    if first_event is None:
        return []
    starts_early = (first_event - dt.date(first_event.year, 1, 1)).days < FIRST_YEAR_GRACE_DAYS
    first = first_event.year if starts_early else first_event.year + 1
    last = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    return list(range(first, last + 1))


def _require_years(years: Sequence[int]) -> list[int]:
    years = sorted({int(y) for y in years})
    if not years:
        raise AnalysisInputError("give at least one calendar year")
    return years


# --------------------------------------------------------------------------------------------
# Counting in the engine
# --------------------------------------------------------------------------------------------


def _neighbourhood_label(column: ir.StringValue) -> ir.StringValue:
    return column.fill_null(UNLOCATED)


def _counts_by_year_and_neighbourhood(table: ir.Table, time_column: str, years: list[int],
                                      indicator: str) -> ir.Table:
    start, end = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    window = table.filter(within_dates(table[time_column], start, end))
    labelled = window.mutate(year=window[time_column].year().cast("int64"),
                             neighbourhood_id=_neighbourhood_label(window.neighbourhood_id))
    return labelled.group_by(["year", "neighbourhood_id"]).aggregate(count=labelled.count()) \
        .mutate(indicator=ibis.literal(indicator))


def repeat_call_locations(
    calls_for_service: ibis.Table,
    *,
    years: Sequence[int],
    minimum_calls: int = 25,
) -> pd.DataFrame:
    """Locations drawing at least ``minimum_calls`` calls in a calendar year, per neighbourhood:
    ``year, neighbourhood_id, locations, calls`` (calls = all calls at those locations).

    A location is the ``location_key`` of the call (an opaque id of the address or block);
    calls without one are left out. A location is counted in the neighbourhood most of its
    calls that year came from.
    """
    years = _require_years(years)
    require_columns(calls_for_service, ["received_at", "location_key", "neighbourhood_id"],
                    "calls_for_service")
    start, end = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
    calls = calls_for_service.filter(within_dates(calls_for_service.received_at, start, end)
                                     & calls_for_service.location_key.notnull())
    calls = calls.mutate(year=calls.received_at.year().cast("int64"),
                         neighbourhood_id=_neighbourhood_label(calls.neighbourhood_id))
    per_location = calls.group_by(["year", "location_key"]).aggregate(
        # a location key is an address or block, so it has one neighbourhood; max() picks it
        # portably (mode() does not compile on Spark) and deterministically should a key
        # ever straddle two
        calls=calls.count(), neighbourhood_id=calls.neighbourhood_id.max())
    repeat = per_location.filter(per_location.calls >= int(minimum_calls))
    grouped = repeat.group_by(["year", "neighbourhood_id"]).aggregate(
        locations=repeat.count(), calls=repeat.calls.sum())
    frame = grouped.to_pandas()
    return frame.astype({"year": "int64", "locations": "int64", "calls": "int64"}) \
        .sort_values(["year", "neighbourhood_id"]).reset_index(drop=True)


def indicator_counts(
    *,
    incidents: ibis.Table | None,
    calls_for_service: ibis.Table | None,
    years: Sequence[int],
    indicators: Iterable[str] | None = None,
    options: IndicatorOptions = DEFAULT_INDICATOR_OPTIONS,
    neighbourhood_ids: Iterable[str] = (),
) -> pd.DataFrame:
    """Each indicator per calendar year and neighbourhood, counted in the engine.

    Args:
        incidents, calls_for_service: the canonical tables (None when absent: the indicators
            drawn from it are left out).
        years: calendar years to count (incidents by occurrence, calls by receipt).
        indicators: names from :data:`INDICATORS` (default: all).
        options: the codes feeding each indicator.
        neighbourhood_ids: neighbourhoods to list even without any event (e.g. every id of the
            ``neighbourhoods`` table).

    Returns:
        ``indicator, year, neighbourhood_id, count``: every neighbourhood seen for any
        indicator or listed, for every indicator and year (zero-filled), plus
        :data:`UNLOCATED` when events lack a neighbourhood and :data:`CITY` for the whole
        city (their sum).
    """
    years = _require_years(years)
    wanted = list(indicators) if indicators is not None else list(INDICATORS)
    unknown = [name for name in wanted if name not in INDICATORS]
    if unknown:
        raise AnalysisInputError(
            f"unknown indicators: {', '.join(unknown)}; known: {', '.join(INDICATORS)}")
    queries: list[ir.Table] = []
    frames: list[pd.DataFrame] = []
    if calls_for_service is not None:
        require_columns(calls_for_service, ["received_at", "call_type", "neighbourhood_id"],
                        "calls_for_service")
        calls = calls_for_service
        for name, call_types in options.call_type_indicators().items():
            if name in wanted:
                selected = calls.filter(calls.call_type.isin(list(call_types)))
                queries.append(_counts_by_year_and_neighbourhood(selected, "received_at", years,
                                                                 name))
        if "mental_health_apprehensions" in wanted:
            require_columns(calls, ["disposition"], "calls_for_service")
            selected = calls.filter(calls.disposition.isin(list(options.apprehension_dispositions)))
            queries.append(_counts_by_year_and_neighbourhood(
                selected, "received_at", years, "mental_health_apprehensions"))
        if "repeat_call_locations" in wanted:
            repeat = repeat_call_locations(calls, years=years,
                                           minimum_calls=options.repeat_call_minimum)
            frames.append(repeat.rename(columns={"locations": "count"}).drop(columns="calls")
                          .assign(indicator="repeat_call_locations"))
    if incidents is not None:
        require_columns(incidents, ["occurred_at", "offence_category", "neighbourhood_id"],
                        "incidents")
        category_indicators = {"hate_incidents": options.hate_categories,
                               "shootings": options.shooting_categories,
                               "homicides": options.homicide_categories}
        for name, categories in category_indicators.items():
            if name in wanted:
                selected = incidents.filter(incidents.offence_category.isin(list(categories)))
                queries.append(_counts_by_year_and_neighbourhood(selected, "occurred_at", years,
                                                                 name))
        if "intimate_partner_family_violence" in wanted:
            require_columns(incidents, ["domestic"], "incidents")
            selected = incidents.filter(incidents.domestic.fill_null(False))
            queries.append(_counts_by_year_and_neighbourhood(
                selected, "occurred_at", years, "intimate_partner_family_violence"))
        if "youth_diversions" in wanted:
            require_columns(incidents, ["clearance"], "incidents")
            selected = incidents.filter(incidents.clearance.isin(list(options.youth_clearances)))
            queries.append(_counts_by_year_and_neighbourhood(selected, "occurred_at", years,
                                                             "youth_diversions"))
    if queries:
        combined = queries[0]
        for query in queries[1:]:
            combined = combined.union(query)
        frames.append(combined.to_pandas())
    return _complete_indicator_counts(frames, years, [n for n in wanted if _available(
        n, incidents is not None, calls_for_service is not None)], list(neighbourhood_ids))


def _available(name: str, has_incidents: bool, has_calls: bool) -> bool:
    source = INDICATORS[name].source
    return has_incidents if source == "incidents" else has_calls


def _complete_indicator_counts(frames: list[pd.DataFrame], years: list[int],
                               indicators: list[str], listed: list[str]) -> pd.DataFrame:
    columns = ["indicator", "year", "neighbourhood_id", "count"]
    counts = pd.concat([f[columns] for f in frames], ignore_index=True) if frames else \
        pd.DataFrame(columns=columns)
    counts = counts.astype({"year": "int64", "count": "int64"})
    areas = sorted(set(counts["neighbourhood_id"]) | set(listed))
    parts = []
    for indicator in indicators:
        rows = counts.loc[counts["indicator"] == indicator]
        skeleton = pd.MultiIndex.from_product([years, areas], names=["year", "neighbourhood_id"])
        filled = (rows.set_index(["year", "neighbourhood_id"])["count"]
                  .reindex(skeleton, fill_value=0).reset_index())
        city = (filled.groupby("year")["count"].sum().reindex(years, fill_value=0)
                .rename_axis("year").reset_index().assign(neighbourhood_id=CITY))
        parts.append(pd.concat([filled, city], ignore_index=True).assign(indicator=indicator))
    if not parts:
        return pd.DataFrame(columns=columns)
    result = pd.concat(parts, ignore_index=True)[columns]
    order = {name: position for position, name in enumerate(INDICATORS)}
    result = result.assign(_order=result["indicator"].map(order),
                           _city=result["neighbourhood_id"] == CITY)
    result = result.sort_values(["_order", "_city", "neighbourhood_id", "year"], kind="stable")
    return result.drop(columns=["_order", "_city"]).reset_index(drop=True) \
        .astype({"count": "Int64"})


# --------------------------------------------------------------------------------------------
# Rates, city comparison, trend
# --------------------------------------------------------------------------------------------


def neighbourhood_populations(population: ibis.Table | pd.DataFrame,
                              years: Sequence[int]) -> pd.DataFrame:
    """Residents per neighbourhood and year (nearest census year), plus the city:
    ``year, neighbourhood_id, population``."""
    years = _require_years(years)
    frame = population.to_pandas() if not isinstance(population, pd.DataFrame) else population
    required = {"neighbourhood_id", "year", "population"}
    if not required <= set(frame.columns):
        raise AnalysisInputError(
            f"population needs the columns {', '.join(sorted(required))}; it has: "
            f"{', '.join(map(str, frame.columns))}")
    if frame.empty:
        return pd.DataFrame(columns=["year", "neighbourhood_id", "population"])
    chosen = population_for_years(frame[["neighbourhood_id", "year", "population"]], years,
                                  "neighbourhood_id")
    city = chosen.groupby("year", as_index=False)["population"].sum().assign(neighbourhood_id=CITY)
    return pd.concat([chosen[["year", "neighbourhood_id", "population"]], city],
                     ignore_index=True).astype({"year": "int64", "population": "int64"})


def indicator_rates(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    *,
    per: int = 1_000,
    level: float = 0.95,
) -> pd.DataFrame:
    """Rates per ``per`` residents with exact (Garwood) intervals, and the city comparison.

    ``counts`` is :func:`indicator_counts` (or a published version of it with ``<NA>``
    counts and its :data:`CITY` rows); ``population`` is :func:`neighbourhood_populations`.
    Adds ``population, rate, rate_lower, rate_upper, city_count, city_rate, ratio_to_city,
    ratio_lower, ratio_upper, compared_with_city`` (``"higher"`` / ``"lower"`` when the
    interval of the ratio excludes 1, else ``"similar"``). :data:`UNLOCATED` rows have no
    population, hence no rate.
    """
    required = {"indicator", "year", "neighbourhood_id", "count"}
    if not required <= set(counts.columns):
        raise AnalysisInputError(f"counts need the columns {', '.join(sorted(required))}")
    merged = counts.merge(population, on=["year", "neighbourhood_id"], how="left")
    count = pd.to_numeric(merged["count"], errors="coerce").astype("float64").to_numpy()
    residents = pd.to_numeric(merged["population"], errors="coerce").astype("float64").to_numpy()
    usable = ~np.isnan(count) & (residents > 0)
    rate = np.full(count.shape, np.nan)
    lower = np.full(count.shape, np.nan)
    upper = np.full(count.shape, np.nan)
    if usable.any():
        interval = stats.poisson_rate_interval(count[usable], residents[usable] / per, level=level)
        rate[usable], lower[usable], upper[usable] = interval.rate, interval.lower, interval.upper
    merged = merged.assign(rate=rate, rate_lower=lower, rate_upper=upper)
    city = merged.loc[merged["neighbourhood_id"] == CITY,
                      ["indicator", "year", "count", "population", "rate"]].rename(
        columns={"count": "city_count", "population": "city_population", "rate": "city_rate"})
    merged = merged.merge(city, on=["indicator", "year"], how="left")
    a = count
    n_a = residents
    b = pd.to_numeric(merged["city_count"], errors="coerce").astype("float64").to_numpy()
    n_b = pd.to_numeric(merged["city_population"], errors="coerce").astype("float64").to_numpy()
    usable = ~np.isnan(a) & ~np.isnan(b) & (n_a > 0) & (n_b > 0) & (a > 0) & (b > 0)
    ratio = np.full(a.shape, np.nan)
    ratio_lower = np.full(a.shape, np.nan)
    ratio_upper = np.full(a.shape, np.nan)
    if usable.any():
        result = stats.rate_ratio_interval(a[usable], n_a[usable], b[usable], n_b[usable],
                                           level=level, measure="rate")
        ratio[usable], ratio_lower[usable], ratio_upper[usable] = (
            result.ratio, result.lower, result.upper)
    with np.errstate(invalid="ignore"):
        labels = np.where(ratio_lower > 1, "higher",
                          np.where(ratio_upper < 1, "lower", "similar")).astype(object)
        compared = np.where(np.isnan(ratio), np.array(None, dtype=object), labels)
    return merged.assign(ratio_to_city=ratio, ratio_lower=ratio_lower, ratio_upper=ratio_upper,
                         compared_with_city=compared).drop(columns="city_population")


def indicator_trend(rates: pd.DataFrame, *, neighbourhood_id: str = CITY) -> pd.DataFrame:
    """One area's indicators year by year with the change from the year before:
    ``indicator, year, count, rate, previous_count, change, percent_change, z``.

    ``z`` is the Poisson z-score ``2(√current − √previous)`` (Wheeler 2018; |z| > 3 is a real
    change); everything is missing where either year's count is.
    """
    rows = rates.loc[rates["neighbourhood_id"] == neighbourhood_id,
                     ["indicator", "year", "count", "rate"]].copy()
    rows = rows.sort_values(["indicator", "year"]).reset_index(drop=True)
    rows["previous_count"] = rows.groupby("indicator")["count"].shift(1)
    current = pd.to_numeric(rows["count"], errors="coerce").astype("float64")
    previous = pd.to_numeric(rows["previous_count"], errors="coerce").astype("float64")
    rows["change"] = current - previous
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["percent_change"] = np.where(previous > 0, 100.0 * (current - previous) / previous,
                                          np.nan)
    both = current.notna() & previous.notna()
    z = np.full(len(rows), np.nan)
    if both.any():
        z[both.to_numpy()] = stats.poisson_z(current[both].to_numpy(), previous[both].to_numpy())
    rows["z"] = z
    return rows


# --------------------------------------------------------------------------------------------
# Neighbourhood profile
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeighbourhoodProfile:
    """One neighbourhood's indicators against the city, for one year, and their trend.

    ``indicators``: one row per indicator (label, zone, priorities, unit, count, rate with its
    interval, city rate, ratio to the city with its interval, ``compared_with_city``, last
    year's count and the Poisson z of the change). ``trend``: indicator, year, rate, city rate.
    ``zones``: indicators per zone; ``priorities``: indicators per plan priority.
    """

    neighbourhood_id: str
    name: str | None
    division: str | None
    year: int
    population: int | None
    indicators: pd.DataFrame
    trend: pd.DataFrame
    zones: pd.DataFrame = field(repr=False)
    priorities: pd.DataFrame = field(repr=False)

    def value(self, indicator: str, column: str = "rate") -> float | None:
        """One figure of one indicator (None when missing or suppressed)."""
        if column not in self.indicators.columns:
            return None
        rows = self.indicators.loc[self.indicators["indicator"] == indicator, column]
        if rows.empty or pd.isna(rows.iloc[0]):
            return None
        return float(rows.iloc[0])

    def compared(self, outcome: str) -> int:
        """How many indicators compare with the city as ``outcome`` (higher, similar, lower)."""
        if self.indicators.empty:
            return 0
        return int((self.indicators["compared_with_city"] == outcome).sum())


def neighbourhood_profile(
    rates: pd.DataFrame,
    *,
    neighbourhood_id: str,
    year: int,
    neighbourhoods: pd.DataFrame | None = None,
) -> NeighbourhoodProfile:
    """Bring one neighbourhood's indicators together against the city.

    ``rates`` is :func:`indicator_rates` over several years (true counts for analysts, or the
    published counts of :mod:`workbench.public` for a public page); ``neighbourhoods`` (the
    canonical table as a frame) supplies the name and division.
    """
    present = set(rates["neighbourhood_id"])
    if neighbourhood_id not in present:
        known = ", ".join(sorted(n for n in present if n not in (CITY, UNLOCATED))[:20])
        raise AnalysisInputError(
            f"no neighbourhood {neighbourhood_id!r} in the indicator counts; known: {known} …")
    if year not in set(rates["year"]):
        raise AnalysisInputError(f"no indicator counts for {year}; years: "
                                 f"{', '.join(map(str, sorted(set(rates['year']))))}")
    area = rates.loc[rates["neighbourhood_id"] == neighbourhood_id]
    trend_area = indicator_trend(rates, neighbourhood_id=neighbourhood_id)
    this_year = area.loc[area["year"] == year].merge(
        trend_area.loc[trend_area["year"] == year, ["indicator", "previous_count", "change", "z"]],
        on="indicator", how="left")
    described = _describe_indicators(this_year)
    population = area.loc[area["year"] == year, "population"].dropna()
    trend = area[["indicator", "year", "count", "rate", "city_rate"]].sort_values(
        ["indicator", "year"]).reset_index(drop=True)
    name = division = None
    if neighbourhoods is not None and "neighbourhood_id" in neighbourhoods.columns:
        match = neighbourhoods.loc[neighbourhoods["neighbourhood_id"] == neighbourhood_id]
        if len(match):
            name = match["name"].iloc[0] if "name" in match.columns else None
            division = match["division"].iloc[0] if "division" in match.columns else None
    return NeighbourhoodProfile(
        neighbourhood_id=neighbourhood_id, name=name, division=division, year=int(year),
        population=int(population.iloc[0]) if len(population) else None,
        indicators=described, trend=trend, zones=_by_zone(described),
        priorities=_by_priority(described))


def _by_zone(described: pd.DataFrame) -> pd.DataFrame:
    """Every CSWB zone with the indicators in it and how they compare with the city."""
    rows = []
    for zone, meaning in ZONES.items():
        inside = described.loc[described["zone"] == zone]
        rows.append({"zone": meaning.split(":")[0],
                     "indicators": ", ".join(inside["label"]) or "no police indicator",
                     "higher_than_city": int((inside["compared_with_city"] == "higher").sum()),
                     "lower_than_city": int((inside["compared_with_city"] == "lower").sum())})
    return pd.DataFrame(rows)


def _by_priority(described: pd.DataFrame) -> pd.DataFrame:
    """Every plan priority with the indicators informing it."""
    rows = []
    for priority, label in PRIORITIES.items():
        inside = described.loc[[priority in listed for listed in described["priorities"]]]
        rows.append({"priority": label,
                     "indicators": ", ".join(inside["label"]) or "no police indicator",
                     "higher_than_city": int((inside["compared_with_city"] == "higher").sum())})
    return pd.DataFrame(rows)


def _describe_indicators(frame: pd.DataFrame) -> pd.DataFrame:
    meta = pd.DataFrame([{"indicator": i.name, "label": i.label, "zone": i.zone,
                          "priorities": i.priorities, "unit": i.unit} for i in INDICATORS.values()])
    merged = meta.merge(frame, on="indicator", how="inner")
    columns = ["indicator", "label", "zone", "priorities", "unit", "count", "rate", "rate_lower",
               "rate_upper", "city_count", "city_rate", "ratio_to_city", "ratio_lower",
               "ratio_upper", "compared_with_city", "previous_count", "change", "z"]
    return merged[[c for c in columns if c in merged.columns]].reset_index(drop=True)


def priority_labels(priorities: Iterable[str]) -> str:
    """Plan priorities as readable text."""
    return "; ".join(PRIORITIES.get(p, p) for p in priorities)


def indicator_catalogue() -> pd.DataFrame:
    """Every indicator with its zone and priorities, for documentation pages."""
    return pd.DataFrame([{"indicator": i.name, "label": i.label, "zone": i.zone,
                          "priorities": priority_labels(i.priorities), "unit": i.unit,
                          "description": i.description} for i in INDICATORS.values()])
