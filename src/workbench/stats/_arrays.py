"""Shared plumbing of :mod:`workbench.stats`: the number types, argument checks and giving a
result the container of its inputs (a Series in gives a Series out, with the same index)."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

#: A number, a numpy array or a pandas Series of numbers.
Numbers: TypeAlias = float | int | np.ndarray | pd.Series
#: What a vectorised function returns: ``float`` for numbers, else an array or a Series.
NumbersResult: TypeAlias = float | np.ndarray | pd.Series


def _as_float_array(value: Numbers) -> np.ndarray:
    """Return ``value`` as a new float array (never a view that could alter the input)."""
    if isinstance(value, pd.Series):
        return value.to_numpy(dtype=float, copy=True)
    return np.array(value, dtype=float, copy=True)


def _series_index(*values: object) -> pd.Index | None:
    """Return the index shared by the pandas Series among ``values``, or None if there are none.

    Series are combined by position, so they must carry the same index; otherwise a value
    could silently be paired with another row's.
    """
    indexes = [value.index for value in values if isinstance(value, pd.Series)]
    if not indexes:
        return None
    _require(
        all(index.equals(indexes[0]) for index in indexes[1:]),
        "pandas Series arguments must share the same index (align them first)",
    )
    return indexes[0]


def _restore_shape(result: np.ndarray, *templates: object) -> NumbersResult:
    """Give ``result`` the container of its inputs: Series (same index), array or float."""
    index = _series_index(*templates)
    if index is not None:
        return pd.Series(np.broadcast_to(result, (len(index),)).copy(), index=index)
    if np.ndim(result) == 0:
        return float(result)
    return result


def _require(condition: bool, message: str) -> None:
    """Raise :class:`ValueError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ValueError(message)


def _require_non_negative(name: str, values: np.ndarray) -> None:
    """Raise if any (non-missing) value is negative."""
    _require(not np.any(values < 0), f"{name} must be non-negative; got {values[values < 0][:3]}")


def _require_positive(name: str, values: np.ndarray) -> None:
    """Raise if any (non-missing) value is zero or negative."""
    _require(not np.any(values <= 0), f"{name} must be positive; got {values[values <= 0][:3]}")


def _require_level(level: float) -> None:
    """Raise unless ``level`` is a confidence level strictly between 0 and 1."""
    _require(0.0 < level < 1.0, f"level must be strictly between 0 and 1; got {level!r}")


def _two_sided_normal_quantile(level: float) -> float:
    """Return z such that a standard normal lies within ±z with probability ``level``."""
    _require_level(level)
    return float(_scipy_stats.norm.ppf(0.5 + level / 2.0))
