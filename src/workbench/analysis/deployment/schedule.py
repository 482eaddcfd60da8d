"""Shift-schedule optimiser: how many officers start which weekly tour, as an integer program.

The model (Dantzig's set-covering form, DOMAIN.md "Deployment"; Baker's tour scheduling)
---------------------------------------------------------------------------------------
A **tour** is one officer's week: a shift length (8, 10 or 12 hours…), a start time, and a
days-on pattern (``"5on2off"``: five consecutive days on, two off) started on one of the seven
days (its phase). Tours wrap around the week: a Sunday 22:00 shift runs into Monday, a pattern
started on Friday continues into the next week's Monday. Decision: ``x_j`` ≥ 0 whole officers
on tour ``j``. Minimise

    Σ_j cost_j · x_j  +  overtime cost  +  penalty · shortfall

subject to, for every hour ``h`` of the week, ``Σ_{j covers h} x_j + overtime_h + shortfall_h ≥
required_h``. The shortfall variables keep every problem feasible (a capped workforce, few
start times); their penalty exceeds the cost of any tour, so the optimum leaves no shortfall
whenever the rules allow full cover. Optional rules:

- ``minimum_per_shift``: a shift *line* (length × start time) that is used at all has at least
  this many officers (a binary ``y_g`` per line; ``m·y_g ≤ Σ_{j∈g} x_j``, ``x_j ≤ U·y_g``);
- ``maximum_shift_lines``: at most this many lines are used (``Σ y_g ≤ K``);
- overtime blocks of ``overtime_block_hours`` starting at any hour, costed at the overtime
  rate, their hours capped per week (``overtime_cap_hours``; 0 = no planned overtime);
- a budget on positions (``position_cap``: FTE, from officer-hours ÷ net available hours).

Solved by HiGHS through :func:`scipy.optimize.milp` in :mod:`.cover`, whose
:func:`~workbench.analysis.deployment.cover.solve_cover` is the same program on any coverage
matrix (periods × columns): that is how the textbook cases are checked.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.analysis._common import AnalysisInputError
from workbench.analysis.deployment.cover import METHODS, CoverSolution, solve_cover

__all__ = [
    "DEFAULT_PATTERNS",
    "HOURS_PER_WEEK",
    "METHODS",
    "CoverSolution",
    "Schedule",
    "ShiftRules",
    "coverage_summary",
    "optimise_schedule",
    "parse_pattern",
    "solve_cover",
    "tours",
]

HOURS_PER_WEEK = 168
#: Days-on patterns per shift length when none are given: 40 hours a week for 8- and 10-hour
#: shifts; 36 or 48 for 12-hour shifts (alternating weeks average the usual 42).
DEFAULT_PATTERNS: Mapping[int, tuple[str, ...]] = {
    8: ("5on2off",), 10: ("4on3off",), 12: ("3on4off", "4on3off")}
_PATTERN = re.compile(r"^\s*(\d)\s*on\s*(\d)\s*off\s*$", re.IGNORECASE)
_DAY_ABBREVIATIONS = tuple(calendar.day_abbr)


def parse_pattern(pattern: str) -> tuple[int, ...]:
    """Days on (1) and off (0) over the seven days from the tour's first day.

    ``"5on2off"`` (consecutive days; the two numbers add up to 7) or a seven-character mask of
    ``1``/``0`` such as ``"1101100"``."""
    text = str(pattern).strip()
    match = _PATTERN.match(text)
    if match:
        on, off = int(match.group(1)), int(match.group(2))
        if on + off != 7 or on < 1:
            raise AnalysisInputError(f"pattern {pattern!r}: days on and off must add up to 7 "
                                     "(a weekly rotation) with at least one day on")
        return (1,) * on + (0,) * off
    if len(text) == 7 and set(text) <= {"0", "1"} and "1" in text:
        return tuple(int(day) for day in text)
    raise AnalysisInputError(f"pattern {pattern!r} is neither 'NonMoff' (e.g. 5on2off) nor a "
                             "seven-day mask of 1s and 0s (e.g. 1111100)")


def _pattern_name(mask: tuple[int, ...]) -> str:
    on = sum(mask)
    if mask == (1,) * on + (0,) * (7 - on):
        return f"{on} on {7 - on} off"
    return "".join(map(str, mask))


def _days_label(mask: tuple[int, ...], first_day: int) -> str:
    """``"Thu–Mon"`` for consecutive days on from ``first_day``, else the days listed."""
    on = [(first_day + offset) % 7 for offset in range(7) if mask[offset]]
    if len(on) == 7:
        return "every day"
    if mask == (1,) * len(on) + (0,) * (7 - len(on)):
        if len(on) == 1:
            return _DAY_ABBREVIATIONS[on[0]]
        return f"{_DAY_ABBREVIATIONS[on[0]]}–{_DAY_ABBREVIATIONS[on[-1]]}"
    return ", ".join(_DAY_ABBREVIATIONS[day] for day in on)


@dataclass(frozen=True)
class ShiftRules:
    """The tours the optimiser may use.

    Attributes:
        lengths: shift lengths in hours (1 to 24).
        start_hours: allowed start times (hours 0–23), the same every day.
        patterns: days-on patterns per length (:func:`parse_pattern`); lengths without an
            entry use :data:`DEFAULT_PATTERNS`, else ``"5on2off"``.
        minimum_per_shift: officers on a shift line (length × start time) if it is used.
        maximum_shift_lines: most shift lines used (``None``: no limit).
    """

    lengths: tuple[int, ...] = (8, 10, 12)
    start_hours: tuple[int, ...] = tuple(range(24))
    patterns: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    minimum_per_shift: int = 1
    maximum_shift_lines: int | None = None

    def __post_init__(self) -> None:
        if not self.lengths or any(not 1 <= int(v) <= 24 for v in self.lengths):
            raise AnalysisInputError(f"shift lengths must be 1 to 24 hours; got {self.lengths}")
        if not self.start_hours or any(not 0 <= int(v) <= 23 for v in self.start_hours):
            raise AnalysisInputError(f"start hours must be 0 to 23; got {self.start_hours}")
        if self.minimum_per_shift < 1:
            raise AnalysisInputError("minimum_per_shift must be at least 1")
        if self.maximum_shift_lines is not None and self.maximum_shift_lines < 1:
            raise AnalysisInputError("maximum_shift_lines must be at least 1")
        for length in self.lengths:
            for pattern in self.patterns_for(length):
                parse_pattern(pattern)

    def patterns_for(self, length: int) -> tuple[str, ...]:
        """The day patterns allowed for ``length``-hour shifts."""
        return tuple(self.patterns.get(length) or DEFAULT_PATTERNS.get(length) or ("5on2off",))


def tours(rules: ShiftRules) -> tuple[pd.DataFrame, sparse.csc_array]:
    """Every tour the rules allow and the hours of the week each covers.

    Returns:
        ``(frame, coverage)``: frame columns ``tour, length_hours, start_hour, pattern, days,
        first_day, line, weekly_hours`` (``line`` numbers the length × start-time lines);
        ``coverage`` is a 168 × tours 0/1 matrix (shared between calls with the same rules:
        do not modify it).
    """
    key = (tuple(sorted({int(v) for v in rules.lengths})),
           tuple(sorted({int(v) for v in rules.start_hours})),
           tuple((length, rules.patterns_for(length)) for length in sorted(set(rules.lengths))))
    frame, coverage = _tours(*key)
    return frame.copy(), coverage


@functools.lru_cache(maxsize=32)
def _tours(lengths: tuple[int, ...], start_hours: tuple[int, ...],
           patterns: tuple[tuple[int, tuple[str, ...]], ...],
           ) -> tuple[pd.DataFrame, sparse.csc_array]:
    rules = ShiftRules(lengths=lengths, start_hours=start_hours, patterns=dict(patterns))
    rows: list[int] = []
    columns: list[int] = []
    records: list[dict[str, object]] = []
    lines: dict[tuple[int, int], int] = {}
    for length in sorted({int(v) for v in rules.lengths}):
        for pattern in dict.fromkeys(rules.patterns_for(length)):
            mask = parse_pattern(pattern)
            for start in sorted({int(v) for v in rules.start_hours}):
                line = lines.setdefault((length, start), len(lines))
                seen: set[tuple[int, ...]] = set()
                for first_day in range(7):
                    days = tuple(day for day in range(7) if mask[(day - first_day) % 7])
                    if days in seen:  # a symmetric mask repeats itself
                        continue
                    seen.add(days)
                    index = len(records)
                    hours = sorted({(24 * day + start + k) % HOURS_PER_WEEK
                                    for day in days for k in range(length)})
                    rows.extend(hours)
                    columns.extend([index] * len(hours))
                    records.append({
                        "tour": index, "length_hours": length, "start_hour": start,
                        "pattern": _pattern_name(mask),
                        "days": _days_label(mask, first_day),
                        "first_day": first_day, "line": line,
                        "weekly_hours": float(length * len(days)),
                    })
    coverage = sparse.csc_array((np.ones(len(rows)), (rows, columns)),
                                shape=(HOURS_PER_WEEK, len(records)))
    return pd.DataFrame(records), coverage


@dataclass(frozen=True)
class Schedule:
    """An optimised weekly schedule for one group (a division).

    Attributes:
        tours: the tours used: ``length_hours, start_hour, start, pattern, days, officers,
            weekly_hours`` (per officer) — sorted by start time.
        on_duty: officers on duty in each of the 168 hours (tours only).
        overtime: overtime officer-hours placed in each hour.
        shortfall: required officers not covered in each hour.
        solution: the solver's :class:`CoverSolution`.
        officers: officers on tours (a weekly template, not positions: see
            :func:`~workbench.analysis.deployment.costs.positions_needed`).
    """

    tours: pd.DataFrame
    on_duty: np.ndarray
    overtime: np.ndarray
    shortfall: np.ndarray
    solution: CoverSolution

    @property
    def officers(self) -> int:
        return int(self.tours["officers"].sum()) if len(self.tours) else 0

    @property
    def officer_hours(self) -> float:
        """Scheduled (tour) officer-hours a week, overtime excluded."""
        return float(self.on_duty.sum())


def optimise_schedule(
    required: Sequence[float] | np.ndarray,
    rules: ShiftRules | None = None,
    *,
    hour_cost: float = 1.0,
    overtime_hour_cost: float | None = None,
    overtime_cap_hours: float = 0.0,
    overtime_block_hours: int = 4,
    position_cap: tuple[float, float] | None = None,
    method: str = "milp",
    time_limit: float = 20.0,
    mip_gap: float = 0.02,
) -> Schedule:
    """Cover ``required`` officers in each hour of the week at least cost.

    Args:
        required: 168 whole numbers, Monday 00:00 first.
        rules: the tours allowed (:class:`ShiftRules`).
        hour_cost: cost of one scheduled officer-hour on duty (e.g. salary per FTE ÷ net
            available hours per FTE, which carries the relief for absences).
        overtime_hour_cost: cost of an overtime officer-hour (default 1.5 × ``hour_cost``).
        overtime_cap_hours: most overtime officer-hours a week (0: none planned).
        overtime_block_hours: length of an overtime block (a call-back or hold-over).
        position_cap: ``(scheduled hours per position per week, most positions)`` — limits
            the tours' officer-hours to what the positions can work; the rest is shortfall.
        method, time_limit, mip_gap: see :func:`solve_cover`. The default stops when the
            schedule is proven within 2 % of the optimum or within one tour's cost of it,
            whichever is wider (or after 20 seconds, reporting the gap reached):
            tour-scheduling problems have many equivalent schedules, and proving the last
            percent can take minutes while changing less than one officer's week. A
            ``mip_gap`` of 0 asks for the exact optimum. ``method="ideal"`` solves nothing:
            officers on duty equal the requirement hour by hour (no shifts, no tours) — the
            bound any schedule approaches, instant enough for a slider.
    """
    rules = rules or ShiftRules()
    need = np.asarray(required, dtype=float)
    if need.shape != (HOURS_PER_WEEK,) or np.any(need < 0) or not np.all(np.isfinite(need)):
        raise AnalysisInputError("required must be 168 non-negative hourly values")
    if method == "ideal":
        return _ideal(need, hour_cost)
    frame, coverage = tours(rules)
    weekly_hours = frame["weekly_hours"].to_numpy()
    cost = weekly_hours * hour_cost
    columns = coverage
    overtime_columns = 0
    budgets: list[tuple[np.ndarray, float]] = []
    if overtime_cap_hours > 0:
        block = int(overtime_block_hours)
        if not 1 <= block <= 24:
            raise AnalysisInputError("overtime_block_hours must be 1 to 24")
        rows = [(start + k) % HOURS_PER_WEEK for start in range(HOURS_PER_WEEK)
                for k in range(block)]
        cols = [start for start in range(HOURS_PER_WEEK) for _ in range(block)]
        blocks = sparse.csc_array((np.ones(len(rows)), (rows, cols)),
                                  shape=(HOURS_PER_WEEK, HOURS_PER_WEEK))
        columns = sparse.hstack([coverage, blocks], format="csc")
        overtime_columns = HOURS_PER_WEEK
        ot_cost = 1.5 * hour_cost if overtime_hour_cost is None else overtime_hour_cost
        cost = np.concatenate([cost, np.full(HOURS_PER_WEEK, block * ot_cost)])
        hours = np.concatenate([np.zeros(len(frame)), np.full(HOURS_PER_WEEK, float(block))])
        budgets.append((hours, float(overtime_cap_hours)))
    if position_cap is not None:
        hours_per_position, most = position_cap
        load = np.concatenate([weekly_hours / hours_per_position, np.zeros(overtime_columns)])
        budgets.append((load, float(most)))
    groups = np.concatenate([frame["line"].to_numpy(), np.full(overtime_columns, -1)])
    penalty = 10.0 * float(cost.max(initial=hour_cost))
    solution = solve_cover(columns, need, cost, groups=groups,
                           minimum_per_group=rules.minimum_per_shift,
                           maximum_groups=rules.maximum_shift_lines,
                           budgets=budgets, shortfall_penalty=penalty,
                           upper_bound=max(float(need.max(initial=0.0)), 1.0),
                           method=method, time_limit=time_limit, mip_gap=mip_gap,
                           absolute_gap=float(cost[:len(frame)].min()) if mip_gap > 0 else 0.0)
    officers = solution.x[:len(frame)]
    on_duty = coverage @ officers
    overtime = (columns[:, len(frame):] @ solution.x[len(frame):] if overtime_columns
                else np.zeros(HOURS_PER_WEEK))
    used = frame.assign(officers=officers)
    used = used.loc[used["officers"] > 1e-9].copy()
    used["start"] = used["start_hour"].map(lambda hour: f"{int(hour):02d}:00")
    used = used.sort_values(["start_hour", "length_hours", "first_day"])[
        ["length_hours", "start_hour", "start", "pattern", "days", "officers", "weekly_hours"]]
    return Schedule(tours=used.reset_index(drop=True), on_duty=np.asarray(on_duty, dtype=float),
                    overtime=np.asarray(overtime, dtype=float), shortfall=solution.shortfall,
                    solution=solution)


def _ideal(need: np.ndarray, hour_cost: float) -> Schedule:
    """The requirement staffed exactly, as a :class:`Schedule` without tours."""
    cost = float(need.sum()) * hour_cost
    solution = CoverSolution(x=np.empty(0), shortfall=np.zeros(HOURS_PER_WEEK), objective=cost,
                             bound=cost, status=0, message="staffing equals the requirement",
                             seconds=0.0, method="ideal")
    empty = pd.DataFrame(columns=["length_hours", "start_hour", "start", "pattern", "days",
                                  "officers", "weekly_hours"])
    return Schedule(tours=empty, on_duty=need.copy(), overtime=np.zeros(HOURS_PER_WEEK),
                    shortfall=np.zeros(HOURS_PER_WEEK), solution=solution)


def coverage_summary(required: np.ndarray, on_duty: np.ndarray) -> dict[str, float]:
    """How well a staffing curve covers a requirement curve over the week.

    Returns ``required_hours`` and ``scheduled_hours`` (officer-hours a week),
    ``surplus_hours`` and ``shortfall_hours`` (summed over hours), ``hours_short`` (hours of
    the week below the requirement), ``efficiency`` (required ÷ scheduled hours: 1 = no
    officer-hour beyond the requirement), ``fit_score`` (``1 − Σ|s − r| ÷ Σ(s + r)``: 1 when
    the staffing curve equals the requirement curve, 0 when they never overlap) and
    ``shape_correlation`` (Pearson correlation of the two curves; NaN when one is flat)."""
    need = np.asarray(required, dtype=float)
    have = np.asarray(on_duty, dtype=float)
    difference = have - need
    total = float(have.sum() + need.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = (float(np.corrcoef(have, need)[0, 1])
                       if have.std() > 0 and need.std() > 0 else float("nan"))
    return {
        "required_hours": float(need.sum()),
        "scheduled_hours": float(have.sum()),
        "surplus_hours": float(np.clip(difference, 0, None).sum()),
        "shortfall_hours": float(np.clip(-difference, 0, None).sum()),
        "hours_short": float((difference < -1e-9).sum()),
        "efficiency": float(need.sum() / have.sum()) if have.sum() > 0 else float("nan"),
        "fit_score": 1.0 - float(np.abs(difference).sum()) / total if total > 0 else 1.0,
        "shape_correlation": correlation,
    }
