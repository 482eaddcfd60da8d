"""Executed notebook → HTML page, in-process with nbconvert (no CLI start-up per page).

The page template (``publish/templates/workbench``) keeps JupyterLab's cell layout but loads
nothing from another host: styles and the Vega bundle come from ``<site>/assets/`` through
the relative path ``resources.workbench.root``. Pages are converted once with the
:data:`SITE_ROOT_TOKEN` placeholder in that path; the site writer puts in the real relative path
for each place the page is published (stable page and archive).

Audience rules: public and internal pages hide code, prompts and warnings (stderr); restricted
pages show the code. The runner's setup cell is always removed.

Scripts: a page runs only the site's own files. Every page carries
:data:`CONTENT_SECURITY_POLICY` (a ``<meta>`` tag, so it holds for ``file:`` pages too): scripts
from the site itself only — no inline script, no event-handler attribute, no ``javascript:``
URL, nothing from another host. Charts are therefore not inline scripts: the converter rebuilds
each chart output from its Vega spec (``application/vnd.workbench.chart+json``, written by the
kernel's site renderer) as a container plus a JSON data block, and ``assets/charts.js`` draws
them with Vega's interpreter (no ``eval``). Anything else that made it into an output as markup
— a value that escaped escaping upstream — cannot run.
"""

from __future__ import annotations

import copy
import json
import math
import threading
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: importing this module stays quick
    import nbformat

from workbench.present import CHART_SPEC_MIMETYPE
from workbench.present.html import Markup, render
from workbench.publish.execute import INJECTED_TAG, PARAMETERS_TAG, SETUP_TAG
from workbench.publish.headline import HEADLINE_MIMETYPE, headline_html
from workbench.publish.provenance import MODULES_MIMETYPE

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "workbench"
SITE_ROOT_TOKEN = "__WORKBENCH_SITE_ROOT__/"
"""Placeholder for the relative path from a page to the site root (ends with ``/``)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-src 'none'; object-src 'none'"
)
"""What a site page may load and run: the site's own scripts, styles and images, nothing else.

Inline styles stay allowed (notebook outputs and Vega's SVG use them; a style cannot fetch from
another host because ``img-src``/``font-src`` are the site only). No ``connect-src``: a page
sends no request after loading."""

_exporters = threading.local()


def _json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as null (``JSON.parse`` accepts no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def chart_html(vega_spec: dict[str, Any], *, element_id: str | None = None) -> str:
    """A chart on a page: its container and its Vega spec as a JSON data block (see module)."""
    element_id = element_id or f"wb-chart-{uuid.uuid4().hex[:12]}"
    spec = {k: v for k, v in vega_spec.items() if k != "$schema"}  # no other host's URL
    text = json.dumps(_json_safe(spec), separators=(",", ":"), default=str, allow_nan=False)
    # In a data block only "</script" or "<!--" could end or confuse it: no "<", ">" or "&".
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return str(render("publish/chart.html.j2", id=element_id, spec_json=Markup(text)))


def collect_headlines(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """The headline figures a notebook displayed (last one wins for a repeated name), in order."""
    found: dict[str, dict[str, Any]] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(HEADLINE_MIMETYPE)
            if isinstance(record, dict) and "name" in record:
                found.pop(record["name"], None)
                found[record["name"]] = dict(record)
    return list(found.values())


def collect_loaded_modules(notebook: nbformat.NotebookNode) -> list[str] | None:
    """The workbench modules the executed notebook reported (None when it did not)."""
    for cell in reversed(notebook.cells):
        for output in cell.get("outputs", []):
            modules = output.get("data", {}).get(MODULES_MIMETYPE)
            if isinstance(modules, list):
                return [str(m) for m in modules]
    return None


def prepare_for_page(notebook: nbformat.NotebookNode, *, show_code: bool) -> nbformat.NotebookNode:
    """A copy of ``notebook`` ready for conversion (never changes the argument).

    Drops the runner's setup cell; rebuilds each headline's HTML from its JSON record and each
    chart's from its Vega spec; on pages without code also drops the parameter cells and
    stderr output.
    """
    page = copy.deepcopy(notebook)
    kept = []
    for cell in page.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if SETUP_TAG in tags:
            continue
        if not show_code and tags & {PARAMETERS_TAG, INJECTED_TAG}:
            continue
        if cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                if not show_code and output.get("output_type") == "stream" \
                        and output.get("name") == "stderr":
                    continue
                data = output.get("data", {})
                if HEADLINE_MIMETYPE in data:
                    data["text/html"] = headline_html(data[HEADLINE_MIMETYPE])
                if CHART_SPEC_MIMETYPE in data:
                    data["text/html"] = chart_html(data.pop(CHART_SPEC_MIMETYPE))
                outputs.append(output)
            cell.outputs = outputs
        kept.append(cell)
    page.cells = kept
    return page


def _exporter(show_code: bool) -> Any:
    """One HTMLExporter per thread and code visibility (building one costs ~0.2 s)."""
    from nbconvert import HTMLExporter

    cache = getattr(_exporters, "by_visibility", None)
    if cache is None:
        cache = _exporters.by_visibility = {}
    if show_code not in cache:
        exporter = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=not show_code,
            exclude_input_prompt=not show_code,
            exclude_output_prompt=True,
            anchor_link_text="",
        )
        cache[show_code] = exporter
    return cache[show_code]


def notebook_to_html(notebook: nbformat.NotebookNode, *, title: str, show_code: bool,
                     header_html: str = "", footer_html: str = "") -> str:
    """The HTML page of an executed notebook, with :data:`SITE_ROOT_TOKEN` for the site root."""
    page = prepare_for_page(notebook, show_code=show_code)
    resources = {
        "metadata": {"name": title},
        "workbench": {
            "title": title,
            "root": SITE_ROOT_TOKEN,
            "policy": CONTENT_SECURITY_POLICY,
            "show_code": show_code,
            "header_html": header_html,
            "footer_html": footer_html,
        },
    }
    body, _ = _exporter(show_code).from_notebook_node(page, resources=resources)
    return body


def localize(page_html: str, root: str) -> str:
    """Put the relative path ``root`` (e.g. ``"../"``) to the site root into a converted page."""
    return page_html.replace(SITE_ROOT_TOKEN, root)
