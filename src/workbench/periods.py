"""Calendar arithmetic and report windows: the one home for the dates a report or analysis covers.

Every date a report or an analysis derives from "today", from an ``as_of`` date or from the
data's first and last days comes from here, so the rules are written once:

* **Arithmetic** on whole days: the first day of a month, week, quarter, year or fiscal year
  (:func:`month_start`, :func:`period_start_of`, :func:`quarter_start`,
  :func:`fiscal_year_start`), months forward and back (:func:`add_months`,
  :func:`months_back`), the same date a year earlier (:func:`one_year_earlier`), and the last
  *complete* day, week, month or year before today that the data cover.
* **Windows** (frozen dataclasses, all dates inclusive):

  - :class:`ReportMonth`: the month a monthly report covers, its trend and twelve-month
    windows, and what the data cover of them (partial months, complete years, the comparison
    a hot-spot window can afford). :class:`MonthWindow` adds a baseline window.
  - :class:`DayWindow`: a run of days ending on ``as_of`` (quarterly deployment, person-level
    absence detail).
  - :class:`ComparisonWindow`: a current window and the window it is compared with (CompStat
    periods, hot-spot changes), built by :func:`compstat_windows` and :func:`change_windows`.

Pure standard library (and :mod:`workbench.errors`): report kernels import the parameter
models that use it, and analyses import it without pulling in an engine. Errors a caller can
fix (an unknown period, a zero-day window) raise
:class:`~workbench.errors.AnalysisInputError`; too little data for a window raises
:class:`~workbench.errors.InsufficientDataError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from workbench.errors import AnalysisInputError, InsufficientDataError

__all__ = [
    "COMPSTAT_PERIODS",
    "FIRST_YEAR_GRACE_DAYS",
    "PERIODS",
    "CompareWith",
    "ComparisonWindow",
    "DayWindow",
    "MonthWindow",
    "Period",
    "ReportMonth",
    "add_months",
    "as_date",
    "change_windows",
    "compstat_windows",
    "complete_years",
    "fiscal_year_of",
    "fiscal_year_start",
    "last_complete_day",
    "last_complete_month",
    "last_complete_week_end",
    "last_complete_year",
    "month_end",
    "month_start",
    "months_back",
    "months_between",
    "next_period_start",
    "one_year_earlier",
    "period_end",
    "period_start_of",
    "period_starts",
    "previous_period_start",
    "quarter_start",
    "report_month",
    "require_period",
    "require_positive_days",
]

Period: TypeAlias = Literal["day", "week", "month", "year"]

#: The periods counts can be bucketed into (ISO weeks start on Monday).
PERIODS: tuple[str, ...] = ("day", "week", "month", "year")

CompareWith: TypeAlias = Literal["year_ago", "previous"]

#: The CompStat periods, in display order.
COMPSTAT_PERIODS: tuple[str, ...] = ("last_7_days", "last_28_days", "year_to_date", "last_365_days")

_ROLLING_DAYS = {"last_7_days": 7, "last_28_days": 28, "last_365_days": 365}

#: A year counts as covered from its start when the first event falls within this many days
#: of 1 January (sparse tables, such as use of force, may have no event on the first days).
FIRST_YEAR_GRACE_DAYS = 14


# --------------------------------------------------------------------------------------------
# Checks and conversions
# --------------------------------------------------------------------------------------------


def require_period(period: str, allowed: Sequence[str] = PERIODS) -> None:
    """Raise :class:`AnalysisInputError` unless ``period`` is one of ``allowed``."""
    if period not in allowed:
        raise AnalysisInputError(f"period must be one of {', '.join(allowed)}; got {period!r}")


def require_positive_days(name: str, days: int) -> None:
    """Raise unless ``days`` is a positive whole number of days."""
    if int(days) != days or days < 1:
        raise AnalysisInputError(f"{name} must be a positive whole number of days; got {days!r}")


def as_date(value: object) -> dt.date | None:
    """The date of a timestamp, date or pandas ``Timestamp``; None for None or ``NaT``."""
    if value is None or value != value:  # NaT (a datetime subclass) is not equal to itself
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if to_pydatetime is None:
        return None
    try:
        return to_pydatetime().date()
    except ValueError:  # NaT
        return None


# --------------------------------------------------------------------------------------------
# Months, quarters, years
# --------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_back(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` before the month holding ``day``."""
    return add_months(day, -months)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return add_months(day, 1) - dt.timedelta(days=1)


