"""CompStat: each period ending on a day against the same period a year earlier, with change
statistics across the whole grid.

:func:`compstat_grid` counts incidents in every CompStat window (:func:`compstat_windows`,
from :mod:`workbench.periods`) for every group in one engine scan; :func:`change_statistics`
adds the change, percent change, Poisson z-score and flag, E-test p-value and the p-value
adjusted across the grid (Holm or Benjamini–Hochberg), from :mod:`workbench.stats`. It also
serves the hot-spot analyses (:mod:`workbench.analysis.hotspots`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal, TypeAlias

import ibis
import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from workbench import stats
from workbench.analysis._common import (
    AnalysisInputError,
    require_columns,
    start_of_day,
    within_dates,
)
from workbench.periods import COMPSTAT_PERIODS, ComparisonWindow, compstat_windows

__all__ = [
    "COMPSTAT_PERIODS",
    "EXACT_TEST_LIMIT",
    "Adjustment",
    "ComparisonWindow",
    "change_statistics",
    "compstat_grid",
    "compstat_windows",
]

Adjustment: TypeAlias = Literal["holm", "bh"]

#: Above this combined count the E-test is replaced by its normal approximation: from 1,000
#: incidents on the two p-values agree to within about 0.001 absolute and 2% relative down to
#: p = 1e-4 (540 vs 460: 0.01142 exact, 0.01141 approximate); only far tails (p < 1e-8)
#: differ more.
EXACT_TEST_LIMIT = 1_000


def _normal_approximation_p_values(
    current: np.ndarray, past: np.ndarray, current_days: np.ndarray, past_days: np.ndarray
) -> np.ndarray:
    """Two-sided p-values of the E-test statistic under its normal approximation."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (current + past) / (current_days + past_days)
        statistic = (current / current_days - past / past_days) / np.sqrt(
            pooled * (1.0 / current_days + 1.0 / past_days)
        )
    return 2.0 * scipy_stats.norm.sf(np.abs(statistic))


def _p_values(current: np.ndarray, past: np.ndarray, current_days: np.ndarray,
              past_days: np.ndarray, exact_test_limit: int) -> tuple[np.ndarray, np.ndarray]:
    """E-test p-values (vectorised: each distinct count pair computed once) and the method used
    per row."""
    p_values = np.full(current.shape, np.nan)
    methods = np.full(current.shape, None, dtype=object)
    testable = (current + past) > 0
    exact = testable & ((current + past) <= exact_test_limit)
    approximate = testable & ~exact
    if approximate.any():
        p_values[approximate] = _normal_approximation_p_values(
            current[approximate], past[approximate], current_days[approximate],
            past_days[approximate])
        methods[approximate] = "normal_approximation"
    if exact.any():
        p_values[exact] = stats.e_test_p_values(current[exact], past[exact], current_days[exact],
                                                past_days[exact])
        methods[exact] = "e_test"
    return p_values, methods


