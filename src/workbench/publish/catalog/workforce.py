"""Workforce, deployment and finance reports: their parameter models and registrations.

| report | notebook | audience of its jobs |
|---|---|---|
| ``workforce_monthly`` | ``workforce_monthly.py`` | internal |
| ``staffing_deployment`` | ``staffing_deployment.py`` | internal (quarterly) |
| ``finance_monthly`` | ``finance_monthly.py`` | internal |
| ``absence_detail`` | ``absence_detail_restricted.py`` | restricted only (person-level) |

Each model turns its parameters into the dates a report covers (``window(today)``, windows of
:mod:`workbench.periods`), so the notebooks stay a parameters cell and calls. Dates default
from "today" (the ``WORKBENCH_TODAY`` setting): the last *complete* month or quarter, never
one still running.
"""

from __future__ import annotations

import datetime as dt
import os

from pydantic import Field, field_validator, model_validator

from workbench.periods import (
    DayWindow,
    MonthWindow,
    ReportMonth,
    last_complete_month,
    month_end,
    month_start,
    months_back,
    quarter_start,
)
from workbench.publish.reports import ReportParameters, register_reports

__all__ = [
    "AUDIENCE_VARIABLE",
    "AbsenceDetailParameters",
    "FinanceMonthlyParameters",
    "MonthWindow",
    "StaffingDeploymentParameters",
    "WorkforceMonthlyParameters",
    "job_audience",
]

#: Set by ``workbench render`` in each report kernel: the audience of the job being rendered.
AUDIENCE_VARIABLE = "WORKBENCH_AUDIENCE"

_ABSENCE_CODES = ("sick", "injury", "vacation", "training", "court", "family", "other")


def _check_codes(codes: list[str]) -> list[str]:
    unknown = [code for code in codes if code not in _ABSENCE_CODES]
    if unknown:
        raise ValueError(f"unknown absence code(s) {', '.join(unknown)}; known: "
                         f"{', '.join(_ABSENCE_CODES)}")
    if not codes:
        raise ValueError("give at least one absence code")
    return codes


# ------------------------------------------------------------------------------ workforce


class WorkforceMonthlyParameters(ReportParameters):
    """Parameters of the monthly workforce report (``notebooks/workforce_monthly.py``)."""

    unit: str | None = Field(
        None, description="Unit id the headline figures and trends are for (e.g. D3-PLT-C); "
        "empty = the whole service. Tables by unit always show every unit.")
    month: dt.date | None = Field(
        None, description="Any day of the month reported; empty = the last complete month "
        "before today")
    trend_months: int = Field(24, ge=3, le=120, description="Months of history in the trends")
    baseline_months: int = Field(
        24, ge=6, le=120, description="Months of sick leave compared with the service's "
        "seasonal rate (ending with the reported month)")
    absence_codes: list[str] = Field(
        ["sick", "injury", "family"], description="Absence codes counted as absenteeism "
        "(unplanned absence); the other codes still count against availability")
    familywise_error: float = Field(
        0.01, gt=0, lt=0.5, description="Chance of flagging any unit's sick leave by chance "
        "alone (Bonferroni over the units)")

    @field_validator("absence_codes")
    @classmethod
    def _known_codes(cls, codes: list[str]) -> list[str]:
        return _check_codes(codes)

    def window(self, today: dt.date) -> MonthWindow:
        """The dates covered, given today's date."""
        start = month_start(self.month) if self.month else last_complete_month(today)
        return MonthWindow(start=start, end=month_end(start),
                           trend_start=months_back(start, self.trend_months - 1),
                           baseline_start=months_back(start, self.baseline_months - 1))


# ------------------------------------------------------------------------------ deployment


