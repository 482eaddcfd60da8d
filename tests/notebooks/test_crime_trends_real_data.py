"""Issue 4, item 9: the reports render on real data fed through the adapters, exactly as the
README shows — Toronto (MCI, shootings, neighbourhood populations), Chicago 2022 (crimes only:
no population, eleven months) and San Diego (twenty days of calls, no arrival times).

Each city gets a warehouse of its own; expected figures are computed from the raw files with
the csv module, independently of the adapters."""

from __future__ import annotations

import collections
import contextlib
import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from workbench.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.realdata]

ROOT = Path(__file__).resolve().parents[2]
SANDIEGO = "sandiego_pd_calls_for_service_2023_jan"


def _render_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, city: str,
               loads: list[tuple[str, Path]], job: str) -> tuple[dict, str]:
    """Ingest ``loads`` into a new warehouse, render ``job``; its summary and page text."""
    monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{tmp_path / f'{city}.duckdb'}")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_SITE_DIR", str(tmp_path / "site"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        for adapter, path in loads:
            assert main(["ingest", "--no-progress", "--adapter", adapter, str(path)]) == 0, \
                out.getvalue()
        params = tmp_path / "params"
        params.mkdir()
        shutil.copy(ROOT / "params" / f"{job}.yaml", params)
        code = main(["render", job, "--params", str(params), "--workers", "1"])
    assert code == 0, out.getvalue()
    folder = tmp_path / "site" / job
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "ok"
    page = (folder / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(
        r"<(script|style).*?</\1>", "", page, flags=re.S)))
    return summary, text


def _headlines(summary: dict) -> dict[str, float | None]:
    return {h["name"]: h["value"] for h in summary["headlines"]}


def test_crime_trends_report_renders_on_toronto_data(real_data: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    loads = [
        ("toronto-neighbourhoods", next((real_data / "toronto_neighbourhood_profiles_2021").glob("*.xlsx"))),
        ("toronto-mci", next((real_data / "toronto_mci_2014_2024_reduced").glob("*.parquet"))),
        ("toronto-shootings", next((real_data / "toronto_shootings_firearm_discharges").glob("*.csv"))),
    ]
    summary, page = _render_on(tmp_path, monkeypatch, "toronto", loads, "crime_trends_monthly")
    # the report covers the last complete month the Toronto file holds (it ends in 2024)
    assert "2024" in page
    assert "assault" in page and "break" in page.lower()
    headlines = _headlines(summary)
    assert headlines["rate_per_100k_month"] > 0        # populations were loaded
    assert headlines["forecast_next_month"] > 0         # ten years of history
    # the reduced MCI file carries no offence codes: the index says so instead of showing 0
    assert "Crime Severity Index not shown" in page and "offence code" in page
    assert "csi" not in headlines


def test_crime_trends_report_renders_on_chicago_2022(real_data: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    path = real_data / "chicago_crimes_2022_slim" / "crimes-2022-slim.csv.gz"
    summary, page = _render_on(tmp_path, monkeypatch, "chicago", [("chicago-crimes", path)],
                               "crime_trends_monthly")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        months = collections.Counter(row["Date"][:7] for row in csv.DictReader(handle))
    assert max(months) == "2022-11" and min(months) == "2022-01"
    headlines = _headlines(summary)
    # the last complete month of the file, counted exactly
    assert "November 2022 (trends from January 2022)" in page
    assert headlines["incidents_month"] == months["2022-11"]
    # no population in a crimes-only warehouse: no rate, said so, counts still shown
    assert headlines["rate_per_100k_month"] is None
    assert "no population in the warehouse" in page
    # eleven months of history: the trend and control chart start in January 2022, no zeros
    # before the data began; forecast and CSI say what they need instead of failing
    assert "of the last 11" in page
    assert "Forecast not shown. A forecast with a 12-month back-test needs at least 24 months" \
        in page
    assert "Crime Severity Index not shown. It needs 1 complete calendar year" in page
    # a year earlier is not in the data: hot spots compare with the days before, and say so
    assert "against the 28 days before (the data do not reach back a year)" in page
    assert "Map not drawn" in page
    assert "forecast_next_month" not in headlines and "csi" not in headlines


def test_calls_report_renders_on_san_diego_calls(real_data: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch):
    path = real_data / SANDIEGO / "pd_calls_for_service_2023_datasd_first20days.csv"
    summary, page = _render_on(tmp_path, monkeypatch, "sandiego", [("sandiego-calls", path)],
                               "calls_monthly")
    with path.open(encoding="utf-8", newline="") as handle:
        codes = collections.Counter(row["call_type"] for row in csv.DictReader(handle))
    headlines = _headlines(summary)
    # twenty days of January: the month is reported, marked partial (not an empty December)
    assert "January 2023" in page and "The data cover only 1 to 20 January 2023" in page
    assert headlines["calls_month"] == sum(codes.values()) == 26595
    # mental health (5150, 5150V), welfare checks (CW), overdoses (1140OD), noise (415N…)
    alternative = sum(codes[c] for c in ("5150", "5150V", "CW", "1140OD", "415N", "415CN",
                                         "415N-CR", "PARTY", "PARTY-CR"))
    assert headlines["alternative_response_share"] == pytest.approx(100 * alternative / 26595)
    # the export has no arrival times: response times are not invented
    assert "Response times not shown. None of the 26,595 calls has a response time" in page
    assert "median_response_minutes" not in headlines
