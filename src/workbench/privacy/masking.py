"""Masking values that are too exact: random rounding of counts and geomasking of points.

Statistics Canada randomly rounds counts to base 5 (:func:`random_round`); point locations
move to a corner of a fixed grid, never the address (:func:`geomask_points`). Distances use the
one Earth radius of :mod:`workbench.geometry`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.geometry import EARTH_RADIUS_METRES
from workbench.privacy.audience import Audience, PrivacyError
from workbench.privacy.identifiers import drop_identifiers
from workbench.privacy.protected import Protected, _protect

__all__ = [
    "DEFAULT_GEOMASK_CELL_METRES",
    "DEFAULT_ROUNDING_BASE",
    "geomask_points",
    "protect_points",
    "random_round",
]

#: Base of random rounding (Statistics Canada rounds counts to base 5).
DEFAULT_ROUNDING_BASE = 5
#: Side of a geomasking grid cell, in metres.
DEFAULT_GEOMASK_CELL_METRES = 250.0
_GEOMASK_MAX_LATITUDE = 85.0


def random_round(
    values: float | np.ndarray | pd.Series,
    base: int = DEFAULT_ROUNDING_BASE,
    *,
    seed: int | np.random.Generator | None = None,
) -> int | float | np.ndarray | pd.Series:
    """Round each value up or down to a multiple of ``base``, at random and without bias.

    Unbiased random rounding (as Statistics Canada does for counts): a value ``v`` between
    the multiples ``q`` and ``q + base`` becomes ``q + base`` with probability
    ``(v - q) / base`` and ``q`` otherwise, so its expectation is ``v``; exact multiples stay
    as they are, and the result is always within ``base`` of the truth (strictly).

    ``seed`` makes the result deterministic. Keep it secret and stable from one release to the
    next: a published seed lets anyone undo part of the rounding, and fresh randomness for each
    release lets repeated releases be averaged back to the truth. Without a seed, fresh
    operating-system entropy is used.

    A Series gives a nullable-integer Series with the same index (missing stays ``<NA>``); an
    array gives an int64 array, or a float array when it holds NaN; a number gives an int
    (NaN gives NaN). Totals of rounded cells need not add up: round totals separately.
    """
    if isinstance(base, bool) or not float(base).is_integer() or base < 1:
        raise PrivacyError(f"rounding base must be a whole number of at least 1, got {base!r}")
    numbers = (
        values.to_numpy(dtype=float, na_value=np.nan)
        if isinstance(values, pd.Series)
        else np.array(values, dtype=float)
    )
    generator = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    draws = generator.random(numbers.shape)
    lower = np.floor(numbers / base) * base
    remainder = numbers - lower
    rounded = lower + np.where(draws < remainder / base, base, 0)
    missing = np.isnan(numbers)
    if isinstance(values, pd.Series):
        array = pd.arrays.IntegerArray(np.where(missing, 0, rounded).astype(np.int64), missing)
        return pd.Series(array, index=values.index, name=values.name)
    if rounded.ndim == 0:
        return float("nan") if missing else int(rounded)
    return rounded if missing.any() else rounded.astype(np.int64)


def geomask_points(
    lat: float | Sequence[float] | np.ndarray | pd.Series,
    lon: float | Sequence[float] | np.ndarray | pd.Series,
    *,
    method: Literal["grid"] = "grid",
    cell_metres: float = DEFAULT_GEOMASK_CELL_METRES,
    min_displacement: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Return masked copies of point coordinates (degrees), never the exact location.

    The grid (``method="grid"``, the only method so far) is global and fixed, so a place
    masks the same way in every release, whatever else is in the batch. Write ``c`` for
    ``cell_metres`` and ``R`` for the mean Earth radius. North-south, grid lines are ``c``
    apart along the meridian (``y = R * latitude``, in radians). East-west, a local
    equirectangular projection ``x = R * cos(phi) * longitude`` is cut every ``c``, with
    ``phi`` the latitude of the east-west grid line the point is published on (below).

    * ``min_displacement=True`` (default): each coordinate moves to the *farther* of the two
      grid lines around it, so the point goes to the grid corner diagonally across the
      quarter-cell it lies in. Each coordinate moves by between ``c/2`` and ``c``, so a
      published point is **at least c/sqrt(2)** from the true one (177 m for 250 m cells;
      reached at the middle of a cell) and **at most c*sqrt(2)** (354 m; reached at a grid
      corner). Knowing the rule, one can only tell that the true point lies in one of the
      four ``c/2`` squares diagonally around the published corner (area ``c**2``, as much as
      snapping to a cell): all four use the same east-west scale, that of the corner's line.
    * ``min_displacement=False``: the point goes to the centre of its ``c`` x ``c`` cell
      (east-west scale at the row's middle): **at most c/sqrt(2)** away (177 m) and
      possibly arbitrarily close; the true point can be anywhere in the cell.

    On the sphere (haversine) these distances hold up to the flatness of one cell: a relative
    error of about ``tan(latitude) * c / R``, under 0.01 % for 250 m cells below 60 degrees.
    Missing coordinates (NaN, None, <NA>) stay missing. Raises :class:`PrivacyError` for
    latitudes beyond 85 degrees, longitudes outside [-180, 180] or a non-positive cell.
    Longitudes wrap at the antimeridian. Returns ``(latitudes, longitudes)`` as float arrays.
    """
    if method != "grid":
        raise PrivacyError(f"unknown geomask method {method!r}; expected 'grid'")
    if not (
        isinstance(cell_metres, (int, float))
        and not isinstance(cell_metres, bool)
        and math.isfinite(cell_metres)
        and cell_metres > 0
    ):
        raise PrivacyError(f"cell_metres must be a positive number of metres, got {cell_metres!r}")
    latitude = _coordinates(lat, "lat")
    longitude = _coordinates(lon, "lon")
    if latitude.shape != longitude.shape:
        raise PrivacyError(
            f"lat and lon must have the same length, got {latitude.shape} and {longitude.shape}"
        )
    with np.errstate(invalid="ignore"):
        if (np.abs(latitude) > _GEOMASK_MAX_LATITUDE).any():
            raise PrivacyError(
                f"latitudes must lie within ±{_GEOMASK_MAX_LATITUDE:g} degrees to be geomasked"
            )
        if (np.abs(longitude) > 180.0).any():
            raise PrivacyError("longitudes must lie within [-180, 180] degrees")
    size = float(cell_metres)
    north = EARTH_RADIUS_METRES * np.radians(latitude) / size  # in cells from the equator
    published_row = _farther_grid_line(north) if min_displacement else np.floor(north) + 0.5
    metres_per_radian = EARTH_RADIUS_METRES * np.cos(published_row * size / EARTH_RADIUS_METRES)
    east = metres_per_radian * np.radians(longitude) / size  # in cells from Greenwich
    published_column = _farther_grid_line(east) if min_displacement else np.floor(east) + 0.5
    published_latitude = np.degrees(published_row * size / EARTH_RADIUS_METRES)
    published_longitude = np.degrees(published_column * size / metres_per_radian)
    published_longitude = (published_longitude + 180.0) % 360.0 - 180.0
    return published_latitude, published_longitude


