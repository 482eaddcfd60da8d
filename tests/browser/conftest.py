"""Fixtures for the browser tests: a rendered site and headless Chromium through Playwright."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SMALL_TODAY = dt.date(2025, 6, 1)


def _small_warehouse_module():  # noqa: ANN202 - a module
    name = "small_warehouse"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "publish" / "small_warehouse.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not found: run `make browser` (Debian package chromium)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
        yield launched
        launched.close()


def _demo_available() -> bool:
    try:
        from workbench.demo import build_demo_city  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def rendered_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh site: every job of params/ on the demo city, or, until the demo city exists, the
    data-quality jobs on the small warehouse."""
    from workbench.cli import main

    folder = tmp_path_factory.mktemp("browser-site")
    if _demo_available():
        url = f"duckdb://{request.getfixturevalue('demo_warehouse_path')}"
        today = request.getfixturevalue("demo_end_date")
        selection = ["--all"]
    else:
        url = _small_warehouse_module().build_small_warehouse(folder / "warehouse.duckdb",
                                                              today=SMALL_TODAY)
        today = SMALL_TODAY
        selection = ["data_quality", "incident_data_quality"]
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WORKBENCH_WAREHOUSE", url)
        monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder / "data"))
        monkeypatch.setenv("WORKBENCH_TODAY", today.isoformat())
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(["render", *selection, "--site", str(folder / "site")])
        assert code == 0, err.getvalue()
    return folder / "site"
