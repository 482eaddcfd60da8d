"""Render every crime, calls and collision job in params/ on the demo city (as ``workbench
render`` does) and check the planted break-and-enter surge is flagged where it was planted."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from workbench.cli import main
from workbench.demo.signals import BreakAndEnterSurge

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REPORTS = {"compstat_weekly", "crime_trends_monthly", "calls_monthly", "collisions_monthly"}


@pytest.fixture(scope="module")
def rendered(demo_warehouse_path: Path, demo_end_date: dt.date,
             tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("crime-reports")
    params = folder / "params"
    params.mkdir()
    jobs = {}
    for path in sorted((ROOT / "params").glob("*.yaml")):
        job = yaml.safe_load(path.read_text())
        if job["report"] in REPORTS:
            shutil.copy(path, params / path.name)
            jobs[path.stem] = job
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{demo_warehouse_path}")
        monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder / "data"))
        monkeypatch.setenv("WORKBENCH_SITE_DIR", str(folder / "site"))
        monkeypatch.setenv("WORKBENCH_TODAY", demo_end_date.isoformat())
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(["render", "--all", "--params", str(params), "--workers", "2"])
    assert code == 0, out.getvalue()
    connection = duckdb.connect(str(demo_warehouse_path), read_only=True)
    yield {"site": folder / "site", "jobs": jobs, "sql": connection}
    connection.close()


def _summary(rendered: dict, job: str) -> dict:
    return json.loads((rendered["site"] / job / "summary.json").read_text())


def _text(rendered: dict, job: str) -> str:
    page = (rendered["site"] / job / "index.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_every_job_rendered(rendered: dict) -> None:
    assert {job["report"] for job in rendered["jobs"].values()} == REPORTS
    divisions = {row[0] for row in rendered["sql"].execute("select division from divisions")
                 .fetchall()}
    compstat = {job["parameters"]["division"] for job in rendered["jobs"].values()
                if job["report"] == "compstat_weekly"}
    assert compstat == divisions
    for name in rendered["jobs"]:
        summary = _summary(rendered, name)
        assert summary["status"] == "ok", name
        assert summary["audience"] == "internal"
        assert len(summary["headlines"]) >= 4, name


def test_each_page_states_period_and_freshness(rendered: dict) -> None:
    latest = {table: str(rendered["sql"].execute(f"select max({column}) from {table}")
                         .fetchone()[0])[:10]
              for table, column in (("incidents", "occurred_at"),
                                    ("calls_for_service", "received_at"),
                                    ("collisions", "occurred_at"))}
    for name, job in rendered["jobs"].items():
        text = _text(rendered, name)
        assert re.search(r"(Week \d\d \w+ to \d\d \w+ \d{4})|(\*?\b[A-Z][a-z]+ \d{4}\b)", text)
        table = {"calls_monthly": "calls_for_service",
                 "collisions_monthly": "collisions"}.get(job["report"], "incidents")
        assert f"data freshness: {'calls' if table == 'calls_for_service' else table} to " \
               f"{latest[table]}" in text, name


def test_the_surge_division_flags_break_and_enter(rendered: dict) -> None:
    surge = BreakAndEnterSurge()
    division = rendered["sql"].execute(
        "select division from neighbourhoods where neighbourhood_id = ?",
        [surge.neighbourhood_id]).fetchone()[0]
    job = next(name for name, job in rendered["jobs"].items()
               if job["report"] == "compstat_weekly" and job["parameters"]["division"] == division)
    figures = {h["name"]: h for h in _summary(rendered, job)["headlines"]}
    flag = figures[f"flag_{surge.offence_category}"]
    assert flag["value"] >= 1
    assert surge.neighbourhood_id in flag["note"]
    assert surge.offence_category in figures["flagged_categories"]["note"]
    assert re.search(rf"Flagged:\s+{surge.offence_category}\b", _text(rendered, job))
    others = [name for name, job in rendered["jobs"].items()
              if job["report"] == "compstat_weekly" and job["parameters"]["division"] != division]
    for other in others:
        names = {h["name"] for h in _summary(rendered, other)["headlines"]}
        assert f"flag_{surge.offence_category}" not in names, other
