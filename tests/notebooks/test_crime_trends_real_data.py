"""Issue 4, item 9: the trends report renders on real data fed through the adapters
(Toronto MCI, shootings and neighbourhood populations), exactly as the README shows."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from workbench.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

ROOT = Path(__file__).resolve().parents[2]


def test_crime_trends_report_renders_on_toronto_data(real_data: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{tmp_path / 'toronto.duckdb'}")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_SITE_DIR", str(tmp_path / "site"))
    loads = [
        ("toronto-neighbourhoods", next((real_data / "toronto_neighbourhood_profiles_2021").glob("*.xlsx"))),
        ("toronto-mci", next((real_data / "toronto_mci_2014_2024_reduced").glob("*.parquet"))),
        ("toronto-shootings", next((real_data / "toronto_shootings_firearm_discharges").glob("*.csv"))),
    ]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        for adapter, path in loads:
            assert main(["ingest", "--no-progress", "--adapter", adapter, str(path)]) == 0, out.getvalue()
        params = tmp_path / "params"
        params.mkdir()
        shutil.copy(ROOT / "params" / "crime_trends_monthly.yaml", params)
        code = main(["render", "crime_trends_monthly", "--params", str(params), "--workers", "1"])
    assert code == 0, out.getvalue()
    summary = json.loads((tmp_path / "site" / "crime_trends_monthly" / "summary.json").read_text())
    page = (tmp_path / "site" / "crime_trends_monthly" / "index.html").read_text(encoding="utf-8")
    assert summary["status"] == "ok"
    # the report covers the last complete month the Toronto file holds (it ends in 2024)
    assert "2024" in page
    assert "assault" in page and "break" in page.lower()
