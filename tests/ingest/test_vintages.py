"""Other vintages of the same exports, built from slices of the real files: the full Chicago
portal schema, the MCI portal CSV with several victims per offence, CRLF and gzip files."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io

import pytest

from workbench.errors import IngestError
from workbench.ingest import ingest_file

from .conftest import ASSAULT, CHICAGO, SHOOTINGS, query, table_counts

pytestmark = pytest.mark.realdata


def test_chicago_full_portal_schema(empty_warehouse, real_data, tmp_path):
    with gzip.open(real_data / CHICAGO, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [next(reader) for _ in range(50)]
    path = tmp_path / "chicago-full.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "Case Number", "Date", "Block", "IUCR", "Primary Type",
                         "Description", "Location Description", "Arrest", "Domestic", "District",
                         "Community Area", "Latitude", "Longitude"])
        for number, row in enumerate(rows, start=1):
            when = dt.datetime.fromisoformat(row["Date"])
            writer.writerow([12_000_000 + number, f"JF{number:06d}",
                             when.strftime("%m/%d/%Y %I:%M:%S %p"), row["Block"], "0486",
                             row["Primary Type"], row["Description"], row["Location Description"],
                             row["Arrest"], row["Domestic"], "011" if number % 2 else "1",
                             row["Community Area"] if number != 7 else "0",
                             "41.88" if number != 3 else "", "-87.63" if number != 3 else ""])
    result = ingest_file(empty_warehouse, "chicago-crimes", path)

    assert (result.loaded, result.quarantined) == (50, 0)
    loaded = {row[0]: row[1:] for row in query(
        empty_warehouse, "SELECT incident_id, occurred_at, division, offence_code, "
                         "neighbourhood_id, latitude FROM incidents")}
    occurred_at, division, code, area, latitude = loaded["12000001"]
    assert occurred_at == dt.datetime.fromisoformat(rows[0]["Date"])
    assert (division, code, area, latitude) == ("11", "0486", rows[0]["Community Area"], 41.88)
    assert loaded["12000002"][1] == "1"
    assert loaded["12000003"][4] is None  # no coordinates
    assert loaded["12000007"][3] is None  # community area 0: no location


def _assault_rows(real_data):
    with (real_data / ASSAULT).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def test_mci_portal_csv_numbers_further_victims(empty_warehouse, real_data, tmp_path):
    fields, rows = _assault_rows(real_data)
    rows = rows[:30]
    second_victim = dict(rows[4], OBJECTID="999999")
    third_victim = dict(rows[4], OBJECTID="999998")
    fields = ["MCI_CATEGORY" if name == "CSI_CATEGORY" else name for name in fields]
    path = tmp_path / "mci.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        for row in [*rows[:10], second_victim, *rows[10:], third_victim]:
            writer.writerow(list(row.values()))

    result = ingest_file(empty_warehouse, "toronto-mci", path)

    assert (result.rows_read, result.loaded, result.quarantined) == (32, 32, 0)
    base = f"{rows[4]['EVENT_UNIQUE_ID']}/{rows[4]['UCR_CODE']}-{rows[4]['UCR_EXT']}"
    assert [r[0] for r in query(empty_warehouse, "SELECT incident_id FROM incidents "
                                f"WHERE incident_id LIKE '{base}%' ORDER BY 1")] == \
        [base, f"{base}#2", f"{base}#3"]
    again = ingest_file(empty_warehouse, "toronto-mci", path)
    assert (again.loaded, again.duplicates) == (0, 32)
    # the Assault layer and the MCI file share source toronto_mci: nothing is loaded twice
    assault = ingest_file(empty_warehouse, "toronto-assault", real_data / ASSAULT)
    assert (assault.loaded, assault.duplicates) == (970, 30)


def test_crlf_line_endings_keep_line_numbers(empty_warehouse, real_data, tmp_path):
    lines = (real_data / SHOOTINGS).read_bytes().splitlines()[:21]
    fields = next(csv.reader(io.StringIO(lines[12].decode())))
    fields[2] = "2020-13-01"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    lines[12] = buffer.getvalue().encode()
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")

    result = ingest_file(empty_warehouse, "toronto-shootings", path)

    assert (result.loaded, result.quarantined) == (19, 1)
    assert query(empty_warehouse, 'SELECT line_number, "column" FROM quarantine') == \
        [(13, "OCC_DATE")]


def test_truncated_gzip(empty_warehouse, real_data, tmp_path):
    whole = gzip.compress((real_data / SHOOTINGS).read_bytes())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    before = empty_warehouse.fingerprint()

    with pytest.raises(IngestError, match="gzip data is damaged or truncated") as caught:
        ingest_file(empty_warehouse, "toronto-shootings", path)

    assert str(path) in str(caught.value)
    assert empty_warehouse.fingerprint() == before
    assert table_counts(empty_warehouse, "incidents")["incidents"] == 0
