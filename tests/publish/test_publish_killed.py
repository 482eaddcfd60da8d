"""A render killed halfway (SIGKILL to a real ``workbench render`` process) leaves an index that
describes the pages beside it: the job that was republished before the kill shows its new run,
the one that was running when the kill came still shows its last good page."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from workbench.cli import main

pytestmark = pytest.mark.slow

JOB = """\
report: data_quality
title: {title}
audience: internal
schedule: "15 6 * * *"
"""

ROW = re.compile(r'<tr data-job="(?P<job>[^"]+)" data-last-run="(?P<last_run>[^"]*)" '
                 r'data-last-success="(?P<last_success>[^"]*)">')


def _index_rows(site: Path) -> dict[str, dict[str, str]]:
    text = (site / "index.html").read_text(encoding="utf-8")
    return {m["job"]: {"last_run": m["last_run"], "last_success": m["last_success"]}
            for m in ROW.finditer(text)}


def _published(site: Path, job: str) -> dict[str, str]:
    """The run on the job's stable page and its newest archived run, read from the site."""
    stable = json.loads((site / job / "summary.json").read_text(encoding="utf-8"))["run_id"]
    runs = sorted(p.parent.name for p in (site / job / "runs").glob("*/summary.json"))
    return {"last_run": runs[-1], "last_success": stable}


def test_a_killed_render_leaves_an_index_that_matches_the_pages(
        render_settings: dict[str, Path]) -> None:
    params, site = render_settings["params_dir"], render_settings["site_dir"]
    params.mkdir()
    for name in ("dq_a", "dq_b"):
        (params / f"{name}.yaml").write_text(JOB.format(title=f"Quality {name}"))
    assert main(["render", "--all", "--params", str(params), "--workers", "1"]) == 0
    before = {job: _published(site, job) for job in ("dq_a", "dq_b")}
    assert _index_rows(site) == before

    command = [str(Path(sys.executable).with_name("workbench")), "render", "dq_a", "dq_b",
               "--force", "--workers", "1", "--params", str(params)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "CI": "1"},
                               start_new_session=True)
    children: list[psutil.Process] = []
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:  # dq_a renders and is published, then dq_b starts
            seen.append(line)
            if line.startswith("render dq_b: started"):
                break
        assert seen and seen[-1].startswith("render dq_b: started"), "".join(seen)
        children = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
        for child in children:  # the kernel the killed render had started
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        if process.stderr is not None:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    after = {job: _published(site, job) for job in ("dq_a", "dq_b")}
    assert after["dq_a"]["last_success"] != before["dq_a"]["last_success"]  # republished
    assert after["dq_b"] == before["dq_b"]  # killed while running: its last good page stays
    assert _index_rows(site) == after  # the index describes exactly these pages

    # The next render starts from, and ends with, an index matching the site.
    assert main(["render", "dq_b", "--params", str(params), "--force"]) == 0
    assert _index_rows(site) == {job: _published(site, job) for job in ("dq_a", "dq_b")}
