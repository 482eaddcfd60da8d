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
# # Workforce: monthly report
#
# Absenteeism, short- and long-term absence, sick leave against the service's seasonal rate,
# turnout against minimum staffing, backfill overtime and relief factors. Definitions are in
# `workbench.analysis.workforce`; parameters in
# `workbench.publish.catalog.workforce.WorkforceMonthlyParameters`. Internal: every figure
# describes at least *k* members (the small-cell threshold); smaller groups show as blank.

# %% tags=["parameters"]
unit = None
month = None
trend_months = 24
baseline_months = 24
absence_codes = ["sick", "injury", "family"]
familywise_error = 0.01

# %%
from IPython.display import Markdown, display

import workbench
from workbench.analysis import workforce
from workbench.charts import workforce as workforce_charts
from workbench.present.markdown import markdown, md_escape
from workbench.present.tables import table
from workbench.privacy import small_cell_threshold
from workbench.publish import headline
from workbench.publish.catalog.workforce import WorkforceMonthlyParameters, job_audience
from workbench.settings import get_settings

params = WorkforceMonthlyParameters(unit=unit, month=month, trend_months=trend_months,
                                    baseline_months=baseline_months, absence_codes=absence_codes,
                                    familywise_error=familywise_error)
window = params.window(get_settings().today)
warehouse = workbench.connect()
shifts, units, personnel = warehouse.tables("shifts", "units", "personnel")
scope = workforce.for_unit(shifts, params.unit)
figures = workforce.for_audience(job_audience(default="internal"))  # small groups hidden
threshold = small_cell_threshold()
display(markdown("**{label}** · {unit} · absence counted: {codes} · groups under {threshold} "
                 "members hidden", label=window.label, unit=params.unit or "whole service",
                 codes=", ".join(params.absence_codes), threshold=threshold))

# %%
month_rates = figures.absence_rates(scope, start=window.start, end=window.end, by=(),
                                    absence_codes=params.absence_codes)
month_spells = figures.absence_spell_summary(scope, start=window.start, end=window.end, by=(),
                                            absence_codes=params.absence_codes)
month_staffing = figures.staffing_levels(scope, units, start=window.start, end=window.end, by=())
comparison = figures.sick_leave_against_baseline(
    shifts, start=window.baseline_start, end=window.end,
    familywise_error=params.familywise_error)
compared_units = comparison.units
flagged = compared_units.loc[compared_units["flagged"].fillna(False).astype(bool)]

# %% [markdown]
# ## Headline figures

# %%
headline("absence_rate", workforce.single_value(month_rates, "absence_rate", scale=100),
         unit="%", better="lower", label="Absence rate",
         note="hours lost to unplanned absence ÷ scheduled hours")
headline("days_lost_per_fte", workforce.single_value(month_rates, "days_lost_per_fte"),
         unit="days", better="lower", label="Days lost per FTE (annualised)",
         note="absence rate × 250 working days")
headline("incidence", workforce.single_value(month_rates, "incidence", scale=100),
         unit="%", better="lower", label="Members with an absence",
         note="share of scheduled members absent at least once in the month")
headline("long_term_spells", workforce.single_value(month_spells, "long_term_spells"),
         unit="spells", better="lower", label="Long-term spells started",
         note=f"longer than {workforce.LONG_TERM_SPELL_SHIFTS} consecutive scheduled shifts")
headline("shifts_below_minimum_before_backfill",
         workforce.single_value(month_staffing, "shifts_below_minimum_before_backfill"),
         unit="shifts", better="lower", label="Shifts short before backfill",
         note="turnout below the unit's minimum staffing")
headline("shifts_below_minimum", workforce.single_value(month_staffing, "shifts_below_minimum"),
         unit="shifts", better="lower", label="Shifts short after backfill")
headline("backfill_overtime_cost",
         workforce.single_value(month_staffing, "backfill_overtime_cost"),
         unit="$", better="lower", label="Backfill overtime cost")
headline("units_flagged_sick_leave", len(flagged), unit="units", better="lower",
         label="Units flagged for sick leave",
         note=f"over {params.baseline_months} months, against the service's seasonal rate")

# %% [markdown]
# ## Absence trend

# %%
trend = figures.absence_rates(scope, start=window.trend_start, end=window.end, by=(),
                              period="month", absence_codes=params.absence_codes)
