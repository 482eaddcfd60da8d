"""Workforce dashboard: absence, turnout, relief factor and staffing gap, by unit and period.

State (:class:`WorkforceDashboardState`, no widgets): ``unit`` (a unit id, or the whole
service), ``period`` (the window ending on ``as_of``) and ``view``. Results come from
:mod:`workbench.analysis.workforce` and :mod:`workbench.analysis.staffing` (queries in the
warehouse engine, memoised per filter combination):

- ``kpis``: unplanned absence rate and days lost per FTE, turnout and shifts below minimum
  staffing, and the relief factor of the unit (or the service);
- ``frame``, the data of the current view: monthly absence rates, monthly turnout, relief
  factors of every unit, or the deployment gap per hour of the week (officers on duty minus
  officers needed by Erlang C) of the unit's division (or every division).

Internal audience: every figure describes at least *k* members (the small-cell threshold,
:func:`~workbench.analysis.workforce.protect_small_groups`); smaller groups are blank.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd
import traitlets

from workbench.analysis import staffing, workforce
from workbench.charts import workforce as workforce_charts
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

__all__ = ["PERIOD_DAYS", "VIEWS", "WorkforceDashboardApp", "WorkforceDashboardState"]

#: The windows offered: name → (label, days ending on ``as_of``).
PERIOD_DAYS: dict[str, tuple[str, int]] = {
    "last_28_days": ("Last 28 days", 28),
    "last_3_months": ("Last 3 months", 91),
    "last_12_months": ("Last 12 months", 365),
}
VIEWS: dict[str, str] = {
    "absence": "Absence",
    "turnout": "Turnout",
    "relief": "Relief factor",
    "staffing_gap": "Staffing gap",
}


class WorkforceDashboardState(AppState):
    """Filters, options and results of the workforce dashboard (see the module docstring)."""

    unit = traitlets.Unicode(ALL)
    period = traitlets.Enum(tuple(PERIOD_DAYS), default_value="last_12_months")
    view = traitlets.Enum(tuple(VIEWS), default_value="absence")

    unit_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    period_options: traitlets.List[tuple[str, Any]] = traitlets.List()

    kpis: traitlets.List[Kpi] = traitlets.List()
    frame = traitlets.Instance(pd.DataFrame, allow_none=True)

    def __init__(self, warehouse: Warehouse, *, as_of: dt.date | None = None,
                 **filters: Any) -> None:
        super().__init__(warehouse)
        self._shifts, self._units, self._personnel, self._calls = warehouse.tables(
            "shifts", "units", "personnel", "calls_for_service")
        self.as_of = as_of or latest_date(self._shifts, "shift_date",
                                          not_after=get_settings().today)
        units = self._units.select("unit_id", "unit_name", "division", "unit_type",
                                   "minimum_staffing").to_pandas()
        self._unit_table = units.sort_values("unit_id").reset_index(drop=True)
        labels = {row.unit_id: f"{row.unit_id} — {row.unit_name}"
                  for row in self._unit_table.itertuples()}
        self.unit_options = options_with_all(list(self._unit_table["unit_id"]),
                                             "Whole service", labels)
        self.period_options = [(label, name) for name, (label, _) in PERIOD_DAYS.items()]
        with self.hold_trait_notifications():
            for name, value in filters.items():
                setattr(self, name, value)

    @traitlets.validate("unit")
    def _valid_unit(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in {value for _, value in self.unit_options}:
            raise traitlets.TraitError(f"unknown unit {proposal['value']!r}")
        return proposal["value"]

    @traitlets.observe("unit", "period", "view")
    def _on_filter(self, change: dict[str, Any]) -> None:
        self._filters_changed(change)

    # ------------------------------------------------------------------ queries
    @property
    def window_start(self) -> dt.date:
        """First day of the window (``as_of`` is the last)."""
        return self.as_of - dt.timedelta(days=PERIOD_DAYS[self.period][1] - 1)

    def _unit_row(self) -> pd.Series | None:
        if self.unit == ALL:
            return None
        return self._unit_table.loc[self._unit_table["unit_id"] == self.unit].iloc[0]

    def _scoped_shifts(self) -> Any:
        return workforce.for_unit(self._shifts, None if self.unit == ALL else self.unit)

    def absence(self) -> pd.DataFrame:
        """Unplanned absence rate per month (small groups hidden)."""
        key = ("absence", self.unit, self.period)
        return self.memoised(key, lambda: workforce.protect_small_groups(
            workforce.absence_rates(self._scoped_shifts(), start=self.window_start, end=self.as_of,
                                    by=(), period="month"), dimensions=[]))

    def absence_total(self) -> pd.DataFrame:
        key = ("absence_total", self.unit, self.period)
        return self.memoised(key, lambda: workforce.protect_small_groups(
            workforce.absence_rates(self._scoped_shifts(), start=self.window_start, end=self.as_of,
                                    by=(), period=None), dimensions=[]))

    def has_minimum_staffing(self) -> bool:
        """Whether the scope has units with a minimum staffing (turnout is measured on them)."""
        row = self._unit_row()
        if row is None:
            return bool(self._unit_table["minimum_staffing"].notna().any())
        return bool(pd.notna(row["minimum_staffing"]))

    def _staffing_levels(self, period: str | None) -> pd.DataFrame:
        if not self.has_minimum_staffing():
            return pd.DataFrame(columns=[*(["period_start"] if period else []), "people",
                                         "shifts", "shifts_below_minimum", "below_minimum_share",
                                         "availability"])
        return workforce.protect_small_groups(
            workforce.staffing_levels(self._scoped_shifts(), self._units,
                                      start=self.window_start, end=self.as_of, by=(),
                                      period=period),  # type: ignore[arg-type]
            dimensions=[])

    def turnout(self) -> pd.DataFrame:
        """Turnout and shifts below minimum staffing per month (units with a minimum)."""
        key = ("turnout", self.unit, self.period)
        return self.memoised(key, lambda: self._staffing_levels("month"))

    def turnout_total(self) -> pd.DataFrame:
        key = ("turnout_total", self.unit, self.period)
        return self.memoised(key, lambda: self._staffing_levels(None))

    def relief(self) -> pd.DataFrame:
        """Relief factor of every unit (small units hidden)."""
        key = ("relief", self.period)
        return self.memoised(key, lambda: workforce.protect_small_groups(
            workforce.relief_factors(self._shifts, self._personnel, start=self.window_start,
                                     end=self.as_of, units=self._units), dimensions=[]))

    def staffing_gap(self) -> pd.DataFrame:
        """Officers on duty minus officers needed per division and hour of the week."""
        key = ("gap", self.period)
        gap = self.memoised(key, self._gap_all_divisions)
        row = self._unit_row()
        if row is not None and isinstance(row["division"], str):
            gap = gap.loc[gap["division"] == row["division"]]
        return gap.reset_index(drop=True)

    def _gap_all_divisions(self) -> pd.DataFrame:
        load = staffing.hour_of_week_workload(self._calls, start=self.window_start, as_of=self.as_of,
                                              by=("division",))
        on_duty = staffing.officers_on_duty_by_hour_of_week(
            self._shifts, self._units, start=self.window_start, as_of=self.as_of, by=("division",))
        gap = staffing.deployment_gap(load, on_duty, by=("division",))
        return gap.loc[gap["division"].notna()].reset_index(drop=True)

    def frame_for(self, view_name: str) -> pd.DataFrame:
        return {"absence": self.absence, "turnout": self.turnout, "relief": self.relief,
                "staffing_gap": self.staffing_gap}[view_name]()

    def scope_label(self) -> str:
        row = self._unit_row()
        return "whole service" if row is None else f"{row['unit_id']} ({row['unit_name']})"

    def chart(self) -> alt.TopLevelSpec:
        frame = self.frame if self.frame is not None else self.frame_for(self.view)
        label = PERIOD_DAYS[self.period][0].lower()
        if self.view == "absence":
            return workforce_charts.absence_rate_trend_chart(
                frame, title=f"Unplanned absence rate by month — {self.scope_label()}")
        if self.view == "turnout":
            return _charts.turnout_trend_chart(
                frame, title=f"Turnout and shifts below minimum — {self.scope_label()}")
        if self.view == "relief":
            return workforce_charts.relief_factor_chart(
                frame, title=f"Relief factor by unit, {label}")
        if self.unit != ALL and frame["division"].nunique() == 1:
            return workforce_charts.officers_needed_chart(
                frame, title=f"Officers needed and on duty — division "
                             f"{frame['division'].iloc[0]}, {label}")
        return workforce_charts.deployment_gap_heatmap(
            frame, title=f"Officers on duty minus officers needed, {label}")

    # ------------------------------------------------------------------ results
    def _compute(self) -> None:
        self.kpis = self._kpis()
        self.frame = self.frame_for(self.view)

    def _kpis(self) -> list[Kpi]:
        absence = self.absence_total()
        turnout = self.turnout_total()
        relief = self.relief()
        kpis = []
        rate = absence["absence_rate"].iloc[0] if len(absence) else np.nan
        days = absence["days_lost_per_fte"].iloc[0] if len(absence) else np.nan
        kpis.append(Kpi("absence_rate", "Unplanned absence rate",
                        "hidden" if pd.isna(rate) else f"{rate:.1%}",
                        "" if pd.isna(days) else f"{days:.1f} days lost per FTE a year",
                        None if pd.isna(rate) else float(rate)))
        if len(turnout) and pd.notna(turnout["availability"].iloc[0]):
            availability = float(turnout["availability"].iloc[0])
            below = int(turnout["shifts_below_minimum"].iloc[0])
            shifts = int(turnout["shifts"].iloc[0])
            kpis.append(Kpi("turnout", "Turnout (patrol shifts)", f"{availability:.1%}",
                            f"{below:,} of {shifts:,} shifts below minimum after backfill",
                            availability, "alert" if below else ""))
        else:
            kpis.append(Kpi("turnout", "Turnout (patrol shifts)", "n/a",
                            "this unit has no minimum staffing"))
        factor = self._relief_factor(relief)
        kpis.append(Kpi("relief_factor", "Relief factor",
                        "n/a" if pd.isna(factor) else f"{factor:.2f}",
                        "members needed to fill one 8-hour post every day",
                        None if pd.isna(factor) else float(factor)))
        return kpis

    def _relief_factor(self, relief: pd.DataFrame) -> float:
        if self.unit != ALL:
            row = relief.loc[relief["unit_id"] == self.unit, "relief_factor"]
            return float(row.iloc[0]) if len(row) and pd.notna(row.iloc[0]) else float("nan")
        usable = relief.dropna(subset=["fte", "net_available_hours_per_fte"])
        usable = usable.loc[usable["net_available_hours_per_fte"] > 0]
        if usable.empty:
            return float("nan")
        net = float(np.average(usable["net_available_hours_per_fte"], weights=usable["fte"]))
        return workforce.DEFAULT_POST_HOURS_PER_YEAR / net


# ------------------------------------------------------------------------------------ view
class WorkforceDashboardApp(_view.AppView):
    """The workforce dashboard's view: ``WorkforceDashboardApp(warehouse_url=None)``."""

    title = "Workforce dashboard"
    subtitle = ("Absence, turnout against minimum staffing, relief factor and the patrol "
                "staffing gap. Groups of fewer members than the small-cell threshold are hidden.")

    def _make_state(self, *, warehouse_url: str | None = None, as_of: dt.date | None = None,
                    **filters: Any) -> WorkforceDashboardState:
        warehouse = open_app_warehouse(warehouse_url)
        try:
            return WorkforceDashboardState(warehouse, as_of=as_of, **filters)
        except WorkbenchError:
            warehouse.close()
            raise

    def _build(self) -> list[widgets.Widget]:
        state = self.state
        assert isinstance(state, WorkforceDashboardState)
        self._unit = _view.dropdown("Unit", "wb-filter-unit", "420px")
        self._period = _view.dropdown("Period", "wb-filter-period", "240px")
        _view.link_choice(state, "unit", self._unit, "unit_options")
        _view.link_choice(state, "period", self._period, "period_options")
        self._views = _view.view_switch(VIEWS)
        traitlets.link((state, "view"), (self._views, "value"))
        self._kpis = widgets.HTML("")
        self._kpis.add_class("wb-kpi-box")
        self._chart = _view.chart_widget()
        self._downloads = _view.Downloads(filename="workforce")
        note = widgets.HTML(f'<p class="wb-note">Shifts up to {state.as_of:%d %B %Y}. Absence '
                            "counts own illness, injury on duty and family leave.</p>")
        return [widgets.HBox([self._unit, self._period]), self._kpis, self._views, self._chart,
                self._downloads, note]

    def _redraw(self) -> None:
        state = self.state
        assert isinstance(state, WorkforceDashboardState)
        if state.message or state.frame is None:
            return
        self._kpis.value = _view.kpi_cards_html(state.kpis)
        self._chart.chart = state.chart()
        self._downloads.update(state.frame, state.chart, name=state.view)
