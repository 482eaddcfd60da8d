"""Charts of repeat and near-repeat victimisation and of crime series.

Inputs are the frames of :mod:`workbench.analysis.knox` (``KnoxTest.table``),
:mod:`~workbench.analysis.near_repeat`, :mod:`~workbench.analysis.repeats` and
:mod:`~workbench.analysis.series`. Maps draw the warehouse's own boundaries (GeoJSON features
of :func:`workbench.analysis.hotspots.neighbourhood_features`): no tile server, nothing fetched.
Every function returns an Altair chart and never modifies its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from workbench.charts.maps import rewound_for_d3

__all__ = [
    "concentration_chart",
    "decay_chart",
    "knox_heatmap",
    "series_map",
    "series_timeline",
]

_INCREASE = "#D55E00"
_NEUTRAL = "#7f7f7f"
_OUTLINE = "#bdbdbd"


def knox_heatmap(table: pd.DataFrame, *, title: str = "Pairs of incidents close in space "
                 "and time, against chance", alpha: float = 0.05, width: int = 420,
                 height: int = 260) -> alt.LayerChart:
    """Knox ratios by distance band (rows) × time band (columns), from ``KnoxTest.table``.

    Cells are shaded by the ratio (1 = as chance gives; a diverging scale centred on 1) and
    carry the ratio as text; significant cells (``significant``) are outlined and their text
    is bold with a star. The open "more than" bands are left out when finite bands exist.
    """
    data = table.copy()
    finite = data[data["distance_to"] != float("inf")]
    if not finite.empty and (data["days_to"] != float("inf")).any():
        data = data[(data["distance_to"] != float("inf")) & (data["days_to"] != float("inf"))]
    data = data.assign(
        ratio_text=[("–" if pd.isna(r) else f"{r:.2f}") + (" ★" if s else "")
                    for r, s in zip(data["knox_ratio"], data["significant"], strict=True)],
        significance=["significant" if s else "not significant" for s in data["significant"]],
    )[["distance_band", "time_band", "distance_label", "time_label", "observed", "expected",
       "knox_ratio", "p_value", "ratio_text", "significance"]].reset_index(drop=True)
    distance_order = data.sort_values("distance_band")["distance_label"].unique().tolist()
    time_order = data.sort_values("time_band")["time_label"].unique().tolist()
    encoding = {
        "x": alt.X("time_label:N", sort=time_order, title="Time between the two incidents",
                   axis=alt.Axis(labelAngle=0, grid=False)),
        "y": alt.Y("distance_label:N", sort=distance_order,
                   title="Distance between the two incidents", axis=alt.Axis(grid=False)),
    }
    tooltip = [alt.Tooltip("distance_label:N", title="Distance"),
               alt.Tooltip("time_label:N", title="Time apart"),
               alt.Tooltip("observed:Q", title="Pairs found", format=","),
               alt.Tooltip("expected:Q", title="Pairs expected by chance", format=",.1f"),
               alt.Tooltip("knox_ratio:Q", title="Ratio", format=".2f"),
               alt.Tooltip("p_value:Q", title="p-value", format=".3f")]
    cells = alt.Chart(data).mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        **encoding,
        color=alt.Color("knox_ratio:Q", title="Ratio to chance",
                        scale=alt.Scale(scheme="redblue", reverse=True, domainMid=1)),
        tooltip=tooltip,
    )
    outline = alt.Chart(data).mark_rect(fill=None, stroke="#000000", strokeWidth=2).encode(
        **encoding).transform_filter("datum.significance == 'significant'")
    ink = alt.condition("datum.knox_ratio >= 4 || datum.knox_ratio <= 0.3",
                        alt.value("#ffffff"), alt.value("#000000"))
    text = alt.Chart(data).mark_text(fontSize=12).encode(
        **encoding, text="ratio_text:N", color=ink, tooltip=tooltip,
    ).transform_filter("datum.significance != 'significant'")
    bold = alt.Chart(data).mark_text(fontSize=12, fontWeight="bold").encode(
        **encoding, text="ratio_text:N", color=ink, tooltip=tooltip,
    ).transform_filter("datum.significance == 'significant'")
    subtitle = (f"1 = as many pairs as chance gives; ★ and outline: more than chance "
                f"(p ≤ {alpha:g})")
    return alt.layer(cells, outline, text, bold).resolve_scale(color="independent").properties(
        title=alt.TitleParams(title, subtitle=subtitle), width=width, height=height)


def decay_chart(decay_table: pd.DataFrame, *, title: str = "Extra incidents nearby, by days "
                "after the first", width: int = 420, height: int = 220) -> alt.LayerChart:
    """Excess pairs per day in each time band (bars) and the fitted exponential decay (line),
    from ``DecayEstimate.table``."""
    data = decay_table.assign(
        middle=(decay_table["days_from"] + decay_table["days_to"]) / 2,
        fitted_per_day=decay_table["fitted_excess"]
        / (decay_table["days_to"] - decay_table["days_from"]),
    ).reset_index(drop=True)
    bars = alt.Chart(data).mark_rect(color=_INCREASE, opacity=0.8, stroke="#ffffff").encode(
        x=alt.X("days_from:Q", title="Days after the first incident"),
        x2="days_to:Q",
        y=alt.Y("excess_per_day:Q", title="Extra pairs per day (over chance)"),
        y2=alt.datum(0),
        tooltip=[alt.Tooltip("days_from:Q", title="From day"),
                 alt.Tooltip("days_to:Q", title="To day"),
                 alt.Tooltip("observed:Q", title="Pairs found", format=","),
                 alt.Tooltip("expected:Q", title="Expected by chance", format=",.1f")],
    )
    line = alt.Chart(data).mark_line(color="#000000", point=True).encode(
        x="middle:Q", y="fitted_per_day:Q").transform_filter("isValid(datum.fitted_per_day)")
    return alt.layer(bars, line).properties(title=title, width=width, height=height)


def concentration_chart(curve: pd.DataFrame, *, unit: str = "places",
                        title: str = "How concentrated incidents are", width: int = 360,
                        height: int = 300) -> alt.LayerChart:
    """The 80/20 curve of :func:`~workbench.analysis.repeats.concentration_curve`: share of
    incidents held by the busiest share of ``unit``, with the even-spread diagonal and a mark
    at the busiest 20 %."""
    data = pd.concat([pd.DataFrame({"share_of_units": [0.0], "share_of_incidents": [0.0]}),
                      curve[["share_of_units", "share_of_incidents"]]], ignore_index=True)
    x = alt.X("share_of_units:Q", title=f"Busiest share of {unit}", axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, 1]))
    y = alt.Y("share_of_incidents:Q", title="Share of incidents", axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[0, 1]))
    line = alt.Chart(data).mark_line(color=_INCREASE).encode(
        x=x, y=y, tooltip=[alt.Tooltip("share_of_units:Q", title=f"Share of {unit}",
                                       format=".1%"),
                           alt.Tooltip("share_of_incidents:Q", title="Share of incidents",
                                       format=".1%")])
    even = alt.Chart(pd.DataFrame({"share_of_units": [0.0, 1.0],
                                   "share_of_incidents": [0.0, 1.0]})).mark_line(
        color=_NEUTRAL, strokeDash=[4, 4]).encode(x=x, y=y)
    layers: list[alt.Chart] = [even, line]
    if len(curve):
        top = int(max(1, round(0.2 * len(curve))))
        held = float(curve["share_of_incidents"].iloc[top - 1])
        point = pd.DataFrame({"share_of_units": [top / len(curve)],
                              "share_of_incidents": [held],
                              "label": [f"top 20 % hold {held:.0%}"]})
        layers += [alt.Chart(point).mark_point(color="#000000", filled=True, size=60).encode(
                       x=x, y=y),
                   alt.Chart(point).mark_text(align="left", dx=8, dy=8).encode(
                       x=x, y=y, text="label:N")]
    return alt.layer(*layers).properties(title=title, width=width, height=height)


def series_map(members: pd.DataFrame, features: Sequence[dict[str, Any]], *,
               links: pd.DataFrame | None = None, title: str = "Crime series",
               width: int = 480, height: int = 480) -> alt.LayerChart:
    """Series members (from ``CrimeSeries.members``) as numbered points over the
    neighbourhood outlines, coloured by series, with a line for each link when ``links`` is
    given. Drawn with the warehouse's boundaries only (no map tiles)."""
    data = members.sort_values(["series_id", "occurred_at"]).assign(
        order=lambda f: f.groupby("series_id").cumcount() + 1,
        series=lambda f: "Series " + f["series_id"].astype(str),
        when=lambda f: pd.to_datetime(f["occurred_at"]).dt.strftime("%Y-%m-%d %H:%M"),
    )[["series", "order", "when", "latitude", "longitude"]].reset_index(drop=True)
    outlines = [{"type": "Feature", "id": f.get("id"),
                 "properties": dict(f.get("properties") or {}),
                 "geometry": rewound_for_d3(f["geometry"])} for f in features]
    layers: list[alt.Chart] = []
    if outlines:
        layers.append(alt.Chart(alt.Data(values=outlines)).mark_geoshape(
            fill="#f5f5f5", stroke=_OUTLINE, strokeWidth=0.5))
    if links is not None and len(links):
        position = members.set_index("incident_id")[["latitude", "longitude"]]
        segments = links.assign(
            latitude=links["incident_id"].map(position["latitude"]),
            longitude=links["incident_id"].map(position["longitude"]),
            latitude2=links["linked_incident_id"].map(position["latitude"]),
            longitude2=links["linked_incident_id"].map(position["longitude"]),
        )[["latitude", "longitude", "latitude2", "longitude2"]].reset_index(drop=True)
        layers.append(alt.Chart(segments).mark_rule(color=_NEUTRAL, strokeWidth=1).encode(
            latitude="latitude:Q", longitude="longitude:Q", latitude2="latitude2:Q",
            longitude2="longitude2:Q"))
    tooltip = [alt.Tooltip("series:N", title="Series"), alt.Tooltip("order:Q", title="Number"),
               alt.Tooltip("when:N", title="When")]
    layers.append(alt.Chart(data).mark_circle(size=140, opacity=0.9).encode(
        latitude="latitude:Q", longitude="longitude:Q",
        color=alt.Color("series:N", title=None), tooltip=tooltip))
    layers.append(alt.Chart(data).mark_text(fontSize=9, color="#ffffff", fontWeight="bold")
                  .encode(latitude="latitude:Q", longitude="longitude:Q", text="order:Q",
                          tooltip=tooltip))
    return alt.layer(*layers).project(type="mercator").properties(
        title=title, width=width, height=height)


def series_timeline(members: pd.DataFrame, *, title: str = "When each series struck",
                    width: int = 480, height: int | None = None) -> alt.Chart:
    """One row per series, a dot per member on the date it happened (time of day in the
    tooltip)."""
    data = members.assign(
        series="Series " + members["series_id"].astype(str),
        occurred=pd.to_datetime(members["occurred_at"]),
        time_of_day=pd.to_datetime(members["occurred_at"]).dt.strftime("%H:%M"),
    )[["series", "occurred", "time_of_day"]].reset_index(drop=True)
    rows = max(1, data["series"].nunique())
    return alt.Chart(data).mark_circle(size=90, opacity=0.85).encode(
        x=alt.X("occurred:T", title=None, scale=alt.Scale(padding=14),
                axis=alt.Axis(format="%d %b")),
        y=alt.Y("series:N", title=None),
        color=alt.Color("series:N", legend=None),
        tooltip=[alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("occurred:T", title="Date", format="%Y-%m-%d"),
                 alt.Tooltip("time_of_day:N", title="Time of day")],
    ).properties(title=title, width=width, height=height or 40 * rows + 20)
