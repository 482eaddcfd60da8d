"""Scenario files: the shipped example validates; unknown keys and bad values are errors
naming the file and the key; names the data lack are errors naming the scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.analysis._common import AnalysisInputError
from workbench.analysis.deployment import Scenario, load_scenarios
from workbench.errors import ParametersError

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "deployment-scenarios.yaml"


def test_the_example_file_holds_the_scenarios_the_issue_asks_for():
    scenarios = load_scenarios(EXAMPLE)
    assert len(scenarios) == len({s.name for s in scenarios}) >= 8
    changed = set()
    for scenario in scenarios:
        changed |= {key for key, value in scenario.model_dump().items()
                    if key not in ("name", "description")
                    and value != Scenario.model_fields[key].get_default(call_default_factory=True)}
    # response target, proactive share, diversion, growth, shift lengths, officers, overtime
    assert {"answer_minutes", "proactive_share", "divert", "demand_growth", "shift_lengths",
            "officers_change", "overtime_cap_hours"} <= changed
    base = scenarios[0]
    assert base.target().describe() == "P(wait) ≤ 10%"
    assert base.rules().lengths == (8, 10, 12)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_key_names_the_file_the_scenario_and_the_key(tmp_path):
    path = _write(tmp_path, "scenarios:\n  - name: A\n  - name: B\n    divert_share: 0.5\n")
    with pytest.raises(ParametersError) as error:
        load_scenarios(path)
    message = str(error.value)
    assert str(path) in message
    assert "unknown key 'scenarios[1].divert_share' (scenario 'B')" in message


def test_an_unknown_top_level_key_is_an_error(tmp_path):
    path = _write(tmp_path, "scenario:\n  - name: A\n")
    with pytest.raises(ParametersError, match="unknown key 'scenario'") as error:
        load_scenarios(path)
    assert "missing key 'scenarios'" in str(error.value)


@pytest.mark.parametrize(("body", "expected"), [
    ("proactive_share: 1.5", "proactive_share"),
    ("divert: {mental_health: 2}", "between 0 and 1"),
    ("shift_lengths: [30]", "4 to 24 hours"),
    ("start_hours: [25]", "0 to 23"),
    ("patterns: {8: [6on2off]}", "add up to 7"),
    ("answer_minutes: 5", "go together"),
    ("wait_probability: null", "needs a response target"),
])
def test_bad_values_are_errors_naming_the_key(tmp_path, body, expected):
    path = _write(tmp_path, f"scenarios:\n  - name: A\n    {body}\n")
    with pytest.raises(ParametersError, match=expected) as error:
        load_scenarios(path)
    assert str(path) in str(error.value) and "(scenario 'A')" in str(error.value)


def test_duplicate_names_and_broken_yaml_are_errors(tmp_path):
    with pytest.raises(ParametersError, match="unique; repeated: A"):
        load_scenarios(_write(tmp_path, "scenarios:\n  - name: A\n  - name: A\n"))
    with pytest.raises(ParametersError, match="not valid YAML"):
        load_scenarios(_write(tmp_path, "scenarios: [\n"))
    with pytest.raises(ParametersError, match="cannot read"):
        load_scenarios(tmp_path / "missing.yaml")
    with pytest.raises(ParametersError, match="a mapping"):
        load_scenarios(_write(tmp_path, "- name: A\n"))


def test_names_the_data_lack_are_errors_naming_the_scenario_and_key():
    scenario = Scenario(name="Divert", divert={"mental_health": 0.5, "bylaw": 0.5})
    with pytest.raises(AnalysisInputError, match="scenario 'Divert', key 'divert': 'bylaw'"):
        scenario.check_against(["D1"], ["mental_health", "noise"])
    with pytest.raises(AnalysisInputError, match="key 'officers_change': 'D9'"):
        Scenario(name="X", officers_change={"D9": 3}).check_against(["D1"], [])
