"""Charts the apps draw that :mod:`workbench.charts` does not offer (yet).

Each takes a small tidy frame from an app state and returns an Altair chart in the house theme;
none modifies its input. Candidates to move into ``workbench.charts.<domain>`` once other
pages need them.
"""

from __future__ import annotations

import calendar

import altair as alt
import pandas as pd

from workbench.charts import PALETTE

_UP = PALETTE[3]
_DOWN = PALETTE[0]
_MUTED = "#9e9e9e"
_HIGHLIGHT = "#222222"
_DAYS = list(calendar.day_name)


def incident_hour_of_week_heatmap(cells: pd.DataFrame, *,
                                  title: str = "Incidents by hour of the week") -> alt.Chart:
    """A 7 × 24 heatmap of incidents (``day_name, hour, incidents``), Monday first."""
    data = cells[["day_name", "hour", "incidents"]].reset_index(drop=True)
    return alt.Chart(data, title=title).mark_rect().encode(
        x=alt.X("hour:O", title="Hour of day", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day_name:O", title=None, sort=_DAYS),
        color=alt.Color("incidents:Q", title="Incidents", scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("day_name:O", title="Day"), alt.Tooltip("hour:O", title="Hour"),
                 alt.Tooltip("incidents:Q", title="Incidents")],
    ).properties(width=560, height=alt.Step(22))


def neighbourhood_ranking_chart(ranking: pd.DataFrame, *, selected: str = "", top: int = 20,
                                title: str = "Neighbourhoods by rate per 1,000 residents",
                                ) -> alt.LayerChart:
    """Horizontal bars of the ``top`` neighbourhoods by ``rate_per_1000`` (from
    :func:`~workbench.analysis.hotspots.neighbourhood_hot_spots`), coloured by the change on
    a year earlier (flagged up or down, else grey); ``selected`` is outlined."""
    shown = ranking.dropna(subset=["rate_per_1000"]).nlargest(top, "rate_per_1000")
    data = shown[["neighbourhood_id", "name", "division", "current", "past", "rate_per_1000",
                  "z", "flagged", "direction"]].reset_index(drop=True)
    data["label"] = data["name"].fillna(data["neighbourhood_id"]) + " (" + \
        data["neighbourhood_id"] + ")"
    data["change"] = [("up" if direction == "up" else "down") if flagged else "no flag"
                      for flagged, direction in zip(data["flagged"], data["direction"],
                                                    strict=True)]
    data["selected"] = data["neighbourhood_id"] == selected
    y = alt.Y("label:N", sort="-x", title=None)
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X("rate_per_1000:Q", title="Incidents per 1,000 residents"),
        color=alt.Color("change:N", title="Change on a year ago",
                        scale=alt.Scale(domain=["up", "down", "no flag"],
                                        range=[_UP, _DOWN, _MUTED])),
        stroke=alt.condition("datum.selected", alt.value(_HIGHLIGHT), alt.value(None)),
        strokeWidth=alt.condition("datum.selected", alt.value(2), alt.value(0)),
        tooltip=[alt.Tooltip("label:N", title="Neighbourhood"),
                 alt.Tooltip("division:N", title="Division"),
                 alt.Tooltip("current:Q", title="Incidents"),
                 alt.Tooltip("past:Q", title="A year earlier"),
                 alt.Tooltip("rate_per_1000:Q", format=".2f", title="Per 1,000 residents"),
                 alt.Tooltip("z:Q", format="+.2f", title="Poisson z")])
    return alt.layer(bars).properties(title=title, height=alt.Step(16), width=480)


def funnel_chart(points: pd.DataFrame, curve: pd.DataFrame, *, highlight: str = "",
                 title: str = "Funnel plot", rate_label: str = "") -> alt.LayerChart:
    """Observed ÷ expected per officer against the expected count (log scale), with the
    funnel's warning and alarm limits (``curve`` from
    :func:`~workbench.analysis.early_intervention.funnel_curve`) and the officers above the
    alarm limit in colour; ``highlight`` (an officer id) is drawn larger."""
    data = points[["officer_id", "unit_id", "count", "expected", "ratio", "status",
                   "p_above"]].dropna(subset=["expected"]).reset_index(drop=True)
    data["highlight"] = data["officer_id"] == highlight
    limits = curve.melt(id_vars=["expected", "level"], value_vars=["lower_ratio", "upper_ratio"],
                        var_name="side", value_name="ratio").dropna(subset=["ratio"])
    limits["limit"] = limits["level"].map(lambda level: f"{level:.1%} limit")
    limits["series"] = limits["limit"] + " " + limits["side"]
    x = alt.X("expected:Q", title="Expected count (peer rate × exposure)",
              scale=alt.Scale(type="log"))
    # the limits soar where little is expected; show them only as high as the officers reach
    top = max(3.0, float(data["ratio"].max()) * 1.15) if len(data) else 3.0
    y = alt.Y("ratio:Q", title="Observed ÷ expected", scale=alt.Scale(domain=[0, top]))
    lines = alt.Chart(limits.reset_index(drop=True)).mark_line(strokeWidth=1.2, clip=True).encode(
        x=x, y=y,
        detail="series:N",
        strokeDash=alt.StrokeDash("limit:N", title="Limits", scale=alt.Scale(
            domain=sorted(limits["limit"].unique()), range=[[5, 4], [1, 0]])),
        color=alt.value(_MUTED))
    reference = alt.Chart(pd.DataFrame({"ratio": [1.0]})).mark_rule(
        color="#555555", strokeDash=[2, 2]).encode(y="ratio:Q")
    officers = alt.Chart(data).mark_circle(opacity=0.8, clip=True).encode(
        x=x, y=y,
        size=alt.condition("datum.highlight", alt.value(180), alt.value(30)),
        color=alt.Color("status:N", title="Against the limits", scale=alt.Scale(
            domain=["above alarm", "above warning", "within", "below warning", "below alarm"],
            range=[_UP, "#E69F00", _MUTED, "#56B4E9", _DOWN])),
        tooltip=[alt.Tooltip("officer_id:N", title="Officer"), alt.Tooltip("unit_id:N", title="Unit"),
                 alt.Tooltip("count:Q", title="Count"),
                 alt.Tooltip("expected:Q", format=".2f", title="Expected"),
                 alt.Tooltip("ratio:Q", format=".2f", title="Observed ÷ expected"),
                 alt.Tooltip("p_above:Q", format=".2g", title="P(count this high)"),
                 alt.Tooltip("status:N", title="Status")])
    subtitle = [rate_label] if rate_label else []
    return alt.layer(lines, reference, officers).properties(
        title=alt.Title(title, subtitle=subtitle), width=560, height=320)


