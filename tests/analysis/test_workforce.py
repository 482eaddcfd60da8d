"""Workforce: absence rates, spells, Bradford factors, sick leave against a baseline, minimum
staffing, overtime, relief factors and small-group protection — on hand-made shifts with known
answers, and on the demo city (the planted high-sick-leave unit)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import workforce
from workbench.analysis._common import AnalysisInputError
from workbench.charts import workforce as workforce_charts
from workbench.demo.signals import SICK_LEAVE_UNIT
from workbench.privacy import PrivacyError

MONDAY = dt.date(2024, 1, 1)  # a Monday


def _shift(officer: str, day: dt.date, *, unit: str = "U1", hours: float = 8.0,
           absence: str | None = None, absence_hours: float | None = None,
           overtime: float = 0.0, reason: str | None = None, cost: float = 0.0,
           start_hour: int = 8, scheduled: float | None = None) -> dict:
    scheduled_hours = hours if scheduled is None else scheduled
    lost = (scheduled_hours if absence else 0.0) if absence_hours is None else absence_hours
    return {"officer_id": officer, "shift_date": day, "unit_id": unit,
            "shift_start": pd.Timestamp(dt.datetime.combine(day, dt.time(start_hour))),
            "scheduled_hours": scheduled_hours, "worked_hours": scheduled_hours - lost + overtime,
            "absence_code": absence, "absence_hours": lost if absence else None,
            "overtime_hours": overtime, "overtime_reason": reason, "overtime_cost": cost}


def _weekdays(start: dt.date, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# ------------------------------------------------------------------------------ absence rates


@pytest.fixture(scope="module")
def two_officers(warehouse_with):
    """A: ten weekday shifts, sick on two; B: ten shifts, one vacation day; C: a call-in."""
    days = _weekdays(MONDAY, 10)
    rows = [_shift("A", d, absence="sick" if i in (2, 3) else None) for i, d in enumerate(days)]
    rows += [_shift("B", d, absence="vacation" if i == 5 else None) for i, d in enumerate(days)]
    rows.append(_shift("C", days[0], scheduled=0.0, overtime=8.0, reason="backfill", cost=600.0))
    units = [{"unit_id": "U1", "division": "D1", "unit_type": "patrol", "minimum_staffing": 2}]
    personnel = [{"officer_id": "A", "rank": "constable", "sworn": True},
                 {"officer_id": "B", "rank": "sergeant", "sworn": True},
                 {"officer_id": "C", "rank": "constable", "sworn": True}]
    return warehouse_with(shifts=rows, units=units, personnel=personnel)


def test_absence_rate_days_lost_and_incidence(two_officers):
    shifts = two_officers.table("shifts")
    rates = workforce.absence_rates(shifts, start=MONDAY, end=MONDAY + dt.timedelta(days=13),
                                    by=())
    row = rates.iloc[0]
    # unplanned absence only: A's 16 sick hours over 160 scheduled hours (C has none scheduled)
    assert row["people"] == 2 and row["people_absent"] == 1
    assert row["scheduled_hours"] == 160 and row["absence_hours"] == 16
    assert row["absence_rate"] == pytest.approx(0.10)
    assert row["days_lost_per_fte"] == pytest.approx(25.0)
    assert row["incidence"] == pytest.approx(0.5)
    every_code = workforce.absence_rates(shifts, start=MONDAY, end=MONDAY + dt.timedelta(days=13),
                                         by=(), absence_codes=workforce.ABSENCE_CODES)
    assert every_code["absence_rate"].iloc[0] == pytest.approx(24 / 160)
    assert every_code["incidence"].iloc[0] == pytest.approx(1.0)


def test_absence_rates_by_rank_and_month_join_personnel(two_officers):
    shifts, personnel = two_officers.tables("shifts", "personnel")
    rates = workforce.absence_rates(shifts, start=MONDAY, end=MONDAY + dt.timedelta(days=13),
                                    by=("rank",), period="month", personnel=personnel,
                                    absence_codes=("sick", "vacation"))
    by_rank = rates.set_index("rank")
    assert by_rank.loc["constable", "absence_rate"] == pytest.approx(16 / 80)
    assert by_rank.loc["sergeant", "absence_rate"] == pytest.approx(8 / 80)
    assert (rates["period_start"] == pd.Timestamp("2024-01-01")).all()
    with pytest.raises(AnalysisInputError, match="personnel"):
        workforce.absence_rates(shifts, start=MONDAY, end=MONDAY, by=("rank",))
    with pytest.raises(AnalysisInputError, match="flu"):
        workforce.absence_rates(shifts, start=MONDAY, end=MONDAY, absence_codes=("flu",))


def test_absence_by_type_shares_add_up_to_the_absence_rate(two_officers):
    shifts = two_officers.table("shifts")
    end = MONDAY + dt.timedelta(days=13)
    by_type = workforce.absence_by_type(shifts, start=MONDAY, end=end)
    assert list(by_type["absence_code"]) == list(workforce.ABSENCE_CODES)
    shares = by_type.set_index("absence_code")["absence_rate"]
    assert shares["sick"] == pytest.approx(0.10) and shares["vacation"] == pytest.approx(0.05)
    assert shares.drop(["sick", "vacation"]).eq(0).all()
    total = workforce.absence_rates(shifts, start=MONDAY, end=end, by=(),
                                    absence_codes=workforce.ABSENCE_CODES)["absence_rate"].iloc[0]
    assert shares.sum() == pytest.approx(total)


# ------------------------------------------------------------------------------ spells


@pytest.fixture(scope="module")
def spells_warehouse(warehouse_with):
    """A works Mon–Fri for three weeks: sick Mon–Tue of week 1 (2 shifts, short-term), then
    sick from Thursday of week 1 to Friday of week 2 (7 scheduled shifts across a weekend:
    long-term); works again in week 3, sick on its Wednesday, then Thursday is vacation."""
    days = _weekdays(MONDAY, 15)
    sick = {0, 1, 3, 4, 5, 6, 7, 8, 9, 12}
    rows = [_shift("A", d, absence="sick" if i in sick else "vacation" if i == 13 else None)
            for i, d in enumerate(days)]
    rows += [_shift("B", d) for d in days]
    return warehouse_with(shifts=rows)


def test_spells_run_over_rest_days_and_split_on_a_worked_shift(spells_warehouse):
    shifts = spells_warehouse.table("shifts")
    end = MONDAY + dt.timedelta(days=20)
    spells = workforce.officer_absence_spells(shifts, start=MONDAY, end=end,
                                              audience="restricted", absence_codes=("sick",))
    assert sorted(spells["shifts"].tolist()) == [1, 2, 7]
    long_spell = spells.loc[spells["shifts"] == 7].iloc[0]
    assert long_spell["long_term"]
    assert long_spell["first_date"] == pd.Timestamp("2024-01-04")
    assert long_spell["last_date"] == pd.Timestamp("2024-01-12")
    summary = workforce.absence_spell_summary(shifts, start=MONDAY, end=end, by=(),
                                              absence_codes=("sick",)).iloc[0]
    assert (summary["spells"], summary["short_term_spells"], summary["long_term_spells"]) == \
        (3, 2, 1)
    assert summary["long_term_hours"] == 56 and summary["short_term_hours"] == 24
    assert summary["people"] == 1


def test_a_spell_is_counted_in_the_period_it_starts(spells_warehouse):
    shifts = spells_warehouse.table("shifts")
    # from Friday 5 January: only the spell of Wednesday 17 January starts in the window,
    # and the long spell (started 4 January) keeps its whole length.
    spells = workforce.officer_absence_spells(shifts, start=dt.date(2024, 1, 5),
                                              end=dt.date(2024, 1, 31), audience="restricted",
                                              absence_codes=("sick",))
    assert spells["first_date"].tolist() == [pd.Timestamp("2024-01-17")]


def test_bradford_factor_is_spells_squared_times_days_and_restricted(spells_warehouse):
    shifts = spells_warehouse.table("shifts")
    factors = workforce.bradford_factors(shifts, as_of=dt.date(2024, 1, 31),
                                         audience="restricted")
    row = factors.set_index("officer_id").loc["A"]
    assert (row["spells"], row["days"]) == (3, 10)
    assert row["bradford_factor"] == 3**2 * 10
    assert "B" not in set(factors["officer_id"])
    for audience in ("internal", "public"):
        with pytest.raises(PrivacyError, match="restricted"):
            workforce.bradford_factors(shifts, as_of=dt.date(2024, 1, 31), audience=audience)
        with pytest.raises(PrivacyError, match="restricted"):
            workforce.officer_absence_spells(shifts, start=MONDAY, end=MONDAY, audience=audience)


# ------------------------------------------------------------------------------ relief factor


def test_relief_factor_reproduces_the_worked_example(warehouse_with):
    """One officer, 2023: 260 weekday shifts of 8 h = 2,080 scheduled hours, 382 absent
    (47 sick days and a 6-hour court absence); an 8-hour post all year = 2,920 hours."""
    days = _weekdays(dt.date(2023, 1, 2), 260)
    assert days[-1] == dt.date(2023, 12, 29)
    rows = []
    for i, day in enumerate(days):
        if i < 47:
            rows.append(_shift("A", day, absence="sick"))
        elif i == 47:
            rows.append(_shift("A", day, absence="court", absence_hours=6.0))
        else:
            rows.append(_shift("A", day))
    warehouse = warehouse_with(shifts=rows, personnel=[
        {"officer_id": "A", "hired_on": dt.date(2015, 5, 1), "left_on": None}])
    relief = workforce.relief_factors(warehouse.table("shifts"), warehouse.table("personnel"),
                                      start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    row = relief.iloc[0]
    assert row["fte"] == pytest.approx(1.0)
    assert row["scheduled_hours_per_fte"] == pytest.approx(2080)
    assert row["absence_hours_per_fte"] == pytest.approx(382)
    assert row["net_available_hours_per_fte"] == pytest.approx(1698)
    assert row["relief_factor"] == pytest.approx(2920 / 1698)
    assert round(row["relief_factor"], 2) == 1.72


def test_relief_factor_counts_part_year_members_as_part_fte(warehouse_with):
    """Two officers with the same pattern, one hired half way: the unit has 1.5 FTE and the
    same hours per FTE as a single full-year officer."""
    days = _weekdays(dt.date(2023, 1, 2), 260)
    second_half = [d for d in days if d >= dt.date(2023, 7, 2)]
    rows = [_shift("A", d) for d in days] + [_shift("B", d) for d in second_half]
    personnel = [{"officer_id": "A", "hired_on": dt.date(2010, 1, 1)},
                 {"officer_id": "B", "hired_on": dt.date(2023, 7, 2)}]
    warehouse = warehouse_with(shifts=rows, personnel=personnel)
    row = workforce.relief_factors(warehouse.table("shifts"), warehouse.table("personnel"),
                                   start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)).iloc[0]
    assert row["fte"] == pytest.approx(1 + 183 / 365)
    assert row["scheduled_hours_per_fte"] == pytest.approx(
        8 * (260 + len(second_half)) / (1 + 183 / 365))


# ------------------------------------------------------------------------------ staffing


@pytest.fixture(scope="module")
def platoon(warehouse_with):
    """Unit P (minimum 3) over three dates:
    day 1: 4 scheduled, 1 absent → 3 present, fine;
    day 2: 4 scheduled, 2 absent → 2 present (short), one member called in → 3 on duty;
    day 3: 3 scheduled, 2 absent → 1 present, nobody called in → still short by 2."""
    d1, d2, d3 = MONDAY, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    rows = []
    for day, absent in ((d1, {"A"}), (d2, {"A", "B"}), (d3, {"A", "B"})):
        for officer in ("A", "B", "C", "D") if day != d3 else ("A", "B", "C"):
            rows.append(_shift(officer, day, unit="P", hours=12.0, start_hour=7,
                               absence="sick" if officer in absent else None))
    rows.append(_shift("E", d2, unit="P", scheduled=0.0, overtime=12.0, reason="backfill",
                       cost=900.0, start_hour=7))
    rows.append(_shift("F", d1, unit="Q", overtime=2.0, reason="court", cost=150.0))
    units = [{"unit_id": "P", "division": "D1", "unit_type": "patrol", "minimum_staffing": 3},
             {"unit_id": "Q", "division": "D1", "unit_type": "investigative",
              "minimum_staffing": None}]
    return warehouse_with(shifts=rows, units=units)


def test_shift_staffing_against_minimum_before_and_after_backfill(platoon):
    shifts, units = platoon.tables("shifts", "units")
    frame = workforce.shift_staffing(shifts, units, start=MONDAY,
                                     end=MONDAY + dt.timedelta(days=6))
    assert frame["unit_id"].unique().tolist() == ["P"]  # Q has no minimum staffing
    rows = frame.set_index(frame["shift_date"].dt.day)
    assert rows["scheduled"].tolist() == [4, 4, 3]
    assert rows["present_scheduled"].tolist() == [3, 2, 1]
    assert rows["called_in"].tolist() == [0, 1, 0]
    assert rows["on_duty"].tolist() == [3, 3, 1]
    assert rows["below_minimum_before_backfill"].tolist() == [False, True, True]
    assert rows["below_minimum"].tolist() == [False, False, True]
    assert rows["shortfall"].tolist() == [0, 0, 2]
    assert rows.loc[2, "availability"] == pytest.approx(0.5)
    assert rows.loc[2, "backfill_overtime_cost"] == 900.0


def test_staffing_levels_summarise_shifts_per_unit(platoon):
    shifts, units = platoon.tables("shifts", "units")
    levels = workforce.staffing_levels(shifts, units, start=MONDAY,
                                       end=MONDAY + dt.timedelta(days=6), period="month")
    row = levels.iloc[0]
    assert (row["shifts"], row["shifts_below_minimum_before_backfill"],
            row["shifts_below_minimum"]) == (3, 2, 1)
    assert row["people"] == 5  # A–D scheduled, E called in
    assert row["availability"] == pytest.approx(6 / 11)
    assert row["mean_on_duty"] == pytest.approx(7 / 3)
    assert row["backfill_overtime_hours"] == 12.0


def test_overtime_by_reason(platoon):
    overtime = workforce.overtime_summary(platoon.table("shifts"), start=MONDAY,
                                          end=MONDAY + dt.timedelta(days=6),
                                          by=("overtime_reason",))
    by_reason = overtime.set_index("overtime_reason")
    assert set(by_reason.index) == {"backfill", "court"}
    assert by_reason.loc["backfill", "overtime_cost"] == 900.0
    assert by_reason.loc["court", "overtime_hours"] == 2.0
    assert by_reason.loc["backfill", "people_with_overtime"] == 1


def test_a_unit_without_minimum_staffing_gives_zero_shifts_not_an_error(platoon):
    shifts, units = platoon.tables("shifts", "units")
    scope = workforce.for_unit(shifts, "Q")
    levels = workforce.staffing_levels(scope, units, start=MONDAY,
                                       end=MONDAY + dt.timedelta(days=6), by=())
    assert levels["shifts"].tolist() == [0] and levels["backfill_overtime_cost"].tolist() == [0.0]
    assert workforce.single_value(levels, "shifts") == 0.0
    assert workforce.single_value(levels.iloc[0:0], "shifts") is None
    assert workforce.single_value(levels, "availability") is None  # no shift to divide by
    assert workforce.for_unit(shifts, None) is shifts


# ------------------------------------------------------------------------------ baseline


def test_sick_leave_against_the_service_rate_on_a_fixture(warehouse_with):
    """Three units of ten members, ten shifts each in January: U1 has 4 one-shift sick spells,
    U2 6, U3 20. Each unit's expected count is its 100 shifts × the other units' rate."""
    days = _weekdays(MONDAY, 10)
    spells = {"U1": 4, "U2": 6, "U3": 20}
    rows = []
    for unit, count in spells.items():
        for member in range(10):
            officer = f"{unit}-{member}"
            # spells on shifts 1 and 5 of the first members (never adjacent: one shift each)
            sick_shifts = {1, 5} if member < count // 2 else set()
            rows += [_shift(officer, d, unit=unit, absence="sick" if i in sick_shifts else None)
                     for i, d in enumerate(days)]
    warehouse = warehouse_with(shifts=rows)
    result = workforce.sick_leave_against_baseline(
        warehouse.table("shifts"), start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31))
    units = result.units.set_index("unit_id")
    assert units.loc["U3", "expected_spells"] == pytest.approx(100 * (4 + 6) / 200)
    assert units.loc["U1", "expected_spells"] == pytest.approx(100 * (6 + 20) / 200)
    assert units.loc["U2", "expected_spells"] == pytest.approx(100 * (4 + 20) / 200)
    assert units.loc["U3", "ratio"] == pytest.approx(4.0)
    assert units.loc["U3", "flag"] == "above"
    assert not units.loc["U2", "flagged"]
    assert result.interval_level == pytest.approx(1 - 0.01 / 3)
    month = result.monthly.set_index("unit_id").loc["U3"]
    assert month["upper_limit"] == pytest.approx(5 + 3 * np.sqrt(5))
    assert bool(month["above_limit"])


# ------------------------------------------------------------------------------ privacy


def test_protect_small_groups_hides_every_figure_about_fewer_than_k_people():
    frame = pd.DataFrame({"unit_id": ["A", "B", "C", "D"], "people": [3, 30, 40, 25],
                          "people_absent": [1, 12, 4, 15],
                          "absence_rate": [0.2, 0.05, 0.04, 0.06],
                          "incidence": [1 / 3, 0.4, 0.1, 0.6]})
    before = frame.copy()
    protected = workforce.protect_small_groups(
        frame, dimensions=["unit_id"], attribute_counts={"people_absent": ("incidence",)},
        threshold=10)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    rows = protected.set_index("unit_id")
    assert rows.loc["A", ["people", "people_absent", "absence_rate", "incidence"]].isna().all()
    # complementary suppression: the small group cannot be recovered from the total
    assert protected["people"].isna().sum() >= 2
    assert pd.isna(rows.loc["C", "people_absent"]) and pd.isna(rows.loc["C", "incidence"])
    assert rows.loc["C", "absence_rate"] == 0.04 or pd.isna(rows.loc["C", "people"])
    shown = protected.dropna(subset=["people"])
    assert (shown["people"] >= 10).all()
    assert protected["suppressed"].dtype == bool and protected.loc[0, "suppressed"]
    single = workforce.protect_small_groups(frame.iloc[[0]], dimensions=[], threshold=10)
    assert single["absence_rate"].isna().all()
    assert workforce.single_value(single, "people") is None
    with pytest.raises(AnalysisInputError, match="members"):
        workforce.protect_small_groups(frame, dimensions=["unit_id"], people="members")


# ------------------------------------------------------------------------------ demo city


@pytest.fixture(scope="module")
def demo_comparison(demo_warehouse, demo_end_date):
    end = demo_end_date.replace(day=1) - dt.timedelta(days=1)  # the last complete month
    start = dt.date(end.year - 2, end.month, 1) + dt.timedelta(days=31)
    start = start.replace(day=1)  # 24 months ending with the last complete month
    return workforce.sick_leave_against_baseline(demo_warehouse.table("shifts"), start=start,
                                                 end=end)


def test_the_planted_sick_leave_unit_is_flagged_and_no_other(demo_comparison):
    flagged = demo_comparison.units.loc[demo_comparison.units["flagged"]]
    assert flagged["unit_id"].tolist() == [SICK_LEAVE_UNIT.unit_id]
    assert flagged["flag"].iloc[0] == "above"
    assert len(demo_comparison.units) >= 50  # every unit was compared
    ratio = flagged["ratio"].iloc[0]
    assert 1.4 < ratio < SICK_LEAVE_UNIT.sick_rate_multiplier * 1.3


def test_demo_sick_rates_match_the_planted_strength(demo_warehouse, demo_end_date):
    end = demo_end_date.replace(day=1) - dt.timedelta(days=1)
    start = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=31)
    rates = workforce.absence_rates(demo_warehouse.table("shifts"), start=start.replace(day=1),
                                    end=end, absence_codes=("sick",)).set_index("unit_id")
    planted = rates.loc[SICK_LEAVE_UNIT.unit_id, "absence_rate"]
    others = rates.drop(SICK_LEAVE_UNIT.unit_id)
    pooled = others["absence_hours"].sum() / others["scheduled_hours"].sum()
    assert pooled == pytest.approx(SICK_LEAVE_UNIT.expected_other_units_sick_rate, rel=0.3)
    assert 1.4 < planted / pooled < 2.8


def test_workforce_charts_validate_and_stay_small(demo_warehouse, demo_comparison,
                                                  demo_end_date):
    shifts, units, personnel = demo_warehouse.tables("shifts", "units", "personnel")
    end = demo_end_date.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    trend = workforce.absence_rates(shifts, start=dt.date(end.year - 1, 1, 1), end=end, by=(),
                                    period="month")
    by_type = workforce.absence_by_type(shifts, start=dt.date(end.year - 1, 1, 1), end=end,
                                        period="month")
    levels = workforce.staffing_levels(shifts, units, start=start, end=end)
    overtime = workforce.overtime_summary(shifts, start=start, end=end, by=("overtime_reason",),
                                          period="month")
    relief = workforce.relief_factors(shifts, personnel, start=dt.date(end.year - 1, 1, 1),
                                      end=end)
    charts = [
        workforce_charts.absence_rate_trend_chart(trend),
        workforce_charts.absence_by_type_chart(by_type),
        workforce_charts.sick_leave_baseline_chart(demo_comparison.units),
        workforce_charts.sick_leave_unit_chart(demo_comparison.monthly,
                                               unit_id=SICK_LEAVE_UNIT.unit_id),
        workforce_charts.minimum_staffing_chart(levels),
        workforce_charts.overtime_chart(overtime),
        workforce_charts.relief_factor_chart(relief),
        workforce_charts.spell_length_chart(pd.DataFrame({"shifts": [1, 2, 7, 40]})),
        workforce_charts.bradford_distribution_chart(pd.DataFrame({"bradford_factor": [9, 640]})),
    ]
    for chart in charts:
        spec = chart.to_dict()  # validates against the Vega-Lite schema
        datasets = spec.get("datasets", {})
        assert datasets and all(len(rows) <= 200 for rows in datasets.values())
        assert not any("officer_id" in row for rows in datasets.values() for row in rows)


def test_the_report_asks_once_for_its_audience(two_officers):
    """``for_audience``: an internal report gets every aggregate with small groups hidden,
    grouped as the call asks; the restricted one gets the frames as computed and the
    person-level ones, which an internal report is refused."""
    shifts, personnel = two_officers.tables("shifts", "personnel")
    window = {"start": MONDAY, "end": MONDAY + dt.timedelta(days=13)}
    raw = workforce.absence_rates(shifts, by=("rank",), personnel=personnel, **window)
    internal = workforce.for_audience("internal", threshold=10)
    assert internal.audience == "internal"
    shown = internal.absence_rates(shifts, by=("rank",), personnel=personnel, **window)
    pd.testing.assert_frame_equal(shown, workforce.protect_small_groups(
        raw, dimensions=["rank"], attribute_counts={"people_absent": ("incidence",)},
        threshold=10))
    assert shown["absence_rate"].isna().all() and shown["suppressed"].all()  # 1 and 1 members
    monthly = internal.absence_by_type(shifts, period="month", **window)
    assert monthly["suppressed"].all() and monthly["absence_hours"].isna().all()
    restricted = workforce.for_audience("restricted", threshold=10)
    pd.testing.assert_frame_equal(
        restricted.absence_rates(shifts, by=("rank",), personnel=personnel, **window), raw)
    assert restricted.officer_absence_spells(shifts, **window)["officer_id"].tolist() == ["A"]
    with pytest.raises(PrivacyError, match="restricted audience"):
        internal.bradford_factors(shifts, as_of=window["end"])
