"""Crime counts, rates, CompStat grid and control charts on small hand-built tables."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from workbench import stats
from workbench.analysis import crime
from workbench.analysis._common import AnalysisInputError

AS_OF = dt.date(2024, 6, 30)


def repeat(row, times):
    return [dict(row) for _ in range(times)]


# ------------------------------------------------------------------------------ windows


def test_compstat_windows_end_at_as_of_and_compare_with_a_year_earlier():
    windows = {w.period: w for w in crime.compstat_windows(AS_OF)}
    assert (windows["last_7_days"].current_start, windows["last_7_days"].past_end) == (
        dt.date(2024, 6, 24), dt.date(2023, 6, 30))
    assert windows["last_28_days"].current_start == dt.date(2024, 6, 3)
    assert windows["last_28_days"].past_start == dt.date(2023, 6, 3)
    ytd = windows["year_to_date"]
    assert (ytd.current_start, ytd.past_start, ytd.past_end) == (
        dt.date(2024, 1, 1), dt.date(2023, 1, 1), dt.date(2023, 6, 30))
    assert (ytd.current_days, ytd.past_days) == (182, 181)  # 2024 is a leap year
    rolling = windows["last_365_days"]
    assert (rolling.current_start, rolling.past_start) == (dt.date(2023, 7, 2),
                                                           dt.date(2022, 7, 1))
    assert rolling.current_days == rolling.past_days == 365


def test_compstat_windows_on_29_february_compare_with_28_february():
    window = crime.compstat_windows(dt.date(2024, 2, 29), ["last_7_days"])[0]
    assert window.past_end == dt.date(2023, 2, 28)
    assert window.past_start == dt.date(2023, 2, 22)


def test_unknown_compstat_period_is_an_actionable_error():
    with pytest.raises(AnalysisInputError, match="last_30_days"):
        crime.compstat_windows(AS_OF, ["last_30_days"])


# ------------------------------------------------------------------------------ CompStat grid


def _compstat_rows():
    assault = [
        {"occurred_at": "2024-06-30 23:59:59"},  # last second of the period
        {"occurred_at": "2024-06-24 00:00:00"},  # first second of the 7 days
        {"occurred_at": "2024-06-23 23:59:00"},  # 28 days, not 7
        {"occurred_at": "2024-07-01 00:00:00"},  # after as_of: never counted
        *repeat({"occurred_at": "2024-01-15 10:00"}, 5),  # year to date and 365 days
        {"occurred_at": "2023-07-01 12:00"},  # between the two 365-day windows: neither
        {"occurred_at": "2023-07-02 00:00"},  # first day of the current 365 days
        *repeat({"occurred_at": "2023-06-25 09:00"}, 2),  # a year ago: every past window
        *repeat({"occurred_at": "2023-03-01 09:00"}, 4),  # past year to date and 365 days
        {"occurred_at": "2022-07-01 00:00"},  # first day of the past 365 days
        {"occurred_at": "2022-06-30 23:59"},  # before every window
    ]
    for row in assault:
        row.update(offence_category="assault", division="D1")
    robbery = repeat({"occurred_at": "2024-06-28 12:00", "offence_category": "robbery",
                      "division": "D2"}, 16)
    return assault + robbery


@pytest.fixture(scope="module")
def compstat_table(warehouse_with):
    return warehouse_with(incidents=_compstat_rows()).table("incidents")


def test_compstat_grid_counts_each_window_by_hand(compstat_table):
    grid = crime.compstat_grid(compstat_table, as_of=AS_OF)
    counts = {(r.period, r.offence_category): (r.current, r.past) for r in grid.itertuples()}
    assert counts == {
        ("last_7_days", "assault"): (2, 2),
        ("last_28_days", "assault"): (3, 2),
        ("year_to_date", "assault"): (8, 6),
        ("last_365_days", "assault"): (9, 7),
        ("last_7_days", "robbery"): (16, 0),
        ("last_28_days", "robbery"): (16, 0),
        ("year_to_date", "robbery"): (16, 0),
        ("last_365_days", "robbery"): (16, 0),
    }
    assert list(grid["period"].drop_duplicates()) == list(crime.COMPSTAT_PERIODS)


def test_compstat_grid_statistics_follow_the_published_formulas(compstat_table):
    grid = crime.compstat_grid(compstat_table, as_of=AS_OF).set_index(
        ["period", "offence_category"])
    rolling = grid.loc[("last_365_days", "assault")]
    assert rolling["z"] == pytest.approx(2 * (3 - math.sqrt(7)))
    assert rolling["change"] == 2
    assert not rolling["flagged"]
    # past 7 is below the default minimum base of 10: percent change is n/a
    assert rolling["small_base"] and math.isnan(rolling["percent_change"])
    ytd = grid.loc[("year_to_date", "assault")]
    assert ytd["p_value"] == pytest.approx(stats.e_test(8, 6, 182, 181))
    assert ytd["p_value_method"] == "e_test"
    robbery = grid.xs("robbery", level="offence_category")
    assert robbery["flagged"].all() and (robbery["z"] == 8.0).all()
    assert (robbery["direction"] == "up").all()


def test_compstat_grid_adjusts_p_values_across_the_whole_grid(compstat_table):
    grid = crime.compstat_grid(compstat_table, as_of=AS_OF)
    tested = grid.dropna(subset=["p_value"])
    cells = len(tested)
    assert cells == 8
    assert (tested["p_value_adjusted"] >= tested["p_value"] - 1e-15).all()
    smallest = tested["p_value"].idxmin()
    # Holm's first step: the smallest p-value is multiplied by the number of cells.
    assert tested.loc[smallest, "p_value_adjusted"] == pytest.approx(
        min(1.0, cells * tested.loc[smallest, "p_value"]))
    bh = crime.compstat_grid(compstat_table, as_of=AS_OF, adjustment="bh")
    largest = bh["p_value"].idxmax()
    assert bh.loc[largest, "p_value_adjusted"] == pytest.approx(bh.loc[largest, "p_value"])
    assert (bh["p_value_adjusted"] <= grid["p_value_adjusted"] + 1e-12).all()


def test_minimum_base_and_threshold_are_settings(compstat_table):
    grid = crime.compstat_grid(compstat_table, as_of=AS_OF, minimum_base=5, z_threshold=0.5)
    rolling = grid.set_index(["period", "offence_category"]).loc[("last_365_days", "assault")]
    assert rolling["percent_change"] == pytest.approx(100 * 2 / 7)
    assert rolling["flagged"]  # z = 0.71 > 0.5


def test_compstat_grid_by_division_keeps_a_missing_division_as_its_own_group(warehouse_with):
    rows = [{"occurred_at": "2024-06-29", "division": "D1"},
            {"occurred_at": "2024-06-29", "division": None},
            {"occurred_at": "2023-06-29", "division": None}]
    warehouse = warehouse_with(incidents=rows)
    grid = crime.compstat_grid(warehouse.table("incidents"), as_of=AS_OF,
                               by=("offence_category", "division"),
                               periods=("last_7_days",))
    assert len(grid) == 2
    missing = grid[grid["division"].isna()].iloc[0]
    assert (missing["current"], missing["past"]) == (1, 1)


def test_compstat_total_row_with_no_grouping(compstat_table):
    grid = crime.compstat_grid(compstat_table, as_of=AS_OF, by=(), periods=("last_7_days",))
    assert len(grid) == 1
    assert (grid.iloc[0]["current"], grid.iloc[0]["past"]) == (18, 2)


def test_compstat_grid_names_a_missing_column(warehouse_with):
    warehouse = warehouse_with()
    with pytest.raises(AnalysisInputError, match="beat"):
        crime.compstat_grid(warehouse.table("incidents"), as_of=AS_OF, by=("beat",))


# ------------------------------------------------------------------------------ change statistics


def test_change_statistics_reference_cases():
    counts = pd.DataFrame({"current": [9, 16, 0, 15, 0], "past": [4, 0, 9, 10, 0]})
    result = crime.change_statistics(counts)
    assert list(result["z"]) == pytest.approx([2.0, 8.0, -6.0, 2 * (math.sqrt(15) - math.sqrt(10)),
                                               0.0])
    assert list(result["flagged"]) == [False, True, True, False, False]  # 4 -> 9 is z = 2
    assert list(result["direction"]) == ["up", "up", "down", "up", "same"]
    assert result.loc[3, "percent_change"] == pytest.approx(50.0)
    assert result["small_base"].tolist() == [True, True, True, False, True]
    assert math.isnan(result.loc[4, "p_value"]) and math.isnan(result.loc[4, "p_value_adjusted"])
    assert result.loc[0, "p_value"] == pytest.approx(stats.e_test(9, 4))
    # the 0 -> 0 row has no test, so the family has four members
    smallest = result["p_value"].idxmin()
    assert result.loc[smallest, "p_value_adjusted"] == pytest.approx(
        min(1.0, 4 * result.loc[smallest, "p_value"]))
    assert "current" in counts.columns and "z" not in counts.columns  # input untouched


def test_large_counts_use_the_normal_approximation_which_agrees_with_the_e_test():
    counts = pd.DataFrame({"current": [2100], "past": [2000]})
    approximate = crime.change_statistics(counts, exact_test_limit=1000)
    exact = crime.change_statistics(counts, exact_test_limit=10_000)
    assert approximate.loc[0, "p_value_method"] == "normal_approximation"
    assert exact.loc[0, "p_value_method"] == "e_test"
    assert approximate.loc[0, "p_value"] == pytest.approx(exact.loc[0, "p_value"], rel=1e-3)


def _theoretical_flag_rate(mean: float, threshold: float) -> float:
    """P(|2(√X − √Y)| > threshold) for independent X, Y ~ Poisson(mean), summed exactly."""
    support = np.arange(0, int(mean + 15 * math.sqrt(mean) + 30))
    probability = scipy_stats.poisson.pmf(support, mean)
    z = 2 * (np.sqrt(support)[:, None] - np.sqrt(support)[None, :])
    return float((probability[:, None] * probability[None, :] * (np.abs(z) > threshold)).sum())


@pytest.mark.parametrize(("mean", "exact_test_limit"), [(5, 1000), (20, 1000), (200, 0)])
def test_false_flag_rate_on_stationary_counts_matches_the_threshold(mean, exact_test_limit):
    rng = np.random.default_rng(20240630 + mean)
    seeds, cells = 200, 500
    flags = 0
    for _ in range(seeds):
        counts = pd.DataFrame({"current": rng.poisson(mean, cells),
                               "past": rng.poisson(mean, cells)})
        flags += int(crime.change_statistics(counts, exact_test_limit=exact_test_limit)[
            "flagged"].sum())
    trials = seeds * cells
    expected = _theoretical_flag_rate(mean, 3.0)
    tolerance = 4.5 * math.sqrt(expected * (1 - expected) / trials)
    assert abs(flags / trials - expected) < tolerance
    # |z| > 3 is not a 0.27% screen when the past is itself a count: z has variance ~2.
    assert expected > 0.02


def test_holm_keeps_the_chance_of_any_false_signal_in_a_null_grid_below_alpha():
    rng = np.random.default_rng(7)
    grids, cells, alpha = 300, 40, 0.05
    any_signal = 0
    for _ in range(grids):
        counts = pd.DataFrame({"current": rng.poisson(10, cells), "past": rng.poisson(10, cells)})
        result = crime.change_statistics(counts, alpha=alpha)
        any_signal += bool(result["significant"].any())
    rate = any_signal / grids
    assert rate <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / grids)


def test_change_statistics_rejects_bad_options():
    counts = pd.DataFrame({"current": [1], "past": [2]})
    with pytest.raises(AnalysisInputError, match="adjustment"):
        crime.change_statistics(counts, adjustment="bonferroni")
    with pytest.raises(AnalysisInputError, match="past"):
        crime.change_statistics(pd.DataFrame({"current": [1]}))


# ------------------------------------------------------------------------------ counts and rates


def test_monthly_counts_are_zero_filled_and_mark_partial_months(warehouse_with):
    rows = [{"occurred_at": "2024-01-05"},  # before start
            {"occurred_at": "2024-01-20"},
            *repeat({"occurred_at": "2024-02-10", "offence_category": "break_and_enter"}, 2),
            {"occurred_at": "2024-03-15 23:00"},
            {"occurred_at": "2024-03-16 00:00"}]  # after as_of
    warehouse = warehouse_with(incidents=rows)
    counts = crime.incident_counts(warehouse.table("incidents"), start=dt.date(2024, 1, 10),
                                   as_of=dt.date(2024, 3, 15))
    table = counts.set_index(["offence_category", "period_start"])["incidents"]
    assert table[("assault", pd.Timestamp("2024-01-01"))] == 1
    assert table[("assault", pd.Timestamp("2024-02-01"))] == 0
    assert table[("assault", pd.Timestamp("2024-03-01"))] == 1
    assert table[("break_and_enter", pd.Timestamp("2024-02-01"))] == 2
    assert table[("break_and_enter", pd.Timestamp("2024-03-01"))] == 0
    complete = counts.drop_duplicates("period_start").set_index("period_start")["complete"]
    assert complete.tolist() == [False, True, False]


def test_weeks_start_on_monday(warehouse_with):
    rows = [{"occurred_at": "2024-06-02 22:00"},  # Sunday
            {"occurred_at": "2024-06-03 01:00"}]  # Monday
    warehouse = warehouse_with(incidents=rows)
    counts = crime.incident_counts(warehouse.table("incidents"), start=dt.date(2024, 5, 27),
                                   as_of=dt.date(2024, 6, 9), period="week", by=())
    assert counts["period_start"].tolist() == [pd.Timestamp("2024-05-27"),
                                               pd.Timestamp("2024-06-03")]
    assert counts["incidents"].tolist() == [1, 1]
    assert counts["complete"].all()


@pytest.fixture(scope="module")
def rate_warehouse(warehouse_with):
    neighbourhoods = [
        {"neighbourhood_id": "N1", "name": "One", "division": "D1"},
        {"neighbourhood_id": "N2", "name": "Two", "division": "D1"},
        {"neighbourhood_id": "N3", "name": "Three", "division": "D2"},
        {"neighbourhood_id": "N4", "name": "Four", "division": "D2"},
    ]
    population = [
        {"neighbourhood_id": n, "year": y, "population": p}
        for (n, y), p in {("N1", 2023): 1000, ("N2", 2023): 3000, ("N3", 2023): 2000,
                          ("N4", 2023): 500, ("N1", 2024): 1100, ("N2", 2024): 2900,
                          ("N3", 2024): 2000, ("N4", 2024): 500}.items()
    ]
    incidents = [
        *repeat({"occurred_at": "2024-03-01", "neighbourhood_id": "N1", "division": "D1"}, 2),
        *repeat({"occurred_at": "2024-04-01", "neighbourhood_id": "N2", "division": "D1"}, 2),
        {"occurred_at": "2024-05-01", "neighbourhood_id": "N3", "division": "D2"},
        {"occurred_at": "2024-05-02", "neighbourhood_id": None, "division": "D1"},
        {"occurred_at": "2025-01-10", "neighbourhood_id": "N3", "division": "D2"},
    ]
    return warehouse_with(neighbourhoods=neighbourhoods, population=population,
                          incidents=incidents)


def _rates(warehouse, **options):
    return crime.incident_rates(warehouse.table("incidents"), warehouse.table("population"),
                                warehouse.table("neighbourhoods"), by=(), **options)


def test_division_population_is_the_sum_of_its_neighbourhoods(rate_warehouse):
    rates = _rates(rate_warehouse, start=dt.date(2024, 1, 1), as_of=dt.date(2024, 12, 31),
                   geography="division").set_index("division")
    assert rates.loc["D1", "population"] == 4000
    assert rates.loc["D1", "incidents"] == 5  # includes the incident with no neighbourhood
    assert rates.loc["D1", "rate"] == pytest.approx(5 / 4000 * 100_000)
    assert rates.loc["D2", "rate"] == pytest.approx(1 / 2500 * 100_000)
    assert (rates["per"] == 100_000).all()


def test_neighbourhood_rates_are_per_thousand_and_include_quiet_neighbourhoods(rate_warehouse):
    rates = _rates(rate_warehouse, start=dt.date(2024, 1, 1), as_of=dt.date(2024, 12, 31),
                   geography="neighbourhood").set_index("neighbourhood_id")
    assert rates.loc["N1", "rate"] == pytest.approx(2 / 1100 * 1000)
    assert rates.loc["N4", "incidents"] == 0 and rates.loc["N4", "rate"] == 0.0
    assert (rates["per"] == 1000).all()


def test_service_rate_and_population_carried_forward_to_a_year_without_a_count(rate_warehouse):
    service = _rates(rate_warehouse, start=dt.date(2024, 1, 1), as_of=dt.date(2025, 2, 1),
                     geography="service").set_index("period_start")
    assert service.loc[pd.Timestamp("2024-01-01"), "rate"] == pytest.approx(6 / 6500 * 100_000)
    later = service.loc[pd.Timestamp("2025-01-01")]
    assert (later["population_year"], later["population"]) == (2024, 6500)
    assert not later["complete"]


def test_rates_reject_an_unknown_geography(rate_warehouse):
    with pytest.raises(AnalysisInputError, match="geography"):
        _rates(rate_warehouse, start=dt.date(2024, 1, 1), as_of=dt.date(2024, 2, 1),
               geography="ward")


# ------------------------------------------------------------------------------ control charts


def test_c_chart_flags_the_surge_week_against_the_baseline_and_skips_the_partial_week(warehouse_with):
    weeks = [dt.date(2024, 4, 29) + dt.timedelta(weeks=w) for w in range(5)]
    rows = []
    for week, count in zip(weeks, [4, 4, 4, 4, 20], strict=True):
        rows += repeat({"occurred_at": f"{week + dt.timedelta(days=2)} 12:00",
                        "division": "D1"}, count)
    rows += repeat({"occurred_at": "2024-06-04 12:00", "division": "D1"}, 7)  # partial week
    rows += [{"occurred_at": "2024-05-08 08:00", "division": "D2"}]  # a quiet group: week 2
    warehouse = warehouse_with(incidents=rows)
    chart = crime.control_chart(warehouse.table("incidents"), as_of=dt.date(2024, 6, 5),
                                period="week", periods=5, baseline_periods=4,
                                by=("division",))
    one = chart[chart["division"] == "D1"].reset_index(drop=True)
    assert one["period_start"].tolist() == [pd.Timestamp(w) for w in weeks]
    assert one["incidents"].tolist() == [4, 4, 4, 4, 20]
    assert one.loc[0, "centre"] == 4 and one.loc[0, "upper"] == 10 and one.loc[0, "lower"] == 0
    assert one["out_of_control"].tolist() == [False] * 4 + [True]
    assert one.loc[4, "signal"] == "above"
    assert one["in_baseline"].tolist() == [True] * 4 + [False]
    quiet = chart[chart["division"] == "D2"]
    assert quiet["incidents"].tolist() == [0, 1, 0, 0, 0]


# ------------------------------------------------------------------------ neighbourhood schemes
@pytest.fixture(scope="module")
def two_scheme_warehouse(warehouse_with):
    """A city's old scheme (2016 population) and new one (2021) that reuse the id ``023``."""
    old, new = "city_140", "city_158"
    neighbourhoods = [
        {"neighbourhood_id": "023", "name": "Old Riverside", "division": "D1",
         "neighbourhood_scheme": old},
        {"neighbourhood_id": "024", "name": "Old Hill", "division": "D2",
         "neighbourhood_scheme": old},
        {"neighbourhood_id": "023", "name": "New Riverside", "division": "D1",
         "neighbourhood_scheme": new},
        {"neighbourhood_id": "170", "name": "New Hill", "division": "D2",
         "neighbourhood_scheme": new},
    ]
    population = [
        {"neighbourhood_id": "023", "year": 2016, "population": 10_000,
         "neighbourhood_scheme": old},
        {"neighbourhood_id": "024", "year": 2016, "population": 30_000,
         "neighbourhood_scheme": old},
        {"neighbourhood_id": "023", "year": 2021, "population": 4_000,
         "neighbourhood_scheme": new},
        {"neighbourhood_id": "170", "year": 2021, "population": 36_000,
         "neighbourhood_scheme": new},
    ]
    incidents = [
        *repeat({"occurred_at": "2024-03-01", "neighbourhood_id": "023", "division": "D1",
                 "neighbourhood_scheme": new}, 8),
        *repeat({"occurred_at": "2024-03-02", "neighbourhood_id": "023", "division": "D1",
                 "neighbourhood_scheme": old}, 5),
        *repeat({"occurred_at": "2024-03-03", "neighbourhood_id": "170", "division": "D2",
                 "neighbourhood_scheme": new}, 2),
    ]
    return warehouse_with(neighbourhoods=neighbourhoods, population=population,
                          incidents=incidents)


