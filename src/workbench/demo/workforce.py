"""The demo police service: units, members, daily shifts, absences, overtime and patrol rosters.

Organisation (fixed, like the map): per division four patrol platoons (A–D) on a 12-hour
four-platoon rotation (2 days, 2 nights, 4 off; day shift 07:00, night 19:00; exactly one
platoon on days and one on nights at any time) with a minimum staffing, a community response
team and a criminal investigation unit; service-wide investigative, traffic, support and
executive units. About 1,500 sworn members and 370 civilians hold positions; members leave
(resignation, retirement) and are replaced after a vacancy of one to four months.

Shifts (drawn from ``--seed``): one row per member per scheduled shift, with absences
(sick spells peaking in winter, long injury spells, vacation blocks peaking in summer and at
Christmas, training, court, family, other) and overtime (backfill call-ins when a patrol
platoon falls below minimum staffing, investigation, court, events, holdovers).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from workbench.demo import _sampling as sampling
from workbench.demo.city import CityLayout
from workbench.demo.signals import OFFICER_USE_OF_FORCE, SICK_LEAVE_UNIT

LAYOUT_WORKFORCE_SEED = 7_301
PATROL_OFFICERS = 880
MINIMUM_STAFFING_SHARE = 0.80
ROTATION_LENGTH = 8  # days: D D N N off off off off
DAY_SHIFT_START_HOUR = 7
NIGHT_SHIFT_START_HOUR = 19
ROTATION_HOURS = 12.0
WEEKDAY_HOURS = 8.0
WEEKDAY_START_HOUR = 8
OVERTIME_PREMIUM = 1.5
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
ABSENCE_CODES = ("sick", "injury", "vacation", "training", "court", "family", "other")
OVERTIME_REASONS = ("backfill", "court", "investigation", "event", "other")
_SICK, _INJURY, _VACATION, _TRAINING, _COURT, _FAMILY, _OTHER = range(7)
_BACKFILL, _OT_COURT, _OT_INVESTIGATION, _OT_EVENT, _OT_OTHER = range(5)

# Per-shift probabilities (starts of spells, or single shifts) before seasonality.
SICK_SPELL_START = 0.0185
SICK_SEASON_AMPLITUDE = 0.35
SICK_SEASON_PEAK_DAY = 30  # late January
INJURY_SPELL_START = {True: 0.00022, False: 0.00005}  # sworn, civilian
VACATION_SHARE = 0.09
TRAINING_SHARE = 0.02
COURT_DURING_SHIFT = 0.008
FAMILY_SPELL_START = 0.003
OTHER_ABSENCE = 0.003
COURT_ABSENCE_HOURS = 4.0


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

    def annual_salary(self, year: int, reference_year: int) -> np.ndarray:
        """Each member's annual salary in ``year`` (pay scales grow 2.5 % a year)."""
        base = np.array([RANK_SALARY[r] for r in self.rank], dtype=float)
        return base * (1 + ANNUAL_SALARY_GROWTH) ** (year - reference_year)


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
# Shifts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shifts:
    """One entry per member per shift (scheduled, or a backfill call-in), sorted by member, day."""

    member: np.ndarray
    day: np.ndarray
    night: np.ndarray  # bool: the 19:00 shift of a rotation
    unit: np.ndarray  # unit worked for (the short platoon for a backfill call-in)
    scheduled_hours: np.ndarray
    worked_hours: np.ndarray  # scheduled − absence + overtime
    absence_code: np.ndarray  # index into ABSENCE_CODES, −1 when present
    absence_hours: np.ndarray
    overtime_hours: np.ndarray
    overtime_reason: np.ndarray  # index into OVERTIME_REASONS, −1 when none
    overtime_cost: np.ndarray

    @property
    def row_count(self) -> int:
        return len(self.member)


