"""Data tables on pages: one rendering path, through an autoescaping template.

Reports show frames with :func:`table` instead of ``frame.style…`` (a pandas ``Styler`` writes
cell text into HTML unescaped, so a neighbourhood named ``<script>…`` would run on the page)::

    table(spots, formats={"z": "{:.1f}", "rate_per_1000": "{:.2f}"},
          labels={"neighbourhood_id": "Neighbourhood"})

Every cell becomes text and goes through ``tables/table.html.j2`` with autoescape; nothing a
value holds can become markup. How a value looks is decided in one place:

- ``formats`` — column → a ``str.format`` pattern (``"{:,.0f}"``, ``"${:,.0f}"``, ``"{:.1%}"``)
  or a function of the value returning text; other columns use :func:`format_cell`;
- ``labels`` — column → header text; other columns use :func:`column_label`;
- a missing value (None, NaN, NaT) shows as ``na`` whatever the format.

Rows may carry a CSS class and a style (``row_classes``, ``row_styles``: one entry per row, from
code, never from data) — the CompStat grid shades its flagged rows this way.

The result is a :class:`Table`: notebooks display it (``_repr_html_``), and ``to_html()`` gives
the markup. Numbers are right-aligned, text left-aligned (``wb-num`` / ``wb-text`` classes).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench.present.html import render

__all__ = ["Table", "column_label", "format_cell", "is_missing", "table"]

Format = str | Callable[[Any], str]
"""A ``str.format`` pattern with one field, or a function from the value to its text."""

TEMPLATE = "tables/table.html.j2"
MISSING_TEXT = "–"


def is_missing(value: Any) -> bool:
    """Whether ``value`` is None, NaN, NaT or ``pd.NA``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(float(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def format_cell(value: Any) -> str:
    """The default text of one value: yes/no; whole numbers as digits (``2024``; give a format
    such as ``"{:,}"`` for separators); other numbers with thousands separators and two
    decimals; dates as ``YYYY-MM-DD`` (with ``HH:MM`` when the time is not midnight); anything
    else as ``str``."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:,.2f}"
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.hour == stamp.minute == stamp.second == 0:
            return stamp.strftime("%Y-%m-%d")
        return stamp.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def column_label(name: Any) -> str:
    """The default header of column ``name``: words instead of ``snake_case``, first letter
    capitalised (``rate_per_1000`` → ``Rate per 1000``)."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _apply(fmt: Format, value: Any) -> str:
    return fmt(value) if callable(fmt) else fmt.format(value)


@dataclass(frozen=True)
class _Column:
    name: str
    label: str
    css: str


@dataclass(frozen=True)
class _Row:
    cells: list[str]
    css: str
    style: str


def _style_text(style: Mapping[str, str] | str | None) -> str:
    if not style:
        return ""
    if isinstance(style, str):
        return style
    return "".join(f"{key}: {value};" for key, value in style.items())


class Table:
    """A frame as an HTML table with formatted, escaped cells (see the module)."""

    def __init__(self, frame: pd.DataFrame, *, formats: Mapping[str, Format] | None = None,
                 labels: Mapping[str, str] | None = None, na: str = MISSING_TEXT,
                 caption: str | None = None, empty: str = "None.",
                 row_classes: Sequence[str | None] | None = None,
                 row_styles: Sequence[Mapping[str, str] | str | None] | None = None) -> None:
        self.frame = frame.reset_index(drop=True)
        self.formats = dict(formats or {})
        self.labels = dict(labels or {})
        self.na = na
        self.caption = caption
        self.empty = empty
        for name, given in (("row_classes", row_classes), ("row_styles", row_styles)):
            if given is not None and len(given) != len(self.frame):
                raise ValueError(f"{name} has {len(given)} entries for {len(self.frame)} rows")
        self.row_classes = list(row_classes) if row_classes is not None else None
        self.row_styles = list(row_styles) if row_styles is not None else None
        unknown = (set(self.formats) | set(self.labels)) - {str(c) for c in self.frame.columns}
        if unknown:
            raise KeyError(f"no column {', '.join(sorted(map(repr, unknown)))} in the table "
                           f"(columns: {', '.join(map(str, self.frame.columns))})")

    def _text(self, column: str, value: Any) -> str:
        if is_missing(value):
            return self.na
        fmt = self.formats.get(column)
        return _apply(fmt, value) if fmt is not None else format_cell(value)

    def columns(self) -> list[_Column]:
        result = []
        for name in self.frame.columns:
            numeric = pd.api.types.is_numeric_dtype(self.frame[name]) \
                and not pd.api.types.is_bool_dtype(self.frame[name])
            result.append(_Column(str(name), self.labels.get(str(name), column_label(name)),
                                  "wb-num" if numeric else "wb-text"))
        return result

    def rows(self) -> list[_Row]:
        names = [str(c) for c in self.frame.columns]
        result = []
        for position, values in enumerate(self.frame.itertuples(index=False, name=None)):
            css = (self.row_classes[position] or "") if self.row_classes else ""
            style = _style_text(self.row_styles[position]) if self.row_styles else ""
            result.append(_Row([self._text(n, v) for n, v in zip(names, values, strict=True)],
                               css, style))
        return result

    def to_html(self) -> str:
        """The table's markup (every cell escaped by the template)."""
        return str(render(TEMPLATE, columns=self.columns(), rows=self.rows(),
                          caption=self.caption, empty=self.empty))

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.frame.to_string(index=False) if len(self.frame) else self.empty


def table(frame: pd.DataFrame, *, formats: Mapping[str, Format] | None = None,
          labels: Mapping[str, str] | None = None, na: str = MISSING_TEXT,
          caption: str | None = None, empty: str = "None.",
          row_classes: Sequence[str | None] | None = None,
          row_styles: Sequence[Mapping[str, str] | str | None] | None = None) -> Table:
    """``frame`` as a :class:`Table` for a page (see the module for the options)."""
    return Table(frame, formats=formats, labels=labels, na=na, caption=caption, empty=empty,
                 row_classes=row_classes, row_styles=row_styles)
