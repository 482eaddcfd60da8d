"""Where and when the planted space-time patterns happen: near-repeat burglary and one robbery
series (signals 6 and 7 of :mod:`workbench.demo.signals`).

Pure geometry and timing on the city's fixed addresses; :mod:`workbench.demo.crime` draws the
other attributes of these incidents (report lag, clearance, ...) and adds them to the month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from workbench.demo import _sampling as sampling
from workbench.demo._world import World
from workbench.demo.city import CityLayout
from workbench.demo.signals import COMMERCIAL_ROBBERY_SERIES, NEAR_REPEAT_BURGLARY


@dataclass(frozen=True)
class Addresses:
    """Addresses (neighbourhood, location slot) and their positions in metres."""

    neighbourhood: np.ndarray
    location: np.ndarray
    x: np.ndarray
    y: np.ndarray


def division_addresses(layout: CityLayout, division: str) -> Addresses:
    """Every address of the division's neighbourhoods."""
    members = np.flatnonzero(layout.division_index == layout.division_ids.index(division))
    slots = layout.location_x.shape[1]
    neighbourhood = np.repeat(members, slots)
    location = np.tile(np.arange(slots), len(members))
    return Addresses(neighbourhood, location,
                     layout.location_x[neighbourhood, location] * 1000.0,
                     layout.location_y[neighbourhood, location] * 1000.0)


@dataclass(frozen=True)
class FollowOns:
    """Near-repeat follow-ons of one month's burglaries."""

    keep: np.ndarray  # (incidents,) False for ordinary burglaries thinned out
    neighbourhood: np.ndarray  # (follow-ons,)
    location: np.ndarray
    occurred: np.ndarray  # seconds since the epoch


def near_repeat_follow_ons(rng: np.random.Generator, world: World, category: np.ndarray,
                           neighbourhood: np.ndarray, location: np.ndarray,
                           occurred: np.ndarray, burglary: int) -> FollowOns:
    """Thin the division's ordinary burglaries and draw their follow-ons (signal 6)."""
    planted = NEAR_REPEAT_BURGLARY
    layout = world.layout
    division = layout.division_ids.index(planted.division)
    in_division = (category == burglary) & (layout.division_index[neighbourhood] == division)
    keep = ~in_division | (rng.random(len(category)) < planted.keep_share)
    parents = np.flatnonzero(in_division & keep)
    children = rng.poisson(planted.follow_on_rate, len(parents))
    parent = np.repeat(parents, children)
    count = len(parent)
    rate = math.log(2) / planted.half_life_days
    cut = 1.0 - math.exp(-rate * planted.days)
    delay_days = -np.log1p(-rng.random(count) * cut) / rate  # exponential cut at ``days``
    child_occurred = occurred[parent] + (delay_days * sampling.SECONDS_PER_DAY).astype("int64")

    addresses = division_addresses(layout, planted.division)
    index = {(int(n), int(k)): i for i, (n, k) in
             enumerate(zip(addresses.neighbourhood, addresses.location, strict=True))}
    origin = np.array([index[(int(n), int(k))]
                       for n, k in zip(neighbourhood[parent], location[parent], strict=True)],
                      dtype=np.int64)
    target = origin.copy()
    elsewhere = rng.random(count) >= planted.same_address_share
    points = np.column_stack([addresses.x, addresses.y])
    tree = cKDTree(points)
    for child in np.flatnonzero(elsewhere):
        near = [i for i in tree.query_ball_point(points[origin[child]],
                                                 r=planted.distance_metres, p=1)
                if i != origin[child]
                and abs(points[i] - points[origin[child]]).sum() < planted.distance_metres]
        if not near:
            _, nearest = tree.query(points[origin[child]], k=2, p=1)
            near = [int(nearest[1])]
        target[child] = near[int(rng.integers(len(near)))]
    return FollowOns(keep, addresses.neighbourhood[target], addresses.location[target],
                     child_occurred)


@dataclass(frozen=True)
class SeriesIncidents:
    """The planted series' robberies that occur in one month."""

    neighbourhood: np.ndarray
    location: np.ndarray
    occurred: np.ndarray


def series_addresses(layout: CityLayout) -> tuple[np.ndarray, np.ndarray]:
    """The series' addresses, south to north: nearest distinct addresses of the division to
    evenly spaced points on a north–south line through the middle of the division."""
    planted = COMMERCIAL_ROBBERY_SERIES
    addresses = division_addresses(layout, planted.division)
    members = np.unique(addresses.neighbourhood)
    centre_x = float(layout.corners_x[members].mean()) * 1000.0
    centre_y = float(layout.corners_y[members].mean()) * 1000.0
    steps = np.linspace(-0.5, 0.5, planted.incidents) * planted.corridor_metres
    chosen: list[int] = []
    for step in steps:
        distance = np.hypot(addresses.x - centre_x, addresses.y - (centre_y + step))
        distance[chosen] = np.inf
        chosen.append(int(np.argmin(distance)))
    picked = np.array(chosen)
    return addresses.neighbourhood[picked], addresses.location[picked]


def series_in_month(world: World, first: int, last: int) -> SeriesIncidents:
    """The planted robberies whose day falls in ``first``..``last`` (day numbers)."""
    planted = COMMERCIAL_ROBBERY_SERIES
    neighbourhood, location = series_addresses(world.layout)
    days = world.last_day - np.array(planted.days_before_end)
    minutes = np.array([int(t[:2]) * 60 + int(t[3:]) for t in planted.times_of_day])
    inside = (days >= max(first, world.first_day)) & (days <= last)
    occurred = days * sampling.SECONDS_PER_DAY + minutes * 60
    return SeriesIncidents(neighbourhood[inside], location[inside], occurred[inside])
