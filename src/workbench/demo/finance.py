"""Monthly budget and actuals by cost centre and account, and approved vs actual staffing.

Salaries follow the members employed each month (pay scales +2.5 % a year), benefits are 27 %
of salaries, and overtime actuals are the month's overtime cost from the ``shifts`` table (±2 %
for timing of payroll). Overtime budgets are set at 90 % of the typical spend, so most cost
centres overrun a little. Other accounts vary around their budget with seasonal patterns
(heating and fleet in winter, equipment bought before the fiscal year end in March). The
months run from the first month of the window to December of the end year; the current month
and later have a budget but NULL actuals (not yet closed).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from workbench.demo import _sampling as sampling
from workbench.demo._world import SOURCE, World
from workbench.demo.workforce import RANK_SALARY, Shifts

ACCOUNTS = (
    "salaries",
    "overtime",
    "benefits",
    "premises",
    "fleet",
    "equipment",
    "contracts",
    "other",
    "revenue",
)
BENEFITS_RATE = 0.27
BUDGET_GROWTH = 0.025
OVERTIME_BUDGET_SHARE = 0.90
# Annual base amounts (dollars, end year) per cost centre: premises, contracts, revenue.
_PREMISES = {
    "CC-SUP": 4_000_000,
    "CC-EXE": 2_000_000,
    "CC-INV": 800_000,
    "CC-TRF": 400_000,
    "CC-COM": 600_000,
}
_CONTRACTS = {"CC-SUP": 6_000_000, "CC-EXE": 3_000_000, "CC-COM": 900_000}
_REVENUE = {"CC-TRF": 1_500_000, "CC-SUP": 2_000_000, "CC-EXE": 500_000}
_DIVISION_PREMISES = 1_200_000
_DIVISION_REVENUE = 400_000
_OTHER_CONTRACTS = 200_000
_FLEET_PER_SWORN = 4_500
_EQUIPMENT_PER_MEMBER = 2_500
_OTHER_PER_MEMBER = 1_000


def _months(world: World) -> list[tuple[int, int, int, int]]:
    """(year, month, first day number, last day number) from the window's first month to December
    of the end year (whole months, not clipped to the window)."""
    start = dt.date(world.start_date.year, world.start_date.month, 1)
    return sampling.month_start_numbers(start, dt.date(world.end_date.year, 12, 31))


def finance_table(world: World, shifts: Shifts) -> pa.Table:
    rng = sampling.derived_rng(world.seed, "finance")
    workforce = world.workforce
    centres = workforce.cost_centres
    centre_ids = [c.cost_centre for c in centres]
    unit_centre = np.array([centre_ids.index(u.cost_centre) for u in workforce.units])
    member_centre = unit_centre[workforce.unit_index]
    months = _months(world)
    reference_year = world.end_date.year
    closed_before = sampling.day_number(dt.date(world.end_date.year, world.end_date.month, 1))

    # Overtime cost by cost centre and month, from the shifts.
    shift_month = shifts.day.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    month_keys = np.array([(y - 1970) * 12 + m - 1 for y, m, _, _ in months])
    overtime = np.zeros((len(centres), len(months)))
    position = np.searchsorted(month_keys, shift_month)
    valid = (position < len(months)) & (
        month_keys[np.minimum(position, len(months) - 1)] == shift_month
    )
    np.add.at(
        overtime, (unit_centre[shifts.unit[valid]], position[valid]), shifts.overtime_cost[valid]
    )

    left = np.where(workforce.left_day < 0, world.last_day, workforce.left_day)
    positions = _positions_by_centre(world, unit_centre)
    sworn_positions = _positions_by_centre(world, unit_centre, sworn_only=True)
    members_total = positions.sum(axis=1)
    sworn_total = sworn_positions.sum(axis=1)

    full_months = [i for i, (_, _, first, last) in enumerate(months) if last < closed_before]
    typical_overtime = (
        overtime[:, full_months].mean(axis=1) if full_months else overtime.mean(axis=1)
    )

    rows: dict[str, list[object]] = {
        k: [] for k in ("cost_centre", "cost_centre_name", "account", "month", "budget", "actual")
    }
    for m, (year, month, first, last) in enumerate(months):
        growth = (1 + BUDGET_GROWTH) ** (year - reference_year)
        days_in_month = last - first + 1
        employed_days = np.clip(
            np.minimum(left, last) - np.maximum(workforce.hired_day, first) + 1, 0, None
        )
        salary = workforce.annual_salary(year, reference_year) / 12 * employed_days / days_in_month
        salaries_actual = np.bincount(member_centre, weights=salary, minlength=len(centres))
        salaries_budget = positions @ np.array([RANK_SALARY[r] for r in _RANKS]) * growth / 12
        season = 1 + 0.15 * np.cos(2 * np.pi * (month - 1.5) / 12)
        closed = last < closed_before
        for c, centre in enumerate(centres):
            premises = _PREMISES.get(centre.cost_centre, _DIVISION_PREMISES)
            contracts = _CONTRACTS.get(centre.cost_centre, _OTHER_CONTRACTS)
            revenue = _REVENUE.get(centre.cost_centre, _DIVISION_REVENUE)
            budgets = {
                "salaries": salaries_budget[c],
                "overtime": OVERTIME_BUDGET_SHARE * typical_overtime[c] * growth,
                "benefits": BENEFITS_RATE * salaries_budget[c],
                "premises": premises * growth / 12,
                "fleet": _FLEET_PER_SWORN * sworn_total[c] * growth / 12,
                "equipment": _EQUIPMENT_PER_MEMBER * members_total[c] * growth / 12,
                "contracts": contracts * growth / 12,
                "other": _OTHER_PER_MEMBER * members_total[c] * growth / 12,
                "revenue": revenue * growth / 12,
            }
            actuals = {
                "salaries": salaries_actual[c],
                "overtime": overtime[c, m] * (1 + rng.normal(0, 0.02)),
                "benefits": BENEFITS_RATE * salaries_actual[c] * (1 + rng.normal(0, 0.01)),
                "premises": budgets["premises"] * season * np.exp(rng.normal(0, 0.08)),
                "fleet": budgets["fleet"] * season * np.exp(rng.normal(0, 0.12)),
                "equipment": budgets["equipment"]
                * (1.8 if month == 3 else 0.93)
                * np.exp(rng.normal(0, 0.25)),
                "contracts": budgets["contracts"] * np.exp(rng.normal(0, 0.10)),
                "other": budgets["other"] * np.exp(rng.normal(0, 0.30)),
                "revenue": budgets["revenue"] * np.exp(rng.normal(0, 0.15)),
            }
            for account in ACCOUNTS:
                rows["cost_centre"].append(centre.cost_centre)
                rows["cost_centre_name"].append(centre.name)
                rows["account"].append(account)
                rows["month"].append(dt.date(year, month, 1))
                rows["budget"].append(round(float(budgets[account]), 2))
                rows["actual"].append(round(float(actuals[account]), 2) if closed else None)
    table = pa.table(rows)
    return table.append_column("source", pa.array([SOURCE] * table.num_rows))


_RANKS = tuple(RANK_SALARY)


def _positions_by_centre(
    world: World, unit_centre: np.ndarray, sworn_only: bool = False
) -> np.ndarray:
    """(cost centres, ranks) approved positions."""
    counts = np.zeros((len(world.workforce.cost_centres), len(_RANKS)))
    for u, unit in enumerate(world.workforce.units):
        for rank, count in unit.positions:
            if sworn_only and rank == "civilian":
                continue
            counts[unit_centre[u], _RANKS.index(rank)] += count
    return counts


def staffing_table(world: World) -> pa.Table:
    """Approved positions vs members employed on 31 December (or the end date), by command."""
    workforce = world.workforce
    centres = workforce.cost_centres
    centre_ids = [c.cost_centre for c in centres]
    unit_centre = np.array([centre_ids.index(u.cost_centre) for u in workforce.units])
    member_centre = unit_centre[workforce.unit_index]
    left = np.where(workforce.left_day < 0, world.last_day, workforce.left_day)
    sworn_positions = _positions_by_centre(world, unit_centre, sworn_only=True).sum(axis=1)
    all_positions = _positions_by_centre(world, unit_centre).sum(axis=1)
    rows: dict[str, list[object]] = {
        k: [] for k in ("year", "command", "category", "approved", "actual")
    }
    for year in range(world.start_date.year, world.end_date.year + 1):
        census_day = min(sampling.day_number(dt.date(year, 12, 31)), world.last_day)
        employed = (workforce.hired_day <= census_day) & (left >= census_day)
        for c, centre in enumerate(centres):
            for category, sworn, approved in (
                ("sworn", True, sworn_positions[c]),
                ("civilian", False, all_positions[c] - sworn_positions[c]),
            ):
                if approved == 0:
                    continue
                actual = int((employed & (member_centre == c) & (workforce.sworn == sworn)).sum())
                rows["year"].append(year)
                rows["command"].append(centre.name)
                rows["category"].append(category)
                rows["approved"].append(float(approved))
                rows["actual"].append(float(actual))
    table = pa.table(rows)
    return table.append_column("source", pa.array([SOURCE] * table.num_rows))
