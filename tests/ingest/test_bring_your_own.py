"""Bring your own data (issue 18): time zones, formats, mapping power, and the commands around
a first load (dry run, quarantine threshold, ``workbench quarantine``, ``workbench sql``,
``workbench mapping init``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.cli import main
from workbench.errors import IngestError
from workbench.ingest import ingest_file
from workbench.warehouse import Warehouse

from .conftest import VANCOUVER, query, table_counts

MAPPING = """\
table: incidents
source: byo_pd
columns:
  incident_id: id
  occurred_at: when
  offence_category: {column: kind, values: {Assault: assault, Robbery: robbery}}
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _times(warehouse: Warehouse) -> dict[str, dt.datetime]:
    return dict(query(warehouse, "SELECT incident_id, occurred_at FROM incidents"))


# ---------------------------------------------------------------------------------- time zones


def test_offsets_and_z_are_converted_to_the_service_time_zone(empty_warehouse, tmp_path):
    mapping = _write(tmp_path / "m.yaml", MAPPING)
    path = _csv(tmp_path / "times.csv", ["id", "when", "kind"], [
        ["utc-offset", "2018-12-31T22:00:00-05:00", "Assault"],  # the bug report's value
        ["z-millis", "2019-07-01T14:00:00.250Z", "Assault"],
        ["plus-zero", "2019-07-01T14:00:00+00:00", "Assault"],
        ["naive", "2019-07-01 10:00:00", "Assault"],
        ["naive-t", "2019-07-01T10:00", "Assault"],
        ["date-only", "2019-07-01", "Assault"],
    ])

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert (result.loaded, result.quarantined) == (6, 0)
    assert _times(empty_warehouse) == {
        "utc-offset": dt.datetime(2018, 12, 31, 22, 0),  # local time kept, not 2019-01-01 03:00
        "z-millis": dt.datetime(2019, 7, 1, 10, 0, 0, 250000),  # EDT = UTC-4
        "plus-zero": dt.datetime(2019, 7, 1, 10, 0),
        "naive": dt.datetime(2019, 7, 1, 10, 0),  # naive local times are kept as written
        "naive-t": dt.datetime(2019, 7, 1, 10, 0),
        "date-only": dt.datetime(2019, 7, 1, 0, 0),
    }


def test_mixed_offsets_across_both_dst_changes(empty_warehouse, tmp_path):
    mapping = _write(tmp_path / "m.yaml", MAPPING)
    path = _csv(tmp_path / "dst.csv", ["id", "when", "kind"], [
        # spring forward, Toronto 2023-03-12: 02:00 EST becomes 03:00 EDT
        ["before-spring", "2023-03-12T01:59:00-05:00", "Assault"],
        ["after-spring", "2023-03-12T03:00:00-04:00", "Assault"],
        ["after-spring-z", "2023-03-12T07:30:00Z", "Assault"],
        # fall back, 2023-11-05: 01:00–02:00 happens twice
        ["first-130", "2023-11-05T01:30:00-04:00", "Robbery"],
        ["second-130", "2023-11-05T01:30:00-05:00", "Robbery"],
        ["after-fall", "2023-11-05T07:00:00+0000", "Robbery"],
        ["naive-repeated-hour", "2023-11-05 01:30:00", "Robbery"],
    ])

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert (result.loaded, result.quarantined) == (7, 0)  # no crash on mixed offsets
    assert _times(empty_warehouse) == {
        "before-spring": dt.datetime(2023, 3, 12, 1, 59),
        "after-spring": dt.datetime(2023, 3, 12, 3, 0),
        "after-spring-z": dt.datetime(2023, 3, 12, 3, 30),
        "first-130": dt.datetime(2023, 11, 5, 1, 30),
        "second-130": dt.datetime(2023, 11, 5, 1, 30),
        "after-fall": dt.datetime(2023, 11, 5, 2, 0),
        "naive-repeated-hour": dt.datetime(2023, 11, 5, 1, 30),
    }


