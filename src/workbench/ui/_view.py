"""Shared view helpers: the widgets every app view is built from.

Views are thin: they build ``ipywidgets`` controls, link them to a state object's traits
(``traitlets.link`` / ``dlink``) and redraw when the state's ``revision`` changes. Charts are
Altair ``JupyterChart`` widgets in offline mode (Vega comes from vl-convert's bundle inside
the kernel; no other host is ever contacted). Downloads are ``data:`` links, so a click saves
the file without another request to the server.

Every view shows a message box instead of a traceback when its state reports a problem, and a
view whose state cannot be built at all (no warehouse, wrong audience) shows only that message.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd
import traitlets
from altair.jupyter.jupyter_chart import JupyterChart

from workbench.errors import WorkbenchError
from workbench.ui._state import AppState, Kpi, chart_to_png, data_uri, frame_to_csv

STYLE = """
<style>
.wb-app { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;
          max-width: 1100px; }
.wb-app h2 { margin: 4px 0 2px 0; font-size: 1.45em; }
.wb-app .wb-subtitle { color: #555; margin-bottom: 6px; }
.wb-kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.wb-kpi { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 150px;
          background: #fafafa; }
.wb-kpi-label { font-size: 0.85em; color: #555; }
.wb-kpi-value { font-size: 1.6em; font-weight: 600; }
.wb-kpi-note { font-size: 0.8em; color: #666; }
.wb-kpi.wb-up .wb-kpi-value, .wb-kpi.wb-alert .wb-kpi-value { color: #D55E00; }
.wb-kpi.wb-down .wb-kpi-value { color: #0072B2; }
.wb-message { border-left: 4px solid #D55E00; background: #fff4ee; padding: 8px 12px;
              margin: 6px 0; }
.wb-message-info { border-left-color: #0072B2; background: #eef5fb; }
.wb-busy { color: #0072B2; font-style: italic; min-height: 1.2em; }
.wb-table { border-collapse: collapse; font-size: 0.9em; margin: 6px 0; }
.wb-table th, .wb-table td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px;
                             text-align: left; }
.wb-table th { background: #f3f3f3; }
.wb-downloads a { margin-right: 14px; color: #0072B2; text-decoration: underline; }
.wb-note { color: #555; font-size: 0.9em; }
</style>
"""

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


def kpi_cards_html(kpis: Sequence[Kpi]) -> str:
    """The headline figures as cards; each card carries ``data-kpi="<key>"``."""
    cards = []
    for kpi in kpis:
        tone = f" wb-{kpi.tone}" if kpi.tone else ""
        cards.append(
            f'<div class="wb-kpi{tone}" data-kpi="{html.escape(kpi.key)}">'
            f'<div class="wb-kpi-label">{html.escape(kpi.label)}</div>'
            f'<div class="wb-kpi-value">{html.escape(kpi.value)}</div>'
            f'<div class="wb-kpi-note">{html.escape(kpi.note)}</div></div>')
    return f'<div class="wb-kpis">{"".join(cards)}</div>'


def message_html(message: str, *, kind: str = "error") -> str:
    """A message box ("" when there is no message)."""
    if not message:
        return ""
    extra = " wb-message-info" if kind == "info" else ""
    return f'<div class="wb-message{extra}" role="alert">{html.escape(message)}</div>'


def download_link_html(payload: bytes | str, *, filename: str, media_type: str,
                       label: str, css_class: str) -> str:
    """An anchor that downloads ``payload`` as ``filename`` (a ``data:`` URI)."""
    return (f'<a class="{css_class}" download="{html.escape(filename)}" '
            f'href="{data_uri(payload, media_type)}">{html.escape(label)}</a>')


def table_html(frame: pd.DataFrame, *, columns: dict[str, str],
               formats: dict[str, Callable[[Any], str]] | None = None,
               css_class: str = "wb-table", limit: int = 200) -> str:
    """A small frame as an HTML table: ``columns`` maps frame columns to headings."""
    formats = formats or {}
    if frame.empty:
        return '<p class="wb-note">Nothing to show for these filters.</p>'
    head = "".join(f"<th>{html.escape(title)}</th>" for title in columns.values())
    rows = []
    for _, row in frame.head(limit).iterrows():
        cells = []
        for column in columns:
            value = row[column]
            text = formats[column](value) if column in formats else (
                "" if value is None or (not isinstance(value, str) and pd.isna(value))
                else str(value))
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    more = (f'<p class="wb-note">First {limit} of {len(frame)} rows; the CSV has them all.</p>'
            if len(frame) > limit else "")
    return f'<table class="{css_class}"><tr>{head}</tr>{"".join(rows)}</table>{more}'


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
    """Base of every app view: a title, a message box and a busy line above the app's body.

    Subclasses implement :meth:`_make_state` (may raise
    :class:`~workbench.errors.WorkbenchError`: the view then shows only the message) and
    :meth:`_build` (returns the body's children, after linking them to ``self.state``), and
    redraw in :meth:`_redraw`, called after every computation.
    """

    title: str = "Workbench app"
    subtitle: str = ""

    def __init__(self, **options: Any) -> None:
        super().__init__()
        self.add_class("wb-app")
        self.state: AppState | None = None
        self._header = widgets.HTML(self._header_html())
        self._message = widgets.HTML("")
        self._message.add_class("wb-message-box")
        self._busy = widgets.HTML("")
        self._busy.add_class("wb-busy")
        try:
            self.state = self._make_state(**options)
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
        self.children = [widgets.HTML(STYLE), self._header, self._message, self._busy, *body]
        self.state.start()

    def _show_only(self, message: str) -> None:
        self._message.value = message
        self.children = [widgets.HTML(STYLE), self._header, self._message]

    def _header_html(self) -> str:
        subtitle = (f'<div class="wb-subtitle">{html.escape(self.subtitle)}</div>'
                    if self.subtitle else "")
        return f"<h2>{html.escape(self.title)}</h2>{subtitle}"

    def _make_state(self, **options: Any) -> AppState:  # pragma: no cover - abstract
        raise NotImplementedError

    def _build(self) -> list[widgets.Widget]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _redraw(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

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
        stem = f"{self._filename}-{name}"
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
