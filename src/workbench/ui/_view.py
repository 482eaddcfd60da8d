"""Shared view helpers: the widgets every app view is built from, and the base view.

Views are thin: they build ``ipywidgets`` controls, link them to a state object's traits
(``traitlets.link`` / ``dlink``) and redraw when the state's ``revision`` changes. Charts are
Altair ``JupyterChart`` widgets in offline mode (Vega comes from vl-convert's bundle inside
the kernel; no other host is ever contacted). Downloads are ``data:`` links, so a click saves
the file without another request to the server.

Every piece of HTML comes from a template under ``present/templates/ui/`` rendered by
:func:`workbench.present.html.render` (autoescape on): an ``ipywidgets.HTML`` value is set as
raw markup in the page, so a neighbourhood name, unit name or error message must never reach
it unescaped. Drop-down and toggle-button labels are set as text by ipywidgets itself.

Every view shows a message box instead of a traceback when its state reports a problem, and a
view whose state cannot be built at all (no warehouse, wrong audience) shows only that message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import altair as alt
import ipywidgets as widgets
import pandas as pd
import traitlets
from altair.jupyter.jupyter_chart import JupyterChart

from workbench.errors import WorkbenchError
from workbench.present.html import render
from workbench.ui._state import (
    AppState,
    Kpi,
    chart_to_png,
    data_uri,
    frame_to_csv,
    open_app_warehouse,
)

log = logging.getLogger("workbench.ui")

_offline_enabled = False


def enable_offline_charts() -> None:
    """Make every ``JupyterChart`` load Vega from vl-convert's bundle, not from a CDN."""
    global _offline_enabled
    if not _offline_enabled:
        JupyterChart.enable_offline()
        _offline_enabled = True


def chart_widget() -> JupyterChart:
    """An empty offline ``JupyterChart`` (SVG, no action menu: its links point at other
    hosts); set its ``chart`` to draw."""
    enable_offline_charts()
    options = {"actions": False, "renderer": "svg"}
    widget = JupyterChart(None, embed_options=options)  # type: ignore[arg-type]  # empty at first
    widget.add_class("wb-chart")
    return widget


def style_html() -> str:
    """The apps' shared style sheet (a ``<style>`` block)."""
    return str(render("ui/style.html.j2"))


def header_html(title: str, subtitle: str = "") -> str:
    """An app's title and the sentence under it."""
    return str(render("ui/header.html.j2", title=title, subtitle=subtitle))


def kpi_cards_html(kpis: Sequence[Kpi]) -> str:
    """The headline figures as cards; each card carries ``data-kpi="<key>"``."""
    return str(render("ui/kpi_cards.html.j2", kpis=kpis))


def message_html(message: str, *, kind: str = "error") -> str:
    """A message box ("" when there is no message)."""
    if not message:
        return ""
    return str(render("ui/message.html.j2", message=message, kind=kind))


def note_html(text: str) -> str:
    """A short note under an app's figures."""
    return str(render("ui/note.html.j2", text=text))


def heading_html(text: str) -> str:
    """A section heading inside an app."""
    return str(render("ui/heading.html.j2", text=text))


