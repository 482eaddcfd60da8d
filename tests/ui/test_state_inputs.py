"""Memoisation keyed on the state's declared inputs (traits tagged ``input=True``).

A toy state shows the mechanism without a warehouse: a new input joins every key and is
observed without any other edit, a result declared independent of an input is shared across
its values, and reading an input a result claims to ignore fails loudly. Then each app state on
the demo city is walked through a change of every input, and every result is compared with a
fresh state built with the same inputs: no stale result survives any change.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
import traitlets

from workbench.ui._state import ALL, AppState, StaleResultError

# ------------------------------------------------------------------------------ toy states


class Toy(AppState):
    colour = traitlets.Unicode("red").tag(input=True)
    size = traitlets.Int(1).tag(input=True)
    result = traitlets.Any()
    not_an_input = traitlets.Unicode("")

    def __init__(self, **filters: Any) -> None:
        self.computed: list[dict[str, Any]] = []
        super().__init__(None, **filters)  # type: ignore[arg-type]  # no warehouse needed

    def _everything(self) -> dict[str, Any]:
        seen = self.inputs()
        self.computed.append(seen)
        return seen

    def _compute(self) -> None:
        self.result = self.memoised("everything", self._everything)


class ToyWithShape(Toy):
    """One more input, and nothing else: no key, observer or compute is edited."""

    shape = traitlets.Unicode("round").tag(input=True)


def test_inputs_are_the_tagged_traits() -> None:
    assert Toy.input_names() == ("colour", "size")
    assert ToyWithShape.input_names() == ("colour", "shape", "size")
    assert Toy().inputs() == {"colour": "red", "size": 1}


def test_a_new_input_joins_the_key_and_is_observed_without_hand_edits() -> None:
    toy = ToyWithShape()
    toy.start()
    round_key = toy.memo_key("everything")
    assert ("shape", "round") in round_key
    revision = toy.revision
    toy.shape = "square"  # recomputed: the base observes every input
    assert toy.revision == revision + 1
    assert toy.memo_key("everything") != round_key
    assert toy.result == {"colour": "red", "shape": "square", "size": 1}
    toy.shape = "round"  # back: served from the memo, and still right
    assert toy.result["shape"] == "round" and len(toy.computed) == 2


def test_no_stale_result_after_any_input_changes() -> None:
    toy = ToyWithShape()
    toy.start()
    changes = [("colour", "blue"), ("size", 2), ("shape", "square"), ("colour", "red"),
               ("size", 1), ("shape", "round"), ("size", 3)]
    for name, value in changes:
        setattr(toy, name, value)
        assert toy.result == toy.inputs(), (name, value)
    toy.not_an_input = "anything"  # not an input: no recomputation, no new key
    assert len(toy.computed) == len({tuple(sorted(c.items())) for c in toy.computed})


def test_a_state_without_inputs_recomputes_only_when_asked() -> None:
    class Fixed(AppState):
        def _compute(self) -> None:
            self.kpis = [*self.kpis, "computed"]  # would loop if results were observed

    fixed = Fixed(None)  # type: ignore[arg-type]
    fixed.start()
    fixed.message = "a result trait changes"
    assert Fixed.input_names() == () and fixed.kpis == ["computed"] and fixed.revision == 1


def test_batched_changes_recompute_once() -> None:
    toy = Toy()
    toy.start()
    revision = toy.revision
    with toy.batch():
        toy.colour = "green"
        toy.size = 5
    assert toy.revision == revision + 1
    assert toy.result == {"colour": "green", "size": 5}


def test_a_result_may_ignore_an_input_it_does_not_read() -> None:
    toy = Toy()
    first = toy.memoised("colour only", lambda: toy.colour.upper(), ignoring=("size",))
    toy.size = 9
    assert toy.memoised("colour only", lambda: "not called", ignoring=("size",)) == first
    toy.colour = "blue"
    assert toy.memoised("colour only", lambda: toy.colour.upper(), ignoring=("size",)) == "BLUE"


def test_reading_an_ignored_input_fails_loudly() -> None:
    toy = Toy()
    with pytest.raises(StaleResultError, match="'size'"):
        toy.memoised("wrong", lambda: toy.size * 2, ignoring=("size",))
    # a nested result keyed on the ignored input is the same mistake
    with pytest.raises(StaleResultError, match="size"):
        toy.memoised("outer", lambda: toy.memoised("inner", lambda: 1), ignoring=("size",))
    assert toy.size == 1  # the guard is lifted afterwards
    with pytest.raises(ValueError, match="no input"):
        toy.memoised("typo", lambda: 1, ignoring=("sise",))


# ------------------------------------------------------------------------------ app states


def _results(state: AppState) -> dict[str, Any]:
    names = ["kpis", "frame", "points", "curve", "breakdown", "review", "level"]
    return {name: getattr(state, name) for name in names if state.has_trait(name)}


def _assert_same_results(state: AppState, fresh: AppState, change: str) -> None:
    assert state.message == fresh.message == "", (change, state.message, fresh.message)
    mine, theirs = _results(state), _results(fresh)
    for name, value in mine.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(value, theirs[name], obj=f"{name} after {change}")
        else:
            assert value == theirs[name], f"{name} after {change}"


def _walk(state: AppState, build, steps: list[dict[str, Any]]) -> None:  # noqa: ANN001
    """Apply each step's changes (one batch) and compare every result with a fresh state."""
    state.start()
    changed: set[str] = set()
    for step in steps:
        with state.batch():
            for name, value in step.items():
                setattr(state, name, value)
        changed |= set(step)
        fresh = build(**state.inputs())
        fresh.start()
        _assert_same_results(state, fresh, repr(step))
    assert changed == set(state.input_names()), "the walk must change every input"


