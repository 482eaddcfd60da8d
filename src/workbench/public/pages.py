"""Public pages: what each public report shows, computed from the published families only.

The annual race-based use-of-force report (:func:`annual_use_of_force`), the city-wide CSWB
indicators (:func:`cswb_overview`) and one neighbourhood's profile (:func:`cswb_profile`), with
the page tables of their derived figures (:mod:`workbench.public.html`). An index or a rate is
missing wherever a count it needs is suppressed, and the page tables check it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.analysis import cswb
from workbench.analysis import use_of_force as uof
from workbench.privacy.linked import ALL
from workbench.public.html import HtmlFragment, derived_table_html
from workbench.public.options import OpenDataError
from workbench.public.outputs import PublicOutputs
from workbench.public.tables import PublicTable

__all__ = [
    "AnnualUseOfForce",
    "CswbOverview",
    "annual_use_of_force",
    "city_indicator_table_html",
    "cswb_overview",
    "cswb_profile",
    "disparity_table_html",
    "profile_table_html",
    "stage_index_table_html",
]


def _pick_year(years: Sequence[int], year: int | None, what: str) -> int | None:
    if year is None:
        return years[-1] if years else None
    if year not in years:
        shown = ", ".join(map(str, years)) or "none"
        raise OpenDataError(f"no complete year of {what} data for {year}; complete years: {shown}")
    return int(year)


_INDEX_COLUMNS = ["stage", "race_group", "count", "total", "share", "benchmark_stage",
                  "benchmark_count", "benchmark_total", "benchmark_share", "index", "lower",
                  "upper", "flag", "significant", "caution"]


@dataclass(frozen=True)
class AnnualUseOfForce:
    """The figures of the annual race-based use-of-force report for ``year``, from the
    published counts only (an index is missing where a count it needs is suppressed)."""

    year: int | None
    years: list[int]
    people: dict[str, int | None]
    stage_counts: pd.DataFrame
    by_population: pd.DataFrame
    by_previous_stage: pd.DataFrame
    disparity: pd.DataFrame
    force_types: pd.DataFrame
    trend: pd.DataFrame
    thresholds: uof.IndexThresholds
    reference_group: str

    @property
    def has_data(self) -> bool:
        return self.year is not None and not self.stage_counts.empty

    def index(self, group: str, *, stage: str = "use_of_force",
              benchmark: str = "population") -> float | None:
        """The group's disproportionality index at ``stage`` (None when not published)."""
        frame = self.by_population if benchmark == "population" else self.by_previous_stage
        rows = frame.loc[(frame["stage"] == stage) & (frame["race_group"] == group), "index"]
        return None if rows.empty or pd.isna(rows.iloc[0]) else float(rows.iloc[0])

    def disparity_ratio(self, group: str, *, stage: str = "use_of_force") -> float | None:
        """The group's disparity index (rate ratio to the reference group) at ``stage``."""
        rows = self.disparity.loc[(self.disparity["stage"] == stage)
                                  & (self.disparity["race_group"] == group), "ratio"]
        return None if rows.empty or pd.isna(rows.iloc[0]) else float(rows.iloc[0])

    def groups_flagged(self, flag: str = "over", *, stage: str = "use_of_force") -> int:
        """Groups flagged ``flag`` at ``stage`` against the population whose 95% interval
        also excludes 1."""
        frame = self.by_population
        if frame.empty:
            return 0
        rows = frame.loc[(frame["stage"] == stage) & (frame["flag"] == flag)
                         & frame["significant"].astype(bool)]
        return int(len(rows))


def _people(outputs: PublicOutputs, year: int | None) -> dict[str, int | None]:
    """People at each stage in ``year``: the one-group total plus the multiple / unknown
    total, both published (None when either is suppressed or missing)."""
    result: dict[str, int | None] = {}
    for stage, main, rest in (("enforcement_actions", outputs.enforcement,
                               outputs.enforcement_other),
                              ("use_of_force", outputs.use_of_force, outputs.use_of_force_other)):
        if year is None or str(year) not in main.levels("year"):
            result[stage] = None
            continue
        detail = {d: ALL for d in main.dimensions if d not in ("year",)}
        single = main.value(year=year, **detail)
        other = rest.value(year=year, race_group=ALL) if str(year) in rest.levels("year") else 0
        result[stage] = None if single is None or other is None else single + other
    return result