@dataclass(frozen=True)
class Roster:
    """Patrol members on duty per (division, day, half) slot, for assigning calls to officers."""

    first_day: int
    day_count: int
    division_count: int
    offsets: np.ndarray  # slot -> start in members
    members: np.ndarray
    division_members: tuple[np.ndarray, ...]  # fallback: all patrol members of the division

    def on_duty(
        self, rng: np.random.Generator, division: np.ndarray, seconds: np.ndarray
    ) -> np.ndarray:
        """A member on duty in ``division`` at each time (uniformly among those present)."""
        day = seconds // sampling.SECONDS_PER_DAY
        hour = (seconds % sampling.SECONDS_PER_DAY) // 3600
        night = (hour < DAY_SHIFT_START_HOUR) | (hour >= NIGHT_SHIFT_START_HOUR)
        shift_day = np.where(hour < DAY_SHIFT_START_HOUR, day - 1, day)
        shift_day = np.clip(shift_day - self.first_day, 0, self.day_count - 1)
        slot = (shift_day * 2 + night) * self.division_count + division
        start = self.offsets[slot]
        count = self.offsets[slot + 1] - start
        picked = start + np.floor(rng.random(len(slot)) * np.maximum(count, 1)).astype("int64")
        result = self.members[np.minimum(picked, len(self.members) - 1)]
        empty = np.flatnonzero(count == 0)
        for i in empty:  # a slot with nobody present: anyone from the division's platoons
            pool = self.division_members[division[i]]
            result[i] = pool[rng.integers(len(pool))]
        return result


def _rotation_phase(day: np.ndarray, platoon: np.ndarray) -> np.ndarray:
    return (day + 2 * platoon) % ROTATION_LENGTH


def build_shifts(
    workforce: Workforce, layout: CityLayout, seed: int, reference_year: int
) -> tuple[Shifts, Roster]:
    """Every shift of every member over the window, and the patrol roster derived from it."""
    rng = sampling.derived_rng(seed, "shifts")
    first, last = workforce.first_day, workforce.last_day
    days = np.arange(first, last + 1)
    units = workforce.units
    platoon_of_unit = np.array(
        [-1 if u.rotation_platoon is None else u.rotation_platoon for u in units]
    )
    member_platoon = platoon_of_unit[workforce.unit_index]
    rotation = member_platoon >= 0

    # Scheduled (member, day) pairs, sorted by member then day.
    phase = _rotation_phase(days[None, :], np.maximum(member_platoon, 0)[:, None])
    scheduled = np.where(rotation[:, None], phase < 4, (sampling.weekday(days) < 5)[None, :])
    left = np.where(workforce.left_day < 0, last, workforce.left_day)
    scheduled &= (days[None, :] >= workforce.hired_day[:, None]) & (days[None, :] <= left[:, None])
    member, day_index = np.nonzero(scheduled)
    day = days[day_index]
    night = rotation[member] & (phase[member, day_index] >= 2)
    scheduled_hours = np.where(rotation[member], ROTATION_HOURS, WEEKDAY_HOURS)
    del scheduled, phase

    absence = _absences(rng, workforce, member, day, rotation)
    absence_hours = np.where(
        absence < 0, 0.0, np.where(absence == _COURT, COURT_ABSENCE_HOURS, scheduled_hours)
    )
    present = (absence < 0) | (absence == _COURT)

    backfill = _backfill(rng, workforce, layout, member, day, night, present)
    overtime_hours, overtime_reason = _regular_overtime(rng, workforce, member, day, present)

    # Append the backfill call-ins and sort everything by member, day.
    member_all = np.concatenate([member, backfill["member"]])
    day_all = np.concatenate([day, backfill["day"]])
    order = np.lexsort((day_all, member_all))
    n_backfill = len(backfill["member"])
    unit_all = np.concatenate([workforce.unit_index[member], backfill["unit"]])[order]
    night_all = np.concatenate([night, backfill["night"]])[order]
    scheduled_all = np.concatenate([scheduled_hours, np.zeros(n_backfill)])[order]
    absence_all = np.concatenate([absence, np.full(n_backfill, -1)])[order]
    absence_hours_all = np.concatenate([absence_hours, np.zeros(n_backfill)])[order]
    overtime_all = np.concatenate([overtime_hours, np.full(n_backfill, ROTATION_HOURS)])[order]
    reason_all = np.concatenate([overtime_reason, np.full(n_backfill, _BACKFILL)])[order]
    member_all, day_all = member_all[order], day_all[order]

    hourly = _hourly_rate(workforce, day_all, member_all, reference_year)
    shifts = Shifts(
        member=member_all,
        day=day_all,
        night=night_all,
        unit=unit_all,
        scheduled_hours=scheduled_all,
        worked_hours=scheduled_all - absence_hours_all + overtime_all,
        absence_code=absence_all,
        absence_hours=absence_hours_all,
        overtime_hours=overtime_all,
        overtime_reason=reason_all,
        overtime_cost=np.round(overtime_all * hourly * OVERTIME_PREMIUM, 2),
    )
    roster = _roster(workforce, layout, shifts)
    return shifts, roster


