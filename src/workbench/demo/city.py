"""The demo city's map and residents: neighbourhoods, divisions, populations, addresses.

The layout is fixed: it is drawn once from :data:`LAYOUT_SEED`, never from the user's
``--seed``, so neighbourhood ids, boundaries and names (and therefore the ids of the planted
signals in :mod:`workbench.demo.signals`) are the same in every build. ``--scale`` multiplies
the residents; ``--seed`` changes only the events that happen among them.

Geometry: a 14 × 12 grid of 2.2 × 2.0 km cells around a made-up centre (45.40 N, 75.70 W) whose
interior vertices are jittered, so neighbourhoods are convex quadrilaterals that tile the city
with no gaps or overlaps. The 100 cells closest to the centre under an irregular,
city-shaped radius become neighbourhoods; the 16 most central form division D1 and the rest
are split into six angular sectors (D2–D7).
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from workbench.schema import RACE_GROUPS

LAYOUT_SEED = 2_024_1122
CENTRE_LATITUDE = 45.40
CENTRE_LONGITUDE = -75.70
KM_PER_DEGREE_LATITUDE = 111.13
KM_PER_DEGREE_LONGITUDE = 111.32 * math.cos(math.radians(CENTRE_LATITUDE))
GRID_COLUMNS = 14
GRID_ROWS = 12
CELL_WIDTH_KM = 2.2
CELL_HEIGHT_KM = 2.0
VERTEX_JITTER = 0.22  # share of a cell side; below 0.25 every quadrilateral stays convex
NEIGHBOURHOOD_COUNT = 100
CENTRAL_NEIGHBOURHOODS = 16
REFERENCE_POPULATION = 1_000_000
LOCATIONS_PER_NEIGHBOURHOOD = 300
HOTSPOT_COUNT = 12
STREETS_PER_DIRECTION = 3

DIVISION_NAMES = {
    "D1": "Central",
    "D2": "East",
    "D3": "North-East",
    "D4": "North",
    "D5": "West",
    "D6": "South-West",
    "D7": "South",
}

# City-wide resident shares by ARDS group (before neighbourhood variation).
CITY_RACE_SHARES = {
    "black": 0.080,
    "east_southeast_asian": 0.085,
    "indigenous": 0.025,
    "latino": 0.020,
    "middle_eastern": 0.060,
    "south_asian": 0.065,
    "white": 0.620,
    "other": 0.045,
}

# fmt: off
_NAME_FIRST = (
    "Cedar", "Maple", "Willow", "Birch", "Aspen", "Elm", "Oak", "Pine", "Spruce", "Alder",
    "Heron", "Fox", "Otter", "Beaver", "Falcon", "Raven", "Stone", "Mill", "Brook", "Glen",
    "River", "Lake", "Bay", "Hunt", "Kings", "Queens", "Fair", "Green", "Rose", "Clover",
    "Hazel", "Juniper", "Laurel", "Ash", "Briar", "Copper", "Silver", "Amber", "Marble", "Forest",
)
_NAME_SECOND = (
    "Park", "Heights", "Grove", "Hill", "Village", "Ridge", "Gardens", "Meadows", "Crossing",
    "Landing", "Commons", "Creek", "Point", "Woods", "Vale", "Field",
)
_STREET_BASES = (
    "Albion", "Bayview", "Carleton", "Dalhousie", "Eastway", "Fallowfield", "Greenbank", "Hawthorne",
    "Iris", "Jasper", "Kilborn", "Lisgar", "Meadowlands", "Northgate", "Orchard", "Parkdale",
    "Quarry", "Rideau Valley", "Somerset", "Tremblay", "Union", "Vanier", "Walkley", "Yarrow",
    "Aberdeen", "Beechwood", "Cambrian", "Dunbar", "Elmvale", "Fisher", "Gladstone", "Holland",
    "Innes", "Jockvale", "Kenwood", "Lees", "Merivale", "Navan", "Ogilvie", "Prince of Wales",
    "Queensway", "Russell", "Smyth", "Terry Fox", "Upper Canada", "Victoria", "Woodroffe",
    "Baseline", "Cyrville", "Hemlock", "Montreal", "Riverside", "Strandherd", "Tenth Line",
    "Conroy", "Hunt Club", "Knoxdale", "Leitrim", "Moodie", "Blair",
)
_STREET_SUFFIXES = ("St", "Ave", "Rd", "Dr", "Blvd", "Cres", "Way", "Pkwy", "Lane", "Terr")
# fmt: on


@dataclass(frozen=True)
class CityLayout:
    """The fixed map. Arrays are indexed by neighbourhood (``N``) and, for addresses, location (``K``).

    Coordinates are kilometres east (``x``) and north (``y``) of the centre; see
    :func:`to_longitude_latitude`.
    """

    neighbourhood_ids: tuple[str, ...]
    neighbourhood_names: tuple[str, ...]
    division_ids: tuple[str, ...]
    division_index: np.ndarray  # (N,) index into division_ids
    corners_x: np.ndarray  # (N, 4) counter-clockwise
    corners_y: np.ndarray
    vertex_ids: np.ndarray  # (N, 4) ids of the shared grid vertices (for dissolving)
    area_km2: np.ndarray  # (N,)
    distance_km: np.ndarray  # (N,) from the centre
    reference_population: np.ndarray  # (N,) residents in the reference (end) year at scale 1
    growth_rate: np.ndarray  # (N,) annual population growth
    race_shares: np.ndarray  # (N, G) in RACE_GROUPS order
    deprivation: np.ndarray  # (N,) relative social need (mean ≈ 1): drives violence, disorder
    commerce: np.ndarray  # (N,) relative retail/business activity: drives theft, fraud
    location_x: np.ndarray  # (N, K) address points
    location_y: np.ndarray
    location_weight: np.ndarray  # (N, K) relative call/incident attraction (a few hotspots)
    location_keys: tuple[str, ...]  # N*K opaque address ids, row-major
    intersection_x: np.ndarray  # (N, S*S)
    intersection_y: np.ndarray
    intersection_names: tuple[str, ...]  # N*S*S "A St & B Ave", row-major

    @property
    def neighbourhood_count(self) -> int:
        return len(self.neighbourhood_ids)

    @property
    def division_count(self) -> int:
        return len(self.division_ids)

    def division_population_share(self) -> np.ndarray:
        """Share of residents per division (reference year)."""
        totals = np.bincount(
            self.division_index, weights=self.reference_population, minlength=self.division_count
        )
        return totals / totals.sum()


def to_longitude_latitude(x_km: np.ndarray, y_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude and latitude of points given in km east/north of the centre."""
    return (
        CENTRE_LONGITUDE + np.asarray(x_km) / KM_PER_DEGREE_LONGITUDE,
        CENTRE_LATITUDE + np.asarray(y_km) / KM_PER_DEGREE_LATITUDE,
    )


