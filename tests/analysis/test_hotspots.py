"""Hot spots, grid cells, boundaries for maps and the weighted displacement difference."""

import datetime as dt
import json
import math

import pytest

from workbench import geometry
from workbench.analysis import hotspots
from workbench.analysis._common import AnalysisInputError

AS_OF = dt.date(2024, 6, 30)


def _copies(row, times):
    return [dict(row) for _ in range(times)]


def _square(x, y, size=0.01):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


# ------------------------------------------------------------------------------ WDD


def test_wdd_reproduces_the_published_example(warehouse_with):
    intervention = dt.date(2024, 3, 1)
    rows = (_copies({"occurred_at": "2024-02-15", "neighbourhood_id": "T"}, 20)
            + _copies({"occurred_at": "2024-03-15", "neighbourhood_id": "T"}, 10)
            + _copies({"occurred_at": "2024-02-15", "neighbourhood_id": "C"}, 20)
            + _copies({"occurred_at": "2024-03-15", "neighbourhood_id": "C"}, 20)
            + [{"occurred_at": "2024-01-30", "neighbourhood_id": "T"},  # day before the window
               {"occurred_at": "2024-03-15", "neighbourhood_id": "elsewhere"}])
    warehouse = warehouse_with(incidents=rows)
    result = hotspots.intervention_effect(
        warehouse.table("incidents"), treated=["T"], control=["C"],
        intervention_date=intervention, days=30, as_of=dt.date(2024, 4, 30)).iloc[0]
    assert (result["treated_before"], result["treated_after"],
            result["control_before"], result["control_after"]) == (20, 10, 20, 20)
    assert result["before_start"] == dt.date(2024, 1, 31)
    assert result["wdd"] == -10
    assert round(result["standard_error"], 2) == 8.37
    assert (round(result["lower"], 1), round(result["upper"], 1)) == (-23.8, 3.8)


def test_wdd_with_displacement_reproduces_wheeler_and_ratcliffe(warehouse_with):
    counts = {"T": (207, 110), "C": (308, 318), "D": (178, 157), "DC": (150, 140)}
    rows = []
    for area, (before, after) in counts.items():
        rows += _copies({"occurred_at": "2024-02-20", "neighbourhood_id": area}, before)
        rows += _copies({"occurred_at": "2024-03-10", "neighbourhood_id": area}, after)
    warehouse = warehouse_with(incidents=rows)
    result = hotspots.intervention_effect(
        warehouse.table("incidents"), treated=["T"], control=["C"], displacement=["D"],
        displacement_control=["DC"], intervention_date=dt.date(2024, 3, 1), days=28,
        as_of=AS_OF, level=0.95).iloc[0]
    assert result["wdd"] == -118
    assert result["standard_error"] == pytest.approx(math.sqrt(1568))
    assert round(result["z"], 2) == -2.98
    assert (round(result["lower"]), round(result["upper"])) == (-196, -40)


def test_wdd_refuses_overlapping_sets_and_an_unfinished_window(warehouse_with):
    table = warehouse_with(incidents=[]).table("incidents")
    with pytest.raises(AnalysisInputError, match="'N1' is in both"):
        hotspots.intervention_effect(table, treated=["N1"], control=["N1", "N2"],
                                     intervention_date=dt.date(2024, 3, 1), days=30, as_of=AS_OF)
    with pytest.raises(AnalysisInputError, match="after as_of"):
        hotspots.intervention_effect(table, treated=["N1"], control=["N2"],
                                     intervention_date=dt.date(2024, 6, 15), days=30,
                                     as_of=AS_OF)


# ------------------------------------------------------------------------------ neighbourhoods


@pytest.fixture(scope="module")
def hot_spot_warehouse(warehouse_with):
    ids = ["N1", "N2", "N3", "N4", "N5", "N6"]
    neighbourhoods = [{"neighbourhood_id": n, "name": f"Area {n}", "division": "D1",
                       "boundary_geojson": _square(-75.0 + 0.01 * i, 45.0)}
                      for i, n in enumerate(ids)]
    population = [{"neighbourhood_id": n, "year": 2024, "population": 1000 if n == "N1" else 2000}
                  for n in ids]
    incidents = (_copies({"occurred_at": "2024-06-20", "neighbourhood_id": "N1",
                          "offence_category": "break_and_enter"}, 30)
                 + _copies({"occurred_at": "2023-06-20", "neighbourhood_id": "N1",
                            "offence_category": "break_and_enter"}, 5)
                 + _copies({"occurred_at": "2024-05-20", "neighbourhood_id": "N1",
                            "offence_category": "break_and_enter"}, 28)
                 + _copies({"occurred_at": "2024-06-20", "neighbourhood_id": "N1",
                            "offence_category": "assault"}, 3))
    for n in ids[1:5]:
        for when in ("2024-06-20", "2023-06-20"):
            incidents += _copies({"occurred_at": when, "neighbourhood_id": n,
                                  "offence_category": "break_and_enter"}, 10)
    return warehouse_with(neighbourhoods=neighbourhoods, population=population,
                          incidents=incidents)


def _hot_spots(warehouse, **options):
    return hotspots.neighbourhood_hot_spots(
        warehouse.table("incidents"), warehouse.table("population"),
        warehouse.table("neighbourhoods"), as_of=AS_OF,
        offence_categories=["break_and_enter"], **options)