def _vacation_season(day: np.ndarray) -> np.ndarray:
    dates = day.astype("datetime64[D]")
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype("int64")
    summer = 1.3 * np.exp(-(((day_of_year - 205) / 25.0) ** 2))
    christmas = 1.6 * np.exp(
        -(((np.minimum(np.abs(day_of_year - 358), np.abs(day_of_year + 7))) / 6.0) ** 2)
    )
    return 1.0 + summer + christmas


_VACATION_SEASON_MEAN = float(_vacation_season(np.arange(18_628, 18_628 + 365 * 4)).mean())


def _absences(
    rng: np.random.Generator,
    workforce: Workforce,
    member: np.ndarray,
    day: np.ndarray,
    rotation: np.ndarray,
) -> np.ndarray:
    """Absence code per scheduled shift (−1 present); later codes override earlier ones, so
    the precedence is injury > sick > vacation > family > training > court > other."""
    rows = len(member)
    block_end = np.r_[np.flatnonzero(np.diff(member)), rows - 1]
    last_of_member = np.repeat(block_end, np.diff(np.r_[-1, block_end]))
    code = np.full(rows, -1, dtype="int64")
    # Individual propensity to fall sick varies (gamma, sd ≈ 0.45), but every unit's average is
    # the same: units differ only by chance, apart from the planted one.
    frailty = rng.gamma(5.0, 1 / 5.0, workforce.member_count)
    unit_mean = np.bincount(workforce.unit_index, weights=frailty) / np.bincount(
        workforce.unit_index
    )
    frailty = frailty / unit_mean[workforce.unit_index]
    sick_unit = workforce.unit_of(SICK_LEAVE_UNIT.unit_id)
    unit_factor = np.where(
        workforce.unit_index == sick_unit, SICK_LEAVE_UNIT.sick_rate_multiplier, 1.0
    )
    is_rotation = rotation[member]

    def mark(probability: np.ndarray | float, lengths: np.ndarray | int, value: int) -> None:
        starts = np.flatnonzero(rng.random(rows) < probability)
        span = lengths[starts] if isinstance(lengths, np.ndarray) else np.full(len(starts), lengths)
        code[sampling.spell_cover(starts, span, last_of_member[starts])] = value

    mark(OTHER_ABSENCE, 1, _OTHER)
    mark(COURT_DURING_SHIFT, 1, _COURT)
    mark(TRAINING_SHARE, 1, _TRAINING)
    mark(FAMILY_SPELL_START, rng.integers(1, 4, rows), _FAMILY)
    vacation_length = np.where(is_rotation, rng.integers(2, 5, rows), 5)
    mark(
        VACATION_SHARE
        / np.where(is_rotation, 3.0, 5.0)
        * _vacation_season(day)
        / _VACATION_SEASON_MEAN,
        vacation_length,
        _VACATION,
    )
    sick_probability = (
        SICK_SPELL_START
        * frailty[member]
        * unit_factor[member]
        * sampling.seasonal_factor(day, SICK_SEASON_AMPLITUDE, SICK_SEASON_PEAK_DAY)
    )
    mark(sick_probability, rng.geometric(0.5, rows), _SICK)
    injury_start = np.where(
        workforce.sworn[member], INJURY_SPELL_START[True], INJURY_SPELL_START[False]
    )
    mark(injury_start, rng.integers(10, 121, rows), _INJURY)
    return code


