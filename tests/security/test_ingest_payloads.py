"""The hostile-text corpus through ingest (issue 12, items 1 and 6).

Code columns (ids, divisions, neighbourhoods, offence codes, call types …) refuse markup: the
row is quarantined with a reason naming the column. Free-text columns (offence descriptions,
names) keep the text exactly as given; pages escape it. Every case conserves rows:
loaded + quarantined == rows in the file.

Run through ``generic-csv`` and two real adapters (tmp copies of real files with the payloads
injected): ``toronto-shootings`` (division, neighbourhood) and ``sandiego-calls`` (call type).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.ingest import ingest_file
from workbench.warehouse import Warehouse

SHOOTINGS = "toronto_shootings_firearm_discharges/Shootings_and_Firearm_Discharges.csv"
SANDIEGO = ("sandiego_pd_calls_for_service_2023_jan/"
            "pd_calls_for_service_2023_datasd_first20days.csv")

MAPPING = """\
table: incidents
source: payload_pd
columns:
  incident_id: ID
  occurred_at: {column: WHEN, format: "%Y-%m-%d %H:%M"}
  offence_category: {column: TYPE, values: {Theft: theft_under, Mischief: mischief}}
  offence_code: CODE
  division: DIVISION
  neighbourhood_id: HOOD
  offence_description: DETAILS
