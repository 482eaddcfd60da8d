"""Hostile text in the data runs no script in any manager app (issue 12, item 1, app side).

A small demo city (scale 0.05) gets every payload of the corpus (``tests/security/payloads.py``)
in the text fields the apps show: neighbourhood names and ids, division ids, offence
categories, unit ids and names, officer ids. One real ``workbench apps`` (Voila) server serves
it; each app is opened in headless Chromium with dialogs recorded, the drop-downs that offer
those names are exercised (every payload option is chosen, so the names flow into titles, KPI
cards, tables and tooltips), and each choice is waited for until its text shows on the page
*as text*. Then: no dialog fired, ``window.__wb_pwned`` is undefined, no other host was asked.

Chromium is driven from a thread of this module's own (Playwright's sync API allows one
instance per thread), so the session's ``browser`` fixture of ``tests/browser`` may be running
at the same time in the main thread.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BROWSER_TESTS = Path(__file__).resolve().parents[1] / "browser"
#: How long one choice may take to show (the kernel is warm by then; a small city).
INTERACTION_TIMEOUT_MS = 60_000


def _load(name: str, path: Path):  # noqa: ANN202 - a module
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_helpers = _load("apps_conftest_helpers", BROWSER_TESTS / "apps_conftest_helpers.py")
_browser_conftest = _load("browser_tests_conftest", BROWSER_TESTS / "conftest.py")

#: Offence categories renamed to payloads (the CSWB indicators' own categories are kept).
CATEGORIES = ("mischief", "fraud", "administration_of_justice", "criminal_harassment",
              "other_criminal_code", "impaired_driving", "disturbance", "drugs", "theft_over",
              "other")


@dataclass
class Planted:
    """Which payload went where (each list holds payload strings, as stored)."""

    divisions: list[str] = field(default_factory=list)
    neighbourhoods: list[str] = field(default_factory=list)  # ids, and names too
    categories: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # ids; names are unit_names
    unit_names: list[str] = field(default_factory=list)
    officers: list[str] = field(default_factory=list)  # all in units[0]
    homes: dict[str, str] = field(default_factory=dict)  # neighbourhood -> its division
    unit_division: str = ""  # the division of units[0]
    units_beside: list[str] = field(default_factory=list)  # the units of that division


def _tables_with(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    return [name for (name,) in con.execute(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
        "ON c.table_name = t.table_name AND c.table_schema = t.table_schema "
        "WHERE c.column_name = ? AND t.table_type = 'BASE TABLE'", [column]).fetchall()]


def _rename(con: duckdb.DuckDBPyConnection, column: str, old: str, new: str) -> None:
    """``old`` becomes ``new`` in ``column`` of every table that has it (keys stay joined)."""
    for table in _tables_with(con, column):
        con.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE "{column}" = ?', [new, old])


def build_payload_warehouse(path: Path, payloads: list[str]) -> Planted:
    """The demo city at scale 0.05 with the payloads planted (see the module docstring)."""
    from workbench.demo import build_demo_city

    build_demo_city(f"duckdb://{path}", scale=0.05, seed=42, end_date=dt.date.today())
    planted = Planted()
    con = duckdb.connect(str(path))
    try:
        divisions = [d for (d,) in con.execute(
            "SELECT division FROM divisions ORDER BY division").fetchall()]
        for division, payload in zip(divisions, payloads, strict=False):
            _rename(con, "division", division, payload)
            planted.divisions.append(payload)
        places = [n for (n,) in con.execute(
            "SELECT neighbourhood_id FROM neighbourhoods ORDER BY neighbourhood_id "
            f"LIMIT {len(payloads)}").fetchall()]
        for place, payload in zip(places, payloads, strict=True):
            _rename(con, "neighbourhood_id", place, payload)
            con.execute("UPDATE neighbourhoods SET name = ? WHERE neighbourhood_id = ?",
                        [payload, payload])
            planted.neighbourhoods.append(payload)
        for category, payload in zip(CATEGORIES, payloads, strict=True):
            _rename(con, "offence_category", category, payload)
            planted.categories.append(payload)
        units = [u for (u,) in con.execute(
            "SELECT u.unit_id FROM units u JOIN personnel p ON p.unit_id = u.unit_id "
            "WHERE u.unit_type = 'patrol' GROUP BY u.unit_id ORDER BY count(*) DESC, u.unit_id "
            f"LIMIT {len(payloads)}").fetchall()]
        officers = [o for (o,) in con.execute(
            "SELECT officer_id FROM shifts WHERE unit_id = ? GROUP BY officer_id "
            f"ORDER BY count(*) DESC, officer_id LIMIT {len(payloads)}", [units[0]]).fetchall()]
        for officer, payload in zip(officers, payloads, strict=True):
            _rename(con, "officer_id", officer, payload)
            planted.officers.append(payload)
        for unit, payload in zip(units, payloads, strict=True):
            _rename(con, "unit_id", unit, payload)
            name = f"{payload} platoon"
            con.execute("UPDATE units SET unit_name = ? WHERE unit_id = ?", [name, payload])
            planted.units.append(payload)
            planted.unit_names.append(name)
        planted.homes = dict(con.execute(
            "SELECT neighbourhood_id, division FROM neighbourhoods").fetchall())
        planted.unit_division = con.execute("SELECT division FROM units WHERE unit_id = ?",
                                            [planted.units[0]]).fetchone()[0]
        planted.units_beside = [u for (u,) in con.execute(
            "SELECT unit_id FROM units WHERE division = ? ORDER BY unit_id",
            [planted.unit_division]).fetchall()]
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return planted


@pytest.fixture(scope="module")
def payload_city(tmp_path_factory: pytest.TempPathFactory,
                 payloads: dict[str, str]) -> tuple[Path, Planted]:
    folder = tmp_path_factory.mktemp("payload-city")
    path = folder / "payloads.duckdb"
    planted = build_payload_warehouse(path, list(payloads.values()))
    return path, planted


@pytest.fixture(scope="module")
def payload_server(payload_city, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:  # noqa: ANN001
    """One ``workbench apps`` server on the payload city for the whole module."""
    server = _helpers.start_apps_server(payload_city[0], tmp_path_factory.mktemp("payload-apps"))
    yield server
    _helpers.stop_apps_server(server)


# ------------------------------------------------------------------------------ page helpers


class HookedPage:
    """An app page with the dialog hook and the other-host guard in place."""

    def __init__(self, browser, url: str, marker: str) -> None:  # noqa: ANN001
        self.marker = marker
        self.dialogs: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(_helpers.PAGE_TIMEOUT_MS)
        page.on("dialog", self._on_dialog)
        self.attempted: list[str] = []

        def guard(route) -> None:  # noqa: ANN001
            if _helpers.is_local(route.request.url):
                route.continue_()
            else:
                self.attempted.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(url)
        page.wait_for_selector(".wb-chart svg.marks")
        self.page = page

    def _on_dialog(self, dialog) -> None:  # noqa: ANN001
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def choose(self, css_class: str, text: str) -> None:
        """Choose the option of drop-down ``css_class`` whose label contains ``text`` (waiting
        for it: options follow other choices)."""
        find = ("([selector, text]) => { const select = document.querySelector(selector);"
                " return select ? Array.from(select.options).findIndex("
                "o => o.textContent.replace(/\\u00a0/g, ' ').includes(text)) : -1; }")
        selector = f".{css_class} select"
        self._wait(f"({find})([selector, text]) >= 0", selector, text)
        index = self.page.evaluate(find, [selector, text])
        self.page.locator(selector).select_option(index=index)

    def wait_for_text(self, selector: str, text: str) -> None:
        """Wait until the text of ``selector`` contains ``text``, verbatim (so as text)."""
        self._wait("Array.from(document.querySelectorAll(selector)).some("
                   "e => e.textContent.replace(/\\u00a0/g, ' ').includes(text))", selector, text)

    def _wait(self, condition: str, selector: str, text: str) -> None:
        """Wait for ``condition`` (JS over ``selector`` and ``text``), or stop at once when a
        payload ran: its dialog or marker fails the test here, naming the payload."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(
                f"([selector, text, marker]) => window[marker] !== undefined || ({condition})",
                arg=[selector, text, self.marker], timeout=INTERACTION_TIMEOUT_MS)
        except PlaywrightTimeout:
            self.assert_no_script_so_far(f"waiting for {text!r} in {selector}")
            shown = self.page.evaluate(
                "selector => Array.from(document.querySelectorAll(selector))"
                ".map(e => e.innerHTML).join(' | ').slice(0, 600)", selector)
            pytest.fail(f"{selector} never showed {text!r} as text (as markup instead?): "
                        f"{shown}")
        self.assert_no_script_so_far(f"waiting for {text!r} in {selector}")

    def assert_no_script_so_far(self, when: str) -> None:
        assert self.dialogs == [], f"dialogs {self.dialogs} while {when}"
        assert self.page.evaluate(f"() => typeof window.{self.marker}") == "undefined", \
            f"window.{self.marker} was set while {when}"

    def assert_nothing_ran(self) -> None:
        self.page.wait_for_function("() => !document.querySelector('.wb-busy')?.innerText")
        self.assert_no_script_so_far("using the app")
        assert self.attempted == [], self.attempted
        body = self.page.locator("body").inner_text()
        assert "Something went wrong" not in body and "could not start" not in body, body[:800]