def _backfill(
    rng: np.random.Generator,
    workforce: Workforce,
    layout: CityLayout,
    member: np.ndarray,
    day: np.ndarray,
    night: np.ndarray,
    present: np.ndarray,
) -> dict[str, np.ndarray]:
    """Call-ins from an off-duty platoon of the same division when a platoon is short.

    Day shifts call in the platoon in rotation phase 6–7, nights the one in phase 4–5, so nobody
    is called in twice on one date and nobody called in is scheduled that date.
    """
    first, last = workforce.first_day, workforce.last_day
    day_count = last - first + 1
    units = workforce.units
    unit = workforce.unit_index[member]
    minimum = np.array([u.minimum_staffing or 0 for u in units])
    patrol_row = minimum[unit] > 0
    counts = np.zeros((len(units), day_count), dtype="int64")
    np.add.at(counts, (unit[patrol_row & present], day[patrol_row & present] - first), 1)

    platoon_units: dict[tuple[str, int], int] = {}
    for index, u in enumerate(units):
        if u.minimum_staffing and u.rotation_platoon is not None:
            platoon_units[(u.division or "", u.rotation_platoon)] = index
    left = np.where(workforce.left_day < 0, last, workforce.left_day)
    unit_members = {
        index: np.flatnonzero(workforce.unit_index == index) for index in platoon_units.values()
    }

    all_days = np.arange(first, last + 1)
    remainder = all_days % ROTATION_LENGTH
    night_source = ((5 - remainder) % ROTATION_LENGTH) // 2  # platoon in phase 4-5 that day
    day_source = ((7 - remainder) % ROTATION_LENGTH) // 2  # platoon in phase 6-7 that day
    out: dict[str, list[np.ndarray]] = {"member": [], "day": [], "night": [], "unit": []}
    for (division, platoon), index in sorted(platoon_units.items()):
        phase = _rotation_phase(all_days, np.full(day_count, platoon))
        short = np.flatnonzero((phase < 4) & (counts[index] < minimum[index]))
        for d in short:
            shift_day = first + int(d)
            is_night = bool(phase[d] >= 2)
            source_platoon = int(night_source[d] if is_night else day_source[d])
            candidates = unit_members[platoon_units[(division, source_platoon)]]
            candidates = candidates[
                (workforce.hired_day[candidates] <= shift_day) & (left[candidates] >= shift_day)
            ]
            need = min(int(minimum[index] - counts[index, d]), len(candidates))
            if need <= 0:
                continue
            out["member"].append(rng.choice(candidates, size=need, replace=False))
            out["day"].append(np.full(need, shift_day))
            out["night"].append(np.full(need, is_night))
            out["unit"].append(np.full(need, index))
    if not out["member"]:
        empty = np.zeros(0, dtype="int64")
        return {"member": empty, "day": empty, "night": empty.astype(bool), "unit": empty}
    return {key: np.concatenate(parts) for key, parts in out.items()}


