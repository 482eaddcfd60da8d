"""Malformed inputs built from slices of the real shootings file: each ends either in one clear
error naming the file and the problem (warehouse unchanged), or in quarantined rows with
nothing lost (loaded + quarantined + duplicates == rows)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from workbench.errors import IngestError
from workbench.ingest import ingest_file

from .conftest import HATE_CRIMES, query, table_counts

pytestmark = pytest.mark.realdata

ADAPTER = "toronto-shootings"


def _rows(lines: list[bytes]) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(lines).decode("utf-8"), newline="")))


def _line(fields: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue().encode("utf-8")


def _expect_error(warehouse, path: Path, *words: str) -> IngestError:
    before = warehouse.fingerprint()
    with pytest.raises(IngestError) as caught:
        ingest_file(warehouse, ADAPTER, path)
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message
    for word in words:
        assert word in message, message
    assert warehouse.fingerprint() == before
    assert table_counts(warehouse, "incidents", "quarantine", "ingest_batches") == {
        "incidents": 0, "quarantine": 0, "ingest_batches": 0}
    return caught.value


def _quarantine(warehouse) -> list[dict]:
    rows = query(warehouse, 'SELECT line_number, "column", reason, raw, target_table, adapter '
                            "FROM quarantine ORDER BY line_number")
    keys = ("line_number", "column", "reason", "raw", "target_table", "adapter")
    return [dict(zip(keys, row, strict=True)) for row in rows]


# ------------------------------------------------------------------------------ whole-file errors


def test_missing_file(empty_warehouse, tmp_path):
    _expect_error(empty_warehouse, tmp_path / "nowhere.csv", "no such file")


def test_empty_file(empty_warehouse, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    _expect_error(empty_warehouse, path, "empty")


def test_blank_file(empty_warehouse, tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\n\n  \n")
    _expect_error(empty_warehouse, path, "empty")


def test_binary_bytes(empty_warehouse, tmp_path, shootings_lines):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"".join(shootings_lines[:5]) + b"\x00\x01\x02\xff" * 50)
    error = _expect_error(empty_warehouse, path, "binary", "line 6")
    assert "NUL" in error.problem


def test_excel_workbook_given_as_csv(empty_warehouse, real_data, tmp_path):
    path = tmp_path / "profiles.csv"
    path.write_bytes((real_data / "toronto_neighbourhood_profiles_2021" /
                      "neighbourhood-profiles-2021-158-model.xlsx").read_bytes())
    _expect_error(empty_warehouse, path, "not a CSV", "ZIP")


def test_utf16_file(empty_warehouse, tmp_path, shootings_lines):
    path = tmp_path / "utf16.csv"
    path.write_bytes(b"".join(shootings_lines[:10]).decode("utf-8").encode("utf-16"))
    _expect_error(empty_warehouse, path, "UTF-16")


def test_wrong_header(empty_warehouse, real_data, tmp_path):
    lines = (real_data / HATE_CRIMES).read_bytes().splitlines(keepends=True)
    path = tmp_path / "hate.csv"
    path.write_bytes(b"".join(lines[:20]))
    error = _expect_error(empty_warehouse, path, "missing required column", "OCC_DATE",
                          "LAT_WGS84")
    assert "EVENT_UNIQUE_ID" not in error.problem.split("(the header")[0]


def test_mixed_encodings(empty_warehouse, shootings_lines, shootings_slice):
    lines = list(shootings_lines[:30])
    utf8_row = _rows([lines[3]])[0]
    utf8_row[1] = "GO-ÉTÉ-1"
    cp1252_row = _rows([lines[12]])[0]
    cp1252_row[1] = "GO-CAFÉ-2"
    lines[3] = _line(utf8_row)
    lines[12] = _line(cp1252_row).decode("utf-8").encode("cp1252")
    path = shootings_slice("mixed.csv", lines=lines)
    _expect_error(empty_warehouse, path, "mixed text encodings", "line 13", "0xC9")


def test_truncated_mid_row(empty_warehouse, shootings_lines, shootings_slice):
    cut = shootings_lines[51][:25]  # part of the first fields, no line break
    path = shootings_slice("truncated.csv", lines=[*shootings_lines[:51], cut])
    _expect_error(empty_warehouse, path, "truncated", "line 52")


def test_truncated_inside_quoted_value(empty_warehouse, shootings_lines, shootings_slice):
    last = shootings_lines[31]
    cut = last[: last.index(b'"c(') + 8]  # inside the quoted geometry value
    path = shootings_slice("cut-in-quotes.csv", lines=[*shootings_lines[:31], cut, b"\n"])
    _expect_error(empty_warehouse, path, "truncated", "quoted value")


# --------------------------------------------------------------------------- row-level problems


def test_bad_dates_are_quarantined_with_line_and_column(empty_warehouse, shootings_lines,
                                                        shootings_slice):
    lines = list(shootings_lines[:41])
    bad_values = {5: "2019-02-30", 17: "not a date", 29: "NA"}
    for line_index, value in bad_values.items():
        fields = _rows([lines[line_index]])[0]
        fields[2] = value  # OCC_DATE
        lines[line_index] = _line(fields)
    path = shootings_slice("bad-dates.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined) == (40, 37, 3)
    assert result.accounted_for
    rejected = _quarantine(empty_warehouse)
    assert [r["line_number"] for r in rejected] == [6, 18, 30]  # header is line 1
    assert {r["column"] for r in rejected} == {"OCC_DATE"}
    assert "bad date '2019-02-30'" in rejected[0]["reason"]
    assert "expected YYYY-MM-DD" in rejected[0]["reason"]
    assert "bad date 'not a date'" in rejected[1]["reason"]
    assert "missing required value" in rejected[2]["reason"]
    assert json.loads(rejected[0]["raw"])["OCC_DATE"] == "2019-02-30"
    assert json.loads(rejected[0]["raw"])["EVENT_UNIQUE_ID"] == _rows([lines[5]])[0][1]
    assert {r["adapter"] for r in rejected} == {ADAPTER}
    assert table_counts(empty_warehouse, "incidents")["incidents"] == 37


def test_duplicate_ids_within_file(empty_warehouse, shootings_lines, shootings_slice):
    lines = [*shootings_lines[:21], shootings_lines[4], shootings_lines[9], shootings_lines[4]]
    path = shootings_slice("duplicates.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined, result.duplicates) == (23, 20, 3, 0)
    rejected = _quarantine(empty_warehouse)
    assert [r["line_number"] for r in rejected] == [22, 23, 24]
    first_id = _rows([shootings_lines[4]])[0][1]
    assert first_id in rejected[0]["reason"]
    assert "first on line 5" in rejected[0]["reason"]
    assert "first on line 10" in rejected[1]["reason"]
    assert "first on line 5" in rejected[2]["reason"]
    assert rejected[0]["column"] == "EVENT_UNIQUE_ID"
    assert json.loads(rejected[0]["raw"])["EVENT_UNIQUE_ID"] == first_id


def test_wrong_field_count_in_the_middle(empty_warehouse, shootings_lines, shootings_slice):
    lines = list(shootings_lines[:31])
    lines[10] = lines[10].rstrip(b"\n") + b",extra,fields\n"
    lines[20] = b"GO-1,2020-01-01\n"
    path = shootings_slice("ragged.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined) == (30, 28, 2)
    rejected = _quarantine(empty_warehouse)
    assert [r["line_number"] for r in rejected] == [11, 21]
    assert "22 fields; the header has 20" in rejected[0]["reason"]
    assert json.loads(rejected[0]["raw"])["_extra_fields"] == ["extra", "fields"]
    assert "2 fields; the header has 20" in rejected[1]["reason"]
    assert json.loads(rejected[1]["raw"]) == {"_id": "GO-1", "EVENT_UNIQUE_ID": "2020-01-01"}


def test_line_numbers_count_line_breaks_inside_quoted_values(empty_warehouse, shootings_lines,
                                                             shootings_slice):
    lines = list(shootings_lines[:21])
    fields = _rows([lines[3]])[0]
    fields[16] = "Pelmo Park-\nHumberlea\n(23)"  # NEIGHBOURHOOD_140, not mapped
    lines[3] = _line(fields)
    bad = _rows([lines[8]])[0]
    bad[8] = "27"  # OCC_HOUR out of range
    lines[8] = _line(bad)
    path = shootings_slice("multiline.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined) == (20, 19, 1)
    rejected = _quarantine(empty_warehouse)
    assert rejected[0]["line_number"] == 11  # 9th line of the slice + 2 embedded breaks
    assert rejected[0]["column"] == "OCC_HOUR"
    assert "'27'" in rejected[0]["reason"]


def test_coordinates_placeholder_kept_impossible_rejected(empty_warehouse, shootings_lines,
                                                         shootings_slice):
    lines = list(shootings_lines[:11])
    zero = _rows([lines[2]])[0]
    zero[17], zero[18] = "0.0", "0.0"
    lines[2] = _line(zero)
    noise = _rows([lines[3]])[0]
    noise[17], noise[18] = "5.6843418860808e-14", "5.08888749034163e-14"
    lines[3] = _line(noise)
    impossible = _rows([lines[4]])[0]
    impossible[17], impossible[18] = "-79.4", "143.7"
    lines[4] = _line(impossible)
    path = shootings_slice("coordinates.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.loaded, result.quarantined) == (9, 1)
    rejected = _quarantine(empty_warehouse)
    assert rejected[0]["line_number"] == 5
    assert "impossible coordinates" in rejected[0]["reason"]
    kept = dict(query(empty_warehouse, "SELECT incident_id, latitude FROM incidents"))
    assert kept[zero[1]] is None and kept[noise[1]] is None


def test_windows_1252_file_is_read_as_such(empty_warehouse, shootings_lines, shootings_slice):
    lines = list(shootings_lines[:11])
    fields = _rows([lines[2]])[0]
    fields[1] = "GO-CAFÉ-1"
    lines[2] = _line(fields)
    path = shootings_slice("ansi.csv", lines=[line.decode("utf-8").encode("cp1252")
                                              for line in lines])

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert result.encoding == "cp1252"
    assert result.loaded == 10
    assert query(empty_warehouse,
                 "SELECT count(*) FROM incidents WHERE incident_id = 'GO-CAFÉ-1'") == [(1,)]


def test_byte_order_mark_and_gzip(empty_warehouse, shootings_lines, tmp_path):
    path = tmp_path / "bom.csv.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b"\xef\xbb\xbf" + b"".join(shootings_lines[:26]))

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.encoding) == (25, 25, "utf-8-sig")


def test_header_only_loads_nothing_but_records_the_batch(empty_warehouse, shootings_lines,
                                                         shootings_slice):
    path = shootings_slice("header.csv", lines=shootings_lines[:1])

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined) == (0, 0, 0)
    assert table_counts(empty_warehouse, "ingest_batches")["ingest_batches"] == 1


def test_blank_lines_before_the_header_and_between_rows(empty_warehouse, shootings_lines,
                                                        shootings_slice):
    lines = [b"\n", b"\n", *shootings_lines[:11], b"\n", *shootings_lines[11:21]]
    fields = _rows([lines[16]])[0]  # data row on line 17
    fields[8] = "-1"
    lines[16] = _line(fields)
    path = shootings_slice("blank-lines.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined) == (20, 19, 1)
    assert [r["line_number"] for r in _quarantine(empty_warehouse)] == [17]


def test_blank_lines_before_the_header_only(empty_warehouse, shootings_lines, shootings_slice):
    lines = [b"\n", *shootings_lines[:16]]
    fields = _rows([lines[9]])[0]  # data row on line 10
    fields[2] = "2020-00-10"
    lines[9] = _line(fields)
    path = shootings_slice("blank-first.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.quarantined) == (15, 1)
    assert [r["line_number"] for r in _quarantine(empty_warehouse)] == [10]


# ------------------------------------------------------- attack-run cases (issue 12, item 5)


def test_headerless_file_is_called_headerless_not_a_repeated_column(empty_warehouse,
                                                                    shootings_lines,
                                                                    shootings_slice):
    lines = list(shootings_lines[1:21])  # the data rows without their header
    fields = _rows([lines[0]])[0]
    fields[11] = fields[12] = "1"  # a first row whose values repeat, as real rows do
    lines[0] = _line(fields)
    path = shootings_slice("no-header.csv", lines=lines)
    error = _expect_error(empty_warehouse, path, "has no header row", "values")
    assert "repeats the column" not in error.problem


def test_headerless_file_with_distinct_values_is_called_headerless(empty_warehouse,
                                                                   shootings_lines,
                                                                   shootings_slice):
    path = shootings_slice("no-header-2.csv", lines=list(shootings_lines[5:25]))
    error = _expect_error(empty_warehouse, path, "has no header row")
    assert "missing required column" not in error.problem


def test_a_real_header_that_repeats_a_name_still_says_so(empty_warehouse, tmp_path):
    path = tmp_path / "repeat.csv"
    path.write_text("Command,Unit,Category,Year,Unit,Count\nA,B,C,2019,D,1\n", encoding="utf-8")
    with pytest.raises(IngestError, match="the header repeats the column 'Unit'"):
        ingest_file(empty_warehouse, ADAPTER, path)


def test_random_high_bytes_are_not_called_mixed_encodings(empty_warehouse, shootings_lines,
                                                          shootings_slice):
    import random

    noise = bytes(random.Random(12).randrange(0x80, 0x100) for _ in range(3000))
    lines = [*shootings_lines[:8], noise + b"\n", *shootings_lines[8:20]]
    path = shootings_slice("noise.csv", lines=lines)
    error = _expect_error(empty_warehouse, path, "not text", "line 9", "random or damaged")
    assert "mixed text encodings" not in error.problem


def test_a_short_row_after_a_megabyte_field_gets_its_line_number(empty_warehouse,
                                                                 shootings_lines,
                                                                 shootings_slice):
    lines = list(shootings_lines[:31])
    big = _rows([lines[4]])[0]
    big[19] = "x" * 1_100_000  # geometry, not mapped: a huge but harmless field
    lines[4] = _line(big)
    lines[20] = b"GO-1,2020-01-01\n"  # line 21: two fields of 20
    path = shootings_slice("big-field.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined) == (30, 29, 1)
    assert [r["line_number"] for r in _quarantine(empty_warehouse)] == [21]


def test_a_million_character_id_is_quarantined(empty_warehouse, shootings_lines,
                                               shootings_slice):
    lines = list(shootings_lines[:21])
    fields = _rows([lines[6]])[0]
    fields[1] = "GO-" + "9" * 1_000_000
    lines[6] = _line(fields)
    path = shootings_slice("long-id.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded, result.quarantined) == (20, 19, 1)
    rejected = _quarantine(empty_warehouse)
    assert rejected[0]["line_number"] == 7 and rejected[0]["column"] == "EVENT_UNIQUE_ID"
    assert "too long for a code: 1000003 characters" in rejected[0]["reason"]
    assert len(rejected[0]["reason"]) < 300


@pytest.mark.parametrize("date, kept, words", [
    ("2031-05-01", False, "date in the future"),
    ("2099-12-31", False, "date in the future"),
    ("1900-01-01", False, "placeholder date"),
    ("1899-12-30", False, "implausible date"),
    ("1965-07-01", True, "before 1970"),
])
def test_implausible_event_dates(empty_warehouse, shootings_lines, shootings_slice, date, kept,
                                 words):
    lines = list(shootings_lines[:11])
    fields = _rows([lines[3]])[0]
    fields[2] = date  # OCC_DATE
    lines[3] = _line(fields)
    path = shootings_slice("dates.csv", lines=lines)

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert result.rows_read == 10 and result.accounted_for
    if kept:
        assert (result.loaded, result.quarantined) == (10, 0)
        assert any(words in warning and "OCC_DATE" in warning for warning in result.warnings)
    else:
        assert (result.loaded, result.quarantined) == (9, 1)
        rejected = _quarantine(empty_warehouse)
        assert rejected[0]["line_number"] == 4 and rejected[0]["column"] == "OCC_DATE"
        assert words in rejected[0]["reason"]


def test_negative_actual_staffing_is_quarantined_negative_approved_warned(empty_warehouse,
                                                                           real_data, tmp_path):
    source = real_data / "toronto_police_staffing_by_command" / "ASR_Personnel_by_Command.csv"
    lines = source.read_bytes().splitlines(keepends=True)[:21]
    actual = _rows([lines[5]])[0]  # line 6: an Actual Staffing figure
    actual[5] = "-6"
    lines[5] = _line(actual)
    approved = _rows([lines[1]])[0]  # line 2: an Approved Staffing figure
    approved[5] = "-1731"
    lines[1] = _line(approved)
    path = tmp_path / "staffing.csv"
    path.write_bytes(b"".join(lines))

    result = ingest_file(empty_warehouse, "toronto-staffing", path)

    assert result.accounted_for and result.quarantined == 1
    rejected = _quarantine(empty_warehouse)
    assert rejected[0]["line_number"] == 6 and rejected[0]["column"] == "Actual Staffing"
    assert "negative value: '-6.0'" in rejected[0]["reason"]
    assert result.warnings == (
        "1 value of Approved Staffing below zero (kept; check they are adjustments, not typos)",)


def test_a_csv_given_to_the_workbook_adapter_is_one_clear_line(tmp_path, shootings_lines,
                                                                capsys):
    from workbench.cli import main

    path = tmp_path / "profiles.csv"
    path.write_bytes(b"".join(shootings_lines[:10]))
    code = main(["ingest", "--adapter", "toronto-neighbourhoods", "--no-progress",
                 "--warehouse", f"duckdb://{tmp_path / 'wh.duckdb'}", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err and "not an Excel workbook" in err and "CSV" in err


def test_two_files_where_the_second_fails_say_which_committed(tmp_path, shootings_lines,
                                                              shootings_slice, capsys):
    from workbench.cli import main

    good = shootings_slice("good.csv", rows=20)
    cut = shootings_lines[31][:25]
    bad = shootings_slice("bad.csv", lines=[shootings_lines[0], *shootings_lines[21:31], cut])
    warehouse = tmp_path / "wh.duckdb"

    code = main(["ingest", "--adapter", ADAPTER, "--no-progress",
                 "--warehouse", f"duckdb://{warehouse}", str(good), str(bad)])

    captured = capsys.readouterr()
    assert code == 2
    assert "good.csv: 20 rows read — 20 loaded" in captured.out
    assert f"{bad}: failed; nothing from this file was loaded" in captured.err
    assert f"already loaded (committed, one batch each): {good}" in captured.err
    assert "truncated" in captured.err
    from workbench.warehouse import Warehouse

    with Warehouse.open(f"duckdb://{warehouse}", read_only=True) as wh:
        assert table_counts(wh, "incidents", "ingest_batches") == {
            "incidents": 20, "ingest_batches": 1}


def test_multi_member_gzip_is_read_whole_and_hashed_as_stored(empty_warehouse, shootings_lines,
                                                              tmp_path):
    import hashlib

    path = tmp_path / "members.csv.gz"
    path.write_bytes(gzip.compress(b"".join(shootings_lines[:11]))
                     + gzip.compress(b"".join(shootings_lines[11:31])))

    result = ingest_file(empty_warehouse, ADAPTER, path)

    assert (result.rows_read, result.loaded) == (30, 30)
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
