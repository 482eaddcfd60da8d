"""Hot spots: neighbourhoods and grid cells ranked by rate and by change, map boundaries, and
the weighted displacement difference for a place-based intervention.

Counting happens in the engine (one conditional-sum scan per call); the change statistics are
those of the CompStat grid (:func:`workbench.analysis.crime.change_statistics`): Poisson
z-score and flag, E-test p-value, and p-values adjusted across every area ranked.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from typing import Any, Literal, TypeAlias

import ibis
import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis._common import (
    AnalysisInputError,
    count_sum,
    population_for_years,
    require_columns,
    require_positive_days,
    within_dates,
)
from workbench.analysis.crime import Adjustment, change_statistics, population_by_geography
from workbench.geometry import degrees_of_latitude, degrees_of_longitude
from workbench.periods import ComparisonWindow as ChangeWindows  # its name here before
from workbench.periods import change_windows

__all__ = [
    "ChangeWindows",
    "change_windows",
    "grid_hot_spots",
    "intervention_effect",
    "neighbourhood_features",
    "neighbourhood_hot_spots",
]

CompareWith: TypeAlias = Literal["year_ago", "previous"]


def _filter_categories(incidents: ibis.Table,
                       offence_categories: Sequence[str] | None) -> ibis.Table:
    if offence_categories is None:
        return incidents
    categories = list(offence_categories)
    if not categories:
        raise AnalysisInputError("offence_categories must name at least one category (or None)")
    return incidents.filter(incidents.offence_category.isin(categories))


def _window_counts(incidents: ibis.Table, windows: ChangeWindows,
                   keys: Sequence[str]) -> pd.DataFrame:
    """``*keys, current, past`` counted in one engine scan."""
    start = min(windows.current_start, windows.past_start)
    scanned = incidents.filter(within_dates(incidents.occurred_at, start, windows.current_end))
    aggregates = {
        "current": count_sum(within_dates(scanned.occurred_at, windows.current_start,
                                          windows.current_end)),
        "past": count_sum(within_dates(scanned.occurred_at, windows.past_start,
                                       windows.past_end)),
    }
    return scanned.group_by(list(keys)).aggregate(**aggregates).to_pandas()


def _rank(values: pd.Series) -> pd.Series:
    """1 for the largest value; ties share the best rank; NaN ranks last."""
    return values.rank(ascending=False, method="min", na_option="bottom").astype("int64")


def neighbourhood_hot_spots(
    incidents: ibis.Table,
    population: ibis.Table,
    neighbourhoods: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 28,
    compare_with: CompareWith = "year_ago",
    offence_categories: Sequence[str] | None = None,
    minimum_base: int = 10,
    z_threshold: float = 3.0,
    adjustment: Adjustment = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Neighbourhoods ranked by rate per 1,000 residents and by change, over ``days`` days.

    Every neighbourhood in ``neighbourhoods`` appears (0 where it had no incidents), and so
    does a neighbourhood id of the incidents that the table lacks (no name, division or
    population: a crime export loaded without its neighbourhoods); incidents with no
    neighbourhood are not counted. The rate uses the population of ``as_of``'s year
    (or the latest earlier year available). The change compares the window with
    :func:`change_windows` and carries the statistics of
    :func:`~workbench.analysis.crime.change_statistics`, with p-values adjusted across all the
    neighbourhoods ranked (so ``significant`` allows for having looked at every one).

    Returns:
        ``neighbourhood_id, name, division, current, past, population, rate_per_1000,
        rate_rank, change, percent_change, small_base, z, flagged, p_value, p_value_adjusted,
        significant, direction, change_rank`` (``change_rank`` 1 = largest z), sorted by
        ``change_rank``.
    """
    require_columns(incidents, ["occurred_at", "neighbourhood_id"], "incidents")
    require_columns(neighbourhoods, ["neighbourhood_id", "name", "division"], "neighbourhoods")
    windows = change_windows(as_of, days, compare_with)
    located = _filter_categories(incidents, offence_categories)
    located = located.filter(located.neighbourhood_id.notnull())
    counts = _window_counts(located, windows, ["neighbourhood_id"])
    places = neighbourhoods.select("neighbourhood_id", "name", "division").to_pandas()
    frame = places.merge(counts, on="neighbourhood_id", how="outer")
    frame[["current", "past"]] = frame[["current", "past"]].fillna(0).astype("int64")

    people = population_by_geography(population, neighbourhoods, geography="neighbourhood")
    if len(people):
        lookup = population_for_years(people, [as_of.year], "neighbourhood_id")
        frame = frame.merge(lookup[["neighbourhood_id", "population"]], on="neighbourhood_id",
                            how="left")
    else:
        frame["population"] = np.nan
    frame["population"] = frame["population"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["rate_per_1000"] = np.where(frame["population"] > 0,
                                          frame["current"] / frame["population"] * 1_000, np.nan)
    frame["rate_rank"] = _rank(frame["rate_per_1000"])
    frame["current_days"] = days
    frame["past_days"] = days
    frame = change_statistics(frame, minimum_base=minimum_base, z_threshold=z_threshold,
                              adjustment=adjustment, alpha=alpha)
    frame["change_rank"] = _rank(frame["z"])
    return frame.sort_values(["change_rank", "neighbourhood_id"]).reset_index(drop=True)[
        ["neighbourhood_id", "name", "division", "current", "past", "population",
         "rate_per_1000", "rate_rank", "change", "percent_change", "small_base", "z", "flagged",
         "p_value", "p_value_adjusted", "significant", "direction", "change_rank"]]


def grid_hot_spots(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 28,
    cell_metres: float = 500.0,
    origin: tuple[float, float] | None = None,
    compare_with: CompareWith = "year_ago",
    offence_categories: Sequence[str] | None = None,
    minimum_base: int = 10,
    z_threshold: float = 3.0,
    adjustment: Adjustment = "holm",
    alpha: float = 0.05,
    top: int | None = 50,
) -> pd.DataFrame:
    """Square grid cells (about ``cell_metres`` on a side) ranked by count and by change.

    Cells are counted in the engine from ``latitude``/``longitude`` (rows without both are
    left out): ``row = ⌊(lat − lat₀)·m/cell⌋``, ``column = ⌊(lon − lon₀)·m·cos(lat₀)/cell⌋``
    with ``m`` metres per degree and ``origin = (lat₀, lon₀)`` (default: the south-west corner
    of the incidents in the two windows, found in the engine). A cell appears when it has an
    incident in either window. P-values are adjusted across every cell that appears, then the
    ``top`` cells by ``change_rank`` are returned (None: all).

    Returns:
        ``cell_row, cell_column, centre_latitude, centre_longitude, current, past, count_rank,
        change, percent_change, small_base, z, flagged, p_value, p_value_adjusted,
        significant, direction, change_rank``.
    """
    require_columns(incidents, ["occurred_at", "latitude", "longitude"], "incidents")
    if not cell_metres > 0:
        raise AnalysisInputError(f"cell_metres must be positive; got {cell_metres}")
    windows = change_windows(as_of, days, compare_with)
    located = _filter_categories(incidents, offence_categories)
    located = located.filter(
        located.latitude.notnull() & located.longitude.notnull()
        & within_dates(located.occurred_at, min(windows.current_start, windows.past_start),
                       windows.current_end))
    if origin is None:
        corner = located.aggregate(lat=located.latitude.min(),
                                   lon=located.longitude.min()).to_pandas().iloc[0]
        if pd.isna(corner["lat"]):
            return pd.DataFrame(columns=["cell_row", "cell_column", "centre_latitude",
                                         "centre_longitude", "current", "past", "count_rank",
                                         "change", "percent_change", "small_base", "z",
                                         "flagged", "p_value", "p_value_adjusted",
                                         "significant", "direction", "change_rank"])
        origin = (float(corner["lat"]), float(corner["lon"]))
    latitude_origin, longitude_origin = origin
    latitude_step = degrees_of_latitude(cell_metres)
    longitude_step = degrees_of_longitude(cell_metres, latitude=latitude_origin)
    cells = located.mutate(
        cell_row=((located.latitude - latitude_origin) / latitude_step).floor().cast("int64"),
        cell_column=((located.longitude - longitude_origin) / longitude_step).floor()
        .cast("int64"),
    )
    frame = _window_counts(cells, windows, ["cell_row", "cell_column"])
    frame[["current", "past"]] = frame[["current", "past"]].fillna(0).astype("int64")
    frame["centre_latitude"] = latitude_origin + (frame["cell_row"] + 0.5) * latitude_step
    frame["centre_longitude"] = longitude_origin + (frame["cell_column"] + 0.5) * longitude_step
    frame["count_rank"] = _rank(frame["current"].astype(float))
    frame = change_statistics(frame, minimum_base=minimum_base, z_threshold=z_threshold,
                              adjustment=adjustment, alpha=alpha)
    frame["change_rank"] = _rank(frame["z"])
    frame = frame.sort_values(["change_rank", "cell_row", "cell_column"]).reset_index(drop=True)
    if top is not None:
        frame = frame.head(top)
    return frame[["cell_row", "cell_column", "centre_latitude", "centre_longitude", "current",
                  "past", "count_rank", "change", "percent_change", "small_base", "z",
                  "flagged", "p_value", "p_value_adjusted", "significant", "direction",
                  "change_rank"]]


def neighbourhood_features(neighbourhoods: ibis.Table) -> list[dict[str, Any]]:
    """GeoJSON features for the neighbourhood boundaries (for a choropleth map).

    Each feature has ``id`` and ``properties`` ``neighbourhood_id``, ``name``, ``division``
    and the geometry parsed from ``boundary_geojson``. Neighbourhoods without a boundary are
    left out (they cannot be drawn).

    Raises:
        AnalysisInputError: a boundary that is not GeoJSON (names the neighbourhood).
    """
    require_columns(neighbourhoods, ["neighbourhood_id", "name", "division", "boundary_geojson"],
                    "neighbourhoods")
    rows = neighbourhoods.select("neighbourhood_id", "name", "division",
                                 "boundary_geojson").to_pandas()
    features = []
    for row in rows.sort_values("neighbourhood_id").itertuples(index=False):
        if row.boundary_geojson is None or (isinstance(row.boundary_geojson, float)
                                            and math.isnan(row.boundary_geojson)):
            continue
        try:
            geometry = json.loads(row.boundary_geojson)
        except json.JSONDecodeError as error:
            raise AnalysisInputError(
                f"neighbourhoods.boundary_geojson of {row.neighbourhood_id!r} is not JSON: "
                f"{error}") from None
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon",
                                                                          "MultiPolygon"):
            raise AnalysisInputError(
                f"neighbourhoods.boundary_geojson of {row.neighbourhood_id!r} must be a "
                "GeoJSON Polygon or MultiPolygon")
        features.append({
            "type": "Feature",
            "id": row.neighbourhood_id,
            "properties": {"neighbourhood_id": row.neighbourhood_id, "name": row.name,
                           "division": row.division},
            "geometry": geometry,
        })
    return features