def _regular_overtime(
    rng: np.random.Generator,
    workforce: Workforce,
    member: np.ndarray,
    day: np.ndarray,
    present: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Overtime added to worked shifts: events, investigations, court, holdovers."""
    rows = len(member)
    unit_of_row = workforce.unit_index[member]
    investigative = np.array([u.unit_type == "investigative" for u in workforce.units])[unit_of_row]
    patrol = np.array([u.unit_type == "patrol" for u in workforce.units])[unit_of_row]
    sworn = workforce.sworn[member]
    hours = np.zeros(rows)
    reason = np.full(rows, -1, dtype="int64")
    dates = day.astype("datetime64[D]")
    month_day = (dates - dates.astype("datetime64[M]")).astype("int64") + 1
    month = dates.astype("datetime64[M]").astype("int64") % 12 + 1
    event_day = ((month == 7) & (month_day == 1)) | ((month == 12) & (month_day == 31))

    def assign(mask: np.ndarray, low: float, high: float, value: int) -> None:
        free = mask & (reason < 0)
        hours[free] = np.round(rng.uniform(low, high, rows)[free] * 2) / 2
        reason[free] = value

    draw = rng.random(rows)
    assign(present & sworn & event_day & (draw < 0.35), 4.0, 8.0, _OT_EVENT)
    draw = rng.random(rows)
    assign(present & investigative & (draw < 0.10), 1.0, 5.0, _OT_INVESTIGATION)
    draw = rng.random(rows)
    assign(present & sworn & (draw < 0.015), 3.0, 3.5, _OT_COURT)
    draw = rng.random(rows)
    assign(present & patrol & (draw < 0.06), 0.5, 3.0, _OT_OTHER)
    draw = rng.random(rows)
    assign(present & ~patrol & (draw < 0.01), 0.5, 3.0, _OT_OTHER)
    return hours, reason


def _hourly_rate(
    workforce: Workforce, day: np.ndarray, member: np.ndarray, reference_year: int
) -> np.ndarray:
    base = np.array([RANK_SALARY[r] for r in workforce.rank], dtype=float)[member] / HOURS_PER_YEAR
    year = day.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970
    return base * (1 + ANNUAL_SALARY_GROWTH) ** (year - reference_year)


def _roster(workforce: Workforce, layout: CityLayout, shifts: Shifts) -> Roster:
    units = workforce.units
    division_of_unit = np.array(
        [layout.division_ids.index(u.division) if u.unit_type == "patrol" else -1 for u in units]
    )
    day_count = workforce.last_day - workforce.first_day + 1
    division = division_of_unit[shifts.unit]
    on_patrol = (division >= 0) & ((shifts.absence_code < 0) | (shifts.absence_code == _COURT))
    slot = (
        (shifts.day[on_patrol] - workforce.first_day) * 2 + shifts.night[on_patrol]
    ) * layout.division_count + division[on_patrol]
    order = np.argsort(slot, kind="stable")
    members = shifts.member[on_patrol][order]
    slot_count = day_count * 2 * layout.division_count
    offsets = np.r_[0, np.cumsum(np.bincount(slot, minlength=slot_count))]
    division_members = tuple(
        np.flatnonzero(division_of_unit[workforce.unit_index] == d)
        for d in range(layout.division_count)
    )
    return Roster(
        workforce.first_day, day_count, layout.division_count, offsets, members, division_members
    )


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


def shift_tables(workforce: Workforce, shifts: Shifts, chunk_rows: int) -> Iterator[pa.Table]:
    """The ``shifts`` table in chunks of at most ``chunk_rows`` rows."""
    officer_ids = pa.array(workforce.officer_id)
    unit_ids = pa.array([u.unit_id for u in workforce.units])
    rotation_unit = np.array([u.rotation_platoon is not None for u in workforce.units])
    for start in range(0, shifts.row_count, chunk_rows):
        part = slice(start, start + chunk_rows)
        day = shifts.day[part]
        unit = shifts.unit[part]
        hour = np.where(
            rotation_unit[unit],
            np.where(shifts.night[part], NIGHT_SHIFT_START_HOUR, DAY_SHIFT_START_HOUR),
            WEEKDAY_START_HOUR,
        )
        absence = shifts.absence_code[part]
        reason = shifts.overtime_reason[part]
        overtime = shifts.overtime_hours[part]
        yield pa.table(
            {
                "officer_id": officer_ids.take(pa.array(shifts.member[part])),
                "shift_date": sampling.dates(day),
                "unit_id": unit_ids.take(pa.array(unit)),
                "shift_start": sampling.timestamps(
                    day.astype("int64") * sampling.SECONDS_PER_DAY + hour * 3600
                ),
                "scheduled_hours": sampling.floats(shifts.scheduled_hours[part]),
                "worked_hours": sampling.floats(shifts.worked_hours[part]),
                "absence_code": sampling.strings(
                    ABSENCE_CODES, np.maximum(absence, 0), absence < 0
                ),
                "absence_hours": sampling.floats(shifts.absence_hours[part], absence < 0),
                "overtime_hours": sampling.floats(overtime),
                "overtime_reason": sampling.strings(
                    OVERTIME_REASONS, np.maximum(reason, 0), reason < 0
                ),
                "overtime_cost": sampling.floats(shifts.overtime_cost[part]),
            }
        )
