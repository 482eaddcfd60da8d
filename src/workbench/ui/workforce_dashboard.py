"""Workforce dashboard: absence, turnout, relief factor and staffing gap, by unit and period.

State (:class:`WorkforceDashboardState`, no widgets): ``unit`` (a unit id, or the whole
service), ``period`` (the window ending on ``as_of``) and ``view``. Results come from
:mod:`workbench.analysis.workforce` and :mod:`workbench.analysis.staffing` (queries in the
warehouse engine, memoised per filter combination):

- ``kpis``: unplanned absence rate and days lost per FTE, turnout and shifts below minimum
  staffing, and the relief factor of the unit (or of the whole service, computed over every
  member by :func:`~workbench.analysis.workforce.service_relief_factor`, not from the per-unit
  table, whose small units are hidden);
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

    unit = traitlets.Unicode(ALL).tag(input=True)
    period = traitlets.Enum(tuple(PERIOD_DAYS), default_value="last_12_months").tag(input=True)
    view = traitlets.Enum(tuple(VIEWS), default_value="absence").tag(input=True)

    unit_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    period_options: traitlets.List[tuple[str, Any]] = traitlets.List()

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
        return self.memoised("absence", lambda: workforce.protect_small_groups(
            workforce.absence_rates(self._scoped_shifts(), start=self.window_start, end=self.as_of,
                                    by=(), period="month"), dimensions=[]), ignoring=("view",))

    def absence_total(self) -> pd.DataFrame:
        return self.memoised("absence_total", lambda: workforce.protect_small_groups(
            workforce.absence_rates(self._scoped_shifts(), start=self.window_start, end=self.as_of,
                                    by=(), period=None), dimensions=[]), ignoring=("view",))

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
        return self.memoised("turnout", lambda: self._staffing_levels("month"),
                             ignoring=("view",))

    def turnout_total(self) -> pd.DataFrame:
        return self.memoised("turnout_total", lambda: self._staffing_levels(None),
                             ignoring=("view",))

    def relief(self) -> pd.DataFrame:
        """Relief factor of every unit (small units hidden)."""
        return self.memoised("relief", lambda: workforce.protect_small_groups(
            workforce.relief_factors(self._shifts, self._personnel, start=self.window_start,
                                     end=self.as_of, units=self._units), dimensions=[]),
            ignoring=("unit", "view"))

    def service_relief(self) -> pd.DataFrame:
        """The whole service's relief factor, over every member (hidden only if the service
        itself is smaller than the threshold)."""
        return self.memoised("service_relief", lambda: workforce.protect_small_groups(
            workforce.service_relief_factor(self._shifts, self._personnel,
                                            start=self.window_start, end=self.as_of),
            dimensions=[]), ignoring=("unit", "view"))

    def staffing_gap(self) -> pd.DataFrame:
        """Officers on duty minus officers needed per division and hour of the week."""
        gap = self.memoised("gap", self._gap_all_divisions, ignoring=("unit", "view"))
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

    def download(self) -> tuple[pd.DataFrame, str]:
        frame = self.frame if self.frame is not None else self.frame_for(self.view)
        return frame, self.view

    # ------------------------------------------------------------------ results
    def _compute(self) -> None:
        self.kpis = self._kpis()
        self.frame = self.frame_for(self.view)

    def _kpis(self) -> list[Kpi]:
        absence = self.absence_total()
        turnout = self.turnout_total()
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
        factor = self.relief_factor()
        kpis.append(Kpi("relief_factor", "Relief factor",
                        "n/a" if pd.isna(factor) else f"{factor:.2f}",
                        "members needed to fill one 8-hour post every day",
                        None if pd.isna(factor) else float(factor)))
        return kpis

    def relief_factor(self) -> float:
        """The relief factor of the unit (NaN when hidden), or of the whole service."""
        if self.unit == ALL:
            relief = self.service_relief()
        else:
            relief = self.relief()
            relief = relief.loc[relief["unit_id"] == self.unit]
        value = relief["relief_factor"].iloc[0] if len(relief) else np.nan
        return float("nan") if pd.isna(value) else float(value)


# ------------------------------------------------------------------------------------ view
class WorkforceDashboardApp(_view.AppView):
    """The workforce dashboard's view: ``WorkforceDashboardApp(warehouse_url=None)``."""

    title = "Workforce dashboard"
    subtitle = ("Absence, turnout against minimum staffing, relief factor and the patrol "
                "staffing gap. Groups of fewer members than the small-cell threshold are hidden.")
    state_class = WorkforceDashboardState
    download_stem = "workforce"

    def _build(self) -> list[widgets.Widget]:
        state = self.state
        assert isinstance(state, WorkforceDashboardState)
        self._unit = self._choice("unit", "Unit", "wb-filter-unit", "420px")
        self._period = self._choice("period", "Period", "wb-filter-period", "240px")
        self._views = self._view_switch(VIEWS)
        note = widgets.HTML(_view.note_html(
            f"Shifts up to {state.as_of:%d %B %Y}. Absence counts own illness, injury on duty "
            "and family leave."))
        return [widgets.HBox([self._unit, self._period]), self._kpis, self._views, self._chart,
                self._downloads, note]
