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
# # Crime trends: monthly
#
# Service-wide counts and rates per 100,000 residents by category, a control chart, a seasonal
# forecast with its back-test error, the Crime Severity Index (total, violent, non-violent)
# with what drove its change, and neighbourhood hot spots. Parameters:
# `workbench.publish.catalog.crime.CrimeTrendsMonthlyParameters`. Internal.

# %% tags=["parameters"]
month = None
trend_months = 36
forecast_months = 6
backtest_months = 12
csi_years = 5
csi_scale = 1.0
hot_spot_days = 28

# %%
from IPython.display import Markdown, display

import workbench
from workbench.analysis import crime, csi, forecast, hotspots
from workbench.charts import crime as crime_charts
from workbench.charts import maps
from workbench.present.markdown import markdown
from workbench.present.tables import table
from workbench.publish import data_permitting, headline
from workbench.publish.catalog.crime import CrimeTrendsMonthlyParameters, latest_day
from workbench.settings import get_settings

params = CrimeTrendsMonthlyParameters(month=month, trend_months=trend_months,
                                      forecast_months=forecast_months,
                                      backtest_months=backtest_months, csi_years=csi_years,
                                      csi_scale=csi_scale, hot_spot_days=hot_spot_days)
warehouse = workbench.connect()
freshness = warehouse.freshness().set_index("table")
data_from = latest_day(freshness.loc["incidents", "earliest"])
data_to = latest_day(freshness.loc["incidents", "latest"])
window = params.window(get_settings().today, data_to, data_from)
incidents, population, neighbourhoods, offence_codes = warehouse.tables(
    "incidents", "population", "neighbourhoods", "offence_codes",
    optional=("population", "neighbourhoods"))
display(markdown("**{label}** (trends from {trend_start:%B %Y}) · whole service · incidents by "
                 "occurrence date · data freshness: incidents to {data_to} (from {data_from}). "
                 "{coverage_note}", label=window.label, trend_start=window.trend_start,
                 data_to=data_to, data_from=data_from, coverage_note=window.coverage_note))

# %%
rates = crime.incident_rates(incidents, population, neighbourhoods, start=window.trend_start,
                             as_of=window.end, period="month", by=("offence_category",))
this_month = rates.loc[rates["period_start"].dt.date == window.start]
totals = rates.groupby("period_start", as_index=False).agg(
    incidents=("incidents", "sum"), population=("population", "first"))
totals["rate"] = totals["incidents"] / totals["population"] * 100_000
total_this_month = totals.loc[totals["period_start"].dt.date == window.start]
has_population = bool(rates["population"].notna().any())

# %% [markdown]
# ## Headline figures

# %%
headline("incidents_month", int(this_month["incidents"].sum()), unit="incidents",
         better="lower", label=f"Incidents, {window.label}")
headline("rate_per_100k_month", total_this_month["rate"].iloc[0] if len(total_this_month)
         else None, better="lower", label="Incidents per 100,000 residents",
         note=f"{window.label}, not annualised" if has_population
         else "no population in the warehouse")

# %% [markdown]
# ## Counts and rates by category

# %%
(crime_charts.incident_trend_chart(rates, y="rate", title="Incidents per 100,000 residents",
                                   y_title="Per 100,000 per month") if has_population
 else crime_charts.incident_trend_chart(rates, y="incidents", title="Incidents (the warehouse "
                                        "has no population: rates not shown)",
                                        y_title="Incidents per month"))

# %%
display(table(this_month[["offence_category", "incidents", "population", "rate"]]
              .sort_values("incidents", ascending=False),
              formats={"incidents": "{:,}", "population": "{:,.0f}", "rate": "{:.1f}"}))

# %% [markdown]
# ## Control chart (all incidents, monthly)

# %%
with data_permitting("Control chart"):
    control = crime.control_chart(incidents, as_of=window.end, period="month",
                                  periods=window.history_months(minimum=3), by=())
    headline("months_out_of_control", int(control["out_of_control"].sum()), unit="months",
             label="Months outside the control limits", note=f"of the last {len(control)}")
    display(crime_charts.control_chart_chart(control, title="Incidents per month",
                                             y_title="Incidents per month"))

# %% [markdown]
# ## Forecast
#
# Seasonal model of monthly counts, with a rolling-origin back-test: its mean absolute error
# is compared with last year's same month (seasonal naive).

