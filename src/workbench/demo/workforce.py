"""The demo police service: units, members and cost centres (their shifts: :mod:`.shifts`).

Organisation (fixed, like the map): per division four patrol platoons (A–D) on a 12-hour
four-platoon rotation (2 days, 2 nights, 4 off; day shift 07:00, night 19:00; exactly one
platoon on days and one on nights at any time) with a minimum staffing, a community response
team and a criminal investigation unit; service-wide investigative, traffic, support and
executive units. About 1,500 sworn members and 370 civilians hold positions; members leave
(resignation, retirement) and are replaced after a vacancy of one to four months.

Shifts (drawn from ``--seed``): one row per member per scheduled shift, with absences and
overtime, and the patrol roster, are built by :mod:`workbench.demo.shifts` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from workbench.demo import _sampling as sampling
from workbench.demo.city import CityLayout
from workbench.demo.shifts import (  # noqa: F401 (re-exported: the shifts of these members)
    ABSENCE_CODES,
    OVERTIME_REASONS,
    Roster,
    Shifts,
    build_shifts,
    shift_tables,
)
from workbench.demo.signals import OFFICER_USE_OF_FORCE, SICK_LEAVE_UNIT

LAYOUT_WORKFORCE_SEED = 7_301
PATROL_OFFICERS = 880
MINIMUM_STAFFING_SHARE = 0.80
ANNUAL_SALARY_GROWTH = 0.025
HOURS_PER_YEAR = 2080.0

RANK_SALARY = {
    "constable": 104_000,
    "sergeant": 121_000,
    "staff_sergeant": 134_000,
    "inspector": 158_000,
    "superintendent": 180_000,
    "deputy_chief": 225_000,
    "chief": 285_000,
    "civilian": 76_000,
}
RANK_SERVICE_YEARS = {  # range of years of service at the start of the window
    "constable": (0.2, 25.0),
    "sergeant": (7.0, 28.0),
    "staff_sergeant": (11.0, 30.0),
    "inspector": (16.0, 30.0),
    "superintendent": (19.0, 31.0),
    "deputy_chief": (22.0, 32.0),
    "chief": (25.0, 33.0),
    "civilian": (0.2, 30.0),
}


@dataclass(frozen=True)
class Unit:
    """One organisational unit and its positions."""

    unit_id: str
    unit_name: str
    division: str | None
    unit_type: str
    cost_centre: str
    positions: tuple[tuple[str, int], ...]  # (rank, how many); rank "civilian" = not sworn
    rotation_platoon: int | None = None  # 0..3 (A..D) for 12-hour rotation units
    minimum_staffing: int | None = None

    @property
    def size(self) -> int:
        return sum(count for _, count in self.positions)


@dataclass(frozen=True)
class CostCentre:
    cost_centre: str
    name: str


@dataclass(frozen=True)
class Workforce:
    """Units and every member employed at some point in the window (arrays by member)."""

    units: tuple[Unit, ...]
    cost_centres: tuple[CostCentre, ...]
    officer_id: tuple[str, ...]
    unit_index: np.ndarray
    position_index: np.ndarray
    rank: tuple[str, ...]
    sworn: np.ndarray
    hired_day: np.ndarray  # day numbers
    left_day: np.ndarray  # day number of the last day employed; -1 while employed
    first_day: int
    last_day: int

    @property
    def member_count(self) -> int:
        return len(self.officer_id)

    def unit_of(self, unit_id: str) -> int:
        for index, unit in enumerate(self.units):
            if unit.unit_id == unit_id:
                return index
        raise KeyError(f"no unit {unit_id!r}")

    def annual_salary(self, year: int | np.ndarray, reference_year: int) -> np.ndarray:
        """Each member's annual salary in ``year`` (pay scales grow 2.5 % a year)."""
        base = np.array([RANK_SALARY[r] for r in self.rank], dtype=float)
        return base * (1 + ANNUAL_SALARY_GROWTH) ** (year - reference_year)

    def hourly_rate(self, member: np.ndarray, day: np.ndarray, reference_year: int) -> np.ndarray:
        """The hourly pay of ``member`` (indices) on ``day`` (day numbers), row by row."""
        year = day.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970
        base = np.array([RANK_SALARY[r] for r in self.rank], dtype=float)[member]
        return base / HOURS_PER_YEAR * (1 + ANNUAL_SALARY_GROWTH) ** (year - reference_year)


def cost_centres(layout: CityLayout) -> tuple[CostCentre, ...]:
    divisions = tuple(
        CostCentre(f"CC-{d}", f"{d} {_division_name(d)} Division") for d in layout.division_ids
    )
    return divisions + (
        CostCentre("CC-INV", "Investigative Services"),
        CostCentre("CC-TRF", "Traffic Services"),
        CostCentre("CC-COM", "Communications Centre"),
        CostCentre("CC-SUP", "Support Services"),
        CostCentre("CC-EXE", "Executive and Corporate Services"),
    )


