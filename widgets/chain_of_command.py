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
# Chain of command (restricted): Early-intervention indicators from the service down to one
# officer, against peers, with a review list for supervisors. The app's logic is in
# `workbench.ui.chain_of_command`; served by `workbench apps`.
warehouse_url = None  # default: the WORKBENCH_WAREHOUSE setting (opened read-only)
audience = "restricted"  # officer-level: restricted only

# %%
from workbench.ui import ChainOfCommandApp

app = ChainOfCommandApp(warehouse_url=warehouse_url, audience=audience)
app