# %%
with data_permitting("Forecast"):
    prediction = forecast.forecast_monthly_incidents(
        incidents, as_of=window.end, horizon=params.forecast_months,
        backtest_months=params.backtest_months)
    headline("forecast_next_month", prediction.forecast["forecast"].iloc[0], unit="incidents",
             label="Forecast, next month", note=f"{prediction.level:.0%} interval "
             f"{prediction.forecast['lower'].iloc[0]:,.0f}–"
             f"{prediction.forecast['upper'].iloc[0]:,.0f}")
    headline("forecast_backtest_mape", prediction.mean_absolute_percentage_error, unit="%",
             better="lower", label="Back-test error (MAPE)",
             note=f"MAE {prediction.mean_absolute_error:,.0f} vs seasonal naive "
             f"{prediction.seasonal_naive_mean_absolute_error:,.0f}; {prediction.method}")
    display(crime_charts.forecast_chart(prediction.tidy()))

# %% [markdown]
# ## Crime Severity Index
#
# Weights from the warehouse's `offence_codes` table. The service value reproduces Statistics
# Canada's method (comparable with the published series once `csi_scale` is calibrated);
# values for divisions are **unofficial**: Statistics Canada publishes none below the service.

# %%
with data_permitting("Crime Severity Index"):
    index = csi.crime_severity_index(incidents, offence_codes, population, neighbourhoods,
                                     as_of=window.end,
                                     years=window.complete_years(params.csi_years),
                                     scale=params.csi_scale)
    latest_csi = index.iloc[-1]
    headline("csi", latest_csi["csi"], label=f"Crime Severity Index, {latest_csi['year']}",
             better="lower", note=f"weights {latest_csi['weights_version']}; "
             f"{latest_csi['weight_coverage']:.0%} of incidents weighted")
    headline("violent_csi", latest_csi["violent_csi"], better="lower", label="Violent CSI")
    headline("non_violent_csi", latest_csi["non_violent_csi"], better="lower",
             label="Non-violent CSI")
    display(crime_charts.csi_trend_chart(index))

# %%
with data_permitting("What drove the change in the index"):
    drivers = csi.csi_change_drivers(incidents, offence_codes, population, neighbourhoods,
                                     as_of=window.end, year=window.complete_years(2, minimum=2)[-1],
                                     scale=params.csi_scale)
    display(crime_charts.csi_drivers_chart(drivers))

# %%
with data_permitting("Crime Severity Index by division"):
    divisions = csi.crime_severity_index(incidents, offence_codes, population, neighbourhoods,
                                         as_of=window.end, years=window.complete_years(1),
                                         geography="division", scale=params.csi_scale)
    display(table(divisions[["year", "division", "csi", "violent_csi", "non_violent_csi",
                             "label"]],
                  formats={"csi": "{:.1f}", "violent_csi": "{:.1f}", "non_violent_csi": "{:.1f}"},
                  labels={"csi": "CSI", "violent_csi": "Violent CSI",
                          "non_violent_csi": "Non-violent CSI"}))

# %% [markdown]
# ## Hot spots
#
# Neighbourhoods by change over the last days of the reported month against a year earlier
# (Poisson z; significant after Holm's adjustment across every neighbourhood). When the data
# do not reach back a year, against the days just before, as the page says.

# %%
compare_with = window.comparison(params.hot_spot_days)
against = "a year earlier" if compare_with == "year_ago" else (
    f"the {params.hot_spot_days} days before (the data do not reach back a year)")
spots = hotspots.neighbourhood_hot_spots(incidents, population, neighbourhoods,
                                         as_of=window.end, days=params.hot_spot_days,
                                         compare_with=compare_with)
features = hotspots.neighbourhood_features(neighbourhoods)
headline("hot_spots_significant", int((spots["significant"] & (spots["direction"] == "up")).sum()),
         unit="neighbourhoods", better="lower", label="Neighbourhoods with a significant rise",
         note=f"last {params.hot_spot_days} days against {against}")
(maps.choropleth_map(spots, features, value="z", diverging=True,
                     value_title="z (change on a year earlier)" if compare_with == "year_ago"
                     else "z (change on the days before)",
                     title=f"Change in incidents, last {params.hot_spot_days} days")
 if features else Markdown("**Map not drawn.** The warehouse holds no neighbourhood "
                           "boundaries; the table below ranks the neighbourhoods."))

# %%
display(table(spots.head(10)[["neighbourhood_id", "name", "division", "current", "past", "z",
                              "significant", "rate_per_1000"]],
              formats={"z": "{:.1f}", "rate_per_1000": "{:.2f}"},
              labels={"neighbourhood_id": "Neighbourhood",
                      "current": f"Last {params.hot_spot_days} days",
                      "past": "A year earlier" if compare_with == "year_ago" else "Days before",
                      "z": "z", "rate_per_1000": "Per 1,000 residents"}))
