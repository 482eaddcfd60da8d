"""Repeat and near-repeat victimisation: the Knox test on the warehouse's incidents, the extent
and decay of the elevated risk, each incident labelled originator / repeat / near-repeat, and
the risk windows still open on a given day.

Method (the Near Repeat Calculator's, see :mod:`workbench.analysis.knox`): pairs of incidents
are counted by distance band × time band and compared with permutations of the times. Where the
nearest bands show significantly more pairs than chance, a burglary (say) is followed by others
close by for a while. :func:`near_repeat_extent` reads how far and how long from the table,
:func:`near_repeat_labels` marks each incident, :func:`hot_originators` lists the chains whose
risk window is still open on ``as_of`` and :func:`near_repeat_decay` estimates the half-life.

Every function takes the same scope — an ``as_of`` date, a window of ``days`` ending on it, an
optional ``division`` and offence categories — so a daily page can call them in turn. The
engine selects the rows; only the located incidents of the window come back, as small arrays.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from scipy import optimize
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from workbench.analysis._common import (
    AnalysisInputError,
    require_columns,
    require_positive_days,
    within_dates,
)
from workbench.analysis.knox import DistanceMetric, KnoxTest, band_breaks, knox_test

__all__ = [
    "DEFAULT_DISTANCE_BREAKS",
    "DEFAULT_TIME_BREAKS",
    "DecayEstimate",
    "NearRepeatExtent",
    "hot_originators",
    "located_incidents",
    "near_repeat_decay",
    "near_repeat_extent",
    "near_repeat_labels",
    "near_repeat_test",
]

#: Same location (< 1 m), then 100 m bands to 400 m: the calculator's usual set-up.
DEFAULT_DISTANCE_BREAKS = band_breaks(100, 4)
#: Four one-week bands, then "28 days or more".
DEFAULT_TIME_BREAKS = band_breaks(7, 4, same_location=None)

#: Metres per degree of latitude (mean Earth radius 6,371 km).
_METRES_PER_DEGREE = 2 * math.pi * 6_371_000 / 360
_ROLES = ("originator", "repeat", "near_repeat", "none")


# --------------------------------------------------------------------------------------------
# Selecting the incidents
# --------------------------------------------------------------------------------------------


def located_incidents(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 365,
    division: str | None = None,
    offence_categories: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The located incidents of the ``days`` days ending on ``as_of`` (selected in the engine),
    with local planar coordinates.

    Returns:
        ``incident_id, occurred_at, offence_category, division, latitude, longitude, x, y,
        day`` sorted by ``occurred_at``: ``x``/``y`` in metres east/north of the incidents'
        mean position (an equirectangular projection, exact enough within a city), ``day``
        the occurrence date as a whole number of days (the calculator's time unit).
    """
    require_columns(incidents, ["incident_id", "occurred_at", "offence_category", "division",
                                "latitude", "longitude"], "incidents")
    require_positive_days("days", days)
    start = as_of - dt.timedelta(days=days - 1)
    rows = incidents.filter(within_dates(incidents.occurred_at, start, as_of),
                            incidents.latitude.notnull(), incidents.longitude.notnull())
    if division is not None:
        rows = rows.filter(rows.division == division)
    if offence_categories is not None:
        categories = list(offence_categories)
        if not categories:
            raise AnalysisInputError("offence_categories must name at least one category")
        rows = rows.filter(rows.offence_category.isin(categories))
    frame = rows.select("incident_id", "occurred_at", "offence_category", "division",
                        "latitude", "longitude").to_pandas()
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    frame = frame.sort_values(["occurred_at", "incident_id"], kind="stable").reset_index(
        drop=True)
    return _with_planar_coordinates(frame)


def _with_planar_coordinates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    if frame.empty:
        frame["x"], frame["y"], frame["day"] = (pd.Series(dtype=float),) * 2 + (
            pd.Series(dtype="int64"),)
        return frame
    latitude0 = float(frame["latitude"].mean())
    longitude0 = float(frame["longitude"].mean())
    frame["x"] = ((frame["longitude"] - longitude0) * _METRES_PER_DEGREE
                  * math.cos(math.radians(latitude0)))
    frame["y"] = (frame["latitude"] - latitude0) * _METRES_PER_DEGREE
    epoch = pd.Timestamp("1970-01-01")
    frame["day"] = ((frame["occurred_at"].dt.normalize() - epoch).dt.days).astype("int64")
    return frame


