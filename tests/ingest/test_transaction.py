"""A batch is all-or-nothing: a failure at the last write leaves nothing of the batch behind,
not even its quarantine rows; re-ingesting skips rows already loaded."""

from __future__ import annotations

import pytest

from workbench.ingest import ingest_file, loading

from .conftest import SHOOTINGS, query, table_counts

pytestmark = pytest.mark.realdata

TABLES = ("incidents", "quarantine", "ingest_batches")


def _slice_with_bad_rows(real_data, tmp_path, rows: int = 60):
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)[: rows + 1]
    for index in (7, 33):  # two rows with an impossible hour → quarantined
        fields = lines[index].decode().split(",")
        fields[8] = "31"
        lines[index] = ",".join(fields).encode()
    path = tmp_path / "batch.csv"
    path.write_bytes(b"".join(lines))
    return path


def test_failure_at_the_last_write_leaves_nothing(empty_warehouse, real_data, tmp_path,
                                                  monkeypatch):
    path = _slice_with_bad_rows(real_data, tmp_path)
    ingest_file(empty_warehouse, "toronto-shootings", real_data / SHOOTINGS)  # an earlier batch
    before_counts = table_counts(empty_warehouse, *TABLES)
    before = empty_warehouse.fingerprint()
    seen = {}

    def failing_record(warehouse, batch, started, result):
        # by now this batch's new rows and quarantine rows are written, inside the transaction
        seen.update(table_counts(warehouse, "incidents", "quarantine"))
        raise RuntimeError("disk full")

    monkeypatch.setattr(loading, "_record_batch", failing_record)
    # 60 rows not loaded before (ids renamed), then the 60 of `path`: 58 loaded before, 2 bad
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)
    renamed = [line.replace(b",GO-", b",XX-", 1) for line in lines[1:61]]
    fresh = tmp_path / "fresh.csv"
    fresh.write_bytes(lines[0] + b"".join(renamed)
                      + b"".join(path.read_bytes().splitlines(keepends=True)[1:]))
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_file(empty_warehouse, "toronto-shootings", fresh)

    assert seen == {"incidents": before_counts["incidents"] + 60, "quarantine": 2}
    assert table_counts(empty_warehouse, *TABLES) == before_counts
    assert empty_warehouse.fingerprint() == before
    assert not [t for t in empty_warehouse.con.list_tables() if t.startswith("_ingest")]

    monkeypatch.undo()
    result = ingest_file(empty_warehouse, "toronto-shootings", fresh)  # works once fixed
    assert (result.loaded, result.quarantined, result.duplicates) == (60, 2, 58)


def test_failure_at_the_target_insert_leaves_nothing(empty_warehouse, real_data, tmp_path,
                                                    monkeypatch):
    path = _slice_with_bad_rows(real_data, tmp_path)
    before = empty_warehouse.fingerprint()

    def failing_insert(warehouse, table_name, new_rows):
        raise RuntimeError("constraint violated")

    monkeypatch.setattr(loading, "_insert_new_rows", failing_insert)
    with pytest.raises(RuntimeError, match="constraint violated"):
        ingest_file(empty_warehouse, "toronto-shootings", path)

    assert table_counts(empty_warehouse, *TABLES) == {name: 0 for name in TABLES}
    assert empty_warehouse.fingerprint() == before


def test_truncation_found_while_reading_rolls_back(empty_warehouse, real_data, tmp_path):
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)
    bad = lines[3].decode().split(",")
    bad[8] = "99"
    path = tmp_path / "cut.csv"
    path.write_bytes(b"".join(lines[:3]) + ",".join(bad).encode() + b"".join(lines[4:300])
                     + lines[300][:40])
    before = empty_warehouse.fingerprint()

    from workbench.errors import IngestError
    with pytest.raises(IngestError, match="truncated"):
        ingest_file(empty_warehouse, "toronto-shootings", path)

    assert empty_warehouse.fingerprint() == before
    assert table_counts(empty_warehouse, *TABLES) == {name: 0 for name in TABLES}


def test_overlapping_files_load_each_row_once(empty_warehouse, real_data, tmp_path):
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "jan-jun.csv", tmp_path / "apr-dec.csv"
    first.write_bytes(b"".join(lines[:201]))
    second.write_bytes(lines[0] + b"".join(lines[101:401]))

    one = ingest_file(empty_warehouse, "toronto-shootings", first)
    two = ingest_file(empty_warehouse, "toronto-shootings", second)

    assert (one.loaded, one.duplicates) == (200, 0)
    assert (two.loaded, two.duplicates) == (200, 100)
    assert query(empty_warehouse, "SELECT count(*), count(DISTINCT incident_id) FROM incidents") \
        == [(400, 400)]
    assert query(empty_warehouse, "SELECT rows_loaded, rows_duplicate FROM ingest_batches "
                                  "ORDER BY rows_duplicate") == [(200, 0), (200, 100)]
