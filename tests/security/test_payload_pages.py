"""Hostile text on every report page: nothing runs, nothing leaves the machine, text stays text.

A copy of the demo city gets the payload corpus (``tests/security/payloads.py``) in every text
field that reaches a page: neighbourhood names and ids, division names, collision locations,
offence descriptions and descriptions of the offence codes, a unit id, and quarantine reasons
written by a real ``generic-csv`` ingest of a hostile CSV. Every registered report is rendered
once (one job each, shared by the module) with a payload in its title, description and, where
a report takes free text, its parameters; one more job is made to fail with a payload in its
error. Each page of the site is then opened in Chromium with dialogs hooked and every
non-local request refused.

On each page: no dialog opens, ``window.__wb_pwned`` stays undefined, no request goes
elsewhere than ``file:``/127.0.0.1, no element a payload would create exists (event-handler
attributes, ``javascript:`` links, iframes, executable scripts quoting the marker), and where a
payload is shown (titles, quarantine reasons, neighbourhood names) its text is visible as text.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import pytest
import yaml

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "[::1]", "::1"}
SHOWN = 40
"""Characters of a payload checked for on a page (quarantine reasons quote 80 characters)."""

HOSTILE_NEIGHBOURHOODS = 10
"""Neighbourhoods N001… whose id gets a payload appended (the rest keep their id)."""

LIVE_MARKUP = ("[onerror], [onload], [onmouseover], [onfocus], [onclick], iframe, object, embed, "
               "a[href^='javascript:' i], [srcdoc]")

PWNED_SCRIPT = """marker => [...document.scripts].filter(s =>
    !s.type || /javascript|module/i.test(s.type)).some(s => s.text.includes(marker))"""


def _local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("file", "data", "blob", "about") \
        or (parsed.hostname or "") in LOCAL_HOSTS


def _hostile_id(number: int, payloads: list[str]) -> str:
    return f"N{number:03d} {payloads[(number - 1) % len(payloads)]}"


def _plant(warehouse: Path, payloads: list[str]) -> None:
    """Put a payload into every text field of the copy that a report shows."""
    count = len(payloads)
    with duckdb.connect(str(warehouse)) as con:
        tables = [row[0] for row in con.sql(
            "select table_name from information_schema.columns "
            "where column_name = 'neighbourhood_id'").fetchall()]
        for number in range(1, HOSTILE_NEIGHBOURHOODS + 1):
            for table in tables:
                con.execute(f"update {table} set neighbourhood_id = ? where neighbourhood_id = ?",
                            [_hostile_id(number, payloads), f"N{number:03d}"])
        names = con.sql("select neighbourhood_id, name from neighbourhoods order by 1").fetchall()
        for position, (key, name) in enumerate(names):
            con.execute("update neighbourhoods set name = ? where neighbourhood_id = ?",
                        [f"{payloads[position % count]} {name}", key])
        divisions = con.sql("select division from divisions order by 1").fetchall()
        for position, (division,) in enumerate(divisions):
            con.execute("update divisions set name = ? where division = ?",
                        [payloads[position % count], division])
        locations = con.sql("select location_name, count(*) from collisions "
                            "group by 1 order by 2 desc limit ?", params=[count]).fetchall()
        for position, (location, _) in enumerate(locations):
            con.execute("update collisions set location_name = ? where location_name = ?",
                        [f"{payloads[position]} {location}", location])
        codes = con.sql("select rowid from offence_codes order by rowid").fetchall()
        for position, (rowid,) in enumerate(codes):
            con.execute("update offence_codes set description = ? where rowid = ?",
                        [payloads[position % count], rowid])
        con.execute("update incidents set offence_description = ? "
                    "where hash(incident_id) % 10 = 0", [payloads[0]])
        unit = con.sql("select unit_id from units order by 1 limit 1").fetchone()[0]
        for table in ("units", "personnel", "shifts", "calls_for_service", "use_of_force"):
            con.execute(f"update {table} set unit_id = ? where unit_id = ?",
                        [f"{unit} {payloads[1]}", unit])


def _ingest_hostile_csv(url: str, folder: Path, payloads: list[str]) -> None:
    """Quarantine reasons that quote the payloads, through a real generic-csv ingest."""
    from workbench.cli import main

    mapping = folder / "hostile-mapping.yaml"
    mapping.write_text(yaml.safe_dump({
        "table": "incidents", "source": "hostile_csv",
        "columns": {"incident_id": "ID", "occurred_at": {"column": "DATE", "format": "%Y-%m-%d"},
                    "offence_category": {"column": "TYPE", "values": {"Theft": "theft_under"},
                                         "unmapped": "reject"},
                    "neighbourhood_id": "AREA"}}))
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(["ID", "DATE", "TYPE", "AREA"])
    writer.writerow(["good-1", "2021-03-01", "Theft", "N050"])
    for position, payload in enumerate(payloads):
        writer.writerow([f"bad-date-{position}", payload, "Theft", "N050"])
    data = folder / "hostile.csv"
    data.write_text(rows.getvalue(), encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["ingest", "--adapter", "generic-csv", "--mapping", str(mapping), "--warehouse", url,
              "--no-progress", str(data)])
    with duckdb.connect(url.removeprefix("duckdb://"), read_only=True) as con:
        reasons = [row[0] for row in con.sql(
            "select reason from quarantine where adapter like '%generic%'").fetchall()]
    for payload in payloads:
        assert any(payload[:SHOWN] in reason for reason in reasons), (payload, reasons)


def _jobs(folder: Path, payloads: list[str]) -> dict[str, str]:
    """One job per registered report (from its first job in params/), titled with a payload;
    plus a job that fails with a payload in its error. Returns job name → title."""
    from workbench.publish.reports import REPORTS

    folder.mkdir()
    by_report: dict[str, dict[str, Any]] = {}
    for path in sorted((ROOT / "params").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        by_report.setdefault(spec["report"], spec)
    titles = {}
    for position, name in enumerate(sorted(n for n in REPORTS if n in by_report)):
        spec = dict(by_report[name])
        payload = payloads[position % len(payloads)]
        spec["title"] = f"{payload} {spec['title']}"
        spec["description"] = payloads[(position + 1) % len(payloads)]
        spec["audience"] = spec["audience"]
        if name == "cswb_neighbourhood_profile":
            spec["parameters"] = {**(spec.get("parameters") or {}),
                                  "neighbourhood_id": _hostile_id(2, payloads)}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
        titles[name] = spec["title"]
    failing = {"report": "cswb_neighbourhood_profile", "title": f"{payloads[0]} Failing job",
               "audience": "public", "schedule": "0 5 * * *",
               "parameters": {"neighbourhood_id": f"NOWHERE {payloads[0]}"}}
    (folder / "hostile_failure.yaml").write_text(yaml.safe_dump(failing), encoding="utf-8")
    titles["hostile_failure"] = failing["title"]
    assert set(REPORTS) <= set(by_report) | {n for n in REPORTS if n.startswith("test_")}
    return titles


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory, demo_warehouse_path: Path,
                 demo_end_date: Any, payloads: dict[str, str]) -> dict[str, Any]:
    """The site rendered from the hostile warehouse and jobs (once for the module)."""
    from workbench.cli import main

    corpus = list(payloads.values())
    folder = tmp_path_factory.mktemp("hostile")
    warehouse = folder / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse_path, warehouse)
    _plant(warehouse, corpus)
    url = f"duckdb://{warehouse}"
    _ingest_hostile_csv(url, folder, corpus)
    titles = _jobs(folder / "params", corpus)
    site = folder / "site"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WORKBENCH_WAREHOUSE", url)
        monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder / "data"))
        monkeypatch.setenv("WORKBENCH_TODAY", demo_end_date.isoformat())
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["render", "--all", "--params", str(folder / "params"), "--site",
                         str(site), "--workers", "2"])
    return {"site": site, "titles": titles, "code": code, "stdout": out.getvalue(),
            "stderr": err.getvalue(), "corpus": corpus}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Callable[[Path, str], dict[str, Any]]]:
    """``chromium(path, marker)`` visits ``path`` in this module's own Chromium thread.

    Playwright's sync API refuses to start where an asyncio loop is running, and earlier
    in-process renders in the same pytest run can leave one in the main thread; a thread of
    its own has none.
    """
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not found: run `make browser` (Debian package chromium)")
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payload-pages-chromium")
    held: dict[str, Any] = {}

    def start() -> None:
        held["playwright"] = playwright_api.sync_playwright().start()
        held["browser"] = held["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

    def stop() -> None:
        if "browser" in held:
            held["browser"].close()
        if "playwright" in held:
            held["playwright"].stop()

    try:
        thread.submit(start).result()
        yield lambda path, marker: thread.submit(_visit, held["browser"], path, marker).result()
    finally:
        thread.submit(stop).result()
        thread.shutdown()


def _visit(chromium: Any, path: Path, marker: str) -> dict[str, Any]:
    """Open ``path``; what fired, what was asked for, and the page's visible text."""
    page = chromium.new_page()
    dialogs: list[str] = []
    attempted: list[str] = []

    def guard(route: Any) -> None:
        if _local(route.request.url):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.route("**/*", guard)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    if page.locator("div.workbench-chart").count():
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.workbench-chart')]"
            ".every(c => c.querySelector('svg') || c.textContent.trim())", timeout=20000)
    page.mouse.move(5, 5)
    page.keyboard.press("Tab")
    page.wait_for_timeout(100)
    result = {
        "dialogs": dialogs,
        "attempted": attempted,
        "pwned": page.evaluate(f"typeof window.{marker}"),
        "live_markup": page.evaluate(
            "sel => [...document.querySelectorAll(sel)].map(e => e.outerHTML.slice(0, 120))",
            LIVE_MARKUP),
        "marker_script": page.evaluate(PWNED_SCRIPT, marker),
        "text": page.inner_text("body"),
    }
    page.close()
    return result