def annual_use_of_force(outputs: PublicOutputs, *, year: int | None = None,
                        thresholds: uof.IndexThresholds = uof.DEFAULT_THRESHOLDS,
                        reference_group: str = "white") -> AnnualUseOfForce:
    """Everything the annual report shows for ``year`` (default: the latest complete one),
    computed from the published families."""
    years = outputs.use_of_force_years
    chosen = _pick_year(years, year, "use-of-force")
    stages_all = outputs.stage_counts()
    has_population = not stages_all.empty and "population" in set(stages_all["stage"])
    empty = pd.DataFrame(columns=_INDEX_COLUMNS)
    stage_counts = (stages_all.loc[stages_all["year"] == chosen].drop(columns="year")
                    .reset_index(drop=True) if chosen is not None and not stages_all.empty else
                    pd.DataFrame(columns=["stage", "race_group", "count", "total"]))
    if chosen is None or not has_population:
        return AnnualUseOfForce(
            chosen, years, _people(outputs, chosen), stage_counts, empty, empty,
            pd.DataFrame(columns=["stage", "race_group", "count", "rate", "ratio", "lower",
                                  "upper", "reference_group", "flag", "significant", "caution"]),
            pd.DataFrame(columns=["force_type", *_INDEX_COLUMNS]),
            pd.DataFrame(columns=["year", *_INDEX_COLUMNS]), thresholds, reference_group)
    by_population = uof.disproportionality_by_stage(stage_counts, benchmark="population",
                                                    thresholds=thresholds)
    by_previous = uof.disproportionality_by_stage(stage_counts, benchmark="previous_stage",
                                                  thresholds=thresholds)
    disparity = uof.disparity_by_stage(stage_counts, reference_group=reference_group,
                                       thresholds=thresholds)
    force_all = outputs.force_type_counts()
    force = force_all.loc[force_all["year"] == chosen].drop(columns="year")
    force_types = uof.disproportionality_by_force_type(force, stage_counts,
                                                       benchmark="use_of_force",
                                                       thresholds=thresholds)
    trend = uof.disproportionality_by_stage(stages_all, benchmark="population",
                                            thresholds=thresholds)
    return AnnualUseOfForce(chosen, years, _people(outputs, chosen), stage_counts, by_population,
                            by_previous, disparity, force_types, trend, thresholds,
                            reference_group)


def _stage_sources(outputs: PublicOutputs, year: int | None, stage: str, group: str,
                   benchmark_stage: str | None) -> list[tuple[PublicTable, Mapping[str, object]]]:
    """The published entries a stage index of ``group`` derives from."""
    tables = {"use_of_force": outputs.use_of_force, "enforcement_actions": outputs.enforcement}
    sources: list[tuple[PublicTable, Mapping[str, object]]] = []
    for name in (stage, benchmark_stage):
        if name in tables:
            table = tables[name]
            sources += [(table, {"year": year, "race_group": group}), (table, {"year": year})]
    return sources


def stage_index_table_html(annual: AnnualUseOfForce, outputs: PublicOutputs, *,
                           benchmark: str = "population") -> HtmlFragment:
    """The page table of disproportionality indices by stage and group (published only)."""
    frame = annual.by_population if benchmark == "population" else annual.by_previous_stage
    frame = frame.loc[frame["race_group"].isin(uof.RACE_GROUPS)].reset_index(drop=True)
    frame = frame.assign(
        stage_label=frame["stage"].map({"enforcement_actions": "Enforcement actions",
                                        "use_of_force": "Use of force"}),
        benchmark_label=frame["benchmark_stage"].map({"population": "population",
                                                      "enforcement_actions":
                                                      "enforcement actions"}),
        interval=list(zip(frame["lower"], frame["upper"], strict=True)))
    sources = [_stage_sources(outputs, annual.year, row.stage, row.race_group,
                              row.benchmark_stage) for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("stage_label", "Stage", "text", "label"),
                 ("race_group", "Perceived race", "text", "label"),
                 ("share", "Share of stage", "percent", (0, 1)),
                 ("benchmark_share", "Share of benchmark", "percent", (2, 3)),
                 ("benchmark_label", "Benchmark", "text", "label"),
                 ("index", "Index", "ratio", "all"),
                 ("interval", "95% interval", "interval", "all"), ("flag", "Flag", "text", "all"),
                 ("caution", "Small or suppressed count", "text", "label")],
        caption=f"Racial Disproportionality Index, {annual.year}, benchmark: "
                f"{'population' if benchmark == 'population' else 'the previous stage'}",
        footnote="Shares are of people perceived as one group. An index is not shown where a "
                 "count it needs is suppressed.")


