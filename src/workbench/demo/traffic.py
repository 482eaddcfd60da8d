"""Traffic collisions: one row per collision and road user, at named intersections.

About 9,000 reportable collisions a year at scale 1, peaking in winter and at the rush hours.
Each involves a driver, often a second driver, sometimes a passenger, pedestrian, cyclist or
motorcyclist; each road user's worst injury is drawn from severity rates that are much higher
for pedestrians, cyclists and motorcyclists (≈ 25–35 killed and ≈ 300 seriously injured a year).
About 0.6 % involve a police vehicle, driven by a patrol officer on duty in that division.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.demo import _profiles as profiles
from workbench.demo import _sampling as sampling
from workbench.demo._world import SOURCE, World
from workbench.demo.city import CityLayout, population_at_days, to_longitude_latitude

ANNUAL_COLLISIONS = 9_000
POLICE_VEHICLE_SHARE = 0.006
ROAD_USERS = ("driver", "passenger", "pedestrian", "cyclist", "motorcyclist")
SEVERITIES = ("fatal", "serious_injury", "minor_injury", "property_damage")
# Probability that a collision involves each extra road user (the first driver is always there).
_EXTRA_USERS = {
    "driver": 0.60,
    "passenger": 0.25,
    "pedestrian": 0.04,
    "cyclist": 0.03,
    "motorcyclist": 0.02,
}
# Worst injury by road user: fatal, serious, minor (the rest property damage only).
_INJURY = {
    "driver": (0.0008, 0.012, 0.18),
    "passenger": (0.0005, 0.010, 0.20),
    "pedestrian": (0.025, 0.15, 0.70),
    "cyclist": (0.010, 0.10, 0.70),
    "motorcyclist": (0.030, 0.20, 0.60),
}
_CYCLIST_SEASON = (0.6, 200)  # cyclists and motorcyclists ride in summer


def collision_shares(layout: CityLayout) -> np.ndarray:
    """(N,) share of collisions by neighbourhood: residents and commerce (traffic)."""
    weights = layout.reference_population * (0.5 + 0.5 * layout.commerce)
    return weights / weights.sum()


def collisions_for_month(
    world: World, year: int, month: int, first: int, last: int, shares: np.ndarray
) -> pa.Table:
    rng = sampling.derived_rng(world.seed, "collisions", year, month)
    layout = world.layout
    days = np.arange(first, last + 1)
    factors = profiles.daily_factors(
        days,
        np.array([0.15]),
        np.array([20.0]),
        profiles.weekday_matrix(["traffic"]),
        np.array([-0.01]),
        world.reference_day,
    )[0]
    growth = population_at_days(layout, days, world.reference_day)
    expected = (
        ANNUAL_COLLISIONS * world.scale / 365.25 * shares[:, None] * growth * factors[None, :]
    )
    counts = rng.poisson(expected)
    neighbourhood, day_index = np.unravel_index(sampling.expand_counts(counts), counts.shape)
    occurred = profiles.seconds_in_day(
        rng,
        days[day_index],
        np.zeros(len(day_index), dtype="int64"),
        profiles.hour_matrix(["traffic"]),
    )
    order = np.argsort(occurred, kind="stable")
    neighbourhood, occurred = neighbourhood[order], occurred[order]
    collisions = len(occurred)
    intersection = rng.integers(0, layout.intersection_x.shape[1], collisions)

    # Road users: the first driver, then each extra user with its own probability.
    season = sampling.seasonal_factor(occurred // sampling.SECONDS_PER_DAY, *_CYCLIST_SEASON)
    involved = [np.ones(collisions, dtype=bool)]
    user_kind = [np.zeros(collisions, dtype="int64")]
    for kind, probability in _EXTRA_USERS.items():
        seasonal = season if kind in ("cyclist", "motorcyclist") else 1.0
        involved.append(rng.random(collisions) < probability * seasonal)
        user_kind.append(np.full(collisions, ROAD_USERS.index(kind)))
    mask = np.stack(involved, axis=1)
    collision_of_row = np.nonzero(mask)[0]
    kind = np.stack(user_kind, axis=1)[mask]
    rows = len(kind)
    users = mask.sum(axis=1)
    user_number = np.arange(rows) - np.repeat(np.cumsum(users) - users, users) + 1
    injury = np.array([_INJURY[user] for user in ROAD_USERS])[kind]
    draw = rng.random(rows)
    severity = np.where(
        draw < injury[:, 0],
        0,
        np.where(
            draw < injury[:, 0] + injury[:, 1], 1, np.where(draw < injury[:, :3].sum(axis=1), 2, 3)
        ),
    )

    police = rng.random(collisions) < POLICE_VEHICLE_SHARE
    division = layout.division_index[neighbourhood]
    officer = world.roster.on_duty(rng, division, occurred)
    police_row = police[collision_of_row] & (user_number == 1)

    nbhd_row = neighbourhood[collision_of_row]
    inter_row = intersection[collision_of_row]
    longitude, latitude = to_longitude_latitude(
        layout.intersection_x[nbhd_row, inter_row], layout.intersection_y[nbhd_row, inter_row]
    )
    names = pa.array(layout.intersection_names)
    flat_intersection = nbhd_row * layout.intersection_x.shape[1] + inter_row
    collision_ids = sampling.numbered_ids(f"K{year}{month:02d}-", collision_of_row + 1, 5)
    ids = pc.binary_join_element_wise(
        collision_ids, pc.cast(pa.array(user_number), pa.string()), "-"
    )
    return pa.table(
        {
            "collision_id": ids,
            "source": pa.array(np.full(rows, SOURCE)),
            "occurred_at": sampling.timestamps(occurred[collision_of_row]),
            "severity": sampling.strings(SEVERITIES, severity),
            "road_user": sampling.strings(ROAD_USERS, kind),
            "killed": sampling.integers(severity == 0),
            "seriously_injured": sampling.integers(severity == 1),
            "location_name": names.take(pa.array(flat_intersection)),
            "division": sampling.strings(layout.division_ids, division[collision_of_row]),
            "neighbourhood_id": sampling.strings(layout.neighbourhood_ids, nbhd_row),
            "latitude": sampling.floats(latitude, None, 6),
            "longitude": sampling.floats(longitude, None, 6),
            "officer_id": sampling.strings(
                pa.array(world.workforce.officer_id), officer[collision_of_row], ~police_row
            ),
        }
    )