def months_between(first: dt.date, last: dt.date) -> int:
    """Months from the month of ``first`` to the month of ``last``, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def quarter_start(day: dt.date) -> dt.date:
    """The first day of the calendar quarter holding ``day``."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def one_year_earlier(day: dt.date) -> dt.date:
    """The same calendar date a year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _require_month_number(month: int) -> None:
    if int(month) != month or not 1 <= month <= 12:
        raise AnalysisInputError(f"fiscal_year_start_month must be 1 to 12; got {month!r}")


def fiscal_year_start(day: dt.date, fiscal_year_start_month: int = 1) -> dt.date:
    """First day of the fiscal year holding ``day`` (a fiscal year starting in
    ``fiscal_year_start_month``: 1 = the calendar year, 4 = April–March)."""
    _require_month_number(fiscal_year_start_month)
    year = day.year if day.month >= fiscal_year_start_month else day.year - 1
    return dt.date(year, fiscal_year_start_month, 1)


def fiscal_year_of(day: dt.date, fiscal_year_start_month: int = 1) -> int:
    """The fiscal year holding ``day``, named after the calendar year it starts in."""
    return fiscal_year_start(day, fiscal_year_start_month).year


# --------------------------------------------------------------------------------------------
# Periods (day, ISO week, month, year)
# --------------------------------------------------------------------------------------------


def period_start_of(day: dt.date, period: str) -> dt.date:
    """The first day of the period (Monday-start ISO week, month, year) holding ``day``."""
    require_period(period)
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return month_start(day)
    return day.replace(month=1, day=1)


def next_period_start(start: dt.date, period: str) -> dt.date:
    """The first day of the period after the one starting on ``start``."""
    require_period(period)
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    if period == "month":
        return add_months(start, 1)
    return start.replace(year=start.year + 1, month=1, day=1)


def previous_period_start(start: dt.date, period: str) -> dt.date:
    """The first day of the period before the one starting on ``start``."""
    return period_start_of(start - dt.timedelta(days=1), period)


def period_end(start: dt.date, period: str) -> dt.date:
    """The last day of the period starting on ``start``."""
    return next_period_start(start, period) - dt.timedelta(days=1)


def period_starts(start: dt.date, end: dt.date, period: str) -> list[dt.date]:
    """First days of every period overlapping ``start``..``end`` (inclusive)."""
    starts = []
    current = period_start_of(start, period)
    while current <= end:
        starts.append(current)
        current = next_period_start(current, period)
    return starts


# --------------------------------------------------------------------------------------------
# The last complete day, week, month, year
# --------------------------------------------------------------------------------------------


def last_complete_day(today: dt.date, latest_data_day: dt.date | None = None) -> dt.date:
    """The last day that is over (before ``today``) and, when known, covered by the data."""
    yesterday = today - dt.timedelta(days=1)
    return min(yesterday, latest_data_day) if latest_data_day else yesterday


def last_complete_week_end(today: dt.date, latest_data_day: dt.date | None = None) -> dt.date:
    """The Sunday ending the last complete ISO week (Monday–Sunday): before ``today`` and, when
    given, no later than the last day with data."""
    last = last_complete_day(today, latest_data_day)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def last_complete_month(today: dt.date) -> dt.date:
    """First day of the last month that ended before ``today``."""
    return months_back(today, 1)


def last_complete_year(day: dt.date) -> int:
    """The last calendar year complete on ``day``: its own year on 31 December, else the one
    before."""
    return day.year if (day.month, day.day) == (12, 31) else day.year - 1


def complete_years(first_event: dt.date | None, as_of: dt.date) -> list[int]:
    """Calendar years wholly inside the data: from the year of ``first_event`` when it falls
    in the first :data:`FIRST_YEAR_GRACE_DAYS` days of January (else the next year) to the
    last year ending before ``as_of`` (or ``as_of``'s year when it is 31 December)."""
    if first_event is None:
        return []
    starts_early = (first_event - dt.date(first_event.year, 1, 1)).days < FIRST_YEAR_GRACE_DAYS
    first = first_event.year if starts_early else first_event.year + 1
    return list(range(first, last_complete_year(as_of) + 1))


# --------------------------------------------------------------------------------------------
# Comparison windows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonWindow:
    """A current window and the window it is compared with (all dates inclusive).

    ``period`` names the window where it has a name (a CompStat period such as
    ``"last_28_days"``), else it is ``""``."""

    current_start: dt.date
    current_end: dt.date
    past_start: dt.date
    past_end: dt.date
    period: str = ""

    @property
    def current_days(self) -> int:
        return (self.current_end - self.current_start).days + 1

    @property
    def past_days(self) -> int:
        return (self.past_end - self.past_start).days + 1


def compstat_windows(
    as_of: dt.date, periods: Sequence[str] = COMPSTAT_PERIODS
) -> list[ComparisonWindow]:
    """The CompStat windows ending at ``as_of`` and the same windows a year earlier.

    * ``last_7_days`` / ``last_28_days`` / ``last_365_days``: the N days ending at ``as_of``,
      against the N days ending on the same calendar date a year earlier.
    * ``year_to_date``: 1 January to ``as_of``, against 1 January to the same date a year
      earlier (the two can differ by a day around 29 February; the E-test uses the lengths).
    """
    windows = []
    past_end = one_year_earlier(as_of)
    for period in periods:
        if period in _ROLLING_DAYS:
            length = dt.timedelta(days=_ROLLING_DAYS[period] - 1)
            windows.append(ComparisonWindow(as_of - length, as_of, past_end - length, past_end,
                                            period))
        elif period == "year_to_date":
            windows.append(ComparisonWindow(as_of.replace(month=1, day=1), as_of,
                                            past_end.replace(month=1, day=1), past_end, period))
        else:
            raise AnalysisInputError(
                f"unknown CompStat period {period!r}; known: {', '.join(COMPSTAT_PERIODS)}"
            )
    return windows


def change_windows(as_of: dt.date, days: int, compare_with: CompareWith) -> ComparisonWindow:
    """The ``days`` days ending at ``as_of`` and either the same days a year earlier
    (``"year_ago"``, which cancels seasonality) or the ``days`` days just before
    (``"previous"``, which reacts faster but mixes in seasonal change)."""
    require_positive_days("days", days)
    length = dt.timedelta(days=days - 1)
    if compare_with == "year_ago":
        past_end = one_year_earlier(as_of)
    elif compare_with == "previous":
        past_end = as_of - dt.timedelta(days=days)
    else:
        raise AnalysisInputError(
            f"compare_with must be 'year_ago' or 'previous'; got {compare_with!r}")
    return ComparisonWindow(as_of - length, as_of, past_end - length, past_end)


# --------------------------------------------------------------------------------------------
# Report windows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayWindow:
    """A run of whole days ending on ``as_of`` (both inclusive)."""

    start: dt.date
    as_of: dt.date

    @property
    def label(self) -> str:
        """The days in words, e.g. ``"01 July 2026 to 29 September 2026"``."""
        return f"{self.start:%d %B %Y} to {self.as_of:%d %B %Y}"

    @classmethod
    def weeks_ending(cls, as_of: dt.date, weeks: int) -> DayWindow:
        """The ``weeks`` whole weeks ending on ``as_of``."""
        return cls(start=as_of - dt.timedelta(days=7 * weeks - 1), as_of=as_of)


@dataclass(frozen=True)
class ReportMonth:
    """The dates a monthly report covers (inclusive), and what the data cover of them."""

    start: dt.date
    """First day of the reported month."""
    end: dt.date
    """Last day reported (the ``as_of`` of every analysis): the month's last day, or an
    explicit ``as_of`` within the month."""
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
    def as_of(self) -> dt.date:
        """The last day reported (``end``)."""
        return self.end

    def months_ending(self, months: int) -> dt.date:
        """First day of the ``months`` months that end with the reported month."""
        return months_back(self.start, months - 1)

    @property
    def year_start(self) -> dt.date:
        """First day of the twelve months ending with the reported month."""
        return self.months_ending(12)

    @property
    def trend_periods(self) -> int:
        """Months from ``trend_start`` to the reported month, both counted."""
        return months_between(self.trend_start, self.start)

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

    def comparison(self, days: int) -> CompareWith:
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
        last = last_complete_year(self.end)
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


@dataclass(frozen=True, kw_only=True)
class MonthWindow(ReportMonth):
    """A :class:`ReportMonth` with a baseline window ending with the reported month."""

    baseline_start: dt.date
    """First day of the baseline window (e.g. the sick-leave comparison), which ends on
    ``end``."""


def report_month(
    today: dt.date,
    *,
    month: dt.date | None = None,
    trend_months: int = 12,
    latest_data_day: dt.date | None = None,
    first_data_day: dt.date | None = None,
) -> ReportMonth:
    """The month a monthly report covers: the month holding ``month`` when given, else the last
    *complete* month that is both before ``today`` and covered by the data (so a warehouse of
    older public data reports its own last month, not an empty one).

    When the data hold no complete month (e.g. 20 days of an export), the month the data end
    in is reported, marked partial, rather than an empty month. The trend starts
    ``trend_months`` back, but not before the first month the data cover in full.
    """
    if month is not None:
        start = month_start(month)
    else:
        last = last_complete_day(today, latest_data_day)
        following = last + dt.timedelta(days=1)
        start = month_start(last) if following.day == 1 else months_back(last, 1)
        if first_data_day is not None and month_end(start) < first_data_day:
            start = month_start(last)
    trend_start = months_back(start, trend_months - 1)
    if first_data_day is not None:
        first_full = (first_data_day if first_data_day.day == 1
                      else add_months(first_data_day, 1))
        trend_start = min(start, max(trend_start, first_full))
    return ReportMonth(start=start, end=month_end(start), trend_start=trend_start,
                       data_from=first_data_day, data_to=latest_data_day)
