"""Crime explorer: incidents by period, offence category, division and neighbourhood.

State (:class:`CrimeExplorerState`, no widgets): the filters ``period`` (a CompStat period
ending on ``as_of``), ``offence_category``, ``division`` and ``neighbourhood`` (whose options
depend on the division), and ``view`` (which chart is shown). For the current filters it
computes, through :mod:`workbench.analysis` (queries in the warehouse engine, memoised per
filter combination):

- ``kpis``: incidents in the period, the same period a year earlier, the change and its
  significance (Poisson z-score and E-test, :func:`~workbench.analysis.crime.compstat_grid`);
- the data of the current view (``frame``): the monthly trend
  (:func:`~workbench.analysis.crime.incident_counts`), the CompStat table by offence category,
  the hour-of-week heatmap of the period, or the neighbourhood ranking
  (:func:`~workbench.analysis.hotspots.neighbourhood_hot_spots`).

View (:class:`CrimeExplorerApp`): drop-downs linked to the filters, KPI cards, one chart
with a view switch, CSV and PNG downloads of what is shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import altair as alt
import ibis
import ipywidgets as widgets
import pandas as pd
import traitlets

from workbench.analysis import crime, hotspots
from workbench.analysis._common import months_back, within_dates
from workbench.charts import crime as crime_charts
from workbench.errors import WorkbenchError
from workbench.settings import get_settings
from workbench.ui import _charts, _view
from workbench.ui._state import (
    ALL,
    AppState,
    Kpi,
    latest_date,
    open_app_warehouse,
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

    period = traitlets.Enum(tuple(PERIOD_LABELS), default_value="last_28_days")
    offence_category = traitlets.Unicode(ALL)
    division = traitlets.Unicode(ALL)
    neighbourhood = traitlets.Unicode(ALL)
    view = traitlets.Enum(tuple(VIEWS), default_value="trend")

    period_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    category_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    division_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    neighbourhood_options: traitlets.List[tuple[str, Any]] = traitlets.List()

    kpis: traitlets.List[Kpi] = traitlets.List()
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

    @traitlets.observe("division")
    def _on_division(self, change: dict[str, Any]) -> None:
        with self.batch():
            self.neighbourhood_options = self._neighbourhoods_of(change["new"])
            if self.neighbourhood not in {v for _, v in self.neighbourhood_options}:
                self.neighbourhood = ALL
            self._filters_changed(change)

    @traitlets.observe("period", "offence_category", "neighbourhood", "view")
    def _on_filter(self, change: dict[str, Any]) -> None:
        self._filters_changed(change)

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

    def filter_key(self) -> tuple[str, str, str, str]:
        return (self.period, self.offence_category, self.division, self.neighbourhood)

    def change_in_period(self) -> pd.DataFrame:
        """The one-row CompStat comparison behind the KPI cards."""
        key = ("change", *self.filter_key())
        return self.memoised(key, lambda: crime.compstat_grid(
            self._filtered(), as_of=self.as_of, by=(), periods=[self.period]))

    def trend(self) -> pd.DataFrame:
        """Incidents per month over :data:`TREND_MONTHS` months (the last one partial)."""
        key = ("trend", self.offence_category, self.division, self.neighbourhood)
        start = months_back(self.as_of, TREND_MONTHS - 1)
        return self.memoised(key, lambda: crime.incident_counts(
            self._filtered(), start=start, as_of=self.as_of, period="month", by=()))

    def compstat(self) -> pd.DataFrame:
        """The CompStat grid by offence category for the area (one category when chosen)."""
        key = ("compstat", self.division, self.neighbourhood)
        grid = self.memoised(key, lambda: crime.compstat_grid(
            self._filtered(category=False), as_of=self.as_of, by=("offence_category",)))
        if self.offence_category != ALL:
            grid = grid.loc[grid["offence_category"] == self.offence_category]
        return grid.reset_index(drop=True)

    def hour_of_week(self) -> pd.DataFrame:
        """Incidents in the period by day of the week and hour (all 168 cells)."""
        window = self.window
        key = ("hour_of_week", *self.filter_key())
        return self.memoised(key, lambda: incidents_by_hour_of_week(
            self._filtered(), start=window.current_start, end=window.current_end))

    def neighbourhood_ranking(self) -> pd.DataFrame:
        """Neighbourhoods of the division (or city) ranked by rate in the period."""
        window = self.window
        key = ("ranking", self.period, self.offence_category)
        ranking = self.memoised(key, lambda: hotspots.neighbourhood_hot_spots(
            self._incidents, self._population, self._neighbourhoods, as_of=self.as_of,
            days=window.current_days,
            offence_categories=None if self.offence_category == ALL else [self.offence_category]))
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
        z, p_value = float(row["z"]), row["p_value"]
        if pd.isna(p_value):
            verdict, tone = "no incidents in either period", ""
        elif p_value < 0.05 and abs(z) > 3:
            verdict, tone = ("significant increase" if current > past
                             else "significant decrease"), ("up" if current > past else "down")
        elif p_value < 0.05:
            verdict, tone = "significant (E-test), small z", "up" if current > past else "down"
        else:
            verdict, tone = "no significant change", ""
        p_text = "n/a" if pd.isna(p_value) else (f"{p_value:.3f}" if p_value >= 0.001
                                                 else "< 0.001")
        return [
            Kpi("incidents", f"Incidents, {PERIOD_LABELS[self.period].lower()}", f"{current:,}",
                f"{window.current_start:%d %b %Y} – {window.current_end:%d %b %Y}", current),
            Kpi("past", "Same period a year earlier", f"{past:,}",
                f"{window.past_start:%d %b %Y} – {window.past_end:%d %b %Y}", past),
            Kpi("change", "Change", f"{current - past:+,}", percent_text, current - past,
                "up" if current > past else ("down" if current < past else "")),
            Kpi("significance", "Poisson z-score", f"{z:+.2f}",
                f"E-test p = {p_text}: {verdict}", z, tone),
        ]


def incidents_by_hour_of_week(incidents: ibis.Table, *, start: dt.date,
                              end: dt.date) -> pd.DataFrame:
    """Incidents from ``start`` to ``end`` per day of the week and hour, counted in the engine.

    Returns:
        ``day_of_week`` (0 = Monday), ``day_name, hour, hour_of_week, incidents``: all 168
        cells, 0 where there were none.
    """
    window = incidents.filter(within_dates(incidents.occurred_at, start, end))
    marked = window.mutate(day_of_week=window.occurred_at.day_of_week.index().cast("int64"),
                           hour=window.occurred_at.hour().cast("int64"))
    counts = marked.group_by(["day_of_week", "hour"]).aggregate(
        incidents=marked.count()).to_pandas()
    cells = pd.DataFrame([(day, hour) for day in range(7) for hour in range(24)],
                         columns=["day_of_week", "hour"])
    frame = cells.merge(counts, on=["day_of_week", "hour"], how="left")
    frame["incidents"] = frame["incidents"].fillna(0).astype("int64")
    frame["day_name"] = frame["day_of_week"].map(lambda day: calendar.day_name[day])
    frame["hour_of_week"] = frame["day_of_week"] * 24 + frame["hour"]
    return frame[["day_of_week", "day_name", "hour", "hour_of_week", "incidents"]]


# ------------------------------------------------------------------------------------ view
class CrimeExplorerApp(_view.AppView):
    """The crime explorer's view: ``CrimeExplorerApp(warehouse_url=None, as_of=None)``."""

    title = "Crime explorer"
    subtitle = ("Incidents by occurrence date, against the same period a year earlier "
                "(Poisson z-score and E-test).")

    def _make_state(self, *, warehouse_url: str | None = None, as_of: dt.date | None = None,
                    **filters: Any) -> CrimeExplorerState:
        warehouse = open_app_warehouse(warehouse_url)
        try:
            return CrimeExplorerState(warehouse, as_of=as_of, **filters)
        except WorkbenchError:
            warehouse.close()
            raise

    def _build(self) -> list[widgets.Widget]:
        state = self.state
        assert isinstance(state, CrimeExplorerState)
        self._period = _view.dropdown("Period", "wb-filter-period", "240px")
        self._category = _view.dropdown("Offence", "wb-filter-category")
        self._division = _view.dropdown("Division", "wb-filter-division", "200px")
        self._neighbourhood = _view.dropdown("Neighbourhood", "wb-filter-neighbourhood", "330px")
        _view.link_choice(state, "period", self._period, "period_options")
        _view.link_choice(state, "offence_category", self._category, "category_options")
        _view.link_choice(state, "division", self._division, "division_options")
        _view.link_choice(state, "neighbourhood", self._neighbourhood, "neighbourhood_options")
        self._views = _view.view_switch(VIEWS)
        traitlets.link((state, "view"), (self._views, "value"))
        self._kpis = widgets.HTML("")
        self._kpis.add_class("wb-kpi-box")
        self._chart = _view.chart_widget()
        self._downloads = _view.Downloads(filename="crime-explorer")
        note = widgets.HTML(f'<p class="wb-note">Data up to {state.as_of:%d %B %Y}. Percent '
                            "changes on fewer than 10 incidents a year earlier are not shown.</p>")
        filters = widgets.HBox([self._period, self._category, self._division,
                                self._neighbourhood], layout=widgets.Layout(flex_flow="row wrap"))
        return [filters, self._kpis, self._views, self._chart, self._downloads, note]

    def _redraw(self) -> None:
        state = self.state
        assert isinstance(state, CrimeExplorerState)
        if state.message or state.frame is None:
            return
        self._kpis.value = _view.kpi_cards_html(state.kpis)
        self._chart.chart = state.chart()
        self._downloads.update(state.frame, state.chart, name=state.view)