def test_the_service_time_zone_is_a_setting(empty_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TIME_ZONE", "America/Vancouver")
    mapping = _write(tmp_path / "m.yaml", MAPPING)
    path = _csv(tmp_path / "t.csv", ["id", "when", "kind"],
                [["a", "2019-07-01T14:00:00Z", "Assault"], ["b", "2019-07-01 10:00", "Assault"]])

    ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert _times(empty_warehouse) == {"a": dt.datetime(2019, 7, 1, 7, 0),
                                       "b": dt.datetime(2019, 7, 1, 10, 0)}


# ------------------------------------------------------------------------------------- formats

RECORDS = [
    {"id": "1", "when": "2023-01-05T14:30:00.123-05:00", "kind": "Assault", "hood": "Riverside (12)"},
    {"id": "2", "when": "2023-01-06 09:00", "kind": "Robbery", "hood": "Old Town (3)"},
    {"id": "3", "when": "2023-01-07", "kind": "Assault", "hood": "Riverside (12)"},
]
FORMAT_MAPPING = MAPPING + "  neighbourhood_id: {column: hood, extract: '\\((\\d+)\\)$'}\n"
EXPECTED = {("1", dt.datetime(2023, 1, 5, 14, 30, 0, 123000), "assault", "12"),
            ("2", dt.datetime(2023, 1, 6, 9, 0), "robbery", "3"),
            ("3", dt.datetime(2023, 1, 7, 0, 0), "assault", "12")}


def _write_format(folder: Path, fmt: str) -> Path:
    if fmt == "csv":
        return _csv(folder / "x.csv", list(RECORDS[0]), [list(r.values()) for r in RECORDS])
    if fmt == "json":
        return _write(folder / "x.json", json.dumps(RECORDS))
    if fmt == "json-grouped":
        grouped: dict[str, list] = {}
        for record in RECORDS:
            grouped.setdefault(record["kind"], []).append(
                {k: v for k, v in record.items() if k != "kind"})
        return _write(folder / "x-grouped.json", json.dumps(grouped, indent=2))
    if fmt == "jsonl":
        return _write(folder / "x.jsonl", "".join(json.dumps(r) + "\n" for r in RECORDS))
    if fmt == "excel":
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(list(RECORDS[0]))
        for record in RECORDS:
            sheet.append([int(v) if k == "id" else v for k, v in record.items()])
        path = folder / "x.xlsx"
        workbook.save(path)
        return path
    path = folder / "x.parquet"
    pq.write_table(pa.Table.from_pylist([{**r, "id": int(r["id"])} for r in RECORDS]), path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "json", "json-grouped", "jsonl", "excel", "parquet"])
def test_every_format_loads_through_the_same_mapping(empty_warehouse, tmp_path, fmt):
    text = FORMAT_MAPPING
    if fmt == "json-grouped":  # the category is the group's key
        text = text.replace("column: kind,", "column: _group,")
    mapping = _write(tmp_path / "m.yaml", text)
    path = _write_format(tmp_path, fmt)

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert (result.rows_read, result.loaded, result.quarantined) == (3, 3, 0)
    rows = set(query(empty_warehouse, "SELECT incident_id, occurred_at, offence_category, "
                                      "neighbourhood_id FROM incidents"))
    assert rows == EXPECTED


def test_json_that_is_not_records_is_one_clear_line(empty_warehouse, tmp_path):
    mapping = _write(tmp_path / "m.yaml", MAPPING)
    broken = _write(tmp_path / "broken.json", '[{"id": 1,')
    with pytest.raises(IngestError, match="is not valid JSON: .* line 1"):
        ingest_file(empty_warehouse, "generic-csv", broken, mapping=mapping)
    scalar = _write(tmp_path / "scalar.json", '{"id": 1}')
    with pytest.raises(IngestError, match="holds no list of records"):
        ingest_file(empty_warehouse, "generic-csv", scalar, mapping=mapping)


def test_a_bad_json_line_is_quarantined_with_its_line(empty_warehouse, tmp_path):
    mapping = _write(tmp_path / "m.yaml", MAPPING)
    lines = [json.dumps(r) for r in RECORDS]
    lines.insert(1, '{"id": "x", "when": ')
    path = _write(tmp_path / "x.jsonl", "\n".join(lines) + "\n")

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert (result.rows_read, result.loaded, result.quarantined) == (4, 3, 1)
    assert query(empty_warehouse, "SELECT line_number, reason FROM quarantine")[0][0] == 2


# ------------------------------------------------------------------------------- mapping power


