"""Chain of command (restricted): early-intervention indicators from the service down to one
officer.

State (:class:`ChainOfCommandState`, no widgets): ``window`` (the years looked at), the
drill-down ``division`` → ``unit`` → ``officer`` (each level's options depend on the one
above) and ``indicator`` (use of force, complaints, collisions, sick spells). Every officer's
indicators are computed once per window through
:mod:`workbench.analysis.early_intervention` — counts and exposures in the warehouse engine,
each officer against the rest of their peer group (same unit), funnel limits by exposure — and
the drill-down only slices that frame. Results:

- ``kpis``: officers assessed, officers above the 99.8 % limit in scope and how many of those
  chance alone would put there;
- ``points`` and ``curve``: the funnel plot of the chosen indicator in scope;
- ``breakdown``: the level below the current one (divisions, units, officers, or the chosen
  officer's four indicators);
- ``review``: the review list for supervisors (officer-indicators above the 99.8 % limit in
  scope, most unusual first).

Restricted: the state refuses any audience but ``restricted``. No race data is used: the
indicators come from use-of-force reports, complaints, collisions and shifts only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd
import traitlets

from workbench.analysis import early_intervention as ei
from workbench.privacy import Audience, PrivacyError
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

__all__ = ["WINDOWS", "ChainOfCommandApp", "ChainOfCommandState"]

#: The windows offered: name → (label, years ending on ``as_of``).
WINDOWS: dict[str, tuple[str, int]] = {
    "last_12_months": ("Last 12 months", 1),
    "last_3_years": ("Last 3 years", 3),
    "last_5_years": ("Last 5 years", 5),
}


class ChainOfCommandState(AppState):
    """Filters, options and results of the chain-of-command app (see the module docstring)."""

    window = traitlets.Enum(tuple(WINDOWS), default_value="last_3_years").tag(input=True)
    division = traitlets.Unicode(ALL).tag(input=True)
    unit = traitlets.Unicode(ALL).tag(input=True)
    officer = traitlets.Unicode(ALL).tag(input=True)
    indicator = traitlets.Enum(tuple(ei.INDICATORS), default_value="use_of_force").tag(input=True)

    window_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    division_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    unit_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    officer_options: traitlets.List[tuple[str, Any]] = traitlets.List()
    indicator_options: traitlets.List[tuple[str, Any]] = traitlets.List()

    level = traitlets.Unicode("service")
    points = traitlets.Instance(pd.DataFrame, allow_none=True)
    curve = traitlets.Instance(pd.DataFrame, allow_none=True)
    breakdown = traitlets.Instance(pd.DataFrame, allow_none=True)
    review = traitlets.Instance(pd.DataFrame, allow_none=True)

    def __init__(self, warehouse: Warehouse, *, audience: Audience | str,
                 as_of: dt.date | None = None, **filters: Any) -> None:
        self.check_options(audience=audience)
        super().__init__(warehouse)
        self.audience = Audience.parse(audience)
        self._tables = dict(zip(
            ("calls_for_service", "shifts", "personnel", "use_of_force", "complaints",
             "collisions"),
            warehouse.tables("calls_for_service", "shifts", "personnel", "use_of_force",
                             "complaints", "collisions"), strict=True))
        self.as_of = as_of or latest_date(self._tables["calls_for_service"], "received_at",
                                          not_after=get_settings().today)
        units = warehouse.table("units").select("unit_id", "unit_name", "division").to_pandas()
        self._units = units.sort_values("unit_id").reset_index(drop=True)
        self.window_options = [(label, name) for name, (label, _) in WINDOWS.items()]
        self.indicator_options = [(indicator.label, name)
                                  for name, indicator in ei.INDICATORS.items()]
        divisions = sorted(self._units["division"].dropna().unique())
        self.division_options = options_with_all(divisions, "Whole service")
        self.unit_options = self._units_of(ALL)
        self.officer_options = [("All officers", ALL)]
        with self.hold_trait_notifications():
            for name, value in filters.items():
                if name not in ("unit", "officer"):
                    setattr(self, name, value)
        for name in ("unit", "officer"):  # each level's options follow the level above
            if name in filters:
                setattr(self, name, filters[name])

    @classmethod
    def check_options(cls, **options: Any) -> None:
        """Refuse every audience but restricted (before a warehouse is opened)."""
        audience = Audience.parse(options.get("audience", Audience.PUBLIC))
        if audience < Audience.RESTRICTED:
            raise PrivacyError(
                "the chain-of-command app names individual officers: it is for the restricted "
                f"audience only, not {audience.label}")

    # ------------------------------------------------------------------ drill-down
    def _units_of(self, division: str) -> list[tuple[str, str]]:
        units = self._units if division == ALL else \
            self._units.loc[self._units["division"] == division]
        labels = {row.unit_id: f"{row.unit_id} — {row.unit_name}" for row in units.itertuples()}
        return options_with_all(list(units["unit_id"]), "All units", labels)

    def _officers_of(self, unit: str) -> list[tuple[str, str]]:
        if unit == ALL:
            return [("All officers", ALL)]
        frame = self.indicators()
        officers = frame.loc[frame["unit_id"] == unit, ["officer_id", "rank"]] \
            .drop_duplicates("officer_id").sort_values("officer_id")
        labels = {row.officer_id: f"{row.officer_id} · {str(row.rank).replace('_', ' ')}"
                  for row in officers.itertuples()}
        return options_with_all(list(officers["officer_id"]), "All officers", labels)

    @traitlets.validate("division")
    def _valid_division(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in {value for _, value in self.division_options}:
            raise traitlets.TraitError(f"unknown division {proposal['value']!r}")
        return proposal["value"]

    @traitlets.validate("unit")
    def _valid_unit(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in {value for _, value in self.unit_options}:
            raise traitlets.TraitError(f"unit {proposal['value']!r} is not in "
                                       f"{self.division or 'the service'}")
        return proposal["value"]

    @traitlets.validate("officer")
    def _valid_officer(self, proposal: dict[str, Any]) -> str:
        if proposal["value"] not in {value for _, value in self.officer_options}:
            raise traitlets.TraitError(f"officer {proposal['value']!r} is not in unit "
                                       f"{self.unit or '(none chosen)'}")
        return proposal["value"]

    def _input_changed(self, change: dict[str, Any]) -> None:
        """Each level's options follow the level above; a choice no longer offered is reset."""
        if change["name"] == "division":
            self.unit_options = self._units_of(change["new"])
            if self.unit not in {value for _, value in self.unit_options}:
                self.unit = ALL
        if change["name"] in ("unit", "window"):
            self.officer_options = self._officers_of(self.unit)
            if self.officer not in {value for _, value in self.officer_options}:
                self.officer = ALL

    # ------------------------------------------------------------------ queries
    @property
    def window_start(self) -> dt.date:
        years = WINDOWS[self.window][1]
        try:
            earlier = self.as_of.replace(year=self.as_of.year - years)
        except ValueError:  # 29 February
            earlier = self.as_of.replace(year=self.as_of.year - years, day=28)
        return earlier + dt.timedelta(days=1)

    def indicators(self) -> pd.DataFrame:
        """Every officer's indicators against peers for the window (computed once)."""
        def compute() -> pd.DataFrame:
            start, end = self.window_start, self.as_of
            tables = self._tables
            exposure = ei.officer_exposure(tables["calls_for_service"], tables["shifts"],
                                           start=start, end=end)
            counts = ei.officer_event_counts(
                start=start, end=end, audience=self.audience,
                use_of_force=tables["use_of_force"], complaints=tables["complaints"],
                collisions=tables["collisions"], shifts=tables["shifts"])
            return ei.officer_indicators(counts, exposure, tables["personnel"],
                                         audience=self.audience)
        return self.memoised("indicators", compute,
                             ignoring=("division", "unit", "officer", "indicator"))

    def scope(self) -> pd.DataFrame:
        """Indicator rows of the officers in the chosen division or unit (every indicator).
        With an officer chosen, the scope stays the officer's unit (their peers)."""
        frame = self.indicators()
        if self.unit != ALL:
            frame = frame.loc[frame["unit_id"] == self.unit]
        elif self.division != ALL:
            frame = frame.loc[frame["division"] == self.division]
        return frame.reset_index(drop=True)

    def current_level(self) -> str:
        if self.officer != ALL:
            return "officer"
        if self.unit != ALL:
            return "unit"
        return "division" if self.division != ALL else "service"

    def funnel_points(self) -> pd.DataFrame:
        scope = self.scope()
        return scope.loc[(scope["indicator"] == self.indicator)
                         & (scope["status"] != "no peers")].reset_index(drop=True)

    def funnel_limits_curve(self, points: pd.DataFrame) -> pd.DataFrame:
        expected = points["expected"].dropna()
        expected = expected.loc[expected > 0]
        if expected.empty:
            return pd.DataFrame(columns=["expected", "level", "lower_ratio", "upper_ratio"])
        overdispersion = float(points["overdispersion"].iloc[0])
        return ei.funnel_curve((float(expected.min()) * 0.8, float(expected.max()) * 1.25),
                               overdispersion=overdispersion)

    def breakdown_frame(self) -> pd.DataFrame:
        """The level below the current one (see the module docstring)."""
        level = self.current_level()
        if level == "officer":
            frame = self.indicators()
            return frame.loc[frame["officer_id"] == self.officer].reset_index(drop=True)
        if level == "unit":
            points = self.funnel_points()
            return points.sort_values(["p_above", "officer_id"]).reset_index(drop=True)
        by = "unit_id" if level == "division" else "division"
        summary = ei.indicator_summary(self.scope(), by=(by,))
        return summary.loc[summary["indicator"] == self.indicator].reset_index(drop=True)

    def review_frame(self) -> pd.DataFrame:
        """The supervisors' review list in scope (every indicator)."""
        return ei.review_list(self.scope())

    def chart(self) -> alt.TopLevelSpec:
        points = self.points if self.points is not None else self.funnel_points()
        curve = self.curve if self.curve is not None else self.funnel_limits_curve(points)
        indicator = ei.INDICATORS[self.indicator]
        return _charts.funnel_chart(
            points, curve, highlight=self.officer,
            title=f"{indicator.label}: observed ÷ expected, {self.scope_label()}",
            rate_label=f"Expected = peer rate {indicator.rate_label} × the officer's "
                       f"{indicator.exposure_label}; {WINDOWS[self.window][0].lower()}")

    def download(self) -> tuple[pd.DataFrame, str]:
        points = self.points if self.points is not None else self.funnel_points()
        return points, f"{self.indicator}-{self.scope_label()}"

    def scope_label(self) -> str:
        if self.unit != ALL:
            return f"unit {self.unit}"
        return f"division {self.division}" if self.division != ALL else "whole service"

    # ------------------------------------------------------------------ results
    def _compute(self) -> None:
        self.level = self.current_level()
        points = self.funnel_points()
        self.points = points
        self.curve = self.funnel_limits_curve(points)
        self.breakdown = self.breakdown_frame()
        self.review = self.review_frame()
        self.kpis = self._kpis(points, self.review)

    def _kpis(self, points: pd.DataFrame, review: pd.DataFrame) -> list[Kpi]:
        scope = self.scope()
        assessed = scope.loc[scope["status"] != "no peers"]
        expected_by_chance = float(assessed["null_flag_probability"].sum())
        indicator = ei.INDICATORS[self.indicator]
        kpis = [
            Kpi("officers", f"Officers assessed, {indicator.label.lower()}", f"{len(points):,}",
                f"{self.scope_label()}, {WINDOWS[self.window][0].lower()}", len(points)),
            Kpi("review", "On the review list (above 99.8% limit)", f"{len(review):,}",
                f"about {expected_by_chance:.1f} expected by chance across "
                f"{len(assessed):,} officer-indicators", len(review),
                "alert" if len(review) else ""),
        ]
        if self.officer != ALL:
            rows = self.indicators()
            row = rows.loc[(rows["officer_id"] == self.officer)
                           & (rows["indicator"] == self.indicator)]
            if len(row):
                item = row.iloc[0]
                kpis.append(Kpi(
                    "officer", f"{self.officer}: {indicator.label.lower()}",
                    f"{int(item['count'])} vs {item['expected']:.1f} expected",
                    f"{item['status']}; peers: {item['peer_group']}", float(item["count"]),
                    "alert" if item["above_alarm"] else ""))
            else:
                kpis.append(Kpi("officer", f"{self.officer}: {indicator.label.lower()}", "n/a",
                                f"no {indicator.exposure_label} in the window"))
        return kpis