def disparity_table_html(annual: AnnualUseOfForce, outputs: PublicOutputs) -> HtmlFragment:
    """The page table of disparity indices (rate ratios to the reference group)."""
    frame = annual.disparity.reset_index(drop=True)
    frame = frame.assign(interval=list(zip(frame["lower"], frame["upper"], strict=True)),
                         stage_label=frame["stage"].str.replace("_", " ").str.capitalize())
    tables = {"use_of_force": outputs.use_of_force, "enforcement_actions": outputs.enforcement}
    sources: list[list[tuple[PublicTable, Mapping[str, object]]]] = [
               [(tables[row.stage], {"year": annual.year, "race_group": row.race_group}),
                (tables[row.stage], {"year": annual.year,
                                     "race_group": annual.reference_group})]
               for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("stage_label", "Stage", "text", "label"),
                 ("race_group", "Perceived race", "text", "label"),
                 ("rate", "Per 1,000 residents of the group", "rate", (0,)),
                 ("reference_rate", f"Per 1,000 {annual.reference_group} residents", "rate",
                  (1,)),
                 ("ratio", "Disparity index", "ratio", "all"),
                 ("interval", "95% interval", "interval", "all"), ("flag", "Flag", "text", "all")],
        caption=f"Racial Disparity Index against {annual.reference_group.replace('_', ' ')} "
                f"residents, {annual.year}",
        footnote="Rate of the group per 1,000 residents of the group, divided by the reference "
                 "group's rate. Not shown where a count it needs is suppressed.")


@dataclass(frozen=True)
class CswbOverview:
    """The figures of the service-wide CSWB report for ``year`` (published counts only)."""

    year: int | None
    years: list[int]
    rates: pd.DataFrame
    city: pd.DataFrame
    neighbourhoods_compared: pd.DataFrame

    def city_value(self, indicator: str, column: str = "rate") -> float | None:
        """A city figure of the year (None when suppressed or not available)."""
        if column not in self.city.columns:
            return None
        rows = self.city.loc[self.city["indicator"] == indicator, column]
        return None if rows.empty or pd.isna(rows.iloc[0]) else float(rows.iloc[0])


def _catalogue() -> pd.DataFrame:
    return pd.DataFrame([{"indicator": i.name, "label": i.label, "zone": i.zone.replace("_", " "),
                          "priorities": cswb.priority_labels(i.priorities), "unit": i.unit}
                         for i in cswb.INDICATORS.values()])


def cswb_overview(outputs: PublicOutputs, *, year: int | None = None) -> CswbOverview:
    """City-wide CSWB indicators for ``year`` (default: the latest complete one) with their
    change, and how many neighbourhoods are above or below the city on each."""
    years = outputs.indicator_years
    chosen = _pick_year(years, year, "CSWB indicator")
    rates = outputs.indicator_rates()
    columns = ["indicator", "label", "zone", "priorities", "unit", "count", "rate", "rate_lower",
               "rate_upper", "previous_count", "change", "percent_change", "z"]
    compared_columns = ["indicator", "label", "higher", "similar", "lower", "not_shown"]
    if chosen is None or rates.empty:
        return CswbOverview(chosen, years, rates, pd.DataFrame(columns=columns),
                            pd.DataFrame(columns=compared_columns))
    trend = cswb.indicator_trend(rates, neighbourhood_id=cswb.CITY)
    city = rates.loc[(rates["neighbourhood_id"] == cswb.CITY) & (rates["year"] == chosen)]
    city = city.merge(trend.loc[trend["year"] == chosen,
                                ["indicator", "previous_count", "change", "percent_change", "z"]],
                      on="indicator", how="left")
    catalogue = _catalogue()
    city = catalogue.merge(city, on="indicator", how="inner")[columns]
    areas = rates.loc[(rates["year"] == chosen)
                      & ~rates["neighbourhood_id"].isin([cswb.CITY, cswb.UNLOCATED])]
    compared = (areas.assign(compared=areas["compared_with_city"].fillna("not_shown"))
                .groupby(["indicator", "compared"]).size().unstack(fill_value=0)
                .reindex(columns=["higher", "similar", "lower", "not_shown"], fill_value=0)
                .reset_index())
    compared = catalogue[["indicator", "label"]].merge(compared, on="indicator", how="inner")
    return CswbOverview(chosen, years, rates, city.reset_index(drop=True),
                        compared[compared_columns])


