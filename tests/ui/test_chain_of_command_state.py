"""The chain-of-command state (restricted), on the demo city."""

from __future__ import annotations

import pytest
import traitlets

from workbench.demo.signals import OFFICER_USE_OF_FORCE
from workbench.privacy import PrivacyError
from workbench.ui.chain_of_command import ChainOfCommandState

PLANTED = OFFICER_USE_OF_FORCE


@pytest.fixture(scope="module")
def shared_state(demo_warehouse) -> ChainOfCommandState:  # noqa: ANN001
    state = ChainOfCommandState(demo_warehouse, audience="restricted")
    state.start()
    return state


@pytest.fixture
def state(shared_state) -> ChainOfCommandState:  # noqa: ANN001
    """The module's state reset to the whole service (its memo keeps the expensive part)."""
    with shared_state.batch():
        shared_state.division = ""
        shared_state.unit = ""
        shared_state.indicator = "use_of_force"
    return shared_state


def test_only_the_restricted_audience_may_open_it(demo_warehouse) -> None:  # noqa: ANN001
    for audience in ("public", "internal"):
        with pytest.raises(PrivacyError, match="restricted"):
            ChainOfCommandState(demo_warehouse, audience=audience)


def test_the_planted_officer_is_on_the_review_list(state) -> None:  # noqa: ANN001
    assert state.message == ""
    flagged = state.review.loc[state.review["officer_id"] == PLANTED.officer_id]
    assert list(flagged["indicator"]) == ["use_of_force"]
    kpis = {kpi.key: kpi for kpi in state.kpis}
    assert kpis["review"].number == len(state.review)
    assert "expected by chance" in kpis["review"].note


def test_drill_down_narrows_the_options_and_the_scope(state) -> None:  # noqa: ANN001
    division = PLANTED.unit_id.split("-")[0]
    state.division = division
    assert state.level == "division"
    units = {value for _, value in state.unit_options if value}
    assert PLANTED.unit_id in units and all(unit.startswith(division) for unit in units)
    assert set(state.breakdown["unit_id"]) <= units
    state.unit = PLANTED.unit_id
    assert state.level == "unit"
    assert set(state.points["unit_id"]) == {PLANTED.unit_id}
    assert state.breakdown["officer_id"].iloc[0] == PLANTED.officer_id  # most unusual first
    state.officer = PLANTED.officer_id
    assert state.level == "officer"
    assert set(state.breakdown["officer_id"]) == {PLANTED.officer_id}
    assert set(state.breakdown["indicator"]) == {"use_of_force", "complaints", "collisions",
                                                 "sick_spells"}
    officer = next(kpi for kpi in state.kpis if kpi.key == "officer")
    assert officer.tone == "alert" and "above alarm" in officer.note
    # changing division resets the unit and officer chosen below it
    state.division = "D1" if division != "D1" else "D2"
    assert state.unit == "" and state.officer == "" and state.level == "division"


def test_an_officer_of_another_unit_is_refused(state) -> None:  # noqa: ANN001
    state.division = "D1"
    state.unit = "D1-PLT-A"
    with pytest.raises(traitlets.TraitError, match="not in unit"):
        state.officer = PLANTED.officer_id


def test_service_breakdown_adds_up(state) -> None:  # noqa: ANN001
    assert state.level == "service"
    assert state.breakdown["officers"].sum() == len(state.points)
    assert state.breakdown["above_alarm"].sum() == int(state.points["above_alarm"].sum())


def test_no_frame_carries_race_data(state) -> None:  # noqa: ANN001
    for frame in (state.indicators(), state.points, state.review, state.breakdown):
        assert not [c for c in frame.columns if "race" in c.lower()]


def test_funnel_chart_for_each_indicator(state) -> None:  # noqa: ANN001
    for indicator in ("use_of_force", "complaints", "collisions", "sick_spells"):
        state.indicator = indicator
        assert len(state.points) > 100
        assert state.curve["upper_ratio"].notna().any()
        spec = state.chart().to_dict()
        assert len(spec["layer"]) == 3
