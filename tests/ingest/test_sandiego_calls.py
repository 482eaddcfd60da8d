"""The sandiego-calls adapter on the real San Diego PD calls file (../shared/data/real), and on
rows of it made bad on purpose. Expected values come from the raw file read with ``csv``."""

from __future__ import annotations

import collections
import csv
import shutil
from pathlib import Path

import pytest

from workbench.ingest import ingest_file
from workbench.ingest.adapters.sandiego import SANDIEGO_PRIORITIES, snake_case

from .conftest import query

pytestmark = pytest.mark.realdata

FOLDER = "sandiego_pd_calls_for_service_2023_jan"
CALLS = f"{FOLDER}/pd_calls_for_service_2023_datasd_first20days.csv"
CALL_TYPES = f"{FOLDER}/pd_cfs_calltypes_datasd.csv"


def _raw(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def raw_calls(real_data: Path) -> list[dict[str, str]]:
    return _raw(real_data / CALLS)


def test_every_call_is_loaded_with_its_priority_day_and_division(empty_warehouse, real_data,
                                                                 raw_calls):
    result = ingest_file(empty_warehouse, "sandiego-calls", real_data / CALLS)
    assert (result.rows_read, result.loaded, result.quarantined) == (26595, 26595, 0)
    assert len(raw_calls) == 26595

    expected_priorities = collections.Counter(SANDIEGO_PRIORITIES[int(r["priority"])]
                                              for r in raw_calls)
    assert dict(query(empty_warehouse, "SELECT priority, count(*) FROM calls_for_service "
                                       "GROUP BY 1")) == dict(expected_priorities)
    # SDPD's 0 (emergency) is the canonical 1; its 9 (no dispatch) joins the lowest, 5
    assert expected_priorities[1] == sum(r["priority"] == "0" for r in raw_calls) == 1546
    assert expected_priorities[5] == sum(r["priority"] in ("4", "9") for r in raw_calls)

    by_day = collections.Counter(r["date_time"][:10] for r in raw_calls)
    loaded_days = dict(query(empty_warehouse, "SELECT strftime(received_at, '%Y-%m-%d'), "
                                              "count(*) FROM calls_for_service GROUP BY 1"))
    assert loaded_days == dict(by_day) and len(by_day) == 20
    assert query(empty_warehouse, "SELECT min(received_at), max(received_at) "
                                  "FROM calls_for_service")[0][1].isoformat() == \
        "2023-01-20T23:56:51"

    by_division = dict(query(empty_warehouse, "SELECT division, count(*) FROM "
                                              "calls_for_service GROUP BY 1"))
    first_digits = collections.Counter(r["beat"][0] for r in raw_calls if r["beat"] != "-1")
    assert by_division["Central"] == first_digits["5"]
    assert by_division["Mid-City"] == first_digits["8"]
    assert by_division[None] == sum(r["beat"] == "-1" for r in raw_calls) == 402
    assert query(empty_warehouse, "SELECT count(DISTINCT neighbourhood_id) FROM "
                                  "calls_for_service")[0][0] == 125


def test_call_types_are_canonical_or_named_from_the_lookup(empty_warehouse, real_data,
                                                           raw_calls):
    ingest_file(empty_warehouse, "sandiego-calls", real_data / CALLS)
    types = dict(query(empty_warehouse, "SELECT call_type, count(*) FROM calls_for_service "
                                        "GROUP BY 1"))
    raw_types = collections.Counter(r["call_type"] for r in raw_calls)
    assert types["mental_health"] == raw_types["5150"] + raw_types["5150V"]
    assert types["wellness_check"] == raw_types["CW"] == 1135
    assert types["overdose"] == raw_types["1140OD"]
    assert types["illegal_parking"] == raw_types["586"]  # named from the portal's lookup
    assert types["1016p"] == raw_types["1016P"]          # a code the lookup lacks is kept
    assert types[None] == raw_types[""] == 19            # blank: NULL, the call is kept
    assert all(t is None or t == snake_case(t) for t in types)
    # no arrival times in this export: nothing to measure a response time with
    assert query(empty_warehouse, "SELECT count(arrived_at), count(dispatched_at) FROM "
                                  "calls_for_service") == [(0, 0)]


def test_dispositions_and_location_keys(empty_warehouse, real_data, raw_calls):
    ingest_file(empty_warehouse, "sandiego-calls", real_data / CALLS)
    dispositions = dict(query(empty_warehouse, "SELECT disposition, count(*) FROM "
                                               "calls_for_service GROUP BY 1"))
    raw = collections.Counter(r["disposition"] for r in raw_calls)
    assert dispositions["arrest"] == raw["A"] + raw["AB"] + raw["AHR"]
    assert dispositions["not_dispatched"] == raw["W"]
    assert dispositions["def"] == raw["DEF"] == 1  # a code the lookup lacks, kept as is
    addresses = {tuple(r[c] for c in ("address_number_primary", "address_dir_primary",
                                      "address_road_primary", "address_sfx_primary",
                                      "address_road_intersecting"))
                 for r in raw_calls if r["address_road_primary"]}
    assert query(empty_warehouse, "SELECT count(DISTINCT location_key) FROM "
                                  "calls_for_service")[0][0] == len(addresses)
    # the key is opaque: no address text is stored anywhere in the row
    assert query(empty_warehouse, "SELECT count(*) FROM calls_for_service WHERE "
                                  "location_key LIKE '%FERGUS%'") == [(0,)]


def test_reingest_adds_nothing(empty_warehouse, real_data):
    ingest_file(empty_warehouse, "sandiego-calls", real_data / CALLS)
    again = ingest_file(empty_warehouse, "sandiego-calls", real_data / CALLS)
    assert (again.loaded, again.duplicates) == (0, 26595)


def test_bad_rows_are_quarantined_with_line_column_and_reason(empty_warehouse, real_data,
                                                              tmp_path):
    lines = (real_data / CALLS).read_text(encoding="utf-8").splitlines(keepends=True)
    rows = lines[:31]
    rows[5] = rows[5].replace('"2023-01-01 00', '"2023-13-01 00', 1)   # line 6: bad date
    rows[9] = rows[9][: rows[9].rindex(',"')] + ',"7"\n'                # line 10: priority 7
    path = tmp_path / "calls.csv"
    path.write_text("".join(rows), encoding="utf-8")  # no lookup beside it
    result = ingest_file(empty_warehouse, "sandiego-calls", path)
    assert (result.rows_read, result.loaded, result.quarantined) == (30, 28, 2)
    reasons = dict(query(empty_warehouse, "SELECT line_number, \"column\" || ': ' || reason "
                                          "FROM quarantine ORDER BY line_number"))
    assert set(reasons) == {6, 10}
    assert reasons[6].startswith("date_time: bad date '2023-13-01")
    assert reasons[10].startswith("priority: unknown priority '7'")
    # without the call-type lookup, codes without a canonical name stay codes
    assert query(empty_warehouse, "SELECT call_type FROM calls_for_service "
                                  "WHERE call_id = 'E23010000002'") == [("shops",)]


def test_the_lookup_beside_the_file_names_the_codes(empty_warehouse, real_data, tmp_path):
    lines = (real_data / CALLS).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "calls.csv").write_text("".join(lines[:31]), encoding="utf-8")
    shutil.copy(real_data / CALL_TYPES, tmp_path)
    ingest_file(empty_warehouse, "sandiego-calls", tmp_path / "calls.csv")
    assert query(empty_warehouse, "SELECT call_type FROM calls_for_service "
                                  "WHERE call_id = 'E23010000002'") == [
        ("information_for_shops",)]
