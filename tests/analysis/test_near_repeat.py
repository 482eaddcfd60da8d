"""Repeat and near-repeat: the Knox test against the Near Repeat Calculator's published output,
its Monte Carlo against a plain pairwise count, and the extent, labels, open windows, decay,
repeat locations and concentration curve on small hand-built data."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import knox, near_repeat, repeats
from workbench.errors import AnalysisInputError, InsufficientDataError

#: The Near Repeat Calculator's input files (docs/near-repeat-reference.md says where they come
#: from). They are real police data under GPL-3, so they are not copied into this repository:
#: point WORKBENCH_NEAR_REPEAT_REFERENCE at a folder holding them to run the published check.
DATA = Path(os.environ.get("WORKBENCH_NEAR_REPEAT_REFERENCE",
                           Path(__file__).resolve().parents[3] / "reference-data"
                           / "near_repeat_calculator"))

# ------------------------------------------------------------------ the published reference
#
# Near Repeat Calculator 1.3 (J. Ratcliffe) output shipped with the R package NearRepeat
# (W. Steenbeek, inst/extdata/*_NRverbose_*.csv): the "Observed frequencies distribution"
# tables, and per cell the mean of the calculator's simulated counts and its p-value.
# Rows: same location, then the distance bands; columns: the time bands.

BURGLARY = {  # chicago_be_month1: 100 m x 3, 7 days x 3, Manhattan, 20 iterations (19 sims)
    "file": "chicago_burglary_2016_01.csv",
    "distance_breaks": (0, 0.01, 100, 200, 300, math.inf),
    "time_breaks": (0, 7, 14, 21, math.inf),
    "simulations": 19,
    "observed": [[28, 5, 5, 2], [44, 13, 8, 4], [97, 56, 19, 16], [77, 67, 45, 20],
                 [182194, 146149, 95237, 45879]],
    "mean": [[16.9474, 11.6316, 7.9474, 3.4737], [26.1053, 21.6842, 14.0526, 7.1579],
             [73.5789, 59.2632, 37.0526, 18.1053], [82.0526, 65.1579, 42.0, 19.7895],
             [182241.3158, 146132.2632, 95212.9474, 45872.4737]],
    "p_value": [[0.05, 1.0, 0.9, 0.9], [0.05, 1.0, 1.0, 0.95], [0.05, 0.75, 1.0, 0.8],
                [0.75, 0.45, 0.5, 0.5], [1.0, 0.2, 0.05, 0.35]],
}
ARSON = {  # chicago_arson: 200 m x 3, 1 day x 3, Manhattan, 100 iterations (99 sims)
    "file": "chicago_arson_2016.csv",
    "distance_breaks": (0, 0.01, 200, 400, 600, math.inf),
    "time_breaks": (0, 1, 2, 3, math.inf),
    "simulations": 99,
    "observed": [[0, 2, 0, 8], [9, 1, 1, 45], [4, 0, 0, 140], [6, 0, 0, 234],
                 [393, 710, 770, 133658]],
    "mean": [[0.0101, 0.0707, 0.0909, 9.8283], [0.1212, 0.2727, 0.2525, 55.3535],
             [0.3434, 0.7677, 0.8384, 142.0505], [0.7778, 1.1616, 1.3535, 236.7071],
             [410.7475, 710.7273, 768.4646, 133641.0606]],
    "p_value": [[1.0, 0.01, 1.0, 1.0], [0.01, 0.27, 0.23, 1.0], [0.01, 1.0, 1.0, 0.96],
                [0.01, 1.0, 1.0, 0.96], [1.0, 0.84, 0.3, 0.01]],
}


def _calculator_input(reference: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not (DATA / reference["file"]).is_file():
        pytest.skip(f"Near Repeat Calculator reference data not found at {DATA} (set "
                    "WORKBENCH_NEAR_REPEAT_REFERENCE; see docs/near-repeat-reference.md)")
    frame = pd.read_csv(DATA / reference["file"], header=None, names=["x", "y", "date"])
    days = (pd.to_datetime(frame["date"]) - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    # The calculator holds coordinates in single precision: 399.961 m becomes 400 m.
    return (frame["x"].to_numpy(np.float32), frame["y"].to_numpy(np.float32), days)


@pytest.fixture(scope="module", params=[BURGLARY, ARSON], ids=["burglary", "arson"])
def calculator_case(request):
    reference = request.param
    x, y, days = _calculator_input(reference)
    result = knox.knox_test(x, y, days, distance_breaks=reference["distance_breaks"],
                            time_breaks=reference["time_breaks"], permutations=999, seed=7)
    return reference, result


def test_observed_pairs_match_the_near_repeat_calculator_exactly(calculator_case):
    reference, result = calculator_case
    assert result.matrix("observed").to_numpy().tolist() == reference["observed"]
    n = result.incidents
    assert result.table["observed"].sum() == n * (n - 1) // 2


def test_monte_carlo_expectation_matches_the_exact_permutation_mean(calculator_case):
    _, result = calculator_case
    table = result.table
    # The permuted count of a cell has mean exactly pairs(distance) x pairs(time) / pairs.
    tolerance = 4 * np.sqrt(np.maximum(table["expected_exact"], 1.0) / result.permutations)
    assert (np.abs(table["expected"] - table["expected_exact"]) <= tolerance).all()


def test_the_calculators_simulated_means_agree_within_their_sampling_error(calculator_case):
    reference, result = calculator_case
    exact = result.matrix("expected_exact").to_numpy()
    published = np.array(reference["mean"])
    standard_error = np.sqrt(np.maximum(exact, 0.25) / reference["simulations"])
    assert (np.abs(published - exact) <= 4 * standard_error + 1e-3).all()


def test_p_values_agree_with_the_calculator_within_its_sampling_error(calculator_case):
    reference, result = calculator_case
    ours = result.matrix("p_value").to_numpy()
    published = np.array(reference["p_value"])
    simulations = reference["simulations"]
    spread = 4 * np.sqrt(ours * (1 - ours) / simulations) + 1.5 / (simulations + 1)
    assert (np.abs(published - ours) <= spread).all()
    # where the calculator reached its smallest p-value, so do we (at our finer resolution)
    floor = 1 / (simulations + 1)
    assert (ours[published == floor] <= floor).all()


def test_burglary_near_repeat_pattern_is_read_as_the_calculator_reports_it():
    x, y, days = _calculator_input(BURGLARY)
    result = knox.knox_test(x, y, days, distance_breaks=BURGLARY["distance_breaks"],
                            time_breaks=BURGLARY["time_breaks"], permutations=999, seed=1)
    extent = near_repeat.near_repeat_extent(result)
    # "near repeats are over-represented up to 200 m for 7 days" (p = 0.05 at 19 sims)
    assert (extent.distance_metres, extent.days) == (200, 7)
    assert extent.repeat_days == 7


# ------------------------------------------------------------------ the Monte Carlo itself


def _pairwise_reference(x, y, days, distance_breaks, time_breaks, permutations, seed):
    """Every pair, every permutation, as the R package computes it (dist + cut + table)."""
    first, second = np.triu_indices(len(x), k=1)
    distance = np.abs(x[first] - x[second]) + np.abs(y[first] - y[second])
    d_band = np.searchsorted(distance_breaks, distance, side="right") - 1
    shape = (len(distance_breaks) - 1, len(time_breaks) - 1)

    def table(times):
        gap = np.abs(times[first] - times[second])
        t_band = np.searchsorted(time_breaks, gap, side="right") - 1
        inside = (d_band >= 0) & (d_band < shape[0]) & (t_band >= 0) & (t_band < shape[1])
        counts = np.zeros(shape, dtype=np.int64)
        np.add.at(counts, (d_band[inside], t_band[inside]), 1)
        return counts

    simulated = [table(days[order]) for chunk in
                 knox.permutation_orders(len(x), permutations, seed, 16) for order in chunk]
    return table(days), np.array(simulated)


@pytest.mark.parametrize("time_breaks", [(0, 3, 6, math.inf), (1, 3, 6, 10)],
                         ids=["open-ended", "closed"])
def test_the_fast_count_equals_a_pairwise_count_permutation_by_permutation(time_breaks):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 40, 300) * 25.0
    y = rng.integers(0, 40, 300) * 25.0
    days = rng.integers(0, 60, 300)
    distance_breaks = (0, 1, 100, 250, math.inf)
    result = knox.knox_test(x, y, days, distance_breaks=distance_breaks,
                            time_breaks=time_breaks, permutations=99, seed=11)
    observed, simulated = _pairwise_reference(x, y, days, np.array(distance_breaks),
                                              np.array(time_breaks), 99, 11)
    assert result.matrix("observed").to_numpy().tolist() == observed.tolist()
    p_value = ((simulated >= observed).sum(axis=0) + 1) / 100
    assert result.matrix("p_value").to_numpy() == pytest.approx(p_value)
    assert result.matrix("expected").to_numpy() == pytest.approx(simulated.mean(axis=0))


def test_fractional_times_and_euclidean_distance_are_counted_as_given():
    x = np.array([0.0, 3.0, 0.0, 500.0])
    y = np.array([0.0, 4.0, 0.0, 500.0])
    times = np.array([0.0, 0.5, 2.25, 0.1])
    result = knox.knox_test(x, y, times, distance_breaks=(0, 1, 10, math.inf),
                            time_breaks=(0, 1, math.inf), metric="euclidean", permutations=9)
    observed = result.matrix("observed").to_numpy()
    # (0,2) 0 m 2.25 d; (0,1) 5 m 0.5 d; (1,2) 5 m 1.75 d; with the far point 3:
    # 0.1 d, 0.4 d and 2.15 d apart
    assert observed.tolist() == [[0, 1], [1, 1], [2, 1]]


def test_same_seed_same_result_and_bad_input_is_refused():
    rng = np.random.default_rng(5)
    x, y, t = rng.random(50) * 500, rng.random(50) * 500, rng.integers(0, 30, 50)
    kwargs = {"distance_breaks": knox.band_breaks(100, 2),
              "time_breaks": knox.band_breaks(7, 2, same_location=None), "permutations": 49}
    first = knox.knox_test(x, y, t, seed=4, **kwargs).table
    again = knox.knox_test(x, y, t, seed=4, **kwargs).table
    pd.testing.assert_frame_equal(first, again)
    with pytest.raises(AnalysisInputError, match="increasing"):
        knox.knox_test(x, y, t, distance_breaks=(0, 100, 50), time_breaks=(0, 7))
    with pytest.raises(AnalysisInputError, match="metric"):
        knox.knox_test(x, y, t, metric="chebyshev", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(AnalysisInputError, match="same length"):
        knox.knox_test(x[:3], y, t, **kwargs)
    with pytest.raises(InsufficientDataError, match="at least 3"):
        knox.knox_test([1.0, np.nan], [1.0, 2.0], [0, 1], **kwargs)


def test_band_breaks_and_labels():
    assert knox.band_breaks(100, 3) == (0, 1, 100, 200, 300, math.inf)
    assert knox.band_breaks(7, 2, same_location=None, open_ended=False) == (0, 7, 14)
    assert knox.band_labels((0, 1, 100, math.inf), "m") == ["0 to <1 m", "1 to <100 m",
                                                            "100 m or more"]


# ------------------------------------------------------------------ extent, labels, windows

AS_OF = dt.date(2024, 6, 30)
# about 111 m per 0.001 degree of latitude
_STEP = 0.001


def _incident(day: int, north: float, east: float = 0.0, category: str = "break_and_enter",
              division: str = "D1", hour: int = 12) -> dict:
    return {"occurred_at": f"{AS_OF - dt.timedelta(days=day)} {hour:02d}:00:00",
            "latitude": 45.0 + north * _STEP, "longitude": -75.0 + east * _STEP,
            "offence_category": category, "division": division}


def _extent(distance: float, days: float, repeat_days: float = 0.0) -> near_repeat.NearRepeatExtent:
    return near_repeat.NearRepeatExtent(distance, days, repeat_days, 1.0)


def test_labels_follow_esri_definitions(warehouse_with):
    rows = [
        _incident(20, 0),            # A: originator
        _incident(18, 0),            # B: repeat of A (same place, 2 days later)
        _incident(16, 1),            # C: near repeat (111 m from A and B)
        _incident(3, 50),            # D: alone (5.5 km away)
        _incident(2, 0, category="robbery"),  # other category: not in scope
        _incident(60, 0),            # E: same place, but outside the 45-day window
    ]
    warehouse = warehouse_with(incidents=rows)
    labels = near_repeat.near_repeat_labels(
        warehouse.table("incidents"), as_of=AS_OF, days=45, division="D1",
        offence_categories=["break_and_enter"], extent=_extent(200, 14))
    assert len(labels) == 4  # E is outside the 45-day window, the robbery out of scope
    roles = labels.set_index(labels["occurred_at"].dt.day)["role"].to_dict()
    day = {d: (AS_OF - dt.timedelta(days=d)).day for d in (20, 18, 16, 3)}
    assert roles[day[20]] == "originator"
    assert roles[day[18]] == "repeat"
    assert roles[day[16]] == "near_repeat"
    assert roles[day[3]] == "none"
    chain = labels[labels["role"] != "none"]
    assert chain["chain_id"].nunique() == 1 and (chain["chain_incidents"] == 3).all()
    assert labels.loc[labels["role"] == "none", "chain_id"].tolist() == [-1]
    by_role = labels.set_index("role")
    # C follows A and B: the latest is named; B follows A; A follows nothing
    assert by_role.loc["near_repeat", "follows"] == by_role.loc["repeat", "incident_id"]
    assert by_role.loc["repeat", "follows"] == by_role.loc["originator", "incident_id"]
    assert by_role.loc["originator", "follows"] is None


def test_no_pattern_no_links_and_window_closing(warehouse_with):
    rows = [_incident(20, 0), _incident(18, 0)]
    warehouse = warehouse_with(incidents=rows)
    table = warehouse.table("incidents")
    nothing = near_repeat.near_repeat_labels(table, as_of=AS_OF, days=45,
                                             extent=_extent(0, 0))
    assert (nothing["role"] == "none").all()
    # a 2-day gap is outside a 2-day window ([0, 2) days) but inside a 3-day one
    assert (near_repeat.near_repeat_labels(table, as_of=AS_OF, days=45,
                                           extent=_extent(200, 2))["role"] == "none").all()
    assert set(near_repeat.near_repeat_labels(table, as_of=AS_OF, days=45,
                                              extent=_extent(200, 3))["role"]) == {
        "originator", "repeat"}
    # only a repeat pattern: same-place links only
    only_repeat = near_repeat.near_repeat_labels(table, as_of=AS_OF, days=45,
                                                 extent=_extent(0, 0, repeat_days=7))
    assert set(only_repeat["role"]) == {"originator", "repeat"}


def test_hot_originators_lists_chains_whose_window_is_open(warehouse_with):
    rows = [_incident(30, 0), _incident(28, 1),                       # old chain: closed
            _incident(10, 20), _incident(6, 21), _incident(5, 20),   # open chain of three
            _incident(2, 60)]                                         # single recent incident
    warehouse = warehouse_with(incidents=rows)
    extent = _extent(200, 14)
    labels = near_repeat.near_repeat_labels(warehouse.table("incidents"), as_of=AS_OF,
                                            days=60, extent=extent)
    hot = near_repeat.hot_originators(labels, as_of=AS_OF, extent=extent)
    assert len(hot) == 1
    row = hot.iloc[0]
    assert row["incidents"] == 3 and row["repeats"] == 1 and row["near_repeats"] == 1
    assert row["originator_occurred_at"].date() == AS_OF - dt.timedelta(days=10)
    assert row["window_closes"] == AS_OF - dt.timedelta(days=5) + dt.timedelta(days=13)
    assert row["days_left"] == 9
    singles = near_repeat.hot_originators(labels, as_of=AS_OF, extent=extent,
                                          minimum_incidents=1)
    assert sorted(singles["incidents"].tolist()) == [1, 3]
    # on a later day the window has closed
    later = AS_OF + dt.timedelta(days=9)
    assert near_repeat.hot_originators(labels, as_of=later, extent=extent).empty


def _knox_with(cells: dict[tuple[int, int], tuple[float, float]]) -> knox.KnoxTest:
    """A Knox result whose (distance band, time band) cells have the given (ratio, p)."""
    distance_breaks = (0, 1, 100, 200, 300, math.inf)
    time_breaks = (0, 7, 14, 21, math.inf)
    rows = []
    for d in range(5):
        for t in range(4):
            ratio, p_value = cells.get((d, t), (1.0, 0.5))
            rows.append({"distance_band": d, "time_band": t,
                         "distance_from": distance_breaks[d], "distance_to": distance_breaks[d + 1],
                         "days_from": time_breaks[t], "days_to": time_breaks[t + 1],
                         "observed": 10, "expected": 10 / ratio, "knox_ratio": ratio,
                         "p_value": p_value})
    return knox.KnoxTest(pd.DataFrame(rows), 100, 4950, 999, 0, "manhattan", 0.05,
                         distance_breaks, time_breaks)


def test_extent_is_the_significant_block_joined_to_the_nearest_cell():
    result = _knox_with({(1, 0): (3.0, 0.001), (2, 0): (2.0, 0.01), (1, 1): (1.5, 0.02),
                         (3, 2): (2.0, 0.001),   # significant but not joined: ignored
                         (0, 0): (4.0, 0.001), (0, 1): (2.0, 0.03)})
    extent = near_repeat.near_repeat_extent(result)
    assert (extent.distance_metres, extent.days, extent.repeat_days) == (200, 14, 14)
    assert extent.window_days == 14
    # a stricter level keeps only the strongest cells; a small excess is not a pattern
    strict = near_repeat.near_repeat_extent(result, alpha=0.005)
    assert (strict.distance_metres, strict.days, strict.repeat_days) == (100, 7, 7)
    weak = near_repeat.near_repeat_extent(_knox_with({(1, 0): (1.1, 0.001)}))
    assert not weak.near_repeat and not weak.repeat


def test_decay_recovers_a_known_half_life():
    half_life = 3.0
    time_breaks = knox.band_breaks(2, 10, same_location=None)
    lower = np.array(time_breaks[:-2])
    upper = np.array(time_breaks[1:-1])
    rate = math.log(2) / half_life
    excess = 60 * (np.exp(-rate * lower) - np.exp(-rate * upper)) / rate
    rows = [{"distance_band": 1, "time_band": i, "distance_from": 1, "distance_to": 200,
             "days_from": lo, "days_to": hi, "observed": round(20 + e), "expected": 20.0}
            for i, (lo, hi, e) in enumerate(zip(lower, upper, excess, strict=True))]
    rows.append({"distance_band": 1, "time_band": 10, "distance_from": 1, "distance_to": 200,
                 "days_from": 20, "days_to": math.inf, "observed": 500, "expected": 500.0})
    result = knox.KnoxTest(pd.DataFrame(rows), 100, 4950, 999, 0, "manhattan", 0.05,
                           (0, 1, 200, math.inf), time_breaks)
    decay = near_repeat.near_repeat_decay(result, distance_metres=200)
    assert decay.half_life_days == pytest.approx(half_life, rel=0.1)
    assert decay.table["excess"].iloc[0] > decay.table["excess"].iloc[3] > 0
    flat = knox.KnoxTest(pd.DataFrame(rows).assign(observed=20), 100, 4950, 999, 0,
                         "manhattan", 0.05, (0, 1, 200, math.inf), time_breaks)
    assert math.isnan(near_repeat.near_repeat_decay(flat, distance_metres=200).half_life_days)


def test_near_repeat_test_selects_in_the_engine_and_projects_to_metres(warehouse_with):
    rows = [_incident(d, (d % 5) * 0.5, division=("D1" if d % 2 else "D2"))
            for d in range(1, 41)] + [{"occurred_at": f"{AS_OF} 10:00:00",
                                       "offence_category": "break_and_enter",
                                       "division": "D1"}]  # no coordinates: left out
    warehouse = warehouse_with(incidents=rows)
    table = warehouse.table("incidents")
    points = near_repeat.located_incidents(table, as_of=AS_OF, days=30, division="D1")
    assert len(points) == 15 and points["occurred_at"].is_monotonic_increasing
    # 0.0005 degrees of latitude apart is 55.6 m
    spread = points["y"].max() - points["y"].min()
    assert spread == pytest.approx(4 * 0.5 * _STEP * 2 * math.pi * 6_371_000 / 360, rel=1e-6)
    result = near_repeat.near_repeat_test(table, as_of=AS_OF, days=30, division="D1",
                                          permutations=19)
    assert result.incidents == 15 and result.table["observed"].sum() == 15 * 14 // 2
    with pytest.raises(AnalysisInputError, match="at least one category"):
        near_repeat.located_incidents(table, as_of=AS_OF, offence_categories=[])


# ------------------------------------------------------------------ repeat locations


def test_repeat_locations_and_concentration_curve(warehouse_with):
    rows = ([_incident(d, 0) for d in (1, 5, 9, 20)]          # 4 at one place
            + [_incident(d, 3) for d in (2, 8)]                # 2 at another
            + [_incident(d, 10 + d) for d in (3, 4, 6, 7)]     # 4 places with one each
            + [_incident(400, 0)])                             # outside the window
    warehouse = warehouse_with(incidents=rows)
    table = warehouse.table("incidents")
    places = repeats.repeat_locations(table, as_of=AS_OF, days=365)
    assert places["incidents"].tolist() == [4, 2]
    assert places["rank"].tolist() == [1, 2]
    assert (places["place_kind"] == "coordinates").all()
    assert places.iloc[0]["offence_categories"] == "break_and_enter"
    assert places.iloc[0]["first_occurred_at"].date() == AS_OF - dt.timedelta(days=20)
    curve = repeats.concentration_curve(table, as_of=AS_OF, days=365)
    assert curve["incidents"].tolist() == [4, 2, 1, 1, 1, 1]
    assert curve["share_of_incidents"].iloc[0] == pytest.approx(0.4)
    assert curve["share_of_incidents"].iloc[-1] == pytest.approx(1.0)
    summary = repeats.concentration_summary(curve, unit_shares=(0.5,)).set_index("measure")
    assert summary.loc["top 50% of units", "share_of_incidents"] == pytest.approx(0.7)
    assert summary.loc["units holding 50% of incidents", "share_of_units"] == pytest.approx(2 / 6)


def test_repeat_victims_need_a_victim_key(warehouse_with):
    warehouse = warehouse_with(incidents=[_incident(1, 0)])
    table = warehouse.table("incidents")
    assert not repeats.has_victim_key(table)
    with pytest.raises(AnalysisInputError, match="no 'victim_key' column"):
        repeats.repeat_victims(table, as_of=AS_OF)
    with pytest.raises(AnalysisInputError, match="victim"):
        repeats.concentration_curve(table, as_of=AS_OF, by="victim")
    keyed = table.mutate(victim_key=table.incident_id.substr(0, 3))  # every row: "inc"
    victims = repeats.repeat_victims(keyed, as_of=AS_OF, minimum_incidents=1)
    assert victims["incidents"].tolist() == [1]


# ------------------------------------------------------------------ the demo city


@pytest.fixture(scope="module")
def demo_burglaries(demo_warehouse):
    return demo_warehouse.table("incidents")


@pytest.mark.slow
def test_the_planted_near_repeat_pattern_is_found_in_its_division(demo_burglaries,
                                                                  demo_end_date):
    from workbench.demo.signals import NEAR_REPEAT_BURGLARY as planted

    result = near_repeat.near_repeat_test(
        demo_burglaries, as_of=demo_end_date, days=365, division=planted.division,
        offence_categories=[planted.offence_category])
    nearest = result.table.set_index(["distance_band", "time_band"])
    assert nearest.loc[(1, 0), "p_value"] == pytest.approx(0.001)  # the smallest possible
    assert nearest.loc[(1, 0), "knox_ratio"] > 3
    extent = near_repeat.near_repeat_extent(result)
    # planted: < 200 m (follow-ons of one burglary can be up to 400 m from each other) and
    # < 14 days, fading with a 4-day half-life
    assert 200 <= extent.distance_metres <= 300
    assert 7 <= extent.days <= 21
    assert extent.repeat  # a fifth of the follow-ons are at the same address
    labels = near_repeat.near_repeat_labels(
        demo_burglaries, as_of=demo_end_date, days=365, division=planted.division,
        offence_categories=[planted.offence_category], extent=extent)
    shares = labels["role"].value_counts(normalize=True)
    assert shares["near_repeat"] + shares["repeat"] > 0.15
    hot = near_repeat.hot_originators(labels, as_of=demo_end_date, extent=extent)
    window = dt.timedelta(days=math.ceil(extent.window_days))
    assert (hot["last_occurred_at"].dt.date > demo_end_date - window).all()
    assert (hot["incidents"] >= 2).all()


@pytest.mark.slow
@pytest.mark.parametrize("division", ["D2", "D3", "D5", "D6", "D7"])
def test_no_near_repeat_pattern_where_none_was_planted(demo_burglaries, demo_end_date,
                                                       division):
    # D1 is left out: its planted break-and-enter surge (signal 1) is itself a space-time
    # cluster. At alpha = 0.001 a chance finding happens in about 1 build in 1,000.
    result = near_repeat.near_repeat_test(
        demo_burglaries, as_of=demo_end_date, days=365, division=division,
        offence_categories=["break_and_enter"], alpha=0.001)
    extent = near_repeat.near_repeat_extent(result)
    assert not extent.near_repeat, result.matrix("p_value")


@pytest.mark.slow
def test_the_planted_half_life_is_recovered(demo_burglaries, demo_end_date):
    from workbench.demo.signals import NEAR_REPEAT_BURGLARY as planted

    result = near_repeat.near_repeat_test(
        demo_burglaries, as_of=demo_end_date, days=5 * 365 - 30, division=planted.division,
        offence_categories=[planted.offence_category],
        time_breaks=knox.band_breaks(2, 10, same_location=None), permutations=199)
    decay = near_repeat.near_repeat_decay(result, distance_metres=planted.distance_metres)
    assert decay.half_life_days == pytest.approx(planted.half_life_days, rel=0.5)


@pytest.mark.slow
def test_burglary_concentrates_at_few_places_in_the_demo(demo_burglaries, demo_end_date):
    curve = repeats.concentration_curve(demo_burglaries, as_of=demo_end_date, days=365)
    summary = repeats.concentration_summary(curve).set_index("measure")
    top_fifth = summary.loc["top 20% of units", "share_of_incidents"]
    assert 0.2 < top_fifth < 1  # a few addresses attract many events
    places = repeats.repeat_locations(demo_burglaries, as_of=demo_end_date, days=365, top=10)
    assert places["incidents"].is_monotonic_decreasing and places["incidents"].min() >= 2
    assert places["neighbourhood_id"].notna().all()
