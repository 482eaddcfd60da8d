import pandas as pd
import pyarrow.dataset as ds

from workbench.warehouse import Warehouse


def test_export_parquet_partitions_event_tables_and_round_trips(empty_warehouse, tmp_path):
    frame = pd.DataFrame({
        "incident_id": ["a", "b", "c"], "source": "t",
        "occurred_at": pd.to_datetime(["2023-05-01", "2024-01-01", "2024-06-01"]),
        "reported_at": pd.NaT, "offence_category": "assault", "offence_code": None,
        "division": "D1", "neighbourhood_id": None, "latitude": None, "longitude": None,
        "location_type": None, "domestic": None, "clearance": None,
    })
    empty_warehouse.append("incidents", frame)
    written = empty_warehouse.export_parquet(tmp_path / "lake", partition_by={"incidents": ["year"]})
    assert written["incidents"] == 3
    assert sorted(p.name for p in (tmp_path / "lake" / "incidents").iterdir()) == ["year=2023", "year=2024"]
    assert not (tmp_path / "lake.partial").exists()
    back = ds.dataset(tmp_path / "lake" / "incidents", partitioning="hive").to_table().to_pandas()
    assert sorted(back.incident_id) == ["a", "b", "c"]
    # and DuckDB reads the folder back as a warehouse table through Ibis
    reader = Warehouse.open("duckdb://:memory:")
    table = reader.con.read_parquet(str(tmp_path / "lake" / "incidents" / "**" / "*.parquet"),
                                    hive_partitioning=True)
    assert table.count().execute() == 3
