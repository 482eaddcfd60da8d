"""The manager apps in headless Chromium, served by a real ``workbench apps`` (Voila) on the
demo city: each app draws its chart and KPIs, a filter change updates both to what the state
computes in Python for the same filter, downloads work, and no page ever asks another host
for anything (every such request is refused and recorded). Screenshots go to
``test-artifacts/apps/``."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from workbench.demo.signals import OFFICER_USE_OF_FORCE, SICK_LEAVE_UNIT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _helpers():  # noqa: ANN202 - a module
    """``apps_conftest_helpers`` next to this file, loaded by path (importlib import mode)."""
    name = "apps_conftest_helpers"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).with_name("apps_conftest_helpers.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


apps_server = _helpers().apps_server  # a fixture
open_guarded = _helpers().open_guarded
screenshot = _helpers().screenshot

MARKS = ".wb-chart svg.marks g.role-mark path, .wb-chart svg.marks g.role-mark rect, " \
        ".wb-chart svg.marks g.role-mark line, .wb-chart svg.marks g.role-mark circle"


def _kpi_text(page, key: str) -> str:  # noqa: ANN001
    return page.locator(f'[data-kpi="{key}"] .wb-kpi-value').inner_text().strip()


def _wait_for_change(page, selector: str, old: str) -> None:  # noqa: ANN001
    page.wait_for_function(
        "([selector, old]) => { const e = document.querySelector(selector);"
        " return e !== null && e.innerText.trim() !== old; }", arg=[selector, old])


def _chart_labels(page) -> list[str]:  # noqa: ANN001
    return page.eval_on_selector_all(
        ".wb-chart svg.marks [aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")


def _assert_loaded_offline(guarded, name: str) -> None:  # noqa: ANN001
    page = guarded.page
    assert page.locator(MARKS).count() > 0, f"{name}: the chart drew no marks"
    values = page.locator(".wb-kpi-value").all_inner_texts()
    assert values and all(value.strip() for value in values), f"{name}: empty KPI cards"
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "from workbench.ui import" not in body  # no sources
    assert page.locator(".wb-message-box [role=alert]").count() == 0, body[:500]
    assert guarded.attempted == [], f"{name} tried to reach {guarded.attempted}"


def _select(page, css_class: str, label: str) -> None:  # noqa: ANN001
    page.locator(f".{css_class} select").select_option(label=label)


# ------------------------------------------------------------------------------ crime explorer


def test_crime_explorer(browser, apps_server, demo_warehouse, tmp_path) -> None:  # noqa: ANN001, F811
    from workbench.ui.crime_explorer import CrimeExplorerState

    guarded = open_guarded(browser, apps_server.url("crime_explorer"))
    page = guarded.page
    _assert_loaded_offline(guarded, "crime_explorer")
    expected = CrimeExplorerState(demo_warehouse)
    expected.start()
    assert _kpi_text(page, "incidents") == next(k.value for k in expected.kpis
                                                if k.key == "incidents")
    before_kpi = _kpi_text(page, "incidents")
    before_chart = _chart_labels(page)
    before_csv = page.locator("a.wb-download-csv").get_attribute("href")
    screenshot(guarded, "crime_explorer")

    _select(page, "wb-filter-division", "D3")
    _wait_for_change(page, '[data-kpi="incidents"] .wb-kpi-value', before_kpi)
    page.wait_for_function("old => JSON.stringify(Array.from(document.querySelectorAll("
                           "'.wb-chart svg.marks [aria-label]')).map(e => e.getAttribute("
                           "'aria-label'))) !== old", arg=json.dumps(before_chart))
    expected.division = "D3"
    for kpi in expected.kpis:
        assert _kpi_text(page, kpi.key) == kpi.value, kpi.key
    drawn = {}
    for label in _chart_labels(page):
        match = re.search(r"period_start: ([A-Z][a-z]{2} \d{2}, \d{4}); Incidents: (\d+)", label)
        if match:
            drawn[pd.Timestamp(match.group(1))] = int(match.group(2))
    trend = expected.trend()
    assert drawn == dict(zip(trend["period_start"], trend["incidents"], strict=True))
    screenshot(guarded, "crime_explorer_division_D3")

    page.wait_for_function("old => document.querySelector('a.wb-download-csv')"
                           ".getAttribute('href') !== old", arg=before_csv)
    with page.expect_download() as download_info:
        page.locator("a.wb-download-csv").click()
    download = download_info.value
    assert download.suggested_filename == "crime-explorer-trend.csv"
    csv = pd.read_csv(download.path())
    assert csv["incidents"].tolist() == trend["incidents"].tolist()

    page.locator(".wb-png-button").click()
    page.wait_for_selector("a.wb-download-png")
    with page.expect_download() as download_info:
        page.locator("a.wb-download-png").click()
    png = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000

    page.locator(".wb-view-switch button", has_text="Neighbourhood ranking").click()
    page.wait_for_function("() => Array.from(document.querySelectorAll("
                           "'.wb-chart svg.marks [aria-label]')).some(e => "
                           "(e.getAttribute('aria-label') || '').includes('Per 1,000'))")
    expected.view = "neighbourhoods"
    bars = page.locator(".wb-chart svg.marks g.role-mark rect, "
                        ".wb-chart svg.marks g.role-mark path[aria-roledescription='bar']")
    assert bars.count() == min(20, len(expected.frame))
    assert guarded.attempted == [] and guarded.errors == []
    page.close()


# ------------------------------------------------------------------------------ workforce


def test_workforce_dashboard(browser, apps_server, demo_warehouse) -> None:  # noqa: ANN001, F811
    from workbench.ui.workforce_dashboard import WorkforceDashboardState

    guarded = open_guarded(browser, apps_server.url("workforce_dashboard"))
    page = guarded.page
    _assert_loaded_offline(guarded, "workforce_dashboard")
    screenshot(guarded, "workforce_dashboard")
    expected = WorkforceDashboardState(demo_warehouse)
    expected.start()
    before = _kpi_text(page, "absence_rate")
    assert before == next(k.value for k in expected.kpis if k.key == "absence_rate")
    label = next(text for text, value in expected.unit_options if value == SICK_LEAVE_UNIT.unit_id)
    _select(page, "wb-filter-unit", label)
    _wait_for_change(page, '[data-kpi="absence_rate"] .wb-kpi-value', before)
    expected.unit = SICK_LEAVE_UNIT.unit_id
    for kpi in expected.kpis:
        assert _kpi_text(page, kpi.key) == kpi.value, kpi.key
    page.locator(".wb-view-switch button", has_text="Staffing gap").click()
    page.wait_for_function("() => Array.from(document.querySelectorAll("
                           "'.wb-chart svg.marks [aria-label]')).some(e => "
                           "(e.getAttribute('aria-label') || '').includes('needed'))")
    screenshot(guarded, "workforce_dashboard_staffing_gap")
    assert guarded.attempted == [] and guarded.errors == []
    page.close()


# ------------------------------------------------------------------------------ profile


def test_neighbourhood_profile(browser, apps_server, demo_warehouse) -> None:  # noqa: ANN001, F811
    from workbench.ui.neighbourhood_profile import NeighbourhoodProfileState

    guarded = open_guarded(browser, apps_server.url("neighbourhood_profile"))
    page = guarded.page
    _assert_loaded_offline(guarded, "neighbourhood_profile")
    expected = NeighbourhoodProfileState(demo_warehouse)
    expected.start()
    before = _kpi_text(page, "population")
    label = next(text for text, value in expected.neighbourhood_options if value == "N058")
    _select(page, "wb-filter-neighbourhood", label)
    _wait_for_change(page, '[data-kpi="population"] .wb-kpi-value', before)
    expected.neighbourhood = "N058"
    for kpi in expected.kpis:
        assert _kpi_text(page, kpi.key) == kpi.value, kpi.key
    table = page.locator(".wb-indicator-table").inner_text()
    for label in expected.profile.indicators["label"]:
        assert label in table
    screenshot(guarded, "neighbourhood_profile_N058")
    assert guarded.attempted == [] and guarded.errors == []
    page.close()


# ------------------------------------------------------------------------------ chain of command


def test_chain_of_command(browser, apps_server, demo_warehouse) -> None:  # noqa: ANN001, F811
    from workbench.ui.chain_of_command import ChainOfCommandState

    guarded = open_guarded(browser, apps_server.url("chain_of_command"))
    page = guarded.page
    _assert_loaded_offline(guarded, "chain_of_command")
    review = page.locator(".wb-review-list").inner_text()
    assert OFFICER_USE_OF_FORCE.officer_id in review
    expected = ChainOfCommandState(demo_warehouse, audience="restricted")
    expected.start()
    assert _kpi_text(page, "review") == next(k.value for k in expected.kpis if k.key == "review")
    screenshot(guarded, "chain_of_command")

    division = OFFICER_USE_OF_FORCE.unit_id.split("-")[0]
    before = _kpi_text(page, "officers")
    _select(page, "wb-filter-division", division)
    _wait_for_change(page, '[data-kpi="officers"] .wb-kpi-value', before)
    expected.division = division
    unit_label = next(text for text, value in expected.unit_options
                      if value == OFFICER_USE_OF_FORCE.unit_id)
    before = _kpi_text(page, "officers")
    _select(page, "wb-filter-unit", unit_label)
    _wait_for_change(page, '[data-kpi="officers"] .wb-kpi-value', before)
    expected.unit = OFFICER_USE_OF_FORCE.unit_id
    officer_label = next(text for text, value in expected.officer_options
                         if value == OFFICER_USE_OF_FORCE.officer_id)
    _select(page, "wb-filter-officer", officer_label)
    page.wait_for_selector('[data-kpi="officer"]')
    expected.officer = OFFICER_USE_OF_FORCE.officer_id
    officer = next(k for k in expected.kpis if k.key == "officer")
    assert _kpi_text(page, "officer") == officer.value
    assert "above alarm" in page.locator('[data-kpi="officer"]').inner_text()
    # the breakdown redraws after the KPI cards: wait for the officer's four indicators
    page.wait_for_function("() => (document.querySelector('.wb-breakdown') || {}).innerText"
                           "?.includes('Sick spells')")
    breakdown = page.locator(".wb-breakdown").inner_text()
    assert set(re.findall(r"^(P\d+)\t", breakdown, flags=re.M)) == {
        OFFICER_USE_OF_FORCE.officer_id}
    assert "Use-of-force reports" in breakdown and "Police-vehicle collisions" in breakdown
    assert "race" not in page.locator("body").inner_text().lower().replace("no race data", "")

    with page.expect_download() as download_info:
        page.locator("a.wb-download-review").click()
    listed = pd.read_csv(download_info.value.path())
    assert OFFICER_USE_OF_FORCE.officer_id in set(listed["officer_id"])
    screenshot(guarded, "chain_of_command_officer")
    assert guarded.attempted == [] and guarded.errors == []
    page.close()


def test_apps_need_the_token(apps_server) -> None:  # noqa: ANN001, F811
    bare = apps_server.url("crime_explorer").split("?")[0]

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(bare, timeout=10)
    assert refused.value.code == 302 and "/login" in refused.value.headers["Location"]