def test_the_surging_neighbourhood_ranks_first_and_alone_is_flagged(hot_spot_warehouse):
    result = _hot_spots(hot_spot_warehouse)
    assert len(result) == 6
    top = result.iloc[0]
    assert (top["neighbourhood_id"], top["current"], top["past"]) == ("N1", 30, 5)
    assert top["z"] == pytest.approx(2 * (math.sqrt(30) - math.sqrt(5)))
    assert top["flagged"] and top["significant"] and top["change_rank"] == 1
    assert result["flagged"].sum() == 1 and result["significant"].sum() == 1
    quiet = result.set_index("neighbourhood_id").loc["N6"]
    assert (quiet["current"], quiet["past"], quiet["rate_per_1000"]) == (0, 0, 0.0)


def test_rates_per_thousand_and_their_ranks(hot_spot_warehouse):
    result = _hot_spots(hot_spot_warehouse).set_index("neighbourhood_id")
    assert result.loc["N1", "rate_per_1000"] == pytest.approx(30.0)
    assert result.loc["N2", "rate_per_1000"] == pytest.approx(5.0)
    assert result.loc["N1", "rate_rank"] == 1
    assert set(result.loc[["N2", "N3", "N4", "N5"], "rate_rank"]) == {2}  # ties share a rank
    assert result.loc["N6", "rate_rank"] == 6


def test_comparing_with_the_previous_window_instead_of_a_year_ago(hot_spot_warehouse):
    result = _hot_spots(hot_spot_warehouse, compare_with="previous").set_index(
        "neighbourhood_id")
    assert (result.loc["N1", "current"], result.loc["N1", "past"]) == (30, 28)
    assert not result.loc["N1", "flagged"]
    with pytest.raises(AnalysisInputError, match="compare_with"):
        _hot_spots(hot_spot_warehouse, compare_with="last_month")


def test_all_categories_are_counted_when_none_are_named(hot_spot_warehouse):
    result = hotspots.neighbourhood_hot_spots(
        hot_spot_warehouse.table("incidents"), hot_spot_warehouse.table("population"),
        hot_spot_warehouse.table("neighbourhoods"), as_of=AS_OF).set_index("neighbourhood_id")
    assert result.loc["N1", "current"] == 33


def test_a_crime_export_without_neighbourhood_tables_still_ranks_its_areas(warehouse_with):
    """A crime-only warehouse (Chicago's community areas, no neighbourhoods or population
    loaded): the incidents' own areas are ranked by change, with no rate."""
    rows = (_copies({"occurred_at": "2024-06-20", "neighbourhood_id": "25"}, 40)
            + _copies({"occurred_at": "2023-06-20", "neighbourhood_id": "25"}, 10)
            + _copies({"occurred_at": "2024-06-20", "neighbourhood_id": "8"}, 12)
            + _copies({"occurred_at": "2023-06-20", "neighbourhood_id": "8"}, 12)
            + [{"occurred_at": "2024-06-21", "neighbourhood_id": None}])
    warehouse = warehouse_with(incidents=rows)
    incidents, population, neighbourhoods = warehouse.tables(
        "incidents", "population", "neighbourhoods", optional=("population", "neighbourhoods"))
    result = hotspots.neighbourhood_hot_spots(incidents, population, neighbourhoods,
                                              as_of=AS_OF).set_index("neighbourhood_id")
    assert list(result.index) == ["25", "8"]
    assert (result.loc["25", "current"], result.loc["25", "past"]) == (40, 10)
    assert result.loc["25", "significant"] and not result.loc["8", "flagged"]
    assert result["rate_per_1000"].isna().all() and result["name"].isna().all()


# ------------------------------------------------------------------------------ grid


def test_grid_cells_group_nearby_incidents(warehouse_with):
    rows = (_copies({"occurred_at": "2024-06-20", "latitude": 45.0010,
                     "longitude": -75.0010}, 6)
            + _copies({"occurred_at": "2024-06-21", "latitude": 45.0020,
                       "longitude": -75.0020}, 6)
            + [{"occurred_at": "2023-06-21", "latitude": 45.0015, "longitude": -75.0015},
               {"occurred_at": "2024-06-22", "latitude": 45.0100, "longitude": -75.0030},
               {"occurred_at": "2024-06-22", "latitude": None, "longitude": None}])
    warehouse = warehouse_with(incidents=rows)
    cells = hotspots.grid_hot_spots(warehouse.table("incidents"), as_of=AS_OF,
                                    origin=(45.0, -75.01), cell_metres=500)
    assert len(cells) == 2
    first = cells.iloc[0]
    assert (first["cell_row"], first["cell_column"], first["current"], first["past"]) == (
        0, 1, 12, 1)
    assert first["centre_latitude"] == pytest.approx(
        45.0 + 0.5 * 500 / geometry.METRES_PER_DEGREE_LATITUDE)
    second = cells.iloc[1]
    assert (second["cell_row"], second["current"]) == (2, 1)
    assert first["flagged"] and first["change_rank"] == 1 and first["count_rank"] == 1


# ------------------------------------------------------------------------------ boundaries


def test_neighbourhood_features_parse_the_stored_boundaries(hot_spot_warehouse):
    features = hotspots.neighbourhood_features(hot_spot_warehouse.table("neighbourhoods"))
    assert [f["id"] for f in features] == ["N1", "N2", "N3", "N4", "N5", "N6"]
    assert features[0]["geometry"]["type"] == "Polygon"
    assert features[0]["properties"] == {"neighbourhood_id": "N1", "name": "Area N1",
                                         "division": "D1"}


def test_a_broken_boundary_names_its_neighbourhood(warehouse_with):
    warehouse = warehouse_with(neighbourhoods=[
        {"neighbourhood_id": "N1", "name": "One", "division": "D1", "boundary_geojson": None},
        {"neighbourhood_id": "N2", "name": "Two", "division": "D1", "boundary_geojson": "{oops"},
    ])
    with pytest.raises(AnalysisInputError, match="'N2' is not JSON"):
        hotspots.neighbourhood_features(warehouse.table("neighbourhoods"))
