import pandas as pd
import pytest

from workbench import schema
from workbench.errors import WarehouseError
from workbench.warehouse import Warehouse


def _incidents(ids):
    return pd.DataFrame({
        "incident_id": ids, "source": "test",
        "occurred_at": pd.to_datetime(["2024-01-01"] * len(ids)),
        "reported_at": pd.NaT, "offence_category": "assault", "offence_code": None,
        "division": "D1", "neighbourhood_id": None, "latitude": None, "longitude": None,
        "location_type": None, "domestic": None, "clearance": None,
    })


def test_reader_gets_a_clear_error_when_no_warehouse_exists(tmp_path):
    with pytest.raises(WarehouseError, match="no warehouse at .*workbench demo-data"):
        Warehouse.open(f"duckdb://{tmp_path / 'missing.duckdb'}", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_missing_table_error_names_the_table(empty_warehouse):
    with pytest.raises(WarehouseError, match="no table 'nope'"):
        empty_warehouse.table("nope")


def test_transaction_is_all_or_nothing(empty_warehouse):
    empty_warehouse.append("incidents", _incidents(["a"]))
    before = empty_warehouse.fingerprint()
    with pytest.raises(RuntimeError):
        with empty_warehouse.transaction():
            empty_warehouse.append("incidents", _incidents(["b", "c"]))
            raise RuntimeError("fails halfway")
    assert empty_warehouse.table("incidents").count().execute() == 1
    assert empty_warehouse.fingerprint() == before
    with empty_warehouse.transaction():
        empty_warehouse.append("incidents", _incidents(["b"]))
    assert empty_warehouse.table("incidents").count().execute() == 2
    assert empty_warehouse.fingerprint() != before


def test_append_conforms_to_the_canonical_schema(empty_warehouse):
    with pytest.raises(WarehouseError, match="lack columns: .*offence_category"):
        empty_warehouse.append("incidents", _incidents(["a"]).drop(columns="offence_category"))
    assert empty_warehouse.table("incidents").count().execute() == 0


def test_read_only_warehouse_refuses_writes(tmp_path):
    url = f"duckdb://{tmp_path / 'w.duckdb'}"
    with Warehouse.open(url) as writer:
        writer.ensure_tables(["incidents"])
    with Warehouse.open(url, read_only=True) as reader:
        assert reader.list_tables() == ["incidents"]
        with pytest.raises(WarehouseError, match="read-only"):
            reader.append("incidents", _incidents(["a"]))


def test_freshness_reports_earliest_and_latest_event(empty_warehouse):
    later = _incidents(["b"]).assign(occurred_at=pd.Timestamp("2024-03-05 10:00"))
    empty_warehouse.append("incidents", pd.concat([_incidents(["a"]), later]))
    fresh = empty_warehouse.freshness().set_index("table")
    assert fresh.loc["incidents", "earliest"] == pd.Timestamp("2024-01-01")
    assert fresh.loc["incidents", "latest"] == pd.Timestamp("2024-03-05 10:00")
    assert fresh.loc["incidents", "rows"] == 2


def test_a_missing_canonical_table_can_be_read_empty(tmp_path):
    with Warehouse.open(f"duckdb://{tmp_path / 'crime-only.duckdb'}") as warehouse:
        warehouse.replace_table("incidents", _incidents(["a"]))
        incidents, population = warehouse.tables("incidents", "population",
                                                 optional=("population",))
        assert incidents.count().execute() == 1
        assert population.count().execute() == 0
        assert list(population.columns) == list(schema.table("population").ibis_schema().names)
        with pytest.raises(WarehouseError, match="no table 'population'"):
            warehouse.table("population")
        assert warehouse.list_tables() == ["incidents"]
