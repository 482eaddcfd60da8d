"""Maps from the warehouse's boundaries: valid geoshape specs, d3 winding, joined values."""

import pandas as pd

import workbench.charts  # noqa: F401  (registers the house theme)
from workbench.charts import maps


def _walk(spec):
    """Every (sub)chart dict in a compiled spec: layers, facets and concatenations."""
    yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from _walk(child)
    if "spec" in spec:
        yield from _walk(spec["spec"])


def _marks(spec):
    return [s["mark"]["type"] if isinstance(s["mark"], dict) else s["mark"]
            for s in _walk(spec) if "mark" in s]


def _fields(spec):
    """Every (channel, field) pair encoded anywhere in the spec."""
    return {(channel, e.get("field")) for s in _walk(spec)
            for channel, e in s.get("encoding", {}).items() if isinstance(e, dict)}


def _rows(spec):
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def _square(x, y, size=0.01, counter_clockwise=True):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return ring if counter_clockwise else ring[::-1]


def _features():
    return [{"type": "Feature", "id": f"N{i}",
             "properties": {"neighbourhood_id": f"N{i}", "name": f"Area {i}", "division": "D1"},
             "geometry": {"type": "Polygon", "coordinates": [_square(-75.0 + 0.01 * i, 45.0)]}}
            for i in range(3)]


def test_rings_are_rewound_for_d3():
    hole = _square(-74.996, 45.004, 0.002, counter_clockwise=False)
    geometry = {"type": "Polygon", "coordinates": [_square(-75.0, 45.0), hole]}
    rewound = maps.rewound_for_d3(geometry)
    outer, inner = rewound["coordinates"]
    assert maps._signed_area(outer) < 0 < maps._signed_area(inner)
    assert geometry["coordinates"][0] == _square(-75.0, 45.0)  # input untouched
    multi = maps.rewound_for_d3({"type": "MultiPolygon",
                                 "coordinates": [[_square(0, 0)], [_square(1, 1)]]})
    assert all(maps._signed_area(p[0]) < 0 for p in multi["coordinates"])


def test_choropleth_joins_values_into_the_features_and_greys_out_missing_ones():
    values = pd.DataFrame({"neighbourhood_id": ["N0", "N1"], "rate_per_1000": [2.5, 7.0]})
    features = _features()
    spec = maps.choropleth_map(values, features, title="B&E rate").to_dict()
    assert _marks(spec) == ["geoshape", "geoshape"]
    assert spec["projection"]["type"] == "mercator"
    base, shaded = spec["layer"]
    assert base["mark"]["fill"] == "#e0e0e0"
    assert shaded["encoding"]["color"]["field"] == "properties.rate_per_1000"
    assert shaded["transform"] == [{"filter": "isValid(datum.properties.rate_per_1000)"}]
    drawn = spec["data"]["values"] if "values" in spec.get("data", {}) else base["data"]["values"]
    by_id = {f["id"]: f["properties"] for f in drawn}
    assert by_id["N1"]["rate_per_1000"] == 7.0 and by_id["N2"]["rate_per_1000"] is None
    assert all(maps._signed_area(f["geometry"]["coordinates"][0]) < 0 for f in drawn)
    assert "rate_per_1000" not in features[0]["properties"]  # input untouched


def test_diverging_choropleth_centres_on_zero():
    values = pd.DataFrame({"neighbourhood_id": ["N0", "N1", "N2"], "z": [-1.0, 0.5, 6.2]})
    spec = maps.choropleth_map(values, _features(), value="z", diverging=True).to_dict()
    scale = spec["layer"][1]["encoding"]["color"]["scale"]
    assert scale["domainMid"] == 0 and scale["scheme"] == "redblue"


def test_grid_map_places_cells_at_their_centres_over_outlines():
    cells = pd.DataFrame({"centre_latitude": [45.002, 45.012], "centre_longitude": [-75.0, -75.01],
                          "current": [12, 1], "past": [1, 0], "z": [4.9, 2.0]})
    spec = maps.hot_spot_grid_map(cells, features=_features()).to_dict()
    assert _marks(spec) == ["geoshape", "square"]
    squares = spec["layer"][1]["encoding"]
    assert (squares["latitude"]["field"], squares["longitude"]["field"]) == (
        "centre_latitude", "centre_longitude")
    assert squares["color"]["scale"]["domainMid"] == 0
