"""Charts of the workforce: absence, sick leave against its baseline, minimum staffing,
overtime, relief factors, and patrol deployment against workload (inputs from
:mod:`workbench.analysis.workforce` and :mod:`workbench.analysis.staffing`).

Charts that draw one series per group (a division's 168 hours of the week) give each group
its own small dataset and layer them, so no single dataset in a page grows with the number of
groups. Rows hidden by :func:`~workbench.analysis.workforce.protect_small_groups` (missing
values) are left out of every chart.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.charts import PALETTE

__all__ = [
    "absence_by_type_chart",
    "absence_rate_trend_chart",
    "bradford_distribution_chart",
    "deployment_gap_heatmap",
    "minimum_staffing_chart",
    "officers_needed_chart",
    "overtime_chart",
    "relief_factor_chart",
    "saturation_chart",
    "sick_leave_baseline_chart",
    "sick_leave_unit_chart",
    "spell_length_chart",
]

_ALERT = PALETTE[3]  # vermilion
_CALM = PALETTE[0]  # blue
_MUTED = "#9e9e9e"
_DAY_TICKS = [24 * day for day in range(7)]
_DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HOUR_OF_WEEK_LABEL = (
    "['Mon','Tue','Wed','Thu','Fri','Sat','Sun'][floor(datum.value / 24)] + ' ' + "
    "(datum.value % 24 < 10 ? '0' : '') + (datum.value % 24) + ':00'")


def _shown(frame: pd.DataFrame, columns: list[str], required: list[str]) -> pd.DataFrame:
    """The ``columns`` of the rows whose ``required`` values are present."""
    return frame.dropna(subset=required)[columns].reset_index(drop=True)


def _hour_of_week_axis(title: str = "Hour of the week") -> alt.X:
    return alt.X("hour_of_week:Q", title=title, scale=alt.Scale(domain=[0, 168], nice=False),
                 axis=alt.Axis(values=_DAY_TICKS, labelExpr=_HOUR_OF_WEEK_LABEL, grid=True))


# --------------------------------------------------------------------------------------------
# Absence
# --------------------------------------------------------------------------------------------


def absence_rate_trend_chart(rates: pd.DataFrame, *, color: str | None = None,
                             title: str = "Absence rate by month") -> alt.Chart:
    """Absence rate per period (:func:`~workbench.analysis.workforce.absence_rates` with a
    ``period``), one line per ``color`` group when given."""
    columns = ["period_start", "absence_rate", "days_lost_per_fte", "people",
               *([color] if color else [])]
    data = _shown(rates, columns, ["absence_rate"])
    encoding = {
        "x": alt.X("period_start:T", title=None),
        "y": alt.Y("absence_rate:Q", title="Hours lost ÷ scheduled hours",
                   axis=alt.Axis(format="%")),
        "tooltip": [alt.Tooltip("period_start:T", title="Month", format="%B %Y"),
                    alt.Tooltip("absence_rate:Q", format=".2%", title="Absence rate"),
                    alt.Tooltip("days_lost_per_fte:Q", format=".1f",
                                title="Days lost per FTE (annualised)"),
                    alt.Tooltip("people:Q", title="Members"),
                    *([alt.Tooltip(f"{color}:N")] if color else [])],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color.replace("_", " ").capitalize())
    return alt.Chart(data, title=title).mark_line(point=True).encode(**encoding)


def absence_by_type_chart(by_type: pd.DataFrame, *, x: str = "period_start",
                          title: str = "Hours lost by absence type") -> alt.Chart:
    """Stacked bars: each absence type's share of scheduled hours per ``x`` (a period or a
    group column) from :func:`~workbench.analysis.workforce.absence_by_type`."""
    data = _shown(by_type, [x, "absence_code", "absence_rate", "absence_hours"],
                  ["absence_rate"])
    x_encoding = alt.X(f"{x}:T", title=None) if x == "period_start" else \
        alt.X(f"{x}:N", title=x.replace("_", " ").capitalize())
    return alt.Chart(data, title=title).mark_bar().encode(
        x=x_encoding,
        y=alt.Y("absence_rate:Q", stack="zero", title="Share of scheduled hours",
                axis=alt.Axis(format="%")),
        color=alt.Color("absence_code:N", title="Absence type"),
        tooltip=[alt.Tooltip(f"{x}:{'T' if x == 'period_start' else 'N'}"),
                 alt.Tooltip("absence_code:N", title="Type"),
                 alt.Tooltip("absence_rate:Q", format=".2%", title="Share of scheduled hours"),
                 alt.Tooltip("absence_hours:Q", format=",.0f", title="Hours")],
    )


def sick_leave_baseline_chart(units: pd.DataFrame, *,
                              title: str = "Sick spells against the baseline, by unit",
                              ) -> alt.LayerChart:
    """Observed ÷ expected sick spells per unit with its interval, flagged units in colour
    (``SickLeaveComparison.units``), and a rule at 1 (as expected)."""
    data = _shown(units, ["unit_id", "ratio", "ratio_lower", "ratio_upper", "spells",
                          "expected_spells", "flag"], ["ratio"])
    data = data.assign(status=data["flag"].map({"above": "above baseline",
                                                "below": "below baseline"})
                       .fillna("within interval"))
    y = alt.Y("unit_id:N", sort=alt.EncodingSortField("ratio", order="descending"), title=None)
    colour = alt.Color("status:N", title=None, scale=alt.Scale(
        domain=["above baseline", "below baseline", "within interval"],
        range=[_ALERT, _CALM, _MUTED]))
    tooltip = [alt.Tooltip("unit_id:N", title="Unit"),
               alt.Tooltip("spells:Q", title="Sick spells"),
               alt.Tooltip("expected_spells:Q", format=".1f", title="Expected"),
               alt.Tooltip("ratio:Q", format=".2f", title="Observed ÷ expected"),
               alt.Tooltip("ratio_lower:Q", format=".2f", title="Interval from"),
               alt.Tooltip("ratio_upper:Q", format=".2f", title="Interval to")]
    base = alt.Chart(data)
    intervals = base.mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("ratio_lower:Q", title="Observed ÷ expected sick spells"),
        x2="ratio_upper:Q", color=colour, tooltip=tooltip)
    points = base.mark_point(filled=True, size=45).encode(
        y=y, x="ratio:Q", color=colour, tooltip=tooltip)
    reference = alt.Chart(pd.DataFrame({"ratio": [1.0]})).mark_rule(
        strokeDash=[6, 4], color="#555555").encode(x="ratio:Q")
    return alt.layer(intervals, points, reference).properties(
        title=title, height=alt.Step(11))


def sick_leave_unit_chart(monthly: pd.DataFrame, *, unit_id: str,
                          title: str | None = None) -> alt.LayerChart:
    """One unit's sick spells per month against the expected count and its c-chart limits
    (``SickLeaveComparison.monthly``)."""
    data = _shown(monthly.loc[monthly["unit_id"] == unit_id],
                  ["period_start", "spells", "expected_spells", "lower_limit", "upper_limit",
                   "above_limit"], ["expected_spells"])
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.18, color=_CALM).encode(
        x=alt.X("period_start:T", title=None),
        y=alt.Y("lower_limit:Q", title="Sick spells starting in the month"),
        y2="upper_limit:Q")
    expected = base.mark_line(strokeDash=[6, 4], color=_CALM).encode(
        x="period_start:T", y="expected_spells:Q")
    observed = base.mark_line(point=True, color="#222222").encode(
        x="period_start:T", y="spells:Q",
        tooltip=[alt.Tooltip("period_start:T", title="Month", format="%B %Y"),
                 alt.Tooltip("spells:Q", title="Spells"),
                 alt.Tooltip("expected_spells:Q", format=".1f", title="Expected"),
                 alt.Tooltip("upper_limit:Q", format=".1f", title="Upper limit")])
    alerts = base.transform_filter("datum.above_limit").mark_point(
        filled=True, size=80, color=_ALERT).encode(x="period_start:T", y="spells:Q")
    return alt.layer(band, expected, observed, alerts).properties(
        title=title or f"Sick spells of {unit_id} against the expected count")


def bradford_distribution_chart(factors: pd.DataFrame, *,
                                title: str = "Bradford factors (restricted)") -> alt.Chart:
    """Histogram of Bradford factors (:func:`~workbench.analysis.workforce.bradford_factors`):
    how many members fall in each band."""
    bands = [0, 50, 100, 200, 500, 1000, 2000, 5000, float("inf")]
    labels = ["0–49", "50–99", "100–199", "200–499", "500–999", "1,000–1,999", "2,000–4,999",
              "5,000+"]
    banded = pd.cut(factors["bradford_factor"], bins=bands, labels=labels, right=False)
    data = banded.value_counts().reindex(labels, fill_value=0).rename_axis("band") \
        .reset_index(name="members")
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("band:N", sort=labels, title="Bradford factor (S² × D, 52 weeks)",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("members:Q", title="Members"),
        tooltip=["band:N", "members:Q"])


def spell_length_chart(spells: pd.DataFrame, *, long_term_after: int = 5,
                       title: str = "Absence spells by length") -> alt.Chart:
    """Bars: spells per length band (consecutive scheduled shifts), long-term ones (a band
    starting above ``long_term_after`` shifts) in colour; from
    :func:`~workbench.analysis.workforce.officer_absence_spells` or any frame with ``shifts``."""
    bands = [1, 2, 3, 4, 5, 6, 11, 21, 61, float("inf")]
    labels = ["1", "2", "3", "4", "5", "6–10", "11–20", "21–60", "61+"]
    banded = pd.cut(spells["shifts"], bins=bands, labels=labels, right=False)
    data = banded.value_counts().reindex(labels, fill_value=0).rename_axis("length") \
        .reset_index(name="spells")
    data["term"] = ["long-term" if lower > long_term_after else "short-term"
                    for lower in bands[:-1]]
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("length:N", sort=labels, title="Consecutive scheduled shifts absent",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("spells:Q", title="Spells"),
        color=alt.Color("term:N", title=None, scale=alt.Scale(
            domain=["short-term", "long-term"], range=[_CALM, _ALERT])),
        tooltip=["length:N", "spells:Q", "term:N"])


# --------------------------------------------------------------------------------------------
# Availability and overtime
# --------------------------------------------------------------------------------------------


def minimum_staffing_chart(levels: pd.DataFrame, *, group: str = "unit_id",
                           title: str = "Shifts below minimum staffing") -> alt.Chart:
    """Per group: shifts whose turnout fell below the minimum before backfill, and those still
    below it after (:func:`~workbench.analysis.workforce.staffing_levels`)."""
    data = _shown(levels, [group, "shifts", "shifts_below_minimum_before_backfill",
                           "shifts_below_minimum"], ["shifts"])
    long = data.melt(id_vars=[group, "shifts"],
                     value_vars=["shifts_below_minimum_before_backfill", "shifts_below_minimum"],
                     var_name="when", value_name="count")
    long["when"] = long["when"].map({
        "shifts_below_minimum_before_backfill": "before backfill",
        "shifts_below_minimum": "after backfill"})
    return alt.Chart(long, title=title).mark_bar().encode(
        y=alt.Y(f"{group}:N", title=None),
        x=alt.X("count:Q", title="Shifts below minimum"),
        yOffset=alt.YOffset("when:N", sort=["before backfill", "after backfill"]),
        color=alt.Color("when:N", title=None, sort=["before backfill", "after backfill"],
                        scale=alt.Scale(range=[PALETTE[1], _ALERT])),
        tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip("when:N"),
                 alt.Tooltip("count:Q", title="Shifts"), alt.Tooltip("shifts:Q",
                                                                     title="Shifts in all")],
    )


def overtime_chart(overtime: pd.DataFrame, *, x: str = "period_start",
                   title: str = "Overtime cost by reason") -> alt.Chart:
    """Stacked bars of overtime cost per ``x`` and reason
    (:func:`~workbench.analysis.workforce.overtime_summary` by ``overtime_reason``)."""
    data = _shown(overtime, [x, "overtime_reason", "overtime_cost", "overtime_hours"],
                  ["overtime_cost"])
    x_encoding = alt.X(f"{x}:T", title=None) if x == "period_start" else \
        alt.X(f"{x}:N", title=None)
    return alt.Chart(data, title=title).mark_bar().encode(
        x=x_encoding,
        y=alt.Y("overtime_cost:Q", title="Overtime cost ($)", axis=alt.Axis(format="$,.0f")),
        color=alt.Color("overtime_reason:N", title="Reason"),
        tooltip=[alt.Tooltip(f"{x}:{'T' if x == 'period_start' else 'N'}"),
                 alt.Tooltip("overtime_reason:N", title="Reason"),
                 alt.Tooltip("overtime_cost:Q", format="$,.0f", title="Cost"),
                 alt.Tooltip("overtime_hours:Q", format=",.0f", title="Hours")],
    )


def relief_factor_chart(relief: pd.DataFrame, *,
                        title: str = "Relief factor by unit") -> alt.Chart:
    """Bars of each unit's relief factor (:func:`~workbench.analysis.workforce.relief_factors`)."""
    data = _shown(relief, ["unit_id", "relief_factor", "net_available_hours_per_fte",
                           "absence_hours_per_fte"], ["relief_factor"])
    return alt.Chart(data, title=title).mark_bar().encode(
        y=alt.Y("unit_id:N", sort="-x", title=None),
        x=alt.X("relief_factor:Q", title="Members needed per post"),
        tooltip=[alt.Tooltip("unit_id:N", title="Unit"),
                 alt.Tooltip("relief_factor:Q", format=".2f", title="Relief factor"),
                 alt.Tooltip("net_available_hours_per_fte:Q", format=",.0f",
                             title="Net available hours per FTE"),
                 alt.Tooltip("absence_hours_per_fte:Q", format=",.0f",
                             title="Absent hours per FTE")],
    ).properties(height=alt.Step(11))


