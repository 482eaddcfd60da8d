"""The public families: each kind of record suppressed once, read from the warehouse.

- ``use_of_force_subjects_by_race``: year × race_group × force_type (people perceived as one
  group); ``use_of_force_subjects_multiple_unknown``: year × race_group (multiple / unknown; no
  total of the two families is published, so they are not linked);
- ``enforcement_actions_by_race`` (year × race_group × action_type) and its
  ``…_multiple_unknown`` family;
- ``incidents_by_neighbourhood``: year × neighbourhood_id × offence_category, for the
  categories *not* published as points;
- ``cswb_<indicator>``: year × neighbourhood_id, one per CSWB indicator; the category
  indicators (hate incidents, shootings, homicides) are slices of ``incidents_by_neighbourhood``;
- ``incident_points``: geomasked points of the property categories (no counts table: the
  points are the data), domestic incidents left out.

Each year is protected as its own table (no total over years is published). The total of
people perceived as one group — the denominator of the ARDS indices — is the family's
``race_group = all`` margin; it is kept shown whenever it is not small. Every family covers
the complete calendar years of its source up to ``as_of``, so a report and the open data
rendered the same day publish the same numbers. See ``docs/privacy.md``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import ibis
import pandas as pd

from workbench.analysis import cswb
from workbench.analysis import use_of_force as uof
from workbench.analysis._common import within_dates
from workbench.privacy import Protected, protect_points, small_cell_threshold
from workbench.privacy.linked import ALL
from workbench.public.options import (
    CATEGORY_INDICATORS,
    DEFAULT_OPTIONS,
    ID_COLUMNS,
    OpenDataOptions,
)
from workbench.public.tables import PublicTable

__all__ = [
    "enforcement_public_tables",
    "geomask_bounds",
    "incident_points",
    "incidents_public_table",
    "indicator_public_tables",
    "population_benchmark",
    "use_of_force_public_tables",
]

_NOT_RECORDED = "not_recorded"


def _first_date(table: ibis.Table, column: str) -> dt.date | None:
    value = table[column].min().execute()
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _table_or_none(warehouse: Any, name: str) -> ibis.Table | None:
    return warehouse.table(name) if warehouse.has_table(name) else None


def _family_years(table: ibis.Table | None, column: str, as_of: dt.date) -> list[int]:
    if table is None:
        return []
    return cswb.complete_years(_first_date(table, column), as_of)


def _split_race_counts(counts: pd.DataFrame, detail: str, count: str
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one perceived group × ``detail``) and (multiple / unknown, no detail) frames."""
    counts = counts.assign(**{detail: counts[detail].fillna(_NOT_RECORDED)})
    single = counts.loc[counts["race_group"].isin(uof.RACE_GROUPS),
                        ["year", "race_group", detail, "count"]].rename(columns={"count": count})
    other = counts.loc[~counts["race_group"].isin(uof.RACE_GROUPS)]
    other = other.groupby(["year", "race_group"], as_index=False)["count"].sum() \
        .rename(columns={"count": count})
    return single, other


_RACE_DICTIONARY = {
    "year": "Calendar year (of the use-of-force report / the enforcement action)",
    "race_group": "Officer-perceived race, Ontario Anti-Racism Data Standards categories "
                  f"({', '.join(uof.RACE_GROUPS)}); all: total of people perceived as one group",
}
_OTHER_DICTIONARY = {
    "year": "Calendar year",
    "race_group": "multiple: perceived as more than one group (counted once, not split "
                  "between groups); unknown: perceived race not recorded; all: total of both",
}
#: The total the ARDS indices divide by (people perceived as one group in the year): kept
#: shown whenever it is not small.
_DENOMINATORS = ({"race_group": ALL, "force_type": ALL, "action_type": ALL},)


