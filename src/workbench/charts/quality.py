"""Charts of warehouse data quality (inputs come from :mod:`workbench.analysis.quality`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.charts import PALETTE


def completeness_chart(table_quality: pd.DataFrame, *, title: str = "Completeness by table") -> alt.Chart:
    """Horizontal bars: mean column completeness (0–1) of each table.

    ``table_quality`` is the frame of :func:`workbench.analysis.quality.table_quality`
    (columns ``table``, ``completeness``); tables without rows are left out.
    """
    data = table_quality.loc[table_quality["completeness"].notna(), ["table", "completeness"]]
    return (
        alt.Chart(data.reset_index(drop=True), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("table:N", sort="x", title=None),
            x=alt.X("completeness:Q", title="Mean share of non-empty values",
                    scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            tooltip=[alt.Tooltip("table:N"), alt.Tooltip("completeness:Q", format=".1%")],
        )
    )


def rule_violations_chart(violations: pd.DataFrame, *, top: int = 15,
                          title: str = "Rows breaking each validity rule") -> alt.Chart:
    """Horizontal bars: invalid rows per (table, rule), the ``top`` largest, coloured by table.

    ``violations`` has columns ``table``, ``rule`` and ``invalid``; rules nobody broke are left
    out. An empty frame gives an empty (but valid) chart.
    """
    data = violations.loc[violations["invalid"] > 0, ["table", "rule", "invalid"]]
    data = data.sort_values("invalid", ascending=False).head(top).reset_index(drop=True)
    data = data.assign(label=data["table"] + ": " + data["rule"])
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort="-x", title=None),
            x=alt.X("invalid:Q", title="Invalid rows"),
            color=alt.Color("table:N", title="Table"),
            tooltip=["table:N", "rule:N", alt.Tooltip("invalid:Q", format=",")],
        )
    )


def days_behind_chart(table_quality: pd.DataFrame, *, stale_after_days: int,
                      title: str = "Days since the latest record") -> alt.Chart:
    """Bars of days behind per event table, with a rule at the staleness threshold."""
    data = table_quality.loc[table_quality["days_behind"].notna(), ["table", "days_behind"]]
    data = data.astype({"days_behind": "int64"}).reset_index(drop=True)
    data = data.assign(stale=data["days_behind"] > stale_after_days)
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("table:N", sort="-x", title=None),
        x=alt.X("days_behind:Q", title="Days behind"),
        color=alt.Color("stale:N", title=f"Over {stale_after_days} days",
                        scale=alt.Scale(domain=[False, True], range=[PALETTE[2], PALETTE[3]])),
        tooltip=["table:N", "days_behind:Q"],
    )
    threshold = alt.Chart(pd.DataFrame({"days": [stale_after_days]})).mark_rule(
        strokeDash=[4, 3], color="#555555"
    ).encode(x="days:Q")
    return (bars + threshold).properties(title=title)


def report_lag_chart(report_lag: pd.DataFrame, *,
                     title: str = "Report lag by offence category (days)") -> alt.Chart:
    """Median and 90th-percentile report lag per group, as a dot-and-bar chart.

    ``report_lag`` is the frame of :func:`workbench.analysis.quality.report_lag` grouped by
    ``offence_category``.
    """
    data = report_lag[["offence_category", "median_days", "p90_days", "incidents"]].reset_index(
        drop=True)
    base = alt.Chart(data).encode(y=alt.Y("offence_category:N", sort="-x", title=None))
    span = base.mark_rule(color=PALETTE[5], strokeWidth=3).encode(
        x=alt.X("median_days:Q", title="Days from occurrence to report"), x2="p90_days:Q")
    median = base.mark_point(filled=True, size=60, color=PALETTE[0]).encode(
        x="median_days:Q",
        tooltip=["offence_category:N", alt.Tooltip("median_days:Q", format=".1f"),
                 alt.Tooltip("p90_days:Q", format=".1f"), alt.Tooltip("incidents:Q", format=",")],
    )
    return (span + median).properties(title=title)
