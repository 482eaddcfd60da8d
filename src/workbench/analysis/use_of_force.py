"""Race-based use-of-force statistics (Ontario Anti-Racism Data Standards, ARDS).

The ARDS follow people through **stages**: the resident *population* → people subject to an
*enforcement action* (arrest, charge, summons, ticket) → people *force was used on* → the *type
of force* used. At each stage two measures are reported, with 95% confidence intervals:

* **Racial Disproportionality Index** (RDI): the group's share of the people at a stage ÷ its
  share of a *benchmark* — the population (census), or the previous stage. 2.0 means the group
  is twice as represented as in the benchmark. :func:`disproportionality_by_stage`,
  :func:`disproportionality_by_force_type`.
* **Racial Disparity Index**: the group's outcome rate (people at the stage per person of the
  benchmark) ÷ the rate of a reference group (white by default). :func:`disparity_by_stage`.

Thresholds are options, not constants (:class:`IndexThresholds`: 1.1 and 0.9 by default, as
the ARDS suggest, *unconfirmed*); a **caution** flag marks counts below
``IndexThresholds.minimum_count`` and a **significant** flag marks intervals that exclude 1.

Multiple-race people
--------------------
A person perceived as more than one group has ``perceived_race = 'multiple'`` and the groups in
``race_groups`` (``'black | white'``). Two countings are offered (``counting=``):

* ``"single"`` (default, what the ARDS tables report): every person counts once, under their
  perceived group; ``multiple`` is its own row and ``unknown`` (perceived race not recorded)
  another. Shares and indices use as denominator (``total``) the people with *one* perceived
  group, so ``multiple`` and ``unknown`` get counts but no index; the census benchmark has
  single groups only, so both sides of the ratio describe the same kind of person.
* ``"any_mention"``: a person counts once for *every* group listed (like the census's "alone or
  in combination"); the denominator is the people with at least one known group, each once, so
  shares add up to more than 100%. ``unknown`` stays a row without index. Enforcement actions
  carry no list of groups, so their ``multiple`` rows cannot be attributed: they stay a row of
  their own and are left out of the denominator in both countings.

Privacy
-------
Race data are never joined to officer data: no function here reads ``officer_id`` or
``unit_id``, grouping by them is refused, and no output carries them. Outputs are tidy frames
of counts and ratios for analysts (``internal``); anything public goes through
:mod:`workbench.public`, which suppresses small counts before any index is computed, and the
functions here then compute indices only where the counts are published (a missing count gives
a missing index).

Every function aggregates in the engine and returns a small pandas frame; inputs are never
modified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from workbench import stats
from workbench.analysis._common import (
    AnalysisInputError,
    require_columns,
    within_dates,
)
from workbench.schema import RACE_GROUPS

__all__ = [
    "BENCHMARKS",
    "COUNTINGS",
    "DEFAULT_THRESHOLDS",
    "MULTIPLE",
    "OFFICER_COLUMNS",
    "RACE_GROUPS",
    "RACE_GROUP_LABELS",
    "STAGES",
    "UNKNOWN",
    "Benchmark",
    "IndexThresholds",
    "RaceCounting",
    "disparity_by_stage",
    "disproportionality_by_force_type",
    "disproportionality_by_stage",
    "enforcement_action_counts",
    "population_counts",
    "population_stage",
    "stage_counts",
    "use_of_force_subject_counts",
]

RaceCounting: TypeAlias = Literal["single", "any_mention"]
Benchmark: TypeAlias = Literal["population", "previous_stage"]

#: The stages of the ARDS analysis, in order (the type of force is a fourth, by force type).
STAGES: tuple[str, ...] = ("population", "enforcement_actions", "use_of_force")
COUNTINGS: tuple[str, ...] = ("single", "any_mention")
BENCHMARKS: tuple[str, ...] = ("population", "previous_stage")
#: Row label of people perceived as more than one group (``counting="single"``).
MULTIPLE = "multiple"
#: Row label of people whose perceived race was not recorded.
UNKNOWN = "unknown"
#: How each group is written on a page (ARDS wording).
RACE_GROUP_LABELS: dict[str, str] = {
    "black": "Black", "east_southeast_asian": "East/Southeast Asian", "indigenous": "Indigenous",
    "latino": "Latino", "middle_eastern": "Middle Eastern", "south_asian": "South Asian",
    "white": "White", "other": "Other", MULTIPLE: "Multiple groups", UNKNOWN: "Unknown",
}
#: Columns that identify officers: never read, grouped by or returned with race data.
OFFICER_COLUMNS: frozenset[str] = frozenset({"officer_id", "unit_id"})

_GROUP_SEPARATOR = "|"
_SUBJECT_KEY = ("source", "report_id", "subject_number")
_REPORT_KEY = ("source", "report_id")


@dataclass(frozen=True)
class IndexThresholds:
    """When an index is flagged, and which counts get a caution.

    * ``over_representation`` / ``under_representation``: an index at or above the first is
      flagged ``"over"``, at or below the second ``"under"`` (ARDS suggest 1.1 / 0.9;
      *unconfirmed*, so set them per report).
    * ``minimum_count``: counts below it are flagged ``caution`` (small counts give wide,
      unstable intervals).
    * ``confidence_level``: of the intervals (0.95).
    """

    over_representation: float = 1.1
    under_representation: float = 0.9
    minimum_count: int = 20
    confidence_level: float = 0.95

    def __post_init__(self) -> None:
        if not 0 < self.under_representation <= 1 <= self.over_representation:
            raise AnalysisInputError(
                "thresholds need 0 < under_representation <= 1 <= over_representation; got "
                f"{self.under_representation} and {self.over_representation}")
        if self.minimum_count < 0:
            raise AnalysisInputError(f"minimum_count must be 0 or more; got {self.minimum_count}")
        if not 0 < self.confidence_level < 1:
            raise AnalysisInputError(
                f"confidence_level must lie in (0, 1); got {self.confidence_level}")


#: The default thresholds (1.1 / 0.9, caution under 20, 95% intervals).
DEFAULT_THRESHOLDS = IndexThresholds()


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _require_counting(counting: str) -> None:
    if counting not in COUNTINGS:
        raise AnalysisInputError(f"counting must be one of {', '.join(COUNTINGS)}; got {counting!r}")


def _require_benchmark(benchmark: str) -> None:
    if benchmark not in BENCHMARKS:
        raise AnalysisInputError(
            f"benchmark must be one of {', '.join(BENCHMARKS)}; got {benchmark!r}")


def _require_no_officer_columns(columns: Sequence[str]) -> None:
    officer = sorted(set(columns) & OFFICER_COLUMNS)
    if officer:
        raise AnalysisInputError(
            f"race-based statistics are never broken down by officer: remove {', '.join(officer)} "
            "from `by` (ARDS: race data are not used for individual performance management)")


def _require_dates(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise AnalysisInputError(f"start ({start}) is after end ({end})")


# --------------------------------------------------------------------------------------------
# Counting people by perceived race, in the engine
# --------------------------------------------------------------------------------------------


def _race_label(perceived_race: ir.StringValue) -> ir.StringValue:
    """The row label of a person in ``single`` counting: the group, multiple or unknown."""
    known = perceived_race.isin([*RACE_GROUPS, MULTIPLE])
    return ibis.ifelse(known, perceived_race, ibis.literal(UNKNOWN))


def _with_group_columns(table: ir.Table, by: Sequence[str]) -> ir.Table:
    """Add ``year`` (of ``occurred_at``) when asked for; other ``by`` columns must exist."""
    if "year" in by and "year" not in table.columns:
        table = table.mutate(year=table.occurred_at.year().cast("int64"))
    return table


def _race_counts_in_engine(people: ir.Table, *, by: Sequence[str], counting: str,
                           key: Sequence[str], has_group_lists: bool) -> pd.DataFrame:
    """``*by, race_group, count, total`` for a table of people (one row per person).

    ``people`` has ``perceived_race`` (and ``race_groups`` when ``has_group_lists``), the
    ``by`` columns and the columns of ``key`` (identifying a person, for any-mention counts).
    """
    by = list(by)
    labelled = people.mutate(race_group=_race_label(people.perceived_race))
    single_known = labelled.race_group.isin(list(RACE_GROUPS))
    if counting == "single":
        counts = labelled.group_by([*by, "race_group"]).aggregate(count=labelled.count())
        denominator = labelled.filter(single_known)
    else:
        if has_group_lists:
            listed = (labelled.race_group == MULTIPLE) & labelled.race_groups.notnull()
            singles = labelled.filter(~listed).select(*key, *by, "race_group")
            multiples = labelled.filter(listed)
            exploded = multiples.mutate(
                race_group=multiples.race_groups.split(_GROUP_SEPARATOR).unnest().strip()
            ).select(*key, *by, "race_group")
            exploded = exploded.mutate(race_group=ibis.ifelse(
                exploded.race_group.isin(list(RACE_GROUPS)), exploded.race_group,
                ibis.literal(UNKNOWN)))
            mentions = singles.union(exploded, distinct=True)
            counts = mentions.group_by([*by, "race_group"]).aggregate(count=mentions.count())
            denominator = labelled.filter(single_known | listed)
        else:
            counts = labelled.group_by([*by, "race_group"]).aggregate(count=labelled.count())
            denominator = labelled.filter(single_known)
    totals = denominator.group_by(by).aggregate(total=denominator.count()) if by else \
        denominator.aggregate(total=denominator.count())
    count_frame = counts.to_pandas()
    total_frame = totals.to_pandas()
    return _complete_counts(count_frame, total_frame, by=by, counting=counting,
                            has_group_lists=has_group_lists)


def _complete_counts(counts: pd.DataFrame, totals: pd.DataFrame, *, by: list[str], counting: str,
                     has_group_lists: bool) -> pd.DataFrame:
    """Every group row (zero-filled) for every ``by`` combination, with the denominator."""
    labels = [*RACE_GROUPS, UNKNOWN]
    if counting == "single" or not has_group_lists:
        labels.insert(len(RACE_GROUPS), MULTIPLE)
    extra = sorted(set(counts["race_group"]) - set(labels)) if len(counts) else []
    labels += extra
    race_frame = pd.DataFrame({"race_group": labels})
    if by:
        combos = pd.concat([counts[by], totals[by]], ignore_index=True).drop_duplicates()
        skeleton = combos.merge(race_frame, how="cross")
    else:
        skeleton = race_frame
    merged = skeleton.merge(counts, on=[*by, "race_group"], how="left")
    merged["count"] = merged["count"].fillna(0).astype("int64")
    if by:
        merged = merged.merge(totals, on=by, how="left")
    else:
        merged["total"] = int(totals["total"].iloc[0]) if len(totals) else 0
    merged["total"] = merged["total"].fillna(0).astype("int64")
    order = {label: position for position, label in enumerate(labels)}
    merged = merged.assign(_order=merged["race_group"].map(order))
    return (merged.sort_values([*by, "_order"], kind="stable").drop(columns="_order")
            .reset_index(drop=True)[[*by, "race_group", "count", "total"]])


def use_of_force_subject_counts(
    use_of_force: ibis.Table,
    use_of_force_subjects: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
    counting: RaceCounting = "single",
    incident_types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """People force was used on, by perceived race (and ``by``), from ``start`` to ``end``.

    Args:
        use_of_force: the canonical ``use_of_force`` table (reports; gives the date).
        use_of_force_subjects: the canonical ``use_of_force_subjects`` table (people).
        start, end: first and last day counted (by ``occurred_at`` of the report), inclusive.
        by: extra grouping: ``"year"`` (of the report), subject columns (``force_type``,
            ``gender``, ``age_group``, ``weapon_perceived``, ``subject_injured``) or report
            columns (``incident_type``, ``highest_force``, ``division``, ``neighbourhood_id``).
            Officer columns are refused.
        counting: ``"single"`` or ``"any_mention"`` (see the module docstring).
        incident_types: keep only reports of these incident types.

    Returns:
        ``*by, race_group, count, total``: one row per group, ``multiple`` (single counting)
        and ``unknown`` for every ``by`` combination with people, zero-filled; ``total`` is the
        denominator of shares (people with one known group, or with any known group).
    """
    by = list(by)
    _require_counting(counting)
    _require_dates(start, end)
    _require_no_officer_columns(by)
    require_columns(use_of_force, [*_REPORT_KEY, "occurred_at"], "use_of_force")
    require_columns(use_of_force_subjects, [*_SUBJECT_KEY, "perceived_race", "race_groups"],
                    "use_of_force_subjects")
    report_columns = [c for c in by if c in use_of_force.columns and c not in
                      use_of_force_subjects.columns and c != "year"]
    reports = use_of_force.filter(within_dates(use_of_force.occurred_at, start, end))
    if incident_types is not None:
        require_columns(use_of_force, ["incident_type"], "use_of_force")
        reports = reports.filter(reports.incident_type.isin(list(incident_types)))
    reports = reports.select(*_REPORT_KEY, "occurred_at", *report_columns)
    subject_columns = [c for c in by if c in use_of_force_subjects.columns and c not in _REPORT_KEY]
    people = use_of_force_subjects.select(*_SUBJECT_KEY, "perceived_race", "race_groups",
                                          *subject_columns)
    joined = people.join(reports, list(_REPORT_KEY))
    joined = _with_group_columns(joined, by)
    missing = [c for c in by if c not in joined.columns]
    if missing:
        raise AnalysisInputError(
            f"cannot group use-of-force subjects by {', '.join(missing)}: not a column of "
            "use_of_force or use_of_force_subjects (or 'year')")
    return _race_counts_in_engine(joined, by=by, counting=counting, key=_SUBJECT_KEY,
                                  has_group_lists=True)


def enforcement_action_counts(
    enforcement_actions: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
    counting: RaceCounting = "single",
    action_types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """People subject to an enforcement action, by perceived race (and ``by``).

    One row of ``enforcement_actions`` is one person in one action. ``by`` may hold ``"year"``
    and columns of the table (``action_type``, ``division``, ``strip_search``, ...).
    ``action_types`` keeps only those types (e.g. ``["arrest"]``). Returns the same layout as
    :func:`use_of_force_subject_counts`. The table has no list of groups, so ``multiple`` stays
    a row of its own in both countings (see the module docstring).
    """
    by = list(by)
    _require_counting(counting)
    _require_dates(start, end)
    _require_no_officer_columns(by)
    require_columns(enforcement_actions, ["source", "action_id", "occurred_at", "perceived_race"],
                    "enforcement_actions")
    actions = enforcement_actions.filter(within_dates(enforcement_actions.occurred_at, start, end))
    if action_types is not None:
        require_columns(enforcement_actions, ["action_type"], "enforcement_actions")
        actions = actions.filter(actions.action_type.isin(list(action_types)))
    actions = _with_group_columns(actions, by)
    missing = [c for c in by if c not in actions.columns]
    if missing:
        raise AnalysisInputError(
            f"cannot group enforcement actions by {', '.join(missing)}: not a column of "
            "enforcement_actions (or 'year')")
    actions = actions.select("source", "action_id", "perceived_race", *by)
    return _race_counts_in_engine(actions, by=by, counting=counting, key=("source", "action_id"),
                                  has_group_lists=False)


def population_counts(population_by_race: ibis.Table, *, year: int | None = None,
                      neighbourhood_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Residents by race group (the census benchmark): ``race_group, count, total, census_year``.

    ``year``: the census year used is the latest one not after it (else the earliest); default
    the latest available. ``neighbourhood_ids`` limits the benchmark to some neighbourhoods.
    """
    require_columns(population_by_race, ["neighbourhood_id", "year", "race_group", "population"],
                    "population_by_race")
    table = population_by_race
    if neighbourhood_ids is not None:
        table = table.filter(table.neighbourhood_id.isin(list(neighbourhood_ids)))
    by_year = table.group_by(["year", "race_group"]).aggregate(
        population=table.population.sum()).to_pandas()
    if by_year.empty:
        raise AnalysisInputError("the population_by_race table has no rows for the benchmark")
    years = sorted(int(y) for y in by_year["year"].unique())
    if year is None:
        chosen = years[-1]
    else:
        earlier = [y for y in years if y <= year]
        chosen = earlier[-1] if earlier else years[0]
    chosen_rows = by_year.loc[by_year["year"] == chosen, ["race_group", "population"]]
    frame = population_stage(chosen_rows.rename(columns={"population": "count"}))
    return frame.assign(census_year=chosen)


