"""Definitions of the race-based use-of-force statistics: stages, countings, benchmarks, group
labels, index thresholds, and the checks every function of the package makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from workbench.analysis._common import AnalysisInputError
from workbench.schema import RACE_GROUPS

__all__ = [
    "BENCHMARKS",
    "COUNTINGS",
    "DEFAULT_THRESHOLDS",
    "MULTIPLE",
    "OFFICER_COLUMNS",
    "RACE_GROUPS",
    "RACE_GROUP_LABELS",
    "STAGES",
    "UNKNOWN",
    "Benchmark",
    "IndexThresholds",
    "RaceCounting",
]

RaceCounting: TypeAlias = Literal["single", "any_mention"]
Benchmark: TypeAlias = Literal["population", "previous_stage"]

#: The stages of the ARDS analysis, in order (the type of force is a fourth, by force type).
STAGES: tuple[str, ...] = ("population", "enforcement_actions", "use_of_force")
COUNTINGS: tuple[str, ...] = ("single", "any_mention")
BENCHMARKS: tuple[str, ...] = ("population", "previous_stage")
#: Row label of people perceived as more than one group (``counting="single"``).
MULTIPLE = "multiple"
#: Row label of people whose perceived race was not recorded.
UNKNOWN = "unknown"
#: How each group is written on a page (ARDS wording).
RACE_GROUP_LABELS: dict[str, str] = {
    "black": "Black", "east_southeast_asian": "East/Southeast Asian", "indigenous": "Indigenous",
    "latino": "Latino", "middle_eastern": "Middle Eastern", "south_asian": "South Asian",
    "white": "White", "other": "Other", MULTIPLE: "Multiple groups", UNKNOWN: "Unknown",
}
#: Columns that identify officers: never read, grouped by or returned with race data.
OFFICER_COLUMNS: frozenset[str] = frozenset({"officer_id", "unit_id"})

_GROUP_SEPARATOR = "|"
_SUBJECT_KEY = ("source", "report_id", "subject_number")
_REPORT_KEY = ("source", "report_id")


@dataclass(frozen=True)
class IndexThresholds:
    """When an index is flagged, and which counts get a caution.

    * ``over_representation`` / ``under_representation``: an index at or above the first is
      flagged ``"over"``, at or below the second ``"under"`` (ARDS suggest 1.1 / 0.9;
      *unconfirmed*, so set them per report).
    * ``minimum_count``: counts below it are flagged ``caution`` (small counts give wide,
      unstable intervals).
    * ``confidence_level``: of the intervals (0.95).
    """

    over_representation: float = 1.1
    under_representation: float = 0.9
    minimum_count: int = 20
    confidence_level: float = 0.95

    def __post_init__(self) -> None:
        if not 0 < self.under_representation <= 1 <= self.over_representation:
            raise AnalysisInputError(
                "thresholds need 0 < under_representation <= 1 <= over_representation; got "
                f"{self.under_representation} and {self.over_representation}")
        if self.minimum_count < 0:
            raise AnalysisInputError(f"minimum_count must be 0 or more; got {self.minimum_count}")
        if not 0 < self.confidence_level < 1:
            raise AnalysisInputError(
                f"confidence_level must lie in (0, 1); got {self.confidence_level}")


#: The default thresholds (1.1 / 0.9, caution under 20, 95% intervals).
DEFAULT_THRESHOLDS = IndexThresholds()


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _require_counting(counting: str) -> None:
    if counting not in COUNTINGS:
        raise AnalysisInputError(f"counting must be one of {', '.join(COUNTINGS)}; got {counting!r}")


def _require_benchmark(benchmark: str) -> None:
    if benchmark not in BENCHMARKS:
        raise AnalysisInputError(
            f"benchmark must be one of {', '.join(BENCHMARKS)}; got {benchmark!r}")


def _require_no_officer_columns(columns: Sequence[str]) -> None:
    officer = sorted(set(columns) & OFFICER_COLUMNS)
    if officer:
        raise AnalysisInputError(
            f"race-based statistics are never broken down by officer: remove {', '.join(officer)} "
            "from `by` (ARDS: race data are not used for individual performance management)")


def _require_dates(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise AnalysisInputError(f"start ({start}) is after end ({end})")
