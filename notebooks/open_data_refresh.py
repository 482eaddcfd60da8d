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
# # Open data refresh
#
# Writes the public open-data folder — CSV and GeoJSON per dataset with a `metadata.json`
# (data dictionary, suppression and geomasking rules, refresh date) — and shows what was
# written. Everything passes the privacy rules first: small counts suppressed with
# complementary suppression (and attacked by an audit before writing), identifiers dropped,
# incident points moved off the address. The folder is replaced in one step, so readers never
# see half a refresh. The same as `workbench export-open-data`.

# %% tags=["parameters"]
out = None
as_of = None

# %%
from pathlib import Path

import workbench
from workbench import public
from workbench.charts import cswb as charts
from workbench.present.tables import table
from workbench.publish import headline
from workbench.publish.catalog.community import OpenDataRefreshParameters
from workbench.settings import get_settings

params = OpenDataRefreshParameters(out=out, as_of=as_of)
settings = get_settings()
warehouse = workbench.connect()
result = public.export_open_data(warehouse, Path(params.out or settings.site_dir / "open-data"),
                                 as_of=params.as_of or settings.today,
                                 cache_dir=settings.data_dir / "public-cache")
summary = result.summary()
points = result.read("incident_points")

# %% [markdown]
# ## What was published

# %%
headline("datasets", len(summary), unit="datasets", label="Datasets written",
         note=f"as of {result.as_of}")
headline("files", len(result.files_table()), unit="files", label="Files written")
headline("rows", int(summary["rows"].sum()), unit="rows", label="Rows published")
headline("suppressed_entries", int(summary["suppressed"].sum()), unit="entries",
         label="Suppressed entries", note="small counts and their complements")
headline("points", len(points), unit="points", label="Geomasked incident points",
         note=f"grid cell {public.DEFAULT_OPTIONS.geomask_cell_metres:g} m")

# %%
table(summary, formats={"rows": "{:,}", "suppressed": "{:,}"})

# %%
charts.open_data_summary_chart(summary)

# %%
charts.suppression_share_chart(summary)

# %%
charts.points_by_month_chart(points)

# %% [markdown]
# ## Files

# %%
table(result.files_table(), formats={"bytes": "{:,}"})
