"""Crime explorer: incidents by period, offence category, division and neighbourhood.

State (:class:`CrimeExplorerState`, no widgets): the filters ``period`` (a CompStat period
ending on ``as_of``), ``offence_category``, ``division`` and ``neighbourhood`` (whose options
depend on the division), and ``view`` (which chart is shown). For the current filters it
computes, through :mod:`workbench.analysis` (queries in the warehouse engine, memoised per
filter combination):

- ``kpis``: incidents in the period, the same period a year earlier, the change and its
  significance: the Poisson z-score and :func:`~workbench.analysis.crime.compstat_grid`'s own
  verdict, ``significant`` (E-test p-value adjusted by Holm's method across every period the
  app offers, for the offence and area chosen) — the app adds no rule of its own;
- the data of the current view (``frame``): the monthly trend
  (:func:`~workbench.analysis.crime.incident_counts`), the CompStat table by offence category,
  the hour-of-week heatmap of the period
  (:func:`~workbench.analysis.hour_of_week.incidents_by_hour_of_week`), or the neighbourhood
  ranking (:func:`~workbench.analysis.hotspots.neighbourhood_hot_spots`).

View (:class:`CrimeExplorerApp`): drop-downs linked to the filters, KPI cards, one chart
with a view switch, CSV and PNG downloads of what is shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import ibis
import ipywidgets as widgets
import pandas as pd
import traitlets

from workbench.analysis import crime, hotspots
from workbench.analysis._common import months_back
from workbench.analysis.hour_of_week import incidents_by_hour_of_week
from workbench.charts import crime as crime_charts
from workbench.settings import get_settings
from workbench.ui import _charts, _view
from workbench.ui._state import (
    ALL,
    AppState,
    Kpi,
    latest_date,
    options_with_all,
)
from workbench.warehouse import Warehouse

__all__ = ["PERIOD_LABELS", "VIEWS", "CrimeExplorerApp", "CrimeExplorerState"]

#: The periods offered, in order (each against the same period a year earlier).
PERIOD_LABELS: dict[str, str] = dict(crime_charts.PERIOD_LABELS)
#: The views, in order: name → label.
VIEWS: dict[str, str] = {
    "trend": "Monthly trend",
    "compstat": "CompStat table",
    "hour_of_week": "Hour of the week",
    "neighbourhoods": "Neighbourhood ranking",
}
#: Months of history in the trend view.
TREND_MONTHS = 36


class CrimeExplorerState(AppState):
    """Filters, options and results of the crime explorer (see the module docstring)."""

    period = traitlets.Enum(tuple(PERIOD_LABELS), default_value="last_28_days").tag(input=True)
    offence_category = traitlets.Unicode(ALL).tag(input=True)
    division = traitlets.Unicode(ALL).tag(input=True)
    neighbourhood = traitlets.Unicode(ALL).tag(input=True)
    view = traitlets.Enum(tuple(VIEWS), default_value="trend").tag(input=True)

    period_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    category_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    division_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    neighbourhood_options: traitlets.List[tuple[str, Any]] = traitlets.List()

    frame = traitlets.Instance(pd.DataFrame, allow_none=True)

    def __init__(self, warehouse: Warehouse, *, as_of: dt.date | None = None,
                 **filters: Any) -> None:
        super().__init__(warehouse)
        self._incidents = warehouse.table("incidents")
        self._population = warehouse.table("population")
        neighbourhoods = warehouse.table("neighbourhoods")
        self._neighbourhoods = neighbourhoods
        self.as_of = as_of or latest_date(self._incidents, "occurred_at",
                                          not_after=get_settings().today)
        places = neighbourhoods.select("neighbourhood_id", "name", "division").to_pandas()
        self._places = places.sort_values("neighbourhood_id").reset_index(drop=True)
        categories = sorted(self._incidents.select("offence_category").distinct()
                            .to_pandas()["offence_category"].dropna())
        divisions = sorted(self._places["division"].dropna().unique())
        self.period_options = [(label, name) for name, label in PERIOD_LABELS.items()]
        self.category_options = options_with_all(
            categories, "All offences", {c: c.replace("_", " ").capitalize() for c in categories})
        self.division_options = options_with_all(divisions, "All divisions")
        self.neighbourhood_options = self._neighbourhoods_of(ALL)
        with self.hold_trait_notifications():
            for name, value in filters.items():
                setattr(self, name, value)

    # ------------------------------------------------------------------ filters
    def _neighbourhoods_of(self, division: str) -> list[tuple[str, str]]:
        places = self._places if division == ALL else \
            self._places.loc[self._places["division"] == division]
        labels = {row.neighbourhood_id: f"{row.name} ({row.neighbourhood_id})"
                  for row in places.itertuples()}
        return options_with_all(list(places["neighbourhood_id"]), "All neighbourhoods", labels)

    @traitlets.validate("offence_category")
    def _valid_category(self, proposal: dict[str, Any]) -> str:
        return self._valid_option(proposal["value"], self.category_options, "offence category")

    @traitlets.validate("division")
    def _valid_division(self, proposal: dict[str, Any]) -> str:
        return self._valid_option(proposal["value"], self.division_options, "division")

    @traitlets.validate("neighbourhood")
    def _valid_neighbourhood(self, proposal: dict[str, Any]) -> str:
        value = proposal["value"]
        if value != ALL and self.division != ALL:
            known = {v for _, v in self._neighbourhoods_of(self.division)}
            if value not in known:
                raise traitlets.TraitError(
                    f"neighbourhood {value!r} is not in division {self.division}")
        return self._valid_option(value, self._neighbourhoods_of(ALL), "neighbourhood")

    @staticmethod
    def _valid_option(value: str, options: list[tuple[str, str]], what: str) -> str:
        if options and value not in {v for _, v in options}:
            raise traitlets.TraitError(f"unknown {what} {value!r}")
        return value

    def _input_changed(self, change: dict[str, Any]) -> None:
        if change["name"] == "division":
            self.neighbourhood_options = self._neighbourhoods_of(change["new"])
            if self.neighbourhood not in {v for _, v in self.neighbourhood_options}:
                self.neighbourhood = ALL

    # ------------------------------------------------------------------ queries
    def _filtered(self, *, geography: bool = True, category: bool = True) -> ibis.Table:
        table = self._incidents
        if category and self.offence_category != ALL:
            table = table.filter(table.offence_category == self.offence_category)
        if geography and self.division != ALL:
            table = table.filter(table.division == self.division)
        if geography and self.neighbourhood != ALL:
            table = table.filter(table.neighbourhood_id == self.neighbourhood)
        return table

    @property
    def window(self) -> crime.ComparisonWindow:
        """The current period and the same period a year earlier."""
        return crime.compstat_windows(self.as_of, [self.period])[0]

    def change_by_period(self) -> pd.DataFrame:
        """The CompStat comparison of every period offered, for the offence and area chosen:
        one row per period, p-values adjusted across them (Holm), the KPI cards' source."""
        return self.memoised("change", lambda: crime.compstat_grid(
            self._filtered(), as_of=self.as_of, by=(), periods=tuple(PERIOD_LABELS)),
            ignoring=("period", "view"))

    def change_in_period(self) -> pd.DataFrame:
        """The one-row CompStat comparison of the chosen period behind the KPI cards."""
        grid = self.change_by_period()
        return grid.loc[grid["period"] == self.period].reset_index(drop=True)

    def trend(self) -> pd.DataFrame:
        """Incidents per month over :data:`TREND_MONTHS` months (the last one partial)."""
        start = months_back(self.as_of, TREND_MONTHS - 1)
        return self.memoised("trend", lambda: crime.incident_counts(
            self._filtered(), start=start, as_of=self.as_of, period="month", by=()),
            ignoring=("period", "view"))

    def compstat(self) -> pd.DataFrame:
        """The CompStat grid by offence category for the area (one category when chosen)."""
        grid = self.memoised("compstat", lambda: crime.compstat_grid(
            self._filtered(category=False), as_of=self.as_of, by=("offence_category",)),
            ignoring=("offence_category", "period", "view"))
        if self.offence_category != ALL:
            grid = grid.loc[grid["offence_category"] == self.offence_category]
        return grid.reset_index(drop=True)

    def hour_of_week(self) -> pd.DataFrame:
        """Incidents in the period by day of the week and hour (all 168 cells)."""
        def compute() -> pd.DataFrame:
            window = self.window
            return incidents_by_hour_of_week(self._filtered(), start=window.current_start,
                                             end=window.current_end)
        return self.memoised("hour_of_week", compute, ignoring=("view",))

    def neighbourhood_ranking(self) -> pd.DataFrame:
        """Neighbourhoods of the division (or city) ranked by rate in the period."""
        ranking = self.memoised("ranking", lambda: hotspots.neighbourhood_hot_spots(
            self._incidents, self._population, self._neighbourhoods, as_of=self.as_of,
            days=self.window.current_days,
            offence_categories=None if self.offence_category == ALL else [self.offence_category]),
            ignoring=("division", "neighbourhood", "view"))
        if self.division != ALL:
            ranking = ranking.loc[ranking["division"] == self.division]
        return ranking.sort_values(["rate_per_1000", "neighbourhood_id"],
                                   ascending=[False, True]).reset_index(drop=True)

    def frame_for(self, view: str) -> pd.DataFrame:
        """The data behind ``view`` for the current filters."""
        return {"trend": self.trend, "compstat": self.compstat,
                "hour_of_week": self.hour_of_week,
                "neighbourhoods": self.neighbourhood_ranking}[view]()

    def chart(self) -> alt.TopLevelSpec:
        """The chart of the current view (what the app shows and the PNG download holds)."""
        frame = self.frame if self.frame is not None else self.frame_for(self.view)
        scope = self.describe_filters()
        if self.view == "trend":
            return crime_charts.incident_trend_chart(
                frame, color=None, title=f"Incidents per month — {scope}")
        if self.view == "compstat":
            return crime_charts.compstat_table_chart(
                frame, title=f"CompStat — {scope}")
        if self.view == "hour_of_week":
            return _charts.incident_hour_of_week_heatmap(
                frame, title=f"Incidents by hour of the week, {PERIOD_LABELS[self.period].lower()}"
                             f" — {scope}")
        return _charts.neighbourhood_ranking_chart(
            frame, selected=self.neighbourhood,
            title=f"Neighbourhoods by rate per 1,000 residents, "
                  f"{PERIOD_LABELS[self.period].lower()}")

    def download(self) -> tuple[pd.DataFrame, str]:
        frame = self.frame if self.frame is not None else self.frame_for(self.view)
        return frame, self.view

    def describe_filters(self) -> str:
        """The filters in words, e.g. ``"Break and enter · D3 · all neighbourhoods"``."""
        labels = dict((v, label) for label, v in self.category_options)
        parts = [labels.get(self.offence_category, self.offence_category)]
        parts.append("all divisions" if self.division == ALL else f"division {self.division}")
        if self.neighbourhood != ALL:
            names = dict((v, label) for label, v in self._neighbourhoods_of(ALL))
            parts.append(names.get(self.neighbourhood, self.neighbourhood))
        return " · ".join(parts)

    # ------------------------------------------------------------------ results
    def _compute(self) -> None:
        self.kpis = self._kpis(self.change_in_period())
        self.frame = self.frame_for(self.view)

    def _kpis(self, change: pd.DataFrame) -> list[Kpi]:
        row = change.iloc[0]
        window = self.window
        current, past = int(row["current"]), int(row["past"])
        percent = row["percent_change"]
        percent_text = "n/a (small base)" if pd.isna(percent) else f"{percent:+.0f}%"
        z, p_value, adjusted = float(row["z"]), row["p_value"], row["p_value_adjusted"]
        up = current > past
        if pd.isna(p_value):
            verdict, tone = "no incidents in either period", ""
        elif row["significant"]:
            verdict, tone = ("significant increase" if up else "significant decrease",
                             "up" if up else "down")
        elif row["flagged"]:
            verdict, tone = "worth a look, not significant", ""
        else:
            verdict, tone = "no significant change", ""
        p_text = "n/a" if pd.isna(adjusted) else (f"{adjusted:.3f}" if adjusted >= 0.001
                                                  else "< 0.001")
        return [
            Kpi("incidents", f"Incidents, {PERIOD_LABELS[self.period].lower()}", f"{current:,}",
                f"{window.current_start:%d %b %Y} – {window.current_end:%d %b %Y}", current),
            Kpi("past", "Same period a year earlier", f"{past:,}",
                f"{window.past_start:%d %b %Y} – {window.past_end:%d %b %Y}", past),
            Kpi("change", "Change", f"{current - past:+,}", percent_text, current - past,
                "up" if current > past else ("down" if current < past else "")),
            Kpi("significance", "Poisson z-score", f"{z:+.2f}",
                f"adjusted p = {p_text}: {verdict}", z, tone),
        ]


