"""Charts of budget, actual spending, the year-end projection and establishment strength
(inputs from :mod:`workbench.analysis.finance`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.charts import PALETTE

__all__ = [
    "budget_vs_actual_chart",
    "cumulative_spend_chart",
    "projection_chart",
    "staffing_strength_chart",
    "variance_chart",
]

_BUDGET = PALETTE[5]
_ACTUAL = PALETTE[0]
_OVER = PALETTE[3]
_UNDER = PALETTE[2]


def budget_vs_actual_chart(monthly: pd.DataFrame, *,
                           title: str = "Budget and actual by month") -> alt.LayerChart:
    """Bars of the monthly budget with the actual as a line (closed months only), for one group
    (:func:`~workbench.analysis.finance.budget_vs_actual`; filter or group first)."""
    data = monthly[["month", "budget", "actual", "variance"]].reset_index(drop=True)
    base = alt.Chart(data)
    tooltip = [alt.Tooltip("month:T", title="Month", format="%B %Y"),
               alt.Tooltip("budget:Q", format="$,.0f", title="Budget"),
               alt.Tooltip("actual:Q", format="$,.0f", title="Actual"),
               alt.Tooltip("variance:Q", format="$,.0f", title="Actual − budget")]
    bars = base.mark_bar(color=_BUDGET, opacity=0.6).encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("budget:Q", title="Dollars", axis=alt.Axis(format="$,.0f")),
        tooltip=tooltip)
    line = base.transform_filter("isValid(datum.actual)").mark_line(
        point=True, color=_ACTUAL).encode(x="yearmonth(month):T", y="actual:Q", tooltip=tooltip)
    return alt.layer(bars, line).properties(title=title)


def cumulative_spend_chart(monthly: pd.DataFrame, projection: pd.DataFrame | None = None, *,
                           title: str = "Spending to date against the budget",
                           ) -> alt.LayerChart:
    """Cumulative budget and cumulative actual over the fiscal year for one group, with the
    projected year end and its interval at the last month when ``projection`` (one row of
    :func:`~workbench.analysis.finance.year_end_projection`) is given."""
    data = monthly[["month", "budget", "actual"]].sort_values("month").reset_index(drop=True)
    data = data.assign(cumulative_budget=data["budget"].cumsum(),
                       cumulative_actual=data["actual"].cumsum().where(data["actual"].notna()))
    base = alt.Chart(data)
    axis = alt.Axis(format="$,.3s")
    budget = base.mark_line(color=_BUDGET, strokeDash=[6, 4]).encode(
        x=alt.X("month:T", title=None),
        y=alt.Y("cumulative_budget:Q", title="Cumulative dollars", axis=axis),
        tooltip=[alt.Tooltip("month:T", format="%B %Y"),
                 alt.Tooltip("cumulative_budget:Q", format="$,.0f", title="Budget to date")])
    actual = base.transform_filter("isValid(datum.cumulative_actual)").mark_line(
        point=True, color=_ACTUAL).encode(
        x="month:T", y="cumulative_actual:Q",
        tooltip=[alt.Tooltip("month:T", format="%B %Y"),
                 alt.Tooltip("cumulative_actual:Q", format="$,.0f", title="Actual to date")])
    layers: list[alt.Chart] = [budget, actual]
    if projection is not None and len(projection) and len(data):
        row = projection.iloc[0]
        point = pd.DataFrame({"month": [data["month"].max()],
                              "projection": [row["projection"]],
                              "lower": [row["projection_lower"]],
                              "upper": [row["projection_upper"]]})
        marker = alt.Chart(point).mark_point(shape="diamond", size=120, filled=True,
                                             color=_OVER).encode(
            x="month:T", y="projection:Q",
            tooltip=[alt.Tooltip("projection:Q", format="$,.0f", title="Projected year end"),
                     alt.Tooltip("lower:Q", format="$,.0f", title="Interval from"),
                     alt.Tooltip("upper:Q", format="$,.0f", title="Interval to")])
        whisker = alt.Chart(point).transform_filter("isValid(datum.lower)").mark_rule(
            color=_OVER, strokeWidth=2).encode(x="month:T", y="lower:Q", y2="upper:Q")
        layers += [whisker, marker]
    return alt.layer(*layers).properties(title=title)


def variance_chart(year_to_date: pd.DataFrame, *, group: str = "cost_centre",
                   title: str = "Actual against budget, year to date") -> alt.Chart:
    """Bars of each group's year-to-date variance as a share of its budget to date
    (:func:`~workbench.analysis.finance.year_to_date`): right of zero = overspent."""
    data = year_to_date.dropna(subset=["variance_share_to_date"])[
        [group, "variance_share_to_date", "variance_to_date", "budget_to_date",
         "actual_to_date"]].reset_index(drop=True)
    data = data.assign(direction=data["variance_to_date"].gt(0).map(
        {True: "over budget", False: "under budget"}))
    return alt.Chart(data, title=title).mark_bar().encode(
        y=alt.Y(f"{group}:N", sort="-x", title=None),
        x=alt.X("variance_share_to_date:Q", title="(Actual − budget) ÷ budget",
                axis=alt.Axis(format="%")),
        color=alt.Color("direction:N", title=None, scale=alt.Scale(
            domain=["over budget", "under budget"], range=[_OVER, _UNDER])),
        tooltip=[alt.Tooltip(f"{group}:N"),
                 alt.Tooltip("budget_to_date:Q", format="$,.0f", title="Budget to date"),
                 alt.Tooltip("actual_to_date:Q", format="$,.0f", title="Actual to date"),
                 alt.Tooltip("variance_share_to_date:Q", format="+.1%", title="Variance")],
    )


def projection_chart(projection: pd.DataFrame, *, group: str = "cost_centre",
                     title: str = "Projected year end against the annual budget",
                     ) -> alt.LayerChart:
    """Per group: projected year-end variance as a share of the annual budget, with its
    interval (:func:`~workbench.analysis.finance.year_end_projection`) and a rule at zero."""
    data = projection[[group, "projection", "projection_lower", "projection_upper",
                       "annual_budget", "projected_variance_share", "basis"]] \
        .dropna(subset=["projected_variance_share"]).reset_index(drop=True)
    budget = data["annual_budget"].where(data["annual_budget"] != 0)
    data = data.assign(lower_share=data["projection_lower"] / budget - 1,
                       upper_share=data["projection_upper"] / budget - 1)
    y = alt.Y(f"{group}:N", sort="-x", title=None)
    tooltip = [alt.Tooltip(f"{group}:N"),
               alt.Tooltip("annual_budget:Q", format="$,.0f", title="Annual budget"),
               alt.Tooltip("projection:Q", format="$,.0f", title="Projected"),
               alt.Tooltip("projection_lower:Q", format="$,.0f", title="Interval from"),
               alt.Tooltip("projection_upper:Q", format="$,.0f", title="Interval to"),
               alt.Tooltip("basis:N", title="Basis")]
    base = alt.Chart(data)
    interval = base.transform_filter("isValid(datum.lower_share)").mark_rule(
        strokeWidth=2, color=_ACTUAL).encode(
        y=y, x=alt.X("lower_share:Q", title="Projected variance ÷ annual budget",
                     axis=alt.Axis(format="%")), x2="upper_share:Q", tooltip=tooltip)
    points = base.mark_point(filled=True, size=50, color=_ACTUAL).encode(
        y=y, x="projected_variance_share:Q", tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(
        strokeDash=[6, 4], color="#555555").encode(x="zero:Q")
    return alt.layer(interval, points, zero).properties(title=title)


def staffing_strength_chart(strength: pd.DataFrame, *, group: str = "command",
                            title: str = "Approved and actual strength") -> alt.LayerChart:
    """Approved and actual strength per group for one year and category (filter first) from
    :func:`~workbench.analysis.finance.staffing_strength`: approved as a tick, actual as a bar."""
    data = strength[[group, "approved", "actual", "vacancies"]].reset_index(drop=True)
    tooltip = [alt.Tooltip(f"{group}:N"), alt.Tooltip("approved:Q", format=",.1f"),
               alt.Tooltip("actual:Q", format=",.1f"),
               alt.Tooltip("vacancies:Q", format=",.1f", title="Vacancies")]
    base = alt.Chart(data)
    bars = base.transform_filter("isValid(datum.actual)").mark_bar(color=_ACTUAL).encode(
        y=alt.Y(f"{group}:N", sort="-x", title=None),
        x=alt.X("actual:Q", title="Members (FTE)"), tooltip=tooltip)
    ticks = base.transform_filter("isValid(datum.approved)").mark_tick(
        color=_OVER, thickness=3, size=14).encode(
        y=alt.Y(f"{group}:N", sort="-x"), x="approved:Q", tooltip=tooltip)
    return alt.layer(bars, ticks).properties(title=title)