# --------------------------------------------------------------------------------------------
# The Knox test and what it says
# --------------------------------------------------------------------------------------------


def near_repeat_test(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 365,
    division: str | None = None,
    offence_categories: Sequence[str] | None = None,
    distance_breaks: Sequence[float] = DEFAULT_DISTANCE_BREAKS,
    time_breaks: Sequence[float] = DEFAULT_TIME_BREAKS,
    metric: DistanceMetric = "manhattan",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> KnoxTest:
    """The Knox test (Near Repeat Calculator method) on the located incidents of the window.

    Distances are in metres between occurrence places (Manhattan by default, as the
    calculator), times in whole days between occurrence dates. See
    :func:`workbench.analysis.knox.knox_test` for the table returned.
    """
    points = located_incidents(incidents, as_of=as_of, days=days, division=division,
                               offence_categories=offence_categories)
    return knox_test(points["x"], points["y"], points["day"], distance_breaks=distance_breaks,
                     time_breaks=time_breaks, metric=metric, permutations=permutations,
                     seed=seed, alpha=alpha)


@dataclass(frozen=True)
class NearRepeatExtent:
    """How far and how long the elevated risk reaches, read from a Knox table.

    ``distance_metres`` and ``days`` are the outer edges of the significant cells connected to
    the nearest one (``[same_location, distance_metres)`` × ``[0, days)``); 0 when the nearest
    cell is not significant (no near-repeat pattern). ``repeat_days`` is the same for the
    same-location row (0: no repeat pattern). ``same_location_metres`` is the edge of that row.
    """

    distance_metres: float
    days: float
    repeat_days: float
    same_location_metres: float

    @property
    def near_repeat(self) -> bool:
        return self.distance_metres > 0 and self.days > 0

    @property
    def repeat(self) -> bool:
        return self.repeat_days > 0

    @property
    def window_days(self) -> float:
        """The risk window of a new incident: the longer of the two patterns."""
        return max(self.days, self.repeat_days)


def near_repeat_extent(knox: KnoxTest, *, alpha: float | None = None,
                       minimum_ratio: float = 1.2) -> NearRepeatExtent:
    """The extent of the near-repeat (and repeat) pattern in a Knox table.

    A cell counts when ``p_value ≤ alpha`` (default: the test's own alpha) and its Knox ratio
    is at least ``minimum_ratio`` (1.2: at least 20 % more pairs than chance, so a tiny excess
    in a huge sample is not called a pattern). The near-repeat extent is the block of counted
    cells joined (side by side) to the cell nearest in space and time outside the same
    location; the repeat extent is the run of counted cells from the first time band in the
    same-location row. The first distance band is taken as "same location" when it is narrower
    than 10 metres.
    """
    level = knox.alpha if alpha is None else alpha
    table = knox.table
    last_distance = math.isinf(knox.distance_breaks[-1])
    last_time = math.isinf(knox.time_breaks[-1])
    rows = len(knox.distance_breaks) - 1 - int(last_distance)  # bands with a finite edge
    columns = len(knox.time_breaks) - 1 - int(last_time)
    counted = np.zeros((rows, columns), dtype=bool)
    for cell in table.itertuples(index=False):
        if cell.distance_band < rows and cell.time_band < columns:
            counted[cell.distance_band, cell.time_band] = (
                cell.p_value <= level and cell.knox_ratio >= minimum_ratio)
    has_same_location = knox.distance_breaks[1] < 10
    same_edge = knox.distance_breaks[1] if has_same_location else 0.0
    repeat_days = 0.0
    if has_same_location and rows:
        run = _leading_run(counted[0])
        repeat_days = knox.time_breaks[run] if run else 0.0
    first = 1 if has_same_location else 0
    if rows <= first or not counted[first, 0]:
        return NearRepeatExtent(0.0, 0.0, repeat_days, same_edge)
    region = _connected_region(counted, first)
    last_row = max(r for r, _ in region)
    last_column = max(c for _, c in region)
    return NearRepeatExtent(knox.distance_breaks[last_row + 1], knox.time_breaks[last_column + 1],
                            repeat_days, same_edge)


def _leading_run(row: np.ndarray) -> int:
    run = 0
    while run < len(row) and row[run]:
        run += 1
    return run


def _connected_region(counted: np.ndarray, first_row: int) -> set[tuple[int, int]]:
    """Cells of ``counted`` reachable from ``(first_row, 0)`` through side-by-side neighbours
    (rows above ``first_row``, the same-location row, are not part of it)."""
    region = {(first_row, 0)}
    frontier = [(first_row, 0)]
    while frontier:
        row, column = frontier.pop()
        for r, c in ((row + 1, column), (row - 1, column), (row, column + 1), (row, column - 1)):
            if (first_row <= r < counted.shape[0] and 0 <= c < counted.shape[1]
                    and counted[r, c] and (r, c) not in region):
                region.add((r, c))
                frontier.append((r, c))
    return region


@dataclass(frozen=True)
class DecayEstimate:
    """The elevated risk's decay over time near a first incident (:func:`near_repeat_decay`).

    ``half_life_days`` is the time for the excess of pairs (observed − expected) to halve under
    an exponential fit; NaN when there is no excess to fit. ``table`` holds, per time band,
    ``days_from, days_to, observed, expected, excess, excess_per_day, fitted_excess``.
    """

    half_life_days: float
    initial_excess_per_day: float
    distance_metres: float
    table: pd.DataFrame


def near_repeat_decay(knox: KnoxTest, *, distance_metres: float | None = None) -> DecayEstimate:
    """How fast the elevated risk fades: the half-life of the excess pairs across time bands.

    Pairs closer than ``distance_metres`` (default: the near-repeat extent, else the first
    band beyond the same location), same location included, are summed per time band (the open
    last band left out). The observed counts are fitted by maximum likelihood as Poisson with
    mean ``expected + A·∫ exp(−λt) dt`` over each band (``expected`` from the permutations),
    and the half-life is ``ln 2 / λ``. Finer time bands (e.g. 2-day) give a sharper estimate.
    """
    if distance_metres is None:
        extent = near_repeat_extent(knox)
        distance_metres = (extent.distance_metres if extent.near_repeat
                           else knox.distance_breaks[2 if knox.distance_breaks[1] < 10 else 1])
    table = knox.table[(knox.table["distance_to"] <= distance_metres)
                       & np.isfinite(knox.table["days_to"])]
    if table.empty:
        raise AnalysisInputError(
            f"no distance band ends within {distance_metres} m; choose a larger distance")
    bands = (table.groupby(["time_band", "days_from", "days_to"], as_index=False)
             [["observed", "expected"]].sum().sort_values("time_band"))
    lower = bands["days_from"].to_numpy(float)
    upper = bands["days_to"].to_numpy(float)
    observed = bands["observed"].to_numpy(float)
    expected = bands["expected"].to_numpy(float)
    width = upper - lower
    excess = observed - expected
    half_life, initial = _fit_exponential_excess(lower, upper, observed, expected)
    if math.isfinite(half_life):
        rate = math.log(2) / half_life
        fitted = initial * (np.exp(-rate * lower) - np.exp(-rate * upper)) / rate
    else:
        fitted = np.full(len(bands), np.nan)
    frame = pd.DataFrame({
        "days_from": lower, "days_to": upper, "observed": observed.astype("int64"),
        "expected": expected, "excess": excess, "excess_per_day": excess / width,
        "fitted_excess": fitted,
    })
    return DecayEstimate(half_life, initial, float(distance_metres), frame)


def _fit_exponential_excess(lower: np.ndarray, upper: np.ndarray, observed: np.ndarray,
                            expected: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood ``(half-life, initial excess per day)``; NaN without an excess."""
    if len(observed) < 2 or (observed - expected).max() <= 0:
        return math.nan, math.nan
    span = float(upper.max())

    def negative_log_likelihood(parameters: np.ndarray) -> float:
        log_initial, log_rate = parameters
        rate = math.exp(log_rate)
        excess = math.exp(log_initial) * (np.exp(-rate * lower) - np.exp(-rate * upper)) / rate
        mean = np.maximum(expected + excess, 1e-12)
        return float((mean - observed * np.log(mean)).sum())

    first_excess = max((observed[0] - expected[0]) / (upper[0] - lower[0]), 1e-3)
    start = np.array([math.log(first_excess), math.log(math.log(2) / max(span / 4, 1e-3))])
    best = optimize.minimize(negative_log_likelihood, start, method="Nelder-Mead",
                             options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 4000})
    rate = math.exp(best.x[1])
    return math.log(2) / rate, math.exp(best.x[0])


# --------------------------------------------------------------------------------------------
# Labels, chains and open windows
# --------------------------------------------------------------------------------------------


def near_repeat_labels(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    days: int = 365,
    division: str | None = None,
    offence_categories: Sequence[str] | None = None,
    extent: NearRepeatExtent,
    metric: DistanceMetric = "manhattan",
) -> pd.DataFrame:
    """Each located incident of the window labelled originator, repeat, near-repeat or none
    (the classification of Esri's crime analysis tools, with the extent of a Knox test).

    Incident B *follows* an earlier incident A when it occurred less than
    ``extent.window_days`` whole days after A (same day counts, by time of day) and less than
    ``extent.distance_metres`` away (``same_location_metres`` for a repeat, which is the only
    link when only a repeat pattern was found). B is a **repeat** when it follows an incident
    at the same location, else a **near-repeat** when it follows any; an incident that follows
    none but is followed is an **originator**; the rest are **none**. Linked incidents form
    chains (connected groups); each chain's originator is its earliest incident.

    Returns:
        ``incident_id, occurred_at, offence_category, division, latitude, longitude, role,
        chain_id`` (−1 for none), ``chain_incidents``, ``follows`` (the id of the latest
        incident it follows, or None), sorted by ``occurred_at``.
    """
    points = located_incidents(incidents, as_of=as_of, days=days, division=division,
                               offence_categories=offence_categories)
    return label_points(points, extent=extent, metric=metric)


def label_points(points: pd.DataFrame, *, extent: NearRepeatExtent,
                 metric: DistanceMetric = "manhattan") -> pd.DataFrame:
    """:func:`near_repeat_labels` on a frame of :func:`located_incidents`."""
    count = len(points)
    frame = points.drop(columns=["x", "y", "day"]).reset_index(drop=True)
    reach = extent.distance_metres if extent.near_repeat else (
        extent.same_location_metres if extent.repeat else 0.0)
    window = extent.window_days if extent.near_repeat else extent.repeat_days
    earlier, later, same = _links(points, reach, window, extent.same_location_metres, metric)
    role = np.full(count, "none", dtype=object)
    role[np.unique(earlier)] = "originator"
    followed_same = np.zeros(count, dtype=bool)
    followed_same[later[same]] = True
    role[np.unique(later)] = "near_repeat"
    role[followed_same] = "repeat"
    follows = np.full(count, None, dtype=object)
    if len(later):
        order = np.lexsort((earlier, later))  # the latest earlier incident last per follower
        ids = points["incident_id"].to_numpy()
        follows[later[order]] = ids[earlier[order]]
    chain = np.full(count, -1, dtype=np.int64)
    size = np.zeros(count, dtype=np.int64)
    if len(later):
        graph = coo_matrix((np.ones(len(later)), (earlier, later)), shape=(count, count))
        _, component = connected_components(graph, directed=False)
        linked = role != "none"
        # number chains by their first incident, in time order
        firsts: dict[int, int] = {}
        for index in np.flatnonzero(linked):
            firsts.setdefault(int(component[index]), len(firsts))
        chain[linked] = [firsts[int(c)] for c in component[linked]]
        size[linked] = np.bincount(chain[linked])[chain[linked]]
    frame["role"] = role
    frame["chain_id"] = chain
    frame["chain_incidents"] = size
    frame["follows"] = follows
    return frame


def _links(points: pd.DataFrame, reach: float, window: float, same_metres: float,
           metric: DistanceMetric) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(earlier, later, same_location)`` index arrays of every link (the frame is in time
    order, so the earlier incident of a pair is the one with the smaller index)."""
    empty = np.empty(0, dtype=np.int64)
    if len(points) < 2 or reach <= 0 or window <= 0:
        return empty, empty, np.empty(0, dtype=bool)
    xy = points[["x", "y"]].to_numpy()
    pairs = cKDTree(xy).query_pairs(r=reach, p=1 if metric == "manhattan" else 2,
                                    output_type="ndarray")
    if not len(pairs):
        return empty, empty, np.empty(0, dtype=bool)
    earlier, later = pairs.min(axis=1), pairs.max(axis=1)
    difference = xy[earlier] - xy[later]
    distance = (np.abs(difference).sum(axis=1) if metric == "manhattan"
                else np.hypot(difference[:, 0], difference[:, 1]))
    day = points["day"].to_numpy()
    gap = day[later] - day[earlier]
    keep = (distance < reach) & (gap < window)
    return earlier[keep], later[keep], distance[keep] < same_metres


def hot_originators(labels: pd.DataFrame, *, as_of: dt.date, extent: NearRepeatExtent,
                    minimum_incidents: int = 2) -> pd.DataFrame:
    """Chains whose risk window is still open on ``as_of``: the latest incident occurred less
    than ``extent.window_days`` days before the end of ``as_of``.

    ``minimum_incidents`` = 1 also lists single recent incidents (every new incident opens a
    window; a chain of two or more shows the pattern already repeating there).

    Returns:
        ``chain_id, originator_id, originator_occurred_at, incidents, repeats, near_repeats,
        last_incident_id, last_occurred_at, latitude, longitude`` (of the last incident, where
        the risk now centres), ``window_closes`` (the last day still inside the window) and
        ``days_left`` (counting ``as_of``), most incidents first.
    """
    columns = ["chain_id", "originator_id", "originator_occurred_at", "incidents", "repeats",
               "near_repeats", "last_incident_id", "last_occurred_at", "latitude", "longitude",
               "window_closes", "days_left"]
    window = extent.window_days if extent.near_repeat else extent.repeat_days
    if window <= 0 or labels.empty:
        return pd.DataFrame(columns=columns)
    frame = labels.copy()
    if minimum_incidents <= 1:
        alone = frame["chain_id"] < 0
        start = int(frame["chain_id"].max()) + 1 if (~alone).any() else 0
        frame.loc[alone, "chain_id"] = np.arange(start, start + int(alone.sum()))
    frame = frame[frame["chain_id"] >= 0].sort_values(["occurred_at", "incident_id"])
    rows = []
    for chain_id, chain in frame.groupby("chain_id", sort=False):
        if len(chain) < minimum_incidents:
            continue
        first, last = chain.iloc[0], chain.iloc[-1]
        closes = last["occurred_at"].date() + dt.timedelta(days=math.ceil(window) - 1)
        if closes < as_of or last["occurred_at"].date() > as_of:
            continue
        rows.append({
            "chain_id": int(chain_id), "originator_id": first["incident_id"],
            "originator_occurred_at": first["occurred_at"], "incidents": len(chain),
            "repeats": int((chain["role"] == "repeat").sum()),
            "near_repeats": int((chain["role"] == "near_repeat").sum()),
            "last_incident_id": last["incident_id"], "last_occurred_at": last["occurred_at"],
            "latitude": last["latitude"], "longitude": last["longitude"],
            "window_closes": closes, "days_left": (closes - as_of).days + 1,
        })
    result = pd.DataFrame(rows, columns=columns)
    return result.sort_values(["incidents", "last_occurred_at"], ascending=[False, False],
                              kind="stable").reset_index(drop=True)