def bilinear_points(
    corners_x: np.ndarray, corners_y: np.ndarray, u: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points at ``(u, v)`` in the unit square mapped into each convex quadrilateral.

    Corners are counter-clockwise from the south-west one. Every output is a convex
    combination of the four corners, so it lies inside the (convex) quadrilateral.
    """
    weights = np.stack([(1 - u) * (1 - v), u * (1 - v), u * v, (1 - u) * v], axis=-1)
    return (weights * corners_x).sum(axis=-1), (weights * corners_y).sum(axis=-1)


@functools.lru_cache(maxsize=1)
def build_layout() -> CityLayout:
    """The demo city's fixed layout (cached: it never changes)."""
    rng = np.random.default_rng(LAYOUT_SEED)
    vertex_x, vertex_y = _jittered_vertices(rng)
    cells = _choose_cells(rng)
    rows, columns = cells[:, 0], cells[:, 1]
    corner_rows = np.stack([rows, rows, rows + 1, rows + 1], axis=1)
    corner_columns = np.stack([columns, columns + 1, columns + 1, columns], axis=1)
    corners_x = vertex_x[corner_rows, corner_columns]
    corners_y = vertex_y[corner_rows, corner_columns]
    vertex_ids = corner_rows * (GRID_COLUMNS + 1) + corner_columns
    centre_x, centre_y = corners_x.mean(axis=1), corners_y.mean(axis=1)
    distance = np.hypot(centre_x, centre_y)
    area = 0.5 * np.abs(
        (
            corners_x * np.roll(corners_y, -1, axis=1) - np.roll(corners_x, -1, axis=1) * corners_y
        ).sum(axis=1)
    )
    division_index = _assign_divisions(centre_x, centre_y, distance)
    count = len(cells)

    deprivation = np.exp(rng.normal(0.0, 0.45, count))
    deprivation /= deprivation.mean()
    commerce = 0.15 + np.exp(-distance / 4.0) * np.exp(rng.normal(0.0, 0.4, count))
    commerce /= commerce.mean()
    density = np.exp(-distance / 9.0) * np.exp(rng.normal(0.0, 0.3, count))
    population = density * area
    population = population / population.sum() * REFERENCE_POPULATION
    growth = np.clip(rng.normal(0.010, 0.004, count), 0.0, 0.025)
    base_shares = np.array([CITY_RACE_SHARES[group] for group in RACE_GROUPS])
    race_shares = rng.dirichlet(base_shares * 30.0, size=count)

    names = _neighbourhood_names(rng, count)
    location_x, location_y, weights = _locations(rng, corners_x, corners_y, deprivation, commerce)
    location_keys = tuple(
        f"L{number:07d}"
        for number in rng.choice(
            np.arange(1_000_000, 9_999_999), size=location_x.size, replace=False
        )
    )
    intersection_x, intersection_y, intersection_names = _intersections(rng, corners_x, corners_y)

    return CityLayout(
        neighbourhood_ids=tuple(f"N{i + 1:03d}" for i in range(count)),
        neighbourhood_names=names,
        division_ids=tuple(DIVISION_NAMES),
        division_index=division_index,
        corners_x=corners_x,
        corners_y=corners_y,
        vertex_ids=vertex_ids,
        area_km2=area,
        distance_km=distance,
        reference_population=population,
        growth_rate=growth,
        race_shares=race_shares,
        deprivation=deprivation,
        commerce=commerce,
        location_x=location_x,
        location_y=location_y,
        location_weight=weights,
        location_keys=location_keys,
        intersection_x=intersection_x,
        intersection_y=intersection_y,
        intersection_names=intersection_names,
    )


def _jittered_vertices(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(GRID_ROWS + 1)[:, None]
    columns = np.arange(GRID_COLUMNS + 1)[None, :]
    x = (columns - GRID_COLUMNS / 2) * CELL_WIDTH_KM + np.zeros_like(rows, dtype=float)
    y = (rows - GRID_ROWS / 2) * CELL_HEIGHT_KM + np.zeros_like(columns, dtype=float)
    x = x + rng.uniform(-VERTEX_JITTER, VERTEX_JITTER, x.shape) * CELL_WIDTH_KM
    y = y + rng.uniform(-VERTEX_JITTER, VERTEX_JITTER, y.shape) * CELL_HEIGHT_KM
    return x, y


def _choose_cells(rng: np.random.Generator) -> np.ndarray:
    """The ``NEIGHBOURHOOD_COUNT`` cells inside an irregular city outline, ordered north to south."""
    rows, columns = np.meshgrid(np.arange(GRID_ROWS), np.arange(GRID_COLUMNS), indexing="ij")
    x = (columns + 0.5 - GRID_COLUMNS / 2) * CELL_WIDTH_KM
    y = (rows + 0.5 - GRID_ROWS / 2) * CELL_HEIGHT_KM
    angle = np.arctan2(y, x)
    outline = 1.0 + 0.18 * np.cos(2 * (angle - 0.4)) + 0.08 * np.sin(3 * angle + 1.0)
    radius = np.hypot(x / 1.15, y) / outline + rng.uniform(0, 0.4, x.shape)
    chosen = np.argsort(radius.ravel(), kind="stable")[:NEIGHBOURHOOD_COUNT]
    cells = np.stack([rows.ravel()[chosen], columns.ravel()[chosen]], axis=1)
    order = np.lexsort((cells[:, 1], -cells[:, 0]))  # north (high row) first, then west to east
    return cells[order]


def _assign_divisions(x: np.ndarray, y: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """D1 = the most central cells; the others split into six angular sectors of equal size,
    counter-clockwise from east: D2 East, D3 North-East, D4 North, D5 West, D6 South-West,
    D7 South."""
    division = np.zeros(len(x), dtype="int64")
    central = np.argsort(distance, kind="stable")[:CENTRAL_NEIGHBOURHOODS]
    outer = np.setdiff1d(np.arange(len(x)), central)
    angle = (np.degrees(np.arctan2(y[outer], x[outer])) + 30.0) % 360.0
    order = outer[np.argsort(angle, kind="stable")]
    for sector, members in enumerate(np.array_split(order, 6)):
        division[members] = sector + 1
    return division


def _neighbourhood_names(rng: np.random.Generator, count: int) -> tuple[str, ...]:
    pairs = [f"{first} {second}" for first in _NAME_FIRST for second in _NAME_SECOND]
    chosen = rng.choice(len(pairs), size=count, replace=False)
    return tuple(pairs[i] for i in chosen)


def _locations(
    rng: np.random.Generator,
    corners_x: np.ndarray,
    corners_y: np.ndarray,
    deprivation: np.ndarray,
    commerce: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    count = len(corners_x)
    shape = (count, LOCATIONS_PER_NEIGHBOURHOOD)
    u = rng.uniform(0.03, 0.97, shape)
    v = rng.uniform(0.03, 0.97, shape)
    x, y = bilinear_points(corners_x[:, None, :], corners_y[:, None, :], u, v)
    weights = np.exp(rng.normal(0.0, 1.1, shape))
    # A few addresses (shelters, malls, transit hubs, bars) attract many calls.
    hotspot_neighbourhoods = rng.choice(
        count,
        size=HOTSPOT_COUNT,
        replace=False,
        p=(deprivation * commerce) / (deprivation * commerce).sum(),
    )
    hotspot_slots = rng.integers(0, LOCATIONS_PER_NEIGHBOURHOOD, HOTSPOT_COUNT)
    weights[hotspot_neighbourhoods, hotspot_slots] *= rng.uniform(20.0, 50.0, HOTSPOT_COUNT)
    return x, y, weights


def _intersections(
    rng: np.random.Generator, corners_x: np.ndarray, corners_y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    count = len(corners_x)
    streets = [f"{base} {suffix}" for base in _STREET_BASES for suffix in _STREET_SUFFIXES]
    chosen = rng.choice(len(streets), size=(count, 2 * STREETS_PER_DIRECTION), replace=False)
    fractions = (np.arange(STREETS_PER_DIRECTION) + 0.5) / STREETS_PER_DIRECTION
    u, v = np.meshgrid(fractions, fractions, indexing="ij")
    u = np.broadcast_to(u.ravel(), (count, u.size))
    v = np.broadcast_to(v.ravel(), (count, v.size))
    x, y = bilinear_points(corners_x[:, None, :], corners_y[:, None, :], u, v)
    names: list[str] = []
    for n in range(count):
        north_south = [streets[i] for i in chosen[n, :STREETS_PER_DIRECTION]]
        east_west = [streets[i] for i in chosen[n, STREETS_PER_DIRECTION:]]
        names.extend(f"{a} & {b}" for a in north_south for b in east_west)
    return x, y, tuple(names)


# --------------------------------------------------------------------------------------------
# GeoJSON
# --------------------------------------------------------------------------------------------


def neighbourhood_geojson(layout: CityLayout, neighbourhood: int) -> str:
    """The neighbourhood's boundary as a GeoJSON Polygon (closed ring, wound clockwise).

    Clockwise exterior rings are what d3-geo (and so Vega-Lite/Altair maps) expects; tools that
    follow RFC 7946's counter-clockwise rule (shapely, GeoPandas, Leaflet) accept either.
    """
    lon, lat = to_longitude_latitude(
        layout.corners_x[neighbourhood], layout.corners_y[neighbourhood]
    )
    return json.dumps({"type": "Polygon", "coordinates": [_closed_clockwise(lon, lat)]})


def _closed_clockwise(lon: np.ndarray, lat: np.ndarray) -> list[list[float]]:
    """A closed ring in reverse (clockwise for a counter-clockwise input) order, 6 decimals."""
    points = [
        [round(float(a), 6), round(float(b), 6)] for a, b in zip(lon[::-1], lat[::-1], strict=True)
    ]
    return [*points, points[0]]


def division_geojson(layout: CityLayout, division: int) -> str:
    """The division's outline, dissolved from its neighbourhoods (Polygon or MultiPolygon;
    exterior rings clockwise, holes counter-clockwise, as for :func:`neighbourhood_geojson`)."""
    members = np.flatnonzero(layout.division_index == division)
    vertex_x: dict[int, float] = {}
    vertex_y: dict[int, float] = {}
    for n in members:
        for k in range(4):
            vertex_x[int(layout.vertex_ids[n, k])] = float(layout.corners_x[n, k])
            vertex_y[int(layout.vertex_ids[n, k])] = float(layout.corners_y[n, k])
    rings = _dissolved_rings(
        [tuple(int(v) for v in layout.vertex_ids[n]) for n in members], vertex_x, vertex_y
    )
    polygons = _group_rings(rings, vertex_x, vertex_y)
    coordinates = []
    for polygon in polygons:
        converted = []
        for ring in polygon:
            lon, lat = to_longitude_latitude(
                np.array([vertex_x[v] for v in ring]), np.array([vertex_y[v] for v in ring])
            )
            converted.append(_closed_clockwise(lon, lat))
        coordinates.append(converted)
    if len(coordinates) == 1:
        return json.dumps({"type": "Polygon", "coordinates": coordinates[0]})
    return json.dumps({"type": "MultiPolygon", "coordinates": coordinates})


def _dissolved_rings(
    cells: list[tuple[int, ...]], vertex_x: dict[int, float], vertex_y: dict[int, float]
) -> list[list[int]]:
    """Boundary rings of a union of counter-clockwise cells sharing grid vertices.

    Interior edges appear once in each direction and cancel; the remaining directed edges
    chain into rings (outer rings counter-clockwise, holes clockwise). At a vertex where two
    rings touch, the walk takes the sharpest left turn, which keeps the rings apart.
    """
    edges: set[tuple[int, int]] = set()
    for cell in cells:
        for k in range(4):
            edge = (cell[k], cell[(k + 1) % 4])
            reverse = (edge[1], edge[0])
            if reverse in edges:
                edges.remove(reverse)
            else:
                edges.add(edge)
    outgoing: dict[int, list[int]] = defaultdict(list)
    for start, end in sorted(edges):
        outgoing[start].append(end)
    rings: list[list[int]] = []
    while any(outgoing.values()):
        start = next(v for v in sorted(outgoing) if outgoing[v])
        ring = [start]
        previous, current = start, outgoing[start].pop()
        while current != start:
            ring.append(current)
            heading = math.atan2(
                vertex_y[current] - vertex_y[previous], vertex_x[current] - vertex_x[previous]
            )

            def left_turn(
                candidate: int, current: int = current, heading: float = heading
            ) -> float:
                turn = (
                    math.atan2(
                        vertex_y[candidate] - vertex_y[current],
                        vertex_x[candidate] - vertex_x[current],
                    )
                    - heading
                )
                return (turn + math.pi) % (2 * math.pi)

            following = max(outgoing[current], key=left_turn)
            outgoing[current].remove(following)
            previous, current = current, following
        rings.append(ring)
    return rings


def _signed_area(ring: list[int], vertex_x: dict[int, float], vertex_y: dict[int, float]) -> float:
    x = np.array([vertex_x[v] for v in ring])
    y = np.array([vertex_y[v] for v in ring])
    return 0.5 * float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum())


def _group_rings(
    rings: list[list[int]], vertex_x: dict[int, float], vertex_y: dict[int, float]
) -> list[list[list[int]]]:
    outers = [r for r in rings if _signed_area(r, vertex_x, vertex_y) > 0]
    holes = [r for r in rings if _signed_area(r, vertex_x, vertex_y) <= 0]
    polygons: list[list[list[int]]] = [[outer] for outer in outers]
    for hole in holes:
        probe_x = float(np.mean([vertex_x[v] for v in hole]))
        probe_y = float(np.mean([vertex_y[v] for v in hole]))
        for polygon in polygons:
            outer = polygon[0]
            if _contains(
                np.array([vertex_x[v] for v in outer]),
                np.array([vertex_y[v] for v in outer]),
                probe_x,
                probe_y,
            ):
                polygon.append(hole)
                break
    return polygons


def _contains(ring_x: np.ndarray, ring_y: np.ndarray, x: float, y: float) -> bool:
    """Even-odd ray casting."""
    x1, y1 = ring_x, ring_y
    x2, y2 = np.roll(ring_x, -1), np.roll(ring_y, -1)
    crosses = ((y1 > y) != (y2 > y)) & (
        x < (x2 - x1) * (y - y1) / np.where(y2 == y1, 1e-300, y2 - y1) + x1
    )
    return bool(crosses.sum() % 2)


# --------------------------------------------------------------------------------------------
# Residents
# --------------------------------------------------------------------------------------------


def population_in_year(
    layout: CityLayout, year: int, reference_year: int, scale: float
) -> np.ndarray:
    """Residents per neighbourhood in ``year`` (whole numbers), growing at each one's own rate."""
    exact = (
        layout.reference_population * (1.0 + layout.growth_rate) ** (year - reference_year) * scale
    )
    return np.round(exact).astype("int64")


def population_at_days(
    layout: CityLayout, day_numbers: np.ndarray, reference_day: int
) -> np.ndarray:
    """Relative residents (N, D) on given days, 1.0 at ``reference_day`` (for event intensities)."""
    years = (np.asarray(day_numbers, dtype=float) - reference_day) / 365.25
    return (1.0 + layout.growth_rate[:, None]) ** years[None, :]


def census_year(end_year: int) -> int:
    """The latest Canadian census year (…, 2016, 2021, 2026, …) not after ``end_year``."""
    return end_year - ((end_year - 1) % 5)


def population_by_race(
    layout: CityLayout, year: int, reference_year: int, scale: float
) -> np.ndarray:
    """Residents (N, G) by ARDS group in ``year``; each row sums to that year's population."""
    totals = population_in_year(layout, year, reference_year, scale)
    exact = layout.race_shares * totals[:, None]
    counts = np.floor(exact).astype("int64")
    shortfall = totals - counts.sum(axis=1)
    remainders = exact - counts
    order = np.argsort(-remainders, axis=1, kind="stable")
    for n in range(len(totals)):  # largest-remainder rounding; 100 rows
        counts[n, order[n, : shortfall[n]]] += 1
    return counts


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def neighbourhoods_table(layout: CityLayout, source: str) -> pa.Table:
    count = layout.neighbourhood_count
    return pa.table(
        {
            "neighbourhood_id": list(layout.neighbourhood_ids),
            "name": list(layout.neighbourhood_names),
            "division": [layout.division_ids[d] for d in layout.division_index],
            "area_km2": np.round(layout.area_km2, 3),
            "boundary_geojson": [neighbourhood_geojson(layout, n) for n in range(count)],
            "source": [source] * count,
        }
    )


def divisions_table(layout: CityLayout, source: str) -> pa.Table:
    return pa.table(
        {
            "division": list(layout.division_ids),
            "name": [DIVISION_NAMES[d] for d in layout.division_ids],
            "boundary_geojson": [division_geojson(layout, d) for d in range(layout.division_count)],
            "source": [source] * layout.division_count,
        }
    )


def population_table(
    layout: CityLayout, years: range, reference_year: int, scale: float, source: str
) -> pa.Table:
    ids: list[str] = []
    year_column: list[int] = []
    counts: list[np.ndarray] = []
    for year in years:
        ids.extend(layout.neighbourhood_ids)
        year_column.extend([year] * layout.neighbourhood_count)
        counts.append(population_in_year(layout, year, reference_year, scale))
    return pa.table(
        {
            "neighbourhood_id": ids,
            "year": pa.array(year_column, pa.int64()),
            "population": pa.array(np.concatenate(counts), pa.int64()),
            "source": [source] * len(ids),
        }
    )


def population_by_race_table(
    counts: np.ndarray, layout: CityLayout, year: int, source: str
) -> pa.Table:
    """Rows of ``population_by_race`` from a (N, G) count matrix (see :func:`population_by_race`)."""
    groups = len(RACE_GROUPS)
    return pa.table(
        {
            "neighbourhood_id": np.repeat(np.array(layout.neighbourhood_ids), groups),
            "year": pa.array(np.full(counts.size, year), pa.int64()),
            "race_group": np.tile(np.array(RACE_GROUPS), layout.neighbourhood_count),
            "population": pa.array(counts.ravel(), pa.int64()),
            "source": [source] * counts.size,
        }
    )
