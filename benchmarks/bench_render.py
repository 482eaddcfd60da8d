"""Render time of 12 report jobs: the stock loop against ``workbench render --all``.

Side by side in one run, repeated (medians):

- **stock loop**: for each job, one after another, the ``papermill`` CLI (on an ``.ipynb`` made
  from the percent source beforehand, not timed) then the ``jupyter nbconvert --to html`` CLI;
- **render cold**: ``workbench render --all`` into an empty site with no render state
  (parallel kernels, in-process conversion, shared assets written once);
- **render warm**: the same command again: every job's inputs are unchanged, so all are skipped.

It also prints page sizes (a stock page against a Workbench page plus the shared assets) and
how many other hosts each page refers to.

Uses the warehouse of the settings when it exists, else the cached demo city of the tests
(``data/test-cache``), else builds a small demo city. The 12 jobs are parameter variants of the
registered reports, written to a temporary params folder.

    .venv/bin/python benchmarks/bench_render.py [--repeats 3] [--warehouse URL]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jupytext

from workbench.publish.reports import REPORTS
from workbench.settings import get_settings

JOBS = 12
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^/"']+)""", re.IGNORECASE)


def choose_warehouse(explicit: str | None, scratch: Path) -> str:
    if explicit:
        return explicit
    settings = get_settings()
    default = settings.data_dir / "warehouse.duckdb"
    if default.exists():
        return settings.warehouse_url
    cached = sorted((settings.home / "data" / "test-cache").glob("demo-*.duckdb"),
                    key=lambda p: p.stat().st_mtime)
    if cached:
        copy = scratch / "warehouse.duckdb"  # a copy: never hold a lock on the tests' cache
        shutil.copy(cached[-1], copy)
        return f"duckdb://{copy}"
    from workbench.demo import build_demo_city

    path = scratch / "warehouse.duckdb"
    build_demo_city(f"duckdb://{path}", scale=0.2, seed=42, end_date=settings.today)
    return f"duckdb://{path}"


def write_jobs(folder: Path) -> list[dict]:
    """12 parameter variants of the data-quality report (other reports join when registered)."""
    folder.mkdir(parents=True, exist_ok=True)
    variants = []
    table_sets = [None, ["incidents"], ["incidents", "calls_for_service"], ["calls_for_service"]]
    audiences = ["internal", "public", "restricted"]
    for number in range(JOBS):
        parameters = {"stale_after_days": 1 + number % 4, "top_rules": 5 + number}
        tables = table_sets[number % len(table_sets)]
        if tables:
            parameters["tables"] = tables
        job = {"name": f"bench_{number:02d}", "report": "data_quality",
               "audience": audiences[number % 3], "parameters": parameters}
        text = (f"report: data_quality\ntitle: Benchmark job {number}\n"
                f"audience: {job['audience']}\nschedule: '0 6 * * *'\n"
                f"parameters: {json.dumps(parameters)}\n")
        (folder / f"{job['name']}.yaml").write_text(text)
        variants.append(job)
    return variants


def stock_loop(jobs: list[dict], notebook: Path, work: Path, env: dict[str, str]) -> float:
    bin_dir = Path(sys.executable).parent
    started = time.perf_counter()
    for job in jobs:
        output = work / f"{job['name']}.ipynb"
        command = [str(bin_dir / "papermill"), str(notebook), str(output), "-k", "python3",
                   "--no-progress-bar", "--cwd", str(get_settings().home)]
        for key, value in job["parameters"].items():
            command += ["-y", f"{key}: {json.dumps(value)}"]
        subprocess.run(command, check=True, env=env, capture_output=True)
        convert = [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", str(output)]
        if job["audience"] != "restricted":
            convert.append("--no-input")
        subprocess.run(convert, check=True, env=env, capture_output=True)
    return time.perf_counter() - started


def workbench_render(params: Path, site: Path, env: dict[str, str]) -> tuple[float, int]:
    """Seconds taken and how many jobs were skipped as unchanged."""
    command = [str(Path(sys.executable).parent / "workbench"), "render", "--all",
               "--params", str(params), "--site", str(site)]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"workbench render failed:\n{result.stdout}\n{result.stderr}")
    skipped = re.search(r"(\d+) unchanged", result.stdout)
    return elapsed, int(skipped.group(1)) if skipped else 0