def city_indicator_table_html(overview: CswbOverview, outputs: PublicOutputs) -> HtmlFragment:
    """The page table of city-wide indicators with their change from the year before."""
    frame = overview.city.reset_index(drop=True)
    frame = frame.assign(interval=list(zip(frame["rate_lower"], frame["rate_upper"],
                                           strict=True)))
    sources: list[list[tuple[PublicTable, Mapping[str, object]]]] = [
               [(outputs.indicators[row.indicator], {"year": overview.year}),
                (outputs.indicators[row.indicator], {"year": (overview.year or 0) - 1})]
               for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("label", "Indicator", "text", "label"), ("zone", "CSWB zone", "text", "label"),
                 ("priorities", "Plan priorities", "text", "label"),
                 ("count", "Count", "count", (0,)), ("rate", "Per 1,000 residents", "rate", (0,)),
                 ("interval", "95% interval", "interval", (0,)),
                 ("change", "Change from last year", "count", (0, 1)),
                 ("z", "Poisson z of the change", "ratio", (0, 1))],
        caption=f"City-wide indicators, {overview.year}",
        footnote="|z| above 3 marks a change larger than chance would give (Wheeler 2018).")


def _empty_profile() -> cswb.NeighbourhoodProfile:
    indicators = _catalogue().assign(
        **{c: np.nan for c in ("count", "rate", "rate_lower", "rate_upper", "city_count",
                               "city_rate", "ratio_to_city", "ratio_lower", "ratio_upper",
                               "previous_count", "change", "z")},
        compared_with_city=None)
    return cswb.NeighbourhoodProfile(
        neighbourhood_id="", name=None, division=None, year=0, population=None,
        indicators=indicators.iloc[0:0],
        trend=pd.DataFrame(columns=["indicator", "year", "count", "rate", "city_rate"]),
        zones=pd.DataFrame(columns=["zone", "indicators"]),
        priorities=pd.DataFrame(columns=["priority", "indicators"]))


def cswb_profile(outputs: PublicOutputs, *, neighbourhood_id: str | None = None,
                 year: int | None = None) -> cswb.NeighbourhoodProfile:
    """One neighbourhood's profile from the published counts (default: the first
    neighbourhood, the latest complete year). An empty profile (``neighbourhood_id == ""``)
    when the warehouse has no CSWB data at all; an unknown neighbourhood is an error naming
    the known ones."""
    years = outputs.indicator_years
    chosen = _pick_year(years, year, "CSWB indicator")
    rates = outputs.indicator_rates()
    if chosen is None or rates.empty:
        return _empty_profile()
    areas = sorted(set(rates["neighbourhood_id"]) - {cswb.CITY, cswb.UNLOCATED})
    if not areas:
        return _empty_profile()
    target = neighbourhood_id or areas[0]
    if target not in areas:
        raise OpenDataError(f"no neighbourhood {target!r} in the CSWB data; neighbourhoods: "
                            f"{', '.join(areas[:30])}{' …' if len(areas) > 30 else ''}")
    return cswb.neighbourhood_profile(rates, neighbourhood_id=target, year=chosen,
                                      neighbourhoods=outputs.neighbourhoods)


def profile_table_html(profile: cswb.NeighbourhoodProfile, outputs: PublicOutputs) -> HtmlFragment:
    """The page table of one neighbourhood's indicators against the city."""
    frame = profile.indicators.reset_index(drop=True)
    frame = frame.assign(
        zone=frame["zone"].astype(str).str.replace("_", " "),
        rate_interval=list(zip(frame["rate_lower"], frame["rate_upper"], strict=True)),
        ratio_interval=list(zip(frame["ratio_lower"], frame["ratio_upper"], strict=True)))
    sources: list[list[tuple[PublicTable, Mapping[str, object]]]] = [
               [(outputs.indicators[row.indicator],
                 {"year": profile.year, "neighbourhood_id": profile.neighbourhood_id}),
                (outputs.indicators[row.indicator], {"year": profile.year}),
                (outputs.indicators[row.indicator],
                 {"year": profile.year - 1, "neighbourhood_id": profile.neighbourhood_id})]
               for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("label", "Indicator", "text", "label"), ("zone", "CSWB zone", "text", "label"),
                 ("count", "Count", "count", (0,)), ("rate", "Per 1,000 residents", "rate", (0,)),
                 ("rate_interval", "95% interval", "interval", (0,)),
                 ("city_rate", "City per 1,000", "rate", (1,)),
                 ("ratio_to_city", "Ratio to the city", "ratio", (0, 1)),
                 ("ratio_interval", "95% interval of the ratio", "interval", (0, 1)),
                 ("compared_with_city", "Compared with the city", "text", (0, 1)),
                 ("change", "Change from last year", "count", (0, 2))],
        caption=f"{profile.name or profile.neighbourhood_id}: indicators in {profile.year}",
        footnote="Counts below the threshold are suppressed and nothing derived from them is "
                 "shown.")