def test_rates_use_one_scheme_and_never_sum_residents_across_schemes(two_scheme_warehouse):
    window = {"start": dt.date(2024, 1, 1), "as_of": dt.date(2024, 12, 31)}
    service = _rates(two_scheme_warehouse, geography="service", **window)
    assert service["population"].tolist() == [40_000]  # the 2021 scheme, not 80,000
    divisions = _rates(two_scheme_warehouse, geography="division", **window).set_index("division")
    assert divisions.loc["D1", "population"] == 4_000
    assert divisions.loc["D2", "population"] == 36_000
    hoods = _rates(two_scheme_warehouse, geography="neighbourhood",
                   **window).set_index("neighbourhood_id")
    assert hoods.loc["023", "incidents"] == 8  # not the 5 filed under the old scheme's 023
    assert hoods.loc["023", "rate"] == pytest.approx(8 / 4_000 * 1_000)
    assert set(hoods.index) == {"023", "170"}


def test_rates_of_an_older_scheme_on_request(two_scheme_warehouse):
    hoods = _rates(two_scheme_warehouse, geography="neighbourhood", scheme="city_140",
                   start=dt.date(2024, 1, 1), as_of=dt.date(2024, 12, 31)
                   ).set_index("neighbourhood_id")
    assert hoods.loc["023", "incidents"] == 5
    assert hoods.loc["023", "population"] == 10_000
    assert hoods.loc["024", "incidents"] == 0


def test_an_unknown_scheme_names_the_schemes_held(two_scheme_warehouse):
    with pytest.raises(AnalysisInputError, match="city_140, city_158"):
        _rates(two_scheme_warehouse, geography="service", scheme="city_2030",
               start=dt.date(2024, 1, 1), as_of=dt.date(2024, 12, 31))
