# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Finance: monthly report
#
# Spending against budget by cost centre and month, overtime spend, the projected year end
# with its interval, and approved against actual strength. Spending is every account except
# revenue; a month counts once it is closed (its actuals are in). The projection method is in
# `workbench.analysis.finance`; parameters in
# `workbench.publish.catalog.workforce.FinanceMonthlyParameters`.

# %% tags=["parameters"]
as_of = None
cost_centre = None
source = None
fiscal_year_start_month = 1
level = 0.9
trend_months = 24

# %%
from IPython.display import Markdown, display

import workbench
from workbench.analysis import finance
from workbench.charts import finance as finance_charts
from workbench.present.markdown import markdown
from workbench.present.tables import table
from workbench.publish import headline
from workbench.publish.catalog.workforce import FinanceMonthlyParameters
from workbench.settings import get_settings

params = FinanceMonthlyParameters(as_of=as_of, cost_centre=cost_centre, source=source,
                                  fiscal_year_start_month=fiscal_year_start_month, level=level,
                                  trend_months=trend_months)
window = params.window(get_settings().today)
warehouse = workbench.connect()
ledger = finance.select_finance(warehouse.table("finance"), source=params.source,
                                cost_centre=params.cost_centre)
display(markdown("**To {as_of:%d %B %Y}** · fiscal year starting in month {start_month} · "
                 "{cost_centre} · source: {source}", as_of=window.as_of,
                 start_month=params.fiscal_year_start_month,
                 cost_centre=params.cost_centre or "all cost centres",
                 source=params.source or "all"))

# %%
options = {"as_of": window.as_of, "fiscal_year_start_month": params.fiscal_year_start_month}
total_projection = finance.year_end_projection(ledger, by=(), level=params.level, **options)
overtime_to_date = finance.year_to_date(ledger, by=(), accounts=("overtime",), **options)
projection = finance.year_end_projection(ledger, level=params.level, **options)
to_date = finance.year_to_date(ledger, **options)
year_months = finance.budget_vs_actual(ledger, by=(), **finance.fiscal_year_bounds(**options))

# %% [markdown]
# ## Headline figures

# %%
headline("budget_to_date", total_projection["budget_to_date"].sum(), unit="$",
         label="Budget to date", note="closed months of the fiscal year")
headline("actual_to_date", total_projection["actual_to_date"].sum(), unit="$",
         better="lower", label="Spent to date")
headline("variance_to_date_percent",
         (total_projection["actual_to_date"].sum() / total_projection["budget_to_date"].sum()
          - 1) * 100 if total_projection["budget_to_date"].sum() else None,
         unit="%", better="lower", label="Spent against budget to date",
         note="(actual − budget) ÷ budget")
headline("projected_year_end", total_projection["projection"].sum(), unit="$", better="lower",
         label="Projected year end",
         note=(f"{params.level:.0%} interval ${total_projection['projection_lower'].iloc[0]:,.0f}"
               f" – ${total_projection['projection_upper'].iloc[0]:,.0f}"
               if len(total_projection) and total_projection["projection_lower"].notna().all()
               else "no interval: fewer than two closed months"))
headline("projected_variance", total_projection["projected_variance"].sum(), unit="$",
         better="lower", label="Projected over (+) or under (−) budget")
headline("overtime_to_date", overtime_to_date["actual_to_date"].sum(), unit="$",
         better="lower", label="Overtime spent to date")
headline("overtime_variance_percent",
         overtime_to_date["variance_share_to_date"].iloc[0] * 100
         if len(overtime_to_date) else None, unit="%", better="lower",
         label="Overtime against budget to date")

# %% [markdown]
# ## This fiscal year

# %%
finance_charts.cumulative_spend_chart(year_months, total_projection)

# %%
finance_charts.budget_vs_actual_chart(
    finance.budget_vs_actual(ledger, by=(), start=window.trend_start, end=window.as_of),
    title=f"Budget and actual by month, last {params.trend_months} months")

# %% [markdown]
# ## By cost centre

# %%
finance_charts.variance_chart(to_date)

# %%
finance_charts.projection_chart(projection)

# %%
display(table(projection[["cost_centre", "closed_months", "actual_to_date", "budget_to_date",
                          "annual_budget", "projection", "projection_lower", "projection_upper",
                          "projected_variance_share", "basis"]],
              formats={"actual_to_date": "${:,.0f}", "budget_to_date": "${:,.0f}",
                       "annual_budget": "${:,.0f}", "projection": "${:,.0f}",
                       "projection_lower": "${:,.0f}", "projection_upper": "${:,.0f}",
                       "projected_variance_share": "{:+.1%}"}))

# %% [markdown]
# ## Overtime

# %%
finance_charts.variance_chart(
    finance.year_to_date(ledger, accounts=("overtime",), **options),
    title="Overtime against budget, year to date")

# %% [markdown]
# ## Establishment: approved and actual strength

# %%
strength = (finance.staffing_strength(warehouse.table("staffing"), by=("command", "source"),
                                      sources=[params.source] if params.source else None)
            if warehouse.has_table("staffing") else None)
latest = strength.loc[strength["year"] == strength["year"].max()] \
    if strength is not None and len(strength) else None
(finance_charts.staffing_strength_chart(latest, title=f"Approved and actual strength, "
                                        f"{int(latest['year'].iloc[0])}")
 if latest is not None else Markdown("No staffing table in the warehouse."))
