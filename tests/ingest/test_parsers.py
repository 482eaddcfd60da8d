"""The vectorised parsers adapters are written with: values, and the reasons rows get."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from workbench.ingest.base import SourceRows, classify_premises, describe_format
from workbench.ingest.validation import RowIssues


def _rows(missing=("NA",), **columns) -> SourceRows:
    frame = pd.DataFrame(columns, dtype="string[pyarrow]")
    return SourceRows(frame, RowIssues(frame.index), missing_values=missing)


def _reasons(rows: SourceRows) -> dict[int, tuple[str, str]]:
    frame = rows.issues.rejected_frame("incidents")
    return {int(o): (c, r) for o, c, r in zip(frame.ordinal, frame.column, frame.reason,
                                                strict=True)}


def test_text_strips_and_treats_markers_as_missing():
    rows = _rows(a=["  x ", "NA", "", None, "NAN"])
    assert rows.text("a").tolist() == ["x", pd.NA, pd.NA, pd.NA, "NAN"]
    assert rows.text("a").name == "a"


def test_timestamp_formats_and_bad_dates():
    rows = _rows(d=["2022-03-01 10:00:00", "03/02/2022 01:30:00 PM", "2022-02-30 00:00:00",
                    "1850-01-01 00:00:00", "NA"])
    values = rows.timestamp("d", ["%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p"])
    assert values.tolist()[:2] == [pd.Timestamp("2022-03-01 10:00"), pd.Timestamp("2022-03-02 13:30")]
    assert values.iloc[2:].isna().all()
    reasons = _reasons(rows)
    assert set(reasons) == {2, 3}
    assert reasons[2] == ("d", "bad date '2022-02-30 00:00:00' in d "
                               "(expected YYYY-MM-DD hh:mm:ss or MM/DD/YYYY hh:mm:ss AM/PM)")
    assert reasons[3][1].startswith("implausible date '1850-01-01 00:00:00'")


def test_timestamp_from_utc_and_several_columns():
    rows = _rows(d=["2024-07-01T04:00:00"], y=["2025"], m=["1"], day=["9"], h=["7"])
    assert rows.timestamp("d", ["%Y-%m-%dT%H:%M:%S"], from_utc_to="America/Toronto").tolist() \
        == [pd.Timestamp("2024-07-01 00:00")]
    assert rows.timestamp(["y", "m", "day", "h"], ["%Y %m %d %H"]).tolist() == \
        [pd.Timestamp("2025-01-09 07:00")]


def test_date_parts_hours_and_clock_times():
    rows = _rows(y=["2014.0", "2015", "2016", None], m=["January", "2", "Febtember", None],
                 d=["31.0", "29", "1", None], h=["23", "24", "0", "5"],
                 t=["5", "1757", "1261", None])
    days = rows.date_parts("y", "m", "d")
    assert days.iloc[0] == pd.Timestamp("2014-01-31") and days.iloc[1:].isna().all()
    with_hours = rows.with_hour(days, "h")
    assert with_hours.iloc[0] == pd.Timestamp("2014-01-31 23:00")
    clock = rows.with_clock(pd.Series(pd.Timestamp("2020-01-01"), index=rows.index), "t")
    assert clock.iloc[0] == pd.Timestamp("2020-01-01 00:05")
    assert clock.iloc[1] == pd.Timestamp("2020-01-01 17:57")
    reasons = _reasons(rows)
    assert reasons[1][1] == "bad date '2015-2-29' in y/m/d"
    assert reasons[2] == ("m", "bad month 'Febtember' in m")
    assert 3 not in reasons  # all parts missing: left to the required-value check


def test_numbers_and_integers():
    rows = _rows(n=["1.5", "-2", "x1", "NA", "1e3"], i=["3", "3.5", "7.0", "40", "0"])
    assert rows.number("n").tolist()[:2] == [1.5, -2.0]
    assert np.isnan(rows.number("n").iloc[2])
    integers = rows.integer("i", minimum=0, maximum=10)
    assert integers.tolist()[0] == 3 and integers.tolist()[2] == 7 and integers.tolist()[4] == 0
    assert integers.isna().tolist() == [False, True, False, True, False]
    reasons = _reasons(rows)
    assert reasons[2] == ("n", "not a number: 'x1' in n")
    assert reasons[1] == ("i", "not a whole number: '3.5' in i")
    assert reasons[3] == ("i", "value out of range: '40' in i (expected 0 to 10)")


def test_category_boolean_and_codes():
    rows = _rows(c=["THEFT", "battery ", "ARSON", None], b=["YES", "no", "maybe", None],
                 h=["023", "7", "NSA", "1.0"])
    categories = rows.category("c", {"theft": "theft_under", "BATTERY": "assault"})
    assert categories.tolist() == ["theft_under", "assault", None, None]
    flags = rows.boolean("b", true_values=("yes",), false_values=("no",))
    assert flags.tolist()[:2] == [True, False] and flags.isna().tolist()[2:] == [True, True]
    assert rows.code("h", absent=("NSA",), zero_pad=3).tolist() == ["023", "007", pd.NA, "001"]
    reasons = _reasons(rows)
    assert reasons[2] == ("c", "unknown c value 'ARSON' in c (not in the value map)")
    # row 2 is already rejected for its category; its boolean problem is not reported twice
    assert len(reasons) == 1
    other = _rows(c=["ARSON"])
    assert other.category("c", {}, unmapped="other").tolist() == ["other"]


def test_coordinates_placeholders_and_impossible_values():
    rows = _rows(lat=["43.7", "0.0", "5.6e-14", "NA", "143.7", "43.6"],
                 lon=["-79.4", "0.0", "5.0e-14", "-79.4", "-79.4", "NA"])
    latitude, longitude = rows.coordinates("lat", "lon")
    assert latitude.tolist()[0] == 43.7 and longitude.tolist()[0] == -79.4
    assert latitude.iloc[1:].isna().all() and longitude.iloc[1:].isna().all()
    assert _reasons(rows) == {4: ("lat", "impossible coordinates '143.7, -79.4' in lat, lon")}


def test_content_id_is_the_md5_of_the_values_in_column_name_order():
    rows = _rows(b=["1", "1", None], a=["x", "x", "y"])
    ids = rows.content_id(prefix="row-")
    expected = "row-" + hashlib.md5(b"x\x1f1").hexdigest()[:20]
    assert ids.tolist()[:2] == [expected, expected]
    assert ids.iloc[2] == "row-" + hashlib.md5(b"y\x1f").hexdigest()[:20]


@pytest.mark.parametrize(("text", "kind"), [
    ("Apartment (Rooming House, Condo)", "apartment"),
    ("Single Home, House (Attach Garage, Cottage, Mobile)", "residence"),
    ("Streets/Roadways/Highway", "outside"),
    ("CTA TRAIN", "transit"),
    ("SCHOOL - PUBLIC BUILDING", "educational"),
    ("Bar / Restaurant", "commercial"),
    ("Religious Place of Worship/Cultural Centre", "other"),
])
def test_premises_keywords(text, kind):
    assert classify_premises(pd.Series([text])).tolist() == [kind]


def test_describe_format():
    assert describe_format("%m/%d/%Y %I:%M:%S %p") == "MM/DD/YYYY hh:mm:ss AM/PM"
