"""Finance: budget against actual, year to date, the year-end projection with its interval (on
ledgers with a known answer), fiscal years, and approved against actual strength."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from scipy import stats as scipy_stats

from workbench.analysis import finance
from workbench.analysis._common import AnalysisInputError
from workbench.charts import finance as finance_charts


def _ledger(cost_centre: str, account: str, year: int, budgets: list[float],
            actuals: list[float | None], *, first_month: int = 1) -> list[dict]:
    rows = []
    for offset, (budget, actual) in enumerate(zip(budgets, actuals, strict=True)):
        index = year * 12 + first_month - 1 + offset
        rows.append({"cost_centre": cost_centre, "cost_centre_name": f"{cost_centre} name",
                     "account": account, "month": dt.date(index // 12, index % 12 + 1, 1),
                     "budget": budget, "actual": actual, "source": "test"})
    return rows


@pytest.fixture(scope="module")
def ledger(warehouse_with):
    """Cost centre A, 2024: salaries budget 100 a month, actuals 110, 90, 100 for January to
    March (then open); overtime 10 a month, actuals 15, 15, 15; revenue 50 a month (never
    spending). Cost centre B: salaries 200 a month, every month closed at 210."""
    rows = _ledger("A", "salaries", 2024, [100.0] * 12, [110.0, 90.0, 100.0] + [None] * 9)
    rows += _ledger("A", "overtime", 2024, [10.0] * 12, [15.0] * 3 + [None] * 9)
    rows += _ledger("A", "revenue", 2024, [50.0] * 12, [55.0] * 3 + [None] * 9)
    rows += _ledger("B", "salaries", 2024, [200.0] * 12, [210.0] * 12)
    return warehouse_with(finance=rows)


def test_projection_with_a_known_answer(ledger):
    projection = finance.year_end_projection(ledger.table("finance"), as_of=dt.date(2024, 3, 31),
                                             accounts=("salaries",), level=0.90)
    a = projection.set_index("cost_centre").loc["A"]
    # R = 300 / 300 = 1; projection = 300 + 1 × 900
    assert a["closed_months"] == 3 and a["ratio_to_date"] == pytest.approx(1.0)
    assert a["projection"] == pytest.approx(1200.0)
    # monthly ratios 1.1, 0.9, 1.0: s = 0.1; nine remaining budgets of 100
    variance = 0.1**2 * (9 * 100**2) + (0.1**2 / 3) * 900**2  # 900 + 2,700 = 3,600
    margin = scipy_stats.t.ppf(0.95, 2) * math.sqrt(variance)
    assert margin == pytest.approx(2.919986 * 60, rel=1e-6)
    assert a["projection_lower"] == pytest.approx(1200 - margin)
    assert a["projection_upper"] == pytest.approx(1200 + margin)
    assert a["projected_variance"] == pytest.approx(0.0) and a["basis"] == "ratio"
    b = projection.set_index("cost_centre").loc["B"]
    assert b["basis"] == "ratio" and b["projection"] == pytest.approx(630 + 1.05 * 1800)
    year_end = finance.year_end_projection(ledger.table("finance"), as_of=dt.date(2024, 12, 31),
                                           accounts=("salaries",)).set_index("cost_centre")
    assert year_end.loc["B", "basis"] == "actual"
    assert year_end.loc["B", "projection"] == pytest.approx(12 * 210)
    assert year_end.loc["B", "projection_lower"] == pytest.approx(2520)


def test_an_overspend_to_date_carries_into_the_projection(ledger):
    projection = finance.year_end_projection(ledger.table("finance"), as_of=dt.date(2024, 3, 31),
                                             accounts=("overtime",)).iloc[0]
    # 45 spent against 30: R = 1.5; 45 + 1.5 × 90 = 180; every month's ratio was 1.5 (s = 0)
    assert projection["projection"] == pytest.approx(180.0)
    assert projection["projection_lower"] == pytest.approx(180.0)
    assert projection["projected_variance"] == pytest.approx(60.0)


def test_spending_excludes_revenue_and_open_months_are_not_underspends(ledger):
    table = ledger.table("finance")
    monthly = finance.budget_vs_actual(table, by=("cost_centre",))
    january = monthly.set_index(["cost_centre", "month"]).loc[("A", pd.Timestamp("2024-01-01"))]
    assert january["budget"] == 110.0 and january["actual"] == 125.0  # salaries + overtime
    april = monthly.set_index(["cost_centre", "month"]).loc[("A", pd.Timestamp("2024-04-01"))]
    assert not april["closed"] and pd.isna(april["actual"]) and pd.isna(april["variance"])
    to_date = finance.year_to_date(table, as_of=dt.date(2024, 3, 31)).set_index("cost_centre")
    assert to_date.loc["A", "budget_to_date"] == 330.0 and to_date.loc["A", "actual_to_date"] == 345.0
    assert to_date.loc["A", "annual_budget"] == 1320.0
    revenue = finance.year_to_date(table, as_of=dt.date(2024, 3, 31), accounts=("revenue",))
    assert revenue.set_index("cost_centre").loc["A", "actual_to_date"] == 165.0


def test_months_after_as_of_do_not_count_even_when_closed(ledger):
    projection = finance.year_end_projection(ledger.table("finance"), as_of=dt.date(2024, 2, 29),
                                             accounts=("salaries",)).set_index("cost_centre")
    assert projection.loc["A", "closed_months"] == 2
    assert projection.loc["B", "closed_months"] == 2 and projection.loc["B", "basis"] == "ratio"
    assert projection.loc["A", "projection"] == pytest.approx(200 + 1.0 * 1000)


def test_a_year_without_closed_months_projects_the_budget(warehouse_with):
    rows = _ledger("S", "total", 2020, [1000.0] * 12, [None] * 12)
    table = warehouse_with(finance=rows).table("finance")
    projection = finance.year_end_projection(table, as_of=dt.date(2020, 6, 30)).iloc[0]
    assert projection["basis"] == "budget" and projection["projection"] == 12000.0
    assert math.isnan(projection["projection_lower"])
    assert projection["closed_months"] == 0


def test_fiscal_years_starting_in_april(warehouse_with):
    rows = _ledger("F", "salaries", 2024, [100.0] * 12, [120.0, 120.0] + [None] * 10,
                   first_month=4)
    table = warehouse_with(finance=rows).table("finance")
    assert finance.fiscal_year_start(dt.date(2025, 2, 10), 4) == dt.date(2024, 4, 1)
    assert finance.fiscal_year_of(dt.date(2024, 3, 31), 4) == 2023
    projection = finance.year_end_projection(table, as_of=dt.date(2024, 5, 31),
                                             fiscal_year_start_month=4).iloc[0]
    assert projection["fiscal_year"] == 2024 and projection["closed_months"] == 2
    assert projection["projection"] == pytest.approx(240 + 1.2 * 1000)
    with pytest.raises(AnalysisInputError, match="1 to 12"):
        finance.fiscal_year_start(dt.date(2024, 1, 1), 13)


def test_staffing_strength_and_vacancies(warehouse_with):
    rows = [{"year": 2020, "command": "Patrol", "category": "sworn", "approved": 100.0,
             "actual": 92.0, "source": "a"},
            {"year": 2020, "command": "Patrol", "category": "civilian", "approved": 10.0,
             "actual": 10.5, "source": "a"},
            {"year": 2020, "command": "Budget only", "category": "sworn", "approved": 7.0,
             "actual": None, "source": "b"}]
    table = warehouse_with(staffing=rows).table("staffing")
    strength = finance.staffing_strength(table).set_index(["command", "category"])
    assert strength.loc[("Patrol", "sworn"), "vacancies"] == 8.0
    assert strength.loc[("Patrol", "sworn"), "vacancy_rate"] == pytest.approx(0.08)
    assert strength.loc[("Patrol", "civilian"), "vacancies"] == -0.5
    assert pd.isna(strength.loc[("Budget only", "sworn"), "actual"])
    assert pd.isna(strength.loc[("Budget only", "sworn"), "vacancies"])
    by_source = finance.staffing_strength(table, by=("source",), sources=["a"])
    assert by_source["approved"].tolist() == [110.0]


def test_finance_charts_validate(ledger):
    table = ledger.table("finance")
    as_of = dt.date(2024, 3, 31)
    monthly = finance.budget_vs_actual(table, by=())
    projection = finance.year_end_projection(table, as_of=as_of)
    total = finance.year_end_projection(table, as_of=as_of, by=())
    for chart in (finance_charts.budget_vs_actual_chart(monthly),
                  finance_charts.cumulative_spend_chart(monthly, total),
                  finance_charts.variance_chart(finance.year_to_date(table, as_of=as_of)),
                  finance_charts.projection_chart(projection),
                  finance_charts.staffing_strength_chart(pd.DataFrame(
                      {"command": ["X"], "approved": [5.0], "actual": [4.0],
                       "vacancies": [1.0]}))):
        spec = chart.to_dict()
        assert spec["datasets"] and max(len(v) for v in spec["datasets"].values()) <= 200
