"""Neighbourhood profile: Community Safety and Well-Being indicators of one neighbourhood
against the city.

State (:class:`NeighbourhoodProfileState`, no widgets): ``neighbourhood``, ``year`` (a
complete calendar year), ``indicator`` (for the trend view) and ``view``. The indicator counts
of every neighbourhood and year are counted once in the warehouse engine
(:func:`~workbench.analysis.cswb.indicator_counts`); rates, intervals and the comparison with
the city (:func:`~workbench.analysis.cswb.indicator_rates`,
:func:`~workbench.analysis.cswb.neighbourhood_profile`) are then computed from that small
frame, so changing neighbourhood or year is immediate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd
import traitlets

from workbench.analysis import cswb
from workbench.errors import WorkbenchError
from workbench.settings import get_settings
from workbench.ui import _charts, _view
from workbench.ui._state import AppState, Kpi, latest_date
from workbench.warehouse import Warehouse

__all__ = ["VIEWS", "NeighbourhoodProfileApp", "NeighbourhoodProfileState"]

VIEWS: dict[str, str] = {"compared": "Compared with the city", "trend": "Trend of one indicator"}


class NeighbourhoodProfileState(AppState):
    """Filters, options and results of the neighbourhood profile (see the module docstring)."""

    neighbourhood = traitlets.Unicode().tag(input=True)
    year = traitlets.Int().tag(input=True)
    indicator = traitlets.Unicode("mental_health_calls").tag(input=True)
    view = traitlets.Enum(tuple(VIEWS), default_value="compared").tag(input=True)

    neighbourhood_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    year_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    indicator_options: traitlets.List[tuple[str, Any]] = traitlets.List()

    frame = traitlets.Instance(pd.DataFrame, allow_none=True)
    profile = traitlets.Any(None)

    def __init__(self, warehouse: Warehouse, *, as_of: dt.date | None = None,
                 **filters: Any) -> None:
        super().__init__(warehouse)
        self._incidents = warehouse.table("incidents")
        self._calls = warehouse.table("calls_for_service") \
            if warehouse.has_table("calls_for_service") else None
        self._population = warehouse.table("population")
        self._places = warehouse.table("neighbourhoods").select(
            "neighbourhood_id", "name", "division").to_pandas() \
            .sort_values("neighbourhood_id").reset_index(drop=True)
        self.as_of = as_of or latest_date(self._incidents, "occurred_at",
                                          not_after=get_settings().today)
        first = pd.Timestamp(self._incidents.occurred_at.min().execute()).date()
        self.years = cswb.complete_years(first, self.as_of)
        if not self.years:
            raise WorkbenchError(
                f"the incidents cover no complete calendar year (from {first} to {self.as_of}); "
                "the profile compares whole years")
        self.neighbourhood_options = [(f"{row.name} ({row.neighbourhood_id})", row.neighbourhood_id)
                                      for row in self._places.itertuples()]
        self.year_options = [(str(year), year) for year in reversed(self.years)]
        available = set(self.rates()["indicator"])
        self.indicator_options = [(indicator.label, name)
                                  for name, indicator in cswb.INDICATORS.items()
                                  if name in available]
        with self.hold_trait_notifications():
            self.neighbourhood = self._places["neighbourhood_id"].iloc[0]
            self.year = self.years[-1]
            for name, value in filters.items():
                setattr(self, name, value)

    @traitlets.validate("neighbourhood")
    def _valid_neighbourhood(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in set(self._places["neighbourhood_id"]):
            raise traitlets.TraitError(f"unknown neighbourhood {proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("year")
    def _valid_year(self, proposal: dict[str, Any]) -> int:
        if proposal["value"] not in self.years:
            raise traitlets.TraitError(f"no complete data for {proposal['value']}; years: "
                                       f"{', '.join(map(str, self.years))}")
        return proposal["value"]

    @traitlets.validate("indicator")
    def _valid_indicator(self, proposal: dict[str, Any]) -> str:
        if self.indicator_options and \
                proposal["value"] not in {value for _, value in self.indicator_options}:
            raise traitlets.TraitError(f"unknown indicator {proposal['value']!r}")
        return proposal["value"]

    # ------------------------------------------------------------------ queries
    def rates(self) -> pd.DataFrame:
        """Every indicator's rate per neighbourhood and year against the city (one engine
        query for all of them, then small-frame arithmetic)."""
        def compute() -> pd.DataFrame:
            counts = cswb.indicator_counts(incidents=self._incidents,
                                           calls_for_service=self._calls, years=self.years)
            return cswb.indicator_rates(counts, cswb.neighbourhood_populations(
                self._population, self.years))
        return self.memoised("rates", compute, ignoring=self.input_names())

    def current_profile(self) -> cswb.NeighbourhoodProfile:
        return self.memoised("profile", lambda: cswb.neighbourhood_profile(
            self.rates(), neighbourhood_id=self.neighbourhood, year=self.year,
            neighbourhoods=self._places), ignoring=("indicator", "view"))

    def indicator_trend(self) -> pd.DataFrame:
        """The chosen indicator's rate by year for the neighbourhood and the city."""
        trend = self.current_profile().trend
        return trend.loc[trend["indicator"] == self.indicator].reset_index(drop=True)

    def frame_for(self, view_name: str) -> pd.DataFrame:
        if view_name == "trend":
            return self.indicator_trend()
        return self.current_profile().indicators.assign(
            priorities=lambda frame: frame["priorities"].map(cswb.priority_labels))

    def place_label(self) -> str:
        row = self._places.loc[self._places["neighbourhood_id"] == self.neighbourhood].iloc[0]
        return f"{row['name']} ({row['neighbourhood_id']})"

    def chart(self) -> alt.TopLevelSpec:
        frame = self.frame if self.frame is not None else self.frame_for(self.view)
        if self.view == "trend":
            label = cswb.INDICATORS[self.indicator].label
            return _charts.rate_against_city_chart(
                frame, label=label, title=f"{label} per 1,000 residents — {self.place_label()}")
        return _charts.ratio_to_city_chart(
            frame, title=f"{self.place_label()} compared with the city, {self.year}")

    def download(self) -> tuple[pd.DataFrame, str]:
        frame = self.frame if self.frame is not None else self.frame_for(self.view)
        return frame, f"{self.neighbourhood}-{self.year}-{self.view}"

    # ------------------------------------------------------------------ results
    def _compute(self) -> None:
        profile = self.current_profile()
        self.profile = profile
        self.kpis = self._kpis(profile)
        self.frame = self.frame_for(self.view)

    def _kpis(self, profile: cswb.NeighbourhoodProfile) -> list[Kpi]:
        indicators = profile.indicators
        higher = indicators.loc[indicators["compared_with_city"] == "higher"]
        lower = indicators.loc[indicators["compared_with_city"] == "lower"]
        population = profile.population
        top = higher.sort_values("ratio_to_city", ascending=False).head(1)
        top_text = (f"{top['label'].iloc[0]}: {top['ratio_to_city'].iloc[0]:.1f}× the city"
                    if len(top) else "none above the city")
        return [
            Kpi("population", f"Residents, {profile.year}",
                "unknown" if population is None else f"{population:,}",
                f"division {profile.division}" if profile.division else "", population),
            Kpi("higher", "Indicators above the city", f"{len(higher)} of {len(indicators)}",
                top_text, len(higher), "up" if len(higher) else ""),
            Kpi("lower", "Indicators below the city", f"{len(lower)} of {len(indicators)}",
                "95% interval of the rate ratio excludes 1", len(lower),
                "down" if len(lower) else ""),
        ]


