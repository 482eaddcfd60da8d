"""Render every workforce, deployment, finance and HR-absence job in params/ on the demo city
(Papermill + nbconvert, as ``workbench render`` does) and check the pages against figures
computed independently from the warehouse with SQL and pandas."""

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
import pandas as pd
import pytest
import yaml

import workbench.publish.catalog.workforce  # noqa: F401 - registers the workforce reports
from workbench.cli import main
from workbench.demo.signals import SICK_LEAVE_UNIT

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REPORTS = {"workforce_monthly", "staffing_deployment", "finance_monthly", "absence_detail"}
CHART_SPEC = re.compile(r'<script[^>]*\bid="wb-chart-[0-9a-f]+-spec"[^>]*>(.*?)</script>',
                        re.DOTALL)
"""A chart's Vega spec on a page: the JSON data block that assets/charts.js draws."""


@pytest.fixture(scope="module")
def rendered(demo_warehouse_path: Path, demo_end_date: dt.date,
             tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("workforce-reports")
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
    yield {"site": folder / "site", "jobs": jobs, "sql": connection, "today": demo_end_date}
    connection.close()


def _summary(rendered: dict, job: str) -> dict:
    return json.loads((rendered["site"] / job / "summary.json").read_text())


def _figures(rendered: dict, job: str) -> dict:
    return {h["name"]: h["value"] for h in _summary(rendered, job)["headlines"]}


def _page(rendered: dict, job: str) -> str:
    return (rendered["site"] / job / "index.html").read_text(encoding="utf-8")


def _last_complete_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def test_every_job_rendered_with_headlines_and_small_charts(rendered: dict) -> None:
    assert {job["report"] for job in rendered["jobs"].values()} == REPORTS
    for name, job in rendered["jobs"].items():
        summary = _summary(rendered, name)
        assert summary["status"] == "ok" and summary["audience"] == job["audience"]
        assert len(summary["headlines"]) >= 5, name
        specs = [json.loads(spec) for spec in CHART_SPEC.findall(_page(rendered, name))]
        assert len(specs) >= 3, name
        for spec in specs:
            assert all(len(data.get("values", [])) <= 200 for data in spec.get("data", []))


def _absence_rate(rendered: dict, unit: str | None) -> float:
    start, end = _last_complete_month(rendered["today"])
    where = "" if unit is None else f"and unit_id = '{unit}'"
    lost, scheduled = rendered["sql"].execute(f"""
        select sum(case when absence_code in ('sick', 'injury', 'family') then absence_hours
                        else 0 end), sum(scheduled_hours)
        from shifts where scheduled_hours > 0 and shift_date between ? and ? {where}
    """, [start, end]).fetchone()
    return 100 * lost / scheduled


def test_monthly_workforce_figures_and_the_flagged_unit(rendered: dict) -> None:
    figures = _figures(rendered, "workforce_monthly")
    assert figures["absence_rate"] == pytest.approx(_absence_rate(rendered, None))
    assert figures["days_lost_per_fte"] == pytest.approx(figures["absence_rate"] / 100 * 250)
    assert figures["units_flagged_sick_leave"] == 1
    page = html.unescape(_page(rendered, "workforce_monthly"))
    assert f"Flagged: {SICK_LEAVE_UNIT.unit_id} (above" in re.sub(r"<[^>]+>", "", page)
    start, end = _last_complete_month(rendered["today"])
    backfill = rendered["sql"].execute("""
        select sum(s.overtime_cost) from shifts s join units u using (unit_id)
        where s.overtime_reason = 'backfill' and u.minimum_staffing is not null
          and s.shift_date between ? and ?""", [start, end]).fetchone()[0]
    assert figures["backfill_overtime_cost"] == pytest.approx(backfill)


def test_the_unit_job_reports_its_unit(rendered: dict) -> None:
    unit_jobs = {name: job for name, job in rendered["jobs"].items()
                 if job["report"] == "workforce_monthly" and job["parameters"].get("unit")}
    assert unit_jobs
    for name, job in unit_jobs.items():
        figures = _figures(rendered, name)
        assert figures["absence_rate"] == pytest.approx(
            _absence_rate(rendered, job["parameters"]["unit"]))
        assert figures["absence_rate"] != pytest.approx(_absence_rate(rendered, None))


def test_deployment_figures_match_the_calls(rendered: dict) -> None:
    today = rendered["today"]
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    as_of = quarter_start - dt.timedelta(days=1)
    start = as_of - dt.timedelta(days=7 * 13 - 1)
    calls, mean_minutes = rendered["sql"].execute("""
        select count(*), avg(epoch(cleared_at) - epoch(dispatched_at)) / 60
        from calls_for_service
        where dispatched_at is not null and received_at >= ? and received_at < ?
    """, [start, as_of + dt.timedelta(days=1)]).fetchone()
    figures = _figures(rendered, "staffing_deployment_quarterly")
    assert figures["dispatched_calls_per_week"] == pytest.approx(calls / 13)
    assert figures["mean_handling_minutes"] == pytest.approx(mean_minutes, rel=0.02)
    assert 0 < figures["mean_saturation"] < 100
    assert figures["peak_officers_needed"] >= 1


def test_finance_figures_match_the_ledger(rendered: dict) -> None:
    as_of = rendered["today"].replace(day=1) - dt.timedelta(days=1)
    budget, actual = rendered["sql"].execute("""
        select sum(budget), sum(actual) from finance
        where account <> 'revenue' and actual is not null and month between ? and ?
    """, [dt.date(as_of.year, 1, 1), as_of]).fetchone()
    figures = _figures(rendered, "finance_monthly")
    assert figures["budget_to_date"] == pytest.approx(budget)
    assert figures["actual_to_date"] == pytest.approx(actual)
    annual = rendered["sql"].execute("""
        select sum(budget) from finance where account <> 'revenue' and month between ? and ?
    """, [dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 1)]).fetchone()[0]
    assert figures["projected_variance"] == pytest.approx(figures["projected_year_end"] - annual)


def test_the_restricted_report_counts_spells_like_a_plain_reading_of_the_shifts(
        rendered: dict) -> None:
    as_of = rendered["today"].replace(day=1) - dt.timedelta(days=1)
    start = as_of - dt.timedelta(days=7 * 52 - 1)
    shifts = rendered["sql"].execute("""
        select officer_id, shift_date, coalesce(absence_code, '') as code from shifts
        where scheduled_hours > 0 and shift_date between ? and ?
        order by officer_id, shift_date""", [start - dt.timedelta(days=60), as_of]).df()
    previous = shifts.groupby("officer_id")["code"].shift(fill_value="")
    starts = shifts["code"].isin(["sick", "injury", "family"]) & (shifts["code"] != previous) \
        & (shifts["shift_date"] >= pd.Timestamp(start))
    figures = _figures(rendered, "absence_detail_restricted")
    assert figures["unplanned_spells"] == int(starts.sum())
    assert figures["members_with_unplanned_absence"] == shifts.loc[starts, "officer_id"].nunique()
    page = _page(rendered, "absence_detail_restricted")
    assert "workbench.connect()" in html.unescape(re.sub(r"<[^>]+>", "", page))