# ------------------------------------------------------------------------------------ view
def _fixed(digits: int) -> Any:
    return lambda value: "" if pd.isna(value) else f"{value:,.{digits}f}"


def _probability(value: Any) -> str:
    return "" if pd.isna(value) else f"{value:.2g}"


_OFFICER_COLUMNS = {"officer_id": "Officer", "unit_id": "Unit", "label": "Indicator",
                    "count": "Count", "exposure": "Exposure", "expected": "Expected",
                    "ratio": "Observed ÷ expected", "p_above": "P(this high)",
                    "status": "Against the limits", "peer_group": "Peers"}
_SUMMARY_COLUMNS = {"officers": "Officers", "events": "Events",
                    "above_warning": "Above 95% limit", "above_alarm": "Above 99.8% limit",
                    "expected_by_chance": "Expected by chance above 99.8%"}
_FORMATS = {"exposure": _fixed(0), "expected": _fixed(2), "ratio": _fixed(2),
            "p_above": _probability, "expected_by_chance": _fixed(1)}


class ChainOfCommandApp(_view.AppView):
    """The chain-of-command view: ``ChainOfCommandApp(audience="restricted")``."""

    title = "Chain of command: early intervention (restricted)"
    subtitle = ("Use of force, complaints, collisions and sick spells per officer, normalised "
                "by exposure and compared with the rest of the officer's unit. For supervisors: "
                "a flag is a prompt for a conversation, not a finding. No race data is used.")

    state_class = ChainOfCommandState
    download_stem = "chain-of-command"
    default_options = {"audience": "restricted"}

    def _build(self) -> list[widgets.Widget]:
        self._window = self._choice("window", "Window", "wb-filter-window", "220px")
        self._division = self._choice("division", "Division", "wb-filter-division", "210px")
        self._unit = self._choice("unit", "Unit", "wb-filter-unit", "380px")
        self._officer = self._choice("officer", "Officer", "wb-filter-officer", "260px")
        self._indicator = self._choice("indicator", "Indicator", "wb-filter-indicator", "320px")
        self._review_link = widgets.HTML("")
        self._breakdown = widgets.HTML("")
        self._breakdown.add_class("wb-breakdown")
        self._review = widgets.HTML("")
        self._review.add_class("wb-review-list")
        filters = widgets.HBox([self._window, self._division, self._unit, self._officer,
                                self._indicator], layout=widgets.Layout(flex_flow="row wrap"))
        links = widgets.HBox([self._downloads, self._review_link])
        links.add_class("wb-downloads")
        return [filters, self._kpis, self._chart, links,
                widgets.HTML(_view.heading_html("Breakdown")), self._breakdown,
                widgets.HTML(_view.heading_html("Review list: above the 99.8% limit")),
                self._review]

    def _redraw_more(self) -> None:
        state = self.state
        assert isinstance(state, ChainOfCommandState)
        if state.review is None or state.breakdown is None:
            return
        self._review_link.value = _view.download_link_html(
            state.review.to_csv(index=False), filename="review-list.csv",
            media_type="text/csv", label="Download review list (CSV)",
            css_class="wb-download-review")
        if state.level in ("service", "division"):
            key = "division" if state.level == "service" else "unit_id"
            columns = {key: key.replace("_id", "").capitalize(), **_SUMMARY_COLUMNS}
        else:
            columns = _OFFICER_COLUMNS
        self._breakdown.value = _view.table_html(state.breakdown, columns=columns,
                                                formats=_FORMATS)
        self._review.value = _view.table_html(state.review, columns=_OFFICER_COLUMNS,
                                             formats=_FORMATS)
