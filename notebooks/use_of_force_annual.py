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
# # Race-based use of force: annual report
#
# How each perceived-race group is represented at each stage of police contact — the resident
# population, enforcement actions (arrests, charges, summonses, tickets), use of force, and the
# type of force used — following the Ontario Anti-Racism Data Standards (ARDS).
#
# * **Racial Disproportionality Index**: a group's share of the people at a stage divided by
#   its share of a benchmark (the census population, or the previous stage). 1 is parity; the
#   flags use the thresholds set for this report.
# * **Racial Disparity Index**: a group's rate (people at the stage per 1,000 residents of the
#   group) divided by the reference group's rate.
# * Every figure comes with a 95% confidence interval; small counts carry a caution.
# * Perceived race is the officer's perception. A person perceived as more than one group is
#   counted once, as *multiple*, and is not split between groups; people whose perceived race
#   was not recorded are *unknown*. Shares and indices are of people perceived as one group.
# * Race data are never joined to officer data: nothing here describes individual officers.
# * This page is public: counts below the small-cell threshold are suppressed (shown as “x”),
#   with complementary suppression, and no index is computed from a suppressed count. The
#   tables are the same as in the open-data files published the same day.

# %% tags=["parameters"]
year = None
as_of = None
reference_group = "white"
over_representation = 1.1
under_representation = 0.9
minimum_count = 20
focus_group = "black"

# %%
import workbench
from workbench import public
from workbench.charts import use_of_force as charts
from workbench.present.markdown import markdown
from workbench.publish import headline
from workbench.publish.catalog.community import UseOfForceAnnualParameters
from workbench.settings import get_settings

params = UseOfForceAnnualParameters(
    year=year, as_of=as_of, reference_group=reference_group,
    over_representation=over_representation, under_representation=under_representation,
    minimum_count=minimum_count, focus_group=focus_group)
warehouse = workbench.connect()
settings = get_settings()
outputs = public.build_public_outputs(warehouse, as_of=params.as_of or settings.today,
                                      cache_dir=settings.data_dir / "public-cache",
                                      community=False)
annual = public.annual_use_of_force(outputs, year=params.year, thresholds=params.thresholds(),
                                    reference_group=params.reference_group)
focus = params.focus_group.replace("_", " ")

# %%
markdown("**Year reported: {year}** (complete years available: {years}).", year=annual.year,
         years=", ".join(map(str, annual.years)) or "none") if annual.has_data else \
    markdown("**No complete year of use-of-force data in the warehouse**: nothing to report yet.")

# %% [markdown]
# ## Headline figures

# %%
headline("use_of_force_people", annual.people["use_of_force"], unit="people",
         label="People force was used on", note=f"in {annual.year}")
headline("enforcement_people", annual.people["enforcement_actions"], unit="people",
         label="People subject to enforcement actions", note=f"in {annual.year}")
headline("focus_index_population", annual.index(params.focus_group), better="lower",
         label=f"Use of force vs population: {focus}",
         note="Racial Disproportionality Index (1 = parity)")
headline("focus_index_enforcement",
         annual.index(params.focus_group, benchmark="previous_stage"), better="lower",
         label=f"Use of force vs enforcement actions: {focus}",
         note="Racial Disproportionality Index (1 = parity)")
headline("focus_disparity", annual.disparity_ratio(params.focus_group), better="lower",
         label=f"Disparity index: {focus}",
         note=f"use-of-force rate ÷ {params.reference_group.replace('_', ' ')} rate")
headline("groups_over_represented", annual.groups_flagged("over"), unit="groups",
         better="lower", label="Groups over-represented in use of force",
         note=f"index ≥ {params.over_representation} and interval above 1")

# %% [markdown]
# ## Disproportionality by stage
#
# Against the population (census), each stage asks: is the group's share of the people at
# this stage larger than its share of residents?

# %%
public.stage_index_table_html(annual, outputs, benchmark="population")

# %%
charts.disproportionality_chart(annual.by_population, thresholds=annual.thresholds,
                                title=f"Racial Disproportionality Index vs population, {annual.year}")

# %%
charts.stage_share_chart(annual.stage_counts)

# %% [markdown]
# Against the previous stage, each stage asks: once people are in contact with police, is the
# group more likely than others to move on to the next stage?

# %%
public.stage_index_table_html(annual, outputs, benchmark="previous_stage")

# %% [markdown]
# ## Disparity against the reference group

# %%
public.disparity_table_html(annual, outputs)

# %%
charts.disparity_chart(annual.disparity, thresholds=annual.thresholds)

# %% [markdown]
# ## Type of force
#
# People force was used on, by perceived group and the highest type of force used on them,
# and each group's index among the people a type of force was used on (benchmark: all
# use-of-force subjects).

# %%
outputs.use_of_force.html(rows="race_group", columns="force_type", where={"year": annual.year},
                          caption=f"People force was used on, {annual.year}")

# %%
charts.force_type_chart(annual.force_types)

# %% [markdown]
# People perceived as more than one group, or whose perceived race was not recorded:

# %%
outputs.use_of_force_other.html(rows="race_group", where={"year": annual.year},
                                caption=f"Use of force: multiple or unknown race, {annual.year}")

# %% [markdown]
# ## Enforcement actions (the second stage)

# %%
outputs.enforcement.html(rows="race_group", columns="action_type", where={"year": annual.year},
                         caption=f"People subject to enforcement actions, {annual.year}")

# %% [markdown]
# ## Trend

# %%
charts.index_trend_chart(annual.trend, stage="use_of_force", thresholds=annual.thresholds,
                         title="Use of force vs population, by year")

# %%
charts.index_trend_chart(annual.trend, stage="enforcement_actions", thresholds=annual.thresholds,
                         title="Enforcement actions vs population, by year")
