"""Shared machinery of suppression and audit: validating a count table, laying it out as an
extended table (cells plus every margin), and the linear equations its published totals make.

Private to :mod:`workbench.privacy`: :mod:`~workbench.privacy.suppression` builds patterns
with it, :mod:`~workbench.privacy.audit` attacks them with it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse as _sparse
from scipy.optimize import linprog as _linprog

from workbench.privacy.audience import PrivacyError

#: Largest extended table (cells plus every margin) :func:`suppress_small_cells` will hold.
_MAX_TABLE_ENTRIES = 5_000_000
#: Linear programs with more unknowns than this are solved by interior point, not simplex.
_INTERIOR_POINT_FROM = 1_000
#: Linear programs with random objectives solved first by the checks (each certifies many).
_RANDOM_OBJECTIVES = 4
#: Column names :func:`suppress_small_cells` adds, which dimensions must not use.
_FLAG_COLUMN = "suppressed"
_REASON_COLUMN = "reason"


def _validated_dimensions(
    table: pd.DataFrame, dimensions: Sequence[str], count: str
) -> tuple[str, ...]:
    """Return ``dimensions`` as a tuple after checking they and ``count`` are usable columns."""
    if isinstance(dimensions, str):
        raise PrivacyError(
            f"dimensions must be a sequence of column names, not the string {dimensions!r}"
        )
    dims = tuple(dimensions)
    if not dims:
        raise PrivacyError("dimensions must name at least one column")
    if len(set(dims)) != len(dims):
        raise PrivacyError(f"dimensions repeat a column: {list(dims)}")
    missing = [name for name in (*dims, count) if name not in table.columns]
    if missing:
        raise PrivacyError(f"table has no column(s) {missing}; it has {list(table.columns)}")
    if count in dims:
        raise PrivacyError(f"the count column {count!r} cannot also be a dimension")
    clashes = [name for name in dims if name in (_FLAG_COLUMN, _REASON_COLUMN)]
    if clashes:
        raise PrivacyError(f"dimension names {clashes} are reserved for the suppression flags")
    return dims


def _validated_threshold(threshold: int) -> int:
    """Return ``threshold`` as an int after checking it is a whole number of at least 1."""
    if isinstance(threshold, bool) or not float(threshold).is_integer() or threshold < 1:
        raise PrivacyError(f"threshold must be a whole number of at least 1, got {threshold!r}")
    return int(threshold)


def _validated_counts(table: pd.DataFrame, count: str) -> np.ndarray:
    """Return the ``count`` column as int64, raising on missing, negative or fractional values."""
    column = table[count]
    if column.isna().any():
        raise PrivacyError(
            f"column {count!r} has missing counts (row {column[column.isna()].index[0]!r})"
        )
    try:
        numbers = column.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise PrivacyError(f"column {count!r} must hold numbers, got {column.dtype}") from None
    bad = (numbers < 0) | (numbers != np.round(numbers))
    if bad.any():
        raise PrivacyError(
            f"column {count!r} must hold non-negative whole counts; "
            f"row {column.index[np.flatnonzero(bad)[0]]!r} has {numbers[bad][0]!r}"
        )
    return numbers.astype(np.int64)


def _factorize_dimensions(
    table: pd.DataFrame, dims: Sequence[str]
) -> tuple[list[np.ndarray], list[pd.Index]]:
    """Return each dimension's integer codes and its levels (sorted where possible; NaN kept)."""
    codes, levels = [], []
    for name in dims:
        try:
            code, uniques = pd.factorize(table[name], sort=True, use_na_sentinel=False)
        except TypeError:
            code, uniques = pd.factorize(table[name], sort=False, use_na_sentinel=False)
        codes.append(np.asarray(code, dtype=np.int64))
        levels.append(pd.Index(uniques, name=name))
    return codes, levels


