"""`workbench ingest` through the real command-line entry point."""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.warehouse import Warehouse

from .conftest import HATE_CRIMES, SHOOTINGS, table_counts


@pytest.mark.realdata
def test_ingest_prints_counts_per_file(tmp_path, real_data, capsys):
    url = f"duckdb://{tmp_path / 'cli.duckdb'}"
    lines = (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)
    part = tmp_path / "part.csv"
    part.write_bytes(b"".join(lines[:101]))

    status = main(["ingest", "--adapter", "toronto-shootings", "--warehouse", url,
                   "--no-progress", str(part), str(real_data / SHOOTINGS)])

    output = capsys.readouterr().out
    assert status == 0
    assert f"{part}: 100 rows read — 100 loaded, 0 quarantined, 0 skipped" in output
    assert "6,409 rows read — 6,309 loaded, 0 quarantined, 100 skipped as already loaded" in output
    assert "total: 6,509 rows read — 6,409 loaded" in output
    with Warehouse.open(url, read_only=True) as warehouse:
        assert table_counts(warehouse, "incidents", "ingest_batches") == {
            "incidents": 6409, "ingest_batches": 2}


@pytest.mark.realdata
def test_unreadable_file_is_one_line_exit_2_and_nothing_loaded(tmp_path, real_data, capsys):
    database = tmp_path / "cli.duckdb"
    url = f"duckdb://{database}"
    missing = tmp_path / "missing.csv"

    status = main(["ingest", "--adapter", "toronto-shootings", "--warehouse", url,
                   str(real_data / SHOOTINGS), str(missing)])

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert error.splitlines() == [f"workbench ingest: error: {missing}: no such file"]
    assert not database.exists()  # files are checked before the warehouse is opened

    status = main(["ingest", "--adapter", "toronto-shootings", "--warehouse", url,
                   str(real_data / HATE_CRIMES)])
    error = capsys.readouterr().err.strip()
    assert status == 2 and "missing required column" in error and HATE_CRIMES in error
    assert len(error.splitlines()) == 1


def test_list_and_unknown_adapter(capsys):
    assert main(["ingest", "--list"]) == 0
    listing = capsys.readouterr().out
    for name in ("generic-csv", "toronto-shootings", "toronto-hate-crimes", "toronto-mci",
                 "chicago-crimes", "toronto-neighbourhoods", "toronto-assault"):
        assert name in listing

    assert main(["ingest", "--adapter", "toronto-shooting", "somefile.csv"]) == 2
    error = capsys.readouterr().err
    assert "unknown adapter 'toronto-shooting'" in error and "toronto-shootings" in error


def test_missing_adapter_option(capsys):
    assert main(["ingest", "file.csv"]) == 2
    assert "--adapter" in capsys.readouterr().err
