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
# # Traffic collisions: monthly
#
# People killed or seriously injured (KSI) by road user, and locations (intersections or road
# segments, never an address) ranked. Parameters:
# `workbench.publish.catalog.crime.CollisionsMonthlyParameters`. Internal.

# %% tags=["parameters"]
month = None
trend_months = 60
top_locations = 20

# %%
from IPython.display import display

import workbench
from workbench.analysis import collisions
from workbench.charts import collisions as collision_charts
from workbench.present.markdown import markdown
from workbench.present.tables import table as data_table
from workbench.publish import headline
from workbench.publish.catalog.crime import CollisionsMonthlyParameters, latest_day
from workbench.settings import get_settings

params = CollisionsMonthlyParameters(month=month, trend_months=trend_months,
                                     top_locations=top_locations)
warehouse = workbench.connect()
freshness = warehouse.freshness().set_index("table")
data_to = latest_day(freshness.loc["collisions", "latest"])
window = params.window(get_settings().today, data_to)
table = warehouse.table("collisions")
display(markdown("**{label}** · whole service · collisions by occurrence date · data freshness: "
                 "collisions to {data_to}", label=window.label, data_to=data_to))

# %%
month_ksi = collisions.ksi_trend(table, start=window.start, as_of=window.end, period="month")
year_ksi = collisions.ksi_trend(table, start=window.year_start, as_of=window.end, period="year",
                                by=())

# %% [markdown]
# ## Headline figures

# %%
headline("ksi_month", int(month_ksi["ksi"].sum()), unit="people", better="lower",
         label=f"Killed or seriously injured, {window.label}")
headline("killed_month", int(month_ksi["killed"].sum()), unit="people", better="lower",
         label="Killed")
headline("ksi_twelve_months", int(year_ksi["ksi"].sum()), unit="people", better="lower",
         label="KSI, last twelve months")
headline("pedestrian_cyclist_ksi_month",
         int(month_ksi.loc[month_ksi["road_user"].isin(["pedestrian", "cyclist"]), "ksi"].sum()),
         unit="people", better="lower", label="Pedestrians and cyclists KSI")

# %% [markdown]
# ## KSI trend by road user

# %%
trend = collisions.ksi_trend(table, start=window.trend_start, as_of=window.end,
                             period="month")
collision_charts.ksi_trend_chart(trend)

# %% [markdown]
# ## Locations ranked (last twelve months)

# %%
locations = collisions.ksi_locations(table, start=window.year_start, as_of=window.end,
                                     top=params.top_locations)
collision_charts.ksi_locations_chart(locations)

# %%
display(data_table(locations[["rank", "location_name", "division", "killed",
                              "seriously_injured", "ksi", "records"]], labels={"ksi": "KSI"}))
