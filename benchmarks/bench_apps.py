"""Benchmark: the crime explorer app in a real browser, against a stock Voila notebook.

Measured in headless Chromium (every request to another host refused), for the default demo
city and for a warehouse of about 10 million incidents (the demo's incidents replicated with
new ids into a temporary copy):

- time to first chart: from navigation until the chart's SVG has marks, on a cold server
  (``--pool-size 0``: a kernel starts and runs the notebook for the visit) and on a preheated
  one (the kernel has already run it);
- filter change → updated chart: from choosing a new division or offence category until the
  chart's marks have changed, for filter combinations not seen before ("new") and for
  combinations seen before ("again", answered from the state's memo).

Baseline, measured side by side in the same run: a stock Voila notebook (written to a
temporary folder) that loads the incidents into a pandas frame, filters it on each change and
redraws an Altair chart (the same offline ``JupyterChart``), for the same filters.

Usage: ``python benchmarks/bench_apps.py [--runs 3] [--skip-large]``. Needs the demo
warehouse (``make demo``) and Chromium. Prints a table of medians (and p95 for filter changes)
with the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PAGE_TIMEOUT_MS = 300_000
#: Filters applied in order (each new the first time): (drop-down class, option label).
FILTERS = [("wb-filter-division", f"D{n}") for n in range(1, 8)] + [
    ("wb-filter-category", label) for label in ("Assault", "Break and enter", "Robbery")]

BASELINE_NOTEBOOK = textwrap.dedent('''\
    import os
    import altair as alt
    import duckdb
    import ipywidgets as widgets
    import pandas as pd

    alt.JupyterChart.enable_offline()
    con = duckdb.connect(os.environ["BASELINE_WAREHOUSE"], read_only=True)
    frame = con.execute(
        "SELECT occurred_at, division, offence_category FROM incidents").df()
    as_of = frame["occurred_at"].max().normalize()
    start = (as_of - pd.DateOffset(months=35)).replace(day=1)
    recent = frame[frame["occurred_at"] >= start]

    def chart_for(division, category):
        rows = recent
        if division:
            rows = rows[rows["division"] == division]
        if category:
            rows = rows[rows["offence_category"] == category]
        monthly = (rows.set_index("occurred_at").resample("MS").size()
                   .rename("incidents").reset_index())
        return alt.Chart(monthly).mark_line(point=True).encode(
            x=alt.X("occurred_at:T", title=None), y=alt.Y("incidents:Q", title="Incidents"),
            tooltip=["occurred_at:T", "incidents:Q"])

    divisions = [("All divisions", "")] + [(d, d) for d in sorted(frame["division"].dropna().unique())]
    categories = [("All offences", "")] + [(c.replace("_", " ").capitalize(), c)
                  for c in sorted(frame["offence_category"].dropna().unique())]
    division = widgets.Dropdown(options=divisions, description="Division")
    division.add_class("wb-filter-division")
    category = widgets.Dropdown(options=categories, description="Offence")
    category.add_class("wb-filter-category")
    chart = alt.JupyterChart(chart_for("", ""), embed_options={"actions": False, "renderer": "svg"})
    chart.add_class("wb-chart")

    def redraw(change):
        chart.chart = chart_for(division.value, category.value)

    division.observe(redraw, names="value")
    category.observe(redraw, names="value")
    widgets.VBox([widgets.HBox([division, category]), chart])
''')


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"server did not answer {url}")


def _descendants_cpu(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent = int(fields[1])
        children.setdefault(parent, []).append(int(entry.name))
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        total += times.get(current, 0.0)
        stack.extend(children.get(current, []))
    return total


def wait_until_quiet(pid: int, *, quiet_seconds: float = 4.0, timeout: float = 300) -> None:
    """Wait until the server and its kernels stop using CPU (preheated kernels are ready)."""
    deadline = time.monotonic() + timeout
    last = _descendants_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet_seconds)
        now = _descendants_cpu(pid)
        if now - last < 0.1 * quiet_seconds:
            return
        last = now


def start_apps(warehouse: Path, folder: Path, *, pool_size: int) -> Server:
    port, token = _free_port(), "bench"
    log = folder / f"apps-{pool_size}.log"
    env = dict(os.environ, WORKBENCH_WAREHOUSE=f"duckdb://{warehouse}",
               WORKBENCH_DATA_DIR=str(folder / f"data-{pool_size}"), WORKBENCH_HOME=str(ROOT))
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "workbench.cli", "apps", "--port", str(port), "--no-browser",
             "--token", token, "--pool-size", str(pool_size)],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    _wait_http(f"http://127.0.0.1:{port}/?token={token}", process, log)
    return Server(process, f"http://127.0.0.1:{port}/voila/render/crime_explorer.ipynb"
                           f"?token={token}", log)


def start_baseline(warehouse: Path, folder: Path, *, pool_size: int) -> Server:
    import jupytext

    notebooks = folder / f"baseline-{pool_size}"
    notebooks.mkdir(parents=True, exist_ok=True)
    notebook = jupytext.reads(BASELINE_NOTEBOOK, fmt="py:percent")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    jupytext.write(notebook, notebooks / "baseline.ipynb")
    port = _free_port()
    log = folder / f"baseline-{pool_size}.log"
    kernel_data = folder / "jupyter-data"
    from workbench.ui.serve import write_kernel_spec

    write_kernel_spec(kernel_data)
    env = dict(os.environ, BASELINE_WAREHOUSE=str(warehouse), JUPYTER_PATH=str(kernel_data))
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "voila", str(notebooks), "--no-browser",
             "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0",
             f"--VoilaConfiguration.preheat_kernel={pool_size > 0}",
             f"--VoilaConfiguration.default_pool_size={pool_size}"],
            cwd=notebooks, env=env, stdout=sink, stderr=subprocess.STDOUT)
    _wait_http(f"http://127.0.0.1:{port}/", process, log)
    return Server(process, f"http://127.0.0.1:{port}/voila/render/baseline.ipynb", log)


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.process.kill()


def _open(browser, url: str):  # noqa: ANN001, ANN202
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    refused: list[str] = []

    def guard(route) -> None:  # noqa: ANN001
        host = urlparse(route.request.url).hostname
        if host in LOCAL_HOSTS or route.request.url.startswith("data:"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => document.querySelectorAll('.wb-chart svg.marks g.role-mark "
                           "path, .wb-chart svg.marks g.role-mark circle, .wb-chart svg.marks "
                           "g.role-mark rect').length > 0", polling=50)
    return page, time.perf_counter() - started, refused


def _labels(page) -> str:  # noqa: ANN001
    return page.evaluate("() => JSON.stringify(Array.from(document.querySelectorAll("
                         "'.wb-chart svg.marks [aria-label]')).map(e => e.getAttribute("
                         "'aria-label')))")


def _change(page, css_class: str, label: str) -> float:  # noqa: ANN001
    before = _labels(page)
    started = time.perf_counter()
    page.locator(f".{css_class} select").select_option(label=label)
    page.wait_for_function(
        "old => JSON.stringify(Array.from(document.querySelectorAll('.wb-chart svg.marks "
        "[aria-label]')).map(e => e.getAttribute('aria-label'))) !== old", arg=before,
        polling=20)
    return time.perf_counter() - started


def filter_latencies(page) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """Latencies of new filter combinations, then of the same combinations again."""
    new, again = [], []
    for css_class, label in FILTERS:
        new.append(_change(page, css_class, label))
    _change(page, "wb-filter-category", "All offences")  # back to a combination seen before
    for css_class, label in FILTERS:
        again.append(_change(page, css_class, label))
    return new, again


def first_chart_times(browser, server: Server, runs: int, *, preheated: bool  # noqa: ANN001
                      ) -> tuple[list[float], list[str]]:
    times, refused = [], []
    for _ in range(runs):
        if preheated:
            wait_until_quiet(server.process.pid)
        page, seconds, blocked = _open(browser, server.url)
        times.append(seconds)
        refused += blocked
        page.close()
    return times, refused


def build_large_warehouse(source: Path, target: Path, rows: int) -> int:
    """Copy the demo warehouse and replicate its incidents (new ids) to about ``rows``."""
    import duckdb

    shutil.copy(source, target)
    con = duckdb.connect(str(target))
    base = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    copies = max(1, math.ceil(rows / base)) - 1
    columns = [row[0] for row in con.execute("DESCRIBE incidents").fetchall()]
    select = ", ".join("incident_id || '-r' || k AS incident_id" if c == "incident_id" else c
                       for c in columns)
    con.execute(f"INSERT INTO incidents SELECT {select} FROM incidents, "
                f"range(1, {copies + 1}) AS copies(k)")
    total = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    return int(total)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def measure(browser, warehouse: Path, folder: Path, runs: int) -> dict[str, dict[str, float]]:  # noqa: ANN001
    results: dict[str, dict[str, float]] = {}
    for name, starter in (("app", start_apps), ("baseline", start_baseline)):
        refused: list[str] = []
        cold_server = starter(warehouse, folder, pool_size=0)
        try:
            cold, blocked = first_chart_times(browser, cold_server, runs, preheated=False)
            refused += blocked
        finally:
            stop(cold_server)
        warm_server = starter(warehouse, folder, pool_size=1)
        try:
            warm, blocked = first_chart_times(browser, warm_server, runs, preheated=True)
            refused += blocked
            wait_until_quiet(warm_server.process.pid)
            page, _, blocked = _open(browser, warm_server.url)
            refused += blocked
            new, again = filter_latencies(page)
            page.close()
        finally:
            stop(warm_server)
        results[name] = {"cold": _median(cold), "preheated": _median(warm),
                         "new_median": _median(new), "new_p95": _p95(new),
                         "again_median": _median(again), "again_p95": _p95(again),
                         "refused_requests": float(len(refused))}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="page loads per measure (default 3)")
    parser.add_argument("--skip-large", action="store_true", help="only the default demo")
    parser.add_argument("--large-rows", type=int, default=10_000_000)
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    args = parser.parse_args()
    if not args.warehouse.is_file():
        print(f"no demo warehouse at {args.warehouse}: run `make demo` (or pass --warehouse)")
        return 2
    from playwright.sync_api import sync_playwright

    tables = []
    with tempfile.TemporaryDirectory(prefix="bench-apps-") as temporary, sync_playwright() as pw:
        folder = Path(temporary)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        import duckdb

        with duckdb.connect(str(args.warehouse), read_only=True) as con:
            demo_rows = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
        warehouses = [(f"demo ({demo_rows:,} incidents)", args.warehouse)]
        if not args.skip_large:
            large = folder / "large.duckdb"
            started = time.perf_counter()
            total = build_large_warehouse(args.warehouse, large, args.large_rows)
            print(f"built a {total:,}-incident warehouse in {time.perf_counter() - started:.0f} s",
                  flush=True)
            warehouses.append((f"large ({total:,} incidents)", large))
        for label, path in warehouses:
            print(f"measuring {label} …", flush=True)
            tables.append((label, measure(browser, path, folder, args.runs)))
        browser.close()

    print()
    print(f"Crime explorer vs stock Voila + pandas baseline (seconds; medians of {args.runs} "
          "page loads, filter changes over 10 new filters then the same 10 again)")
    header = (f"{'warehouse':<28} {'measure':<34} {'app':>8} {'baseline':>9} {'app/base':>9}")
    print(header)
    print("-" * len(header))
    rows = [("first chart, cold server", "cold"), ("first chart, preheated kernel", "preheated"),
            ("filter change, new: median", "new_median"), ("filter change, new: p95", "new_p95"),
            ("filter change, again: median", "again_median"),
            ("filter change, again: p95", "again_p95")]
    for label, results in tables:
        for name, key in rows:
            app, base = results["app"][key], results["baseline"][key]
            print(f"{label:<28} {name:<34} {app:>8.2f} {base:>9.2f} {app / base:>9.2f}")
        print(f"{label:<28} {'requests to other hosts (refused)':<34} "
              f"{int(results['app']['refused_requests']):>8} "
              f"{int(results['baseline']['refused_requests']):>9}")
    print("The baseline is stock Voila: its page template asks a CDN for Font Awesome (refused "
          "here); the app's template does not.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
