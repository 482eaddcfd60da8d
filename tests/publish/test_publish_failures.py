"""Failure isolation with real kernels: a job that raises, one that times out and one whose
kernel dies, next to a good one. Runs in parallel (the IPC kernels must not collide)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.publish.reports import REPORTS, ReportParameters, register_report

pytestmark = pytest.mark.slow

FLAKY_NOTEBOOK = '''\
# %% tags=["parameters"]
mode = "ok"
seconds = 0

# %%
import os
import time

from workbench.publish import headline

# %%
headline("answer", 42, unit="things", better="higher")
headline("mode_length", len(mode))

# %%
if mode == "raise":
    raise RuntimeError("deliberate failure in a cell")
if mode == "sleep":
    time.sleep(seconds)
if mode == "die":
    os._exit(1)
'''


class FlakyParameters(ReportParameters):
    mode: str = "ok"
    seconds: int = 0


@pytest.fixture
def flaky_report(tmp_path: Path):
    notebook = tmp_path / "flaky.py"
    notebook.write_text(FLAKY_NOTEBOOK)
    register_report("test_flaky", notebook=str(notebook), parameters=FlakyParameters)
    yield notebook
    REPORTS.pop("test_flaky", None)


def write_job(params: Path, name: str, mode: str, *, timeout: int | None = None,
              seconds: int = 0) -> None:
    text = (f"report: test_flaky\ntitle: Job {name}\naudience: internal\n"
            f"schedule: '0 5 * * *'\nparameters:\n  mode: {mode}\n  seconds: {seconds}\n")
    if timeout:
        text += f"timeout: {timeout}\n"
    (params / f"{name}.yaml").write_text(text)


def test_failures_are_isolated_and_last_good_pages_stay(
        render_settings: dict[str, Path], flaky_report: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    params, site = render_settings["params_dir"], render_settings["site_dir"]
    params.mkdir()
    names = ("good", "raiser", "sleeper", "dier")
    for name in names:
        write_job(params, name, "ok")
    first = main(["render", "--all", "--params", str(params), "--workers", "4"])
    assert first == 0, capsys.readouterr().err
    stable = {name: (site / name / "index.html").read_bytes() for name in names}
    for name in names:
        assert b"42 things" in stable[name]

    write_job(params, "raiser", "raise")
    # the timeout must outlast four kernels importing workbench at once on two cores
    write_job(params, "sleeper", "sleep", seconds=120, timeout=25)
    write_job(params, "dier", "die")
    capsys.readouterr()
    second = main(["render", "--all", "--force", "--params", str(params), "--workers", "4"])
    streams = capsys.readouterr()
    assert second == 1
    for name in ("raiser", "sleeper", "dier"):
        assert f"  {name} (" in streams.err
    assert "good (" not in streams.err
    assert "1 rendered, 0 unchanged, 3 failed" in streams.out

    # The good job rendered again; the failed ones kept their last good page, byte for byte.
    assert (site / "good" / "index.html").read_bytes() != stable["good"]
    for name in ("raiser", "sleeper", "dier"):
        assert (site / name / "index.html").read_bytes() == stable[name]

    index = (site / "index.html").read_text()
    rows = {name: index.split(f'data-job="{name}"')[1].split("</tr>")[0] for name in names}
    assert "wb-status-ok" in rows["good"]
    for name in ("raiser", "sleeper", "dier"):
        assert "wb-status-failed" in rows[name] and "failed." in rows[name]
        assert "last good page kept" in rows[name]
    # The site says only that a run failed and when; the error stays off every page ...
    published = "".join(p.read_text() for p in site.rglob("*") if p.suffix in (".html", ".json"))
    for detail in ("deliberate failure", "RuntimeError", "Timeout", "DeadKernelError",
                   "os._exit", "Traceback", str(render_settings["data_dir"]),
                   str(render_settings["params_dir"]), "duckdb://"):
        assert detail not in published, detail
    # ... and goes to the command's exit output and to the restricted run log.
    assert "RuntimeError: deliberate failure in a cell" in streams.err
    state = next((render_settings["data_dir"] / "render-state").iterdir())
    for name, kind in (("raiser", "error"), ("sleeper", "timeout"), ("dier", "kernel_died")):
        runs = sorted((site / name / "runs").glob("*/summary.json"))
        assert len(runs) == 2
        latest = json.loads(max(runs, key=lambda p: p.parent.name).read_text())
        assert latest["status"] == "failed"
        assert set(latest["failure"]) == {"failed_at"}
        log = state / "runs" / name / f"{latest['run_id']}.json"
        assert f"run log: {log}" in streams.err
        assert log.stat().st_mode & 0o777 == 0o600
        assert log.parent.stat().st_mode & 0o777 == 0o700
        detail = json.loads(log.read_text())
        assert detail["failure"]["kind"] == kind
        assert detail["failure"]["cell_number"] == 4
        assert "os._exit(1)" in detail["failure"]["cell_source"]
        assert detail["warehouse_url"].startswith("duckdb://")
        if name == "raiser":
            assert detail["failure"]["error_message"] == "deliberate failure in a cell"
            assert "RuntimeError" in detail["failure"]["traceback"]

    # Nothing half-written is left in the site.
    leftovers = [p for p in site.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []


def test_unchanged_inputs_are_skipped(render_settings: dict[str, Path], flaky_report: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    params, site = render_settings["params_dir"], render_settings["site_dir"]
    params.mkdir()
    write_job(params, "good", "ok")
    assert main(["render", "good", "--params", str(params)]) == 0
    page = (site / "good" / "index.html").read_bytes()
    capsys.readouterr()
    assert main(["render", "good", "--params", str(params)]) == 0
    assert "0 rendered, 1 unchanged" in capsys.readouterr().out
    assert (site / "good" / "index.html").read_bytes() == page
    assert len(list((site / "good" / "runs").glob("*/summary.json"))) == 1
    write_job(params, "good", "okay")  # new parameters: a new run
    assert main(["render", "good", "--params", str(params)]) == 0
    assert "1 rendered" in capsys.readouterr().out
    summary = json.loads((site / "good" / "summary.json").read_text())
    assert summary["parameters"] == {"mode": "okay", "seconds": 0}
    assert {h["name"]: h["value"] for h in summary["headlines"]} == {"answer": 42,
                                                                     "mode_length": 4}
    index = (site / "index.html").read_text()
    assert "Mode length: <strong>4</strong>" in index and "▲ +2" in index