def _division_name(division: str) -> str:
    from workbench.demo.city import DIVISION_NAMES

    return DIVISION_NAMES[division]


# Service-wide units: id, name, type, cost centre, positions (rank, count).
# fmt: off
_SERVICE_UNITS: tuple[tuple[str, str, str, str, tuple[tuple[str, int], ...]], ...] = (
    ("INV-MAJ", "Major Crime", "investigative", "CC-INV",
     (("staff_sergeant", 2), ("sergeant", 8), ("constable", 40))),
    ("INV-GUN", "Guns and Gangs", "investigative", "CC-INV",
     (("staff_sergeant", 1), ("sergeant", 5), ("constable", 34))),
    ("INV-DRG", "Drug Enforcement", "investigative", "CC-INV",
     (("staff_sergeant", 1), ("sergeant", 4), ("constable", 30))),
    ("INV-FRD", "Fraud and Financial Crime", "investigative", "CC-INV",
     (("staff_sergeant", 1), ("sergeant", 3), ("constable", 18), ("civilian", 6))),
    ("INV-SVU", "Sexual Assault and Child Abuse", "investigative", "CC-INV",
     (("staff_sergeant", 1), ("sergeant", 5), ("constable", 34))),
    ("INV-FOR", "Forensic Identification", "investigative", "CC-INV",
     (("staff_sergeant", 1), ("sergeant", 4), ("constable", 20), ("civilian", 5))),
    ("TRF-TEU", "Traffic Escort and Enforcement", "traffic", "CC-TRF",
     (("staff_sergeant", 1), ("sergeant", 6), ("constable", 53))),
    ("SUP-TAC", "Tactical and Canine", "support", "CC-SUP",
     (("staff_sergeant", 1), ("sergeant", 6), ("constable", 40))),
    ("SUP-TRN", "Training", "support", "CC-SUP",
     (("staff_sergeant", 1), ("sergeant", 4), ("constable", 15), ("civilian", 5))),
    ("SUP-CRT", "Court Services", "support", "CC-SUP",
     (("staff_sergeant", 1), ("sergeant", 4), ("constable", 25), ("civilian", 40))),
    ("SUP-PSU", "Professional Standards", "support", "CC-EXE",
     (("staff_sergeant", 1), ("sergeant", 6), ("constable", 8))),
    ("SUP-REC", "Records and Information", "support", "CC-SUP", (("civilian", 60),)),
    ("SUP-ITS", "Information Technology", "support", "CC-SUP", (("civilian", 40),)),
    ("SUP-FLT", "Fleet and Facilities", "support", "CC-SUP", (("civilian", 30),)),
    ("EXE-CMD", "Command Staff", "support", "CC-EXE",
     (("chief", 1), ("deputy_chief", 2), ("superintendent", 9), ("inspector", 18))),
    ("EXE-ADM", "Corporate Services", "support", "CC-EXE", (("civilian", 60),)),
)
# fmt: on


def build_units(layout: CityLayout, patrol_workload_share: np.ndarray) -> tuple[Unit, ...]:
    """The organisation. Patrol platoon sizes follow each division's share of call workload."""
    units: list[Unit] = []
    for d, division in enumerate(layout.division_ids):
        name = _division_name(division)
        centre = f"CC-{division}"
        size = max(16, int(round(PATROL_OFFICERS * patrol_workload_share[d] / 4)))
        sergeants = max(2, int(round(size / 8)))
        ranks = (
            ("staff_sergeant", 1),
            ("sergeant", sergeants),
            ("constable", size - 1 - sergeants),
        )
        minimum = int(round(MINIMUM_STAFFING_SHARE * size))
        for platoon, letter in enumerate("ABCD"):
            units.append(
                Unit(
                    f"{division}-PLT-{letter}",
                    f"{name} Patrol Platoon {letter}",
                    division,
                    "patrol",
                    centre,
                    ranks,
                    rotation_platoon=platoon,
                    minimum_staffing=minimum,
                )
            )
        units.append(
            Unit(
                f"{division}-CRT",
                f"{name} Community Response Team",
                division,
                "community",
                centre,
                (("sergeant", 1), ("constable", 11)),
            )
        )
        units.append(
            Unit(
                f"{division}-CIU",
                f"{name} Criminal Investigations",
                division,
                "investigative",
                centre,
                (("staff_sergeant", 1), ("sergeant", 3), ("constable", 16)),
            )
        )
    units += [
        Unit(unit_id, name, None, kind, centre, positions)
        for unit_id, name, kind, centre, positions in _SERVICE_UNITS[:11]
    ]
    for platoon, letter in enumerate("ABCD"):  # 24/7 call-taking and dispatch
        units.append(
            Unit(
                f"SUP-COM-{letter}",
                f"Communications Platoon {letter}",
                None,
                "support",
                "CC-COM",
                (("sergeant", 1), ("civilian", 30)),
                rotation_platoon=platoon,
            )
        )
    units += [
        Unit(unit_id, name, None, kind, centre, positions)
        for unit_id, name, kind, centre, positions in _SERVICE_UNITS[11:]
    ]
    return tuple(units)


