"""Repeat locations and repeat victims, and how concentrated crime is among them (the "80/20"
curve: the share of incidents at the busiest x % of places).

Counting is done in the engine (one group-by). A *location* is the source's address key when
the table has one (``location_key``), else the exact coordinates (a geocoded address or block
centroid: incidents at the same point are at the same place). A *victim* needs a victim key;
the canonical ``incidents`` table has none (it holds no personal identifiers), so
:func:`repeat_victims` says so plainly unless a source supplies one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from workbench.analysis._common import (
    AnalysisInputError,
    require_columns,
    require_positive_days,
    within_dates,
)

__all__ = [
    "VICTIM_KEY_COLUMN",
    "concentration_curve",
    "concentration_summary",
    "has_victim_key",
    "repeat_locations",
    "repeat_victims",
]

#: The column a source would need to supply for repeat-victim analysis (not in the schema).
VICTIM_KEY_COLUMN = "victim_key"


def _scoped(incidents: ibis.Table, as_of: dt.date, days: int, division: str | None,
            offence_categories: Sequence[str] | None) -> ibis.Table:
    require_columns(incidents, ["occurred_at"], "incidents")
    require_positive_days("days", days)
    rows = incidents.filter(within_dates(incidents.occurred_at,
                                         as_of - dt.timedelta(days=days - 1), as_of))
    if division is not None:
        require_columns(incidents, ["division"], "incidents")
        rows = rows.filter(rows.division == division)
    if offence_categories is not None:
        categories = list(offence_categories)
        if not categories:
            raise AnalysisInputError("offence_categories must name at least one category")
        rows = rows.filter(rows.offence_category.isin(categories))
    return rows


def _place_key(rows: ibis.Table) -> tuple[ibis.Table, str]:
    """The rows with a ``place`` column (address key, else exact coordinates), located only."""
    if "location_key" in rows.columns:
        located = rows.filter(rows.location_key.notnull())
        return located.mutate(place=located.location_key), "location_key"
    require_columns(rows, ["latitude", "longitude"], "incidents")
    located = rows.filter(rows.latitude.notnull() & rows.longitude.notnull())
    place = (located.latitude.round(6).cast("string") + ","
             + located.longitude.round(6).cast("string"))
    return located.mutate(place=place), "coordinates"


def repeat_locations(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 365,
    division: str | None = None,
    offence_categories: Sequence[str] | None = None,
    minimum_incidents: int = 2,
    top: int | None = 50,
) -> pd.DataFrame:
    """Places with ``minimum_incidents`` or more incidents in the window, busiest first.

    Returns:
        ``place`` (address key or ``"lat,lon"``), ``place_kind`` (``location_key`` or
        ``coordinates``), ``latitude, longitude, neighbourhood_id, incidents,
        offence_categories`` (distinct, comma-separated), ``first_occurred_at,
        last_occurred_at, rank`` (1 = busiest; ties share a rank); at most ``top`` rows.
    """
    if int(minimum_incidents) != minimum_incidents or minimum_incidents < 1:
        raise AnalysisInputError(
            f"minimum_incidents must be a whole number ≥ 1; got {minimum_incidents}")
    rows, kind = _place_key(_scoped(incidents, as_of, days, division, offence_categories))
    extra = {name: rows[name].arbitrary() for name in ("latitude", "longitude",
                                                       "neighbourhood_id")
             if name in rows.columns}
    grouped = rows.group_by("place").aggregate(
        incidents=rows.count(),
        first_occurred_at=rows.occurred_at.min(),
        last_occurred_at=rows.occurred_at.max(),
        **extra,
    )
    grouped = grouped.filter(grouped.incidents >= int(minimum_incidents))
    frame = grouped.order_by([ibis.desc("incidents"), "place"])
    if top is not None:
        frame = frame.limit(int(top))
    result = frame.to_pandas()
    categories = (rows.filter(rows.place.isin(result["place"].tolist()))
                  .select("place", "offence_category").distinct().to_pandas()
                  if len(result) else pd.DataFrame(columns=["place", "offence_category"]))
    listed = (categories.sort_values("offence_category").groupby("place")["offence_category"]
              .agg(", ".join))
    result["offence_categories"] = result["place"].map(listed)
    result["place_kind"] = kind
    result["rank"] = result["incidents"].rank(ascending=False, method="min").astype("int64")
    columns = ["place", "place_kind", "latitude", "longitude", "neighbourhood_id", "incidents",
               "offence_categories", "first_occurred_at", "last_occurred_at", "rank"]
    for column in columns:
        if column not in result.columns:
            result[column] = None
    return result[columns]


def has_victim_key(incidents: ibis.Table) -> bool:
    """Whether the incidents carry a victim key (:data:`VICTIM_KEY_COLUMN`)."""
    return VICTIM_KEY_COLUMN in incidents.columns


def repeat_victims(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 365,
    division: str | None = None,
    offence_categories: Sequence[str] | None = None,
    minimum_incidents: int = 2,
) -> pd.DataFrame:
    """Victims (by an opaque victim key) with ``minimum_incidents`` or more incidents.

    Returns ``victim_key, incidents, first_occurred_at, last_occurred_at``, most first.
    Person-level: for restricted outputs only.

    Raises:
        AnalysisInputError: the table has no victim key. The canonical schema holds none (no
            personal identifiers), so repeat victimisation can only be measured on a source
            that supplies an opaque ``victim_key``; use :func:`has_victim_key` to check first.
    """
    if not has_victim_key(incidents):
        raise AnalysisInputError(
            f"the incidents table has no {VICTIM_KEY_COLUMN!r} column, so repeat victims cannot "
            "be counted (the canonical schema keeps no victim identifiers); repeat locations "
            "are available instead")
    rows = _scoped(incidents, as_of, days, division, offence_categories)
    rows = rows.filter(rows[VICTIM_KEY_COLUMN].notnull())
    grouped = rows.group_by(VICTIM_KEY_COLUMN).aggregate(
        incidents=rows.count(), first_occurred_at=rows.occurred_at.min(),
        last_occurred_at=rows.occurred_at.max())
    grouped = grouped.filter(grouped.incidents >= int(minimum_incidents))
    return grouped.order_by([ibis.desc("incidents"), VICTIM_KEY_COLUMN]).to_pandas()


def concentration_curve(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 365,
    division: str | None = None,
    offence_categories: Sequence[str] | None = None,
    by: str = "location",
) -> pd.DataFrame:
    """The cumulative share of incidents held by the busiest places (or victims).

    Units (places with at least one incident, or victims) are ranked by incidents, busiest
    first. Returns one row per unit: ``rank, incidents, share_of_units`` (rank ÷ units),
    ``share_of_incidents`` (cumulative). Read "the top 20 % of places hold X % of incidents"
    at ``share_of_units = 0.2``; a uniform spread would give a straight diagonal. Only the
    counts per unit come back from the engine.

    Args:
        by: ``"location"`` (address key or exact coordinates) or ``"victim"`` (needs a victim
            key; see :func:`repeat_victims`).
    """
    if by not in ("location", "victim"):
        raise AnalysisInputError(f"by must be 'location' or 'victim'; got {by!r}")
    rows = _scoped(incidents, as_of, days, division, offence_categories)
    if by == "location":
        rows, _ = _place_key(rows)
        key = "place"
    else:
        if not has_victim_key(incidents):
            raise AnalysisInputError(
                f"the incidents table has no {VICTIM_KEY_COLUMN!r} column: no victim "
                "concentration can be measured (the canonical schema keeps no victim "
                "identifiers)")
        rows = rows.filter(rows[VICTIM_KEY_COLUMN].notnull())
        key = VICTIM_KEY_COLUMN
    counts = rows.group_by(key).aggregate(incidents=rows.count()).to_pandas()
    values = np.sort(counts["incidents"].to_numpy(dtype=np.int64))[::-1]
    units = len(values)
    total = values.sum()
    return pd.DataFrame({
        "rank": np.arange(1, units + 1, dtype=np.int64),
        "incidents": values,
        "share_of_units": np.arange(1, units + 1) / max(units, 1),
        "share_of_incidents": np.cumsum(values) / total if total else np.zeros(units),
    })


def concentration_summary(curve: pd.DataFrame,
                          unit_shares: Sequence[float] = (0.01, 0.05, 0.1, 0.2, 0.5),
                          ) -> pd.DataFrame:
    """Points read off a :func:`concentration_curve`: the share of incidents at the busiest
    ``unit_shares`` of units (e.g. 0.2 → "the top 20 % of places hold 61 %"), plus the share
    of units that hold half and 80 % of incidents.

    Returns ``measure, share_of_units, share_of_incidents``.
    """
    rows = []
    units = len(curve)
    for share in unit_shares:
        if not 0 < share <= 1:
            raise AnalysisInputError(f"unit shares must lie in (0, 1]; got {share}")
        top = int(np.floor(share * units))
        held = float(curve["share_of_incidents"].iloc[top - 1]) if top else 0.0
        rows.append({"measure": f"top {share:.0%} of units", "share_of_units": share,
                     "share_of_incidents": held})
    for target in (0.5, 0.8):
        reached = np.flatnonzero(curve["share_of_incidents"].to_numpy() >= target - 1e-12)
        needed = float(curve["share_of_units"].iloc[reached[0]]) if len(reached) else np.nan
        rows.append({"measure": f"units holding {target:.0%} of incidents",
                     "share_of_units": needed, "share_of_incidents": target})
    return pd.DataFrame(rows)
