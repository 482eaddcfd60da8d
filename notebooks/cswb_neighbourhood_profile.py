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
# # Community safety and well-being: neighbourhood profile
#
# One neighbourhood's police indicators for the Community Safety and Well-Being plan, against
# the whole city: rates per 1,000 residents, the ratio to the city rate with its 95% interval
# (“higher” or “lower” only when the interval excludes 1), and the trend. Indicators are
# grouped by CSWB zone and plan priority.
#
# This page is public: it shows slices of the same suppressed tables as the open data (counts
# below the small-cell threshold shown as “x”, nothing derived from them shown).

# %% tags=["parameters"]
neighbourhood_id = None
year = None
as_of = None

# %%
import workbench
from workbench import public
from workbench.charts import cswb as charts
from workbench.present.markdown import markdown
from workbench.present.tables import table
from workbench.publish import headline
from workbench.publish.catalog.community import CswbNeighbourhoodProfileParameters
from workbench.settings import get_settings

params = CswbNeighbourhoodProfileParameters(neighbourhood_id=neighbourhood_id, year=year,
                                            as_of=as_of)
warehouse = workbench.connect()
settings = get_settings()
outputs = public.build_public_outputs(warehouse, as_of=params.as_of or settings.today,
                                      cache_dir=settings.data_dir / "public-cache",
                                      use_of_force=False)
profile = public.cswb_profile(outputs, neighbourhood_id=params.neighbourhood_id,
                              year=params.year)

# %%
markdown("**{name}** ({neighbourhood_id}, division {division}), {year}: {population:,} residents.",
         name=profile.name or profile.neighbourhood_id, neighbourhood_id=profile.neighbourhood_id,
         division=profile.division, year=profile.year, population=profile.population or 0) \
    if profile.neighbourhood_id else \
    markdown("**No complete year of incident or call data in the warehouse**: nothing to profile yet.")

# %% [markdown]
# ## Headline figures

# %%
headline("population", profile.population, unit="residents", label="Residents",
         note=f"{profile.year}")
headline("indicators_higher", profile.compared("higher"), unit="indicators",
         better="lower", label="Indicators above the city rate", note="95% interval above 1")
headline("indicators_lower", profile.compared("lower"), unit="indicators",
         label="Indicators below the city rate", note="95% interval below 1")
headline("mental_health_ratio", profile.value("mental_health_calls", "ratio_to_city"),
         label="Mental-health calls: ratio to the city")
headline("intimate_partner_violence_ratio",
         profile.value("intimate_partner_family_violence", "ratio_to_city"), better="lower",
         label="Intimate-partner and family violence: ratio to the city")
headline("repeat_call_locations", profile.value("repeat_call_locations", "count"),
         unit="locations", better="lower", label="Repeat-call locations")

# %% [markdown]
# ## Indicators against the city

# %%
public.profile_table_html(profile, outputs)

# %%
charts.neighbourhood_comparison_chart(profile.indicators)

# %%
charts.zone_chart(profile.indicators)

# %% [markdown]
# ## Trend

# %%
charts.neighbourhood_trend_chart(profile.trend)

# %% [markdown]
# ## By CSWB zone and plan priority

# %%
table(profile.zones)

# %%
table(profile.priorities)
