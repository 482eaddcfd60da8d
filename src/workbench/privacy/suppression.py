"""Small-cell suppression with complementary suppression: :func:`suppress_small_cells`.

Sources (see ``design/DOMAIN.md``, "Open data and disclosure control"): the Ontario
Anti-Racism Data Standards require de-identification before public release but set no numeric
rule; privacy-commissioner guidance implies minimum groups of about 11, 15 or 20 by
sensitivity. Suppression must be complementary: a hidden cell must not be recoverable from
published totals. How the pattern is chosen is in :mod:`workbench.privacy._patterns`; the
attacker who checks it is :func:`workbench.privacy.audit_public_table`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbench.privacy._patterns import _suppression_pattern
from workbench.privacy._tables import (
    _FLAG_COLUMN,
    _MAX_TABLE_ENTRIES,
    _REASON_COLUMN,
    _factorize_dimensions,
    _require_unique_combinations,
    _validated_counts,
    _validated_dimensions,
    _validated_threshold,
)
from workbench.privacy.audience import PrivacyError, small_cell_threshold
from workbench.privacy.audit import Exposure, audit_public_table

__all__ = ["SuppressedTable", "suppress_small_cells"]

_FOOTNOTE = (
    "Counts below {threshold} are suppressed; some other cells are suppressed so the hidden "
    "ones cannot be worked out from totals."
)
_FOOTNOTE_WITH_ZEROS = (
    "Counts below {threshold}, including zeros, are suppressed; some other cells are "
    "suppressed so the hidden ones cannot be worked out from totals."
)


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts made safe to publish, with its margins and the footnote to print.

    ``cells`` holds one row per input row: the dimension columns, the count as a nullable
    integer (``<NA>`` where suppressed), a boolean ``suppressed`` column and a ``reason``
    column (``"primary"`` for a count below the threshold, ``"complementary"`` for a cell
    hidden so that a primary one cannot be worked out from totals, ``<NA>`` when shown).

    ``margins`` maps every proper subset of the dimensions (as a tuple in the order of
    ``dimensions``; ``()`` is the grand total) to the sub-totals a publisher would print for
    it, in the same layout. Publish the margins from here, never recomputed from ``cells``.
    ``zeros_suppressed`` records whether zero counts were hidden too.
    """

    cells: pd.DataFrame
    margins: Mapping[tuple[str, ...], pd.DataFrame]
    dimensions: tuple[str, ...]
    count: str
    threshold: int
    footnote: str
    zeros_suppressed: bool = False

    @property
    def grand_total(self) -> int | None:
        """The published grand total, or None when it is suppressed."""
        value = self.margins[()][self.count].iloc[0]
        return None if pd.isna(value) else int(value)

    def suppression_summary(self) -> pd.DataFrame:
        """Count published, primary and complementary entries among cells and margins."""
        rows = {"cells": _reason_counts(self.cells)}
        rows["margins"] = _reason_counts(pd.concat(list(self.margins.values()), ignore_index=True))
        return pd.DataFrame.from_dict(rows, orient="index")

    def audit(self, *, method: Literal["auto", "lp", "lines"] = "auto") -> list[Exposure]:
        """Run :func:`audit_public_table` on this table as it would be published."""
        return audit_public_table(
            self.cells,
            self.margins,
            dimensions=self.dimensions,
            count=self.count,
            threshold=self.threshold,
            method=method,
            zeros_shown=not self.zeros_suppressed,
        )


