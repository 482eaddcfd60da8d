"""Calendar arithmetic and report windows (workbench.periods), checked against dates worked out
by hand, against pandas' periods and against a day-by-day walk of the calendar."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from workbench import periods
from workbench.errors import AnalysisInputError

# ------------------------------------------------------------------------------ arithmetic


def test_month_arithmetic_by_hand():
    assert periods.add_months(dt.date(2024, 11, 17), 3) == dt.date(2025, 2, 1)
    assert periods.add_months(dt.date(2024, 1, 31), -1) == dt.date(2023, 12, 1)
    assert periods.months_back(dt.date(2026, 11, 1), 35) == dt.date(2023, 12, 1)
    assert periods.month_start(dt.date(2024, 2, 29)) == dt.date(2024, 2, 1)
    assert periods.month_end(dt.date(2024, 2, 3)) == dt.date(2024, 2, 29)
    assert periods.month_end(dt.date(2023, 2, 3)) == dt.date(2023, 2, 28)
    assert periods.month_end(dt.date(2024, 12, 31)) == dt.date(2024, 12, 31)
    assert periods.months_between(dt.date(2023, 12, 1), dt.date(2026, 11, 30)) == 36
    assert periods.quarter_start(dt.date(2026, 12, 2)) == dt.date(2026, 10, 1)
    assert periods.quarter_start(dt.date(2026, 3, 31)) == dt.date(2026, 1, 1)


def test_add_months_agrees_with_pandas_over_twenty_years():
    for day in pd.date_range("2010-01-01", "2030-12-31", freq="13D").date:
        for months in (-25, -12, -1, 0, 1, 11, 13):
            expected = (pd.Timestamp(day).to_period("M") + months).start_time.date()
            assert periods.add_months(day, months) == expected, (day, months)


def test_one_year_earlier_and_fiscal_years():
    assert periods.one_year_earlier(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    assert periods.one_year_earlier(dt.date(2024, 3, 1)) == dt.date(2023, 3, 1)
    assert periods.fiscal_year_start(dt.date(2026, 3, 31), 4) == dt.date(2025, 4, 1)
    assert periods.fiscal_year_start(dt.date(2026, 4, 1), 4) == dt.date(2026, 4, 1)
    assert periods.fiscal_year_of(dt.date(2026, 3, 31), 4) == 2025
    assert periods.fiscal_year_of(dt.date(2026, 3, 31)) == 2026
    with pytest.raises(AnalysisInputError, match="fiscal_year_start_month must be 1 to 12"):
        periods.fiscal_year_start(dt.date(2026, 1, 1), 13)


@pytest.mark.parametrize("period", ["day", "week", "month", "year"])
def test_periods_tile_the_calendar(period):
    """Consecutive periods from period_starts cover every day once, and each day's period
    starts on period_start_of(day)."""
    start, end = dt.date(2023, 12, 20), dt.date(2024, 3, 5)
    starts = periods.period_starts(start, end, period)
    for first, following in zip(starts, starts[1:], strict=False):
        assert periods.next_period_start(first, period) == following
        assert periods.previous_period_start(following, period) == first
        assert periods.period_end(first, period) == following - dt.timedelta(days=1)
    day = start
    while day <= end:
        first = periods.period_start_of(day, period)
        assert first in starts and first <= day <= periods.period_end(first, period)
        day += dt.timedelta(days=1)


def test_period_starts_by_hand_and_unknown_period():
    assert periods.period_start_of(dt.date(2026, 12, 2), "week") == dt.date(2026, 11, 30)
    assert periods.period_starts(dt.date(2024, 11, 15), dt.date(2025, 1, 2), "month") == [
        dt.date(2024, 11, 1), dt.date(2024, 12, 1), dt.date(2025, 1, 1)]
    with pytest.raises(AnalysisInputError, match="period must be one of day, week, month, year"):
        periods.period_start_of(dt.date(2026, 1, 1), "fortnight")


def test_last_complete_day_week_month_year():
    today = dt.date(2026, 12, 2)  # a Wednesday
    assert periods.last_complete_day(today) == dt.date(2026, 12, 1)
    assert periods.last_complete_day(today, dt.date(2022, 11, 30)) == dt.date(2022, 11, 30)
    assert periods.last_complete_week_end(today) == dt.date(2026, 11, 29)  # a Sunday
    assert periods.last_complete_week_end(dt.date(2026, 11, 30)) == dt.date(2026, 11, 29)
    assert periods.last_complete_week_end(today, dt.date(2026, 11, 25)) == dt.date(2026, 11, 22)
    assert periods.last_complete_month(today) == dt.date(2026, 11, 1)
    assert periods.last_complete_month(dt.date(2026, 1, 1)) == dt.date(2025, 12, 1)
    assert periods.last_complete_year(dt.date(2026, 12, 31)) == 2026
    assert periods.last_complete_year(dt.date(2026, 12, 30)) == 2025


def test_complete_years_with_a_grace_period_in_january():
    assert periods.complete_years(dt.date(2021, 1, 9), dt.date(2023, 12, 31)) == [2021, 2022, 2023]
    assert periods.complete_years(dt.date(2021, 1, 20), dt.date(2023, 12, 30)) == [2022]
    assert periods.complete_years(None, dt.date(2023, 12, 31)) == []


def test_as_date_reads_timestamps_dates_and_missing_values():
    assert periods.as_date(pd.Timestamp("2024-05-06 13:00")) == dt.date(2024, 5, 6)
    assert periods.as_date(dt.datetime(2024, 5, 6, 23, 59)) == dt.date(2024, 5, 6)
    assert periods.as_date(dt.date(2024, 5, 6)) == dt.date(2024, 5, 6)
    assert periods.as_date(pd.NaT) is None and periods.as_date(None) is None


# ------------------------------------------------------------------------------ comparison windows


def test_compstat_windows_against_a_year_earlier():
    windows = {w.period: w for w in periods.compstat_windows(dt.date(2024, 2, 29))}
    assert list(windows) == list(periods.COMPSTAT_PERIODS)
    last_7 = windows["last_7_days"]
    assert (last_7.current_start, last_7.current_end) == (dt.date(2024, 2, 23), dt.date(2024, 2, 29))
    assert (last_7.past_start, last_7.past_end) == (dt.date(2023, 2, 22), dt.date(2023, 2, 28))
    year_to_date = windows["year_to_date"]
    assert (year_to_date.current_days, year_to_date.past_days) == (60, 59)
    assert windows["last_365_days"].current_days == 365
    with pytest.raises(AnalysisInputError, match="unknown CompStat period 'last_week'"):
        periods.compstat_windows(dt.date(2024, 2, 29), ["last_week"])


def test_change_windows_year_ago_or_previous():
    year_ago = periods.change_windows(dt.date(2024, 6, 30), 28, "year_ago")
    assert (year_ago.current_start, year_ago.past_start, year_ago.past_end) == (
        dt.date(2024, 6, 3), dt.date(2023, 6, 3), dt.date(2023, 6, 30))
    previous = periods.change_windows(dt.date(2024, 6, 30), 28, "previous")
    assert (previous.past_start, previous.past_end) == (dt.date(2024, 5, 6), dt.date(2024, 6, 2))
    assert previous.period == "" and previous.current_days == previous.past_days == 28
    with pytest.raises(AnalysisInputError, match="positive whole number of days"):
        periods.change_windows(dt.date(2024, 6, 30), 0, "previous")
    with pytest.raises(AnalysisInputError, match="compare_with must be"):
        periods.change_windows(dt.date(2024, 6, 30), 7, "last_year")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ report windows


def test_day_window_of_whole_weeks():
    window = periods.DayWindow.weeks_ending(dt.date(2026, 9, 30), 13)
    assert window.start == dt.date(2026, 7, 2) and (window.as_of - window.start).days == 90
    assert window.label == "02 July 2026 to 30 September 2026"


def test_report_month_and_its_month_windows():
    month = periods.report_month(dt.date(2026, 12, 2), trend_months=24)
    assert (month.start, month.end, month.as_of) == (
        dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2026, 11, 30))
    assert month.trend_start == dt.date(2024, 12, 1) and month.trend_periods == 24
    assert month.year_start == dt.date(2025, 12, 1) == month.months_ending(12)
    assert month.label == "November 2026" and not month.partial
    # a day of the month given: that month, whatever today is
    assert periods.report_month(dt.date(2026, 12, 2), month=dt.date(2025, 2, 14)).end == \
        dt.date(2025, 2, 28)
    # today on the first of a month: the month just ended is complete
    assert periods.report_month(dt.date(2026, 12, 1)).start == dt.date(2026, 11, 1)
    baseline = periods.MonthWindow(start=month.start, end=month.end,
                                   trend_start=month.trend_start,
                                   baseline_start=month.months_ending(24))
    assert baseline.baseline_start == dt.date(2024, 12, 1) and baseline.label == "November 2026"
