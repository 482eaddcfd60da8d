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
# # Warehouse data quality
#
# How complete, valid, unique and up to date each table of the warehouse is, how late
# incidents are reported, and what ingest set aside in quarantine. Parameters are described in
# `workbench.publish.reports.DataQualityParameters`.

# %% tags=["parameters"]
as_of = None
tables = None
stale_after_days = 2
top_rules = 15

# %%
import pandas as pd
from IPython.display import Markdown, display

import workbench
from workbench.analysis import quality
from workbench.charts import quality as quality_charts
from workbench.present.tables import table
from workbench.publish import headline
from workbench.publish.reports import DataQualityParameters
from workbench.settings import get_settings

params = DataQualityParameters(as_of=as_of, tables=tables, stale_after_days=stale_after_days,
                               top_rules=top_rules)
today = params.as_of or get_settings().today
warehouse = workbench.connect()

# %%
overview = quality.table_quality(warehouse, today=today, tables=params.tables)
violations = pd.concat(
    [quality.validity(warehouse.table(name), name).assign(table=name) for name in overview["table"]]
    + [pd.DataFrame(columns=["table", "rule", "column", "invalid", "rows", "validity"])],
    ignore_index=True,
)
quarantine = (quality.quarantine_summary(warehouse.table("quarantine"))
              if warehouse.has_table("quarantine") else
              pd.DataFrame(columns=["adapter", "target_table", "reason", "rows"]))
incident_rows = overview.loc[overview["table"] == "incidents"]

# %% [markdown]
# ## Headline figures

# %%
headline("tables_with_rule_violations", int((overview["rule_violations"] > 0).sum()),
         better="lower", label="Tables with rule violations",
         note=f"of {len(overview)} tables checked")
headline("rule_violations", int(overview["rule_violations"].sum()), unit="rows",
         better="lower", label="Rule violations")
headline("duplicate_key_rows", int(overview["duplicate_keys"].sum()), unit="rows",
         better="lower", label="Rows with a duplicate key")
headline("incidents_days_behind",
         incident_rows["days_behind"].iloc[0] if len(incident_rows) else None,
         unit="days", better="lower", label="Days behind: incidents", note=f"as of {today}")
headline("stale_tables", int((overview["days_behind"].fillna(0) > params.stale_after_days).sum()),
         better="lower", label="Stale tables",
         note=f"latest record over {params.stale_after_days} days old")
headline("quarantined_rows", int(quarantine["rows"].sum()) if len(quarantine) else 0,
         unit="rows", better="lower", label="Quarantined rows")

# %% [markdown]
# ## Tables

# %%
display(table(overview, formats={"completeness": "{:.1%}", "rows": "{:,}",
                                  "rule_violations": "{:,}", "duplicate_keys": "{:,}"},
              na=""))

# %%
quality_charts.completeness_chart(overview)

# %%
quality_charts.days_behind_chart(overview, stale_after_days=params.stale_after_days)

# %% [markdown]
# ## Validity rules broken

# %%
(quality_charts.rule_violations_chart(violations, top=params.top_rules)
 if (violations["invalid"] > 0).any() else Markdown("No validity rule is broken: nothing to chart."))

# %%
display(table(violations.loc[violations["invalid"] > 0,
                             ["table", "rule", "column", "invalid", "rows", "validity"]]
              .sort_values("invalid", ascending=False).head(params.top_rules),
              formats={"validity": "{:.2%}", "invalid": "{:,}", "rows": "{:,}"}))

# %% [markdown]
# ## Report lag of incidents

# %%
lag = (quality.report_lag(warehouse.table("incidents"))
       if "incidents" in set(overview["table"]) and len(incident_rows)
       and incident_rows["rows"].iloc[0] > 0 else None)
quality_charts.report_lag_chart(lag) if lag is not None else Markdown("No incidents to measure.")

# %% [markdown]
# ## Quarantine

# %%
(Markdown("Nothing in quarantine.") if quarantine.empty else
 table(quarantine, formats={"rows": "{:,}"}))
