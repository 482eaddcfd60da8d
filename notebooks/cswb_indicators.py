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
# # Community safety and well-being: police indicators
#
# Police data that feed the Community Safety and Well-Being (CSWB) plan, city-wide and by
# neighbourhood, as rates per 1,000 residents with 95% intervals. Each indicator is mapped to a
# zone of Ontario's CSWB framework (social development, prevention, risk intervention, incident
# response) and to the plan priorities it informs.
#
# This page is public: counts below the small-cell threshold are suppressed (shown as “x”),
# with complementary suppression, and no rate is computed from a suppressed count. The figures
# are those of the open-data file `cswb_indicators` published the same day.

# %% tags=["parameters"]
year = None
as_of = None
map_indicator = "mental_health_calls"

# %%
import workbench
from workbench import public
from workbench.analysis import cswb
from workbench.charts import cswb as charts
from workbench.present.markdown import markdown
from workbench.present.tables import table
from workbench.publish import headline
from workbench.publish.catalog.community import CswbIndicatorsParameters
from workbench.settings import get_settings

params = CswbIndicatorsParameters(year=year, as_of=as_of, map_indicator=map_indicator)
warehouse = workbench.connect()
settings = get_settings()
outputs = public.build_public_outputs(warehouse, as_of=params.as_of or settings.today,
                                      cache_dir=settings.data_dir / "public-cache",
                                      use_of_force=False)
overview = public.cswb_overview(outputs, year=params.year)

# %%
markdown("**Year shown: {year}** (complete years: {years}).", year=overview.year,
         years=", ".join(map(str, overview.years))) if overview.year is not None else \
    markdown("**No complete year of incident or call data in the warehouse**: nothing to show yet.")

# %% [markdown]
# ## Headline figures (city-wide, per 1,000 residents)

# %%
headline("mental_health_calls_rate", overview.city_value("mental_health_calls"),
         unit="per 1,000", label="Mental-health calls", note=f"{overview.year}")
headline("intimate_partner_violence_rate",
         overview.city_value("intimate_partner_family_violence"), unit="per 1,000",
         better="lower", label="Intimate-partner and family violence", note=f"{overview.year}")
headline("hate_incidents", overview.city_value("hate_incidents", "count"), unit="incidents",
         better="lower", label="Hate and bias incidents", note=f"{overview.year}")
headline("repeat_call_locations", overview.city_value("repeat_call_locations", "count"),
         unit="locations", better="lower", label="Repeat-call locations",
         note=f"at least {outputs.options.indicators.repeat_call_minimum} calls in {overview.year}")
headline("youth_diversions_rate", overview.city_value("youth_diversions"), unit="per 1,000",
         label="Youth diversions and referrals", note=f"{overview.year}")
headline("non_police_calls_rate", overview.city_value("non_police_response_calls"),
         unit="per 1,000", label="Calls suited to a non-police response",
         note=", ".join(outputs.options.indicators.non_police_call_types))

# %% [markdown]
# ## City-wide indicators

# %%
public.city_indicator_table_html(overview, outputs)

# %%
charts.city_trend_chart(overview.rates)

# %% [markdown]
# ## Neighbourhoods

# %%
charts.neighbourhoods_compared_chart(overview.neighbourhoods_compared)

# %%
charts.neighbourhood_rates_chart(overview.rates, indicator=params.map_indicator,
                                 year=overview.year or 0)

# %%
outputs.indicators[params.map_indicator].html(
    rows="neighbourhood_id", where={"year": overview.year},
    caption=f"{cswb.INDICATORS[params.map_indicator].label} by neighbourhood, {overview.year}")

# %% [markdown]
# ## The indicators, their zones and plan priorities

# %%
table(cswb.indicator_catalogue())
