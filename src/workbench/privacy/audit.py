"""The attacker's audit: :func:`audit_public_table` tries to recover hidden counts from what a
table publishes (linear programming over the totals, or solving lines one unknown at a time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbench.privacy._tables import (
    _MAX_TABLE_ENTRIES,
    _RANDOM_OBJECTIVES,
    _Equations,
    _factorize_dimensions,
    _line_residuals,
    _line_system,
    _position,
    _require_unique_combinations,
    _validated_dimensions,
    _validated_threshold,
)
from workbench.privacy.audience import PrivacyError, small_cell_threshold

__all__ = ["Exposure", "audit_public_table"]


@dataclass(frozen=True)
class Exposure:
    """A disclosure found by :func:`audit_public_table`.

    ``kind`` is ``"recovered"`` (a hidden entry whose value the published totals pin to one
    whole number) or ``"small_published"`` (a shown non-zero count below the threshold).
    ``dimensions`` names the table the entry is in (all dimensions for a cell, fewer for a
    margin, ``()`` for the grand total) and ``key`` its levels. ``lower``/``upper`` are the
    bounds an attacker can prove (equal to the count for a shown one).
    """

    kind: Literal["recovered", "small_published"]
    dimensions: tuple[str, ...]
    key: tuple[object, ...]
    lower: float
    upper: float

    def describe(self) -> str:
        """One line for a test failure or a log: where, what and how tightly."""
        where = (
            ", ".join(
                f"{name}={value!r}" for name, value in zip(self.dimensions, self.key, strict=True)
            )
            or "grand total"
        )
        if self.kind == "small_published":
            return f"{where}: published count {self.lower:g} is below the threshold"
        return f"{where}: hidden count recovered as {self.lower:g}..{self.upper:g}"


def audit_public_table(
    cells: pd.DataFrame,
    margins: Mapping[tuple[str, ...], pd.DataFrame] | None = None,
    *,
    dimensions: Sequence[str],
    count: str = "count",
    threshold: int | None = None,
    method: Literal["auto", "lp", "lines"] = "auto",
    max_lp_unknowns: int = 3_000,
    zeros_shown: bool = True,
) -> list[Exposure]:
    """Attack a table as published and return what it gives away (an empty list is safe).

    ``cells`` holds one row per published combination of ``dimensions`` with ``count`` missing
    (NaN or ``<NA>``) where suppressed; combinations absent from it are taken as known zeros.
    ``margins`` maps subsets of the dimensions (``()`` for the grand total) to their published
    sub-totals in the same layout; margins not given are unknown to the attacker.

    * ``"lp"``: for every hidden entry, minimise and maximise it by linear programming subject
      to every published total and non-negativity (scipy ``linprog``/HiGHS). It is recovered
      when its bounds hold a single whole number. With ``zeros_shown`` (the publisher shows
      zero counts, as :func:`suppress_small_cells` does by default) the attacker also knows
      that every hidden count is at least 1 (unless the published numbers rule that out). Entries surely spanning two whole numbers (seen
      in feasible tables from a few random objectives) are not minimised and maximised.
    * ``"lines"`` (for large tables): repeatedly solve any line of the table with its total
      that holds exactly one unknown. Finds only the simplest attacks.
    * ``"auto"``: ``"lp"`` up to ``max_lp_unknowns`` unknowns, else ``"lines"``.

    Also reports every published non-zero count (cell or margin) below ``threshold``
    (default :func:`small_cell_threshold`). Raises :class:`PrivacyError` when the published
    numbers do not add up (rounded tables cannot be audited this way).
    """
    dims = _validated_dimensions(cells, dimensions, count)
    limit = small_cell_threshold() if threshold is None else _validated_threshold(threshold)
    codes, levels = _factorize_dimensions(cells, dims)
    _require_unique_combinations(cells, dims, codes, levels)
    published = _published_table(cells, margins or {}, dims, count, codes, levels)
    exposures = _small_published(published, dims, levels, limit)
    chosen = method
    if method == "auto":
        chosen = "lp" if np.isnan(published.values).sum() <= max_lp_unknowns else "lines"
    if chosen == "lp":
        recovered = _recovered_by_linear_programming(
            published.values, published.targets, zeros_shown
        )
    elif chosen == "lines":
        recovered = _recovered_by_lines(published.values, published.targets)
    else:
        raise PrivacyError(f"unknown audit method {method!r}; expected 'auto', 'lp' or 'lines'")
    for flat, lower, upper in recovered:
        position = _position(flat, published.values.shape)
        exposures.append(_exposure("recovered", position, dims, levels, lower, upper))
    return exposures


@dataclass(frozen=True)
class _Published:
    """An extended table as an attacker sees it: NaN where unknown, and which NaNs are hidden
    counts (the attacker's targets) rather than margins that were never published."""

    values: np.ndarray
    targets: np.ndarray
    shown: np.ndarray


def _published_table(
    cells: pd.DataFrame,
    margins: Mapping[tuple[str, ...], pd.DataFrame],
    dims: tuple[str, ...],
    count: str,
    codes: Sequence[np.ndarray],
    levels: Sequence[pd.Index],
) -> _Published:
    """Lay the published cells and margins out as one extended table."""
    sizes = [len(level) for level in levels]
    shape = tuple(size + 1 for size in sizes)
    if math.prod(shape) > _MAX_TABLE_ENTRIES:
        raise PrivacyError(
            f"the table spans {math.prod(shape):,} cells and margins; too large to audit"
        )
    values = np.full(shape, np.nan)
    exists = np.zeros(shape, dtype=bool)
    targets = np.zeros(shape, dtype=bool)
    shown = np.zeros(shape, dtype=bool)
    cell_values = _published_counts(cells, count)
    values[(slice(None, -1),) * len(sizes)] = 0.0  # cells absent from ``cells`` are zeros
    index = tuple(codes)
    values[index] = cell_values
    exists[index] = True
    targets[index] = np.isnan(cell_values)
    shown[index] = ~np.isnan(cell_values)
    for axis, size in enumerate(sizes):
        along = np.moveaxis(exists, axis, -1)
        along[..., size] = along[..., :size].any(axis=-1)
    exists[(-1,) * len(shape)] = True
    for subset, frame in margins.items():
        axes = _margin_axes(subset, dims)
        margin_values = _published_counts(frame, count)
        position = []
        for axis, size in enumerate(sizes):
            if axis in axes:
                found = levels[axis].get_indexer(frame[dims[axis]])
                if (found < 0).any():
                    bad = frame[dims[axis]].iloc[int(np.flatnonzero(found < 0)[0])]
                    raise PrivacyError(
                        f"margin {subset} has level {bad!r} of {dims[axis]!r}, absent from the cells"
                    )
                position.append(found)
            else:
                position.append(np.full(len(frame), size))
        index = tuple(position)
        values[index] = margin_values
        targets[index] = np.isnan(margin_values)
        shown[index] = ~np.isnan(margin_values)
    # margin entries with nothing beneath them are structural zeros; others not given stay unknown
    structural = ~exists & np.isnan(values)
    values[structural] = 0.0
    return _Published(values=values, targets=targets, shown=shown)


def _margin_axes(subset: Iterable[str], dims: tuple[str, ...]) -> set[int]:
    """Return the axes a margin's key names, checking they are dimensions."""
    names = tuple(subset)
    unknown = [name for name in names if name not in dims]
    if unknown or len(set(names)) != len(names) or len(names) >= len(dims):
        raise PrivacyError(
            f"margin key {names!r} must be a proper subset of the dimensions {dims!r}"
        )
    return {dims.index(name) for name in names}


def _published_counts(frame: pd.DataFrame, count: str) -> np.ndarray:
    """Return a published count column as floats with NaN where suppressed."""
    if count not in frame.columns:
        raise PrivacyError(f"published frame has no column {count!r}; it has {list(frame.columns)}")
    return pd.to_numeric(frame[count], errors="raise").to_numpy(dtype=float, na_value=np.nan)


def _small_published(
    published: _Published, dims: tuple[str, ...], levels: Sequence[pd.Index], limit: int
) -> list[Exposure]:
    """Return an exposure for every shown non-zero count below ``limit``."""
    small = published.shown & (published.values > 0) & (published.values < limit)
    exposures = []
    for flat in np.flatnonzero(small):
        position = _position(flat, small.shape)
        value = float(published.values[position])
        exposures.append(_exposure("small_published", position, dims, levels, value, value))
    return exposures


def _exposure(
    kind: Literal["recovered", "small_published"],
    position: tuple[int, ...],
    dims: tuple[str, ...],
    levels: Sequence[pd.Index],
    lower: float,
    upper: float,
) -> Exposure:
    """Build an :class:`Exposure` for an entry of the extended table."""
    axes = [axis for axis, level in enumerate(position) if level < len(levels[axis])]
    return Exposure(
        kind=kind,
        dimensions=tuple(dims[axis] for axis in axes),
        key=tuple(_plain(levels[axis][position[axis]]) for axis in axes),
        lower=float(lower),
        upper=float(upper),
    )


def _plain(value: object) -> object:
    """Return a numpy scalar as the matching Python one (readable in messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _require_consistent(used: np.ndarray, residuals: np.ndarray) -> None:
    """Raise when a fully published line does not add up."""
    complete = np.ones(residuals.size, dtype=bool)
    complete[used] = False
    if (np.abs(residuals[complete]) > 1e-6).any():
        raise PrivacyError(
            "published cells and totals do not add up (a total differs from the sum of its "
            "cells); audit the table before rounding or correct the totals"
        )


def _recovered_by_linear_programming(
    values: np.ndarray, targets: np.ndarray, zeros_shown: bool
) -> list[tuple[int, float, float]]:
    """Return (flat position, lower, upper) of every target pinned to one whole number.

    Feasible tables from linear programs with random objectives give each entry a range it
    surely spans; a target whose range already holds two whole numbers is safe. The others
    are minimised and maximised exactly (no upper bound) to get the attacker's bounds. Hidden
    counts are at least 1 when ``zeros_shown``; margins never published are at least 0.
    """
    unknown = np.isnan(values)
    matrix, used, flat = _line_system(unknown)
    residuals = _line_residuals(values)
    _require_consistent(used, residuals)
    if flat.size == 0:
        return []
    system = _Equations(matrix.tocsc(), -residuals[used])
    floor = np.where(targets.ravel()[flat] & zeros_shown, 1.0, 0.0)
    seen_low = np.full(flat.size, np.inf)
    seen_high = np.full(flat.size, -np.inf)
    start = system.solve(np.zeros(flat.size), floor, feasible_only=True)
    if start is None:  # some hidden count must be zero: zeros were hidden too
        floor = np.zeros(flat.size)
        start = system.solve(np.zeros(flat.size), floor)
    assert start is not None  # a zero objective is never unbounded
    # random objectives need a box; any feasible table found inside it is feasible outside too
    ceiling = 2.0 * max(float(np.nanmax(values, initial=0.0)), float(start.max())) + 10.0
    generator = np.random.default_rng(20_240_603)
    for _ in range(_RANDOM_OBJECTIVES):
        point = system.solve(generator.standard_normal(flat.size), floor, ceiling)
        if point is not None:
            seen_low, seen_high = np.minimum(seen_low, point), np.maximum(seen_high, point)
    recovered = []
    for column in np.flatnonzero(targets.ravel()[flat]):
        if _holds_two_whole_numbers(seen_low[column], seen_high[column]):
            continue
        bounds = []
        for direction in (1.0, -1.0):
            objective = np.zeros(flat.size)
            objective[column] = direction
            point = system.solve(objective, floor)
            if point is None:
                bounds.append(-direction * np.inf)
                continue
            seen_low, seen_high = np.minimum(seen_low, point), np.maximum(seen_high, point)
            bounds.append(float(point[column]))
        if not _holds_two_whole_numbers(*bounds):
            recovered.append((int(flat[column]), bounds[0], bounds[1]))
    return recovered


def _holds_two_whole_numbers(low: float, high: float) -> bool:
    """Whether the interval [low, high] contains at least two whole numbers."""
    if not np.isfinite(high) or not np.isfinite(low):
        return bool(high > low)
    return math.floor(high + 1e-6) - math.ceil(low - 1e-6) >= 1


def _recovered_by_lines(values: np.ndarray, targets: np.ndarray) -> list[tuple[int, float, float]]:
    """Return (flat position, value, value) of every target found by solving lines holding
    exactly one unknown entry, repeatedly, to a fixed point."""
    unknown = np.isnan(values)
    _, used, _ = _line_system(unknown)
    _require_consistent(used, _line_residuals(values))
    solved = values.copy()
    progress = True
    while progress:
        progress = False
        for axis in range(values.ndim):
            along = np.moveaxis(solved, axis, -1)
            missing = np.isnan(along)
            single = missing.sum(axis=-1) == 1
            if not single.any():
                continue
            known = np.nan_to_num(along, nan=0.0)
            entries = known[..., :-1].sum(axis=-1)
            slot = missing.argmax(axis=-1)
            value = np.where(slot == along.shape[-1] - 1, entries, known[..., -1] - entries)
            where = np.nonzero(single)
            along[(*where, slot[where])] = value[where]
            progress = True
    found = np.flatnonzero(targets & ~np.isnan(solved))
    return [(int(flat), float(solved.ravel()[flat]), float(solved.ravel()[flat])) for flat in found]
