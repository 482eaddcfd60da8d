"""Building the demo city: determinism, atomic replacement, argument checks, the command line,
and row counts proportional to the scale."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

import workbench.demo.generate as generate
from workbench import schema
from workbench.cli import main
from workbench.demo import DemoCityError, build_demo_city

SMALL = 0.05
END = dt.date(2024, 6, 30)


def _fingerprints(path: Path) -> dict[str, tuple[int, int]]:
    """Per table: row count and an order-independent hash of every row's content."""
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return {
            name: connection.execute(
                f'SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM "{name}" t'
            ).fetchone()
            for name in schema.TABLES
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def small_builds(tmp_path_factory) -> dict[str, Path]:
    """Two small builds through the API: seed 7 and seed 8."""
    folder = tmp_path_factory.mktemp("demo-builds")
    paths = {"seed_7": folder / "seed7.duckdb", "seed_8": folder / "seed8.duckdb"}
    build_demo_city(f"duckdb://{paths['seed_7']}", scale=SMALL, seed=7, end_date=END)
    build_demo_city(f"duckdb://{paths['seed_8']}", scale=SMALL, seed=8, end_date=END)
    return paths


def test_the_command_rebuilds_the_same_city_and_prints_counts_and_time(
    small_builds, tmp_path, capsys
):
    target = tmp_path / "cli.duckdb"
    exit_code = main(
        [
            "demo-data",
            "--scale",
            str(SMALL),
            "--seed",
            "7",
            "--end-date",
            END.isoformat(),
            "--warehouse",
            f"duckdb://{target}",
            "--no-progress",
        ]
    )
    assert exit_code == 0
    rebuilt = _fingerprints(target)
    assert rebuilt == _fingerprints(small_builds["seed_7"])
    assert rebuilt["incidents"][0] > 5_000
    printed = capsys.readouterr().out
    assert "calls_for_service" in printed and "done in" in printed
    assert f"{rebuilt['incidents'][0]:,}" in printed


def test_another_seed_changes_the_events_but_not_the_map(small_builds):
    base = _fingerprints(small_builds["seed_7"])
    other = _fingerprints(small_builds["seed_8"])
    for name in (
        "incidents",
        "calls_for_service",
        "shifts",
        "use_of_force",
        "collisions",
        "finance",
    ):
        assert base[name] != other[name], name
    for name in (
        "neighbourhoods",
        "divisions",
        "offence_codes",
        "units",
        "personnel",
        "population",
    ):
        assert base[name] == other[name], name


def test_a_failed_build_leaves_the_existing_warehouse_untouched(tmp_path, monkeypatch):
    target = tmp_path / "warehouse.duckdb"
    connection = duckdb.connect(str(target))
    connection.execute("CREATE TABLE incidents AS SELECT 1 AS kept")
    connection.close()
    before = hashlib.sha256(target.read_bytes()).hexdigest()

    real_append = generate.append_rows
    calls = {"n": 0}

    def failing_append(warehouse, name, rows):
        calls["n"] += 1
        if calls["n"] > 12:  # well into the build: static tables and some shifts are written
            raise RuntimeError("disk full (simulated)")
        real_append(warehouse, name, rows)

    monkeypatch.setattr(generate, "append_rows", failing_append)
    with pytest.raises(RuntimeError, match="simulated"):
        build_demo_city(f"duckdb://{target}", scale=0.01, seed=1, end_date=END)
    assert calls["n"] > 12
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "warehouse.duckdb"
    ]  # no temporary files left


def test_a_target_that_cannot_be_created_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(DemoCityError, match="not-a-folder"):
        build_demo_city(
            f"duckdb://{blocker / 'sub' / 'warehouse.duckdb'}", scale=0.01, end_date=END
        )
    assert blocker.read_text() == "a file where a folder should be"


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf"), "1"])
def test_bad_scales_are_refused(tmp_path, scale):
    with pytest.raises(DemoCityError, match="scale"):
        build_demo_city(f"duckdb://{tmp_path / 'w.duckdb'}", scale=scale, end_date=END)
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_bad_seeds_are_refused(tmp_path, seed):
    with pytest.raises(DemoCityError, match="seed"):
        build_demo_city(f"duckdb://{tmp_path / 'w.duckdb'}", seed=seed, end_date=END)


def test_the_command_reports_a_bad_argument_as_one_line(tmp_path, capsys):
    assert (
        main(["demo-data", "--seed", "-3", "--warehouse", f"duckdb://{tmp_path / 'w.duckdb'}"]) == 2
    )
    assert "seed" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["demo-data", "--end-date", "22/11/2026"])
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_an_in_memory_warehouse_gets_every_table(tmp_path):
    counts = build_demo_city("duckdb://:memory:", scale=0.01, seed=3, end_date=END)
    assert set(counts) == set(schema.TABLES)
    assert counts["incidents"] > 1_000 and counts["quarantine"] == 0


@pytest.mark.slow
def test_a_bigger_build_streams_and_keeps_rows_proportional(tmp_path, small_builds):
    """Scale 2 is streamed in many batches; volumes follow the scale, the organisation does not."""
    big = tmp_path / "big.duckdb"
    build_demo_city(f"duckdb://{big}", scale=2.0, seed=7, end_date=END)
    small = _fingerprints(small_builds["seed_7"])
    large = _fingerprints(big)
    factor = 2.0 / SMALL
    for name in ("incidents", "calls_for_service", "collisions", "enforcement_actions"):
        assert large[name][0] == pytest.approx(factor * small[name][0], rel=0.05), name
    for name in ("shifts", "personnel", "units", "finance", "neighbourhoods"):
        assert large[name][0] == small[name][0], name
    population = (
        duckdb.connect(str(big), read_only=True)
        .execute("SELECT sum(population) FROM population WHERE year = 2024")
        .fetchone()[0]
    )
    assert population == pytest.approx(2_000_000, rel=0.02)
