"""What-if scenarios for deployment: a validated model, and the YAML file that lists them.

A scenario changes the inputs of the plan; every field has the value of today's rules as its
default, so a scenario names only what it changes::

    scenarios:
      - name: Optimised roster, today's rules
      - name: Divert mental-health and wellness calls
        divert: {mental_health: 0.5, wellness_check: 0.5}
      - name: Ten more officers in West
        officers_change: {D5: 10}

Unknown keys are errors naming the file and the key (``'scenarios[2].divert_share' (scenario
'Divert calls')``), as are
values out of range; call types and divisions are checked against the data when the scenario
is evaluated (:meth:`Scenario.check_against`). Reading the file is the only I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from workbench.analysis._common import AnalysisInputError
from workbench.analysis.deployment.schedule import ShiftRules, parse_pattern
from workbench.analysis.staffing import ServiceTarget
from workbench.errors import ParametersError

__all__ = ["Scenario", "ScenarioFile", "load_scenarios"]


class Scenario(BaseModel):
    """One what-if: the inputs it changes (defaults are today's rules)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, description="Name shown in comparisons")
    description: str = Field(default="", max_length=500,
                             description="What the scenario tests")
    wait_probability: float | None = Field(
        default=0.10, gt=0, lt=1,
        description="Response target: at most this share of calls waits for a free unit "
        "(Erlang C); empty to use the dispatch-time target only")
    answer_minutes: float | None = Field(
        default=None, gt=0, le=120,
        description="Response target: a unit dispatched within this many minutes for at "
        "least service_level of calls")
    service_level: float | None = Field(default=None, gt=0, lt=1,
                                        description="See answer_minutes")
    proactive_share: float = Field(
        default=0.40, ge=0, le=0.9,
        description="Share of patrol time kept free of calls (Wilson and Weiss; 0.40 = the "
        "rule of 60)")
    demand_growth: float = Field(
        default=0.0, ge=-0.9, le=10.0,
        description="Change in calls on top of the forecast (0.10 = 10 % more)")
    divert: dict[str, float] = Field(
        default_factory=dict,
        description="Call type → share of its (non-Priority 1) calls diverted to an "
        "alternative response")
    shift_lengths: list[int] = Field(default_factory=lambda: [8, 10, 12], min_length=1,
                                     description="Shift lengths allowed (hours)")
    start_hours: list[int] = Field(default_factory=lambda: list(range(24)), min_length=1,
                                   description="Shift start times allowed (0–23)")
    patterns: dict[int, list[str]] = Field(
        default_factory=dict,
        description="Days-on patterns per shift length (e.g. {8: [5on2off]}); lengths not "
        "named use the defaults")
    minimum_per_shift: int = Field(default=1, ge=1, le=100,
                                   description="Officers on a shift start time if it is used")
    maximum_shift_lines: int | None = Field(
        default=None, ge=1, le=72,
        description="Most distinct shift start times × lengths used")
    officers_change: dict[str, int] = Field(
        default_factory=dict,
        description="Division → patrol positions added (+) or removed (−); the plan must "
        "then fit that many positions")
    overtime_cap_hours: float = Field(
        default=0.0, ge=0, le=10_000,
        description="Overtime officer-hours a week the plan may use in each division "
        "(call-backs and hold-overs)")
    overtime_block_hours: int = Field(default=4, ge=1, le=12,
                                      description="Length of one overtime block (hours)")
    minimum_staffing_share: float = Field(
        default=1.0, ge=0, le=3,
        description="Share of the units' minimum staffing kept as a floor (0 = the workload "
        "alone sets staffing)")
    minimum_staffing: dict[str, int] = Field(
        default_factory=dict,
        description="Division → minimum officers on duty (overrides minimum_staffing_share)")
    officers_per_unit: float = Field(default=1.0, gt=0, le=4,
                                     description="Officers in a patrol unit")
    discipline: Literal["priority", "fifo"] = Field(
        default="priority", description="Queue order for the Priority 1 response model")
    processing_minutes: float | None = Field(
        default=None, ge=0, le=60,
        description="Call-processing minutes before dispatch (a constant); empty = the "
        "distribution measured for Priority 1 calls")
    saturation_threshold: float = Field(default=0.60, gt=0, le=1,
                                        description="Saturation flagged above this share")

    @field_validator("divert")
    @classmethod
    def _shares(cls, divert: dict[str, float]) -> dict[str, float]:
        for call_type, share in divert.items():
            if not 0 <= share <= 1:
                raise ValueError(f"the share diverted of {call_type!r} must be between 0 and 1;"
                                 f" got {share}")
        return divert

    @field_validator("shift_lengths")
    @classmethod
    def _lengths(cls, lengths: list[int]) -> list[int]:
        if any(not 4 <= length <= 24 for length in lengths):
            raise ValueError(f"shift lengths must be 4 to 24 hours; got {lengths}")
        return lengths

    @field_validator("start_hours")
    @classmethod
    def _starts(cls, hours: list[int]) -> list[int]:
        if any(not 0 <= hour <= 23 for hour in hours):
            raise ValueError(f"start hours must be 0 to 23; got {hours}")
        return hours

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, patterns: dict[int, list[str]]) -> dict[int, list[str]]:
        for length, names in patterns.items():
            if not names:
                raise ValueError(f"give at least one pattern for {length}-hour shifts")
            for name in names:
                try:
                    parse_pattern(name)
                except AnalysisInputError as error:
                    raise ValueError(str(error)) from None
        return patterns

    @model_validator(mode="after")
    def _target(self) -> Scenario:
        if (self.answer_minutes is None) != (self.service_level is None):
            raise ValueError("answer_minutes and service_level go together: give both or "
                             "neither")
        if self.wait_probability is None and self.answer_minutes is None:
            raise ValueError("a scenario needs a response target: wait_probability, or "
                             "answer_minutes with service_level")
        return self

    def target(self) -> ServiceTarget:
        """The response target as a :class:`~workbench.analysis.staffing.ServiceTarget`."""
        return ServiceTarget(wait_probability=self.wait_probability,
                             answer_minutes=self.answer_minutes,
                             service_level=self.service_level)

    def rules(self) -> ShiftRules:
        """The shifts the optimiser may use."""
        return ShiftRules(lengths=tuple(self.shift_lengths), start_hours=tuple(self.start_hours),
                          patterns={length: tuple(names)
                                    for length, names in self.patterns.items()},
                          minimum_per_shift=self.minimum_per_shift,
                          maximum_shift_lines=self.maximum_shift_lines)

    def check_against(self, divisions: Sequence[str], call_types: Sequence[str]) -> None:
        """Raise :class:`AnalysisInputError` naming the scenario and key when it names a
        division or call type the data do not have."""
        for key, names, known in (("divert", self.divert, call_types),
                                  ("officers_change", self.officers_change, divisions),
                                  ("minimum_staffing", self.minimum_staffing, divisions)):
            unknown = [name for name in names if name not in known]
            if unknown:
                raise AnalysisInputError(
                    f"scenario {self.name!r}, key {key!r}: {', '.join(map(repr, unknown))} "
                    f"not in the data (known: {', '.join(known)})")


