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
from dataclasses import dataclass

from pydantic import Field, field_validator

from workbench.analysis.hotspots import change_windows
from workbench.errors import InsufficientDataError
from workbench.publish.reports import REPORTS, ReportParameters, register_report

__all__ = [
    "CallsMonthlyParameters",
    "CollisionsMonthlyParameters",
    "CompstatWeeklyParameters",
    "CrimeTrendsMonthlyParameters",
    "ReportMonth",
    "last_complete_week_end",
    "latest_day",
]


def latest_day(latest: object) -> dt.date | None:
    """The date of a warehouse's latest event time (a timestamp, date or None/NaT)."""
    if latest is None:
        return None
    if isinstance(latest, dt.datetime):
        return latest.date()
    if isinstance(latest, dt.date):
        return latest
    to_pydatetime = getattr(latest, "to_pydatetime", None)
    if to_pydatetime is None:
        return None
    try:
        return to_pydatetime().date()
    except ValueError:  # NaT
        return None


def _last_complete_day(today: dt.date, latest_data_day: dt.date | None) -> dt.date:
    """The last day that is over (before today) and, when known, covered by the data."""
    yesterday = today - dt.timedelta(days=1)
    return min(yesterday, latest_data_day) if latest_data_day else yesterday


def last_complete_week_end(today: dt.date, latest_data_day: dt.date | None = None) -> dt.date:
    """The Sunday ending the last complete ISO week (Monday–Sunday): before ``today`` and, when
    given, no later than the last day with data."""
    last = _last_complete_day(today, latest_data_day)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def _months_before(first: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` before ``first``'s (negative: after)."""
    index = first.year * 12 + first.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(first: dt.date) -> dt.date:
    return _months_before(first, -1) - dt.timedelta(days=1)


def _months_between(first: dt.date, last: dt.date) -> int:
    """Months from the month of ``first`` to the month of ``last``, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


@dataclass(frozen=True)
class ReportMonth:
    """The dates a monthly report covers (inclusive), and what the data covers of them."""

    start: dt.date
    """First day of the reported month."""
    end: dt.date
    """Last day of the reported month (the ``as_of`` of every analysis)."""
    trend_start: dt.date
    """First day of the trend charts' first month: ``trend_months`` back, but never before the
    first month the data covers in full (a trend does not show months before the data began
    as zeros)."""
    data_from: dt.date | None = None
    """First day with data (None: not known)."""
    data_to: dt.date | None = None
    """Last day with data (None: not known)."""

    @property
    def label(self) -> str:
        """The reported month in words, e.g. ``"October 2026"``."""
        return self.start.strftime("%B %Y")

    @property
    def year_start(self) -> dt.date:
        """First day of the twelve months ending with the reported month."""
        return _months_before(self.start, 11)

    @property
    def trend_periods(self) -> int:
        """Months from ``trend_start`` to the reported month, both counted."""
        return _months_between(self.trend_start, self.start)

    @property
    def data_end(self) -> dt.date:
        """The last day of the month that has data (``end``, or the data's last day before
        it): the ``as_of`` of averages per day, which would otherwise count missing days."""
        if self.data_to is None:
            return self.end
        return max(self.start, min(self.end, self.data_to))

    @property
    def partial(self) -> bool:
        """Whether the data cover only part of the reported month."""
        return ((self.data_from is not None and self.data_from > self.start)
                or (self.data_to is not None and self.data_to < self.end))

    @property
    def coverage_note(self) -> str:
        """A sentence for the page when the month is only partly covered, else ``""``."""
        if not self.partial:
            return ""
        first = max(self.start, self.data_from or self.start)
        last = min(self.end, self.data_to or self.end)
        if first > last:
            return f"The data hold nothing for this month: {self.coverage_text}."
        return (f"The data cover only {first:%-d} to {last:%-d %B %Y} of this month: counts "
                "for it are partial.")

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` is inside the data's date range (True when it is not known)."""
        return ((self.data_from is None or day >= self.data_from)
                and (self.data_to is None or day <= self.data_to))

    def comparison(self, days: int) -> str:
        """How to compare the last ``days`` days of the month: ``"year_ago"`` (the same days a
        year earlier, which cancels seasonality) when the data reach back that far, else
        ``"previous"`` (the ``days`` days before)."""
        year_ago = change_windows(self.end, days, "year_ago")
        return "year_ago" if self.covers(year_ago.past_start) else "previous"

    @property
    def coverage_text(self) -> str:
        """The data's date range in words (for messages)."""
        if self.data_from is None or self.data_to is None:
            return "the data's dates are not known"
        return f"the data run from {self.data_from:%-d %B %Y} to {self.data_to:%-d %B %Y}"

    def complete_years(self, years: int, *, minimum: int = 1) -> list[int]:
        """Up to ``years`` calendar years ending with the last one complete at ``end``, keeping
        only those the data cover from 1 January to 31 December (consecutive, latest last).

        Raises:
            InsufficientDataError: fewer than ``minimum`` such years.
        """
        last = self.end.year if (self.end.month, self.end.day) == (12, 31) else self.end.year - 1
        covered: list[int] = []
        for year in range(last, last - years, -1):
            if not (self.covers(dt.date(year, 1, 1)) and self.covers(dt.date(year, 12, 31))):
                break
            covered.insert(0, year)
        if len(covered) < minimum:
            raise InsufficientDataError(
                f"it needs {minimum} complete calendar year{'s' if minimum > 1 else ''} of data "
                f"up to {last} and {self.coverage_text}")
        return covered

    def history_months(self, *, minimum: int = 2) -> int:
        """``trend_periods``, checked: at least ``minimum`` complete months of history.

        Raises:
            InsufficientDataError: fewer complete months than ``minimum``.
        """
        complete = self.trend_periods - (1 if self.partial else 0)
        if complete < minimum:
            raise InsufficientDataError(
                f"it needs at least {minimum} complete months of data and {self.coverage_text}")
        return self.trend_periods


def _report_month(month: dt.date | None, trend_months: int, today: dt.date,
                  latest_data_day: dt.date | None,
                  first_data_day: dt.date | None = None) -> ReportMonth:
    if month is not None:
        start = _month_start(month)
    else:
        last = _last_complete_day(today, latest_data_day)
        following = last + dt.timedelta(days=1)
        start = _month_start(last) if following.day == 1 else _months_before(_month_start(last), 1)
        if first_data_day is not None and _month_end(start) < first_data_day:
            # no complete month is covered (e.g. 20 days of an export): report the month the
            # data end in, marked partial, rather than an empty month
            start = _month_start(last)
    end = _month_end(start)
    trend_start = _months_before(start, trend_months - 1)
    if first_data_day is not None:
        first_full = (_month_start(first_data_day) if first_data_day.day == 1
                      else _months_before(_month_start(first_data_day), -1))
        trend_start = min(start, max(trend_start, first_full))
    return ReportMonth(start=start, end=end, trend_start=trend_start, data_from=first_data_day,
                       data_to=latest_data_day)


class _MonthlyParameters(ReportParameters):
    month: dt.date | None = Field(
        None, description="Any day of the month reported; empty = the last complete month "
        "before today that the warehouse covers")

    def window(self, today: dt.date, latest_data_day: dt.date | None = None,
               first_data_day: dt.date | None = None) -> ReportMonth:
        """The dates covered, given today's date and the first and last days with data."""
        return _report_month(self.month, getattr(self, "trend_months", 12), today,
                             latest_data_day, first_data_day)


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

for _name, _notebook, _model, _description in _REPORTS:
    if _name not in REPORTS:  # importing this module twice must not fail
        register_report(_name, notebook=_notebook, parameters=_model, description=_description)
