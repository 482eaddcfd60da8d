"""Adapters for the remaining shared real sources (issue 18 item 6): Milwaukee calls for
service, Vancouver crime and population, Toronto public complaints — each on the real file,
with counts checked against the file itself."""

from __future__ import annotations

import collections
import csv
import datetime as dt

import numpy as np
import pytest

from workbench.ingest import ingest_file
from workbench.ingest.adapters.vancouver import utm_to_wgs84

from .conftest import VANCOUVER, query

pytestmark = pytest.mark.realdata

MILWAUKEE = "milwaukee_pd_calls_for_service_2018_05/mpd_calls_2018-05.csv"
VANCOUVER_POPULATION = "vancouver_pd_crime_2025/van_pop_2016.csv"
COMPLAINTS = "toronto_public_complaints/ASR_Public_Complaints.csv"


def _read(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_milwaukee_calls_load_every_call(empty_warehouse, real_data):
    raw = _read(real_data / MILWAUKEE)

    result = ingest_file(empty_warehouse, "milwaukee-calls", real_data / MILWAUKEE)
    again = ingest_file(empty_warehouse, "milwaukee-calls", real_data / MILWAUKEE)

    assert (result.rows_read, result.loaded, result.quarantined) == (len(raw), len(raw), 0)
    assert (again.loaded, again.duplicates) == (0, len(raw))
    districts = collections.Counter(r["district"] for r in raw if r["district"] in "1234567")
    assert dict(query(empty_warehouse, "SELECT division, count(*) FROM calls_for_service "
                                       "WHERE division IS NOT NULL GROUP BY 1")) == districts
    assert query(empty_warehouse, "SELECT count(*) FROM calls_for_service WHERE division IS NULL"
                 ) == [(len(raw) - sum(districts.values()),)]  # CITY, SPD, OUT …: kept
    natures = collections.Counter(r["nature"] for r in raw)
    by_type = dict(query(empty_warehouse,
                         "SELECT call_type, count(*) FROM calls_for_service GROUP BY 1"))
    assert by_type["wellness_check"] == natures["WELFARE CITIZEN"]
    assert by_type["shots_fired"] == natures["SHOTS FIRED"] + natures["SHOTSPOTTER"]
    assert by_type["business_check"] == natures["BUSINESS CHECK"]  # officer-initiated: own type
    first = raw[0]
    row = query(empty_warehouse, "SELECT received_at, disposition, latitude, location_key, "
                                 f"priority FROM calls_for_service WHERE call_id = '{first['id']}'")
    received, disposition, latitude, location_key, priority = row[0]
    assert received == dt.datetime.fromisoformat(first["time"])
    assert disposition == "unable_to_locate_complainant"
    assert latitude == pytest.approx(float(first["latitude"]))
    assert location_key.startswith("mke-") and "35TH" not in location_key
    assert priority is None
    arrests = sum(1 for r in raw if r["status"] == "Cleared by Arrest")
    assert dict(query(empty_warehouse, "SELECT disposition, count(*) FROM calls_for_service "
                                       "GROUP BY 1"))["arrest"] == arrests


def test_utm_zone_10_to_wgs84_matches_proj():
    # reference values from PROJ (EPSG:26910 → EPSG:4326)
    latitude, longitude = utm_to_wgs84(np.array([490246.7971, 480000.0, 499000.0]),
                                       np.array([5458367.4099, 5450000.0, 5460000.0]))
    assert latitude == pytest.approx([49.27798462, 49.20246926, 49.29274703], abs=2e-8)
    assert longitude == pytest.approx([-123.13409303, -123.27455349, -123.01375272], abs=2e-8)


def test_vancouver_crime_and_population_join_within_their_scheme(empty_warehouse, real_data):
    raw = _read(real_data / VANCOUVER)

    crime = ingest_file(empty_warehouse, "vancouver-crime", real_data / VANCOUVER)
    again = ingest_file(empty_warehouse, "vancouver-crime", real_data / VANCOUVER)
    population = ingest_file(empty_warehouse, "vancouver-population",
                             real_data / VANCOUVER_POPULATION)

    assert (crime.rows_read, crime.loaded, crime.quarantined) == (len(raw), len(raw), 0)
    assert (again.loaded, again.duplicates) == (0, len(raw))
    assert population.by_table["population"].loaded == len(_read(real_data /
                                                                 VANCOUVER_POPULATION))
    by_type = collections.Counter(r["TYPE"] for r in raw)
    assert dict(query(empty_warehouse, "SELECT offence_description, count(*) FROM incidents "
                                       "GROUP BY 1")) == by_type
    withheld = sum(1 for r in raw if float(r["X"] or 0) == 0)
    assert query(empty_warehouse, "SELECT count(*) FROM incidents WHERE latitude IS NULL") == [
        (withheld,)]
    assert query(empty_warehouse, "SELECT min(latitude) > 49.19, max(latitude) < 49.32, "
                                  "min(longitude) > -123.23, max(longitude) < -123.02 "
                                  "FROM incidents") == [(True, True, True, True)]
    # the West End's crimes join to the West End's 2016 population, within the scheme
    west_end = sum(1 for r in raw if r["NEIGHBOURHOOD"] == "West End")
    assert query(empty_warehouse, """
        SELECT count(*), min(p.population) FROM incidents i JOIN population p
          ON i.neighbourhood_scheme = p.neighbourhood_scheme
         AND i.neighbourhood_id = p.neighbourhood_id
        WHERE i.neighbourhood_id = 'West End'""") == [(west_end, 47200)]


def test_toronto_complaints_totals_equal_the_file(empty_warehouse, real_data):
    raw = _read(real_data / COMPLAINTS)

    result = ingest_file(empty_warehouse, "toronto-complaints", real_data / COMPLAINTS)

    assert (result.rows_read, result.loaded, result.quarantined) == (len(raw), len(raw), 0)
    totals: collections.Counter[int] = collections.Counter()
    for row in raw:
        totals[int(row["YEAR"])] += int(row["COUNT_"])
    assert dict(query(empty_warehouse, "SELECT year, sum(complaints) FROM complaint_counts "
                                       "GROUP BY 1")) == totals
    types = {t for (t,) in query(empty_warehouse,
                                 "SELECT DISTINCT complaint_type FROM complaint_counts")}
    assert "conduct_less_serious" in types and "better_dealt_in_other_law" in types
    assert len(types) == 14  # spelling variants of one type are one type
    assert query(empty_warehouse, "SELECT handling, sum(complaints) FROM complaint_counts "
                                  "WHERE year = 2023 GROUP BY 1 ORDER BY 1") == [
        ("investigated", sum(int(r["COUNT_"]) for r in raw if r["YEAR"] == "2023"
                             and r["TYPE"] == "Investigated Complaints")),
        ("not_investigated", sum(int(r["COUNT_"]) for r in raw if r["YEAR"] == "2023"
                                 and r["TYPE"] == "Not Investigated Complaints"))]