def test_the_hostile_site_rendered(hostile_site: dict[str, Any]) -> None:
    site = hostile_site["site"]
    assert hostile_site["code"] == 1, hostile_site["stderr"]  # the failing job, and only it
    failed = [line.split(" (")[0].strip() for line in hostile_site["stderr"].splitlines()
              if line.startswith("  ")]
    assert failed == ["hostile_failure"], hostile_site["stderr"]
    for job in hostile_site["titles"]:
        if job != "hostile_failure":
            assert (site / job / "index.html").is_file(), job


def test_no_payload_runs_on_any_page(hostile_site: dict[str, Any], chromium: Any,
                                     payload_marker: str) -> None:
    site = hostile_site["site"]
    pages = sorted(p for p in site.rglob("*.html") if "assets" not in p.parts)
    assert len(pages) >= 2 * len(hostile_site["titles"])
    problems = []
    for path in pages:
        seen = chromium(path, payload_marker)
        where = path.relative_to(site)
        for key in ("dialogs", "attempted", "live_markup"):
            if seen[key]:
                problems.append(f"{where}: {key} {seen[key]}")
        if seen["pwned"] != "undefined":
            problems.append(f"{where}: window.{payload_marker} is {seen['pwned']}")
        if seen["marker_script"]:
            problems.append(f"{where}: an executable script quotes the marker")
    assert problems == []


def test_payloads_show_as_text(hostile_site: dict[str, Any], chromium: Any,
                               payload_marker: str) -> None:
    site, corpus, titles = hostile_site["site"], hostile_site["corpus"], hostile_site["titles"]
    index = chromium(site / "index.html", payload_marker)["text"]
    for job, title in titles.items():
        assert title[:SHOWN] in index, job
        if job == "hostile_failure":
            continue
        page = chromium(site / job / "index.html", payload_marker)["text"]
        assert title[:SHOWN] in page, job
    quality = chromium(site / "data_quality" / "index.html", payload_marker)["text"]
    for payload in corpus:
        assert payload[:SHOWN] in quality, payload  # the quarantine reasons
    trends = chromium(site / "crime_trends_monthly" / "index.html",
                    payload_marker)["text"]
    assert sum(payload[:SHOWN] in trends for payload in corpus) >= 3  # hot-spot names
    profile = chromium(site / "cswb_neighbourhood_profile" / "index.html",
                     payload_marker)["text"]
    assert _hostile_id(2, corpus)[:SHOWN] in profile  # the Markdown line names it