def population_stage(benchmark: pd.DataFrame) -> pd.DataFrame:
    """A benchmark you bring (e.g. published census shares) as population-stage counts.

    ``benchmark`` has ``race_group`` and ``count`` (residents; shares in percent or per
    million work as well: only ratios matter for the disproportionality index, but rates per
    1,000 in :func:`disparity_by_stage` need real counts). Groups outside the ARDS
    vocabulary are an error. Returns ``race_group, count, total`` for the eight groups.
    """
    if not {"race_group", "count"} <= set(benchmark.columns):
        raise AnalysisInputError(
            "a benchmark needs the columns race_group and count; it has: "
            f"{', '.join(map(str, benchmark.columns))}")
    unknown = sorted(set(benchmark["race_group"]) - set(RACE_GROUPS))
    if unknown:
        raise AnalysisInputError(
            f"benchmark groups not in the ARDS vocabulary: {', '.join(map(str, unknown))} "
            f"(expected: {', '.join(RACE_GROUPS)})")
    counts = benchmark.groupby("race_group")["count"].sum()
    if (counts < 0).any():
        raise AnalysisInputError("benchmark counts must not be negative")
    frame = pd.DataFrame({"race_group": list(RACE_GROUPS)})
    frame["count"] = frame["race_group"].map(counts).fillna(0).to_numpy()
    frame["total"] = float(frame["count"].sum())
    if frame["total"].iloc[0] <= 0:
        raise AnalysisInputError("the benchmark has no residents")
    return frame


