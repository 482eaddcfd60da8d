"""Traffic collisions: killed-or-seriously-injured (KSI) trends and locations ranked.

The ``collisions`` table has one row per collision and road user, with the number killed and
seriously injured on that row; KSI is their sum. Locations are ``location_name``
(intersection or road segment, never a civic address).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import pandas as pd

from workbench.analysis._common import (
    AnalysisInputError,
    as_dates,
    count_sum,
    period_table,
    require_columns,
    require_period,
    truncate_to_period,
    within_dates,
    zero_filled,
)

__all__ = ["ksi_locations", "ksi_trend"]

_MEASURES = ["records", "ksi_records", "killed", "seriously_injured", "ksi"]


def _require_window(start: dt.date, as_of: dt.date) -> None:
    if start > as_of:
        raise AnalysisInputError(f"start {start} is after as_of {as_of}")


def _ksi_aggregates(table: ibis.Table) -> dict[str, ibis.Scalar]:
    killed = table.killed.fill_null(0)
    injured = table.seriously_injured.fill_null(0)
    return {
        "records": table.count(),
        "ksi_records": count_sum((killed + injured) > 0),
        "killed": killed.sum().fill_null(0),
        "seriously_injured": injured.sum().fill_null(0),
    }


def ksi_trend(
    collisions: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    period: str = "year",
    by: Sequence[str] = ("road_user",),
) -> pd.DataFrame:
    """People killed or seriously injured per period (by occurrence date) and group.

    Returns:
        ``period_start, *by, records`` (collision × road-user rows), ``ksi_records`` (rows
        with a KSI casualty), ``killed, seriously_injured, ksi, complete``; zero-filled over
        periods for every group seen in the window (a NULL road user is its own group).
    """
    by = list(by)
    require_period(period)
    require_columns(collisions, ["occurred_at", "killed", "seriously_injured", *by],
                    "collisions")
    _require_window(start, as_of)
    window = collisions.filter(within_dates(collisions.occurred_at, start, as_of))
    bucketed = window.mutate(period_start=truncate_to_period(window.occurred_at, period))
    grouped = bucketed.group_by(["period_start", *by]).aggregate(
        **_ksi_aggregates(bucketed)).to_pandas()
    grouped["period_start"] = as_dates(grouped["period_start"])
    grouped["ksi"] = grouped["killed"] + grouped["seriously_injured"]
    periods = period_table(start, as_of, period)
    frame = zero_filled(grouped, period_column="period_start",
                        period_values=list(periods["period_start"]), group_columns=by,
                        value_columns=_MEASURES)
    frame = frame.merge(periods, on="period_start", how="left")
    return frame[["period_start", *by, *_MEASURES, "complete"]]


def ksi_locations(
    collisions: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    top: int | None = 20,
    road_users: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Locations (``location_name``) ranked by people killed or seriously injured.

    Ranked by KSI, then killed, then all collision records; ties share a rank. Rows without a
    location name are left out. ``road_users`` restricts to e.g. ``("pedestrian",
    "cyclist")``.

    Returns:
        ``rank, location_name, division`` (the largest division id among its rows, for
        display), ``latitude, longitude`` (mean of the rows with coordinates), ``records,
        ksi_records, killed, seriously_injured, ksi``; the ``top`` first (None: all).
    """
    require_columns(collisions, ["occurred_at", "killed", "seriously_injured", "location_name",
                                 "division", "latitude", "longitude"], "collisions")
    _require_window(start, as_of)
    if top is not None and top < 1:
        raise AnalysisInputError(f"top must be at least 1 (or None); got {top}")
    window = collisions.filter(within_dates(collisions.occurred_at, start, as_of)
                               & collisions.location_name.notnull())
    if road_users is not None:
        require_columns(collisions, ["road_user"], "collisions")
        window = window.filter(window.road_user.isin(list(road_users)))
    grouped = window.group_by("location_name").aggregate(
        division=window.division.max(),
        latitude=window.latitude.mean(),
        longitude=window.longitude.mean(),
        **_ksi_aggregates(window),
    ).to_pandas()
    grouped["ksi"] = grouped["killed"] + grouped["seriously_injured"]
    for column in _MEASURES:
        grouped[column] = grouped[column].astype("int64")
    ordered = grouped.sort_values(["ksi", "killed", "records", "location_name"],
                                  ascending=[False, False, False, True]).reset_index(drop=True)
    keys = list(zip(ordered["ksi"], ordered["killed"], ordered["records"], strict=True))
    ranks: list[int] = []
    for position, key in enumerate(keys):
        ranks.append(ranks[-1] if position and key == keys[position - 1] else position + 1)
    ordered.insert(0, "rank", pd.Series(ranks, dtype="int64"))
    if top is not None:
        ordered = ordered.head(top)
    return ordered[["rank", "location_name", "division", "latitude", "longitude", *_MEASURES]]
