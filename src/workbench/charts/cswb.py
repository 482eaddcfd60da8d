"""Charts of Community Safety and Well-Being indicators (inputs from
:mod:`workbench.analysis.cswb`, or the published versions in :mod:`workbench.public`).

Rows with a missing rate (a suppressed count, no population) are left out of the marks.
Every function returns an Altair chart and never modifies its input.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from workbench.analysis.cswb import CITY, INDICATORS, UNLOCATED, ZONES
from workbench.charts import PALETTE

__all__ = [
    "city_trend_chart",
    "neighbourhood_comparison_chart",
    "neighbourhood_rates_chart",
    "neighbourhood_trend_chart",
    "open_data_summary_chart",
    "points_by_month_chart",
    "suppression_share_chart",
    "neighbourhoods_compared_chart",
    "zone_chart",
]

_LABELS = {name: indicator.label for name, indicator in INDICATORS.items()}
_ZONE_LABELS = {zone: zone.replace("_", " ").capitalize() for zone in ZONES}
_COMPARISON = alt.Scale(domain=["higher", "similar", "lower"],
                        range=[PALETTE[3], "#7f7f7f", PALETTE[0]])


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(label=frame["indicator"].map(_LABELS).fillna(frame["indicator"]))


def city_trend_chart(rates: pd.DataFrame, *, indicators: Sequence[str] | None = None,
                     title: str = "City-wide rates per 1,000 residents") -> alt.Chart:
    """Small multiples: the city's rate per 1,000 residents of each indicator by year, with its
    95% interval. ``rates`` is :func:`~workbench.analysis.cswb.indicator_rates`."""
    data = rates.loc[(rates["neighbourhood_id"] == CITY) & rates["rate"].notna()]
    if indicators is not None:
        data = data.loc[data["indicator"].isin(list(indicators))]
    data = _labelled(data)[["label", "year", "rate", "rate_lower", "rate_upper", "count"]]
    data = data.astype({"year": int}).reset_index(drop=True)
    base = alt.Chart(data).encode(x=alt.X("year:O", title=None))
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("rate_lower:Q", title="Per 1,000"),
                                              y2="rate_upper:Q")
    line = base.mark_line(point=True).encode(
        y=alt.Y("rate:Q"),
        tooltip=["label:N", "year:O", alt.Tooltip("rate:Q", format=".2f"),
                 alt.Tooltip("count:Q", format=",")])
    return (band + line).properties(width=170, height=110).facet(
        facet=alt.Facet("label:N", title=None), columns=4).resolve_scale(y="independent") \
        .properties(title=title)


def neighbourhood_rates_chart(rates: pd.DataFrame, *, indicator: str, year: int,
                              title: str | None = None) -> alt.Chart:
    """Bars of every neighbourhood's rate for one indicator and year, coloured by the
    comparison with the city, with the city rate as a rule."""
    data = rates.loc[(rates["indicator"] == indicator) & (rates["year"] == year)
                     & ~rates["neighbourhood_id"].isin([CITY, UNLOCATED])
                     & rates["rate"].notna(),
                     ["neighbourhood_id", "rate", "rate_lower", "rate_upper",
                      "compared_with_city", "count"]].reset_index(drop=True)
    data = data.assign(compared_with_city=data["compared_with_city"].fillna("similar"))
    city = rates.loc[(rates["indicator"] == indicator) & (rates["year"] == year)
                     & (rates["neighbourhood_id"] == CITY), ["rate"]].reset_index(drop=True)
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("neighbourhood_id:N", sort="-y", title=None, axis=alt.Axis(labels=False,
                                                                           ticks=False)),
        y=alt.Y("rate:Q", title="Per 1,000 residents"),
        color=alt.Color("compared_with_city:N", title="Compared with the city", scale=_COMPARISON),
        tooltip=["neighbourhood_id:N", alt.Tooltip("rate:Q", format=".2f"),
                 alt.Tooltip("count:Q", format=","), "compared_with_city:N"])
    rule = alt.Chart(city).mark_rule(color="#333333", strokeDash=[4, 3]).encode(y="rate:Q")
    return (bars + rule).properties(
        title=title or f"{_LABELS.get(indicator, indicator)} by neighbourhood, {year}",
        width=620)


def neighbourhood_comparison_chart(indicators: pd.DataFrame, *,
                                   title: str = "Neighbourhood rate ÷ city rate") -> alt.Chart:
    """Dots with 95% intervals of a neighbourhood's rate ratio to the city per indicator (log
    scale, rule at 1). ``indicators`` is :attr:`NeighbourhoodProfile.indicators`."""
    data = indicators.loc[indicators["ratio_to_city"].notna(),
                          ["label", "ratio_to_city", "ratio_lower", "ratio_upper",
                           "compared_with_city", "zone"]].reset_index(drop=True)
    data = data.assign(zone=data["zone"].map(_ZONE_LABELS))
    scale = alt.Scale(type="log")
    y = alt.Y("label:N", title=None, sort=list(_LABELS.values()))
    bars = alt.Chart(data).mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("ratio_lower:Q", scale=scale, title="Ratio to the city (log scale)"),
        x2="ratio_upper:Q", color=alt.Color("compared_with_city:N", scale=_COMPARISON,
                                            title="Compared with the city"))
    dots = alt.Chart(data).mark_point(filled=True, size=70).encode(
        y=y, x=alt.X("ratio_to_city:Q", scale=scale),
        color=alt.Color("compared_with_city:N", scale=_COMPARISON),
        tooltip=["label:N", "zone:N", alt.Tooltip("ratio_to_city:Q", format=".2f"),
                 alt.Tooltip("ratio_lower:Q", format=".2f"),
                 alt.Tooltip("ratio_upper:Q", format=".2f")])
    parity = alt.Chart(pd.DataFrame({"value": [1.0]})).mark_rule(color="#333333").encode(
        x="value:Q")
    return (bars + dots + parity).properties(title=title)


def neighbourhood_trend_chart(trend: pd.DataFrame, *,
                              title: str = "Rate per 1,000: neighbourhood and city") -> alt.Chart:
    """Small multiples of the neighbourhood's rate (solid) and the city's (dashed) by year.
    ``trend`` is :attr:`NeighbourhoodProfile.trend`."""
    data = _labelled(trend)
    long = pd.concat([
        data[["label", "year", "rate"]].assign(area="Neighbourhood"),
        data[["label", "year", "city_rate"]].rename(columns={"city_rate": "rate"})
        .assign(area="City"),
    ], ignore_index=True)
    long = long.loc[long["rate"].notna()].astype({"year": int}).reset_index(drop=True)
    chart = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:O", title=None), y=alt.Y("rate:Q", title="Per 1,000"),
        color=alt.Color("area:N", title=None,
                        scale=alt.Scale(domain=["Neighbourhood", "City"],
                                        range=[PALETTE[0], "#7f7f7f"])),
        strokeDash=alt.StrokeDash("area:N", legend=None,
                                  scale=alt.Scale(domain=["Neighbourhood", "City"],
                                                  range=[[1, 0], [4, 3]])),
        tooltip=["label:N", "area:N", "year:O", alt.Tooltip("rate:Q", format=".2f")])
    return chart.properties(width=170, height=110).facet(
        facet=alt.Facet("label:N", title=None), columns=4).resolve_scale(y="independent") \
        .properties(title=title)


def zone_chart(indicators: pd.DataFrame, *,
               title: str = "Indicators by CSWB zone: compared with the city") -> alt.Chart:
    """Counts of indicators per zone that are higher, similar or lower than the city."""
    data = indicators.assign(
        zone=indicators["zone"].map(_ZONE_LABELS),
        compared_with_city=indicators["compared_with_city"].fillna("not shown"))
    data = data.groupby(["zone", "compared_with_city"], as_index=False).size() \
        .rename(columns={"size": "indicators"})
    scale = alt.Scale(domain=["higher", "similar", "lower", "not shown"],
                      range=[PALETTE[3], "#7f7f7f", PALETTE[0], "#dddddd"])
    return alt.Chart(data, title=title).mark_bar().encode(
        y=alt.Y("zone:N", title=None, sort=list(_ZONE_LABELS.values())),
        x=alt.X("indicators:Q", title="Indicators", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("compared_with_city:N", scale=scale, title="Compared with the city"),
        tooltip=["zone:N", "compared_with_city:N", "indicators:Q"])


def open_data_summary_chart(summary: pd.DataFrame, *,
                            title: str = "Open data: rows and suppressed entries") -> alt.Chart:
    """Bars of rows per dataset with the suppressed part. ``summary`` is
    :meth:`workbench.public.OpenDataExport.summary`."""
    data = summary[["dataset", "rows", "suppressed"]].copy()
    data["published"] = data["rows"] - data["suppressed"]
    long = data.melt(id_vars="dataset", value_vars=["published", "suppressed"], var_name="kind",
                     value_name="entries")
    return alt.Chart(long, title=title).mark_bar().encode(
        y=alt.Y("dataset:N", title=None),
        x=alt.X("entries:Q", title="Rows", scale=alt.Scale(type="symlog")),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(
            domain=["published", "suppressed"], range=[PALETTE[0], PALETTE[1]])),
        tooltip=["dataset:N", "kind:N", alt.Tooltip("entries:Q", format=",")])


def points_by_month_chart(points: pd.DataFrame, *,
                          title: str = "Geomasked points published per quarter") -> alt.Chart:
    """Lines of published points per quarter and category (from the points file)."""
    months = pd.to_numeric(points["month"], errors="coerce")
    data = points.assign(quarter_start=pd.to_datetime(
        points["year"].astype(str) + "-" + ((months - 1) // 3 * 3 + 1).astype("Int64")
        .astype(str).str.zfill(2) + "-01", errors="coerce"))
    data = data.groupby(["quarter_start", "offence_category"], as_index=False).size() \
        .rename(columns={"size": "points"})
    return alt.Chart(data, title=title).mark_line(point=True).encode(
        x=alt.X("quarter_start:T", title=None), y=alt.Y("points:Q", title="Points"),
        color=alt.Color("offence_category:N", title="Category"),
        tooltip=["offence_category:N", alt.Tooltip("quarter_start:T", format="%b %Y"),
                 alt.Tooltip("points:Q", format=",")])


def suppression_share_chart(summary: pd.DataFrame, *,
                            title: str = "Share of published entries suppressed") -> alt.Chart:
    """Bars of the suppressed share of each dataset's rows."""
    data = summary[["dataset", "rows", "suppressed"]].copy()
    data["share"] = (data["suppressed"] / data["rows"].where(data["rows"] > 0)).fillna(0.0)
    return alt.Chart(data[["dataset", "share"]], title=title).mark_bar().encode(
        y=alt.Y("dataset:N", title=None),
        x=alt.X("share:Q", title="Suppressed", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=["dataset:N", alt.Tooltip("share:Q", format=".1%")])


def neighbourhoods_compared_chart(compared: pd.DataFrame, *,
                                  title: str = "Neighbourhoods compared with the city") -> alt.Chart:
    """Stacked bars per indicator: neighbourhoods whose rate is higher, similar or lower than
    the city's (95% interval of the ratio), or not shown (suppressed).
    ``compared`` is :attr:`workbench.public.CswbOverview.neighbourhoods_compared`."""
    long = compared.melt(id_vars=["indicator", "label"],
                         value_vars=["higher", "similar", "lower", "not_shown"],
                         var_name="compared", value_name="neighbourhoods")
    scale = alt.Scale(domain=["higher", "similar", "lower", "not_shown"],
                      range=[PALETTE[3], "#7f7f7f", PALETTE[0], "#dddddd"])
    return alt.Chart(long[["label", "compared", "neighbourhoods"]], title=title).mark_bar().encode(
        y=alt.Y("label:N", title=None, sort=list(_LABELS.values())),
        x=alt.X("neighbourhoods:Q", title="Neighbourhoods", stack="zero"),
        color=alt.Color("compared:N", scale=scale, title="Compared with the city"),
        tooltip=["label:N", "compared:N", "neighbourhoods:Q"])
