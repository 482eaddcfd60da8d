"""Race-based use-of-force statistics: counting, the ARDS indices, and the planted signal.

Hand-built warehouses give counts whose indices are worked out here by hand from the ARDS
definitions; the demo city's planted disproportionality must be recovered within its interval.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from workbench.analysis import use_of_force as uof
from workbench.analysis._common import AnalysisInputError

START, END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)


def _report(report_id: str, when: str = "2024-05-01 12:00", **extra):
    return {"report_id": report_id, "source": "test", "occurred_at": when,
            "officer_id": f"P{report_id}", "unit_id": "U1", **extra}


def _subject(report_id: str, number: int, race: str | None, groups: str | None = None,
             force: str = "physical"):
    return {"report_id": report_id, "source": "test", "subject_number": number,
            "perceived_race": race, "race_groups": groups, "force_type": force}


@pytest.fixture
def small(warehouse_with):
    """Six subjects in five 2024 reports (one black subject in 2023 is outside the window):
    black ×2, white ×1, multiple (black | white) ×1, multiple (black | black) ×1, unknown ×1."""
    reports = [_report("R1"), _report("R2"), _report("R3"), _report("R4"), _report("R5"),
               _report("R0", "2023-12-31 23:00")]
    subjects = [
        _subject("R1", 1, "black", force="firearm_pointed"), _subject("R1", 2, "white"),
        _subject("R2", 1, "black"),
        _subject("R3", 1, "multiple", "black | white"),
        _subject("R4", 1, "multiple", "black | black"),
        _subject("R5", 1, None),
        _subject("R0", 1, "black"),
    ]
    actions = [{"action_id": f"A{i}", "source": "test", "occurred_at": "2024-03-01 10:00",
                "perceived_race": race, "action_type": "arrest"}
               for i, race in enumerate(["black"] * 10 + ["white"] * 30 + ["multiple"] * 2
                                        + [None] * 3)]
    population = [{"neighbourhood_id": "N1", "year": 2021, "race_group": "black",
                   "population": 100, "source": "test"},
                  {"neighbourhood_id": "N1", "year": 2021, "race_group": "white",
                   "population": 300, "source": "test"},
                  {"neighbourhood_id": "N2", "year": 2021, "race_group": "white",
                   "population": 600, "source": "test"}]
    return warehouse_with(use_of_force=reports, use_of_force_subjects=subjects,
                          enforcement_actions=actions, population_by_race=population)


def _row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame.loc[mask]
    assert len(rows) == 1, (where, rows)
    return rows.iloc[0]


def test_single_counting_keeps_multiple_and_unknown_apart(small):
    counts = uof.use_of_force_subject_counts(*small.tables("use_of_force", "use_of_force_subjects"),
                                             start=START, end=END)
    by_group = dict(zip(counts["race_group"], counts["count"], strict=True))
    assert by_group["black"] == 2 and by_group["white"] == 1
    assert by_group[uof.MULTIPLE] == 2 and by_group[uof.UNKNOWN] == 1
    assert by_group["latino"] == 0  # zero-filled
    assert set(counts["total"]) == {3}  # people perceived as one group only


def test_any_mention_counts_each_listed_group_once_per_person(small):
    counts = uof.use_of_force_subject_counts(*small.tables("use_of_force", "use_of_force_subjects"),
                                             start=START, end=END, counting="any_mention")
    by_group = dict(zip(counts["race_group"], counts["count"], strict=True))
    # black: two singles, 'black | white' and 'black | black' (counted once): 4; white: 1 + 1
    assert by_group["black"] == 4 and by_group["white"] == 2
    assert uof.MULTIPLE not in by_group and by_group[uof.UNKNOWN] == 1
    assert set(counts["total"]) == {5}  # everyone with at least one known group, once


def test_grouping_by_officer_is_refused_and_no_output_carries_officer_data(small):
    tables = small.tables("use_of_force", "use_of_force_subjects")
    with pytest.raises(AnalysisInputError, match="never broken down by officer"):
        uof.use_of_force_subject_counts(*tables, start=START, end=END, by=["officer_id"])
    with pytest.raises(AnalysisInputError, match="never broken down by officer"):
        uof.enforcement_action_counts(small.table("enforcement_actions"), start=START, end=END,
                                      by=["unit_id"])
    stages = uof.stage_counts(population=small.table("population_by_race"),
                              enforcement_actions=small.table("enforcement_actions"),
                              use_of_force=tables[0], use_of_force_subjects=tables[1],
                              start=START, end=END)
    by_force = uof.use_of_force_subject_counts(*tables, start=START, end=END,
                                               by=["year", "force_type", "incident_type"])
    outputs = [stages, by_force, uof.disproportionality_by_stage(stages),
               uof.disparity_by_stage(stages),
               uof.disproportionality_by_force_type(
                   uof.use_of_force_subject_counts(*tables, start=START, end=END,
                                                   by=["force_type"]), stages)]
    for frame in outputs:
        assert not set(frame.columns) & uof.OFFICER_COLUMNS
        assert not frame.astype(str).isin(["PR1", "PR2", "U1"]).any().any()


def test_indices_by_stage_match_the_ards_definitions(small):
    stages = uof.stage_counts(population=small.table("population_by_race"),
                              enforcement_actions=small.table("enforcement_actions"),
                              use_of_force=small.table("use_of_force"),
                              use_of_force_subjects=small.table("use_of_force_subjects"),
                              start=START, end=END)
    vs_population = uof.disproportionality_by_stage(stages, benchmark="population")
    black = _row(vs_population, stage="use_of_force", race_group="black")
    # 2 of 3 one-group subjects are black; black are 100 of 1,000 residents
    assert black["index"] == pytest.approx((2 / 3) / (100 / 1000))
    assert black["lower"] < black["index"] < black["upper"]
    assert black["flag"] == "over" and bool(black["caution"])  # 2 < 20
    enforcement = _row(vs_population, stage="enforcement_actions", race_group="black")
    assert enforcement["index"] == pytest.approx((10 / 40) / 0.1)  # multiple and NULL left out
    assert math.isnan(_row(vs_population, stage="use_of_force", race_group="multiple")["index"])

    previous = uof.disproportionality_by_stage(stages, benchmark="previous_stage")
    black_previous = _row(previous, stage="use_of_force", race_group="black")
    assert black_previous["benchmark_stage"] == "enforcement_actions"
    assert black_previous["index"] == pytest.approx((2 / 3) / (10 / 40))
    # the previous stage is estimated too, so its interval is wider than with a fixed benchmark
    width_previous = math.log(black_previous["upper"] / black_previous["lower"])
    width_population = math.log(black["upper"] / black["lower"])
    assert width_previous > width_population
    assert math.isnan(_row(previous, stage="use_of_force", race_group="multiple")["index"])


def test_disparity_index_against_a_configurable_reference(small):
    stages = uof.stage_counts(population=small.table("population_by_race"),
                              enforcement_actions=small.table("enforcement_actions"),
                              use_of_force=small.table("use_of_force"),
                              use_of_force_subjects=small.table("use_of_force_subjects"),
                              start=START, end=END)
    disparity = uof.disparity_by_stage(stages, reference_group="white")
    black = _row(disparity, stage="use_of_force", race_group="black")
    assert black["rate"] == pytest.approx(2 / 100 * 1000)
    assert black["reference_rate"] == pytest.approx(1 / 900 * 1000)
    assert black["ratio"] == pytest.approx((2 / 100) / (1 / 900))
    assert _row(disparity, stage="use_of_force", race_group="white")["ratio"] == pytest.approx(1)
    against_black = uof.disparity_by_stage(stages, reference_group="black")
    assert _row(against_black, stage="use_of_force", race_group="white")["ratio"] == \
        pytest.approx(1 / black["ratio"])
    with pytest.raises(AnalysisInputError, match="reference_group"):
        uof.disparity_by_stage(stages, reference_group="martian")


def test_thresholds_are_options_and_validated():
    stages = pd.DataFrame({
        "stage": ["population"] * 2 + ["use_of_force"] * 2,
        "race_group": ["black", "white"] * 2,
        "count": [100, 900, 120, 880], "total": [1000, 1000, 1000, 1000]})
    default = uof.disproportionality_by_stage(stages)
    assert _row(default, stage="use_of_force", race_group="black")["flag"] == "over"  # 1.2
    lenient = uof.disproportionality_by_stage(
        stages, thresholds=uof.IndexThresholds(over_representation=1.5,
                                               under_representation=0.5, minimum_count=200))
    black = _row(lenient, stage="use_of_force", race_group="black")
    assert black["flag"] == "within" and bool(black["caution"])  # 120 < 200
    with pytest.raises(AnalysisInputError):
        uof.IndexThresholds(over_representation=0.8)


def test_missing_counts_give_missing_indices_not_errors():
    stages = pd.DataFrame({
        "stage": ["population"] * 2 + ["use_of_force"] * 2,
        "race_group": ["black", "white"] * 2,
        "count": pd.array([100, 900, pd.NA, 40], dtype="Float64"),
        "total": pd.array([1000, 1000, 50, 50], dtype="Float64")})
    result = uof.disproportionality_by_stage(stages)
    assert math.isnan(_row(result, stage="use_of_force", race_group="black")["index"])
    assert _row(result, stage="use_of_force", race_group="white")["index"] == \
        pytest.approx((40 / 50) / 0.9)


def test_a_benchmark_passed_in_is_validated():
    with pytest.raises(AnalysisInputError, match="not in the ARDS vocabulary"):
        uof.population_stage(pd.DataFrame({"race_group": ["black", "hispanic"],
                                           "count": [1, 2]}))
    benchmark = uof.population_stage(pd.DataFrame({"race_group": ["black", "white"],
                                                   "count": [28.7, 31.4]}))
    assert benchmark.loc[benchmark["race_group"] == "latino", "count"].iloc[0] == 0
    assert benchmark["total"].iloc[0] == pytest.approx(60.1)


# ------------------------------------------------------------------------- the demo city


@pytest.fixture(scope="module")
def demo_stages(demo_warehouse, demo_end_date):
    return uof.stage_counts(
        population=demo_warehouse.table("population_by_race"),
        enforcement_actions=demo_warehouse.table("enforcement_actions"),
        use_of_force=demo_warehouse.table("use_of_force"),
        use_of_force_subjects=demo_warehouse.table("use_of_force_subjects"),
        start=demo_end_date - dt.timedelta(days=5 * 365), end=demo_end_date)


@pytest.mark.slow
def test_planted_disproportionality_is_recovered_within_its_interval(demo_stages):
    from workbench.demo.signals import USE_OF_FORCE_DISPROPORTIONALITY as planted

    vs_population = uof.disproportionality_by_stage(demo_stages, benchmark="population")
    group = _row(vs_population, stage="use_of_force", race_group=planted.race_group)
    assert group["lower"] <= planted.index_vs_population <= group["upper"]
    assert group["flag"] == "over" and group["significant"]
    # enforcement mirrors the population: the planted group's interval holds 1.0 and no
    # group strays far from it
    enforcement = vs_population.loc[(vs_population["stage"] == "enforcement_actions")
                                    & vs_population["race_group"].isin(uof.RACE_GROUPS)]
    planted_enforcement = _row(enforcement, race_group=planted.race_group)
    assert planted_enforcement["lower"] <= planted.enforcement_index_vs_population \
        <= planted_enforcement["upper"]
    assert enforcement["index"].between(0.9, 1.1).all()
    # the other groups are diluted by composition: (1 - I p) / (1 - p)
    population = _row(demo_stages, stage="population", race_group=planted.race_group)
    expected_other = planted.other_groups_index(population["count"] / population["total"])
    white = _row(vs_population, stage="use_of_force", race_group="white")
    assert white["lower"] <= expected_other <= white["upper"]

    vs_enforcement = uof.disproportionality_by_stage(demo_stages, benchmark="previous_stage")
    previous = _row(vs_enforcement, stage="use_of_force", race_group=planted.race_group)
    assert previous["lower"] <= planted.index_vs_enforcement <= previous["upper"]


@pytest.mark.slow
def test_demo_disparity_matches_the_planted_relative_rate(demo_stages):
    from workbench.demo.signals import USE_OF_FORCE_DISPROPORTIONALITY as planted

    population = _row(demo_stages, stage="population", race_group=planted.race_group)
    relative = planted.relative_rate(population["count"] / population["total"])
    disparity = uof.disparity_by_stage(demo_stages, reference_group="white")
    group = _row(disparity, stage="use_of_force", race_group=planted.race_group)
    assert group["lower"] <= relative <= group["upper"]