def safe_filename(name: str) -> str:
    """``name`` with every character but letters, digits, ``.``, ``_`` and ``-`` replaced by
    ``-`` (a filter value from the data can name a download without naming a folder)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "download"


def download_link_html(payload: bytes | str, *, filename: str, media_type: str,
                       label: str, css_class: str) -> str:
    """An anchor that downloads ``payload`` as ``filename`` (a ``data:`` URI)."""
    return str(render("ui/download_link.html.j2", css_class=css_class,
                      filename=safe_filename(filename), href=data_uri(payload, media_type),
                      label=label))


def _cell_text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def table_html(frame: pd.DataFrame, *, columns: dict[str, str],
               formats: dict[str, Callable[[Any], str]] | None = None,
               css_class: str = "wb-table", limit: int = 200) -> str:
    """A small frame as an HTML table: ``columns`` maps frame columns to headings."""
    formats = formats or {}
    rows = [[formats[column](value) if column in formats else _cell_text(value)
             for column, value in zip(columns, values, strict=True)]
            for values in frame.head(limit)[list(columns)].itertuples(index=False)]
    return str(render("ui/table.html.j2", headings=list(columns.values()), rows=rows,
                      total=len(frame), css_class=css_class))


def dropdown(description: str, css_class: str, width: str = "260px") -> widgets.Dropdown:
    """A labelled drop-down with a CSS class the browser tests can find."""
    control = widgets.Dropdown(description=description,
                               style={"description_width": "initial"},
                               layout=widgets.Layout(width=width))
    control.add_class(css_class)
    return control


def view_switch(views: dict[str, str]) -> widgets.ToggleButtons:
    """Buttons choosing which view (chart) an app shows: ``views`` maps name → label."""
    switch = widgets.ToggleButtons(options=[(label, name) for name, label in views.items()],
                                   style={"button_width": "auto"})
    switch.add_class("wb-view-switch")
    return switch


def link_choice(state: AppState, name: str, control: widgets.Widget,
                options_trait: str | None = None) -> None:
    """Options (state → control) first, then the value both ways."""
    if options_trait is not None:
        traitlets.dlink((state, options_trait), (control, "options"))
    traitlets.link((state, name), (control, "value"))


class AppView(widgets.VBox):
    """Base of every app view: a title, a message box and a busy line above the app's body;
    KPI cards, one chart and its downloads, redrawn after every computation.

    A subclass names its :attr:`state_class` (an :class:`AppState`; the view opens the
    warehouse read-only, builds the state with the view's options and closes the warehouse
    again if that fails), its :attr:`title`, :attr:`subtitle` and :attr:`download_stem`, and
    implements :meth:`_build` (the body's children, made with :meth:`_choice`,
    :meth:`_view_switch` and the ready-made ``_kpis``, ``_chart`` and ``_downloads``). It may
    extend :meth:`_redraw_more` for anything else it shows.
    """

    title: ClassVar[str] = "Workbench app"
    subtitle: ClassVar[str] = ""
    #: The state the view shows (built by :meth:`_make_state`).
    state_class: ClassVar[type[AppState]]
    #: Start of every download's file name (``<stem>-<what is shown>.csv``).
    download_stem: ClassVar[str] = "workbench"
    #: Options used when the notebook does not give them.
    default_options: ClassVar[dict[str, Any]] = {}

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.add_class("wb-app")
        self.state: AppState | None = None
        self._header = widgets.HTML(header_html(self.title, self.subtitle))
        self._message = widgets.HTML("")
        self._message.add_class("wb-message-box")
        self._busy = widgets.HTML("")
        self._busy.add_class("wb-busy")
        try:
            self.state = self._make_state(**{**self.default_options, **options})
            self._kpis = widgets.HTML("")
            self._kpis.add_class("wb-kpi-box")
            self._chart = chart_widget()
            self._downloads = Downloads(filename=self.download_stem)
            body = self._build()
        except WorkbenchError as error:
            self._show_only(message_html(str(error)))
            return
        except Exception as error:  # noqa: BLE001 - a message, never a traceback
            log.exception("app could not start")
            self._show_only(message_html(
                f"The app could not start ({type(error).__name__}: {error}). Tell the "
                "analytics team."))
            return
        self.state.observe(self._on_busy, names="busy")
        self.state.observe(self._on_revision, names="revision")
        self.children = [widgets.HTML(style_html()), self._header, self._message, self._busy,
                         *body]
        self.state.start()

    def _show_only(self, message: str) -> None:
        self._message.value = message
        self.children = [widgets.HTML(style_html()), self._header, self._message]

    def _make_state(self, *, warehouse_url: str | None = None, **options: Any) -> AppState:
        """The state for ``options``, on the warehouse at ``warehouse_url`` (read-only)."""
        self.state_class.check_options(**options)
        warehouse = open_app_warehouse(warehouse_url)
        try:
            return self.state_class(warehouse, **options)
        except BaseException:
            warehouse.close()
            raise

    def _build(self) -> list[widgets.Widget]:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ building blocks
    def _choice(self, name: str, description: str, css_class: str,
                width: str = "260px", options_trait: str | None = None) -> widgets.Dropdown:
        """A drop-down for the state's input ``name`` with the options of
        ``options_trait`` (default ``<name>_options``)."""
        assert self.state is not None
        control = dropdown(description, css_class, width)
        link_choice(self.state, name, control, options_trait or f"{name}_options")
        return control

    def _view_switch(self, views: dict[str, str]) -> widgets.ToggleButtons:
        """Buttons linked to the state's ``view``."""
        assert self.state is not None
        switch = view_switch(views)
        traitlets.link((self.state, "view"), (switch, "value"))
        return switch

    # ------------------------------------------------------------------ redrawing
    def _redraw(self) -> None:
        state = self.state
        assert state is not None
        if state.message:
            return
        self._kpis.value = kpi_cards_html(state.kpis)
        self._chart.chart = state.chart()
        frame, name = state.download()
        self._downloads.update(frame, state.chart, name=name)
        self._redraw_more()

    def _redraw_more(self) -> None:
        """Hook: redraw what else the app shows (default: nothing)."""

    def _on_busy(self, change: dict[str, Any]) -> None:
        self._busy.value = "Updating…" if change["new"] else ""

    def _on_revision(self, change: dict[str, Any]) -> None:
        assert self.state is not None
        self._message.value = message_html(self.state.message)
        try:
            self._redraw()
        except WorkbenchError as error:
            self._message.value = message_html(str(error))


