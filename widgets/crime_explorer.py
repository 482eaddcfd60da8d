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

# %% tags=["parameters"]
# Crime explorer: Incidents by period, offence category, division and neighbourhood, against the
# same period a year earlier. The app's logic is in `workbench.ui.crime_explorer`; served by
# `workbench apps`.
warehouse_url = None  # default: the WORKBENCH_WAREHOUSE setting (opened read-only)

# %%
from workbench.ui import CrimeExplorerApp

app = CrimeExplorerApp(warehouse_url=warehouse_url)
app