def test_crime_explorer_results_follow_every_input(demo_warehouse) -> None:  # noqa: ANN001
    from workbench.ui.crime_explorer import CrimeExplorerState

    def build(**inputs: Any) -> CrimeExplorerState:
        return CrimeExplorerState(demo_warehouse, **inputs)

    state = build()
    assert set(state.input_names()) == {"period", "offence_category", "division",
                                        "neighbourhood", "view"}
    neighbourhood = next(value for _, value in state._neighbourhoods_of("D3") if value)
    _walk(state, build, [{"period": "last_7_days"},
                         {"offence_category": "assault", "view": "compstat"},
                         {"division": "D3", "neighbourhood": neighbourhood},
                         {"view": "hour_of_week", "period": "year_to_date"},
                         {"division": ALL, "view": "neighbourhoods"},
                         {"offence_category": ALL}])


def test_workforce_dashboard_results_follow_every_input(demo_warehouse) -> None:  # noqa: ANN001
    from workbench.demo.signals import SICK_LEAVE_UNIT
    from workbench.ui.workforce_dashboard import WorkforceDashboardState

    def build(**inputs: Any) -> WorkforceDashboardState:
        return WorkforceDashboardState(demo_warehouse, **inputs)

    state = build()
    assert set(state.input_names()) == {"unit", "period", "view"}
    _walk(state, build, [{"unit": SICK_LEAVE_UNIT.unit_id}, {"period": "last_3_months",
                                                               "view": "relief"},
                         {"unit": ALL, "view": "turnout"}])


def test_neighbourhood_profile_results_follow_every_input(demo_warehouse) -> None:  # noqa: ANN001
    from workbench.ui.neighbourhood_profile import NeighbourhoodProfileState

    def build(**inputs: Any) -> NeighbourhoodProfileState:
        return NeighbourhoodProfileState(demo_warehouse, **inputs)

    state = build()
    assert set(state.input_names()) == {"neighbourhood", "year", "indicator", "view"}
    _walk(state, build, [{"neighbourhood": "N058", "view": "trend"},
                         {"indicator": "overdose_calls", "year": state.years[0]},
                         {"neighbourhood": "N010", "view": "compared"}])


@pytest.mark.slow  # about 40 s: each fresh state computes every officer's indicators
def test_chain_of_command_results_follow_every_input(demo_warehouse) -> None:  # noqa: ANN001
    from workbench.demo.signals import OFFICER_USE_OF_FORCE
    from workbench.ui.chain_of_command import ChainOfCommandState

    def build(**inputs: Any) -> ChainOfCommandState:
        return ChainOfCommandState(demo_warehouse, audience="restricted", **inputs)

    state = build()
    assert set(state.input_names()) == {"window", "division", "unit", "officer", "indicator"}
    unit = OFFICER_USE_OF_FORCE.unit_id
    _walk(state, build, [{"division": unit.split("-")[0], "unit": unit},
                         {"officer": OFFICER_USE_OF_FORCE.officer_id, "indicator": "complaints"},
                         {"window": "last_12_months", "division": ALL}])
