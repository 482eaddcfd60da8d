"""The demo police service's shifts: one row per member per scheduled shift, with absences,
overtime and the patrol roster that assigns calls to officers on duty.

Rotation units work a 12-hour four-platoon rotation (2 days, 2 nights, 4 off; day shift 07:00,
night 19:00); the others work 8-hour weekday shifts from 08:00. Absences (sick spells peaking
in winter, long injury spells, vacation blocks peaking in summer and at Christmas, training,
court, family, other) and overtime (backfill call-ins when a patrol platoon falls below minimum
staffing, investigation, court, events, holdovers) are drawn from ``--seed``. The members come
from :mod:`workbench.demo.workforce`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from workbench.demo import _sampling as sampling
from workbench.demo.city import CityLayout
from workbench.demo.signals import SICK_LEAVE_UNIT

if TYPE_CHECKING:
    from workbench.demo.workforce import Workforce

__all__ = ["ABSENCE_CODES", "OVERTIME_REASONS", "Roster", "Shifts", "build_shifts",
           "shift_tables"]

ROTATION_LENGTH = 8  # days: D D N N off off off off
DAY_SHIFT_START_HOUR = 7
NIGHT_SHIFT_START_HOUR = 19
ROTATION_HOURS = 12.0
WEEKDAY_HOURS = 8.0
WEEKDAY_START_HOUR = 8
OVERTIME_PREMIUM = 1.5

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

    hourly = workforce.hourly_rate(member_all, day_all, reference_year)
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
