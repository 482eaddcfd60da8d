"""People counted by perceived race at each stage, in the engine: use-of-force subjects,
enforcement actions and the population benchmark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from workbench.analysis._common import AnalysisInputError, require_columns, within_dates
from workbench.analysis.use_of_force.definitions import (
    _GROUP_SEPARATOR,
    _REPORT_KEY,
    _SUBJECT_KEY,
    MULTIPLE,
    STAGES,
    UNKNOWN,
    RaceCounting,
    _require_counting,
    _require_dates,
    _require_no_officer_columns,
)
from workbench.schema import RACE_GROUPS

__all__ = [
    "enforcement_action_counts",
    "population_counts",
    "population_stage",
    "stage_counts",
    "use_of_force_subject_counts",
]


# --------------------------------------------------------------------------------------------
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