class Downloads(widgets.HBox):
    """CSV and PNG downloads of what an app shows.

    The CSV link is rebuilt on every redraw (it is small); the PNG is rendered by vl-convert
    only when asked ("Prepare PNG"), then offered as a link until the next redraw.
    """

    def __init__(self, *, filename: str) -> None:
        super().__init__()
        self.add_class("wb-downloads")
        self._filename = filename
        self._csv = widgets.HTML("")
        self._png_button = widgets.Button(description="Prepare PNG", icon="image",
                                          tooltip="Render the chart as a PNG to download")
        self._png_button.add_class("wb-png-button")
        self._png = widgets.HTML("")
        self._chart: Callable[[], alt.TopLevelSpec] | None = None
        self._png_button.on_click(self._prepare_png)
        self.children = [self._csv, self._png_button, self._png]

    def update(self, frame: pd.DataFrame, chart: Callable[[], alt.TopLevelSpec], *,
               name: str) -> None:
        """Offer ``frame`` as CSV and ``chart()`` as PNG, both named after ``name``."""
        stem = safe_filename(f"{self._filename}-{name}")
        self._stem = stem
        self._csv.value = download_link_html(frame_to_csv(frame), filename=f"{stem}.csv",
                                             media_type="text/csv", label="Download CSV",
                                             css_class="wb-download-csv")
        self._chart = chart
        self._png.value = ""
        self._png_button.disabled = False

    def _prepare_png(self, _button: widgets.Button) -> None:
        if self._chart is None:
            return
        self._png_button.disabled = True
        try:
            png = chart_to_png(self._chart())
        except Exception as error:  # noqa: BLE001 - shown to the user, not raised
            self._png.value = message_html(f"The PNG could not be rendered: {error}")
        else:
            self._png.value = download_link_html(png, filename=f"{self._stem}.png",
                                                 media_type="image/png",
                                                 label="Download PNG",
                                                 css_class="wb-download-png")
        finally:
            self._png_button.disabled = False
