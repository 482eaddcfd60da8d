"""Every planted signal is in the default demo city at its documented strength, and nothing like
it anywhere else. Measured from the warehouse with Ibis, as an analysis would, using only the
ids and strengths published in :mod:`workbench.demo.signals` (never the generator's internals).

"Nowhere else" is tested with the statistics an analysis would use, at thresholds where pure
chance fails the test in well under one build in a thousand: the city is noisy on purpose.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from workbench.demo import signals


def _holm(p_values: pd.Series) -> pd.Series:
    """Holm step-down adjusted p-values."""
    order = p_values.sort_values()
    m = len(order)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * order.to_numpy()))
    return pd.Series(adjusted, index=order.index).reindex(p_values.index)


def _poisson_z(current: pd.Series, past: pd.Series) -> pd.Series:
    return 2 * (np.sqrt(current) - np.sqrt(past))


# --------------------------------------------------------------------------------------------
# 1. Break-and-enter surge
# --------------------------------------------------------------------------------------------


def _break_and_enters(warehouse, first: dt.date, last: dt.date) -> pd.Series:
    incidents = warehouse.table("incidents")
    day = incidents.occurred_at.date()
    counts = (
        incidents.filter(
            incidents.offence_category == "break_and_enter",
            incidents.neighbourhood_id.notnull(),
            day.between(first, last),
        )
        .group_by("neighbourhood_id")
        .aggregate(n=lambda t: t.count())
        .execute()
        .set_index("neighbourhood_id")["n"]
    )
    every = warehouse.table("neighbourhoods").neighbourhood_id.execute()
    return counts.reindex(every, fill_value=0).astype(float)


def _window_counts(warehouse, end: dt.date, days: int, years_back: int) -> pd.Series:
    last = end - dt.timedelta(days=365 * years_back)
    return _break_and_enters(warehouse, last - dt.timedelta(days=days - 1), last)


@pytest.mark.parametrize("days", [28, 56])
def test_break_and_enter_surge_is_flagged_by_the_poisson_z_score(
    demo_warehouse, demo_end_date, days
):
    surge = signals.BREAK_AND_ENTER_SURGE
    current = _window_counts(demo_warehouse, demo_end_date, days, 0)
    past = _window_counts(demo_warehouse, demo_end_date, days, 1)
    z = _poisson_z(current, past)
    assert z[surge.neighbourhood_id] > 3
    assert z.idxmax() == surge.neighbourhood_id
    # Documented expectation (sd ≈ 1.4): far from the flag threshold.
    expected = surge.expected_z_28_days if days == 28 else surge.expected_z_8_weeks
    assert abs(z[surge.neighbourhood_id] - expected) < 4.5


def test_break_and_enter_surge_has_its_documented_strength(demo_warehouse, demo_end_date):
    surge = signals.BREAK_AND_ENTER_SURGE
    current = _window_counts(demo_warehouse, demo_end_date, surge.days, 0)[surge.neighbourhood_id]
    baseline = np.mean(
        [
            _window_counts(demo_warehouse, demo_end_date, surge.days, years)[surge.neighbourhood_id]
            for years in (1, 2, 3, 4)
        ]
    )
    assert baseline == pytest.approx(2 * surge.expected_baseline_per_28_days, rel=0.45)
    # rate ratio against the same eight weeks of the four previous years (a mild downward
    # trend in break-and-enters makes it a little under the multiplier)
    assert 0.6 * surge.rate_multiplier < current / baseline < 1.5 * surge.rate_multiplier


def test_no_other_neighbourhood_has_a_break_and_enter_change(demo_warehouse, demo_end_date):
    surge = signals.BREAK_AND_ENTER_SURGE
    days = surge.days
    current = _window_counts(demo_warehouse, demo_end_date, days, 0)
    history = sum(
        _window_counts(demo_warehouse, demo_end_date, days, years) for years in (1, 2, 3, 4)
    )
    # Under "no change" the current window holds 1/5 of the five windows' total (binomial).
    p_values = pd.Series(
        scipy_stats.binom.sf(current - 1, current + history, 0.2), index=current.index
    )
    adjusted = _holm(p_values)
    assert adjusted[surge.neighbourhood_id] < 1e-6
    assert adjusted.drop(surge.neighbourhood_id).min() > 1e-3


def test_chance_flags_elsewhere_are_no_more_than_poisson_noise_gives(demo_warehouse, demo_end_date):
    """Wheeler's Z > 3 has a 2–4 % false-positive rate per neighbourhood at these counts, so a
    couple of chance flags among 99 neighbourhoods are expected; more would mean a change."""
    surge = signals.BREAK_AND_ENTER_SURGE
    for days in (28, 56):
        current = _window_counts(demo_warehouse, demo_end_date, days, 0).drop(
            surge.neighbourhood_id
        )
        past = _window_counts(demo_warehouse, demo_end_date, days, 1).drop(surge.neighbourhood_id)
        flags = int((_poisson_z(current, past) > 3).sum())
        # exact null probability of Z > 3 for each neighbourhood's pooled mean, then the 99.9 %
        # quantile of the number of flags (Poisson-binomial, by convolution)
        distribution = np.array([1.0])
        support = np.arange(0, 200)
        for mean in (current + past) / 2:
            pmf = scipy_stats.poisson.pmf(support, max(mean, 1e-9))
            z = 2 * (np.sqrt(support)[:, None] - np.sqrt(support)[None, :])
            p_flag = float((pmf[:, None] * pmf[None, :] * (z > 3)).sum())
            distribution = np.convolve(distribution, [1 - p_flag, p_flag])
        quantile = int(np.searchsorted(np.cumsum(distribution), 0.999))
        assert flags <= quantile, f"{flags} chance flags over {days} days (99.9 % bound {quantile})"


# --------------------------------------------------------------------------------------------
# 2. Sick leave
# --------------------------------------------------------------------------------------------


def _sick_rates(warehouse, months: tuple[int, ...] | None = None) -> pd.DataFrame:
    shifts = warehouse.table("shifts")
    if months is not None:
        shifts = shifts.filter(shifts.shift_date.month().isin(months))
    sick = ibis.ifelse(shifts.absence_code == "sick", shifts.absence_hours, 0.0)
    return (
        shifts.group_by("unit_id")
        .aggregate(sick_hours=sick.sum(), scheduled_hours=shifts.scheduled_hours.sum())
        .execute()
        .set_index("unit_id")
    )


def test_one_unit_has_double_the_sick_rate_of_the_rest(demo_warehouse):
    planted = signals.SICK_LEAVE_UNIT
    rates = _sick_rates(demo_warehouse)
    others = rates.drop(planted.unit_id)
    rest = others.sick_hours.sum() / others.scheduled_hours.sum()
    ratio = (
        rates.loc[planted.unit_id].sick_hours / rates.loc[planted.unit_id].scheduled_hours / rest
    )
    assert rest == pytest.approx(planted.expected_other_units_sick_rate, rel=0.2)
    # 2x spell starts give ≈1.9x the hours (spells overlap); build-to-build sd ≈ 0.15
    assert 1.45 < ratio < 2.6
    other_ratios = others.sick_hours / others.scheduled_hours / rest
    assert other_ratios.max() < 1.4, other_ratios.sort_values().tail(3)


def test_sick_leave_peaks_in_winter_in_the_planted_unit_and_the_rest(demo_warehouse):
    planted = signals.SICK_LEAVE_UNIT
    winter = _sick_rates(demo_warehouse, (12, 1, 2))
    summer = _sick_rates(demo_warehouse, (6, 7, 8))
    for frame in (winter, summer):
        frame["rate"] = frame.sick_hours / frame.scheduled_hours
    rest_winter = winter.drop(planted.unit_id).pipe(
        lambda f: f.sick_hours.sum() / f.scheduled_hours.sum()
    )
    rest_summer = summer.drop(planted.unit_id).pipe(
        lambda f: f.sick_hours.sum() / f.scheduled_hours.sum()
    )
    assert rest_winter > 1.4 * rest_summer
    assert winter.rate[planted.unit_id] > 1.2 * summer.rate[planted.unit_id]


# --------------------------------------------------------------------------------------------
# 3. Use-of-force disproportionality (ARDS)
# --------------------------------------------------------------------------------------------


def _shares(table, column: str = "perceived_race") -> pd.Series:
    from workbench.schema import RACE_GROUPS

    single = table.filter(table[column].isin(RACE_GROUPS))
    counts = (
        single.group_by(column).aggregate(n=lambda t: t.count()).execute().set_index(column)["n"]
    )
    return counts.reindex(RACE_GROUPS, fill_value=0).astype(float)


def _population_shares(warehouse) -> pd.Series:
    population = warehouse.table("population_by_race")
    census = population.year.max().execute()
    by_group = (
        population.filter(population.year == census)
        .group_by("race_group")
        .aggregate(n=population.population.sum())
        .execute()
        .set_index("race_group")["n"]
    )
    from workbench.schema import RACE_GROUPS

    return (by_group / by_group.sum()).reindex(RACE_GROUPS)


def test_use_of_force_disproportionality_index_matches_the_documented_values(demo_warehouse):
    planted = signals.USE_OF_FORCE_DISPROPORTIONALITY
    population = _population_shares(demo_warehouse)
    subjects = _shares(demo_warehouse.table("use_of_force_subjects"))
    actions = _shares(demo_warehouse.table("enforcement_actions"))
    group = planted.race_group
    vs_population = (subjects / subjects.sum()) / population
    vs_enforcement = (subjects / subjects.sum()) / (actions / actions.sum())
    # ≈ 2,000+ subjects: the group's share has a relative sd of about 4 %
    assert vs_population[group] == pytest.approx(planted.index_vs_population, rel=0.15)
    assert vs_enforcement[group] == pytest.approx(planted.index_vs_enforcement, rel=0.15)
    # together the other groups hold what the planted group does not; each one's own index
    # scatters with its small count (tested below with a chi-square)
    expected_other = planted.other_groups_index(population[group])
    assert (subjects.drop(group).sum() / subjects.sum()) / (1 - population[group]) == pytest.approx(
        expected_other, rel=0.05
    )


def test_enforcement_actions_mirror_the_population(demo_warehouse):
    planted = signals.USE_OF_FORCE_DISPROPORTIONALITY
    population = _population_shares(demo_warehouse)
    actions = _shares(demo_warehouse.table("enforcement_actions"))
    index = (actions / actions.sum()) / population
    assert index.to_numpy() == pytest.approx(planted.enforcement_index_vs_population, abs=0.1)
    chi_square = scipy_stats.chisquare(actions, actions.sum() * population)
    assert chi_square.pvalue > 1e-3


def test_other_groups_keep_their_relative_sizes_among_use_of_force_subjects(demo_warehouse):
    planted = signals.USE_OF_FORCE_DISPROPORTIONALITY
    population = _population_shares(demo_warehouse).drop(planted.race_group)
    subjects = _shares(demo_warehouse.table("use_of_force_subjects")).drop(planted.race_group)
    chi_square = scipy_stats.chisquare(subjects, subjects.sum() * population / population.sum())
    assert chi_square.pvalue > 1e-3


# --------------------------------------------------------------------------------------------
# 4. Officer with a high use-of-force rate
# --------------------------------------------------------------------------------------------


def _officer_use_of_force(warehouse) -> pd.DataFrame:
    calls = warehouse.table("calls_for_service")
    attended = (
        calls.filter(calls.arrived_at.notnull(), calls.officer_id.notnull())
        .group_by(["officer_id", "unit_id"])
        .aggregate(calls=lambda t: t.count())
    )
    force = warehouse.table("use_of_force")
    reports = force.group_by("officer_id").aggregate(reports=lambda t: t.count())
    frame = (
        attended.left_join(reports, "officer_id")
        .select(attended.officer_id, attended.unit_id, attended.calls, reports.reports)
        .execute()
    )
    frame["reports"] = frame.reports.fillna(0)
    # exposure can be split over units (backfill shifts): peers are the unit the calls were for
    unit = frame.groupby("unit_id")[["calls", "reports"]].transform("sum")
    frame["expected"] = (unit.reports - frame.reports) / (unit.calls - frame.calls) * frame.calls
    frame = frame.groupby("officer_id").agg(
        calls=("calls", "sum"), reports=("reports", "sum"), expected=("expected", "sum")
    )
    frame["p_value"] = scipy_stats.poisson.sf(frame.reports - 1, frame.expected)
    return frame


def test_one_officer_uses_force_far_more_than_peers_with_the_same_exposure(demo_warehouse):
    planted = signals.OFFICER_USE_OF_FORCE
    frame = _officer_use_of_force(demo_warehouse)
    adjusted = _holm(frame.p_value)
    officer = frame.loc[planted.officer_id]
    # ≈ 2–3 reports expected per peer over five years, ~1,000 officers compared at once
    assert adjusted[planted.officer_id] < 1e-2
    assert adjusted.idxmin() == planted.officer_id
    assert (
        0.45 * planted.rate_multiplier
        < officer.reports / officer.expected
        < 1.8 * planted.rate_multiplier
    )
    # same exposure: attended about as many calls as the unit's other members
    calls = demo_warehouse.table("calls_for_service")
    peers = (
        calls.filter(calls.unit_id == planted.unit_id, calls.arrived_at.notnull())
        .group_by("officer_id")
        .aggregate(n=lambda t: t.count())
        .execute()
        .set_index("officer_id")["n"]
    )
    assert 0.6 < peers[planted.officer_id] / peers.drop(planted.officer_id).median() < 1.6


def test_no_other_officer_stands_out(demo_warehouse):
    planted = signals.OFFICER_USE_OF_FORCE
    adjusted = _holm(_officer_use_of_force(demo_warehouse).p_value)
    assert adjusted.drop(planted.officer_id).min() > 1e-3


# --------------------------------------------------------------------------------------------
# 5. Priority 1 response times
# --------------------------------------------------------------------------------------------


def _priority_one_minutes(warehouse, end: dt.date):
    calls = warehouse.table("calls_for_service")
    priority = signals.RESPONSE_TIME_DEGRADATION.priority
    calls = calls.filter(calls.priority == priority, calls.arrived_at.notnull())
    minutes = (calls.arrived_at.epoch_seconds() - calls.received_at.epoch_seconds()) / 60
    end_of_window = int(
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC).timestamp()
    )
    days_before_end = (end_of_window - calls.received_at.epoch_seconds()) / 86400
    return calls.mutate(minutes=minutes, days_before_end=days_before_end)


def _monthly_medians(warehouse, end: dt.date) -> pd.DataFrame:
    calls = _priority_one_minutes(warehouse, end)
    recent = calls.filter(calls.days_before_end < 360)
    recent = recent.mutate(months_before_end=(recent.days_before_end / 30).floor().cast("int64"))
    return (
        recent.group_by(["division", "months_before_end"])
        .aggregate(median=recent.minutes.median())
        .execute()
    )


def _slope_per_month(frame: pd.DataFrame) -> float:
    # months_before_end counts backwards: minus the slope is the change per month forward
    return -float(np.polyfit(frame.months_before_end, frame["median"], 1)[0])


def test_priority_one_response_worsens_steadily_in_one_division(demo_warehouse, demo_end_date):
    planted = signals.RESPONSE_TIME_DEGRADATION
    medians = _monthly_medians(demo_warehouse, demo_end_date)
    slopes = medians.groupby("division").apply(_slope_per_month, include_groups=False)
    documented = planted.median_increase_minutes / planted.months
    assert slopes[planted.division] == pytest.approx(documented, rel=0.4)
    assert slopes.drop(planted.division).abs().max() < 0.1


def test_priority_one_response_change_vs_a_year_earlier(demo_warehouse, demo_end_date):
    planted = signals.RESPONSE_TIME_DEGRADATION
    calls = _priority_one_minutes(demo_warehouse, demo_end_date)
    period = ibis.cases(
        (calls.days_before_end < 90, "current"),
        ((calls.days_before_end >= 365) & (calls.days_before_end < 455), "year_earlier"),
        else_=None,
    )
    medians = (
        calls.mutate(period=period)
        .filter(lambda t: t.period.notnull())
        .group_by(["division", "period"])
        .aggregate(median=lambda t: t.minutes.median())
        .execute()
        .pivot(index="division", columns="period", values="median")
    )
    change = medians.current - medians.year_earlier
    # a linear ramp to +3 min: the last 90 days average ≈ 0.88 of it
    assert change[planted.division] == pytest.approx(
        0.88 * planted.median_increase_minutes, abs=1.0
    )
    assert change.drop(planted.division).abs().max() < 1.0
    assert 7.0 < medians.year_earlier.median() < 10.5


def test_every_planted_id_exists_in_the_warehouse(demo_warehouse):
    def values(table: str, column: str) -> set:
        return set(demo_warehouse.table(table)[column].execute())

    assert signals.BREAK_AND_ENTER_SURGE.neighbourhood_id in values(
        "neighbourhoods", "neighbourhood_id"
    )
    assert signals.SICK_LEAVE_UNIT.unit_id in values("units", "unit_id")
    assert signals.OFFICER_USE_OF_FORCE.officer_id in values("personnel", "officer_id")
    assert signals.OFFICER_USE_OF_FORCE.unit_id in values("units", "unit_id")
    assert signals.RESPONSE_TIME_DEGRADATION.division in values("divisions", "division")
    assert signals.USE_OF_FORCE_DISPROPORTIONALITY.race_group in values(
        "population_by_race", "race_group"
    )
    assert signals.NEAR_REPEAT_BURGLARY.division in values("divisions", "division")
    assert signals.COMMERCIAL_ROBBERY_SERIES.division in values("divisions", "division")
    assert len({s.signal_id for s in signals.SIGNALS}) == len(signals.SIGNALS) == 7
