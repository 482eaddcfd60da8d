"""What patrol time costs, per division: positions from hours, salary and overtime rates.

From the workforce analyses (:func:`workbench.analysis.workforce.relief_factors`,
:func:`~workbench.analysis.workforce.overtime_summary`) and the finance ledger:

- **Net available hours per position** = scheduled − absent hours per FTE a year (every
  absence code), fte-weighted over the division's patrol units. **Positions (FTE) needed** for
  a staffing curve = its officer-hours a year ÷ that figure — the relief factor applied to the
  whole week (``8,760 ÷ net hours`` positions per post staffed around the clock).
- **Salary cost per FTE** = salaries + benefits actually spent by the division's cost centre
  over the months of the window that are closed, annualised, ÷ the FTE of every unit charged to
  that cost centre. Where the ledger has no such rows the ``default_salary_per_fte`` setting is
  used and ``salary_source`` says so.
- **Cost of an on-duty officer-hour** = salary cost per FTE ÷ net available hours per FTE
  (it carries the cost of the relief for absences).
- **Overtime rate** = overtime cost ÷ overtime hours paid to the division's patrol members in
  the window (the premium included); without overtime in the window, 1.5 × the straight-time
  hourly rate (salary per FTE ÷ scheduled hours per FTE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from workbench.analysis import workforce
from workbench.analysis._common import AnalysisInputError, require_columns

__all__ = [
    "DEFAULT_OVERTIME_PREMIUM",
    "DEFAULT_SALARY_PER_FTE",
    "HOURS_PER_YEAR",
    "WEEKS_PER_YEAR",
    "cost_rates",
    "positions_needed",
]

#: Days in a year over days in a week: weekly figures × this = annual figures.
WEEKS_PER_YEAR = 365.0 / 7.0
HOURS_PER_YEAR = 24.0 * 365.0
#: Salary and benefits per sworn FTE used when the ledger holds none (a setting, in dollars).
DEFAULT_SALARY_PER_FTE = 130_000.0
#: Overtime premium over the straight-time hourly rate when no overtime was paid to measure.
DEFAULT_OVERTIME_PREMIUM = 1.5
_SALARY_ACCOUNTS = ("salaries", "benefits")


def positions_needed(weekly_officer_hours: float | np.ndarray,
                     net_available_hours_per_fte: float | np.ndarray) -> float | np.ndarray:
    """FTE positions needed to staff ``weekly_officer_hours`` every week of the year."""
    return np.asarray(weekly_officer_hours) * WEEKS_PER_YEAR / net_available_hours_per_fte


def _month_starts(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    first = start.replace(day=1) if start.day == 1 else (
        (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1))
    last = end.replace(day=1)
    return first, last


def _salary_per_fte(finance: ibis.Table | None, *, start: dt.date, end: dt.date,
                    fte_by_cost_centre: pd.Series) -> pd.DataFrame:
    """Annual salaries + benefits per FTE by cost centre over the closed months of the window."""
    columns = ["cost_centre", "salary_per_fte", "salary_months"]
    if finance is None:
        return pd.DataFrame(columns=columns)
    require_columns(finance, ["cost_centre", "account", "month", "actual"], "finance")
    first, last = _month_starts(start, end)
    month = finance.month.cast("date")
    rows = finance.filter(finance.account.isin(list(_SALARY_ACCOUNTS)),
                          finance.actual.notnull(), month >= ibis.literal(first),
                          month <= ibis.literal(last),
                          finance.cost_centre.isin(list(fte_by_cost_centre.index)))
    spent = rows.group_by("cost_centre").aggregate(
        spent=rows.actual.sum(), salary_months=rows.month.nunique()).to_pandas()
    if spent.empty:
        return pd.DataFrame(columns=columns)
    fte = spent["cost_centre"].map(fte_by_cost_centre)
    spent["salary_per_fte"] = (spent["spent"] * 12.0 / spent["salary_months"]) / fte
    return spent.loc[fte > 0, columns]


def cost_rates(
    shifts: ibis.Table,
    units: ibis.Table,
    personnel: ibis.Table,
    finance: ibis.Table | None = None,
    *,
    start: dt.date,
    end: dt.date,
    unit_types: Sequence[str] = ("patrol",),
    default_salary_per_fte: float = DEFAULT_SALARY_PER_FTE,
) -> pd.DataFrame:
    """Per division: positions, availability, salary and overtime rates of patrol (see the
    module docstring). ``start``..``end`` should be a whole year (absences are seasonal).

    Returns:
        ``division, cost_centre, patrol_fte, scheduled_hours_per_fte,
        absence_hours_per_fte, net_available_hours_per_fte, salary_per_fte,
        salary_source`` (``"finance"`` or ``"setting"``), ``cost_per_duty_hour,
        overtime_rate, overtime_rate_source, overtime_hours_per_year,
        overtime_cost_per_year``.
    """
    if start > end:
        raise AnalysisInputError(f"start {start} is after end {end}")
    if not default_salary_per_fte > 0:
        raise AnalysisInputError("default_salary_per_fte must be positive")
    require_columns(units, ["unit_id", "division", "unit_type", "cost_centre"], "units")
    unit_frame = units.select("unit_id", "division", "unit_type", "cost_centre").to_pandas()
    relief = workforce.relief_factors(shifts, personnel, start=start, end=end)
    relief = relief.merge(unit_frame, on="unit_id", how="inner")
    patrol = relief.loc[relief["unit_type"].isin(list(unit_types))
                        & relief["division"].notna() & (relief["fte"] > 0)].copy()
    if patrol.empty:
        raise AnalysisInputError(f"no {', '.join(unit_types)} unit with members in "
                                 f"{start}..{end}: nothing to cost")
    for column in ("scheduled_hours_per_fte", "absence_hours_per_fte"):
        patrol[column] = patrol[column] * patrol["fte"]
    grouped = patrol.groupby("division").agg(
        patrol_fte=("fte", "sum"), scheduled=("scheduled_hours_per_fte", "sum"),
        absent=("absence_hours_per_fte", "sum"),
        cost_centre=("cost_centre", lambda v: v.mode().iloc[0] if v.notna().any() else None))
    rates = grouped.reset_index()
    rates["scheduled_hours_per_fte"] = rates["scheduled"] / rates["patrol_fte"]
    rates["absence_hours_per_fte"] = rates["absent"] / rates["patrol_fte"]
    rates["net_available_hours_per_fte"] = (rates["scheduled_hours_per_fte"]
                                            - rates["absence_hours_per_fte"])

    fte_by_centre = relief.groupby("cost_centre")["fte"].sum()
    salaries = _salary_per_fte(finance, start=start, end=end, fte_by_cost_centre=fte_by_centre)
    rates = rates.merge(salaries, on="cost_centre", how="left")
    rates["salary_source"] = np.where(rates["salary_per_fte"].notna(), "finance", "setting")
    rates["salary_per_fte"] = rates["salary_per_fte"].fillna(float(default_salary_per_fte))
    rates["cost_per_duty_hour"] = rates["salary_per_fte"] / rates["net_available_hours_per_fte"]

    overtime = workforce.overtime_summary(shifts, start=start, end=end, by=["unit_id"])
    overtime = overtime.merge(unit_frame, on="unit_id", how="inner")
    overtime = overtime.loc[overtime["unit_type"].isin(list(unit_types))]
    paid = overtime.groupby("division")[["overtime_hours", "overtime_cost"]].sum()
    rates = rates.merge(paid, left_on="division", right_index=True, how="left")
    years = ((end - start).days + 1) / 365.0
    hours = rates["overtime_hours"].fillna(0.0)
    straight = rates["salary_per_fte"] / rates["scheduled_hours_per_fte"]
    measured = hours > 0
    rates["overtime_rate"] = np.where(
        measured, rates["overtime_cost"].fillna(0.0) / hours.where(measured, 1.0),
        DEFAULT_OVERTIME_PREMIUM * straight)
    rates["overtime_rate_source"] = np.where(measured, "shifts", "setting")
    rates["overtime_hours_per_year"] = hours / years
    rates["overtime_cost_per_year"] = rates["overtime_cost"].fillna(0.0) / years
    return rates[["division", "cost_centre", "patrol_fte", "scheduled_hours_per_fte",
                  "absence_hours_per_fte", "net_available_hours_per_fte", "salary_per_fte",
                  "salary_source", "cost_per_duty_hour", "overtime_rate", "overtime_rate_source",
                  "overtime_hours_per_year", "overtime_cost_per_year"]] \
        .sort_values("division").reset_index(drop=True)