def intervention_effect(
    incidents: ibis.Table,
    *,
    treated: Sequence[str],
    control: Sequence[str],
    intervention_date: dt.date,
    days: int,
    as_of: dt.date,
    displacement: Sequence[str] = (),
    displacement_control: Sequence[str] = (),
    offence_categories: Sequence[str] | None = None,
    area_column: str = "neighbourhood_id",
    level: float = 0.90,
) -> pd.DataFrame:
    """Weighted displacement difference (Wheeler & Ratcliffe 2018) for a place-based intervention.

    Counts incidents in the treated, control (and optional displacement buffer and its
    control) areas over the ``days`` days before ``intervention_date`` and the ``days`` days
    from it, then applies :func:`workbench.stats.weighted_displacement_difference` (or the
    displacement variant): ``WDD = (T1 − T0) − (C1 − C0) [+ (D1 − D0) − (Cd1 − Cd0)]``,
    variance the sum of the counts. Negative: fewer crimes than the control trend predicts.

    Args:
        treated, control: area ids (values of ``area_column``); non-empty and disjoint.
        intervention_date: first day of the "after" window.
        days: length of each window; the after window must have ended by ``as_of``.
        displacement, displacement_control: buffer areas around the treated and control
            areas, both or neither.
        offence_categories: restrict to these categories (default: all).
        area_column: ``"neighbourhood_id"`` (default) or ``"division"``.
        level: confidence level of the interval (0.90, the paper's choice).

    Returns:
        One row: the window dates, ``treated_before, treated_after, control_before,
        control_after`` (and the displacement counts), ``wdd, standard_error, z, lower,
        upper, level``.
    """
    require_positive_days("days", days)
    require_columns(incidents, ["occurred_at", area_column], "incidents")
    sets = {"treated": list(treated), "control": list(control),
            "displacement": list(displacement),
            "displacement_control": list(displacement_control)}
    for name in ("treated", "control"):
        if not sets[name]:
            raise AnalysisInputError(f"{name} must name at least one area")
    if bool(sets["displacement"]) != bool(sets["displacement_control"]):
        raise AnalysisInputError("give displacement and displacement_control together")
    seen: dict[str, str] = {}
    for name, areas in sets.items():
        for area in areas:
            if area in seen and seen[area] != name:
                raise AnalysisInputError(
                    f"area {area!r} is in both {seen[area]} and {name}; the sets must not overlap")
            seen[area] = name
    before_start = intervention_date - dt.timedelta(days=days)
    before_end = intervention_date - dt.timedelta(days=1)
    after_end = intervention_date + dt.timedelta(days=days - 1)
    if after_end > as_of:
        raise AnalysisInputError(
            f"the after window ends {after_end}, after as_of {as_of}: shorten days or wait")

    source = _filter_categories(incidents, offence_categories)
    source = source.filter(source[area_column].isin(list(seen))
                           & within_dates(source.occurred_at, before_start, after_end))
    group = ibis.cases(*((source[area_column].isin(areas), name)
                         for name, areas in sets.items() if areas))
    labelled = source.mutate(area_set=group)
    counts = labelled.group_by("area_set").aggregate(
        before=count_sum(within_dates(labelled.occurred_at, before_start, before_end)),
        after=count_sum(within_dates(labelled.occurred_at, intervention_date, after_end)),
    ).to_pandas().set_index("area_set")

    def count(name: str, when: str) -> int:
        return int(counts.loc[name, when]) if name in counts.index else 0

    row: dict[str, Any] = {
        "before_start": before_start, "before_end": before_end,
        "after_start": intervention_date, "after_end": after_end,
        "treated_before": count("treated", "before"), "treated_after": count("treated", "after"),
        "control_before": count("control", "before"), "control_after": count("control", "after"),
    }
    if sets["displacement"]:
        row.update({
            "displacement_before": count("displacement", "before"),
            "displacement_after": count("displacement", "after"),
            "displacement_control_before": count("displacement_control", "before"),
            "displacement_control_after": count("displacement_control", "after"),
        })
        result = stats.weighted_displacement_difference_with_displacement(
            row["treated_before"], row["treated_after"], row["control_before"],
            row["control_after"], row["displacement_before"], row["displacement_after"],
            row["displacement_control_before"], row["displacement_control_after"], level=level)
    else:
        result = stats.weighted_displacement_difference(
            row["treated_before"], row["treated_after"], row["control_before"],
            row["control_after"], level=level)
    row.update({"wdd": result.wdd, "standard_error": result.standard_error, "z": result.z,
                "lower": result.lower, "upper": result.upper, "level": result.level})
    return pd.DataFrame([row])