def change_statistics(
    counts: pd.DataFrame,
    *,
    minimum_base: int = 10,
    z_threshold: float = 3.0,
    adjustment: Adjustment = "holm",
    alpha: float = 0.05,
    exact_test_limit: int = EXACT_TEST_LIMIT,
) -> pd.DataFrame:
    """Change statistics for pairs of counts (the flagging step of :func:`compstat_grid`).

    ``counts`` needs columns ``current`` and ``past`` (whole, non-negative counts) and may have
    ``current_days`` and ``past_days`` (window lengths, default equal). Returned: a copy with

    * ``change = current − past``;
    * ``percent_change = 100 · change / past``, NaN when ``past < minimum_base`` — the
      ``small_base`` column is then true and the value should be shown as "n/a";
    * ``z = 2(√current − √past)`` (:func:`workbench.stats.poisson_z`) and
      ``flagged = |z| > z_threshold`` (Wheeler's rule of thumb, ``z_threshold = 3``);
    * ``p_value``: the two-sided Poisson E-test of equal daily rates (exact up to
      ``exact_test_limit`` combined incidents, its normal approximation above; see
      ``p_value_method``); NaN when both counts are 0;
    * ``p_value_adjusted``: adjusted across every row with a p-value (Holm by default,
      or Benjamini–Hochberg with ``adjustment="bh"``), and ``significant = p_value_adjusted <
      alpha``;
    * ``direction``: ``"up"``, ``"down"`` or ``"same"``.

    Flags and multiple comparisons: ``flagged`` is a per-cell screen. When both counts are
    Poisson with the same mean, each square root has variance about 1/4, so ``z`` has
    variance about 2 (not 1): ``|z| > 3`` happens in about 3.4% of unchanged cells
    (``2Φ(−3/√2)``; more for small counts: about 4.4% at a mean of 5, 9% at 2). Wheeler's
    "standard normal" reading holds when the past figure is a long-run expected value rather
    than a single count. A grid of ``m`` unchanged cells therefore shows about ``0.034·m``
    false flags, and the flags control no grid-wide error rate. ``significant`` does: with
    Holm it holds the probability of *any* false signal in the grid below ``alpha`` (valid for
    the overlapping, hence dependent, CompStat windows); with BH it holds the expected share
    of false signals among the significant cells below ``alpha``. Read a flagged cell that is
    not significant as "worth a look", and a significant one as "unlikely to be chance even
    after looking at the whole grid".
    """
    for column in ("current", "past"):
        if column not in counts.columns:
            raise AnalysisInputError(f"counts must have a {column!r} column; got "
                                     f"{', '.join(map(str, counts.columns))}")
    if minimum_base < 0:
        raise AnalysisInputError(f"minimum_base must be non-negative; got {minimum_base}")
    if z_threshold <= 0:
        raise AnalysisInputError(f"z_threshold must be positive; got {z_threshold}")
    if not 0 < alpha < 1:
        raise AnalysisInputError(f"alpha must be between 0 and 1; got {alpha}")
    if adjustment not in ("holm", "bh"):
        raise AnalysisInputError(f"adjustment must be 'holm' or 'bh'; got {adjustment!r}")

    result = counts.copy()
    current = result["current"].to_numpy(dtype=float)
    past = result["past"].to_numpy(dtype=float)
    if np.any(np.isnan(current)) or np.any(np.isnan(past)):
        raise AnalysisInputError("counts must not be missing (use 0 for none)")
    current_days = (result["current_days"].to_numpy(dtype=float)
                    if "current_days" in result.columns else np.ones_like(current))
    past_days = (result["past_days"].to_numpy(dtype=float)
                 if "past_days" in result.columns else np.ones_like(current))

    result["change"] = current - past
    small_base = past < minimum_base
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = 100.0 * (current - past) / past
    result["percent_change"] = np.where(small_base | (past == 0), np.nan, percent)
    result["small_base"] = small_base
    result["z"] = stats.poisson_z(current, past) if len(result) else np.array([], dtype=float)
    result["flagged"] = np.abs(result["z"].to_numpy(dtype=float)) > z_threshold
    p_values, methods = _p_values(current, past, current_days, past_days, exact_test_limit)
    result["p_value"] = p_values
    result["p_value_method"] = methods
    adjusted = np.full(p_values.shape, np.nan)
    tested = ~np.isnan(p_values)
    if tested.any():
        adjusted[tested] = stats.adjust_p_values(p_values[tested], method=adjustment)
    result["p_value_adjusted"] = adjusted
    result["significant"] = adjusted < alpha
    result["direction"] = np.select([current > past, current < past], ["up", "down"], "same")
    return result


