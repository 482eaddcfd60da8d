"""The report registry: report name → notebook template + typed parameter model.

A report is a thin notebook in ``notebooks/`` (jupytext percent ``.py``) whose cell tagged
``parameters`` assigns one plain value per field of its parameter model, and whose defaults
equal the model's defaults (``tests/publish/test_reports.py`` checks this). Jobs in
``params/*.yaml`` name a report and give values for some of its parameters; the model
validates them before any kernel starts.

Adding a report is a model class and one :func:`register_report` call, in a module of
``workbench.publish.catalog`` (see ``docs/reports.md``). :data:`REPORTS` is a
:class:`workbench.registry.Registry`: the catalog is imported on the first look-up.

This module is imported inside report kernels (``DataQualityParameters(...)`` in a notebook):
keep it light.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from workbench.registry import Registry, submodules


class ReportParameters(BaseModel):
    """Base of every report's parameter model: unknown keys are errors, values are immutable.

    Fields must have defaults (the notebook's parameters cell repeats them) and their JSON
    form (``model_dump(mode="json")``) must be plain literals: that is what Papermill injects.
    Dates travel as ISO strings and are parsed back by the model inside the notebook.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    def notebook_values(self) -> dict[str, Any]:
        """The values Papermill injects into the notebook (JSON-safe literals)."""
        return self.model_dump(mode="json")


class PathParameter:
    """Marks a report parameter that names a file or folder the report writes (or reads).

    A job may set it only to a place strictly inside the site folder or the data folder
    (``workbench.publish.jobs`` checks this when the job is loaded, before any kernel starts);
    a relative path is taken from the project folder, where report kernels run."""

    def __repr__(self) -> str:
        return "PathParameter()"


OutputFolder = Annotated[str | None, PathParameter()]
"""The type of a parameter naming a folder the report writes (None: the report's default)."""


def path_parameters(model: type[ReportParameters]) -> list[str]:
    """The names of ``model``'s fields marked :class:`PathParameter`."""
    return [name for name, info in model.model_fields.items()
            if any(isinstance(item, PathParameter) for item in info.metadata)]


@dataclass(frozen=True)
class Report:
    """One registered report."""

    name: str
    notebook: str
    """Path of the notebook template, relative to the notebooks folder."""
    parameters: type[ReportParameters]
    description: str = ""


def _require_parameters_model(name: str, report: Report) -> None:
    if not (isinstance(report, Report) and isinstance(report.parameters, type)
            and issubclass(report.parameters, ReportParameters)):
        raise TypeError(f"the parameter model of report {name!r} must derive from ReportParameters")
    if report.name != name:
        raise ValueError(f"the report registered as {name!r} is named {report.name!r}")


#: Every report, by name: the ``data_quality`` report below, the modules of
#: ``workbench.publish.catalog`` (loaded on first look-up), and reports that installed
#: distributions declare as entry points of the group ``workbench.reports`` (a
#: :class:`Report`, or a module that calls :func:`register_report`).
REPORTS: Registry[Report] = Registry(
    "report", modules=lambda: submodules("workbench.publish.catalog"),
    entry_point_group="workbench.reports", check=_require_parameters_model)


def register_report(name: str, *, notebook: str, parameters: type[ReportParameters],
                    description: str = "") -> Report:
    """Add a report to the registry (names are unique; registering a name twice is an error)."""
    return REPORTS.register(name, Report(name, notebook, parameters, description))


def register_reports(reports: Iterable[tuple[str, str, type[ReportParameters], str]]) -> None:
    """Register ``(name, notebook, parameters, description)`` rows, leaving alone the names
    already registered (so a catalog module imported twice does not fail)."""
    for name, notebook, parameters, description in reports:
        if not REPORTS.registered(name):
            register_report(name, notebook=notebook, parameters=parameters,
                            description=description)


def get_report(name: str) -> Report:
    """The report registered as ``name``; :class:`UnknownNameError` listing the known ones."""
    return REPORTS.get(name)


def report_parameters(name: str, **values: Any) -> ReportParameters:
    """Validate ``values`` against report ``name``'s model (the call a notebook or analyst makes)."""
    return get_report(name).parameters(**values)


# ------------------------------------------------------------------------------ data quality


class DataQualityParameters(ReportParameters):
    """Parameters of the data-quality report (``notebooks/data_quality.py``)."""

    as_of: dt.date | None = Field(
        None, description="Date that timeliness is measured against; empty = the WORKBENCH_TODAY "
        "setting (today by default)")
    tables: list[str] | None = Field(
        None, description="Canonical tables to check; empty = every canonical table present")
    stale_after_days: int = Field(
        2, ge=0, description="A table whose latest record is more days behind than this is stale")
    top_rules: int = Field(
        15, ge=1, le=200, description="How many validity rules to list, largest first")

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, tables: list[str] | None) -> list[str] | None:
        if tables is None:
            return None
        from workbench import schema

        unknown = [t for t in tables if t not in schema.TABLES]
        if unknown:
            raise ValueError(f"not canonical tables: {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(schema.TABLES))})")
        if not tables:
            raise ValueError("give at least one table, or leave tables empty for all")
        return tables


register_report(
    "data_quality",
    notebook="data_quality.py",
    parameters=DataQualityParameters,
    description="Completeness, validity, duplicates, timeliness, report lag and quarantine of "
    "the warehouse",
)