@pytest.fixture(scope="module")
def in_chromium() -> Iterator[Callable[[Callable[[object], None]], None]]:
    """``in_chromium(fn)`` runs ``fn(browser)`` in this module's Chromium thread."""
    pytest.importorskip("playwright.sync_api")
    if not Path(_browser_conftest.CHROMIUM).exists():
        pytest.skip("Chromium not found: run `make browser` (Debian package chromium)")
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payload-chromium")
    held: dict[str, object] = {}

    def start() -> None:
        from playwright.sync_api import sync_playwright

        held["playwright"] = sync_playwright().start()
        held["browser"] = held["playwright"].chromium.launch(  # type: ignore[attr-defined]
            executable_path=_browser_conftest.CHROMIUM, args=_browser_conftest.CHROMIUM_ARGS,
            headless=True)

    def stop() -> None:
        if "browser" in held:
            held["browser"].close()  # type: ignore[attr-defined]
        if "playwright" in held:
            held["playwright"].stop()  # type: ignore[attr-defined]

    try:
        thread.submit(start).result()
        yield lambda fn: thread.submit(fn, held["browser"]).result()
    finally:
        thread.submit(stop).result()
        thread.shutdown()


@pytest.fixture
def use_app(in_chromium, payload_server, payload_marker: str) -> Callable:  # noqa: ANN001
    """``use_app(name, scenario)``: open app ``name`` with the hooks, run ``scenario(app)``,
    then check that nothing ran (and keep a screenshot)."""

    def use(name: str, scenario: Callable[[HookedPage], None]) -> None:
        def run(browser) -> None:  # noqa: ANN001
            app = HookedPage(browser, payload_server.url(name), payload_marker)
            try:
                scenario(app)
                app.assert_nothing_ran()
                _helpers.screenshot(_helpers.GuardedPage(app.page, app.attempted, []),
                                    f"payloads_{name}")
            finally:
                app.page.close()

        in_chromium(run)

    return use