def use_of_force_public_tables(warehouse: Any, *, as_of: dt.date,
                               threshold: int | None = None) -> tuple[PublicTable, PublicTable]:
    """People force was used on (complete calendar years up to ``as_of``), suppressed, as two
    unlinked families: people perceived as one group by year × group × highest force used
    on them, and people perceived as several groups or of unknown race by year. Never holds
    officer data."""
    reports = _table_or_none(warehouse, "use_of_force")
    subjects = _table_or_none(warehouse, "use_of_force_subjects")
    years = _family_years(reports, "occurred_at", as_of) if subjects is not None else []
    counts = (uof.use_of_force_subject_counts(
        reports, subjects, start=dt.date(years[0], 1, 1), end=dt.date(years[-1], 12, 31),
        by=["year", "force_type"], counting="single")
        if years and reports is not None and subjects is not None else None)
    return _race_family_pair(
        counts, detail="force_type", count="subjects", threshold=threshold,
        names=("use_of_force_subjects_by_race", "use_of_force_subjects_multiple_unknown"),
        titles=("People force was used on, by perceived race and type of force",
                "People force was used on, perceived as several groups or of unknown race"),
        descriptions=(
            "Use-of-force subjects perceived as one group (one per person per report) by "
            "calendar year, officer-perceived race and the highest type of force used on them.",
            "Use-of-force subjects perceived as more than one group, or whose perceived race "
            "was not recorded, by calendar year."),
        detail_meaning="Highest type of force used on the person; all: total",
        count_meaning="People force was used on (empty when suppressed)")


def enforcement_public_tables(warehouse: Any, *, as_of: dt.date,
                              threshold: int | None = None) -> tuple[PublicTable, PublicTable]:
    """People subject to enforcement actions by year, perceived race and action type (and
    the multiple / unknown people apart), suppressed: the second ARDS stage."""
    actions = _table_or_none(warehouse, "enforcement_actions")
    years = _family_years(actions, "occurred_at", as_of)
    counts = (uof.enforcement_action_counts(
        actions, start=dt.date(years[0], 1, 1), end=dt.date(years[-1], 12, 31),
        by=["year", "action_type"], counting="single")
        if years and actions is not None else None)
    return _race_family_pair(
        counts, detail="action_type", count="people", threshold=threshold,
        names=("enforcement_actions_by_race", "enforcement_actions_multiple_unknown"),
        titles=("People subject to enforcement actions, by perceived race",
                "People subject to enforcement actions, several groups or unknown race"),
        descriptions=(
            "Enforcement actions (arrests, charges, summonses, tickets; one per person per "
            "action) of people perceived as one group, by calendar year, officer-perceived race "
            "and type of action.",
            "Enforcement actions of people perceived as more than one group, or whose perceived "
            "race was not recorded, by calendar year."),
        detail_meaning="arrest, charge, summons, ticket, …; all: total",
        count_meaning="People subject to an enforcement action (empty when suppressed)")


def _race_family_pair(counts: pd.DataFrame | None, *, detail: str, count: str,
                      threshold: int | None, names: tuple[str, str], titles: tuple[str, str],
                      descriptions: tuple[str, str], detail_meaning: str,
                      count_meaning: str) -> tuple[PublicTable, PublicTable]:
    """The two unlinked families of one ARDS stage: people perceived as one group by year ×
    group × ``detail`` (its one-group total kept shown), and multiple / unknown by year."""
    limit = small_cell_threshold() if threshold is None else threshold
    if counts is not None:
        single, other = _split_race_counts(counts, detail, count)
    else:
        single = pd.DataFrame(columns=["year", "race_group", detail, count])
        other = pd.DataFrame(columns=["year", "race_group", count])
    hidden = {count: count_meaning, "suppressed": "true when the count is hidden"}
    main = PublicTable.from_counts(
        single, name=names[0], title=titles[0], description=descriptions[0],
        dimensions=("year", "race_group", detail), count=count, threshold=limit,
        dictionary={**_RACE_DICTIONARY, detail: detail_meaning, **hidden},
        keep_shown=_DENOMINATORS)
    rest = PublicTable.from_counts(
        other, name=names[1], title=titles[1], description=descriptions[1],
        dimensions=("year", "race_group"), count=count, threshold=limit,
        dictionary={**_OTHER_DICTIONARY, **hidden})
    return main, rest


