import pyarrow.dataset as ds

from workbench import cli
from workbench.warehouse import Warehouse


def test_demo_data_writes_a_partitioned_parquet_copy_matching_the_warehouse(tmp_path, capsys):
    url = f"duckdb://{tmp_path / 'w.duckdb'}"
    lake = tmp_path / "lake"
    code = cli.main(["demo-data", "--scale", "0.02", "--seed", "3", "--end-date", "2025-06-30",
                     "--warehouse", url, "--parquet", str(lake), "--no-progress"])
    assert code == 0
    assert "Parquet copy written" in capsys.readouterr().out
    years = sorted(p.name for p in (lake / "incidents").iterdir())
    assert years[0] == "year=2020" and years[-1] == "year=2025"
    with Warehouse.open(url, read_only=True) as warehouse:
        for table in ("incidents", "calls_for_service", "shifts"):
            expected = warehouse.table(table).count().execute()
            assert ds.dataset(lake / table, partitioning="hive").count_rows() == expected
        assert ds.dataset(lake / "neighbourhoods.parquet").count_rows() == \
            warehouse.table("neighbourhoods").count().execute()
