"""Maps drawn from the warehouse's own boundaries: no tile server, nothing fetched.

Boundaries come from :func:`workbench.analysis.hotspots.neighbourhood_features` (GeoJSON
features parsed from ``neighbourhoods.boundary_geojson``) and are embedded in the chart with
``alt.Data(values=features)`` and drawn with ``mark_geoshape``.

GeoJSON (RFC 7946) winds outer rings counter-clockwise; d3-geo, which Vega uses, reads a
counter-clockwise ring as "everything except this polygon" and would paint the whole map.
The functions here therefore rewind every ring (outer rings clockwise, holes
counter-clockwise) on a copy of the features before drawing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

__all__ = ["choropleth_map", "hot_spot_grid_map", "rewound_for_d3"]

_MISSING = "#e0e0e0"
_OUTLINE = "#ffffff"


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Shoelace area of a (longitude, latitude) ring: positive when counter-clockwise."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2.0


def _rewind_polygon(rings: Sequence[Sequence[Sequence[float]]]) -> list[list[list[float]]]:
    result = []
    for position, ring in enumerate(rings):
        points = [[float(x), float(y)] for x, y, *_ in ring]
        clockwise = _signed_area(points) < 0
        wants_clockwise = position == 0
        result.append(points if clockwise == wants_clockwise else points[::-1])
    return result


def rewound_for_d3(geometry: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Polygon or MultiPolygon with rings wound as d3-geo expects (outer rings
    clockwise, holes counter-clockwise); other geometries are returned as a plain copy."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _rewind_polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon",
                "coordinates": [_rewind_polygon(polygon) for polygon in geometry["coordinates"]]}
    return dict(geometry)


def _plain(value: Any) -> Any:
    """A JSON-friendly Python value (numpy scalars unwrapped, NaN as None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _joined_features(values: pd.DataFrame, features: Sequence[dict[str, Any]], key: str,
                     columns: Sequence[str]) -> list[dict[str, Any]]:
    """Copies of ``features`` with ``columns`` of the matching ``values`` row in properties."""
    lookup = values.drop_duplicates(key).set_index(key)[list(columns)]
    joined = []
    for feature in features:
        properties = dict(feature.get("properties") or {})
        identifier = properties.get(key, feature.get("id"))
        if identifier in lookup.index:
            row = lookup.loc[identifier]
            properties.update({column: _plain(row[column]) for column in columns})
        else:
            properties.update(dict.fromkeys(columns))
        joined.append({"type": "Feature", "id": feature.get("id", identifier),
                       "properties": properties,
                       "geometry": rewound_for_d3(feature["geometry"])})
    return joined


def choropleth_map(
    values: pd.DataFrame,
    features: Sequence[dict[str, Any]],
    *,
    value: str = "rate_per_1000",
    key: str = "neighbourhood_id",
    value_title: str | None = None,
    title: str = "",
    tooltip: Sequence[str] = ("name",),
    diverging: bool = False,
    width: int = 520,
    height: int = 520,
) -> alt.LayerChart:
    """Neighbourhoods shaded by ``value`` (e.g. ``rate_per_1000`` or ``z`` from
    :func:`~workbench.analysis.hotspots.neighbourhood_hot_spots`).

    Args:
        values: one row per area with ``key`` and ``value`` (and the ``tooltip`` columns not
            already in the features' properties).
        features: GeoJSON features whose ``properties[key]`` (or ``id``) match ``values``.
        diverging: a red–blue scale centred on 0 (for changes and z-scores) instead of a
            sequential one.

    Areas without a value are drawn in light grey. Returns an Altair layer chart (Mercator
    projection) whose data are the features themselves.
    """
    extra = [c for c in tooltip if c in values.columns and c not in (key, value)]
    joined = _joined_features(values, features, key, [value, *extra])
    field = f"properties.{value}"
    scale = (alt.Scale(scheme="redblue", reverse=True, domainMid=0) if diverging
             else alt.Scale(scheme="blues"))
    tooltips = [alt.Tooltip(f"properties.{key}:N", title=key.replace("_", " ")),
                *[alt.Tooltip(f"properties.{c}:N", title=c.replace("_", " "))
                  for c in tooltip if c != key],
                alt.Tooltip(f"{field}:Q", title=value_title or value, format=",.2f")]
    data = alt.Data(values=joined)
    base = alt.Chart(data).mark_geoshape(fill=_MISSING, stroke=_OUTLINE, strokeWidth=0.5)
    shaded = alt.Chart(data).mark_geoshape(stroke=_OUTLINE, strokeWidth=0.5).encode(
        color=alt.Color(f"{field}:Q", title=value_title or value, scale=scale),
        tooltip=tooltips,
    ).transform_filter(f"isValid(datum.properties.{value})")
    return alt.layer(base, shaded).project(type="mercator").properties(
        title=title, width=width, height=height)


def hot_spot_grid_map(
    cells: pd.DataFrame,
    *,
    value: str = "z",
    features: Sequence[dict[str, Any]] | None = None,
    title: str = "",
    width: int = 520,
    height: int = 520,
) -> alt.LayerChart:
    """Grid cells (:func:`~workbench.analysis.hotspots.grid_hot_spots`) as squares at their
    centres coloured by ``value`` (a red–blue scale centred on 0 for ``z`` and ``change``),
    over neighbourhood outlines when ``features`` are given."""
    data = cells[["centre_latitude", "centre_longitude", "current", "past", "z",
                  *([value] if value not in ("current", "past", "z") else [])]]
    diverging = value in ("z", "change")
    scale = (alt.Scale(scheme="redblue", reverse=True, domainMid=0) if diverging
             else alt.Scale(scheme="oranges"))
    squares = alt.Chart(data.reset_index(drop=True)).mark_square(size=60, opacity=0.85).encode(
        longitude="centre_longitude:Q", latitude="centre_latitude:Q",
        color=alt.Color(f"{value}:Q", scale=scale),
        tooltip=[alt.Tooltip("current:Q", title="Now"), alt.Tooltip("past:Q", title="Before"),
                 alt.Tooltip("z:Q", format="+.2f")],
    )
    layers: list[alt.Chart] = []
    if features:
        outlines = [{"type": "Feature", "id": f.get("id"), "properties": dict(f.get("properties")
                                                                              or {}),
                     "geometry": rewound_for_d3(f["geometry"])} for f in features]
        layers.append(alt.Chart(alt.Data(values=outlines)).mark_geoshape(
            fill=None, stroke="#9e9e9e", strokeWidth=0.5))
    layers.append(squares)
    return alt.layer(*layers).project(type="mercator").properties(
        title=title, width=width, height=height)
