"""The fixed map and organisation of the demo city (no warehouse needed)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from workbench.demo import city, signals
from workbench.demo.calls import call_shares, patrol_workload_share
from workbench.demo.workforce import build_workforce


@pytest.fixture(scope="module")
def layout():
    return city.build_layout()


def _cross(ax, ay, bx, by):
    return ax * by - ay * bx


def test_neighbourhoods_are_convex_and_counter_clockwise(layout):
    x, y = layout.corners_x, layout.corners_y
    for k in range(4):
        j, m = (k + 1) % 4, (k + 2) % 4
        turn = _cross(x[:, j] - x[:, k], y[:, j] - y[:, k], x[:, m] - x[:, j], y[:, m] - y[:, j])
        assert (turn > 0).all()
    assert layout.neighbourhood_count == 100
    assert np.bincount(layout.division_index).min() >= 10


def test_bilinear_points_stay_inside_their_quadrilateral(layout):
    rng = np.random.default_rng(0)
    u, v = rng.random((100, 50)), rng.random((100, 50))
    px, py = city.bilinear_points(layout.corners_x[:, None, :], layout.corners_y[:, None, :], u, v)
    for k in range(4):
        j = (k + 1) % 4
        ex = (layout.corners_x[:, j] - layout.corners_x[:, k])[:, None]
        ey = (layout.corners_y[:, j] - layout.corners_y[:, k])[:, None]
        side = _cross(
            ex, ey, px - layout.corners_x[:, k][:, None], py - layout.corners_y[:, k][:, None]
        )
        assert (side >= -1e-12).all()


def test_neighbourhoods_tile_the_city_without_gaps(layout):
    # every interior edge is shared by exactly two neighbourhoods, in opposite directions
    edges = {}
    for cell in layout.vertex_ids:
        for k in range(4):
            edge = (int(cell[k]), int(cell[(k + 1) % 4]))
            assert edge not in edges
            edges[edge] = True
    shared = sum((b, a) in edges for a, b in edges)
    assert shared > 2 * 150


def test_division_outlines_are_closed_clockwise_rings_around_their_neighbourhoods(layout):
    for division in range(layout.division_count):
        geometry = json.loads(city.division_geojson(layout, division))
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        outer = np.array(polygons[0][0])
        assert (outer[0] == outer[-1]).all()
        x, y = outer[:, 0], outer[:, 1]
        signed_area = 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
        assert signed_area < 0  # clockwise, as d3-geo / Vega-Lite expect
    neighbourhood = json.loads(city.neighbourhood_geojson(layout, 0))["coordinates"][0]
    x, y = np.array(neighbourhood).T
    assert float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) < 0


def test_census_year():
    assert city.census_year(2026) == 2026
    assert city.census_year(2025) == 2021
    assert city.census_year(2021) == 2021


def test_population_by_race_rounds_to_the_total(layout):
    counts = city.population_by_race(layout, 2021, 2024, 0.3)
    assert (counts.sum(axis=1) == city.population_in_year(layout, 2021, 2024, 0.3)).all()
    assert (counts >= 0).all()


def test_planted_ids_belong_to_the_fixed_layout(layout):
    assert signals.BREAK_AND_ENTER_SURGE.neighbourhood_id in layout.neighbourhood_ids
    assert signals.RESPONSE_TIME_DEGRADATION.division in layout.division_ids
    shares = patrol_workload_share(
        call_shares(layout), layout.division_index, layout.division_count
    )
    members = build_workforce(layout, shares, 20_000, 21_825)
    units = {u.unit_id: u for u in members.units}
    assert units[signals.SICK_LEAVE_UNIT.unit_id].unit_type == "patrol"
    officer = members.officer_id.index(signals.OFFICER_USE_OF_FORCE.officer_id)
    assert (
        members.units[members.unit_index[officer]].unit_id == signals.OFFICER_USE_OF_FORCE.unit_id
    )
    assert members.hired_day[officer] < 20_000 and members.left_day[officer] == -1
    assert len(set(members.officer_id)) == members.member_count
    planted_divisions = {
        layout.division_ids[
            layout.division_index[
                layout.neighbourhood_ids.index(signals.BREAK_AND_ENTER_SURGE.neighbourhood_id)
            ]
        ],
        units[signals.SICK_LEAVE_UNIT.unit_id].division,
        units[signals.OFFICER_USE_OF_FORCE.unit_id].division,
        signals.RESPONSE_TIME_DEGRADATION.division,
    }
    assert len(planted_divisions) == 4  # the signals do not overlap


def test_disproportionality_arithmetic():
    planted = signals.USE_OF_FORCE_DISPROPORTIONALITY
    share = 0.08
    rate = planted.relative_rate(share)
    group_share = share * rate / (share * rate + 1 - share)
    assert group_share / share == pytest.approx(planted.index_vs_population)
    assert (1 - group_share) / (1 - share) == pytest.approx(planted.other_groups_index(share))
    with pytest.raises(ValueError):
        planted.relative_rate(0.5)


def test_response_ramp():
    planted = signals.RESPONSE_TIME_DEGRADATION
    assert planted.added_minutes(0) == planted.median_increase_minutes
    assert planted.added_minutes(400) == 0
    assert planted.added_minutes(planted.days / 2) == pytest.approx(
        planted.median_increase_minutes / 2
    )
    assert signals.BREAK_AND_ENTER_SURGE.first_day(dt.date(2026, 3, 1)) == dt.date(2026, 1, 5)
    assert signals.signal("sick_leave_unit") is signals.SICK_LEAVE_UNIT
