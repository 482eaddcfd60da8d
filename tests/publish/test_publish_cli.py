"""``workbench render`` argument handling: problems are found before any kernel starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.cli import main

GOOD = ("report: data_quality\ntitle: Data quality\naudience: internal\n"
        "schedule: '15 6 * * *'\n")


def test_invalid_job_stops_everything_before_any_kernel(
        render_settings: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    params = render_settings["params_dir"]
    params.mkdir()
    (params / "good.yaml").write_text(GOOD)
    (params / "bad.yaml").write_text(GOOD + "parameters:\n  stale_after_days: soon\n")
    code = main(["render", "--all", "--params", str(params)])
    error = capsys.readouterr().err
    assert code == 2
    assert "bad.yaml" in error and "parameters.stale_after_days" in error
    assert not render_settings["site_dir"].exists()


def test_render_needs_a_selection(render_settings: dict[str, Path],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    params = render_settings["params_dir"]
    params.mkdir()
    (params / "good.yaml").write_text(GOOD)
    assert main(["render", "--params", str(params)]) == 2
    assert "--all" in capsys.readouterr().err
    assert main(["render", "nope", "--params", str(params)]) == 2
    assert "no job named 'nope'" in capsys.readouterr().err
    assert main(["render", "good", "--all", "--params", str(params)]) == 2


def test_list_shows_jobs_and_whether_they_are_due(render_settings: dict[str, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    params = render_settings["params_dir"]
    params.mkdir()
    (params / "good.yaml").write_text(GOOD)
    assert main(["render", "--list", "--params", str(params)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("good") and "never" in line and line.endswith("due")


def test_missing_warehouse_is_reported_before_rendering(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{tmp_path / 'absent.duckdb'}")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    params = tmp_path / "params"
    params.mkdir()
    (params / "good.yaml").write_text(GOOD)
    code = main(["render", "--all", "--params", str(params), "--site", str(tmp_path / "site")])
    assert code == 2
    assert "absent.duckdb" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
