"""The Knox test for space-time clustering, with Monte Carlo significance: the computation
behind repeat and near-repeat analysis (Ratcliffe's Near Repeat Calculator; Johnson & Bowers;
Steenbeek's R package ``NearRepeat``).

Every pair of incidents is counted in the cell of its distance band × time band. Under the null
hypothesis (no space-time interaction) the times are exchangeable between places, so the
expected counts come from permuting the times over the places ``permutations`` times; the Knox
ratio is observed ÷ mean of the permuted counts and the p-value of a cell is
``(1 + number of permutations with a count ≥ the observed) / (permutations + 1)``, exactly as
``NearRepeat::NearRepeat`` computes them. Bands are half-open, ``[a, b)``, the convention of
R's ``cut(..., right = FALSE)``.

Speed: only pairs closer than the largest finite distance break change cell between
permutations in any way that needs counting. They are found once with a k-d tree
(:meth:`scipy.spatial.cKDTree.query_pairs`); each permutation is then an index shuffle and one
``bincount`` over those pairs, done for many permutations at a time in NumPy. Pairs farther
apart fall in the last ("more than") distance band, whose counts follow from totals that a
permutation cannot change: the number of pairs of times in each time band over *all* pairs
(computed once from the sorted times).

Everything here works on plain arrays in metres and days; :mod:`workbench.analysis.near_repeat`
selects incidents from the warehouse and calls it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from workbench.errors import AnalysisInputError, InsufficientDataError

__all__ = [
    "DistanceMetric",
    "KnoxTest",
    "band_breaks",
    "band_labels",
    "knox_test",
    "permutation_orders",
]

DistanceMetric: TypeAlias = Literal["manhattan", "euclidean"]

#: Pairs × permutations whose time gaps are held at once (a few tens of MB).
_CHUNK_ELEMENTS = 2_000_000
#: Permutations counted together (the gaps of one pair for all of them sit side by side).
_PERMUTATIONS_AT_ONCE = 128
#: Rows of booleans summed per byte lane of a 64-bit word (255 ones fit in a byte).
_LANE_ROWS = 255


@dataclass(frozen=True)
class KnoxTest:
    """The result of :func:`knox_test`.

    ``table`` has one row per distance band × time band: ``distance_band, time_band``
    (0-based), ``distance_from, distance_to`` (metres, ``[from, to)``), ``days_from, days_to``,
    ``distance_label, time_label``, ``observed`` (pairs), ``expected`` (mean of the permuted
    counts), ``expected_median``, ``expected_exact`` (the exact permutation expectation,
    ``pairs in the distance band × pairs of times in the time band ÷ all pairs``),
    ``knox_ratio`` (observed ÷ expected; NaN when expected is 0), ``knox_ratio_median``,
    ``p_value`` and ``significant`` (``p_value ≤ alpha`` and ``knox_ratio > 1``).
    """

    table: pd.DataFrame
    incidents: int
    pairs: int
    permutations: int
    seed: int | None
    metric: DistanceMetric
    alpha: float
    distance_breaks: tuple[float, ...]
    time_breaks: tuple[float, ...]

    def matrix(self, value: str = "knox_ratio") -> pd.DataFrame:
        """``value`` as a distance × time grid (rows and columns named by the band labels)."""
        grid = self.table.pivot(index="distance_band", columns="time_band", values=value)
        labels = self.table.drop_duplicates("distance_band").set_index("distance_band")
        times = self.table.drop_duplicates("time_band").set_index("time_band")
        grid.index = pd.Index(labels.loc[grid.index, "distance_label"], name="distance")
        grid.columns = pd.Index(times.loc[grid.columns, "time_label"], name="time")
        return grid


def band_breaks(width: float, count: int, *, same_location: float | None = 1.0,
                open_ended: bool = True) -> tuple[float, ...]:
    """Break points of ``count`` bands of ``width`` from 0, as the Near Repeat Calculator sets
    them: a "same location" band ``[0, same_location)`` first (None: no such band), then
    ``[same_location, width)``, ``[width, 2·width)``, ... and, if ``open_ended``, a last band
    "more than ``count·width``" up to infinity.

    ``band_breaks(100, 3)`` gives ``(0, 1, 100, 200, 300, inf)``; for time bands use
    ``band_breaks(7, 3, same_location=None)`` → ``(0, 7, 14, 21, inf)``.
    """
    if not width > 0 or int(count) != count or count < 1:
        raise AnalysisInputError(
            f"bands need a positive width and a whole number of bands; got {width}, {count}")
    if same_location is not None and not 0 < same_location < width:
        raise AnalysisInputError(
            f"same_location must lie between 0 and the band width {width}; got {same_location}")
    breaks = [0.0, *([float(same_location)] if same_location is not None else []),
              *(width * k for k in range(1, int(count) + 1))]
    if open_ended:
        breaks.append(math.inf)
    return tuple(breaks)


def band_labels(breaks: Sequence[float], unit: str) -> list[str]:
    """Plain-words labels of the bands ``[a, b)``: ``"0 to <1 m"``, ``"100 to <200 m"``,
    ``"300 m or more"``."""
    labels = []
    for lower, upper in zip(breaks[:-1], breaks[1:], strict=True):
        low = f"{lower:g}"
        labels.append(f"{low} {unit} or more" if math.isinf(upper)
                      else f"{low} to <{upper:g} {unit}")
    return labels


def _checked_breaks(breaks: Sequence[float], name: str) -> np.ndarray:
    values = np.asarray(breaks, dtype=float)
    if values.ndim != 1 or values.size < 2:
        raise AnalysisInputError(f"{name} needs at least two break points; got {list(breaks)}")
    if np.isnan(values).any() or values[0] < 0 or not np.all(np.diff(values) > 0):
        raise AnalysisInputError(
            f"{name} must be increasing numbers from 0 or more; got {list(breaks)}")
    if np.isinf(values[:-1]).any():
        raise AnalysisInputError(f"only the last of {name} may be infinite; got {list(breaks)}")
    return values


def permutation_orders(count: int, permutations: int, seed: int | None,
                       chunk: int) -> Iterator[np.ndarray]:
    """The permutations of ``range(count)`` used by :func:`knox_test`, ``chunk`` rows at a time
    (the same ``seed`` always gives the same sequence, whatever the chunk size)."""
    rng = np.random.default_rng(seed)
    for first in range(0, permutations, chunk):
        rows = min(chunk, permutations - first)
        yield np.stack([rng.permutation(count) for _ in range(rows)]).astype(np.int64)


def _pairs_below(times: np.ndarray, threshold: float) -> int:
    """How many pairs of ``times`` (sorted) are less than ``threshold`` apart."""
    if threshold <= 0:
        return 0
    if math.isinf(threshold):
        return len(times) * (len(times) - 1) // 2
    reach = np.searchsorted(times, times + threshold, side="left")
    return int((reach - np.arange(1, len(times) + 1)).sum())


def _time_band_totals(times: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Pairs of times in each band over all pairs: unchanged by any permutation."""
    ordered = np.sort(times)
    below = np.array([_pairs_below(ordered, b) for b in breaks], dtype=np.int64)
    return np.diff(below)


