"""Crime Severity Index: hand-computed indices, calibration and change drivers."""

import datetime as dt

import pytest

from workbench.analysis import csi
from workbench.analysis._common import AnalysisInputError

AS_OF = dt.date(2024, 1, 15)

CODES = [
    {"offence_code": "A", "offence_category": "assault", "violent": True, "csi_weight": 100.0},
    {"offence_code": "B", "offence_category": "theft_under", "violent": False, "csi_weight": 10.0},
    {"offence_code": "C", "offence_category": "other", "violent": False, "csi_weight": None},
]


def _incidents(year, neighbourhood, division, code, times):
    category = {c["offence_code"]: c["offence_category"] for c in CODES}[code]
    return [{"occurred_at": f"{year}-06-15 12:00", "neighbourhood_id": neighbourhood,
             "division": division, "offence_code": code, "offence_category": category}
            for _ in range(times)]


@pytest.fixture(scope="module")
def tables(warehouse_with):
    incidents = (_incidents(2022, "N1", "D1", "A", 2) + _incidents(2022, "N1", "D1", "B", 1)
                 + _incidents(2022, "N2", "D2", "B", 4)
                 + _incidents(2023, "N1", "D1", "A", 1) + _incidents(2023, "N1", "D1", "B", 3)
                 + _incidents(2023, "N2", "D2", "B", 6) + _incidents(2023, "N2", "D2", "C", 2)
                 + _incidents(2024, "N1", "D1", "A", 9))  # the year in progress
    population = [{"neighbourhood_id": n, "year": y, "population": p} for (n, y), p in
                  {("N1", 2022): 1000, ("N2", 2022): 3000, ("N1", 2023): 1000,
                   ("N2", 2023): 4000}.items()]
    neighbourhoods = [{"neighbourhood_id": "N1", "name": "One", "division": "D1"},
                      {"neighbourhood_id": "N2", "name": "Two", "division": "D2"}]
    warehouse = warehouse_with(incidents=incidents, population=population,
                               neighbourhoods=neighbourhoods, offence_codes=CODES)
    return warehouse.tables("incidents", "offence_codes", "population", "neighbourhoods")


def test_service_index_is_weighted_count_per_100000_residents(tables):
    result = csi.crime_severity_index(*tables, as_of=AS_OF, years=2).set_index("year")
    assert result.loc[2022, "raw_index"] == pytest.approx(250 / 4000 * 100_000)
    assert result.loc[2023, "raw_index"] == pytest.approx(190 / 5000 * 100_000)
    assert result.loc[2022, "violent_csi"] == pytest.approx(200 / 4000 * 100_000)
    assert result.loc[2023, "non_violent_csi"] == pytest.approx(90 / 5000 * 100_000)
    # two incidents of code C have no weight: coverage 10 of 12
    assert result.loc[2023, "weight_coverage"] == pytest.approx(10 / 12)
    assert result["official"].all() and (result["weights_version"] == "test-1").all()


def test_calibration_reproduces_the_published_base_year(tables):
    raw = csi.crime_severity_index(*tables, as_of=AS_OF, years=[2022]).iloc[0]["raw_index"]
    scale = csi.calibrate_csi_scale(raw, 50.0)
    assert scale == pytest.approx(50.0 / 6250)
    calibrated = csi.crime_severity_index(*tables, as_of=AS_OF, years=2,
                                          scale=scale).set_index("year")
    assert calibrated.loc[2022, "csi"] == pytest.approx(50.0)
    assert calibrated.loc[2023, "csi"] == pytest.approx(30.4)
    with pytest.raises(AnalysisInputError, match="raw_index"):
        csi.calibrate_csi_scale(0.0, 50.0)


def test_sub_city_values_are_labelled_unofficial(tables):
    divisions = csi.crime_severity_index(*tables, as_of=AS_OF, years=[2023],
                                         geography="division").set_index("division")
    assert divisions.loc["D1", "raw_index"] == pytest.approx(130 / 1000 * 100_000)
    assert divisions.loc["D2", "raw_index"] == pytest.approx(60 / 4000 * 100_000)
    assert not divisions["official"].any()
    assert (divisions["label"] == "unofficial").all()


def test_a_year_still_in_progress_is_refused(tables):
    with pytest.raises(AnalysisInputError, match="2024 is not complete"):
        csi.crime_severity_index(*tables, as_of=AS_OF, years=[2023, 2024])


def test_change_drivers_add_up_to_the_change_in_the_index(tables):
    scale = 50.0 / 6250
    drivers = csi.csi_change_drivers(*tables, as_of=AS_OF, scale=scale).set_index(
        "offence_category")
    assert drivers.loc["assault", "contribution"] == pytest.approx(800 * (100 / 5000 - 200 / 4000))
    assert drivers.loc["theft_under", "contribution"] == pytest.approx(
        800 * (90 / 5000 - 50 / 4000))
    assert drivers.loc["other", "contribution"] == 0.0
    assert drivers["contribution"].sum() == pytest.approx(30.4 - 50.0)
    assert drivers.iloc[0].name == "assault"  # largest contribution first
    assert drivers.loc["assault", "share_of_change"] == pytest.approx(-24.0 / -19.6)
    assert (drivers.loc["assault", "incidents_previous"],
            drivers.loc["assault", "incidents_current"]) == (2, 1)


def test_change_drivers_for_one_division_by_offence_code(tables):
    drivers = csi.csi_change_drivers(*tables, as_of=AS_OF, geography="division", area="D2",
                                     by="offence_code").set_index("offence_code")
    assert drivers.loc["B", "contribution"] == pytest.approx(
        100_000 * (60 / 4000 - 40 / 3000))
    with pytest.raises(AnalysisInputError, match="area"):
        csi.csi_change_drivers(*tables, as_of=AS_OF, geography="division")


def test_an_index_the_data_cannot_give_says_what_is_missing(warehouse_with):
    from workbench.errors import InsufficientDataError

    uncoded = [dict(row, offence_code=None) for row in _incidents(2023, "N1", "D1", "A", 3)]
    people = [{"neighbourhood_id": "N1", "year": 2023, "population": 1000}]
    places = [{"neighbourhood_id": "N1", "name": "One", "division": "D1"}]
    warehouse = warehouse_with(incidents=uncoded, population=people, neighbourhoods=places,
                               offence_codes=CODES)
    with pytest.raises(InsufficientDataError, match="none of the 3 incidents of 2023 has an "
                       "offence code with a CSI weight"):
        csi.crime_severity_index(*warehouse.tables("incidents", "offence_codes", "population",
                                                   "neighbourhoods"), as_of=AS_OF, years=[2023])
    coded = warehouse_with(incidents=_incidents(2023, "N1", "D1", "A", 3), offence_codes=CODES)
    tables = coded.tables("incidents", "offence_codes", "population", "neighbourhoods",
                          optional=("population", "neighbourhoods"))
    with pytest.raises(InsufficientDataError, match="no resident population"):
        csi.crime_severity_index(*tables, as_of=AS_OF, years=[2023])