def _window_counts(
    incidents: ibis.Table, windows: Sequence[ComparisonWindow], by: Sequence[str]
) -> pd.DataFrame:
    """``*by, current_0, past_0, current_1, …``: incidents per group in each window, from one
    scan of ``incidents``.

    The windows' first days and the days after their last days cut time into at most
    ``4 × len(windows)`` consecutive spans; the engine counts incidents per group and span
    (one comparison chain per row, instead of a conditional sum per window side), and each
    window's count is the sum of the spans it covers. Every group with an incident in any
    window appears, with 0 where a window has none; ``by = ()`` gives one row.
    """
    if not windows:
        raise AnalysisInputError("periods must name at least one CompStat period")
    by = list(by)
    sides = [(f"{side}_{index}", first, last + dt.timedelta(days=1))
             for index, window in enumerate(windows)
             for side, first, last in (("current", window.current_start, window.current_end),
                                       ("past", window.past_start, window.past_end))]
    edges = sorted({day for _, first, after in sides for day in (first, after)})
    scanned = incidents.filter(within_dates(incidents.occurred_at, edges[0],
                                            edges[-1] - dt.timedelta(days=1)))
    span = ibis.cases(*((scanned.occurred_at < ibis.timestamp(start_of_day(edge)), position)
                        for position, edge in enumerate(edges[1:-1])),
                      else_=len(edges) - 2)
    spanned = scanned.mutate(span=span)
    counted = spanned.group_by([*by, "span"]).aggregate(incidents=spanned.count()).to_pandas()
    # covers[s, k]: span s (edges[s] up to edges[s + 1]) lies inside window side k
    covers = np.array([[first <= edges[s] and edges[s + 1] <= after for _, first, after in sides]
                       for s in range(len(edges) - 1)], dtype="int64")
    spans = counted["span"].astype("int64").to_numpy()
    per_span = counted["incidents"].astype("int64").to_numpy()
    if by:  # groups in order of first appearance; a NULL key is a group of its own
        wide = counted[by].drop_duplicates().reset_index(drop=True)
        group_index = counted.groupby(by, dropna=False, sort=False).ngroup().to_numpy()
    else:
        wide = pd.DataFrame(index=[0])
        group_index = np.zeros(len(counted), dtype="int64")
    matrix = np.zeros((len(wide), len(edges) - 1), dtype="int64")
    np.add.at(matrix, (group_index, spans), per_span)
    window_counts = matrix @ covers
    for position, (name, _, _) in enumerate(sides):
        wide[name] = window_counts[:, position]
    return wide.reset_index(drop=True)


def compstat_grid(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    by: Sequence[str] = ("offence_category",),
    periods: Sequence[str] = COMPSTAT_PERIODS,
    minimum_base: int = 10,
    z_threshold: float = 3.0,
    adjustment: Adjustment = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The CompStat grid: each period ending at ``as_of`` against the same period a year earlier.

    One scan of ``incidents`` in the engine counts every window for every group (per group
    and span between window boundaries, summed into windows afterwards), then
    :func:`change_statistics` adds the change, percent change (n/a on a base below
    ``minimum_base``), Poisson z-score and flag (``|z| > z_threshold``), E-test p-value and the
    p-value adjusted across the *whole grid* (every period and group together). See
    :func:`change_statistics` for how the flags relate to the adjusted p-values.

    Args:
        incidents: the canonical ``incidents`` table (or a filtered view).
        as_of: last day of the reporting period (inclusive).
        by: grouping columns, e.g. ``("offence_category", "division")``; ``()`` for the total.
            A group appears (in every period, with 0 → 0 where it had none) when it has an
            incident in any window; a NULL group value (e.g. no division) is its own group.
        periods: a subset of :data:`COMPSTAT_PERIODS`.
        minimum_base: smallest past count for which a percent change is shown.
        z_threshold: flag threshold for ``|z|``.
        adjustment: ``"holm"`` (family-wise error) or ``"bh"`` (false discovery rate).
        alpha: level for ``significant``.

    Returns:
        ``period, *by, current_start, current_end, past_start, past_end, current_days,
        past_days, current, past, change, percent_change, small_base, z, flagged, p_value,
        p_value_method, p_value_adjusted, significant, direction``, periods in the order given.
    """
    by = list(by)
    require_columns(incidents, ["occurred_at", *by], "incidents")
    windows = compstat_windows(as_of, periods)
    wide = _window_counts(incidents, windows, by)

    parts = []
    for index, window in enumerate(windows):
        part = wide[by].copy()
        part.insert(0, "period", window.period)
        part["current_start"] = window.current_start
        part["current_end"] = window.current_end
        part["past_start"] = window.past_start
        part["past_end"] = window.past_end
        part["current_days"] = window.current_days
        part["past_days"] = window.past_days
        part["current"] = wide[f"current_{index}"].to_numpy()
        part["past"] = wide[f"past_{index}"].to_numpy()
        parts.append(part)
    grid = pd.concat(parts, ignore_index=True)
    order = {period: position for position, period in enumerate(periods)}
    grid = grid.sort_values(
        ["period", *by], key=lambda s: s.map(order) if s.name == "period" else s,
        kind="stable", na_position="last",
    ).reset_index(drop=True)
    result = change_statistics(grid, minimum_base=minimum_base, z_threshold=z_threshold,
                               adjustment=adjustment, alpha=alpha)
    return result[["period", *by, "current_start", "current_end", "past_start", "past_end",
                   "current_days", "past_days", "current", "past", "change", "percent_change",
                   "small_base", "z", "flagged", "p_value", "p_value_method",
                   "p_value_adjusted", "significant", "direction"]]