def build_workforce(
    layout: CityLayout, patrol_workload_share: np.ndarray, first_day: int, last_day: int
) -> Workforce:
    """Every member employed at some point between ``first_day`` and ``last_day`` (day numbers).

    Drawn from a fixed seed (not ``--seed``): the same people work in every build for the same
    window. The officer of :data:`~workbench.demo.signals.OFFICER_USE_OF_FORCE` holds the first
    constable position of their unit for the whole window.
    """
    rng = np.random.default_rng(LAYOUT_WORKFORCE_SEED)
    units = build_units(layout, patrol_workload_share)
    planted_unit = next(i for i, u in enumerate(units) if u.unit_id == OFFICER_USE_OF_FORCE.unit_id)
    if not any(u.unit_id == SICK_LEAVE_UNIT.unit_id for u in units):
        raise ValueError(f"the sick-leave signal names unknown unit {SICK_LEAVE_UNIT.unit_id}")

    members: list[tuple[int, int, str, int, int]] = []  # unit, position, rank, hired, left
    planted_member = -1
    position = 0
    for unit_index, unit in enumerate(units):
        first_constable = True
        for rank, count in unit.positions:
            for _ in range(count):
                planted = unit_index == planted_unit and rank == "constable" and first_constable
                if rank == "constable":
                    first_constable = False
                if planted:
                    planted_member = len(members)
                    members.append((unit_index, position, rank, first_day - 6 * 365, -1))
                else:
                    members.extend(
                        _incumbents(rng, unit_index, position, rank, first_day, last_day)
                    )
                position += 1

    ids = _member_ids(rng, len(members), planted_member)
    ranks = tuple(m[2] for m in members)
    return Workforce(
        units=units,
        cost_centres=cost_centres(layout),
        officer_id=ids,
        unit_index=np.array([m[0] for m in members], dtype="int64"),
        position_index=np.array([m[1] for m in members], dtype="int64"),
        rank=ranks,
        sworn=np.array([r != "civilian" for r in ranks]),
        hired_day=np.array([m[3] for m in members], dtype="int64"),
        left_day=np.array([m[4] for m in members], dtype="int64"),
        first_day=first_day,
        last_day=last_day,
    )


def _incumbents(
    rng: np.random.Generator,
    unit_index: int,
    position: int,
    rank: str,
    first_day: int,
    last_day: int,
) -> list[tuple[int, int, str, int, int]]:
    """The people holding one position over the window: a first incumbent, then successors
    (each hired one to four months after the previous one left)."""
    low, high = RANK_SERVICE_YEARS[rank]
    hired = first_day - int(rng.uniform(low, high) * 365.25)
    result = []
    while hired <= last_day:
        service_years = min(rng.uniform(28.0, 35.0), rng.exponential(1 / 0.025))  # retire or resign
        left = hired + int(service_years * 365.25)
        if left >= first_day:
            result.append((unit_index, position, rank, hired, left if left <= last_day else -1))
        if left > last_day:
            break
        hired = left + int(rng.integers(30, 121))
    return result


def _member_ids(rng: np.random.Generator, count: int, planted_member: int) -> tuple[str, ...]:
    planted_number = int(OFFICER_USE_OF_FORCE.officer_id[1:])
    pool = np.setdiff1d(np.arange(10_000, 100_000), [planted_number])
    numbers = rng.choice(pool, size=count, replace=False)
    if planted_member >= 0:
        numbers[planted_member] = planted_number
    return tuple(f"P{n:05d}" for n in numbers)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def units_table(workforce: Workforce) -> pa.Table:
    units = workforce.units
    return pa.table(
        {
            "unit_id": [u.unit_id for u in units],
            "unit_name": [u.unit_name for u in units],
            "division": [u.division for u in units],
            "unit_type": [u.unit_type for u in units],
            "minimum_staffing": pa.array([u.minimum_staffing for u in units], pa.int64()),
            "cost_centre": [u.cost_centre for u in units],
        }
    )


def personnel_table(workforce: Workforce) -> pa.Table:
    units = workforce.units
    unit_ids = pa.array([u.unit_id for u in units])
    divisions = pa.array([u.division for u in units], pa.string())
    patterns = pa.array(
        [
            f"12h-rotation-{'ABCD'[u.rotation_platoon]}"
            if u.rotation_platoon is not None
            else "8h-weekday"
            for u in units
        ]
    )
    index = pa.array(workforce.unit_index)
    return pa.table(
        {
            "officer_id": pa.array(workforce.officer_id),
            "unit_id": unit_ids.take(index),
            "division": divisions.take(index),
            "rank": pa.array(workforce.rank),
            "sworn": pa.array(workforce.sworn),
            "hired_on": sampling.dates(workforce.hired_day),
            "left_on": sampling.dates(
                np.maximum(workforce.left_day, 0), null_mask=workforce.left_day < 0
            ),
            "shift_pattern": patterns.take(index),
        }
    )