def incidents_public_table(warehouse: Any, *, as_of: dt.date,
                           options: OpenDataOptions = DEFAULT_OPTIONS,
                           threshold: int | None = None) -> PublicTable:
    """Incidents by year, neighbourhood and offence category for the categories *not*
    published as points, zero-filled over every neighbourhood and category, suppressed."""
    limit = small_cell_threshold() if threshold is None else threshold
    incidents = _table_or_none(warehouse, "incidents")
    dims = ("year", "neighbourhood_id", "offence_category")
    categories = list(options.sensitive_categories)
    dictionary = {
        "year": "Calendar year of occurrence",
        "neighbourhood_id": f"Neighbourhood; {cswb.UNLOCATED}: no usable location; all: total",
        "offence_category": "Offence category (see docs/data-model.md); all: total of the "
                            "categories in this table",
        "incidents": "Criminal incidents (empty when suppressed)",
        "suppressed": "true when the count is hidden",
    }
    meta: dict[str, Any] = {"name": "incidents_by_neighbourhood",
            "title": "Incidents by neighbourhood, year and offence category",
            "description": "Criminal incidents by occurrence year, neighbourhood and category, "
                           "for the categories not published as points "
                           f"({', '.join(categories)}).",
            "dimensions": dims, "count": "incidents", "threshold": limit, "dictionary": dictionary}
    years = _family_years(incidents, "occurred_at", as_of)
    if not years or incidents is None:
        return PublicTable.from_counts(pd.DataFrame(columns=[*dims, "incidents"]), **meta)
    window = incidents.filter(within_dates(incidents.occurred_at, dt.date(years[0], 1, 1),
                                           dt.date(years[-1], 12, 31))
                              & incidents.offence_category.isin(categories))
    window = window.mutate(year=window.occurred_at.year().cast("int64"),
                           neighbourhood_id=window.neighbourhood_id.fill_null(cswb.UNLOCATED))
    counts = window.group_by(list(dims)).aggregate(incidents=window.count()).to_pandas()
    areas = set(counts["neighbourhood_id"])
    neighbourhoods = _table_or_none(warehouse, "neighbourhoods")
    if neighbourhoods is not None:
        areas |= set(neighbourhoods.select("neighbourhood_id").to_pandas()["neighbourhood_id"])
    skeleton = pd.MultiIndex.from_product([years, sorted(areas), categories], names=list(dims))
    filled = counts.set_index(list(dims))["incidents"].reindex(skeleton, fill_value=0).reset_index()
    return PublicTable.from_counts(filled, **meta)


def indicator_public_tables(warehouse: Any, *, as_of: dt.date, incidents: PublicTable,
                            options: OpenDataOptions = DEFAULT_OPTIONS,
                            threshold: int | None = None) -> dict[str, PublicTable]:
    """One suppressed year × neighbourhood table per CSWB indicator.

    The category indicators (hate incidents, shootings, homicides) are slices of ``incidents``
    (:func:`incidents_public_table`), so the same counts carry the same suppression everywhere.
    """
    limit = small_cell_threshold() if threshold is None else threshold
    calls = _table_or_none(warehouse, "calls_for_service")
    incident_table = _table_or_none(warehouse, "incidents")
    tables: dict[str, PublicTable] = {}
    dims = ("year", "neighbourhood_id")
    indicator_options = options.indicators
    category_of = {"hate_incidents": indicator_options.hate_categories[0],
                   "shootings": indicator_options.shooting_categories[0],
                   "homicides": indicator_options.homicide_categories[0]}
    by_source = {
        "calls_for_service": _family_years(calls, "received_at", as_of),
        "incidents": _family_years(incident_table, "occurred_at", as_of),
    }
    own = [name for name in cswb.INDICATORS if name not in CATEGORY_INDICATORS]
    neighbourhoods = _table_or_none(warehouse, "neighbourhoods")
    areas = (list(neighbourhoods.select("neighbourhood_id").to_pandas()["neighbourhood_id"])
             if neighbourhoods is not None else [])
    counted: dict[str, pd.DataFrame] = {}
    for source, years in by_source.items():
        names = [n for n in own if cswb.INDICATORS[n].source == source]
        if not years or not names:
            continue
        counts = cswb.indicator_counts(
            incidents=incident_table if source == "incidents" else None,
            calls_for_service=calls if source == "calls_for_service" else None,
            years=years, indicators=names, options=indicator_options,
            neighbourhood_ids=areas)
        for name, rows in counts.groupby("indicator", sort=False):
            counted[str(name)] = rows
    for name, indicator in cswb.INDICATORS.items():
        dictionary = {"year": "Calendar year",
                      "neighbourhood_id": f"Neighbourhood; {cswb.UNLOCATED}: no usable location; "
                                          "all: the whole city",
                      "count": f"{indicator.unit.capitalize()} (empty when suppressed)",
                      "suppressed": "true when the count is hidden"}
        if name in CATEGORY_INDICATORS:
            sliced = incidents.slice(offence_category=category_of[name])
            tables[name] = sliced.renamed(
                name=f"cswb_{name}", title=indicator.label, description=indicator.description,
                count="count", dictionary=dictionary,
                protected=sliced.protected.derive(
                    lambda entries: entries.rename(columns={incidents.count: "count"})))
            continue
        rows = counted.get(name)
        frame = (rows.loc[rows["neighbourhood_id"] != cswb.CITY, list(dims) + ["count"]]
                 if rows is not None else pd.DataFrame(columns=[*dims, "count"]))
        tables[name] = PublicTable.from_counts(
            frame.astype({"count": "int64"}), name=f"cswb_{name}", title=indicator.label,
            description=indicator.description, dimensions=dims, count="count", threshold=limit,
            dictionary=dictionary, keep_shown=({"neighbourhood_id": ALL},))
    return tables


