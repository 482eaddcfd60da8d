"""Small vectorised helpers shared by the demo-city generators (private).

Everything here is pure: numbers in, arrays out. Random draws always come from a
:class:`numpy.random.Generator` passed in by the caller, derived with :func:`derived_rng`
from the user's seed and a fixed stream name, so a table's rows depend only on the seed,
the scale and the chunk (month) they belong to.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SECONDS_PER_DAY = 86_400
EPOCH = dt.date(1970, 1, 1)


def derived_rng(seed: int, stream: str, *parts: int) -> np.random.Generator:
    """A generator for one named stream (table, chunk): independent of every other stream."""
    stream_code = zlib.crc32(stream.encode())
    return np.random.default_rng([int(seed), stream_code, *(int(p) for p in parts)])


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (the unit of ``date32`` and of every day index here)."""
    return (day - EPOCH).days


def seasonal_factor(
    day_numbers: np.ndarray, amplitude: float, peak_day_of_year: float
) -> np.ndarray:
    """``1 + amplitude · cos(2π (day_of_year − peak) / 365.25)``: mean 1 over a year."""
    day_of_year = _day_of_year(day_numbers)
    return 1.0 + amplitude * np.cos(2.0 * np.pi * (day_of_year - peak_day_of_year) / 365.25)


def _day_of_year(day_numbers: np.ndarray) -> np.ndarray:
    dates = np.asarray(day_numbers, dtype="int64").astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    return (dates - years).astype("int64").astype(float)


def weekday(day_numbers: np.ndarray) -> np.ndarray:
    """Day of week, Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.asarray(day_numbers, dtype="int64") + 3) % 7


def month_start_numbers(first_day: dt.date, last_day: dt.date) -> list[tuple[int, int, int, int]]:
    """Calendar months overlapping ``[first_day, last_day]`` as ``(year, month, first, last)``
    day numbers, clipped to the range."""
    months = []
    year, month = first_day.year, first_day.month
    while (year, month) <= (last_day.year, last_day.month):
        start = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        first = max(day_number(start), day_number(first_day))
        last = min(day_number(following) - 1, day_number(last_day))
        months.append((year, month, first, last))
        year, month = following.year, following.month
    return months


def normalised(weights: Sequence[float] | Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Weights scaled to sum to 1 along the last axis."""
    array = np.asarray(weights, dtype=float)
    return array / array.sum(axis=-1, keepdims=True)


def sample_by_group(
    rng: np.random.Generator, groups: np.ndarray, probabilities: np.ndarray
) -> np.ndarray:
    """For each element, an index drawn from ``probabilities[group]`` (a row-stochastic matrix).

    One ``searchsorted`` over the stacked cumulative rows, offset by the group number, so a
    million draws from a hundred different distributions cost one vectorised pass.
    """
    probabilities = np.asarray(probabilities, dtype=float)
    group_count, choices = probabilities.shape
    cumulative = np.cumsum(normalised(probabilities), axis=1)
    cumulative[:, -1] = 1.0
    stacked = (cumulative + np.arange(group_count)[:, None]).ravel()
    targets = np.asarray(groups, dtype="int64") + rng.random(len(groups)) * (1.0 - 1e-12)
    flat = np.searchsorted(stacked, targets, side="right")
    return np.minimum(flat - np.asarray(groups, dtype="int64") * choices, choices - 1)


def lognormal_minutes(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, size: int
) -> np.ndarray:
    """Durations (minutes) from a log-normal with the given median and log-sd."""
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(size))


def strings(
    vocabulary: Sequence[str] | pa.Array, codes: np.ndarray, null_mask: np.ndarray | None = None
) -> pa.Array:
    """A string array ``vocabulary[codes]``, NULL where ``null_mask`` is true (no Python loop)."""
    values = (
        vocabulary if isinstance(vocabulary, pa.Array) else pa.array(list(vocabulary), pa.string())
    )
    indices = pa.array(np.asarray(codes, dtype="int64"), mask=null_mask)
    return values.take(indices)


def numbered_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` followed by each number zero-padded to ``width`` digits."""
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype="int64")), pa.string()), width=width, padding="0"
    )
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def timestamps(seconds: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    """``timestamp[us]`` from seconds since the epoch, NULL where ``null_mask`` is true."""
    micros = np.asarray(seconds, dtype="int64") * 1_000_000
    return pa.array(micros, type=pa.timestamp("us"), mask=null_mask)


def dates(day_numbers: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    """``date32`` from day numbers, NULL where ``null_mask`` is true."""
    return pa.array(np.asarray(day_numbers, dtype="int32"), type=pa.date32(), mask=null_mask)


def floats(
    values: np.ndarray, null_mask: np.ndarray | None = None, decimals: int | None = None
) -> pa.Array:
    """``float64`` values (optionally rounded), NULL where ``null_mask`` is true."""
    array = np.asarray(values, dtype=float)
    if decimals is not None:
        array = np.round(array, decimals)
    return pa.array(array, type=pa.float64(), mask=null_mask)


def booleans(values: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_(), mask=null_mask)


def integers(values: np.ndarray, null_mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype="int64"), type=pa.int64(), mask=null_mask)


def expand_counts(counts: np.ndarray) -> np.ndarray:
    """Flat cell index repeated by its count (C order), e.g. ``[0, 2, 1] -> [1, 1, 2]``."""
    flat = np.asarray(counts).ravel()
    return np.repeat(np.arange(flat.size), flat)


def spell_cover(starts: np.ndarray, lengths: np.ndarray, last_allowed: np.ndarray) -> np.ndarray:
    """Positions covered by spells ``[start, start + length)``, each clipped at ``last_allowed``.

    Used to mark multi-shift absences on a member's run of consecutive scheduled shifts.
    """
    lengths = np.asarray(lengths, dtype="int64")
    if lengths.size == 0:
        return np.zeros(0, dtype="int64")
    total = int(lengths.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    positions = np.repeat(np.asarray(starts, dtype="int64"), lengths) + offsets
    keep = positions <= np.repeat(np.asarray(last_allowed, dtype="int64"), lengths)
    return positions[keep]
