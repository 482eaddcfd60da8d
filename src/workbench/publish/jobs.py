"""Jobs: one YAML file per scheduled render in ``params/``.

```yaml
report: data_quality          # a name in workbench.publish.reports.REPORTS
title: Warehouse data quality
audience: internal            # public | internal | restricted
schedule: "15 6 * * *"        # cron expression (minute hour day month weekday), local time
timeout: 900                  # optional: seconds the whole notebook may take
description: Optional line shown under the title in the index.
parameters:                   # checked against the report's pydantic model
  stale_after_days: 2
```

The job's name is the file name without ``.yaml``; it names the job's folder in the site, so it
is lower case letters, digits, ``-`` and ``_``. Every problem is a :class:`ParametersError`
that names the file and the key. Dates are parsed by the report's model, not by the YAML loader.

A parameter naming a file or folder (marked :class:`~workbench.publish.reports.PathParameter`,
e.g. ``out`` of ``open_data_refresh``) must point strictly inside the site folder or the data
folder: ``out: ../../home`` or ``out: /etc`` is refused when the job is loaded, before any
kernel starts. Relative paths are taken from the project folder (where report kernels run);
symbolic links are followed before the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.errors import ParametersError, UnknownNameError
from workbench.privacy import Audience
from workbench.publish.reports import Report, ReportParameters, get_report, path_parameters

AUDIENCES: tuple[str, ...] = tuple(member.label for member in Audience)
JOB_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class _JobFile(BaseModel):
    """The shape of a job file (its ``parameters`` are checked separately, by the report)."""

    model_config = ConfigDict(extra="forbid")

    report: str
    title: str = Field(min_length=1)
    audience: Audience
    schedule: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    timeout: int | None = Field(None, gt=0)
    description: str = ""


@dataclass(frozen=True)
class Job:
    """A validated job: its file, its report and its parsed parameters."""

    name: str
    path: Path
    report: Report
    title: str
    audience: Audience
    schedule: str
    parameters: ReportParameters
    timeout: int | None = None
    description: str = ""

    @property
    def shows_code(self) -> bool:
        """Only restricted pages show the notebook's code."""
        return self.audience == "restricted"


class _StringDateLoader(yaml.SafeLoader):
    """A safe YAML loader that leaves dates and times as strings (the model parses them)."""


_StringDateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _location(parts: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in parts) or "(top level)"


