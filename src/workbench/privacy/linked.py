"""Linked tables: a family of counts protected once, so every slice of it can be shown anywhere.

Two tables computed from the same records share totals: a cell hidden in one can be worked out
from the other. So each kind of record is published as **one family** — one suppressed table
whose margins give every total shown anywhere — in long form: one row per entry, the dimension
columns as text with :data:`ALL` in a margin's summed-over dimensions, the count (``Int64``,
``<NA>`` where hidden) and ``suppressed``. :func:`protect_counts` builds one (a
:class:`~workbench.privacy.Protected` frame); :func:`audit_counts` attacks it as published.

Totals a page needs as denominators can be kept shown (``keep_shown``): the cheapest other
entries on their lines are hidden instead, checked by the attacker's audit (the loop of
:func:`_keep_totals_shown`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.privacy.audience import Audience, PrivacyError
from workbench.privacy.audit import Exposure, audit_public_table
from workbench.privacy.protected import Protected, _protect
from workbench.privacy.suppression import SuppressedTable, suppress_small_cells

__all__ = ["ALL", "audit_counts", "protect_counts", "split_entries"]

#: Level of a dimension in a margin row ("all neighbourhoods", "every year", ...).
ALL = "all"


def protect_counts(frame: pd.DataFrame, *, dimensions: Sequence[str], count: str,
                   threshold: int, split_by: str | None = "year",
                   keep_shown: Sequence[Mapping[str, str]] = ()) -> Protected[pd.DataFrame]:
    """Suppress ``frame`` (one row per combination of ``dimensions``), one protected table
    per level of ``split_by``, and return every entry (cells and margins) protected for the
    public, with the footnote as its note.

    ``split_by`` (``"year"`` for every public family) names a dimension suppressed level by
    level: no total over it is published, so each level's table stands alone. ``keep_shown``
    lists patterns (dimension → level, e.g. ``{"race_group": ALL}``) of totals a page needs as
    denominators: where the suppression hid such a total although it is not small, it is
    shown again and the cheapest other entries on its lines are hidden instead, until
    :func:`~workbench.privacy.audit_public_table` (linear programming, whole counts, hidden
    counts ≥ 1) finds nothing; if that fails the suppression's own pattern is kept.
    """
    dims = tuple(dimensions)
    if split_by is not None and split_by not in dims:
        raise PrivacyError(f"split_by {split_by!r} is not one of the dimensions {dims}")
    text = frame[list(dims)].astype(str).assign(**{count: frame[count].astype("int64")})
    inner = tuple(d for d in dims if d != split_by)
    parts = []
    footnote = f"Counts below {threshold} are suppressed."
    groups = [(None, text)] if split_by is None else list(text.groupby(split_by, sort=True))
    for level, rows in groups:
        table = rows.drop(columns=[split_by]) if split_by is not None else rows
        if table.empty or int(table[count].sum()) == 0:
            entries = _unsuppressed_entries(table, inner, count)
        else:
            suppressed = suppress_small_cells(table.reset_index(drop=True), dimensions=inner,
                                              count=count, threshold=threshold)
            footnote = suppressed.footnote
            entries = _entries_of(suppressed)
            if keep_shown:
                entries = _keep_totals_shown(table, entries, inner, count, threshold, keep_shown)
        if split_by is not None:
            entries.insert(dims.index(split_by), split_by, str(level))
        parts.append(entries[[*dims, count, "suppressed"]])
    entries = (pd.concat(parts, ignore_index=True) if parts else
               pd.DataFrame({**{d: pd.Series(dtype=str) for d in dims},
                             count: pd.Series(dtype="Int64"),
                             "suppressed": pd.Series(dtype=bool)}))
    entries[count] = entries[count].astype("Int64")
    entries["suppressed"] = entries["suppressed"].astype(bool)
    if split_by is not None:
        footnote += f" Each {split_by.replace('_', ' ')} is protected as its own table."
    return _protect(entries, Audience.PUBLIC, footnote)


def audit_counts(entries: pd.DataFrame, *, dimensions: Sequence[str], count: str,
                 threshold: int, split_by: str | None = "year",
                 method: Literal["auto", "lp", "lines"] = "auto") -> list[Exposure]:
    """Attack every protected table of a family as published (an empty list is safe)."""
    inner = tuple(d for d in dimensions if d != split_by)
    groups = [entries] if split_by is None else [
        rows for _, rows in entries.groupby(split_by, sort=True)]
    exposures: list[Exposure] = []
    for rows in groups:
        cells, margins = split_entries(rows, inner, count)
        if cells.empty:
            continue
        exposures += audit_public_table(cells, margins, dimensions=inner, count=count,
                                        threshold=threshold, method=method)
    return exposures


def _unsuppressed_entries(table: pd.DataFrame, dims: Sequence[str], count: str) -> pd.DataFrame:
    """Entries of an all-zero (or empty) table: nothing to hide, zeros are shown."""
    parts = [table[[*dims, count]].assign(suppressed=False)]
    for size in range(len(dims)):
        for subset in itertools.combinations(dims, size):
            if subset:
                grouped = table.groupby(list(subset), as_index=False)[count].sum()
            else:
                grouped = pd.DataFrame({count: [int(table[count].sum())]})
            for dim in dims:
                if dim not in subset:
                    grouped[dim] = ALL
            parts.append(grouped[[*dims, count]].assign(suppressed=False))
    entries = pd.concat(parts, ignore_index=True)
    entries[count] = entries[count].astype("Int64")
    return entries


def _true_entries(table: pd.DataFrame, dims: Sequence[str], count: str) -> pd.DataFrame:
    """Every cell and margin of ``table`` with its true count (:data:`ALL` in margins)."""
    return _unsuppressed_entries(table, dims, count).drop(columns="suppressed")


def _matches(entries: pd.DataFrame, patterns: Sequence[Mapping[str, str]]) -> pd.Series:
    mask = pd.Series(False, index=entries.index)
    for pattern in patterns:
        hit = pd.Series(True, index=entries.index)
        for dimension, level in pattern.items():
            if dimension in entries.columns:  # dimensions a table lacks are ignored
                hit &= entries[dimension] == str(level)
        mask |= hit
    return mask


def _keep_totals_shown(table: pd.DataFrame, entries: pd.DataFrame, dims: Sequence[str],
                       count: str, threshold: int,
                       patterns: Sequence[Mapping[str, str]]) -> pd.DataFrame:
    """Show again the hidden totals matching ``patterns`` (when not small) and hide other
    entries on their lines instead, checked by the attacker's audit; see
    :func:`protect_counts`."""
    dims = list(dims)
    truth = _true_entries(table, dims, count).rename(columns={count: "_true"})
    merged = entries.merge(truth, on=dims, how="left")
    required = _matches(merged, patterns) & ((merged["_true"] >= threshold) | (merged["_true"] == 0))
    if not (required & merged["suppressed"]).any():
        return entries
    hidden = merged["suppressed"].to_numpy().copy()
    hidden[required.to_numpy()] = False
    keys = merged[dims].to_numpy(dtype=object)
    values = merged["_true"].to_numpy(dtype="int64")
    fixed = required.to_numpy()
    for _ in range(4 * len(merged)):
        candidate = merged[dims].assign(**{count: pd.array(
            np.where(hidden, 0, values), dtype="Int64")})
        candidate.loc[hidden, count] = pd.NA
        cells, margins = split_entries(candidate, dims, count)
        exposures = audit_public_table(cells, margins, dimensions=dims, count=count,
                                       threshold=threshold, method="lp",
                                       max_lp_unknowns=10_000)
        if not exposures:
            result = merged[dims].assign(**{count: candidate[count], "suppressed": hidden})
            return result
        lines_hit = np.zeros(len(merged), dtype=int)
        for exposed in exposures:
            key = {d: ALL for d in dims}
            key.update({d: str(v) for d, v in zip(exposed.dimensions, exposed.key, strict=True)})
            target = np.array([key[d] for d in dims], dtype=object)
            lines_hit += ((keys != target).sum(axis=1) == 1).astype(int)
        options = np.flatnonzero((lines_hit > 0) & ~hidden & ~fixed & (values > 0))
        if options.size == 0:
            break
        # the smallest count (least information lost), then the entry on most exposed lines
        best = options[np.lexsort((-lines_hit[options], values[options]))[0]]
        hidden[best] = True
    return entries


def _entries_of(suppressed: SuppressedTable) -> pd.DataFrame:
    """Cells and margins of a suppressed table in one long frame (:data:`ALL` in margins)."""
    dims = list(suppressed.dimensions)
    count = suppressed.count
    parts = [suppressed.cells[[*dims, count, "suppressed"]]]
    for subset, frame in suppressed.margins.items():
        part = frame[[*subset, count, "suppressed"]].copy()
        for dim in dims:
            if dim not in subset:
                part[dim] = ALL
        parts.append(part[[*dims, count, "suppressed"]])
    entries = pd.concat(parts, ignore_index=True)
    for dim in dims:
        entries[dim] = entries[dim].astype(str)
    entries[count] = entries[count].astype("Int64")
    entries["suppressed"] = entries["suppressed"].astype(bool)
    return entries


def split_entries(entries: pd.DataFrame, dimensions: Sequence[str],
                  count: str) -> tuple[pd.DataFrame, dict[tuple[str, ...], pd.DataFrame]]:
    """Long entries (with :data:`ALL` in margins) → cells and margins for the audit."""
    dims = list(dimensions)
    is_all = entries[dims].eq(ALL)
    cell_rows = ~is_all.any(axis=1)
    cells = entries.loc[cell_rows, [*dims, count]].reset_index(drop=True)
    margins: dict[tuple[str, ...], pd.DataFrame] = {}
    margin_rows = entries.loc[~cell_rows]
    if len(margin_rows):
        pattern = is_all.loc[~cell_rows]
        for flags, group in margin_rows.groupby([pattern[d] for d in dims], sort=False):
            subset = tuple(d for d, summed in zip(dims, flags, strict=True) if not summed)
            margins[subset] = group[[*subset, count]].reset_index(drop=True)
    return cells, margins


#: How a derived-table column depends on the row's sources: ``"label"`` (it depends on none:
#: a name), ``"all"`` (on every source) or the positions of the sources it needs.