"""


def _quarantine(warehouse: Warehouse) -> list[tuple]:
    return warehouse.con.raw_sql(
        'SELECT line_number, "column", reason FROM quarantine ORDER BY line_number').fetchall()


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def generic_mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _generic_rows(payloads: dict[str, str], column: str) -> tuple[list[str], list[list[str]]]:
    header = ["ID", "WHEN", "TYPE", "CODE", "DIVISION", "HOOD", "DETAILS"]
    rows = [[f"R-{i}", "2023-03-01 10:00", "Theft", "1430", "D14", "023", "a plain description"]
            for i in range(len(payloads) + 3)]
    at = header.index(column)
    for i, payload in enumerate(payloads.values()):
        rows[i][at] = payload
    return header, rows


@pytest.mark.parametrize("column, canonical", [("DIVISION", "division"),
                                               ("HOOD", "neighbourhood_id"),
                                               ("CODE", "offence_code"),
                                               ("ID", "incident_id")])
def test_generic_csv_refuses_markup_in_code_columns(empty_warehouse, tmp_path, generic_mapping,
                                                    payloads, column, canonical):
    header, rows = _generic_rows(payloads, column)
    path = _write_csv(tmp_path / "export.csv", header, rows)

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=generic_mapping)

    assert (result.rows_read, result.loaded, result.quarantined) == (
        len(rows), 3, len(payloads))
    assert result.accounted_for
    rejected = _quarantine(empty_warehouse)
    assert [line for line, _, _ in rejected] == list(range(2, 2 + len(payloads)))
    assert {col for _, col, _ in rejected} == {column}
    assert all(reason.startswith("markup in a code column") for _, _, reason in rejected)
    stored = empty_warehouse.con.raw_sql(f"SELECT {canonical} FROM incidents").fetchall()
    assert all("<" not in str(value) and '"' not in str(value) for (value,) in stored)


def test_generic_csv_keeps_payloads_in_free_text_as_text(empty_warehouse, tmp_path,
                                                         generic_mapping, payloads):
    header, rows = _generic_rows(payloads, "DETAILS")
    path = _write_csv(tmp_path / "export.csv", header, rows)

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=generic_mapping)

    assert (result.rows_read, result.loaded, result.quarantined) == (len(rows), len(rows), 0)
    stored = {value for (value,) in empty_warehouse.con.raw_sql(
        "SELECT offence_description FROM incidents").fetchall()}
    assert set(payloads.values()) <= stored  # kept byte for byte: escaping is the pages' job


def test_generic_csv_category_payload_is_an_unknown_value(empty_warehouse, tmp_path,
                                                          generic_mapping, payloads):
    header, rows = _generic_rows(payloads, "TYPE")
    path = _write_csv(tmp_path / "export.csv", header, rows)

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=generic_mapping)

    assert (result.loaded, result.quarantined) == (3, len(payloads))
    assert all("not in the value map" in reason for _, _, reason in
               _quarantine(empty_warehouse))


def _inject(lines: list[list[str]], column: int, payloads: dict[str, str]) -> list[list[str]]:
    rows = [list(row) for row in lines]
    for i, payload in enumerate(payloads.values()):
        rows[1 + 2 * i][column] = payload  # every other data row, from line 2
    return rows


def test_toronto_shootings_refuses_markup_in_division_and_neighbourhood(
        empty_warehouse, real_data, tmp_path, payloads):
    with (real_data / SHOOTINGS).open(encoding="utf-8", newline="") as handle:
        original = list(csv.reader(handle))[:41]
    header = original[0]
    rows = _inject(original, header.index("DIVISION"), payloads)
    hood = header.index("HOOD_158")
    rows[2][hood] = payloads["script_tag"]  # a neighbourhood payload on a division-clean row
    path = _write_csv(tmp_path / "shootings.csv", header, rows[1:])

    result = ingest_file(empty_warehouse, "toronto-shootings", path)

    assert result.rows_read == 40
    assert (result.loaded, result.quarantined) == (40 - len(payloads) - 1, len(payloads) + 1)
    rejected = _quarantine(empty_warehouse)
    assert {col for _, col, _ in rejected} == {"DIVISION", "HOOD_158"}
    assert all("markup in a code column" in reason for _, _, reason in rejected)
    assert (3, "HOOD_158") in {(line, col) for line, col, _ in rejected}
    divisions = {v for (v,) in empty_warehouse.con.raw_sql(
        "SELECT DISTINCT division FROM incidents").fetchall()}
    assert all(v is None or v.startswith("D") for v in divisions)


def test_sandiego_calls_refuses_markup_in_dispositions_and_defuses_call_types(
        empty_warehouse, real_data, tmp_path, payloads):
    with (real_data / SANDIEGO).open(encoding="utf-8-sig", newline="") as handle:
        original = list(csv.reader(handle))[:61]
    header = original[0]
    rows = _inject(original, header.index("disposition"), payloads)
    call_types = _inject(original, header.index("call_type"), payloads)
    for i in range(2, 2 * len(payloads) + 2, 2):  # call-type payloads on the other rows
        rows[i][header.index("call_type")] = call_types[i - 1][header.index("call_type")]
    path = _write_csv(tmp_path / "calls.csv", header, rows[1:])

    result = ingest_file(empty_warehouse, "sandiego-calls", path)

    assert result.rows_read == 60
    assert (result.loaded, result.quarantined) == (60 - len(payloads), len(payloads))
    rejected = _quarantine(empty_warehouse)
    assert {col for _, col, _ in rejected} == {"disposition"}
    assert [line for line, _, _ in rejected] == [2 + 2 * i for i in range(len(payloads))]
    stored = [value for (value,) in empty_warehouse.con.raw_sql(
        "SELECT call_type FROM calls_for_service").fetchall()]
    # unknown call-type codes become snake-case names: the markup is gone, the row is kept
    assert all(value is None or all(ch not in value for ch in '<>"[]{}') for value in stored)


def test_the_command_reports_markup_rows_and_flags_the_share(tmp_path, generic_mapping,
                                                              payloads, capsys):
    header, rows = _generic_rows(payloads, "DIVISION")
    path = _write_csv(tmp_path / "export.csv", header, rows)
    base = ["ingest", "--adapter", "generic-csv", "--mapping", str(generic_mapping),
            "--no-progress"]

    code = main([*base, "--warehouse", f"duckdb://{tmp_path / 'a.duckdb'}", str(path)])

    captured = capsys.readouterr()
    assert code == 3  # most of the file quarantined: not success
    assert f"{len(rows):,} rows read — 3 loaded, {len(payloads):,} quarantined" in captured.out
    assert f"{len(payloads)} × markup in a code column in DIVISION" in captured.err
    assert main([*base, "--warehouse", f"duckdb://{tmp_path / 'b.duckdb'}",
                 "--max-quarantine", "100%", str(path)]) == 0
