"""CSWB indicators counted in the engine per calendar year and neighbourhood."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from workbench.analysis._common import AnalysisInputError, require_columns, within_dates
from workbench.analysis.cswb.indicators import (
    CITY,
    DEFAULT_INDICATOR_OPTIONS,
    INDICATORS,
    UNLOCATED,
    IndicatorOptions,
)

__all__ = ["indicator_counts", "repeat_call_locations"]


def require_years(years: Sequence[int]) -> list[int]:
    """The distinct years, sorted; raises unless there is at least one."""
    years = sorted({int(y) for y in years})
    if not years:
        raise AnalysisInputError("give at least one calendar year")
    return years


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
    years = require_years(years)
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
    years = require_years(years)
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
