"""Charts of crime counts, CompStat grids, control charts, forecasts and the CSI.

Inputs are the frames of :mod:`workbench.analysis.crime`, :mod:`~workbench.analysis.forecast`
and :mod:`~workbench.analysis.csi`; every function returns an Altair chart (or, for
:func:`style_compstat`, a table of :mod:`workbench.present.tables`) and never modifies its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from workbench.present.tables import Table

__all__ = [
    "PERIOD_LABELS",
    "compstat_table_chart",
    "control_chart_chart",
    "csi_drivers_chart",
    "csi_trend_chart",
    "forecast_chart",
    "incident_trend_chart",
    "style_compstat",
]

#: Display names of the CompStat periods.
PERIOD_LABELS = {
    "last_7_days": "Last 7 days",
    "last_28_days": "Last 28 days",
    "year_to_date": "Year to date",
    "last_365_days": "Last 365 days",
}

_INCREASE = "#D55E00"
_DECREASE = "#0072B2"
_NEUTRAL = "#7f7f7f"
_LIMIT = "#999999"


def incident_trend_chart(counts: pd.DataFrame, *, y: str = "incidents",
                         color: str | None = "offence_category", title: str = "Incidents",
                         y_title: str = "Incidents") -> alt.Chart:
    """Lines of counts (or rates, with ``y="rate"``) per period, one per ``color`` group.

    ``counts`` is the frame of :func:`~workbench.analysis.crime.incident_counts` or
    :func:`~workbench.analysis.crime.incident_rates`; a partial last period is drawn hollow.
    """
    columns = ["period_start", y, *([color] if color else []),
               *(["complete"] if "complete" in counts.columns else [])]
    data = counts[columns].reset_index(drop=True)
    if "complete" not in data.columns:
        data = data.assign(complete=True)
    encoding = {
        "x": alt.X("period_start:T", title=None),
        "y": alt.Y(f"{y}:Q", title=y_title),
        "tooltip": [alt.Tooltip("period_start:T", title="Period"),
                    alt.Tooltip(f"{y}:Q", format=",.4~f", title=y_title),
                    *([alt.Tooltip(f"{color}:N")] if color else [])],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color.replace("_", " ").capitalize())
    base = alt.Chart(data, title=title)
    lines = base.mark_line().encode(**encoding)
    points = base.mark_point(size=30).encode(
        **encoding, fill=alt.condition("datum.complete", alt.value(None), alt.value("white")),
        opacity=alt.condition("datum.complete", alt.value(0), alt.value(1)))
    return lines + points


def control_chart_chart(chart_frame: pd.DataFrame, *, title: str = "Control chart",
                        y_title: str = "Incidents per period",
                        facet: str | None = None, columns: int = 2) -> alt.LayerChart | alt.FacetChart:
    """A c-chart: counts per period with the centre line, the 3-sigma band, and the
    out-of-control points in colour.

    ``chart_frame`` is :func:`~workbench.analysis.crime.control_chart` output for one group,
    or for several with ``facet`` naming the column that tells them apart (e.g. ``"division"``).
    """
    keep = ["period_start", "incidents", "centre", "lower", "upper", "out_of_control", "signal",
            *([facet] if facet else [])]
    data = chart_frame[keep].reset_index(drop=True)
    base = alt.Chart(data)
    x = alt.X("period_start:T", title=None)
    band = base.mark_area(opacity=0.15, color=_LIMIT).encode(
        x=x, y=alt.Y("lower:Q", title=y_title), y2="upper:Q")
    centre = base.mark_line(strokeDash=[4, 4], color=_LIMIT).encode(x=x, y="centre:Q")
    line = base.mark_line(strokeJoin="round").encode(x=x, y="incidents:Q")
    points = base.mark_circle(size=45).encode(
        x=x, y="incidents:Q",
        color=alt.Color("signal:N", title="Signal",
                        scale=alt.Scale(domain=["", "above", "below"],
                                        range=[_NEUTRAL, _INCREASE, _DECREASE]),
                        legend=alt.Legend(labelExpr="datum.label || 'in control'")),
        tooltip=[alt.Tooltip("period_start:T", title="Period"),
                 alt.Tooltip("incidents:Q", title="Incidents"),
                 alt.Tooltip("lower:Q", format=".1f"), alt.Tooltip("upper:Q", format=".1f")],
    )
    layered = alt.layer(band, centre, line, points)
    if facet:
        return layered.facet(facet=alt.Facet(f"{facet}:N", title=None), columns=columns,
                             title=title).resolve_scale(y="independent")
    return layered.properties(title=title)


def _compstat_cells(grid: pd.DataFrame, row: str) -> pd.DataFrame:
    data = grid[["period", row, "current", "past", "change", "percent_change", "z", "flagged",
                 "significant", "p_value_adjusted"]].copy()
    data["period_label"] = data["period"].map(PERIOD_LABELS).fillna(data["period"])
    data[row] = data[row].fillna("(none)").astype(str)
    change = data["change"].astype("int64")
    percent = data["percent_change"].map(lambda v: "n/a" if pd.isna(v) else f"{v:+.0f}%")
    data["label"] = [f"{c:,} ({d:+,}; {p})" for c, d, p in
                     zip(data["current"], change, percent, strict=True)]
    data["label"] = np.where(data["flagged"], data["label"] + " *", data["label"])
    data["z_shown"] = data["z"].clip(-4, 4)
    return data.reset_index(drop=True)


def compstat_table_chart(grid: pd.DataFrame, *, row: str = "offence_category",
                         title: str = "CompStat: change on the same period last year",
                         cell_width: int = 150) -> alt.LayerChart:
    """The CompStat grid as a table: one row per ``row`` value, one column per period.

    Each cell reads ``current (change; percent)``, with ``n/a`` for a percent change on a
    small base and ``*`` when the cell is flagged (``|z|`` over the threshold); the cell's
    colour is the z-score (red up, blue down, clipped at ±4). Give a grid with one value of
    every other grouping column (filter it first).
    """
    data = _compstat_cells(grid, row)
    order = [PERIOD_LABELS.get(p, p) for p in dict.fromkeys(grid["period"])]
    x = alt.X("period_label:N", sort=order, title=None,
              axis=alt.Axis(orient="top", labelAngle=0, grid=False, domain=False, ticks=False))
    y = alt.Y(f"{row}:N", title=None, sort=sorted(data[row].unique()),
              axis=alt.Axis(grid=False, domain=False, ticks=False))
    base = alt.Chart(data, title=title).properties(
        width=cell_width * max(1, len(order)), height=alt.Step(22))
    cells = base.mark_rect(stroke="white").encode(
        x=x, y=y,
        color=alt.Color("z_shown:Q", title="z",
                        scale=alt.Scale(scheme="redblue", reverse=True, domain=[-4, 4])),
        tooltip=[alt.Tooltip(f"{row}:N"), alt.Tooltip("period_label:N", title="Period"),
                 alt.Tooltip("current:Q", title="Current"), alt.Tooltip("past:Q", title="A year ago"),
                 alt.Tooltip("z:Q", format=".2f"),
                 alt.Tooltip("p_value_adjusted:Q", format=".3f", title="Adjusted p")],
    )
    text = base.mark_text(fontSize=11).encode(
        x=x, y=y, text="label:N",
        color=alt.condition("abs(datum.z_shown) > 2.5", alt.value("white"), alt.value("black")),
    )
    return cells + text


def style_compstat(grid: pd.DataFrame, *, by: Sequence[str] = ("offence_category",)) -> Table:
    """The CompStat grid as a table for pages (:func:`workbench.present.tables.table`).

    Columns: period, the ``by`` columns, current, a year ago, change, percent change ("n/a"
    on a small base), z, adjusted p; flagged rows are shaded (red up, blue down) and
    significant ones bold. Every cell is escaped text.
    """
    from workbench.present.tables import table

    by = list(by)
    source = grid[["period", *by, "current", "past", "change", "percent_change", "z",
                   "p_value_adjusted", "flagged", "significant", "direction"]]
    shown = source.drop(columns=["flagged", "significant", "direction"]).assign(
        period=source["period"].map(PERIOD_LABELS).fillna(source["period"]))
    styles = []
    for flagged, significant, direction in source[["flagged", "significant", "direction"]] \
            .itertuples(index=False, name=None):
        style = {}
        if flagged:
            style["background-color"] = "#fde0d2" if direction == "up" else "#d6e6f4"
        if significant:
            style["font-weight"] = "bold"
        styles.append(style)
    return table(
        shown,
        labels={"period": "Period", "current": "Current", "past": "A year ago",
                "change": "Change", "percent_change": "% change", "z": "z",
                "p_value_adjusted": "Adjusted p",
                **{column: column.replace("_", " ").capitalize() for column in by}},
        formats={"percent_change": lambda v: f"{v:+.1f}%", "change": "{:+,.0f}", "z": "{:+.2f}",
                 "p_value_adjusted": "{:.3f}"},
        na="n/a", row_styles=styles)


def forecast_chart(tidy: pd.DataFrame, *, title: str = "Monthly count and forecast",
                   y_title: str = "Incidents per month",
                   interval_label: str = "Prediction interval") -> alt.LayerChart:
    """Observed monthly counts, the forecast (dashed) and its prediction interval (band).

    ``tidy`` is :meth:`~workbench.analysis.forecast.CountForecast.tidy` output (``month,
    kind, value, lower, upper``).
    """
    data = tidy[["month", "kind", "value", "lower", "upper"]].reset_index(drop=True)
    base = alt.Chart(data, title=title)
    x = alt.X("month:T", title=None)
    band = base.transform_filter("datum.kind == 'forecast'").mark_area(
        opacity=0.2, color=_INCREASE).encode(
        x=x, y=alt.Y("lower:Q", title=y_title), y2="upper:Q",
        tooltip=[alt.Tooltip("month:T", title="Month"),
                 alt.Tooltip("lower:Q", format=",.0f", title=f"{interval_label} from"),
                 alt.Tooltip("upper:Q", format=",.0f", title="to")])
    lines = base.mark_line(point=True).encode(
        x=x, y="value:Q",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["observed", "forecast"],
                                                              range=["#0072B2", _INCREASE])),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=["observed", "forecast"],
                                                            range=[[1, 0], [5, 4]]),
                                  legend=None),
        tooltip=[alt.Tooltip("month:T", title="Month"), alt.Tooltip("kind:N"),
                 alt.Tooltip("value:Q", format=",.0f")])
    return band + lines


def csi_trend_chart(csi: pd.DataFrame, *, area: str | None = None,
                    title: str = "Crime Severity Index") -> alt.Chart:
    """Total, violent and non-violent CSI per year (lines).

    ``csi`` is :func:`~workbench.analysis.csi.crime_severity_index` output for one area (give
    ``area`` to pick one from a division or neighbourhood frame: the value of its geography
    column). Sub-city values are marked "unofficial" in the subtitle.
    """
    data = csi
    if area is not None:
        column = next(c for c in ("division", "neighbourhood_id") if c in csi.columns)
        data = csi[csi[column] == area]
    long = data.melt(id_vars=["year"], value_vars=["csi", "violent_csi", "non_violent_csi"],
                     var_name="index", value_name="value")
    long["index"] = long["index"].map({"csi": "Total", "violent_csi": "Violent",
                                       "non_violent_csi": "Non-violent"})
    official = bool(data["official"].all()) if len(data) else True
    subtitle = [] if official else ["Unofficial: computed below the police-service level"]
    return alt.Chart(long.reset_index(drop=True),
                     title=alt.Title(title, subtitle=subtitle)).mark_line(point=True).encode(
        x=alt.X("year:O", title=None),
        y=alt.Y("value:Q", title="Index"),
        color=alt.Color("index:N", title=None, sort=["Total", "Violent", "Non-violent"]),
        tooltip=[alt.Tooltip("year:O"), alt.Tooltip("index:N"),
                 alt.Tooltip("value:Q", format=".1f")],
    )


def csi_drivers_chart(drivers: pd.DataFrame, *, by: str = "offence_category", top: int = 10,
                      title: str = "What drove the change in the CSI") -> alt.Chart:
    """Horizontal bars: each offence group's contribution to the year-over-year CSI change
    (:func:`~workbench.analysis.csi.csi_change_drivers`), the ``top`` largest by size."""
    data = drivers[[by, "contribution", "incidents_previous", "incidents_current"]]
    data = data.reindex(data["contribution"].abs().sort_values(ascending=False).index).head(top)
    data = data.assign(direction=np.where(data["contribution"] >= 0, "increase", "decrease"))
    return alt.Chart(data.reset_index(drop=True), title=title).mark_bar().encode(
        y=alt.Y(f"{by}:N", sort=alt.EncodingSortField("contribution", op="sum", order="descending"),
                title=None),
        x=alt.X("contribution:Q", title="Contribution to the change (index points)"),
        color=alt.Color("direction:N", title=None,
                        scale=alt.Scale(domain=["increase", "decrease"],
                                        range=[_INCREASE, _DECREASE])),
        tooltip=[alt.Tooltip(f"{by}:N"), alt.Tooltip("contribution:Q", format="+.2f"),
                 alt.Tooltip("incidents_previous:Q", title="Incidents, previous year"),
                 alt.Tooltip("incidents_current:Q", title="Incidents, this year")],
    )