class StaffingDeploymentParameters(ReportParameters):
    """Parameters of the quarterly staffing and deployment report
    (``notebooks/staffing_deployment.py``)."""

    division: str | None = Field(
        None, description="Division the detailed hour-by-hour chart is for; empty = the "
        "division with the largest shortfall (the heatmap always shows every division)")
    as_of: dt.date | None = Field(
        None, description="Last day of the window; empty = the end of the last complete "
        "quarter before today")
    weeks: int = Field(13, ge=1, le=104, description="Weeks of calls and shifts averaged")
    wait_probability: float | None = Field(
        0.10, gt=0, lt=1, description="Target: at most this share of calls waits for a unit")
    answer_minutes: float | None = Field(
        None, ge=0, le=240, description="Target: a unit dispatched within this many minutes "
        "(with service_level)")
    service_level: float | None = Field(
        None, gt=0, lt=1, description="Share of calls to dispatch within answer_minutes")
    officers_per_unit: float = Field(1.0, gt=0, le=4, description="Officers in one patrol unit")
    saturation_threshold: float = Field(
        0.60, gt=0, le=1, description="Rule of 60: highest acceptable share of patrol time on "
        "calls")
    minimum_calls: int = Field(
        30, ge=1, description="Timed calls an hour of the week needs for its own mean "
        "handling time (else the division's mean is used)")

    @model_validator(mode="after")
    def _one_target(self) -> StaffingDeploymentParameters:
        if self.wait_probability is None and self.answer_minutes is None:
            raise ValueError("give wait_probability, or answer_minutes with service_level")
        if (self.answer_minutes is None) != (self.service_level is None):
            raise ValueError("answer_minutes and service_level go together")
        return self

    def window(self, today: dt.date) -> DayWindow:
        """The dates covered, given today's date."""
        as_of = self.as_of or quarter_start(today) - dt.timedelta(days=1)
        return DayWindow.weeks_ending(as_of, self.weeks)

    def target(self):  # noqa: ANN201 - a ServiceTarget (imported lazily: keep this module light)
        """The service target as :class:`workbench.analysis.staffing.ServiceTarget`."""
        from workbench.analysis.staffing import ServiceTarget

        return ServiceTarget(wait_probability=self.wait_probability,
                             answer_minutes=self.answer_minutes,
                             service_level=self.service_level)


# ------------------------------------------------------------------------------ finance


class FinanceMonthlyParameters(ReportParameters):
    """Parameters of the monthly finance report (``notebooks/finance_monthly.py``)."""

    as_of: dt.date | None = Field(
        None, description="Last day counted; empty = the end of the last complete month")
    cost_centre: str | None = Field(
        None, description="Cost centre the monthly charts are for; empty = all of them")
    source: str | None = Field(
        None, description="Finance source to report (e.g. demo, seattle_budget); empty = all")
    fiscal_year_start_month: int = Field(1, ge=1, le=12,
                                         description="Month the fiscal year starts (1 = January)")
    level: float = Field(0.90, gt=0.5, lt=1, description="Level of the projection interval")
    trend_months: int = Field(24, ge=3, le=120, description="Months in the budget history")

    def window(self, today: dt.date) -> ReportMonth:
        """The dates covered, given today's date: the month of ``as_of``, up to ``as_of``."""
        as_of = self.as_of or month_end(last_complete_month(today))
        return ReportMonth(start=month_start(as_of), end=as_of,
                           trend_start=months_back(as_of, self.trend_months - 1))


# ------------------------------------------------------------------------------ absence detail


class AbsenceDetailParameters(ReportParameters):
    """Parameters of the person-level absence report for HR
    (``notebooks/absence_detail_restricted.py``; restricted jobs only)."""

    unit: str | None = Field(None, description="Unit id to list; empty = every unit")
    as_of: dt.date | None = Field(
        None, description="Last day counted; empty = the end of the last complete month")
    weeks: int = Field(52, ge=4, le=156, description="Weeks looked back (52 for Bradford)")
    bradford_codes: list[str] = Field(["sick"], description="Absence codes the Bradford "
                                      "factor counts")
    top: int = Field(25, ge=1, le=500, description="Members listed in each table")

    @field_validator("bradford_codes")
    @classmethod
    def _known_codes(cls, codes: list[str]) -> list[str]:
        return _check_codes(codes)

    def window(self, today: dt.date) -> DayWindow:
        """The dates covered, given today's date."""
        return DayWindow.weeks_ending(self.as_of or month_end(last_complete_month(today)),
                                      self.weeks)


def job_audience(default: str = "restricted") -> str:
    """The audience of the job a report kernel renders (``WORKBENCH_AUDIENCE``, set by
    ``workbench render``); ``default`` when the notebook runs outside a render (an analyst in
    JupyterLab). Person-level functions refuse anything below ``restricted``, so a restricted
    report scheduled by mistake for a lower audience fails instead of publishing."""
    return os.environ.get(AUDIENCE_VARIABLE) or default


_REPORTS = (
    ("workforce_monthly", "workforce_monthly.py", WorkforceMonthlyParameters,
     "Absence rates, short- and long-term spells, sick leave against the service's seasonal "
     "rate, minimum staffing, backfill overtime and relief factors"),
    ("staffing_deployment", "staffing_deployment.py", StaffingDeploymentParameters,
     "Patrol officers needed by hour of the week (Erlang C) against officers on duty, and the "
     "saturation of patrol time"),
    ("finance_monthly", "finance_monthly.py", FinanceMonthlyParameters,
     "Budget against actual by cost centre, overtime spend, year-end projection and "
     "establishment strength"),
    ("absence_detail", "absence_detail_restricted.py", AbsenceDetailParameters,
     "Person-level absence spells and Bradford factors for HR (restricted)"),
)

register_reports(_REPORTS)
