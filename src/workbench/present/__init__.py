"""Presentation: how results look to people.

One home for everything that turns values into what a reader sees:

- :mod:`~workbench.present.html` — the one Jinja2 environment (autoescape on) and its
  templates under ``present/templates/<user>/`` (``publish/``, ``public/``, ``ui/`` …). Any
  HTML built from data, parameters or errors is rendered from a template here or passes
  through :func:`~workbench.present.html.escape`; no module writes HTML with f-strings.

Layering: ``present`` sits beside ``charts`` in the presentation layer. ``publish``, ``public``,
``ui``, ``serve`` and notebooks may import it; ``analysis``, ``ingest``, ``warehouse`` and
``stats`` never do.
"""

CHART_SPEC_MIMETYPE = "application/vnd.workbench.chart+json"
"""MIME type of a chart's compiled Vega spec in a report kernel's output. ``workbench render``
builds the chart's page markup from it (``workbench.publish.convert.chart_html``), so no
chart needs an inline script."""