# ------------------------------------------------------------------------------ the apps


def test_crime_explorer_shows_hostile_names_as_text(use_app, payload_city) -> None:  # noqa: ANN001
    planted = payload_city[1]

    def scenario(app: HookedPage) -> None:
        for division in planted.divisions:  # the chart's title names the division
            app.choose("wb-filter-division", division)
            app.wait_for_text(".wb-chart svg", f"division {division}")
        app.choose("wb-filter-division", "All divisions")
        for place in planted.neighbourhoods:  # … and the neighbourhood, "name (id)"
            app.choose("wb-filter-neighbourhood", f"{place} ({place})")
            app.wait_for_text(".wb-chart svg", f"{place} ({place})")
        app.choose("wb-filter-neighbourhood", "All neighbourhoods")
        for category in planted.categories:  # … and the offence (its label is capitalised)
            label = category.replace("_", " ").capitalize()
            app.choose("wb-filter-category", label)
            app.wait_for_text(".wb-chart svg", label)
        app.choose("wb-filter-category", "All offences")
        app.page.locator(".wb-view-switch button", has_text="Neighbourhood ranking").click()
        app.wait_for_text(".wb-chart svg", "Neighbourhoods by rate")
        bars = app.page.locator(".wb-chart svg.marks g.role-mark rect, .wb-chart svg.marks "
                                "g.role-mark path[aria-roledescription='bar']")
        for bar in bars.all()[:5]:
            bar.hover()  # the tooltips name the neighbourhoods
        app.page.locator(".wb-view-switch button", has_text="CompStat table").click()
        app.wait_for_text(".wb-chart svg", "CompStat —")

    use_app("crime_explorer", scenario)


def test_workforce_dashboard_shows_hostile_names_as_text(use_app, payload_city) -> None:  # noqa: ANN001
    planted = payload_city[1]

    def scenario(app: HookedPage) -> None:
        for unit, name in zip(planted.units, planted.unit_names, strict=True):
            app.choose("wb-filter-unit", f"{unit} — {name}")  # the chart's title names it
            app.wait_for_text(".wb-chart svg", f"{unit} ({name})")
        app.page.locator(".wb-view-switch button", has_text="Relief factor").click()
        app.wait_for_text(".wb-chart svg", "Relief factor by unit")

    use_app("workforce_dashboard", scenario)


def test_neighbourhood_profile_shows_hostile_names_as_text(use_app, payload_city) -> None:  # noqa: ANN001
    planted = payload_city[1]

    def scenario(app: HookedPage) -> None:
        for place in planted.neighbourhoods:
            app.choose("wb-filter-neighbourhood", f"{place} ({place})")
            app.wait_for_text(".wb-chart svg", f"{place} ({place})")  # the chart's title
            app.wait_for_text('[data-kpi="population"] .wb-kpi-note',  # a KPI card (HTML)
                              f"division {planted.homes[place]}")

    use_app("neighbourhood_profile", scenario)


def test_chain_of_command_shows_hostile_names_as_text(use_app, payload_city) -> None:  # noqa: ANN001
    planted = payload_city[1]

    def scenario(app: HookedPage) -> None:
        for division in planted.divisions:  # the service breakdown: an HTML table of divisions
            app.wait_for_text(".wb-breakdown", division)
        app.choose("wb-filter-division", planted.unit_division)
        for unit in [u for u in planted.units if u in planted.units_beside]:  # units table
            app.wait_for_text(".wb-breakdown", unit)
        app.choose("wb-filter-unit", f"{planted.units[0]} — {planted.unit_names[0]}")
        for officer in planted.officers:  # the unit's officers, by id, in the breakdown table
            app.wait_for_text(".wb-breakdown", officer)
        for officer in planted.officers:  # each officer's KPI card names them
            app.choose("wb-filter-officer", officer)
            app.wait_for_text('[data-kpi="officer"] .wb-kpi-label', officer)

    use_app("chain_of_command", scenario)
