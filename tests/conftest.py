"""Shared fixtures.

- ``demo_warehouse``: the demo city at default scale, built once and cached under
  ``data/test-cache/`` keyed by the generator's source, so repeated runs reuse it.
  Opened read-only; tests never write to it.
- ``real_data``: the folder of real public police data (``../shared/data/real``); tests that need
  it skip with a clear message when it is absent.
- ``empty_warehouse``: a fresh DuckDB file warehouse with the canonical tables, per test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("WORKBENCH_REAL_DATA", ROOT.parent / "shared" / "data" / "real"))
DEMO_SEED = 42
DEMO_SCALE = float(os.environ.get("WORKBENCH_TEST_SCALE", "1.0"))


def _demo_source_hash() -> str:
    digest = hashlib.sha256()
    for folder in (ROOT / "src" / "workbench" / "demo", ROOT / "src" / "workbench" / "data"):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.name.encode())
                digest.update(file.read_bytes())
    for file in ("schema.py", "warehouse.py"):
        digest.update((ROOT / "src" / "workbench" / file).read_bytes())
    return digest.hexdigest()[:12]


@pytest.fixture(scope="session")
def demo_end_date() -> dt.date:
    return dt.date.today()


@pytest.fixture(scope="session")
def demo_warehouse_path(demo_end_date: dt.date) -> Path:
    from workbench.demo import build_demo_city

    cache = ROOT / "data" / "test-cache"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"demo-s{DEMO_SEED}-x{DEMO_SCALE:g}-{demo_end_date}-{_demo_source_hash()}.duckdb"
    if not path.exists():
        for stale in cache.glob("demo-*.duckdb"):
            stale.unlink(missing_ok=True)
        build_demo_city(f"duckdb://{path}", scale=DEMO_SCALE, seed=DEMO_SEED,
                        end_date=demo_end_date)
    return path


@pytest.fixture(scope="session")
def demo_warehouse(demo_warehouse_path: Path):
    from workbench.warehouse import Warehouse

    wh = Warehouse.open(f"duckdb://{demo_warehouse_path}", read_only=True)
    yield wh
    wh.close()


@pytest.fixture
def empty_warehouse(tmp_path: Path):
    from workbench.warehouse import Warehouse

    wh = Warehouse.open(f"duckdb://{tmp_path / 'warehouse.duckdb'}")
    wh.ensure_tables()
    yield wh
    wh.close()


@pytest.fixture(scope="session")
def real_data() -> Path:
    if not REAL_DATA.is_dir():
        pytest.skip(f"real public data not found at {REAL_DATA} (set WORKBENCH_REAL_DATA)")
    return REAL_DATA


@pytest.fixture(scope="session")
def payloads() -> dict[str, str]:
    """The hostile-text corpus of ``tests/security/payloads.py``, name → payload."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "workbench_test_payloads", ROOT / "tests" / "security" / "payloads.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.PAYLOADS)


@pytest.fixture(scope="session")
def payload_marker() -> str:
    """The global a payload sets when it runs (``window.<marker>``)."""
    return "__wb_pwned"
