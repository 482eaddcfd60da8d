"""Crime counts, rates and control charts (CompStat comparisons: :mod:`.compstat`, re-exported).

Every function takes Ibis tables (``incidents`` and, for rates, ``population`` and
``neighbourhoods``) plus keyword options, aggregates in the engine and returns a small pandas
frame. Incidents are counted by occurrence date (``occurred_at``); reporting periods end on an
explicit ``as_of`` date (inclusive) and never on the clock.

Statistics come from :mod:`workbench.stats`: the Poisson z-score and E-test for changes,
Holm or Benjamini–Hochberg adjustment across a grid, and Shewhart c-chart limits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal, TypeAlias

import ibis
import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis._common import (
    AnalysisInputError,
    period_key,
    period_start_from_key,
    period_table,
    population_for_years,
    require_columns,
    require_period,
    within_dates,
    zero_filled,
)
from workbench.analysis.compstat import (  # re-exported: CompStat lives in its own module
    COMPSTAT_PERIODS,
    EXACT_TEST_LIMIT,
    Adjustment,
    ComparisonWindow,
    change_statistics,
    compstat_grid,
    compstat_windows,
)
from workbench.analysis.schemes import choose_scheme, in_scheme
from workbench.periods import period_end, period_start_of, previous_period_start

__all__ = [
    "COMPSTAT_PERIODS",
    "EXACT_TEST_LIMIT",
    "Adjustment",
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

_GEOGRAPHY_COLUMN = {"service": None, "division": "division", "neighbourhood": "neighbourhood_id"}
_DEFAULT_RATE_BASE = {"service": 100_000, "division": 100_000, "neighbourhood": 1_000}

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
    scheme: str | None = None,
) -> pd.DataFrame:
    """Resident population per geography and year: ``[geography column], year, population``.

    Division population is the sum of its neighbourhoods' (from ``neighbourhoods.division``);
    the service's is the sum of all neighbourhoods. When the warehouse holds more than one
    neighbourhood scheme, one is used (``scheme``, else the one with the latest population
    year: :func:`workbench.analysis.schemes.choose_scheme`), so no resident is counted twice.
    """
    _require_geography(geography)
    require_columns(population, ["neighbourhood_id", "year", "population"], "population")
    chosen = choose_scheme(population, scheme)
    population = in_scheme(population, chosen)
    column = _GEOGRAPHY_COLUMN[geography]
    if geography == "division":
        require_columns(neighbourhoods, ["neighbourhood_id", "division"], "neighbourhoods")
        boundaries = in_scheme(neighbourhoods, chosen)
        source = population.join(
            boundaries.select("neighbourhood_id", "division"), "neighbourhood_id"
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
    scheme: str | None = None,
) -> pd.DataFrame:
    """Incident counts and rates per resident, by period, geography and group.

    ``rate = incidents / population × per`` with ``per`` 100,000 for the service and divisions
    and 1,000 for neighbourhoods unless given. The rate is per period: a weekly or monthly rate
    is not annualised, and a partial period (``complete`` false) has a partial count.

    Population comes from the ``population`` table (neighbourhood × year); a division's is the
    sum of its neighbourhoods. When a period's year has no population yet, the latest earlier
    year is used (else the earliest later one); ``population_year`` says which year was used.
    Incidents with no division or neighbourhood are left out of sub-city rates (they remain in
    the service total). When the warehouse holds several neighbourhood schemes, populations and
    boundaries come from one (``scheme``, else the latest: see
    :func:`population_by_geography`), and neighbourhood rates count only that scheme's incidents. Every geography with a population appears, with 0 where it had no
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
    if geography == "neighbourhood":
        located = in_scheme(located, choose_scheme(population, scheme))
    counts = _grouped_period_counts(located, start=start, end=as_of, period=period,
                                    by=[*geography_columns, *by])
    population_frame = population_by_geography(population, neighbourhoods, geography=geography,
                                               scheme=scheme)
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
    if period_end(last_start, period) > as_of:
        last_start = previous_period_start(last_start, period)
    starts = [last_start]
    for _ in range(periods - 1):
        starts.insert(0, previous_period_start(starts[0], period))
    end = period_end(last_start, period)
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
