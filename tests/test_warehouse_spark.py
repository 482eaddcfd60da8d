"""The same warehouse URL mechanism on Spark: a real local[2] session, no mocks."""

import pandas as pd
import pytest

from workbench.analysis import quality
from workbench.warehouse import Warehouse

pytestmark = pytest.mark.spark


def test_spark_warehouse_reads_exported_parquet_and_runs_the_same_analysis(empty_warehouse, tmp_path):
    frame = pd.DataFrame({
        "incident_id": ["a", "b", "b"], "source": "t",
        "occurred_at": pd.to_datetime(["2023-05-01", "2024-01-01", "2024-01-01"]),
        "reported_at": pd.to_datetime(["2023-05-03", "2024-01-01", "2024-01-11"]),
        "offence_category": ["assault", "fraud", "fraud"], "offence_code": None,
        "division": "D1", "neighbourhood_id": None, "latitude": None, "longitude": None,
        "location_type": None, "domestic": None, "clearance": None,
    })
    empty_warehouse.append("incidents", frame)
    lake = tmp_path / "lake"
    empty_warehouse.export_parquet(lake, partition_by={"incidents": ["year"]})
    spark = Warehouse.open(f"pyspark://?master=local[2]&parquet={lake}")
    assert spark.con.name == "pyspark"
    assert "incidents" in spark.list_tables()
    assert spark.table("incidents").columns == empty_warehouse.table("incidents").columns  # no year
    on_spark = quality.duplicate_keys(spark.table("incidents"), ["source", "incident_id"])
    on_duckdb = quality.duplicate_keys(empty_warehouse.table("incidents"), ["source", "incident_id"])
    assert on_spark == on_duckdb == 1
    lag_spark = quality.report_lag(spark.table("incidents")).set_index("offence_category")
    lag_duck = quality.report_lag(empty_warehouse.table("incidents")).set_index("offence_category")
    assert lag_spark.loc["assault", "median_days"] == pytest.approx(lag_duck.loc["assault", "median_days"])