def _compact_times(times: np.ndarray) -> np.ndarray:
    """Times in the smallest exact type: whole numbers as 16- or 32-bit integers counted from
    the earliest (gathering and comparing small integers is fastest), others as floats."""
    if np.all(times == np.round(times)):
        shifted = times - times.min()
        for kind in (np.int16, np.int32):
            if shifted.max() <= np.iinfo(kind).max:
                return shifted.astype(kind)
    return times.astype(np.float64)


def _columns_of_eight(values: np.ndarray) -> np.ndarray:
    """A C-contiguous copy with columns padded (repeating the first) to a multiple of 8."""
    missing = -values.shape[1] % 8
    if missing:
        values = np.concatenate([values, np.repeat(values[:, :1], missing, axis=1)], axis=1)
    return np.ascontiguousarray(values)


def _close_pairs(points: np.ndarray, reach: float, metric: DistanceMetric,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) closer than ``reach`` and their distances."""
    if len(points) < 2 or reach <= 0:
        return np.empty((0, 2), dtype=np.int64), np.empty(0)
    norm = 1 if metric == "manhattan" else 2
    pairs = cKDTree(points).query_pairs(r=reach, p=norm, output_type="ndarray").astype(np.int64)
    difference = points[pairs[:, 0]] - points[pairs[:, 1]]
    distance = (np.abs(difference).sum(axis=1) if metric == "manhattan"
                else np.hypot(difference[:, 0], difference[:, 1]))
    keep = distance < reach
    return pairs[keep], distance[keep]


def _true_per_column(mask: np.ndarray) -> np.ndarray:
    """Column sums of a C-contiguous boolean (rows, columns) array, as int64.

    When rows are a multiple of 255 and columns of 8, the bytes are summed eight at a time
    as 64-bit words (no byte can carry over: at most 255 ones are added per lane), which is
    several times faster than NumPy's column reduction of bytes.
    """
    rows, columns = mask.shape
    if rows and rows % _LANE_ROWS == 0 and columns % 8 == 0:
        words = np.add.reduce(mask.view(np.uint64).reshape(_LANE_ROWS, -1), axis=0)
        return words.view(np.uint8).reshape(-1, columns).sum(axis=0, dtype=np.int64)
    return np.add.reduce(mask.view(np.uint8), axis=0, dtype=np.int64)


def _limit_in(kind: np.dtype, limit: float) -> np.generic | None:
    """``limit`` as a scalar of the gaps' own type, so comparing needs no conversion (for
    whole-number gaps ``gap < limit`` is ``gap < ⌈limit⌉``); None when every gap of that
    type is below it."""
    if np.issubdtype(kind, np.integer):
        if math.isinf(limit) or math.ceil(limit) > np.iinfo(kind).max:
            return None
        return kind.type(math.ceil(limit))
    return kind.type(limit)


def _pairs_closer_than_each_break(times: np.ndarray, first: np.ndarray, second: np.ndarray,
                                  bounds: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """For every column of ``times`` (one permutation each), how many pairs of each distance
    band are less than each of ``breaks`` apart in time.

    ``times`` is (incidents, permutations); the pairs ``first[i], second[i]`` are sorted by
    distance band, band ``b`` holding ``bounds[b]:bounds[b + 1]``. Returns
    (permutations, distance bands, breaks). The time gaps of a block of pairs are gathered for
    all permutations at once (rows of ``times`` are contiguous per incident) and counted with
    one comparison per break: about two nanoseconds per pair and permutation.
    """
    columns = times.shape[1]
    result = np.zeros((columns, len(bounds) - 1, len(breaks)), dtype=np.int64)
    positive = [(position, _limit_in(times.dtype, limit))
                for position, limit in enumerate(breaks) if limit > 0]  # no gap is below 0
    block = max(1, _CHUNK_ELEMENTS // (columns * _LANE_ROWS)) * _LANE_ROWS
    for band in range(len(bounds) - 1):
        for start in range(int(bounds[band]), int(bounds[band + 1]), block):
            stop = min(start + block, int(bounds[band + 1]))
            gaps = times[first[start:stop]]
            gaps -= times[second[start:stop]]
            np.abs(gaps, out=gaps)
            for position, limit in positive:
                result[:, band, position] += (
                    stop - start if limit is None  # beyond the type's range: every gap
                    else _true_per_column(np.less(gaps, limit)))
    return result


def knox_test(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    time: Sequence[float] | np.ndarray,
    *,
    distance_breaks: Sequence[float],
    time_breaks: Sequence[float],
    metric: DistanceMetric = "manhattan",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> KnoxTest:
    """Knox test over distance × time bands with Monte Carlo significance.

    Args:
        x, y: coordinates in metres (projected); rows with a missing value are left out.
        time: event times in days (whole days for the Near Repeat Calculator's convention).
        distance_breaks, time_breaks: band break points ``[b0, b1, ...]``; a pair falls in
            ``[b_k, b_k+1)``; a last break of ``inf`` makes an open "more than" band, a finite
            last break leaves farther pairs uncounted (as R's ``cut`` does).
            :func:`band_breaks` builds the calculator's usual bands.
        metric: ``"manhattan"`` (the calculator's default, a stand-in for street distance) or
            ``"euclidean"``.
        permutations: Monte Carlo replications (999: p-values down to 0.001).
        seed: seed of the permutations (None: fresh randomness each call).
        alpha: significance level used for the ``significant`` column.

    Raises:
        AnalysisInputError: bad breaks, metric, permutations or alpha; arrays of unequal length.
        InsufficientDataError: fewer than three located events.
    """
    if metric not in ("manhattan", "euclidean"):
        raise AnalysisInputError(f"metric must be 'manhattan' or 'euclidean'; got {metric!r}")
    if int(permutations) != permutations or permutations < 2:
        raise AnalysisInputError(f"permutations must be a whole number ≥ 2; got {permutations}")
    if not 0 < alpha < 1:
        raise AnalysisInputError(f"alpha must lie between 0 and 1; got {alpha}")
    space = _checked_breaks(distance_breaks, "distance_breaks")
    bands_of_time = _checked_breaks(time_breaks, "time_breaks")
    xs, ys, ts = (np.asarray(v, dtype=float).ravel() for v in (x, y, time))
    if not len(xs) == len(ys) == len(ts):
        raise AnalysisInputError(
            f"x, y and time must have the same length; got {len(xs)}, {len(ys)}, {len(ts)}")
    located = np.isfinite(xs) & np.isfinite(ys) & np.isfinite(ts)
    xs, ys, ts = xs[located], ys[located], ts[located]
    count = len(xs)
    if count < 3:
        raise InsufficientDataError(
            f"the Knox test needs at least 3 located events with a time; found {count}")

    time_values = _compact_times(ts)
    distance_bands = len(space) - 1
    open_distance = math.isinf(space[-1])
    reach = float(space[-2] if open_distance else space[-1])

    pairs, distance = _close_pairs(np.column_stack([xs, ys]), reach, metric)
    distance_band = np.searchsorted(space, distance, side="right") - 1
    inside = distance_band >= 0
    order = np.argsort(distance_band[inside], kind="stable")
    pairs, distance_band = pairs[inside][order], distance_band[inside][order]
    close_bands = distance_bands - 1 if open_distance else distance_bands
    bounds = np.searchsorted(distance_band, np.arange(close_bands + 1), side="left")
    first = np.ascontiguousarray(pairs[:, 0], dtype=np.intp)
    second = np.ascontiguousarray(pairs[:, 1], dtype=np.intp)
    close_per_band = np.diff(bounds)
    all_pairs = count * (count - 1) // 2
    time_totals = _time_band_totals(ts, bands_of_time)
    finite_time = bands_of_time[np.isfinite(bands_of_time)]

    def cell_counts(times: np.ndarray) -> np.ndarray:
        """(permutations, distance bands, time bands) counts for the columns of ``times``."""
        below = _pairs_closer_than_each_break(times, first, second, bounds, finite_time)
        if math.isinf(bands_of_time[-1]):  # every pair is closer than infinity
            below = np.concatenate(
                [below, np.broadcast_to(close_per_band[None, :, None],
                                        (below.shape[0], close_bands, 1))], axis=2)
        close = np.diff(below, axis=2)
        if not open_distance:
            return close
        far = time_totals[None, :] - close.sum(axis=1)
        return np.concatenate([close, far[:, None, :]], axis=1)

    observed = cell_counts(time_values[:, None])[0]
    chunk = max(1, min(int(permutations), _PERMUTATIONS_AT_ONCE))
    simulated = np.concatenate([
        cell_counts(_columns_of_eight(time_values[orders].T))[: len(orders)]
        for orders in permutation_orders(count, int(permutations), seed, chunk)])

    return KnoxTest(
        table=_result_table(observed, simulated, space, bands_of_time, time_totals,
                            distance_band, distance_bands, all_pairs, open_distance, alpha),
        incidents=count, pairs=all_pairs, permutations=int(permutations), seed=seed,
        metric=metric, alpha=alpha, distance_breaks=tuple(float(b) for b in space),
        time_breaks=tuple(float(b) for b in bands_of_time))


def _result_table(observed: np.ndarray, simulated: np.ndarray, space: np.ndarray,
                  times: np.ndarray, time_totals: np.ndarray, distance_band: np.ndarray,
                  distance_bands: int, all_pairs: int, open_distance: bool,
                  alpha: float) -> pd.DataFrame:
    pairs_per_distance = np.bincount(distance_band, minlength=distance_bands).astype(float)
    if open_distance:
        pairs_per_distance[-1] = all_pairs - pairs_per_distance[:-1].sum()
    exact = pairs_per_distance[:, None] * time_totals[None, :] / max(all_pairs, 1)
    mean = simulated.mean(axis=0)
    median = np.median(simulated, axis=0)
    exceed = (simulated >= observed[None, :, :]).sum(axis=0)
    p_value = (exceed + 1) / (simulated.shape[0] + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mean > 0, observed / mean, np.nan)
        ratio_median = np.where(median > 0, observed / median, np.nan)
    distance_labels = band_labels(space.tolist(), "m")
    time_labels = band_labels(times.tolist(), "days")
    d_index, t_index = np.meshgrid(np.arange(len(space) - 1), np.arange(len(times) - 1),
                                   indexing="ij")
    d_index, t_index = d_index.ravel(), t_index.ravel()
    frame = pd.DataFrame({
        "distance_band": d_index,
        "time_band": t_index,
        "distance_from": space[d_index],
        "distance_to": space[d_index + 1],
        "days_from": times[t_index],
        "days_to": times[t_index + 1],
        "distance_label": [distance_labels[i] for i in d_index],
        "time_label": [time_labels[i] for i in t_index],
        "observed": observed.ravel().astype(np.int64),
        "expected": mean.ravel(),
        "expected_median": median.ravel(),
        "expected_exact": exact.ravel(),
        "knox_ratio": ratio.ravel(),
        "knox_ratio_median": ratio_median.ravel(),
        "p_value": p_value.ravel(),
    })
    frame["significant"] = (frame["p_value"] <= alpha) & (frame["knox_ratio"] > 1)
    return frame
