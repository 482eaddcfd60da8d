"""Crime counts, rates, CompStat comparisons and control charts.

Every function takes Ibis tables (``incidents`` and, for rates, ``population`` and
``neighbourhoods``) plus keyword options, aggregates in the engine and returns a small pandas
frame. Incidents are counted by occurrence date (``occurred_at``); reporting periods end on an
explicit ``as_of`` date (inclusive) and never on the clock.

Statistics come from :mod:`workbench.stats`: the Poisson z-score and E-test for changes,
Holm or Benjamini–Hochberg adjustment across a grid, and Shewhart c-chart limits.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import ibis
import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from workbench import stats
from workbench.analysis._common import (
    AnalysisInputError,
    next_period_start,
    one_year_earlier,
    period_key,
    period_start_from_key,
    period_start_of,
    period_table,
    population_for_years,
    require_columns,
    require_period,
    start_of_day,
    within_dates,
    zero_filled,
)

__all__ = [
    "COMPSTAT_PERIODS",
    "ComparisonWindow",
    "Geography",
    "change_statistics",
    "compstat_grid",
    "compstat_windows",
    "control_chart",
    "incident_counts",
    "incident_rates",
    "population_by_geography",
]

Geography: TypeAlias = Literal["service", "division", "neighbourhood"]
Adjustment: TypeAlias = Literal["holm", "bh"]

#: The CompStat periods, in display order.
COMPSTAT_PERIODS: tuple[str, ...] = ("last_7_days", "last_28_days", "year_to_date", "last_365_days")

_ROLLING_DAYS = {"last_7_days": 7, "last_28_days": 28, "last_365_days": 365}
_GEOGRAPHY_COLUMN = {"service": None, "division": "division", "neighbourhood": "neighbourhood_id"}
_DEFAULT_RATE_BASE = {"service": 100_000, "division": 100_000, "neighbourhood": 1_000}

#: Above this combined count the E-test is replaced by its normal approximation: the exact sum
#: grows with the square of the counts, and from 1,000 incidents on the two p-values agree to
#: within about 0.001 absolute and 2% relative down to p = 1e-4 (540 vs 460: 0.01142 exact,
#: 0.01141 approximate); only far tails (p < 1e-8) differ more.
EXACT_TEST_LIMIT = 1_000


# --------------------------------------------------------------------------------------------
# Counts and rates
# --------------------------------------------------------------------------------------------


def _grouped_period_counts(
    incidents: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    period: str,
    by: Sequence[str],
    time_column: str = "occurred_at",
    count_name: str = "incidents",
) -> pd.DataFrame:
    """Counts per period and group, aggregated in the engine (absent combinations missing).

    The engine groups by a cheap period key (:func:`period_key`); the few result rows get
    their period start in pandas."""
    window = incidents.filter(within_dates(incidents[time_column], start, end))
    bucketed = window.mutate(period_start=period_key(window[time_column], period))
    grouped = bucketed.group_by(["period_start", *by]).aggregate(**{count_name: bucketed.count()})
    frame = grouped.to_pandas()
    frame["period_start"] = period_start_from_key(frame["period_start"], period)
    return frame


def incident_counts(
    incidents: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    period: str = "month",
    by: Sequence[str] = ("offence_category",),
) -> pd.DataFrame:
    """Incidents per period (by occurrence date) and group, zero-filled.

    Args:
        incidents: the canonical ``incidents`` table (or a filtered view of it).
        start: first day counted.
        as_of: last day counted (the end of the reporting period).
        period: ``"day"``, ``"week"`` (ISO, Monday start), ``"month"`` or ``"year"``.
        by: grouping columns of ``incidents``; ``()`` for the total.

    Returns:
        ``period_start, *by, incidents, complete``: one row per period and group that has at
        least one incident in the window (missing periods are 0). ``complete`` is false for a
        period only partly inside ``start``..``as_of`` (e.g. the month to date).
    """
    by = list(by)
    require_period(period)
    require_columns(incidents, ["occurred_at", *by], "incidents")
    if start > as_of:
        raise AnalysisInputError(f"start {start} is after as_of {as_of}")
    counts = _grouped_period_counts(incidents, start=start, end=as_of, period=period, by=by)
    periods = period_table(start, as_of, period)
    filled = zero_filled(counts, period_column="period_start",
                         period_values=list(periods["period_start"]), group_columns=by,
                         value_columns=["incidents"])
    return filled.merge(periods, on="period_start", how="left")[
        ["period_start", *by, "incidents", "complete"]
    ]


def population_by_geography(
    population: ibis.Table,
    neighbourhoods: ibis.Table,
    *,
    geography: Geography,
) -> pd.DataFrame:
    """Resident population per geography and year: ``[geography column], year, population``.

    Division population is the sum of its neighbourhoods' (from ``neighbourhoods.division``);
    the service's is the sum of all neighbourhoods.
    """
    _require_geography(geography)
    require_columns(population, ["neighbourhood_id", "year", "population"], "population")
    column = _GEOGRAPHY_COLUMN[geography]
    if geography == "division":
        require_columns(neighbourhoods, ["neighbourhood_id", "division"], "neighbourhoods")
        source = population.join(
            neighbourhoods.select("neighbourhood_id", "division"), "neighbourhood_id"
        )
    else:
        source = population
    keys = [column, "year"] if column else ["year"]
    grouped = source.group_by(keys).aggregate(population=source.population.sum())
    frame = grouped.to_pandas()
    frame["year"] = frame["year"].astype("int64")
    frame["population"] = frame["population"].astype("int64")
    return frame.sort_values(keys).reset_index(drop=True)


def _require_geography(geography: str) -> None:
    if geography not in _GEOGRAPHY_COLUMN:
        raise AnalysisInputError(
            f"geography must be one of {', '.join(_GEOGRAPHY_COLUMN)}; got {geography!r}"
        )


def incident_rates(
    incidents: ibis.Table,
    population: ibis.Table,
    neighbourhoods: ibis.Table,
    *,
    start: dt.date,
    as_of: dt.date,
    period: str = "year",
    geography: Geography = "service",
    by: Sequence[str] = ("offence_category",),
    per: int | None = None,
) -> pd.DataFrame:
    """Incident counts and rates per resident, by period, geography and group.

    ``rate = incidents / population × per`` with ``per`` 100,000 for the service and divisions
    and 1,000 for neighbourhoods unless given. The rate is per period: a weekly or monthly rate
    is not annualised, and a partial period (``complete`` false) has a partial count.

    Population comes from the ``population`` table (neighbourhood × year); a division's is the
    sum of its neighbourhoods. When a period's year has no population yet, the latest earlier
    year is used (else the earliest later one); ``population_year`` says which year was used.
    Incidents with no division or neighbourhood are left out of sub-city rates (they remain in
    the service total). Every geography with a population appears, with 0 where it had no
    incidents; a geography with incidents but no population gets a NaN rate.

    Returns:
        ``period_start, [division|neighbourhood_id], *by, incidents, complete, population,
        population_year, rate, per``.
    """
    _require_geography(geography)
    require_period(period)
    by = list(by)
    column = _GEOGRAPHY_COLUMN[geography]
    geography_columns = [column] if column else []
    require_columns(incidents, ["occurred_at", *geography_columns, *by], "incidents")
    if start > as_of:
        raise AnalysisInputError(f"start {start} is after as_of {as_of}")
    rate_base = per if per is not None else _DEFAULT_RATE_BASE[geography]
    if rate_base <= 0:
        raise AnalysisInputError(f"per must be positive; got {per!r}")

    located = incidents
    if column:
        located = incidents.filter(incidents[column].notnull())
    counts = _grouped_period_counts(located, start=start, end=as_of, period=period,
                                    by=[*geography_columns, *by])
    population_frame = population_by_geography(population, neighbourhoods, geography=geography)
    periods = period_table(start, as_of, period)

    group_columns = [*geography_columns, *by]
    observed_groups = counts[group_columns].drop_duplicates()
    if column:
        places = population_frame[[column]].drop_duplicates()
        categories = counts[by].drop_duplicates() if by else pd.DataFrame(index=[0])
        expected = places.merge(categories, how="cross")
        groups = pd.concat([expected, observed_groups], ignore_index=True).drop_duplicates()
    else:
        groups = observed_groups if by else None
    filled = zero_filled(counts, period_column="period_start",
                         period_values=list(periods["period_start"]),
                         group_columns=group_columns, value_columns=["incidents"], groups=groups)
    filled = filled.merge(periods, on="period_start", how="left")
    filled["year"] = filled["period_start"].dt.year.astype("int64")
    years = sorted(filled["year"].unique())
    if len(population_frame):
        lookup = population_for_years(population_frame, years, column)
        filled = filled.merge(lookup, on=[*geography_columns, "year"], how="left")
    else:
        filled["population"] = np.nan
        filled["population_year"] = np.nan
    filled["population"] = filled["population"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        filled["rate"] = filled["incidents"] / filled["population"] * rate_base
    filled.loc[filled["population"] <= 0, "rate"] = np.nan
    filled["per"] = rate_base
    return filled[["period_start", *group_columns, "incidents", "complete", "population",
                   "population_year", "rate", "per"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# CompStat
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonWindow:
    """A current window and the same window a year earlier (all dates inclusive)."""

    period: str
    current_start: dt.date
    current_end: dt.date
    past_start: dt.date
    past_end: dt.date

    @property
    def current_days(self) -> int:
        return (self.current_end - self.current_start).days + 1

    @property
    def past_days(self) -> int:
        return (self.past_end - self.past_start).days + 1


def compstat_windows(
    as_of: dt.date, periods: Sequence[str] = COMPSTAT_PERIODS
) -> list[ComparisonWindow]:
    """The CompStat windows ending at ``as_of`` and the same windows a year earlier.

    * ``last_7_days`` / ``last_28_days`` / ``last_365_days``: the N days ending at ``as_of``,
      against the N days ending on the same calendar date a year earlier.
    * ``year_to_date``: 1 January to ``as_of``, against 1 January to the same date a year
      earlier (the two can differ by a day around 29 February; the E-test uses the lengths).
    """
    windows = []
    past_end = one_year_earlier(as_of)
    for period in periods:
        if period in _ROLLING_DAYS:
            length = dt.timedelta(days=_ROLLING_DAYS[period] - 1)
            windows.append(ComparisonWindow(period, as_of - length, as_of,
                                            past_end - length, past_end))
        elif period == "year_to_date":
            windows.append(ComparisonWindow(period, as_of.replace(month=1, day=1), as_of,
                                            past_end.replace(month=1, day=1), past_end))
        else:
            raise AnalysisInputError(
                f"unknown CompStat period {period!r}; known: {', '.join(COMPSTAT_PERIODS)}"
            )
    return windows


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


@functools.lru_cache(maxsize=65_536)
def _e_test(first: float, second: float, first_days: float, second_days: float) -> float:
    """Memoised :func:`workbench.stats.e_test` (a pure function; grids repeat small pairs)."""
    return stats.e_test(first, second, first_days, second_days)


def _p_values(current: np.ndarray, past: np.ndarray, current_days: np.ndarray,
              past_days: np.ndarray, exact_test_limit: int) -> tuple[np.ndarray, np.ndarray]:
    """E-test p-values (each distinct count pair computed once) and the method used per row."""
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
        keys = np.stack([current[exact], past[exact], current_days[exact], past_days[exact]],
                        axis=1)
        unique_keys, inverse = np.unique(keys, axis=0, return_inverse=True)
        unique_p = np.array([_e_test(float(k1), float(k2), float(n1), float(n2))
                             for k1, k2, n1, n2 in unique_keys])
        p_values[exact] = unique_p[np.ravel(inverse)]
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
    and span between window boundaries, summed into windows afterwards), then :func:`change_statistics` adds the change, percent change (n/a on a base below
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


# --------------------------------------------------------------------------------------------
# Control charts
# --------------------------------------------------------------------------------------------


def control_chart(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    period: str = "week",
    periods: int = 52,
    by: Sequence[str] = ("offence_category", "division"),
    baseline_periods: int | None = None,
) -> pd.DataFrame:
    """Poisson c-chart of counts per complete week or month, per group.

    The last ``periods`` complete periods ending on or before ``as_of`` are counted (a period
    still in progress on ``as_of`` is left out). Limits are ``mean ± 3√mean`` of the first
    ``baseline_periods`` of them (default: all), floored at 0
    (:func:`workbench.stats.c_chart_limits`); a point strictly outside is out of control.
    Judging recent periods against an earlier baseline (e.g. ``periods=78,
    baseline_periods=52``) keeps a recent surge from widening its own limits.

    Returns:
        ``period_start, *by, incidents, in_baseline, centre, lower, upper, out_of_control,
        signal`` (``"above"``, ``"below"`` or ``""``), zero-filled per group.
    """
    require_period(period, ("week", "month"))
    by = list(by)
    require_columns(incidents, ["occurred_at", *by], "incidents")
    if periods < 2:
        raise AnalysisInputError(f"periods must be at least 2; got {periods}")
    if baseline_periods is not None and not 1 <= baseline_periods <= periods:
        raise AnalysisInputError(
            f"baseline_periods must be between 1 and periods ({periods}); got {baseline_periods}"
        )
    last_start = period_start_of(as_of, period)
    if next_period_start(last_start, period) - dt.timedelta(days=1) > as_of:
        last_start = _previous_period_start(last_start, period)
    starts = [last_start]
    for _ in range(periods - 1):
        starts.insert(0, _previous_period_start(starts[0], period))
    end = next_period_start(last_start, period) - dt.timedelta(days=1)
    counts = _grouped_period_counts(incidents, start=starts[0], end=end, period=period, by=by)
    filled = zero_filled(counts, period_column="period_start", period_values=starts,
                         group_columns=by, value_columns=["incidents"])
    baseline_count = baseline_periods or periods
    baseline_starts = set(pd.to_datetime(starts[:baseline_count]))
    filled["in_baseline"] = filled["period_start"].isin(baseline_starts)

    chart = filled.assign(centre=np.nan, lower=np.nan, upper=np.nan, out_of_control=False)
    if len(chart):
        # ``filled`` is sorted by group, so each group is one run of rows: limits per group
        # from plain arrays (no per-group DataFrame copies)
        group_ids = (chart.groupby(by, dropna=False, sort=False).ngroup().to_numpy() if by
                     else np.zeros(len(chart), dtype="int64"))
        counts = chart["incidents"].to_numpy(dtype=float)
        in_baseline = chart["in_baseline"].to_numpy(dtype=bool)
        centre, lower, upper = (np.empty(len(chart)) for _ in range(3))
        out_of_control = np.zeros(len(chart), dtype=bool)
        boundaries = np.flatnonzero(np.diff(group_ids)) + 1
        for rows in np.split(np.arange(len(chart)), boundaries):
            limits = stats.c_chart_limits(counts[rows][in_baseline[rows]])
            centre[rows], lower[rows], upper[rows] = limits.centre, limits.lower, limits.upper
            out_of_control[rows] = np.asarray(stats.c_chart_out_of_control(counts[rows], limits))
        chart["centre"], chart["lower"], chart["upper"] = centre, lower, upper
        chart["out_of_control"] = out_of_control
    chart["signal"] = np.select(
        [chart["out_of_control"] & (chart["incidents"] > chart["upper"]),
         chart["out_of_control"] & (chart["incidents"] < chart["lower"])],
        ["above", "below"], "")
    return chart[["period_start", *by, "incidents", "in_baseline", "centre", "lower", "upper",
                  "out_of_control", "signal"]].reset_index(drop=True)


def _previous_period_start(start: dt.date, period: str) -> dt.date:
    """The first day of the period before the one starting on ``start``."""
    return period_start_of(start - dt.timedelta(days=1), period)
