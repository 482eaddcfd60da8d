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
# # Patrol staffing and deployment: quarterly report
#
# How many patrol officers each division needs, hour by hour through the week, to meet the
# service target (Erlang C on the calls dispatched and their handling time), against the
# officers actually on duty; and how much of patrol time calls for service take (the rule of
# 60). Definitions are in `workbench.analysis.staffing`; parameters in
# `workbench.publish.catalog.workforce.StaffingDeploymentParameters`.

# %% tags=["parameters"]
division = None
as_of = None
weeks = 13
wait_probability = 0.1
answer_minutes = None
service_level = None
officers_per_unit = 1.0
saturation_threshold = 0.6
minimum_calls = 30

# %%
from IPython.display import display

import workbench
from workbench.analysis import staffing, workforce
from workbench.charts import workforce as workforce_charts
from workbench.present.markdown import markdown
from workbench.present.tables import table
from workbench.publish import headline
from workbench.publish.catalog.workforce import StaffingDeploymentParameters
from workbench.settings import get_settings

params = StaffingDeploymentParameters(
    division=division, as_of=as_of, weeks=weeks, wait_probability=wait_probability,
    answer_minutes=answer_minutes, service_level=service_level,
    officers_per_unit=officers_per_unit, saturation_threshold=saturation_threshold,
    minimum_calls=minimum_calls)
window = params.window(get_settings().today)
target = params.target()
warehouse = workbench.connect()
calls, shifts, units = warehouse.tables("calls_for_service", "shifts", "units")
display(markdown("**{label}** ({weeks} weeks) · target: {target} · {officers:g} officer(s) per "
                 "unit", label=window.label, weeks=params.weeks, target=target.describe(),
                 officers=params.officers_per_unit))

# %%
workload = staffing.hour_of_week_workload(calls, start=window.start, as_of=window.as_of,
                                          minimum_calls=params.minimum_calls)
on_duty = staffing.officers_on_duty_by_hour_of_week(shifts, units, start=window.start,
                                                    as_of=window.as_of)
gap = workforce.protect_small_groups(
    staffing.deployment_gap(workload, on_duty, target,
                            officers_per_unit=params.officers_per_unit,
                            saturation_threshold=params.saturation_threshold),
    dimensions=["division", "hour_of_week"]).dropna(subset=["gap"])
summary = staffing.gap_summary(gap)
focus = params.division or (summary.sort_values("officer_hours_short", ascending=False)
                            ["division"].iloc[0] if len(summary) else None)

# %% [markdown]
# ## Headline figures

# %%
headline("division_hours_short", int(summary["hours_short"].sum()), unit="hours",
         better="lower", label="Division-hours short of the target",
         note="hours of the week, summed over divisions, with fewer officers on duty than needed")
headline("officer_hours_short_per_week", float(summary["officer_hours_short"].sum()),
         unit="officer-hours", better="lower", label="Officer-hours short per week")
headline("mean_saturation",
         float((gap["offered_load"].sum() / gap["units_on_duty"].sum()) * 100)
         if gap["units_on_duty"].sum() > 0 else None,
         unit="%", better="lower", label="Patrol time on calls",
         note=f"call-for-service time ÷ patrol time; rule of {params.saturation_threshold:.0%}")
headline("hours_over_saturation", int(summary["hours_over_saturation"].sum()), unit="hours",
         better="lower", label="Division-hours over the saturation threshold")
headline("dispatched_calls_per_week", float(gap["calls_per_hour"].sum()), unit="calls",
         label="Dispatched calls per week")
headline("mean_handling_minutes",
         float((gap["offered_load"].sum() / gap["calls_per_hour"].sum()) * 60)
         if gap["calls_per_hour"].sum() > 0 else None,
         unit="min", label="Mean handling time", note="dispatched to cleared")
headline("peak_officers_needed", float(gap.groupby("hour_of_week")["officers_needed"].sum().max())
         if len(gap) else None, unit="officers", label="Officers needed at the busiest hour",
         note="all divisions together")

# %% [markdown]
# ## Officers on duty against officers needed
#
# Red: fewer officers on duty than the target needs in that hour; blue: more. Each cell is the
# average over the weeks of the window.

# %%
workforce_charts.deployment_gap_heatmap(gap)

# %%
display(table(summary, formats={"officer_hours_short": "{:,.1f}", "largest_shortfall": "{:.1f}",
                                 "mean_saturation": "{:.0%}"}))

# %% [markdown]
# ## Saturation of patrol time

# %%
workforce_charts.saturation_chart(gap, threshold=params.saturation_threshold)

# %% [markdown]
# ## Hour by hour in one division

# %%
display(markdown("Division **{focus}**" + ("" if params.division else
                                           " (the largest shortfall, or the first division)"),
                 focus=focus))
workforce_charts.officers_needed_chart(
    gap.loc[gap["division"] == focus],
    title=f"Officers needed ({target.describe()}) and on duty, {focus}")
