"""generic-csv: the documented example mapping on the real Vancouver file, mapping features on
slices of real files, and mapping-file mistakes reported with the file and the key."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
import yaml

from workbench.errors import IngestError
from workbench.ingest import ingest_file

from .conftest import CHICAGO, EXAMPLE_MAPPING, SHOOTINGS, VANCOUVER, query, table_counts


@pytest.mark.realdata
def test_example_mapping_on_the_vancouver_file(empty_warehouse, real_data):
    path = real_data / VANCOUVER
    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=EXAMPLE_MAPPING)

    with path.open(newline="", encoding="utf-8") as handle:
        raw = list(csv.DictReader(handle))
    assert result.rows_read == len(raw) == 32_411
    assert (result.loaded, result.quarantined, result.duplicates) == (32_411, 0, 0)

    documented = yaml.safe_load(EXAMPLE_MAPPING.read_text())["columns"]["offence_category"]["values"]
    expected = collections.Counter(documented[r["TYPE"]] for r in raw)
    assert dict(query(empty_warehouse, "SELECT offence_category, count(*) FROM incidents "
                                       "GROUP BY 1")) == dict(expected)
    moments = collections.Counter(
        dt.datetime(*(int(r[c]) for c in ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE")))
        for r in raw)
    assert collections.Counter(row[0] for row in query(
        empty_warehouse, "SELECT occurred_at FROM incidents")) == moments
    no_neighbourhood = sum(not r["NEIGHBOURHOOD"] for r in raw)
    assert no_neighbourhood == 8  # PROVENANCE.md
    assert query(empty_warehouse, "SELECT count(*) FROM incidents "
                                  "WHERE neighbourhood_id IS NULL") == [(no_neighbourhood,)]
    repeats = len(raw) - len({tuple(r.values()) for r in raw})
    assert query(empty_warehouse, "SELECT count(*) FROM incidents "
                                  "WHERE incident_id LIKE '%#%'") == [(repeats,)]
    assert query(empty_warehouse, "SELECT DISTINCT source FROM incidents") == [("vancouver_pd",)]

    again = ingest_file(empty_warehouse, "generic-csv", path, mapping=EXAMPLE_MAPPING)
    assert (again.loaded, again.duplicates) == (0, 32_411)


def _chicago_slice(real_data: Path, tmp_path: Path, rows: int = 400) -> Path:
    with gzip.open(real_data / CHICAGO, "rt", encoding="utf-8", newline="") as handle:
        lines = [next(handle) for _ in range(rows + 1)]
    path = tmp_path / "chicago-slice.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _write_mapping(tmp_path: Path, document: dict, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


CHICAGO_MAPPING = {
    "table": "incidents",
    "source": "chicago_generic",
    "repeated_ids": "number",
    "columns": {
        "incident_id": {"hash_of": ["Date", "Block", "Primary Type", "Description"]},
        "occurred_at": {"column": "Date", "format": "%Y-%m-%d %H:%M:%S"},
        "offence_category": {"column": "Primary Type",
                             "values": {"THEFT": "theft_under", "battery": "assault"}},
        "domestic": {"column": "Domestic", "true": ["true"], "false": ["false"]},
        "neighbourhood_id": {"column": "Community Area", "zero_pad": 2},
        "division": {"constant": "chicago"},
    },
}


@pytest.mark.realdata
def test_unmapped_values_are_quarantined_unless_given_a_category(empty_warehouse, real_data,
                                                                 tmp_path):
    path = _chicago_slice(real_data, tmp_path)
    with path.open(newline="", encoding="utf-8") as handle:
        raw = list(csv.DictReader(handle))
    mapped = sum(r["Primary Type"] in ("THEFT", "BATTERY") for r in raw)

    result = ingest_file(empty_warehouse, "generic-csv", path,
                         mapping=_write_mapping(tmp_path, CHICAGO_MAPPING))

    assert (result.rows_read, result.loaded, result.quarantined) == (400, mapped, 400 - mapped)
    reasons = query(empty_warehouse, 'SELECT DISTINCT "column", reason FROM quarantine')
    assert {column for column, _ in reasons} == {"Primary Type"}
    other_type = next(r["Primary Type"] for r in raw if r["Primary Type"] not in ("THEFT", "BATTERY"))
    assert any(f"unknown Primary Type value '{other_type}'" in reason for _, reason in reasons)
    domestic = sum(r["Domestic"] == "true" for r in raw if r["Primary Type"] in ("THEFT", "BATTERY"))
    assert query(empty_warehouse, "SELECT count(*) FROM incidents WHERE domestic") == [(domestic,)]
    assert query(empty_warehouse, "SELECT DISTINCT division FROM incidents") == [("chicago",)]
    padded = {f"{int(r['Community Area']):02d}" for r in raw
              if r["Primary Type"] in ("THEFT", "BATTERY")}
    assert {row[0] for row in query(empty_warehouse,
                                    "SELECT DISTINCT neighbourhood_id FROM incidents")} == padded

    accept_all = {**CHICAGO_MAPPING, "source": "chicago_generic_2",
                  "columns": {**CHICAGO_MAPPING["columns"], "offence_category": {
                      **CHICAGO_MAPPING["columns"]["offence_category"], "unmapped": "other"}}}
    second = ingest_file(empty_warehouse, "generic-csv", path,
                         mapping=_write_mapping(tmp_path, accept_all, "all.json"))
    assert (second.loaded, second.quarantined) == (400, 0)
    assert query(empty_warehouse, "SELECT count(*) FROM incidents WHERE "
                                  "source = 'chicago_generic_2' AND offence_category = 'other'") \
        == [(400 - mapped,)]


@pytest.mark.realdata
def test_json_mapping_with_hour_column_and_bad_dates(empty_warehouse, real_data, tmp_path):
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)[:31]
    lines[7] = lines[7].replace(b",2004-", b",2004/", 1)
    path = tmp_path / "shootings.csv"
    path.write_bytes(b"".join(lines))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({
        "table": "incidents", "source": "generic_shootings", "missing_values": ["NA"],
        "columns": {
            "incident_id": "EVENT_UNIQUE_ID",
            "occurred_at": {"column": "OCC_DATE", "format": "%Y-%m-%d", "hour_column": "OCC_HOUR"},
            "offence_category": {"constant": "shooting"},
            "neighbourhood_id": {"column": "HOOD_158", "absent": ["NSA"]},
            "latitude": "LAT_WGS84", "longitude": "LONG_WGS84",
        }}), encoding="utf-8")

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert (result.rows_read, result.loaded, result.quarantined) == (30, 29, 1)
    (line, column, reason), = query(empty_warehouse,
                                    'SELECT line_number, "column", reason FROM quarantine')
    assert (line, column) == (8, "OCC_DATE")
    assert "bad date '2004/" in reason and "expected YYYY-MM-DD" in reason
    first = next(csv.DictReader(line.decode() for line in lines))
    assert query(empty_warehouse, "SELECT occurred_at, neighbourhood_id FROM incidents "
                                  f"WHERE incident_id = '{first['EVENT_UNIQUE_ID']}'") == [
        (dt.datetime.fromisoformat(first["OCC_DATE"]) + dt.timedelta(hours=int(first["OCC_HOUR"])),
         first["HOOD_158"])]


@pytest.mark.parametrize(("document", "words"), [
    ({"table": "incidents", "source": "x", "colums": {}}, ["unknown key colums"]),
    ({"table": "incident", "source": "x", "columns": {}}, ["key table", "incidents"]),
    ({"table": "incidents", "source": "x", "columns": {"incident_id": "ID", "when": "Date"}},
     ["columns.when", "no column 'when'"]),
    ({"table": "incidents", "source": "x", "columns": {"incident_id": "ID"}},
     ["occurred_at", "offence_category"]),
    ({"table": "incidents", "source": "x", "columns": {
        "incident_id": "ID", "occurred_at": "Date",
        "offence_category": {"column": "Type", "values": {"THEFT": "larceny"}}}},
     ["columns.offence_category", "'larceny'", "vocabulary"]),
    ({"table": "incidents", "source": "x", "columns": {
        "incident_id": {"column": "ID", "constant": "1"}, "occurred_at": "Date",
        "offence_category": {"constant": "other"}}},
     ["columns.incident_id", "exactly one of"]),
    ({"table": "incidents", "source": "x", "columns": {
        "incident_id": {"column": "ID", "format": "%Y"}, "occurred_at": "Date",
        "offence_category": {"constant": "other"}}},
     ["columns.incident_id.format", "date/timestamp"]),
    ({"source": "x", "columns": {}}, ["key table is required"]),
])
def test_mapping_mistakes_name_the_file_and_key(tmp_path, document, words):
    from workbench.ingest import create_adapter

    path = _write_mapping(tmp_path, document)
    with pytest.raises(IngestError) as caught:
        create_adapter("generic-csv", path)
    message = str(caught.value)
    assert message.startswith(str(path))
    for word in words:
        assert word in message, message


def test_mapping_file_problems(tmp_path, empty_warehouse):
    from workbench.ingest import create_adapter

    with pytest.raises(IngestError, match="needs a mapping file"):
        create_adapter("generic-csv")
    with pytest.raises(IngestError, match="no such mapping file"):
        create_adapter("generic-csv", tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("table: [incidents\n", encoding="utf-8")
    with pytest.raises(IngestError, match="not valid YAML"):
        create_adapter("generic-csv", broken)
    with pytest.raises(IngestError, match="takes no mapping file"):
        create_adapter("toronto-shootings", EXAMPLE_MAPPING)
    assert table_counts(empty_warehouse, "incidents", "quarantine") == {"incidents": 0,
                                                                        "quarantine": 0}


@pytest.mark.realdata
def test_required_source_columns_come_from_the_mapping(empty_warehouse, real_data, tmp_path):
    path = _chicago_slice(real_data, tmp_path, rows=20)
    wrong = {**CHICAGO_MAPPING, "columns": {**CHICAGO_MAPPING["columns"],
                                            "occurred_at": {"column": "Occurred"}}}
    before = empty_warehouse.fingerprint()
    with pytest.raises(IngestError) as caught:
        ingest_file(empty_warehouse, "generic-csv", path, mapping=_write_mapping(tmp_path, wrong))
    assert str(path) in str(caught.value) and "Occurred" in str(caught.value)
    assert empty_warehouse.fingerprint() == before


@pytest.mark.realdata
def test_population_table_with_constant_year(empty_warehouse, real_data, tmp_path):
    path = real_data / "vancouver_pd_crime_2025" / "van_pop_2016.csv"
    mapping = _write_mapping(tmp_path, {
        "table": "population", "source": "vancouver_census_2016",
        "columns": {"neighbourhood_id": "NEIGHBOURHOOD", "year": {"constant": 2016},
                    "population": "POPULATION"}})

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    with path.open(newline="", encoding="utf-8") as handle:
        raw = {r["NEIGHBOURHOOD"]: int(r["POPULATION"]) for r in csv.DictReader(handle)}
    assert (result.rows_read, result.loaded) == (len(raw), 22)
    assert dict(query(empty_warehouse, "SELECT neighbourhood_id, population FROM population "
                                       "WHERE year = 2016")) == raw
    again = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)
    assert (again.loaded, again.duplicates) == (0, 22)