def ratio_to_city_chart(indicators: pd.DataFrame, *,
                        title: str = "Rate compared with the city") -> alt.LayerChart:
    """Each indicator's rate ratio to the city with its interval (log scale), coloured by
    ``compared_with_city`` (from a :class:`~workbench.analysis.cswb.NeighbourhoodProfile`)."""
    data = indicators[["label", "count", "rate", "city_rate", "ratio_to_city", "ratio_lower",
                       "ratio_upper", "compared_with_city"]].dropna(subset=["ratio_to_city"])
    data = data.assign(compared_with_city=data["compared_with_city"].fillna("similar")) \
        .reset_index(drop=True)
    colour = alt.Color("compared_with_city:N", title="Compared with the city", scale=alt.Scale(
        domain=["higher", "similar", "lower"], range=[_UP, _MUTED, _DOWN]))
    y = alt.Y("label:N", title=None, sort="-x")
    x = alt.X("ratio_to_city:Q", title="Rate ÷ city rate (log scale)",
              scale=alt.Scale(type="log"))
    tooltip = [alt.Tooltip("label:N", title="Indicator"), alt.Tooltip("count:Q", title="Count"),
               alt.Tooltip("rate:Q", format=".2f", title="Rate per 1,000"),
               alt.Tooltip("city_rate:Q", format=".2f", title="City rate per 1,000"),
               alt.Tooltip("ratio_to_city:Q", format=".2f", title="Ratio"),
               alt.Tooltip("ratio_lower:Q", format=".2f", title="Interval from"),
               alt.Tooltip("ratio_upper:Q", format=".2f", title="Interval to")]
    base = alt.Chart(data)
    intervals = base.mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("ratio_lower:Q", scale=alt.Scale(type="log"),
                     title="Rate ÷ city rate (log scale)"),
        x2="ratio_upper:Q", color=colour, tooltip=tooltip)
    points = base.mark_point(filled=True, size=70).encode(y=y, x=x, color=colour,
                                                          tooltip=tooltip)
    reference = alt.Chart(pd.DataFrame({"ratio_to_city": [1.0]})).mark_rule(
        strokeDash=[6, 4], color="#555555").encode(x="ratio_to_city:Q")
    return alt.layer(intervals, points, reference).properties(
        title=title, width=480, height=alt.Step(22))


def rate_against_city_chart(trend: pd.DataFrame, *, label: str,
                            title: str | None = None) -> alt.Chart:
    """One indicator's rate per 1,000 by year for the neighbourhood and the city (two lines);
    ``trend`` has ``year, rate, city_rate``."""
    long = trend.melt(id_vars=["year"], value_vars=["rate", "city_rate"], var_name="area",
                      value_name="rate_per_1000")
    long["area"] = long["area"].map({"rate": "neighbourhood", "city_rate": "city"})
    return alt.Chart(long.reset_index(drop=True),
                     title=title or f"{label}: rate per 1,000 residents").mark_line(
        point=True).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rate_per_1000:Q", title="Per 1,000 residents"),
        color=alt.Color("area:N", title=None, scale=alt.Scale(
            domain=["neighbourhood", "city"], range=[PALETTE[0], _MUTED])),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("area:N"),
                 alt.Tooltip("rate_per_1000:Q", format=".2f", title="Per 1,000")])


def turnout_trend_chart(levels: pd.DataFrame, *,
                        title: str = "Turnout and shifts below minimum staffing") -> alt.Chart:
    """Per month: turnout (members who turned out ÷ scheduled) and the share of shifts still
    below minimum staffing after backfill (from
    :func:`~workbench.analysis.workforce.staffing_levels` with ``period="month"``)."""
    data = levels.dropna(subset=["availability"])
    long = data.melt(id_vars=["period_start"], value_vars=["availability", "below_minimum_share"],
                     var_name="measure", value_name="share")
    long["measure"] = long["measure"].map({"availability": "turnout",
                                           "below_minimum_share": "shifts below minimum"})
    return alt.Chart(long.reset_index(drop=True), title=title).mark_line(point=True).encode(
        x=alt.X("period_start:T", title=None),
        y=alt.Y("share:Q", title="Share", axis=alt.Axis(format="%")),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(
            domain=["turnout", "shifts below minimum"], range=[PALETTE[0], _UP])),
        tooltip=[alt.Tooltip("period_start:T", title="Month", format="%B %Y"),
                 alt.Tooltip("measure:N"), alt.Tooltip("share:Q", format=".1%")])
