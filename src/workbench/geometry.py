"""Distances on the Earth: one radius, one great-circle distance, metres and degrees.

Every place in Workbench that turns degrees into metres uses this module: the geomask of
public points (:func:`workbench.privacy.geomask_points`), the hot-spot grid
(:func:`workbench.analysis.hotspots.grid_hot_spots`) and the tests that measure how far a
published point moved. The Earth is taken as a sphere of the mean radius; over the few hundred
metres these uses need, the error against the ellipsoid is well under one percent.

    >>> round(float(haversine_metres(45.0, -75.0, 45.0 + degrees_of_latitude(1000.0), -75.0)))
    1000
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "EARTH_RADIUS_METRES",
    "METRES_PER_DEGREE_LATITUDE",
    "degrees_of_latitude",
    "degrees_of_longitude",
    "haversine_metres",
    "metres_per_degree_longitude",
]

#: Mean Earth radius (IUGG), in metres.
EARTH_RADIUS_METRES = 6_371_008.8
#: Metres along a meridian per degree of latitude on that sphere.
METRES_PER_DEGREE_LATITUDE = 2.0 * math.pi * EARTH_RADIUS_METRES / 360.0


def metres_per_degree_longitude(latitude: float) -> float:
    """Metres along the parallel at ``latitude`` (degrees) per degree of longitude."""
    return METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(latitude))


def degrees_of_latitude(metres: float) -> float:
    """The latitude difference (degrees) of ``metres`` along a meridian."""
    return metres / METRES_PER_DEGREE_LATITUDE


def degrees_of_longitude(metres: float, *, latitude: float) -> float:
    """The longitude difference (degrees) of ``metres`` along the parallel at ``latitude``."""
    return metres / metres_per_degree_longitude(latitude)


def haversine_metres(latitude_a: ArrayLike, longitude_a: ArrayLike, latitude_b: ArrayLike,
                     longitude_b: ArrayLike) -> np.ndarray:
    """Great-circle distance in metres between points ``a`` and ``b`` (degrees, broadcast)."""
    phi_a = np.radians(np.asarray(latitude_a, dtype=float))
    phi_b = np.radians(np.asarray(latitude_b, dtype=float))
    d_lambda = np.radians(np.asarray(longitude_b, dtype=float)) - np.radians(
        np.asarray(longitude_a, dtype=float))
    half_chord = (np.sin((phi_b - phi_a) / 2) ** 2
                  + np.cos(phi_a) * np.cos(phi_b) * np.sin(d_lambda / 2) ** 2)
    return np.asarray(2 * EARTH_RADIUS_METRES * np.arcsin(np.sqrt(np.clip(half_chord, 0, 1))))
