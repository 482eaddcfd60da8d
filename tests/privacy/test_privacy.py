"""Tests for workbench.privacy: small-cell suppression checked by an attacker, random rounding,
identifier removal, geomasking and the audience levels."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from workbench import privacy
from workbench.errors import SettingsError
from workbench.geometry import haversine_metres
from workbench.privacy import (
    Audience,
    PrivacyError,
    audit_public_table,
    drop_identifiers,
    geomask_points,
    random_round,
    suppress_small_cells,
)

THRESHOLD = 10
DIMENSION_NAMES = ("division", "offence", "month", "group")
FOOTNOTE = (
    "Counts below 10 are suppressed; some other cells are suppressed so the hidden ones "
    "cannot be worked out from totals."
)


def counts_table(shape: tuple[int, ...], seed: int, median: float = 15.0) -> pd.DataFrame:
    """A tidy table of skewed counts (Poisson with log-normal means) with text levels."""
    generator = np.random.default_rng(seed)
    names = DIMENSION_NAMES[: len(shape)]
    levels = [
        [f"{name[:3]}-{index}" for index in range(size)]
        for name, size in zip(names, shape, strict=True)
    ]
    frame = pd.DataFrame(list(itertools.product(*levels)), columns=list(names))
    frame["count"] = generator.poisson(np.exp(generator.normal(math.log(median), 1.0, len(frame))))
    return frame


def published_values(result: privacy.SuppressedTable) -> list[pd.Series]:
    """The count columns of the cells and of every margin, as published."""
    return [result.cells["count"], *(frame["count"] for frame in result.margins.values())]


# --------------------------------------------------------------------------------------------
# Small-cell suppression and the attacker's audit
# --------------------------------------------------------------------------------------------

TABLE_SHAPES = [(6, 5), (8, 4), (4, 4, 3), (5, 3, 3), (3, 3, 3, 3), (4, 3, 3, 2)]


@pytest.mark.parametrize("shape", TABLE_SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lp_audit_recovers_no_hidden_count(shape: tuple[int, ...], seed: int) -> None:
    table = counts_table(shape, seed)
    result = suppress_small_cells(
        table, dimensions=DIMENSION_NAMES[: len(shape)], threshold=THRESHOLD
    )
    summary = result.suppression_summary()
    assert summary["primary"].sum() > 0  # the table really has something to protect
    assert result.audit(method="lp") == []
    # a weaker attacker (not told that hidden counts are non-zero) finds nothing either
    weaker = audit_public_table(
        result.cells,
        result.margins,
        dimensions=result.dimensions,
        threshold=THRESHOLD,
        method="lp",
        zeros_shown=False,
    )
    assert weaker == []


@pytest.mark.parametrize("shape", TABLE_SHAPES)
def test_no_published_count_is_between_zero_and_threshold(shape: tuple[int, ...]) -> None:
    result = suppress_small_cells(
        counts_table(shape, seed=7), dimensions=DIMENSION_NAMES[: len(shape)], threshold=THRESHOLD
    )
    for column in published_values(result):
        shown = column.dropna().astype(int)
        assert not ((shown > 0) & (shown < THRESHOLD)).any()
    assert result.cells["count"].isna().sum() > 0


def test_audit_recovers_cells_hidden_without_complementary_suppression() -> None:
    table = pd.DataFrame(
        {
            "division": ["A", "A", "B", "B"],
            "offence": ["theft", "assault"] * 2,
            "count": [4, 30, 25, 40],
        }
    )
    naive = table.assign(count=table["count"].where(table["count"] >= THRESHOLD))
    margins = {
        ("division",): table.groupby("division", as_index=False)["count"].sum(),
        ("offence",): table.groupby("offence", as_index=False)["count"].sum(),
        (): pd.DataFrame({"count": [table["count"].sum()]}),
    }
    for method in ("lp", "lines"):
        exposures = audit_public_table(
            naive, margins, dimensions=["division", "offence"], threshold=THRESHOLD, method=method
        )
        assert [(e.kind, e.key, e.lower, e.upper) for e in exposures] == [
            ("recovered", ("A", "theft"), 4.0, 4.0)
        ]


def test_audit_flags_a_small_published_count() -> None:
    table = pd.DataFrame({"division": ["A", "B", "C"], "count": [4, 30, 25]})
    exposures = audit_public_table(
        table, {(): pd.DataFrame({"count": [59]})}, dimensions=["division"], threshold=THRESHOLD
    )
    assert [(e.kind, e.key, e.lower) for e in exposures] == [("small_published", ("A",), 4.0)]
    assert "below the threshold" in exposures[0].describe()


def test_audit_rejects_totals_that_do_not_add_up() -> None:
    table = pd.DataFrame({"division": ["A", "B"], "count": [15, 20]})
    with pytest.raises(PrivacyError, match="do not add up"):
        audit_public_table(
            table, {(): pd.DataFrame({"count": [40]})}, dimensions=["division"], threshold=THRESHOLD
        )


def test_audit_copes_with_hidden_zeros_when_told_zeros_are_shown() -> None:
    # someone hid two zeros: the attacker's "hidden counts are at least 1" cannot hold, so it
    # falls back to non-negativity, which still gives both zeros away
    cells = pd.DataFrame({"division": ["A", "B", "C"], "count": [None, None, 30]}, dtype=object)
    exposures = audit_public_table(
        cells.astype({"count": "Float64"}),
        {(): pd.DataFrame({"count": [30]})},
        dimensions=["division"],
        threshold=THRESHOLD,
        method="lp",
    )
    assert [(e.key, e.lower, e.upper) for e in exposures] == [
        (("A",), 0.0, 0.0),
        (("B",), 0.0, 0.0),
    ]


def test_planted_small_cell_forces_a_complementary_rectangle() -> None:
    divisions, offences = ["North", "South", "East", "West"], ["theft", "assault", "mischief"]
    table = pd.DataFrame(
        list(itertools.product(divisions, offences)), columns=["division", "offence"]
    )
    table["count"] = 40
    table.loc[(table["division"] == "East") & (table["offence"] == "assault"), "count"] = 3
    result = suppress_small_cells(table, dimensions=["division", "offence"], threshold=THRESHOLD)
    cells = result.cells
    hidden = cells[cells["suppressed"]]
    primary = hidden[hidden["reason"] == "primary"]
    complementary = hidden[hidden["reason"] == "complementary"]
    assert list(zip(primary["division"], primary["offence"], strict=True)) == [("East", "assault")]
    # the cheapest protection is a rectangle: one more cell in the row, one in the column, and
    # the cell completing the rectangle; no margin needs hiding
    assert len(complementary) == 3
    assert hidden["division"].value_counts().tolist() == [2, 2]
    assert hidden["offence"].value_counts().tolist() == [2, 2]
    assert (hidden["division"] == "East").sum() == 2 and (hidden["offence"] == "assault").sum() == 2
    assert all(not frame["suppressed"].any() for frame in result.margins.values())
    assert result.audit(method="lp") == []


def test_small_margins_are_suppressed_and_protected() -> None:
    table = pd.DataFrame(
        list(itertools.product(["A", "B", "C", "D"], ["x", "y", "z"])),
        columns=["division", "offence"],
    )
    table["count"] = [2, 3, 0, 20, 30, 25, 15, 12, 40, 22, 18, 35]  # division A totals 5
    result = suppress_small_cells(table, dimensions=["division", "offence"], threshold=THRESHOLD)
    by_division = result.margins[("division",)].set_index("division")
    assert bool(by_division.loc["A", "suppressed"]) and by_division.loc["A", "reason"] == "primary"
    for column in published_values(result):
        shown = column.dropna().astype(int)
        assert not ((shown > 0) & (shown < THRESHOLD)).any()
    assert result.audit(method="lp") == []


def test_published_totals_are_the_true_totals() -> None:
    table = counts_table((5, 4, 3), seed=3)
    dims = ["division", "offence", "month"]
    result = suppress_small_cells(table, dimensions=dims, threshold=THRESHOLD)
    assert set(result.margins) == {
        ("division", "offence"),
        ("division", "month"),
        ("offence", "month"),
        ("division",),
        ("offence",),
        ("month",),
        (),
    }
    for subset, frame in result.margins.items():
        truth = (
            table.groupby(list(subset))["count"].sum()
            if subset
            else pd.Series([table["count"].sum()])
        )
        published = frame.set_index(list(subset))["count"] if subset else frame["count"]
        shown = published.dropna()
        assert len(frame) == len(truth)
        assert (shown.astype(int) == truth.loc[shown.index]).all()
    shown_cells = result.cells.dropna(subset=["count"])
    merged = shown_cells.merge(table, on=dims, suffixes=("", "_true"))
    assert (merged["count"].astype(int) == merged["count_true"]).all()
    if result.grand_total is not None:
        assert result.grand_total == table["count"].sum()


def test_result_layout_types_and_footnote() -> None:
    table = counts_table((4, 3), seed=5).assign(rate=1.5)
    result = suppress_small_cells(table, dimensions=["division", "offence"], threshold=THRESHOLD)
    cells = result.cells
    assert list(cells.columns) == [
        "division",
        "offence",
        "count",
        "suppressed",
        "reason",
    ]  # rate dropped
    assert str(cells["count"].dtype) == "Int64" and cells["suppressed"].dtype == bool
    assert cells[["division", "offence"]].equals(table[["division", "offence"]])
    assert (cells["count"].isna() == cells["suppressed"]).all()
    assert set(cells["reason"].dropna()) <= {"primary", "complementary"}
    assert cells["reason"].isna().equals(~cells["suppressed"])
    assert result.footnote == FOOTNOTE
    assert result.threshold == THRESHOLD and result.dimensions == ("division", "offence")


def test_zeros_are_shown_by_default_and_can_be_suppressed() -> None:
    table = counts_table((5, 4), seed=11, median=6.0)
    table.loc[[0, 7], "count"] = 0
    shown = suppress_small_cells(table, dimensions=["division", "offence"], threshold=THRESHOLD)
    assert (shown.cells.loc[[0, 7], "count"] == 0).all()
    hidden = suppress_small_cells(
        table, dimensions=["division", "offence"], threshold=THRESHOLD, suppress_zeros=True
    )
    assert hidden.cells.loc[[0, 7], "suppressed"].all()
    assert "including zeros" in hidden.footnote
    assert hidden.audit(method="lp") == []


def test_one_way_table_hides_a_second_cell() -> None:
    table = pd.DataFrame({"division": ["A", "B", "C"], "count": [3, 40, 50]})
    result = suppress_small_cells(table, dimensions=["division"], threshold=THRESHOLD)
    assert result.cells["suppressed"].tolist() == [True, True, False]
    assert result.grand_total == 93
    assert result.audit(method="lp") == []


def test_large_four_way_table_passes_the_line_audit() -> None:
    table = counts_table((8, 10, 12, 10), seed=4, median=40.0)
    result = suppress_small_cells(table, dimensions=DIMENSION_NAMES, threshold=THRESHOLD)
    assert len(result.cells) == 9_600
    assert result.suppression_summary().loc["cells", "complementary"] > 0
    assert result.audit(method="lines") == []


def test_suppression_does_not_modify_its_input() -> None:
    table = counts_table((4, 3, 3), seed=9)
    before = table.copy(deep=True)
    result = suppress_small_cells(
        table, dimensions=["division", "offence", "month"], threshold=THRESHOLD
    )
    published = result.cells.copy(deep=True)
    result.audit()
    pd.testing.assert_frame_equal(table, before)
    pd.testing.assert_frame_equal(result.cells, published)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"division": ["A", "A"], "count": [1, 2]}), "more than one row"),
        (pd.DataFrame({"division": ["A", "B"], "count": [1, -2]}), "non-negative whole"),
        (pd.DataFrame({"division": ["A", "B"], "count": [1.5, 2]}), "non-negative whole"),
        (pd.DataFrame({"division": ["A", "B"], "count": [1, None]}), "missing counts"),
        (pd.DataFrame({"division": ["A", "B"], "total": [1, 2]}), "no column"),
    ],
)
def test_suppression_rejects_bad_tables(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(PrivacyError, match=message):
        suppress_small_cells(frame, dimensions=["division"], threshold=THRESHOLD)


def test_threshold_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    table = pd.DataFrame({"division": ["A", "B", "C"], "count": [12, 40, 50]})
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", "15")
    assert privacy.small_cell_threshold() == 15
    result = suppress_small_cells(table, dimensions=["division"])
    assert result.threshold == 15 and result.footnote.startswith("Counts below 15 ")
    assert result.cells.loc[0, "reason"] == "primary"
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", "ten")
    with pytest.raises(SettingsError):
        privacy.small_cell_threshold()
    monkeypatch.delenv("WORKBENCH_SMALL_CELL_THRESHOLD")
    assert privacy.small_cell_threshold() == privacy.DEFAULT_SMALL_CELL_THRESHOLD == 10


# --------------------------------------------------------------------------------------------
# Random rounding
# --------------------------------------------------------------------------------------------

ROUNDING_VALUES = np.array([0, 1, 2, 3, 4, 5, 6, 7, 9, 13, 24, 25, 101, 998])


def test_random_rounding_gives_multiples_of_five_within_five() -> None:
    for seed in range(200):
        rounded = random_round(ROUNDING_VALUES, seed=seed)
        assert rounded.dtype == np.int64
        assert (rounded % 5 == 0).all()
        assert (np.abs(rounded - ROUNDING_VALUES) < 5).all()
        multiples = ROUNDING_VALUES % 5 == 0
        assert (rounded[multiples] == ROUNDING_VALUES[multiples]).all()


def test_random_rounding_is_unbiased() -> None:
    seeds = 4_000
    means = np.mean([random_round(ROUNDING_VALUES, seed=seed) for seed in range(seeds)], axis=0)
    # each rounded value is the truth plus a two-point error with standard deviation <= 2.5
    assert np.abs(means - ROUNDING_VALUES).max() < 5 * 2.5 / math.sqrt(seeds)
    assert np.abs(means - ROUNDING_VALUES).max() > 0  # it is random, not plain rounding


def test_random_rounding_is_deterministic_for_a_seed() -> None:
    first = random_round(ROUNDING_VALUES, seed=42)
    assert np.array_equal(first, random_round(ROUNDING_VALUES, seed=42))
    assert any(
        not np.array_equal(first, random_round(ROUNDING_VALUES, seed=seed))
        for seed in range(43, 50)
    )


def test_random_rounding_keeps_series_shape_and_missing_values() -> None:
    counts = pd.Series(
        [3, None, 12, 40], index=["north", "south", "east", "west"], dtype="Int64", name="count"
    )
    before = counts.copy()
    rounded = random_round(counts, seed=1)
    assert list(rounded.index) == list(counts.index) and rounded.name == "count"
    assert str(rounded.dtype) == "Int64" and pd.isna(rounded["south"])
    assert rounded["west"] == 40 and rounded["north"] in (0, 5) and rounded["east"] in (10, 15)
    pd.testing.assert_series_equal(counts, before)
    assert random_round(7, base=10, seed=3) in (0, 10)
    with pytest.raises(PrivacyError):
        random_round(ROUNDING_VALUES, base=0, seed=1)


# --------------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------------


def test_identifier_columns_are_removed_in_any_spelling() -> None:
    identifiers = [
        "officer_id",
        "OfficerID",
        "Badge No.",
        "badge",
        "NAME",
        "first name",
        "LastName",
        "Date_Of_Birth",
        "DOB",
        "address",
        "Street",
        "Phone",
        "e-mail",
        "subject_id",
        "PersonId",
        "report_officer",
        "Employee ID",
        "victim_name",
        "suspectDOB",
        "callerPhone",
        "officer_badge_number",
    ]
    kept = [
        "division_name",
        "offence_name",
        "count",
        "occurred_date",
        "hundred_block",
        "latitude",
        "race",
    ]
    frame = pd.DataFrame({name: [1, 2] for name in identifiers + kept})
    before = frame.copy()
    cleaned, removed = drop_identifiers(frame)
    assert removed == tuple(identifiers)
    assert list(cleaned.columns) == kept
    pd.testing.assert_frame_equal(frame, before)


def test_extra_identifiers_can_be_named() -> None:
    frame = pd.DataFrame({"occurrence_number": [1], "division": ["A"], "Case Worker": ["x"]})
    cleaned, removed = drop_identifiers(frame, extra=["case_worker", "OccurrenceNumber"])
    assert removed == ("occurrence_number", "Case Worker")
    assert list(cleaned.columns) == ["division"]


# --------------------------------------------------------------------------------------------
# Geomasking
# --------------------------------------------------------------------------------------------

CELL = privacy.DEFAULT_GEOMASK_CELL_METRES
RELATIVE_TOLERANCE = 5e-4  # the flat projection over one cell, measured on the sphere


def assert_displacement_between(
    lat: np.ndarray, lon: np.ndarray, low: float, high: float, **options: object
) -> None:
    masked_lat, masked_lon = geomask_points(lat, lon, **options)
    distance = haversine_metres(lat, lon, masked_lat, masked_lon)
    assert distance.min() >= low * (1 - RELATIVE_TOLERANCE)
    assert distance.max() <= high * (1 + RELATIVE_TOLERANCE)


def test_geomasked_points_stay_between_the_documented_distances() -> None:
    generator = np.random.default_rng(0)
    ottawa_lat, ottawa_lon = (
        generator.uniform(45.2, 45.5, 5_000),
        generator.uniform(-76.0, -75.5, 5_000),
    )
    canada_lat, canada_lon = (
        generator.uniform(42.0, 70.0, 5_000),
        generator.uniform(-140.0, -52.0, 5_000),
    )
    for lat, lon in ((ottawa_lat, ottawa_lon), (canada_lat, canada_lon)):
        for cell in (CELL, 100.0, 1_000.0):
            assert_displacement_between(
                lat, lon, cell / math.sqrt(2), cell * math.sqrt(2), cell_metres=cell
            )
            assert_displacement_between(
                lat, lon, 0.0, cell / math.sqrt(2), cell_metres=cell, min_displacement=False
            )


def offset_by_metres(
    lat: np.ndarray, lon: np.ndarray, north: float, east: float
) -> tuple[np.ndarray, np.ndarray]:
    """Move points by metres north and east, with the east-west scale at their own latitude."""
    radius = privacy.EARTH_RADIUS_METRES
    return lat + np.degrees(north / radius), lon + np.degrees(
        east / (radius * np.cos(np.radians(lat)))
    )


def test_geomask_bounds_hold_on_grid_lines_and_quarter_lines() -> None:
    generator = np.random.default_rng(1)
    lat, lon = generator.uniform(45.2, 45.5, 2_000), generator.uniform(-76.0, -75.5, 2_000)
    half = CELL / 2
    published = geomask_points(lat, lon)  # grid corners
    # just inside the corner one row further south: moved a whole cell north and east, the
    # farthest case (1 cm inside, so rounding cannot put it in a neighbouring cell)
    corners = offset_by_metres(*published, -CELL + 0.01, 0.01)
    # the middle of the cell north-east of a published corner, where its quarter-cells meet,
    # moves back to that corner: the nearest case
    middles = offset_by_metres(*published, half, half)
    centres = geomask_points(lat, lon, min_displacement=False)
    centre_corners = offset_by_metres(*centres, -half + 0.01, -half + 0.01)
    tiny = np.array([-1e-9, 0.0, 1e-9])  # degrees: about 0.1 mm either side of each line
    for base_lat, base_lon in (published, corners, middles, centres, centre_corners):
        for step_lat, step_lon in itertools.product(tiny, tiny):
            near_lat, near_lon = base_lat + step_lat, base_lon + step_lon
            assert_displacement_between(
                near_lat, near_lon, CELL / math.sqrt(2), CELL * math.sqrt(2)
            )
            assert_displacement_between(
                near_lat, near_lon, 0.0, CELL / math.sqrt(2), min_displacement=False
            )
    # both bounds are attained: a whole cell diagonal from a grid corner, half of one from the
    # middle of a cell (and, snapping to centres, half a diagonal from a cell's corner)
    exact = [
        (corners, {}, CELL * math.sqrt(2)),
        (middles, {}, CELL / math.sqrt(2)),
        (centre_corners, {"min_displacement": False}, CELL / math.sqrt(2)),
        (centres, {"min_displacement": False}, 0.0),
    ]
    for points, options, expected in exact:
        distance = haversine_metres(*points, *geomask_points(*points, **options))
        assert distance == pytest.approx(np.full(2_000, expected), rel=RELATIVE_TOLERANCE, abs=1e-6)


def test_geomask_publishes_few_fixed_points_and_keeps_missing_ones() -> None:
    generator = np.random.default_rng(2)
    lat = pd.Series(generator.uniform(45.40, 45.41, 3_000))
    lon = pd.Series(generator.uniform(-75.70, -75.69, 3_000))
    lat[[3, 10]] = np.nan
    lon[[10, 11]] = None
    before = lat.copy(), lon.copy()
    masked_lat, masked_lon = geomask_points(lat, lon)
    assert np.isnan(masked_lat[[3, 10]]).all() and np.isnan(masked_lon[[10, 11]]).all()
    valid = ~(np.isnan(masked_lat) | np.isnan(masked_lon))
    assert valid.sum() == 2_997
    published = set(zip(masked_lat[valid].round(9), masked_lon[valid].round(9), strict=True))
    assert len(published) < 50  # about 1.1 km x 0.8 km: a few dozen 250 m grid corners
    again = geomask_points(lat, lon)
    assert np.array_equal(again[0], masked_lat, equal_nan=True) and np.array_equal(
        again[1], masked_lon, equal_nan=True
    )
    pd.testing.assert_series_equal(lat, before[0])
    pd.testing.assert_series_equal(lon, before[1])


def test_geomask_rejects_out_of_range_coordinates() -> None:
    with pytest.raises(PrivacyError, match="latitudes"):
        geomask_points([89.0], [0.0])
    with pytest.raises(PrivacyError, match="longitudes"):
        geomask_points([45.0], [200.0])
    with pytest.raises(PrivacyError, match="cell_metres"):
        geomask_points([45.0], [-75.0], cell_metres=0)


# --------------------------------------------------------------------------------------------
# Audiences
# --------------------------------------------------------------------------------------------


def test_audiences_are_ordered_from_public_to_restricted() -> None:
    assert Audience.PUBLIC < Audience.INTERNAL < Audience.RESTRICTED
    assert (
        Audience.parse("Internal") is Audience.INTERNAL
        and Audience.RESTRICTED.label == "restricted"
    )
    with pytest.raises(PrivacyError, match="unknown audience"):
        Audience.parse("press")
