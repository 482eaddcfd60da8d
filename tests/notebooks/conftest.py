"""Fixtures for the render tests: the warehouses reports are rendered against.

``report_warehouse`` is parametrized: the small warehouse with known content (always), and the
demo city (``demo_warehouse_path`` from tests/conftest.py) once ``workbench.demo`` provides
``build_demo_city``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SMALL_TODAY = dt.date(2025, 6, 1)


def _load_small_warehouse():  # noqa: ANN202 - a module
    name = "small_warehouse"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "publish" / "small_warehouse.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


small_warehouse = _load_small_warehouse()


def _demo_available() -> bool:
    try:
        from workbench.demo import build_demo_city  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="session")
def small_warehouse_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("small-warehouse")
    return small_warehouse.build_small_warehouse(folder / "warehouse.duckdb", today=SMALL_TODAY)


@pytest.fixture(scope="module", params=["small", "demo"])
def report_warehouse(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Settings for a render into a fresh site: ``kind``, ``url``, ``site_dir``, ``today``
    (set in the environment for the tests of one module)."""
    if request.param == "small":
        url = request.getfixturevalue("small_warehouse_url")
        today = SMALL_TODAY
    else:
        if not _demo_available():
            pytest.skip("workbench.demo.build_demo_city is not available yet")
        path = request.getfixturevalue("demo_warehouse_path")
        url = f"duckdb://{path}"
        today = request.getfixturevalue("demo_end_date")
    folder = tmp_path_factory.mktemp(f"render-{request.param}")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WORKBENCH_WAREHOUSE", url)
        monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder / "data"))
        monkeypatch.setenv("WORKBENCH_SITE_DIR", str(folder / "site"))
        monkeypatch.setenv("WORKBENCH_TODAY", today.isoformat())
        yield {"kind": request.param, "url": url, "site_dir": folder / "site", "today": today}
