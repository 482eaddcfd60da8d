"""Fixtures for the publish tests: a small warehouse with known problems, isolated settings."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest


def _load_helper(name: str):  # noqa: ANN202 - a module
    """Import ``tests/publish/<name>.py`` by path (tests/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


build_small_warehouse = _load_helper("small_warehouse").build_small_warehouse

SMALL_TODAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="session")
def small_warehouse_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("small-warehouse")
    return build_small_warehouse(folder / "warehouse.duckdb", today=SMALL_TODAY)


@pytest.fixture
def render_settings(tmp_path: Path, small_warehouse_url: str,
                    monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Settings pointing at the small warehouse, a fresh data folder and a fresh site."""
    data_dir = tmp_path / "data"
    site_dir = tmp_path / "site"
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", small_warehouse_url)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("WORKBENCH_SITE_DIR", str(site_dir))
    monkeypatch.setenv("WORKBENCH_TODAY", SMALL_TODAY.isoformat())
    return {"data_dir": data_dir, "site_dir": site_dir, "params_dir": tmp_path / "params"}
