"""The Racial Disproportionality and Disparity Indices with their intervals and flags, from the
counts of :mod:`.counts` (true counts, or published counts with suppressed cells missing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis._common import AnalysisInputError
from workbench.analysis.use_of_force.definitions import (
    DEFAULT_THRESHOLDS,
    STAGES,
    Benchmark,
    IndexThresholds,
    _require_benchmark,
)
from workbench.schema import RACE_GROUPS

__all__ = ["disparity_by_stage", "disproportionality_by_force_type", "disproportionality_by_stage"]


# --------------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------------
# Indices
# --------------------------------------------------------------------------------------------


def _as_float(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()


def _flags(index: np.ndarray, lower: np.ndarray, upper: np.ndarray, count: np.ndarray,
           thresholds: IndexThresholds) -> dict[str, object]:
    with np.errstate(invalid="ignore"):
        labels = np.where(index >= thresholds.over_representation, "over",
                          np.where(index <= thresholds.under_representation, "under", "within"))
        flag = np.where(np.isnan(index), np.array(None, dtype=object), labels.astype(object))
        significant = (lower > 1) | (upper < 1)
        caution = np.isnan(count) | (count < thresholds.minimum_count)
    return {"flag": flag, "significant": significant & ~np.isnan(index), "caution": caution}


def _index_columns(count: np.ndarray, total: np.ndarray, benchmark_count: np.ndarray,
                   benchmark_total: np.ndarray, *, benchmark_is_fixed: bool,
                   thresholds: IndexThresholds) -> dict[str, object]:
    """Share, benchmark share, index, interval and flags, NaN wherever an input is missing."""
    usable = (~np.isnan(count) & ~np.isnan(total) & ~np.isnan(benchmark_count)
              & ~np.isnan(benchmark_total) & (total > 0) & (benchmark_total > 0)
              & (benchmark_count > 0) & (count <= total) & (benchmark_count <= benchmark_total))
    index = np.full(count.shape, np.nan)
    lower = np.full(count.shape, np.nan)
    upper = np.full(count.shape, np.nan)
    if usable.any():
        result = stats.disproportionality_index(
            count[usable], total[usable], benchmark_count[usable], benchmark_total[usable],
            level=thresholds.confidence_level, benchmark_is_fixed=benchmark_is_fixed)
        index[usable], lower[usable], upper[usable] = result.ratio, result.lower, result.upper
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, count / total, np.nan)
        benchmark_share = np.where(benchmark_total > 0, benchmark_count / benchmark_total, np.nan)
    return {"share": share, "benchmark_share": benchmark_share, "index": index, "lower": lower,
            "upper": upper, **_flags(index, lower, upper, count, thresholds)}


def _group_values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """``column`` as floats, NaN on rows that are not one ARDS group (``multiple``,
    ``unknown``): those rows never get an index."""
    values = _as_float(frame[column])
    return np.where(frame["race_group"].isin(RACE_GROUPS).to_numpy(), values, np.nan)


def _extra_keys(frame: pd.DataFrame, known: Sequence[str]) -> list[str]:
    return [c for c in frame.columns if c not in known]


def _benchmark_stage_of(stages_present: Sequence[str], stage: str, benchmark: str) -> str | None:
    if stage == "population":
        return None
    if benchmark == "population":
        return "population"
    earlier = [s for s in STAGES[: STAGES.index(stage)] if s in stages_present]
    return earlier[-1] if earlier else None


def disproportionality_by_stage(
    stage_counts: pd.DataFrame,
    *,
    benchmark: Benchmark = "population",
    thresholds: IndexThresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """The Racial Disproportionality Index of every group at every stage after the population.

    ``stage_counts`` is the frame of :func:`stage_counts` (any extra columns, such as
    ``year``, are kept as groupings). Missing counts (``<NA>``, e.g. suppressed for a public
    page) give missing indices. ``benchmark`` is ``"population"`` (census; its share taken as
    known) or ``"previous_stage"`` (the nearest earlier stage present; its share is also
    estimated, so the interval adds its variance).

    Returns one row per (extra keys, stage, race_group) for the stages after the benchmark:
    ``count, total, share, benchmark_stage, benchmark_count, benchmark_total, benchmark_share,
    index, lower, upper, flag, significant, caution``. ``multiple`` and ``unknown`` rows keep
    their counts with a missing index.
    """
    _require_benchmark(benchmark)
    required = ["stage", "race_group", "count", "total"]
    missing = [c for c in required if c not in stage_counts.columns]
    if missing:
        raise AnalysisInputError(f"stage counts lack column(s) {', '.join(missing)}")
    extra = _extra_keys(stage_counts, required)
    present = list(dict.fromkeys(stage_counts["stage"]))
    parts = []
    for stage in [s for s in STAGES if s in present]:
        reference = _benchmark_stage_of(present, stage, benchmark)
        if reference is None:
            continue
        outcome = stage_counts.loc[stage_counts["stage"] == stage]
        base = stage_counts.loc[stage_counts["stage"] == reference,
                                [*extra, "race_group", "count", "total"]]
        base = base.rename(columns={"count": "benchmark_count", "total": "benchmark_total"})
        merged = outcome.merge(base, on=[*extra, "race_group"], how="left")
        columns = _index_columns(
            _as_float(merged["count"]), _as_float(merged["total"]),
            _group_values(merged, "benchmark_count"), _as_float(merged["benchmark_total"]),
            benchmark_is_fixed=reference == "population", thresholds=thresholds)
        merged = merged.assign(benchmark_stage=reference, **columns)
        parts.append(merged)
    columns_out = [*extra, "stage", "race_group", "count", "total", "share", "benchmark_stage",
                   "benchmark_count", "benchmark_total", "benchmark_share", "index", "lower",
                   "upper", "flag", "significant", "caution"]
    if not parts:
        return pd.DataFrame(columns=columns_out)
    return pd.concat(parts, ignore_index=True)[columns_out]


def disproportionality_by_force_type(
    force_type_counts: pd.DataFrame,
    stage_counts: pd.DataFrame,
    *,
    benchmark: Literal["population", "use_of_force"] = "use_of_force",
    thresholds: IndexThresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """The index at the fourth stage: each group's share of the people a *type* of force was
    used on ÷ its share of the benchmark (all use-of-force subjects, or the population).

    ``force_type_counts`` is :func:`use_of_force_subject_counts` with ``by=["force_type"]``
    (its ``total`` is then the denominator per force type); ``stage_counts`` supplies the
    benchmark stage. Extra columns (e.g. ``year``) present in both are matched. Returns
    ``force_type, race_group, count, total, share, benchmark_stage, benchmark_count,
    benchmark_total, benchmark_share, index, lower, upper, flag, significant, caution``.
    """
    if benchmark not in ("population", "use_of_force"):
        raise AnalysisInputError(
            f"benchmark must be 'population' or 'use_of_force'; got {benchmark!r}")
    required = ["force_type", "race_group", "count", "total"]
    missing = [c for c in required if c not in force_type_counts.columns]
    if missing:
        raise AnalysisInputError(f"force-type counts lack column(s) {', '.join(missing)}")
    extra = _extra_keys(force_type_counts, required)
    base = stage_counts.loc[stage_counts["stage"] == benchmark]
    if base.empty:
        raise AnalysisInputError(f"stage counts have no {benchmark!r} stage to benchmark against")
    base = base[[*extra, "race_group", "count", "total"]].rename(
        columns={"count": "benchmark_count", "total": "benchmark_total"})
    merged = force_type_counts.merge(base, on=[*extra, "race_group"], how="left")
    columns = _index_columns(
        _as_float(merged["count"]), _as_float(merged["total"]),
        _group_values(merged, "benchmark_count"), _as_float(merged["benchmark_total"]),
        benchmark_is_fixed=benchmark == "population", thresholds=thresholds)
    merged = merged.assign(benchmark_stage=benchmark, **columns)
    return merged[[*extra, "force_type", "race_group", "count", "total", "share",
                   "benchmark_stage", "benchmark_count", "benchmark_total", "benchmark_share",
                   "index", "lower", "upper", "flag", "significant", "caution"]]


def disparity_by_stage(
    stage_counts: pd.DataFrame,
    *,
    reference_group: str = "white",
    benchmark: Benchmark = "population",
    thresholds: IndexThresholds = DEFAULT_THRESHOLDS,
    per: int = 1_000,
) -> pd.DataFrame:
    """The Racial Disparity Index: each group's outcome rate ÷ the reference group's.

    The rate of a group at a stage is its people at that stage per ``per`` people of the same
    group in the benchmark (the population, or the previous stage present: e.g. use of force
    per 1,000 people subject to enforcement). The interval is the log-method (Katz) interval of
    :func:`workbench.stats.rate_ratio_interval`: as a Poisson rate ratio against a population,
    as a ratio of proportions against a previous stage when every count is within its
    benchmark count (else as rates).

    Returns ``[extra keys,] stage, race_group, count, benchmark_stage, benchmark_count, rate,
    reference_group, reference_rate, ratio, lower, upper, flag, significant, caution``; the
    reference group's own ratio is 1 and ``multiple``/``unknown`` rows get none.
    """
    _require_benchmark(benchmark)
    if reference_group not in RACE_GROUPS:
        raise AnalysisInputError(
            f"reference_group must be one of {', '.join(RACE_GROUPS)}; got {reference_group!r}")
    extra = _extra_keys(stage_counts, ["stage", "race_group", "count", "total"])
    present = list(dict.fromkeys(stage_counts["stage"]))
    parts = []
    for stage in [s for s in STAGES if s in present]:
        reference_stage = _benchmark_stage_of(present, stage, benchmark)
        if reference_stage is None:
            continue
        outcome = stage_counts.loc[stage_counts["stage"] == stage, [*extra, "race_group", "count"]]
        base = stage_counts.loc[stage_counts["stage"] == reference_stage,
                                [*extra, "race_group", "count"]].rename(
            columns={"count": "benchmark_count"})
        merged = outcome.merge(base, on=[*extra, "race_group"], how="left")
        merged = merged.loc[merged["race_group"].isin(RACE_GROUPS)].reset_index(drop=True)
        reference = merged.loc[merged["race_group"] == reference_group,
                               [*extra, "count", "benchmark_count"]].rename(
            columns={"count": "reference_count", "benchmark_count": "reference_benchmark"})
        merged = merged.merge(reference, on=extra, how="left") if extra else \
            merged.assign(**{c: reference[c].iloc[0] if len(reference) else np.nan
                             for c in ("reference_count", "reference_benchmark")})
        a, n_a = _as_float(merged["count"]), _as_float(merged["benchmark_count"])
        b, n_b = _as_float(merged["reference_count"]), _as_float(merged["reference_benchmark"])
        usable = (~np.isnan(a) & ~np.isnan(b) & (n_a > 0) & (n_b > 0)
                  & ~np.isnan(n_a) & ~np.isnan(n_b))
        measure: Literal["rate", "proportion"] = "rate" if reference_stage == "population" \
            or np.any((a > n_a) | (b > n_b)) else "proportion"
        ratio = np.full(a.shape, np.nan)
        lower = np.full(a.shape, np.nan)
        upper = np.full(a.shape, np.nan)
        if usable.any():
            result = stats.rate_ratio_interval(a[usable], n_a[usable], b[usable], n_b[usable],
                                               level=thresholds.confidence_level, measure=measure)
            ratio[usable], lower[usable], upper[usable] = result.ratio, result.lower, result.upper
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(n_a > 0, a / n_a * per, np.nan)
            reference_rate = np.where(n_b > 0, b / n_b * per, np.nan)
        merged = merged.assign(stage=stage, benchmark_stage=reference_stage, rate=rate,
                               reference_group=reference_group, reference_rate=reference_rate,
                               ratio=ratio, lower=lower, upper=upper,
                               **_flags(ratio, lower, upper, a, thresholds))
        parts.append(merged)
    columns_out = [*extra, "stage", "race_group", "count", "benchmark_stage", "benchmark_count",
                   "rate", "reference_group", "reference_rate", "ratio", "lower", "upper", "flag",
                   "significant", "caution"]
    if not parts:
        return pd.DataFrame(columns=columns_out)
    return pd.concat(parts, ignore_index=True)[columns_out]

