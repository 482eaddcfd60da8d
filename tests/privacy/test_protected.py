"""The exit type and the audience: only workbench.privacy makes a Protected value, and the
audience is one ordered type that reads and writes as its name."""

from __future__ import annotations

import json
import pickle

import pandas as pd
import pytest

from workbench.privacy import (
    Audience,
    PrivacyError,
    Protected,
    SmallGroupGuard,
    derived,
    protect_counts,
    protect_points,
    require_protected,
)
from workbench.privacy.protected import _protect

COUNTS = pd.DataFrame({"year": ["2024"] * 4, "area": ["a", "b", "c", "d"],
                       "count": [3, 40, 25, 31]})


def test_nothing_outside_the_package_can_make_a_protected_value():
    with pytest.raises(PrivacyError, match="made only by workbench.privacy"):
        Protected(COUNTS)
    protected = protect_counts(COUNTS, dimensions=("year", "area"), count="count", threshold=10)
    with pytest.raises(AttributeError):
        protected._value = COUNTS  # type: ignore[misc]
    copy = protected.value
    copy.loc[:, "count"] = 1
    assert protected.value["count"].isna().any()  # changing a copy changes nothing protected
    assert pickle.loads(pickle.dumps(protected)).value.equals(protected.value)
    assert "Counts below 10" in protected.note and protected.audience is Audience.PUBLIC


def test_the_public_exit_refuses_unprotected_and_more_trusted_values():
    with pytest.raises(PrivacyError, match="not protected for the public audience"):
        require_protected(COUNTS, what="the table")
    internal = _protect(COUNTS, Audience.INTERNAL, "small groups hidden")
    with pytest.raises(PrivacyError, match="internal audience only"):
        require_protected(internal)
    assert require_protected(internal, audience="restricted") is internal
    public = protect_counts(COUNTS, dimensions=("year", "area"), count="count", threshold=10)
    both = derived(lambda a, b: len(a) + len(b), public, internal)
    assert both.value == len(public.value) + len(COUNTS) and both.audience == "internal"


def test_points_lose_identifiers_and_exact_places():
    points = pd.DataFrame({"incident_id": ["I-1", "I-2"], "victim_name": ["x", "y"],
                           "latitude": [45.4, 45.41], "longitude": [-75.7, -75.69]})
    masked = protect_points(points, identifiers=("incident_id",)).value
    assert list(masked.columns) == ["latitude", "longitude"]
    assert (masked["latitude"] != points["latitude"]).all()


def test_one_audience_ordered_by_trust_and_written_as_its_name():
    assert Audience.PUBLIC < Audience.INTERNAL < Audience.RESTRICTED
    assert Audience.RESTRICTED > "internal" and Audience.parse("PUBLIC") == "public"
    assert json.dumps({"audience": Audience.INTERNAL}) == '{"audience": "internal"}'
    assert f"{Audience.PUBLIC:<8}|" == "public  |"
    assert sorted([Audience.RESTRICTED, Audience.PUBLIC, Audience.INTERNAL]) == [
        Audience.PUBLIC, Audience.INTERNAL, Audience.RESTRICTED]


def test_the_guard_protects_below_restricted_only():
    frame = pd.DataFrame({"unit": ["A", "B", "C"], "people": [4, 30, 25], "rate": [.2, .1, .3]})
    internal = SmallGroupGuard(Audience.INTERNAL, threshold=10).protect(frame, dimensions=["unit"])
    assert internal["rate"].isna().sum() >= 2  # the small unit and its complement
    restricted = SmallGroupGuard("restricted", threshold=10).protect(frame, dimensions=["unit"])
    pd.testing.assert_frame_equal(restricted, frame)
    with pytest.raises(PrivacyError, match="restricted audience, not internal"):
        SmallGroupGuard(Audience.INTERNAL).require_person_level("the Bradford list")
