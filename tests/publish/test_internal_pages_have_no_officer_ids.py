"""Privacy of the workforce reports, checked on real renders of the demo city: no page, summary
or index of an internal job holds an officer id from ``personnel``, while the restricted HR
report does (so the scan can find them); and the restricted report refuses to render for an
internal audience."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

import workbench.publish.catalog.workforce  # noqa: F401 - registers the workforce reports
from workbench.cli import main
from workbench.publish.reports import REPORTS
from workbench.warehouse import Warehouse

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WORKFORCE_REPORTS = {"workforce_monthly", "staffing_deployment", "finance_monthly",
                     "absence_detail"}


def _workforce_jobs() -> list[Path]:
    assert WORKFORCE_REPORTS <= set(REPORTS)
    return [path for path in sorted((ROOT / "params").glob("*.yaml"))
            if yaml.safe_load(path.read_text())["report"] in WORKFORCE_REPORTS]


@contextlib.contextmanager
def _render_environment(folder: Path, warehouse_path: Path, today):  # noqa: ANN001
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WORKBENCH_WAREHOUSE", f"duckdb://{warehouse_path}")
        monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder / "data"))
        monkeypatch.setenv("WORKBENCH_SITE_DIR", str(folder / "site"))
        monkeypatch.setenv("WORKBENCH_TODAY", today.isoformat())
        yield


def _render(params: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["render", "--all", "--params", str(params), "--workers", "2"])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def officer_ids(demo_warehouse_path: Path) -> re.Pattern[str]:
    with Warehouse.open(f"duckdb://{demo_warehouse_path}", read_only=True) as warehouse:
        ids = warehouse.table("personnel").officer_id.to_pandas().tolist()
    assert len(ids) > 1000
    return re.compile("|".join(sorted((re.escape(i) for i in ids), key=len, reverse=True)))


@pytest.fixture(scope="module")
def site(demo_warehouse_path: Path, demo_end_date, tmp_path_factory) -> dict:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("workforce-privacy")
    params = folder / "params"
    params.mkdir()
    jobs = {}
    for path in _workforce_jobs():
        shutil.copy(path, params / path.name)
        jobs[path.stem] = yaml.safe_load(path.read_text())["audience"]
    assert {"internal", "restricted"} <= set(jobs.values())
    with _render_environment(folder, demo_warehouse_path, demo_end_date):
        code, output = _render(params)
    assert code == 0, output
    return {"site": folder / "site", "jobs": jobs}


def test_no_internal_page_shows_an_officer_id(site: dict, officer_ids: re.Pattern[str]) -> None:
    internal = [name for name, audience in site["jobs"].items() if audience != "restricted"]
    assert len(internal) >= 3
    scanned = 0
    for name in internal:
        for file in (site["site"] / name).rglob("*"):
            if file.suffix in (".html", ".json"):
                found = officer_ids.search(file.read_text(encoding="utf-8"))
                assert found is None, f"{file} shows officer id {found.group(0)}"
                scanned += 1
    assert scanned >= 4 * len(internal)  # stable page + summary, archived page + summary
    index = (site["site"] / "index.html").read_text(encoding="utf-8")
    assert officer_ids.search(index) is None


def test_the_restricted_report_does_list_officers(site: dict,
                                                  officer_ids: re.Pattern[str]) -> None:
    restricted = [name for name, audience in site["jobs"].items() if audience == "restricted"]
    assert restricted
    for name in restricted:
        page = (site["site"] / name / "index.html").read_text(encoding="utf-8")
        assert len(set(officer_ids.findall(page))) >= 10
        assert "Bradford" in page


def test_the_restricted_report_refuses_an_internal_audience(demo_warehouse_path: Path,
                                                            demo_end_date,  # noqa: ANN001
                                                            tmp_path: Path,
                                                            officer_ids: re.Pattern[str]) -> None:
    params = tmp_path / "params"
    params.mkdir()
    job = yaml.safe_load((ROOT / "params" / "absence_detail_restricted.yaml").read_text())
    job["audience"] = "internal"
    (params / "absence_detail_leaked.yaml").write_text(yaml.safe_dump(job))
    with _render_environment(tmp_path, demo_warehouse_path, demo_end_date):
        code, output = _render(params)
    assert code == 1
    assert "PrivacyError" in output and "restricted" in output
    assert not (tmp_path / "site" / "absence_detail_leaked" / "index.html").exists()
    for file in (tmp_path / "site").rglob("*.html"):
        assert officer_ids.search(file.read_text(encoding="utf-8")) is None