def _require_unique_combinations(
    table: pd.DataFrame,
    dims: Sequence[str],
    codes: Sequence[np.ndarray],
    levels: Sequence[pd.Index],
) -> None:
    """Raise when two rows of ``table`` share a combination of the dimensions."""
    if len(table) == 0:
        return
    sizes = [max(len(level), 1) for level in levels]
    keys = np.ravel_multi_index(tuple(codes), sizes)
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    if (counts > 1).any():
        row = table.iloc[int(first[np.flatnonzero(counts > 1)[0]])]
        combination = {name: row[name] for name in dims}
        raise PrivacyError(f"table has more than one row for {combination}; aggregate it first")


def _position(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Return the position in an array of ``shape`` of flat (C-order) index ``flat``."""
    return tuple(int(index) for index in np.unravel_index(flat, shape))


def _line_system(unknown: np.ndarray) -> tuple[_sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Return the totals' equations restricted to the ``unknown`` entries of an extended table.

    Every line (one axis varying, the other positions fixed) says ``sum(entries) - total = 0``.
    Returns the sparse matrix (one row per line holding an unknown entry, one column per
    unknown entry, +1 for an entry and -1 for the line's total), the lines' global numbers
    (axis by axis, the other positions in C order) and the unknown entries' flat positions.
    """
    shape = unknown.shape
    flat = np.flatnonzero(unknown)
    coords = np.unravel_index(flat, shape)
    rows, signs = [], []
    offset = 0
    for axis in range(len(shape)):
        other_shape = shape[:axis] + shape[axis + 1 :]
        other = coords[:axis] + coords[axis + 1 :]
        line = np.ravel_multi_index(other, other_shape) if other else np.zeros(flat.size, np.int64)
        rows.append(line + offset)
        signs.append(np.where(coords[axis] == shape[axis] - 1, -1.0, 1.0))
        offset += math.prod(other_shape)
    columns = np.tile(np.arange(flat.size), len(shape))
    matrix = _sparse.csr_matrix(
        (np.concatenate(signs), (np.concatenate(rows), columns)), shape=(offset, flat.size)
    )
    used = np.flatnonzero(matrix.getnnz(axis=1))
    return matrix[used], used, flat


def _line_residuals(values: np.ndarray) -> np.ndarray:
    """Return ``sum(known entries) - known total`` for every line, numbered as in
    :func:`_line_system` (unknown entries count as zero)."""
    known = np.nan_to_num(values, nan=0.0)
    parts = []
    for axis in range(values.ndim):
        along = np.moveaxis(known, axis, -1)
        parts.append((along[..., :-1].sum(axis=-1) - along[..., -1]).ravel())
    return np.concatenate(parts)


@dataclass(frozen=True)
class _Equations:
    """The published totals as ``matrix @ x = right`` over the unknown entries ``x``."""

    matrix: _sparse.csc_matrix
    right: np.ndarray

    def solve(
        self,
        objective: np.ndarray,
        floor: float | np.ndarray = 0.0,
        ceiling: float | None = None,
        *,
        feasible_only: bool = False,
    ) -> np.ndarray | None:
        """Return an ``x`` with ``floor <= x <= ceiling`` (numbers or one per unknown)
        minimising ``objective @ x``, or None when the minimum is unbounded. No ``x`` fitting
        raises :class:`PrivacyError`, or, with ``feasible_only``, returns None."""
        size = objective.size
        top = np.inf if ceiling is None else ceiling
        bounds = np.column_stack((np.broadcast_to(floor, size), np.broadcast_to(top, size)))
        # HiGHS' interior-point method (with crossover to a vertex) is faster on large systems
        method = "highs-ipm" if size > _INTERIOR_POINT_FROM else "highs"
        result = _linprog(
            objective, A_eq=self.matrix, b_eq=self.right, bounds=bounds, method=method
        )
        if result.status == 2 and feasible_only:
            return None
        if result.status == 3:
            return None
        if result.status != 0:
            raise PrivacyError(
                "published cells and totals are inconsistent: no counts fit them "
                f"({result.message})"
            )
        return np.asarray(result.x)