def suppress_small_cells(
    table: pd.DataFrame,
    *,
    dimensions: Sequence[str],
    count: str = "count",
    threshold: int | None = None,
    suppress_zeros: bool = False,
) -> SuppressedTable:
    """Return ``table`` with small counts and enough others hidden that none can be recovered.

    ``table`` is tidy: one row per combination of ``dimensions`` (1 to about 6 of them) with a
    non-negative whole ``count``. Combinations missing from it are structural zeros (they are
    neither published nor counted). Columns other than the dimensions and the count are
    dropped from the result: a rate or share next to a hidden count would give it away.

    * **Primary suppression**: every count with ``0 < count < threshold`` — in the cells and
      in every margin a publisher prints (all sub-totals over every subset of the dimensions,
      down to the grand total). Zeros are shown unless ``suppress_zeros`` is true.
    * **Complementary suppression** (on cells and margins alike), so that no hidden entry can
      be worked out from the published totals along any dimension or the grand total:

      1. *Lines.* Along every line of the table with its totals (one dimension varying, the
         others fixed to a level or to "all"), a line holding exactly one hidden entry gives
         it away, so another entry of the line is hidden: a non-zero one that starts no new
         such line (an entry whose other lines already hold a hidden entry), the smallest
         first; to a fixed point.
      2. *Exact check and repair.* A hidden entry is exposed when the linear system of
         published totals fixes it: checked exactly by SVD for each connected group of hidden
         entries of up to 1,200, and for larger groups by projecting a random vector onto the
         null space (conjugate gradients, with convergence checked). For patterns of up to 3,000 hidden
         entries, an attacker who also knows counts are whole and at least 1 (0 when zeros
         are suppressed) is simulated with linear programs (as :func:`audit_public_table`
         does). Each exposed entry gets
         the cheapest "hypercube" through it hidden: a 2 x 2 x ... x 2 block of non-zero
         entries whose alternating +1/-1 change leaves every total unchanged, chosen so the
         exposed entry can move by one.
      3. *Pruning.* For those patterns of up to 3,000 hidden entries, complements that are
         not needed are shown again (largest first), then step 2 runs again.
      4. Tables with up to 400 primary entries also start from a looser line step and from
         the primary entries alone; the pattern hiding fewest entries is kept.

    Guarantee: no hidden entry is determined by the published totals. For patterns of up to
    3,000 hidden entries, none is pinned to a single whole number either by an attacker using
    the totals, whole numbers and the least value a hidden count can have (1 when zeros are
    shown, since a hidden count is then non-zero; else 0): :func:`audit_public_table` with
    ``method="lp"`` finds nothing. Above 3,000 hidden entries, with zeros shown, every hidden
    range under the totals and non-negativity still has positive width. Not modelled: other
    releases an attacker could combine with this one (overlapping tables, earlier periods).

    ``threshold`` defaults to :func:`small_cell_threshold`. Raises :class:`PrivacyError` on
    duplicate combinations, missing, negative or fractional counts, or a table whose cells and
    margins exceed five million entries (suppress a coarser table).
    """
    dims = _validated_dimensions(table, dimensions, count)
    limit = small_cell_threshold() if threshold is None else _validated_threshold(threshold)
    counts = _validated_counts(table, count)
    codes, levels = _factorize_dimensions(table, dims)
    _require_unique_combinations(table, dims, codes, levels)
    values, present = _extended_table(codes, [len(level) for level in levels], counts)
    eligible = values > 0
    if suppress_zeros:
        primary = present & (values < limit)
    else:
        primary = eligible & (values < limit)
    hidden = _suppression_pattern(values, primary, eligible, floor=0 if suppress_zeros else 1)
    template = _FOOTNOTE_WITH_ZEROS if suppress_zeros else _FOOTNOTE
    return SuppressedTable(
        cells=_cells_frame(table, dims, count, counts, codes, hidden, primary),
        margins=_margin_frames(dims, count, levels, values, present, hidden, primary),
        dimensions=dims,
        count=count,
        threshold=limit,
        footnote=template.format(threshold=limit),
        zeros_suppressed=suppress_zeros,
    )


