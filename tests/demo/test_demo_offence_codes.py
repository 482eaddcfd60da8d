"""The versioned offence-codes file."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import schema
from workbench.demo import DemoCityError
from workbench.demo.offence_codes import load_offence_codes, offence_codes_path


@pytest.fixture(scope="module")
def codes():
    return load_offence_codes().to_pandas()


def test_the_file_covers_every_category_with_unique_codes(codes):
    assert list(codes.columns) == schema.table("offence_codes").column_names
    assert codes.offence_code.is_unique
    assert set(codes.offence_category) == set(schema.OFFENCE_CATEGORIES)
    assert codes.weights_version.nunique() == 1


def test_published_weights_are_exact(codes):
    weight = codes.set_index("description").csi_weight
    assert weight["Murder, first degree"] == 7042
    assert weight["Murder, second degree"] == 7042
    assert weight["Disturb the peace"] == 9


def test_weights_follow_the_documented_order_of_seriousness(codes):
    by_category = codes.groupby("offence_category").csi_weight
    lowest, highest = by_category.min(), by_category.max()
    assault_level_1 = codes.set_index("offence_code").csi_weight["1430-100"]
    assert (
        lowest["homicide"] > 2 * highest["robbery"]
        and highest["homicide"] > 10 * highest["robbery"]
    )
    assert lowest["robbery"] > highest["sexual_assault"]
    assert lowest["sexual_assault"] > highest["break_and_enter"]
    assert lowest["break_and_enter"] > assault_level_1 > highest["theft_under"]


def test_violent_flags(codes):
    violent = codes.groupby("offence_category").violent.all()
    for category in ("homicide", "shooting", "assault", "sexual_assault", "robbery"):
        assert violent[category], category
    for category in ("break_and_enter", "theft_under", "fraud", "mischief", "disturbance"):
        assert not codes[codes.offence_category == category].violent.any(), category


def test_the_readme_documents_the_version(codes):
    readme = (offence_codes_path().parent / "README.md").read_text()
    assert codes.weights_version.iloc[0] in readme
    assert "7,042" in readme and "illustrative" in readme


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("9999-100,Something,not_a_category,9999,false,1,demo-1", "offence_category"),
        ("9999-100,Something,fraud,9999,maybe,1,demo-1", "violent"),
        ("9999-100,Something,fraud,9999,false,heavy,demo-1", "csi_weight"),
        ("1430-100,Duplicate,assault,1430,true,24,demo-1", "offence_code"),
    ],
)
def test_a_malformed_file_names_the_line_and_column(tmp_path: Path, line, column):
    original = offence_codes_path().read_text()
    broken = tmp_path / "offence_codes.csv"
    broken.write_text(original.rstrip("\n") + "\n" + line + "\n")
    bad_line = len(original.rstrip("\n").splitlines()) + 1
    with pytest.raises(DemoCityError, match=f"line {bad_line}, column {column}"):
        load_offence_codes(broken)


def test_a_missing_column_is_named(tmp_path: Path):
    broken = tmp_path / "offence_codes.csv"
    broken.write_text("offence_code,description\n1,x\n")
    with pytest.raises(DemoCityError, match="offence_category"):
        load_offence_codes(broken)