workforce_charts.absence_rate_trend_chart(trend)

# %%
by_type = figures.absence_by_type(scope, start=window.trend_start, end=window.end,
                                  period="month")
workforce_charts.absence_by_type_chart(by_type, title="Hours lost by absence type (all codes)")

# %% [markdown]
# ## This month by unit and by rank

# %%
by_unit = figures.absence_rates(shifts, start=window.start, end=window.end, by=("unit_id",),
                                absence_codes=params.absence_codes)
display(table(by_unit[["unit_id", "people", "absence_rate", "days_lost_per_fte", "incidence"]],
              formats={"absence_rate": "{:.2%}", "days_lost_per_fte": "{:.1f}",
                       "incidence": "{:.0%}"}, labels={"days_lost_per_fte": "Days lost per FTE"}))

# %%
by_rank = figures.absence_rates(shifts, start=window.year_start, end=window.end, by=("rank",),
                                personnel=personnel, absence_codes=params.absence_codes)
display(Markdown("Twelve months to the end of the reported month, by rank:"))
display(table(by_rank[["rank", "people", "absence_rate", "days_lost_per_fte", "incidence"]],
              formats={"absence_rate": "{:.2%}", "days_lost_per_fte": "{:.1f}",
                       "incidence": "{:.0%}"}, labels={"days_lost_per_fte": "Days lost per FTE"}))

# %% [markdown]
# ## Short- and long-term absence
#
# Spells of consecutive scheduled shifts away; long-term = more than five shifts. Twelve
# months to the end of the reported month, by unit.

# %%
spells = figures.absence_spell_summary(shifts, start=window.year_start, end=window.end,
                                       by=("unit_id",), absence_codes=params.absence_codes)
display(table(spells[["unit_id", "people", "short_term_spells", "long_term_spells",
                      "long_term_hours_share"]], formats={"long_term_hours_share": "{:.0%}"}))

# %% [markdown]
# ## Sick leave against the service's seasonal rate
#
# Sick spells of each unit over the comparison window against the spells expected at the
# rate of every other unit in the same months. A unit is flagged when its whole interval lies
# away from 1 (the chance of flagging any unit by chance alone is at most the family-wise
# error).

# %%
workforce_charts.sick_leave_baseline_chart(compared_units)

# %%
display(Markdown("No unit departs from the service's rate." if flagged.empty else
                 "Flagged: " + ", ".join(f"**{md_escape(row.unit_id)}** ({md_escape(row.flag)}, "
                                         f"{row.ratio:.2f} × expected)"
                                         for row in flagged.itertuples())))

# %%
focus = params.unit or (flagged["unit_id"].iloc[0] if len(flagged) else
                        compared_units["unit_id"].iloc[0] if len(compared_units) else None)
focus_months = comparison.monthly.loc[comparison.monthly["unit_id"] == focus]
workforce_charts.sick_leave_unit_chart(focus_months, unit_id=focus)

# %% [markdown]
# ## Turnout against minimum staffing

# %%
staffing_by_unit = figures.staffing_levels(shifts, units, start=window.start, end=window.end,
                                           by=("unit_id",))
workforce_charts.minimum_staffing_chart(staffing_by_unit)

# %%
display(table(staffing_by_unit[["unit_id", "shifts", "mean_scheduled", "mean_on_duty",
                                "availability", "shifts_below_minimum_before_backfill",
                                "shifts_below_minimum", "backfill_overtime_hours",
                                "backfill_overtime_cost"]],
              formats={"mean_scheduled": "{:.1f}", "mean_on_duty": "{:.1f}",
                       "availability": "{:.0%}", "backfill_overtime_hours": "{:,.0f}",
                       "backfill_overtime_cost": "${:,.0f}"}))

# %% [markdown]
# ## Overtime

# %%
overtime = figures.overtime_summary(scope, start=window.trend_start, end=window.end,
                                    by=("overtime_reason",), period="month")
workforce_charts.overtime_chart(overtime)

# %% [markdown]
# ## Relief factor
#
# Members needed to keep one 8-hour post filled every day, from each unit's scheduled and
# absent hours per full-time equivalent over the twelve months to the reported month.

# %%
relief = figures.relief_factors(shifts, personnel, start=window.year_start, end=window.end)
workforce_charts.relief_factor_chart(relief)
