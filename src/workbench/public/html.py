"""Public page tables, rendered from the templates under ``present/templates/public/``.

Two kinds, both exits of public data, both through the project's one autoescaping environment
(:mod:`workbench.present.html`):

* :func:`public_table_html` shows a slice of a :class:`~workbench.public.tables.PublicTable`
  (its counts are :class:`~workbench.privacy.Protected`);
* :func:`derived_table_html` shows figures derived from published counts (shares, indices,
  rates). Each row names the published entries it derives from; a figure whose needed counts
  are not all published is shown as "–", whatever the frame holds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.analysis import use_of_force as uof
from workbench.present.html import render
from workbench.privacy.linked import ALL
from workbench.public.options import OpenDataError
from workbench.public.tables import PublicTable

__all__ = ["SUPPRESSED_MARK", "HtmlFragment", "Needs", "derived_table_html", "public_table_html"]

#: How a suppressed count is shown on a page (files leave it empty and say ``suppressed``).
SUPPRESSED_MARK = "x"
#: How a figure that is not shown (missing, or derived from a hidden count) reads on a page.
_NOT_SHOWN = "–"

#: How a derived-table column depends on the row's sources: ``"label"`` (it depends on none:
#: a name), ``"all"`` (on every source) or the positions of the sources it needs.
Needs = str | tuple[int, ...]


class HtmlFragment(str):
    """HTML that a notebook displays as HTML (the value of a cell's last expression)."""

    def _repr_html_(self) -> str:
        return str(self)


def public_table_html(table: PublicTable, *, rows: str, columns: str | None = None,
                      where: Mapping[str, object] | None = None,
                      row_levels: Sequence[str] | None = None,
                      column_levels: Sequence[str] | None = None,
                      labels: Mapping[str, str] | None = None,
                      caption: str | None = None) -> HtmlFragment:
    """A page table of one slice of ``table``: ``rows`` × ``columns`` (or one count column),
    the other dimensions fixed by ``where`` (default :data:`ALL`), with a Total row and column.

    Each count cell carries its full key in ``data-wb-key`` and the table names its family
    in ``data-wb-table``, so the privacy tests can audit exactly what a page shows.
    """
    if not isinstance(table, PublicTable):
        raise OpenDataError(f"a public page table shows a PublicTable, not "
                            f"{type(table).__name__}")
    fixed_levels = {k: str(v) for k, v in (where or {}).items()}
    labels = dict(labels or {})
    fixed = {d: fixed_levels.get(d, ALL) for d in table.dimensions if d not in (rows, columns)}
    row_values = [str(v) for v in (row_levels or table.levels(rows))] + [ALL]
    column_values = ([str(v) for v in (column_levels or table.levels(columns))] + [ALL]
                     if columns else [ALL])
    lookup = _lookup(table)
    headings = ([_label(value, labels, total="Total") for value in column_values] if columns
                else [labels.get(table.count, table.count.replace("_", " ").capitalize())])
    body = []
    for row_value in row_values:
        cells = []
        for column_value in column_values:
            key = {**fixed, rows: row_value}
            if columns:
                key[columns] = column_value
            ordered = {d: key[d] for d in table.dimensions}
            value = lookup.get(tuple(str(v) for v in ordered.values()), 0)
            cells.append({"key": json.dumps(ordered),
                          "text": SUPPRESSED_MARK if value is None else f"{value:,}"})
        body.append({"label": _label(row_value, labels, total="Total"), "cells": cells})
    return HtmlFragment(render(
        "public/count_table.html.j2", name=table.name, dimensions=",".join(table.dimensions),
        count=table.count, threshold=table.threshold, split=table.split_by or "",
        caption=caption, row_heading=labels.get(rows, rows.replace("_", " ").capitalize()),
        column_headings=headings, rows=body, footnote=table.footnote, mark=SUPPRESSED_MARK))


def derived_table_html(frame: pd.DataFrame, *,
                       columns: Sequence[tuple[str, str, str, Needs]],
                       row_sources: Sequence[Sequence[tuple[PublicTable, Mapping[str, object]]]],
                       caption: str | None = None, footnote: str | None = None) -> HtmlFragment:
    """A page table of figures derived from published counts (shares, indices, rates).

    ``columns`` lists ``(frame column, heading, format, needs)``: the format is ``"count"``,
    ``"percent"``, ``"ratio"``, ``"rate"``, ``"interval"`` (a column holding
    ``(lower, upper)``) or ``"text"``; ``needs`` says which of the row's sources the figure
    derives from (see :data:`Needs`). ``row_sources`` gives, for each row, the published
    entries (family, key; dimensions not named are :data:`ALL`). The row carries them in
    ``data-wb-sources`` and each figure its needs in ``data-wb-needs`` (positions beyond a
    row's sources are dropped: that row's figure needs fewer), so a test can check that no
    figure is shown unless every count it derives from is published. The sources must be
    :class:`PublicTable`\\ s, and a figure needing a count they do not publish is shown as
    "–" here, whatever ``frame`` holds.
    """
    if len(row_sources) != len(frame):
        raise OpenDataError(f"row_sources has {len(row_sources)} entries for {len(frame)} rows")
    body = []
    for (_, row), sources in zip(frame.iterrows(), row_sources, strict=True):
        keys, published = [], []
        for table, key in sources:
            if not isinstance(table, PublicTable):
                raise OpenDataError("a derived figure's sources must be PublicTables, not "
                                    f"{type(table).__name__}")
            full = {d: str(key.get(d, ALL)) for d in table.dimensions}
            keys.append({"table": table.name, "key": full})
            published.append(table.value(**full) is not None)
        cells = []
        for column, _, kind, needs in columns:
            text = _format(row[column], kind)
            if needs == "label":
                cells.append({"text": text, "needs": None})
                continue
            positions = (list(range(len(keys))) if isinstance(needs, str) else
                         [i for i in needs if i < len(keys)])
            if not all(published[i] for i in positions):
                text = _NOT_SHOWN
            cells.append({"text": text, "needs": json.dumps(positions)})
        body.append({"sources": json.dumps(keys), "cells": cells})
    return HtmlFragment(render("public/derived_table.html.j2", caption=caption,
                               headings=[c[1] for c in columns], rows=body, footnote=footnote))


def _lookup(table: PublicTable) -> dict[tuple[str, ...], int | None]:
    entries = table.entries
    keys = entries[list(table.dimensions)].itertuples(index=False, name=None)
    values = entries[table.count]
    return {tuple(key): (None if pd.isna(value) else int(value))
            for key, value in zip(keys, values, strict=True)}


def _label(value: str, labels: Mapping[str, str], *, total: str) -> str:
    if value == ALL:
        return labels.get(ALL, total)
    return labels.get(value, uof.RACE_GROUP_LABELS.get(value, value.replace("_", " ")))


def _format(value: object, kind: str) -> str:
    if kind == "interval":
        if not isinstance(value, tuple) or any(missing(v) for v in value):
            return _NOT_SHOWN
        return f"{value[0]:.2f} – {value[1]:.2f}"
    if missing(value):
        return _NOT_SHOWN
    if kind == "count":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if kind == "percent":
        return f"{100 * float(value):.1f}%"  # type: ignore[arg-type]
    if kind == "ratio":
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    if kind == "rate":
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return uof.RACE_GROUP_LABELS.get(str(value), str(value).replace("_", " "))


def missing(value: object) -> bool:
    """Whether ``value`` is missing (None, NaN, ``<NA>``)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
