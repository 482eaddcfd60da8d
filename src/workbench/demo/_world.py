"""The build's fixed context shared by every generator (private): window, scale, map, people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from workbench.demo import _sampling as sampling
from workbench.demo.city import CityLayout
from workbench.demo.workforce import Roster, Workforce

SOURCE = "demo"


@dataclass(frozen=True)
class World:
    """Everything a monthly generator needs besides its own random stream."""

    seed: int
    scale: float
    start_date: dt.date
    end_date: dt.date
    layout: CityLayout
    workforce: Workforce
    roster: Roster
    race_shares: np.ndarray  # city-wide census shares in RACE_GROUPS order
    offence_descriptions: tuple[str, ...]  # wording of each offence code the generator uses

    @property
    def first_day(self) -> int:
        return sampling.day_number(self.start_date)

    @property
    def last_day(self) -> int:
        return sampling.day_number(self.end_date)

    @property
    def end_seconds(self) -> int:
        """The last second of the window (23:59:59 on ``end_date``)."""
        return (self.last_day + 1) * sampling.SECONDS_PER_DAY - 1

    @property
    def reference_day(self) -> int:
        """Middle of the window: trends are 1.0 here, so yearly volumes average the nominal ones."""
        return (self.first_day + self.last_day) // 2


def window_start(end_date: dt.date, years: int = 5) -> dt.date:
    """First day of a ``years``-year window ending on ``end_date`` (inclusive)."""
    try:
        anniversary = end_date.replace(year=end_date.year - years)
    except ValueError:  # 29 February
        anniversary = end_date.replace(year=end_date.year - years, day=28)
    return anniversary + dt.timedelta(days=1)
