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
# # Absence detail for HR (restricted)
#
# **Restricted: lists individual members by their opaque id.** For HR case review only; never
# forward it to a lower audience. The Bradford factor (S² × D over 52 weeks: S spells, D days
# absent) weighs many short absences far above one long one and penalises disability and
# chronic illness: use it to open a conversation, never as a target or a sanction. Parameters
# are in `workbench.publish.catalog.workforce.AbsenceDetailParameters`.

# %% tags=["parameters"]
unit = None
as_of = None
weeks = 52
bradford_codes = ["sick"]
top = 25

# %%
from IPython.display import display

import workbench
from workbench.analysis import workforce
from workbench.charts import workforce as workforce_charts
from workbench.present.markdown import markdown
from workbench.present.tables import table
from workbench.publish import headline
from workbench.publish.catalog.workforce import AbsenceDetailParameters, job_audience
from workbench.settings import get_settings

params = AbsenceDetailParameters(unit=unit, as_of=as_of, weeks=weeks,
                                 bradford_codes=bradford_codes, top=top)
window = params.window(get_settings().today)
figures = workforce.for_audience(job_audience())  # person-level: restricted only
warehouse = workbench.connect()
shifts = warehouse.table("shifts")
display(markdown("**{start:%d %B %Y} to {end:%d %B %Y}** · {unit} · Bradford codes: {codes}",
                 start=window.start, end=window.as_of, unit=params.unit or "every unit",
                 codes=", ".join(params.bradford_codes)))

# %%
factors = figures.bradford_factors(shifts, as_of=window.as_of, weeks=params.weeks,
                                   absence_codes=params.bradford_codes, unit_id=params.unit)
spells = figures.officer_absence_spells(shifts, start=window.start, end=window.as_of,
                                        unit_id=params.unit)
long_term = spells.loc[spells["long_term"]]

# %% [markdown]
# ## Headline figures

# %%
headline("members_with_unplanned_absence", int(spells["officer_id"].nunique()),
         unit="members", better="lower", label="Members with an unplanned absence")
headline("unplanned_spells", len(spells), unit="spells", better="lower",
         label="Unplanned absence spells started")
headline("long_term_spells", len(long_term), unit="spells", better="lower",
         label="Long-term spells started",
         note=f"more than {workforce.LONG_TERM_SPELL_SHIFTS} consecutive scheduled shifts")
headline("long_term_spells_ongoing", int(long_term["continues_after_end"].sum()), unit="spells", better="lower",
         label="Long-term spells still running", note=f"at {window.as_of:%d %B %Y}")
headline("members_bradford_500_plus", int((factors["bradford_factor"] >= 500).sum()),
         unit="members", better="lower", label="Members with a Bradford factor of 500 or more")
headline("median_bradford_factor", float(factors["bradford_factor"].median())
         if len(factors) else None, better="lower",
         label="Median Bradford factor (members with an absence)")

# %% [markdown]
# ## Bradford factors

# %%
workforce_charts.bradford_distribution_chart(factors)

# %%
display(table(factors.head(params.top), formats={"hours": "{:,.0f}", "bradford_factor": "{:,.0f}"}))

# %% [markdown]
# ## Spells

# %%
workforce_charts.spell_length_chart(spells, long_term_after=workforce.LONG_TERM_SPELL_SHIFTS)

# %%
workforce_charts.absence_by_type_chart(
    figures.absence_by_type(workforce.for_unit(shifts, params.unit), start=window.start,
                            end=window.as_of, period="month"),
    title="Hours lost by absence type, by month (all codes)")

# %% [markdown]
# ## Long-term spells, newest first

# %%
display(table(long_term.head(params.top), formats={"hours": "{:,.0f}",
                                                   "first_date": "{:%Y-%m-%d}",
                                                   "last_date": "{:%Y-%m-%d}"}))
