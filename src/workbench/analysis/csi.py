"""Crime Severity Index (Statistics Canada method) for the service, divisions and neighbourhoods.

Each offence carries a weight (incarceration rate × average custodial sentence in days, from
court data; refreshed every five years). For a year and an area::

    raw index = Σ (weight × incidents) / population × 100,000
    CSI       = raw index × scale

Statistics Canada scales its index so that Canada in 2006 = 100 and does not publish the
constant, so ``scale`` is calibrated: :func:`calibrate_csi_scale` picks the constant that makes
the service's raw index for a chosen year equal its published CSI. The violent and non-violent
sub-indices (offences with ``offence_codes.violent`` true / false) have their own constants.

Weights are read from the warehouse's ``offence_codes`` table (``csi_weight``, ``violent``,
``weights_version``), loaded from the versioned data file, never from code. Values below the
police-service level are not published by Statistics Canada and carry ``official = False`` and
the label ``"unofficial"``.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Sequence
from typing import Literal

import ibis
import numpy as np
import pandas as pd

from workbench.analysis._common import (
    AnalysisInputError,
    InsufficientDataError,
    population_for_years,
    require_columns,
    within_dates,
)
from workbench.analysis.crime import Geography, population_by_geography

__all__ = [
    "calibrate_csi_scale",
    "crime_severity_index",
    "csi_change_drivers",
    "last_complete_year",
]

_GEOGRAPHY_COLUMN = {"service": None, "division": "division", "neighbourhood": "neighbourhood_id"}
_PER = 100_000


def calibrate_csi_scale(raw_index: float, published_value: float) -> float:
    """The scaling constant that turns ``raw_index`` into ``published_value``.

    Compute the service's raw index for a base year with ``scale=1`` and pass it here with that
    year's published CSI (e.g. Ottawa 2022: 52.9); use the result as ``scale`` for every year
    and area. Calibrate the violent and non-violent sub-indices separately with their own
    published values when you have them.

    Raises:
        AnalysisInputError: if either value is not a positive finite number.
    """
    for name, value in (("raw_index", raw_index), ("published_value", published_value)):
        if not (isinstance(value, numbers.Real) and math.isfinite(value) and value > 0):
            raise AnalysisInputError(f"{name} must be a positive number; got {value!r}")
    return float(published_value) / float(raw_index)


def last_complete_year(as_of: dt.date) -> int:
    """The latest calendar year that has ended on or before ``as_of``."""
    return as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1


def _require_complete(year: int, as_of: dt.date) -> None:
    if year > last_complete_year(as_of):
        raise AnalysisInputError(
            f"year {year} is not complete on as_of {as_of}; the CSI is annual — use a year up "
            f"to {last_complete_year(as_of)}"
        )


def _weighted_counts(
    incidents: ibis.Table,
    offence_codes: ibis.Table,
    *,
    first_year: int,
    last_year: int,
    keys: Sequence[str],
) -> pd.DataFrame:
    """Per ``keys`` and year and violent flag: incidents, incidents with a weight, weight sum.

    The engine counts incidents per ``keys``, year and offence code first and joins the
    (small) ``offence_codes`` table to those counts, not to every incident: the join then
    touches a few thousand rows instead of millions, with the same sums."""
    require_columns(incidents, ["occurred_at", "offence_code"], "incidents")
    require_columns(offence_codes, ["offence_code", "csi_weight", "violent", "weights_version"],
                    "offence_codes")
    window = incidents.filter(within_dates(incidents.occurred_at, dt.date(first_year, 1, 1),
                                           dt.date(last_year, 12, 31)))
    dated = window.mutate(year=window.occurred_at.year().cast("int64"))
    code_keys = list(dict.fromkeys([*keys, "offence_code"]))
    per_code = dated.group_by([*code_keys, "year"]).aggregate(code_incidents=dated.count())
    codes = offence_codes.select(
        weight_code=offence_codes.offence_code,
        weight=offence_codes.csi_weight,
        violent_offence=offence_codes.violent,
    )
    joined = per_code.left_join(codes, per_code.offence_code == codes.weight_code)
    grouped = joined.group_by([*keys, "year", "violent_offence"]).aggregate(
        incidents=joined.code_incidents.sum(),
        weighted_incidents=ibis.ifelse(joined.weight.notnull(), joined.code_incidents, 0).sum(),
        weight_sum=(joined.weight * joined.code_incidents).sum(),
    )
    frame = grouped.to_pandas()
    frame["weight_sum"] = frame["weight_sum"].fillna(0.0).astype(float)
    for column in ("year", "incidents", "weighted_incidents"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def _years_text(years: Sequence[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def _weights_version(offence_codes: ibis.Table) -> str:
    versions = offence_codes.select("weights_version").distinct().to_pandas()["weights_version"]
    return ",".join(sorted(str(v) for v in versions.dropna()))


def _require_geography(geography: str) -> str | None:
    if geography not in _GEOGRAPHY_COLUMN:
        raise AnalysisInputError(
            f"geography must be one of {', '.join(_GEOGRAPHY_COLUMN)}; got {geography!r}")
    return _GEOGRAPHY_COLUMN[geography]


def crime_severity_index(
    incidents: ibis.Table,
    offence_codes: ibis.Table,
    population: ibis.Table,
    neighbourhoods: ibis.Table,
    *,
    as_of: dt.date,
    years: int | Sequence[int] = 5,
    geography: Geography = "service",
    scale: float = 1.0,
    violent_scale: float | None = None,
    non_violent_scale: float | None = None,
) -> pd.DataFrame:
    """Total, violent and non-violent Crime Severity Index per year and area.

    Args:
        incidents: canonical ``incidents`` (``offence_code`` joins ``offence_codes``).
        offence_codes: the ``offence_codes`` table with ``csi_weight`` and ``violent``.
        population, neighbourhoods: denominators (a division is the sum of its
            neighbourhoods; the service the sum of all).
        as_of: report date; only calendar years complete on it are allowed.
        years: how many complete years ending at the last one before ``as_of`` (default 5),
            or an explicit list of complete years.
        geography: ``"service"``, ``"division"`` or ``"neighbourhood"``.
        scale: calibration constant for the total index (see :func:`calibrate_csi_scale`).
        violent_scale, non_violent_scale: constants for the sub-indices (default ``scale``).

    Returns:
        One row per year (and area): ``year, [division|neighbourhood_id], incidents,
        weighted_incidents, weight_coverage`` (share of incidents whose offence code has a
        weight — the rest cannot count), ``weight_sum, violent_weight_sum,
        non_violent_weight_sum, population, population_year, raw_index, csi, violent_csi,
        non_violent_csi, scale, official, label, weights_version``. ``official`` is true only
        for the service (the level Statistics Canada publishes; the value is a reproduction,
        comparable with the published series when ``scale`` was calibrated); sub-city rows are
        ``official = False``, ``label = "unofficial"``. Areas with a population appear even
        without incidents (index 0).
    """
    column = _require_geography(geography)
    if isinstance(years, int):
        if years < 1:
            raise AnalysisInputError(f"years must be at least 1; got {years}")
        last = last_complete_year(as_of)
        year_list = list(range(last - years + 1, last + 1))
    else:
        year_list = sorted({int(y) for y in years})
        if not year_list:
            raise AnalysisInputError("years must name at least one year")
        for year in year_list:
            _require_complete(year, as_of)
    for name, value in (("scale", scale), ("violent_scale", violent_scale),
                        ("non_violent_scale", non_violent_scale)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise AnalysisInputError(f"{name} must be a positive number; got {value!r}")
    keys = [column] if column else []
    if column:
        require_columns(incidents, [column], "incidents")
    source = incidents.filter(incidents[column].notnull()) if column else incidents
    counts = _weighted_counts(source, offence_codes, first_year=year_list[0],
                              last_year=year_list[-1], keys=keys)
    counts = counts[counts["year"].isin(year_list)]
    violent = counts["violent_offence"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    counts = counts.assign(
        violent_weight_sum=np.where(violent, counts["weight_sum"], 0.0),
        non_violent_weight_sum=np.where(violent, 0.0, counts["weight_sum"]),
    )
    totals = counts.groupby([*keys, "year"], dropna=False, as_index=False)[
        ["incidents", "weighted_incidents", "weight_sum", "violent_weight_sum",
         "non_violent_weight_sum"]].sum()

    if len(totals) and not totals["weighted_incidents"].any():
        raise InsufficientDataError(
            f"none of the {int(totals['incidents'].sum()):,} incidents of "
            f"{_years_text(year_list)} has an offence code with a CSI weight (the source "
            "gives no offence codes, or codes the weights file does not list)")
    people = population_by_geography(population, neighbourhoods, geography=geography)
    lookup = population_for_years(people, year_list, column)
    frame = lookup.merge(totals, on=[*keys, "year"], how="left")
    for name in ("incidents", "weighted_incidents"):
        frame[name] = frame[name].fillna(0).astype("int64")
    for name in ("weight_sum", "violent_weight_sum", "non_violent_weight_sum"):
        frame[name] = frame[name].fillna(0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["weight_coverage"] = frame["weighted_incidents"] / frame["incidents"]
        per_person = _PER / frame["population"].astype(float)
    frame["raw_index"] = frame["weight_sum"] * per_person
    frame["csi"] = frame["raw_index"] * scale
    frame["violent_csi"] = frame["violent_weight_sum"] * per_person * (violent_scale or scale)
    frame["non_violent_csi"] = (frame["non_violent_weight_sum"] * per_person
                                * (non_violent_scale or scale))
    frame["scale"] = scale
    frame["official"] = column is None
    frame["label"] = "service" if column is None else "unofficial"
    frame["weights_version"] = _weights_version(offence_codes)
    return frame[["year", *keys, "incidents", "weighted_incidents", "weight_coverage",
                  "weight_sum", "violent_weight_sum", "non_violent_weight_sum", "population",
                  "population_year", "raw_index", "csi", "violent_csi", "non_violent_csi",
                  "scale", "official", "label", "weights_version"]].sort_values(
        [*keys, "year"]).reset_index(drop=True)


def csi_change_drivers(
    incidents: ibis.Table,
    offence_codes: ibis.Table,
    population: ibis.Table,
    neighbourhoods: ibis.Table,
    *,
    as_of: dt.date,
    year: int | None = None,
    geography: Geography = "service",
    area: str | None = None,
    by: Literal["offence_category", "offence_code"] = "offence_category",
    scale: float = 1.0,
) -> pd.DataFrame:
    """Which offences drive the year-over-year change in the (total) CSI of one area.

    The index is a sum over offences, so its change splits exactly into one contribution per
    offence group::

        contribution = scale × 100,000 × (W_group,year / P_year − W_group,year−1 / P_year−1)

    where ``W`` is the weight sum (weight × incidents) and ``P`` the population. The
    contributions add up to the change in the index.

    Args:
        as_of: report date; ``year`` (default: the last complete year) must be complete on it.
        geography, area: the area: the service (``area`` None), or one division or
            neighbourhood id.
        by: ``"offence_category"`` or ``"offence_code"`` (incidents' own columns).
        scale: the calibration constant used for the index.

    Returns:
        ``[by], incidents_previous, incidents_current, weight_sum_previous,
        weight_sum_current, contribution, share_of_change, csi_change`` sorted by the size of
        the contribution (largest first). ``share_of_change`` is ``contribution /
        csi_change`` (NaN when the index did not change); contributions of opposite sign to
        the change give negative shares.
    """
    column = _require_geography(geography)
    if by not in ("offence_category", "offence_code"):
        raise AnalysisInputError(f"by must be 'offence_category' or 'offence_code'; got {by!r}")
    if (column is None) != (area is None):
        raise AnalysisInputError(
            "give area (a division or neighbourhood id) exactly when geography is not 'service'")
    current_year = last_complete_year(as_of) if year is None else int(year)
    _require_complete(current_year, as_of)
    require_columns(incidents, [by], "incidents")
    source = incidents.filter(incidents[column] == area) if column else incidents
    counts = _weighted_counts(source, offence_codes, first_year=current_year - 1,
                              last_year=current_year, keys=[by])
    people = population_by_geography(population, neighbourhoods, geography=geography)
    if column:
        people = people[people[column] == area]
        if people.empty:
            raise AnalysisInputError(f"no population for {geography} {area!r}")
    lookup = population_for_years(people, [current_year - 1, current_year], column)
    population_of = dict(zip(lookup["year"], lookup["population"].astype(float), strict=True))

    pivot = counts.groupby([by, "year"], as_index=False)[["incidents", "weight_sum"]].sum()
    wide = pivot.pivot_table(index=by, columns="year", values=["incidents", "weight_sum"],
                             fill_value=0, aggfunc="sum")
    result = pd.DataFrame(index=wide.index)
    for label, y in (("previous", current_year - 1), ("current", current_year)):
        result[f"incidents_{label}"] = (wide[("incidents", y)] if ("incidents", y) in wide
                                        else 0)
        result[f"weight_sum_{label}"] = (wide[("weight_sum", y)] if ("weight_sum", y) in wide
                                         else 0.0)
    result["incidents_previous"] = result["incidents_previous"].astype("int64")
    result["incidents_current"] = result["incidents_current"].astype("int64")
    result["contribution"] = scale * _PER * (
        result["weight_sum_current"] / population_of[current_year]
        - result["weight_sum_previous"] / population_of[current_year - 1]
    )
    change = float(result["contribution"].sum())
    result["share_of_change"] = result["contribution"] / change if change != 0 else np.nan
    result["csi_change"] = change
    result = result.reset_index()
    order = result["contribution"].abs().sort_values(ascending=False, kind="stable").index
    return result.loc[order].reset_index(drop=True)
