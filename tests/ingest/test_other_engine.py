"""The engine-agnostic path (no multi-statement transaction): SQLite through Ibis stands in for
the service's cluster engines. Rows are staged, then each table is written in one statement."""

from __future__ import annotations

import pytest

from workbench.ingest import ingest_file, loading
from workbench.warehouse import Warehouse

from .conftest import SHOOTINGS, table_counts

pytestmark = pytest.mark.realdata


@pytest.fixture
def sqlite_warehouse(tmp_path):
    warehouse = Warehouse.open(f"sqlite://{tmp_path / 'warehouse.sqlite'}")
    assert not warehouse.is_duckdb
    yield warehouse
    warehouse.close()


def _staging_tables(warehouse) -> list[str]:
    return [name for name in warehouse.con.list_tables() if name.startswith("_ingest")]


def test_load_dedupe_and_quarantine_without_transactions(sqlite_warehouse, real_data, tmp_path):
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)
    path = tmp_path / "slice.csv"
    path.write_bytes(b"".join(lines[:101]) + lines[7] + lines[50])

    first = ingest_file(sqlite_warehouse, "toronto-shootings", path)
    second = ingest_file(sqlite_warehouse, "toronto-shootings", path)

    assert (first.rows_read, first.loaded, first.quarantined, first.duplicates) == (102, 100, 2, 0)
    assert (second.loaded, second.quarantined, second.duplicates) == (0, 2, 100)
    reasons = sqlite_warehouse.con.table("quarantine").select("line_number", "reason") \
        .order_by("line_number").to_pandas()
    assert reasons.line_number.tolist() == [102, 102, 103, 103]
    assert "first on line 8" in reasons.reason.iloc[0]
    assert table_counts(sqlite_warehouse, "incidents", "ingest_batches") == {
        "incidents": 100, "ingest_batches": 2}
    assert _staging_tables(sqlite_warehouse) == []


def test_failure_drops_the_staging_tables(sqlite_warehouse, real_data, tmp_path, monkeypatch):
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)
    path = tmp_path / "slice.csv"
    path.write_bytes(b"".join(lines[:31]))

    def failing_insert(warehouse, table_name, new_rows):
        raise RuntimeError("cluster went away")

    monkeypatch.setattr(loading, "_insert_new_rows", failing_insert)
    with pytest.raises(RuntimeError, match="cluster went away"):
        ingest_file(sqlite_warehouse, "toronto-shootings", path)

    assert table_counts(sqlite_warehouse, "incidents", "quarantine", "ingest_batches") == {
        "incidents": 0, "quarantine": 0, "ingest_batches": 0}
    assert _staging_tables(sqlite_warehouse) == []
