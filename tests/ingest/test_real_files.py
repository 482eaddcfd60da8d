"""Every adapter on its real file (../shared/data/real): nothing lost, known facts from each
PROVENANCE.md reproduced, categories in the canonical vocabulary, re-ingest adds nothing.
Expected values are computed independently from the raw files with the csv module / pyarrow."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import gzip
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from workbench import schema
from workbench.ingest import ingest_file
from workbench.ingest.base import LOCATION_TYPES

from .conftest import (
    ASSAULT,
    CHICAGO,
    HATE_CRIMES,
    MCI,
    NEIGHBOURHOODS,
    SHOOTINGS,
    query,
    table_counts,
)

pytestmark = pytest.mark.realdata

VOCABULARY = set(schema.OFFENCE_CATEGORIES)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


def _categories(warehouse, source: str) -> dict[str, int]:
    return dict(query(warehouse, "SELECT offence_category, count(*) FROM incidents "
                                 f"WHERE source = '{source}' GROUP BY 1"))


# ------------------------------------------------------------------------------------ shootings


def test_shootings_by_neighbourhood_and_year_match_the_raw_file(empty_warehouse, real_data):
    """THE acceptance check: incidents by neighbourhood_id × year(occurred_at) equal the raw
    file grouped by HOOD_158 × OCC_YEAR with NSA left out (= TPS's published Neighbourhood
    Crime Rates for 2014–2023, per the real-data README)."""
    path = real_data / SHOOTINGS
    result = ingest_file(empty_warehouse, "toronto-shootings", path)

    raw = _csv_rows(path)
    assert (result.rows_read, result.loaded, result.quarantined, result.duplicates) == \
        (len(raw), len(raw), 0, 0) == (6409, 6409, 0, 0)
    expected = collections.Counter((r["HOOD_158"], int(r["OCC_YEAR"])) for r in raw
                                   if r["HOOD_158"] != "NSA" and 2014 <= int(r["OCC_YEAR"]) <= 2023)
    loaded = dict(((hood, year), n) for hood, year, n in query(
        empty_warehouse,
        "SELECT neighbourhood_id, year(occurred_at) AS y, count(*) FROM incidents "
        "WHERE neighbourhood_id IS NOT NULL AND year(occurred_at) BETWEEN 2014 AND 2023 "
        "GROUP BY ALL"))
    assert loaded == dict(expected)
    assert len(expected) > 1000

    nsa = sum(r["HOOD_158"] == "NSA" for r in raw)
    assert query(empty_warehouse, "SELECT count(*) FROM incidents "
                                  "WHERE neighbourhood_id IS NULL") == [(nsa,)]
    assert nsa == 69
    assert _categories(empty_warehouse, "toronto_shootings") == {"shooting": 6409}


def test_shootings_fields(empty_warehouse, real_data):
    path = real_data / SHOOTINGS
    ingest_file(empty_warehouse, "toronto-shootings", path)
    raw = {r["EVENT_UNIQUE_ID"]: r for r in _csv_rows(path)}
    loaded = query(empty_warehouse, "SELECT incident_id, occurred_at, division, neighbourhood_id, "
                                    "latitude, longitude FROM incidents")
    assert len(loaded) == len(raw)
    for incident_id, occurred_at, division, hood, latitude, longitude in loaded:
        row = raw[incident_id]
        assert occurred_at == dt.datetime.fromisoformat(row["OCC_DATE"]) + \
            dt.timedelta(hours=int(row["OCC_HOUR"]))
        assert division == row["DIVISION"]
        assert hood == (None if row["HOOD_158"] == "NSA" else row["HOOD_158"])
        if row["LAT_WGS84"] == "NA":
            assert latitude is None and longitude is None
        else:
            assert latitude == pytest.approx(float(row["LAT_WGS84"]))
            assert longitude == pytest.approx(float(row["LONG_WGS84"]))
    assert query(empty_warehouse, "SELECT count(*) FROM incidents "
                                  "WHERE neighbourhood_id = '023'")[0][0] > 0


def test_shootings_reingest_adds_nothing(empty_warehouse, real_data):
    path = real_data / SHOOTINGS
    first = ingest_file(empty_warehouse, "toronto-shootings", path)
    counts = table_counts(empty_warehouse, "incidents", "quarantine")
    second = ingest_file(empty_warehouse, "toronto-shootings", path)

    assert (second.loaded, second.quarantined, second.duplicates) == (0, 0, first.rows_read)
    assert table_counts(empty_warehouse, "incidents", "quarantine") == counts
    batches = query(empty_warehouse, "SELECT file_sha256, rows_read, rows_loaded, rows_duplicate "
                                     "FROM ingest_batches ORDER BY started_at, rows_loaded DESC")
    sha256 = "ea12ffbd0c75c9631813c7cc81dbc3e2658599a2c2c53986b4d6db9640a1a206"  # PROVENANCE.md
    assert batches == [(sha256, 6409, 6409, 0), (sha256, 6409, 0, 6409)]


# ---------------------------------------------------------------------------------- hate crimes


def test_hate_crimes(empty_warehouse, real_data):
    path = real_data / HATE_CRIMES
    result = ingest_file(empty_warehouse, "toronto-hate-crimes", path)
    raw = _csv_rows(path)

    assert (result.rows_read, result.loaded, result.quarantined) == (len(raw), 1350, 0)
    assert _categories(empty_warehouse, "toronto_hate_crimes") == {"hate_crime": 1350}
    arrests = collections.Counter(r["ARREST_MADE"] for r in raw)
    assert dict(query(empty_warehouse, "SELECT clearance, count(*) FROM incidents GROUP BY 1")) \
        == {"charged": arrests["YES"], "open": arrests["NO"]}
    # PROVENANCE.md: OCCURRENCE_DATE 2018-01-03 … 2023-12-30, REPORTED_DATE 2018-01-05 … 2023-12-30
    (first, last, first_report, last_report), = query(
        empty_warehouse, "SELECT min(occurred_at)::DATE, max(occurred_at)::DATE, "
                         "min(reported_at)::DATE, max(reported_at)::DATE FROM incidents")
    assert (first, last) == (dt.date(2018, 1, 3), dt.date(2023, 12, 30))
    assert (first_report, last_report) == (dt.date(2018, 1, 5), dt.date(2023, 12, 30))
    by_id = {r["EVENT_UNIQUE_ID"]: r for r in raw}
    for incident_id, occurred_at in query(empty_warehouse,
                                          "SELECT incident_id, occurred_at FROM incidents"):
        clock = by_id[incident_id]["OCCURRENCE_TIME"].zfill(4)
        assert occurred_at.strftime("%Y-%m-%d %H%M") == \
            f"{by_id[incident_id]['OCCURRENCE_DATE']} {clock}"
    no_location = sum(r["HOOD_158"] == "NSA" for r in raw)
    assert query(empty_warehouse, "SELECT count(*) FROM incidents WHERE neighbourhood_id IS NULL") \
        == [(no_location,)]
    premises = {row[0] for row in query(empty_warehouse, "SELECT DISTINCT location_type "
                                                         "FROM incidents")}
    assert premises - {None} <= set(LOCATION_TYPES) and len(premises) >= 6
    missing_premises = sum(r["LOCATION_TYPE"] == "NA" for r in raw)
    assert query(empty_warehouse, "SELECT count(*) FROM incidents WHERE location_type IS NULL") \
        == [(missing_premises,)]


# ------------------------------------------------------------------------------ assault (sample)


def test_assault_current_schema(empty_warehouse, real_data):
    path = real_data / ASSAULT
    result = ingest_file(empty_warehouse, "toronto-assault", path)
    raw = _csv_rows(path)

    assert (result.rows_read, result.loaded, result.quarantined) == (1000, 1000, 0)
    assert _categories(empty_warehouse, "toronto_mci") == {"assault": 1000}
    loaded = {row[0]: row[1:] for row in query(
        empty_warehouse, "SELECT incident_id, occurred_at, offence_code, neighbourhood_id, "
                         "latitude FROM incidents")}
    months = {name: number for number, name in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December"], start=1)}
    checked = 0
    for row in raw:
        code = f"{row['UCR_CODE']}-{row['UCR_EXT']}"
        occurred_at, offence_code, hood, latitude = loaded[f"{row['EVENT_UNIQUE_ID']}/{code}"]
        assert offence_code == code
        assert occurred_at.hour == int(row["OCC_HOUR"])
        if row["OCC_YEAR"]:  # OCC_DATE is the UTC instant of local midnight: local parts agree
            local = (int(float(row["OCC_YEAR"])), months[row["OCC_MONTH"]],
                     int(float(row["OCC_DAY"])))
            assert (occurred_at.year, occurred_at.month, occurred_at.day) == local
            checked += 1
        assert hood == (None if row["HOOD_158"] == "NSA" else row["HOOD_158"])
        if row["LAT_WGS84"] == "0.0":
            assert latitude is None
    assert checked == 999
    # the one row without OCC_* parts: OCC_DATE 12/1/1988 5:00:00 AM (UTC) = 1988-12-01 local
    assert query(empty_warehouse, "SELECT occurred_at FROM incidents "
                                  "WHERE incident_id = 'GO-20241192557/1420-100'") == \
        [(dt.datetime(1988, 12, 1, 0, 0),)]


# ------------------------------------------------------------------------------------------ MCI


@pytest.mark.slow
def test_mci_reduced_parquet(empty_warehouse, real_data):
    path = real_data / MCI
    result = ingest_file(empty_warehouse, "toronto-mci", path)
    table = pq.read_table(path)
    no_occurrence = int(pc.sum(pc.is_null(table["OCC_YEAR"])).as_py())

    assert result.rows_read == table.num_rows == 384_687
    assert (result.quarantined, no_occurrence) == (121, 121)
    assert result.loaded == table.num_rows - no_occurrence and result.accounted_for
    reasons = query(empty_warehouse, 'SELECT DISTINCT "column", reason FROM quarantine')
    assert reasons == [("OCC_YEAR", "missing required value (for incidents.occurred_at)")]

    # PROVENANCE.md quick counts, OCC_YEAR × rows (no row of those years lacks a date)
    published = {2014: 32_483, 2015: 32_943, 2016: 33_661, 2017: 35_551, 2018: 37_555,
                 2019: 40_113, 2020: 35_219, 2021: 34_805, 2022: 41_448, 2023: 48_402}
    by_year = dict(query(empty_warehouse, "SELECT year(occurred_at), count(*) FROM incidents "
                                          "WHERE year(occurred_at) BETWEEN 2014 AND 2023 GROUP BY 1"))
    assert by_year == published
    # MCI_CATEGORY × rows: loaded + quarantined per category
    quarantined = collections.Counter(
        row[0] for row in query(empty_warehouse, "SELECT raw->>'MCI_CATEGORY' FROM quarantine"))
    loaded = _categories(empty_warehouse, "toronto_mci")
    names = {"Assault": "assault", "Break and Enter": "break_and_enter",
             "Auto Theft": "auto_theft", "Robbery": "robbery", "Theft Over": "theft_over"}
    published_categories = {"Assault": 203_679, "Break and Enter": 72_144,
                            "Auto Theft": 61_216, "Robbery": 34_756, "Theft Over": 12_892}
    for name, count in published_categories.items():
        assert loaded[names[name]] + quarantined[name] == count
    assert query(empty_warehouse, "SELECT count(DISTINCT incident_id) FROM incidents") == \
        [(result.loaded,)]

    again = ingest_file(empty_warehouse, "toronto-mci", path)
    assert (again.loaded, again.duplicates, again.quarantined) == (0, result.loaded, 121)


# -------------------------------------------------------------------------------------- Chicago


@pytest.mark.slow
def test_chicago_crimes_slim(empty_warehouse, real_data):
    path = real_data / CHICAGO
    result = ingest_file(empty_warehouse, "chicago-crimes", path)
    raw = _csv_rows(path)

    assert result.rows_read == len(raw) == 215_551
    assert (result.loaded, result.quarantined, result.duplicates) == (215_551, 0, 0)
    categories = _categories(empty_warehouse, "chicago_crimes")
    assert set(categories) <= VOCABULARY
    types = collections.Counter(r["Primary Type"] for r in raw)
    # PROVENANCE.md: THEFT 49,897; BATTERY 37,789; ASSAULT 19,161; MOTOR VEHICLE THEFT 18,647
    assert categories["theft_under"] == types["THEFT"] == 49_897
    assert categories["assault"] == types["BATTERY"] + types["ASSAULT"] == 37_789 + 19_161
    assert categories["auto_theft"] == types["MOTOR VEHICLE THEFT"] == 18_647
    assert categories["homicide"] == types["HOMICIDE"]
    (first, last), = query(empty_warehouse, "SELECT min(occurred_at), max(occurred_at) FROM incidents")
    assert (first, last) == (dt.datetime(2022, 1, 1), dt.datetime(2022, 11, 30, 23, 59))
    arrests = sum(r["Arrest"] == "true" for r in raw)
    domestic = sum(r["Domestic"] == "true" for r in raw)
    assert dict(query(empty_warehouse, "SELECT clearance, count(*) FROM incidents GROUP BY 1")) \
        == {"charged": arrests, "open": len(raw) - arrests}
    assert query(empty_warehouse, "SELECT count(*) FROM incidents WHERE domestic") == [(domestic,)]
    premises = dict(query(empty_warehouse, "SELECT location_type, count(*) FROM incidents "
                                           "GROUP BY 1"))
    assert set(premises) - {None} == set(LOCATION_TYPES)
    assert premises.get(None, 0) == sum(not r["Location Description"] for r in raw)  # 611
    areas = collections.Counter(r["Community Area"] for r in raw)
    assert dict(query(empty_warehouse, "SELECT neighbourhood_id, count(*) FROM incidents "
                                       "GROUP BY 1")) == dict(areas)
    # identical rows (no ID column in this extract) are distinct records, numbered #2, #3 …
    identical = len(raw) - len({tuple(r.values()) for r in raw})
    assert identical > 0
    assert query(empty_warehouse, "SELECT count(*) FROM incidents WHERE incident_id LIKE '%#%'") \
        >= [(identical,)]

    again = ingest_file(empty_warehouse, "chicago-crimes", path)
    assert (again.loaded, again.duplicates) == (0, 215_551)
    assert table_counts(empty_warehouse, "incidents")["incidents"] == 215_551


# ----------------------------------------------------------------------------- neighbourhoods


def test_toronto_neighbourhoods_and_population(empty_warehouse, real_data):
    import openpyxl

    path = real_data / NEIGHBOURHOODS
    result = ingest_file(empty_warehouse, "toronto-neighbourhoods", path)

    assert (result.rows_read, result.loaded, result.quarantined) == (158, 158, 0)
    assert result.by_table["population"].loaded == 158
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = {}
    for row in workbook["hd2021_census_profile"].iter_rows(values_only=True):
        rows.setdefault(str(row[0]).strip(), row[1:])
        if len(rows) > 5:
            break
    workbook.close()
    numbers = rows["Neighbourhood Number"]
    population = rows["Total - Age groups of the population - 25% sample data"]
    expected = {f"{int(n):03d}": int(p) for n, p in zip(numbers, population, strict=True)}
    assert dict(query(empty_warehouse, "SELECT neighbourhood_id, population FROM population "
                                       "WHERE year = 2021")) == expected
    assert query(empty_warehouse, "SELECT name FROM neighbourhoods "
                                  "WHERE neighbourhood_id = '001'") == [("West Humber-Clairville",)]


def test_shooting_rates_can_be_computed_on_toronto_data(empty_warehouse, real_data):
    ingest_file(empty_warehouse, "toronto-neighbourhoods", real_data / NEIGHBOURHOODS)
    ingest_file(empty_warehouse, "toronto-shootings", real_data / SHOOTINGS)
    unmatched = query(empty_warehouse,
                      "SELECT count(*) FROM incidents i LEFT JOIN population p "
                      "ON p.neighbourhood_id = i.neighbourhood_id AND p.year = 2021 "
                      "WHERE i.neighbourhood_id IS NOT NULL AND p.population IS NULL")
    assert unmatched == [(0,)]
