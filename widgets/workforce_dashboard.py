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
# Workforce dashboard: Absence, turnout against minimum staffing, relief factor and patrol
# staffing gap, by unit and period. The app's logic is in `workbench.ui.workforce_dashboard`;
# served by `workbench apps`.
warehouse_url = None  # default: the WORKBENCH_WAREHOUSE setting (opened read-only)

# %%
from workbench.ui import WorkforceDashboardApp

app = WorkforceDashboardApp(warehouse_url=warehouse_url)
app
