"""Charts of traffic collisions (inputs from :mod:`workbench.analysis.collisions`)."""

from __future__ import annotations

from typing import Literal

import altair as alt
import pandas as pd

__all__ = ["ksi_locations_chart", "ksi_trend_chart"]


def _time_unit(period_starts: pd.Series) -> Literal["year", "yearmonth", "yearmonthdate"]:
    """The Vega-Lite time unit that names these period starts: years, months or days."""
    starts = pd.to_datetime(period_starts)
    if ((starts.dt.month == 1) & (starts.dt.day == 1)).all():
        return "year"
    if (starts.dt.day == 1).all():
        return "yearmonth"
    return "yearmonthdate"


def ksi_trend_chart(trend: pd.DataFrame, *, color: str = "road_user",
                    title: str = "People killed or seriously injured",
                    width: int = 560) -> alt.Chart:
    """Stacked bars of KSI casualties per period, one colour per ``color`` group
    (:func:`~workbench.analysis.collisions.ksi_trend`), one bar per period (year, month or
    day, read from the period starts); a partial period is drawn lighter."""
    data = trend[["period_start", color, "killed", "seriously_injured", "ksi", "complete"]]
    data = data.assign(**{color: data[color].fillna("unknown")}).reset_index(drop=True)
    return alt.Chart(data, title=title, width=width).mark_bar().encode(
        x=alt.X("period_start:O", timeUnit=_time_unit(data["period_start"]), title=None),
        y=alt.Y("ksi:Q", title="Killed or seriously injured", stack="zero"),
        color=alt.Color(f"{color}:N", title=color.replace("_", " ").capitalize()),
        opacity=alt.condition("datum.complete", alt.value(1.0), alt.value(0.45)),
        tooltip=[alt.Tooltip("period_start:T", title="Period"), alt.Tooltip(f"{color}:N"),
                 alt.Tooltip("killed:Q", title="Killed"),
                 alt.Tooltip("seriously_injured:Q", title="Seriously injured")],
    )


def ksi_locations_chart(locations: pd.DataFrame, *,
                        title: str = "Locations with the most people killed or seriously injured",
                        ) -> alt.Chart:
    """Horizontal stacked bars (killed, seriously injured) per location, in rank order
    (:func:`~workbench.analysis.collisions.ksi_locations`)."""
    data = locations[["rank", "location_name", "killed", "seriously_injured"]].melt(
        id_vars=["rank", "location_name"], var_name="outcome", value_name="people")
    data["outcome"] = data["outcome"].map({"killed": "Killed",
                                           "seriously_injured": "Seriously injured"})
    order = list(locations.sort_values("rank")["location_name"])
    return alt.Chart(data.reset_index(drop=True), title=title).mark_bar().encode(
        y=alt.Y("location_name:N", sort=order, title=None),
        x=alt.X("people:Q", title="People"),
        color=alt.Color("outcome:N", title=None, sort=["Killed", "Seriously injured"],
                        scale=alt.Scale(domain=["Killed", "Seriously injured"],
                                        range=["#000000", "#D55E00"])),
        order=alt.Order("outcome:N"),
        tooltip=[alt.Tooltip("rank:Q"), alt.Tooltip("location_name:N", title="Location"),
                 alt.Tooltip("outcome:N"), alt.Tooltip("people:Q")],
    )
