"""Building the demo city: determinism, atomic replacement, argument checks, the command line,
and row counts proportional to the scale."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import workbench.demo.generate as generate
from workbench import schema
from workbench.cli import main
from workbench.demo import DemoCityError, build_demo_city
from workbench.errors import WarehouseError

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


# ------------------------------------------------------------ replacing a warehouse (issue 12)

_KILLED_WRITER = """
import os, sys, duckdb
connection = duckdb.connect(sys.argv[1])
connection.execute("SET wal_autocheckpoint = '1TB'")
connection.execute("CREATE TABLE stale_batch AS SELECT 'old batch' AS note")
connection.execute("CREATE TABLE incidents (incident_id VARCHAR)")
connection.execute("INSERT INTO incidents VALUES ('TORONTO-SHOOTING-1')")
os._exit(0)  # killed between commit and checkpoint: the log stays beside the file
"""


def _run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], check=True, timeout=120,
                          capture_output=True, text=True)


def test_replacing_a_warehouse_never_replays_its_stale_log(tmp_path):
    target = tmp_path / "wh.duckdb"
    _run_python(_KILLED_WRITER, str(target))
    assert Path(f"{target}.wal").exists()  # the state the attack run left

    build_demo_city(f"duckdb://{target}", scale=0.01, seed=3, end_date=END)

    assert not Path(f"{target}.wal").exists()
    connection = duckdb.connect(str(target), read_only=True)
    try:
        tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
        stale_ids = connection.execute(
            "SELECT count(*) FROM incidents WHERE incident_id = 'TORONTO-SHOOTING-1'"
        ).fetchone()
    finally:
        connection.close()
    assert "stale_batch" not in tables
    assert stale_ids == (0,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wh.duckdb"]


def test_a_killed_build_leaves_nothing_a_rerun_ignores(tmp_path):
    target = tmp_path / "wh.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    abandoned = [
        tmp_path / f".wh.duckdb.building-{dead_pid}-0badc0de",
        tmp_path / f".wh.duckdb.building-{dead_pid}-0badc0de.wal",
        tmp_path / f".wh.duckdb.wal.replaced-{dead_pid}-12345678",
    ]
    kept = [
        tmp_path / f".wh.duckdb.building-{os.getpid()}-89abcdef",  # a build still running
        tmp_path / ".wh.duckdb.building-notes.txt",  # not a name the build writes
        tmp_path / f".other.duckdb.building-{dead_pid}-0badc0de",  # another warehouse's
    ]
    for path in (*abandoned, *kept):
        path.write_bytes(b"partial")

    build_demo_city(f"duckdb://{target}", scale=0.01, seed=3, end_date=END)

    assert [p for p in abandoned if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []
    assert all(p.read_bytes() == b"partial" for p in kept)


_HOLDING_WRITER = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
connection.execute("CREATE TABLE IF NOT EXISTS held AS SELECT 1 AS x")
print("ready", flush=True)
time.sleep(120)
"""


def test_a_warehouse_open_for_writing_elsewhere_is_not_replaced(tmp_path):
    target = tmp_path / "wh.duckdb"
    writer = subprocess.Popen([sys.executable, "-c", _HOLDING_WRITER, str(target)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseError, match="open for writing in another process"):
            build_demo_city(f"duckdb://{target}", scale=0.01, seed=3, end_date=END)
    finally:
        writer.kill()
        writer.wait()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".wal")) == [
        "wh.duckdb"]