def external_hosts(page: Path) -> int:
    return len(set(EXTERNAL.findall(page.read_text(encoding="utf-8", errors="replace"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warehouse", default=None)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-render-"))
    try:
        url = choose_warehouse(args.warehouse, scratch)
        params = scratch / "params"
        jobs = write_jobs(params)
        report = REPORTS["data_quality"]
        notebook = scratch / "data_quality.ipynb"
        jupytext.write(jupytext.read(get_settings().notebooks_dir / report.notebook), notebook)
        base_env = dict(os.environ, WORKBENCH_WAREHOUSE=url, PYDEVD_DISABLE_FILE_VALIDATION="1")
        timings: dict[str, list[float]] = {"stock": [], "cold": [], "warm": []}
        warm_skipped: list[int] = []
        for repeat in range(args.repeats):
            stock_dir = scratch / f"stock-{repeat}"
            stock_dir.mkdir()
            timings["stock"].append(stock_loop(jobs, notebook, stock_dir, base_env))
            env = dict(base_env, WORKBENCH_DATA_DIR=str(scratch / f"data-{repeat}"))
            site = scratch / f"site-{repeat}"
            timings["cold"].append(workbench_render(params, site, env)[0])
            warm_seconds, skipped = workbench_render(params, site, env)
            timings["warm"].append(warm_seconds)
            warm_skipped.append(skipped)
            print(f"repeat {repeat + 1}/{args.repeats}: stock {timings['stock'][-1]:.1f} s, "
                  f"cold {timings['cold'][-1]:.1f} s, warm {warm_seconds:.1f} s "
                  f"({skipped}/{JOBS} skipped)", file=sys.stderr)

        medians = {k: statistics.median(v) for k, v in timings.items()}
        print(f"\nRender {JOBS} jobs ({os.cpu_count()} cores; warehouse {url}); "
              f"median of {args.repeats} runs\n")
        print(f"| {'method':<44} | {'median s':>9} | {'per job s':>9} | {'vs stock':>8} |")
        print(f"|{'-' * 46}|{'-' * 11}|{'-' * 11}|{'-' * 10}|")
        labels = {"stock": "stock loop (papermill CLI + nbconvert CLI)",
                  "cold": "workbench render --all, cold",
                  "warm": "workbench render --all, warm (all unchanged)"}
        for key in ("stock", "cold", "warm"):
            ratio = medians["stock"] / medians[key]
            print(f"| {labels[key]:<44} | {medians[key]:>9.1f} | {medians[key] / JOBS:>9.2f} | "
                  f"{ratio:>7.1f}x |")

        print(f"\nWarm runs skipped {warm_skipped} of {JOBS} jobs; a warm run that renders again "
              "means the workbench source a report runs changed between the two runs.")
        site = scratch / "site-0"
        stock_page = scratch / "stock-0" / "bench_00.html"
        our_page = site / "bench_00" / "index.html"
        assets = sum(f.stat().st_size for f in (site / "assets").rglob("*") if f.is_file())
        pages = sorted(site.glob("bench_*/index.html"))
        print(f"\n| {'page':<46} | {'size KB':>8} | {'other hosts':>11} |")
        print(f"|{'-' * 48}|{'-' * 10}|{'-' * 13}|")
        print(f"| {'stock nbconvert page (one job)':<46} | {stock_page.stat().st_size / 1024:>8.0f}"
              f" | {external_hosts(stock_page):>11} |")
        print(f"| {'workbench page (one job)':<46} | {our_page.stat().st_size / 1024:>8.0f} | "
              f"{external_hosts(our_page):>11} |")
        largest = max(p.stat().st_size for p in pages)
        print(f"| {'workbench page, largest of 12':<46} | {largest / 1024:>8.0f} | "
              f"{max(external_hosts(p) for p in pages):>11} |")
        print(f"| {'shared assets (once per site)':<46} | {assets / 1024:>8.0f} | "
              f"{'0':>11} |")
        stock_total = sum(p.stat().st_size for p in (scratch / "stock-0").glob("*.html"))
        ours_total = sum(p.stat().st_size for p in pages) + assets
        print(f"| {'all 12 pages: stock':<46} | {stock_total / 1024:>8.0f} | {'':>11} |")
        print(f"| {'all 12 pages: workbench (pages + assets)':<46} | {ours_total / 1024:>8.0f} | "
              f"{'':>11} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
