"""Index and page content, headline figures and their change, offline chart HTML."""

from __future__ import annotations

import html
import json
import re

import altair as alt
import nbformat
import pandas as pd
import pytest

from workbench.charts import quality as quality_charts
from workbench.charts import site_chart_html, site_renderer
from workbench.publish.convert import (
    SITE_ROOT_TOKEN,
    collect_headlines,
    localize,
    notebook_to_html,
    prepare_for_page,
)
from workbench.publish.execute import SETUP_TAG
from workbench.publish.headline import HEADLINE_MIMETYPE, format_value, headline_record
from workbench.publish.site import headline_change, index_html

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def summary(run_id: str, headlines: list[dict], status: str = "ok", failure: dict | None = None):
    return {"job": "dq", "run_id": run_id, "status": status, "started_at": "2025-03-10T06:15:00",
            "duration_seconds": 12.5, "headlines": headlines, "failure": failure,
            "data_freshness": [{"table": "incidents", "latest": "2025-03-09 23:00:00"}]}


def figure(name: str, value: float, better: str | None = "lower", unit: str = "") -> dict:
    return headline_record(name, value, better=better, unit=unit)


def entry(state: dict) -> dict:
    return {"name": "dq", "title": "Data quality", "audience": "internal",
            "schedule": "15 6 * * *", "description": "", "parameters": {"top_rules": 10},
            "state": state}


def test_headline_change_judges_by_direction() -> None:
    assert headline_change(figure("a", 5), figure("a", 8)) == {
        "delta": -3, "direction": "down", "judgement": "good"}
    assert headline_change(figure("a", 5, "higher"), figure("a", 8))["judgement"] == "bad"
    assert headline_change(figure("a", 5, None), figure("a", 8))["judgement"] is None
    assert headline_change(figure("a", 5), figure("a", 5))["direction"] == "same"
    assert headline_change(figure("a", 5), None)["delta"] is None


def test_index_shows_figures_with_change_since_previous_run() -> None:
    previous = summary("r1", [figure("violations", 10, unit="rows"), figure("lag", 2)])
    latest = summary("r2", [figure("violations", 7, unit="rows"), figure("lag", 4),
                            figure("brand_new", 1)])
    page = index_html([entry({"last_outcome": "ok", "last_run": latest, "last_success": latest,
                              "previous_success": previous})], generated_at="2025-03-10T07:00")
    row = page.split('data-job="dq"')[1]
    assert 'href="dq/index.html"' in row
    assert "Violations: <strong>7 rows</strong>" in row
    assert "▼ −3 rows" in row and "wb-change-good" in row
    assert "▲ +2" in row and "wb-change-bad" in row
    assert "(new)" in row
    assert "12.5 s" in row and "top_rules=10" in row and "internal" in row
    assert "to 2025-03-09" in row
    assert not EXTERNAL.search(page)


def test_index_shows_a_failure_and_keeps_the_last_good_page() -> None:
    good = summary("r1", [figure("violations", 10)])
    # an old state file may still hold the detail: the index must not quote it
    failed = summary("r2", [], status="failed", failure={
        "kind": "error", "cell_number": 4, "cell_source": "raise RuntimeError('x')\n",
        "error_name": "RuntimeError", "error_message": "password=hunter2"})
    page = index_html([entry({"last_outcome": "failed", "last_run": failed,
                              "last_success": good})], generated_at="2025-03-10T07:00")
    assert "wb-status-failed" in page
    assert "The run of 2025-03-10 06:15 failed." in page
    for detail in ("cell 4", "RuntimeError", "hunter2", "raise"):
        assert detail not in page
    assert 'href="dq/runs/r2/index.html"' in page
    assert "last good page kept" in page
    assert 'href="dq/index.html"' in page  # the title still links the last good page


def test_index_lists_a_job_that_never_ran() -> None:
    page = index_html([entry({})], generated_at="2025-03-10T07:00")
    assert "wb-status-never" in page and 'href="dq/index.html"' not in page


def test_format_value() -> None:
    assert format_value(1234567) == "1,234,567"
    assert format_value(2.5, "days") == "2.5 days"
    assert format_value(12.345, "%") == "12.3%"
    assert format_value(None) == "n/a"


def test_headline_record_checks_its_input() -> None:
    import numpy as np

    assert headline_record("x", np.int64(3))["value"] == 3
    assert headline_record("x", float("nan"))["value"] is None
    with pytest.raises(ValueError):
        headline_record("not a name!", 1)
    with pytest.raises(ValueError):
        headline_record("x", 1, better="sideways")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        headline_record("x", "many")