def _farther_grid_line(position: np.ndarray) -> np.ndarray:
    """Return the farther of the two whole numbers around each position: the lower one from
    the upper half of the interval between them, the upper one from the lower half."""
    below = np.floor(position)
    return below + np.where(position - below >= 0.5, 0.0, 1.0)


def _coordinates(value: object, name: str) -> np.ndarray:
    """Return coordinates as a new 1-d float array (None and <NA> become NaN)."""
    if isinstance(value, pd.Series):
        array = value.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise PrivacyError(f"{name} must hold numbers (degrees)") from None
    return np.atleast_1d(array).astype(float, copy=True)


def protect_points(frame: pd.DataFrame, *, latitude: str = "latitude",
                   longitude: str = "longitude",
                   cell_metres: float = DEFAULT_GEOMASK_CELL_METRES,
                   identifiers: Iterable[str] = (), decimals: int = 6) -> Protected[pd.DataFrame]:
    """Point records made safe for the public: identifier columns dropped
    (:func:`~workbench.privacy.drop_identifiers`, plus ``identifiers``) and the coordinates
    geomasked with the minimum displacement (:func:`geomask_points`), rounded to ``decimals``.

    Rows keep their order: sort them by something other than the record (date, category,
    masked position) before publishing, so the order gives nothing away.
    """
    kept, _ = drop_identifiers(frame, extra=identifiers)
    masked_latitude, masked_longitude = geomask_points(
        kept[latitude], kept[longitude], cell_metres=cell_metres, min_displacement=True)
    kept[latitude] = np.round(masked_latitude, decimals)
    kept[longitude] = np.round(masked_longitude, decimals)
    low, high = cell_metres / math.sqrt(2.0), cell_metres * math.sqrt(2.0)
    note = (f"Locations moved to a corner of a fixed {cell_metres:g} m grid: at least "
            f"{low:.0f} m and at most {high:.0f} m from the true place.")
    return _protect(kept, Audience.PUBLIC, note)
