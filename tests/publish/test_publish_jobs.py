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
