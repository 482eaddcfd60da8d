"""Open the rendered site in headless Chromium with every non-local request refused: no page
may try another host, every chart must draw its marks from the shared offline bundle, and no
page's own script may break its Content-Security-Policy (which would leave a chart undrawn)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "[::1]", "::1"}


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("file", "data", "blob", "about") or parsed.hostname in LOCAL_HOSTS \
        or (parsed.hostname or "") in LOCAL_HOSTS


def _open(browser, url: str):  # noqa: ANN001, ANN202 - Playwright objects
    page = browser.new_page()
    attempted: list[str] = []
    errors: list[str] = []

    def guard(route) -> None:  # noqa: ANN001
        if _is_local(route.request.url):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(url)
    page.wait_for_load_state("load")
    return page, attempted, errors


def _site_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)


def test_every_page_stays_on_this_machine(browser, rendered_site: Path) -> None:  # noqa: ANN001
    pages = _site_pages(rendered_site)
    assert rendered_site / "index.html" in pages and len(pages) >= 7
    for path in pages:
        page, attempted, errors = _open(browser, path.as_uri())
        assert attempted == [], f"{path} tried to reach {attempted}"
        assert errors == [], f"{path}: {errors}"
        page.close()


def test_every_chart_draws_its_marks(browser, rendered_site: Path) -> None:  # noqa: ANN001
    report_pages = [p for p in _site_pages(rendered_site)
                    if p.name == "index.html" and p.parent != rendered_site
                    and p.parent.name != "runs"]
    assert len(report_pages) >= 4  # two jobs or more: stable page and archived page each
    charts_seen = 0
    for path in report_pages:
        page, attempted, errors = _open(browser, path.as_uri())
        containers = page.locator("div.workbench-chart")
        count = containers.count()
        charts_seen += count
        if path.relative_to(rendered_site).parts[0] in ("data_quality", "incident_data_quality"):
            assert count >= 3, path  # the data-quality report draws at least three charts
        page.wait_for_function(
            "n => document.querySelectorAll('div.workbench-chart svg.marks').length === n",
            arg=count, timeout=15000)
        for position in range(count):
            marks = containers.nth(position).locator(
                "svg.marks g.role-mark path, svg.marks g.role-mark rect, "
                "svg.marks g.role-mark line, svg.marks g.role-mark circle")
            assert marks.count() > 0, f"{path}: chart {position + 1} drew no marks"
        texts = containers.all_inner_texts()
        assert not any("Chart failed" in t or "Chart not drawn" in t for t in texts), texts
        assert attempted == [] and errors == []
        page.close()
    assert charts_seen >= 6


def test_index_links_work(browser, rendered_site: Path) -> None:  # noqa: ANN001
    page, attempted, _ = _open(browser, (rendered_site / "index.html").as_uri())
    links = page.locator("table.wb-jobs a")
    assert links.count() >= 2
    first = links.first.get_attribute("href")
    page.click(f"a[href='{first}']")
    page.wait_for_load_state("load")
    assert page.url.endswith(first)
    assert page.locator(".wb-headline").count() >= 5
    page.click("text=Past runs")
    page.wait_for_load_state("load")
    assert page.url.endswith("runs/index.html")
    assert attempted == []
    page.close()