def _extended_table(
    codes: Sequence[np.ndarray], sizes: Sequence[int], counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the dense table with its margins, and which entries exist.

    Along each axis the last position (index ``size``) holds the total over that axis, so the
    array holds the cells and every margin: position ``(i, size_1)`` of a 2-way table is row
    ``i``'s total. An entry exists when at least one input row falls under it; the grand total
    always exists.
    """
    shape = tuple(size + 1 for size in sizes)
    entries = math.prod(shape)
    if entries > _MAX_TABLE_ENTRIES:
        raise PrivacyError(
            f"the table spans {entries:,} cells and margins (levels per dimension: {list(sizes)}); "
            f"at most {_MAX_TABLE_ENTRIES:,} can be checked: suppress a coarser table or split it"
        )
    values = np.zeros(shape, dtype=np.int64)
    present = np.zeros(shape, dtype=bool)
    index = tuple(codes)
    values[index] = counts
    present[index] = True
    for axis, size in enumerate(sizes):
        along_values = np.moveaxis(values, axis, -1)
        along_present = np.moveaxis(present, axis, -1)
        along_values[..., size] = along_values[..., :size].sum(axis=-1)
        along_present[..., size] = along_present[..., :size].any(axis=-1)
    present[(-1,) * len(shape)] = True
    return values, present


def _reason_labels(hidden: np.ndarray, primary: np.ndarray) -> pd.arrays.StringArray:
    """Return "primary" / "complementary" / <NA> per entry."""
    labels = np.full(hidden.shape, None, dtype=object)
    labels[hidden] = "complementary"
    labels[primary] = "primary"
    return pd.array(labels, dtype="string")


def _nullable_counts(counts: np.ndarray, hidden: np.ndarray) -> pd.arrays.IntegerArray:
    """Return ``counts`` as a nullable integer array with ``<NA>`` where ``hidden``."""
    return pd.arrays.IntegerArray(np.where(hidden, 0, counts).astype(np.int64), hidden.copy())


def _cells_frame(
    table: pd.DataFrame,
    dims: Sequence[str],
    count: str,
    counts: np.ndarray,
    codes: Sequence[np.ndarray],
    hidden: np.ndarray,
    primary: np.ndarray,
) -> pd.DataFrame:
    """Return the published cells, in the input's row order."""
    index = tuple(codes)
    cell_hidden = hidden[index]
    cell_primary = primary[index]
    frame = table.loc[:, list(dims)].reset_index(drop=True)
    frame[count] = _nullable_counts(counts, cell_hidden)
    frame[_FLAG_COLUMN] = cell_hidden
    frame[_REASON_COLUMN] = _reason_labels(cell_hidden, cell_primary)
    return frame


def _margin_frames(
    dims: Sequence[str],
    count: str,
    levels: Sequence[pd.Index],
    values: np.ndarray,
    present: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
) -> dict[tuple[str, ...], pd.DataFrame]:
    """Return every margin (proper subset of ``dims``, largest first) as a published frame."""
    k = len(dims)
    margins: dict[tuple[str, ...], pd.DataFrame] = {}
    for size in range(k - 1, -1, -1):
        for subset in itertools.combinations(range(k), size):
            selection = tuple(
                slice(None, len(levels[axis])) if axis in subset else len(levels[axis])
                for axis in range(k)
            )
            positions = np.nonzero(present[selection]) if subset else ()
            frame = pd.DataFrame(
                {
                    dims[axis]: levels[axis].take(positions[slot])
                    for slot, axis in enumerate(subset)
                },
                index=pd.RangeIndex(len(positions[0]) if subset else 1),
            )
            margin_hidden = np.atleast_1d(hidden[selection][positions])
            frame[count] = _nullable_counts(
                np.atleast_1d(values[selection][positions]), margin_hidden
            )
            frame[_FLAG_COLUMN] = margin_hidden
            frame[_REASON_COLUMN] = _reason_labels(
                margin_hidden, np.atleast_1d(primary[selection][positions])
            )
            margins[tuple(dims[axis] for axis in subset)] = frame
    return margins


def _reason_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Count shown, primary and complementary rows of a published frame."""
    reasons = frame[_REASON_COLUMN]
    return {
        "entries": len(frame),
        "published": int((~frame[_FLAG_COLUMN]).sum()),
        "primary": int((reasons == "primary").sum()),
        "complementary": int((reasons == "complementary").sum()),
    }
