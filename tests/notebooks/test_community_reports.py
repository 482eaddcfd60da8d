"""The community reports rendered for real on the demo city (Papermill + nbconvert).

Checks what each page tells its reader: the annual use-of-force report recovers the planted
disproportionality, the CSWB pages agree with the library on the same published counts, the
profile describes the neighbourhood asked for, and the open-data job leaves a complete folder.
Also: the notebooks are thin and their parameters cells repeat their models' defaults.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import html
import io
import json
import re
import shutil
from pathlib import Path

import jupytext
import pandas as pd
import pytest

from workbench import public
from workbench.publish.catalog import community
from workbench.publish.headline import format_value
from workbench.publish.reports import get_report
from workbench.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ("use_of_force_annual", "cswb_indicators", "cswb_neighbourhood_profile",
           "open_data_refresh")
JOBS = ("use_of_force_annual", "cswb_indicators", "cswb_profile_n058", "open_data_refresh")
HEADLINE = re.compile(r'<div class="wb-headline" data-headline="([^"]+)">.*?'
                      r'<div class="wb-headline-value">([^<]*)</div>', re.DOTALL)


def _parameters(path: Path) -> dict[str, object]:
    notebook = jupytext.read(path)
    cell = next(c for c in notebook.cells
                if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign), "the parameters cell only assigns literals"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


@pytest.mark.parametrize("name", REPORTS)
def test_notebook_is_thin_and_repeats_the_model_defaults(name):
    report = get_report(name)
    path = ROOT / "notebooks" / report.notebook
    notebook = jupytext.read(path)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            assert not [n for n in ast.walk(tree) if isinstance(
                n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)], name
    defaults = {k: v.default for k, v in report.parameters.model_fields.items()}
    assert _parameters(path) == defaults


def test_every_community_job_is_public_and_valid():
    from workbench.publish.jobs import load_job

    for name in JOBS:
        job = load_job(ROOT / "params" / f"{name}.yaml")
        assert job.audience == "public" and job.report.name in REPORTS


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="reference_group"):
        community.UseOfForceAnnualParameters(reference_group="nobody")
    with pytest.raises(ValueError, match="map_indicator"):
        community.CswbIndicatorsParameters(map_indicator="happiness")
    thresholds = community.UseOfForceAnnualParameters(over_representation=1.5).thresholds()
    assert thresholds.over_representation == 1.5


@pytest.fixture(scope="module")
def rendered(demo_warehouse_path, demo_end_date, tmp_path_factory):
    folder = tmp_path_factory.mktemp("community-render")
    params = folder / "params"
    params.mkdir()
    for name in JOBS:
        shutil.copy(ROOT / "params" / f"{name}.yaml", params / f"{name}.yaml")
    shared_data = tmp_path_factory.getbasetemp() / "community-data"
    url = f"duckdb://{demo_warehouse_path}"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WORKBENCH_WAREHOUSE", url)
        monkeypatch.setenv("WORKBENCH_DATA_DIR", str(shared_data))
        monkeypatch.setenv("WORKBENCH_SITE_DIR", str(folder / "site"))
        monkeypatch.setenv("WORKBENCH_TODAY", demo_end_date.isoformat())
        from workbench.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["render", "--params", str(params), "--all", "--force"])
        assert code == 0, out.getvalue() + err.getvalue()
        with Warehouse.open(url, read_only=True) as warehouse:
            outputs = public.build_public_outputs(
                warehouse, as_of=demo_end_date, cache_dir=shared_data / "public-cache")
    site = folder / "site"
    return {"site": site, "outputs": outputs,
            "pages": {name: (site / name / "index.html").read_text() for name in JOBS},
            "summaries": {name: json.loads((site / name / "summary.json").read_text())
                          for name in JOBS}}


def _headlines(rendered, job: str) -> dict[str, object]:
    return {h["name"]: h["value"] for h in rendered["summaries"][job]["headlines"]}


@pytest.mark.slow
def test_every_page_rendered_with_its_headlines(rendered):
    for job in JOBS:
        summary = rendered["summaries"][job]
        assert summary["status"] == "ok" and len(summary["headlines"]) >= 5, job
        shown = dict(HEADLINE.findall(rendered["pages"][job]))
        for record in summary["headlines"]:
            assert html.unescape(shown[record["name"]]) == format_value(record["value"],
                                                                        record["unit"])


@pytest.mark.slow
def test_annual_report_recovers_the_planted_disproportionality(rendered):
    from workbench.demo.signals import USE_OF_FORCE_DISPROPORTIONALITY as planted

    annual = public.annual_use_of_force(rendered["outputs"])
    figures = _headlines(rendered, "use_of_force_annual")
    assert figures["focus_index_population"] == pytest.approx(annual.index(planted.race_group))
    assert figures["use_of_force_people"] == annual.people["use_of_force"]
    row = annual.by_population.loc[(annual.by_population["stage"] == "use_of_force")
                                   & (annual.by_population["race_group"] == planted.race_group)]
    assert row["lower"].iloc[0] <= planted.index_vs_population <= row["upper"].iloc[0]
    enforcement = annual.by_population.loc[
        (annual.by_population["stage"] == "enforcement_actions")
        & (annual.by_population["race_group"] == planted.race_group)]
    assert enforcement["lower"].iloc[0] <= 1.0 <= enforcement["upper"].iloc[0]
    page = html.unescape(re.sub(r"<[^>]+>", " ", rendered["pages"]["use_of_force_annual"]))
    assert f"Year reported: {annual.year}" in page
    assert "officer_id" not in rendered["pages"]["use_of_force_annual"]
    assert "unit_id" not in rendered["pages"]["use_of_force_annual"]


@pytest.mark.slow
def test_cswb_pages_show_the_published_figures(rendered):
    overview = public.cswb_overview(rendered["outputs"])
    figures = _headlines(rendered, "cswb_indicators")
    assert figures["hate_incidents"] == overview.city_value("hate_incidents", "count")
    assert figures["mental_health_calls_rate"] == pytest.approx(
        overview.city_value("mental_health_calls"))
    profile = public.cswb_profile(rendered["outputs"], neighbourhood_id="N058")
    profile_figures = _headlines(rendered, "cswb_profile_n058")
    assert profile_figures["population"] == profile.population
    assert profile_figures["indicators_higher"] == profile.compared("higher")
    page = html.unescape(re.sub(r"<[^>]+>", " ", rendered["pages"]["cswb_profile_n058"]))
    assert "N058" in page and str(profile.name) in page
    assert "Social development" in page  # every zone is listed, with or without indicators


@pytest.mark.slow
def test_open_data_job_leaves_a_complete_folder(rendered):
    index = json.loads((rendered["site"] / "open-data" / "index.json").read_text())
    figures = _headlines(rendered, "open_data_refresh")
    assert figures["datasets"] == len(index["datasets"]) == 8
    assert figures["rows"] == sum(d["rows"] for d in index["datasets"])
    for dataset in index["datasets"]:
        for name in dataset["files"]:
            assert (rendered["site"] / "open-data" / name).is_file()


def test_asking_for_a_year_without_data_names_the_years_there_are():
    table = public.PublicTable.from_counts(
        pd.DataFrame({"year": ["2024"], "race_group": ["white"], "subjects": [50]}),
        name="t", title="t", description="t", dimensions=("year", "race_group"),
        count="subjects", threshold=10)
    outputs = public.PublicOutputs(
        as_of=dt.date(2025, 6, 1), options=public.DEFAULT_OPTIONS, use_of_force=table,
        use_of_force_other=table, enforcement=table, enforcement_other=table, incidents=table,
        indicators={}, population_by_race=pd.DataFrame(columns=["year", "race_group", "count"]),
        population=pd.DataFrame(columns=["year", "neighbourhood_id", "population"]),
        neighbourhoods=pd.DataFrame(columns=["neighbourhood_id"]))
    with pytest.raises(public.OpenDataError, match="complete years: 2024"):
        public.annual_use_of_force(outputs, year=2019)
