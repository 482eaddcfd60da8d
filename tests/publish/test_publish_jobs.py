"""Job files: every job in params/ is valid; each kind of mistake names the file and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workbench.errors import ParametersError, UnknownNameError
from workbench.publish.jobs import load_job, load_jobs, select_jobs
from workbench.publish.reports import DataQualityParameters, get_report
from workbench.settings import get_settings

GOOD = """\
report: data_quality
title: Data quality
audience: internal
schedule: "15 6 * * *"
parameters:
  stale_after_days: 3
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_job_in_params_is_valid() -> None:
    jobs = load_jobs(get_settings().params_dir)
    assert jobs, "params/ should hold at least the data-quality job"
    for job in jobs:
        assert get_report(job.report.name) is job.report
        assert job.audience in ("public", "internal", "restricted")
        assert (get_settings().notebooks_dir / job.report.notebook).is_file()
    assert "data_quality" in {job.name for job in jobs}


def test_data_quality_job_is_daily_and_internal() -> None:
    job = load_job(get_settings().params_dir / "data_quality.yaml")
    assert job.audience == "internal"
    minute, hour, day, month, weekday = job.schedule.split()
    assert (day, month, weekday) == ("*", "*", "*")


def test_good_job_is_parsed_into_the_report_model(tmp_path: Path) -> None:
    job = load_job(write(tmp_path, "dq", GOOD))
    assert job.name == "dq"
    assert isinstance(job.parameters, DataQualityParameters)
    assert job.parameters.stale_after_days == 3
    assert job.parameters.top_rules == DataQualityParameters().top_rules
    assert not job.shows_code


def test_dates_are_parsed_by_the_model_not_the_yaml_loader(tmp_path: Path) -> None:
    job = load_job(write(tmp_path, "dated", GOOD + "  as_of: 2024-05-01\n"))
    assert job.parameters.as_of == dt.date(2024, 5, 1)
    assert job.parameters.notebook_values()["as_of"] == "2024-05-01"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + "  colour: blue\n", "unknown key 'parameters.colour'"),
        (GOOD + "  stale_after_days: soon\n", "'parameters.stale_after_days'"),
        (GOOD + "  top_rules: 0\n", "'parameters.top_rules'"),
        (GOOD + "  tables: [incidents, nonsense]\n", "nonsense"),
        (GOOD + "owner: someone\n", "unknown key 'owner'"),
        (GOOD.replace("audience: internal", "audience: everyone"), "'audience'"),
        (GOOD.replace('"15 6 * * *"', '"every morning"'), "key 'schedule'"),
        (GOOD.replace('"15 6 * * *"', '"61 6 * * *"'), "key 'schedule'"),
        (GOOD.replace("report: data_quality", "report: nope"), "key 'report'"),
        (GOOD.replace("title: Data quality\n", ""), "missing key 'title'"),
        ("report: [unclosed", "not valid YAML"),
        ("- a list\n", "is a mapping"),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "broken", text)
    with pytest.raises(ParametersError) as error:
        load_job(path)
    message = str(error.value)
    assert str(path) in message
    assert expected in message


def test_bad_file_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParametersError, match="not a valid job name"):
        load_job(write(tmp_path, "Bad Name", GOOD))


def test_load_jobs_lists_every_broken_file(tmp_path: Path) -> None:
    write(tmp_path, "good", GOOD)
    write(tmp_path, "first", GOOD + "  colour: blue\n")
    write(tmp_path, "second", GOOD.replace("audience: internal", "audience: x"))
    with pytest.raises(ParametersError) as error:
        load_jobs(tmp_path)
    assert "first.yaml" in str(error.value) and "second.yaml" in str(error.value)
    assert "good.yaml" not in str(error.value)


def test_select_jobs_by_name(tmp_path: Path) -> None:
    write(tmp_path, "a", GOOD)
    write(tmp_path, "b", GOOD)
    jobs = load_jobs(tmp_path)
    assert [j.name for j in select_jobs(jobs, ["b", "a", "b"])] == ["b", "a"]
    with pytest.raises(UnknownNameError, match="'c'"):
        select_jobs(jobs, ["c"])


OPEN_DATA = """\
report: open_data_refresh
title: Open data refresh
audience: public
schedule: "0 5 * * *"
parameters:
  out: {out}
"""


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A project folder with its site and data folders, and a folder outside all of them."""
    home, outside = tmp_path / "project", tmp_path / "elsewhere"
    for folder in (home / "site", home / "data", home / "params", outside):
        folder.mkdir(parents=True)
    (outside / "notes.txt").write_text("not ours")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.delenv("WORKBENCH_SITE_DIR", raising=False)
    monkeypatch.delenv("WORKBENCH_DATA_DIR", raising=False)
    return {"home": home, "params": home / "params", "outside": outside}


@pytest.mark.parametrize("out", ["../elsewhere", "'../../..'", "/etc", "site", "data",
                                 "site/../..", "'~'"])
def test_a_path_parameter_outside_the_site_and_data_folders_is_refused(
        folders: dict[str, Path], out: str) -> None:
    path = write(folders["params"], "open_data_refresh", OPEN_DATA.format(out=out))
    with pytest.raises(ParametersError) as caught:
        load_job(path)
    message = str(caught.value)
    assert str(path) in message and "key 'parameters.out'" in message
    assert "not inside the site folder" in message
    with pytest.raises(ParametersError, match="parameters.out"):
        load_jobs(folders["params"])  # the whole render stops before any kernel starts
    assert (folders["outside"] / "notes.txt").read_text() == "not ours"


@pytest.mark.parametrize("out", ["site/open-data", "data/exports/open", "site/a/../open-data"])
def test_a_path_parameter_inside_the_site_or_data_folder_is_accepted(
        folders: dict[str, Path], out: str) -> None:
    job = load_job(write(folders["params"], "open_data_refresh", OPEN_DATA.format(out=out)))
    assert job.parameters.out == out  # type: ignore[attr-defined]
    absolute = folders["home"] / "site" / "open-data"
    job = load_job(write(folders["params"], "open_data_refresh",
                         OPEN_DATA.format(out=f"'{absolute}'")))
    assert job.parameters.out == str(absolute)  # type: ignore[attr-defined]


def test_a_link_inside_the_site_that_leads_outside_is_refused(folders: dict[str, Path]) -> None:
    (folders["home"] / "site" / "exports").symlink_to(folders["outside"])
    path = write(folders["params"], "open_data_refresh", OPEN_DATA.format(out="site/exports/x"))
    with pytest.raises(ParametersError, match=r"key 'parameters\.out'.*elsewhere"):
        load_job(path)


def test_the_render_site_bounds_path_parameters(folders: dict[str, Path], tmp_path: Path) -> None:
    other_site = tmp_path / "scratch-site"
    write(folders["params"], "open_data_refresh", OPEN_DATA.format(out=f"'{other_site}/od'"))
    with pytest.raises(ParametersError):
        load_jobs(folders["params"])
    assert load_jobs(folders["params"], site_dir=other_site)[0].name == "open_data_refresh"


def test_every_parameter_that_names_a_path_is_marked() -> None:
    from workbench.publish.reports import REPORTS, path_parameters

    looks_like_a_path = ("out", "output", "path", "dir", "folder", "file")
    for report in REPORTS.values():
        marked = set(path_parameters(report.parameters))
        for name in report.parameters.model_fields:
            words = name.split("_")
            if any(word in looks_like_a_path for word in words):
                assert name in marked, f"{report.name}.{name} names a path: mark it PathParameter"
    assert path_parameters(get_report("open_data_refresh").parameters) == ["out"]
