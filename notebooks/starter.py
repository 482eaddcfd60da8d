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
# # Starter: the warehouse in one call
#
# `workbench.connect()` opens the warehouse named by `WORKBENCH_WAREHOUSE` (read-only). Its
# tables are Ibis tables: build the query, let the engine aggregate, and bring back only the
# small result with `.to_pandas()`.

# %% tags=["parameters"]
report = "data_quality"
table = "incidents"

# %%
import ibis

import workbench

warehouse = workbench.connect()
warehouse.list_tables()

# %% [markdown]
# ## Look at a table

# %%
events = warehouse.table(table)
events.count().to_pandas()

# %%
events.head(5).to_pandas()

# %% [markdown]
# ## Aggregate in the engine
#
# For incidents: counts per offence category. Any group-by works the same way.

# %%
(events.group_by("offence_category").aggregate(incidents=events.count())
 .order_by(ibis.desc("incidents")).to_pandas()
 if "offence_category" in events.columns else events.count().to_pandas())

# %% [markdown]
# ## Reports and their parameters
#
# Every scheduled report is registered by name with a typed parameter model. Check parameters
# here before putting them in a job file (`params/*.yaml`): a wrong key or type fails the same
# way `workbench render` would.

# %%
from workbench.publish import REPORTS, report_parameters

{name: registered.description for name, registered in REPORTS.items()}

# %%
report_parameters(report, stale_after_days=3)

# %% [markdown]
# ## Run a report interactively
#
# `run_report` runs the report's notebook in a fresh kernel exactly as the scheduled render
# does, and returns its headline figures; `run.save_html(path)` writes the page (with code).

# %%
from workbench.publish.interactive import run_report

run = run_report(report, stale_after_days=3)
run