def _executed_notebook() -> nbformat.NotebookNode:
    record = figure("violations", 7, unit="rows")
    setup = nbformat.v4.new_code_cell("import workbench.charts", metadata={"tags": [SETUP_TAG]})
    params = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]})
    shown = nbformat.v4.new_code_cell("headline(...)")
    shown.outputs = [nbformat.v4.new_output(
        "display_data", data={HEADLINE_MIMETYPE: record, "text/html": "<b>tampered 999</b>",
                              "text/plain": "x"}),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n")]
    return nbformat.v4.new_notebook(cells=[setup, params, shown])


def test_page_figures_are_rebuilt_from_the_recorded_values() -> None:
    notebook = _executed_notebook()
    before = json.dumps(notebook)
    page = prepare_for_page(notebook, show_code=False)
    assert json.dumps(notebook) == before  # the argument is not changed
    assert len(page.cells) == 1  # setup and parameters cells dropped
    output = page.cells[0].outputs
    assert len(output) == 1  # stderr dropped on a page without code
    assert "tampered" not in output[0].data["text/html"]
    assert ">7 rows<" in output[0].data["text/html"]
    assert collect_headlines(notebook)[0]["value"] == 7


def test_restricted_pages_keep_code_and_warnings() -> None:
    page = prepare_for_page(_executed_notebook(), show_code=True)
    assert len(page.cells) == 2
    assert any(o.get("name") == "stderr" for o in page.cells[1].outputs)


def test_converted_page_loads_only_local_assets() -> None:
    html = notebook_to_html(_executed_notebook(), title="T", show_code=False,
                            header_html="<header>h</header>")
    assert SITE_ROOT_TOKEN in html
    page = localize(html, "../")
    assert 'src="../assets/vega/vega-bundle.js"' in page
    assert 'href="../assets/notebook.css"' in page
    assert not EXTERNAL.search(page)
    for banned in ("require.js", "require.min.js", "mathjax", "MathJax", "cdnjs", "unpkg",
                   "jsdelivr", "fonts.googleapis"):
        assert banned not in page
    assert "headline(...)" not in page  # code hidden
    assert "<header>h</header>" in page


def test_site_renderer_emits_local_script_with_aggregated_data() -> None:
    rows = pd.DataFrame({"category": ["a", "b", "c"] * 4000, "value": range(12000)})
    chart = alt.Chart(rows).mark_bar().encode(x="category:N", y="count():Q")
    with alt.data_transformers.enable("vegafusion"):
        bundle = site_renderer(chart.to_dict(context={"pre_transform": False}))
    html = bundle["text/html"]
    assert "vegaEmbed" in html and "<script" in html
    assert not re.search(r"https?://", html)
    assert len(html) < 5000  # 12,000 rows became three counts
    assert '"category":"a"' in html and "4000" in html


def test_site_chart_html_escapes_script_end() -> None:
    html = site_chart_html({"description": "</script><b>", "marks": []}, element_id="c1")
    assert html.count("</script>") == 1


def test_quality_charts_are_valid_vega_lite() -> None:
    overview = pd.DataFrame({"table": ["incidents", "calls"], "completeness": [0.9, None],
                             "days_behind": [3, 1]})
    violations = pd.DataFrame({"table": ["incidents", "calls"], "rule": ["r1", "r2"],
                               "invalid": [5, 0]})
    lag = pd.DataFrame({"offence_category": ["assault"], "median_days": [1.0],
                        "p90_days": [4.0], "incidents": [10]})
    for chart in (quality_charts.completeness_chart(overview),
                  quality_charts.rule_violations_chart(violations),
                  quality_charts.days_behind_chart(overview, stale_after_days=2),
                  quality_charts.report_lag_chart(lag)):
        spec = chart.to_dict()
        assert spec["$schema"].endswith("v5.20.1.json") or "vega-lite" in spec["$schema"]
    data = quality_charts.rule_violations_chart(violations).to_dict()
    values = next(iter(data["datasets"].values()))
    assert [v["rule"] for v in values] == ["r1"]  # rules nobody broke are left out


def test_pages_carry_a_policy_that_runs_only_the_sites_own_scripts() -> None:
    from workbench.publish.convert import CONTENT_SECURITY_POLICY

    notebook = _executed_notebook()
    spec = {"$schema": "https://vega.github.io/schema/vega/v5.json", "marks": [],
            "data": [{"name": "t", "values": [{"name": "</script><script>alert(1)</script>",
                                               "value": float("nan")}]}]}
    shown = nbformat.v4.new_code_cell("chart")
    shown.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.workbench.chart+json": spec,
        "text/html": site_chart_html(spec), "text/plain": "<chart>"})]
    notebook.cells.append(shown)
    page = localize(notebook_to_html(notebook, title="T", show_code=False), "../")
    head = page.split("</head>")[0]
    meta = re.search(r"<meta[^>]*Content-Security-Policy[^>]*>", head)
    assert meta and html.unescape(re.search(r'content="([^"]*)"', meta.group(0)).group(1)) \
        == CONTENT_SECURITY_POLICY
    assert meta.start() < head.index("<script") and meta.start() < head.index("<link")
    for directive in ("default-src 'none'", "script-src 'self';", "object-src 'none'",
                      "base-uri 'none'", "form-action 'none'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
    assert 'src="../assets/charts.js"' in page
    # the chart is a container and a JSON data block; no script element runs code inline
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", page, re.S)
    inline = [attrs for attrs, _ in scripts if "src=" not in attrs]
    assert len(inline) == 1 and 'type="application/json"' in inline[0]
    data = next(body for attrs, body in scripts if "application/json" in attrs)
    assert "<" not in data and json.loads(data)["data"][0]["values"][0] == {
        "name": "</script><script>alert(1)</script>", "value": None}
    assert "$schema" not in data and "vegaEmbed" not in page.split("</head>")[1]
