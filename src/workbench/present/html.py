"""The one HTML environment: Jinja2 templates with autoescape, and explicit escaping.

Every template lives under ``src/workbench/present/templates/`` in a folder named for its user
(``publish/index.html.j2``, ``public/table.html.j2``, ``ui/card.html.j2`` …). Autoescape is on
for every template, whatever its extension, so a value from data, parameters or an error message
cannot become markup by accident. A caller that already holds safe HTML (another rendered
template, a chart's own markup) wraps it in :class:`Markup` on purpose.

    >>> from workbench.present.html import render_string
    >>> str(render_string("<b>{{ name }}</b>", name="<script>"))
    '<b>&lt;script&gt;</b>'
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
from markupsafe import Markup, escape

__all__ = ["Markup", "environment", "escape", "render", "render_string"]


@functools.cache
def environment() -> jinja2.Environment:
    """The shared environment: package templates, autoescape everywhere, undefined is an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("workbench.present", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(template: str, /, **context: Any) -> Markup:
    """Render ``template`` (a path under ``present/templates/``) with ``context``, escaped."""
    return Markup(environment().get_template(template).render(**context))


def render_string(source: str, /, **context: Any) -> Markup:
    """Render an inline template string with the same autoescaping rules (for tiny fragments)."""
    return Markup(environment().from_string(source).render(**context))
