"""Monthly report windows against what the data cover, and sections the data do not allow."""

from __future__ import annotations

import datetime as dt

import pytest

from workbench.errors import InsufficientDataError
from workbench.publish import data_permitting
from workbench.publish.catalog.crime import (
    CallsMonthlyParameters,
    CompstatWeeklyParameters,
    CrimeTrendsMonthlyParameters,
)
from workbench.publish.catalog.workforce import (
    AbsenceDetailParameters,
    FinanceMonthlyParameters,
    StaffingDeploymentParameters,
    WorkforceMonthlyParameters,
)
from workbench.publish.sections import unavailable_note

TODAY = dt.date(2026, 12, 2)


def test_long_history_keeps_the_usual_month_and_trend():
    window = CrimeTrendsMonthlyParameters().window(TODAY, dt.date(2026, 12, 1),
                                                   dt.date(2021, 12, 1))
    assert (window.start, window.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert window.trend_start == dt.date(2023, 12, 1) and window.trend_periods == 36
    assert not window.partial and window.coverage_note == ""
    assert window.comparison(28) == "year_ago"
    # 2021 is covered only from December: the yearly series starts in 2022
    assert window.complete_years(5) == [2022, 2023, 2024, 2025]


def test_eleven_months_of_data_start_the_trend_where_the_data_start():
    """Chicago's 2022 file: 1 January to 30 November."""
    window = CrimeTrendsMonthlyParameters().window(TODAY, dt.date(2022, 11, 30),
                                                   dt.date(2022, 1, 1))
    assert (window.start, window.trend_start, window.trend_periods) == (
        dt.date(2022, 11, 1), dt.date(2022, 1, 1), 11)
    assert window.history_months(minimum=3) == 11
    assert window.comparison(28) == "previous"  # November 2021 is not in the data
    with pytest.raises(InsufficientDataError, match="1 complete calendar year of data up to "
                       "2021 and the data run from 1 January 2022 to 30 November 2022"):
        window.complete_years(5)


def test_a_first_month_covered_only_in_part_is_left_out_of_the_trend():
    window = CrimeTrendsMonthlyParameters().window(TODAY, dt.date(2024, 6, 30),
                                                   dt.date(2023, 3, 17))
    assert window.trend_start == dt.date(2023, 4, 1)
    assert window.comparison(28) == "year_ago"   # 3–30 June 2023 is covered
    assert window.comparison(120) == "previous"  # from 3 March 2023 it would not be


def test_twenty_days_of_calls_report_their_month_marked_partial():
    """San Diego's file: 1 to 20 January 2023. The last complete month before the data end,
    December 2022, holds no data at all, so January is reported, marked partial."""
    window = CallsMonthlyParameters().window(TODAY, dt.date(2023, 1, 20), dt.date(2023, 1, 1))
    assert (window.start, window.end, window.trend_start) == (
        dt.date(2023, 1, 1), dt.date(2023, 1, 31), dt.date(2023, 1, 1))
    assert window.partial and window.data_end == dt.date(2023, 1, 20)
    assert window.coverage_note == ("The data cover only 1 to 20 January 2023 of this month: "
                                    "counts for it are partial.")
    with pytest.raises(InsufficientDataError, match="at least 2 complete months"):
        window.history_months()


def test_an_explicit_month_wins_over_the_data_range():
    window = CallsMonthlyParameters(month=dt.date(2022, 12, 5)).window(
        TODAY, dt.date(2023, 1, 20), dt.date(2023, 1, 1))
    assert window.start == dt.date(2022, 12, 1)
    assert window.partial and window.data_end == dt.date(2022, 12, 31)
    assert window.coverage_note == ("The data hold nothing for this month: the data run from "
                                    "1 January 2023 to 20 January 2023.")


def test_the_weekly_report_ends_on_the_last_complete_sunday_the_data_cover():
    assert CompstatWeeklyParameters().week_end(TODAY) == dt.date(2026, 11, 29)
    assert CompstatWeeklyParameters().week_end(TODAY, dt.date(2022, 11, 30)) == \
        dt.date(2022, 11, 27)
    assert CompstatWeeklyParameters(as_of=dt.date(2026, 6, 3)).week_end(TODAY) == \
        dt.date(2026, 6, 3)


def test_workforce_windows_end_with_the_last_complete_month_or_quarter():
    """The windows of the workforce, deployment, finance and absence reports (the same dates
    as before they came from workbench.periods)."""
    month = WorkforceMonthlyParameters().window(TODAY)
    assert (month.start, month.end, month.trend_start, month.baseline_start, month.year_start) \
        == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), dt.date(2024, 12, 1),
            dt.date(2024, 12, 1), dt.date(2025, 12, 1))
    assert month.label == "November 2026"
    february = WorkforceMonthlyParameters(month=dt.date(2025, 2, 14), trend_months=3,
                                          baseline_months=6).window(TODAY)
    assert (february.end, february.trend_start, february.baseline_start, february.year_start) \
        == (dt.date(2025, 2, 28), dt.date(2024, 12, 1), dt.date(2024, 9, 1), dt.date(2024, 3, 1))

    quarter = StaffingDeploymentParameters().window(TODAY)
    assert (quarter.start, quarter.as_of) == (dt.date(2026, 7, 2), dt.date(2026, 9, 30))
    assert quarter.label == "02 July 2026 to 30 September 2026"
    assert StaffingDeploymentParameters().window(dt.date(2026, 1, 1)).as_of == \
        dt.date(2025, 12, 31)
    assert StaffingDeploymentParameters(as_of=dt.date(2026, 5, 15), weeks=1).window(TODAY) \
        .start == dt.date(2026, 5, 9)

    finance = FinanceMonthlyParameters().window(TODAY)
    assert (finance.as_of, finance.trend_start, finance.label) == (
        dt.date(2026, 11, 30), dt.date(2024, 12, 1), "November 2026")
    mid_month = FinanceMonthlyParameters(as_of=dt.date(2026, 6, 15), trend_months=3).window(TODAY)
    assert (mid_month.as_of, mid_month.trend_start, mid_month.label) == (
        dt.date(2026, 6, 15), dt.date(2026, 4, 1), "June 2026")

    detail = AbsenceDetailParameters().window(TODAY)
    assert (detail.start, detail.as_of) == (dt.date(2025, 12, 2), dt.date(2026, 11, 30))
    assert AbsenceDetailParameters(as_of=dt.date(2026, 1, 4), weeks=4).window(TODAY).start == \
        dt.date(2025, 12, 8)


def test_a_section_the_data_do_not_allow_says_why_and_other_errors_still_fail(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    reached = []
    with data_permitting("Forecast"):
        reached.append("before")
        raise InsufficientDataError("a forecast needs at least 24 months of counts; got 11")
    assert reached == ["before"]
    assert [note.data for note in shown] == [
        "**Forecast not shown.** A forecast needs at least 24 months of counts; got 11."]
    assert unavailable_note("Forecast", "a forecast needs 24 months; got 11") == (
        "**Forecast not shown.** A forecast needs 24 months; got 11.")
    with pytest.raises(ZeroDivisionError), data_permitting("Forecast"):
        _ = 1 / 0
