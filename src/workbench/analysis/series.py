"""Candidate crime series: incidents of one category close in space, time and time of day and
alike in modus operandi, linked into groups, with every link explained and every group tested.

Two incidents are *linked* when they pass every threshold: distance, days apart, hours apart in
time of day, and equal values of each modus-operandi field that both have. A candidate series is
a connected group of linked incidents (graph components) with at least ``minimum_members``.

Each link carries an explanation: how close it is on each feature, and how rare that is — the
share of all pairs of the category in scope at least as close (for a field: agreeing on that
same value). Their product is the link's ``chance_probability`` and ``score`` is its −log10
(features are treated as independent, the naive-Bayes simplification of crime linkage, so these
rank and explain links; they are not p-values).

Whether a group is more than chance is tested like the Knox test: the occurrence times (with
their time of day) are permuted across the incidents, and each modus-operandi field separately,
``permutations`` times; a series of ``k`` members has ``p = (1 + permutations whose largest
group has ≥ k members) / (permutations + 1)``. Dense categories (thefts in a busy division)
form large groups by chance and are not flagged; a string of eight night-time robberies of
shops along one road is. The modus-operandi fields of the canonical schema are
``location_type`` (premises) and ``offence_code``; ``domestic`` can be added.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from workbench.analysis._common import (
    AnalysisInputError,
    require_columns,
    require_positive_days,
    within_dates,
)
from workbench.analysis.near_repeat import _with_planar_coordinates

__all__ = ["CrimeSeries", "crime_series"]

#: Pool incidents used to estimate how often pairs agree by chance (all of them up to this).
_REFERENCE_INCIDENTS = 3_000
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class CrimeSeries:
    """Series found by :func:`crime_series`.

    - ``series``: ``series_id, offence_category, members, first_occurred_at,
      last_occurred_at, span_days, latitude, longitude`` (mean of the members),
      ``shared`` (what every member has in common, in words), ``score`` (sum of the link
      scores), ``p_value`` (permutation test of a group this large) and ``significant``;
      most significant first.
    - ``members``: ``series_id, incident_id, occurred_at, latitude, longitude,
      neighbourhood_id, division, hour`` and the modus-operandi fields, in time order.
    - ``links``: ``series_id, incident_id, linked_incident_id, distance_metres, days_apart,
      hours_apart, matched_fields, chance_probability, score`` (−log10 of the chance
      probability) and ``explanation`` (in words).
    - ``pairs_compared``: pairs of incidents of the category in scope.
    """

    series: pd.DataFrame
    members: pd.DataFrame
    links: pd.DataFrame
    pairs_compared: int


def crime_series(
    incidents: ibis.Table,
    *,
    offence_category: str,
    as_of: dt.date,
    days: int = 90,
    division: str | None = None,
    max_distance_metres: float = 1_000.0,
    max_days: float = 14.0,
    max_hours_apart: float = 2.0,
    match_fields: Sequence[str] = ("location_type", "offence_code"),
    minimum_members: int = 3,
    permutations: int = 199,
    alpha: float = 0.05,
    seed: int = 0,
) -> CrimeSeries:
    """Candidate series of ``offence_category`` among the located incidents of the ``days``
    days ending on ``as_of`` (optionally one ``division``); see the module notes for the rule.

    Args:
        max_distance_metres: straight-line distance between the two places.
        max_days: days between the two occurrence times.
        max_hours_apart: difference of time of day, around the clock (23:30 and 00:30 are
            1 hour apart).
        match_fields: columns that must be equal when both incidents have a value; a field
            the table lacks is an error, a NULL on either side is no evidence either way.
        minimum_members: smallest series reported.
        permutations: Monte Carlo replications of the series test (199: p down to 0.005).
        alpha: significance level of the ``significant`` column.
        seed: seeds the permutations (and the reference sample above 3,000 incidents).
    """
    require_positive_days("days", days)
    fields = list(match_fields)
    require_columns(incidents, ["incident_id", "occurred_at", "offence_category", "latitude",
                                "longitude", *fields], "incidents")
    for name, value in (("max_distance_metres", max_distance_metres), ("max_days", max_days),
                        ("max_hours_apart", max_hours_apart)):
        if not value > 0:
            raise AnalysisInputError(f"{name} must be positive; got {value}")
    if int(minimum_members) != minimum_members or minimum_members < 2:
        raise AnalysisInputError(f"minimum_members must be a whole number ≥ 2; got "
                                 f"{minimum_members}")
    if int(permutations) != permutations or permutations < 1:
        raise AnalysisInputError(f"permutations must be a whole number ≥ 1; got {permutations}")
    if not 0 < alpha < 1:
        raise AnalysisInputError(f"alpha must lie between 0 and 1; got {alpha}")
    pool = _pool(incidents, offence_category, as_of, days, division, fields)
    count = len(pool)
    pairs_compared = count * (count - 1) // 2
    empty = CrimeSeries(_empty_series(), _empty_members(fields), _empty_links(),
                        pairs_compared)
    if count < 2:
        return empty
    thresholds = _Thresholds(pool, fields, max_distance_metres, max_days, max_hours_apart)
    links = thresholds.links()
    if links.empty:
        return empty
    reference = _ReferencePairs(pool, fields, seed)
    probability = (reference.share_within("distance", links["distance_metres"])
                   * reference.share_within("days", links["days_apart"])
                   * reference.share_within("hours", links["hours_apart"]))
    for field in fields:
        agreed = links[f"{field}_value"].notna()
        shares = links[f"{field}_value"].map(reference.agreement(field)).fillna(1.0)
        probability = probability * np.where(agreed, shares, 1.0)
    links["chance_probability"] = np.asarray(probability, dtype=float)
    largest = thresholds.largest_groups_by_chance(int(permutations), seed)
    return _assemble(pool, links, fields, offence_category, int(minimum_members),
                     pairs_compared, largest, alpha)


def _pool(incidents: ibis.Table, category: str, as_of: dt.date, days: int,
          division: str | None, fields: list[str]) -> pd.DataFrame:
    start = as_of - dt.timedelta(days=days - 1)
    rows = incidents.filter(incidents.offence_category == category,
                            within_dates(incidents.occurred_at, start, as_of),
                            incidents.latitude.notnull(), incidents.longitude.notnull())
    if division is not None:
        rows = rows.filter(rows.division == division)
    wanted = ["incident_id", "occurred_at", "offence_category", "latitude", "longitude",
              *[c for c in ("division", "neighbourhood_id") if c in incidents.columns],
              *[f for f in fields if f not in ("division", "neighbourhood_id")]]
    frame = rows.select(*wanted).to_pandas()
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    frame = frame.sort_values(["occurred_at", "incident_id"], kind="stable").reset_index(
        drop=True)
    frame = _with_planar_coordinates(frame)
    moment = frame["occurred_at"]
    frame["seconds"] = (moment - pd.Timestamp("1970-01-01")).dt.total_seconds()
    frame["hour"] = moment.dt.hour + moment.dt.minute / 60 + moment.dt.second / 3600
    return frame


def _hours_apart(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    gap = np.abs(first - second) % 24.0
    return np.minimum(gap, 24.0 - gap)


class _Thresholds:
    """The pairs close enough in space (found once: places never move) and the test of the
    other thresholds, on the real attributes or on permuted ones."""

    def __init__(self, pool: pd.DataFrame, fields: list[str], max_distance: float,
                 max_days: float, max_hours: float) -> None:
        self.pool, self.fields = pool, fields
        self.max_days, self.max_hours = max_days, max_hours
        xy = pool[["x", "y"]].to_numpy()
        pairs = cKDTree(xy).query_pairs(r=max_distance, output_type="ndarray")
        pairs = pairs if len(pairs) else np.empty((0, 2), dtype=np.int64)
        self.first, self.second = pairs.min(axis=1), pairs.max(axis=1)  # pool in time order
        self.distance = np.hypot(*(xy[self.first] - xy[self.second]).T)
        close = self.distance <= max_distance
        self.first, self.second = self.first[close], self.second[close]
        self.distance = self.distance[close]
        self.seconds = pool["seconds"].to_numpy()
        self.hour = pool["hour"].to_numpy()
        self.codes = {field: pd.factorize(pool[field], use_na_sentinel=True)[0]
                      for field in fields}

    def _passing(self, seconds: np.ndarray, hour: np.ndarray,
                 codes: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        days_apart = np.abs(seconds[self.second] - seconds[self.first]) / _SECONDS_PER_DAY
        hours_apart = _hours_apart(hour[self.first], hour[self.second])
        keep = (days_apart <= self.max_days) & (hours_apart <= self.max_hours)
        for field in self.fields:
            a, b = codes[field][self.first], codes[field][self.second]
            keep &= (a < 0) | (b < 0) | (a == b)
        return keep, days_apart, hours_apart

    def links(self) -> pd.DataFrame:
        keep, days_apart, hours_apart = self._passing(self.seconds, self.hour, self.codes)
        frame = pd.DataFrame({"first": self.first[keep], "second": self.second[keep],
                              "distance_metres": self.distance[keep],
                              "days_apart": days_apart[keep], "hours_apart": hours_apart[keep]})
        for field in self.fields:
            values = self.pool[field].to_numpy(dtype=object)
            a, b = values[frame["first"]], values[frame["second"]]
            agreed = a.copy()
            agreed[pd.isna(a) | pd.isna(b)] = None
            frame[f"{field}_value"] = agreed
        return frame

    def largest_groups_by_chance(self, permutations: int, seed: int) -> np.ndarray:
        """The largest linked group in each of ``permutations`` shuffles of the attributes."""
        rng = np.random.default_rng(seed)
        count = len(self.pool)
        largest = np.ones(permutations, dtype=np.int64)
        for index in range(permutations):
            order = rng.permutation(count)
            codes = {field: values[rng.permutation(count)]
                     for field, values in self.codes.items()}
            keep, _, _ = self._passing(self.seconds[order], self.hour[order], codes)
            if keep.any():
                largest[index] = _group_sizes(self.first[keep], self.second[keep], count).max()
        return largest


def _group_sizes(first: np.ndarray, second: np.ndarray, count: int) -> np.ndarray:
    graph = coo_matrix((np.ones(len(first)), (first, second)), shape=(count, count))
    _, component = connected_components(graph, directed=False)
    return np.bincount(component)


class _ReferencePairs:
    """How often pairs of the pool agree by chance, from all its pairs (or a sample)."""

    def __init__(self, pool: pd.DataFrame, fields: list[str], seed: int) -> None:
        sample = pool
        if len(pool) > _REFERENCE_INCIDENTS:
            chosen = np.random.default_rng(seed).choice(len(pool), _REFERENCE_INCIDENTS,
                                                        replace=False)
            sample = pool.iloc[np.sort(chosen)]
        first, second = np.triu_indices(len(sample), k=1)
        xy = sample[["x", "y"]].to_numpy()
        seconds = sample["seconds"].to_numpy()
        hour = sample["hour"].to_numpy()
        self._sorted = {
            "distance": np.sort(np.hypot(*(xy[first] - xy[second]).T)),
            "days": np.sort(np.abs(seconds[first] - seconds[second]) / _SECONDS_PER_DAY),
            "hours": np.sort(_hours_apart(hour[first], hour[second])),
        }
        self._floor = 1.0 / max(len(first), 1)  # nothing is rarer than one pair in the sample
        self._agreement = {}
        for field in fields:
            counts = pool[field].value_counts(dropna=True)
            total = len(pool)
            self._agreement[field] = (counts * (counts - 1) / (total * (total - 1))).clip(
                lower=1.0 / max(total * (total - 1) / 2, 1))

    def share_within(self, feature: str, values: pd.Series) -> np.ndarray:
        ordered = self._sorted[feature]
        within = np.searchsorted(ordered, values.to_numpy(), side="right") / len(ordered)
        return np.maximum(within, self._floor)

    def agreement(self, field: str) -> pd.Series:
        return self._agreement[field]


def _assemble(pool: pd.DataFrame, links: pd.DataFrame, fields: list[str], category: str,
              minimum_members: int, pairs_compared: int, largest_by_chance: np.ndarray,
              alpha: float) -> CrimeSeries:
    count = len(pool)
    graph = coo_matrix((np.ones(len(links)), (links["first"], links["second"])),
                       shape=(count, count))
    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component, minlength=count)
    linked = np.zeros(count, dtype=bool)
    linked[links["first"]] = linked[links["second"]] = True
    eligible = linked & (sizes[component] >= minimum_members)
    if not eligible.any():
        return CrimeSeries(_empty_series(), _empty_members(fields), _empty_links(),
                           pairs_compared)
    # number series by their first incident, in time order
    numbering: dict[int, int] = {}
    for index in np.flatnonzero(eligible):
        numbering.setdefault(int(component[index]), len(numbering) + 1)
    series_of = np.array([numbering.get(int(c), 0) for c in component])
    members = pool.loc[eligible].copy()
    members.insert(0, "series_id", series_of[eligible])
    ids = pool["incident_id"].to_numpy()
    links = links[eligible[links["first"]]].copy()
    links.insert(0, "series_id", series_of[links["first"]])
    links["incident_id"] = ids[links["first"]]
    links["linked_incident_id"] = ids[links["second"]]
    links["score"] = -np.log10(links["chance_probability"])
    links["matched_fields"] = [
        ", ".join(f"{f}={row[f'{f}_value']}" for f in fields if pd.notna(row[f"{f}_value"]))
        for _, row in links.iterrows()]
    links["explanation"] = [_explain(row) for _, row in links.iterrows()]
    links = links.sort_values(["series_id", "incident_id", "linked_incident_id"]).reset_index(
        drop=True)[["series_id", "incident_id", "linked_incident_id", "distance_metres",
                    "days_apart", "hours_apart", "matched_fields", "chance_probability",
                    "score", "explanation"]]
    member_columns = ["series_id", "incident_id", "occurred_at", "latitude", "longitude",
                      *[c for c in ("neighbourhood_id", "division") if c in pool.columns],
                      "hour", *[f for f in fields if f not in ("neighbourhood_id", "division")]]
    members = members[member_columns].sort_values(["series_id", "occurred_at"]).reset_index(
        drop=True)
    summary = pd.DataFrame(
        [_summarise(series_id, group, links[links["series_id"] == series_id], fields, category)
         for series_id, group in members.groupby("series_id")])
    summary["p_value"] = [(1 + int((largest_by_chance >= size).sum()))
                          / (len(largest_by_chance) + 1) for size in summary["members"]]
    summary["significant"] = summary["p_value"] <= alpha
    summary = summary.sort_values(["p_value", "members", "series_id"],
                                  ascending=[True, False, True], kind="stable")
    return CrimeSeries(summary.reset_index(drop=True)[_empty_series().columns], members, links,
                       pairs_compared)


def _explain(row: pd.Series) -> str:
    parts = [f"{row['distance_metres']:,.0f} m apart",
             f"{row['days_apart']:.1f} days apart",
             f"{row['hours_apart']:.1f} h apart in time of day"]
    for match in row["matched_fields"].split(", "):
        if match:
            name, value = match.split("=", 1)
            parts.append(f"same {name.replace('_', ' ')} ({value})")
    return (f"{'; '.join(parts)} (a random pair of these incidents is this alike about "
            f"{_one_in(row['chance_probability'])})")


def _one_in(probability: float) -> str:
    return "always" if probability >= 1 else f"once in {1 / probability:,.0f}"


def _summarise(series_id: int, members: pd.DataFrame, links: pd.DataFrame,
               fields: list[str], category: str) -> dict[str, object]:
    shared = []
    for field in fields:
        values = members[field].dropna().unique()
        if len(values) == 1 and members[field].notna().all():
            shared.append(f"{field.replace('_', ' ')} {values[0]}")
    hours = members["hour"].to_numpy()
    centre = math.degrees(math.atan2(np.sin(np.radians(hours * 15)).mean(),
                                     np.cos(np.radians(hours * 15)).mean())) / 15 % 24
    spread = _hours_apart(hours, np.full(len(hours), centre)).max()
    shared.append(f"around {int(centre):02d}:{int(centre % 1 * 60):02d} (± {spread:.1f} h)")
    first, last = members["occurred_at"].min(), members["occurred_at"].max()
    return {
        "series_id": int(series_id), "offence_category": category, "members": len(members),
        "first_occurred_at": first, "last_occurred_at": last,
        "span_days": (last - first).total_seconds() / _SECONDS_PER_DAY,
        "latitude": float(members["latitude"].mean()),
        "longitude": float(members["longitude"].mean()),
        "shared": "; ".join(shared), "score": float(links["score"].sum()),
    }


def _empty_series() -> pd.DataFrame:
    return pd.DataFrame(columns=["series_id", "offence_category", "members",
                                 "first_occurred_at", "last_occurred_at", "span_days",
                                 "latitude", "longitude", "shared", "score", "p_value",
                                 "significant"])


def _empty_members(fields: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=["series_id", "incident_id", "occurred_at", "latitude",
                                 "longitude", "hour", *fields])


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame(columns=["series_id", "incident_id", "linked_incident_id",
                                 "distance_metres", "days_apart", "hours_apart",
                                 "matched_fields", "chance_probability", "score",
                                 "explanation"])