def _describe(error: Any, prefix: tuple[Any, ...] = ()) -> str:
    location = _location(prefix + tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"unknown key {location!r}"
    if error["type"] == "missing":
        return f"missing key {location!r}"
    value = error.get("input")
    shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
    return f"key {location!r}: {error['msg']}{shown}"


def validate_schedule(schedule: str) -> str:
    """``schedule`` if it is a valid five-field cron expression, else ``ValueError``."""
    fields = schedule.split()
    if len(fields) != 5 or not croniter.is_valid(schedule):
        raise ValueError(f"{schedule!r} is not a cron expression of five fields "
                         "(minute hour day-of-month month day-of-week), e.g. '15 6 * * *'")
    return schedule


@dataclass(frozen=True)
class JobFolders:
    """Where jobs may point their path parameters: inside ``site_dir`` or ``data_dir``;
    relative paths are taken from ``home``. Default: the settings."""

    home: Path
    site_dir: Path
    data_dir: Path

    @classmethod
    def from_settings(cls, *, site_dir: Path | None = None) -> JobFolders:
        from workbench.settings import get_settings

        settings = get_settings()
        return cls(settings.home, Path(site_dir or settings.site_dir), settings.data_dir)


def check_path_parameters(path: Path, parameters: ReportParameters, folders: JobFolders) -> None:
    """:class:`ParametersError` naming ``path`` and the key when a path parameter of the job
    points outside the site and data folders (or at one of them itself)."""
    roots = {"site folder": folders.site_dir.resolve(), "data folder": folders.data_dir.resolve()}
    for name in path_parameters(type(parameters)):
        value = getattr(parameters, name)
        if value is None:
            continue
        given = Path(str(value)).expanduser()
        target = (given if given.is_absolute() else folders.home / given).resolve()
        if not any(target != root and target.is_relative_to(root) for root in roots.values()):
            allowed = " or ".join(f"the {label} ({root})" for label, root in roots.items())
            raise ParametersError(
                f"{path}: key 'parameters.{name}': {str(value)!r} resolves to {target}, which is "
                f"not inside {allowed}; a job may only write inside those folders")


def load_job(path: Path, *, folders: JobFolders | None = None) -> Job:
    """Read and validate one job file; :class:`ParametersError` naming the file and key.

    ``folders`` bound the job's path parameters (default: the settings' site and data
    folders)."""
    path = Path(path)
    name = path.stem
    if not JOB_NAME_PATTERN.match(name):
        raise ParametersError(f"{path}: the file name {name!r} is not a valid job name (use lower "
                              "case letters, digits, '-' and '_')")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_StringDateLoader)
    except OSError as exc:
        raise ParametersError(f"{path}: cannot read the job file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ParametersError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ParametersError(f"{path}: a job file is a mapping with the keys report, title, "
                              "audience, schedule and parameters")
    try:
        spec = _JobFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ParametersError(f"{path}: {problems}") from None
    try:
        validate_schedule(spec.schedule)
    except ValueError as exc:
        raise ParametersError(f"{path}: key 'schedule': {exc}") from None
    try:
        report = get_report(spec.report)
    except UnknownNameError as exc:
        raise ParametersError(f"{path}: key 'report': {exc}") from None
    try:
        parameters = report.parameters.model_validate(spec.parameters)
    except ValidationError as exc:
        problems = "; ".join(_describe(e, ("parameters",)) for e in exc.errors())
        known = ", ".join(report.parameters.model_fields)
        raise ParametersError(f"{path}: {problems} (parameters of report {report.name!r}: "
                              f"{known})") from None
    if path_parameters(type(parameters)):
        check_path_parameters(path, parameters, folders or JobFolders.from_settings())
    return Job(name=name, path=path, report=report, title=spec.title, audience=spec.audience,
               schedule=spec.schedule, parameters=parameters, timeout=spec.timeout,
               description=spec.description)


def job_files(params_dir: Path) -> list[Path]:
    """The job files in ``params_dir`` (``*.yaml`` and ``*.yml``), sorted by name."""
    params_dir = Path(params_dir)
    if not params_dir.is_dir():
        return []
    return sorted([*params_dir.glob("*.yaml"), *params_dir.glob("*.yml")], key=lambda p: p.name)


def load_jobs(params_dir: Path, *, site_dir: Path | None = None) -> list[Job]:
    """Every job in ``params_dir``, validated (path parameters inside ``site_dir``, default the
    settings' site folder, or the data folder); one :class:`ParametersError` listing all
    problems."""
    jobs: list[Job] = []
    problems: list[str] = []
    seen: dict[str, Path] = {}
    folders = JobFolders.from_settings(site_dir=site_dir)
    for path in job_files(params_dir):
        try:
            job = load_job(path, folders=folders)
        except ParametersError as exc:
            problems.append(str(exc))
            continue
        if job.name in seen:
            problems.append(f"{path}: a job named {job.name!r} already comes from {seen[job.name]}")
            continue
        seen[job.name] = path
        jobs.append(job)
    if problems:
        raise ParametersError("invalid job files:\n  " + "\n  ".join(problems))
    return jobs


def select_jobs(jobs: list[Job], names: list[str]) -> list[Job]:
    """The jobs called ``names`` (in that order); :class:`UnknownNameError` for a name not found."""
    by_name = {job.name: job for job in jobs}
    missing = [n for n in names if n not in by_name]
    if missing:
        known = ", ".join(sorted(by_name)) or "none"
        raise UnknownNameError(f"no job named {', '.join(map(repr, missing))}; jobs: {known}")
    return [by_name[n] for n in dict.fromkeys(names)]