# --------------------------------------------------------------------------------------------
# Deployment against workload
# --------------------------------------------------------------------------------------------


def _per_group_layers(frame: pd.DataFrame, group: str, make) -> alt.LayerChart:  # noqa: ANN001
    """One layer per group, each with its own dataset (see the module docstring)."""
    layers = [make(part.reset_index(drop=True))
              for _, part in frame.groupby(group, sort=True, dropna=False)]
    if not layers:
        layers = [make(frame.iloc[0:0].reset_index(drop=True))]
    return alt.layer(*layers)


def deployment_gap_heatmap(gap: pd.DataFrame, *, group: str = "division",
                           title: str = "Officers on duty minus officers needed") -> alt.LayerChart:
    """Heatmap of the gap (:func:`~workbench.analysis.staffing.deployment_gap`): hour of the
    week across, one row per ``group``; red where fewer officers are on duty than the target
    needs, blue where more. The colour scale is centred on zero."""
    data = gap.dropna(subset=["gap"])
    limit = float(data["gap"].abs().max()) if len(data) else 1.0
    limit = limit if limit > 0 else 1.0
    colour = alt.Color("gap:Q", title="On duty − needed",
                       scale=alt.Scale(scheme="redblue", domain=[-limit, limit], domainMid=0))
    columns = [group, "hour_of_week", "day_name", "hour", "gap", "officers_on_duty",
               "officers_needed", "calls_per_hour", "saturation"]

    def layer(part: pd.DataFrame) -> alt.Chart:
        return alt.Chart(part[columns]).mark_rect().encode(
            x=_hour_of_week_axis(),
            x2=alt.X2("hour_end:Q"),
            y=alt.Y(f"{group}:N", title=None),
            color=colour,
            tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip("day_name:N", title="Day"),
                     alt.Tooltip("hour:Q", title="Hour"),
                     alt.Tooltip("officers_on_duty:Q", format=".1f", title="On duty"),
                     alt.Tooltip("officers_needed:Q", format=".0f", title="Needed"),
                     alt.Tooltip("gap:Q", format="+.1f", title="Gap"),
                     alt.Tooltip("calls_per_hour:Q", format=".1f", title="Calls per hour"),
                     alt.Tooltip("saturation:Q", format=".0%", title="Saturation")],
        ).transform_calculate(hour_end="datum.hour_of_week + 1")

    return _per_group_layers(data, group, layer).properties(
        title=title, width=840, height=alt.Step(22))


