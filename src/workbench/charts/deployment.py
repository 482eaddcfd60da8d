"""Charts of deployment planning (inputs from :mod:`workbench.analysis.deployment`): the
staffing curve against the workload curve, the optimised shift starts, and scenarios side by
side."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from workbench.charts import PALETTE

__all__ = ["SCENARIO_MEASURES", "scenario_comparison_chart", "shift_starts_chart",
           "staffing_curve_chart"]

_DAY_TICKS = [24 * day for day in range(7)]
_HOUR_OF_WEEK_LABEL = (
    "['Mon','Tue','Wed','Thu','Fri','Sat','Sun'][floor(datum.value / 24)] + ' ' + "
    "(datum.value % 24 < 10 ? '0' : '') + (datum.value % 24) + ':00'")
_SERIES = {
    "required_officers": ("Officers needed", PALETTE[3]),
    "staffed_officers": ("On duty, optimised plan", PALETTE[0]),
    "current_officers": ("On duty, current roster", "#7f7f7f"),
    "committed_officers": ("Busy on calls", PALETTE[1]),
}
#: Measures :func:`scenario_comparison_chart` can draw: column → (title, tooltip format,
#: axis format).
SCENARIO_MEASURES: dict[str, tuple[str, str, str]] = {
    "staffed_hours": ("Officer-hours on duty a week", ",.0f", ",.0f"),
    "fte": ("Positions (FTE)", ",.1f", ",.0f"),
    "annual_cost": ("Annual cost ($)", "$,.4s", "$~s"),
    "p1_median_minutes": ("Priority 1 response, median (min)", ".1f", ".0f"),
    "p1_p90_minutes": ("Priority 1 response, 90th percentile (min)", ".1f", ".0f"),
    "saturation": ("Share of patrol time on calls", ".0%", ".0%"),
    "shortfall_hours": ("Officer-hours short of the need a week", ",.0f", ",.0f"),
    "value_per_year": ("Value of officer time released a year ($)", "$,.4s", "$~s"),
}


def _hour_of_week_axis() -> alt.X:
    return alt.X("hour_of_week:Q", title="Hour of the week",
                 scale=alt.Scale(domain=[0, 168], nice=False),
                 axis=alt.Axis(values=_DAY_TICKS, labelExpr=_HOUR_OF_WEEK_LABEL, grid=True))


def staffing_curve_chart(hours: pd.DataFrame, *, title: str = "Officers needed and on duty",
                         series: Sequence[str] = ("required_officers", "staffed_officers",
                                                  "current_officers", "committed_officers"),
                         width: int | str = 840) -> alt.LayerChart:
    """For one division (filter ``ScenarioResult.hours`` first): officers needed, on duty
    under the optimised plan and under the current roster, and officers busy on calls (the
    workload curve), per hour of the week, as step lines. The tooltip names what sets the
    need in that hour."""
    unknown = [name for name in series if name not in _SERIES]
    if unknown:
        raise ValueError(f"unknown series {unknown}; choose from {list(_SERIES)}")
    labels = [_SERIES[name][0] for name in series]
    colour = alt.Color("series:N", title=None, sort=labels, scale=alt.Scale(
        domain=labels, range=[_SERIES[name][1] for name in series]),
        legend=alt.Legend(orient="bottom", columns=2))
    layers = []
    # the need is drawn last, on top of a plan that often equals it
    for name in sorted(series, key=lambda name: name == "required_officers"):
        data = hours[["hour_of_week", name, "binding"]].rename(columns={name: "officers"})
        data = data.assign(series=_SERIES[name][0]).reset_index(drop=True)
        mark = alt.Chart(data).mark_line(
            interpolate="step-after", strokeWidth=4 if name == "staffed_officers" else 2,
            strokeDash=[5, 3] if name == "current_officers" else [1, 0])
        layers.append(mark.encode(
            x=_hour_of_week_axis(), y=alt.Y("officers:Q", title="Officers"), color=colour,
            tooltip=[alt.Tooltip("series:N", title="Series"),
                     alt.Tooltip("hour_of_week:Q", title="Hour of the week"),
                     alt.Tooltip("officers:Q", format=".1f", title="Officers"),
                     alt.Tooltip("binding:N", title="Need set by")]))
    return alt.layer(*layers).properties(title=title, width=width)


def shift_starts_chart(tours: pd.DataFrame, *, title: str = "Officers starting each shift",
                       width: int | str = 560) -> alt.Chart:
    """Bars: officers on tours by start time, stacked by shift length, for one division
    (filter ``ScenarioResult.tours`` first)."""
    data = tours.groupby(["start", "length_hours"], as_index=False)["officers"].sum()
    data["shift"] = data["length_hours"].map(lambda hours: f"{int(hours)}-hour")
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("start:O", title="Shift start", sort=sorted(data["start"].unique())),
        y=alt.Y("officers:Q", stack="zero", title="Officers"),
        color=alt.Color("shift:N", title="Shift length"),
        tooltip=[alt.Tooltip("start:O", title="Start"), alt.Tooltip("shift:N", title="Length"),
                 alt.Tooltip("officers:Q", format=",.0f", title="Officers")],
    ).properties(width=width)


def scenario_comparison_chart(
    comparison: pd.DataFrame,
    *,
    division: str | None = None,
    measures: Sequence[str] = ("staffed_hours", "fte", "annual_cost", "p1_median_minutes",
                               "p1_p90_minutes", "saturation"),
    title: str = "Scenarios compared with the current roster",
    columns: int = 2,
) -> alt.VConcatChart:
    """One small bar chart per measure, a bar per scenario (the current roster in grey), for
    one division or the service (``compare_scenarios`` output; ``division`` defaults to the
    all-divisions rows)."""
    from workbench.analysis.deployment.planner import ALL_DIVISIONS, CURRENT_ROSTER

    unknown = [m for m in measures if m not in SCENARIO_MEASURES]
    if unknown:
        raise ValueError(f"unknown measures {unknown}; choose from {list(SCENARIO_MEASURES)}")
    rows = comparison.loc[comparison["division"] == (division or ALL_DIVISIONS)]
    order = list(dict.fromkeys(rows["scenario"]))
    charts = []
    for measure in measures:
        label, number, ticks = SCENARIO_MEASURES[measure]
        data = rows[["scenario", measure]].rename(columns={measure: "value"})
        data = data.loc[pd.to_numeric(data["value"], errors="coerce").abs() < float("inf")]
        data = data.assign(current=data["scenario"] == CURRENT_ROSTER).reset_index(drop=True)
        charts.append(alt.Chart(data, title=label).mark_bar().encode(
            y=alt.Y("scenario:N", sort=order, title=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format=ticks)),
            color=alt.condition(alt.datum.current, alt.value("#9e9e9e"),
                                alt.value(PALETTE[0])),
            tooltip=[alt.Tooltip("scenario:N", title="Scenario"),
                     alt.Tooltip("value:Q", format=number, title=label)],
        ).properties(width=300, height=alt.Step(16)))
    grid = [alt.hconcat(*charts[i:i + columns]) for i in range(0, len(charts), columns)]
    return alt.vconcat(*grid).properties(title=title)
