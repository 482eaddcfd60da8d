"""Finance and establishment: budget against actual by cost centre and month, overtime spend,
a year-end projection with an interval, and approved against actual staffing.

Conventions
-----------
- **Spending** is every account except ``revenue`` (:data:`SPENDING_ACCOUNTS` is what the
  demo and most ledgers use; an unknown account name such as ``total`` from a budget-only
  source also counts as spending). Revenue is income and is never added to spending: ask for
  it with ``accounts=("revenue",)``.
- A month is **closed** when its ``actual`` is not NULL. Year-to-date figures compare actual
  with the budget of the *closed* months only, so an open month never reads as an underspend.
- **Fiscal year**: starts in ``fiscal_year_start_month`` (1 = calendar year, 4 = April–March);
  it is named after the calendar year it starts in.

Year-end projection (:func:`year_end_projection`)
-------------------------------------------------
``projection = actual YTD + R × budget of the remaining months``, where ``R = actual YTD ÷
budget YTD`` over the closed months (the year so far runs at R times its budget; the rest of
the year is assumed to do the same, month by month in proportion to its budget profile, so a
seasonal budget keeps its shape). The interval treats each remaining month's ratio
``actual ÷ budget`` as a draw from the closed months' ratios (sample standard deviation ``s``
over ``k`` closed months) with an estimated mean:

    Var = s² · Σ b_j²  +  (s² / k) · (Σ b_j)²        (b_j: budgets of the remaining months)

— the first term is month-to-month noise, the second the uncertainty of R — and the interval
is ``projection ± t(k − 1) · √Var`` at ``level``. With fewer than two closed months there is
no interval; with no closed month the projection is the budget (nothing is known yet); with
every month closed it is the actual total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from workbench.analysis._common import AnalysisInputError, as_dates, require_columns
from workbench.periods import add_months, fiscal_year_of, fiscal_year_start, month_start

__all__ = [
    "SPENDING_ACCOUNTS",
    "budget_vs_actual",
    "fiscal_year_bounds",
    "fiscal_year_of",
    "fiscal_year_start",
    "overtime_spend",
    "select_finance",
    "staffing_strength",
    "year_end_projection",
    "year_to_date",
]

#: Accounts that are spending in the canonical vocabulary (everything except revenue).
SPENDING_ACCOUNTS: tuple[str, ...] = ("salaries", "overtime", "benefits", "premises", "fleet",
                                      "equipment", "contracts", "other")
REVENUE_ACCOUNT = "revenue"
_GROUPABLE = ("cost_centre", "cost_centre_name", "account", "source")


def fiscal_year_bounds(as_of: dt.date, fiscal_year_start_month: int = 1) -> dict[str, dt.date]:
    """``{"start": first day, "end": first day of the last month}`` of the fiscal year holding
    ``as_of`` (keyword arguments for :func:`budget_vs_actual`)."""
    first = fiscal_year_start(as_of, fiscal_year_start_month)
    return {"start": first, "end": add_months(first, 11)}


def select_finance(finance: ibis.Table, *, source: str | None = None,
                   cost_centre: str | None = None) -> ibis.Table:
    """The finance rows of one ``source`` and/or one ``cost_centre`` (None keeps all)."""
    require_columns(finance, ["cost_centre", "source"], "finance")
    if source is not None:
        finance = finance.filter(finance.source == source)
    if cost_centre is not None:
        finance = finance.filter(finance.cost_centre == cost_centre)
    return finance


def _selected(finance: ibis.Table, accounts: Sequence[str] | None) -> ibis.Table:
    require_columns(finance, ["cost_centre", "account", "month", "budget", "actual"], "finance")
    if accounts is None:
        return finance.filter(finance.account != REVENUE_ACCOUNT)
    if isinstance(accounts, str):
        raise AnalysisInputError(f"accounts must be a sequence of account names, not the string "
                                 f"{accounts!r}")
    if not accounts:
        raise AnalysisInputError("accounts must name at least one account")
    return finance.filter(finance.account.isin(list(accounts)))


def _require_groups(by: Sequence[str]) -> list[str]:
    by = list(by)
    unknown = [column for column in by if column not in _GROUPABLE]
    if unknown:
        raise AnalysisInputError(f"finance can be grouped by {', '.join(_GROUPABLE)}; got "
                                 f"{', '.join(unknown)}")
    return by


def budget_vs_actual(
    finance: ibis.Table,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: Sequence[str] = ("cost_centre",),
    accounts: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Budget and actual per group and month (spending accounts unless ``accounts`` is given).

    Returns:
        ``*by, month, budget, actual`` (NULL until the month is closed, i.e. until every row of
        the group has an actual), ``closed, variance`` (actual − budget: positive = overspent),
        ``variance_share`` (variance ÷ budget).
    """
    by = _require_groups(by)
    table = _selected(finance, accounts)
    if start is not None:
        table = table.filter(table.month >= ibis.literal(month_start(start)))
    if end is not None:
        table = table.filter(table.month <= ibis.literal(end))
    frame = table.group_by([*by, "month"]).aggregate(
        budget=table.budget.sum().fill_null(0.0),
        actual=table.actual.sum(),
        rows=table.count(),
        closed_rows=table.actual.count(),
    ).to_pandas()
    frame["month"] = as_dates(frame["month"])
    frame["closed"] = (frame["closed_rows"] == frame["rows"]) & (frame["rows"] > 0)
    frame["actual"] = frame["actual"].astype(float).where(frame["closed"])
    frame["variance"] = frame["actual"] - frame["budget"]
    frame["variance_share"] = frame["variance"] / frame["budget"].where(frame["budget"] != 0)
    return frame[[*by, "month", "budget", "actual", "closed", "variance", "variance_share"]] \
        .sort_values([*by, "month"]).reset_index(drop=True)


