"""CSWB rates per 1,000 residents with exact intervals, compared with the city, followed over
the years, and brought together for one neighbourhood."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis._common import AnalysisInputError, population_for_years
from workbench.analysis.cswb.counts import require_years
from workbench.analysis.cswb.indicators import CITY, INDICATORS, PRIORITIES, UNLOCATED, ZONES

__all__ = [
    "NeighbourhoodProfile",
    "indicator_rates",
    "indicator_trend",
    "neighbourhood_populations",
    "neighbourhood_profile",
]


def neighbourhood_populations(population: ibis.Table | pd.DataFrame,
                              years: Sequence[int]) -> pd.DataFrame:
    """Residents per neighbourhood and year (nearest census year), plus the city:
    ``year, neighbourhood_id, population``."""
    years = require_years(years)
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