# ------------------------------------------------------------------------------------ view
_TABLE_COLUMNS = {"label": "Indicator", "zone": "Zone", "count": "Count",
                  "rate": "Per 1,000", "city_rate": "City per 1,000",
                  "ratio_to_city": "Ratio to city", "compared_with_city": "Compared with city",
                  "change": "Change on last year"}


def _number(digits: int) -> Any:
    return lambda value: "" if pd.isna(value) else f"{value:,.{digits}f}"


class NeighbourhoodProfileApp(_view.AppView):
    """The neighbourhood profile's view: ``NeighbourhoodProfileApp(warehouse_url=None)``."""

    title = "Neighbourhood profile"
    subtitle = ("Community Safety and Well-Being indicators from police data, per 1,000 "
                "residents, against the whole city (exact 95% intervals).")
    state_class = NeighbourhoodProfileState
    download_stem = "neighbourhood-profile"

    def _build(self) -> list[widgets.Widget]:
        self._neighbourhood = self._choice("neighbourhood", "Neighbourhood",
                                           "wb-filter-neighbourhood", "340px")
        self._year = self._choice("year", "Year", "wb-filter-year", "160px")
        self._indicator = self._choice("indicator", "Indicator", "wb-filter-indicator", "380px")
        self._views = self._view_switch(VIEWS)
        self._table = widgets.HTML("")
        self._table.add_class("wb-indicator-table")
        return [widgets.HBox([self._neighbourhood, self._year, self._indicator],
                             layout=widgets.Layout(flex_flow="row wrap")),
                self._kpis, self._views, self._chart, self._downloads, self._table]

    def _redraw_more(self) -> None:
        state = self.state
        assert isinstance(state, NeighbourhoodProfileState) and state.profile is not None
        self._table.value = _view.table_html(
            state.profile.indicators, columns=_TABLE_COLUMNS,
            formats={"rate": _number(2), "city_rate": _number(2), "ratio_to_city": _number(2),
                     "change": lambda value: "" if pd.isna(value) else f"{value:+,.0f}",
                     "zone": lambda value: str(value).replace("_", " ")})
