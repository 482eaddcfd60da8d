"""Headline figures: one call in a notebook shows a figure on the page and records it for the site.

``headline(name, value, unit=..., better=...)`` displays a MIME bundle with two parts:

- ``application/vnd.workbench.headline+json``: the figure as data. ``workbench render``
  extracts every such output from the executed notebook into the run's ``summary.json`` and
  the site index (with the change since the previous run);
- ``text/html``: the figure as the reader sees it. At conversion the renderer rebuilds this
  part from the JSON part (:func:`headline_html`), so the page and ``summary.json`` are made
  from the same value and cannot disagree.

This module is imported inside report kernels: it must stay light (no papermill, no nbconvert;
Jinja2 is imported when a figure is first shown).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal

HEADLINE_MIMETYPE = "application/vnd.workbench.headline+json"

Better = Literal["lower", "higher"]


def _plain_number(value: Any) -> int | float | None:
    """``value`` as a JSON-safe Python number (numpy scalars included); None for missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        return number
    raise TypeError(f"a headline value must be a number or None, got {type(value).__name__}")


def headline_record(name: str, value: Any, *, unit: str = "", better: Better | None = None,
                    label: str | None = None, note: str = "") -> dict[str, Any]:
    """The JSON form of one headline figure (what ``summary.json`` stores)."""
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"a headline name is a short identifier (letters, digits, _), got {name!r}")
    if better not in (None, "lower", "higher"):
        raise ValueError(f"better must be 'lower', 'higher' or None, got {better!r}")
    return {
        "name": name,
        "label": label or name.replace("_", " ").capitalize(),
        "value": _plain_number(value),
        "unit": unit,
        "better": better,
        "note": note,
    }


def format_value(value: int | float | None, unit: str = "") -> str:
    """A figure as text: thousands separators, at most two decimals, the unit after it."""
    if value is None:
        return "n/a"
    if unit == "%":
        return f"{value:,.1f}%"
    if isinstance(value, int) or float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip() if unit else text


def headline_html(record: dict[str, Any]) -> str:
    """The HTML of one headline figure (used on report pages; built from the JSON record by the
    autoescaping template ``present/templates/publish/headline.html.j2``)."""
    from workbench.present.html import render  # Jinja2 on first use only: kernels stay light

    return str(render("publish/headline.html.j2", name=record["name"], label=record["label"],
                      value=format_value(record.get("value"), record.get("unit", "")),
                      note=record.get("note") or "")).rstrip("\n")


def headline(name: str, value: Any, *, unit: str = "", better: Better | None = None,
             label: str | None = None, note: str = "") -> None:
    """Show a headline figure in the notebook and record it for the site index.

    ``name`` is a stable identifier (the index compares it with the previous run);
    ``better`` says which direction is an improvement (``"lower"`` for violations, ``"higher"``
    for clearance rates) and colours the change in the index. Returns nothing, so a cell
    ending with the call shows the figure once.
    """
    record = headline_record(name, value, unit=unit, better=better, label=label, note=note)
    from IPython.display import display

    value_text = format_value(record["value"], unit)
    display({HEADLINE_MIMETYPE: record, "text/html": headline_html(record),
             "text/plain": f"{record['label']}: {value_text}"}, raw=True)