def saturation_chart(gap: pd.DataFrame, *, group: str = "division", threshold: float = 0.60,
                     title: str = "Saturation of patrol time by hour of the week",
                     ) -> alt.LayerChart:
    """Saturation (call-for-service time ÷ patrol time available) per hour of the week, one line
    per ``group``, with a dashed rule at the threshold (the rule of 60)."""
    data = gap.replace([float("inf")], pd.NA).dropna(subset=["saturation"])

    def layer(part: pd.DataFrame) -> alt.Chart:
        return alt.Chart(part[[group, "hour_of_week", "saturation", "day_name", "hour"]]) \
            .mark_line(strokeWidth=1.5).encode(
                x=_hour_of_week_axis(),
                y=alt.Y("saturation:Q", title="Share of patrol time on calls",
                        axis=alt.Axis(format="%")),
                color=alt.Color(f"{group}:N", title=group.replace("_", " ").capitalize()),
                tooltip=[alt.Tooltip(f"{group}:N"), alt.Tooltip("day_name:N", title="Day"),
                         alt.Tooltip("hour:Q", title="Hour"),
                         alt.Tooltip("saturation:Q", format=".0%", title="Saturation")])

    rule = alt.Chart(pd.DataFrame({"threshold": [threshold]})).mark_rule(
        strokeDash=[6, 4], color=_ALERT).encode(y="threshold:Q")
    return alt.layer(_per_group_layers(data, group, layer), rule).properties(
        title=title, width=840)


def officers_needed_chart(gap: pd.DataFrame, *, title: str = "Officers needed and on duty",
                          ) -> alt.LayerChart:
    """For one group (filter first): officers needed by Erlang C and officers on duty per hour
    of the week, as two lines."""
    needed = gap[["hour_of_week", "officers_needed"]].rename(
        columns={"officers_needed": "officers"}).assign(series="needed (target)")
    on_duty = gap[["hour_of_week", "officers_on_duty"]].rename(
        columns={"officers_on_duty": "officers"}).assign(series="on duty")
    colour = alt.Color("series:N", title=None, scale=alt.Scale(
        domain=["needed (target)", "on duty"], range=[_ALERT, _CALM]))

    def line(data: pd.DataFrame) -> alt.Chart:
        return alt.Chart(data.reset_index(drop=True)).mark_line(
            interpolate="step-after").encode(
            x=_hour_of_week_axis(), y=alt.Y("officers:Q", title="Officers"), color=colour,
            tooltip=[alt.Tooltip("series:N"), alt.Tooltip("hour_of_week:Q", title="Hour of week"),
                     alt.Tooltip("officers:Q", format=".1f")])

    return alt.layer(line(needed), line(on_duty)).properties(title=title, width=840)