def incident_points(warehouse: Any, *, as_of: dt.date,
                    options: OpenDataOptions = DEFAULT_OPTIONS) -> Protected[pd.DataFrame]:
    """Geomasked incident points for the property categories (complete years up to ``as_of``).

    Columns: ``occurred_date, year, month, offence_category, location_type, division,
    neighbourhood_id, latitude, longitude``. Incidents flagged domestic and incidents without
    coordinates are left out; no id, time of day or address is kept; coordinates go through
    :func:`workbench.privacy.protect_points`. Rows are sorted by date, category and masked
    position (not by record), so the order gives nothing away.
    """
    columns = ["occurred_date", "year", "month", "offence_category", "location_type", "division",
               "neighbourhood_id", "latitude", "longitude"]
    incidents = _table_or_none(warehouse, "incidents")
    years = _family_years(incidents, "occurred_at", as_of)
    if incidents is None or not years:
        frame = pd.DataFrame({c: pd.Series(dtype=float if c in ("latitude", "longitude")
                                           else object) for c in columns})
    else:
        chosen = incidents.filter(
            within_dates(incidents.occurred_at, dt.date(years[0], 1, 1),
                         dt.date(years[-1], 12, 31))
            & incidents.offence_category.isin(list(options.point_categories))
            & ~incidents.domestic.fill_null(False)
            & incidents.latitude.notnull() & incidents.longitude.notnull())
        frame = chosen.select(
            occurred_date=chosen.occurred_at.date(), offence_category=chosen.offence_category,
            location_type=chosen.location_type, division=chosen.division,
            neighbourhood_id=chosen.neighbourhood_id, latitude=chosen.latitude,
            longitude=chosen.longitude).to_pandas()
    masked = protect_points(frame, cell_metres=options.geomask_cell_metres,
                            identifiers=ID_COLUMNS)
    return masked.derive(lambda points: _points_in_order(points, columns))


def _points_in_order(points: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Date as text, year and month added, rows sorted by date, category and masked place."""
    dates = pd.to_datetime(points["occurred_date"])
    points = points.assign(occurred_date=dates.dt.date.astype(str), year=dates.dt.year,
                           month=dates.dt.month)
    points = points.sort_values(["occurred_date", "offence_category", "latitude", "longitude"],
                                kind="stable").reset_index(drop=True)
    return points[columns]


def geomask_bounds(cell_metres: float) -> tuple[float, float]:
    """The distance (metres) every published point keeps from its true location: at least
    ``cell/√2`` and at most ``cell·√2`` (see :func:`workbench.privacy.geomask_points`)."""
    return cell_metres / math.sqrt(2.0), cell_metres * math.sqrt(2.0)


def population_benchmark(warehouse: Any, years: Sequence[int]) -> pd.DataFrame:
    """Census residents by race group for each year (nearest census year): ``year,
    race_group, count``; empty when the warehouse has no ``population_by_race``."""
    table = _table_or_none(warehouse, "population_by_race")
    if table is None or not years:
        return pd.DataFrame(columns=["year", "race_group", "count"])
    if int(table.count().execute()) == 0:
        return pd.DataFrame(columns=["year", "race_group", "count"])
    parts = [uof.population_counts(table, year=y)[["race_group", "count"]].assign(year=y)
             for y in years]
    return pd.concat(parts, ignore_index=True)[["year", "race_group", "count"]]
