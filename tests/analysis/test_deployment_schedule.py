"""The shift-schedule integer program on textbook cases with published optima, and its rules
(wrap-around, patterns, per-shift minimum, shift lines, overtime, positions) on small weeks
whose answers can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.analysis._common import AnalysisInputError
from workbench.analysis.deployment import schedule

# Winston, "Operations Research: Applications and Algorithms", the post-office problem: full-time
# employees needed Monday..Sunday, each works five consecutive days then has two off. Published
# optimum: 23 employees (Winston's integer programming chapter; reproduced with OR-Tools CP-SAT
# in SolverMax/Collated "Staff-scheduling/Post-office-problem", from hakank's model). With a
# weekly cost per start day of 500, 600, 800, 800, 800, 800, 700 (the same notebook's cost
# variant) the least cost is 15,300, still with 23 employees. The LP relaxation is 67/3.
POST_OFFICE_NEED = [17, 13, 15, 19, 14, 16, 11]
POST_OFFICE_COST = [500, 600, 800, 800, 800, 800, 700]
# javascript-lp-solver's "Shift Work Problem" test (from an algebra.com lesson): six 4-hour
# periods of a day needing 4, 8, 10, 7, 12, 4 officers, 8-hour shifts starting at the start of
# any period, wrapping past midnight. Published optimum: 26 officers.
SIX_PERIOD_NEED = [4, 8, 10, 7, 12, 4]


def _post_office_matrix() -> np.ndarray:
    coverage = np.zeros((7, 7))
    for start in range(7):
        for offset in range(5):
            coverage[(start + offset) % 7, start] = 1
    return coverage


def test_post_office_problem_reproduces_the_published_optimum_of_23():
    result = schedule.solve_cover(_post_office_matrix(), POST_OFFICE_NEED, np.ones(7))
    assert result.objective == pytest.approx(23.0)
    assert result.x.sum() == 23 and result.status == 0
    assert np.all(_post_office_matrix() @ result.x >= POST_OFFICE_NEED)


def test_post_office_least_cost_is_15300_with_23_employees():
    result = schedule.solve_cover(_post_office_matrix(), POST_OFFICE_NEED, POST_OFFICE_COST)
    assert result.objective == pytest.approx(15_300.0)
    assert result.x.sum() == 23


def test_post_office_lp_relaxation_is_67_thirds_and_quick_rounding_reaches_23():
    relaxed = schedule.solve_cover(_post_office_matrix(), POST_OFFICE_NEED, np.ones(7),
                                   method="lp")
    assert relaxed.objective == pytest.approx(67 / 3)
    quick = schedule.solve_cover(_post_office_matrix(), POST_OFFICE_NEED, np.ones(7),
                                 method="quick")
    assert quick.bound == pytest.approx(67 / 3)
    assert quick.objective == pytest.approx(23.0)
    assert np.all(_post_office_matrix() @ quick.x >= POST_OFFICE_NEED)


def test_post_office_as_an_hour_of_week_schedule_of_24_hour_tours():
    required = np.repeat(POST_OFFICE_NEED, 24)
    rules = schedule.ShiftRules(lengths=(24,), start_hours=(0,), patterns={24: ("5on2off",)})
    plan = schedule.optimise_schedule(required, rules, mip_gap=0.0)
    assert plan.officers == 23
    assert np.all(plan.on_duty >= required) and plan.shortfall.sum() == 0
    assert set(plan.tours["pattern"]) == {"5 on 2 off"}


def test_six_period_shift_problem_needs_26_officers_with_shifts_over_midnight():
    required = np.tile(np.repeat(SIX_PERIOD_NEED, 4), 7)
    rules = schedule.ShiftRules(lengths=(8,), start_hours=(0, 4, 8, 12, 16, 20),
                                patterns={8: ("7on0off",)})
    plan = schedule.optimise_schedule(required, rules, mip_gap=0.0)
    assert plan.officers == 26
    assert np.all(plan.on_duty >= required)
    # 20:00 starts cover 20:00-04:00: the only way to cover 00:00-04:00 besides 00:00 starts
    by_start = plan.tours.groupby("start_hour")["officers"].sum()
    assert by_start.get(0, 0) + by_start.get(20, 0) >= 4


def test_tours_wrap_around_the_week():
    frame, coverage = schedule.tours(schedule.ShiftRules(lengths=(10,), start_hours=(22,),
                                                         patterns={10: ("1000000",)}))
    sunday = frame.loc[frame["days"] == "Sun"].index[0]
    hours = np.flatnonzero(coverage[:, [sunday]].toarray().ravel())
    # Sunday 22:00 for ten hours: 22:00-23:59 on Sunday, then Monday 00:00-07:59
    assert list(hours) == [0, 1, 2, 3, 4, 5, 6, 7, 166, 167]
    assert frame.loc[sunday, "weekly_hours"] == 10


def test_a_pattern_started_on_friday_continues_into_monday():
    frame, coverage = schedule.tours(schedule.ShiftRules(lengths=(8,), start_hours=(8,)))
    friday = frame.loc[frame["days"] == "Fri–Tue"].index[0]
    days = sorted({hour // 24 for hour in np.flatnonzero(coverage[:, [friday]].toarray())})
    assert days == [0, 1, 4, 5, 6]
    assert len(frame) == 7  # one 5-on-2-off tour per first day


@pytest.mark.parametrize(("pattern", "mask"), [
    ("5on2off", (1, 1, 1, 1, 1, 0, 0)), ("4 on 3 off", (1, 1, 1, 1, 0, 0, 0)),
    ("1101100", (1, 1, 0, 1, 1, 0, 0)), ("7on0off", (1,) * 7)])
def test_patterns_are_parsed(pattern, mask):
    assert schedule.parse_pattern(pattern) == mask


@pytest.mark.parametrize("pattern", ["5on3off", "0on7off", "11011", "weekdays", "1111102"])
def test_bad_patterns_are_refused_with_the_pattern_named(pattern):
    with pytest.raises(AnalysisInputError, match="pattern"):
        schedule.parse_pattern(pattern)


def test_shift_rules_refuse_impossible_values():
    with pytest.raises(AnalysisInputError, match="start hours"):
        schedule.ShiftRules(start_hours=(24,))
    with pytest.raises(AnalysisInputError, match="lengths"):
        schedule.ShiftRules(lengths=(0,))


def _evening_peak() -> np.ndarray:
    """Every day: 2 officers 00-16, 6 officers 16-24."""
    day = np.array([2] * 16 + [6] * 8)
    return np.tile(day, 7).astype(float)


def test_the_optimiser_follows_the_workload_curve():
    required = _evening_peak()
    rules = schedule.ShiftRules(lengths=(8,), start_hours=(0, 8, 16), patterns={8: ("7on0off",)})
    plan = schedule.optimise_schedule(required, rules, mip_gap=0.0)
    assert plan.officer_hours == required.sum()  # the three 8-hour blocks fit exactly
    summary = schedule.coverage_summary(required, plan.on_duty)
    assert summary["efficiency"] == pytest.approx(1.0)
    assert summary["fit_score"] == pytest.approx(1.0)
    assert summary["shortfall_hours"] == 0


def test_coverage_summary_of_a_flat_roster_against_a_peaked_need():
    required = _evening_peak()
    flat = np.full(168, 5.0)
    summary = schedule.coverage_summary(required, flat)
    # per day: 16 h × 3 surplus, 8 h × 1 short
    assert summary["surplus_hours"] == pytest.approx(7 * 48)
    assert summary["shortfall_hours"] == pytest.approx(7 * 8)
    assert summary["hours_short"] == 56
    assert summary["efficiency"] == pytest.approx(required.sum() / flat.sum())
    assert summary["fit_score"] == pytest.approx(1 - (7 * 56) / (required.sum() + flat.sum()))
    assert np.isnan(summary["shape_correlation"])


def test_minimum_per_shift_is_respected():
    required = np.zeros(168)
    required[8:16] = 1  # one officer needed, Monday 08:00-16:00 only
    rules = schedule.ShiftRules(lengths=(8,), start_hours=(8,), patterns={8: ("1000000",)},
                                minimum_per_shift=3)
    plan = schedule.optimise_schedule(required, rules, mip_gap=0.0)
    assert plan.officers == 3


def test_maximum_shift_lines_limits_the_start_times_used():
    required = _evening_peak()
    free = schedule.ShiftRules(lengths=(8,), start_hours=(0, 8, 16), patterns={8: ("7on0off",)})
    limited = schedule.ShiftRules(lengths=(8,), start_hours=(0, 8, 16),
                                  patterns={8: ("7on0off",)}, maximum_shift_lines=1)
    assert schedule.optimise_schedule(required, free, mip_gap=0.0).tours["start_hour"] \
        .nunique() == 3
    plan = schedule.optimise_schedule(required, limited, mip_gap=0.0)
    assert plan.tours["start_hour"].nunique() == 1
    # one 8-hour line cannot cover the day: the rest is reported as shortfall
    assert plan.shortfall.sum() > 0


def test_overtime_fills_a_short_peak_within_its_cap():
    required = np.full(168, 2.0)
    required[18:22] = 3  # one extra officer Monday 18:00-22:00
    rules = schedule.ShiftRules(lengths=(8,), start_hours=(0, 8, 16), patterns={8: ("7on0off",)})
    without = schedule.optimise_schedule(required, rules, mip_gap=0.0)
    assert without.officer_hours == 2 * 168 + 56  # a whole extra tour for four hours
    plan = schedule.optimise_schedule(required, rules, overtime_cap_hours=8,
                                      overtime_hour_cost=1.5, mip_gap=0.0)
    assert plan.overtime.sum() == 4 and plan.officer_hours == 2 * 168
    assert np.all(plan.on_duty + plan.overtime >= required)


def test_a_position_cap_leaves_the_rest_as_shortfall():
    required = np.full(168, 4.0)
    rules = schedule.ShiftRules(lengths=(8,), start_hours=(0, 8, 16), patterns={8: ("7on0off",)})
    # a tour is 56 hours a week; positions worth 10 tours, where 12 are needed
    plan = schedule.optimise_schedule(required, rules, position_cap=(56.0, 10.0), mip_gap=0.0)
    assert plan.officers == 10
    assert plan.shortfall.sum() == pytest.approx(4 * 168 - 10 * 56)


def test_quick_and_lp_methods_bracket_the_integer_optimum():
    rng = np.random.default_rng(3)
    required = np.round(3 + 3 * np.sin(np.arange(168) * 2 * np.pi / 24) + rng.random(168))
    rules = schedule.ShiftRules(lengths=(8, 12), start_hours=(0, 8, 16))
    exact = schedule.optimise_schedule(required, rules, mip_gap=0.0, time_limit=120)
    quick = schedule.optimise_schedule(required, rules, method="quick")
    bound = schedule.optimise_schedule(required, rules, method="lp")
    assert exact.solution.status == 0  # proven optimal
    assert exact.solution.bound == pytest.approx(exact.solution.objective)
    assert bound.solution.objective <= exact.solution.objective + 1e-6
    assert exact.solution.objective <= quick.solution.objective + 1e-6
    assert np.all(quick.on_duty >= required) and quick.shortfall.sum() == 0
    assert quick.solution.gap < 0.15


def test_required_must_be_a_week_of_hours():
    with pytest.raises(AnalysisInputError, match="168"):
        schedule.optimise_schedule(np.ones(24))
    with pytest.raises(AnalysisInputError, match="method"):
        schedule.solve_cover(np.eye(2), [1, 1], [1, 1], method="guess")
