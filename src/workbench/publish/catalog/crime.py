"""Crime, calls-for-service and collision reports: their parameter models and registrations.

| report | notebook | audience of its jobs |
|---|---|---|
| ``compstat_weekly`` | ``compstat_weekly.py`` | internal (one job per division) |
| ``crime_trends_monthly`` | ``crime_trends_monthly.py`` | internal |
| ``calls_monthly`` | ``calls_monthly.py`` | internal |
| ``collisions_monthly`` | ``collisions_monthly.py`` | internal |

All four are internal: they show counts by small areas and categories without small-cell
suppression (a public version would have to go through :mod:`workbench.privacy`).

Each model turns its parameters into the dates a report covers, so the notebooks stay a
parameters cell and calls. Dates default from the data and from "today" (the
``WORKBENCH_TODAY`` setting): a report covers the last *complete* week or month that is both
before today and covered by the warehouse (so a warehouse of older public data reports its
own last month, not an empty one).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator

from workbench.periods import ReportMonth, last_complete_week_end, report_month
from workbench.periods import as_date as latest_day
from workbench.publish.reports import ReportParameters, register_reports

__all__ = [
    "CallsMonthlyParameters",
    "CollisionsMonthlyParameters",
    "CompstatWeeklyParameters",
    "CrimeTrendsMonthlyParameters",
    "ReportMonth",
    "last_complete_week_end",
    "latest_day",
]


class _MonthlyParameters(ReportParameters):
    month: dt.date | None = Field(
        None, description="Any day of the month reported; empty = the last complete month "
        "before today that the warehouse covers")

    def window(self, today: dt.date, latest_data_day: dt.date | None = None,
               first_data_day: dt.date | None = None) -> ReportMonth:
        """The dates covered, given today's date and the first and last days with data."""
        return report_month(today, month=self.month,
                            trend_months=getattr(self, "trend_months", 12),
                            latest_data_day=latest_data_day, first_data_day=first_data_day)


# ------------------------------------------------------------------------------ CompStat


class CompstatWeeklyParameters(ReportParameters):
    """Parameters of the weekly CompStat report of one division (``compstat_weekly.py``)."""

    division: str | None = Field(
        None, description="Division code (e.g. D1); empty = the whole service")
    as_of: dt.date | None = Field(
        None, description="Last day of the reported week; empty = the Sunday ending the last "
        "complete week before today that the warehouse covers")
    minimum_base: int = Field(
        10, ge=0, le=1000, description="Smallest count a year ago for which a percent change "
        "is shown")
    z_threshold: float = Field(
        3.0, gt=0, le=10, description="A cell with |Poisson z| above this is marked 'worth a "
        "look'")
    alpha: float = Field(
        0.05, gt=0, lt=0.5, description="Family-wise error (Holm) of the flags: the chance that "
        "any flag of the grid is chance alone")
    control_weeks: int = Field(
        78, ge=8, le=260, description="Weeks in the control charts")
    baseline_weeks: int = Field(
        52, ge=4, le=260, description="First weeks of the control charts that set the limits")

    @field_validator("division")
    @classmethod
    def _plain_code(cls, division: str | None) -> str | None:
        if division is not None and not division.strip():
            raise ValueError("give a division code, or leave division empty for the service")
        return division

    def week_end(self, today: dt.date, latest_data_day: dt.date | None = None) -> dt.date:
        """The last day of the reported week."""
        return self.as_of or last_complete_week_end(today, latest_data_day)


# ------------------------------------------------------------------------------ trends


class CrimeTrendsMonthlyParameters(_MonthlyParameters):
    """Parameters of the service-wide monthly crime trends report (``crime_trends_monthly.py``)."""

    trend_months: int = Field(36, ge=12, le=240, description="Months of history in the trends")
    forecast_months: int = Field(6, ge=1, le=24, description="Months forecast ahead")
    backtest_months: int = Field(
        12, ge=3, le=36, description="Months of rolling-origin back-test behind the forecast")
    csi_years: int = Field(5, ge=2, le=20, description="Complete years of the CSI series")
    csi_scale: float = Field(
        1.0, gt=0, description="Calibration constant of the CSI (see "
        "workbench.analysis.csi.calibrate_csi_scale); 1 = the raw index")
    hot_spot_days: int = Field(
        28, ge=7, le=365, description="Days of the hot-spot window (against a year earlier)")


# ------------------------------------------------------------------------------ calls


class CallsMonthlyParameters(_MonthlyParameters):
    """Parameters of the monthly calls-for-service report (``calls_monthly.py``)."""

    trend_months: int = Field(24, ge=3, le=120, description="Months of history in the trends")
    target_priority: int = Field(
        1, ge=1, le=9, description="Priority whose response-time target is the headline")
    alternative_call_types: list[str] = Field(
        ["mental_health", "wellness_check", "overdose", "noise"],
        description="Call types the service considers suited to an alternative (non-police) "
        "response (an example list, not a standard)")

    @field_validator("alternative_call_types")
    @classmethod
    def _some_types(cls, types: list[str]) -> list[str]:
        if not types:
            raise ValueError("name at least one call type suited to an alternative response")
        return types


# ------------------------------------------------------------------------------ collisions


class CollisionsMonthlyParameters(_MonthlyParameters):
    """Parameters of the monthly traffic collisions report (``collisions_monthly.py``)."""

    trend_months: int = Field(60, ge=12, le=240, description="Months of history in the trends")
    top_locations: int = Field(20, ge=1, le=200, description="Locations ranked")


_REPORTS = (
    ("compstat_weekly", "compstat_weekly.py", CompstatWeeklyParameters,
     "Weekly CompStat of a division: last 7 and 28 days, year to date and last 365 days against "
     "a year earlier, flagged changes by category and neighbourhood, control charts"),
    ("crime_trends_monthly", "crime_trends_monthly.py", CrimeTrendsMonthlyParameters,
     "Service-wide crime counts and rates, control chart, forecast, Crime Severity Index and "
     "hot spots"),
    ("calls_monthly", "calls_monthly.py", CallsMonthlyParameters,
     "Calls for service: hour-of-week demand, response times against targets, alternative "
     "response share"),
    ("collisions_monthly", "collisions_monthly.py", CollisionsMonthlyParameters,
     "Traffic collisions: people killed or seriously injured by road user, locations ranked"),
)

register_reports(_REPORTS)
