"""Due logic on a fixed clock, cache keys, and the state files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workbench.publish.runner import due_jobs, redact_url
from workbench.publish.state import (
    cache_key,
    is_due,
    load_job_state,
    package_versions,
    save_job_state,
    source_digest,
    state_dir,
)

ZONE = dt.timezone(dt.timedelta(hours=-5))
DAILY = "15 6 * * *"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=ZONE)


def test_a_job_that_never_succeeded_is_due() -> None:
    assert is_due(DAILY, None, at(10, 3))


@pytest.mark.parametrize(
    ("last_success", "now", "due"),
    [
        (at(10, 6, 20), at(10, 23, 0), False),   # ran after today's 06:15; next is tomorrow
        (at(10, 6, 20), at(11, 6, 14), False),   # one minute before the next firing
        (at(10, 6, 20), at(11, 6, 15), True),    # exactly at the next firing
        (at(10, 6, 20), at(13, 9, 0), True),     # missed days: due once, not three times
        (at(10, 6, 10), at(10, 6, 30), True),    # succeeded just before today's firing
    ],
)
def test_daily_schedule(last_success: dt.datetime, now: dt.datetime, due: bool) -> None:
    assert is_due(DAILY, last_success, now) is due


def test_weekly_schedule_and_iso_strings() -> None:
    monday_0630 = "30 6 * * 1"
    # 2025-03-10 is a Monday.
    assert not is_due(monday_0630, at(10, 7).isoformat(), at(16, 23))
    assert is_due(monday_0630, at(10, 7).isoformat(), at(17, 6, 30))


def test_times_in_other_zones_are_compared_in_the_clock_zone() -> None:
    last_utc = at(10, 6, 20).astimezone(dt.UTC)
    assert not is_due(DAILY, last_utc, at(10, 23))


def test_mixing_naive_and_aware_times_is_refused() -> None:
    with pytest.raises(ValueError):
        is_due(DAILY, dt.datetime(2025, 3, 10, 6), at(10, 8))


KEY_INPUTS = dict(notebook_source="x = 1\n", parameters={"a": 1},
                  warehouse_fingerprint="abc", package_versions={"altair": "5"},
                  audience="internal", source_digest="d1")


def test_cache_key_is_stable_for_equal_inputs() -> None:
    assert cache_key(**KEY_INPUTS) == cache_key(**dict(KEY_INPUTS))


@pytest.mark.parametrize(
    ("field", "value"),
    [("notebook_source", "x = 2\n"), ("parameters", {"a": 2}), ("warehouse_fingerprint", "abd"),
     ("package_versions", {"altair": "6"}), ("audience", "public"), ("source_digest", "d2")],
)
def test_cache_key_changes_with_each_input(field: str, value: object) -> None:
    assert cache_key(**{**KEY_INPUTS, field: value}) != cache_key(**KEY_INPUTS)


def test_package_versions() -> None:
    versions = package_versions()
    assert versions["papermill"] and versions["altair"] and versions["python"]


def test_source_digest_follows_the_modules_a_report_ran(tmp_path: Path) -> None:
    package = tmp_path / "workbench"
    (package / "analysis").mkdir(parents=True)
    (package / "publish").mkdir()
    (package / "analysis" / "used.py").write_text("A = 1\n")
    (package / "analysis" / "unused.py").write_text("B = 1\n")
    (package / "publish" / "runner.py").write_text("R = 1\n")
    before = source_digest(["analysis/used.py"], root=package)
    (package / "analysis" / "unused.py").write_text("B = 2\n")
    assert source_digest(["analysis/used.py"], root=package) == before
    (package / "analysis" / "used.py").write_text("A = 2\n")
    after_used = source_digest(["analysis/used.py"], root=package)
    assert after_used != before
    (package / "publish" / "runner.py").write_text("R = 2\n")  # the renderer always counts
    assert source_digest(["analysis/used.py"], root=package) != after_used
    (package / "analysis" / "used.py").unlink()
    assert source_digest(["analysis/used.py"], root=package)  # a removed file still hashes


def test_state_round_trip_and_folder_per_site(tmp_path: Path) -> None:
    first = state_dir(tmp_path / "data", tmp_path / "site-a")
    second = state_dir(tmp_path / "data", tmp_path / "site-b")
    assert first != second and first.parent == second.parent
    assert load_job_state(first, "job") == {}
    save_job_state(first, "job", {"last_success_at": at(10, 6).isoformat()})
    assert load_job_state(first, "job")["last_success_at"] == at(10, 6).isoformat()
    (first / "broken.json").write_text("{not json")
    assert load_job_state(first, "broken") == {}


def test_due_jobs_reads_the_state(tmp_path: Path) -> None:
    from workbench.publish.jobs import load_jobs

    params = tmp_path / "params"
    params.mkdir()
    for name in ("ran", "never"):
        (params / f"{name}.yaml").write_text(
            f"report: data_quality\ntitle: {name}\naudience: internal\nschedule: '{DAILY}'\n")
    jobs = load_jobs(params)
    folder = state_dir(tmp_path / "data", tmp_path / "site")
    save_job_state(folder, "ran", {"last_success_at": at(10, 6, 20).isoformat()})
    assert [j.name for j in due_jobs(jobs, folder, at(10, 12))] == ["never"]
    assert [j.name for j in due_jobs(jobs, folder, at(11, 7))] == ["never", "ran"]


def test_redact_url_hides_passwords() -> None:
    assert redact_url("trino://ana:s3cret@host:8080/hive") == "trino://ana:***@host:8080/hive"
    assert redact_url("duckdb:///data/w.duckdb") == "duckdb:///data/w.duckdb"