class ScenarioFile(BaseModel):
    """A scenario file: a ``description`` and the ``scenarios`` (names unique)."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    scenarios: list[Scenario] = Field(min_length=1)

    @field_validator("scenarios")
    @classmethod
    def _unique(cls, scenarios: list[Scenario]) -> list[Scenario]:
        names = [scenario.name for scenario in scenarios]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"scenario names must be unique; repeated: {', '.join(repeated)}")
        return scenarios


def _location(raw: Any, parts: tuple[Any, ...]) -> str:
    """``scenarios[1].divert_share (scenario 'B')`` for a problem's location."""
    text, name = "", None
    for index, part in enumerate(parts):
        if isinstance(part, int) and index and parts[index - 1] == "scenarios":
            text += f"[{part}]"
            listed = raw.get("scenarios") if isinstance(raw, dict) else None
            if isinstance(listed, list) and part < len(listed) and isinstance(listed[part], dict):
                name = listed[part].get("name")
        else:
            text += ("." if text else "") + str(part)
    text = f"{text or '(top level)'!r}"
    return f"{text} (scenario {str(name)!r})" if name else text


def load_scenarios(path: Path | str) -> list[Scenario]:
    """Read and validate a scenario file.

    Raises:
        ParametersError: the file cannot be read, is not YAML, or does not fit
            :class:`ScenarioFile`; the message names the file and every key at fault.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ParametersError(f"{path}: cannot read the scenario file: {error}") from error
    except yaml.YAMLError as error:
        raise ParametersError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ParametersError(f"{path}: a scenario file is a mapping with the key 'scenarios' "
                              "(a list of scenarios)")
    try:
        return ScenarioFile.model_validate(raw).scenarios
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            where = _location(raw, tuple(problem["loc"]))
            if problem["type"] == "extra_forbidden":
                problems.append(f"unknown key {where}")
            elif problem["type"] == "missing":
                problems.append(f"missing key {where}")
            else:
                message = str(problem["msg"]).removeprefix("Value error, ")
                problems.append(f"key {where}: {message}")
        raise ParametersError(f"{path}: " + "; ".join(problems)) from None
