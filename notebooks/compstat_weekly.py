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
# # CompStat: weekly
#
# Last 7 days, last 28 days, year to date and last 365 days against the same periods a year
# earlier, for one division (or the service). A change is **flagged** when it is an increase
# that stays significant after Holm's adjustment across the whole grid (every category,
# neighbourhood and period), so the chance that any flag on this page is chance alone is at
# most `alpha`. Cells with |z| above the threshold but not significant are only "worth a look".
# Parameters: `workbench.publish.catalog.crime.CompstatWeeklyParameters`. Internal.

# %% tags=["parameters"]
division = None
as_of = None
minimum_base = 10
z_threshold = 3.0
alpha = 0.05
control_weeks = 78
baseline_weeks = 52

# %%
import pandas as pd
from IPython.display import Markdown, display

import workbench
from workbench.analysis import crime
from workbench.charts import crime as crime_charts
from workbench.present.markdown import markdown, md_escape
from workbench.publish import headline
from workbench.publish.catalog.crime import CompstatWeeklyParameters, latest_day
from workbench.settings import get_settings

params = CompstatWeeklyParameters(division=division, as_of=as_of, minimum_base=minimum_base,
                                  z_threshold=z_threshold, alpha=alpha,
                                  control_weeks=control_weeks, baseline_weeks=baseline_weeks)
warehouse = workbench.connect()
freshness = warehouse.freshness().set_index("table")
data_to = latest_day(freshness.loc["incidents", "latest"])
week_end = params.week_end(get_settings().today, data_to)
incidents = warehouse.table("incidents")
scope = incidents if params.division is None else incidents.filter(
    incidents.division == params.division)
area = params.division or "whole service"
options = {"minimum_base": params.minimum_base, "z_threshold": params.z_threshold,
           "alpha": params.alpha}
display(markdown("**Week {start:%d %B} to {end:%d %B %Y}** · {area} · incidents by occurrence "
                 "date · data freshness: incidents to {data_to} ({records:,} records)",
                 start=week_end - pd.Timedelta(days=6), end=week_end, area=area, data_to=data_to,
                 records=int(freshness.loc["incidents", "rows"])))

# %%
grid = crime.compstat_grid(scope, as_of=week_end, by=("offence_category",), **options)
local = crime.compstat_grid(scope.filter(scope.neighbourhood_id.notnull()), as_of=week_end,
                            by=("offence_category", "neighbourhood_id"), **options)
increases = pd.concat([grid.assign(neighbourhood_id="(all)"), local], ignore_index=True)
flags = increases.loc[increases["significant"] & (increases["direction"] == "up")]
flagged_categories = sorted(flags["offence_category"].unique())
week = grid.loc[grid["period"] == "last_7_days"]
month = grid.loc[grid["period"] == "last_28_days"]
year_to_date = grid.loc[grid["period"] == "year_to_date"]

# %% [markdown]
# ## Headline figures

# %%
headline("incidents_last_7_days", int(week["current"].sum()), unit="incidents", better="lower",
         label="Incidents, last 7 days", note=f"a year earlier: {int(week['past'].sum()):,}")
headline("incidents_last_28_days", int(month["current"].sum()), unit="incidents",
         better="lower", label="Incidents, last 28 days",
         note=f"a year earlier: {int(month['past'].sum()):,}")
headline("incidents_year_to_date", int(year_to_date["current"].sum()), unit="incidents",
         better="lower", label="Incidents, year to date",
         note=f"a year earlier: {int(year_to_date['past'].sum()):,}")
headline("flagged_categories", len(flagged_categories), unit="categories", better="lower",
         label="Categories flagged",
         note=", ".join(flagged_categories) or "no significant increase")
headline("worth_a_look_cells", int((grid["flagged"] & ~grid["significant"]).sum()),
         unit="cells", label="Cells worth a look",
         note=f"|z| > {params.z_threshold:g} by category, not significant across the grid")

# %% [markdown]
# ## Flags
#
# One headline per flagged category (`flag_<category>`): how many cells (period ×
# neighbourhood, or the whole area) show a significant increase.

# %%
for category, cells in flags.groupby("offence_category"):
    headline(f"flag_{category}", len(cells), unit="cells", better="lower",
             label=f"Flag: {category.replace('_', ' ')}",
             note="; ".join(f"{row.neighbourhood_id} {crime_charts.PERIOD_LABELS[row.period]}: "
                            f"{row.current} vs {row.past} (z = {row.z:.1f})"
                            for row in cells.itertuples()))
display(Markdown("Flagged: " + ", ".join(f"**{md_escape(c)}**" for c in flagged_categories)
                 if flagged_categories else "No category shows a significant increase."))

# %%
display(crime_charts.style_compstat(
    flags.sort_values("z", ascending=False), by=("offence_category", "neighbourhood_id")))

# %% [markdown]
# ## CompStat grid

# %%
crime_charts.compstat_table_chart(grid, title=f"CompStat, {area}: change on a year earlier")

# %%
display(crime_charts.style_compstat(grid, by=("offence_category",)))

# %% [markdown]
# ## Control charts of the flagged categories
#
# Weekly counts against c-chart limits (mean ± 3√mean) set by the first weeks only, so a
# recent surge does not widen its own limits.

# %%
control = crime.control_chart(scope, as_of=week_end, period="week",
                              periods=params.control_weeks,
                              baseline_periods=min(params.baseline_weeks, params.control_weeks),
                              by=("offence_category",))
shown = control.loc[control["offence_category"].isin(
    flagged_categories or list(grid.sort_values("z", ascending=False)["offence_category"][:2]))]
crime_charts.control_chart_chart(shown, title=f"Weekly incidents, {area}",
                                 y_title="Incidents per week", facet="offence_category")