def test_constants_file_names_and_lookups(empty_warehouse, tmp_path):
    _write(tmp_path / "codes.csv", "code,ucr\nA1,1430\nR1,1610\n")
    mapping = _write(tmp_path / "m.yaml", MAPPING + """\
  offence_code: {column: code, lookup: {file: codes.csv, key: code, value: ucr}}
  division: {file_name: 'division-(\\w+)-'}
  location_type: {constant: outside}
""")
    path = _csv(tmp_path / "division-D14-2023.csv", ["id", "when", "kind", "code"], [
        ["1", "2023-01-01 10:00", "Assault", "A1"], ["2", "2023-01-01 11:00", "Robbery", "R1"],
        ["3", "2023-01-01 12:00", "Robbery", "ZZ"]])

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert (result.loaded, result.quarantined) == (2, 1)
    assert set(query(empty_warehouse, "SELECT incident_id, offence_code, division, "
                                      "location_type FROM incidents")) == {
        ("1", "1430", "D14", "outside"), ("2", "1610", "D14", "outside")}
    line, column, problem, value = query(
        empty_warehouse, 'SELECT line_number, "column", problem, value FROM quarantine')[0]
    assert (line, column, value) == (4, "code", "ZZ")
    assert "not in the lookup codes.csv" in problem and "ZZ" not in problem


def test_a_file_name_that_does_not_match_is_a_clear_error(empty_warehouse, tmp_path):
    mapping = _write(tmp_path / "m.yaml", MAPPING + "  division: {file_name: 'division-(\\w+)-'}\n")
    path = _csv(tmp_path / "export.csv", ["id", "when", "kind"], [["1", "2023-01-01", "Assault"]])
    with pytest.raises(IngestError, match="the file name does not match columns.division"):
        ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)
    assert table_counts(empty_warehouse, "incidents")["incidents"] == 0


def test_two_neighbourhood_schemes_share_ids_without_colliding(empty_warehouse, tmp_path):
    rows = [["023", "Pelmo Park-Humberlea", "10722"], ["001", "West Humber-Clairville", "33312"]]
    for year, scheme in ((2016, "toronto_140"), (2021, "toronto_158")):
        mapping = _write(tmp_path / f"{scheme}.yaml", f"""\
table: population
source: city_profiles
neighbourhood_scheme: {scheme}
columns:
  neighbourhood_id: {{column: HOOD, zero_pad: 3}}
  year: {{constant: {year}}}
  population: POP
""")
        path = _csv(tmp_path / f"{scheme}.csv", ["HOOD", "NAME", "POP"], rows)
        first = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)
        again = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)
        assert (first.loaded, again.loaded, again.duplicates) == (2, 0, 2)

    assert sorted(query(empty_warehouse, "SELECT neighbourhood_scheme, neighbourhood_id, year "
                                         "FROM population")) == [
        ("toronto_140", "001", 2016), ("toronto_140", "023", 2016),
        ("toronto_158", "001", 2021), ("toronto_158", "023", 2021)]


# -------------------------------------------------------------------------------- the commands


def _bad_dates_file(tmp_path: Path) -> tuple[Path, Path]:
    mapping = _write(tmp_path / "m.yaml", MAPPING)
    rows = [[str(i), "2023-01-01 10:00", "Assault"] for i in range(20)]
    for i in range(5):
        rows[i][1] = f"2023-13-{i + 10}"  # five distinct bad dates: one kind of problem
    return mapping, _csv(tmp_path / "export.csv", ["id", "when", "kind"], rows)


def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    mapping, path = _bad_dates_file(tmp_path)
    warehouse = tmp_path / "wh.duckdb"
    args = ["ingest", "-a", "generic-csv", "-m", str(mapping), "--no-progress",
            "--warehouse", f"duckdb://{warehouse}", "--max-quarantine", "50%"]

    assert main([*args, "--dry-run", str(path)]) == 0
    out = capsys.readouterr().out
    assert "20 rows read — would load 15, quarantine 5, skip 0" in out
    assert "5 × bad date in when" in out and "first on line 2" in out
    assert not warehouse.exists()  # a dry run creates no warehouse

    assert main([*args, str(path)]) == 0
    capsys.readouterr()
    with Warehouse.open(f"duckdb://{warehouse}", read_only=True) as wh:
        before = wh.fingerprint()
    assert main([*args, "--dry-run", str(path)]) == 0
    assert "would load 0, quarantine 5, skip 15 as already loaded" in capsys.readouterr().out
    with Warehouse.open(f"duckdb://{warehouse}", read_only=True) as wh:
        assert wh.fingerprint() == before
        assert table_counts(wh, "ingest_batches")["ingest_batches"] == 1


def test_too_many_quarantined_rows_is_not_success(tmp_path, capsys):
    mapping, path = _bad_dates_file(tmp_path)  # 25% quarantined
    url = f"duckdb://{tmp_path / 'wh.duckdb'}"
    base = ["ingest", "-a", "generic-csv", "-m", str(mapping), "--no-progress", "--warehouse", url]

    assert main([*base, str(path)]) == 3  # default threshold 5%
    err = capsys.readouterr().err
    assert "25% of the rows were quarantined, more than the 5% allowed" in err
    assert main([*base, "--max-quarantine", "30%", str(path)]) == 0