# ------------------------------------------------------------------------------------ view
class CrimeExplorerApp(_view.AppView):
    """The crime explorer's view: ``CrimeExplorerApp(warehouse_url=None, as_of=None)``."""

    title = "Crime explorer"
    subtitle = ("Incidents by occurrence date, against the same period a year earlier "
                "(Poisson z-score; E-test p-value adjusted across the four periods, Holm).")
    state_class = CrimeExplorerState
    download_stem = "crime-explorer"

    def _build(self) -> list[widgets.Widget]:
        state = self.state
        assert isinstance(state, CrimeExplorerState)
        self._period = self._choice("period", "Period", "wb-filter-period", "240px")
        self._category = self._choice("offence_category", "Offence", "wb-filter-category",
                                      options_trait="category_options")
        self._division = self._choice("division", "Division", "wb-filter-division", "200px")
        self._neighbourhood = self._choice("neighbourhood", "Neighbourhood",
                                           "wb-filter-neighbourhood", "330px")
        self._views = self._view_switch(VIEWS)
        note = widgets.HTML(_view.note_html(
            f"Data up to {state.as_of:%d %B %Y}. Percent changes on fewer than 10 incidents a "
            "year earlier are not shown."))
        filters = widgets.HBox([self._period, self._category, self._division,
                                self._neighbourhood], layout=widgets.Layout(flex_flow="row wrap"))
        return [filters, self._kpis, self._views, self._chart, self._downloads, note]
