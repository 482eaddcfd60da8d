"""Helpers for the ingest tests: the real files, slices of them, and warehouse counts."""

from __future__ import annotations

from pathlib import Path

import pytest

SHOOTINGS = "toronto_shootings_firearm_discharges/Shootings_and_Firearm_Discharges.csv"
HATE_CRIMES = "toronto_hate_crimes/Hate_Crimes_Open_Data.csv"
ASSAULT = "toronto_tps_assault_sample_current_schema/Assault_Open_Data_sample1000.csv"
MCI = "toronto_mci_2014_2024_reduced/cleaned_major_crime_data.parquet"
CHICAGO = "chicago_crimes_2022_slim/crimes-2022-slim.csv.gz"
NEIGHBOURHOODS = "toronto_neighbourhood_profiles_2021/neighbourhood-profiles-2021-158-model.xlsx"
VANCOUVER = "vancouver_pd_crime_2025/crimedata_csv_AllNeighbourhoods_2025.csv"

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MAPPING = ROOT / "docs" / "examples" / "vancouver-crime-mapping.yaml"


def table_counts(warehouse, *names: str) -> dict[str, int]:
    """Row counts of the named tables (0 when a table does not exist)."""
    existing = set(warehouse.con.list_tables())
    return {name: int(warehouse.con.table(name).count().execute()) if name in existing else 0
            for name in names}


def query(warehouse, sql: str) -> list[tuple]:
    return warehouse.con.raw_sql(sql).fetchall()


@pytest.fixture(scope="session")
def shootings_lines(real_data: Path) -> list[bytes]:
    """The shootings file as raw lines (header first), for building malformed variants."""
    return (real_data / SHOOTINGS).read_bytes().splitlines(keepends=True)


@pytest.fixture
def shootings_slice(tmp_path: Path, shootings_lines: list[bytes]):
    """Write the header and data lines ``start:stop`` (plus optional edits) to a tmp file."""

    def write(name: str = "slice.csv", rows: int = 40, *, lines: list[bytes] | None = None) -> Path:
        path = tmp_path / name
        path.write_bytes(b"".join(lines if lines is not None else shootings_lines[: rows + 1]))
        return path

    return write