def overtime_spend(
    finance: ibis.Table,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    by: Sequence[str] = ("cost_centre",),
) -> pd.DataFrame:
    """Overtime budget against actual per group and month (the ``overtime`` account); see
    :func:`budget_vs_actual` for the columns."""
    return budget_vs_actual(finance, start=start, end=end, by=by, accounts=("overtime",))


def _monthly_for_year(finance: ibis.Table, *, as_of: dt.date, by: list[str],
                      accounts: Sequence[str] | None,
                      fiscal_year_start_month: int) -> tuple[pd.DataFrame, dt.date, dt.date]:
    first = fiscal_year_start(as_of, fiscal_year_start_month)
    last = add_months(first, 11)
    monthly = budget_vs_actual(finance, start=first, end=last, by=by, accounts=accounts)
    # A month after as_of is not counted as closed even if the ledger has an actual for it.
    monthly.loc[monthly["month"] > pd.Timestamp(as_of), "closed"] = False
    monthly["actual"] = monthly["actual"].where(monthly["closed"])
    return monthly, first, last


def year_to_date(
    finance: ibis.Table,
    *,
    as_of: dt.date,
    by: Sequence[str] = ("cost_centre",),
    accounts: Sequence[str] | None = None,
    fiscal_year_start_month: int = 1,
) -> pd.DataFrame:
    """Budget and actual of the closed months of the fiscal year holding ``as_of``, and the
    year's whole budget.

    Returns:
        ``*by, fiscal_year, closed_months, budget_to_date, actual_to_date, variance_to_date,
        variance_share_to_date, annual_budget``.
    """
    by = _require_groups(by)
    monthly, first, _ = _monthly_for_year(finance, as_of=as_of, by=by, accounts=accounts,
                                          fiscal_year_start_month=fiscal_year_start_month)
    rows = []
    for key, group in _groups(monthly, by):
        closed = group[group["closed"]]
        budget = float(closed["budget"].sum())
        actual = float(closed["actual"].sum())
        rows.append({**key, "fiscal_year": first.year, "closed_months": len(closed),
                     "budget_to_date": budget, "actual_to_date": actual,
                     "variance_to_date": actual - budget,
                     "variance_share_to_date": (actual - budget) / budget if budget else np.nan,
                     "annual_budget": float(group["budget"].sum())})
    return pd.DataFrame(rows, columns=[*by, "fiscal_year", "closed_months", "budget_to_date",
                                       "actual_to_date", "variance_to_date",
                                       "variance_share_to_date", "annual_budget"])


def _groups(frame: pd.DataFrame, by: list[str]):  # noqa: ANN202 - an iterator of pairs
    if not by:
        yield {}, frame
        return
    for key, group in frame.groupby(by, sort=True, dropna=False):
        values = key if isinstance(key, tuple) else (key,)
        yield dict(zip(by, values, strict=True)), group


def year_end_projection(
    finance: ibis.Table,
    *,
    as_of: dt.date,
    by: Sequence[str] = ("cost_centre",),
    accounts: Sequence[str] | None = None,
    fiscal_year_start_month: int = 1,
    level: float = 0.90,
) -> pd.DataFrame:
    """Projected year-end spending per group, with an interval (method in the module
    docstring).

    Returns:
        ``*by, fiscal_year, closed_months, actual_to_date, budget_to_date, ratio_to_date``
        (R), ``annual_budget, remaining_budget, projection, projection_lower,
        projection_upper, projected_variance`` (projection − annual budget),
        ``projected_variance_share, basis`` (``"ratio"``, ``"budget"`` with no closed month,
        ``"actual"`` with every month closed).
    """
    by = _require_groups(by)
    if not 0 < level < 1:
        raise AnalysisInputError(f"level must be in (0, 1); got {level}")
    monthly, first, _ = _monthly_for_year(finance, as_of=as_of, by=by, accounts=accounts,
                                          fiscal_year_start_month=fiscal_year_start_month)
    rows = [{**key, "fiscal_year": first.year, **_project(group, level)}
            for key, group in _groups(monthly, by)]
    columns = [*by, "fiscal_year", "closed_months", "actual_to_date", "budget_to_date",
               "ratio_to_date", "annual_budget", "remaining_budget", "projection",
               "projection_lower", "projection_upper", "projected_variance",
               "projected_variance_share", "basis"]
    return pd.DataFrame(rows, columns=columns)


