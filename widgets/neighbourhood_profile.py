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
# Neighbourhood profile: Community Safety and Well-Being indicators of one neighbourhood against
# the city. The app's logic is in `workbench.ui.neighbourhood_profile`; served by `workbench
# apps`.
warehouse_url = None  # default: the WORKBENCH_WAREHOUSE setting (opened read-only)

# %%
from workbench.ui import NeighbourhoodProfileApp

app = NeighbourhoodProfileApp(warehouse_url=warehouse_url)
app
