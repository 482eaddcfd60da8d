"""The analysts' starter notebook runs top to bottom (including a report run from inside it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workbench.publish.execute import execute_notebook, read_template
from workbench.settings import get_settings

pytestmark = pytest.mark.slow


def test_starter_runs_and_shows_report_figures(small_warehouse_url: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", small_warehouse_url)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_TODAY", "2025-06-01")
    settings = get_settings()
    result = execute_notebook(read_template(settings.notebooks_dir / "starter.py"),
                              {"report": "data_quality", "table": "incidents"},
                              env=dict(os.environ), cwd=settings.home)
    assert result.failure is None, result.failure and result.failure.summary()
    report_cell = next(c for c in result.notebook.cells if "run_report(report" in c.source)
    last = report_cell.outputs[-1]["data"]["text/html"]
    assert "data_quality" in last and "Quarantined rows: <strong>11 rows</strong>" in last
    texts = "".join(str(o.get("data", {}).get("text/plain", ""))
                    for c in result.notebook.cells for o in c.get("outputs", []))
    assert "incidents" in texts and "300" in texts