def test_quarantine_lists_problems_without_values_and_exports_values(tmp_path, capsys):
    mapping, path = _bad_dates_file(tmp_path)
    url = f"duckdb://{tmp_path / 'wh.duckdb'}"
    main(["ingest", "-a", "generic-csv", "-m", str(mapping), "--no-progress", "--warehouse", url,
          str(path)])
    capsys.readouterr()

    assert main(["quarantine", "--warehouse", url]) == 0
    out = capsys.readouterr().out
    assert "5 quarantined rows, 1 kinds of problem" in out
    assert out.count("bad date in when") == 1 and "2023-13-11" not in out.split("e.g.")[0]

    export = tmp_path / "rejected.csv"
    assert main(["quarantine", "--warehouse", url, "--problem", "bad date",
                 "--export", str(export)]) == 0
    with export.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["value"] for r in rows) == [f"2023-13-{i + 10}" for i in range(5)]
    assert {r["problem"] for r in rows} == {
        "bad date in when (expected ISO 8601 (YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z or ±hh:mm]))"}
    assert sorted(int(r["line_number"]) for r in rows) == [2, 3, 4, 5, 6]
    assert main(["quarantine", "--warehouse", url, "--export", str(export)]) == 2  # no overwrite


def test_sql_runs_read_only_queries_only(tmp_path, capsys):
    mapping, path = _bad_dates_file(tmp_path)
    url = f"duckdb://{tmp_path / 'wh.duckdb'}"
    main(["ingest", "-a", "generic-csv", "-m", str(mapping), "--no-progress", "--warehouse", url,
          "--max-quarantine", "1", str(path)])
    capsys.readouterr()

    assert main(["sql", "--warehouse", url,
                 "SELECT offence_category, count(*) AS n FROM incidents GROUP BY 1"]) == 0
    out = capsys.readouterr().out
    assert "assault" in out and "15" in out

    for statement in ("DELETE FROM incidents", "DROP TABLE incidents",
                      "SELECT 1; DELETE FROM incidents", "COPY incidents TO 'x.csv'"):
        assert main(["sql", "--warehouse", url, statement]) == 2, statement
        assert "error" in capsys.readouterr().err
    assert main(["sql", "--warehouse", url, "SELECT count(*) AS n FROM incidents"]) == 0
    assert "15" in capsys.readouterr().out


def test_mapping_init_then_ingest_loads_the_vancouver_file(tmp_path, real_data, capsys):
    source = real_data / VANCOUVER
    out = tmp_path / "vancouver.yaml"

    assert main(["mapping", "init", str(source), "--out", str(out)]) == 0
    assert "2 TODO to fill in" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert "columns: [YEAR, MONTH, DAY, HOUR, MINUTE]" in text
    assert '"Theft of Vehicle": auto_theft' in text
    url = f"duckdb://{tmp_path / 'wh.duckdb'}"
    ingest = ["ingest", "-a", "generic-csv", "-m", str(out), "--no-progress", "--warehouse", url,
              str(source)]
    assert main(ingest) == 2  # TODOs left: refused, naming the key
    assert "is still TODO" in capsys.readouterr().err

    out.write_text(text.replace("TODO  # not guessed", "other"), encoding="utf-8")
    assert main(ingest) == 0
    with source.open(encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    assert f"{rows:,} rows read — {rows:,} loaded, 0 quarantined" in capsys.readouterr().out


def _documented_mapping() -> str:
    """The example mapping of docs/ingest.md ("Loading your own export, first time")."""
    from .conftest import ROOT

    text = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n# offences.yaml", 1)[1].split("```", 1)[0]
    return "# offences.yaml" + block


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "excel", "parquet"])
def test_the_documented_mapping_loads_every_format_in_one_try(empty_warehouse, tmp_path, fmt):
    mapping = _write(tmp_path / "offences.yaml", _documented_mapping())
    path = _write_format(tmp_path, fmt)

    result = ingest_file(empty_warehouse, "generic-csv", path, mapping=mapping)

    assert (result.rows_read, result.loaded, result.quarantined) == (3, 3, 0)
    assert set(query(empty_warehouse, "SELECT incident_id, occurred_at, offence_category, "
                                      "neighbourhood_id FROM incidents")) == EXPECTED


@pytest.mark.parametrize("command", [["ingest"], ["quarantine"], ["sql"], ["mapping"],
                                     ["mapping", "init"]])
def test_every_new_command_prints_its_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    assert "usage: workbench" in capsys.readouterr().out
