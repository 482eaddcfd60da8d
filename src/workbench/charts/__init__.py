"""Charts: functions that take a tidy frame and return an Altair chart, in one house theme.

Importing this package registers and enables the one Altair theme, ``workbench``. Chart
functions live in ``charts/<domain>.py`` (``charts.quality``, …); each takes a small pandas
frame plus keyword options and returns a chart that composes with ``+``, ``|`` and ``&``.

Report rendering
----------------
Report kernels started by ``workbench render`` call :func:`use_site_renderer` before the
notebook's first cell. It does two things:

- enables Altair's VegaFusion data transformer, so a chart's spec carries only the data it
  draws (aggregates are evaluated in Python before the spec is written, never row-level data);
- enables the ``workbench-site`` renderer, which displays a chart as a ``<div>`` plus a small
  ``<script>`` calling ``vegaEmbed`` on a Vega spec. ``vegaEmbed`` comes from the site's one
  shared offline bundle (``site/assets/vega/vega-bundle.js``), loaded by every page's header
  with a path relative to that page; no chart ever refers to another host.

In JupyterLab the default renderer stays in place (charts draw with Lab's own Vega).
"""

from __future__ import annotations

import html
import json
import uuid
from typing import Any

import altair as alt

from workbench.present import CHART_SPEC_MIMETYPE

THEME_NAME = "workbench"
SITE_RENDERER_NAME = "workbench-site"
CHART_MIMETYPE_CLASS = "workbench-chart"

#: Colours of the house palette (colour-blind safe, Okabe–Ito order).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


@alt.theme.register(THEME_NAME, enable=True)
def workbench_theme() -> alt.theme.ThemeConfig:
    """The one house theme: system fonts (no web fonts to fetch), a colour-blind safe palette."""
    return {
        "config": {
            "view": {"continuousWidth": 560, "continuousHeight": 300, "stroke": None},
            "font": FONT,
            "title": {"fontSize": 15, "anchor": "start", "fontWeight": 600},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "grid": True,
                     "gridColor": "#e6e6e6", "domainColor": "#888888"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12},
            "range": {"category": list(PALETTE)},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0]},
        }
    }


def site_chart_html(vega_spec: dict[str, Any], *, element_id: str | None = None) -> str:
    """The HTML for one chart on a site page: a container and a script calling ``vegaEmbed``.

    ``vega_spec`` is a compiled Vega spec (data already aggregated). The script renders SVG,
    without the action menu (whose links point at other hosts), and writes a plain message in
    the container when the page was opened without the site's shared Vega bundle.
    """
    element_id = element_id or f"wb-chart-{uuid.uuid4().hex[:12]}"
    # The mode is given to vegaEmbed, so the spec needs no "$schema" (a URL of another host).
    vega_spec = {k: v for k, v in vega_spec.items() if k != "$schema"}
    spec_json = json.dumps(vega_spec, separators=(",", ":"), default=str)
    # Inside a <script> element only "</" can end it early; escape it.
    spec_json = spec_json.replace("</", "<\\/")
    return (
        f'<div class="{CHART_MIMETYPE_CLASS}" id="{html.escape(element_id)}"></div>\n'
        "<script>(function () {\n"
        f'  var target = document.getElementById("{element_id}");\n'
        f"  var spec = {spec_json};\n"
        "  if (typeof window.vegaEmbed !== 'function') {\n"
        "    target.textContent = 'Chart not drawn: this page needs the site\\'s assets folder.';\n"
        "    return;\n"
        "  }\n"
        "  window.vegaEmbed(target, spec, {mode: 'vega', renderer: 'svg', actions: false})\n"
        "    .catch(function (error) { target.textContent = 'Chart failed: ' + error; });\n"
        "})();</script>"
    )


def site_renderer(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """Altair renderer for site pages: compile to Vega (through VegaFusion when enabled)."""
    from altair.utils._vegafusion_data import compile_with_vegafusion, using_vegafusion

    if using_vegafusion():
        vega_spec = compile_with_vegafusion(spec)
    else:
        vega_spec = alt.vegalite_compilers.get()(spec)  # type: ignore[misc]
    text = spec.get("description") or "chart"
    # The spec itself too: ``workbench render`` builds the page's chart from it (a data block
    # drawn by the site's charts.js), since pages allow no inline script.
    return {CHART_SPEC_MIMETYPE: vega_spec, "text/html": site_chart_html(vega_spec),
            "text/plain": f"<{text}>"}


alt.renderers.register(SITE_RENDERER_NAME, site_renderer)


def use_site_renderer() -> None:
    """Switch this process to site rendering: VegaFusion data transformer + local-script charts.

    Called by ``workbench render`` at the start of every report kernel; analysts never need to.
    """
    alt.data_transformers.enable("vegafusion")
    alt.renderers.enable(SITE_RENDERER_NAME)


__all__ = ["PALETTE", "SITE_RENDERER_NAME", "THEME_NAME", "site_chart_html", "site_renderer",
           "use_site_renderer", "workbench_theme"]