def stage_counts(
    *,
    population: ibis.Table | pd.DataFrame,
    enforcement_actions: ibis.Table | None,
    use_of_force: ibis.Table | None,
    use_of_force_subjects: ibis.Table | None,
    start: dt.date,
    end: dt.date,
    counting: RaceCounting = "single",
    by_year: bool = False,
    action_types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """People at every ARDS stage by race: ``[year,] stage, race_group, count, total``.

    ``population`` is the ``population_by_race`` table (census year nearest each year) or a
    benchmark frame (``race_group``, ``count``; see :func:`population_stage`). A stage whose
    tables are None is left out (e.g. a source without enforcement data). ``by_year`` counts
    each calendar year from ``start`` to ``end`` separately.
    """
    _require_counting(counting)
    parts = []
    years = list(range(start.year, end.year + 1)) if by_year else []
    if isinstance(population, pd.DataFrame):
        benchmark = population_stage(population)
        benchmark_parts = ([benchmark.assign(year=y) for y in years] if by_year else [benchmark])
    elif by_year:
        benchmark_parts = [population_counts(population, year=y).drop(columns="census_year")
                           .assign(year=y) for y in years]
    else:
        benchmark_parts = [population_counts(population, year=end.year).drop(columns="census_year")]
    parts += [p.assign(stage="population") for p in benchmark_parts]
    by = ["year"] if by_year else []
    if enforcement_actions is not None:
        parts.append(enforcement_action_counts(
            enforcement_actions, start=start, end=end, by=by, counting=counting,
            action_types=action_types).assign(stage="enforcement_actions"))
    if use_of_force is not None and use_of_force_subjects is not None:
        parts.append(use_of_force_subject_counts(
            use_of_force, use_of_force_subjects, start=start, end=end, by=by,
            counting=counting).assign(stage="use_of_force"))
    frame = pd.concat(parts, ignore_index=True)
    if by_year:
        frame = frame.loc[frame["year"].isin(years)]
    order = {stage: position for position, stage in enumerate(STAGES)}
    frame = frame.assign(_order=frame["stage"].map(order))
    keys = [*by, "_order"]
    frame = frame.sort_values(keys, kind="stable").drop(columns="_order").reset_index(drop=True)
    return frame[[*by, "stage", "race_group", "count", "total"]]


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