def _project(group: pd.DataFrame, level: float) -> dict[str, object]:
    """The projection of one group's fiscal year (12 monthly rows at most)."""
    closed = group[group["closed"]]
    remaining = group[~group["closed"]]
    k = len(closed)
    actual = float(closed["actual"].sum())
    budget_to_date = float(closed["budget"].sum())
    annual = float(group["budget"].sum())
    remaining_budget = float(remaining["budget"].sum())
    lower = upper = np.nan
    if k == 0:
        ratio, projection, basis = np.nan, annual, "budget"
    elif remaining.empty:
        ratio = actual / budget_to_date if budget_to_date else np.nan
        projection, basis = actual, "actual"
        lower = upper = actual
    else:
        ratio = actual / budget_to_date if budget_to_date else np.nan
        basis = "ratio"
        projection = actual + (ratio if np.isfinite(ratio) else 1.0) * remaining_budget
        monthly_ratios = (closed["actual"] / closed["budget"].where(closed["budget"] != 0)) \
            .dropna().to_numpy(dtype=float)
        if len(monthly_ratios) >= 2:
            spread = float(np.std(monthly_ratios, ddof=1))
            budgets = remaining["budget"].to_numpy(dtype=float)
            variance = spread**2 * (np.sum(budgets**2) + np.sum(budgets) ** 2 / len(monthly_ratios))
            margin = float(scipy_stats.t.ppf(0.5 + level / 2, len(monthly_ratios) - 1)) \
                * float(np.sqrt(variance))
            lower, upper = projection - margin, projection + margin
    return {
        "closed_months": k, "actual_to_date": actual, "budget_to_date": budget_to_date,
        "ratio_to_date": ratio, "annual_budget": annual, "remaining_budget": remaining_budget,
        "projection": projection, "projection_lower": lower, "projection_upper": upper,
        "projected_variance": projection - annual,
        "projected_variance_share": (projection - annual) / annual if annual else np.nan,
        "basis": basis,
    }


# --------------------------------------------------------------------------------------------
# Establishment
# --------------------------------------------------------------------------------------------


def staffing_strength(
    staffing: ibis.Table,
    *,
    by: Sequence[str] = ("command", "category"),
    years: Sequence[int] | None = None,
    sources: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Approved against actual strength per year and group (``command``, ``category``,
    ``source``).

    Returns:
        ``year, *by, approved, actual, vacancies`` (approved − actual; negative = over
        strength), ``vacancy_rate`` (vacancies ÷ approved). A source that publishes only one
        of approved and actual (e.g. a budget's FTE) leaves the other, and the vacancies,
        NULL.
    """
    require_columns(staffing, ["year", "command", "category", "approved", "actual", "source"],
                    "staffing")
    by = list(by)
    unknown = [c for c in by if c not in ("command", "category", "source")]
    if unknown:
        raise AnalysisInputError(f"staffing can be grouped by command, category and source; got "
                                 f"{', '.join(unknown)}")
    table = staffing
    if years is not None:
        table = table.filter(table.year.isin([int(y) for y in years]))
    if sources is not None:
        table = table.filter(table.source.isin(list(sources)))
    frame = table.group_by(["year", *by]).aggregate(
        approved=table.approved.sum(), actual=table.actual.sum(),
        approved_rows=table.approved.count(), actual_rows=table.actual.count(),
        rows=table.count(),
    ).to_pandas()
    frame["approved"] = frame["approved"].astype(float).where(frame["approved_rows"] > 0)
    frame["actual"] = frame["actual"].astype(float).where(frame["actual_rows"] > 0)
    frame["vacancies"] = frame["approved"] - frame["actual"]
    frame["vacancy_rate"] = frame["vacancies"] / frame["approved"].where(frame["approved"] > 0)
    frame["year"] = frame["year"].astype("int64")
    return frame[["year", *by, "approved", "actual", "vacancies", "vacancy_rate"]] \
        .sort_values(["year", *by]).reset_index(drop=True)
