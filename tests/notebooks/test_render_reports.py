"""Render every job in params/ for real (Papermill + nbconvert) and read the HTML."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.publish.headline import format_value
from workbench.publish.jobs import load_jobs
from workbench.settings import get_settings
from workbench.warehouse import Warehouse

pytestmark = pytest.mark.slow

HEADLINE = re.compile(r'<div class="wb-headline" data-headline="([^"]+)">.*?'
                      r'<div class="wb-headline-value">([^<]*)</div>', re.DOTALL)
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)
CHART_SPEC = re.compile(r'<script[^>]*\bid="wb-chart-[0-9a-f]+-spec"[^>]*>(.*?)</script>',
                        re.DOTALL)
"""A chart's Vega spec on a page: the JSON data block that assets/charts.js draws."""


#: Jobs the small warehouse (incidents, calls, quarantine only) can serve.
SMALL_WAREHOUSE_JOBS = ["data_quality", "incident_data_quality"]


@pytest.fixture(scope="module")
def rendered(report_warehouse: dict) -> dict:
    """Jobs rendered once per warehouse (every job of params/ on the demo city, the
    data-quality jobs on the small warehouse); the tests of this module read the result."""
    every_job = load_jobs(get_settings().params_dir)
    if report_warehouse["kind"] == "demo":
        jobs, selection = every_job, ["--all"]
    else:
        jobs = [job for job in every_job if job.name in SMALL_WAREHOUSE_JOBS]
        selection = SMALL_WAREHOUSE_JOBS
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["render", *selection])
    assert code == 0, err.getvalue()
    return {**report_warehouse, "out": out.getvalue(), "jobs": jobs, "selection": selection}


def test_every_job_page_agrees_with_its_summary(rendered: dict) -> None:
    site: Path = rendered["site_dir"]
    for job in rendered["jobs"]:
        page = (site / job.name / "index.html").read_text()
        summary = json.loads((site / job.name / "summary.json").read_text())
        assert summary["status"] == "ok" and summary["job"] == job.name
        shown = {name: html.unescape(value) for name, value in HEADLINE.findall(page)}
        recorded = {h["name"]: format_value(h["value"], h["unit"]) for h in summary["headlines"]}
        assert shown == recorded and recorded, job.name
        # the archived copy is the same run, with its own summary
        archived = site / job.name / "runs" / summary["run_id"]
        assert json.loads((archived / "summary.json").read_text()) == summary
        assert 'src="../../../assets/vega/vega-bundle.js"' in (archived / "index.html").read_text()
        assert 'src="../assets/vega/vega-bundle.js"' in page


def test_pages_are_offline_small_and_chart_only_aggregates(rendered: dict) -> None:
    site: Path = rendered["site_dir"]
    pages = [p for p in site.rglob("*.html")]
    assert len(pages) >= 1 + 3 * len(rendered["jobs"])
    for page in pages:
        text = page.read_text()
        assert not EXTERNAL.search(text), page
        assert "require.min.js" not in text and "mathjax" not in text.lower()
    for job in rendered["jobs"]:
        page = site / job.name / "index.html"
        assert page.stat().st_size < 1_000_000, f"{page} is {page.stat().st_size:,} bytes"
        specs = [json.loads(s) for s in CHART_SPEC.findall(page.read_text())]
        if job.report.name == "data_quality":
            assert len(specs) >= 3
        for spec in specs:
            for dataset in spec.get("data", []):
                assert "url" not in dataset  # data is inline, pre-aggregated by VegaFusion
                assert len(dataset.get("values", [])) <= 5000  # aggregates, not rows
    assert len(list((site / "assets" / "vega").glob("*.js"))) == 1


def test_code_is_shown_only_on_restricted_pages(rendered: dict) -> None:
    site: Path = rendered["site_dir"]
    for job in rendered["jobs"]:
        if job.report.name != "data_quality":
            continue  # the marker below is a call the data-quality notebook makes
        page = (site / job.name / "index.html").read_text()
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        shows_code = job.audience == "restricted"
        assert ("workbench.connect()" in text) is shows_code, job.name
        assert ("jp-InputArea-editor" in page) is shows_code, job.name


def test_provenance_and_index(rendered: dict) -> None:
    site: Path = rendered["site_dir"]
    with Warehouse.open(rendered["url"], read_only=True) as warehouse:
        fingerprint = warehouse.fingerprint()
    index = (site / "index.html").read_text()
    for job in rendered["jobs"]:
        summary = json.loads((site / job.name / "summary.json").read_text())
        provenance = summary["provenance"]
        assert provenance["warehouse_fingerprint"] == fingerprint
        assert provenance["parameters"] == job.parameters.notebook_values()
        assert provenance["package_versions"]["papermill"]
        assert "commit" in provenance["git"]
        assert f'href="{job.name}/index.html"' in index
        assert html.escape(job.title) in index
    # no page and no published file tells where the warehouse is (its fingerprint suffices)
    warehouse_path = rendered["url"].removeprefix("duckdb://")
    for file in site.rglob("*"):
        if file.suffix in (".html", ".json"):
            text = file.read_text()
            assert warehouse_path not in text and "duckdb://" not in text, file


def test_small_warehouse_figures_match_its_known_content(rendered: dict) -> None:
    if rendered["kind"] != "small":
        pytest.skip("known figures exist for the small warehouse only")
    from small_warehouse import (
        BAD_PRIORITY_CALLS,
        DUPLICATE_INCIDENT_ROWS,
        INCIDENTS_DAYS_BEHIND,
        QUARANTINED_ROWS,
        REPORTED_BEFORE_OCCURRED,
    )

    summary = json.loads((rendered["site_dir"] / "data_quality" / "summary.json").read_text())
    figures = {h["name"]: h["value"] for h in summary["headlines"]}
    assert figures["quarantined_rows"] == QUARANTINED_ROWS
    assert figures["incidents_days_behind"] == INCIDENTS_DAYS_BEHIND
    assert figures["duplicate_key_rows"] == DUPLICATE_INCIDENT_ROWS
    assert figures["rule_violations"] == REPORTED_BEFORE_OCCURRED + BAD_PRIORITY_CALLS
    assert figures["tables_with_rule_violations"] == 2
    assert figures["stale_tables"] == 1  # incidents: 3 days behind, threshold 2


def test_second_render_skips_unchanged_jobs(rendered: dict,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", *rendered["selection"]]) == 0
    assert f"0 rendered, {len(rendered['jobs'])} unchanged" in capsys.readouterr().out
