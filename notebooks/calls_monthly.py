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
# # Calls for service: monthly
#
# Hour-of-week demand, response times (median and 90th percentile) by priority and division
# against targets with their trend, and the share of calls suited to an alternative response.
# Parameters: `workbench.publish.catalog.crime.CallsMonthlyParameters`. Internal.

# %% tags=["parameters"]
month = None
trend_months = 24
target_priority = 1
alternative_call_types = ["mental_health", "wellness_check", "overdose", "noise"]

# %%
from IPython.display import display

import workbench
from workbench.analysis import calls
from workbench.charts import calls as calls_charts
from workbench.present.markdown import markdown
from workbench.present.tables import table
from workbench.publish import data_permitting, headline
from workbench.publish.catalog.crime import CallsMonthlyParameters, latest_day
from workbench.settings import get_settings

params = CallsMonthlyParameters(month=month, trend_months=trend_months,
                                target_priority=target_priority,
                                alternative_call_types=alternative_call_types)
warehouse = workbench.connect()
freshness = warehouse.freshness().set_index("table")
data_from = latest_day(freshness.loc["calls_for_service", "earliest"])
data_to = latest_day(freshness.loc["calls_for_service", "latest"])
window = params.window(get_settings().today, data_to, data_from)
calls_table = warehouse.table("calls_for_service")
display(markdown("**{label}** · whole service · calls by time received · data freshness: calls "
                 "to {data_to} (from {data_from}). {coverage_note}", label=window.label,
                 data_to=data_to, data_from=data_from, coverage_note=window.coverage_note))

# %%
by_priority = calls.response_times(calls_table, start=window.start, as_of=window.end,
                                   by=("priority",))
share = calls.alternative_response_share(calls_table, start=window.trend_start,
                                         as_of=window.end,
                                         call_types=params.alternative_call_types)

# %% [markdown]
# ## Headline figures

# %%
headline("calls_month", int(by_priority["calls"].sum()), unit="calls",
         label=f"Calls, {window.label}", note="partial month" if window.partial else "")
headline("alternative_response_share", 100 * share["share"].iloc[-1], unit="%",
         label="Calls suited to an alternative response",
         note=", ".join(params.alternative_call_types))

# %% [markdown]
# ## Hour-of-week demand

# %%
demand = calls.hour_of_week_demand(calls_table, start=window.start, as_of=window.data_end)
calls_charts.hour_of_week_heatmap(demand)

# %% [markdown]
# ## Response times by priority and division

# %%
with data_permitting("Response times"):
    focus = calls.require_arrival_times(by_priority).loc[
        by_priority["priority"] == params.target_priority]
    headline("median_response_minutes", focus["median_minutes"].iloc[0] if len(focus)
             else None, unit="min", better="lower",
             label=f"Median response, priority {params.target_priority}")
    headline("p90_response_minutes", focus["p90_minutes"].iloc[0] if len(focus) else None,
             unit="min", better="lower", label=f"90th percentile response, priority "
             f"{params.target_priority}")
    headline("share_within_target", 100 * focus["share_within_target"].iloc[0] if len(focus)
             else None, unit="%", better="higher", label="Within target",
             note=f"target: {focus['target_minutes'].iloc[0]:g} min for "
             f"{focus['target_share'].iloc[0]:.0%} of calls" if len(focus) else "no target set")
    by_division = calls.response_times(calls_table, start=window.start, as_of=window.end,
                                       by=("priority", "division"))
    display(table(by_division, formats={"median_minutes": "{:.1f}", "p90_minutes": "{:.1f}",
                                        "share_within_target": "{:.0%}",
                                        "target_share": "{:.0%}"}))
    trend = calls.response_time_trend(calls_table, start=window.trend_start, as_of=window.end,
                                      by=("priority", "division"))
    display(calls_charts.response_time_trend_chart(
        trend.loc[trend["priority"] == params.target_priority], color="division",
        title=f"90th percentile response, priority {params.target_priority}"))

# %% [markdown]
# ## Alternative response

# %%
calls_charts.alternative_response_chart(share)
