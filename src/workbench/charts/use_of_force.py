"""Charts of race-based use-of-force statistics (inputs from
:mod:`workbench.analysis.use_of_force`, or the published versions in :mod:`workbench.public`).

Indices are drawn on a log scale (2.0 and 0.5 are equally far from parity) with their 95%
intervals, a rule at 1 and dashed rules at the flag thresholds. Rows with a missing index (a
suppressed count, ``multiple``/``unknown``) are left out of the marks. Every function returns
an Altair chart and never modifies its input.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from workbench.analysis.use_of_force import (
    DEFAULT_THRESHOLDS,
    RACE_GROUP_LABELS,
    RACE_GROUPS,
    IndexThresholds,
)
from workbench.charts import PALETTE

__all__ = [
    "STAGE_LABELS",
    "disparity_chart",
    "disproportionality_chart",
    "force_type_chart",
    "index_trend_chart",
    "stage_share_chart",
]

STAGE_LABELS = {
    "population": "Population",
    "enforcement_actions": "Enforcement actions",
    "use_of_force": "Use of force",
}

_FLAG_COLOURS = alt.Scale(domain=["over", "within", "under"],
                          range=[PALETTE[3], "#7f7f7f", PALETTE[0]])


def _group_label(values: pd.Series) -> pd.Series:
    return values.astype(str).map(lambda v: RACE_GROUP_LABELS.get(v, v.replace("_", " ")))


_GROUP_ORDER = [RACE_GROUP_LABELS[g] for g in RACE_GROUPS]


def _reference_rules(thresholds: IndexThresholds, *, x: bool) -> alt.LayerChart:
    channel = "x" if x else "y"
    levels = pd.DataFrame({"value": [1.0, thresholds.over_representation,
                                     thresholds.under_representation],
                           "kind": ["parity", "threshold", "threshold"]})
    base = alt.Chart(levels)
    parity = base.transform_filter(alt.datum.kind == "parity").mark_rule(color="#333333")
    flags = base.transform_filter(alt.datum.kind == "threshold").mark_rule(
        color="#999999", strokeDash=[4, 3])
    encoding = {channel: alt.X("value:Q") if x else alt.Y("value:Q")}
    return parity.encode(**encoding) + flags.encode(**encoding)


def _with_index_rows(indices: pd.DataFrame, value: str = "index") -> pd.DataFrame:
    data = indices.loc[indices[value].notna()].copy()
    return data.reset_index(drop=True)


def disproportionality_chart(indices: pd.DataFrame, *,
                             thresholds: IndexThresholds = DEFAULT_THRESHOLDS,
                             title: str = "Racial Disproportionality Index by stage") -> alt.Chart:
    """Dots with 95% intervals: each group's index at each stage (one row per group, stages
    side by side in colour). ``indices`` is :func:`disproportionality_by_stage`."""
    data = _with_index_rows(indices)[["stage", "race_group", "index", "lower", "upper", "count",
                                      "caution"]]
    data = data.assign(group=_group_label(data["race_group"]),
                       stage_label=data["stage"].map(STAGE_LABELS).fillna(data["stage"]))
    order = _GROUP_ORDER
    scale = alt.Scale(type="log")
    y = alt.Y("group:N", sort=order, title=None)
    offset = alt.YOffset("stage_label:N")
    colour = alt.Color("stage_label:N", title="Stage",
                       sort=[STAGE_LABELS[s] for s in ("enforcement_actions", "use_of_force")])
    bars = alt.Chart(data).mark_rule(strokeWidth=2).encode(
        y=y, yOffset=offset, x=alt.X("lower:Q", scale=scale, title="Index (log scale)"),
        x2="upper:Q", color=colour)
    dots = alt.Chart(data).mark_point(filled=True, size=60).encode(
        y=y, yOffset=offset, x=alt.X("index:Q", scale=scale), color=colour,
        shape=alt.Shape("caution:N", title="Small count",
                        scale=alt.Scale(domain=[False, True], range=["circle", "triangle"])),
        tooltip=["group:N", "stage_label:N", alt.Tooltip("index:Q", format=".2f"),
                 alt.Tooltip("lower:Q", format=".2f"), alt.Tooltip("upper:Q", format=".2f"),
                 alt.Tooltip("count:Q", format=",")])
    return (bars + dots + _reference_rules(thresholds, x=True)).properties(
        title=title, height=alt.Step(14))


def index_trend_chart(indices: pd.DataFrame, *, stage: str = "use_of_force",
                      groups: Sequence[str] | None = None,
                      thresholds: IndexThresholds = DEFAULT_THRESHOLDS,
                      title: str = "Racial Disproportionality Index by year") -> alt.Chart:
    """Lines of the index per year (with interval bands) for each group at one stage.
    ``indices`` is :func:`disproportionality_by_stage` of per-year stage counts."""
    data = _with_index_rows(indices.loc[indices["stage"] == stage])
    if groups is not None:
        data = data.loc[data["race_group"].isin(list(groups))]
    data = data[["year", "race_group", "index", "lower", "upper"]].assign(
        group=lambda f: _group_label(f["race_group"]), year=lambda f: f["year"].astype(int))
    scale = alt.Scale(type="log")
    base = alt.Chart(data).encode(x=alt.X("year:O", title=None),
                                  color=alt.Color("group:N", title="Perceived race"))
    band = base.mark_area(opacity=0.15).encode(y=alt.Y("lower:Q", scale=scale), y2="upper:Q")
    line = base.mark_line(point=True).encode(
        y=alt.Y("index:Q", scale=scale, title="Index (log scale)"),
        tooltip=["group:N", "year:O", alt.Tooltip("index:Q", format=".2f"),
                 alt.Tooltip("lower:Q", format=".2f"), alt.Tooltip("upper:Q", format=".2f")])
    return (band + line + _reference_rules(thresholds, x=False)).properties(title=title)


def force_type_chart(force_indices: pd.DataFrame, *,
                     title: str = "Index by type of force (vs all use-of-force subjects)"
                     ) -> alt.Chart:
    """Heat map of the index per group and type of force (log colour scale, 1 = white);
    cells without an index (suppressed or too small) stay blank.
    ``force_indices`` is :func:`disproportionality_by_force_type`."""
    data = force_indices[["force_type", "race_group", "index", "lower", "upper", "count"]].copy()
    data = data.loc[data["race_group"].isin(RACE_GROUPS)].assign(
        group=lambda f: _group_label(f["race_group"]),
        force=lambda f: f["force_type"].astype(str).str.replace("_", " "))
    data["index"] = pd.to_numeric(data["index"], errors="coerce")
    order = _GROUP_ORDER
    base = alt.Chart(data.reset_index(drop=True)).encode(
        x=alt.X("force:N", title=None), y=alt.Y("group:N", sort=order, title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("index:Q", title="Index",
                        scale=alt.Scale(type="log", scheme="blueorange", domainMid=1)),
        tooltip=["group:N", "force:N", alt.Tooltip("index:Q", format=".2f"),
                 alt.Tooltip("lower:Q", format=".2f"), alt.Tooltip("upper:Q", format=".2f")])
    text = base.transform_filter("isValid(datum['index'])").mark_text(fontSize=11).encode(
        text=alt.Text("index:Q", format=".2f"))
    return (cells + text).properties(title=title)


def disparity_chart(disparity: pd.DataFrame, *,
                    thresholds: IndexThresholds = DEFAULT_THRESHOLDS,
                    title: str | None = None) -> alt.Chart:
    """Dots with 95% intervals of the Racial Disparity Index (rate ratio to the reference
    group) per group and stage. ``disparity`` is :func:`disparity_by_stage`."""
    data = _with_index_rows(disparity, "ratio")[["stage", "race_group", "ratio", "lower", "upper",
                                                 "reference_group"]]
    reference = (str(data["reference_group"].iloc[0]).replace("_", " ") if len(data) else
                 "reference group")
    data = data.assign(group=_group_label(data["race_group"]),
                       stage_label=data["stage"].map(STAGE_LABELS).fillna(data["stage"]))
    scale = alt.Scale(type="log")
    order = _GROUP_ORDER
    y = alt.Y("group:N", sort=order, title=None)
    offset = alt.YOffset("stage_label:N")
    colour = alt.Color("stage_label:N", title="Stage")
    bars = alt.Chart(data).mark_rule(strokeWidth=2).encode(
        y=y, yOffset=offset, x=alt.X("lower:Q", scale=scale, title=f"Rate ÷ {reference} rate"),
        x2="upper:Q", color=colour)
    dots = alt.Chart(data).mark_point(filled=True, size=60).encode(
        y=y, yOffset=offset, x=alt.X("ratio:Q", scale=scale), color=colour,
        tooltip=["group:N", "stage_label:N", alt.Tooltip("ratio:Q", format=".2f"),
                 alt.Tooltip("lower:Q", format=".2f"), alt.Tooltip("upper:Q", format=".2f")])
    return (bars + dots + _reference_rules(thresholds, x=True)).properties(
        title=title or f"Racial Disparity Index (vs {reference})", height=alt.Step(14))


def stage_share_chart(stage_counts: pd.DataFrame, *,
                      title: str = "Share of each stage by perceived race") -> alt.Chart:
    """Grouped bars: each group's share of the population, of enforcement actions and of
    use-of-force subjects (people with one perceived group; suppressed counts left out).
    ``stage_counts`` is :func:`stage_counts` (one year)."""
    data = stage_counts.loc[stage_counts["race_group"].isin(RACE_GROUPS),
                            ["stage", "race_group", "count", "total"]].copy()
    count = pd.to_numeric(data["count"], errors="coerce").astype(float)
    total = pd.to_numeric(data["total"], errors="coerce").astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        data["share"] = np.where(total > 0, count / total, np.nan)
    data = data.loc[data["share"].notna()].assign(
        group=lambda f: _group_label(f["race_group"]),
        stage_label=lambda f: f["stage"].map(STAGE_LABELS).fillna(f["stage"]))
    data = data[["group", "stage_label", "share"]].reset_index(drop=True)
    order = _GROUP_ORDER
    return alt.Chart(data, title=title).mark_bar().encode(
        y=alt.Y("group:N", sort=order, title=None),
        yOffset=alt.YOffset("stage_label:N", sort=list(STAGE_LABELS.values())),
        x=alt.X("share:Q", title="Share", axis=alt.Axis(format="%")),
        color=alt.Color("stage_label:N", title="Stage", sort=list(STAGE_LABELS.values())),
        tooltip=["group:N", "stage_label:N", alt.Tooltip("share:Q", format=".1%")],
    ).properties(height=alt.Step(10))
